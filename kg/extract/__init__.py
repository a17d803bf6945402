"""Pure functions from a processed Doc to records: mentions, relations, observations."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from spacy.tokens import Doc

from kg.extract.coref import Anaphora, resolve_anaphors
from kg.extract.indicators import IndicatorRules
from kg.extract.mentions import extract_mentions
from kg.extract.numbers import FigureFinder
from kg.extract.observations import actor_verbs, extract_observations, route_sets, service_words
from kg.extract.relations import Rule, credit_mentions, extract_relations, load_rules
from kg.extract.sentences import SentenceIndex
from kg.extract.sources import cite_rows, gazetteer_rows
from kg.nlp.entities import canonical_key
from kg.nlp.gazetteer import Gazetteer
from kg.records import Article, Extraction


@dataclass
class Extractor:
    gazetteer: Gazetteer
    rules: list[Rule]
    figures: FigureFinder
    anaphora: Anaphora = Anaphora({})
    rows: dict = field(default_factory=dict)    # gazetteer name -> its row, cited by the facts taken from it
    services: re.Pattern | None = None          # service words after a place: the figure is the service's
    indicators: IndicatorRules | None = None    # written indicator -> concept of the scheme; None: no concepts
    route_sets: re.Pattern | None = None        # 全港航线, 盐田港区航线: routes as a set, no figure's subject
    actors: re.Pattern | None = None            # 监管: the name before the verb is the figure's subject

    def __post_init__(self):
        # every name the gazetteer knows -> its entity, for rules that read names inside names
        self.names = {}
        for entity in self.gazetteer.entities.values():
            for name in (entity.label, *entity.aliases):
                self.names.setdefault(name, entity)

    @classmethod
    def load(cls, gazetteer: Gazetteer, ontology: Path) -> "Extractor":
        """The extractor of the rules, units, anaphora, gazetteer rows, figure words and indicator rules in the
        ontology folder ``ontology``."""
        folder = Path(ontology)
        return cls(gazetteer, load_rules(folder / "rules"), FigureFinder.load(folder / "units.yml"),
                   Anaphora.load(folder / "rules" / "anaphora.yml"), gazetteer_rows(folder / "gazetteer"),
                   service_words(folder / "rules" / "figures.yml"), IndicatorRules.load(folder),
                   route_sets(folder / "rules" / "figures.yml"), actor_verbs(folder / "rules" / "figures.yml"))

    def __call__(self, doc: Doc, article: Article) -> Extraction:
        sentences = SentenceIndex(article)
        mentions = list(extract_mentions(doc, article=article, sentences=sentences,
                                         lookup=self.gazetteer.entities.get))
        mentions += credit_mentions(article, mentions, sentences.at, key=canonical_key, lookup=self.names.get)
        mentions.sort(key=lambda m: (m.start, -m.end))
        result = Extraction(article)
        for m in mentions:
            result.entities.setdefault(m.entity.key, m.entity)
        result.mentions = mentions
        # anaphors (该公司, 全省) stand for an entity named before: rules and figures read them, labels do not
        referring = sorted(mentions + list(resolve_anaphors(article, mentions, sentences.at, anaphora=self.anaphora)),
                           key=lambda m: (m.start, -m.end))
        result.relations = _unique(extract_relations(referring, article=article, rules=self.rules,
                                                     lookup=self.names.get))
        known = {rule.id for rule in self.rules if rule.kind == "hierarchy"}   # no sentence states these
        result.relations = cite_rows(result.relations, known, self.rows)
        # a relation may end at an entity the text names only inside a longer name (满洲里口岸 -> 满洲里市): it joins
        # the extraction's entities without a mention of its own
        for r in result.relations:
            for key in (r.subject, r.object):
                if key not in result.entities and key in self.gazetteer.entities:
                    result.entities[key] = self.gazetteer.entities[key]
        result.observations = list(extract_observations(article=article, sentences=sentences,
                                                        mentions=referring, figures=self.figures,
                                                        services=self.services, indicators=self.indicators,
                                                        route_sets=self.route_sets, actors=self.actors))
        if self.indicators is not None:   # the concepts' labels go into the document's graph with the figures
            result.concepts = {n: self.indicators.scheme[n] for n in
                               sorted({o.indicator_concept for o in result.observations if o.indicator_concept})
                               if n in self.indicators.scheme}
        return result


def _unique(relations):
    seen, out = set(), []
    for r in relations:
        key = (r.subject, r.prop, r.object, r.provenance.sentence.start)
        if key not in seen and r.subject != r.object:
            seen.add(key)
            out.append(r)
    return out
