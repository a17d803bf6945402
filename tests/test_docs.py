"""The README documents every command, every command has --help, and the README's query runs as shown."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(main.commands))
def test_command_is_in_readme(name):
    assert f"kg {name}" in README, f"README does not mention `kg {name}`"


@pytest.mark.parametrize("name", sorted(main.commands))
def test_command_has_help(name):
    result = CliRunner().invoke(main, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


@pytest.mark.parametrize("name", sorted(main.commands))
def test_exit_codes_of_every_command_are_documented(name):
    page = (Path(__file__).resolve().parent.parent / "docs" / "exit-codes.md").read_text(encoding="utf-8")
    assert f"`kg {name}" in page, f"docs/exit-codes.md does not give the exit codes of kg {name}"


def test_readme_names_the_two_commands():
    assert "make demo" in README and "make test" in README
    ci = (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^make test$", ci, re.M), ".ci/run must call exactly the README's test command"
    assert re.search(r"\(cd \S+ && make demo\)", ci) and "kg validate out" in ci, \
        ".ci/run must run the README's first command in a fresh clone and validate its graph"
