"""Fixtures shared by the test modules, and the way to the shared data."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

# Articles, gold annotations and ONTOLOGY-CORE.md: ../shared beside the checkout, never an absolute path. CI has it
# (.ci/run), so a test that needs it fails when it is absent; KG_ALLOW_NO_SHARED=1 turns that into a skip elsewhere.
SHARED = Path(__file__).resolve().parent.parent.parent / "shared"


def shared_path(*parts: str) -> Path:
    """``../shared/PARTS``; a failure (a skip with KG_ALLOW_NO_SHARED=1) naming the path when it is absent."""
    path = SHARED.joinpath(*parts)
    if path.exists():
        return path
    message = f"{path} is absent: tests read the shared data from ../shared beside the checkout"
    if os.environ.get("KG_ALLOW_NO_SHARED") == "1":
        pytest.skip(f"{message} (KG_ALLOW_NO_SHARED=1)")
    pytest.fail(f"{message}; put it there, or set KG_ALLOW_NO_SHARED=1 to skip these tests", pytrace=False)


@pytest.fixture(scope="session")
def nlp():
    """kg's pipeline with rules and gazetteer only (no trained layer), loaded once per test session (~5 s, 830 MB)."""
    from kg.nlp.pipeline import load_pipeline

    return load_pipeline(statistical=False)
