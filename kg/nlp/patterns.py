"""Names of open classes found by rule, from ``ontology/patterns.yml``.

- head words (…有限公司, …片区, …班列, …改革): the name is the head plus the words before it, extending left over the
  name's own words (and over “quoted” or (bracketed) parts) and stopping at punctuation, numbers, spaces and stop words;
- policy titles 《…》 whose last words say they are a document (…方案, …措施);
- persons from their context: a byline or role word before (记者 X, 总经理 X), a cue after (X 摄, X 说), or a dateline
  credit (…电 (X Y)); a person is then found wherever the same name recurs in the document;
- Latin-script names followed by 平台 / 品牌.

Every finder is a generator over a Doc yielding ``Candidate`` records; nothing here mutates the Doc.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from functools import cached_property
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import yaml
from spacy.attrs import IDX, LENGTH, SPACY
from spacy.tokens import Doc

from kg.errors import DataError
from kg.nlp.text import fold, is_han, is_latin, text_of

OPENERS = {"”": "“", "’": "‘", "」": "「", "』": "『", ")": "(", "）": "（", "》": "《"}
NAME_INNER = "—–-－～~·+、"   # characters allowed inside a quoted or bracketed part of a name
# classes whose names hold at most one place name (a company's may hold two: 杭州萧山…有限公司)
ONE_PLACE = frozenset({"Facility", "Zone", "Route"})
# A town's name holds no other place: 安吉县天子湖镇 is 天子湖镇 written after its county
NO_PLACE = frozenset({"Town"})
_CLOSERS = {"“": "”", "「": "」", "『": "』"}
# function words that may stand inside a name of these classes, between two name words
# classes named without the place they are in: 宁波第二产业 is 第二产业, 绍兴“展翅工程” is “展翅工程”
STRIP_PLACE = frozenset({"Industry", "Policy"})
INNER_CONJUNCTIONS = {"GovernmentBody": ("和",), "Industry": ("及",)}


T = TypeVar("T")


def read_patterns(path: Path) -> dict:
    """The parsed patterns file ``path``, parsed once per text of the file: the head patterns and the sections of
    lists, titles and qualifiers all come from it when the pipeline starts (in every worker). Read it, never change it."""
    return _parsed(Path(path).read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=4)
def _parsed(text: str) -> dict:
    return yaml.safe_load(text)


def load_section(path: Path, name: str, build: Callable[[dict, dict], T]) -> T | None:
    """``build(data, section)`` from the ``name`` section of a patterns file, or None when the file has none; a missing
    or malformed key is E020, naming the file and the key."""
    data = read_patterns(path)
    section = data.get(name)
    if section is None:
        return None
    try:
        return build(data, section)
    except (KeyError, TypeError, AttributeError) as error:
        key = f"{name}/{error}"
        raise DataError(f"[E020] {path}: missing or malformed key {key}; see the comments in that file") from None


@dataclass(frozen=True)
class Candidate:
    start: int
    end: int
    cls: str
    rule: str


@dataclass(frozen=True)
class Persons:
    surnames: frozenset[str]
    compound_surnames: frozenset[str]
    foreign_chars: frozenset[str]
    before: tuple[str, ...]         # byline and role words a name follows
    after: tuple[str, ...]          # words that follow a name (摄, 说)
    not_names: frozenset[str]


# ------------------------------------------------------------- structure of organisation and facility names
@dataclass(frozen=True)
class OrgNames:
    """What the head-word finder knows of how organisation and facility names are built (``patterns.yml``, the
    section "organisations and facilities that generalise"): the trade words a company's name crosses, the
    characters a body's name ends with, the words a bracketed byline opens with."""
    crossed: frozenset[str] = frozenset()        # company_words: 建设, 投资 inside …建设工程有限公司
    body_end_chars: str = ""                     # 厅委署局部办院处
    byline_words: tuple[str, ...] = ()           # 记者, 通讯员: （记者王明） is no part of a name
    unit_kinds: frozenset[str] = frozenset()     # 创作组, 歌剧团: a kind of group, not a name
    sub_body_heads: tuple[str, ...] = ()         # 会议, 计划署: 联合国贸易和发展会议 is one name
    product_code: re.Pattern | None = None       # “空中客车”Ａ３００: a product, not its maker
    company_units: tuple[str, ...] = ()          # 货运中心, 分公司: a company's unit after the place it serves
    function_chars: str = ""                     # 与, 其, 并, 将: a word of them alone is glued function words

    @classmethod
    def load(cls, data: dict) -> "OrgNames":
        code = data.get("product_code")
        return cls(frozenset(data.get("company_words", ())), str(data.get("body_end_chars", "")),
                   tuple(data.get("byline_words", ())), frozenset(data.get("unit_kinds", ())),
                   tuple(sorted(data.get("sub_body_heads", ()), key=len, reverse=True)),
                   re.compile(code) if code else None,
                   tuple(sorted(data.get("company_units", ()), key=len, reverse=True)),
                   str(data.get("function_chars", "")))

    def not_a_model_name(self, text: str, start: int, end: int, label: str) -> bool:
        """A span the statistical model read as an organisation that is none: a kind of group and nothing more
        (创作组, 歌剧团), a product named with its code (“空中客车”Ａ３００), a word inside a work's title
        (《共产党宣言》: the title names a book)."""
        if label != "ORG":
            return False
        return (text[start:end] in self.unit_kinds or inside_title(text, start, end)
                or (self.product_code is not None and self.product_code.match(text, end) is not None))

    def crosses(self, word: str, klass: str) -> bool:
        """A company's or a body's name goes on over a trade word that elsewhere is a verb ending a name."""
        return klass in _CROSSING_CLASSES and word in self.crossed

    def is_byline(self, part: str) -> bool:
        """（记者王明）, (通讯员 李华): a bracketed part that opens with a byline word credits a person."""
        return part[:1] in "(（" and part[1:].lstrip().startswith(self.byline_words)

    def ends_body(self, word: str) -> bool:
        return bool(word) and word[-1] in self.body_end_chars


_CROSSING_CLASSES = frozenset({"Company", "GovernmentBody"})


def _holds_place(place_ends: dict[int, int], start: int, end: int) -> bool:
    """A known place name lies within [start, end)."""
    return any(start <= s and e <= end for e, s in place_ends.items())


def inside_title(text: str, start: int, end: int) -> bool:
    """The span lies inside 《…》 and does not fill it: a word of a work's title (《红河谷》), not a mention."""
    opened = text.rfind("《", 0, start)
    if opened < 0 or text.rfind("》", opened, start) >= 0:
        return False
    closed = text.find("》", end)
    return closed >= 0 and text.find("《", end, closed) < 0 and (opened + 1, closed) != (start, end)


@dataclass(frozen=True)
class HeadPatterns:
    heads: tuple[tuple[str, str], ...]     # (head, class), longest head first
    stop_words: frozenset[str]
    generic: frozenset[str]                # words that alone before a head do not make a name (外贸公司)
    max_chars: int
    max_words: int
    title_tails: tuple[str, ...] = ()
    latin_heads: tuple[tuple[str, str], ...] = ()
    persons: Persons | None = None
    not_heads: frozenset[str] = frozenset()
    quoted_heads: frozenset[str] = frozenset()         # heads that make a name only with a “quoted” part
    quoted_names_head: frozenset[str] = frozenset()    # heads after which a “quoted” part alone is the name
    keep_place_heads: frozenset[str] = frozenset()     # Policy heads named with their place (…总体方案, …经济带)
    word_heads: frozenset[str] = frozenset()           # heads that name a thing with the word they end (陇海线)
    place_heads: frozenset[str] = frozenset()          # heads that need the place before them (…市政府)
    unit_heads: frozenset[str] = frozenset()           # a department's head after its newspaper (人民日报文艺部)
    names: "OrgNames | None" = None                     # structure of organisation and facility names (below)

    @classmethod
    def load(cls, path: Path) -> "HeadPatterns":
        data = read_patterns(path)
        try:
            heads = [(head, klass) for klass, words in data["heads"].items() for head in words]
            heads += [(head, klass) for klass, words in data.get("more_heads", {}).items() for head in words]
            heads.sort(key=lambda pair: -len(pair[0]))
            stop = set(data["stop_words"]) | set(data.get("left_context", ())) | set(data.get("more_stop_words", ()))
            p = data.get("persons")
            persons = Persons(
                surnames=frozenset(p["surnames"]),
                compound_surnames=frozenset(p.get("compound_surnames", ())),
                foreign_chars=frozenset(p.get("foreign_chars", "")),
                before=tuple(sorted(p["before"], key=len, reverse=True)),
                after=tuple(sorted(p["after"], key=len, reverse=True)),
                not_names=frozenset(p.get("not_names", ())),
            ) if p else None
            latin = [(head, klass) for klass, words in data.get("latin_heads", {}).items() for head in words]
            generic = frozenset(data.get("generic", ())) | frozenset(data.get("more_generic", ()))
            return cls(tuple(heads), frozenset(stop), generic, data["max_chars"],
                       data["max_words"], tuple(data.get("title_tails", ())), tuple(latin), persons,
                       frozenset(data.get("not_heads", ())), frozenset(data.get("quoted_heads", ())),
                       frozenset(data.get("quoted_names_head", ())), frozenset(data.get("keep_place_heads", ())),
                       frozenset(data.get("word_heads", ())), frozenset(data.get("place_heads", ())),
                       frozenset(data.get("unit_heads", ())), OrgNames.load(data))
        except (KeyError, TypeError) as error:
            raise DataError(f"[E020] {path}: missing or malformed key {error}; see the comments in that file") from None

    # ------------------------------------------------------------------------------------------------ all finders

    def find(self, doc: Doc, *, places: dict[int, int] | None = None,
             countries: set[tuple[int, int]] | None = None) -> Iterator[Candidate]:
        """``places`` maps the end offset of each known place name to its start (from the gazetteer); ``countries``
        holds the (start, end) of each known country name."""
        yield from self.find_heads(doc, places=places or {}, countries=countries or set())
        yield from self.find_place_pairs(doc, places or {})
        yield from self.find_titles(doc)
        yield from self.find_latin(doc)
        yield from self.find_persons(doc)

    # -------------------------------------------------------------------------------------------------- head words

    def find_heads(self, doc: Doc, *, places: dict[int, int] | None = None,
                   countries: set[tuple[int, int]] | None = None) -> Iterator[Candidate]:
        text = text_of(doc)
        token_starts, token_ends, _ = token_bounds(doc)
        ends = set(token_ends)
        starts = {start: i for i, start in enumerate(token_starts)}
        token_at = _token_index(doc)
        # towns first: a town found by its head is a place for the names around it (建德市下涯镇工业功能区)
        places = dict(places or {})
        for head, klass in sorted(self.heads, key=lambda pair: pair[1] not in NO_PLACE):
            for m in re.finditer(re.escape(head), text):
                h, e = m.start(), m.end()
                if e not in ends:
                    continue          # the head is the start of a longer word (口岸城市 is not a 口岸)
                if any(text.endswith(word, 0, e) for word in self.not_heads):
                    continue          # an ordinary word that ends like a head (格局, 布局, 物流通道, 回程班列)
                # 保税物流中心（B型）, 中欧班列(义乌—马德里): a head with its type or its ends in brackets is a name alone
                typed = _TYPE_SUFFIX.match(text, e) or (klass == "Route" and _ENDS_SUFFIX.match(text, e))
                start = self._extend_left(doc, h, starts, token_at, places if klass in ONE_PLACE | NO_PLACE else {}, klass,
                                          alone=head in self.word_heads, cut_head=self._cut_head(doc, h, e, token_at),
                                          place_ends=places)
                if start is None and not typed:
                    continue
                if head in self.place_heads and not (h in (places or {}) or text[h - 1:h] in _PLACE_LEVELS):
                    continue          # 陕西省政府, 明斯克市政府: a government is named by its place
                if typed:           # alone: from the start of the word the head ends (中欧|班列 -> 中欧班列)
                    start, e = (doc[token_at[h]].idx if start is None else start), typed.end()
                if klass == "Route":
                    start = self._route_origin(doc, start, starts, token_at)
                end = e
                if text[start:e] in self._head_words:
                    continue          # 自贸|试验区 is the head 自贸试验区 alone: a kind of thing, not a name
                if head in self.quoted_heads and not any(q in text[start:h] for q in "“「『"):
                    # 民生实事工程 describes; 数字经济“一号工程” names: the head ends a quoted part
                    if not (start > 0 and text[start - 1] in _CLOSERS and text[e:e + 1] == _CLOSERS[text[start - 1]]):
                        continue
                    before = self._extend_left(doc, start - 1, starts, token_at, {}, klass)
                    start, end = (start - 1 if before is None else before), e + 1
                if klass in STRIP_PLACE and head not in self.keep_place_heads:
                    span = self._industry_span(text, start, h, end, places or {}, klass)
                    if span is None:
                        continue
                    start, end = span
                elif any(s == start and text[x:e] in self._head_words for s, x in (countries or ())):
                    continue          # 中国自贸试验区: the country's zones in general, not one zone
                if klass in NO_PLACE:
                    places[end] = start
                yield Candidate(start, end, klass, f"head:{head}")

    def _extend_left(self, doc: Doc, h: int, starts: dict[int, int], token_at: list[int],
                     places: dict[int, int], klass: str = "", *, alone: bool = False,
                     cut_head: bool = False, place_ends: dict[int, int] | None = None) -> int | None:
        """Where the name whose head starts at character ``h`` begins, or None when no name stands before it.

        A facility, zone or route name holds one place name: 浙北嘉兴港 and 浙江宁波空港 are 嘉兴港 and 宁波空港 with a place before them; and a
        generic word before the place is not part of the name (铁路金华南站 is 金华南站).
        """
        text = text_of(doc)
        pos = h
        if h not in starts:                       # the head begins inside a token: 金东区|块 -> 金东区块
            t = doc[token_at[h]]
            prefix = text[t.idx:h]
            if not _is_name_word(prefix) or prefix in self.stop_words or text[t.idx:h + 1] in self.not_heads:
                return None
            if h - t.idx < 2 and len(text) > h and self._one_char_head(text, h):
                return None
            pos = t.idx
        # the words taken, right to left; a town's name may be one word alone (天子湖镇), and so may a rail line's
        # (陇海线); other heads need words before the word they end (超级大港, 互换局 are descriptions)
        if alone and pos < h:
            return pos                            # 陇海线: the word is the whole name
        # a town's own word counts; so does the word the segmenter glued to the head's first characters (苏溪物|流园)
        words = [text[pos:h]] if pos < h and (klass in NO_PLACE or cut_head) else []
        has_place = False
        crossed_at = None                          # where the name first went on over a trade word (建设, 服务)
        while pos > 0 and len(words) < self.max_words:
            if pos in places:                      # a known place name ends here
                if has_place or klass in NO_PLACE:
                    break
                has_place = True
                words.append(text_of(doc)[places[pos]:pos])
                pos = places[pos]
                continue
            if has_place and words and text_of(doc)[pos - 1] not in OPENERS:
                t = doc[token_at[pos - 1]]
                if text[t.idx:pos] in self.generic:
                    break
            t = doc[token_at[pos - 1]]
            w = text[t.idx:pos]
            if t.whitespace_ and not is_latin(w[-1]):
                break
            crossed = self.names is not None and self.names.crosses(w, klass)
            stop_before = self._stop_ends_at(text, pos, starts)
            if crossed and (stop_before or w in self.stop_words) and crossed_at is None:
                crossed_at = t.idx                # a trade word that is a stop word elsewhere (建设, 服务)
            if stop_before and not crossed:
                break                             # a stop word the segmenter cut up: 离|不|开
            if self._glued_stop_words(w):
                break                             # 与其|多斯特克口岸: two function words the segmenter glued
            if self._nested_facility(w, words, klass):
                break                             # 温州港|乐清湾港区: the port area is named on its own
            if _COUNTED.match(w) or w.endswith(_TIME_ENDS):
                break                             # 四类, 十大, 两大; 一季度, 上半年
            if w[-1] in OPENERS:                  # a “quoted” or (bracketed) part of the name
                open_at = text.rfind(OPENERS[w[-1]], max(0, pos - 14), pos - 1)
                inner = text[open_at + 1:pos - 1] if open_at >= 0 else ""
                if not inner or not all(is_han(c) or is_latin(c) or c in NAME_INNER for c in inner):
                    break
                if self.names is not None and self.names.is_byline(text[open_at:pos]):
                    break                         # （记者王明）宁波海关: a byline, then the name
                if h - open_at > self.max_chars:
                    break
                words.append(text[open_at:pos])
                pos = open_at
                continue
            if (not _is_name_word(w) or (w in self.stop_words and not crossed)
                    or (len(w) > 1 and w[-1] in "了着过的地得") or _ORDINAL.match(w)):
                if not (self._glued_function_word(doc, t, w) or self._inner_conjunction(doc, t, w, text[pos:h], klass)):
                    break
            if h - t.idx > self.max_chars:
                break
            words.append(w)
            pos = t.idx
        while words and words[-1] in self.stop_words:
            pos += len(words.pop())
        if crossed_at is not None and pos < crossed_at and not _holds_place(place_ends or {}, pos, h):
            return None                           # 因特网服务公司: over a trade word only with a place (西安…建设运营…)
        if not words:
            return None
        if all(w in self.generic or w in self._head_words for w in words):
            return None                           # 外贸公司, 委员会办公室: kinds of things
        if klass == "Event" and text[max(0, pos - 2):pos] in _SCOPES:
            pos -= 2                              # 全国跨境电商综试区现场会: a meeting's name opens with its scope
        return pos

    def _stop_ends_at(self, text: str, pos: int, starts: dict[int, int]) -> bool:
        """A stop word of two or more characters ends at ``pos`` and begins where a token begins."""
        return any(text[pos - n:pos] in self.stop_words and (pos - n) in starts
                   for n in range(2, min(self._longest_stop, pos) + 1))

    @cached_property
    def _longest_stop(self) -> int:
        return max((len(w) for w in self.stop_words), default=1)

    def _inner_conjunction(self, doc: Doc, t, w: str, after: str, klass: str) -> bool:
        """和 inside an office's name (农业农村和水利局), 及 inside an industry's (高技术及装备制造业): a name word on both sides."""
        if w not in INNER_CONJUNCTIONS.get(klass, ()) or len(after) < 2 or t.i == 0:
            return False
        prev = doc[t.i - 1]
        if prev.text.endswith(self._body_ends) or (self.names is not None and self.names.ends_body(prev.text)):
            return False                          # 教育部和国家轻工局: 和 joins two bodies, each a name of its own
        return (not prev.whitespace_ and _is_name_word(prev.text) and prev.text not in self.stop_words
                and len(prev.text) >= 2)

    @cached_property
    def _body_ends(self) -> tuple[str, ...]:
        """The heads a body's name ends with (…局, …委员会, …日报) and the unit heads (…部)."""
        bodies = ("GovernmentBody", "Organization", "Association", "Company")
        return tuple(head for head, cls in self.heads if cls in bodies) + tuple(self.unit_heads)

    def _industry_span(self, text: str, start: int, h: int, e: int,
                       places: dict[int, int], klass: str = "Industry") -> tuple[int, int] | None:
        """An industry is named without the place it is in (宁波第二产业 is 第二产业), and with more than one
        character before the head (兴产业 is a verb and its object); in “新三样”行业 the quoted words name it."""
        ends_of_places = {s: end for end, s in places.items()}
        while start in ends_of_places and ends_of_places[start] < h:
            start = ends_of_places[start]
        inner = text[start:h]
        if klass != "Industry":
            opener = OPENERS.get(inner[-1:], "")
            if opener and opener in inner and text[h:e] in self.quoted_names_head:
                # “前店后仓”模式, 海铁联运“抵港直装”模式: the quoted words name the policy
                quote_start = start + inner.rindex(opener)
                return (quote_start, h) if h - quote_start >= 4 else None
            return (start, e) if inner and inner not in self.generic else None
        if len(inner) < 2 or inner in self.generic:
            return None
        if inner[0] in "“「『" and inner[-1] == _CLOSERS[inner[0]] and text[h:e] in self.quoted_names_head:
            return (start, h) if len(inner) >= 4 else None
        return start, e

    @cached_property
    def _head_words(self) -> frozenset[str]:
        return frozenset(head for head, _ in self.heads)

    def _one_char_head(self, text: str, h: int) -> bool:
        return any(head == text[h] for head, _ in self.heads if len(head) == 1)

    # ------------------------------------------------------------- structure of organisation and facility names

    @staticmethod
    def _cut_head(doc: Doc, h: int, e: int, token_at: list[int]) -> bool:
        """The segmenter cut the head word itself, gluing its first characters to the word before (苏溪物|流园): the
        token holding the head's start begins before it and ends inside it."""
        t = doc[token_at[h]]
        return t.idx < h and t.idx + len(t.text) < e

    def _glued_stop_words(self, w: str) -> bool:
        """A word made of function characters only (与其, 并将, 已在): function words glued into one token."""
        return (self.names is not None and len(w) >= 2 and bool(self.names.function_chars)
                and all(c in self.names.function_chars for c in w))

    def _nested_facility(self, w: str, words: list[str], klass: str) -> bool:
        """A facility named inside a larger one (温州港|乐清湾港区, 宁波舟山港|梅山港区) is named from the word after the
        larger one's head, once a word of its own stands there; 宁波空港|国际货站 (国际 describes) stays one name."""
        if klass != "Facility" or not words or not w.endswith(self._facility_heads):
            return False
        return any(x not in self.generic and x not in self._head_words for x in words)

    @cached_property
    def _facility_heads(self) -> tuple[str, ...]:
        return tuple(head for head, cls in self.heads if cls == "Facility")

    def _route_origin(self, doc: Doc, start: int, starts: dict[int, int], token_at: list[int]) -> int:
        """A route names its origin too: 杭州至布达佩斯航线, 宁波—纽约航线 (the name stopped at 至 or the dash)."""
        text = text_of(doc)
        k = start
        while k > 0 and text[k - 1] in "—–-－":
            k -= 1
        if k == start and text.endswith(("至", "到"), 0, start):
            k = start - 1
        if k == start or k == 0:
            return start
        t = doc[token_at[k - 1]]
        origin = text[t.idx:k]
        if len(origin) >= 2 and _is_name_word(origin) and origin not in self.stop_words:
            return t.idx
        return start

    def _glued_function_word(self, doc: Doc, t, w: str) -> bool:
        """和 inside a run of single characters is part of an unknown name (浙江盈|和 was one word to its owner)."""
        if w != "和" or t.i == 0:
            return False
        prev = doc[t.i - 1]
        return len(prev.text) == 1 and is_han(prev.text) and prev.text not in self.stop_words and not prev.whitespace_

    # ----------------------------------------------------------------------------------------------- place pairs

    def find_place_pairs(self, doc: Doc, places: dict[int, int]) -> Iterator[Candidate]:
        """Two known places joined by a dash name the route between them (苏州—华沙, “青岛－明斯克”), with the quotes
        around them when there are any. A route head after the pair is the head finder's (苏州—华沙班列)."""
        text = text_of(doc)
        starts = {start: end for end, start in places.items()}
        for first_end, first_start in places.items():
            m = _PAIR_JOIN.match(text, first_end)
            if m is None or m.end() not in starts:
                continue
            start, end = first_start, starts[m.end()]
            if start > 0 and text[start - 1] in _CLOSERS and text[end:end + 1] == _CLOSERS[text[start - 1]]:
                start, end = start - 1, end + 1
            elif start > 0 and (is_han(text[start - 1]) or text[start - 1] in _PAIR_DASHES):
                continue          # the pair goes on to the left (a third stop, or a word before it)
            if end < len(text) and text[end] in _PAIR_DASHES:
                continue          # 义乌—西安—阿拉木图: a list of stops, not one pair
            yield Candidate(start, end, "Route", "place-pair")

    # ------------------------------------------------------------------------------------------------ titles 《》

    def find_titles(self, doc: Doc) -> Iterator[Candidate]:
        for m in re.finditer(r"《([^《》\n]{2,40})》", text_of(doc)):
            if m.group(1).endswith(self.title_tails):
                yield Candidate(m.start(), m.end(), "Policy", "title")

    # ------------------------------------------------------------------------------------------ Latin-script names

    def find_latin(self, doc: Doc) -> Iterator[Candidate]:
        text = fold(text_of(doc))                     # one character per character: offsets hold
        for head, klass in self.latin_heads:
            for m in re.finditer(r"([A-Za-z][A-Za-z0-9]*(?:[ .&-][A-Za-z0-9]+)*)\s?" + re.escape(fold(head)), text):
                if m.start() > 0 and is_latin(text[m.start() - 1]):
                    continue
                yield Candidate(m.start(1), m.end(1), klass, f"latin:{head}")

    # ----------------------------------------------------------------------------------------------------- persons

    def find_persons(self, doc: Doc) -> Iterator[Candidate]:
        if not self.persons:
            return
        text = text_of(doc)
        found: dict[str, str] = {}
        for name, rule in self._person_names(doc):
            found.setdefault(name, rule)
        for name, rule in found.items():
            for m in re.finditer(re.escape(name), text):
                # a two-character name inside running text is too likely part of a word, unless a cue stands before
                if len(name) == 2 and m.start() and is_han(text[m.start() - 1]) and not self._ends_cue(text, m.start()):
                    continue
                yield Candidate(m.start(), m.end(), "Person", rule)

    def _ends_cue(self, text: str, i: int) -> bool:
        return text.endswith(self.persons.before, 0, i)

    def _person_names(self, doc: Doc) -> Iterator[tuple[str, str]]:
        p = self.persons
        text = text_of(doc)
        for i, (start, end, _) in enumerate(zip(*token_bounds(doc))):
            w = text[start:end]
            # a role or byline word, then one or more names separated by spaces or 、; the word may be cut up by the
            # segmenter (市|领导 季|金甫), so it is read in the text ending at this token
            cue = next((c for c in p.before if text.endswith(c, 0, end)), None) if text.endswith(p.before, 0, end) else None
            if cue is not None:
                j = i + 1
                while j < len(doc):
                    name = doc[j].text
                    if name in ("：", ":", "、") or not name.strip():
                        j += 1
                        continue
                    if not self.looks_like_name(name, strong=True) or len(name) == 2:
                        name = self._cut_name(doc, j)
                        if name is None:
                            break
                    yield name, f"person:{cue}"
                    if not (doc[j].whitespace_ or (j + 1 < len(doc) and doc[j + 1].text in ("、", " ", "\u3000"))):
                        break
                    j += 1
            # a name, then a cue after it (摄, 说, 表示); a surname the segmenter cut from its given name (张|德国 说)
            if self.looks_like_name(w, strong=False) and i + 1 < len(doc):
                if self._cue_after(doc, i + 1):
                    yield w, "person:after"
            elif (w in p.surnames and i + 2 < len(doc) and not doc[i].whitespace_ and 1 <= len(doc[i + 1]) <= 2
                  and self.looks_like_name(w + doc[i + 1].text, strong=False) and self._cue_after(doc, i + 2)):
                yield w + doc[i + 1].text, "person:after"
        # dateline credits: …电 (A B) / …讯 (记者 A)
        for m in re.finditer(r"[电讯]\s?[(（]([^()（）\n]{2,30})[)）]", text):
            for name in re.split(r"[\s、，,]+", m.group(1)):
                name = name.removeprefix("记者").removeprefix("通讯员")
                if self.looks_like_name(name, strong=True):
                    yield name, "person:dateline"

    def _cue_after(self, doc: Doc, j: int) -> bool:
        return doc[j].text.startswith(tuple(self.persons.after))

    def _cut_name(self, doc: Doc, j: int) -> str | None:
        """A name the segmenter cut up or glued after a role word (周|海华, 李一|飞, 王|强称) -> the surname and two
        characters, or one when a word that follows names (说, 称, 在) comes next."""
        text = text_of(doc)
        start = doc[j].idx
        ends = {t.idx + len(t.text) for t in doc[j:j + 3]}
        follows = text.startswith(self._after_name, start + 2)
        if start + 3 in ends and not follows and is_han(text[start + 2:start + 3]):
            name = text[start:start + 3]
            if self.looks_like_name(name, strong=False):
                return name
        name = text[start:start + 2]
        if (start + 2 in ends or follows) and self.looks_like_name(name, strong=False):
            return name
        return None

    @functools.cached_property
    def _after_name(self) -> tuple[str, ...]:
        """Words that follow a name: the cues after names and the stop words."""
        return tuple(self.persons.after) + tuple(self.stop_words)

    def looks_like_name(self, w: str, *, strong: bool) -> bool:
        """A Chinese name (surname + one or two characters), a dotted transliterated one (玛丽亚·冈萨雷斯) or, after a
        strong cue, an undotted transliterated one."""
        p = self.persons
        if _DOTTED_NAME.fullmatch(w):
            # a transliterated name whose parts a middle dot joins (玛丽亚·冈萨雷斯), not a street (圣雄·甘地路)
            return w[-1] not in _NOT_NAME_ENDS
        if not 2 <= len(w) <= 4 or not all(is_han(c) for c in w) or w in p.not_names or w in self.stop_words:
            return False
        if w[:2] in p.compound_surnames and len(w) in (3, 4):
            return True
        if w[0] in p.surnames and len(w) <= 3:
            return True
        return strong and len(w) >= 3 and all(c in p.foreign_chars for c in w)


_SCOPES = ("全国", "全省")
_SEPARATORS = "丨"
_DOTTED_NAME = re.compile(r"[\u4e00-\u9fff]{1,6}(?:[·•・‧][\u4e00-\u9fff]{1,6})+")
_NOT_NAME_ENDS = "路街道桥港站城镇村省市县区州"   # 圣雄·甘地路 is a street
_PLACE_LEVELS = "省市县区州旗镇乡"
_PAIR_DASHES = "—–－-～~"
_PAIR_JOIN = re.compile(r"[—–－\-～~]{1,2}")
_TYPE_SUFFIX = re.compile(r"[（(][A-Z]型[）)]")
_ENDS_SUFFIX = re.compile(r"[（(][\u4e00-\u9fff]{2,8}\s*[—–\-－~至]+\s*[\u4e00-\u9fff]{2,8}[）)]")
_ORDINAL = re.compile(r"^第[一二三四五六七八九十百千零〇两0-9]+")
# a count of kinds or items (四类, 十大, 两大, 百亿): never part of a name
_COUNTED = re.compile(r"^[一二三四五六七八九十百千万亿两几数]+[类大项个种批条家亿万]?$")
# a period of time (一季度, 上半年, 前三季度)
_TIME_ENDS = ("季度", "半年", "年度", "月份", "年来")


def _is_name_word(text: str) -> bool:
    """Han or Latin letters; digits only inside a Latin code (X8020), never a year or a count (2021年, 60余项). 丨, a
    Han character by its code point, is a headline's separator (专题丨正文), never part of a name."""
    if not all((is_han(ch) and ch not in _SEPARATORS) or is_latin(ch) for ch in text):
        return False
    return not any(ch.isdigit() for ch in text) or any(ch.isascii() and ch.isalpha() for ch in text)


def token_bounds(doc: Doc) -> tuple[list[int], list[int], list[int]]:
    """Each token's start and end offset and whether a space follows it (1 or 0), read in one call: iterating a Doc
    makes a Token object per token, which the matchers' loops paid for on every pass."""
    starts, lengths, spaces = doc.to_array([IDX, LENGTH, SPACY]).T.tolist() if len(doc) else ([], [], [])
    return starts, [s + n for s, n in zip(starts, lengths)], spaces


# ------------------------------------------------------------- names with a bracketed qualifier (issues 17/18)
_QUALIFIER_BRACKETS = {"（": "）", "(": ")"}


@dataclass(frozen=True)
class Qualifiers:
    """A name followed right away by a place or a short qualifier in brackets is one name with it (中欧班列（成都）, the
    city's own service; ``patterns.yml``, section ``qualified_names``). Bylines, declared short forms, notes and times
    in brackets are no qualifiers."""
    classes: frozenset[str]
    max_chars: int                      # a qualifier that is no known place: at most this many Han characters
    max_place_chars: int
    not_openers: tuple[str, ...]        # 以下简称, 含, 记者: the bracket is a note or a byline
    not_ends: tuple[str, ...]           # 年, 季度, 假期: the bracket holds a time or a count

    @classmethod
    def load(cls, path: Path) -> "Qualifiers | None":
        return load_section(path, "qualified_names", lambda data, section: cls(
            frozenset(section["classes"]), int(section["max_chars"]), int(section["max_place_chars"]),
            tuple(section.get("not_openers", ())) + tuple(data.get("byline_words", ())),
            tuple(section.get("not_ends", ()))))

    def end_after(self, text: str, end: int, places: set[tuple[int, int]], words: frozenset[str],
                  heads: tuple[str, ...]) -> int | None:
        """Where the qualifier in brackets right after a name ending at ``end`` closes (past the bracket), or None.
        ``places`` holds the (start, end) of the known places; ``words`` are ordinary words (generic and stop words:
        中欧班列（进口） describes) and ``heads`` the head words (a bracket ending in one holds a second name)."""
        close = _QUALIFIER_BRACKETS.get(text[end:end + 1])
        if close is None:
            return None
        stop = text.find(close, end + 1, end + 2 + self.max_place_chars)
        if stop < 0:
            return None
        inner = text[end + 1:stop]
        if (end + 1, stop) in places:
            return stop + 1
        if not (2 <= len(inner) <= self.max_chars and all(is_han(c) for c in inner)):
            return None
        if inner.startswith(self.not_openers) or inner.endswith(self.not_ends + heads) or inner in words:
            return None
        return stop + 1


def _token_index(doc: Doc) -> list[int]:
    """For each character offset, the index of the token holding it (a token holds the space after it)."""
    index = [0] * (len(text_of(doc)) + 1)
    for i, (start, end, space) in enumerate(zip(*token_bounds(doc))):
        index[start:end + space] = [i] * (end + space - start)
    index[len(text_of(doc))] = len(doc) - 1 if len(doc) else 0
    return index
