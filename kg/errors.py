"""kg's errors: each has a short code and says how to fix the problem. docs/errors.md lists every code (written by
scripts/error_codes.py; tests/test_errors.py keeps one meaning per code)."""
from __future__ import annotations

# The modules kg imports only for an optional feature, and the extra (pip install "kg[EXTRA]") that installs each;
# every other module kg imports is a runtime dependency (tests/test_dependencies.py checks both).
OPTIONAL_MODULES = {"distributed": "dask", "matplotlib": "plot"}


class KGError(Exception):
    """Base class: the CLI prints these as one clean line and exits non-zero."""


class ModelMissing(KGError):
    pass


class DataError(KGError):
    pass


class QueryError(KGError):
    pass


class MissingExtra(KGError):
    pass


def require_extra(module: str, feature: str) -> None:
    """Fail with E009, naming the extra to install, when ``feature`` needs an optional module that is not installed:
    before any work is done, and never as a traceback."""
    import importlib

    try:
        importlib.import_module(module)
    except ImportError:
        raise MissingExtra(f'[E009] {feature} needs {module}, which kg installs only on request: '
                           f'pip install "kg[{OPTIONAL_MODULES[module]}]"') from None


class NoGraph(KGError):
    pass


def no_graph(folder, hint: str | None = None) -> NoGraph:
    """[E080], for every command (and ``kg.open``) given a folder without a graph in it; ``hint`` says how to build
    one (default: the kg build command line)."""
    return NoGraph(f"[E080] no graph in {folder}: build one first with "
                   f"{hint or f'`kg build ARTICLES --out {folder}`'}")
