"""kg: Chinese trade and logistics news -> an RDF knowledge graph you can query and explore.

The Python API mirrors the command line; nothing heavy is imported until it is used::

    import kg

    report = kg.build(["articles/"], "out")          # ingest, extract, store; returns a BuildReport
    with kg.open("out") as graph:
        for row in graph.query("SELECT ?e ?label WHERE { ?e rdfs:label ?label }"):
            print(row["e"], row["label"])             # rdflib terms
        rows = graph.named_query("routes_from", place="义乌")
        g = graph.graph()                             # the merged view as an rdflib Graph
        graph.export("out/graph.trig", "trig")        # ttl, nt, nq, trig, jsonld, graphml, csv

``query`` binds keyword parameters into the parsed query (never into its text): ``graph.query(SPARQL, place=iri)``
with an rdflib term (or a string, taken as a literal); a bound variable must be projected (``SELECT ?place …``). SELECT answers are a list of dicts of rdflib terms (an unbound
variable is absent), CONSTRUCT/DESCRIBE an rdflib Graph, ASK a bool. The prefixes kg, rdf, rdfs, owl, xsd, skos,
dcterms, prov, schema and wd are predeclared.
"""
from __future__ import annotations

from pathlib import Path

__all__ = ["build", "open", "KnowledgeGraph", "entity_iri"]


def build(paths, out, **options):
    """Build (or update) the graph in ``out`` from articles (files or folders); see ``kg.build.build``.

    Returns a ``BuildReport`` (documents built, unchanged, skipped with the reason; counts; validation).
    """
    from kg.build import build_paths

    return build_paths(paths, out, **options)


def open(folder) -> "KnowledgeGraph":   # noqa: A001 (kg.open reads like the built-in it resembles)
    """Open the graph built in ``folder`` (it holds the store the build wrote). Close it, or use ``with``."""
    from kg.graph.store import GraphStore

    folder = Path(folder)
    return KnowledgeGraph(folder, GraphStore.open_existing(folder, hint=f"kg.build(ARTICLES, {str(folder)!r})"))


def entity_iri(key: str):
    """The IRI kg gives the entity with canonical key ``key`` (an rdflib URIRef)."""
    from kg.graph.rdf import entity_iri as mint

    return mint(key)


class KnowledgeGraph:
    """A built graph folder: SPARQL, named queries, rdflib views, exports, validation, curated facts."""

    def __init__(self, folder: Path, store=None):
        from kg.graph.store import GraphStore

        self.folder = Path(folder)
        self.store = store or GraphStore.open_existing(self.folder)

    def __enter__(self) -> "KnowledgeGraph":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Release the store (another process may open it afterwards)."""
        if self.store is not None:
            self.store.close()
            self.store = None

    def __repr__(self) -> str:
        return f"<kg.KnowledgeGraph {str(self.folder)!r}>"

    # --- SPARQL -----------------------------------------------------------------------------------------------------

    def query(self, sparql: str, *, allow_service: tuple[str, ...] = (), **params):
        """Run SPARQL over the merged view and the ontology, with ``params`` bound by name (``?place`` <- place=…).

        A SERVICE call is refused unless its IRI starts with one of ``allow_service`` (``kg.graph.query``).

        Values are rdflib terms; a plain str or number becomes a literal. Returns a list of dicts of rdflib terms
        (SELECT), an rdflib Graph (CONSTRUCT, DESCRIBE) or a bool (ASK).
        """
        from rdflib import Literal
        from rdflib.term import Node

        from kg.errors import QueryError
        from kg.graph.query import refuse_service
        from kg.graph.store import PREFIXES, bound

        refuse_service(sparql, tuple(allow_service))
        bindings = {k: v if isinstance(v, Node) else Literal(v) for k, v in params.items()}
        try:
            sparql, substitutions = bound(sparql, bindings)
            result = self.store.db.query(sparql, prefixes=PREFIXES, substitutions=substitutions,
                                         default_graph=_default_graph())
        except SyntaxError as error:
            raise QueryError(f"[E020] SPARQL syntax error: {error}") from None
        except RuntimeError as error:
            raise QueryError(f"[E024] cannot run the query: {error}"
                             + ("; a bound parameter must be a projected variable (SELECT ?it … or SELECT *)"
                                if "projection" in str(error) else "")) from None
        return _rdflib_result(result)

    def named_query(self, name: str, **params) -> list[dict]:
        """Run a named query from ``ontology/queries/`` (``kg query --list``); values as on the command line."""
        from kg.graph.query import bind_params, get_named_query
        from kg.graph.store import to_rdflib

        query = get_named_query(name)
        bindings, _ = bind_params(self.store, query, {k: str(v) for k, v in params.items()})
        return self.query(query.text, **{k: to_rdflib(v) for k, v in bindings.items()})

    def named_queries(self) -> dict:
        from kg.graph.query import named_queries

        return named_queries()

    # --- rdflib views and exports -----------------------------------------------------------------------------------

    def graph(self):
        """The merged view (every fact once) as an in-memory rdflib Graph."""
        return self.store.rdflib_graph()

    def dataset(self):
        """One named graph per document, as an in-memory rdflib Dataset."""
        return self.store.rdflib_dataset()

    def documents(self):
        """Every document in the graph: DocumentInfo(doc_id, source, title, date, content_hash)."""
        return self.store.documents()

    def export(self, path, format: str | None = None) -> Path:   # noqa: A002 (the CLI's option name)
        """Write the graph: ttl, nt, nq, trig, jsonld (from the file name when ``format`` is None), graphml, or csv
        (``path`` is then a folder that gets nodes.csv and edges.csv)."""
        path = Path(path)
        fmt = format or {".ttl": "ttl", ".nt": "nt", ".nq": "nq", ".trig": "trig", ".jsonld": "jsonld",
                         ".json": "jsonld", ".graphml": "graphml"}.get(path.suffix.lower(), "csv")
        if fmt == "graphml":
            from kg.graph.tabular import write_graphml

            write_graphml(self.store, path)
        elif fmt == "csv":
            from kg.graph.tabular import write_csv

            write_csv(self.store, path)
        else:
            self.store.export(path, fmt)
        return path

    # --- changes ----------------------------------------------------------------------------------------------------

    def validate(self):
        """Check the graph against ontology/shapes.ttl: a ValidationReport (``.conforms``, ``.violations``)."""
        from kg.graph.validate import validate_store

        return validate_store(self.store)

    def add_facts(self, path, *, force: bool = False):
        """Add a Turtle or CSV file of hand-written facts as a document of its own; a CuratedReport."""
        from kg.graph.curated import add_facts

        self.store.load_ontology()
        report = add_facts(self.store, Path(path), force=force)
        self.store.export(self.folder / "graph.ttl", "ttl")
        return report

    def remove(self, document: str) -> list[str]:
        """Remove a document (by id, or by its source file as built or another path to that file); facts other
        documents state stay. The ids removed: none for a name that names no document in the graph."""
        ids = self.store.remove_documents(self.store.resolve(document))
        if ids:
            self.store.export(self.folder / "graph.ttl", "ttl")
        return ids


def _default_graph():
    import pyoxigraph as ox

    from kg.graph.store import ONTOLOGY_GRAPH

    return [ox.DefaultGraph(), ONTOLOGY_GRAPH]


def _rdflib_result(result):
    import pyoxigraph as ox
    from rdflib import Graph

    from kg.graph.store import _bind, to_rdflib

    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    if isinstance(result, ox.QuerySolutions):
        names = [v.value for v in result.variables]
        return [{n: to_rdflib(s[n]) for n in names if s[n] is not None} for s in result]
    graph = Graph()
    _bind(graph)
    for t in result:
        graph.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    return graph
