"""The gazetteer: every name kg knows, from ``ontology/gazetteer/*.tsv``, matched on characters.

Each TSV row is one real thing: ``name  class  aliases(|)  wikidata  parent``. The same names feed pkuseg's user
dictionary, so the segmenter never splits a known name.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import ahocorasick

from kg.names import HEADER, fold, read_folder, read_tsv  # noqa: F401 (rows are read below the stages, kg.names)
from kg.nlp.text import is_latin
from kg.records import Entity


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
