"""Fixtures shared by the test modules."""
from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def nlp():
    """kg's pipeline with rules and gazetteer only (no trained layer), loaded once per test session (~5 s, 830 MB)."""
    from kg.nlp.pipeline import load_pipeline

    return load_pipeline(statistical=False)
