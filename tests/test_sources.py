"""Facts the article does not state cite the gazetteer row that holds them (kg.extract.sources, kg.graph.rdf)."""
from __future__ import annotations

import pytest
from rdflib.namespace import PROV

from kg.extract.sources import cite_rows, gazetteer_rows
from kg.graph.rdf import relation_triples
from kg.paths import ontology_dir
from kg.records import Provenance, Relation, Sentence
from kg.vocab import KG

ROWS = gazetteer_rows(ontology_dir() / "gazetteer")
SAID = Sentence(10, 30, "记者走访了嘉兴和杭州的企业。")


def relation(rule: str, subject: str = "嘉兴市", obj: str = "浙江省") -> Relation:
    return Relation(subject, "locatedIn", obj, Provenance("a1", SAID, rule=rule, confidence=0.7))


@pytest.mark.parametrize("subject,parent", [("嘉兴市", "浙江省"), ("南湖区", "嘉兴市")])
def test_row_names_the_parent(subject, parent):
    doc_id, source, line = ROWS[subject]
    assert line.text.split("\t")[0] == subject and line.text.split("\t")[-1] == parent
    assert source == "gazetteer/china_admin.tsv" and doc_id == "gazetteer-china_admin"


def test_row_offsets_point_into_the_file():
    doc_id, source, line = ROWS["嘉兴市"]
    text = (ontology_dir() / source).read_text(encoding="utf-8")
    assert text[line.start:line.end] == line.text


@pytest.mark.parametrize("rule,cites_row", [("gazetteer-hierarchy", True), ("place-apposition", False)])
def test_only_gazetteer_facts_cite_the_row(rule, cites_row):
    (r,) = cite_rows([relation(rule)], {"gazetteer-hierarchy"}, ROWS)
    assert (r.provenance.source is not None) == cites_row
    assert (r.provenance.sentence == SAID) != cites_row
    assert r.provenance.rule == rule


def test_row_is_a_document_in_the_graph():
    (r,) = cite_rows([relation("gazetteer-hierarchy")], {"gazetteer-hierarchy"}, ROWS)
    triples = set(relation_triples(r))
    docs = {o for _, p, o in triples if p == PROV.wasAttributedTo}
    assert len(docs) == 1
    (doc,) = docs
    assert any(s == doc and p == KG.sourceFile and str(o) == "gazetteer/china_admin.tsv" for s, p, o in triples)
    texts = {str(o) for _, p, o in triples if p == KG.text}
    assert texts == {ROWS["嘉兴市"][2].text}       # the row, never the article's sentence
