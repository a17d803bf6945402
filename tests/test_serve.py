"""kg serve: a read-only SPARQL 1.1 Protocol endpoint on 127.0.0.1 beside the explorer page."""
from __future__ import annotations

import json
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest
from test_store import add, make_extraction

from kg.graph.serve import KGServer, _negotiate, GRAPH_TYPES, SOLUTION_TYPES
from kg.graph.store import GraphStore

SELECT = "SELECT ?label WHERE { ?e a kg:City ; rdfs:label ?label } ORDER BY ?label"
PREFIXED = "PREFIX kg: <http://example.org/kg/ontology#>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("serve")
    store = GraphStore(folder)
    add(store, make_extraction("a", [("中欧班列", "departsFrom", "义乌市"), ("义乌市", "locatedIn", "金华市")]))
    store.load_ontology()
    store.close()
    (folder / "explorer.html").write_text("<!doctype html><title>kg explorer</title>", encoding="utf-8")
    server = KGServer(folder, port=0, timeout=1.0, workers=2)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.close()


def call(url, *, data=None, headers=None, method=None):
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read()


def test_explorer_at_root(server):
    status, media, body = call(server.url + "/")
    assert (status, media.split(";")[0]) == (200, "text/html") and b"kg explorer" in body


def labels(body: bytes) -> list[str]:
    return [row["label"]["value"] for row in json.loads(body)["results"]["bindings"]]


REQUESTS = [   # how the query travels
    ("GET", lambda q: ("/sparql?" + urllib.parse.urlencode({"query": q}), None, {})),
    ("POST form", lambda q: ("/sparql", urllib.parse.urlencode({"query": q}).encode(),
                             {"Content-Type": "application/x-www-form-urlencoded"})),
    ("POST direct", lambda q: ("/sparql", q.encode(), {"Content-Type": "application/sparql-query"})),
]


@pytest.mark.parametrize("how", [r[1] for r in REQUESTS], ids=[r[0] for r in REQUESTS])
def test_select_by_every_protocol_operation(server, how):
    path, data, headers = how(PREFIXED + SELECT)
    status, media, body = call(server.url + path, data=data, headers=headers)
    assert status == 200, body
    assert media.startswith("application/sparql-results+json")
    assert labels(body) == ["义乌市", "金华市"]


def test_kg_prefixes_and_ontology_are_available(server):
    query = "SELECT ?label WHERE { ?e a/rdfs:subClassOf* kg:Place ; rdfs:label ?label } ORDER BY ?label"
    status, _, body = call(server.url + "/sparql?" + urllib.parse.urlencode({"query": query}))
    assert status == 200 and labels(body) == ["义乌市", "金华市"]


FORMATS = [
    (SELECT, "text/csv", "text/csv", b"label"),
    (SELECT, "application/sparql-results+xml", "application/sparql-results+xml", b"<sparql"),
    ("ASK { ?s kg:departsFrom ?o }", "application/sparql-results+json", "application/sparql-results+json",
     b"true"),
    ("CONSTRUCT { ?s kg:departsFrom ?o } WHERE { ?s kg:departsFrom ?o }", "text/turtle", "text/turtle",
     b"departsFrom"),
    ("CONSTRUCT { ?s kg:departsFrom ?o } WHERE { ?s kg:departsFrom ?o }", "application/n-triples",
     "application/n-triples", b"> <http://example.org/kg/ontology#departsFrom> <"),
]


@pytest.mark.parametrize("query, accept, media, needle", FORMATS, ids=[f[1] + " " + f[0][:9] for f in FORMATS])
def test_results_by_accept_header(server, query, accept, media, needle):
    status, got, body = call(server.url + "/sparql?" + urllib.parse.urlencode({"query": query}),
                             headers={"Accept": accept})
    assert status == 200, body
    assert got.split(";")[0] == media and needle in body


REFUSED = [
    ("update form", "/sparql", urllib.parse.urlencode({"update": "DROP ALL"}).encode(),
     {"Content-Type": "application/x-www-form-urlencoded"}, "POST"),
    ("update body", "/sparql", b"DROP ALL", {"Content-Type": "application/sparql-update"}, "POST"),
    ("update in GET", "/sparql?update=DROP%20ALL", None, {}, "GET"),
    ("PUT", "/sparql", b"<a> <b> <c> .", {"Content-Type": "application/n-triples"}, "PUT"),
    ("DELETE", "/sparql", None, {}, "DELETE"),
]


@pytest.mark.parametrize("path, data, headers, method", [r[1:] for r in REFUSED], ids=[r[0] for r in REFUSED])
def test_updates_are_refused(server, path, data, headers, method):
    status, _, body = call(server.url + path, data=data, headers=headers, method=method)
    assert status == 403 and b"read-only" in body
    assert labels(call(server.url + "/sparql?" + urllib.parse.urlencode({"query": SELECT}))[2]) == ["义乌市", "金华市"]


def test_update_disguised_as_a_query_is_a_syntax_error(server):
    status, _, body = call(server.url + "/sparql?" + urllib.parse.urlencode({"query": "DELETE WHERE { ?s ?p ?o }"}))
    assert status == 400


def test_slow_query_times_out_and_the_server_goes_on(server):
    status, _, body = call(server.url + "/sparql?" + urllib.parse.urlencode({"query": SLOW}))
    assert status == 503 and b"timed out" in body
    status, _, body = call(server.url + "/sparql?" + urllib.parse.urlencode({"query": SELECT}))
    assert status == 200 and labels(body) == ["义乌市", "金华市"]


def test_binds_localhost_only(server):
    assert server.server_address[0] == "127.0.0.1"


@pytest.mark.parametrize("accept, table, expected", [
    ("", SOLUTION_TYPES, "application/sparql-results+json"),
    ("text/csv;q=0.5, application/sparql-results+xml", SOLUTION_TYPES, "application/sparql-results+xml"),
    ("*/*", GRAPH_TYPES, "text/turtle"),
    ("application/ld+json", GRAPH_TYPES, "application/ld+json"),
])
def test_negotiation(accept, table, expected):
    default = "text/turtle" if table is GRAPH_TYPES else "application/sparql-results+json"
    assert _negotiate(accept, table, default)[0] == expected
