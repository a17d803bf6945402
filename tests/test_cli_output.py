"""The command line's two streams and its verbosity, through real CLI runs on two of the bundled examples: results on
stdout, progress and diagnostics on stderr; ``kg -q`` leaves results and errors only, ``kg -v`` adds timings; the
build's progress is a line per document off a terminal and a bar on one (a real pseudo-terminal); and the triple
counts of the build summary, ``kg info`` and a SPARQL COUNT(*) agree.
"""
from __future__ import annotations

import json
import os
import pty
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.graph.rdf import GRAPH_PREFIX
from kg.graph.store import ONTOLOGY_GRAPH

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
ARTICLES = ("ningbo_port.html", "yiwu_trade_q1.txt")
COUNTS = re.compile(r"([\d,]+) facts in ([\d,]+) documents' graphs \+ ([\d,]+) ontology triples = ([\d,]+) triples "
                    r"a kg query COUNT\(\*\) sees")

pytestmark = pytest.mark.slow


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def number(text: str) -> int:
    return int(text.replace(",", ""))


@pytest.fixture(scope="module")
def articles(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("articles")
    for name in ARTICLES:
        shutil.copy(EXAMPLES / name, folder / name)
    return folder


@pytest.fixture(scope="module")
def built(articles, tmp_path_factory):
    """(the graph folder, the CliRunner result of ``kg -v build``)."""
    out = tmp_path_factory.mktemp("graph")
    result = run("-v", "build", articles, "--out", out, "--no-validate")
    assert result.exit_code == 0, result.output
    return out, result


def test_build_summary_on_stdout_progress_on_stderr(built):
    out, result = built
    assert result.stdout.startswith("built 2 documents, 0 unchanged") and len(result.stdout.splitlines()) == 1
    stderr = result.stderr.splitlines()
    assert stderr[0].startswith("loading model …")
    documents = [line for line in stderr if line.startswith("[")]
    assert [line.split()[0:2] for line in documents] == [["[1/2]", "built"], ["[2/2]", "built"]]
    assert {name for name in ARTICLES if any(name in line for line in documents)} == set(ARTICLES)
    assert f"wrote {out / 'graph.ttl'} and {out / 'explorer.html'}" in stderr


def test_verbose_build_times_each_stage(built):
    _, result = built
    for stage in ("reading inputs", "loading model and the first batch", "extracting the other 1 documents",
                  "writing graph.ttl, explorer.html"):
        assert re.search(rf"^ +\d+\.\d\d s  {stage}", result.stderr, re.M), stage
    assert re.search(r"^kg build: \d+\.\d\d s$", result.stderr, re.M)
    assert re.search(r"\(\+\d+\.\d s\)$", result.stderr, re.M)   # the seconds since the line before


@pytest.mark.parametrize("quiet", [["-q", "build"], ["build", "-q"]])
def test_quiet_build_prints_the_summary_only(articles, tmp_path, quiet):
    (tmp_path / "in").mkdir()
    shutil.copy(articles / ARTICLES[1], tmp_path / "in" / ARTICLES[1])
    (tmp_path / "in" / "scan.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40)
    (tmp_path / "in" / "notes.pdf").write_bytes(b"%PDF-1.7")
    result = run(*quiet, tmp_path / "in", "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert result.stdout.startswith("built 1 documents, 0 unchanged, 1 skipped")
    # the skipped file is an error and stays; the note on the .pdf, the progress and 'wrote' go
    assert result.stderr.splitlines() == [f"skipped {tmp_path / 'in' / 'scan.txt'}: [I011] not text: "
                                          + result.stderr.split("[I011] not text: ", 1)[1].splitlines()[0]]


def test_rebuild_counts_unchanged_documents_in_the_progress(built, articles):
    out, _ = built
    result = run("build", articles, "--out", out, "--no-validate")
    assert result.exit_code == 0, result.output
    assert "built 0 documents, 2 unchanged" in result.stdout
    assert "loading model" not in result.stderr   # nothing to extract: the model is not needed
    assert not re.search(r"^\[\d", result.stderr, re.M)   # unchanged documents have a line with -v only
    verbose = run("-v", "build", articles, "--out", out, "--no-validate")
    assert re.findall(r"^\[(\d/\d)\] unchanged", verbose.stderr, re.M) == ["1/2", "2/2"]


COUNTED = {   # what a SPARQL count counts -> (what COUNT takes, the pattern)
    "triples": ("*", "?s ?p ?o"),
    "documents": ("DISTINCT ?g", f"GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), '{GRAPH_PREFIX}'))"),
    "ontology": ("*", f"GRAPH <{ONTOLOGY_GRAPH.value}> {{ ?s ?p ?o }}"),
}


def sparql_count(folder: Path, what: str) -> int:
    counted, pattern = COUNTED[what]
    answer = run("query", folder, f"SELECT (COUNT({counted}) AS ?n) WHERE {{ {pattern} }}", "--format", "json")
    assert answer.exit_code == 0, answer.output
    return int(json.loads(answer.stdout)["results"]["bindings"][0]["n"]["value"])


def test_counts_of_build_info_and_sparql_agree(built):
    out, result = built
    facts, documents, ontology, total = map(number, COUNTS.search(result.stdout).groups())
    info = json.loads(run("info", out, "--json").stdout)["graph"]
    assert (info["triples"], info["documents"], info["ontology_triples"], info["query_triples"]) \
        == (facts, documents, ontology, total)
    assert [sparql_count(out, what) for what in COUNTED] == [total, documents, ontology]
    assert total == facts + ontology and documents == 2
    assert facts == len(list(ox.parse(path=str(out / "graph.ttl"), format=ox.RdfFormat.TURTLE)))
    assert ontology > 500


@pytest.mark.parametrize("flags, stderr_has, stderr_lacks", [
    ([], [], ["rows"]),
    (["-v"], [" rows, 6 columns", "kg query: "], []),
    (["-q"], [], ["rows", "kg query"]),
])
def test_query_rows_on_stdout_detail_on_stderr(built, flags, stderr_has, stderr_lacks):
    out, _ = built
    result = run(*flags, "query", out, "--name", "documents", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].count(",") >= 1 and "ningbo_port.html" in result.stdout
    for text in stderr_has:
        assert text in result.stderr
    for text in stderr_lacks:
        assert text not in result.stderr


@pytest.mark.parametrize("flags, says_wrote", [([], True), (["-q"], False), (["-v"], True)])
def test_export_says_what_it_wrote_on_stderr(built, tmp_path, flags, says_wrote):
    out, _ = built
    result = run(*flags, "export", out, "-o", tmp_path / "g.nt")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert ("statements to" in result.stderr) is says_wrote
    assert ("kg export: " in result.stderr) is ("-v" in flags)


def test_remove_results_on_stdout_timing_with_verbose(built, tmp_path):
    out, _ = built
    copy = tmp_path / "g"
    shutil.copytree(out, copy)
    result = run("-v", "remove", copy, "--dry-run", "ningbo-port-58eeb25c")
    assert result.exit_code == 0, result.output
    assert result.stdout == "would remove ningbo-port-58eeb25c\n"
    assert "1 of 1 documents would go" in result.stderr and "kg remove: " in result.stderr


def test_quiet_and_verbose_together_are_refused():
    result = run("-q", "-v", "info")
    assert result.exit_code == 2 and "give one of them" in result.stderr


def test_errors_go_to_stderr_even_when_quiet(tmp_path):
    result = run("-q", "query", tmp_path, "SELECT * WHERE { ?s ?p ?o }")
    assert result.exit_code == 2 and result.stdout == "" and "[E080]" in result.stderr


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_on_a_terminal_the_build_draws_a_bar(articles, tmp_path):
    """A real kg process whose stderr is a pseudo-terminal: the bar, redrawn in place, ends at 2/2 and 100%."""
    leader, follower = pty.openpty()
    env = dict(os.environ, PYTHONPATH=str(ROOT), COLUMNS="120")
    process = subprocess.Popen([sys.executable, "-m", "kg.cli", "build", str(articles), "--out", str(tmp_path / "g"),
                                "--no-validate", "--no-model"], stdout=subprocess.PIPE, stderr=follower, env=env,
                               cwd=ROOT)
    os.close(follower)
    screen = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:   # the process closed the terminal
            break
        if not chunk:
            break
        screen += chunk
    stdout = process.communicate(timeout=120)[0].decode()
    os.close(leader)
    text = screen.decode()
    assert process.returncode == 0, text
    assert stdout.startswith("built 2 documents")
    assert "\r\x1b[2Kloading model" in text
    assert re.search(r"\r\x1b\[2K\[#{24}\] 2/2 documents 100%  \d+:\d\d elapsed  ETA 0:00", text)
    assert not re.search(r"^\[\d/\d\] built", text, re.M)   # no per-document lines on a terminal


@pytest.mark.parametrize("flags, fmt, summary_on", [
    ([], "table", "stdout"),      # the table is for people: the verdict under it
    ([], "csv", "stderr"),        # csv rows are the result, the verdict is about them
    (["-q"], "csv", None),
])
def test_validate_verdict_goes_where_it_does_not_mix_with_rows(built, flags, fmt, summary_on):
    out, _ = built
    result = run(*flags, "validate", out, "--format", fmt)
    assert result.exit_code in (0, 1), result.output
    verdict = {"stdout": "conform" in result.stdout or "violation" in result.stdout,
               "stderr": "conform" in result.stderr or "violation" in result.stderr}
    assert [stream for stream, has in verdict.items() if has] == ([summary_on] if summary_on else [])


@pytest.mark.parametrize("flags, warned, timed", [([], True, False), (["-q"], False, False), (["-v"], True, True)])
def test_add_facts_summary_on_stdout_warnings_on_stderr(built, tmp_path, flags, warned, timed):
    out, _ = built
    copy = tmp_path / "g"
    shutil.copytree(out, copy)
    facts = tmp_path / "odd.ttl"   # a misspelt property: a warning, and the fact is added as written
    facts.write_text("@prefix kg: <http://example.org/kg/ontology#> .\n"
                     "<http://example.org/kg/id/entity/x> kg:locatdIn <http://example.org/kg/id/entity/y> .\n",
                     encoding="utf-8")
    result = run(*flags, "add-facts", copy, facts)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() and "warning" not in result.stdout
    assert ("warning: [I040]" in result.stderr) is warned
    assert ("kg add-facts: " in result.stderr) is timed
