"""One graph folder under the command line and the API (kg/folder.py): both choose export formats from one registry,
both refuse what they cannot write, a removal refreshes graph.ttl and the explorer page by either road, and kg query
gives the answers whole (csv, tsv, SPARQL JSON results) or cut to a table."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from test_store import add, make_extraction

import kg
from kg.cli import main
from kg.errors import KGError
from kg.graph.rdf import entity_iri
from kg.graph.store import GraphStore
from kg.paths import ontology_dir

LONG = "义乌至马德里的中欧班列全程一万三千公里途经哈萨克斯坦俄罗斯白俄罗斯波兰德国法国抵达西班牙首都马德里"


@pytest.fixture
def folder(tmp_path):
    store = GraphStore(tmp_path / "g")
    add(store, make_extraction("a", [("中欧班列", "departsFrom", "义乌市"), ("义乌市", "locatedIn", "金华市")],
                               source="a.txt"))
    add(store, make_extraction("b", [("宁波舟山港", "locatedIn", "浙江省"), (LONG, "departsFrom", "义乌市")],
                               source="b.txt"))
    store.load_ontology(ontology_dir() / "kg.ttl")
    store.export(tmp_path / "g" / "graph.ttl")
    store.close()
    return tmp_path / "g"


def cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


# --- exports: one registry, the same answer by either road -----------------------------------------------------

REFUSED = [   # (case, target file name, format given, code)
    ("unknown suffix", "graph.xyz", None, "[E083] unknown export format '.xyz'"),
    ("no suffix, no format", "graph", None, "[E083] unknown export format '(no suffix)'"),
    ("unknown format", "graph.ttl", "rdfxml", "[E083] unknown export format 'rdfxml'"),
    ("csv named as a file", "graph.csv", None, "[E083] unknown export format '.csv'"),
    ("csv format to a file name", "graph.csv", "csv", "[E145] csv export writes a folder"),
]


@pytest.mark.parametrize("name, fmt, code", [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED])
def test_api_and_cli_refuse_the_same_targets_and_write_nothing(folder, tmp_path, name, fmt, code):
    target = tmp_path / "out" / name
    target.parent.mkdir()
    with kg.open(folder) as graph, pytest.raises(KGError) as error:
        graph.export(target, fmt)
    assert code in str(error.value)
    result = cli("export", folder, "-o", target, *(["--format", fmt] if fmt else []))
    assert result.exit_code == 2 and code in result.output, result.output
    assert list(target.parent.iterdir()) == []


@pytest.mark.parametrize("name", ["g.ttl", "g.nt", "g.nq", "g.trig", "g.jsonld", "g.graphml"])
def test_the_suffix_names_the_format_in_both(folder, tmp_path, name):
    with kg.open(folder) as graph:
        graph.export(tmp_path / f"api-{name}")
    assert cli("export", folder, "-o", tmp_path / f"cli-{name}").exit_code == 0
    api, by_cli = (tmp_path / f"api-{name}").read_bytes(), (tmp_path / f"cli-{name}").read_bytes()
    assert api == by_cli and len(api) > 100


def test_stdout_and_file_agree(folder, tmp_path):
    assert cli("export", folder, "-o", tmp_path / "g.nt").exit_code == 0
    assert CliRunner().invoke(main, ["export", str(folder), "--format", "nt"]).stdout_bytes == \
        (tmp_path / "g.nt").read_bytes()


# --- changes refresh what follows the store ----------------------------------------------------------------------

def test_remove_by_the_api_refreshes_graph_ttl_and_the_explorer(folder):
    assert cli("view", folder, "--no-open").exit_code == 0
    with kg.open(folder) as graph:
        assert graph.remove("b.txt") == ["b"]
    ttl = (folder / "graph.ttl").read_text(encoding="utf-8")
    page = (folder / "explorer.html").read_text(encoding="utf-8")
    assert "宁波舟山港" not in ttl and "宁波舟山港" not in page
    assert "义乌市" in ttl and "义乌市" in page


def test_api_and_cli_removals_leave_the_same_folder(folder, tmp_path):
    import shutil

    other = tmp_path / "other"
    shutil.copytree(folder, other)
    with kg.open(folder) as graph:
        graph.remove("a")
    assert cli("remove", other, "a").exit_code == 0
    assert (folder / "graph.ttl").read_bytes() == (other / "graph.ttl").read_bytes()


def test_an_unknown_name_is_an_error_in_the_api_too(folder):
    with kg.open(folder) as graph, pytest.raises(KGError, match=r"\[E084\]"):
        graph.remove("nothing.txt")


def test_a_read_only_graph_refuses_changes(folder, tmp_path):
    facts = tmp_path / "facts.csv"
    facts.write_text("义乌市,exportsTo,马德里\n", encoding="utf-8")
    with kg.open(folder, readonly=True) as graph:
        for change in (lambda: graph.remove("a"), lambda: graph.add_facts(facts)):
            with pytest.raises(KGError, match=r"\[E146\]"):
                change()
        assert graph.query("ASK { ?s kg:exportsTo ?o }") is False


# --- kg query: whole values or a table that fits -------------------------------------------------------------------

ROUTES = "SELECT ?label ?n WHERE { ?r kg:departsFrom ?p ; rdfs:label ?label BIND(STRLEN(?label) AS ?n) } ORDER BY ?n"


def test_json_is_sparql_results_with_typed_values(folder):
    result = cli("query", folder, ROUTES, "--format", "json")
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert answer["head"] == {"vars": ["label", "n"]}
    first = answer["results"]["bindings"][0]
    assert first["label"] == {"type": "literal", "value": "中欧班列", "xml:lang": "zh"}
    assert first["n"] == {"type": "literal", "value": "4", "datatype": "http://www.w3.org/2001/XMLSchema#integer"}
    iri = json.loads(cli("query", folder, "SELECT ?p WHERE { ?p rdfs:label '义乌市'@zh }", "--format", "json").output)
    assert iri["results"]["bindings"] == [{"p": {"type": "uri", "value": str(entity_iri("义乌市"))}}]
    ask = json.loads(cli("query", folder, "ASK { ?s kg:locatedIn ?o }", "--format", "json").output)
    assert ask == {"head": {}, "boolean": True}


def test_an_unbound_variable_is_left_out_of_json(folder):
    answer = json.loads(cli("query", folder, "SELECT ?p ?x WHERE { ?p rdfs:label '义乌市'@zh }", "--format",
                            "json").output)
    assert list(answer["results"]["bindings"][0]) == ["p"]


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json"])
def test_long_values_are_whole_in_csv_tsv_json(folder, fmt):
    result = cli("query", folder, ROUTES, "--format", fmt)
    assert result.exit_code == 0 and LONG in result.output


def test_the_table_cuts_long_values(folder):
    result = cli("query", folder, ROUTES)
    assert result.exit_code == 0 and LONG not in result.output
    assert LONG[:20] in result.output and "…" in result.output


def test_tsv_escapes_tabs_and_newlines(folder):
    result = cli("query", folder, 'SELECT ?a ?b WHERE { BIND("一\\t二" AS ?a) BIND("三\\n四" AS ?b) }', "--format", "tsv")
    assert result.output == "a\tb\n一\\t二\t三\\n四\n"


QUERY_ERRORS = [   # (case, query, the same words from the API and the CLI)
    ("syntax", "SELECT ?s WHERE { ?s ?p }", "[E140] SPARQL syntax error (line 1, column"),
    ("unknown prefix", "SELECT ?s WHERE { ?s foo:bar ?o }", "[E144] unknown prefix foo:"),
    ("update", "DELETE WHERE { ?s ?p ?o }", "[E143] queries are read-only"),
]


@pytest.mark.parametrize("sparql, words", [c[1:] for c in QUERY_ERRORS], ids=[c[0] for c in QUERY_ERRORS])
def test_api_and_cli_report_query_errors_alike(folder, sparql, words):
    with kg.open(folder) as graph:
        with pytest.raises(KGError) as error:
            graph.query(sparql)
        assert words in str(error.value) and "\n" not in str(error.value)
        assert graph.query("ASK { ?s ?p ?o }") is True     # the update did not run
    result = cli("query", folder, sparql)
    assert result.exit_code == 2 and words in result.output, result.output


def test_a_named_query_without_its_parameter_fails_in_both(folder):
    with kg.open(folder) as graph, pytest.raises(KGError, match=r"\[E142\] query 'routes_from' needs \?place"):
        graph.named_query("routes_from")
    assert "[E142]" in cli("query", folder, "--name", "routes_from").output
