"""Records -> RDF triples in kg's vocabulary. Every IRI is minted here, from canonical keys, deterministically."""
from __future__ import annotations

import functools
import hashlib
import unicodedata
from collections.abc import Iterator
from decimal import Decimal
from urllib.parse import quote

from rdflib import Literal, URIRef
from rdflib import namespace as w3c

from kg.records import Article, Entity, Extraction, Observation, Provenance, Relation
from kg.vocab import ID_NS, INDICATOR_NS, KG, Terms

DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD = map(Terms, (w3c.DCTERMS, w3c.OWL, w3c.PROV, w3c.RDF, w3c.RDFS, w3c.SKOS,
                                                     w3c.XSD))

WIKIDATA = "http://www.wikidata.org/entity/"
Triple = tuple


def _segment(key: str, what: str) -> str:
    """One IRI path segment from a canonical key: NFC, then every character but unreserved ASCII percent-encoded.

    Spaces, quotes, angle brackets, ``#``, ``%`` and ``/`` can never break the IRI or split it into more segments.
    """
    if not isinstance(key, str) or not key.strip():
        raise ValueError(f"an empty {what} cannot name a node")
    return quote(unicodedata.normalize("NFC", key), safe="")


@functools.lru_cache(maxsize=1 << 14)   # the same entities and documents come up many times in a row
def entity_iri(key: str) -> URIRef:
    return ID_NS[f"entity/{_segment(key, 'entity key')}"]


@functools.lru_cache(maxsize=1 << 10)
def doc_iri(doc_id: str) -> URIRef:
    return ID_NS[f"doc/{_segment(doc_id, 'document id')}"]


GRAPH_PREFIX = str(ID_NS) + "graph/"


def graph_iri(doc_id: str) -> URIRef:
    return ID_NS[f"graph/{_segment(doc_id, 'document id')}"]


def sentence_iri(doc_id: str, start: int, end: int) -> URIRef:
    return ID_NS[f"sentence/{_segment(doc_id, 'document id')}/{int(start)}-{int(end)}"]


def _digest(*parts: object) -> str:
    return hashlib.sha1("\x1f".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:16]


def observation_iri(obs: Observation) -> URIRef:
    """The same statistic stated by two articles is one node with two pieces of evidence."""
    digest = _digest(obs.subject, obs.indicator, obs.value, obs.unit, obs.period, obs.period_start, obs.period_end,
                     *obs.partners)
    return ID_NS[f"obs/{digest}"]


@functools.lru_cache(maxsize=1 << 12)
def label_literal(text: str) -> Literal:
    return Literal(text, lang="en" if text.isascii() else "zh")


def article_triples(article: Article) -> Iterator[Triple]:
    doc = doc_iri(article.doc_id)
    yield doc, RDF.type, KG.Document
    yield doc, KG.sourceFile, Literal(article.source)
    yield doc, KG.contentHash, Literal(article.content_hash)
    if article.title:
        yield doc, DCTERMS.title, Literal(article.title, lang="zh")
    if article.date:
        yield doc, DCTERMS.date, Literal(article.date, datatype=XSD.date)
    for author in article.authors:
        yield doc, DCTERMS.creator, Literal(author)
    for correspondent in article.correspondents:
        yield doc, DCTERMS.contributor, Literal(correspondent)
    for photographer in article.photographers:
        yield doc, KG.photographer, Literal(photographer)
    if article.publisher:
        yield doc, DCTERMS.publisher, Literal(article.publisher)
    if article.url:
        yield doc, DCTERMS.source, Literal(article.url)


def entity_triples(entity: Entity, seen_as: set[str]) -> Iterator[Triple]:
    node = entity_iri(entity.key)
    yield node, RDF.type, KG[entity.cls]
    yield node, RDFS.label, label_literal(entity.label)
    for alias in sorted(seen_as - {entity.label}):
        yield node, SKOS.altLabel, label_literal(alias)
    if entity.wikidata:
        yield node, OWL.sameAs, URIRef(WIKIDATA + entity.wikidata)


def evidence_triples(prov: Provenance, statement: Triple | None, node: URIRef) -> Iterator[Triple]:
    sentence = sentence_iri(prov.doc_id, prov.sentence.start, prov.sentence.end)
    yield from _sentence_triples(sentence, prov.sentence.text, prov.sentence.start, prov.sentence.end, prov.doc_id)
    yield node, RDF.type, KG.Evidence
    yield node, KG.sentence, sentence
    yield node, KG.rule, _plain(prov.rule)
    yield node, KG.confidence, _confidence(prov.confidence)
    if prov.source:            # a data file's row, not the article: the file is a document of its own
        yield from _source_document(prov.doc_id, prov.source)
        yield node, PROV.wasAttributedTo, doc_iri(prov.doc_id)
    if prov.reported_on:
        yield node, KG.reportedOn, _date(prov.reported_on)
    if prov.role:
        yield node, KG.role, _zh(prov.role)
    if statement:
        yield node, RDF.type, RDF.Statement
        s, p, o = statement
        yield node, RDF.subject, s
        yield node, RDF.predicate, p
        yield node, RDF.object, o


# A sentence carries several facts, and rule names, confidences and dates come back again and again: their RDF terms
# are made once (rdflib's Literal constructor is most of the cost of turning records into triples).

@functools.lru_cache(maxsize=1 << 10, typed=True)
def _sentence_triples(sentence: URIRef, text: str, start: int, end: int, doc_id: str) -> tuple[Triple, ...]:
    return ((sentence, RDF.type, KG.Sentence), (sentence, KG.text, Literal(text, lang="zh")),
            (sentence, KG.charStart, Literal(start)), (sentence, KG.charEnd, Literal(end)),
            (sentence, KG.inDocument, doc_iri(doc_id)))


@functools.lru_cache(maxsize=1 << 6)
def _source_document(doc_id: str, source: str) -> tuple[Triple, ...]:
    doc = doc_iri(doc_id)
    return ((doc, RDF.type, KG.Document), (doc, KG.sourceFile, Literal(source)),
            (doc, DCTERMS.title, Literal(f"gazetteer: {source}")))


@functools.lru_cache(maxsize=1 << 12)
def _plain(text: str) -> Literal:
    return Literal(text)


@functools.lru_cache(maxsize=1 << 12, typed=True)   # 1 and 1.0 write differently
def _confidence(value: float) -> Literal:
    return Literal(Decimal(str(round(value, 3))), datatype=XSD.decimal)


@functools.lru_cache(maxsize=1 << 12)
def _date(text: str) -> Literal:
    return Literal(text, datatype=XSD.date)


@functools.lru_cache(maxsize=1 << 12)   # indicators, periods, qualifiers, roles
def _zh(text: str) -> Literal:
    return Literal(text, lang="zh")


def _statement_evidence(statement: Triple, prov: Provenance) -> Iterator[Triple]:
    node = ID_NS[f"evidence/{_digest(*statement, prov.doc_id, prov.sentence.start, prov.rule)}"]
    yield statement
    yield from evidence_triples(prov, statement, node)


def relation_triples(rel: Relation) -> Iterator[Triple]:
    yield from _statement_evidence((entity_iri(rel.subject), KG[rel.prop], entity_iri(rel.object)), rel.provenance)


def observation_triples(obs: Observation, concepts: dict | None = None) -> Iterator[Triple]:
    node = observation_iri(obs)
    yield node, RDF.type, KG.Observation
    if obs.subject:
        yield node, KG.subject, entity_iri(obs.subject)
    yield node, KG.indicator, _zh(obs.indicator)
    for partner in obs.partners:
        yield node, KG.partner, entity_iri(partner)
    yield node, KG.value, Literal(obs.value, datatype=XSD.decimal)
    yield node, KG.unit, KG[obs.unit]
    yield node, KG.valueText, Literal(obs.text, lang="zh")
    if obs.qualifier:
        yield node, KG.qualifier, _zh(obs.qualifier)
    if obs.period:
        yield node, KG.period, _zh(obs.period)
    if obs.period_start:
        yield node, KG.periodStart, _date(obs.period_start)
    if obs.period_end:
        yield node, KG.periodEnd, _date(obs.period_end)
    yield from _facet_triples(node, obs, concepts or {})
    evidence = ID_NS[f"evidence/{_digest(node, obs.provenance.doc_id, obs.provenance.sentence.start, obs.text)}"]
    yield node, KG.evidence, evidence
    yield from evidence_triples(obs.provenance, None, evidence)


def _facet_triples(node: URIRef, obs: Observation, concepts: dict) -> Iterator[Triple]:
    """The observation's indicator concept (described in the document's graph too) and what a change compares with."""
    from kg.extract.periods import baseline

    if obs.indicator_concept:
        yield node, KG.indicatorConcept, INDICATOR_NS[obs.indicator_concept]
        yield from concept_triples(obs.indicator_concept, concepts.get(obs.indicator_concept))
    if obs.comparison:
        yield node, KG.comparison, KG[obs.comparison]
        start, end = baseline(obs.period_start, obs.period_end, obs.comparison)
        if start and end:
            yield node, KG.baselineStart, _date(start)
            yield node, KG.baselineEnd, _date(end)


@functools.lru_cache(maxsize=256)
def concept_triples(notation: str, concept=None) -> tuple[Triple, ...]:
    """A concept of ontology/indicators.ttl as a graph that uses it describes it: type, scheme, notation, and the
    labels and broader concept of ``concept`` (the scheme's entry the extraction carries, ``Extraction.concepts``)."""
    node = INDICATOR_NS[notation]
    out = [(node, RDF.type, SKOS.Concept), (node, SKOS.inScheme, URIRef(str(INDICATOR_NS))),
           (node, SKOS.notation, Literal(notation))]
    if concept:
        out += [(node, SKOS.prefLabel, Literal(text, lang=lang or None)) for text, lang in concept.labels]
        if concept.broader:
            out.append((node, SKOS.broader, INDICATOR_NS[concept.broader]))
    return tuple(out)


def extraction_triples(ex: Extraction) -> Iterator[Triple]:
    """All triples one article supports; they go into that article's named graph."""
    article = ex.article
    yield from article_triples(article)
    doc = doc_iri(article.doc_id)
    seen: dict[str, set[str]] = {}
    for m in ex.mentions:
        seen.setdefault(m.entity.key, set()).add(m.text)
    for key in sorted(seen):
        yield from entity_triples(ex.entities[key], seen[key])
    first_sentence: dict[str, Provenance] = {}
    for m in ex.mentions:
        first_sentence.setdefault(m.entity.key, m.provenance)
    # a relation may reach an entity the text names only inside another name (满洲里口岸 -> 满洲里市): when the
    # extraction knows that entity, it is described and mentioned here too, in the relation's sentence
    for rel in ex.relations:
        for key in (rel.subject, rel.object):
            if key not in seen and key in ex.entities:
                seen[key] = set()
                yield from entity_triples(ex.entities[key], seen[key])
            if key in ex.entities:
                first_sentence.setdefault(key, rel.provenance)
    for key in sorted(first_sentence):
        yield from _statement_evidence((entity_iri(key), KG.mentionedIn, doc), first_sentence[key])
    for rel in ex.relations:
        yield from relation_triples(rel)
    for obs in ex.observations:
        yield from observation_triples(obs, ex.concepts)
