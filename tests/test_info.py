"""``kg info``: versions, models, optional features, and what a graph folder holds, each count saying what it counts."""
from __future__ import annotations

import json
import os
from datetime import datetime, timezone

import pytest
from click.testing import CliRunner
from test_store import add, make_extraction

from kg.cli import main
from kg.graph.store import GraphStore
from kg.info import COUNT_MEANINGS, OPTIONAL_FEATURES, version
from kg.paths import ontology_dir

FACTS_A = [("中欧班列", "departsFrom", "义乌市"), ("义乌市", "locatedIn", "金华市")]
FACTS_B = [("宁波舟山港", "locatedIn", "浙江省"), ("义乌市", "locatedIn", "金华市")]   # one fact also in A
BUILT_AT = datetime(2026, 3, 1, 8, 30, tzinfo=timezone.utc)


@pytest.fixture
def folder(tmp_path):
    store = GraphStore(tmp_path / "g")
    add(store, make_extraction("a", FACTS_A, title="义新欧班列开行提速"))
    add(store, make_extraction("b", FACTS_B, title="港口吞吐量稳步增长"))
    store.load_ontology(ontology_dir() / "kg.ttl")
    store.export(tmp_path / "g" / "graph.ttl", "ttl")
    store.close()
    os.utime(tmp_path / "g" / "graph.ttl", (BUILT_AT.timestamp(), BUILT_AT.timestamp()))
    return tmp_path / "g"


def run(*args):
    return CliRunner().invoke(main, ["info", *map(str, args)])


def query_count(folder, sparql: str) -> int:
    result = CliRunner().invoke(main, ["query", str(folder), sparql, "--format", "json"])
    assert result.exit_code == 0, result.output
    return int(json.loads(result.output)["results"]["bindings"][0]["n"]["value"])


def test_info_without_a_folder_names_versions_models_and_features():
    result = run()
    assert result.exit_code == 0, result.output
    for name in ("python", "spacy", "spacy-pkuseg", "pyoxigraph", "rdflib"):
        assert f"  {name}" in result.output
    assert "pkuseg model" in result.output and "weights.npz" in result.output and "kg.ttl" in result.output
    for feature in OPTIONAL_FEATURES:
        assert feature in result.output
    assert "\ngraph " not in result.output


def test_counts_agree_with_queries_and_say_what_they_count(folder):
    data = json.loads(run(folder, "--json").output)["graph"]
    assert data["documents"] == 2
    # the merged view holds the shared fact once; kg query's COUNT(*) sees the merged view and the ontology
    store = GraphStore(folder)
    merged = len(store.triples())
    store.close()
    assert data["triples"] == merged
    assert data["query_triples"] == query_count(folder, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert data["query_triples"] == data["triples"] + data["ontology_triples"]
    assert data["ontology_triples"] > 500
    assert data["counts"] == COUNT_MEANINGS
    text = run(folder).output
    for key, meaning in COUNT_MEANINGS.items():
        assert f"{data[key]:>9,}  {meaning}" in text


def test_last_build_is_when_graph_ttl_was_written(folder):
    data = json.loads(run(folder, "--json").output)["graph"]
    assert data["last_written"] == "2026-03-01T08:30:00+00:00"
    assert "last written 2026-03-01T08:30:00+00:00" in run(folder).output


def test_info_reads_a_graph_another_process_holds(folder):
    store = GraphStore(folder)   # holds the store's lock, as kg serve or a build would
    try:
        result = run(folder)
    finally:
        store.close()
    assert result.exit_code == 0, result.output
    assert "        2  documents" in result.output


def test_a_folder_without_a_graph_is_an_error(tmp_path):
    result = run(tmp_path)
    assert result.exit_code == 2
    assert "[E080] no graph in" in result.output
    assert not (tmp_path / "store").exists()   # kg info never creates a store


def test_a_missing_pkuseg_model_is_named_with_its_fix(tmp_path, monkeypatch):
    monkeypatch.setenv("KG_PKUSEG_MODEL", str(tmp_path / "nowhere"))
    data = json.loads(run("--json").output)
    assert data["pkuseg_model"] == str(tmp_path / "nowhere") and data["pkuseg_model_present"] is False
    assert "(MISSING: run kg fetch-model)" in run().output


@pytest.mark.parametrize("distribution, expected", [
    ("pyoxigraph", True),              # a dependency of kg
    ("kg-no-such-package", False),     # never installed
])
def test_version_is_none_for_a_missing_package(distribution, expected):
    assert (version(distribution) is not None) is expected


def test_a_feature_is_available_when_all_its_packages_are():
    features = json.loads(run("--json").output)["features"]
    assert [f["name"] for f in features] == list(OPTIONAL_FEATURES)
    for feature in features:
        assert feature["available"] == (all(version(d) for d in OPTIONAL_FEATURES[feature["name"]])
                                        and all(feature["programs"].values()))


@pytest.mark.parametrize("path, available", [
    (lambda bin_dir: str(bin_dir), True),       # a chromium on PATH
    (lambda bin_dir: "/nonexistent", False),    # none
])
def test_browser_tests_need_a_chromium_program(tmp_path, monkeypatch, path, available):
    (tmp_path / "chromium").write_text("#!/bin/sh\n", encoding="utf-8")
    (tmp_path / "chromium").chmod(0o755)
    monkeypatch.setenv("PATH", path(tmp_path))
    feature = next(f for f in json.loads(run("--json").output)["features"] if f["name"].startswith("browser"))
    assert (feature["programs"]["chromium"] is not None) is available
    assert feature["available"] == (available and version("playwright") is not None)
