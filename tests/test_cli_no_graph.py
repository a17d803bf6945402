"""Commands that read or change a graph never start one: on a folder without a graph they stop with E080, exit 2, and
leave the folder as it was (no store, no graph.ttl). kg.open does the same."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

import kg
from kg.cli import main
from kg.errors import KGError

COMMANDS = [   # (case, command, its arguments after the folder; OUT is a folder beside it)
    ("query", "query", ["SELECT * WHERE { ?s ?p ?o }"]),
    ("named query", "query", ["--name", "documents"]),
    ("export to stdout", "export", []),
    ("export to a file", "export", ["-o", "OUT/graph.nt", "--format", "nt"]),
    ("validate", "validate", []),
    ("remove", "remove", ["d05.txt"]),
    ("add-facts", "add-facts", ["OUT/facts.csv"]),
    ("push", "push", ["--endpoint", "http://127.0.0.1:9/store"]),
    ("view", "view", ["--no-open"]),
]


@pytest.mark.parametrize("name, args", [c[1:] for c in COMMANDS], ids=[c[0] for c in COMMANDS])
@pytest.mark.parametrize("made", ["an empty folder", "an empty store folder"])
def test_a_folder_without_a_graph_is_refused_and_left_alone(tmp_path, name, args, made):
    folder, elsewhere = tmp_path / "examples", tmp_path / "elsewhere"
    folder.mkdir()
    elsewhere.mkdir()
    if made == "an empty store folder":
        (folder / "store").mkdir()
    (elsewhere / "facts.csv").write_text("义乌市,locatedIn,金华市\n", encoding="utf-8")
    before = sorted(tmp_path.rglob("*"))
    result = CliRunner().invoke(main, [name, str(folder)] + [a.replace("OUT", str(elsewhere)) for a in args])
    assert result.exit_code == 2, result.output
    assert f"[E080] no graph in {folder}" in result.output
    assert sorted(tmp_path.rglob("*")) == before


def test_kg_open_refuses_a_folder_without_a_graph(tmp_path):
    with pytest.raises(KGError, match=r"\[E080\].*kg\.build\(ARTICLES"):
        kg.open(tmp_path)
    assert not (tmp_path / "store").exists()
