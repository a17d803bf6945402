"""Where kg's data lives: the ``ontology/`` folder of the checkout, or ``$KG_ONTOLOGY``, or a folder the caller names.

``ontology_dir`` is the one place that decides. Only the entry points call it (the command line, ``KnowledgeGraph``,
``kg build``, ``kg eval``, ``kg info`` and the pipeline loader), each once; everything below them takes the folder as
a parameter, so a build with a copy of the ontology in another folder reads that copy throughout, in every worker
process too (tests/test_paths.py keeps it so).
"""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def ontology_dir(given: str | Path | None = None) -> Path:
    """``given`` when the caller names a folder, else ``$KG_ONTOLOGY``, else the checkout's ``ontology/``."""
    if given:
        return Path(given)
    return Path(os.environ.get("KG_ONTOLOGY") or ROOT / "ontology")
