"""Exports: every RDF format round-trips through a second parser (pyoxigraph <-> rdflib) to an isomorphic graph;
GraphML and CSV give entities as nodes and relations as edges."""
from __future__ import annotations

import csv

import networkx as nx
import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic, to_isomorphic
from test_store import add, make_extraction

from kg.graph.rdf import entity_iri
from kg.graph.store import GraphStore
from kg.graph.tabular import write_csv, write_graphml
from kg.paths import ontology_dir

FACTS_A = [("中欧班列", "departsFrom", "义乌市"), ("中欧班列", "destination", "马德里"),
           ('"义新欧" 班列 <测试>', "departsFrom", "义乌市")]
FACTS_B = [("义乌市", "locatedIn", "金华市"), ("中欧班列", "departsFrom", "义乌市")]

TRIPLE_FORMATS = {"ttl": ("turtle", ox.RdfFormat.TURTLE), "nt": ("nt", ox.RdfFormat.N_TRIPLES),
                  "jsonld": ("json-ld", ox.RdfFormat.JSON_LD)}
QUAD_FORMATS = {"trig": ("trig", ox.RdfFormat.TRIG), "nq": ("nquads", ox.RdfFormat.N_QUADS)}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    store = GraphStore(tmp_path_factory.mktemp("export"))
    add(store, make_extraction("a", FACTS_A))
    add(store, make_extraction("b", FACTS_B))
    store.load_ontology(ontology_dir() / "kg.ttl")
    yield store
    store.close()


def reference(store) -> Graph:
    """The merged view, term by term, without any serialisation in between."""
    from kg.graph.store import to_rdflib

    graph = Graph()
    for t in store.triples():
        graph.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    return graph


@pytest.mark.parametrize("fmt", sorted(TRIPLE_FORMATS))
def test_triple_formats_round_trip_through_rdflib(store, tmp_path, fmt):
    rdflib_name, _ = TRIPLE_FORMATS[fmt]
    path = tmp_path / f"g.{fmt}"
    count = store.export(path, fmt)
    parsed = Graph().parse(path, format=rdflib_name)
    assert len(parsed) == count == len(store.triples())
    assert isomorphic(parsed, reference(store))


@pytest.mark.parametrize("fmt", sorted(TRIPLE_FORMATS))
def test_rdflib_output_reads_back_in_pyoxigraph(store, fmt):
    rdflib_name, ox_format = TRIPLE_FORMATS[fmt]
    data = reference(store).serialize(format=rdflib_name, encoding="utf-8")
    back = Graph()
    from kg.graph.store import to_rdflib

    for t in ox.parse(data, format=ox_format):
        back.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    assert to_isomorphic(back) == to_isomorphic(reference(store))


@pytest.mark.parametrize("fmt", sorted(QUAD_FORMATS))
def test_quad_formats_keep_one_graph_per_document(store, tmp_path, fmt):
    rdflib_name, ox_format = QUAD_FORMATS[fmt]
    path = tmp_path / f"g.{fmt}"
    store.export(path, fmt)
    dataset = Dataset()
    dataset.parse(path, format=rdflib_name)
    graphs = {str(g.identifier): g for g in dataset.graphs() if len(g)}
    assert set(graphs) == {"http://example.org/kg/id/graph/a", "http://example.org/kg/id/graph/b"}
    for doc_id, g in graphs.items():
        ours = Graph()
        from kg.graph.store import to_rdflib

        for q in store.graph_quads(doc_id.rsplit("/", 1)[1]):
            ours.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
        assert isomorphic(Graph() + g, ours)
    # and back: rdflib's serialisation reads in pyoxigraph to the same quads
    data = dataset.serialize(format=rdflib_name, encoding="utf-8")
    assert sorted(map(str, ox.parse(data, format=ox_format))) == sorted(map(str, store.quads()))


def test_shared_fact_is_once_in_the_merged_view_and_in_both_graphs(store):
    from kg.vocab import KG

    s, p, o = (ox.NamedNode(str(entity_iri("中欧班列"))), ox.NamedNode(str(KG.departsFrom)),
               ox.NamedNode(str(entity_iri("义乌市"))))
    assert sum(1 for t in store.triples() if (t.subject, t.predicate, t.object) == (s, p, o)) == 1
    assert {q.graph_name.value for q in store.quads() if (q.subject, q.predicate, q.object) == (s, p, o)} == {
        "http://example.org/kg/id/graph/a", "http://example.org/kg/id/graph/b"}


def test_graphml_has_entities_and_relations(store, tmp_path):
    nodes, edges = write_graphml(store, tmp_path / "g.graphml", ontology=ontology_dir())
    graph = nx.read_graphml(tmp_path / "g.graphml")
    assert graph.number_of_nodes() == nodes == 5
    assert graph.number_of_edges() == edges == 4
    route = graph.nodes[str(entity_iri("中欧班列"))]
    assert (route["label"], route["class"], route["documents"]) == ("中欧班列", "Route", 2)
    props = {d["property"] for _, _, d in graph.edges(data=True)}
    assert props == {"departsFrom", "destination", "locatedIn"}


def test_csv_nodes_and_edges_for_spreadsheets(store, tmp_path):
    write_csv(store, tmp_path / "csv", ontology=ontology_dir())
    with open(tmp_path / "csv" / "nodes.csv", encoding="utf-8-sig") as f:
        nodes = list(csv.DictReader(f))
    with open(tmp_path / "csv" / "edges.csv", encoding="utf-8-sig") as f:
        edges = list(csv.DictReader(f))
    assert {n["Label"]: n["class"] for n in nodes}["马德里"] == "City"
    assert {(e["source_label"], e["property"], e["target_label"]) for e in edges} == {
        ("中欧班列", "departsFrom", "义乌市"), ("中欧班列", "destination", "马德里"),
        ('"义新欧" 班列 <测试>', "departsFrom", "义乌市"), ("义乌市", "locatedIn", "金华市")}
    shared = [e for e in edges if e["source_label"] == "中欧班列" and e["property"] == "departsFrom"][0]
    assert (shared["documents"], shared["Type"], shared["Label"]) == ("2", "Directed", "始发于")
    assert {e["Source"] for e in edges} <= {n["Id"] for n in nodes}


def test_conjunctive_view_is_the_merged_view(store, tmp_path):
    store.export(tmp_path / "g.nq", "nq")
    dataset = Dataset()
    dataset.parse(tmp_path / "g.nq", format="nquads")
    union = Graph()
    for graph in dataset.graphs():
        union += graph
    assert isomorphic(union, reference(store))


def test_jsonld_has_a_context_of_kg_prefixes_and_reads_back_in_pyoxigraph(store):
    import json

    from kg.graph.store import PREFIXES

    data = store.serialize("jsonld")
    document = json.loads(data)
    assert {k: document["@context"][k] for k in PREFIXES} == PREFIXES
    assert document["@context"]["id"] == "http://example.org/kg/id/"
    keys = {k for node in document["@graph"] for k in node}
    assert {"kg:departsFrom", "rdf:type", "rdfs:label"} <= keys
    ids = {str(entity_iri(name)).replace("http://example.org/kg/id/", "id:") for name in ("义乌市", "中欧班列")}
    assert {node["@id"] for node in document["@graph"]} >= ids
    assert len(list(ox.parse(data, format=ox.RdfFormat.JSON_LD))) == len(store.triples())
    assert store.serialize("jsonld") == data     # the same graph, the same bytes
