"""The README runs as written: each ``kg query out --file Q.rq`` it shows is followed by Q.rq's text (a ```sparql
block) and by the real output (the next plain ``` block), and this test builds the examples as ``make demo`` does,
runs the query and compares. ``KG_README_WRITE=1`` rewrites the output blocks from what the query prints instead.
"""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
# `kg query out --file FILE`, then its ```sparql block, then the output block (the first fence without a language)
EXAMPLE = re.compile(r"kg query out --file (?P<file>\S+\.rq)\n```\n.*?```sparql\n(?P<sparql>.*?)```\n.*?```\n"
                     r"(?P<output>.*?)```", re.S)

pytestmark = pytest.mark.slow


def examples(text: str) -> list[re.Match]:
    return list(EXAMPLE.finditer(text))


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    """``kg build examples --out out --exclude README.md``, the Makefile's demo, run from a copy of the checkout's
    examples/ (the relative source paths, hence document ids and titles, are the same)."""
    home = tmp_path_factory.mktemp("demo")
    shutil.copytree(ROOT / "examples", home / "examples")
    cwd = os.getcwd()
    os.chdir(home)
    try:
        result = CliRunner().invoke(main, ["build", "examples", "--out", "out", "--exclude", "README.md", "-q"])
    finally:
        os.chdir(cwd)
    assert result.exit_code == 0, result.output
    return home / "out"


def test_the_readme_shows_a_query_and_its_output():
    assert [m["file"] for m in examples(README.read_text(encoding="utf-8"))] == ["examples/queries/routes.rq"]


@pytest.mark.parametrize("example", examples(README.read_text(encoding="utf-8")), ids=lambda m: m["file"])
def test_the_query_shown_is_the_file_shipped(example):
    assert (ROOT / example["file"]).read_text(encoding="utf-8") == example["sparql"]


def test_the_readme_output_is_what_the_query_prints(out):
    text = README.read_text(encoding="utf-8")
    real = {}
    for example in examples(text):
        result = CliRunner().invoke(main, ["query", str(out), "--file", str(ROOT / example["file"])])
        assert result.exit_code == 0, result.output
        real[example["file"]] = result.stdout
    if os.environ.get("KG_README_WRITE"):
        README.write_text(EXAMPLE.sub(lambda m: m[0][:m.start("output") - m.start()] + real[m["file"]] + "```", text),
                          encoding="utf-8")
    for example in examples(text):
        assert example["output"] == real[example["file"]], (
            f"README's output of {example['file']} is not what kg prints; run KG_README_WRITE=1 pytest "
            f"tests/test_readme.py, or paste:\n{real[example['file']]}")
