"""Build kg's spaCy pipeline: ``spacy.blank("zh")`` with the pkuseg segmenter, then kg's entity components."""
from __future__ import annotations

import contextlib
import io
import sys
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import spacy
from spacy.language import Language

from kg.nlp import entities  # noqa: F401  (registers the kg_entities factory)
from kg.nlp.segmenter import require_model
from kg.paths import ontology_dir
from kg.records import Article


def load_pipeline(ontology: Path | None = None, *, statistical: bool = True) -> Language:
    """The whole pipeline, ready to run. Loading costs ~5 s and ~830 MB (the pkuseg model): do it once per process.

    ``ontology`` is the ontology folder its gazetteer and patterns come from (default: ``kg.paths.ontology_dir``,
    resolved here, an entry point). ``statistical=False`` leaves out the MSRA-trained NER model
    (kg/models/msra_ner): rules and gazetteer only.
    """
    model = require_model()
    folder = ontology_dir(ontology)
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "pkuseg"}}})
    finder = nlp.add_pipe("kg_entities")
    finder.initialize(ontology=str(folder))
    if statistical:
        from kg.nlp import statistical as _  # noqa: F401  (registers the kg_statistical_ner factory)

        nlp.add_pipe("kg_statistical_ner", after="kg_entities").initialize()
    with _quiet_pkuseg():
        nlp.tokenizer.initialize(pkuseg_model=str(model), pkuseg_user_dict=finder.user_words or "default")
    return nlp


@contextlib.contextmanager
def _quiet_pkuseg():
    """pkuseg prints "WARNING: features.msgpack does not exist, try loading features.pkl" when it loads the model
    that PyPI's pkuseg archive ships (features.pkl is that model's format, not a fault): keep that line off stderr,
    pass anything else it prints on."""
    caught = io.StringIO()
    with contextlib.redirect_stderr(caught):
        yield
    for line in caught.getvalue().splitlines(keepends=True):
        if "features.msgpack does not exist" not in line:
            sys.stderr.write(line)


# spaCy refuses a text over nlp.max_length (1,000,000 characters, [E088]) and a Doc costs memory in proportion to its
# length; ingest accepts articles up to 20 MB. An article longer than PIECE_CHARS is read in pieces of at most that
# many characters, cut at sentence starts: each piece's entities are kept (with offsets into the whole article) and
# its Doc dropped, so memory follows the piece, not the article. Shorter articles go through nlp.pipe whole, as before.
PIECE_CHARS = 100_000


@dataclass(frozen=True)
class SpanRecord:
    """What the extractors read of an entity span (kg.extract.mentions), with offsets into the whole article."""

    start_char: int
    end_char: int
    text: str
    label_: str
    kb_id_: str


@dataclass(frozen=True)
class PiecedDoc:
    """The entities of an article read in pieces: ``ents`` and ``spans['kg_inner']``, as a Doc offers them."""

    text: str
    ents: tuple[SpanRecord, ...]
    spans: dict[str, tuple[SpanRecord, ...]]


def pieces(text: str, starts: Sequence[int], size: int = PIECE_CHARS) -> list[tuple[int, int]]:
    """(start, end) of consecutive pieces covering ``text``, each at most ``size`` characters, cut at the last sentence
    start that fits (at a line break, failing that; hard, failing both: one sentence of 100,000 characters)."""
    cuts, at = [], 0
    starts = sorted(set(starts))
    while len(text) - at > size:
        limit = at + size
        i = bisect_right(starts, limit) - 1
        cut = starts[i] if i >= 0 and starts[i] > at else text.rfind("\n", at + 1, limit) + 1 or limit
        cuts.append((at, cut))
        at = cut
    return cuts + [(at, len(text))]


def read_docs(nlp: Language, articles: Sequence[Article]) -> list:
    """One Doc per article, in order: nlp.pipe over the articles of normal length, a PiecedDoc for a longer one."""
    whole = iter(nlp.pipe(a.text for a in articles if len(a.text) <= PIECE_CHARS))
    return [next(whole) if len(a.text) <= PIECE_CHARS else read_in_pieces(nlp, a) for a in articles]


def read_in_pieces(nlp: Language, article: Article, size: int = PIECE_CHARS) -> PiecedDoc:
    text = article.text
    ents: list[SpanRecord] = []
    inner: list[SpanRecord] = []
    for start, end in pieces(text, [s.start for s in article.sentences], size):
        doc = nlp(text[start:end])
        ents += (_record(span, start) for span in doc.ents)
        inner += (_record(span, start) for span in doc.spans.get("kg_inner", ()))
    return PiecedDoc(text, tuple(ents), {"kg_inner": tuple(inner)})


def _record(span, offset: int) -> SpanRecord:
    return SpanRecord(span.start_char + offset, span.end_char + offset, span.text, span.label_, span.kb_id_)
