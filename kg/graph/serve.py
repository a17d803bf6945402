"""``kg serve DIR``: a read-only SPARQL 1.1 Protocol endpoint on localhost, beside the explorer.

- ``GET /`` serves ``DIR/explorer.html``;
- ``GET /sparql?query=…`` and ``POST /sparql`` (``application/x-www-form-urlencoded`` with ``query=``, or
  ``application/sparql-query``) answer queries: SELECT/ASK as SPARQL JSON (default), XML, CSV or TSV; CONSTRUCT/DESCRIBE
  as Turtle (default), N-Triples, JSON-LD or RDF/XML, by the ``Accept`` header. ``default-graph-uri`` and
  ``named-graph-uri`` are honoured; by default the default graph is the merged view plus the ontology, and kg's
  prefixes (kg, rdf, rdfs, owl, xsd, skos, dcterms, prov, schema, wd) are predeclared;
- updates (``update=``, ``application/sparql-update``) are refused with 403.

The server answers from a snapshot of the store taken at start (hard links, cheap), so ``kg build`` may update DIR
meanwhile; restart the server to see a new build. Queries run in worker processes that open the snapshot read-only:
one that runs past the timeout is killed and answered with 503, and the worker is replaced. It binds 127.0.0.1 only.
"""
from __future__ import annotations

import multiprocessing
import shutil
import tempfile
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HOST = "127.0.0.1"
MAX_BODY = 1 << 20    # a query is text: 1 MiB is plenty

SOLUTION_TYPES = {   # media type -> pyoxigraph QueryResultsFormat name
    "application/sparql-results+json": "JSON", "application/json": "JSON",
    "application/sparql-results+xml": "XML", "application/xml": "XML",
    "text/csv": "CSV", "text/tab-separated-values": "TSV",
}
GRAPH_TYPES = {      # media type -> pyoxigraph RdfFormat name
    "text/turtle": "TURTLE", "application/n-triples": "N_TRIPLES", "text/plain": "N_TRIPLES",
    "application/ld+json": "JSON_LD", "application/rdf+xml": "RDF_XML",
}


def _negotiate(accept: str, table: dict[str, str], default: str) -> tuple[str, str]:
    """(media type, format name) for the Accept header: the first acceptable type we speak, else the default."""
    ranked = []
    for i, part in enumerate(accept.split(",")):
        fields = [f.strip() for f in part.split(";")]
        q = 1.0
        for f in fields[1:]:
            if f.startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        ranked.append((-q, i, fields[0].lower()))
    for _, _, media in sorted(ranked):
        if media in table:
            return media, table[media]
    return default, table[default]


# --- the worker process: imports only pyoxigraph --------------------------------------------------------------------

def _worker_main(snapshot: str, ontology_graph: str, prefixes: dict, conn) -> None:
    import pyoxigraph as ox

    store = ox.Store.read_only(snapshot)
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        conn.send(_answer(store, ox, ontology_graph, prefixes, *job))


def _answer(store, ox, ontology_graph: str, prefixes: dict, query: str, accept: str, defaults: list[str],
            named: list[str]):
    """(status, content type, body) for one query."""
    default_graph = [ox.NamedNode(g) for g in defaults] if defaults else [ox.DefaultGraph(),
                                                                           ox.NamedNode(ontology_graph)]
    try:
        result = store.query(query, prefixes=prefixes, default_graph=default_graph,
                             named_graphs=[ox.NamedNode(g) for g in named] or None)
        if isinstance(result, ox.QueryTriples):
            media, name = _negotiate(accept, GRAPH_TYPES, "text/turtle")
            body = result.serialize(format=getattr(ox.RdfFormat, name))
        else:
            table = SOLUTION_TYPES if isinstance(result, ox.QuerySolutions) else \
                {k: v for k, v in SOLUTION_TYPES.items() if v in ("JSON", "XML")}
            media, name = _negotiate(accept, table, "application/sparql-results+json")
            body = result.serialize(format=getattr(ox.QueryResultsFormat, name))
    except SyntaxError as error:
        return 400, "text/plain; charset=utf-8", f"SPARQL syntax error: {error}\n".encode()
    except (OSError, RuntimeError, ValueError) as error:
        return 400, "text/plain; charset=utf-8", f"query failed: {error}\n".encode()
    return 200, f"{media}; charset=utf-8" if media.startswith("text/") else media, body or b""


class _Worker:
    def __init__(self, context, snapshot: str, ontology_graph: str):
        from kg.graph.store import PREFIXES

        self.conn, child = context.Pipe()
        self.process = context.Process(target=_worker_main, args=(snapshot, ontology_graph, PREFIXES, child),
                                       daemon=True)
        self.process.start()
        child.close()

    def stop(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.conn.close()


class QueryPool:
    """A few worker processes; a query that outlives the timeout costs its worker, which is replaced."""

    def __init__(self, snapshot: Path, *, workers: int = 2, timeout: float = 30.0):
        from kg.graph.store import ONTOLOGY_GRAPH

        self.snapshot, self.timeout = str(snapshot), timeout
        self.ontology_graph = ONTOLOGY_GRAPH.value
        self.context = multiprocessing.get_context("spawn")
        self.idle: list[_Worker] = [self._spawn() for _ in range(workers)]
        self.lock = threading.Condition()
        self.all = list(self.idle)

    def _spawn(self) -> _Worker:
        return _Worker(self.context, self.snapshot, self.ontology_graph)

    def run(self, query: str, accept: str, defaults: list[str], named: list[str]):
        with self.lock:
            while not self.idle:
                self.lock.wait()
            worker = self.idle.pop()
        try:
            worker.conn.send((query, accept, defaults, named))
            if worker.conn.poll(self.timeout):
                return worker.conn.recv()
            worker.stop()
            with self.lock:
                self.all.remove(worker)
                worker = self._spawn()
                self.all.append(worker)
            return 503, "text/plain; charset=utf-8", f"query timed out after {self.timeout:g} s\n".encode()
        except (EOFError, OSError, BrokenPipeError):
            worker.stop()
            with self.lock:
                self.all.remove(worker)
                worker = self._spawn()
                self.all.append(worker)
            return 500, "text/plain; charset=utf-8", b"the query worker died; try again\n"
        finally:
            with self.lock:
                self.idle.append(worker)
                self.lock.notify()

    def close(self) -> None:
        for worker in self.all:
            worker.stop()


class Handler(BaseHTTPRequestHandler):
    server_version = "kg-serve/0.1"
    server: "KGServer"

    def log_message(self, fmt, *args):   # quiet unless asked
        if self.server.verbose:
            super().log_message(fmt, *args)

    def _send(self, status: int, content_type: str, body: bytes, extra: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _text(self, status: int, message: str, extra: dict | None = None) -> None:
        self._send(status, "text/plain; charset=utf-8", (message + "\n").encode(), extra)

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path in ("/", "/explorer.html"):
            page = self.server.folder / "explorer.html"
            if not page.exists():
                return self._text(404, f"no explorer page in {self.server.folder}: run kg view --no-open or kg build")
            return self._send(200, "text/html; charset=utf-8", page.read_bytes())
        if url.path == "/sparql":
            params = urllib.parse.parse_qs(url.query, keep_blank_values=True)
            if "update" in params:
                return self._refuse()
            if "query" not in params:
                return self._text(400, "give a SPARQL query: /sparql?query=…")
            return self._query(params["query"][0], params)
        return self._text(404, "not found: / (the explorer) and /sparql (the SPARQL endpoint)")

    def do_POST(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path != "/sparql":
            return self._text(404, "POST queries to /sparql")
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            return self._text(413, "query too long")
        body = self.rfile.read(length)
        media = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        params = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        if media == "application/sparql-update":
            return self._refuse()
        if media == "application/x-www-form-urlencoded":
            form = urllib.parse.parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
            if "update" in form:
                return self._refuse()
            params = {**params, **form}
            if "query" not in form:
                return self._text(400, "the form has no query field")
            return self._query(form["query"][0], params)
        if media == "application/sparql-query":
            return self._query(body.decode("utf-8", "replace"), params)
        return self._text(415, "POST a query as application/sparql-query or an x-www-form-urlencoded form")

    def do_PUT(self):
        self._refuse()

    do_DELETE = do_PATCH = do_PUT

    def _refuse(self):
        self._text(403, "this endpoint is read-only: updates are refused", {"Allow": "GET, HEAD, POST"})

    def _query(self, query: str, params: dict):
        status, media, body = self.server.pool.run(query, self.headers.get("Accept") or "",
                                                   params.get("default-graph-uri", []),
                                                   params.get("named-graph-uri", []))
        self._send(status, media, body)


class KGServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, folder: Path, *, port: int = 7879, timeout: float = 30.0, workers: int = 2,
                 verbose: bool = False):
        from kg.graph.store import GraphStore

        self.folder, self.verbose = Path(folder), verbose
        if not (self.folder / "store").is_dir():
            from kg.errors import KGError

            raise KGError(f"[E080] no graph in {folder}: build one first with `kg build ARTICLES --out {folder}`")
        self.snapshot_dir = Path(tempfile.mkdtemp(prefix=".serve-", dir=self.folder))
        snapshot = self.snapshot_dir / "store"
        store = GraphStore(self.folder)
        try:
            store.snapshot(snapshot)
        finally:
            store.close()
        self.pool = QueryPool(snapshot, workers=workers, timeout=timeout)
        try:
            super().__init__((HOST, port), Handler)
        except OSError:
            self.close()
            raise

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.server_address[1]}"

    def close(self) -> None:
        self.pool.close()
        shutil.rmtree(self.snapshot_dir, ignore_errors=True)
        if getattr(self, "socket", None) is not None:
            self.server_close()


def serve(folder: Path, *, port: int = 7879, timeout: float = 30.0, workers: int = 2,
          ready=lambda server: None, verbose: bool = False) -> None:
    """Serve until interrupted (Ctrl-C or SIGTERM); the snapshot and the workers go with the server."""
    import signal

    def stop(signum, frame):
        raise KeyboardInterrupt

    server = KGServer(folder, port=port, timeout=timeout, workers=workers, verbose=verbose)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, stop)
    ready(server)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
