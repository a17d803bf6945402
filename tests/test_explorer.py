"""The explorer page without a browser: what it gathers from the store, how it embeds it, kg view.

The graph here is written straight into a GraphStore from hand-made records (kg.graph.rdf, the real RDF path), so
these tests do not load the NLP pipeline. The browser tests are in test_explorer_browser.py.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.graph.rdf import extraction_triples
from kg.graph.store import GraphStore
from kg.records import Article, Entity, Extraction, Mention, Observation, Provenance, Relation, Sentence
from kg.viz.explorer import DEFAULT_CAP, _json_for_html, explorer_data, explorer_html, write_explorer
from kg.paths import ontology_dir

ROOT = Path(__file__).resolve().parent.parent

EVIL_NAME = '义乌"快递"<script>window.__pwned=1</script>公司'
EVIL_ALIAS = "<img src=x onerror=window.__pwned=2>"
EVIL_TITLE = "</script><script>window.__pwned=3</script>《标题》&amp;"

ENTITIES = {  # key: (label, class, aliases, wikidata)
    "yiwu": ("义乌市", "City", ("义乌",), "Q10869"),
    "zhongou": ("中欧班列", "Route", (), None),
    "xizhan": ("义乌西站", "Facility", (), None),
    "madrid": ("马德里", "City", (), "Q2807"),
    "alashankou": ("阿拉山口口岸", "Facility", (), None),
    "chinagoods": ("Chinagoods", "Platform", (), None),
    "evil": (EVIL_NAME, "Company", (EVIL_ALIAS,), None),
    "lonely": ("舟山群岛新区", "Zone", (), None),
}
# (document, title, date, sentence, [(subject, property, object)], [(entity, indicator, value, unit, text, period)])
ARTICLES = [
    ("rail", "义乌西站班列开行情况", "2025-04-02",
     "中欧班列从义乌西站出发，经阿拉山口口岸开往马德里。",
     [("zhongou", "departsFrom", "xizhan"), ("zhongou", "via", "alashankou"), ("zhongou", "destination", "madrid"),
      ("xizhan", "locatedIn", "yiwu")], []),
    ("trade", "义乌外贸一季度观察", "2025-04-20",
     "一季度义乌市进出口总值达到1580亿元，义乌西站货运繁忙。",
     [("xizhan", "locatedIn", "yiwu")], [("yiwu", "进出口总值", Decimal("158000000000"), "CNY", "1580亿元", "一季度")]),
    ("evil", EVIL_TITLE, "2025-05-01",
     f"{EVIL_NAME}通过Chinagoods把货物卖到马德里，舟山群岛新区也有提及。",
     [("evil", "exportsTo", "madrid"), ("chinagoods", "operatedBy", "evil")], []),
]


def entity(key: str) -> Entity:
    label, cls, aliases, wikidata = ENTITIES[key]
    return Entity(key=key, label=label, cls=cls, aliases=aliases, wikidata=wikidata)


def extraction(doc_id, title, date, text, relations, observations) -> Extraction:
    sentence = Sentence(0, len(text), text)
    prov = lambda rule: Provenance(doc_id, sentence, rule, 0.8, date)
    ex = Extraction(Article(doc_id=doc_id, text=text, source=f"{doc_id}.txt", title=title, date=date,
                            sentences=(sentence,)))
    named = {k for k, (label, *_rest) in ENTITIES.items() if label in text}
    named |= {k for k, (_, _, aliases, _) in ENTITIES.items() if any(a in text for a in aliases)}
    for key in sorted(named):
        ex.entities[key] = entity(key)
        label = ENTITIES[key][0]
        start = text.find(label)
        ex.mentions.append(Mention(entity(key), start, start + len(label), label, prov("gazetteer")))
    for alias_key in ("evil",):
        if alias_key in named:
            ex.mentions.append(Mention(entity(alias_key), 0, 1, EVIL_ALIAS, prov("gazetteer")))
    if "yiwu" in named:
        ex.mentions.append(Mention(entity("yiwu"), 0, 2, "义乌", prov("gazetteer")))
    for s, p, o in relations:
        ex.relations.append(Relation(s, p, o, prov(f"rule-{p}")))
    for key, indicator, value, unit, written, period in observations:
        ex.observations.append(Observation(key, indicator, value, unit, written, prov("figure"), period=period))
    return ex


def fill(store: GraphStore) -> GraphStore:
    for article in ARTICLES:
        ex = extraction(*article)
        store.replace_document(ex.article.doc_id, extraction_triples(ex))
    store.flush()
    return store


def release(store: GraphStore) -> None:
    """Close the store (Oxigraph locks its folder while a handle is open), so that the CLI can open it."""
    import gc

    del store.db
    gc.collect()


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return fill(GraphStore(tmp_path_factory.mktemp("graph")))


@pytest.fixture(scope="module")
def data(store):
    return explorer_data(store, ontology=ontology_dir())


def node(data, label):
    [found] = [i for i, n in enumerate(data["nodes"]) if n["l"] == label]
    return found


@pytest.mark.parametrize("label, cls, aliases, wikidata", [
    ("义乌市", "City", ["义乌"], "Q10869"),
    ("中欧班列", "Route", [], ""),
    ("马德里", "City", [], "Q2807"),
    ("Chinagoods", "Platform", [], ""),
    (EVIL_NAME, "Company", [EVIL_ALIAS], ""),
    ("舟山群岛新区", "Zone", [], ""),
])
def test_entities_carry_label_class_aliases_and_wikidata(data, label, cls, aliases, wikidata):
    n = data["nodes"][node(data, label)]
    assert (n["c"], n["a"], n["w"]) == (cls, aliases, wikidata)


def test_entities_come_most_connected_first(data):
    degrees = [n["d"] for n in data["nodes"]]
    assert degrees == sorted(degrees, reverse=True)
    assert data["nodes"][0]["l"] == "中欧班列"        # departsFrom, via, destination: 3 relations
    assert data["nodes"][-1]["l"] == "舟山群岛新区"   # mentioned, no relation
    assert data["nodes"][-1]["d"] == 0


@pytest.mark.parametrize("subject, prop, obj, sentence_starts, title, date", [
    ("中欧班列", "departsFrom", "义乌西站", "中欧班列从义乌西站出发", "义乌西站班列开行情况", "2025-04-02"),
    ("中欧班列", "via", "阿拉山口口岸", "中欧班列从义乌西站出发", "义乌西站班列开行情况", "2025-04-02"),
    ("Chinagoods", "operatedBy", EVIL_NAME, EVIL_NAME, EVIL_TITLE, "2025-05-01"),
])
def test_edges_carry_their_evidence(data, subject, prop, obj, sentence_starts, title, date):
    [edge] = [e for e in data["edges"] if (e[0], e[2], e[1]) == (node(data, subject), prop, node(data, obj))]
    [(sentence, rule, confidence, role)] = edge[3]
    text, doc = data["sents"][sentence]
    assert text.startswith(sentence_starts)
    assert data["docs"][doc][:2] == [title, date]
    assert (rule, confidence) == (f"rule-{prop}", 0.8)


def test_a_fact_stated_twice_has_two_pieces_of_evidence(data):
    [edge] = [e for e in data["edges"] if (e[0], e[2], e[1]) == (node(data, "义乌西站"), "locatedIn", node(data, "义乌市"))]
    titles = [data["docs"][data["sents"][ev[0]][1]][0] for ev in edge[3]]
    assert titles == ["义乌西站班列开行情况", "义乌外贸一季度观察"]


def test_statistics_belong_to_their_entity(data):
    [obs] = data["obs"]
    assert obs[0] == node(data, "义乌市")
    assert obs[1:7] == ["进出口总值", "158000000000", "CNY", "1580亿元", "", "一季度"]
    assert data["sents"][obs[7][0]][0].startswith("一季度义乌市进出口总值")


def test_mentions_point_at_source_sentences(data):
    n = data["nodes"][node(data, "舟山群岛新区")]
    assert [data["sents"][s][0][-17:] for s in n["m"]] == ["卖到马德里，舟山群岛新区也有提及。"]


def test_legend_lists_the_classes_and_properties_present(data):
    assert set(data["classes"]) == {"City", "Route", "Facility", "Platform", "Company", "Zone"}
    assert data["classes"]["City"]["zh"] == "城市"
    assert set(data["props"]) == {"departsFrom", "via", "destination", "locatedIn", "exportsTo", "operatedBy"}
    assert data["props"]["departsFrom"]["zh"] == "始发于"


@pytest.mark.parametrize("text", [
    "</script><script>alert(1)</script>",
    "<!-- 注释 --> & &amp; <b>粗体</b>",
    "引号\"'和反斜杠\\",
    "行分隔符\u2028段分隔符\u2029",
])
def test_json_block_cannot_break_out(text):
    block = _json_for_html({"s": text})
    assert not set("<>&\u2028\u2029") & set(block)
    assert json.loads(block) == {"s": text}


@pytest.fixture(scope="module")
def page(data):
    return explorer_html(data, title='图谱 <i>"kg"</i>')


def test_page_embeds_the_data_it_was_given(page, data):
    block = re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', page, re.S).group(1)
    assert json.loads(block) == json.loads(json.dumps(data))


def test_page_needs_nothing_from_outside(page):
    assert not re.search(r"<(script|img|iframe|link)\b[^>]*\b(src|href)=", page, re.I)
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", page, re.I)
    assert "connect-src 'none'" in page and "default-src 'none'" in page


def test_policy_allows_exactly_the_inline_scripts(page):
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page).group(1)
    allowed = set(re.findall(r"'sha256-([^']+)'", policy))
    scripts = re.findall(r"<script>(.*?)</script>", page, re.S)
    assert len(scripts) == 2
    assert {base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() for s in scripts} == allowed


@pytest.mark.parametrize("raw", [EVIL_NAME, EVIL_ALIAS, EVIL_TITLE])
def test_article_text_never_appears_as_markup(page, raw):
    assert raw not in page


def test_page_title_is_escaped(page):
    assert "<title>图谱 &lt;i&gt;&quot;kg&quot;&lt;/i&gt;</title>" in page


def test_default_cap_reaches_the_page(data):
    assert data["cap"] == DEFAULT_CAP


def test_write_explorer_replaces_the_file_whole(store, tmp_path):
    target = tmp_path / "explorer.html"
    target.write_text("old", encoding="utf-8")
    assert write_explorer(store, target, ontology=ontology_dir(), cap=5) == target
    assert '"cap":5' in target.read_text(encoding="utf-8")
    assert [p.name for p in tmp_path.iterdir()] == ["explorer.html"]


def test_empty_graph_gives_a_page(tmp_path):
    data = explorer_data(GraphStore(tmp_path), ontology=ontology_dir())
    assert (data["nodes"], data["edges"], data["obs"]) == ([], [], [])
    assert '"nodes":[]' in explorer_html(data)


@pytest.mark.parametrize("args, opens", [(["--no-open"], False), ([], True)])
def test_kg_view_writes_and_opens(tmp_path, monkeypatch, args, opens):
    release(fill(GraphStore(tmp_path)))
    opened = []
    monkeypatch.setattr("webbrowser.open", lambda url: opened.append(url) or True)
    result = CliRunner().invoke(main, ["view", str(tmp_path), *args])
    assert result.exit_code == 0, result.output
    path = tmp_path / "explorer.html"
    assert result.output.strip() == str(path.resolve())
    assert "中欧班列" in path.read_text(encoding="utf-8")
    assert opened == ([path.resolve().as_uri()] if opens else [])


@pytest.mark.parametrize("browser, opened", [
    ("true", True),     # a browser command that works
    ("false", False),   # one that fails, as on a server without a display
])
def test_kg_view_says_when_no_browser_could_be_opened(tmp_path, browser, opened):
    release(fill(GraphStore(tmp_path)))
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(BROWSER=browser, PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, "-m", "kg.cli", "view", str(tmp_path)], env=env, cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    url = (tmp_path / "explorer.html").resolve().as_uri()
    assert result.stdout.strip() == str((tmp_path / "explorer.html").resolve())
    assert (f"no web browser could be opened here: open {url} in one" in result.stderr) is not opened


def test_kg_view_without_a_graph_says_how_to_build_one(tmp_path):
    result = CliRunner().invoke(main, ["view", str(tmp_path), "--no-open"])
    assert result.exit_code == 2
    assert "[E080]" in result.output and "kg build" in result.output
