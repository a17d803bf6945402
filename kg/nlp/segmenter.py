"""Where the pkuseg segmentation model lives, and how it gets there.

The model is the mixed-domain one shipped inside the ``pkuseg==0.0.25`` source archive on PyPI. ``kg fetch-model``
(run by ``scripts/setup.sh``) downloads that archive once with pip and unpacks ``pkuseg/models/default`` into the cache
folder; kg then loads it by path. Nothing is fetched at run time.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from kg.errors import ModelMissing

PKUSEG_VERSION = "0.0.25"
MODEL_FILES = ("features.pkl", "weights.npz")


def cache_dir() -> Path:
    return Path(os.environ.get("KG_CACHE", Path.home() / ".cache" / "kg"))


def model_path() -> Path:
    """The pkuseg model folder: ``$KG_PKUSEG_MODEL`` or ``<cache>/pkuseg/default``."""
    env = os.environ.get("KG_PKUSEG_MODEL")
    return Path(env) if env else cache_dir() / "pkuseg" / "default"


def require_model() -> Path:
    path = model_path()
    missing = [name for name in MODEL_FILES if not (path / name).is_file()]
    if missing:
        raise ModelMissing(
            f"[E001] pkuseg model not found at {path} (missing {', '.join(missing)}). "
            "Run `kg fetch-model` (or `bash scripts/setup.sh`) once to download it from PyPI, "
            "or set KG_PKUSEG_MODEL to a folder holding features.pkl and weights.npz."
        )
    return path


def fetch_model(dest: Path | None = None) -> Path:
    """Download the pkuseg source archive from PyPI with pip and unpack its default model into ``dest``."""
    dest = dest or model_path()
    if all((dest / name).is_file() for name in MODEL_FILES):
        return dest
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-build-isolation",
             "--no-binary", ":all:", f"pkuseg=={PKUSEG_VERSION}", "-d", tmp],
            check=True,
        )
        archive = next(Path(tmp).glob("pkuseg-*.tar.gz"))
        prefix = f"pkuseg-{PKUSEG_VERSION}/pkuseg/models/default/"
        staging = Path(tmp) / "model"
        staging.mkdir()
        with tarfile.open(archive) as tar:
            for member in tar.getmembers():
                if member.name.startswith(prefix) and member.isfile():
                    name = member.name[len(prefix):]
                    with tar.extractfile(member) as src, open(staging / name, "wb") as out:
                        shutil.copyfileobj(src, out)
        dest.parent.mkdir(parents=True, exist_ok=True)
        if dest.exists():
            shutil.rmtree(dest)
        shutil.move(str(staging), dest)   # whole folder at once: never a half-written model
    return require_model()
