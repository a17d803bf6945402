"""Frozen records that flow between kg's stages.

files -> Article -> spaCy Doc -> Mention / Relation / Observation (each with a Provenance) -> RDF.
Offsets are character offsets into ``Article.text``; a sentence is the span ``text[start:end]``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Article:
    """One news story, cleaned and ready for NLP."""

    doc_id: str                      # stable, ASCII, derived from the source path (and story index)
    text: str                        # the cleaned text every offset points into
    source: str                      # the file it came from, as the user named it
    title: str | None = None
    date: str | None = None          # ISO yyyy-mm-dd when known
    authors: tuple[str, ...] = ()    # the outlet's own reporters (记者)
    correspondents: tuple[str, ...] = ()   # bylined correspondents (通讯员) and people from other units
    photographers: tuple[str, ...] = ()
    publisher: str | None = None     # the outlet or source named by the article
    url: str | None = None
    encoding: str = "utf-8"
    sentences: tuple[Sentence, ...] = ()
    meta: tuple[tuple[str, str], ...] = ()   # any other metadata, as (key, value) pairs

    @property
    def content_hash(self) -> str:
        import hashlib

        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


SKIPPED = "skipped"   # the input (or part of it) was not built
WARNING = "warning"   # the document was built anyway; something in it was dropped or is doubtful
IGNORED = "ignored"   # not read and not asked for: files of a type kg does not read, found in a folder


@dataclass(frozen=True)
class Problem:
    """An input that could not be (fully) read: the batch goes on without it.

    ``kind`` tells a build summary what happened: SKIPPED (nothing built from it), WARNING (built anyway) or
    IGNORED (files in a folder kg does not read: reported, but the build does not fail for them).
    ``count`` is the number of files one problem stands for (files of an unknown type are reported per suffix).
    """

    source: str
    message: str
    hint: str = ""
    kind: str = SKIPPED
    count: int = 1

    def __str__(self) -> str:
        return f"{self.source}: {self.message}" + (f" ({self.hint})" if self.hint else "")


@dataclass(frozen=True)
class Provenance:
    doc_id: str
    sentence: Sentence
    rule: str
    confidence: float = 1.0
    reported_on: str | None = None   # the article's date (ISO), anchoring "今年"/"去年"
    role: str | None = None          # e.g. 总经理 for affiliatedWith
    source: str | None = None        # a fact from a data file, not from the article (a gazetteer row): that file, whose
    #                                  line is then the ``sentence`` and ``doc_id`` the file's own document


@dataclass(frozen=True)
class Entity:
    """One real thing. ``key`` is canonical: the same thing gets the same key in every document."""

    key: str
    label: str
    cls: str                         # ontology class local name, e.g. "City", "Route"
    aliases: tuple[str, ...] = ()
    wikidata: str | None = None      # a Q-id, only when the gazetteer states it
    parent: str | None = None        # canonical key of the enclosing place, from the gazetteer


@dataclass(frozen=True)
class Mention:
    entity: Entity
    start: int
    end: int
    text: str
    provenance: Provenance


@dataclass(frozen=True)
class Relation:
    subject: str                     # entity key
    prop: str                        # ontology property local name, e.g. "departsFrom"
    object: str                      # entity key
    provenance: Provenance


@dataclass(frozen=True)
class Observation:
    subject: str | None              # entity key the figure is about
    indicator: str                   # the measured thing, as written
    value: Decimal
    unit: str                        # unit code from ONTOLOGY-CORE, e.g. "CNY", "TEU"
    text: str                        # the figure as written, e.g. "6689.3亿元"
    provenance: Provenance
    qualifier: str | None = None     # 超 / 近 / 约 / 多 ...
    period: str | None = None        # as written
    period_start: str | None = None  # ISO date
    period_end: str | None = None
    indicator_concept: str | None = None   # notation of a concept of ontology/indicators.ttl, e.g. "exports"
    comparison: str | None = None    # what a change compares with: "yearOnYear" (同比), "periodOnPeriod" (环比)
    partners: tuple[str, ...] = ()   # entity keys of the trading partners the figure is stated for (对欧盟出口)


@dataclass
class Extraction:
    """Everything found in one article."""

    article: Article
    entities: dict[str, Entity] = field(default_factory=dict)
    mentions: list[Mention] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    observations: list[Observation] = field(default_factory=list)
    concepts: dict = field(default_factory=dict)   # notation -> kg.extract.indicators.Concept the figures use
    # the document's triples as the store writes them (kg.graph.store.document_triples), when a worker process made
    # them: the builder then only writes, in parallel with the workers' extraction
    rdf: frozenset[str] | None = None
