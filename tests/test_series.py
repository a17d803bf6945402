"""Series over time through the CLI: kg trends (table, conflicts, --plot), the named query series, kg indicators
--unmapped and kg search, on a graph built from the four trade articles of examples/ (Q1, H1 twice, Q1-Q3)."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

pytestmark = pytest.mark.slow


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    articles = tmp_path_factory.mktemp("articles")
    for path in sorted(EXAMPLES.glob("yiwu_trade_*.txt")):
        shutil.copy(path, articles / path.name)
    out = tmp_path_factory.mktemp("graph")
    result = run("build", articles, "--out", out, "-q", "--no-model")
    assert result.exit_code == 0, result.output
    return out


def rows_of(output: str, heading: str) -> list[str]:
    """The table lines under one series heading."""
    block = output.split(heading, 1)[1].split("\n\n", 1)[0]
    return [line for line in block.splitlines()[3:] if not line.startswith("(")]


def test_a_series_of_written_forms_under_one_concept(built):
    result = run("trends", built, "义乌市", "trade_value")
    assert result.exit_code == 0, result.output
    rows = rows_of(result.output, "义乌市 · trade_value (进出口总值 / Trade value), CNY")
    # Q1 (body and headline), H1 (a bound in the headline, two outlets), Q1-Q3: earliest period first
    assert [r.split()[1] for r in rows] == ["2025-01-01..2025-03-31"] * 2 + ["2025-01-01..2025-06-30"] * 3 + \
        ["2025-01-01..2025-09-30"] * 2
    # written 进出口总值, 外贸进出口总额 and 外贸进出口, one series
    assert {w for r in rows for w in ("进出口总值", "外贸进出口总额", "外贸进出口") if f" {w} " in r} == \
        {"进出口总值", "外贸进出口总额", "外贸进出口"}


@pytest.mark.parametrize("figure,conflict", [
    ("3216.8亿元", True),      # 外贸观察周刊 and 商贸快讯网 disagree on the half-year
    ("3168.5亿元", True),
    ("突破3000亿元", False),   # a bound does not conflict
    ("1402.3亿元", False),     # the headline and the body agree
])
def test_conflicts_are_marked(built, figure, conflict):
    output = run("trends", built, "义乌市", "进出口总值").output
    line = next(r for r in rows_of(output, "trade_value (进出口总值 / Trade value), CNY") if f" {figure} " in r)
    assert line.rstrip().endswith("≠") is conflict


def test_growth_is_its_own_series_compared_year_on_year(built):
    output = run("trends", built, "义新欧").output
    rows = rows_of(output, "义新欧 · trains_run (开行班列 / Trains run), percent, yearOnYear")
    assert [r.split()[2] for r in rows] == ["9.1", "10.4", "8.8"]
    assert [r.split()[2] for r in rows_of(output, "义新欧 · trains_run (开行班列 / Trains run), train")] == \
        ["612", "1286", "1938"]


def test_the_named_query_gives_the_same_rows(built):
    result = run("query", built, "--name", "series", "-p", "entity=义乌市", "-p", "indicator=trade_value",
                 "--format", "csv")
    lines = result.output.strip().splitlines()[1:]
    cny = [line for line in lines if ",CNY," in line]
    assert len(cny) == 7


def test_two_sources_that_disagree_are_two_conflicts(built):
    """kg trends marks a conflict in Python (kg.graph.series.conflicts), not in the named query: the two figures of
    the same dated period with other values."""
    output = run("trends", built, "义乌市", "trade_value").output
    for unit in ("CNY", "percent, yearOnYear"):   # 3216.8 and 3168.5亿元; 16.2% and 15.9% for the half-year
        rows = rows_of(output, f"义乌市 · trade_value (进出口总值 / Trade value), {unit}")
        assert sum(r.rstrip().endswith("≠") for r in rows) == 2


@pytest.mark.parametrize("name", ["plot.png", "plot.svg", "plot"])
def test_plot_writes_png_and_svg(built, tmp_path, name):
    pytest.importorskip("matplotlib")
    result = run("trends", built, "义乌市", "trade_value", "--plot", tmp_path / name)
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == ([name] if "." in name else ["plot.png", "plot.svg"])
    png = (tmp_path / written[0]).read_bytes()
    assert png.startswith(b"\x89PNG") if written[0].endswith(".png") else b"<svg" in png


def test_svg_is_the_same_twice(built, tmp_path):
    pytest.importorskip("matplotlib")
    run("trends", built, "义新欧", "trains_run", "--plot", tmp_path / "a.svg")
    run("trends", built, "义新欧", "trains_run", "--plot", tmp_path / "b.svg")
    assert (tmp_path / "a.svg").read_bytes() == (tmp_path / "b.svg").read_bytes()


def test_an_unknown_entity_is_a_clear_error(built):
    result = run("trends", built, "不存在的地方")
    assert result.exit_code == 2
    assert "[E132]" in result.output and "不存在的地方" in result.output


def test_indicators_counts_and_unmapped(built):
    counts = run("indicators", built, "--format", "csv").output
    assert "trade_value,进出口总值 / Trade value," in counts
    unmapped = run("indicators", built, "--unmapped", "--format", "csv").output.strip().splitlines()
    assert unmapped[0] == "indicator as written,unit,figures,example sentence"
    assert all(",CNY," not in line for line in unmapped[1:])        # every money figure here maps


def test_search_finds_sentences_with_every_word(built):
    result = run("search", built, "上半年", "出口", "--format", "csv")
    lines = result.output.strip().splitlines()[1:]
    assert lines and all("上半年" in line and "出口" in line for line in lines)
    assert any("义乌市" in line.split(",")[-1] for line in lines)
    assert run("search", built, "上半年", "马德里", "--format", "csv").output.strip().splitlines()[1:] == []


def test_plot_without_matplotlib_says_how_to_get_it(built, tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "matplotlib", None)        # as if the [plot] extra were not installed
    result = run("trends", built, "义乌市", "trade_value", "--plot", tmp_path / "chart.png")
    assert result.exit_code == 2
    assert "[E133]" in result.output and "kg[plot]" in result.output
    assert list(tmp_path.iterdir()) == []


# The Python API runs the same code as the commands: kg.open(folder).trends / .indicators / .search print what the
# CLI prints.
@pytest.mark.parametrize("entity,indicator", [("义乌市", "trade_value"), ("义新欧", None)])
def test_api_trends_is_what_kg_trends_prints(built, entity, indicator):
    import kg

    with kg.open(built, readonly=True) as graph:
        found = graph.trends(entity, indicator)
    assert str(found) + "\n" == run("trends", built, entity, *([indicator] if indicator else [])).output
    assert found.plots == []


@pytest.mark.parametrize("unmapped", [False, True])
def test_api_indicators_is_what_kg_indicators_prints(built, unmapped):
    import csv
    import io

    import kg

    with kg.open(built, readonly=True) as graph:
        header, rows = graph.indicators(unmapped=unmapped)
    printed = list(csv.reader(io.StringIO(run("indicators", built, "--format", "csv",
                                              *(["--unmapped"] if unmapped else [])).output)))
    assert [header, *rows] == printed and (rows or unmapped)   # every figure of these articles maps


def test_api_search_is_what_kg_search_prints(built):
    import kg

    with kg.open(built, readonly=True) as graph:
        hits = graph.search("上半年 出口", limit=3)
    printed = run("search", built, "上半年", "出口", "--limit", "3", "--format", "json").output
    assert [h.text for h in hits] == [row["sentence"] for row in json.loads(printed)]
    assert 0 < len(hits) <= 3


def test_api_trends_of_an_unknown_entity_is_e132(built):
    import kg

    from kg.errors import KGError

    with kg.open(built, readonly=True) as graph, pytest.raises(KGError, match=r"\[E132\].*不存在的地方"):
        graph.trends("不存在的地方")
