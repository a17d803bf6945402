"""An entity's statistics as series over time, with their sources: what ``kg trends`` prints and plots.

A series is one entity's figures of one indicator concept, in one unit, with one comparison (levels, 同比 changes
and 环比 changes are three series). The rows come from the named query ``series`` (ontology/queries/series.rq), so the
command and SPARQL give the same answer; a figure stated by several articles is one row per source, and figures of the
same series and period that disagree are marked as conflicts.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

from kg.errors import KGError, QueryError

MISSING_MATPLOTLIB = ("[E133] kg trends --plot needs matplotlib, an optional extra: "
                      "pip install 'kg[plot]' (or pip install matplotlib)")


@dataclass(frozen=True)
class Point:
    notation: str
    unit: str
    comparison: str
    start: str
    end: str
    period: str
    value: Decimal
    value_text: str
    qualifier: str
    written: str
    conflict: bool
    title: str
    date: str
    sentence: str


SeriesKey = tuple[str, str, str]             # (concept notation, unit code, comparison)


def series(store, entity: str, indicator: str | None = None, *,
           ontology: Path) -> tuple[str, dict[SeriesKey, list[Point]]]:
    """The entity's IRI and its series (of one indicator, given its notation or label), by (concept, unit, comparison):
    the named query ``series`` of ``ontology``/queries."""
    import pyoxigraph as ox

    from kg.graph.query import get_named_query, parse_value

    term, note = parse_value(store, entity)
    if note or not isinstance(term, ox.NamedNode):
        raise QueryError(f"[E132] no entity in the graph is labelled {entity!r}: give its label or alias as the "
                         f"explorer shows it, or its IRI in <…>")
    bindings = {"entity": term}
    if indicator:
        bindings["indicator"] = ox.Literal(indicator) if indicator.isascii() else ox.Literal(indicator, language="zh")
    rows = store.query(get_named_query("series", ontology).text, bindings, with_ontology=True)
    out: dict[SeriesKey, list[Point]] = defaultdict(list)
    for row in rows:
        value = lambda name: "" if row[name] is None else row[name].value
        point = Point(value("notation"), value("unitCode"), value("comparison"), value("periodStart"),
                      value("periodEnd"), value("period"), Decimal(value("value")), value("valueText"),
                      value("qualifier"), value("written"), False, value("title"),
                      value("date"), value("sentence"))
        out[(point.notation, point.unit, point.comparison)].append(point)
    return term.value, {key: conflicts(points) for key, points in out.items()}


def conflicts(points: list[Point]) -> list[Point]:
    """The points of one series, each marked when another point of the same dated period has another value: two
    sources disagree. A figure with a qualifier (超/近/约/突破) is a bound or a round number: it neither conflicts nor
    is conflicted. Done here, not in the query: Oxigraph evaluates an EXISTS per row over the whole graph."""
    values: dict[tuple[str, str], set[Decimal]] = defaultdict(set)
    for p in points:
        if not p.qualifier and p.start and p.end:
            values[(p.start, p.end)].add(p.value)
    return [replace(p, conflict=not p.qualifier and len(values.get((p.start, p.end), ())) > 1) for p in points]


def concept_label(notation: str, ontology: Path) -> str:
    """The concept's labels in ``ontology``/indicators.ttl (zh / en), or its notation when the scheme lacks it."""
    from kg.extract.indicators import scheme

    concept = scheme(ontology).get(notation)
    labels = dict((lang, text) for text, lang in concept.labels) if concept else {}
    return " / ".join(x for x in (labels.get("zh"), labels.get("en")) if x) or notation


def key_label(key: SeriesKey, ontology: Path) -> str:
    notation, unit, comparison = key
    return f"{notation} ({concept_label(notation, ontology)}), {unit}" + (f", {comparison}" if comparison else "")


def format_series(entity: str, groups: dict[SeriesKey, list[Point]], *, ontology: Path) -> str:
    """Each series as a table: period, value, unit, the figure as written, source title and date; ≠ marks conflicts."""
    from kg.graph.query import format_table

    blocks = []
    for key in sorted(groups):
        points = groups[key]
        header = ["period", "dates", "value", "as written", "indicator as written", "source", "date", "conflict"]
        rows = [[p.period or "?", _dates(p), _number(p.value), p.value_text, p.written, p.title, p.date,
                 "≠" if p.conflict else ""] for p in points]
        blocks.append(f"{_short(entity)} · {key_label(key, ontology)}\n{format_table(header, rows)}")
    return "\n\n".join(blocks)


def _short(iri: str) -> str:
    from urllib.parse import unquote

    return unquote(iri.rsplit("/", 1)[-1])


def _dates(p: Point) -> str:
    if p.start and p.end:
        return f"{p.start}..{p.end}"
    if p.end:
        return f"..{p.end}"
    if p.start:
        return f"{p.start}.."
    return ""


def _number(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral() else str(value)


def plot(entity: str, groups: dict[SeriesKey, list[Point]], path: Path, *, ontology: Path,
         minimum: int = 1) -> list[Path]:
    """Draw each series with ``minimum`` dated points or more, one panel each; write PNG and/or SVG by the suffix.

    ``chart.png`` or ``chart.svg`` writes that format; any other name writes both (``chart.png`` and ``chart.svg``).
    A point sits at the end of its period, with a line across the period; conflicting figures are red crosses.
    """
    try:
        import matplotlib
    except ImportError:
        raise KGError(MISSING_MATPLOTLIB) from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    drawn = {k: [p for p in v if p.end] for k, v in sorted(groups.items())}
    drawn = {k: v for k, v in drawn.items() if len({(p.start, p.end, p.value) for p in v}) >= minimum}
    if not drawn:
        raise KGError(f"[E134] nothing to plot for {_short(entity)}: no series has {minimum} or more dated figures")
    plt.rcParams.update({"font.family": "sans-serif", "svg.hashsalt": "kg", "svg.fonttype": "path",
                         "font.sans-serif": ["Noto Sans CJK SC", "Noto Serif CJK SC", "WenQuanYi Zen Hei",
                                             "DejaVu Sans"]})
    fig, axes = plt.subplots(len(drawn), 1, figsize=(8, 2.6 * len(drawn)), squeeze=False, sharex=True)
    for ax, (key, points) in zip(axes[:, 0], drawn.items()):
        scale, word = _scale(max(abs(float(p.value)) for p in points))
        for p in points:
            end = dt.date.fromisoformat(p.end)
            x0 = dt.date.fromisoformat(p.start) if p.start else end
            y = float(p.value) / scale
            ax.plot([x0, end], [y, y], color="#9ab", linewidth=1)
            ax.plot([end], [y], "x" if p.conflict else "o", color="#c22" if p.conflict else "#246", markersize=6)
        for ordered in _comparable(points):          # a line joins only periods of one length (months with months)
            ax.plot([dt.date.fromisoformat(e) for e, _ in ordered], [v / scale for _, v in ordered], color="#246",
                    linewidth=0.8, alpha=0.6)
        ax.set_title(f"{_short(entity)} · {key_label(key, ontology)}", fontsize=9)
        ax.set_ylabel(f"{word}{key[1]}", fontsize=8)
        ax.grid(alpha=0.3)
    fig.autofmt_xdate()
    fig.tight_layout()
    targets = [path] if path.suffix.lower() in (".png", ".svg") else [path.with_suffix(".png"), path.with_suffix(".svg")]
    written = []
    for target in targets:
        tmp = target.with_name(target.name + ".part")
        fig.savefig(tmp, format=target.suffix[1:].lower(), metadata={"Date": None} if target.suffix == ".svg"
                    else {"Software": None})
        tmp.replace(target)                     # written whole or not at all
        written.append(target)
    plt.close(fig)
    return written


def _scale(largest: float) -> tuple[float, str]:
    """Chinese news counts in 亿 (10^8) and 万 (10^4): the axis does too."""
    if largest >= 1e8:
        return 1e8, "亿 "
    if largest >= 1e4:
        return 1e4, "万 "
    return 1.0, ""


def _comparable(points: list[Point]) -> list[list[tuple[str, float]]]:
    """Runs of figures whose periods have the same length in months, each in time order, two points or more."""
    runs: dict[int, set] = defaultdict(set)
    for p in points:
        if p.start and p.end and not p.conflict:
            start, end = dt.date.fromisoformat(p.start), dt.date.fromisoformat(p.end)
            runs[round((end - start).days / 30.4)].add((p.end, float(p.value)))
    return [sorted(run) for _, run in sorted(runs.items()) if len(run) > 1]


UNMAPPED = """
PREFIX kg: <http://example.org/kg/ontology#>
SELECT ?written ?unitCode (COUNT(DISTINCT ?observation) AS ?n) (MIN(?text) AS ?example) WHERE {
  ?observation a kg:Observation ; kg:indicator ?written ; kg:unit ?unit ; kg:evidence/kg:sentence/kg:text ?text .
  FILTER NOT EXISTS { ?observation kg:indicatorConcept ?concept }
  BIND (STRAFTER(STR(?unit), STR(kg:)) AS ?unitCode)
} GROUP BY ?written ?unitCode ORDER BY DESC(?n) ?written ?unitCode
"""

COUNTS = """
PREFIX kg: <http://example.org/kg/ontology#>
SELECT ?notation (COUNT(DISTINCT ?observation) AS ?n) WHERE {
  ?observation a kg:Observation ; kg:indicatorConcept/<http://www.w3.org/2004/02/skos/core#notation> ?notation .
} GROUP BY ?notation ORDER BY DESC(?n) ?notation
"""


def unmapped(store) -> list[list[str]]:
    """The written indicators no rule maps to a concept: written form, unit, how many figures, one sentence."""
    return [[r["written"].value, r["unitCode"].value, r["n"].value, r["example"].value]
            for r in store.query(UNMAPPED)]


def concept_counts(store, *, ontology: Path) -> list[list[str]]:
    return [[r["notation"].value, concept_label(r["notation"].value, ontology), r["n"].value]
            for r in store.query(COUNTS)]
