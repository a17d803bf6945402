"""kg's errors: each has a short code and says how to fix the problem."""


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
