"""Where kg's data lives: the ``ontology/`` folder of the checkout (overridable with ``$KG_ONTOLOGY``)."""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def ontology_dir() -> Path:
    return Path(os.environ.get("KG_ONTOLOGY", ROOT / "ontology"))
