"""Relation rules are data (``ontology/rules/*.yml``); this small engine applies them to one article's mentions.

Rule kinds:
- ``cue`` (default): the object stands right after a cue of ``object_before`` and/or right before a cue of
  ``object_after`` (at most ``gap`` characters away); the subject is the nearest mention of a subject class in the
  same sentence.
- ``apposition``: the object is written immediately before the subject (浙江义乌 -> 义乌 locatedIn 浙江).
- ``hierarchy``: the gazetteer names the object as the subject's parent and the article mentions both.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from kg.errors import DataError
from kg.records import Article, Mention, Relation
from kg.vocab import CORE_PROPERTIES, ENTITY_CLASSES, coarse

KINDS = ("cue", "apposition", "hierarchy")


@dataclass(frozen=True)
class Rule:
    id: str
    property: str
    subject: frozenset[str]
    object: frozenset[str]
    kind: str = "cue"
    object_before: tuple[str, ...] = ()
    object_after: tuple[str, ...] = ()
    gap: int = 2
    confidence: float = 0.8

    def subject_ok(self, cls: str) -> bool:
        return cls in self.subject or coarse(cls) in self.subject

    def object_ok(self, cls: str) -> bool:
        return cls in self.object or coarse(cls) in self.object


def load_rules(folder: Path) -> list[Rule]:
    rules = []
    for path in sorted(folder.glob("*.yml")):
        for raw in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("rules", []):
            rules.append(_parse_rule(raw, path))
    return rules


def _parse_rule(raw: dict, path: Path) -> Rule:
    rid = raw.get("id", "?")
    if raw.get("property") not in CORE_PROPERTIES:
        raise DataError(f"[E012] Unknown relation {raw.get('property')!r} in rule {rid} of {path}; "
                        f"known: {', '.join(CORE_PROPERTIES)}")
    if raw.get("kind", "cue") not in KINDS:
        raise DataError(f"[E013] Unknown rule kind {raw.get('kind')!r} in rule {rid} of {path}; known: {', '.join(KINDS)}")
    for side in ("subject", "object"):
        unknown = set(raw.get(side, [])) - set(ENTITY_CLASSES)
        if unknown:
            raise DataError(f"[E014] Unknown class {sorted(unknown)} as {side} of rule {rid} in {path}")
    return Rule(
        id=rid, property=raw["property"], kind=raw.get("kind", "cue"),
        subject=frozenset(raw["subject"]), object=frozenset(raw["object"]),
        object_before=tuple(raw.get("object_before", ())), object_after=tuple(raw.get("object_after", ())),
        gap=raw.get("gap", 2), confidence=raw.get("confidence", 0.8),
    )


def extract_relations(mentions: list[Mention], *, article: Article, rules: list[Rule]) -> Iterator[Relation]:
    text = article.text
    for rule in rules:
        if rule.kind == "cue":
            yield from _cue(rule, mentions, text)
        elif rule.kind == "apposition":
            yield from _apposition(rule, mentions)
        else:
            yield from _hierarchy(rule, mentions)


def _cue(rule: Rule, mentions: list[Mention], text: str) -> Iterator[Relation]:
    for obj in mentions:
        if not rule.object_ok(obj.entity.cls):
            continue
        before = text[max(obj.start - rule.gap - 4, 0):obj.start]
        after = text[obj.end:obj.end + rule.gap + 4]
        if rule.object_before and not any(_ends_near(before, cue, rule.gap) for cue in rule.object_before):
            continue
        if rule.object_after and not any(_starts_near(after, cue, rule.gap) for cue in rule.object_after):
            continue
        sentence = obj.provenance.sentence
        candidates = [m for m in mentions if m.provenance.sentence == sentence and m is not obj
                      and m.entity.key != obj.entity.key and rule.subject_ok(m.entity.cls)]
        if candidates:
            subj = min(candidates, key=lambda m: abs(m.start - obj.start))
            yield Relation(subj.entity.key, rule.property, obj.entity.key, _evidence(obj, rule))


def _apposition(rule: Rule, mentions: list[Mention]) -> Iterator[Relation]:
    for first, second in zip(mentions, mentions[1:]):
        if first.end == second.start and rule.object_ok(first.entity.cls) and rule.subject_ok(second.entity.cls) \
                and first.entity.key != second.entity.key:
            yield Relation(second.entity.key, rule.property, first.entity.key, _evidence(second, rule))


def _hierarchy(rule: Rule, mentions: list[Mention]) -> Iterator[Relation]:
    keys = {m.entity.key for m in mentions}
    seen = set()
    for m in mentions:
        parent = m.entity.parent
        if parent in keys and rule.subject_ok(m.entity.cls) and m.entity.key not in seen:
            seen.add(m.entity.key)
            yield Relation(m.entity.key, rule.property, parent, _evidence(m, rule))


def _evidence(mention: Mention, rule: Rule):
    return replace(mention.provenance, rule=rule.id, confidence=rule.confidence)


def _ends_near(before: str, cue: str, gap: int) -> bool:
    i = before.rfind(cue)
    return i >= 0 and len(before) - (i + len(cue)) <= gap


def _starts_near(after: str, cue: str, gap: int) -> bool:
    i = after.find(cue)
    return 0 <= i <= gap
