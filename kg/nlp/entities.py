"""The ``kg_entities`` pipeline component: gazetteer names and head-word patterns become ``doc.ents``.

Gazetteer names are matched on characters, so a name is found even where the segmenter glued it to a neighbour; the Doc
is then re-cut at every name's edges. Overlaps resolve to the longest span (a nested name such as 义乌 inside
义乌国际商贸城 is not a mention of its own); on equal length the gazetteer wins. Each span's ``kb_id_`` is the canonical
key of the thing it names.
"""
from __future__ import annotations

from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span

from kg.nlp.align import split_at
from kg.nlp.gazetteer import Gazetteer
from kg.nlp.patterns import HeadPatterns
from kg.nlp.text import fold
from kg.paths import ontology_dir


@Language.factory("kg_entities", assigns=["doc.ents"])
def make_entities(nlp: Language, name: str) -> "EntityFinder":
    return EntityFinder(name)


def canonical_key(text: str) -> str:
    """The key of a name no gazetteer knows: its folded form without spaces."""
    return "".join(fold(text).split())


class EntityFinder:
    def __init__(self, name: str):
        self.name = name
        self.gazetteer = Gazetteer([])
        self.patterns: HeadPatterns | None = None

    def initialize(self, get_examples=None, *, nlp=None, ontology: str | None = None):
        folder = Path(ontology) if ontology else ontology_dir()
        self.gazetteer = Gazetteer.load(folder / "gazetteer")
        self.patterns = HeadPatterns.load(folder / "patterns.yml")

    def __call__(self, doc: Doc) -> Doc:
        folded = fold(doc.text)
        found = [(m.start, m.end, m.entity.cls, m.entity.key, 0) for m in self.gazetteer.find(folded)]
        doc = split_at(doc, [edge for start, end, *_ in found for edge in (start, end)])
        if self.patterns:
            for c in self.patterns.find(doc):
                found.append((c.start, c.end, c.cls, canonical_key(doc.text[c.start:c.end]), 1))
        chosen = _longest_first(found)
        doc = split_at(doc, [edge for start, end, *_ in chosen for edge in (start, end)])
        spans = []
        for start, end, cls, key, _ in chosen:
            span = doc.char_span(start, end, label=cls, kb_id=key)
            if span is not None:
                spans.append(span)
        doc.ents = spans
        return doc


def _longest_first(found: list[tuple]) -> list[tuple]:
    """Greedy non-overlapping choice: longer spans first, then the gazetteer, then the earlier one."""
    taken: list[tuple] = []
    used = set()
    for item in sorted(found, key=lambda f: (-(f[1] - f[0]), f[4], f[0])):
        span = range(item[0], item[1])
        if not any(i in used for i in span):
            taken.append(item)
            used.update(span)
    return sorted(taken)


def entity_spans(doc: Doc) -> list[Span]:
    return list(doc.ents)


def tag_lines(lines, nlp=None):
    """``kg ner``: one line of text in, one record out: its text and its entities with offsets into the line."""
    if nlp is None:
        from kg.nlp.pipeline import load_pipeline

        nlp = load_pipeline()
    for line in lines:
        text = line.rstrip("\r\n")
        doc = nlp(text)
        yield {"text": text,
               "entities": [{"start": s.start_char, "end": s.end_char, "text": s.text, "type": s.label_}
                            for s in doc.ents]}
