"""The Python facade: ``import kg`` is light; kg.open gives SPARQL with bound parameters, rdflib views, exports."""
from __future__ import annotations

import subprocess
import sys

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from test_store import add, make_extraction

import kg
from kg.graph.store import GraphStore
from kg.paths import ontology_dir


@pytest.fixture
def folder(tmp_path):
    store = GraphStore(tmp_path / "g")
    add(store, make_extraction("a", [("中欧班列", "departsFrom", "义乌市"), ("义乌市", "locatedIn", "金华市")],
                               title="义新欧班列开行提速"))
    add(store, make_extraction("b", [("宁波舟山港", "locatedIn", "浙江省")]))
    store.load_ontology(ontology_dir() / "kg.ttl")
    store.close()
    return tmp_path / "g"


def test_import_kg_loads_nothing_heavy():
    code = ("import sys, kg; heavy = [m for m in ('spacy', 'rdflib', 'pyoxigraph', 'pyshacl', 'networkx', 'click') "
            "if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_facade_is_documented():
    assert "kg.open" in kg.__doc__
    for name in ("build", "open", "entity_iri"):
        assert getattr(kg, name).__doc__
    for name in ("query", "named_query", "graph", "dataset", "export", "validate", "add_facts", "remove"):
        assert getattr(kg.KnowledgeGraph, name).__doc__


def test_build_stays_callable_after_its_module_is_imported():
    import kg.build  # noqa: F401 (the submodule import rebinds the attribute kg.build)

    assert callable(kg.build)


def test_query_returns_rdflib_terms_with_bound_parameters(folder):
    with kg.open(folder) as graph:
        rows = graph.query("SELECT ?route ?label ?place WHERE { ?route kg:departsFrom ?place ; rdfs:label ?label }",
                           place=kg.entity_iri("义乌市"))
        assert rows == [{"route": kg.entity_iri("中欧班列"), "label": Literal("中欧班列", lang="zh"),
                         "place": kg.entity_iri("义乌市")}]
        none = graph.query("SELECT ?route ?place WHERE { ?route kg:departsFrom ?place }", place="义乌市")
        assert none == []        # a str is a literal, not the entity
        assert graph.query("ASK { ?s kg:locatedIn ?o }") is True
        built = graph.query("CONSTRUCT { ?s kg:locatedIn ?o } WHERE { ?s kg:locatedIn ?o }")
        assert isinstance(built, Graph) and len(built) == 2


def test_named_query_and_labels(folder):
    with kg.open(folder) as graph:
        rows = graph.named_query("routes_from", place="义乌市")
        assert {r["routeLabel"] for r in rows} == {Literal("中欧班列", lang="zh")}
        assert isinstance(rows[0]["route"], URIRef)


def test_graph_dataset_and_export(folder, tmp_path):
    with kg.open(folder) as graph:
        merged = graph.graph()
        assert isinstance(merged, Graph) and len(merged) == len(graph.store.triples())
        dataset = graph.dataset()
        assert isinstance(dataset, Dataset)
        assert {str(g.identifier) for g in dataset.graphs() if len(g)} == {
            "http://example.org/kg/id/graph/a", "http://example.org/kg/id/graph/b"}
        for name in ("g.ttl", "g.trig", "g.nq", "g.nt", "g.jsonld", "g.graphml"):
            assert graph.export(tmp_path / name).stat().st_size > 0
        graph.export(tmp_path / "tables", "csv")
        assert (tmp_path / "tables" / "edges.csv").exists()
        assert [d.doc_id for d in graph.documents()] == ["a", "b"]


def test_validate_add_facts_remove(folder, tmp_path):
    facts = tmp_path / "facts.csv"
    facts.write_text("义乌市,exportsTo,马德里\n", encoding="utf-8")
    with kg.open(folder) as graph:
        assert graph.validate().conforms
        report = graph.add_facts(facts)
        assert report.facts == 1
        assert graph.query("ASK { ?s kg:exportsTo ?o }") is True
        assert graph.remove(str(facts)) == [report.doc_id]
        assert graph.query("ASK { ?s kg:exportsTo ?o }") is False
        assert graph.remove("a") == ["a"]
        assert graph.query("ASK { ?s kg:locatedIn ?o }") is True     # document b states one too


def test_open_needs_a_built_folder(tmp_path):
    from kg.errors import KGError

    with pytest.raises(KGError, match="E080"):
        kg.open(tmp_path)


def test_a_closed_graph_frees_the_store(folder):
    graph = kg.open(folder)
    graph.close()
    with kg.open(folder) as again:
        assert again.documents()
