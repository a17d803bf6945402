"""Anaphors: words that stand for an entity the article named before (该公司, 全省, 我市, a clause-initial 片区).

Each one becomes a Mention of the entity it refers to: the nearest one named before it whose class fits the word,
preferring one whose own name ends with the same head (片区 -> 金义片区); 我市 and 本省 are the writer's own place, the
one of their class the article names most. These mentions feed the relation rules and the
observation subjects only; they are not names of the entity, so they never reach the graph's labels.
The words are data: ``ontology/rules/anaphora.yml``.
"""
from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from kg.errors import DataError
from kg.extract.mentions import most_named
from kg.extract.periods import PERIOD
from kg.records import Article, Mention, Provenance, Sentence
from kg.vocab import ENTITY_CLASSES, coarse

RULE = "coref"
HOME = ("我", "本")   # 我市, 本省: the writer's own place, not the one named last
_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Anaphora:
    heads: dict[str, tuple[frozenset[str], bool]]    # head word -> (classes it may refer to, may it stand bare?)
    prefixes: tuple[str, ...] = ()
    not_before: frozenset[str] = frozenset()

    @classmethod
    def load(cls, path: Path) -> "Anaphora":
        if not Path(path).exists():
            return cls({})
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        heads = {}
        for entry in raw.get("anaphors", ()):
            classes = frozenset(entry.get("classes", ()))
            unknown = classes - set(ENTITY_CLASSES)
            if unknown or not classes:
                raise DataError(f"[E025] Anaphor heads {entry.get('heads')} in {path} name unknown classes "
                                f"{sorted(unknown) or '(none)'}; known: {', '.join(ENTITY_CLASSES)}")
            for head in entry.get("heads", ()):
                heads[head] = (classes, bool(entry.get("bare", False)))
        return cls(heads, tuple(raw.get("prefixes", ())), frozenset(raw.get("not_before", ())))

    def pattern(self) -> re.Pattern:
        heads = "|".join(re.escape(h) for h in sorted(self.heads, key=len, reverse=True))
        prefixes = "|".join(re.escape(p) for p in self.prefixes) or "(?!)"
        return re.compile(f"(?P<prefix>{prefixes})?(?P<head>{heads})")


def resolve_anaphors(article: Article, mentions: list[Mention], sentence_at: Callable[[int], Sentence], *,
                     anaphora: Anaphora) -> Iterator[Mention]:
    """A Mention for each anaphor in the text that no mention covers and that has an antecedent."""
    if not anaphora.heads:
        return
    text = article.text
    ordered = sorted(mentions, key=lambda m: m.start)
    covered = _Covered(ordered)
    ends = {m.end for m in ordered}
    for found in anaphora.pattern().finditer(text):
        start, end = found.span()
        head = found.group("head")
        classes, bare = anaphora.heads[head]
        if covered.overlaps(start, end):
            continue
        if end < len(text) and text[end] in anaphora.not_before:
            continue
        if not found.group("prefix"):
            if not bare or (start > 0 and _CJK.match(text[start - 1]) and not _after_time(text, start)):
                continue                 # a bare head is an anaphor only where it starts a clause (after a time)
        elif start > 0 and _CJK.match(text[start - 1]) and found.group("prefix") in ("全", "我", "本") \
                and text[start - 1] not in "在是为和与及对让使把将从":
            # 金华全市 is still 金华; but 安全区, 自我市 are words of their own: only after a name or a function word
            if start not in ends:
                continue
        if found.group("prefix") in HOME:
            antecedent = most_named(ordered, lambda cls: cls in classes or coarse(cls) in classes)
        else:
            antecedent = _antecedent(ordered, start, head, classes)
        if antecedent is None:
            continue
        prov = Provenance(article.doc_id, sentence_at(start), rule=RULE, confidence=0.7, reported_on=article.date)
        yield Mention(antecedent.entity, start, end, text[start:end], prov)


def _after_time(text: str, at: int) -> bool:
    """Is everything between the clause's start and ``at`` a time phrase (2021年企业…, 目前企业…)?"""
    start = max((text.rfind(mark, max(0, at - 16), at) for mark in _CLAUSE_MARKS), default=-1) + 1
    lead = text[start:at].strip()
    return bool(lead) and (PERIOD.fullmatch(lead) is not None or lead in _TIME_WORDS)


_CLAUSE_MARKS = "，,；;：:。！？!?\n（(“”\""
_TIME_WORDS = ("目前", "如今", "当前", "现在", "近年来", "近年", "此前", "随后", "同时")


class _Covered:
    """Does a span overlap a mention? In log time (a 1.4-million-character article has a hundred thousand mentions):
    the mentions starting before the span's end overlap it if the furthest end among them lies past its start."""

    def __init__(self, ordered: list[Mention]):
        self.starts = [m.start for m in ordered]
        self.furthest = list(itertools.accumulate((m.end for m in ordered), max))

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect.bisect_left(self.starts, end)
        return i > 0 and self.furthest[i - 1] > start


def _antecedent(ordered: list[Mention], at: int, head: str, classes: frozenset[str]) -> Mention | None:
    before = [m for m in ordered if m.end <= at and (m.entity.cls in classes or coarse(m.entity.cls) in classes)]
    if not before:
        return None
    same_head = [m for m in before if m.entity.label.endswith(head) or m.text.endswith(head)]
    return (same_head or before)[-1]
