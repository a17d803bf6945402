"""Make a Doc's token boundaries agree with character spans found on the raw text.

Matchers work on characters (a segmenter may glue a name to its neighbour: 邓小平 in 邓小平理论), so a span found there
can end inside a token. ``split_at`` returns a new Doc whose tokens are cut at every span edge; nothing else changes.
"""
from __future__ import annotations

from collections.abc import Iterable

from spacy.tokens import Doc


def split_at(doc: Doc, offsets: Iterable[int]) -> Doc:
    cuts = sorted(set(offsets))
    if not cuts:
        return doc
    words: list[str] = []
    spaces: list[bool] = []
    i = 0
    for token in doc:
        start, end = token.idx, token.idx + len(token.text)
        while i < len(cuts) and cuts[i] <= start:
            i += 1
        pieces, piece_start = [], start
        j = i
        while j < len(cuts) and cuts[j] < end:
            pieces.append(token.text[piece_start - start:cuts[j] - start])
            piece_start = cuts[j]
            j += 1
        pieces.append(token.text[piece_start - start:])
        words.extend(pieces)
        spaces.extend([False] * (len(pieces) - 1) + [bool(token.whitespace_)])
    if len(words) == len(doc):
        return doc
    new = Doc(doc.vocab, words=words, spaces=spaces)
    new.user_data.update(doc.user_data)
    return new
