"""Entity mentions: one record per entity span of the Doc (and per name kept inside a longer one), with the sentence
it stands in. A name and one it opens with start together: the longer comes first."""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator

from spacy.tokens import Doc

from kg.extract.sentences import SentenceIndex
from kg.records import Article, Entity, Mention, Provenance


def extract_mentions(
    doc: Doc, *, article: Article, sentences: SentenceIndex, lookup: Callable[[str], Entity | None]
) -> Iterator[Mention]:
    spans = (*doc.ents, *doc.spans.get("kg_inner", ()))
    for span in sorted(spans, key=lambda span: (span.start_char, -span.end_char)):
        known = lookup(span.kb_id_)
        if known is not None and known.cls == span.label_:
            entity = known
        else:
            entity = Entity(key=span.kb_id_ or span.text, label=span.text, cls=span.label_)
        provenance = Provenance(
            doc_id=article.doc_id,
            sentence=sentences.at(span.start_char),
            rule=f"ner:{span.label_}",
            reported_on=article.date,
        )
        yield Mention(entity, span.start_char, span.end_char, span.text, provenance)


def most_named(mentions: list[Mention], ok: Callable[[str], bool]) -> Mention | None:
    """The first mention of the entity the article names most among those whose class is ``ok`` (the earliest on a
    tie): what an article is about, for a sentence that leaves it implicit."""
    fitting = [m for m in mentions if ok(m.entity.cls)]
    counts = Counter(m.entity.key for m in fitting)
    most = max(counts.values(), default=0)
    return next((m for m in fitting if counts[m.entity.key] == most), None)
