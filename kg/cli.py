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
@click.option("--quiet", "-q", is_flag=True, help="Print only the summary.")
def build(paths, out, include, exclude, strict, jobs, dask, no_model, quiet):
    """Build (or update) the graph in OUT from articles: files, folders or - for stdin."""
    from kg.build import build as run

    try:
        report = run(paths, out, include=include, exclude=exclude, strict=strict, jobs=jobs, dask=dask,
                     statistical=not no_model,
                     log=(lambda line: None) if quiet else click.echo)
    except KGError as error:
        _fail(error)
    click.echo(report.summary())
    click.echo(f"wrote {out / 'graph.ttl'} and {out / 'explorer.html'}")
    if not report.ok:
        sys.exit(1)


@main.command()
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("sparql", required=False)
@click.option("--file", "-f", "query_file", type=click.File(encoding="utf-8"), help="Read the query from a file.")
@click.option("--format", "fmt", type=OUTPUT_FORMATS, default="table", show_default=True)
def query(folder, sparql, query_file, fmt):
    """Run a SPARQL query over the graph in FOLDER and print the answer."""
    from kg.graph.query import run_query

    text = query_file.read() if query_file else sparql
    if not text:
        _fail(KGError("give a SPARQL query as an argument or with --file"))
    try:
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
@click.option("--format", "fmt", type=click.Choice(["ttl", "nt", "nq", "trig", "jsonld"]), default="ttl",
              show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="File to write (default stdout).")
def export(folder, fmt, output):
    """Export the graph in FOLDER as Turtle, N-Triples, N-Quads, TriG or JSON-LD."""
    from kg.graph.store import GraphStore

    store = GraphStore(folder)
    if output:
        count = store.export(output, fmt)
        click.echo(f"wrote {count} statements to {output}", err=True)
    else:
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            target = Path(tmp) / f"graph.{fmt}"
            store.export(target, fmt)
            sys.stdout.buffer.write(target.read_bytes())


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
    except OSError as error:
        _fail(KGError(f"[E081] cannot open the graph in {folder}: another kg process (kg build, kg serve) holds it; "
                      f"stop it or let it finish ({error})"))
    path = write_explorer(store, folder / "explorer.html", cap=cap or DEFAULT_CAP).resolve()
    click.echo(str(path))
    if not no_open:
        webbrowser.open(path.as_uri())


@main.command()
@click.argument("source", type=click.File(encoding="utf-8"), default="-")
def ner(source):
    """Tag entities line by line: one line of text in (FILE or - for stdin), one JSON line out."""
    from kg.nlp.entities import tag_lines

    try:
        for record in tag_lines(source):
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
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@click.option("--no-model", is_flag=True, help="Rules and gazetteer only, without the trained NER layer.")
def evaluate(paths, gold_dir, include, exclude, show_errors, as_json, no_model):
    """Score entities, relations and observations extracted from PATHS against the gold files in --gold."""
    from kg.eval import evaluate as run, format_report, report_json

    try:
        report = run(gold_dir, paths, include=include, exclude=exclude, statistical=not no_model)
    except KGError as error:
        _fail(error)
    click.echo(report_json(report, errors=show_errors) if as_json else format_report(report, errors=show_errors))


@main.command("fetch-model")
def fetch_model():
    """Download the pkuseg segmentation model from PyPI into kg's cache (once)."""
    from kg.nlp.segmenter import fetch_model as fetch

    click.echo(f"pkuseg model ready at {fetch()}")


if __name__ == "__main__":
    main()
