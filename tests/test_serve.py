"""kg serve: a read-only SPARQL 1.1 Protocol endpoint on 127.0.0.1 beside the explorer page.

Every test talks to a real server process (``python -m kg.cli serve DIR --port 0``) over real sockets."""
from __future__ import annotations

import csv
import io
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyoxigraph as ox
import pytest
from test_query import NO_SERVICE, SERVICE_CALLS, Victim, _queries
from test_store import add, make_extraction

from kg.graph.serve import _negotiate, GRAPH_TYPES, SOLUTION_TYPES
from kg.graph.store import ONTOLOGY_GRAPH, GraphStore
from kg.paths import ontology_dir

ROOT = Path(__file__).resolve().parents[1]
SELECT = "SELECT ?label WHERE { ?e a kg:City ; rdfs:label ?label } ORDER BY ?label"
PREFIXED = "PREFIX kg: <http://example.org/kg/ontology#>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
ODD = ox.Literal('a tab\there, a line\nend, a "quote", a <tag> & a comma,')   # a literal every format must escape
OPTIONS = ["--timeout", "5", "--workers", "2", "--max-rows", "1000", "--max-bytes", "262144"]


def make_graph(folder: Path) -> Path:
    store = GraphStore(folder)
    add(store, make_extraction("a", [("中欧班列", "departsFrom", "义乌市"), ("义乌市", "locatedIn", "金华市")]))
    store.db.add(ox.Quad(ox.NamedNode("http://example.org/odd"), ox.NamedNode("http://example.org/says"), ODD))
    store.load_ontology(ontology_dir() / "kg.ttl")
    store.close()
    (folder / "explorer.html").write_text("<!doctype html><title>kg explorer</title>", encoding="utf-8")
    return folder


class Served:
    """``kg serve FOLDER --port 0`` in its own process; ``url`` is where it listens."""

    def __init__(self, folder: Path, *options: str):
        self.folder = folder
        self.process = subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", str(folder), "--port", "0",
                                         *options], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.process.stdout.readline()
        if not line.startswith("explorer: "):
            self.process.kill()
            raise RuntimeError(f"kg serve did not start: {line}{self.process.stderr.read()}")
        self.url = line.split()[1].rstrip("/")

    def stop(self, sig=signal.SIGTERM) -> int:
        self.process.send_signal(sig)
        return self.process.wait(30)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    served = Served(make_graph(tmp_path_factory.mktemp("serve")), *OPTIONS)
    yield served
    served.stop()


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


def get(server, query: str, **params):
    return call(server.url + "/sparql?" + urllib.parse.urlencode({"query": query, **params}, doseq=True))


def test_slow_query_times_out_and_the_server_goes_on(server):
    status, _, body = call(server.url + "/sparql?" + urllib.parse.urlencode({"query": SLOW}))
    assert status == 503 and b"timed out" in body
    status, _, body = call(server.url + "/sparql?" + urllib.parse.urlencode({"query": SELECT}))
    assert status == 200 and labels(body) == ["义乌市", "金华市"]


def test_binds_localhost_only(server):
    import psutil

    listening = [c.laddr for c in psutil.Process(server.process.pid).net_connections() if c.status == "LISTEN"]
    assert [a.ip for a in listening] == ["127.0.0.1"] and server.url == f"http://127.0.0.1:{listening[0].port}"


@pytest.mark.parametrize("accept, table, expected", [
    ("", SOLUTION_TYPES, "application/sparql-results+json"),
    ("text/csv;q=0.5, application/sparql-results+xml", SOLUTION_TYPES, "application/sparql-results+xml"),
    ("*/*", GRAPH_TYPES, "text/turtle"),
    ("application/ld+json", GRAPH_TYPES, "application/ld+json"),
])
def test_negotiation(accept, table, expected):
    default = "text/turtle" if table is GRAPH_TYPES else "application/sparql-results+json"
    assert _negotiate(accept, table, default)[0] == expected


# --------------------------------------------------------------------------- the endpoint is not a way in


@pytest.fixture
def victim():
    v = Victim()
    yield v
    v.close()


@pytest.mark.parametrize("index", range(len(SERVICE_CALLS)), ids=[c[0] for c in SERVICE_CALLS])
def test_service_is_refused_and_nothing_is_fetched(server, victim, index):
    status, _, body = get(server, _queries(SERVICE_CALLS, victim.url)[index])
    assert (status, victim.hits) == (403, 0) and b"E026" in body and b"secret" not in body


@pytest.mark.parametrize("index", range(len(NO_SERVICE)), ids=[c[0] for c in NO_SERVICE])
def test_the_word_service_elsewhere_is_answered(server, victim, index):
    status, _, body = get(server, _queries(NO_SERVICE, victim.url)[index])
    assert (status, victim.hits) == (200, 0) and "金华市" in body.decode()


CAPS = [   # (query, Accept, what the 507 says); the server runs with --max-rows 1000 --max-bytes 262144
    ("SELECT ?c WHERE { ?a ?b ?c . ?d ?e ?f }", "text/csv", b"1,000 rows"),
    ("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }", "application/sparql-results+json", b"262,144 bytes"),
    ("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } LIMIT 1500000", "", b"262,144 bytes"),
    ("CONSTRUCT { ?a ?b ?d } WHERE { ?a ?b ?c . ?d ?e ?f }", "application/n-triples", b"1,000 rows"),
]


@pytest.mark.parametrize("query, accept, says", CAPS, ids=[c[0][:40] + " " + c[1] for c in CAPS])
def test_an_answer_past_a_cap_is_refused_whole(server, query, accept, says):
    status, media, body = call(server.url + "/sparql?" + urllib.parse.urlencode({"query": query}),
                               headers={"Accept": accept})
    assert (status, media.split(";")[0]) == (507, "text/plain") and says in body and len(body) < 200
    assert labels(get(server, SELECT)[2]) == ["义乌市", "金华市"]


def test_a_query_past_the_memory_cap_is_refused_and_the_server_goes_on(tmp_path):
    """Before: a sort over a cross join grew its worker until the timeout (996 MiB at 30 s on a small graph)."""
    served = Served(make_graph(tmp_path), "--timeout", "60", "--workers", "1", "--max-memory", str(64 << 20))
    try:
        huge = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f ?i LIMIT 1"
        status, media, body = get(served, huge)
        assert (status, media.split(";")[0]) == (507, "text/plain") and b"67,108,864 bytes of working memory" in body
        assert labels(get(served, SELECT)[2]) == ["义乌市", "金华市"]   # on the worker that replaced it
    finally:
        served.stop()


@pytest.mark.parametrize("accept, name", [("application/sparql-results+json", "JSON"),
                                          ("application/sparql-results+xml", "XML"), ("text/csv", "CSV"),
                                          ("text/tab-separated-values", "TSV")])
def test_every_result_format_reads_back_as_the_store_answers(server, accept, name):
    query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY (?s != <http://example.org/odd>) ?s ?p ?o LIMIT 500"
    status, _, body = call(server.url + "/sparql?" + urllib.parse.urlencode({"query": query}),
                           headers={"Accept": accept})
    assert status == 200
    store = ox.Store.read_only(str(server.folder / "store"))
    expected = [tuple(row[v] for v in ("s", "p", "o"))
                for row in store.query(query, default_graph=[ox.DefaultGraph(), ONTOLOGY_GRAPH])]
    if name == "CSV":   # CSV is lossy (pyoxigraph will not read it): compare the cells
        got = [tuple(r) for r in csv.reader(io.StringIO(body.decode(), newline=""))][1:]
        expected = [tuple("_:" + t.value if isinstance(t, ox.BlankNode) else t.value for t in r) for r in expected]
    else:
        got = [tuple(row[v] for v in ("s", "p", "o"))
               for row in ox.parse_query_results(body, format=getattr(ox.QueryResultsFormat, name))]
    assert got == expected and len(got) == 500
    assert ODD.value in [getattr(t, "value", t) for t in got[0]]


def test_200_clients_at_once_are_all_answered(server):
    """200 clients connect at the same instant; every one gets its answer (before: 68 to 85 hung or were reset)."""
    port = int(server.url.rsplit(":", 1)[1])
    request = f"GET /sparql?{urllib.parse.urlencode({'query': SELECT})} HTTP/1.0\r\nHost: localhost\r\n\r\n"
    start = threading.Barrier(200)

    def ask(i):
        start.wait()
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=60) as s:
                s.sendall(request.encode())
                return s.makefile("rb").readline().split()[1]
        except OSError as error:   # reset, refused or never answered
            return repr(error)

    with ThreadPoolExecutor(200) as pool:
        statuses = list(pool.map(ask, range(200)))
    assert [s for s in statuses if s != b"200"] == []


def raw_post(server, headers: str, body: bytes = b"") -> bytes:
    """The status line the server answers to a hand-written POST (the client sends its body, then waits)."""
    port = int(server.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=20) as s:
        s.sendall(b"POST /sparql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/sparql-query\r\n"
                  + headers.encode() + b"\r\n" + body)
        return s.makefile("rb").readline()


QUERY = SELECT.encode()
LENGTHS = [   # (headers, body, status)
    ("Content-Length: -1\r\n", QUERY * 10, b"400"),
    ("Content-Length: 12abc\r\n", QUERY, b"400"),
    (f"Content-Length: {len(QUERY)}\r\nContent-Length: 3\r\n", QUERY, b"400"),
    ("", QUERY, b"411"),
    ("Transfer-Encoding: chunked\r\n", b"%x\r\n%s\r\n0\r\n\r\n" % (len(QUERY), QUERY), b"411"),
    (f"Content-Length: {2 << 20}\r\n", QUERY, b"413"),
    (f"Content-Length: {len(QUERY)}\r\n", QUERY, b"200"),
]


@pytest.mark.parametrize("headers, body, status", LENGTHS, ids=[h[0].strip() or "none" for h in LENGTHS])
def test_a_body_needs_a_valid_content_length(server, headers, body, status):
    assert raw_post(server, headers, body).split()[1] == status


@pytest.mark.parametrize("param", ["default-graph-uri", "named-graph-uri"])
def test_a_bad_graph_iri_is_a_bad_request(server, param):
    status, _, body = get(server, SELECT, **{param: "not an iri"})
    assert status == 400 and param.encode() in body
    assert labels(get(server, SELECT)[2]) == ["义乌市", "金华市"]


def snapshots(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob(".serve-*"))


def test_a_killed_servers_snapshot_goes_at_the_next_start(tmp_path):
    folder = make_graph(tmp_path)
    killed = Served(folder)
    (folder / ".serve-olderformat").mkdir()   # as kg serve named them before
    assert killed.stop(signal.SIGKILL) == -signal.SIGKILL and len(snapshots(folder)) == 2
    served = Served(folder)
    try:
        assert len(snapshots(folder)) == 1 and snapshots(folder)[0].startswith(f".serve-{served.process.pid}-")
    finally:
        served.stop()
    assert snapshots(folder) == []


def count_documents(server) -> int:
    body = get(server, "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")[2]
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


def test_sighup_serves_a_new_build(tmp_path):
    served = Served(make_graph(tmp_path))
    try:
        before = count_documents(served)
        store = GraphStore(tmp_path)   # the server does not hold the store: a build may run
        add(store, make_extraction("b", [("宁波舟山港", "locatedIn", "浙江省")]))
        store.close()
        assert count_documents(served) == before   # a snapshot, as documented
        served.process.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 60
        while count_documents(served) == before and time.monotonic() < deadline:
            time.sleep(0.2)
        assert count_documents(served) == before + 1 and len(snapshots(tmp_path)) == 1
    finally:
        served.stop()
