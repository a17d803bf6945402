"""The gazetteer: every name kg knows, from ``ontology/gazetteer/*.tsv``, matched on characters.

Each TSV row is one real thing: ``name  class  aliases(|)  wikidata  parent``. The same names feed pkuseg's user
dictionary, so the segmenter never splits a known name.
"""
from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import ahocorasick

from kg.errors import DataError
from kg.nlp.text import fold, is_latin
from kg.records import Entity

HEADER = ["name", "class", "aliases", "wikidata", "parent"]


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    entity: Entity


class Gazetteer:
    def __init__(self, entities: list[Entity]):
        self.entities = {e.key: e for e in entities}
        self._automaton = ahocorasick.Automaton()
        surfaces: dict[str, Entity] = {}
        for entity in entities:
            for surface in (entity.label, *entity.aliases):
                # the first row that claims a surface form keeps it: files load in sorted order, curated first
                surfaces.setdefault(fold(surface), entity)
        for surface, entity in surfaces.items():
            if len(surface) >= 2:
                self._automaton.add_word(surface, (len(surface), entity.key))
        if surfaces:
            self._automaton.make_automaton()
        self.names = sorted({s for e in entities for s in (e.label, *e.aliases) if len(s) >= 2})

    @classmethod
    def load(cls, folder: Path) -> "Gazetteer":
        return cls(list(read_folder(folder)))

    def find(self, folded: str) -> Iterator[Match]:
        """Every occurrence of a known name in ``folded`` text (see ``kg.nlp.text.fold``), overlaps included."""
        if not self.names:
            return
        for end_index, (length, key) in self._automaton.iter(folded):
            start, end = end_index + 1 - length, end_index + 1
            if _cuts_latin_word(folded, start, end):
                continue
            yield Match(start, end, self.entities[key])


def _cuts_latin_word(text: str, start: int, end: int) -> bool:
    return (is_latin(text[start]) and start > 0 and is_latin(text[start - 1])) or (
        is_latin(text[end - 1]) and end < len(text) and is_latin(text[end])
    )


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
