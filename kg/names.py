"""Names and their keys, below every stage: folding a name's characters, the canonical key that becomes an entity's
IRI, and the gazetteer's rows (``ontology/gazetteer/*.tsv``) as ``Entity`` records.

Here rather than in ``kg.nlp`` because the graph layer needs them too: a curated fact file (``kg.graph.curated``) names
entities by the same keys and looks names up in the same gazetteer as the NLP pipeline does.
"""
from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path

from kg.errors import DataError
from kg.records import Entity

HEADER = ["name", "class", "aliases", "wikidata", "parent"]   # of a gazetteer TSV file
_DASHES = "—–－‐‑‒―"


def fold_char(ch: str) -> str:
    """Full-width ASCII to half-width, Latin to lower case, dash variants to one dash; always one character."""
    code = ord(ch)
    if 0xFF01 <= code <= 0xFF5E:
        ch = chr(code - 0xFEE0)
    elif ch == "\u3000":
        ch = " "
    elif ch in _DASHES:
        ch = "-"
    return ch.lower() if ch.isascii() else ch


def fold(text: str) -> str:
    return "".join(fold_char(ch) for ch in text)


_MARKS = str.maketrans("", "", "“”‘’\"'「」『』 \u3000\t\n")
_LEGAL = re.compile(r"(股份有限公司|有限责任公司|有限公司)$")


def canonical_key(text: str, cls: str | None = None) -> str:
    """The key of a name no gazetteer knows."""
    key = fold(text).translate(_MARKS)
    if cls in (None, "Company", "Organization"):
        key = _LEGAL.sub("公司", key)
    return key


def surface_key(text: str) -> str:
    """The form in which a found name is looked up among the gazetteer's names."""
    return fold(text).translate(_MARKS)


def read_folder(folder: Path) -> Iterator[Entity]:
    # domain.tsv is curated and goes first, so its readings of a name win over generated lists
    files = sorted(folder.glob("*.tsv"), key=lambda p: (p.name != "domain.tsv", p.name))
    for path in files:
        yield from read_tsv(path)


def read_tsv(path: Path) -> Iterator[Entity]:
    with open(path, encoding="utf-8", newline="") as handle:
        rows = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(rows, None)
        if header != HEADER:
            raise DataError(f"[E010] {path}: header must be {HEADER!r} (tab-separated), got {header!r}")
        for line_no, row in enumerate(rows, start=2):
            if not row or not row[0].strip():
                continue
            if len(row) != len(HEADER):
                raise DataError(f"[E011] {path}:{line_no}: expected {len(HEADER)} tab-separated fields, got {len(row)}")
            name, cls, aliases, wikidata, parent = (field.strip() for field in row)
            yield Entity(
                key=name,
                label=name,
                cls=cls,
                aliases=tuple(a for a in aliases.split("|") if a and a != name),
                wikidata=wikidata or None,
                parent=parent or None,
            )
