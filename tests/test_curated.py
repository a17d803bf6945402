"""kg add-facts: hand-written facts (CSV or Turtle) merge with extracted ones under their own provenance."""
from __future__ import annotations

import pytest
from click.testing import CliRunner
from test_store import add, make_extraction

from kg.cli import main
from kg.errors import DataError
from kg.graph.curated import add_facts
from kg.graph.query import run_query
from kg.graph.rdf import entity_iri
from kg.graph.store import GraphStore
from kg.graph.validate import validate_store
from kg.paths import ontology_dir

CSV = """subject,property,object
# 手工整理：义乌与中东的贸易往来
义乌市,exportsTo,迪拜
迪拜,a,City
某某物流园,a,Facility
某某物流园,locatedIn,金华市
中欧班列,alias,义新欧
"""
TTL = """@prefix kg: <http://example.org/kg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<http://example.org/kg/id/entity/%E5%AE%81%E6%B3%A2%E8%88%9F%E5%B1%B1%E6%B8%AF> kg:locatedIn
    <http://example.org/kg/id/entity/%E6%B5%99%E6%B1%9F%E7%9C%81> .
"""
CURATED = """
SELECT ?s ?p ?o ?rule ?file ?text WHERE {
  ?e rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; kg:rule ?rule ; prov:wasAttributedTo ?doc ;
     kg:sentence/kg:text ?text .
  ?doc kg:sourceFile ?file .
} ORDER BY ?s ?p ?o
"""


@pytest.fixture
def folder(tmp_path):
    store = GraphStore(tmp_path / "g")
    add(store, make_extraction("a", [("中欧班列", "departsFrom", "义乌市"), ("义乌市", "locatedIn", "金华市"),
                                     ("宁波舟山港", "locatedIn", "浙江省")]))
    store.load_ontology(ontology_dir() / "kg.ttl")
    store.close()
    (tmp_path / "facts.csv").write_text(CSV, encoding="utf-8")
    (tmp_path / "facts.ttl").write_text(TTL, encoding="utf-8")
    return tmp_path


def test_csv_facts_join_existing_entities_and_make_new_ones(folder):
    store = GraphStore(folder / "g")
    report = add_facts(store, folder / "facts.csv", ontology=ontology_dir())
    assert report.facts == 2 and sorted(report.new_entities) == ["某某物流园", "迪拜"]
    header, rows = run_query(None, CURATED, store=store)
    facts = {(r[0], r[1].rsplit("#", 1)[1], r[2]) for r in rows}
    assert (str(entity_iri("义乌市")), "exportsTo", str(entity_iri("迪拜"))) in facts
    assert all(r[3] == "curated" and r[4].endswith("facts.csv") for r in rows)
    assert any(r[5] == "义乌市,exportsTo,迪拜" for r in rows)     # the row is the sentence
    assert bool(store.query("ASK { ?e kg:mentionedIn ?d ; a kg:City ; rdfs:label '迪拜'@zh }"))
    assert bool(store.query("ASK { ?e rdfs:label '中欧班列'@zh ; skos:altLabel '义新欧'@zh }"))
    assert validate_store(store, ontology=ontology_dir()).conforms, [str(v) for v in validate_store(store, ontology=ontology_dir()).violations]
    store.close()


def test_curated_and_extracted_are_told_apart(folder):
    store = GraphStore(folder / "g")
    add_facts(store, folder / "facts.ttl", ontology=ontology_dir())
    rules = dict(run_query(None, """
        SELECT ?o (SAMPLE(?rule) AS ?r) WHERE { ?e rdf:subject ?s ; rdf:predicate kg:locatedIn ; rdf:object ?o ;
                                                  kg:rule ?rule } GROUP BY ?o""", store=store)[1])
    assert rules[str(entity_iri("浙江省"))].startswith(("test-", "curated"))
    both = run_query(None, """SELECT ?rule WHERE { ?e rdf:subject ?s ; rdf:object ?o ; kg:rule ?rule .
        FILTER (?s = <%s>) }""" % entity_iri("宁波舟山港"), store=store)[1]
    assert {r[0] for r in both} == {"test-locatedIn", "curated"}
    assert validate_store(store, ontology=ontology_dir()).conforms
    store.close()


def test_adding_again_replaces_and_removal_keeps_extracted_support(folder):
    store = GraphStore(folder / "g")
    add_facts(store, folder / "facts.ttl", ontology=ontology_dir())
    assert add_facts(store, folder / "facts.ttl", ontology=ontology_dir()).unchanged
    (folder / "facts.csv").write_text("subject,property,object\n义乌市,exportsTo,迪拜\n", encoding="utf-8")
    add_facts(store, folder / "facts.csv", ontology=ontology_dir())
    (folder / "facts.csv").write_text("subject,property,object\n义乌市,exportsTo,马德里\n", encoding="utf-8")
    add_facts(store, folder / "facts.csv", ontology=ontology_dir())
    ask = "ASK { <%s> kg:exportsTo <%s> }"
    assert not bool(store.query(ask % (entity_iri("义乌市"), entity_iri("迪拜"))))
    assert bool(store.query(ask % (entity_iri("义乌市"), entity_iri("马德里"))))
    for doc_id in store.resolve(str(folder / "facts.ttl")):
        store.remove_document(doc_id)
    # 宁波舟山港 locatedIn 浙江省 was stated by an article too: it stays
    assert bool(store.query("ASK { <%s> kg:locatedIn <%s> }" % (entity_iri("宁波舟山港"), entity_iri("浙江省"))))
    store.close()


BAD = [
    ("too few cells", "义乌市,exportsTo\n", "E105"),
    ("unknown property", "义乌市,sellsTo,迪拜\n", "E106"),
    ("unknown class", "迪拜,a,Metropolis\n", "E107"),
]


@pytest.mark.parametrize("text, code", [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_rows_fail_with_a_code(folder, text, code):
    (folder / "bad.csv").write_text(text, encoding="utf-8")
    store = GraphStore(folder / "g")
    try:
        with pytest.raises(DataError, match=code):
            add_facts(store, folder / "bad.csv", ontology=ontology_dir())
    finally:
        store.close()


def test_cli_add_facts_then_remove(folder):
    runner = CliRunner()
    added = runner.invoke(main, ["add-facts", str(folder / "g"), str(folder / "facts.csv")])
    assert added.exit_code == 0, added.output
    assert "2 curated facts" in added.output
    assert (folder / "g" / "graph.ttl").read_text(encoding="utf-8").count("curated") >= 2
    removed = runner.invoke(main, ["remove", str(folder / "g"), str(folder / "facts.csv")])
    assert removed.exit_code == 0, removed.output
    assert "curated" not in (folder / "g" / "graph.ttl").read_text(encoding="utf-8")


BAD_TURTLE = [   # (case, file text, words of the one-line error)
    ("missing dot", "@prefix kg: <http://example.org/kg/ontology#> .\n<http://a.example/x> kg:locatedIn "
                    "<http://a.example/y>\n<http://a.example/z> kg:locatedIn <http://a.example/y> .\n",
     ": line 3, column 1: A dot is expected at the end of statements"),
    ("undeclared prefix", "<http://a.example/x> foo:locatedIn <http://a.example/y> .\n",
     ": line 1, column 22: The prefix foo: has not been declared"),
]


@pytest.mark.parametrize("text, words", [c[1:] for c in BAD_TURTLE], ids=[c[0] for c in BAD_TURTLE])
def test_a_turtle_syntax_error_says_where_in_one_line(folder, text, words):
    bad = folder / "bad.ttl"
    bad.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["add-facts", str(folder / "g"), str(bad)])
    assert result.exit_code == 2
    assert f"[E104] {bad} is not valid turtle{words}" in result.output, result.output
    assert len(result.output.strip().splitlines()) == 1


UNDEFINED = [   # (case, triple in Turtle, the warning)
    ("misspelt property", "kg:locatdIn ", "[I040]", "no property kg:locatdIn"),
    ("class of another vocabulary", "a <http://other.example/Harbour> ; kg:locatedIn ", "[I041]",
     "no class <http://other.example/Harbour>"),
]


@pytest.mark.parametrize("middle, code, words", [c[1:] for c in UNDEFINED], ids=[c[0] for c in UNDEFINED])
def test_add_facts_warns_on_terms_the_ontology_does_not_define(folder, middle, code, words):
    facts = folder / "odd.ttl"
    facts.write_text("@prefix kg: <http://example.org/kg/ontology#> .\n"
                     f"<http://example.org/kg/id/entity/x> {middle}<http://example.org/kg/id/entity/y> .\n",
                     encoding="utf-8")
    result = CliRunner().invoke(main, ["add-facts", str(folder / "g"), str(facts)])
    assert result.exit_code == 0, result.output
    assert f"warning: {code} {facts}: the ontology defines {words}" in result.output


def test_defined_terms_bring_no_warning(folder):
    result = CliRunner().invoke(main, ["add-facts", str(folder / "g"), str(folder / "facts.ttl"),
                                       str(folder / "facts.csv")])
    assert result.exit_code == 0 and "warning" not in result.output, result.output
