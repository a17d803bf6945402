"""Written indicators (进出口规模, 对东盟出口同比增长) -> concepts of the SKOS scheme ``ontology/indicators.ttl``.

Figures that measure the same thing are written many ways; a series needs them under one name. The rules are data
(``ontology/indicators.yml``): the pattern that ends last in the written form names its head, as the last word of a
Chinese noun phrase does; change words at the end are cut first, so a growth rate maps to the quantity it changes.
A form no rule maps gets no concept (``kg indicators DIR --unmapped`` lists them).

The scheme's labels travel with every observation that uses a concept (``Extraction.concepts``,
``concept_triples``), so a built graph can be queried by concept label without loading the scheme separately.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from kg.errors import KGError


@dataclass(frozen=True)
class Rule:
    concept: str
    pattern: re.Pattern
    units: frozenset[str]


@dataclass(frozen=True)
class Concept:
    notation: str
    labels: tuple[tuple[str, str], ...]      # (text, language) of skos:prefLabel
    broader: str | None


@dataclass(frozen=True)
class IndicatorRules:
    rules: tuple[Rule, ...]
    by_unit: dict
    change_units: frozenset[str]
    change_words: re.Pattern
    change_fallback: str
    change_verbs: re.Pattern
    comparisons: tuple[tuple[str, re.Pattern], ...]
    scheme: dict = field(default_factory=dict)   # notation -> Concept, from indicators.ttl beside the rules

    @classmethod
    def load(cls, ontology: Path) -> IndicatorRules:
        """The rules of ``ontology``/indicators.yml, with the concepts of ``ontology``/indicators.ttl."""
        path = Path(ontology) / "indicators.yml"
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            rules, by_unit = [], {}
            for name, spec in data["concepts"].items():
                units = frozenset(spec.get("units", ()))
                rules += [Rule(name, re.compile(p), units) for p in spec.get("patterns", ())]
                for unit in spec.get("by_unit", ()):
                    by_unit.setdefault(unit, name)
            return cls(tuple(rules), by_unit, frozenset(data["change_units"]), re.compile(data["change_words"]),
                       data["change_fallback"], re.compile(data["change_verbs"]),
                       tuple((k, re.compile(v)) for k, v in data.get("comparison", {}).items()),
                       scheme(Path(ontology)))
        except (OSError, KeyError, TypeError, re.error, yaml.YAMLError) as error:
            raise KGError(f"[E130] {path}: cannot read the indicator rules: {error}") from error

    def concept(self, indicator: str, unit: str) -> str | None:
        """The concept's notation for a figure written under ``indicator`` in ``unit``, or None."""
        head = self._quantity(indicator)
        # a percent is a change of the quantity it names only when the text says so (增长, 同比 …); 毛利润20% is not
        change = unit in self.change_units and (head != indicator or self.change_verbs.search(indicator) is not None)
        best: tuple[int, int, int] | None = None
        found = None
        for order, rule in enumerate(self.rules):
            if not (change or unit in rule.units):
                continue
            for m in rule.pattern.finditer(head):
                key = (m.end(), m.end() - m.start(), -order)
                if best is None or key > best:
                    best, found = key, rule.concept
        if found:
            return found
        if change:
            return self.change_fallback
        return self.by_unit.get(unit)

    def _quantity(self, indicator: str) -> str:
        """The written form without the change words at its end (出口同比增长 -> 出口)."""
        text = indicator
        while True:
            cut = self.change_words.sub("", text).rstrip("的、，, ")
            if cut == text:
                return text
            text = cut

    def comparison(self, clause: str) -> str | None:
        """What a change written in ``clause`` compares with (yearOnYear, periodOnPeriod), or None."""
        if not self.change_verbs.search(clause):
            return None
        for name, pattern in self.comparisons:
            if pattern.search(clause):
                return name
        return None

    def facets(self, indicator: str, unit: str, clause: str) -> dict[str, str | None]:
        """The fields an Observation gets from the rules: its concept, and what a change in ``clause`` compares with."""
        return {"indicator_concept": self.concept(indicator, unit), "comparison": self.comparison(clause)}


@functools.lru_cache(maxsize=4)
def scheme(ontology: Path) -> dict[str, Concept]:
    """The concepts of ``ontology``/indicators.ttl, by notation."""
    from rdflib import Graph
    from rdflib.namespace import SKOS

    path = Path(ontology) / "indicators.ttl"
    try:
        graph = Graph().parse(path)
    except Exception as error:          # rdflib raises many kinds of parse errors
        raise KGError(f"[E131] {path}: cannot read the indicator scheme: {error}") from error
    out = {}
    for node, notation in graph.subject_objects(SKOS.notation):
        labels = tuple(sorted((str(l), l.language or "") for l in graph.objects(node, SKOS.prefLabel)))
        broader = graph.value(node, SKOS.broader)
        out[str(notation)] = Concept(str(notation), labels,
                                     str(graph.value(broader, SKOS.notation)) if broader is not None else None)
    return out
