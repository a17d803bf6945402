"""End to end through the CLI (in-process, click's CliRunner): kg build on a copy of examples/, then query, export,
validate, rebuild (unchanged, one article edited), byte-identical output, and a folder with an unreadable file.

The pipeline loads once per process (about 5 s): every build here reuses it.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Graph

from kg.cli import main

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
ARTICLES = sorted(p for p in EXAMPLES.iterdir() if p.is_file() and p.name != "README.md")
# our own sentence, appended to one article to change it
ADDED = "\n\n义乌综合保税区今年新引进跨境电商企业十二家，区内仓储面积扩大到五万平方米。\n"

pytestmark = pytest.mark.slow


def run(*args) -> "click.testing.Result":   # noqa: F821
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    return result


@pytest.fixture(scope="module")
def articles(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("articles")
    for path in ARTICLES:
        shutil.copy(path, folder / path.name)
    return folder


@pytest.fixture(scope="module")
def built(articles, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("graph")
    result = run("build", articles, "--out", out, "-q")
    assert result.exit_code == 0, result.output
    assert "built 6 documents" in result.output or "built" in result.output
    assert "triples" in result.output and "valid" in result.output
    return out


def doc_graphs(out: Path) -> dict[str, set[str]]:
    """Each document's named graph as a set of N-Quads lines, from the TriG export."""
    result = run("export", out, "--format", "nq", "-o", out / "all.nq")
    assert result.exit_code == 0, result.output
    graphs: dict[str, set[str]] = {}
    for q in ox.parse(path=str(out / "all.nq"), format=ox.RdfFormat.N_QUADS):
        graphs.setdefault(q.graph_name.value, set()).add(str(q))
    return graphs


def test_build_writes_store_turtle_and_explorer(built):
    assert (built / "store").is_dir() and (built / "graph.ttl").stat().st_size > 0
    assert (built / "explorer.html").exists()


def test_query_lists_entities_with_classes(built):
    result = run("query", built, "--name", "entities", "--format", "csv")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("entity,cls,label")
    classes = {line.split(",")[1].rsplit("#", 1)[-1] for line in lines[1:]}
    assert {"City", "Route", "Facility"} <= classes
    assert len(lines) > 20


def test_turtle_parses_with_rdflib_and_pyoxigraph_alike(built):
    path = built / "graph.ttl"
    by_rdflib = len(Graph().parse(path, format="turtle"))
    by_oxigraph = len(list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)))
    assert by_rdflib == by_oxigraph > 1000


@pytest.mark.parametrize("fmt", ["ttl", "nt", "nq", "trig", "jsonld", "graphml", "csv"])
def test_export_every_format(built, tmp_path, fmt):
    target = tmp_path / (f"g.{fmt}" if fmt != "csv" else "tables")
    result = run("export", built, "--format", fmt, "-o", target)
    assert result.exit_code == 0, result.output
    if fmt == "csv":
        assert (target / "nodes.csv").stat().st_size > 0 and (target / "edges.csv").stat().st_size > 0
    else:
        assert target.stat().st_size > 1000
    if fmt in ("ttl", "nt", "trig", "nq"):
        stdout = run("export", built, "--format", fmt)
        assert stdout.stdout_bytes == target.read_bytes()


def test_every_relation_has_its_source(built):
    result = run("query", built, "--name", "provenance", "--format", "json")
    assert result.exit_code == 0
    import json

    rows = [{k: v["value"] for k, v in b.items()} for b in json.loads(result.output)["results"]["bindings"]]
    relations = [r for r in rows if r["property"].rsplit("#", 1)[-1] in ("departsFrom", "locatedIn", "destination")]
    assert relations
    assert all(r.get("title") and r.get("text") and r.get("sourceFile") for r in relations)
    from_articles = [r for r in relations if r["rule"] != "gazetteer-hierarchy"]
    assert from_articles and all(r.get("date") for r in from_articles
                                 if not r.get("sourceFile", "").endswith("platform_news.txt"))
    # the gazetteer's facts cite its row: a file of ontology/gazetteer/, never an article's sentence
    assert all(r["sourceFile"].startswith("gazetteer/") for r in relations if r["rule"] == "gazetteer-hierarchy")


def test_validate_passes_on_the_examples(built):
    result = run("validate", built)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("valid:")


def test_rebuild_unchanged_skips_everything(built, articles):
    before = (built / "graph.ttl").read_bytes()
    result = run("build", articles, "--out", built, "-q", "--no-validate")
    assert result.exit_code == 0, result.output
    assert "built 0 documents" in result.output
    assert (built / "graph.ttl").read_bytes() == before


def test_rebuild_after_editing_one_article_changes_only_its_facts(built, articles):
    before = doc_graphs(built)
    edited = articles / "ftz_report.md"
    original = edited.read_text(encoding="utf-8")
    edited.write_text(original + ADDED, encoding="utf-8")
    try:
        result = run("build", articles, "--out", built, "-q", "--no-validate")
        assert result.exit_code == 0, result.output
        assert "built 1 documents" in result.output
        after = doc_graphs(built)
    finally:
        edited.write_text(original, encoding="utf-8")
        run("build", articles, "--out", built, "-q", "--no-validate")
    changed = {g for g in before.keys() | after.keys() if before.get(g) != after.get(g)}
    assert len(changed) == 1 and "ftz-report" in changed.pop()
    assert any("综合保税区" in line for line in after[[g for g in after if "ftz-report" in g][0]])


def test_same_input_gives_byte_identical_turtle(articles, tmp_path):
    outputs = []
    for name in ("one", "two"):
        result = run("build", articles / "ningbo_port.html", articles / "railway_express.html", "--out",
                     tmp_path / name, "-q", "--no-validate")
        assert result.exit_code == 0, result.output
        outputs.append((tmp_path / name / "graph.ttl").read_bytes())
    assert outputs[0] == outputs[1] and len(outputs[0]) > 1000


def test_unreadable_file_is_skipped_and_the_rest_builds(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(EXAMPLES / "ningbo_port.html", folder / "ningbo_port.html")
    (folder / "scan.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40)
    result = run("build", folder, "--out", tmp_path / "out", "--no-validate")
    assert result.exit_code == 1
    assert "scan.txt" in result.output and "1 skipped" in result.output
    docs = run("query", tmp_path / "out", "--name", "documents", "--format", "csv")
    assert "ningbo_port.html" in docs.output


def test_remove_a_document_by_source_file(built, articles, tmp_path):
    copy = tmp_path / "g"
    shutil.copytree(built, copy)
    result = run("remove", copy, articles / "ningbo_port.html")
    assert result.exit_code == 0, result.output
    assert "removed ningbo-port" in result.output
    docs = run("query", copy, "--name", "documents", "--format", "csv").output
    assert "ningbo_port.html" not in docs and "railway_express.html" in docs


def test_warnings_are_counted_apart_and_do_not_fail_the_build(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(EXAMPLES / "ningbo_port.html", folder / "ningbo_port.html")
    (folder / "stray_nul.txt").write_bytes("本报讯 温州港今年新开三条外贸航线。".encode() + b"\x00")
    (folder / "bad_date.md").write_text("---\ndate: 2024-13-01\n---\n台州港今天开通一条外贸航线。\n", encoding="utf-8")
    (folder / "scan.pdf").write_bytes(b"%PDF-1.7")
    result = run("build", folder, "--out", tmp_path / "out", "--no-validate", "--no-model")
    assert result.exit_code == 0, result.output
    assert "built 3 documents, 0 unchanged, 0 skipped, 2 warnings, 1 files of unknown type not read;" in result.output
    assert "warning: " + str(folder / "stray_nul.txt") + ": [I014]" in result.output
    assert "warning: " + str(folder / "bad_date.md") + ": [I019]" in result.output
    assert f"note: {folder}: [I018] skipped 1 file of unknown type .pdf: scan.pdf" in result.output


@pytest.mark.parametrize("kinds, counts, ok", [
    ([], "0 skipped, 0 warnings;", True),
    (["warning"] * 3, "0 skipped, 3 warnings;", True),
    (["skipped"] * 7 + ["warning"] * 3, "7 skipped, 3 warnings;", False),
    (["ignored", "warning"], "0 skipped, 1 warnings, 4 files of unknown type not read;", True),
])
def test_summary_counts_skipped_and_warnings_apart(kinds, counts, ok):
    from kg.build import BuildReport
    from kg.records import Problem

    report = BuildReport(problems=[Problem(f"{i}.txt", "[I000] test", kind=kind, count=4 if kind == "ignored" else 1)
                                   for i, kind in enumerate(kinds)])
    assert counts in report.summary() and report.ok is ok


@pytest.mark.parametrize("problem", ["missing input", "missing model"])
def test_failed_build_writes_nothing(problem, tmp_path, monkeypatch):
    """Before: a build that read no article left an empty store/, graph.ttl and explorer.html in --out."""
    source = tmp_path / "no_such_folder"
    if problem == "missing model":
        source = EXAMPLES / "ningbo_port.html"
        monkeypatch.setenv("KG_PKUSEG_MODEL", str(tmp_path / "no_model"))
    result = run("build", source, "--out", tmp_path / "out", "--no-validate")
    assert result.exit_code != 0
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []
    assert "wrote" not in result.output


def test_figure_too_big_for_decimal_does_not_stop_the_build(tmp_path):
    """Before: 21 digits before 亿元 raised decimal.InvalidOperation, killed the build, and no graph was written."""
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(EXAMPLES / "ningbo_port.html", folder / "ningbo_port.html")
    (folder / "big.txt").write_text("义乌口岸今年进出口额达" + "9" * 24 + "亿元，同比增长12%。\n", encoding="utf-8")
    result = run("build", folder, "--out", tmp_path / "out", "--no-validate")
    assert result.exit_code == 0, result.output
    assert "built 2 documents" in result.output and (tmp_path / "out" / "graph.ttl").exists()
