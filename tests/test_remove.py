"""kg remove: a document goes by its id or its source path as built, never by file name alone; unknown names remove
nothing; removing twice says so; a remove killed half-way and run again gives the graph an uninterrupted one gives.

Graphs are written straight from invented extractions (tests/test_store.py), so no model is loaded; the CLI runs as
it does for users: in-process with click's CliRunner, or as a real ``python -m kg.cli`` process where it is killed.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_store import add, make_extraction

from kg.cli import main
from kg.graph.store import GraphStore

ROOT = Path(__file__).resolve().parent.parent
FACTS = [("义乌市", "locatedIn", "金华市"), ("中欧班列", "departsFrom", "义乌市")]


def make_graph(where: Path, sources: dict[str, str]) -> Path:
    """A graph folder ``where/g`` with one document per (doc id -> source path relative to ``where``); the source
    files exist, as they do after a build."""
    store = GraphStore(where / "g")
    for n, (doc_id, source) in enumerate(sorted(sources.items())):
        (where / source).parent.mkdir(parents=True, exist_ok=True)
        (where / source).write_text(f"第{n}篇", encoding="utf-8")
        add(store, make_extraction(doc_id, FACTS[: 1 + n % 2] + [("宁波舟山港", "locatedIn", f"城{n}")], source=source))
    store.export(where / "g" / "graph.ttl")
    store.close()
    return where / "g"


def documents(folder: Path) -> list[str]:
    store = GraphStore(folder)
    try:
        return store.document_ids()
    finally:
        store.close()


def state(folder: Path) -> tuple[bytes, bytes]:
    """What a user sees of the graph: every document's named graph (N-Quads) and graph.ttl."""
    store = GraphStore(folder)
    try:
        return store.serialize("nq"), (folder / "graph.ttl").read_bytes()
    finally:
        store.close()


@pytest.fixture
def corpus(tmp_path, monkeypatch):
    """Two folders with files of the same names, built from tmp_path (the sources are recorded relative to it)."""
    monkeypatch.chdir(tmp_path)
    return make_graph(tmp_path, {"a-d05": "corpus/a/d05.txt", "b-d05": "corpus/b/d05.txt",
                                 "a-d09": "corpus/a/d09.txt"})


def remove(*args):
    return CliRunner().invoke(main, ["remove", *map(str, args)])


NAMES = [   # (case, name given, the document removed)
    ("path as built", "corpus/b/d05.txt", "b-d05"),
    ("another path to the same file", "corpus/a/../b/d05.txt", "b-d05"),
    ("absolute path to the same file", "ABS/corpus/b/d05.txt", "b-d05"),
    ("document id", "a-d05", "a-d05"),
]


@pytest.mark.parametrize("name, gone", [c[1:] for c in NAMES], ids=[c[0] for c in NAMES])
def test_remove_takes_exactly_the_document_named(corpus, name, gone):
    name = name.replace("ABS", str(corpus.parent))
    result = remove(corpus, name)
    assert result.exit_code == 0, result.output
    assert f"removed {gone}" in result.output
    assert documents(corpus) == sorted({"a-d05", "b-d05", "a-d09"} - {gone})


def test_removing_twice_says_already_removed_and_leaves_the_other_folder(corpus):
    assert remove(corpus, "corpus/b/d05.txt").exit_code == 0
    again = remove(corpus, "corpus/b/d05.txt")
    assert again.exit_code == 0, again.output
    assert "b-d05: already removed (corpus/b/d05.txt)" in again.output
    assert documents(corpus) == ["a-d05", "a-d09"]


UNKNOWN = [   # (case, names given, words in the error)
    ("same file name in a folder that does not exist", ["/nonexistent/elsewhere/d09.txt"], "corpus/a/d09.txt (a-d09)"),
    ("file name alone", ["d05.txt"], "corpus/a/d05.txt (a-d05), corpus/b/d05.txt (b-d05)"),
    ("one unknown among known ones", ["corpus/a/d05.txt", "nothing.txt"], "'nothing.txt'"),
]


@pytest.mark.parametrize("names, words", [c[1:] for c in UNKNOWN], ids=[c[0] for c in UNKNOWN])
def test_an_unknown_name_is_an_error_listing_candidates_and_removes_nothing(corpus, names, words):
    before = state(corpus)
    result = remove(corpus, *names)
    assert result.exit_code == 2, result.output
    assert "[E084]" in result.output and "nothing removed" in result.output and words in result.output
    assert state(corpus) == before


def test_dry_run_lists_what_would_go_and_changes_nothing(corpus):
    before = state(corpus)
    result = remove(corpus, "--dry-run", "corpus/a/d05.txt", "a-d09")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["would remove a-d05", "would remove a-d09"]
    assert state(corpus) == before


# --- killed and run again ---------------------------------------------------------------------------------------

MANY = 150   # documents in each folder; removing one folder's takes a few seconds


@pytest.fixture(scope="module")
def many(tmp_path_factory):
    where = tmp_path_factory.mktemp("many")
    return make_graph(where, {f"{side}-d{n:03d}": f"corpus/{side}/d{n:03d}.txt"
                              for side in "ab" for n in range(MANY)})


def cli(folder: Path, *args: str) -> subprocess.Popen:
    """``python -m kg.cli remove FOLDER ARGS`` as a process of its own, run where the graph was built."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, "-m", "kg.cli", "remove", str(folder), *args], cwd=folder.parent,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.slow
@pytest.mark.parametrize("after", [1.0, 2.0, 3.0])
def test_remove_killed_and_run_again_gives_the_uninterrupted_graph(many, tmp_path, after):
    names = [f"corpus/b/d{n:03d}.txt" for n in range(MANY)]
    whole, killed = tmp_path / "whole" / "g", tmp_path / "killed" / "g"
    for copy in (whole, killed):
        shutil.copytree(many.parent, copy.parent)
    done = cli(whole, *names)
    assert done.wait(timeout=300) == 0, done.communicate()
    victim = cli(killed, *names)
    time.sleep(after)
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=60)
    again = cli(killed, *names)
    out, err = again.communicate(timeout=300)
    assert again.returncode == 0, err
    assert state(killed) == state(whole)
    assert documents(killed) == [f"a-d{n:03d}" for n in range(MANY)]
