"""Test sentences with their mentions written inline: ``[中欧班列|Route]从[义乌|City]出发``."""
from __future__ import annotations

import re

from kg.ingest.sentences import split_sentences
from kg.records import Article, Entity, Mention, Provenance

MARK = re.compile(r"\[([^|\]]+)\|(\w+)\]")


def marked(text: str, *, authors=(), publisher=None, date=None,
           parents: dict[str, str] | None = None) -> tuple[Article, list[Mention]]:
    """The article the marked text makes, and one mention per mark (key = the name; parent from ``parents``)."""
    plain, spans, last, out = [], [], 0, 0
    for m in MARK.finditer(text):
        plain.append(text[last:m.start()])
        out += m.start() - last
        spans.append((out, out + len(m.group(1)), m.group(1), m.group(2)))
        plain.append(m.group(1))
        out += len(m.group(1))
        last = m.end()
    plain.append(text[last:])
    body = "".join(plain)
    article = Article("t", body, "t.txt", date=date, sentences=split_sentences(body),
                      authors=tuple(authors), publisher=publisher)
    mentions = []
    for start, end, name, cls in spans:
        sentence = next(s for s in article.sentences if s.start <= start < s.end)
        entity = Entity(name, name, cls, parent=(parents or {}).get(name))
        mentions.append(Mention(entity, start, end, name, Provenance("t", sentence, f"ner:{cls}", reported_on=date)))
    return article, mentions
