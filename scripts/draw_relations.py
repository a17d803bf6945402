"""Draw a reproducible random sample of the relations kg finds in unannotated news, for judging by hand.

The news is the MSRA NER training text (``../shared/data/msra_ner/train.txt``, People's Daily): its tags are dropped,
lines are drawn with a fixed seed, each drawn line is read as an article of its own, and the relations found are
sampled with the same seed. The output names each relation by its line number in train.txt and the triple, with the
sentence printed for the judge only (``--show``); the committed judgement (docs/judged/relations.tsv) holds the triples,
line numbers and verdicts, never the text.

    python scripts/draw_relations.py --lines 3000 --relations 120 --show > /tmp/draw.tsv

``--rule`` (repeatable) samples ``--relations`` of each named rule's relations instead, to judge one rule on its own
(a rule the devset gold says little about). Only the rules switched on are run: to judge one that is off, switch
it on (``enabled: true`` in its ontology/rules file) for the draw.
``--containing`` (a regex) reads only the drawn lines it matches: a rule fires only where its cue stands, and a rare
cue would otherwise need the whole corpus read by the model (``--lines 46364`` draws every line).
"""
from __future__ import annotations

import argparse
import random
import re
import tempfile
from pathlib import Path

from kg.ingest import read_articles
from kg.parallel import extract_all
from kg.records import Problem

TRAIN = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "msra_ner" / "train.txt"


def plain(line: str) -> str:
    """A tagged line (词/tag 词/tag) as plain text."""
    return "".join(token.rsplit("/", 1)[0] for token in line.split())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=3000, help="news lines to draw")
    parser.add_argument("--relations", type=int, default=120, help="relations to sample from what kg finds")
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--show", action="store_true", help="print the sentence too (for the judge; never commit)")
    parser.add_argument("--rule", action="append", default=[], help="sample this rule's relations (repeatable)")
    parser.add_argument("--containing", help="read only the drawn lines this regex matches (the rule's cue)")
    args = parser.parse_args()
    lines = TRAIN.read_text(encoding="utf-8").splitlines()
    rng = random.Random(args.seed)
    drawn = sorted(rng.sample(range(len(lines)), args.lines))
    found = []
    with tempfile.TemporaryDirectory() as folder:
        for n in drawn:
            text = plain(lines[n])
            if len(text) >= 15 and (not args.containing or re.search(args.containing, text)):
                Path(folder, f"line{n + 1:06d}.txt").write_text(text + "\n", encoding="utf-8")
        articles = (a for a in read_articles([folder]) if not isinstance(a, Problem))
        for ex in extract_all(articles, statistical=True):
            line = int(Path(ex.article.source).stem[4:])
            labels = {key: e.label for key, e in ex.entities.items()}
            for r in ex.relations:
                found.append((line, labels.get(r.subject, r.subject), r.prop, labels.get(r.object, r.object),
                              r.provenance.rule, r.provenance.sentence.text))
    found.sort()
    sample = []
    for rule in args.rule or [None]:
        pool = [f for f in found if rule is None or f[4] == rule]
        sample += random.Random(args.seed).sample(pool, min(args.relations, len(pool)))
        if rule is not None:
            print(f"# {rule}: {len(pool)} relations in {args.lines} drawn lines (seed {args.seed})")
    sample.sort()
    print(f"# {len(found)} relations in {args.lines} drawn lines (seed {args.seed}); {len(sample)} sampled")
    for line, s, p, o, rule, sentence in sample:
        print("\t".join([str(line), s, p, o, rule] + ([sentence] if args.show else [])))


if __name__ == "__main__":
    main()
