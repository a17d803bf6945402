"""``kg serve DIR``: a read-only SPARQL 1.1 Protocol endpoint on localhost, beside the explorer.

- ``GET /`` serves ``DIR/explorer.html``;
- ``GET /sparql?query=…`` and ``POST /sparql`` (``application/x-www-form-urlencoded`` with ``query=``, or
  ``application/sparql-query``) answer queries: SELECT/ASK as SPARQL JSON (default), XML, CSV or TSV; CONSTRUCT/DESCRIBE
  as Turtle (default), N-Triples, JSON-LD or RDF/XML, by the ``Accept`` header. ``default-graph-uri`` and
  ``named-graph-uri`` are honoured; by default the default graph is the merged view plus the ontology, and kg's
  prefixes (kg, rdf, rdfs, owl, xsd, skos, dcterms, prov, schema, wd) are predeclared;
- updates (``update=``, ``application/sparql-update``) are refused with 403, and so is a query that calls SERVICE
  (a fetch from another endpoint: ``kg.graph.query.refuse_service``) unless ``allow_service`` names it;
- a POST needs a valid Content-Length of at most 1 MiB (else 411, 400 or 413);
- an answer larger than ``max_rows`` rows or ``max_bytes`` bytes is refused with 507 and says so. The worker writes
  the answer in chunks, so it never holds more than one; the server gathers them, up to the cap, before it sends the
  status line, so a client gets either the whole answer or a clear error, never a cut-off document. At most
  ``workers`` answers are gathered or sent at once: the memory is bounded by about ``workers × max_bytes``.
  What a query holds while it runs (a sort, a group) is bounded by ``max_memory`` per worker (``RLIMIT_DATA``, on
  Linux): a query that needs more ends its worker, which is replaced, and is answered 507, saying so.

The server answers from a snapshot of the store (hard links, cheap), so ``kg build`` may update DIR meanwhile; SIGHUP
(``kill -HUP PID``) takes a new snapshot, and the queries that run on the old one finish there. Queries run in worker
processes that open the snapshot read-only: one that runs past the timeout is killed and answered with 503, and the
worker is replaced. Snapshots are ``DIR/.serve-PID-*`` folders; a server that was killed leaves its own behind, and
the next server started on DIR removes it. It binds 127.0.0.1 only; requests wait in a queue (listen backlog 1024)
until a worker is free rather than being refused. (Oxigraph's own server would fetch SERVICE and cap nothing, so it
would need this front all the same.)
"""
from __future__ import annotations

import functools
import json
import multiprocessing
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HOST = "127.0.0.1"
MAX_BODY = 1 << 20      # a query is text: 1 MiB is plenty
MAX_ROWS = 100_000
MAX_BYTES = 64 << 20
MAX_MEMORY = 1 << 30    # working memory of one query, above what the worker holds when it is ready
CHUNK = 1 << 20         # what a worker sends at a time
TEXT = "text/plain; charset=utf-8"

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


# --- the worker process: imports only pyoxigraph (and the standard library) ----------------------------------------

class _Over(Exception):
    """The answer passed a cap; the message says which."""


class _Sink:
    """A binary writer that sends what it is given to the server in chunks and stops past ``max_bytes``."""

    def __init__(self, conn, max_bytes: int):
        self.conn, self.max_bytes = conn, max_bytes
        self.buffer, self.total, self.over = bytearray(), 0, None

    def write(self, data) -> int:
        data = data.encode() if isinstance(data, str) else bytes(data)
        self.total += len(data)
        if self.total > self.max_bytes:
            self.over = (f"the answer is larger than {self.max_bytes:,} bytes, this server's cap (kg serve "
                         f"--max-bytes): add a LIMIT or ask for fewer variables")
            raise _Over(self.over)
        self.buffer += data
        if len(self.buffer) >= CHUNK:
            self.flush()
        return len(data)

    def flush(self) -> None:
        if self.buffer:
            self.conn.send(("chunk", bytes(self.buffer)))
            self.buffer.clear()


def _rows_over(max_rows: int) -> str:
    return f"the answer has more than {max_rows:,} rows, this server's cap (kg serve --max-rows): add a LIMIT"


def _worker_main(snapshot: str, ontology_graph: str, prefixes: dict, limits: tuple[int, int, int], conn) -> None:
    import pyoxigraph as ox

    max_rows, max_bytes, max_memory = limits
    store = ox.Store.read_only(snapshot)
    _bound_memory(max_memory)
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        sink = _Sink(conn, max_bytes)
        try:
            media = _answer(store, ox, sink, ontology_graph, prefixes, max_rows, *job)
            sink.flush()
            conn.send(("done", media))
        except _Over as over:
            conn.send(("error", 507, str(over)))
        except SyntaxError as error:
            conn.send(("error", 400, f"SPARQL syntax error: {error}"))
        except (OSError, RuntimeError, ValueError, TypeError) as error:
            conn.send(("error", 507, sink.over) if sink.over else ("error", 400, f"query failed: {error}"))


def _bound_memory(extra: int) -> None:
    """Let this process's heap grow by ``extra`` bytes at most (RLIMIT_DATA counts the heap and private anonymous
    mappings, not the store's mapped files). Past it an allocation fails and Oxigraph aborts the process: the pool
    sees a worker killed by SIGABRT, answers 507 and starts another. Without /proc (not Linux): no bound."""
    import resource

    try:
        with open("/proc/self/status", encoding="ascii") as status:
            data = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmData:"))
        resource.setrlimit(resource.RLIMIT_DATA, (data + extra, data + extra))
    except (OSError, StopIteration, ValueError):
        pass


def _answer(store, ox, sink: _Sink, ontology_graph: str, prefixes: dict, max_rows: int, query: str, accept: str,
            defaults: list[str], named: list[str]) -> str:
    """Write the answer to one query into ``sink``; return its media type. Bad graph IRIs raise ValueError."""
    try:
        default_graph = [ox.NamedNode(g) for g in defaults] or [ox.DefaultGraph(), ox.NamedNode(ontology_graph)]
        named_graphs = [ox.NamedNode(g) for g in named] or None
    except ValueError as error:
        raise ValueError(f"default-graph-uri and named-graph-uri take IRIs ({error})") from None
    result = store.query(query, prefixes=prefixes, default_graph=default_graph, named_graphs=named_graphs)
    if isinstance(result, ox.QueryTriples):
        media, name = _negotiate(accept, GRAPH_TYPES, "text/turtle")
        over = []

        def capped():
            for i, triple in enumerate(result):
                if i == max_rows:
                    over.append(_rows_over(max_rows))
                    return
                yield triple

        ox.serialize(capped(), sink, getattr(ox.RdfFormat, name))
        if over:
            raise _Over(over[0])
    elif isinstance(result, ox.QuerySolutions):
        media, name = _negotiate(accept, SOLUTION_TYPES, "application/sparql-results+json")
        _write_solutions(result, name, sink, max_rows, ox)
    else:   # ASK: a few bytes
        table = {k: v for k, v in SOLUTION_TYPES.items() if v in ("JSON", "XML")}
        media, name = _negotiate(accept, table, "application/sparql-results+json")
        sink.write(result.serialize(format=getattr(ox.QueryResultsFormat, name)))
    return f"{media}; charset=utf-8" if media.startswith("text/") else media


def _write_solutions(result, name: str, sink: _Sink, max_rows: int, ox) -> None:
    """SELECT answers, one row at a time, in the SPARQL 1.1 result format ``name`` (JSON, XML, CSV or TSV).

    pyoxigraph's own serialiser cannot be stopped after N rows, hence these few lines per format. A term recurs in
    many rows, so each is written once and remembered (a bounded cache).
    """
    variables = [v.value for v in result.variables]
    head, cell, row, separator, tail = _SOLUTION_FORMATS[name](variables, ox)
    cell = functools.lru_cache(maxsize=1 << 16)(cell)
    sink.write(head)
    for i, solution in enumerate(result):
        if i == max_rows:
            raise _Over(_rows_over(max_rows))
        sink.write((separator if i else "") + row([None if t is None else cell(t) for t in solution]))
    sink.write(tail)


XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def _json_format(variables, ox):
    def term(t) -> dict:
        if isinstance(t, ox.NamedNode):
            return {"type": "uri", "value": t.value}
        if isinstance(t, ox.BlankNode):
            return {"type": "bnode", "value": t.value}
        if isinstance(t, ox.Literal):
            out = {"type": "literal", "value": t.value}
            if t.language:
                out["xml:lang"] = t.language
            elif t.datatype.value != XSD_STRING:
                out["datatype"] = t.datatype.value
            return out
        return {"type": "triple", "value": {"subject": term(t.subject), "predicate": term(t.predicate),
                                            "object": term(t.object)}}

    dumps = functools.partial(json.dumps, ensure_ascii=False, separators=(",", ":"))
    keys = [dumps(v) + ":" for v in variables]
    head = '{"head":{"vars":' + dumps(variables) + '},"results":{"bindings":['
    return (head, lambda t: dumps(term(t)),
            lambda cells: "{" + ",".join(k + c for k, c in zip(keys, cells) if c is not None) + "}", ",", "]}}\n")


def _xml_format(variables, ox):
    from xml.sax.saxutils import escape, quoteattr

    def term(t) -> str:
        if isinstance(t, ox.NamedNode):
            return f"<uri>{escape(t.value)}</uri>"
        if isinstance(t, ox.BlankNode):
            return f"<bnode>{escape(t.value)}</bnode>"
        if isinstance(t, ox.Literal):
            attr = f" xml:lang={quoteattr(t.language)}" if t.language else \
                "" if t.datatype.value == XSD_STRING else f" datatype={quoteattr(t.datatype.value)}"
            return f"<literal{attr}>{escape(t.value)}</literal>"
        return (f"<triple><subject>{term(t.subject)}</subject><predicate>{term(t.predicate)}</predicate>"
                f"<object>{term(t.object)}</object></triple>")

    names = [f"<binding name={quoteattr(v)}>" for v in variables]
    head = ('<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>'
            + "".join(f"<variable name={quoteattr(v)}/>" for v in variables) + "</head><results>")
    return (head, term,
            lambda cells: "<result>" + "".join(n + c + "</binding>" for n, c in zip(names, cells) if c is not None)
            + "</result>", "", "</results></sparql>\n")


def _csv_format(variables, ox):
    def field(text: str) -> str:   # quoted as RFC 4180 wants when it holds a comma, a quote or a line end
        return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"\r\n') else text

    def term(t) -> str:
        if isinstance(t, ox.BlankNode):
            return "_:" + t.value
        return field(t.value if isinstance(t, (ox.NamedNode, ox.Literal)) else f"<< {t} >>")

    line = lambda cells: ",".join(c or "" for c in cells) + "\r\n"
    return line([field(v) for v in variables]), term, line, "", ""


def _tsv_format(variables, ox):
    def term(t) -> str:   # the term as N-Triples writes it, with a tab or line end inside escaped
        text = str(t) if not isinstance(t, ox.Triple) else f"<< {t} >>"
        return text.replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")

    line = lambda cells: "\t".join(c or "" for c in cells) + "\n"
    return line(["?" + v for v in variables]), term, line, "", ""


_SOLUTION_FORMATS = {"JSON": _json_format, "XML": _xml_format, "CSV": _csv_format, "TSV": _tsv_format}


# --- the server process ----------------------------------------------------------------------------------------------

class _Worker:
    def __init__(self, context, snapshot: str, ontology_graph: str, limits: tuple[int, int]):
        from kg.graph.store import PREFIXES

        self.conn, child = context.Pipe()
        self.process = context.Process(target=_worker_main, args=(snapshot, ontology_graph, PREFIXES, limits, child),
                                       daemon=True)
        self.process.start()
        child.close()

    def stop(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.conn.close()


def take_snapshot(folder: Path) -> Path:
    """A new ``folder/.serve-PID-*`` folder holding a read-only copy of the store (``store/``)."""
    from kg.graph.store import GraphStore

    target = Path(tempfile.mkdtemp(prefix=f".serve-{os.getpid()}-", dir=folder))
    try:
        store = GraphStore(folder)
        try:
            store.snapshot(target / "store")
        finally:
            store.close()
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise
    return target


def remove_stale_snapshots(folder: Path) -> list[Path]:
    """Remove the ``.serve-*`` folders whose server is gone (killed before it could clean up); return them."""
    removed = []
    for path in Path(folder).glob(".serve-*"):
        m = re.match(r"\.serve-(\d+)-", path.name)
        if m and _alive(int(m.group(1))):
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return pid < 1 << 22   # someone else's process (or an impossible pid: not alive)
    return True


class QueryPool:
    """A few worker processes over one snapshot, which the pool owns; a query that outlives the timeout costs its
    worker, which is replaced."""

    def __init__(self, snapshot_dir: Path, *, workers: int = 2, timeout: float = 30.0, max_rows: int = MAX_ROWS,
                 max_bytes: int = MAX_BYTES, max_memory: int = MAX_MEMORY):
        from kg.graph.store import ONTOLOGY_GRAPH

        self.snapshot_dir, self.timeout, self.max_memory = Path(snapshot_dir), timeout, max_memory
        self.args = (str(self.snapshot_dir / "store"), ONTOLOGY_GRAPH.value, (max_rows, max_bytes, max_memory))
        self.context = multiprocessing.get_context("spawn")
        self.lock = threading.Condition()
        self.idle: list[_Worker] = [self._spawn() for _ in range(workers)]
        self.all, self.closed = list(self.idle), False

    def _spawn(self) -> _Worker:
        return _Worker(self.context, *self.args)

    def _replace(self, worker: _Worker) -> _Worker:
        worker.stop()
        with self.lock:
            self.all.remove(worker)
            worker = self._spawn()
            self.all.append(worker)
        return worker

    def run(self, query: str, accept: str, defaults: list[str], named: list[str]) -> tuple[int, str, list[bytes]]:
        """(status, content type, body chunks) for one query; waits for a free worker."""
        with self.lock:
            while not self.idle and not self.closed:
                self.lock.wait()
            if self.closed:   # a reload retired this pool between the handler's look and now
                return 503, TEXT, [b"the server is reloading; try again\n"]
            worker = self.idle.pop()
        try:
            worker.conn.send((query, accept, defaults, named))
            deadline, chunks = time.monotonic() + self.timeout, []
            while True:
                if not worker.conn.poll(max(0.0, deadline - time.monotonic())):
                    worker = self._replace(worker)
                    return 503, TEXT, [f"query timed out after {self.timeout:g} s\n".encode()]
                kind, *rest = worker.conn.recv()
                if kind == "chunk":
                    chunks.append(rest[0])
                elif kind == "done":
                    return 200, rest[0], chunks
                else:
                    return rest[0], TEXT, [(rest[1] + "\n").encode()]
        except (EOFError, OSError):
            worker.process.join(5)
            aborted = worker.process.exitcode == -signal.SIGABRT   # an allocation past --max-memory
            worker = self._replace(worker)
            if aborted:
                return 507, TEXT, [f"the query needs more than {self.max_memory:,} bytes of working memory, this "
                                   f"server's cap (kg serve --max-memory): narrow it or add a LIMIT\n".encode()]
            return 500, TEXT, [b"the query worker died; try again\n"]
        finally:
            with self.lock:
                self.idle.append(worker)
                self.lock.notify_all()

    def retire(self) -> None:
        """Close once the queries running now are answered (a newer pool takes the new ones)."""
        with self.lock:
            while len(self.idle) < len(self.all):
                self.lock.wait()
        self.close()

    def close(self) -> None:
        with self.lock:
            self.closed = True
            self.lock.notify_all()
        for worker in self.all:
            worker.stop()
        shutil.rmtree(self.snapshot_dir, ignore_errors=True)


class Handler(BaseHTTPRequestHandler):
    server_version = "kg-serve/0.2"
    server: "KGServer"
    timeout = 60   # seconds a client may take to send its request or to read the answer

    def log_message(self, fmt, *args):   # quiet unless asked
        if self.server.verbose:
            super().log_message(fmt, *args)

    def _send(self, status: int, content_type: str, body: bytes | list[bytes], extra: dict | None = None) -> None:
        chunks = [body] if isinstance(body, bytes) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(sum(len(c) for c in chunks)))
        self.send_header("X-Content-Type-Options", "nosniff")
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            for chunk in chunks:
                self.wfile.write(chunk)

    def _text(self, status: int, message: str, extra: dict | None = None) -> None:
        self._send(status, TEXT, (message + "\n").encode(), extra)

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

    def _body_length(self) -> int | None:
        """The request's Content-Length, or None after refusing the request: a body must say how long it is."""
        lengths = set(self.headers.get_all("Content-Length") or [])
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower() or not lengths:
            self._text(411, "send the query with a Content-Length header (chunked bodies are not read)")
        elif len(lengths) > 1 or not re.fullmatch(r"[0-9]{1,10}", lengths.pop().strip()):
            self._text(400, "the Content-Length header is not one whole number of bytes")
        elif int(self.headers["Content-Length"]) > MAX_BODY:
            self._text(413, f"query too long: at most {MAX_BODY:,} bytes")
        else:
            return int(self.headers["Content-Length"])
        return None

    def do_POST(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path != "/sparql":
            return self._text(404, "POST queries to /sparql")
        length = self._body_length()
        if length is None:
            return None
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
        from kg.errors import QueryError
        from kg.graph.query import refuse_service

        try:
            refuse_service(query, self.server.allow_service)
        except QueryError as error:
            return self._text(403, str(error))
        with self.server.slots:   # at most `workers` answers in memory at once; the others wait here
            status, media, body = self.server.pool.run(query, self.headers.get("Accept") or "",
                                                       params.get("default-graph-uri", []),
                                                       params.get("named-graph-uri", []))
            self._send(status, media, body)


class KGServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024   # the listen backlog: a burst of clients waits instead of being reset

    def __init__(self, folder: Path, *, port: int = 7879, timeout: float = 30.0, workers: int = 2,
                 max_rows: int = MAX_ROWS, max_bytes: int = MAX_BYTES, max_memory: int = MAX_MEMORY,
                 allow_service: tuple[str, ...] = (), verbose: bool = False):
        self.folder, self.verbose = Path(folder), verbose
        if not (self.folder / "store" / "CURRENT").is_file():
            from kg.errors import no_graph

            raise no_graph(folder)
        self.allow_service = tuple(allow_service)
        self.pool_options = dict(workers=workers, timeout=timeout, max_rows=max_rows, max_bytes=max_bytes,
                                 max_memory=max_memory)
        self.slots = threading.BoundedSemaphore(workers)
        self.reload_lock = threading.Lock()
        remove_stale_snapshots(self.folder)
        self.pool = QueryPool(take_snapshot(self.folder), **self.pool_options)
        try:
            super().__init__((HOST, port), Handler)
        except OSError:
            self.close()
            raise

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.server_address[1]}"

    def reload(self) -> None:
        """Answer new queries from a new snapshot of DIR; the old one goes once its queries are answered."""
        from kg.errors import KGError

        with self.reload_lock:
            try:
                pool = QueryPool(take_snapshot(self.folder), **self.pool_options)
            except KGError as error:
                print(f"kg serve: no reload, still serving the old snapshot: {error}", file=sys.stderr, flush=True)
                return
            old, self.pool = self.pool, pool
        old.retire()
        print(f"kg serve: reloaded {self.folder}", file=sys.stderr, flush=True)

    def close(self) -> None:
        self.pool.close()
        if getattr(self, "socket", None) is not None:
            self.server_close()


def serve(folder: Path, *, ready=lambda server: None, **options) -> None:
    """Serve until interrupted (Ctrl-C or SIGTERM); SIGHUP reloads. The snapshot and the workers go with the server."""

    def stop(signum, frame):
        raise KeyboardInterrupt

    server = KGServer(folder, **options)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGHUP, lambda signum, frame: threading.Thread(target=server.reload, daemon=True).start())
    try:
        ready(server)
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
