"""Policy documents named by their title without 《》 (data: ``bare_titles`` in ``ontology/patterns.yml``).

A document's title reads 关于 + what it does + 的 + what kind of document it is: 关于加快发展跨境电商的实施意见,
国务院关于进一步做好稳外贸工作的通知. News often writes it without 《》. 关于 alone opens many phrases that are no
title (关于合同的规定, 关于这个问题的意见), so the part after 关于 must open with a verb of policy-making (加快,
进一步, 推进) and end in a document word (通知, 实施意见); it holds no punctuation. A title already in 《》 is the
title finder's (kg.nlp.patterns).

A “quoted” name that ends in a policy head is a policy, the quoted part alone: “外贸新业态优秀实践案例”,
“丝路领航行动计划”. The quotes fix both ends, where the head finder stops at the first stop word (新).
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from kg.nlp.patterns import load_section


@dataclass(frozen=True)
class BareTitles:
    verbs: tuple[str, ...]          # what a title's 关于 clause opens with (加快, 进一步)
    kinds: tuple[str, ...]          # the document word a title ends in (通知, 实施意见)
    max_chars: int
    heads: tuple[str, ...] = ()     # the Policy heads of ``heads`` in the same file
    not_in_quoted: tuple[str, ...] = ()     # words that make a quoted part a sentence, not a name (的, 不)

    @classmethod
    def load(cls, path: Path) -> "BareTitles | None":
        """The ``bare_titles`` section of a patterns file, or None when it has none."""
        return load_section(path, "bare_titles", lambda data, section: cls(
            tuple(section["verbs"]), tuple(sorted(section["kinds"], key=len, reverse=True)), section["max_chars"],
            tuple(h for h in data["heads"].get("Policy", ()) if len(h) >= 2), tuple(section.get("not_in_quoted", ()))))

    @cached_property
    def _pattern(self) -> re.Pattern:
        verbs = "|".join(map(re.escape, self.verbs))
        kinds = "|".join(map(re.escape, self.kinds))
        return re.compile(rf"关于(?:{verbs})[^，。；：、,;:!?！？“”《》〈〉\s]{{1,{self.max_chars}}}?的(?:{kinds})")

    def find(self, text: str) -> Iterator[tuple[int, int]]:
        """(start, end) of each bare title in ``text``, from 关于 to its document word."""
        for m in self._pattern.finditer(text):
            if m.start() > 0 and text[m.start() - 1] in "《〈":
                continue
            yield m.start(), m.end()

    def find_quoted(self, text: str, words: set[tuple[int, int]] = frozenset()) -> Iterator[tuple[int, int]]:
        """(start, end) of each “quoted” name, quotes included as the head finder keeps them, that ends in a policy head
        and holds two characters or more before it (“外贸新业态优秀实践案例”; “行动计划” alone is the head, not a name).
        A quoted sentence or phrase (“…不能被用来进行…”, “法律和制度”) holds a function word, one of the segmenter's
        ``words`` (start, end) on its own: no name."""
        for m in re.finditer(r"“([\u4e00-\u9fffA-Za-z0-9+—·]{3,16})”", text):
            inner = m.group(1)
            head = next((h for h in self.heads if inner.endswith(h)), None)
            if head is None or len(inner) - len(head) < 2:
                continue
            if any(m.start(1) <= s and e <= m.end(1) and text[s:e] in self.not_in_quoted for s, e in words):
                continue
            yield m.start(), m.end()
