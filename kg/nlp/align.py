"""Make a Doc's token boundaries agree with character spans found on the raw text.

Matchers work on characters (a segmenter may glue a name to its neighbour: 邓小平 in 邓小平理论), so a span found there
can end inside a token. ``split_at`` returns a new Doc whose tokens are cut at every span edge; nothing else changes.
"""
from __future__ import annotations

from collections.abc import Iterable

from spacy.attrs import IDX, LENGTH, SPACY
from spacy.tokens import Doc


def split_at(doc: Doc, offsets: Iterable[int]) -> Doc:
    cuts = sorted(set(offsets))
    if not cuts:
        return doc
    text = doc.text
    words: list[str] = []
    spaces: list[bool] = []
    i, n = 0, len(cuts)
    # token offsets as plain ints, read in one call: iterating the Doc would make a Token object per token
    for start, length, space in doc.to_array([IDX, LENGTH, SPACY]).tolist():
        end = start + length
        while i < n and cuts[i] <= start:
            i += 1
        while i < n and cuts[i] < end:
            words.append(text[start:cuts[i]])
            spaces.append(False)
            start = cuts[i]
            i += 1
        words.append(text[start:end])
        spaces.append(bool(space))
    if len(words) == len(doc):
        return doc
    new = Doc(doc.vocab, words=words, spaces=spaces)
    new.user_data.update(doc.user_data)
    return new
