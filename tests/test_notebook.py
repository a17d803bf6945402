"""notebooks/walkthrough.ipynb runs top to bottom in a fresh kernel, in a temporary working folder."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "walkthrough.ipynb"

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
pytest.importorskip("matplotlib")


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("notebook")
    shutil.copy(NOTEBOOK, folder / NOTEBOOK.name)
    nb = nbformat.read(folder / NOTEBOOK.name, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=900, kernel_name="python3",
                                     resources={"metadata": {"path": str(folder)}})
    client.execute()
    return nb, folder


def outputs(nb, kind: str) -> list[str]:
    """Every output of one MIME type (or 'stream' for printed text), in cell order."""
    found = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if kind == "stream" and out.output_type == "stream":
                found.append(out.text)
            elif kind in out.get("data", {}):
                found.append(out.data[kind])
    return found


@pytest.mark.slow
def test_notebook_runs_without_errors(executed):
    nb, _ = executed
    errors = [out for cell in nb.cells for out in cell.get("outputs", []) if out.output_type == "error"]
    assert errors == []


@pytest.mark.slow
@pytest.mark.parametrize("kind, expected", [
    ("stream", "built "),                          # the build summary
    ("text/html", "<th style='text-align:left'>degree</th>"),   # the SPARQL answer as a table
    ("text/html", "departsFrom"),                  # routes with their evidence sentences
    ("image/png", ""),                             # the statistics plot
    ("stream", "义乌市 · trade_value (进出口总值 / Trade value), CNY"),   # a series over time, kg trends' table
    ("text/html", "<iframe"),                      # the explorer, inline
    ("stream", "@prefix kg: <http://example.org/kg/ontology#>"),   # the Turtle export
])
def test_notebook_shows(executed, kind, expected):
    nb, _ = executed
    assert any(expected in text for text in outputs(nb, kind)), f"no {kind} output containing {expected!r}"


@pytest.mark.slow
@pytest.mark.parametrize("name", ["explorer.html", "graph.ttl", "store"])
def test_notebook_writes_in_its_working_folder(executed, name):
    _, folder = executed
    assert (folder / "walkthrough-graph" / name).exists()
