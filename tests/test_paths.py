"""The ontology folder comes from one place (kg.paths.ontology_dir) and is passed down: a build or a graph given a copy
of the ontology in another folder reads that copy, in every stage."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

import kg
from kg.paths import ROOT, ontology_dir

# The only modules that resolve the folder: the command line, the graph folder's object, kg build, kg eval, kg info
# and the pipeline loader. Every other module takes it as a parameter.
ENTRY_POINTS = {"kg/cli.py", "kg/folder.py", "kg/build.py", "kg/eval.py", "kg/info.py", "kg/nlp/pipeline.py"}


def kg_modules():
    return sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "kg").rglob("*.py"))


@pytest.mark.parametrize("module", kg_modules())
def test_only_the_entry_points_resolve_the_ontology_folder(module):
    text = (ROOT / module).read_text(encoding="utf-8")
    if module == "kg/paths.py":
        return
    assert "KG_ONTOLOGY" not in text, f"{module} reads $KG_ONTOLOGY itself: take the folder as a parameter"
    if module not in ENTRY_POINTS:
        assert not re.search(r"\bontology_dir\b|\bkg\.paths\b|from kg\.paths import", text), \
            f"{module} looks for the ontology folder itself: take it as a parameter from its caller"


def test_the_entry_points_take_a_folder_the_caller_names(tmp_path):
    assert ontology_dir(tmp_path) == tmp_path
    assert ontology_dir(None) == ontology_dir()


@pytest.fixture(scope="module")
def article(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("articles")
    (folder / "coop.txt").write_text("青禾纺织合作社今年向东盟出口棉纺织品三千万元。\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def copied(tmp_path_factory) -> Path:
    """kg's ontology copied elsewhere, with 合作社 added to the heads of association names and one named query more."""
    copy = tmp_path_factory.mktemp("copy") / "ontology"
    shutil.copytree(ontology_dir(), copy)
    patterns = copy / "patterns.yml"
    text = patterns.read_text(encoding="utf-8")
    assert "  Association: [" in text
    patterns.write_text(text.replace("  Association: [", "  Association: [合作社, ", 1), encoding="utf-8")
    (copy / "queries" / "associations.rq").write_text(
        "# name: associations\n# description: every association, by label\n# params: (none)\n"
        "PREFIX kg: <http://example.org/kg/ontology#>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        "SELECT ?label WHERE { ?e a kg:Association ; rdfs:label ?label } ORDER BY ?label\n", encoding="utf-8")
    return copy


def associations(folder: Path, ontology: Path | None = None) -> list[str]:
    with kg.open(folder, readonly=True, ontology=ontology) as graph:
        rows = graph.query("SELECT ?label WHERE { ?e a kg:Association ; rdfs:label ?label } ORDER BY ?label")
    return [str(r["label"]) for r in rows]


@pytest.mark.slow
@pytest.mark.parametrize("use_copy,found", [
    (False, []),                                   # 合作社 is no head word of kg's own patterns
    (True, ["青禾纺织合作社"]),                      # the copy's patterns.yml makes it one
])
def test_a_build_reads_the_ontology_folder_it_is_given(article, copied, tmp_path, use_copy, found):
    report = kg.build([article], tmp_path / "out", statistical=False, explorer=False, validate=False,
                      ontology=copied if use_copy else None)
    assert report.ok and len(report.built) == 1
    assert associations(tmp_path / "out") == found


@pytest.mark.slow
def test_a_graph_runs_the_named_queries_of_its_ontology_folder(article, copied, tmp_path):
    kg.build([article], tmp_path / "out", statistical=False, explorer=False, validate=False, ontology=copied)
    with kg.open(tmp_path / "out", readonly=True, ontology=copied) as graph:
        assert graph.ontology == copied
        assert [str(r["label"]) for r in graph.named_query("associations")] == ["青禾纺织合作社"]
    with kg.open(tmp_path / "out", readonly=True) as graph:           # kg's own folder has no such query
        assert "associations" not in graph.named_queries()
