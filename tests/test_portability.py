"""The checkout works wherever it is cloned: no absolute path into this machine, and shared data found as ../shared
(a test that needs it fails without it, unless KG_ALLOW_NO_SHARED=1 says that is expected)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import SHARED, shared_path

ROOT = Path(__file__).resolve().parent.parent
CODE = sorted(p for folder in ("kg", "tests", "scripts", "training", ".ci") for p in (ROOT / folder).rglob("*")
              if p.is_file() and p.suffix in {".py", ".sh", ""} and "__pycache__" not in p.parts)
ABSOLUTE = re.compile(r"""["'(\s]/(?:work|home|root|tmp/kg)/""")


@pytest.mark.parametrize("path", CODE, ids=[str(p.relative_to(ROOT)) for p in CODE])
def test_no_absolute_path_into_this_machine(path):
    text = path.read_text(encoding="utf-8", errors="replace")
    assert not ABSOLUTE.search(text), f"{path.relative_to(ROOT)}: {ABSOLUTE.search(text).group(0)!r}"


def test_shared_data_is_beside_the_checkout():
    assert SHARED == ROOT.parent / "shared"


@pytest.mark.parametrize("allow, outcome", [(None, pytest.fail.Exception), ("1", pytest.skip.Exception)])
def test_absent_shared_data_fails_unless_allowed(monkeypatch, allow, outcome):
    monkeypatch.delenv("KG_ALLOW_NO_SHARED", raising=False)
    if allow:
        monkeypatch.setenv("KG_ALLOW_NO_SHARED", allow)
    with pytest.raises(outcome, match=r"shared.no-such-file is absent"):
        shared_path("no-such-file")
