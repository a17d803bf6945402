"""kg push: one named graph per document into a live Oxigraph server (Graph Store Protocol), re-push replaces,
documents removed locally are deleted remotely, nothing is duplicated or lost."""
from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_store import add, make_extraction

from kg.cli import main
from kg.graph.push import PushError, push, query_endpoint_for
from kg.graph.store import GraphStore
from kg.paths import ontology_dir

OXIGRAPH = Path(__file__).resolve().parent.parent / ".venv" / "bin" / "oxigraph"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    binary = str(OXIGRAPH) if OXIGRAPH.exists() else shutil.which("oxigraph")
    if not binary:
        pytest.skip("the oxigraph CLI (pip install oxigraph) is not installed")
    port = free_port()
    process = subprocess.Popen([binary, "serve", "--location", str(tmp_path / "remote"), "--bind",
                                f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(url + "/query?query=" + urllib.parse.quote("ASK {}"), timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    else:
        process.kill()
        pytest.fail("oxigraph serve did not start")
    yield url
    process.terminate()
    process.wait(10)


def remote(url: str, sparql: str) -> list[dict]:
    request = urllib.request.Request(url + "/query", data=urllib.parse.urlencode({"query": sparql}).encode(),
                                     headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())["results"]["bindings"]


def remote_counts(url: str) -> dict[str, int]:
    rows = remote(url, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    return {r["g"]["value"]: int(r["n"]["value"]) for r in rows}


def local_counts(store) -> dict[str, int]:
    from kg.graph.rdf import graph_iri

    return {str(graph_iri(d)): len(store.graph_quads(d)) for d in store.document_ids()}


def test_push_round_trip(server, tmp_path):
    store = GraphStore(tmp_path / "g")
    add(store, make_extraction("a", [("中欧班列", "departsFrom", "义乌市")]))
    add(store, make_extraction("b", [("义乌市", "locatedIn", "金华市"), ("中欧班列", "departsFrom", "义乌市")]))
    add(store, make_extraction("c", [("宁波舟山港", "locatedIn", "浙江省")]))
    store.load_ontology(ontology_dir() / "kg.ttl")
    report = push(store, server + "/store")
    assert len(report.pushed) == 4 and report.deleted == []
    counts = remote_counts(server)
    ontology = counts.pop("http://example.org/kg/ontology")
    assert ontology > 100
    assert counts == local_counts(store)

    # pushing again changes nothing: PUT replaces, so nothing is duplicated
    push(store, server + "/store")
    assert {k: v for k, v in remote_counts(server).items() if "/id/graph/" in k} == local_counts(store)

    # change one document, remove another, push: replaced and deleted remotely, the third untouched
    add(store, make_extraction("a", [("中欧班列", "destination", "马德里")]))
    store.remove_document("c")
    report = push(store, server + "/store")
    assert report.deleted == ["http://example.org/kg/id/graph/c"]
    assert {k: v for k, v in remote_counts(server).items() if "/id/graph/" in k} == local_counts(store)
    rows = remote(server, """PREFIX kg: <http://example.org/kg/ontology#>
        SELECT ?g ?o WHERE { GRAPH ?g { ?s kg:departsFrom|kg:destination ?o } } ORDER BY ?g ?o""")
    found = {(r["g"]["value"].rsplit("/", 1)[1], urllib.parse.unquote(r["o"]["value"].rsplit("/", 1)[1]))
             for r in rows}
    assert found == {("a", "马德里"), ("b", "义乌市")}
    store.close()


def test_push_keeps_other_graphs_on_the_server(server, tmp_path):
    other = "http://other.example/graph"
    request = urllib.request.Request(server + "/store?graph=" + urllib.parse.quote(other, safe=""), method="PUT",
                                     data=b"<http://other.example/s> <http://other.example/p> \"x\" .\n",
                                     headers={"Content-Type": "application/n-triples"})
    urllib.request.urlopen(request, timeout=10)
    store = GraphStore(tmp_path / "g")
    add(store, make_extraction("a", [("中欧班列", "departsFrom", "义乌市")]))
    result = CliRunner().invoke(main, ["push", str(tmp_path / "g"), "--endpoint", server + "/store"])
    assert result.exit_code == 2 and "E081" in result.output      # the store is open in this process
    store.close()
    result = CliRunner().invoke(main, ["push", str(tmp_path / "g"), "--endpoint", server + "/store"])
    assert result.exit_code == 0, result.output
    assert "pushed 1 graphs" in result.output
    assert remote_counts(server)[other] == 1


@pytest.mark.parametrize("endpoint, query", [
    ("http://127.0.0.1:7878/store", "http://127.0.0.1:7878/query"),
    ("http://127.0.0.1:3030/ds/data", "http://127.0.0.1:3030/ds/query"),
    ("http://127.0.0.1:9999/sparql", "http://127.0.0.1:9999/sparql"),
])
def test_query_endpoint_is_derived(endpoint, query):
    assert query_endpoint_for(endpoint) == query


def test_unreachable_server_is_a_clean_error(tmp_path):
    store = GraphStore(tmp_path / "g")
    add(store, make_extraction("a", [("中欧班列", "departsFrom", "义乌市")]))
    with pytest.raises(PushError, match="E112"):
        push(store, f"http://127.0.0.1:{free_port()}/store")
    store.close()
