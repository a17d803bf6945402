"""The ``kg_entities`` pipeline component: gazetteer names and rule-found names become ``doc.ents``.

Gazetteer names are matched on characters, so a name is found even where the segmenter glued it to a neighbour; a
match that cuts a word on both sides (资兴 in 投资兴业) is not a name. Rule-found names come from
``kg.nlp.patterns``. Overlaps resolve to the longest span (a nested name such as 义乌 inside 义乌国际商贸城 is not a
mention of its own); on equal length the gazetteer wins. A town that opens a longer name (下涯镇 in 下涯镇工业功能区)
is kept apart in ``doc.spans["kg_inner"]``: the article names it too. Each span's ``kb_id_`` is the canonical key of the thing it
names (``kg.nlp.canonical``): a rule-found name that the gazetteer knows (up to width, case and quotes) takes the
gazetteer's key and class, and a short form the document declares (以下简称“Y”) takes the full name's key.
"""
from __future__ import annotations

import bisect
import re
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span

from kg.nlp.align import split_at
from kg.nlp.canonical import canonical_key, short_forms, surface_key
from kg.nlp.enumerations import Enumerations, quoted_inside
from kg.nlp.gazetteer import Gazetteer
from kg.nlp.patterns import ONE_PLACE, HeadPatterns, Qualifiers, inside_title, token_bounds
from kg.nlp.titles import BareTitles
from kg.nlp.text import fold, is_han, text_of
from kg.vocab import coarse

# Names shorter than this stay out of pkuseg's user dictionary: a short place alias forced into the segmenter glues
# ordinary words (投资兴业 -> 投|资兴|业); pkuseg segments common short names well on its own.
USER_DICT_MIN_CHARS = 3

GAZETTEER, RULE = 0, 1
INNER = "kg_inner"          # doc.spans key of the names kept inside longer ones
# an organisation inside a work's title (《共产党宣言》) is a word of the title, not a mention; a place there often is
# one (《来自武汉的报告》)
TITLE_FREE = frozenset({"Organization"})


@Language.factory("kg_entities", assigns=["doc.ents", "doc.spans"])
def make_entities(nlp: Language, name: str) -> "EntityFinder":
    return EntityFinder(name)


class EntityFinder:
    def __init__(self, name: str):
        self.name = name
        self.gazetteer = Gazetteer([])
        self.patterns: HeadPatterns | None = None
        self.enumerations: Enumerations | None = None
        self.titles: BareTitles | None = None
        self.qualifiers: Qualifiers | None = None
        self._surfaces: dict[str, str] = {}

    def initialize(self, get_examples=None, *, nlp=None, ontology: str | Path):
        """Load the gazetteer and head patterns of the ontology folder ``ontology`` (``load_pipeline`` names it)."""
        folder = Path(ontology)
        self.gazetteer = Gazetteer.load(folder / "gazetteer")
        self.patterns = HeadPatterns.load(folder / "patterns.yml")
        self.enumerations = Enumerations.load(folder / "patterns.yml")
        self.titles = BareTitles.load(folder / "patterns.yml")
        self.qualifiers = Qualifiers.load(folder / "patterns.yml")
        self._surfaces = {}
        for entity in self.gazetteer.entities.values():
            for surface in (entity.label, *entity.aliases):
                self._surfaces.setdefault(surface_key(surface), entity.key)

    @property
    def user_words(self) -> list[str]:
        """The names pkuseg must never split. Two-character aliases are left out: as user words they force bad
        splits of ordinary text (投|资兴|业), and the character matcher finds them anyway."""
        return [n for n in self.gazetteer.names if len(n) >= USER_DICT_MIN_CHARS]

    def __call__(self, doc: Doc) -> Doc:
        folded = fold(text_of(doc))
        starts, ends, _ = token_bounds(doc)
        edges = set(starts) | set(ends)
        # a match that begins inside one word and ends inside another is not a name (资兴 in 投资|兴业)
        matches = [m for m in self.gazetteer.find(folded)
                   if not (coarse(m.entity.cls) in TITLE_FREE and inside_title(folded, m.start, m.end))]
        found = [(m.start, m.end, m.entity.cls, m.entity.key, GAZETTEER)
                 for m in matches if (m.start in edges or m.end in edges)
                 and not self._short_inside_words(m.start, m.end, starts, ends, folded)]
        found += _glued_places(matches, found)
        doc = _split(doc, [edge for start, end, *_ in found for edge in (start, end)], edges)
        if self.patterns:
            places, countries = {}, set()
            for start, end, cls, *_ in found:
                if coarse(cls) == "Place" and (end not in places or places[end] > start):
                    places[end] = start
                if cls == "Country":
                    countries.add((start, end))
            known = {(end, coarse(cls)): start for start, end, cls, *_ in found}
            for c in self.patterns.find(doc, places=places, countries=countries):
                if _widens_known(text_of(doc), c, known):
                    continue
                found.append((c.start, c.end, *self._resolve(text_of(doc)[c.start:c.end], c.cls), RULE))
        found += self._declared_short_forms(text_of(doc), found)
        found = _bodies_of_countries(text_of(doc), found)
        if self.patterns:
            found = _units_of_organizations(text_of(doc), found, self.patterns)
            found = _bodies_of_organizations(doc, found, self.patterns)
            found = _units_of_companies(text_of(doc), found, self.patterns)
        found += self._qualified_names(text_of(doc), found)
        found += self._enumerated_industries(doc, found)
        if self.titles:
            words = set(zip(*token_bounds(doc)[:2]))
            titles = [*self.titles.find(text_of(doc)), *self.titles.find_quoted(text_of(doc), words)]
            found += [(s, e, *self._resolve(text_of(doc)[s:e], "Policy"), RULE) for s, e in titles]
        chosen = _same_company(text_of(doc), _longest_first(found))
        inner = _opening_towns(found, chosen)
        inner += self._quoted_policies(text_of(doc), chosen)
        inner += _qualifier_places(text_of(doc), found, chosen)
        doc = _split(doc, [edge for start, end, *_ in chosen + inner for edge in (start, end)])
        doc.ents = _spans(doc, chosen)
        doc.spans[INNER] = _spans(doc, inner)
        return doc

    def _short_inside_words(self, start: int, end: int, starts: list[int], ends: list[int], text: str) -> bool:
        """A two-character name read inside ordinary words: it opens with a function word and cuts the next word
        (和|政企 holds 和政), or it sits in one word with two or more characters beside it (锦绣江山 holds 江山).
        义乌市 and 赴义乌, one character beside the name, and 起义|乌 may be the segmenter's error, not a word."""
        if end - start != 2:
            return False
        i = bisect.bisect_right(starts, start) - 1          # the token holding the first character
        if i < 0:
            return False
        if ends[i] < end:                                   # the name runs into the next token
            stop = self.patterns.stop_words if self.patterns else frozenset()
            return starts[i] == start and text[start:ends[i]] in stop and ends[i + 1] > end
        return start - starts[i] >= 2 or ends[i] - end >= 2

    def _resolve(self, text: str, cls: str) -> tuple[str, str]:
        """(class, key) of a rule-found name: the gazetteer's when it knows the name, else the name's own."""
        key = self._surfaces.get(surface_key(text))
        if key is not None:
            return self.gazetteer.entities[key].cls, key
        return cls, canonical_key(text, cls)

    def _enumerated_industries(self, doc: Doc, found: list[tuple]) -> list[tuple]:
        """The members of lists of goods and industries (kg.nlp.enumerations), as rule-found industries."""
        if not self.enumerations:
            return []
        text = text_of(doc)
        starts, ends, _ = token_bounds(doc)
        known = [(start, end, coarse(cls)) for start, end, cls, *_ in found]
        return [(s, e, *self._resolve(text[s:e], "Industry"), RULE)
                for s, e in self.enumerations.industries(text, starts, ends, known)
                if not any(k == (s, e, "Industry") for k in known)]

    def _quoted_policies(self, text: str, chosen: list[tuple]) -> list[tuple]:
        """A policy the gazetteer knows, “quoted” inside a longer name (共建“一带一路”国家): a mention of its own."""
        def is_policy(name: str) -> bool:
            key = self._surfaces.get(surface_key(name))
            return key is not None and self.gazetteer.entities[key].cls == "Policy"

        return [(s, e, "Policy", self._surfaces[surface_key(text[s:e])], GAZETTEER)
                for s, e in quoted_inside(text, chosen, is_policy)]

    def _qualified_names(self, text: str, found: list[tuple]) -> list[tuple]:
        """A name of a ``qualified_names`` class with a place or a short qualifier in brackets right after it is a name
        of its own (中欧班列（成都）: the city's service, not the national brand). It is the gazetteer's when the
        gazetteer knows the whole; the bracketed name's when that is a name of the same class (中欧班列(义新欧) is the
        brand 义新欧); else its own, under its written form."""
        q = self.qualifiers
        if q is None or self.patterns is None:
            return []
        places = {(start, end) for start, end, cls, *_ in found if coarse(cls) == "Place"}
        words = self.patterns.generic | self.patterns.stop_words
        heads = tuple(head for head, _ in self.patterns.heads)
        extra = []
        for start, end, cls, _, _ in found:
            stop = q.end_after(text, end, places, words, heads) if cls in q.classes else None
            if stop is None:
                continue
            cls_key = self._resolve(text[start:stop], cls)
            if cls_key[1] == canonical_key(text[start:stop], cls):
                brand = next((f for f in found if (f[0], f[1], f[2]) == (end + 1, stop - 1, cls)), None)
                cls_key = (cls, brand[3]) if brand is not None else cls_key
            extra.append((start, stop, *cls_key, RULE))
        return extra

    def _declared_short_forms(self, text: str, found: list[tuple]) -> list[tuple]:
        """Every occurrence of a declared short form, with the key and class of the name it shortens."""
        extra = []
        for full_end, _, short in short_forms(text):
            owners = [f for f in found if f[1] == full_end]
            if not owners:
                continue
            owner = max(owners, key=lambda f: f[1] - f[0])
            for m in re.finditer(re.escape(short), text):
                extra.append((m.start(), m.end(), owner[2], owner[3], RULE))
        return extra


def _bodies_of_countries(text: str, found: list[tuple]) -> list[tuple]:
    """A ministry written after a country is that country's (泰国外交部 is not China's 外交部): the two make one
    name. A ministry's name followed by 长 is a minister's title (财政部长), not the ministry."""
    countries = {end: start for start, end, cls, *_ in found if cls == "Country"}
    out = []
    for f in found:
        start, end, cls, key, source = f
        if cls == "GovernmentBody" and source == GAZETTEER and text[end:end + 1] == "长" and text[end - 1] in "部局厅署":
            continue
        if cls == "GovernmentBody" and source == GAZETTEER and start in countries and text[end - 1] in "部局署院":
            whole = text[countries[start]:end]
            out.append((countries[start], end, cls, canonical_key(whole, cls), RULE))
        out.append(f)
    return out


def _units_of_organizations(text: str, found: list[tuple], patterns: HeadPatterns) -> list[tuple]:
    """A department written right after its newspaper or station is one name with it (人民日报文艺部, 光明日报体育部):
    two characters and a unit head (``unit_heads``: 部) that is not a title or a word of its own (部长, 部门)."""
    media = tuple(head for head, cls in patterns.heads if cls == "Organization")
    out = list(found)
    for start, end, cls, _, _ in found:
        if cls != "Organization" or not text.endswith(media, start, end):
            continue
        unit = text[end:end + 3]
        if (len(unit) == 3 and unit[2] in patterns.unit_heads and all("\u4e00" <= c <= "\u9fff" for c in unit[:2])
                and unit[:2] not in patterns.stop_words and text[end + 3:end + 4] not in ("长", "门")):
            whole = text[start:end + 3]
            out.append((start, end + 3, cls, canonical_key(whole, cls), RULE))
    return out


# ------------------------------------------------------------- structure of organisation names (issue 17)
def _glued_places(matches: list, found: list[tuple]) -> list[tuple]:
    """A place written right after another place, which the segmenter cut across (金华兰|溪方: 金华 and 兰溪), is a
    place too: it begins where a known place ends, not inside an ordinary word."""
    place_ends = {end for _, end, cls, *_ in found if coarse(cls) == "Place"}
    taken = {(start, end) for start, end, *_ in found}
    return [(m.start, m.end, m.entity.cls, m.entity.key, GAZETTEER) for m in matches
            if coarse(m.entity.cls) == "Place" and m.start in place_ends and (m.start, m.end) not in taken]


SUB_BODY_CHARS = 10           # at most this many characters between an organisation and its body's head
SUB_BODY_JOINS = ("和", "与")  # 联合国贸易和发展会议: a conjunction inside the body's name


def _bodies_of_organizations(doc: Doc, found: list[tuple], patterns: HeadPatterns) -> list[tuple]:
    """A body of an international organisation written right after it is one name with it (联合国贸易和发展会议,
    联合国开发计划署; ``sub_body_heads``): the words between are the body's own, none a stop word or a role
    (联合国秘书长出席会议 is no name), and the head ends a word."""
    if patterns.names is None or not patterns.names.sub_body_heads:
        return found
    text = text_of(doc)
    starts, ends, _ = token_bounds(doc)
    token_ends, token_text = set(ends), dict(zip(starts, (text[a:b] for a, b in zip(starts, ends))))
    out = list(found)
    for start, end, cls, _, source in found:
        if cls != "Organization" or source != GAZETTEER:
            continue
        stop = _sub_body_end(text, end, patterns, token_ends, token_text)
        if stop is not None:
            out.append((start, stop, cls, canonical_key(text[start:stop], cls), RULE))
    return out


def _sub_body_end(text: str, end: int, patterns: HeadPatterns, token_ends: set[int],
                  token_text: dict[int, str]) -> int | None:
    """Where the body named after an organisation ending at ``end`` ends, or None."""
    at = end
    while at < len(text) and at - end <= SUB_BODY_CHARS:
        word = token_text.get(at)
        if word is None or not all(is_han(c) for c in word):
            return None
        head = next((h for h in patterns.names.sub_body_heads if word.endswith(h)), None)
        if head is not None and at + len(word) in token_ends:
            return at + len(word)
        if word in patterns.stop_words and word not in SUB_BODY_JOINS:
            return None
        at += len(word)
    return None


def _units_of_companies(text: str, found: list[tuple], patterns: HeadPatterns) -> list[tuple]:
    """A company's unit written after it and the place it serves is one name with it (中国铁路上海局集团公司金华货运中心:
    ``company_units``), as the company's own unit, not a name of the place."""
    if patterns.names is None or not patterns.names.company_units:
        return found
    places = {start: end for start, end, cls, *_ in found if coarse(cls) == "Place"}
    out = list(found)
    for start, end, cls, _, _ in found:
        if cls != "Company" or end not in places:
            continue
        after = places[end]
        unit = next((u for u in patterns.names.company_units if text.startswith(u, after)), None)
        if unit is not None:
            whole = text[start:after + len(unit)]
            out.append((start, after + len(unit), cls, canonical_key(whole, cls), RULE))
    return out


def _split(doc: Doc, offsets: list[int], edges: set[int] | None = None) -> Doc:
    """``split_at``, which rebuilds the token list, only when an offset falls inside a token."""
    if edges is None:
        starts, ends, _ = token_bounds(doc)
        edges = set(starts) | set(ends)
    return doc if edges.issuperset(offsets) else split_at(doc, offsets)


def _widens_known(text: str, c, known: dict[tuple[int, str], int]) -> bool:
    """A rule-found name that ends in a known name of the same kind adds nothing but words before it: 一季度金义综保区
    and 浙江中欧班列 are the known 金义综保区 and 中欧班列. Only a “quoted” or (bracketed) part before it makes a
    new name (“义新欧”中欧班列)."""
    if c.cls not in ONE_PLACE or not c.rule.startswith("head:"):
        return False
    start = known.get((c.end, coarse(c.cls)))
    if start is None or start <= c.start or c.end - start <= len(c.rule) - len("head:"):
        return False                          # no known name there, or only the head word itself is known
    prefix = text[c.start:start]
    return not (prefix[0] in "“「『(（" and prefix[-1] in "”」』)）")


def _same_company(text: str, chosen: list[tuple]) -> list[tuple]:
    """One company or office written two ways in one article is one entity: a shorter rule-found name that keeps the
    longer one's first two characters (after its place) and suffix, and whose characters all appear in order in it
    (汇鑫元渔业有限公司 in 椒江汇鑫元现代渔业有限公司, 椒江区农水局 in 台州市椒江区农业农村和水利局), takes the longer
    name's key."""
    companies = [c for c in chosen if c[2] in ("Company", "GovernmentBody") and c[4] == RULE]
    names = {c[3]: text[c[0]:c[1]] for c in companies}
    owner_cls = {c[3]: c[2] for c in companies}
    alias_of: dict[str, str] = {}
    for short_key, short in names.items():
        for long_key, long in names.items():
            if len(long) <= len(short) or long_key == short_key:
                continue
            if owner_cls[long_key] == owner_cls[short_key] and _abridges(short, long):
                alias_of[short_key] = long_key
                break
    if not alias_of:
        return chosen
    owner = {c[3]: c for c in companies}
    return [(s, e, owner[alias_of[k]][2], alias_of[k], src) if k in alias_of and src == RULE else (s, e, cls, k, src)
            for s, e, cls, k, src in chosen]


def _abridges(short: str, long: str) -> bool:
    suffix = next((x for x in ("有限公司", "公司", "集团", "局") if short.endswith(x)), None)
    if suffix is None or not long.endswith(suffix):
        return False
    core = short[: -len(suffix)]
    if len(core) < 4 or core[:2] not in long:
        return False
    rest = iter(long[long.index(core[:2]):])
    return all(ch in rest for ch in core)


def _spans(doc: Doc, found: list[tuple]) -> list[Span]:
    spans = (doc.char_span(start, end, label=cls, kb_id=key) for start, end, cls, key, _ in found)
    return [span for span in spans if span is not None]


def _qualifier_places(text: str, found: list[tuple], chosen: list[tuple]) -> list[tuple]:
    """The place in a chosen name's closing brackets (成都 in 中欧班列（成都）): named too, though inside the name."""
    return [f for f in found if coarse(f[2]) == "Place" and f not in chosen
            and text[f[0] - 1:f[0]] in "（(" and text[f[1]:f[1] + 1] in "）)"
            and any(c[0] < f[0] and f[1] + 1 == c[1] for c in chosen)]


def _opening_towns(found: list[tuple], chosen: list[tuple]) -> list[tuple]:
    """Towns a chosen name opens with (下涯镇 in 下涯镇工业功能区): named too, though inside a longer name."""
    return [f for f in found if f[2] == "Town" and f not in chosen
            and any(c[0] == f[0] and c[1] > f[1] for c in chosen)]


def _longest_first(found: list[tuple]) -> list[tuple]:
    """Greedy non-overlapping choice: longer spans first, then the gazetteer, then the earlier one."""
    taken: list[tuple] = []
    used = set()
    for item in sorted(found, key=lambda f: (-(f[1] - f[0]), f[4], f[0])):
        span = range(item[0], item[1])
        if not any(i in used for i in span):
            taken.append(item)
            used.update(span)
    return sorted(taken)


def entity_spans(doc: Doc) -> list[Span]:
    return list(doc.ents)
