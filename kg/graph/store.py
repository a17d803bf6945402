"""The persistent graph store: an embedded Oxigraph database under ``DIR/store``, one named graph per document.

The default graph holds the merged view: every triple that at least one document's graph holds, once. Queries run on
it, so a fact several articles support appears once; a triple leaves it only when no document supports it any more.
"""
from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SDO, SKOS, XSD

from kg.graph.rdf import graph_iri
from kg.vocab import ID_NS, KG_NS

PREFIXES = {
    "kg": KG_NS, "rdf": str(RDF), "rdfs": str(RDFS), "owl": str(OWL), "xsd": str(XSD),
    "skos": str(SKOS), "dcterms": str(DCTERMS), "prov": str(PROV), "schema": str(SDO),
    "wd": "http://www.wikidata.org/entity/",
}
FORMATS = {
    "ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "nq": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG, "jsonld": ox.RdfFormat.JSON_LD,
}
QUAD_FORMATS = {"nq", "trig"}


def to_ox(term) -> ox.NamedNode | ox.Literal | ox.BlankNode:
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


class GraphStore:
    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.db = ox.Store(str(self.folder / "store"))

    def replace_document(self, doc_id: str, triples: Iterable[tuple]) -> int:
        """Swap in one document's graph in a single transaction: its old facts go, the new ones come."""
        graph = ox.NamedNode(str(graph_iri(doc_id)))
        quads = {ox.Quad(to_ox(s), to_ox(p), to_ox(o), graph) for s, p, o in triples}
        self.remove_document(doc_id)
        self.db.extend(quads)
        self.db.extend(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()) for q in quads)
        return len(quads)

    def remove_document(self, doc_id: str) -> bool:
        """Drop one document's graph, and from the merged view the triples no other document supports."""
        graph = ox.NamedNode(str(graph_iri(doc_id)))
        if not self.has_document(doc_id):
            return False
        for q in list(self.db.quads_for_pattern(None, None, None, graph)):
            supported = any(other.graph_name != graph and not isinstance(other.graph_name, ox.DefaultGraph)
                            for other in self.db.quads_for_pattern(q.subject, q.predicate, q.object, None))
            if not supported:
                self.db.remove(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()))
        self.db.remove_graph(graph)
        return True

    def has_document(self, doc_id: str) -> bool:
        return self.db.contains_named_graph(ox.NamedNode(str(graph_iri(doc_id))))

    def document_hash(self, doc_id: str) -> str | None:
        from kg.graph.rdf import doc_iri
        from kg.vocab import KG

        graph = ox.NamedNode(str(graph_iri(doc_id)))
        for quad in self.db.quads_for_pattern(ox.NamedNode(str(doc_iri(doc_id))), to_ox(KG.contentHash), None, graph):
            return quad.object.value
        return None

    def query(self, sparql: str, bindings: dict | None = None):
        return self.db.query(sparql, substitutions=bindings or None)

    def triples(self) -> list[ox.Triple]:
        """The merged view of every document's graph, sorted so that exports are byte-identical for the same input."""
        merged = (ox.Triple(q.subject, q.predicate, q.object)
                  for q in self.db.quads_for_pattern(None, None, None, ox.DefaultGraph()))
        return sorted(merged, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))

    def quads(self) -> list[ox.Quad]:
        named = (q for q in self.db.quads_for_pattern(None, None, None) if not isinstance(q.graph_name, ox.DefaultGraph))
        return sorted(named,
                      key=lambda q: (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object)))

    def export(self, path: Path, fmt: str = "ttl") -> int:
        """Write the graph whole or not at all: to a temporary file first, then renamed into place."""
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r}; known: {', '.join(FORMATS)}")
        data = self.quads() if fmt in QUAD_FORMATS else self.triples()
        prefixes = PREFIXES if fmt in ("ttl", "trig") else None
        tmp = Path(str(path) + ".tmp")
        with open(tmp, "wb") as out:
            ox.serialize(data, out, format=FORMATS[fmt], prefixes=prefixes)
        os.replace(tmp, path)
        return len(data)

    def flush(self) -> None:
        self.db.flush()
