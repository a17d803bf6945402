"""kg: Chinese trade and logistics news -> an RDF knowledge graph you can query and explore.

The Python API mirrors the command line; nothing heavy is imported until it is used::

    import kg

    report = kg.build(["articles/"], "out")          # ingest, extract, store; returns a BuildReport
    with kg.open("out") as graph:
        for row in graph.query("SELECT ?e ?label WHERE { ?e rdfs:label ?label }"):
            print(row["e"], row["label"])             # rdflib terms
        rows = graph.named_query("routes_from", place="义乌")
        g = graph.graph()                             # the merged view as an rdflib Graph
        graph.export("out/graph.trig")               # by suffix: ttl nt nq trig jsonld graphml; "csv": a folder

``query`` binds keyword parameters into the parsed query (never into its text): ``graph.query(SPARQL, place=iri)``
with an rdflib term (or a string, taken as a literal); a bound variable must be projected (``SELECT ?place …``). SELECT answers are a list of dicts of rdflib terms (an unbound
variable is absent), CONSTRUCT/DESCRIBE an rdflib Graph, ASK a bool. The prefixes kg, rdf, rdfs, owl, xsd, skos,
dcterms, prov, schema and wd are predeclared.
"""
from __future__ import annotations

from kg.folder import KnowledgeGraph

__all__ = ["build", "open", "KnowledgeGraph", "entity_iri"]


def build(paths, out, **options):
    """Build (or update) the graph in ``out`` from articles (files or folders); see ``kg.build.build``.

    Returns a ``BuildReport`` (documents built, unchanged, skipped with the reason; counts; validation).
    """
    from kg.build import build_paths

    return build_paths(paths, out, **options)


def open(folder, *, readonly: bool = False, ontology=None) -> "KnowledgeGraph":   # noqa: A001 (like the built-in)
    """Open the graph built in ``folder`` (it holds the store the build wrote); ``readonly`` refuses changes;
    ``ontology`` another ontology folder than kg's (named queries, shapes, labels). Close it, or use ``with``."""
    return KnowledgeGraph(folder, readonly=readonly, hint=f"kg.build(ARTICLES, {str(folder)!r})", ontology=ontology)


def entity_iri(key: str):
    """The IRI kg gives the entity with canonical key ``key`` (an rdflib URIRef)."""
    from kg.graph.rdf import entity_iri as mint

    return mint(key)
