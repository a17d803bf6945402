"""Error codes: each [Ennn] / [Innn] means one thing wherever kg prints it, and docs/errors.md lists them all.

The codes are collected from the string literals in kg/**/*.py (scripts/error_codes.py). A code's meaning is the head
of its message (what went wrong, before the first ``:;.(``); two heads under one code are two meanings, unless the
table below says why they are one.
"""
from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from error_codes import PAGE, Use, collect, render  # noqa: E402

USES = collect(ROOT)
MEANINGS: dict[str, set[str]] = defaultdict(set)
for _use in USES:
    MEANINGS[_use.code].add(_use.meaning)

# codes worded two ways for one meaning
SAME_MEANING = {
    "E012": "a relation rule's property is missing or not one kg knows",
    "I003": "the file holds no text to read",
    "I008": "the front matter cannot be used; its fields are ignored, the text is read",
    "I009": "a JSON Lines line that is not a JSON object is skipped",
}
# codes with several meanings (none today; a code listed here runs as a strict xfail until it is renumbered)
KNOWN_DUPLICATES: dict[str, str] = {}


def _case(code):
    if code in KNOWN_DUPLICATES:
        return pytest.param(code, marks=pytest.mark.xfail(strict=True, reason=f"issue 20: {KNOWN_DUPLICATES[code]}"))
    return code


@pytest.mark.parametrize("code", [_case(c) for c in sorted(MEANINGS)])
def test_each_code_has_one_meaning(code):
    if code in SAME_MEANING:
        return
    assert len(MEANINGS[code]) == 1, f"{code} means {sorted(MEANINGS[code])}: give each its own code"


def test_the_same_meaning_table_is_still_needed():
    assert [c for c in SAME_MEANING if len(MEANINGS[c]) < 2] == []


def test_the_errors_page_is_up_to_date():
    assert PAGE.read_text(encoding="utf-8") == render(USES), "run: python scripts/error_codes.py"


def test_every_code_is_on_the_page():
    page = PAGE.read_text(encoding="utf-8")
    assert [c for c in sorted(MEANINGS) if f"`{c}`" not in page] == []


@pytest.mark.parametrize("message, meaning", [
    ("{…}: header must be {…} (tab-separated), got {…}", "header must be {…}"),
    ("{…}:{…}: expected {…} tab-separated fields, got {…}", "expected {…} tab-separated fields, got {…}"),
    ("{…}, offset {…}: a row needs subject, property and object: {…}", "a row needs subject, property and object"),
    ("no graph in {…}: build one first with `kg build ARTICLES --out {…}`", "no graph in {…}"),
    ("no graph in {…}: build one first with kg.build(ARTICLES, {…})", "no graph in {…}"),
    ("SPARQL syntax error: {…}", "sparql syntax error"),
    ("truncated: the last character is incomplete (byte {…}); it was dropped", "truncated"),
])
def test_meaning_is_the_head_of_the_message(message, meaning):
    assert Use("E000", "kg/x.py:1", message, "").meaning == meaning


def test_hints_are_the_fix_and_docstrings_are_not_uses(tmp_path):
    (tmp_path / "kg").mkdir()
    (tmp_path / "kg" / "m.py").write_text(
        '"""Raises [E999] when it must."""\n'
        'def f(src, name):\n'
        '    """[E998] in a docstring."""\n'
        '    if name.startswith("[I006]"):\n'
        '        return Problem(src, f"[I900] {name} is odd", "rename it")\n'
        '    raise KGError(f"[E900] no {name} here; give another")\n', encoding="utf-8")
    assert [(u.code, u.message, u.fix) for u in collect(tmp_path)] == [
        ("E900", "no {…} here; give another", "give another"),
        ("I900", "{…} is odd", "rename it"),
    ]
