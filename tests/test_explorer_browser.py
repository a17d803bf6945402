"""The explorer in a real browser: Playwright driving Debian's Chromium (never a downloaded one).

Every page must load with no console error and no request that is not file: or data:. The main graph is built from
our own articles through the real pipeline (kg.build.build, once per session); the escaping page and the large page
are written straight into a store.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kg.graph.store import GraphStore
from kg.viz.explorer import write_explorer
from kg.paths import ontology_dir

playwright_api = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

ARTICLES = {  # our own sentences; front matter gives title and date
    "railway.md": """---
title: 义乌西站中欧班列一季度开行量创新高
date: 2025-04-02
publisher: 浙中观察
---
今年一季度，中欧班列从义乌西站出发，经阿拉山口口岸开往马德里，全程约一万三千公里。

浙江省金华市义乌市的义乌国际商贸城是全球最大的小商品市场之一，吸引了来自中亚和中东的采购商。

一季度义乌市进出口总值达到1580亿元，同比增长12.5%。
""",
    "port.md": """---
title: 宁波舟山港海铁联运业务量稳步增长
date: 2025-05-18
publisher: 港航周刊
---
宁波舟山港位于浙江省宁波市，是长三角重要的对外开放门户。

今年前四个月，宁波舟山港完成集装箱吞吐量1320万标准箱，同比增长9.1%。
""",
    "platform.md": """---
title: Chinagoods平台助力小商品出海
date: 2025-06-09
publisher: 商贸日报
---
Chinagoods平台由义乌中国小商品城集团打造，服务全球采购商。

市场采购贸易方式在义乌试点多年，带动了小商品出口。

去年义乌市跨境电商交易额达1286.7亿元，同比增长17.5%。
""",
}


# ---- the browser ---------------------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def context(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (scripts/setup.sh --test installs it)")
    with playwright_api.sync_playwright() as p:
        ctx = p.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=CHROMIUM, args=ARGS,
            viewport={"width": 1400, "height": 900}, locale="zh-CN")
        outside: list[str] = []

        def only_local(route):
            if route.request.url.startswith(("file:", "data:")):
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        ctx.route("**/*", only_local)
        ctx.outside = outside
        yield ctx
        ctx.close()


class Explorer:
    """One loaded explorer page, and everything that went wrong on it."""

    def __init__(self, context, path: Path):
        self.page = context.new_page()
        self.problems: list[str] = []
        self.outside = context.outside
        self.outside.clear()
        self.page.on("console", lambda m: m.type in ("error", "warning") and self.problems.append(f"{m.type}: {m.text}"))
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.goto(path.resolve().as_uri())
        self.page.wait_for_selector("body[data-ready='1']", timeout=30_000)

    def js(self, expression: str, arg=None):
        return self.page.evaluate(expression, arg)

    def id_of(self, label: str) -> int:
        found = self.js("label => kgExplorer.find(label)", label)
        assert found >= 0, f"{label} is not in the page's data"
        return found

    def shown_labels(self) -> set[str]:
        return set(self.js("kgExplorer.shown().map(i => kgExplorer.data.nodes[i].l)"))

    def screen_point(self, node: int) -> tuple[float, float]:
        box = self.page.locator("#graph").bounding_box()
        point = self.js("i => kgExplorer.toDOM(i)", node)
        return box["x"] + point["x"], box["y"] + point["y"]

    def click_node(self, label: str) -> None:
        x, y = self.screen_point(self.id_of(label))
        self.page.mouse.click(x, y)
        self.page.wait_for_selector("#panel:not([hidden])")

    def search(self, text: str) -> None:
        self.page.fill("#search", text)
        self.page.press("#search", "Enter")
        self.page.wait_for_selector("#panel:not([hidden])")
        self.page.wait_for_timeout(450)   # the focus animation

    def panel(self) -> str:
        return self.page.inner_text("#panel-body")

    def close(self) -> None:
        assert self.problems == []
        assert self.outside == []
        self.page.close()


# ---- the graphs ----------------------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    """Our articles through the real pipeline: kg build writes DIR/explorer.html."""
    from kg.build import build

    articles = tmp_path_factory.mktemp("articles")
    for name, text in ARTICLES.items():
        (articles / name).write_text(text, encoding="utf-8")
    out = tmp_path_factory.mktemp("built")
    report = build([str(articles)], out)
    assert report.ok and len(report.built) == 3
    return out / "explorer.html"


@pytest.fixture(scope="session")
def evil(tmp_path_factory) -> Path:
    from test_explorer import fill

    folder = tmp_path_factory.mktemp("evil")
    return write_explorer(fill(GraphStore(folder)), folder / "explorer.html", ontology=ontology_dir())


@pytest.fixture(scope="session")
def large(tmp_path_factory) -> Path:
    from bench.synthetic import synthetic_store

    folder = tmp_path_factory.mktemp("large")
    return write_explorer(synthetic_store(folder, 1200), folder / "explorer.html", ontology=ontology_dir(), cap=100)


@pytest.fixture
def explorer(context, request):
    opened: list[Explorer] = []

    def open_(path: Path) -> Explorer:
        opened.append(Explorer(context, path))
        return opened[-1]

    yield open_
    for page in opened:
        page.close()


# ---- tests ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("graph", ["built", "evil", "large"])
def test_page_loads_offline_without_errors(explorer, request, graph):
    page = explorer(request.getfixturevalue(graph))
    assert page.js("typeof vis") == "object"
    assert page.js("document.querySelectorAll('#graph canvas').length") == 1
    # Explorer.close() (at teardown) asserts: no console error or warning, no request other than file: and data:


def test_draws_the_most_connected_entities_and_their_relations(explorer, built):
    page = explorer(built)
    shown = page.shown_labels()
    assert {"义乌市", "中欧班列", "义乌西站", "马德里", "阿拉山口口岸", "宁波舟山港", "浙江省"} <= shown
    degrees = page.js("kgExplorer.shown().map(i => kgExplorer.data.nodes[i].d)")
    assert min(degrees) > 0, "unconnected entities are left out of the first view"
    assert page.js("kgExplorer.shownEdges().length") == page.js("kgExplorer.data.edges.length")
    assert "中亚" not in shown


@pytest.mark.parametrize("query, label", [
    ("义乌", "义乌市"),              # an alias, exactly
    ("义乌市", "义乌市"),
    ("中欧", "中欧班列"),            # a prefix
    ("舟山港", "宁波舟山港"),        # inside the name
    ("chinagoods", "Chinagoods"),    # Latin, any case
    ("ＣＨＩＮＡＧＯＯＤＳ", "Chinagoods"),   # full-width
    ("中亚", "中亚"),                # not drawn at first: search brings it in
])
def test_search_finds_and_focuses(explorer, built, query, label):
    page = explorer(built)
    page.search(query)
    target = page.id_of(label)
    assert page.js("kgExplorer.selected()") == [target]
    assert page.page.inner_text("#panel-label") == label
    assert label in page.shown_labels()
    x, y = page.screen_point(target)
    box = page.page.locator("#graph").bounding_box()
    assert abs(x - (box["x"] + box["width"] / 2)) < 60 and abs(y - (box["y"] + box["height"] / 2)) < 60


def test_search_lists_matches_with_aliases(explorer, built):
    page = explorer(built)
    page.page.fill("#search", "义乌")
    items = page.page.locator("#results li .name").all_inner_texts()
    assert items[0] == "义乌市"
    assert {"义乌西站", "义乌国际商贸城"} <= set(items)
    assert page.page.locator("#results li").first.locator(".alias").inner_text() == "别名 义乌"


def test_search_offers_sentences_and_opens_their_entity(explorer, built):
    """Words that name no entity (采购商) find the evidence sentences that contain them, with the entities they name;
    picking one opens the most connected of those entities, whose panel shows the sentence."""
    page = explorer(built)
    page.page.fill("#search", "采购商")
    sentences = page.page.locator("#results li.sentence")
    assert sentences.count() == 2
    assert all("采购商" in text for text in sentences.locator(".name").all_inner_texts())
    assert sorted(page.js("kgExplorer.searchSentences('采购商')")) == [
        "Chinagoods平台由义乌中国小商品城集团打造，服务全球采购商。",
        "浙江省金华市义乌市的义乌国际商贸城是全球最大的小商品市场之一，吸引了来自中亚和中东的采购商。"]
    first = sentences.first
    text = page.js(f"kgExplorer.data.sents[{first.get_attribute('data-sentence')}][0]")
    named = first.locator(".cls").inner_text()
    first.dispatch_event("mousedown")
    assert page.page.inner_text("#panel-label") in named.split("、")
    assert text in page.page.inner_text("#sources")


def test_one_character_finds_no_sentence(explorer, built):
    page = explorer(built)
    assert page.js("kgExplorer.searchSentences('商')") == []


def test_click_opens_the_panel_with_facts_and_evidence(explorer, built):
    page = explorer(built)
    page.click_node("中欧班列")
    text = page.panel()
    assert page.page.inner_text("#panel-label") == "中欧班列"
    assert "线路 Route" in text
    assert "始发于 departsFrom → 义乌西站" in text
    assert "中欧班列从义乌西站出发" in text
    assert "《义乌西站中欧班列一季度开行量创新高》 2025-04-02" in text
    assert page.page.locator("#sources blockquote mark").first.inner_text() == "中欧班列"


def test_panel_shows_aliases_statistics_and_sources(explorer, built):
    page = explorer(built)
    page.search("义乌市")
    assert "别名 aliases：义乌" in page.panel()
    rows = page.page.locator("#statistics tbody tr").all_inner_texts()
    assert any("1580亿元" in row and "一季度" in row for row in rows)
    sources = page.page.inner_text("#sources")
    assert "《宁波舟山港海铁联运业务量稳步增长》" not in sources
    assert "《Chinagoods平台助力小商品出海》 2025-06-09" in sources


def test_panel_links_to_wikidata(explorer, evil):
    page = explorer(evil)
    page.search("马德里")
    link = page.page.locator("#wikidata")
    assert link.get_attribute("href") == "https://www.wikidata.org/wiki/Q2807"
    assert link.get_attribute("rel") == "noopener noreferrer"


def test_hovering_an_edge_shows_its_evidence(explorer, built):
    page = explorer(built)
    a, b = page.id_of("中欧班列"), page.id_of("义乌西站")
    # as a user would: show only departsFrom edges, so no other edge can lie under the pointer
    for box in page.page.locator("#legend-props input[type=checkbox]").all():
        if box.get_attribute("data-key") != "departsFrom":
            box.uncheck()
    page.js("ids => kgExplorer.focus(ids[0])", [a])
    page.page.wait_for_timeout(450)
    edge = page.js("ids => kgExplorer.edgeAt(ids[0], ids[1])", [a, b])
    page.page.mouse.move(edge["x"] + page.page.locator("#graph").bounding_box()["x"],
                         edge["y"] + page.page.locator("#graph").bounding_box()["y"])
    tooltip = page.page.locator("div.vis-tooltip")
    tooltip.wait_for(state="visible", timeout=3000)
    text = tooltip.inner_text()
    assert "中欧班列  —始发于 departsFrom→  义乌西站" in text
    assert "中欧班列从义乌西站出发" in text and "《义乌西站中欧班列一季度开行量创新高》 2025-04-02" in text


@pytest.mark.parametrize("kind, key, hidden", [
    ("classes", "City", "义乌市"),
    ("props", "departsFrom", None),
])
def test_filters_hide_a_class_or_a_property(explorer, built, kind, key, hidden):
    page = explorer(built)
    before = page.js("kgExplorer.shownEdges().length")
    page.page.locator(f'#legend-{kind} input[data-key="{key}"]').uncheck()
    if hidden:
        assert hidden not in page.shown_labels()
        assert all(page.js(f"kgExplorer.data.nodes[{i}].c") != key for i in page.js("kgExplorer.shown()"))
    else:
        props = page.js("kgExplorer.shownEdges().map(i => kgExplorer.data.edges[i][2])")
        assert key not in props and len(props) < before
    page.page.locator(f'#legend-{kind} input[data-key="{key}"]').check()
    assert page.js("kgExplorer.shownEdges().length") == before


def test_article_text_is_shown_as_text_and_runs_nothing(explorer, evil):
    from test_explorer import EVIL_ALIAS, EVIL_NAME, EVIL_TITLE

    page = explorer(evil)
    page.search("快递")
    assert page.page.inner_text("#panel-label") == EVIL_NAME
    text = page.panel()
    assert EVIL_ALIAS in text and EVIL_TITLE in text
    page.search("Chinagoods")                                       # its evidence names the evil title too
    assert EVIL_TITLE in page.panel() and EVIL_NAME in page.panel()
    page.page.fill("#search", "<img")                               # the results list shows the alias
    assert page.page.locator("#results li .alias").first.inner_text() == f"别名 {EVIL_ALIAS}"
    node = page.id_of(EVIL_NAME)
    x, y = page.screen_point(node)
    page.page.mouse.move(x, y)                                      # the node's tooltip
    page.page.wait_for_timeout(400)
    assert page.js("window.__pwned") is None
    assert page.js("document.querySelectorAll('img, iframe, script:not([type]), [onerror]').length") == 2
    assert page.page.title() == "kg explorer"


def test_large_graph_draws_the_cap_and_expands(explorer, large):
    page = explorer(large)
    assert page.js("kgExplorer.data.nodes.length") == 1200
    assert len(page.js("kgExplorer.shown()")) == 100
    page.search("S1199")                                            # an alias of an entity far outside the cap
    last = page.js("kgExplorer.find(kgExplorer.data.nodes.find(n => n.a.includes('S1199')).l)")
    assert last >= 100 and page.js("kgExplorer.selected()") == [last]
    hub = 0
    before = len(page.js("kgExplorer.shown()"))
    added = page.js("i => kgExplorer.expand(i)", hub)
    assert added > 0 and len(page.js("kgExplorer.shown()")) == before + added
    neighbours = page.js("i => kgExplorer.data.edges.filter(e => e[0] === i || e[1] === i).length", hub)
    assert neighbours > 10


def test_double_click_expands_a_node(explorer, large):
    page = explorer(large)
    hub = 0
    before = set(page.js("kgExplorer.shown()"))
    x, y = page.screen_point(hub)
    page.page.mouse.dblclick(x, y)
    page.page.wait_for_function("n => kgExplorer.shown().length > n", arg=len(before))
    after = set(page.js("kgExplorer.shown()"))
    neighbours = set(page.js("i => kgExplorer.data.edges.filter(e => e[0] === i || e[1] === i)"
                             "  .map(e => e[0] === i ? e[1] : e[0])", hub))
    assert before < after and after - before <= neighbours


@pytest.mark.parametrize("cap", ["50", "500"])
def test_the_view_size_can_be_changed(explorer, large, cap):
    page = explorer(large)
    page.page.select_option("#cap", cap)
    assert len(page.js("kgExplorer.shown()")) == int(cap)
    page.page.click("#more")
    assert len(page.js("kgExplorer.shown()")) == int(cap) + 100


def test_search_results_can_be_picked_with_the_keyboard(explorer, built):
    page = explorer(built)
    page.page.fill("#search", "义乌")
    second = page.page.locator("#results li .name").nth(1).inner_text()
    page.page.press("#search", "ArrowDown")
    page.page.press("#search", "Enter")
    page.page.wait_for_selector("#panel:not([hidden])")
    assert page.page.inner_text("#panel-label") == second != "义乌市"


# ---- the side panel's charts: the four trade articles of examples/ (Q1, H1 from two outlets that disagree, Q1-Q3) --
@pytest.fixture(scope="session")
def trends(tmp_path_factory) -> Path:
    from kg.build import build

    examples = Path(__file__).resolve().parent.parent / "examples"
    out = tmp_path_factory.mktemp("trends")
    report = build([str(p) for p in sorted(examples.glob("yiwu_trade_*.txt"))], out, statistical=False)
    assert report.ok and len(report.built) == 4
    return out / "explorer.html"


def test_panel_draws_a_chart_per_series_with_conflicts_marked(explorer, trends):
    page = explorer(trends)
    page.search("义乌市")
    assert "趋势 Trends" in page.panel()
    series = page.js("Array.from(document.querySelectorAll('#panel svg.chart')).map(s => s.dataset.series)")
    assert {"trade_value · CNY", "trade_value · percent · yearOnYear", "exports · CNY"} <= set(series)
    points = page.js("""() => { const s = document.querySelector('#panel svg.chart[data-series="trade_value · CNY"]');
        return [s.querySelectorAll('.point').length, s.querySelectorAll('.point.conflict').length]; }""")
    assert points == [7, 2]      # Q1 twice, H1 three times (a bound and two outlets that disagree), Q1-Q3 twice


def test_a_chart_point_opens_its_sentence(explorer, trends):
    page = explorer(trends)
    page.search("义乌市")
    # the two outlets' half-year figures lie close: the point on top opens both, each with its sentence
    page.page.locator('#panel svg.chart[data-series="trade_value · CNY"] .point.conflict').last.click()
    detail = page.page.inner_text("#chart-detail")
    assert detail.count("来源不一致") == 2
    assert "3168.5亿元" in detail and "3216.8亿元" in detail
    assert "突破3000亿元" in detail             # the headline's bound, same period, no conflict
    assert "义乌外贸进出口总额3168.5亿元" in detail and "义乌市进出口总值3216.8亿元" in detail
