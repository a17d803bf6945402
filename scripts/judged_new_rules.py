"""Precision of the policy and industry rules of issue 17 (lists of industries, bare and quoted policy titles, the
heads 实践案例, 工作报告, “…”计划, “…”战略) on news nobody tuned on, judged by hand.

The text is the MSRA NER training file, as for ``judged_sample.py`` (whose file format, ``show`` and ``score`` this
script shares): the judged file keeps each entity's string with its line number and offsets, never the text.

    python scripts/judged_new_rules.py draw   # find what the new rules add, draw the sample
    python scripts/judged_new_rules.py show   # each item with its context, to judge
    python scripts/judged_new_rules.py score  # precision per class
    python scripts/judged_new_rules.py draw --seed 18 --out eval/judged/msra_new_policy_industry_fresh.tsv

``draw`` reads LINES lines of MSRA (seed SEED) among those where the new rules can fire at all (a 、 list, 关于, a
“quoted” part, or one of the new heads), runs the rules and gazetteer (``statistical=False``: the trained layer finds
no policies or industries) twice, with and without the new rules, and draws SAMPLE of the Policy and Industry
entities found only with them, in the fixed hash order of ``judged_sample._rank``, one per distinct string and class
(one article's programme, named ten times, would fill a quarter of the sample).
"""
from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("judged_sample", ROOT / "scripts" / "judged_sample.py")
judged_sample = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(judged_sample)

OUT = ROOT / "eval" / "judged" / "msra_new_policy_industry.tsv"
SEED, LINES, SAMPLE = 17, 12000, 40
NEW_HEADS = ("实践案例", "工作报告", "计划", "战略")
CUES = ("、", "关于", "“", *NEW_HEADS)
CLASSES = ("Policy", "Industry")


def entities(nlp, lines: list[str], numbers: list[int]) -> set[tuple]:
    found = set()
    for n, doc in zip(numbers, nlp.pipe(lines[n] for n in numbers)):
        found |= {(n + 1, e.start_char, e.end_char, e.text, e.label_) for e in (*doc.ents, *doc.spans["kg_inner"])
                  if e.label_ in CLASSES}
    return found


def draw(out: Path, seed: int = SEED) -> None:
    from kg.nlp.pipeline import load_pipeline

    lines = judged_sample.plain_lines()
    fit = [i for i, line in enumerate(lines) if 20 <= len(line) <= 400 and any(c in line for c in CUES)]
    numbers = sorted(random.Random(seed).sample(fit, min(LINES, len(fit))))
    nlp = load_pipeline(statistical=False)
    finder = nlp.get_pipe("kg_entities")
    after = entities(nlp, lines, numbers)
    patterns, enumerations, titles = finder.patterns, finder.enumerations, finder.titles
    finder.enumerations = finder.titles = None
    finder.patterns = dataclasses.replace(
        patterns, heads=tuple(h for h in patterns.heads if not (h[1] == "Policy" and h[0] in NEW_HEADS)))
    before = entities(nlp, lines, numbers)
    finder.patterns, finder.enumerations, finder.titles = patterns, enumerations, titles
    new = sorted(after - before)
    distinct: dict[tuple[str, str], tuple] = {}
    for item in sorted(new, key=judged_sample._rank):
        distinct.setdefault((item[3], item[4]), item)
    sample = sorted(list(distinct.values())[:SAMPLE])
    old = {(r["line"], r["start"], r["end"], r["class"]): r["verdict"]
           for r in judged_sample.read(out)} if out.exists() else {}
    rows = [{"item": k, "line": line, "start": start, "end": end, "text": text, "class": cls,
             "verdict": old.get((str(line), str(start), str(end), cls), "")}
            for k, (line, start, end, text, cls) in enumerate(sample, 1)]
    judged_sample.write(out, rows)
    print(f"{len(numbers)} lines; {len(new)} Policy/Industry entities only with the new rules "
          f"({len(distinct)} distinct; {len(before - after)} only without them); {len(rows)} drawn into {out}", file=sys.stderr)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["draw", "show", "score"])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--seed", type=int, default=SEED, help="which lines draw reads (a fresh sample: another seed)")
    args = parser.parse_args(argv)
    if args.action == "draw":
        draw(args.out, args.seed)
    else:
        {"show": judged_sample.show, "score": judged_sample.score}[args.action](args.out)


if __name__ == "__main__":
    main()
