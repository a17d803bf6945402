"""The persistent graph store: an embedded Oxigraph database under ``DIR/store``, one named graph per document.

The default graph holds the merged view: every triple that at least one document's graph holds, once. Queries run on
it, so a fact several articles support appears once; a triple leaves it only when no document supports it any more.
The ontology (``ontology/kg.ttl``) sits in a named graph of its own, named by the ontology's IRI; queries that ask for
it (``kg query``, named queries, ``kg serve``) see it as part of their default graph, so ``rdfs:subClassOf*`` works.
Exports hold the documents' triples only.
"""
from __future__ import annotations

import io
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SDO, SKOS, XSD

from kg.errors import KGError
from kg.graph.rdf import GRAPH_PREFIX, doc_iri, graph_iri
from kg.vocab import ID_NS, KG, KG_NS

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
ONTOLOGY_GRAPH = ox.NamedNode(KG_NS.rstrip("#"))   # the ontology's own IRI names its graph


class StoreBusy(KGError):
    pass


def to_ox(term) -> ox.NamedNode | ox.Literal | ox.BlankNode:
    """An rdflib term as a pyoxigraph term."""
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


def to_rdflib(term):
    """A pyoxigraph term as an rdflib term (None stays None: an unbound variable)."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == str(XSD.string):
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise TypeError(f"not an RDF term: {term!r}")


@dataclass(frozen=True)
class DocumentInfo:
    doc_id: str
    source: str | None
    title: str | None
    date: str | None
    content_hash: str | None


class GraphStore:
    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        try:
            self.db = ox.Store(str(self.folder / "store"))
        except OSError as error:
            raise StoreBusy(f"[E081] cannot open the graph in {self.folder}: another kg process (kg build, kg serve, "
                            f"a Python session) holds it; stop it or let it finish ({error})") from None

    # --- documents -------------------------------------------------------------------------------------------------

    def replace_document(self, doc_id: str, triples: Iterable[tuple]) -> int:
        """Swap in one document's graph: its old facts go, the new ones come."""
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
            supported = any(other.graph_name != graph and other.graph_name != ONTOLOGY_GRAPH
                            and not isinstance(other.graph_name, ox.DefaultGraph)
                            for other in self.db.quads_for_pattern(q.subject, q.predicate, q.object, None))
            if not supported:
                self.db.remove(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()))
        self.db.remove_graph(graph)
        return True

    def has_document(self, doc_id: str) -> bool:
        return self.db.contains_named_graph(ox.NamedNode(str(graph_iri(doc_id))))

    def document_ids(self) -> list[str]:
        """The ids of every document in the store (curated fact files included), sorted."""
        return sorted(unquote(g.value[len(GRAPH_PREFIX):]) for g in self.db.named_graphs()
                      if isinstance(g, ox.NamedNode) and g.value.startswith(GRAPH_PREFIX))

    def documents(self) -> list[DocumentInfo]:
        out = []
        for doc_id in self.document_ids():
            graph = ox.NamedNode(str(graph_iri(doc_id)))
            node = ox.NamedNode(str(doc_iri(doc_id)))
            values = {}
            for quad in self.db.quads_for_pattern(node, None, None, graph):
                values.setdefault(quad.predicate.value, quad.object.value)
            out.append(DocumentInfo(doc_id, values.get(str(KG.sourceFile)), values.get(str(DCTERMS.title)),
                                    values.get(str(DCTERMS.date)), values.get(str(KG.contentHash))))
        return out

    def resolve(self, name: str) -> list[str]:
        """The documents ``name`` stands for: a document id, or the source file they were read from.

        A source file may hold several documents (a newspaper page with several stories): all of them are returned.
        The file may be named as it was at build time, by a path to the same file, or by its file name alone when
        only one source has that name.
        """
        docs = self.documents()
        if any(d.doc_id == name for d in docs):
            return [name]
        exact = [d.doc_id for d in docs if d.source == name]
        if exact:
            return exact
        try:
            target = Path(name).resolve()
            same = [d.doc_id for d in docs if d.source and Path(d.source).resolve() == target]
        except OSError:
            same = []
        if same:
            return same
        by_name = {}
        for d in docs:
            if d.source and Path(d.source).name == Path(name).name:
                by_name.setdefault(d.source, []).append(d.doc_id)
        if len(by_name) == 1:
            return next(iter(by_name.values()))
        if len(by_name) > 1:
            raise KGError(f"[E082] {name!r} matches several source files: {', '.join(sorted(by_name))}; "
                          f"give the path as it was built or a document id")
        return []

    def document_hash(self, doc_id: str) -> str | None:
        graph = ox.NamedNode(str(graph_iri(doc_id)))
        for quad in self.db.quads_for_pattern(ox.NamedNode(str(doc_iri(doc_id))), to_ox(KG.contentHash), None, graph):
            return quad.object.value
        return None

    def graph_quads(self, doc_id: str) -> list[ox.Quad]:
        """One document's graph, sorted."""
        graph = ox.NamedNode(str(graph_iri(doc_id)))
        return sorted(self.db.quads_for_pattern(None, None, None, graph),
                      key=lambda q: (str(q.subject), str(q.predicate), str(q.object)))

    # --- the ontology ----------------------------------------------------------------------------------------------

    def load_ontology(self, path: Path | None = None) -> int:
        """Put ``ontology/kg.ttl`` (or ``path``) into the ontology graph, replacing what was there."""
        if path is None:
            from kg.paths import ontology_dir

            path = ontology_dir() / "kg.ttl"
        if not Path(path).exists():
            return 0
        if self.db.contains_named_graph(ONTOLOGY_GRAPH):
            self.db.remove_graph(ONTOLOGY_GRAPH)
        self.db.load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ONTOLOGY_GRAPH)
        return sum(1 for _ in self.db.quads_for_pattern(None, None, None, ONTOLOGY_GRAPH))

    # --- reading ---------------------------------------------------------------------------------------------------

    def query(self, sparql: str, bindings: dict | None = None, *, with_ontology: bool = False):
        """Run SPARQL over the merged view (and the ontology with ``with_ontology``); kg's PREFIXES are predeclared.

        ``bindings`` maps variable names (without ``?``) to pyoxigraph or rdflib terms; they are substituted into the
        parsed query (SEP-0007), never pasted into its text.
        """
        substitutions = {ox.Variable(str(k).lstrip("?$")): v if isinstance(v, (ox.NamedNode, ox.Literal, ox.BlankNode))
                         else to_ox(v) for k, v in (bindings or {}).items()} or None
        default = [ox.DefaultGraph(), ONTOLOGY_GRAPH] if with_ontology else None
        return self.db.query(sparql, prefixes=PREFIXES, substitutions=substitutions, default_graph=default)

    def triples(self) -> list[ox.Triple]:
        """The merged view of every document's graph, sorted so that exports are byte-identical for the same input."""
        merged = (ox.Triple(q.subject, q.predicate, q.object)
                  for q in self.db.quads_for_pattern(None, None, None, ox.DefaultGraph()))
        return sorted(merged, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))

    def quads(self) -> list[ox.Quad]:
        """Every document's named graph (not the merged view, not the ontology), sorted."""
        named = (q for q in self.db.quads_for_pattern(None, None, None)
                 if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value.startswith(GRAPH_PREFIX))
        return sorted(named,
                      key=lambda q: (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object)))

    def serialize(self, fmt: str = "ttl") -> bytes:
        if fmt not in FORMATS:
            raise KGError(f"[E083] unknown RDF format {fmt!r}; known: {', '.join(FORMATS)}")
        data = self.quads() if fmt in QUAD_FORMATS else self.triples()
        out = io.BytesIO()
        prefixes = PREFIXES if fmt in ("ttl", "trig") else None
        ox.serialize(data, out, format=FORMATS[fmt], prefixes=prefixes)
        return out.getvalue()

    def export(self, path: Path, fmt: str = "ttl") -> int:
        """Write the graph whole or not at all: to a temporary file first, then renamed into place."""
        if fmt not in FORMATS:
            raise KGError(f"[E083] unknown RDF format {fmt!r}; known: {', '.join(FORMATS)}")
        data = self.quads() if fmt in QUAD_FORMATS else self.triples()
        prefixes = PREFIXES if fmt in ("ttl", "trig") else None
        tmp = Path(str(path) + ".tmp")
        with open(tmp, "wb") as out:
            ox.serialize(data, out, format=FORMATS[fmt], prefixes=prefixes)
        os.replace(tmp, path)
        return len(data)

    def rdflib_graph(self):
        """The merged view as an in-memory rdflib Graph (kg's prefixes bound)."""
        from rdflib import Graph

        graph = Graph()
        _bind(graph)
        graph.parse(data=self.serialize("nt"), format="nt")
        return graph

    def rdflib_dataset(self):
        """Every document's named graph as an in-memory rdflib Dataset."""
        from rdflib import Dataset

        dataset = Dataset()
        _bind(dataset)
        dataset.parse(data=self.serialize("nq"), format="nquads")
        return dataset

    def flush(self) -> None:
        self.db.flush()

    def snapshot(self, target: Path) -> Path:
        """A consistent copy of the store (hard links where it can) that a read-only reader may open."""
        self.db.flush()
        self.db.backup(str(target))
        return Path(target)

    def close(self) -> None:
        """Release the database (and its lock) now rather than at garbage collection."""
        if self.db is not None:
            self.db.flush()
            self.db = None


def _bind(graph) -> None:
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True)
    graph.bind("id", str(ID_NS))
