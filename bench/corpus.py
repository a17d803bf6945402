"""A synthetic corpus for benchmarks, made from kg's own example articles.

Each generated article takes paragraphs from several example articles (seeded shuffle), swaps place names for others
of the same class from the gazetteer and rescales its figures, so no two articles are the same text.
"""
from __future__ import annotations

import random
import re
from pathlib import Path

from kg.nlp.gazetteer import read_folder
from kg.paths import ROOT, ontology_dir

_FIGURE = re.compile(r"\d+(?:\.\d+)?")


def example_paragraphs(folder: Path = ROOT / "examples") -> list[str]:
    from kg.ingest import read_articles
    from kg.records import Article

    paragraphs = []
    for item in read_articles([str(folder)]):
        if isinstance(item, Article):
            paragraphs += [p.strip() for p in item.text.split("\n") if len(p.strip()) > 20]
    if not paragraphs:
        raise SystemExit(f"no example articles found in {folder}")
    return paragraphs


def generate(count: int, out: Path, *, seed: int = 7, paragraphs_per_article: int = 6) -> list[Path]:
    rng = random.Random(seed)
    paragraphs = example_paragraphs()
    cities = [e for e in read_folder(ontology_dir() / "gazetteer") if e.cls == "City"]
    names = sorted({e.label for e in cities} | {a for e in cities for a in e.aliases if len(a) >= 2})
    swap_from = [n for n in names if any(n in p for p in paragraphs)] or names[:1]
    out.mkdir(parents=True, exist_ok=True)
    files = []
    for i in range(count):
        chosen = rng.sample(paragraphs, min(paragraphs_per_article, len(paragraphs)))
        text = "\n\n".join(chosen)
        for old in rng.sample(swap_from, min(3, len(swap_from))):
            text = text.replace(old, rng.choice(names))
        text = _FIGURE.sub(lambda m: _rescale(m.group(0), rng), text)
        path = out / f"synthetic-{i:06d}.txt"
        path.write_text(f"合成稿件第{i}号\n\n{text}\n", encoding="utf-8")
        files.append(path)
    return files


def _rescale(number: str, rng: random.Random) -> str:
    if len(number) == 4 and number.startswith("20"):
        return number                       # a year stays a year
    value = float(number) * rng.uniform(0.5, 1.5)
    return f"{value:.1f}" if "." in number else str(max(int(value), 1))
