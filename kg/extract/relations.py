"""Relation rules are data (``ontology/rules/*.yml``); this small engine applies them to one article's mentions.

Rule kinds:

- ``pattern`` (default): a template over one sentence in which every mention stands as a single slot.
  ``{s}`` and ``{o}`` are the subject and object mentions, ``{cue}`` any of the rule's ``cues`` (``{name}`` any list of
  its ``words``), ``~`` a short gap (at most ``gap`` characters, no mention, no punctuation), ``…`` a longer one (at most
  ``span`` characters within the clause, no mention), ``*`` the same but mentions allowed, anything else stands for
  itself; a leading ``^`` anchors the template at the start of a clause (a few words such as 今年 may come first), for
  the topic a clause goes on about; ``across: true`` lets gaps cross commas; ``closest: true`` keeps the object only
  when no other mention of the object's classes stands between it and the subject; ``topic: true`` gives a template
  without ``{s}`` the article's topic as subject (the entity of a subject class it names most), and only where nothing
  of the subject's classes stands before the object in the sentence. ``where`` is a shorthand for
  the common templates: ``before`` (cue right before the object), ``after`` (right after it), ``between`` (subject,
  cue, object in one clause), ``between-reversed`` (object, cue, subject) and ``adjacent`` (object written right before
  the subject: 浙江义乌). A template without ``{s}`` takes the nearest mention of a subject class in the sentence (the
  one before the object if there is one). Mentions listed with the bound one (A、B和C) get the same relation, unless
  the rule says ``lists: false`` (apposition holds inside one item of a list: 日本东京、韩国首尔). ``plain`` lists
  classes whose mentions the rule reads as the words they are (goods found as Industry: 义乌的小商品销往…).
- ``name``: the subject's own name holds the object. ``part: prefix`` (义乌国际商贸城 -> 义乌) or ``part: endpoints``
  (义乌—宁波海铁联运 -> 义乌 and 宁波; ``property`` for the first end, ``property_end`` for the last) or ``part:
  qualifier`` (the name's closing brackets: 中欧班列（郑州） -> 郑州). ``named: true``
  takes only objects the article also names on their own (满洲里口岸 alone does not make 满洲里 a topic).
- ``hierarchy``: the gazetteer names the object as the subject's parent and the article mentions both; no sentence
  states it, so the Extractor has it cite the gazetteer row instead (``kg.extract.sources``).

Any kind: ``inverse: true`` makes the relation run from the object slot to the subject slot (a topic rule whose
implicit side is the relation's object: 推进X改革 with no place named -> X appliesTo the article's place).
- ``byline``: the article's authors work for its publisher, when the text names both.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import NamedTuple

import yaml

from kg.errors import DataError
from kg.extract.mentions import most_named
from kg.records import Article, Entity, Mention, Provenance, Relation
from kg.vocab import CORE_PROPERTIES, ENTITY_CLASSES, coarse

KINDS = ("pattern", "name", "hierarchy", "byline")
WHERE = {
    "before": "{cue}~{o}",
    "after": "{o}~{cue}",
    "between": "{s}…{cue}…{o}",
    "between-reversed": "{o}…{cue}…{s}",
    "adjacent": "{o}{s}",
}
CLAUSE_MARKS = "，,；;。！？!?：:（）()\n"
AND = ("、", "和", "与", "及", "以及", "或")
_QUOTES = "“”\"「」『』《》"
_LISTED = re.compile(f"[{_QUOTES}]*(?:{'|'.join(AND)})?[{_QUOTES}]*")   # between two listed names: “两重”“两新”和…
_SLOT0 = 0xE000                       # mentions become private-use characters in the masked sentence
_SLOTS = f"\\u{_SLOT0:04x}-\\uf8ff"
_SLOT_END = 0xF8FF
# A rule's templates are compiled once. A mention stands in the masked sentence as one character that says what it
# is to the rule at hand: these flags, added to _SLOT0; the object being tried is _OBJECT itself.
_PLACE, _OBJ, _SUBJ, _BOUND = 1, 2, 4, 8       # a place; of an object class; of a subject class; the bound subject
_OBJECT = chr(_SLOT0 + 16)


def _is_slot(c: str) -> bool:
    return _SLOT0 <= ord(c) <= _SLOT_END


def _flagged(flag: int) -> str:
    """A character class for the mentions that carry ``flag``."""
    return "[" + "".join(chr(_SLOT0 + f) for f in range(16) if f & flag) + "]"


_TOKEN = re.compile(r"\{(\w+)\}|…|~|\*")

Lookup = Callable[[str], "Entity | None"]


@dataclass(frozen=True)
class Rule:
    id: str
    property: str
    subject: frozenset[str]
    object: frozenset[str]
    kind: str = "pattern"
    patterns: tuple[str, ...] = ()
    words: tuple[tuple[str, tuple[str, ...]], ...] = ()   # {name: cue words}; "cue" is the rule's ``cues``
    gap: int = 2
    span: int = 16
    role: bool = False                # the matched cue is the subject's role (总经理 ...)
    across: bool = False              # gaps may cross commas (never a sentence end)
    closest: bool = False             # no other mention of an object class between object and subject
    part: str = "prefix"
    property_end: str | None = None
    through: bool = False             # a subject named after a place stands for that place (浙江+义乌国际商贸城)
    inverse: bool = False             # the relation runs from the object slot to the subject slot (X管委会 runs X)
    named: bool = False               # name rules: the object must be named on its own somewhere in the article
    topic: bool = False               # a sentence without a subject takes the article's topic (the one named most)
    lists: bool = True                # a relation stated for a list holds for each member (not for apposition)
    plain: frozenset[str] = frozenset()   # classes whose mentions the rule reads as plain words (小商品 as goods)
    confidence: float = 0.8
    compiled: tuple[Template, ...] = field(default=(), compare=False, repr=False)

    def __post_init__(self):
        # each template once (see _regex)
        object.__setattr__(self, "compiled", tuple(_regex(self, t) for t in self.patterns))

    def subject_ok(self, cls: str) -> bool:
        return cls in self.subject or coarse(cls) in self.subject

    def object_ok(self, cls: str) -> bool:
        return cls in self.object or coarse(cls) in self.object


def load_rules(folder: Path, *, every: bool = False) -> list[Rule]:
    """The rules of ``folder``; those marked ``enabled: false`` (measured below 0.7 precision) only with ``every``."""
    rules = []
    for path in sorted(Path(folder).glob("*.yml")):
        for raw in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("rules", []):
            rules.append((parse_rule(raw, path), not raw.get("enabled", True)))
    seen = set()
    for rule, _ in rules:
        if rule.id in seen:
            raise DataError(f"[E015] Rule id {rule.id!r} is used twice in {folder}; give each rule its own id")
        seen.add(rule.id)
    return [rule for rule, off in rules if every or not off]


def parse_rule(raw: dict, path: Path | str = "<rule>") -> Rule:
    rid = raw.get("id", "?")
    for key in ("property", "property_end"):
        if key in raw and raw[key] not in CORE_PROPERTIES:
            raise DataError(f"[E012] Unknown relation {raw[key]!r} in rule {rid} of {path}; "
                            f"known: {', '.join(CORE_PROPERTIES)}")
    if "property" not in raw:
        raise DataError(f"[E012] Rule {rid} in {path} has no property; known: {', '.join(CORE_PROPERTIES)}")
    kind = raw.get("kind", "pattern")
    if kind == "name" and raw.get("part", "prefix") not in _PARTS:
        raise DataError(f"[E028] Unknown name part {raw.get('part')!r} in rule {rid} of {path}; "
                        f"known: {', '.join(_PARTS)}")
    if kind not in KINDS:
        raise DataError(f"[E013] Unknown rule kind {kind!r} in rule {rid} of {path}; known: {', '.join(KINDS)}")
    for side in ("subject", "object", "plain"):
        unknown = set(raw.get(side, [])) - set(ENTITY_CLASSES)
        if unknown:
            raise DataError(f"[E014] Unknown class {sorted(unknown)} as {side} of rule {rid} in {path}; "
                            f"known: {', '.join(ENTITY_CLASSES)}")
    words = {"cue": tuple(raw.get("cues", ())), **{k: tuple(v) for k, v in (raw.get("words") or {}).items()}}
    patterns = tuple(raw.get("patterns", ()))
    if raw.get("where"):
        wheres = raw["where"] if isinstance(raw["where"], list) else [raw["where"]]
        for where in wheres:
            if where not in WHERE:
                raise DataError(f"[E016] Unknown place {where!r} for the cues of rule {rid} in {path}; "
                                f"known: {', '.join(WHERE)}")
            patterns += (WHERE[where],)
    if kind == "pattern" and not patterns:
        raise DataError(f"[E017] Rule {rid} in {path} says neither `where` nor `patterns`")
    for pattern in patterns:
        if "{o}" not in pattern:
            raise DataError(f"[E018] Pattern {pattern!r} of rule {rid} in {path} has no {{o}} slot")
        for name in re.findall(r"\{(\w+)\}", pattern):
            if name not in ("s", "o") and not words.get(name):
                raise DataError(f"[E019] Pattern {pattern!r} of rule {rid} in {path} uses {{{name}}}, "
                                f"which the rule does not list (give it `cues` or `words: {{{name}: [...]}}`)")
    return Rule(
        id=rid, property=raw["property"], kind=kind,
        subject=frozenset(raw.get("subject", ())), object=frozenset(raw.get("object", ())),
        patterns=patterns, words=tuple(words.items()),
        gap=raw.get("gap", 2), span=raw.get("span", 16), role=bool(raw.get("role", False)),
        across=bool(raw.get("across", False)), closest=bool(raw.get("closest", False)),
        part=raw.get("part", "prefix"), property_end=raw.get("property_end"), inverse=bool(raw.get("inverse", False)),
        through=bool(raw.get("through", False)), named=bool(raw.get("named", False)),
        topic=bool(raw.get("topic", False)), lists=bool(raw.get("lists", True)),
        plain=frozenset(raw.get("plain", ())),
        confidence=raw.get("confidence", 0.8),
    )


def extract_relations(
    mentions: list[Mention], *, article: Article, rules: list[Rule], lookup: Lookup | None = None
) -> Iterator[Relation]:
    """Every relation the rules find in one article. ``lookup`` resolves a name to a known entity (the gazetteer)."""
    by_sentence: dict[int, list[Mention]] = {}
    for m in sorted(mentions, key=lambda m: (m.start, -m.end)):
        by_sentence.setdefault(m.provenance.sentence.start, []).append(m)
    resolve = _resolver(mentions, lookup)
    in_text = _resolver(mentions, None)
    masks = [(group, *_mask(group)) for group in by_sentence.values()]
    for rule in rules:
        if rule.kind == "pattern":
            topic = most_named(mentions, rule.subject_ok) if rule.topic else None
            for group, masked, at in (_plain_masks(rule, by_sentence) if rule.plain else masks):
                yield from _pattern(rule, group, masked, at, in_text, topic)
        elif rule.kind == "name":
            yield from _name(rule, mentions, resolve)
        elif rule.kind == "hierarchy":
            yield from _hierarchy(rule, mentions)
        else:
            yield from _byline(rule, mentions, article)


# --- pattern rules --------------------------------------------------------------------------------------------------

def _mask(group: list[Mention]) -> tuple[str, list[int | None]]:
    """The sentence with mention ``n`` as the character ``_SLOT0 + n``; and where each mention stands in it (None for a
    mention inside an earlier one)."""
    sentence = group[0].provenance.sentence
    out, at, i = [], [], sentence.start
    for n, m in enumerate(group):
        if m.start < i:
            at.append(None)
            continue
        out.append(sentence.text[i - sentence.start:m.start - sentence.start])
        at.append(sum(map(len, out)))
        out.append(chr(_SLOT0 + n))
        i = m.end
    out.append(sentence.text[i - sentence.start:])
    return "".join(out), at


def _plain_masks(rule: Rule, by_sentence: dict[int, list[Mention]]) -> list[tuple]:
    """The sentences masked without the mentions of the rule's ``plain`` classes: a goods word the entity finder
    took as an Industry (小商品, 电子产品) stays a word the rule's cues can match."""
    groups = ([m for m in group if m.entity.cls not in rule.plain] for group in by_sentence.values())
    return [(group, *_mask(group)) for group in groups if group]


class Template(NamedTuple):
    regex: re.Pattern        # over the masked sentence coded for the rule (``_coded``); the object tried is _OBJECT
    bound: bool              # the subject is bound to one mention at a time (``closest`` rules with an ``{s}``)
    needs: tuple[tuple[str, ...], ...]   # words the masked sentence must hold, one of each tuple, for a match


def _regex(rule: Rule, template: str) -> Template:
    """The template as a regex over the masked sentence coded for the rule, and what a sentence needs to match it.

    The object may be the last of a run of places written together (西班牙马德里, 浙江省绍兴市柯桥区): the places before
    it are its modifiers, and a mention of the object's classes written right after it makes it a modifier instead.
    """
    words = dict(rule.words)
    stop = re.escape(CLAUSE_MARKS.replace("，", "").replace(",", "") if rule.across else CLAUSE_MARKS)
    bound = rule.closest and "{s}" in template
    parts, needs, last = [], [], 0
    if template.startswith("^"):
        clause = re.escape(CLAUSE_MARKS)
        parts.append(f"(?:^|(?<=[{clause}]))[^{_SLOTS}{clause}]{{0,4}}?")
        template, last = template[1:], 0
    for tok in _TOKEN.finditer(template):
        parts.append(re.escape(template[last:tok.start()]))
        needs.append((template[last:tok.start()],))
        name = tok.group(1)
        if name == "o":
            then = template[tok.end():tok.end() + 3]
            parts.append(f"{_flagged(_PLACE)}*(?P<o>{_OBJECT})" + ("" if then == "{s}" else f"(?!{_flagged(_OBJ)})"))
        elif name == "s":
            parts.append(f"(?P<s>{_flagged(_BOUND if bound else _SUBJ)})")
        elif name:
            cues = sorted(words[name], key=len, reverse=True)
            parts.append(f"(?P<{name}>" + "|".join(re.escape(c) for c in cues) + ")")
            needs.append(tuple(cues))
        elif tok.group(0) == "~":
            parts.append(f"[^{_SLOTS}{stop}]{{0,{rule.gap}}}?")
        elif tok.group(0) == "…":
            parts.append(f"[^{_SLOTS}{stop}]{{0,{rule.span}}}?")
        else:
            parts.append(f"[^{stop}]{{0,{rule.span}}}?")
        last = tok.end()
    parts.append(re.escape(template[last:]))
    needs.append((template[last:],))
    return Template(re.compile("".join(parts)), bound, tuple(n for n in needs if n != ("",)))


def _coded(rule: Rule, group: list[Mention], masked: str, at: list[int | None]) -> list[str]:
    """The masked sentence, each mention's character now saying what the mention is to ``rule``."""
    coded = list(masked)
    for n, m in enumerate(group):
        if at[n] is not None:
            cls = m.entity.cls
            coded[at[n]] = chr(_SLOT0 + (coarse(cls) == "Place") * _PLACE + rule.object_ok(cls) * _OBJ
                               + rule.subject_ok(cls) * _SUBJ)
    return coded


def _name_head(m: Mention, resolve: Lookup) -> Entity | None:
    """The place a name starts with (义乌 in 义乌国际商贸城一区), if the article names it on its own too."""
    found = _prefix(_PLACE_PREFIX, m.text, resolve)
    return found[0][1] if found else None


def _pattern(rule: Rule, group: list[Mention], masked: str, at: list[int | None],
             resolve: Lookup | None = None, topic: Mention | None = None) -> Iterator[Relation]:
    templates = [t for t in rule.compiled if all(any(w in masked for w in words) for words in t.needs)]
    if not templates:
        return                # a cue or a literal of every template is missing from the sentence
    objects = [o for o, m in enumerate(group) if at[o] is not None and rule.object_ok(m.entity.cls)]
    if not objects:
        return
    coded = _coded(rule, group, masked, at)
    mention_at = {p: n for n, p in enumerate(at) if p is not None}
    subjects = [n for n, m in enumerate(group) if rule.subject_ok(m.entity.cls)] if rule.closest else []
    for o in objects:
        with_object = coded.copy()
        with_object[at[o]] = _OBJECT
        # a closest rule may give one object many subjects (片区升级A，以B为核心，构建C): each is tried on its own
        for regex, bound, _ in templates:
            for s_bound in [n for n in subjects if n != o] if bound else [None]:
                if bound:
                    if at[s_bound] is None:
                        continue
                    text = with_object.copy()
                    text[at[s_bound]] = chr(ord(text[at[s_bound]]) + _BOUND)
                    text = "".join(text)
                else:
                    text = "".join(with_object)
                for match in regex.finditer(text):
                    s_at = match.start("s") if "s" in regex.groupindex else -1
                    if s_at >= 0:
                        subj = mention_at[s_at]
                    elif rule.topic:     # only where nothing of the subject's classes stands before the object
                        subj = None
                        if topic is None or _nearest_subject(rule, group, o, match.start()) is not None:
                            continue
                    else:
                        subj = _nearest_subject(rule, group, o, match.start())
                        if subj is None:
                            continue
                    if subj is not None and rule.closest and _between(rule, group, masked, o, subj):
                        continue
                    role = match.group("cue") if rule.role and "cue" in regex.groupindex else None
                    evidence = replace(group[o].provenance, rule=rule.id, confidence=rule.confidence, role=role)
                    if subj is None:     # the sentence leaves the subject implicit: the article's topic
                        takers = [topic.entity]
                        evidence = replace(evidence, confidence=round(rule.confidence * 0.8, 3))
                    else:
                        listed = [group[s] for s in _listed(rule, masked, subj, group, rule.subject_ok)]
                        through = rule.through and resolve is not None
                        takers = [(through and _name_head(m, resolve)) or m.entity for m in listed]
                    for subject in takers:
                        for t in _listed(rule, masked, o, group, rule.object_ok):
                            if subject.key != group[t].entity.key:
                                yield Relation(group[t].entity.key, rule.property, subject.key, evidence) \
                                    if rule.inverse else Relation(subject.key, rule.property, group[t].entity.key,
                                                                  evidence)
                    break


def _between(rule: Rule, group: list[Mention], masked: str, o: int, s: int) -> bool:
    """Another mention of the object's classes (not one listed with the object) stands between object and subject."""
    lo, hi = sorted((masked.index(chr(_SLOT0 + o)), masked.index(chr(_SLOT0 + s))))
    listed = set(_conjuncts(masked, o, group, rule.object_ok))
    return any(ord(c) - _SLOT0 not in listed and rule.object_ok(group[ord(c) - _SLOT0].entity.cls)
               and group[ord(c) - _SLOT0].entity.key != group[o].entity.key
               for c in masked[lo + 1:hi] if _is_slot(c))


def _nearest_subject(rule: Rule, group: list[Mention], o: int, at: int) -> int | None:
    """The last mention of a subject class before the object: the topic the clause goes on about."""
    before = [n for n in range(o) if rule.subject_ok(group[n].entity.cls)
              and group[n].entity.key != group[o].entity.key]
    return before[-1] if before else None


def _listed(rule: Rule, masked: str, n: int, group: list[Mention], ok: Callable[[str], bool]) -> list[int]:
    """The members of the list mention ``n`` stands in, for a rule whose relation holds for each member; for an
    apposition, the names of n's class listed right after it with no modifier of their own (浙南温州港和台州港: 浙南
    holds both ports; 韩国首尔、新加坡 and 中国青岛和德国汉堡 stop at once)."""
    if rule.lists:
        return _conjuncts(masked, n, group, ok)
    out, i = [n], masked.index(chr(_SLOT0 + n))
    while (j := _joined(masked, i, 1)) is not None and group[ord(masked[j]) - _SLOT0].entity.cls == group[n].entity.cls \
            and not (j + 1 < len(masked) and _is_slot(masked[j + 1])):
        out.append(ord(masked[j]) - _SLOT0)
        i = j
    return out


def _conjuncts(masked: str, n: int, group: list[Mention], ok: Callable[[str], bool]) -> list[int]:
    """The mention and those of its kind listed with it: A、B和C.

    The items of a list may be runs of names (日本东京、韩国首尔): a name that modifies the next one (韩国 in 韩国首尔)
    is no item of the list, and the item after a list mark is the last name of its run (首尔, not 韩国).
    """
    out = [n]
    at = masked.index(chr(_SLOT0 + n))
    if at + 1 < len(masked) and _is_slot(masked[at + 1]):
        return out
    for step in (-1, 1):
        i = at
        while True:
            j = _joined(masked, i, step)
            if j is None:
                break
            while step > 0 and j + 1 < len(masked) and _is_slot(masked[j + 1]):
                j += 1                   # the head of the next item: 德国汉堡 -> 汉堡
            k = ord(masked[j]) - _SLOT0
            if not ok(group[k].entity.cls) or coarse(group[k].entity.cls) != coarse(group[n].entity.cls):
                break
            out.append(k)
            i = j
    return sorted(set(out))


def _joined(masked: str, i: int, step: int) -> int | None:
    """The slot listed right before (step -1) or after (+1) slot ``i``: joined by 、/和/…, or by quotes alone."""
    j = i + step
    while 0 <= j < len(masked) and not _is_slot(masked[j]) and abs(j - i) <= 6:
        j += step
    if not 0 <= j < len(masked) or not _is_slot(masked[j]) or abs(j - i) == 1:
        return None
    between = masked[j + 1:i] if step < 0 else masked[i + 1:j]
    listed = _LISTED.fullmatch(between) and (any(w in between for w in AND) or
                                              any(pair in between for pair in ("”“", "」「", "》《", "』『", "\"\"")))
    return j if listed else None


# --- name, hierarchy and byline rules -------------------------------------------------------------------------------

def _resolver(mentions: list[Mention], lookup: Lookup | None) -> Lookup:
    seen = {}
    for m in mentions:
        for name in (m.text, m.entity.label, *m.entity.aliases):
            seen.setdefault(name, m.entity)

    def resolve(name: str) -> Entity | None:
        return seen.get(name) or (lookup(name) if lookup else None)

    return resolve


_ENDS = re.compile(r"[“”\"「」《》]")
_DASH = re.compile(r"\s*[—–\-－~至]+\s*")


def _name(rule: Rule, mentions: list[Mention], resolve: Lookup) -> Iterator[Relation]:
    done = set()
    named = {m.entity.key for m in mentions}   # what the article names on its own
    for m in mentions:
        entity = m.entity
        if not rule.subject_ok(entity.cls) or entity.key in done:
            continue
        done.add(entity.key)
        found = _PARTS[rule.part](rule, m.text, resolve)
        if rule.named:
            found = [(prop, other) for prop, other in found if other.key in named]
        evidence = replace(m.provenance, rule=rule.id, confidence=rule.confidence)
        for prop, other in found:
            if other.key != entity.key:
                yield Relation(other.key, prop, entity.key, evidence) if rule.inverse else \
                    Relation(entity.key, prop, other.key, evidence)


def _prefix(rule: Rule, name: str, resolve: Lookup) -> list[tuple[str, Entity]]:
    """The longest known name of an object class that starts the subject's name and leaves some of it over."""
    name = _ENDS.sub("", name)
    for cut in range(len(name) - 1, 1, -1):
        other = resolve(name[:cut])
        if other is not None and rule.object_ok(other.cls):
            then = _prefix(rule, name[cut:], resolve) if rule.kind == "name" else []
            if then:
                # two places in a row: the second lies in the first (金华兰溪…作业区 -> 兰溪), or the name joins two
                # places (宁波舟山港) and lies in neither
                inner = then[0][1]
                return then if inner.parent == other.key else []
            return [(rule.property, other)]
    return []


def _endpoints(rule: Rule, name: str, resolve: Lookup) -> list[tuple[str, Entity]]:
    """义乌—宁波海铁联运: the known places on either side of the dash."""
    m = re.search(r"([\u4e00-\u9fffA-Za-z]{2,})" + _DASH.pattern + r"([\u4e00-\u9fffA-Za-z]{2,})", _ENDS.sub("", name))
    if not m:
        return []
    first = _longest(m.group(1), resolve, rule, from_end=True)
    last = _longest(m.group(2), resolve, rule, from_end=False)
    out = []
    if first is not None:
        out.append((rule.property, first))
    if last is not None:
        out.append((rule.property_end or rule.property, last))
    return out


def _longest(text: str, resolve: Lookup, rule: Rule, *, from_end: bool) -> Entity | None:
    for size in range(len(text), 1, -1):
        piece = text[-size:] if from_end else text[:size]
        other = resolve(piece)
        if other is not None and rule.object_ok(other.cls):
            return other
    return None


def _contains(rule: Rule, name: str, resolve: Lookup) -> list[tuple[str, Entity]]:
    """The last known name of an object class written inside the subject's name (《义乌市…方案》 -> 义乌市)."""
    name = _ENDS.sub("", name)
    best = None
    for end in range(len(name), 1, -1):
        for start in range(0, end - 1):
            if end - start == len(name):
                continue
            other = resolve(name[start:end])
            if other is not None and rule.object_ok(other.cls):
                best = other
                break
        if best is not None:
            return [(rule.property, best)]
    return []


_QUALIFIER = re.compile(r"[（(]([^（）()]{2,12})[）)]$")


def _qualifier(rule: Rule, name: str, resolve: Lookup) -> list[tuple[str, Entity]]:
    """The known name in the brackets that close the subject's name (中欧班列（郑州） -> 郑州: the city's service)."""
    m = _QUALIFIER.search(name)
    other = resolve(m.group(1)) if m else None
    return [(rule.property, other)] if other is not None and rule.object_ok(other.cls) else []


_PLACE_PREFIX = Rule("place-prefix", "locatedIn", frozenset(), frozenset({"City", "County", "Town"}))
_PARTS = {"prefix": _prefix, "endpoints": _endpoints, "contains": _contains, "qualifier": _qualifier}


def _hierarchy(rule: Rule, mentions: list[Mention]) -> Iterator[Relation]:
    found = {}
    for m in mentions:
        found.setdefault(m.entity.key, m)
    for key, m in found.items():
        parent = found.get(m.entity.parent or "")
        if parent is not None and rule.subject_ok(m.entity.cls) and rule.object_ok(parent.entity.cls):
            yield Relation(key, rule.property, parent.entity.key, replace(m.provenance, rule=rule.id,
                                                                           confidence=rule.confidence))


def _byline(rule: Rule, mentions: list[Mention], article: Article) -> Iterator[Relation]:
    if not article.publisher:
        return
    publisher = next((m for m in mentions if article.publisher in (m.text, m.entity.label)
                      and rule.object_ok(m.entity.cls)), None)
    if publisher is None:
        return
    done = set()
    for m in mentions:
        if m.text in article.authors and rule.subject_ok(m.entity.cls) and m.entity.key not in done:
            done.add(m.entity.key)
            yield Relation(m.entity.key, rule.property, publisher.entity.key,
                           replace(m.provenance, rule=rule.id, confidence=rule.confidence, role="记者"))


def credit_mentions(article: Article, mentions: list[Mention], sentence_at, *, publisher_cls: str = "Organization",
                    key: Callable[[str], str] = lambda s: s, lookup: Lookup | None = None) -> list[Mention]:
    """Mentions for the byline's people and outlet where the text names them and the entity finder did not.

    The outlet is found the first time its name stands in the text; each person the first time theirs does.
    """
    taken = [(m.start, m.end) for m in mentions]
    out = []

    def add(name: str, cls: str) -> None:
        for found in re.finditer(re.escape(name), article.text):
            start, end = found.span()
            if any(s < end and start < e for s, e in taken):
                if any(m.start == start and m.end == end for m in mentions):
                    return          # already a mention of its own
                continue
            known = lookup(name) if lookup else None
            entity = known if known is not None else Entity(key=key(name), label=name, cls=cls)
            prov = Provenance(article.doc_id, sentence_at(start), rule=f"byline:{cls}", confidence=0.9,
                              reported_on=article.date)
            out.append(Mention(entity, start, end, name, prov))
            taken.append((start, end))
            return

    if article.publisher and len(article.publisher) >= 2:
        add(article.publisher, publisher_cls)
    for name in dict.fromkeys((*article.authors, *article.correspondents, *article.photographers)):
        if len(name) >= 2:
            add(name, "Person")
    return out
