"""kg's vocabulary: terms read as attributes are made once, and are the terms rdflib makes."""
from __future__ import annotations

import pytest
from rdflib import URIRef
from rdflib.namespace import RDF, XSD

from kg.vocab import KG, KG_NS, Terms

CACHED = [   # (namespace as kg reads it, attribute, the IRI rdflib gives)
    (KG, "sentence", KG_NS + "sentence"),
    (KG, "City", KG_NS + "City"),
    (Terms(RDF), "type", str(RDF.type)),
    (Terms(XSD), "decimal", str(XSD.decimal)),
]


@pytest.mark.parametrize("namespace, name, iri", CACHED, ids=[c[2] for c in CACHED])
def test_a_term_is_made_once_and_is_rdflibs_term(namespace, name, iri):
    first = getattr(namespace, name)
    assert type(first) is URIRef and first == URIRef(iri)
    assert getattr(namespace, name) is first


@pytest.mark.parametrize("namespace", [KG, Terms(RDF)], ids=["kg", "rdf"])
def test_a_name_the_namespace_lacks_still_fails(namespace):
    with pytest.raises(AttributeError):
        namespace.noSuchTerm
    with pytest.raises(AttributeError):   # and is not remembered as a term
        namespace.noSuchTerm


def test_kg_items_and_text_are_rdflibs():
    assert KG["departsFrom"] == URIRef(KG_NS + "departsFrom") and str(KG) == KG_NS
