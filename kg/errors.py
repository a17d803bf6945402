"""kg's errors: each has a short code and says how to fix the problem. docs/errors.md lists every code (written by
scripts/error_codes.py; tests/test_errors.py keeps one meaning per code)."""


class KGError(Exception):
    """Base class: the CLI prints these as one clean line and exits non-zero."""


class ModelMissing(KGError):
    pass


class DataError(KGError):
    pass


class QueryError(KGError):
    pass


def no_graph(folder) -> KGError:
    """[E080], for every command given a folder without a graph in it."""
    return KGError(f"[E080] no graph in {folder}: build one first with `kg build ARTICLES --out {folder}`")
