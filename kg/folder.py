"""A built graph folder (``kg build --out DIR``): the one object the command line and the Python API (``kg.open``)
both run on, so that they cannot drift apart (sqlite-utils style: each CLI command parses, calls one method here,
reports).

It opens the folder's store (E080 when there is none, nothing created), queries it (SPARQL, named queries with bound
parameters), exports it through one registry of formats (``EXPORT_FORMATS``: the format from ``--format`` or from
the file's suffix, an unknown one E083), adds curated facts and removes documents, refreshing what follows the store
(``graph.ttl``, ``explorer.html``), and writes and opens the explorer page. Nothing heavy is imported until used:
``import kg`` stays light.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from kg.errors import KGError


@dataclass(frozen=True)
class ExportFormat:
    """One way to write a graph: its name (``--format``), the file suffixes that stand for it, and whether it writes
    one file (RDF, GraphML; also to stdout) or a folder of files (CSV: nodes.csv and edges.csv)."""

    name: str
    title: str
    suffixes: tuple[str, ...]
    folder: bool = False


EXPORT_FORMATS = {f.name: f for f in [
    ExportFormat("ttl", "Turtle", (".ttl",)),
    ExportFormat("nt", "N-Triples", (".nt",)),
    ExportFormat("nq", "N-Quads (one graph per document)", (".nq",)),
    ExportFormat("trig", "TriG (one graph per document)", (".trig",)),
    ExportFormat("jsonld", "JSON-LD, with an @context of kg's prefixes", (".jsonld", ".json")),
    ExportFormat("graphml", "GraphML (entities and relations, for Gephi)", (".graphml",)),
    ExportFormat("csv", "CSV: a folder that gets nodes.csv and edges.csv (for spreadsheets)", (), folder=True),
]}


def export_format(name: str | None, path: Path | None = None) -> ExportFormat:
    """The format named ``name``, or (when None) the one ``path``'s suffix stands for; E083 for any other, and E145
    for a folder format aimed at a file name (``-o graph.csv``: CSV writes two files into a folder)."""
    known = ", ".join(EXPORT_FORMATS)
    if name is not None:
        if name.lower() not in EXPORT_FORMATS:
            raise KGError(f"[E083] unknown export format {name!r}; known: {known}")
        fmt = EXPORT_FORMATS[name.lower()]
    elif path is None:
        fmt = EXPORT_FORMATS["ttl"]
    else:
        by_suffix = {s: f for f in EXPORT_FORMATS.values() for s in f.suffixes}
        if Path(path).suffix.lower() not in by_suffix:
            raise KGError(f"[E083] unknown export format {Path(path).suffix or '(no suffix)'!r} (from the name "
                          f"{Path(path).name}); known: {known} (name one with --format, or format=)")
        fmt = by_suffix[Path(path).suffix.lower()]
    if fmt.folder and path is not None and Path(path).suffix:
        raise KGError(f"[E145] {fmt.name} export writes a folder (nodes.csv, edges.csv), not the file "
                      f"{Path(path).name}: give a folder name (-o tables)")
    return fmt


@dataclass(frozen=True)
class Removal:
    """What ``remove`` did with one document: ``done`` it went (or would go, in a dry run), else it was gone."""

    doc_id: str
    name: str
    done: bool


class KnowledgeGraph:
    """A built graph folder: SPARQL, named queries, rdflib views, exports, validation, curated facts, removal, view.

    Open it with ``kg.open(folder)`` or ``KnowledgeGraph(folder)``; ``readonly=True`` refuses every change (E146).
    ``ontology`` is the ontology folder (named queries, shapes, labels, gazetteer) it works with, default
    ``kg.paths.ontology_dir``: resolved here, once, and passed to everything below. Close it (or use ``with``) to
    release the store for another process.
    """

    def __init__(self, folder, store=None, *, readonly: bool = False, hint: str | None = None, ontology=None):
        from kg.graph.store import GraphStore
        from kg.paths import ontology_dir

        self.folder = Path(folder)
        self.readonly = readonly
        self.ontology = ontology_dir(ontology)
        self.store = store or GraphStore.open_existing(self.folder, hint=hint)

    def __enter__(self) -> "KnowledgeGraph":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Release the store (another process may open it afterwards)."""
        if self.store is not None:
            self.store.close()
            self.store = None

    def __repr__(self) -> str:
        return f"<kg.KnowledgeGraph {str(self.folder)!r}{' read-only' if self.readonly else ''}>"

    # --- SPARQL -----------------------------------------------------------------------------------------------------

    def query(self, sparql: str, *, allow_service: tuple[str, ...] = (), **params):
        """Run SPARQL over the merged view and the ontology, with ``params`` bound by name (``?place`` <- place=…).

        A SERVICE call is refused unless its IRI starts with one of ``allow_service`` (``kg.graph.query``).

        Values are rdflib terms; a plain str or number becomes a literal. Returns a list of dicts of rdflib terms
        (SELECT), an rdflib Graph (CONSTRUCT, DESCRIBE) or a bool (ASK).
        """
        from rdflib import Literal
        from rdflib.term import Node

        from kg.graph.query import execute

        bindings = {k: v if isinstance(v, Node) else Literal(v) for k, v in params.items()}
        return _rdflib_result(execute(self.store, sparql, bindings, allow_service=tuple(allow_service)))

    def rows(self, sparql: str, bindings: dict | None = None, *, allow_service: tuple[str, ...] = ()):
        """``query`` as (header, rows): each cell the text of a term, with the term in ``.term`` (kg query)."""
        from kg.graph.query import run_query

        return run_query(self.folder, sparql, bindings, store=self.store, allow_service=tuple(allow_service))

    def named_rows(self, name: str, params: dict[str, str] | None = None, **options):
        """A named query with its parameters as typed (``--param place=义乌``): (header, rows, notes)."""
        from kg.graph.query import run_named

        return run_named(self.folder, name, params or {}, ontology=self.ontology, store=self.store, **options)

    def named_query(self, name: str, **params) -> list[dict]:
        """Run a named query from ``ontology/queries/`` (``kg query --list``); values as on the command line."""
        from kg.graph.query import bind_params, get_named_query
        from kg.graph.store import to_rdflib

        query = get_named_query(name, self.ontology)
        bindings, _ = bind_params(self.store, query, {k: str(v) for k, v in params.items()})
        return self.query(query.text, **{k: to_rdflib(v) for k, v in bindings.items()})

    def named_queries(self) -> dict:
        from kg.graph.query import named_queries

        return named_queries(self.ontology)

    # --- rdflib views and exports -----------------------------------------------------------------------------------

    def graph(self):
        """The merged view (every fact once) as an in-memory rdflib Graph."""
        return self.store.rdflib_graph()

    def dataset(self):
        """One named graph per document, as an in-memory rdflib Dataset."""
        return self.store.rdflib_dataset()

    def documents(self):
        """Every document in the graph: DocumentInfo(doc_id, source, title, date, content_hash)."""
        return self.store.documents()

    def export(self, path, format: str | None = None) -> Path:   # noqa: A002 (the CLI's option name)
        """Write the graph to ``path`` in ``format`` (see ``EXPORT_FORMATS``), or in the format its suffix names:
        ``.ttl .nt .nq .trig .jsonld .json .graphml``; csv is asked for by name, and ``path`` is then a folder that
        gets nodes.csv and edges.csv. An unknown format or suffix fails with E083, nothing written."""
        self.write(path, format)
        return Path(path)

    def write(self, path, format: str | None = None) -> str:   # noqa: A002
        """``export``, returning what was written, in words (``wrote 12 statements to g.ttl``)."""
        path = Path(path)
        fmt = export_format(format, path)
        if fmt.name == "csv":
            from kg.graph.tabular import write_csv

            nodes, edges = write_csv(self.store, path, ontology=self.ontology)
            return f"wrote {nodes} nodes to {path / 'nodes.csv'} and {edges} edges to {path / 'edges.csv'}"
        if fmt.name == "graphml":
            from kg.graph.tabular import write_graphml

            nodes, edges = write_graphml(self.store, path, ontology=self.ontology)
            return f"wrote {nodes} nodes and {edges} edges to {path}"
        return f"wrote {self.store.export(path, fmt.name)} statements to {path}"

    def serialize(self, format: str = "ttl") -> bytes:   # noqa: A002
        """The graph in one file's format, as bytes (what ``kg export`` prints without -o)."""
        fmt = export_format(format)
        if fmt.folder:
            raise KGError(f"[E145] {fmt.name} export writes a folder (nodes.csv, edges.csv), not one file: "
                          f"give a folder name (-o tables)")
        if fmt.name != "graphml":
            return self.store.serialize(fmt.name)
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            self.write(Path(tmp) / "graph.graphml", "graphml")
            return (Path(tmp) / "graph.graphml").read_bytes()

    # --- statistics and evidence (kg trends, kg indicators, kg search) ----------------------------------------------

    def trends(self, entity: str, indicator: str | None = None, *, plot=None) -> "Trends":
        """``entity``'s statistics as series over time (of one ``indicator``: a concept's notation or label), with
        their sources; ``plot`` a file name draws them too (matplotlib: FILE.png, FILE.svg, or both for another
        name). E132 for an entity the graph does not know; a KGError naming ``kg indicators`` when it has no series."""
        from kg.graph.series import format_series, plot as draw, series

        iri, groups = series(self.store, entity, indicator, ontology=self.ontology)
        if not groups:
            raise KGError(f"no series for {entity}" + (f" and {indicator}" if indicator else "")
                          + f": see `kg indicators {self.folder}` for the indicators in the graph")
        plots = draw(iri, groups, Path(plot), ontology=self.ontology, minimum=1 if indicator else 2) if plot else []
        return Trends(iri, groups, plots, format_series(iri, groups, ontology=self.ontology))

    def indicators(self, *, unmapped: bool = False) -> tuple[list[str], list[list[str]]]:
        """(header, rows): the indicator concepts the graph's figures map to, with counts; with ``unmapped``, the
        written indicators no rule of ontology/indicators.yml maps, with a sentence each."""
        from kg.graph.series import concept_counts, unmapped as unmapped_forms

        if unmapped:
            return ["indicator as written", "unit", "figures", "example sentence"], unmapped_forms(self.store)
        return ["concept", "label", "figures"], concept_counts(self.store, ontology=self.ontology)

    def search(self, text: str, limit: int = 20) -> list:
        """Evidence sentences that contain every word of ``text``, newest document first: Hit(text, title, date,
        entities)."""
        from kg.graph.search import search

        return search(self.store, text, limit)

    def push(self, endpoint: str, **options):
        """Load the graph into a SPARQL server's Graph Store at ``endpoint``, one named graph per document (a PUT
        each, so a re-push replaces); ``options`` as ``kg.graph.push.push``. A PushReport."""
        from kg.graph.push import push

        return push(self.store, endpoint, **options)

    # --- changes ----------------------------------------------------------------------------------------------------

    def validate(self):
        """Check the graph against ontology/shapes.ttl: a ValidationReport (``.conforms``, ``.violations``)."""
        from kg.graph.validate import validate_store

        return validate_store(self.store, ontology=self.ontology)

    def add_facts(self, path, *, force: bool = False):
        """Add a Turtle or CSV file of hand-written facts as a document of its own; a CuratedReport."""
        return self.add_fact_files([path], force=force)[0]

    def add_fact_files(self, paths: Iterable, *, force: bool = False, each: Callable | None = None) -> list:
        """``add_facts`` for several files (``each(report)`` after each one), then one refresh."""
        from kg.graph.curated import add_facts

        self._writable("add facts")
        self.store.load_ontology(self.ontology / "kg.ttl")
        reports = []
        try:
            for path in paths:
                reports.append(add_facts(self.store, Path(path), ontology=self.ontology, force=force))
                if each:
                    each(reports[-1])
        finally:
            self.refresh()   # what was added before a bad file stays, and graph.ttl says so
        return reports

    def remove(self, *names: str, dry_run: bool = False) -> list[str]:
        """Remove documents, each named by its id or by its source file (as built, or another path to that file);
        facts other documents state stay. The ids removed (or, with ``dry_run``, that would be). A name that is
        neither a document nor one removed before fails with E084, and nothing is removed."""
        return [r.doc_id for r in self.removals(names, dry_run=dry_run) if r.done]

    def removals(self, names: Iterable[str], *, dry_run: bool = False) -> list[Removal]:
        """``remove``, saying of each document whether it went or had already gone (``kg remove`` prints these).

        All the documents go in one transaction, or none do; graph.ttl and the explorer page follow, also after a
        remove that was killed between its commit and this refresh."""
        self._writable("remove documents")
        plan, present = self._removal_plan(list(names)), set(self.store.document_ids())
        if not dry_run:
            self.store.remove_documents(plan)
            self.refresh()
        return [Removal(doc_id, name, doc_id in present) for doc_id, name in plan.items()]

    def _removal_plan(self, names: list[str]) -> dict[str, str]:
        """Document id -> the name that asked for it, for every name; E084 (naming what each unknown name may have
        meant) when any name is neither a document in the graph nor one a kg remove took out of it."""
        store, plan, unknown = self.store, {}, []
        for name, ids in store.resolve_all(names).items():
            ids = ids or store.removed_documents(name)
            if not ids:
                similar = [f"{d.source} ({d.doc_id})" for d in store.similar_documents(name)]
                unknown.append(repr(name) + (f" (documents of that file name: {', '.join(similar)})" if similar else ""))
            plan.update({doc_id: name for doc_id in ids if doc_id not in plan})
        if unknown:
            raise KGError(f"[E084] no document {'; '.join(unknown)} in {self.folder}, nothing removed; give a document "
                          f"id or the source path as built (documents are listed by: kg query {self.folder} --name "
                          f"documents)")
        return plan

    def refresh(self) -> None:
        """After a change, what follows the store: graph.ttl, and explorer.html when there is one. Both are made
        before either is put in place, so a failure leaves the two as they were."""
        self.store.flush()
        explorer = self.folder / "explorer.html"
        pending = [(self.folder / "graph.ttl.new", self.folder / "graph.ttl")]
        self.store.export(pending[0][0], "ttl")
        if explorer.exists():
            from kg.viz.explorer import write_explorer

            pending.append((write_explorer(self.store, explorer.with_name("explorer.html.new"), ontology=self.ontology),
                            explorer))
        for new, final in pending:
            os.replace(new, final)

    def _writable(self, what: str) -> None:
        if self.readonly:
            raise KGError(f"[E146] cannot {what}: the graph in {self.folder} was opened read-only "
                          f"(kg.open({str(self.folder)!r}) opens it for changes)")

    # --- the explorer -----------------------------------------------------------------------------------------------

    def view(self, *, cap: int | None = None, open_browser: bool = True) -> tuple[Path, bool]:
        """Write (refresh) explorer.html and open it in a web browser: (its path, whether a browser opened)."""
        import webbrowser

        from kg.viz.explorer import DEFAULT_CAP, write_explorer

        path = write_explorer(self.store, self.folder / "explorer.html", ontology=self.ontology,
                              cap=cap or DEFAULT_CAP).resolve()
        return path, bool(open_browser and webbrowser.open(path.as_uri()))


@dataclass(frozen=True)
class Trends:
    """What ``KnowledgeGraph.trends`` found: the entity's IRI, its series by (concept, unit, comparison), the plot
    files written. ``str()`` is the table kg trends prints."""

    entity: str
    groups: dict
    plots: list
    text: str

    def __str__(self) -> str:
        return self.text


def _rdflib_result(result):
    import pyoxigraph as ox
    from rdflib import Graph

    from kg.graph.store import _bind, to_rdflib

    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    if isinstance(result, ox.QuerySolutions):
        names = [v.value for v in result.variables]
        return [{n: to_rdflib(s[n]) for n in names if s[n] is not None} for s in result]
    graph = Graph()
    _bind(graph)
    for t in result:
        graph.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    return graph
