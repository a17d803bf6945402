"""Named queries (ontology/queries/*.rq) with bound parameters, and the provenance of every relation."""
from __future__ import annotations

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from test_store import add, make_extraction

from kg.cli import main
from kg.errors import QueryError
from kg.graph.query import (get_named_query, named_queries, parse_value, refuse_service, run_named, run_query,
                            shorten)
from kg.graph.rdf import entity_iri
from kg.graph.store import GraphStore
from kg.paths import ontology_dir
from kg.vocab import KG


def named(folder, name, params=None, **options):
    """``run_named`` with kg's ontology folder."""
    return run_named(folder, name, params, ontology=ontology_dir(), **options)


FACTS_A = [("中欧班列", "departsFrom", "义乌市"), ("中欧班列", "destination", "马德里"), ("义乌市", "locatedIn", "金华市")]
FACTS_B = [("宁波舟山港", "locatedIn", "浙江省")]


@pytest.fixture
def folder(tmp_path):
    store = GraphStore(tmp_path)
    add(store, make_extraction("a", FACTS_A, title="义新欧班列开行提速", date="2025-06-18"))
    add(store, make_extraction("b", FACTS_B, title="港口吞吐量稳步增长", date="2025-03-02"))
    store.load_ontology(ontology_dir() / "kg.ttl")
    store.close()
    return tmp_path


def test_every_named_query_has_a_name_and_description():
    queries = named_queries(ontology_dir())
    assert {"provenance", "routes_from", "statistics", "entities", "documents"} <= set(queries)
    for q in queries.values():
        assert q.description, q.path


EXAMPLE_PARAMS = {"place": "义乌市", "cls": "Place", "entity": "义乌市"}   # a value for each required parameter


@pytest.mark.parametrize("name", sorted(named_queries(ontology_dir())))
def test_every_named_query_runs(folder, name):
    query = get_named_query(name, ontology_dir())
    header, rows, _ = named(folder, name, {p: EXAMPLE_PARAMS[p] for p in query.required})
    assert header


@pytest.mark.parametrize("name, required", [
    ("routes_from", ["place"]), ("entities_by_class", ["cls"]), ("statistics", ["entity"]), ("series", ["entity"]),
    ("provenance", []), ("documents", []), ("entities", []), ("most_connected", []),
])
def test_required_parameters_come_from_the_header(name, required):
    assert get_named_query(name, ontology_dir()).required == required


def test_a_named_query_without_its_parameters_says_which_are_missing(folder):
    with pytest.raises(QueryError, match=r"\[E142\] query 'routes_from' needs \?place"):
        named(folder, "routes_from", {})


VALUES = [   # (typed value, expected term)
    ("义乌市", ox.NamedNode(str(entity_iri("义乌市")))),
    ("City", ox.NamedNode(str(KG.City))),
    ("kg:departsFrom", ox.NamedNode(str(KG.departsFrom))),
    ("<http://example.org/x>", ox.NamedNode("http://example.org/x")),
    ("http://example.org/y", ox.NamedNode("http://example.org/y")),
    ('"开行班列"@zh', ox.Literal("开行班列", language="zh")),
    ("开行班列", ox.Literal("开行班列", language="zh")),
    ("42", ox.Literal("42", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))),
    ("16.5", ox.Literal("16.5", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal"))),
]


@pytest.mark.parametrize("text, expected", VALUES, ids=[v[0] for v in VALUES])
def test_parameter_values_become_terms(folder, text, expected):
    store = GraphStore(folder)
    try:
        assert parse_value(store, text)[0] == expected
    finally:
        store.close()


def test_routes_from_a_place_by_label(folder):
    header, rows, notes = named(folder, "routes_from", {"place": "义乌市"})
    assert notes == []
    found = {(r[header.index("routeLabel")], r[header.index("destinationLabel")]) for r in rows}
    assert ("中欧班列", "马德里") in found


def test_subclass_reasoning_uses_the_ontology(folder):
    header, rows, _ = named(folder, "entities_by_class", {"cls": "Place"})
    labels = {r[header.index("label")] for r in rows}
    assert {"义乌市", "金华市", "浙江省", "马德里"} <= labels
    assert "宁波舟山港" not in labels


INJECTIONS = ['义乌市" } ; DROP ALL ; #', "?x } UNION { ?s ?p ?o", "> . <http://evil> <p> <o"]


@pytest.mark.parametrize("value", INJECTIONS)
def test_parameters_are_bound_never_pasted(folder, value):
    header, rows, notes = named(folder, "routes_from", {"place": value})
    assert rows == [] and notes
    # the graph is untouched
    assert run_query(folder, "ASK { ?s kg:departsFrom ?o }")[1] == [["true"]]


def test_bindings_open_the_where_clause_as_values():
    from kg.graph.store import bound

    text, subs = bound("SELECT ?s WHERE { ?s ?p ?o }", {"o": ox.Literal('a" } DROP ALL #')})
    assert subs is None
    assert text == 'SELECT ?s WHERE {\n  VALUES (?o) { ("a\\" } DROP ALL #") } ?s ?p ?o }'
    # a blank node cannot stand in VALUES: it is substituted instead
    text, subs = bound("SELECT ?s WHERE { ?s ?p ?o }", {"o": ox.BlankNode("b1")})
    assert text == "SELECT ?s WHERE { ?s ?p ?o }" and subs == {ox.Variable("o"): ox.BlankNode("b1")}


def test_unknown_parameter_and_query_fail_cleanly(folder):
    with pytest.raises(QueryError, match="E023"):
        named(folder, "routes_from", {"city": "义乌市"})
    with pytest.raises(QueryError, match="E141"):
        get_named_query("no_such_query", ontology_dir())


def test_every_relation_has_document_title_date_and_sentence(folder):
    """Done-when: for any relation, a query returns the document title, date and sentence it came from."""
    header, rows, _ = named(folder, "provenance", {})
    col = {h: i for i, h in enumerate(header)}
    relations = {(str(entity_iri(s)), str(KG[p]), str(entity_iri(o))) for s, p, o in FACTS_A + FACTS_B}
    seen = {}
    for r in rows:
        key = (r[col["subject"]], r[col["property"]], r[col["object"]])
        if key in relations:
            seen[key] = (r[col["title"]], r[col["date"]], r[col["text"]])
    assert set(seen) == relations
    for title, date, text in seen.values():
        assert title and date and text
    title, date, text = seen[(str(entity_iri("宁波舟山港")), str(KG.locatedIn), str(entity_iri("浙江省")))]
    assert (title, date) == ("港口吞吐量稳步增长", "2025-03-02") and "宁波舟山港" in text


CLI = [
    (["--list"], 0, "routes_from"),
    (["{dir}", "--name", "routes_from", "--param", "place=义乌市"], 0, "马德里"),
    (["{dir}", "--name", "routes_from", "-p", "place=义乌市", "--format", "csv"], 0, "routeLabel"),
    (["{dir}", "--name", "routes_from", "-p", "city=义乌市"], 2, "E023"),
    (["{dir}", "--name", "nope"], 2, "E141"),
    (["{dir}", "--name", "routes_from"], 2, "[E142] query 'routes_from' needs ?place"),
    (["{dir}", "--name", "routes_from", "-p", "place"], 2, "KEY=VALUE"),
    (["{dir}", "SELECT ?l WHERE { ?e a kg:City ; rdfs:label ?l }"], 0, "金华市"),
    (["{dir}", "SELEC nothing"], 2, "[E140] SPARQL syntax error (line 1, column 10): expected CONSTRUCT"),
    (["{dir}", "SELECT ?s WHERE {\n  ?s foo:bar ?o }"], 2, "[E144] unknown prefix foo: (line 2, column"),
    (["{dir}", "INSERT DATA { kg:a kg:b kg:c }"], 2, "[E143] queries are read-only: this is a SPARQL update (INSERT)"),
    (["{dir}", "PREFIX x: <http://x/>\ndelete where { ?s ?p ?o }"], 2, "[E143] queries are read-only"),
]


@pytest.mark.parametrize("args, code, text", CLI, ids=[" ".join(c[0]) for c in CLI])
def test_cli_query(folder, args, code, text):
    result = CliRunner().invoke(main, ["query", *[str(folder) if a == "{dir}" else a for a in args]])
    assert result.exit_code == code, result.output
    assert text in result.output


@pytest.mark.parametrize("iri, short", [
    (str(entity_iri("义乌 市")), "id:entity/义乌 市"),
    (str(KG.departsFrom), "kg:departsFrom"),
    ("http://other.example/x", "http://other.example/x"),
    ("义乌", "义乌"),
])
def test_table_shortens_iris(iri, short):
    assert shorten(iri) == short


# --------------------------------------------------------------------------- SERVICE: kg fetches nothing unless told


class Victim:
    """A stand-in for an internal web service on 127.0.0.1 that answers any request with a secret; counts requests."""

    SECRET = b'{"head":{"vars":["x"]},"results":{"bindings":[{"x":{"type":"literal","value":"secret"}}]}}'

    def __init__(self):
        import http.server
        import threading

        victim = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                victim.hits += 1
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.send_header("Content-Length", str(len(Victim.SECRET)))
                self.end_headers()
                self.wfile.write(Victim.SECRET)

            do_POST = do_GET

            def log_message(self, *args):
                pass

        self.hits = 0
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sparql"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def victim():
    v = Victim()
    yield v
    v.close()


SERVICE_CALLS = [   # (what, query with {url} for the service IRI); each one calls a service
    ("plain", "SELECT * WHERE { SERVICE <{url}> { ?x ?y ?z } }"),
    ("SILENT", "SELECT * WHERE { SERVICE SILENT <{url}> { ?x ?y ?z } }"),
    ("lower case, glued", "SELECT * WHERE { servicesilent<{url}>{ ?x ?y ?z } }"),
    ("in a subquery", "SELECT * WHERE { ?s ?p ?o { SELECT * WHERE { SERVICE <{url}> { ?x ?y ?z } } } }"),
    ("in OPTIONAL", "SELECT * WHERE { OPTIONAL { SERVICE <{url}> { ?x ?y ?z } } }"),
    ("by a variable", "SELECT * WHERE { BIND(<{url}> AS ?e) SERVICE ?e { ?x ?y ?z } }"),
    ("by a prefixed name", "PREFIX v: <{url}>\nSELECT * WHERE { SERVICE v: { ?x ?y ?z } }"),
    ("glued to an empty prefix", "PREFIX : <{url}>\nSELECT * WHERE { SERVICE:{ ?x ?y ?z } }"),
    ("after a # in a string", 'SELECT * WHERE { BIND("#" AS ?h) SERVICE <{url}> { ?x ?y ?z } }'),
    ("after an escaped quote", 'SELECT * WHERE { BIND("\\"" AS ?q) SERVICE <{url}> { ?x ?y ?z } }'),
    ("after a quote in a comment", "SELECT * WHERE { # it's\n SERVICE <{url}> { ?x ?y ?z } } # '"),
    ("after a long string", "SELECT * WHERE { BIND('''it''s''' AS ?q) SERVICE <{url}> { ?x ?y ?z } }"),
    ("after a local name with \\#", "SELECT * WHERE { ?s kg:p\\# ?o . SERVICE <{url}> { ?x ?y ?z } }"),
    ("after a local name with \\'", "SELECT * WHERE { ?s kg:p\\' ?o . SERVICE <{url}> { ?x ?y ?z } } #'"),
    ("as a \\u escape", "SELECT * WHERE { \\u0053ERVICE <{url}> { ?x ?y ?z } }"),
]
NO_SERVICE = [   # the word is there, the keyword is not
    ("in a comment", "SELECT ?l WHERE { ?e a kg:City ; rdfs:label ?l } # SERVICE <{url}> {}"),
    ("in a string", "SELECT ?l WHERE { ?e a kg:City ; rdfs:label ?l FILTER(?l != 'SERVICE <{url}> {}') }"),
    ("in an IRI, a variable, a local name",
     "SELECT ?l WHERE { ?service a kg:City ; rdfs:label ?l FILTER(?l != <{url}/SERVICE>) "
     "OPTIONAL { ?service schema:serviceType ?t } }"),
]


def _queries(table, url):
    return [q.replace("{url}", url) for _, q in table]


@pytest.mark.parametrize("index", range(len(SERVICE_CALLS)), ids=[c[0] for c in SERVICE_CALLS])
def test_service_is_refused(index):
    with pytest.raises(QueryError, match="E026"):
        refuse_service(_queries(SERVICE_CALLS, "http://127.0.0.1:9/sparql")[index])


@pytest.mark.parametrize("index", range(len(NO_SERVICE)), ids=[c[0] for c in NO_SERVICE])
def test_the_word_service_elsewhere_is_not(index):
    refuse_service(_queries(NO_SERVICE, "http://127.0.0.1:9/sparql")[index])


ALLOWED = [   # (allow-list, service IRI, allowed?)
    (("http://127.0.0.1:9/",), "http://127.0.0.1:9/sparql", True),
    (("http://127.0.0.1:9/",), "http://127.0.0.1:99/sparql", False),
    (("http://a.example/", "http://127.0.0.1:9/"), "http://127.0.0.1:9/sparql", True),
    ((), "http://127.0.0.1:9/sparql", False),
]


@pytest.mark.parametrize("allow, iri, allowed", ALLOWED)
def test_allow_service_is_a_list_of_url_prefixes(allow, iri, allowed):
    query = f"SELECT * WHERE {{ SERVICE <{iri}> {{ ?x ?y ?z }} }}"
    if allowed:
        refuse_service(query, allow)
    else:
        with pytest.raises(QueryError, match="E026"):
            refuse_service(query, allow)


def test_an_allowed_service_must_be_named_in_full():
    with pytest.raises(QueryError, match="E026"):
        refuse_service("SELECT * WHERE { ?s ?p ?e SERVICE ?e { ?x ?y ?z } }", ("http://",))


def test_kg_query_refuses_service_unless_allowed(folder, victim):
    query = f"SELECT ?x WHERE {{ SERVICE SILENT <{victim.url}> {{ ?x ?y ?z }} }}"
    refused = CliRunner().invoke(main, ["query", str(folder), query])
    assert (refused.exit_code, victim.hits) == (2, 0) and "E026" in refused.output
    allowed = CliRunner().invoke(main, ["query", str(folder), query, "--allow-service", victim.url.rsplit("/", 1)[0]])
    assert (allowed.exit_code, victim.hits) == (0, 1) and "secret" in allowed.output, allowed.output


def test_python_api_refuses_service(folder, victim):
    import kg

    with kg.open(folder) as graph:
        with pytest.raises(QueryError, match="E026"):
            graph.query(f"SELECT ?x WHERE {{ SERVICE <{victim.url}> {{ ?x ?y ?z }} }}")
    assert victim.hits == 0

# --- pages of the listing queries ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["entities", "documents", "entities_by_class"])
@pytest.mark.parametrize("size", [1, 2, 3])
def test_pages_put_together_are_the_whole_listing(folder, name, size):
    params = {"cls": "Place"} if name == "entities_by_class" else {}
    header, whole, _ = named(folder, name, params)
    assert len(whole) >= 2
    pages, offset = [], 0
    while True:
        _, page, _ = named(folder, name, params, limit=size, offset=offset)
        assert len(page) <= size
        if not page:
            break
        pages += page
        offset += size
    assert pages == whole


@pytest.mark.parametrize("limit, offset, rows", [(None, 0, 6), (0, 0, 0), (2, 0, 2), (None, 4, 2), (10, 5, 1), (2, 9, 0)])
def test_limit_and_offset(folder, limit, offset, rows):
    whole = named(folder, "entities", {})[1]
    assert len(whole) == 6       # 中欧班列 义乌市 马德里 金华市 宁波舟山港 浙江省
    page = named(folder, "entities", {}, limit=limit, offset=offset)[1]
    assert page == whole[offset:][:limit] and len(page) == rows


def test_a_query_with_its_own_limit_is_not_paged():
    from kg.graph.query import paged

    with pytest.raises(QueryError, match=r"\[E027\]"):
        paged("SELECT ?s WHERE { ?s ?p ?o } LIMIT 5", 10)
    assert paged("SELECT ?s WHERE { { SELECT ?s WHERE { ?s ?p ?o } LIMIT 5 } }", 2, 1).rstrip().endswith("LIMIT 2 OFFSET 1")


def test_kg_query_pages_a_named_query(folder):
    runner = CliRunner()
    whole = runner.invoke(main, ["query", str(folder), "--name", "entities", "--format", "csv"])
    page = runner.invoke(main, ["query", str(folder), "--name", "entities", "--format", "csv", "--limit", "1",
                                "--offset", "1"])
    assert page.exit_code == 0, page.output
    assert page.output.splitlines() == [whole.output.splitlines()[0], whole.output.splitlines()[2]]
    wrong = runner.invoke(main, ["query", str(folder), "SELECT * WHERE { ?s ?p ?o }", "--limit", "1"])
    assert wrong.exit_code != 0 and "--name" in wrong.output
