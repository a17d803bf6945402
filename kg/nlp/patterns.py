"""Names of open classes found by their head word (…有限公司, …片区, …班列), extending left over the name's own words."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml
from spacy.tokens import Doc

from kg.nlp.text import is_han, is_latin


@dataclass(frozen=True)
class Candidate:
    start: int
    end: int
    cls: str
    rule: str


@dataclass(frozen=True)
class HeadPatterns:
    heads: tuple[tuple[str, str], ...]     # (head, class), longest head first
    stop_words: frozenset[str]
    max_chars: int
    max_words: int

    @classmethod
    def load(cls, path: Path) -> "HeadPatterns":
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        heads = [(head, klass) for klass, words in data["heads"].items() for head in words]
        heads.sort(key=lambda pair: -len(pair[0]))
        return cls(tuple(heads), frozenset(data["stop_words"]), data["max_chars"], data["max_words"])

    def find(self, doc: Doc) -> Iterator[Candidate]:
        for token in doc:
            for head, klass in self.heads:
                if token.text.endswith(head):
                    start = self._extend_left(doc, token.i, head)
                    if start is not None:
                        yield Candidate(doc[start].idx, token.idx + len(token.text), klass, f"head:{klass}")
                    break

    def _extend_left(self, doc: Doc, i: int, head: str) -> int | None:
        """Index of the first word of the name ending at token ``i``, or None when nothing stands before the head."""
        token = doc[i]
        start, chars, words = i, len(token.text), 1
        while start > 0 and words < self.max_words:
            prev = doc[start - 1]
            if prev.whitespace_ and not is_latin(prev.text[-1]):
                break
            if not _is_name_word(prev.text) or prev.text in self.stop_words:
                break
            if chars + len(prev.text) > self.max_chars:
                break
            start, chars, words = start - 1, chars + len(prev.text), words + 1
        if start == i and len(token.text) == len(head):
            return None
        return start


def _is_name_word(text: str) -> bool:
    return all(is_han(ch) or is_latin(ch) or ch in "()（）" for ch in text) and not text.isdigit()
