"""The persistent store: one named graph per document, the merged view, replacing, removing, IRIs, byte-identity.

The articles here are invented (our own sentences); records go straight to RDF, so no model is loaded.
"""
from __future__ import annotations

import re

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef

from kg.graph.rdf import doc_iri, entity_iri, extraction_triples, graph_iri, sentence_iri
from kg.errors import KGError
from kg.graph.store import GraphStore, NoGraph, sort_lines, to_ox
from kg.records import Article, Entity, Extraction, Mention, Provenance, Relation, Sentence
from kg.vocab import KG
from kg.paths import ontology_dir

ENTITIES = {
    "义乌市": "City", "金华市": "City", "宁波舟山港": "Facility", "中欧班列": "Route", "马德里": "City",
    "义乌国际商贸城": "Facility", "浙江省": "Province",
}


def make_extraction(doc_id: str, facts: list[tuple[str, str, str]], *, source: str | None = None,
                    title: str = "测试新闻", date: str = "2025-03-01") -> Extraction:
    """One invented article: a sentence per fact (subject, property, object), each naming both ends."""
    text, sentences, mentions, relations = "", [], [], []
    entities = {}
    for s, p, o in facts:
        sentence_text = f"据报道，{s}与{o}之间的合作不断加深。"
        sentence = Sentence(len(text), len(text) + len(sentence_text), sentence_text)
        text += sentence_text
        sentences.append(sentence)
        prov = Provenance(doc_id, sentence, f"test-{p}", 0.8, date)
        for name in (s, o):
            entity = Entity(name, name, ENTITIES.get(name, "Place"))
            entities[name] = entity
            start = sentence.start + sentence_text.index(name)
            mentions.append(Mention(entity, start, start + len(name), name, prov))
        relations.append(Relation(s, p, o, prov))
    article = Article(doc_id=doc_id, text=text, source=source or f"news/{doc_id}.txt", title=title, date=date,
                      sentences=tuple(sentences))
    return Extraction(article, entities, mentions, relations, [])


def merged(store: GraphStore) -> set[tuple[str, str, str]]:
    return {(t.subject.value, t.predicate.value, t.object.value) for t in store.triples()}


def fact(s: str, p: str, o: str) -> tuple[str, str, str]:
    return str(entity_iri(s)), str(KG[p]), str(entity_iri(o))


@pytest.fixture
def store(tmp_path):
    store = GraphStore(tmp_path / "g")
    yield store
    store.close()


def add(store, ex: Extraction) -> None:
    store.replace_document(ex.article.doc_id, extraction_triples(ex))


# --------------------------------------------------------------------------- replace and remove


def test_one_named_graph_per_document(store):
    add(store, make_extraction("a", [("义乌市", "locatedIn", "金华市")]))
    add(store, make_extraction("b", [("中欧班列", "departsFrom", "义乌市")]))
    assert store.document_ids() == ["a", "b"]
    graphs = {q.graph_name.value for q in store.quads()}
    assert graphs == {str(graph_iri("a")), str(graph_iri("b"))}


def test_replacing_a_document_drops_its_old_facts(store):
    add(store, make_extraction("a", [("义乌市", "locatedIn", "金华市")]))
    add(store, make_extraction("a", [("中欧班列", "destination", "马德里")]))
    assert fact("中欧班列", "destination", "马德里") in merged(store)
    assert fact("义乌市", "locatedIn", "金华市") not in merged(store)


SUPPORT = [   # (facts of a, facts of b, removed, facts that must remain, facts that must go)
    ("shared fact survives", [("义乌市", "locatedIn", "金华市")], [("义乌市", "locatedIn", "金华市")], "a",
     [("义乌市", "locatedIn", "金华市")], []),
    ("own fact goes", [("中欧班列", "destination", "马德里")], [("义乌市", "locatedIn", "金华市")], "a",
     [("义乌市", "locatedIn", "金华市")], [("中欧班列", "destination", "马德里")]),
    ("last support goes", [("义乌市", "locatedIn", "金华市")], [("义乌市", "locatedIn", "金华市")], "both",
     [], [("义乌市", "locatedIn", "金华市")]),
]


@pytest.mark.parametrize("a, b, removed, stay, gone", [c[1:] for c in SUPPORT], ids=[c[0] for c in SUPPORT])
def test_removal_keeps_facts_other_documents_support(store, a, b, removed, stay, gone):
    add(store, make_extraction("a", a))
    add(store, make_extraction("b", b))
    for doc in (["a", "b"] if removed == "both" else [removed]):
        assert store.remove_document(doc)
    view = merged(store)
    assert all(fact(*f) in view for f in stay)
    assert all(fact(*f) not in view for f in gone)
    # the removed document's own node and sentences are gone from the merged view
    assert not any(s == str(doc_iri("a")) for s, _, _ in view)


def test_entity_mentioned_by_two_documents_keeps_the_other_mention(store):
    add(store, make_extraction("a", [("义乌市", "locatedIn", "金华市")]))
    add(store, make_extraction("b", [("义乌市", "locatedIn", "浙江省")]))
    store.remove_document("a")
    view = merged(store)
    yiwu = str(entity_iri("义乌市"))
    assert (yiwu, str(KG.mentionedIn), str(doc_iri("b"))) in view
    assert (yiwu, str(KG.mentionedIn), str(doc_iri("a"))) not in view
    assert (yiwu, "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", str(KG.City)) in view


def test_content_hash_is_stored(store):
    ex = make_extraction("a", [("义乌市", "locatedIn", "金华市")])
    add(store, ex)
    assert store.document_hash("a") == ex.article.content_hash
    assert store.document_hash("nothing") is None


RESOLVE = [   # (case, name, the documents it stands for)
    ("document id", "b-1", ["b-1"]),
    ("source file as built", "news/page.txt", ["b-1", "b-2"]),
    ("the same file by another path", "news/../news/page.txt", ["b-1", "b-2"]),
    ("file name alone names nothing", "page.txt", []),
    ("same name in another folder", "other/a.txt", []),
    ("same name in a folder that does not exist", "/nonexistent/elsewhere/a.txt", []),
    ("unknown", "其他.txt", []),
]


@pytest.mark.parametrize("name, expected", [c[1:] for c in RESOLVE], ids=[c[0] for c in RESOLVE])
def test_resolve_document_by_id_or_source(store, name, expected, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "news").mkdir()
    add(store, make_extraction("a", [("义乌市", "locatedIn", "金华市")], source="news/a.txt"))
    add(store, make_extraction("b-1", [("义乌市", "locatedIn", "金华市")], source="news/page.txt"))
    add(store, make_extraction("b-2", [("中欧班列", "departsFrom", "义乌市")], source="news/page.txt"))
    assert store.resolve(name) == expected


def test_a_name_that_is_an_id_and_another_source_is_ambiguous(store):
    add(store, make_extraction("page", [("义乌市", "locatedIn", "金华市")], source="news/x.txt"))
    add(store, make_extraction("b", [("中欧班列", "departsFrom", "义乌市")], source="page"))
    with pytest.raises(KGError, match=r"\[E082\].*'page'.*b"):
        store.resolve("page")


def test_a_removed_document_is_known_as_removed(store):
    add(store, make_extraction("a", [("义乌市", "locatedIn", "金华市")], source="news/a.txt"))
    add(store, make_extraction("b", [("义乌市", "locatedIn", "金华市")], source="news/b.txt"))
    assert store.remove_documents(["a", "a", "nothing"]) == ["a"]
    assert store.resolve("news/a.txt") == [] and store.resolve("a") == []
    assert store.removed_documents("news/a.txt") == ["a"] == store.removed_documents("a")
    assert store.removed_documents("news/b.txt") == []
    assert store.document_ids() == ["b"]
    assert {q.graph_name.value for q in store.quads()} == {str(graph_iri("b"))}   # exports do not see the note


def test_replacing_a_document_does_not_note_it_as_removed(store):
    add(store, make_extraction("a", [("义乌市", "locatedIn", "金华市")], source="news/a.txt"))
    add(store, make_extraction("a", [("义乌市", "locatedIn", "浙江省")], source="news/a.txt"))
    store.flush()
    add(store, make_extraction("a", [("义乌市", "locatedIn", "金华市")], source="news/a.txt"))
    assert store.removed_documents("a") == []
    assert fact("义乌市", "locatedIn", "金华市") in merged(store)
    assert fact("义乌市", "locatedIn", "浙江省") not in merged(store)


@pytest.mark.parametrize("made", ["nothing", "an empty folder", "an empty store folder"])
def test_open_existing_refuses_a_folder_without_a_graph_and_creates_nothing(tmp_path, made):
    folder = tmp_path / "g"
    if made != "nothing":
        folder.mkdir()
    if made == "an empty store folder":
        (folder / "store").mkdir()
    before = sorted(tmp_path.rglob("*"))
    with pytest.raises(NoGraph, match=r"\[E080\] no graph in"):
        GraphStore.open_existing(folder)
    assert sorted(tmp_path.rglob("*")) == before


def test_open_existing_opens_a_built_store(tmp_path):
    store = GraphStore(tmp_path / "g")
    add(store, make_extraction("a", [("义乌市", "locatedIn", "金华市")]))
    store.close()
    reopened = GraphStore.open_existing(tmp_path / "g")
    assert reopened.document_ids() == ["a"]
    reopened.close()


def test_ontology_graph_is_queried_but_not_exported(store, tmp_path):
    add(store, make_extraction("a", [("义乌市", "locatedIn", "金华市")]))
    assert store.load_ontology(ontology_dir() / "kg.ttl") > 100
    ask = "ASK { ?e a/rdfs:subClassOf* kg:Place }"
    assert bool(store.query(ask, with_ontology=True))
    assert not bool(store.query(ask))
    store.export(tmp_path / "out.trig", "trig")
    assert "kg/ontology>" not in (tmp_path / "out.trig").read_text(encoding="utf-8").split("{")[0]
    assert all(q.graph_name.value.startswith("http://example.org/kg/id/graph/") for q in store.quads())


# --------------------------------------------------------------------------- IRIs

NASTY_KEYS = [
    "义乌 国际商贸城",            # a space
    '"义新欧"班列',               # quotes
    "<宁波舟山港>",               # angle brackets
    "中国(浙江)自由贸易试验区",      # parentheses
    "A&B 贸易 #1 / 50%",          # & # / %
    "line\nbreak\ttab",           # control characters
    "{curly}|pipe^caret`tick\\",   # characters IRIs forbid
    "Ｙｉｗｕ　Ｍａｒｋｅｔ",        # full-width letters and an ideographic space
    "🚂 中欧班列",                 # outside the BMP
]
IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')


@pytest.mark.parametrize("key", NASTY_KEYS)
def test_nasty_keys_give_valid_iris(key):
    for iri in (entity_iri(key), doc_iri(key), graph_iri(key), sentence_iri(key, 3, 9)):
        assert not IRI_FORBIDDEN.search(str(iri)), iri
        ox.NamedNode(str(iri))     # pyoxigraph validates IRIs
        nt = f"<{iri}> <http://example.org/p> \"x\" .\n"
        assert len(Graph().parse(data=nt, format="nt")) == 1
        assert len(list(ox.parse(nt.encode(), format=ox.RdfFormat.N_TRIPLES))) == 1


def test_nasty_keys_stay_apart_and_are_stable():
    iris = [entity_iri(k) for k in NASTY_KEYS]
    assert len(set(iris)) == len(NASTY_KEYS)
    assert iris == [entity_iri(k) for k in NASTY_KEYS]
    # a key with a slash is one path segment: it cannot reach another kind of node
    assert "/" not in str(entity_iri("doc/a")).removeprefix("http://example.org/kg/id/entity/")


@pytest.mark.parametrize("key", ["", "   "])
def test_empty_keys_are_refused(key):
    with pytest.raises(ValueError):
        entity_iri(key)


def test_nfc_and_nfd_spellings_are_one_entity():
    assert entity_iri("Caf\u00e9 义乌") == entity_iri("Cafe\u0301 义乌")


def test_nasty_keys_survive_the_store_and_turtle(store, tmp_path):
    for i, key in enumerate(NASTY_KEYS):
        add(store, make_extraction(f"doc {i}", [(key, "locatedIn", "义乌市")]))
    store.export(tmp_path / "g.ttl", "ttl")
    parsed = Graph().parse(tmp_path / "g.ttl", format="turtle")
    assert len(parsed) == len(store.triples())
    for key in NASTY_KEYS:
        assert (entity_iri(key), KG.locatedIn, entity_iri("义乌市")) in parsed


# --------------------------------------------------------------------------- determinism


def test_same_input_gives_byte_identical_turtle(tmp_path):
    docs = [make_extraction("a", [("义乌市", "locatedIn", "金华市"), ("中欧班列", "departsFrom", "义乌市")]),
            make_extraction("b", [("宁波舟山港", "locatedIn", "浙江省")])]
    outputs = []
    for name, order in (("one", docs), ("two", list(reversed(docs)))):
        store = GraphStore(tmp_path / name)
        for ex in order:
            add(store, ex)
        for fmt in ("ttl", "nt", "nq", "trig"):
            store.export(tmp_path / f"{name}.{fmt}", fmt)
        store.close()
        outputs.append({fmt: (tmp_path / f"{name}.{fmt}").read_bytes() for fmt in ("ttl", "nt", "nq", "trig")})
    assert outputs[0] == outputs[1]


def test_store_is_persistent_and_locked(tmp_path):
    from kg.errors import KGError

    store = GraphStore(tmp_path / "g")
    add(store, make_extraction("a", [("义乌市", "locatedIn", "金华市")]))
    with pytest.raises(KGError, match="E081"):
        GraphStore(tmp_path / "g")
    store.close()
    again = GraphStore(tmp_path / "g")
    assert again.document_ids() == ["a"]
    assert fact("义乌市", "locatedIn", "金华市") in merged(again)
    again.close()


def test_triples_are_in_the_named_graph_and_the_merged_view(store):
    ex = make_extraction("a", [("义乌市", "locatedIn", "金华市")])
    add(store, ex)
    named = {(q.subject, q.predicate, q.object) for q in store.graph_quads("a")}
    assert named == {(t.subject, t.predicate, t.object) for t in store.triples()}
    assert URIRef(str(doc_iri("a")))


# --------------------------------------------------------------------------- batched writes and sorted exports


def test_new_documents_wait_in_memory_and_are_read_as_if_written(store):
    ex = make_extraction("a", [("义乌市", "locatedIn", "金华市")])
    add(store, ex)
    assert store._pending                      # not yet in the database
    assert store.has_document("a") and store.document_hash("a") == ex.article.content_hash
    assert store.document_ids() == ["a"]      # any other read writes them first
    assert not store._pending


def test_a_pending_document_replaced_keeps_only_its_second_graph(store):
    add(store, make_extraction("a", [("义乌市", "locatedIn", "金华市")]))
    add(store, make_extraction("a", [("中欧班列", "destination", "马德里")]))
    assert fact("中欧班列", "destination", "马德里") in merged(store)
    assert fact("义乌市", "locatedIn", "金华市") not in merged(store)


def test_pending_documents_are_written_in_batches(store, monkeypatch):
    monkeypatch.setattr(GraphStore, "PENDING_TRIPLES", 60)
    for i in range(4):
        add(store, make_extraction(f"d{i}", [("义乌市", "locatedIn", "金华市"), ("中欧班列", "destination", "马德里")]))
        assert store._pending_triples < 60
    assert len(store._db) > 0                 # written without a read, flush or close


def test_a_store_dropped_without_close_keeps_its_documents(tmp_path):
    import gc

    store = GraphStore(tmp_path / "g")
    add(store, make_extraction("a", [("义乌市", "locatedIn", "金华市")]))
    del store
    gc.collect()
    again = GraphStore(tmp_path / "g")
    assert again.document_ids() == ["a"]
    again.close()


NASTY_TEXTS = [   # literal text the bulk path carries as N-Quads: each must come back as it went in
    '他说："义新欧"班列 \\ 开行',     # quotes and a backslash
    "第一行\n第二行\r\t末尾",            # line breaks and a tab
    "行分隔\u2028段分隔\u2029",          # Unicode line and paragraph separators
    "🚂 中欧班列 \U0001F4E6",             # outside the BMP
    "",                                   # empty
    "  前后空格  ",
]


def nasty_extraction(i: int, text: str) -> Extraction:
    ex = make_extraction(f"nasty {i}", [("义乌市", "locatedIn", "金华市")], source=f"新闻/{text or 'x'}.txt")
    article = ex.article
    ex.article = Article(doc_id=article.doc_id, text=article.text, source=article.source, title=text or None,
                         date=article.date, authors=(text,) if text else (), sentences=article.sentences)
    return ex


def pyoxigraph_quads(doc_id: str, triples) -> set[ox.Quad]:
    """A document as the store held it before the bulk path: pyoxigraph terms made one by one, in its graph and in
    the merged view."""
    graph = ox.NamedNode(str(graph_iri(doc_id)))
    terms = {(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in triples}
    return {ox.Quad(*t, g) for t in terms for g in (graph, ox.DefaultGraph())}


@pytest.mark.parametrize("pending", [1, 60, 10_000], ids=["a batch a document", "small batches", "one batch"])
def test_the_bulk_path_stores_the_terms_pyoxigraph_makes(tmp_path, monkeypatch, pending):
    monkeypatch.setattr(GraphStore, "PENDING_TRIPLES", pending)
    docs = [nasty_extraction(i, text) for i, text in enumerate(NASTY_TEXTS)]
    docs += [make_extraction(f"key {i}", [(key, "locatedIn", "义乌市")]) for i, key in enumerate(NASTY_KEYS)]
    store = GraphStore(tmp_path / "g")
    for ex in docs:
        add(store, ex)
    expected = set().union(*(pyoxigraph_quads(ex.article.doc_id, extraction_triples(ex)) for ex in docs))
    assert set(store.db.quads_for_pattern(None, None, None)) == expected
    assert store.document_hash("nasty 0") == docs[0].article.content_hash
    store.close()


def test_a_written_document_replaced_holds_only_its_second_graph(store):
    add(store, make_extraction("a", [("义乌市", "locatedIn", "金华市"), ("中欧班列", "destination", "马德里")]))
    add(store, make_extraction("b", [("义乌市", "locatedIn", "金华市")]))
    store.flush()                               # both in the database, not pending
    second = make_extraction("a", [("宁波舟山港", "locatedIn", "浙江省")])
    add(store, second)
    assert set(store.db.quads_for_pattern(None, None, None, ox.NamedNode(str(graph_iri("a"))))) == {
        q for q in pyoxigraph_quads("a", extraction_triples(second)) if q.graph_name != ox.DefaultGraph()}
    view = merged(store)
    assert fact("宁波舟山港", "locatedIn", "浙江省") in view
    assert fact("义乌市", "locatedIn", "金华市") in view          # b still says it
    assert fact("中欧班列", "destination", "马德里") not in view
    assert store.document_hash("a") == second.article.content_hash


def test_a_blank_node_is_one_node_in_its_graph_and_the_merged_view(store):
    from rdflib import BNode, Literal

    node = BNode()
    store.replace_document("curated", [(entity_iri("义乌市"), KG.partner, node), (node, KG.text, Literal("匿名伙伴"))])
    named = list(store.db.quads_for_pattern(None, None, None, ox.NamedNode(str(graph_iri("curated")))))
    default = list(store.db.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    blanks = {t for q in named + default for t in (q.subject, q.object) if isinstance(t, ox.BlankNode)}
    assert len(named) == len(default) == 2 and len(blanks) == 1


SORT_TERMS = [   # terms one of which starts with another: the sort must put the shorter first, as a tuple sort does
    ox.NamedNode("http://example.org/kg/id/entity/a"), ox.NamedNode("http://example.org/kg/id/entity/a/b"),
    ox.NamedNode("http://example.org/kg/id/entity/a%20b"), ox.BlankNode("b1"), ox.BlankNode("b12"),
    ox.Literal("义乌"), ox.Literal("义乌", language="zh"), ox.Literal("义乌市"), ox.Literal("1", datatype=ox.NamedNode(
        "http://www.w3.org/2001/XMLSchema#integer")), ox.Literal("tab\there"), ox.Literal("line\nbreak"),
    ox.Literal('"引号"'), ox.Literal("🚂"), ox.Literal(""),
]


def test_the_merged_view_is_sorted_term_by_term(store):
    subjects = [t for t in SORT_TERMS if not isinstance(t, ox.Literal)]
    predicates = [ox.NamedNode("http://example.org/p"), ox.NamedNode("http://example.org/p2")]
    store.db.extend(ox.Quad(s, p, o, ox.DefaultGraph()) for s in subjects for p in predicates for o in SORT_TERMS)
    triples = store.triples()
    assert len(triples) == len(subjects) * len(predicates) * len(SORT_TERMS)
    assert triples == sorted(triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))


LINES = [   # N-Triples lines whose order a bad merge would break: shared prefixes, escapes, non-ASCII, one repeated
    b'<http://example.org/kg/id/entity/a> <http://example.org/p> "\\u00E9t\\u00E9" .\n',
    b'<http://example.org/kg/id/entity/a> <http://example.org/p> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .\n',
    b'<http://example.org/kg/id/entity/a%20b> <http://example.org/p> "\xe4\xb9\x89\xe4\xb9\x8c"@zh .\n',
    b'<http://example.org/kg/id/entity/a/b> <http://example.org/p2> "line\\nbreak" .\n',
    b'_:b1 <http://example.org/p> "\xf0\x9f\x9a\x82" .\n',
    b'<http://example.org/kg/id/entity/a> <http://example.org/p> "\\u00E9t\\u00E9" .\n',
]


@pytest.mark.parametrize("run_lines", [1, 2, 5, 100])
def test_lines_sorted_in_runs_are_sorted_as_a_whole(tmp_path, run_lines):
    path = tmp_path / "lines.nt"
    path.write_bytes(b"".join(reversed(LINES)))
    assert sort_lines(path, run_lines) == len(LINES)
    assert path.read_bytes() == b"".join(sorted(LINES))
    assert [p.name for p in tmp_path.iterdir()] == ["lines.nt"]      # no run left behind


def test_turtle_merged_from_runs_is_byte_identical(tmp_path, monkeypatch):
    docs = [make_extraction(f"key {i}", [(key, "locatedIn", "义乌市")]) for i, key in enumerate(NASTY_KEYS)]
    outputs = []
    for run_lines in (1_000_000, 7):
        monkeypatch.setattr(GraphStore, "SORT_RUN_LINES", run_lines)
        store = GraphStore(tmp_path / str(run_lines))
        for ex in docs:
            add(store, ex)
        outputs.append((store.serialize("ttl"), store.serialize("nt"), store.triples()))
        store.close()
    assert outputs[0] == outputs[1] and len(outputs[0][2]) > 7 * 3
