"""What the benchmark binds when it times the named queries at 1M triples (bench/run.py): an entity-centred query is
asked about one entity, a listing is left whole (and timed again as its first page)."""
from __future__ import annotations

import pytest

from bench.run import is_listing, params_of
from kg.paths import ontology_dir


@pytest.mark.parametrize("name,params,listing", [
    ("entity", ["entity"], False),
    ("provenance", ["subject", "property", "object"], False),   # optional, bound when the bench has a value
    ("routes_from", ["place"], False),
    ("entities", [], True),                                      # "(none; bind ?cls …)": the whole listing
    ("documents", [], True),
    ("most_connected", [], False),
])
def test_the_bench_binds_what_a_query_is_asked_about(name, params, listing):
    text = (ontology_dir() / "queries" / f"{name}.rq").read_text(encoding="utf-8")
    assert params_of(text) == params
    assert is_listing(text) is listing
