"""The persistent graph store: an embedded Oxigraph database under ``DIR/store``, one named graph per document.

The default graph of a query is the union of all documents' graphs, so a fact several articles support appears once.
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
    "kg": KG_NS, "kgid": str(ID_NS), "rdf": str(RDF), "rdfs": str(RDFS), "owl": str(OWL), "xsd": str(XSD),
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
        self.db.remove_graph(graph) if self.has_document(doc_id) else None
        self.db.extend(quads)
        return len(quads)

    def has_document(self, doc_id: str) -> bool:
        return ox.NamedNode(str(graph_iri(doc_id))) in set(self.db.named_graphs())

    def document_hash(self, doc_id: str) -> str | None:
        from kg.graph.rdf import doc_iri
        from kg.vocab import KG

        graph = ox.NamedNode(str(graph_iri(doc_id)))
        for quad in self.db.quads_for_pattern(ox.NamedNode(str(doc_iri(doc_id))), to_ox(KG.contentHash), None, graph):
            return quad.object.value
        return None

    def query(self, sparql: str, bindings: dict | None = None):
        return self.db.query(sparql, use_default_graph_as_union=True, substitutions=bindings or None)

    def triples(self) -> list[ox.Triple]:
        """The union of every document's graph, sorted so that exports are byte-identical for the same input."""
        seen = {ox.Triple(q.subject, q.predicate, q.object) for q in self.db.quads_for_pattern(None, None, None)}
        return sorted(seen, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))

    def quads(self) -> list[ox.Quad]:
        return sorted(self.db.quads_for_pattern(None, None, None),
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
