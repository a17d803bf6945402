"""SPARQL over a built graph folder, with answers as plain rows."""
from __future__ import annotations

from pathlib import Path

from kg.errors import QueryError
from kg.graph.store import GraphStore


def run_query(folder: Path, sparql: str, bindings: dict | None = None) -> tuple[list[str], list[list[str]]]:
    store = GraphStore(folder)
    try:
        result = store.query(sparql, bindings)
    except SyntaxError as error:
        raise QueryError(f"[E020] SPARQL syntax error: {error}") from None
    if isinstance(result, bool):
        return ["ask"], [[str(result).lower()]]
    if hasattr(result, "variables"):
        header = [v.value for v in result.variables]
        rows = [[_plain(solution[v]) for v in result.variables] for solution in result]
        return header, rows
    rows = [[_plain(t.subject), _plain(t.predicate), _plain(t.object)] for t in result]
    return ["subject", "predicate", "object"], rows


def _plain(term) -> str:
    return "" if term is None else term.value


def format_table(header: list[str], rows: list[list[str]]) -> str:
    import unicodedata

    def width(text: str) -> int:
        return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)

    widths = [max([width(h)] + [width(r[i]) for r in rows]) for i, h in enumerate(header)]
    line = lambda cells: "  ".join(c + " " * (w - width(c)) for c, w in zip(cells, widths)).rstrip()
    out = [line(header), line(["-" * w for w in widths])] + [line(r) for r in rows]
    out.append(f"({len(rows)} rows)")
    return "\n".join(out)
