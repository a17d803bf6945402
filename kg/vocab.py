"""kg's own vocabulary: one closed namespace whose terms are declared in ``ontology/kg.ttl`` (a test checks that)."""
from __future__ import annotations

from functools import cache
from pathlib import Path

from rdflib import Namespace
from rdflib.namespace import ClosedNamespace

KG_NS = "http://example.org/kg/ontology#"
ID_NS = Namespace("http://example.org/kg/id/")

PLACE_CLASSES = ("Place", "Country", "Province", "City", "County", "Town", "Region")
ORG_CLASSES = ("Organization", "Company", "GovernmentBody", "Association")
ENTITY_CLASSES = PLACE_CLASSES + ORG_CLASSES + (
    "Zone", "Facility", "Route", "Platform", "Policy", "Person", "Brand", "Industry", "Event",
)
CORE_PROPERTIES = (
    "locatedIn", "partOf", "departsFrom", "destination", "via", "connects",
    "operatedBy", "issuedBy", "appliesTo", "exportsTo", "affiliatedWith", "mentionedIn",
)
UNITS = (
    "CNY", "USD", "EUR", "percent", "percentage_point", "times", "TEU", "container", "train", "flight", "route",
    "ton", "kWh", "km", "km2", "day", "hour", "month", "year", "celsius", "person", "company", "country", "city",
    "province", "port", "item", "category",
)
OTHER_TERMS = (
    "Entity", "Observation", "Document", "Sentence", "Evidence", "Unit",
    "subject", "indicator", "value", "unit", "period", "periodStart", "periodEnd", "qualifier", "valueText",
    "evidence", "sentence", "inDocument", "text", "charStart", "charEnd", "rule", "confidence", "role",
    "reportedOn", "sourceFile", "contentHash", "photographer", "partner",
    "indicatorConcept", "comparison", "baselineStart", "baselineEnd", "yearOnYear", "periodOnPeriod",
)
# the indicator concepts of ontology/indicators.ttl (a SKOS scheme of their own, outside the closed namespace)
INDICATOR_NS = Namespace("http://example.org/kg/indicator/")



class Terms:
    """A namespace whose terms, read as attributes, are made once: rdflib makes and checks a new term at every
    attribute access (3-5 us), and a build writes rdf:type, kg:sentence, kg:rule and the like for every fact.
    ``Terms(RDF).type is Terms(RDF).type``; a name the namespace lacks fails as it does there."""

    def __init__(self, namespace):
        self._namespace = namespace

    def __getattr__(self, name: str):
        term = getattr(self._namespace, name)
        setattr(self, name, term)
        return term


class _CachedClosedNamespace(ClosedNamespace):
    """kg's closed namespace, its attribute terms made once (see ``Terms``); KG[...] and the rest as rdflib's."""

    def __getattr__(self, name: str):
        term = super().__getattr__(name)
        self.__dict__[name] = term
        return term


KG = _CachedClosedNamespace(KG_NS, list(ENTITY_CLASSES + CORE_PROPERTIES + UNITS + OTHER_TERMS))

# the coarse class of each fine class, for rules and evaluation
COARSE = {**{c: "Place" for c in PLACE_CLASSES}, **{c: "Organization" for c in ORG_CLASSES}}


def coarse(cls: str) -> str:
    return COARSE.get(cls, cls)



@cache
def vocabulary_labels(ontology: Path) -> dict[str, dict[str, str]]:
    """The @zh and @en labels of kg's classes and properties by local name, from ``ontology``/kg.ttl ({} when it is
    missing). Here, below every stage, because the explorer and the GraphML export both name things by them."""
    from rdflib import Graph, URIRef
    from rdflib.namespace import RDFS

    labels: dict[str, dict[str, str]] = {}
    path = Path(ontology) / "kg.ttl"
    if not path.exists():
        return {}
    graph = Graph().parse(path, format="turtle")
    for term, label in graph.subject_objects(RDFS.label):
        if isinstance(term, URIRef) and str(term).startswith(KG_NS) and label.language in ("zh", "en"):
            labels.setdefault(str(term)[len(KG_NS):], {})[label.language] = str(label)
    return labels
