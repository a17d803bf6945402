"""Find the sentence of an article that holds a character offset."""
from __future__ import annotations

from bisect import bisect_right

from kg.records import Article, Sentence


class SentenceIndex:
    def __init__(self, article: Article):
        self.sentences = article.sentences or (Sentence(0, len(article.text), article.text),)
        self._starts = [s.start for s in self.sentences]

    def at(self, offset: int) -> Sentence:
        i = max(bisect_right(self._starts, offset) - 1, 0)
        return self.sentences[i]
