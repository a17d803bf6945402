"""Precision of kg's entities on news nobody tuned on: a random sample of kg's entities, judged by hand.

The text is the MSRA NER training file (``../shared/data/msra_ner/train.txt``, 1990s People's Daily news; see its
SOURCE.md: research use, no licence to redistribute), so the judged file keeps no text beyond each entity's own
string: the line number and character offsets point back into the file for whoever holds it.

    python scripts/judged_sample.py draw  [--out eval/judged/msra_sample.tsv]   # run kg, draw the sample
    python scripts/judged_sample.py show  [--out ...]                           # each item with its context
    python scripts/judged_sample.py score [--out ...]                           # precision per class

``draw`` picks PARAGRAPHS lines of 60 to 400 characters (seed SEED), runs the whole pipeline (``kg ner``) over
them and draws SAMPLE of the entities it finds: those first in a fixed hash order (``_rank``), so that the samples
of two versions of kg share every entity both found. A verdict already in the file for the same
(line, start, end, class) is kept, so a redraw after a change only asks for the new items. Verdicts:
``ok`` (a name of that class with those bounds), ``class`` (a name, wrong class), ``boundary`` (the right
thing, wrong bounds), ``no`` (not a name). Precision counts ``ok`` only.
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import random
import sys
from collections import Counter
from pathlib import Path

from kg.vocab import coarse

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT.parent / "shared" / "data" / "msra_ner" / "train.txt"
OUT = ROOT / "eval" / "judged" / "msra_sample.tsv"
SEED, PARAGRAPHS, SAMPLE = 17, 400, 300
FIELDS = ["item", "line", "start", "end", "text", "class", "verdict"]
VERDICTS = ("ok", "class", "boundary", "no")


def plain_lines(path: Path = SOURCE) -> list[str]:
    """train.txt without its tags: ``text/tag`` tokens joined back into the sentence."""
    lines = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        lines.append("".join(tok.rsplit("/", 1)[0] for tok in raw.split(" ") if tok))
    return lines


def paragraphs(lines: list[str]) -> list[int]:
    """The line numbers (0-based) of the paragraphs tagged: PARAGRAPHS lines of 60-400 characters, seed SEED."""
    fit = [i for i, line in enumerate(lines) if 60 <= len(line) <= 400]
    return sorted(random.Random(SEED).sample(fit, PARAGRAPHS))


def draw(out: Path) -> None:
    from kg.nlp.tagging import tag_lines

    lines = plain_lines()
    chosen = paragraphs(lines)
    found = []
    for i, record in zip(chosen, tag_lines(lines[i] for i in chosen)):
        for e in record["entities"]:
            found.append((i + 1, e["start"], e["end"], e["text"], e["type"]))
    sample = sorted(sorted(found, key=_rank)[:SAMPLE])
    old = {(r["line"], r["start"], r["end"], r["class"]): r["verdict"] for r in read(out)} if out.exists() else {}
    rows = [{"item": n, "line": line, "start": start, "end": end, "text": text, "class": cls,
             "verdict": old.get((str(line), str(start), str(end), cls), "")}
            for n, (line, start, end, text, cls) in enumerate(sample, 1)]
    write(out, rows)
    print(f"{len(found)} entities in {len(chosen)} paragraphs; {len(rows)} drawn into {out}, "
          f"{sum(1 for r in rows if not r['verdict'])} to judge", file=sys.stderr)


def _rank(item: tuple) -> str:
    """A fixed pseudo-random order of entities by where they are and what kg calls them (seed SEED): a change to kg
    that keeps an entity keeps its chance of being drawn, so two versions' samples share most items."""
    line, start, end, _, cls = item
    return hashlib.sha1(f"{SEED}:{line}:{start}:{end}:{cls}".encode()).hexdigest()


def read(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def write(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, FIELDS, delimiter="\t", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    tmp.replace(path)


def show(out: Path) -> None:
    lines = plain_lines()
    for r in read(out):
        line, start, end = int(r["line"]) - 1, int(r["start"]), int(r["end"])
        text = lines[line]
        print(f"{r['item']}\t{r['class']}\t{r['text']}\t{text[max(0, start - 12):start]}[{r['text']}]"
              f"{text[end:end + 12]}\t{r['verdict']}")


def score(out: Path) -> dict[str, tuple[int, int]]:
    """(ok, judged) per class and per coarse class; raises when a verdict is missing or unknown."""
    counts: dict[str, Counter] = {}
    for r in read(out):
        if r["verdict"] not in VERDICTS:
            raise SystemExit(f"[E171] {out}: item {r['item']} has verdict {r['verdict']!r}, not one of {VERDICTS}")
        for key in {r["class"], coarse(r["class"]) + "*", "overall"}:
            counts.setdefault(key, Counter())[r["verdict"]] += 1
    result = {}
    for key in sorted(counts, key=lambda k: (k != "overall", k)):
        c = counts[key]
        n = sum(c.values())
        result[key] = (c["ok"], n)
        print(f"{key:20s} {c['ok'] / n:.3f}  ({c['ok']}/{n}; class {c['class']}, boundary {c['boundary']}, "
              f"no {c['no']})")
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["draw", "show", "score"])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    {"draw": draw, "show": show, "score": score}[args.action](args.out)


if __name__ == "__main__":
    main()
