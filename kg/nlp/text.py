"""Character-level helpers shared by the matchers: one character in, one character out, so offsets never move."""
from __future__ import annotations

import unicodedata

from kg.names import fold, fold_char  # noqa: F401 (kg.nlp.text's API; names are folded below the stages too)


def is_latin(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


def is_punct(ch: str) -> bool:
    return unicodedata.category(ch).startswith(("P", "S", "Z")) or ch in "\n\r\t"


_LAST_DOC: list = [None, ""]


def text_of(doc) -> str:
    """``doc.text``, remembered for the last Doc asked about: spaCy rebuilds the string on every access, and the
    matchers ask for it inside their loops."""
    if _LAST_DOC[0] is not doc:
        _LAST_DOC[0], _LAST_DOC[1] = doc, doc.text
    return _LAST_DOC[1]
