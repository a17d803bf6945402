"""kg validate: the SHACL shapes over the merged view, violations people can read, exit codes."""
from __future__ import annotations

import pytest
from click.testing import CliRunner
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS
from test_store import add, make_extraction

from kg.cli import main
from kg.graph.rdf import entity_iri
from kg.graph.store import GraphStore, to_ox
from kg.graph.validate import validate_graph, validate_store
from kg.vocab import KG
from kg.paths import ontology_dir


@pytest.fixture
def folder(tmp_path):
    store = GraphStore(tmp_path)
    add(store, make_extraction("a", [("中欧班列", "departsFrom", "义乌市"), ("义乌市", "locatedIn", "金华市")]))
    store.close()
    return tmp_path


def test_extracted_graph_conforms(folder):
    store = GraphStore(folder)
    report = validate_store(store, ontology=ontology_dir())
    store.close()
    assert report.conforms, [str(v) for v in report.violations]
    assert report.triples > 20


BROKEN = [   # (what, triples added to the graph, focus label, path, words in the message)
    ("route departs from a route", [(entity_iri("义乌市"), KG.departsFrom, entity_iri("金华市"))],
     "义乌市", None, "The subject of kg:departsFrom is a kg:Route"),
    ("second label", [(entity_iri("金华市"), RDFS.label, Literal("婺城", lang="zh"))],
     "金华市", "rdfs:label", "exactly one rdfs:label"),
    ("entity never mentioned", [(entity_iri("无名港"), RDF.type, KG.Facility),
                                (entity_iri("无名港"), RDFS.label, Literal("无名港", lang="zh"))],
     "无名港", "kg:mentionedIn", "kg:mentionedIn"),
    ("located in an untyped thing", [(entity_iri("义乌市"), KG.locatedIn, URIRef("http://example.org/kg/id/entity/X"))],
     "义乌市", "kg:locatedIn", "kg:Place"),
]


@pytest.mark.parametrize("extra, focus, path, words", [c[1:] for c in BROKEN], ids=[c[0] for c in BROKEN])
def test_violations_name_the_node_path_and_problem(folder, extra, focus, path, words):
    store = GraphStore(folder)
    graph = store.rdflib_graph()
    store.close()
    for t in extra:
        graph.add(t)
    report = validate_graph(graph, ontology=ontology_dir())
    assert not report.conforms
    found = [v for v in report.errors if v.focus_label == focus and v.path == path]
    assert found, [str(v) for v in report.violations]
    assert words in found[0].message
    assert focus in str(found[0]) and (path or "") in str(found[0])


def test_cli_validate_exit_codes(folder):
    runner = CliRunner()
    ok = runner.invoke(main, ["validate", str(folder)])
    assert ok.exit_code == 0, ok.output
    assert "valid" in ok.output
    store = GraphStore(folder)
    from pyoxigraph import DefaultGraph, Quad

    store.db.add(Quad(to_ox(entity_iri("义乌市")), to_ox(KG.departsFrom), to_ox(entity_iri("金华市")), DefaultGraph()))
    store.close()
    bad = runner.invoke(main, ["validate", str(folder)])
    assert bad.exit_code == 1
    assert "义乌市: The subject of kg:departsFrom is a kg:Route" in bad.output
    as_json = runner.invoke(main, ["validate", str(folder), "--format", "json"])
    assert as_json.exit_code == 1 and '"focus": "义乌市"' in as_json.output
