"""Industries named in enumerations, and policies named inside longer names (data: ``enumerations`` in
``ontology/patterns.yml``).

News lists goods and industries rather than naming them one by one with a head word: 出口服装、鞋帽、箱包等产品,
围绕航运物流、现代金融、先进制造等产业. A list whose members are joined by 、 is one kind of thing, so
- when one member is already an industry (the gazetteer's 汽车, a rule's …制造业), or
- when the list ends in 等 and a word for a kind of goods or industry (等产品, 等农副产品, 等传统产业),
the other members are industries too. The kind after 等 is one itself when words stand before its head (农副产品, not
产品). A member never holds a name of another class (湖南, 海外仓): that member is left as it is.

A policy the gazetteer knows, “quoted” inside a longer name (共建“一带一路”国家), is a mention of that policy too.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from pathlib import Path

from kg.nlp.patterns import load_section
from kg.nlp.text import is_han, is_latin

# characters that end a list's run of text (a member never holds one)
_BREAKS = re.compile(r"[^\u4e00-\u9fffA-Za-z0-9、]")
_NUMERALS = set("0123456789０１２３４５６７８９一二三四五六七八九十百千万亿两几数多")


@dataclass(frozen=True)
class Member:
    start: int
    end: int
    words: tuple[int, ...] = ()     # the start of each word in the member


@dataclass(frozen=True)
class Enumerations:
    kind_tails: tuple[str, ...]     # 产品, 产业: the kind of what a list before 等 holds
    joiners: frozenset[str]         # 和, 及: the word before a list's last member
    openers: frozenset[str]         # 满载, 涵盖: verbs before a list, never part of its first member
    max_chars: int
    max_words: int
    max_kind_chars: int
    not_member_ends: tuple[str, ...]    # 企业, 平台: a member ending so names firms or places, not an industry
    stop_words: frozenset[str]
    generic: frozenset[str]

    @classmethod
    def load(cls, path: Path) -> "Enumerations | None":
        """The ``enumerations`` section of a patterns file (None when it has none), with its stop and generic words."""
        return load_section(path, "enumerations", lambda data, section: cls(
            tuple(sorted(section["kind_tails"], key=len, reverse=True)), frozenset(section["joiners"]),
            frozenset(section["openers"]), section["max_member_chars"], section["max_member_words"],
            section["max_kind_chars"], tuple(section["not_member_ends"]),
            frozenset(data["stop_words"]) | frozenset(data.get("left_context", ())), frozenset(data.get("generic", ()))))

    # --------------------------------------------------------------------------------------------- industries

    def industries(self, text: str, starts: list[int], ends: list[int],
                   found: list[tuple[int, int, str]]) -> list[tuple[int, int]]:
        """(start, end) of each industry read from the lists in ``text``. ``starts``/``ends`` are the token offsets;
        ``found`` holds (start, end, coarse class) of the names already found."""
        out: list[tuple[int, int]] = []
        pos = 0
        for part in _BREAKS.sub("\n", text).split("\n"):
            if "、" in part:
                out += self._list_industries(text, (pos, pos + len(part)), starts, ends, found)
            pos += len(part) + 1
        return sorted(set(out))

    def _list_industries(self, text: str, run: tuple[int, int], starts, ends, found) -> list[tuple[int, int]]:
        chunks = _chunks(text, *run)
        if len(chunks) < 2:
            return []
        out = []
        members: list[Member] = []
        for i, (a, b) in enumerate(chunks):
            if i == 0:
                first = self._first_member(text, a, b, starts, ends, found)
                members = [first] if first else []
            elif i < len(chunks) - 1 and self._whole_member(text, a, b, starts, ends):
                members.append(_member(a, b, starts, ends))
            elif i < len(chunks) - 1 and (pair := self._joined_pair(text, a, b, starts, ends)):
                members += pair                           # 农业机具和茶叶、柑橘: 和 inside the list
            else:                                         # the last member, or a chunk that ends this list
                last, kind = self._last_members(text, a, b, starts, ends, found)
                members += last
                out += self._judge(text, members, kind, found)
                first = self._first_member(text, a, b, starts, ends, found) if i < len(chunks) - 1 else None
                members = [first] if first else []
        return out

    def _judge(self, text: str, members: list[Member], kind: Member | None, found) -> list[tuple[int, int]]:
        """The members of one list that are industries: all of them (but names of other classes), when one of them
        is an industry already or a kind closes the list."""
        if len(members) < 2:
            return []
        industry = [(s, e) for s, e, cls in found if cls == "Industry"]
        known = sum(any(m.start <= s and e <= m.end for s, e in industry) for m in members)
        if kind is None and 2 * known <= len(members):
            return []                     # without a kind, most members must be industries already
        members = [self._like_the_others(members)] + members[1:]
        out = [(m.start, m.end) for m in members if not _overlaps_other(m, found) and self._noun_end(text, m)]
        if kind is not None and kind.end - kind.start > 0:
            out.append((kind.start, kind.end))
        return out

    @staticmethod
    def _like_the_others(members: list[Member]) -> Member:
        """The first member, cut to as many words as the longest of the others: members of one list are alike, and
        the words before are the verb the list is the object of (下单订购|雨伞、围巾、拖鞋)."""
        first = members[0]
        most = max(len(m.words) for m in members[1:])
        if len(first.words) <= most:
            return first
        return Member(first.words[-most], first.end, first.words[-most:])

    def _noun_end(self, text: str, m: Member) -> bool:
        """A member that is a generic word alone (产品), or ends in a word for firms, places or fields (电商平台,
        节能环保企业, 金融领域), names no industry."""
        w = text[m.start:m.end]
        return w not in self.generic and not w.endswith(self.not_member_ends)

    def _first_member(self, text, a, b, starts, ends, found) -> Member | None:
        """The words at the end of the chunk before a list's first 、, back to a stop word, an opener, 的 or a name
        of another class (满载着湖南的|电子产品, 涵盖了|轻工纺织)."""
        words = _words(a, b, starts, ends)
        pos = b
        taken = 0
        for s, e in reversed(words):
            w = text[s:e]
            if (w in self.stop_words or w in self.openers or not _name_word(w) or w[-1] in "的了着地得"
                    or b - s > self.max_chars or taken == self.max_words or _inside_other(s, e, found)):
                break
            pos, taken = s, taken + 1
        return _member(pos, b, starts, ends) if pos < b else None

    def _whole_member(self, text, a, b, starts, ends) -> bool:
        words = _words(a, b, starts, ends)
        return (0 < b - a <= self.max_chars and 0 < len(words) <= self.max_words and words[0][0] == a
                and words[-1][1] == b and all(_name_word(text[s:e]) and text[s:e] not in self.stop_words
                                               and text[s:e] not in self.openers for s, e in words))

    def _joined_pair(self, text, a, b, starts, ends) -> list[Member]:
        """Two members joined by a joiner in the middle of a list (…、农业机具和茶叶、…), or nothing."""
        for s, e in _words(a, b, starts, ends):
            if text[s:e] in self.joiners and self._whole_member(text, a, s, starts, ends) \
                    and self._whole_member(text, e, b, starts, ends):
                return [_member(a, s, starts, ends), _member(e, b, starts, ends)]
        return []

    def _last_members(self, text, a, b, starts, ends, found) -> tuple[list[Member], Member | None]:
        """The members in the chunk after a list's last 、 (服装和鞋帽等, 鞋帽增长), and the kind after 等 (None when no
        kind word follows; an empty Member when the kind is its head alone: 等产品)."""
        words = _words(a, b, starts, ends)
        if not words or words[0][0] != a:
            return [], None
        members: list[Member] = []
        current: list[tuple[int, int]] = []
        for k, (s, e) in enumerate(words):
            w = text[s:e]
            if w in ("等", "等等"):
                if current and self._whole_member(text, current[0][0], current[-1][1], starts, ends):
                    members.append(_member(current[0][0], current[-1][1], starts, ends))
                return members, self._kind(text, words[k + 1:], found)
            if w in self.joiners and current:
                if not self._whole_member(text, current[0][0], current[-1][1], starts, ends):
                    return [], None
                members.append(_member(current[0][0], current[-1][1], starts, ends))
                current = []
                continue
            if w in self.stop_words or w in self.openers or not _name_word(w) or _inside_other(s, e, found):
                break
            current.append((s, e))
        else:
            k = len(words)
        # no 等: one word that a stop word, an opener or the chunk's end follows (鞋帽|增长), or two words closing the
        # chunk; 母婴进口额 has no clear end and is left out
        if len(current) == 1 or (len(current) == 2 and k == len(words)):
            members.append(_member(current[0][0], current[-1][1], starts, ends))
        return members, None

    def _kind(self, text: str, words: list[tuple[int, int]], found) -> Member | None:
        """The kind after 等: a kind tail ending a word within six characters (等农副产品, 等五大产业). The kind is an
        industry itself (returned with its span) when it is one word of the segmenter's (体育用品, 农副产品; 高档|产品
        is a description), two or more characters stand before the tail, the whole is short (``max_kind_chars``) and
        they are not a count or a generic word; else an empty Member marks the bare kind."""
        if not words:
            return None
        start = words[0][0]
        for s, e in words:
            if e - start > 6 + max(map(len, self.kind_tails)):
                return None
            tail = next((t for t in self.kind_tails if text.endswith(t, start, e)), None)
            if tail is None:
                continue
            if any(w in text[start:e] for w in self.not_member_ends):
                return None               # 等许多厂家产品: the list names makers, not goods
            before = text[start:e - len(tail)]
            if (s == start and len(words) >= 1 and (s, e) == words[0]) and (2 <= len(before) <= self.max_kind_chars - len(tail) and all(is_han(c) for c in before) and not _NUMERALS & set(before)
                    and before not in self.generic and before not in self.stop_words and "的" not in before
                    and not _inside_other(start, e, found)):
                return Member(start, e)
            return Member(e, e)
        return None

    # ------------------------------------------------------------------------------------- policies inside names


def quoted_inside(text: str, chosen: list[tuple], is_policy) -> list[tuple[int, int]]:
    """(start, end) of each “quoted” part of a chosen name of another class that ``is_policy`` knows as a policy:
    共建“一带一路”国家 names the region and 一带一路 too."""
    out = []
    for start, end, cls, *_ in chosen:
        if cls == "Policy":
            continue
        for m in re.finditer(r"“([^“”]{2,20})”", text[start:end]):
            if start + m.start() > start or start + m.end() < end:
                if is_policy(m.group(1)):
                    out.append((start + m.start(1), start + m.end(1)))
    return out


def _chunks(text: str, a: int, b: int) -> list[tuple[int, int]]:
    out, pos = [], a
    for part in text[a:b].split("、"):
        out.append((pos, pos + len(part)))
        pos += len(part) + 1
    return [(s, e) for s, e in out if e > s] if all(e > s for s, e in out) else []


def _words(a: int, b: int, starts: list[int], ends: list[int]) -> list[tuple[int, int]]:
    """The tokens inside [a, b) (cut at a and b when a token runs over them)."""
    i = max(bisect.bisect_right(starts, a) - 1, 0)
    out = []
    while i < len(starts) and starts[i] < b:
        s, e = max(starts[i], a), min(ends[i], b)
        if e > s:
            out.append((s, e))
        i += 1
    return out


def _member(a: int, b: int, starts: list[int], ends: list[int]) -> Member:
    return Member(a, b, tuple(s for s, _ in _words(a, b, starts, ends)))


def _name_word(w: str) -> bool:
    return bool(w) and all(is_han(c) or is_latin(c) for c in w) and not any(c.isdigit() for c in w)


def _inside_other(s: int, e: int, found) -> bool:
    return any(fs < e and s < fe and cls != "Industry" for fs, fe, cls in found)


def _overlaps_other(m: Member, found) -> bool:
    return _inside_other(m.start, m.end, found)
