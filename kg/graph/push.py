"""Load the graph into a SPARQL 1.1 Graph Store Protocol server, one named graph per document.

Each document's graph is PUT to ``ENDPOINT?graph=<graph IRI>``, so pushing again replaces it rather than adding a
second copy. Graphs of kg documents the server holds but DIR no longer has (removed or replaced under another id) are
DELETEd: the server's graphs are listed with a SPARQL query on its query endpoint (by default the Graph Store endpoint
with ``/store`` or ``/data`` replaced by ``/query``: Oxigraph and Fuseki). Only graphs in kg's graph namespace are
touched. The ontology goes to its own graph (``http://example.org/kg/ontology``) unless ``ontology=False``.

Note that a server's default graph is its own: with one graph per document, query the union (``oxigraph serve
--union-default-graph``, Fuseki's ``unionDefaultGraph``) or use ``GRAPH ?g { … }``.
"""
from __future__ import annotations

import base64
import io
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

from kg.errors import KGError

NT = "application/n-triples"


class PushError(KGError):
    pass


@dataclass
class PushReport:
    endpoint: str
    pushed: list[str] = field(default_factory=list)      # graph IRIs PUT
    deleted: list[str] = field(default_factory=list)     # graph IRIs DELETEd
    triples: int = 0

    def summary(self) -> str:
        return (f"pushed {len(self.pushed)} graphs ({self.triples} triples) to {self.endpoint}; "
                f"deleted {len(self.deleted)} graphs no longer in the folder")


def query_endpoint_for(endpoint: str) -> str:
    parts = urllib.parse.urlsplit(endpoint)
    path = parts.path.rstrip("/")
    for tail in ("/store", "/data"):
        if path.endswith(tail):
            path = path[: -len(tail)] + "/query"
            break
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, "", ""))


class Client:
    def __init__(self, endpoint: str, query_endpoint: str | None = None, *, user: str | None = None,
                 password: str | None = None, timeout: float = 60):
        if not endpoint.startswith(("http://", "https://")):
            raise PushError(f"[E110] the endpoint must be an http(s) URL, not {endpoint!r}")
        self.endpoint = endpoint
        self.query_endpoint = query_endpoint or query_endpoint_for(endpoint)
        self.timeout = timeout
        self.headers = {}
        if user:
            token = base64.b64encode(f"{user}:{password or ''}".encode()).decode()
            self.headers["Authorization"] = f"Basic {token}"

    def _request(self, method: str, url: str, body: bytes | None = None, headers: dict | None = None) -> bytes:
        request = urllib.request.Request(url, data=body, method=method, headers={**self.headers, **(headers or {})})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.read()
        except urllib.error.HTTPError as error:
            detail = error.read().decode("utf-8", "replace")[:300]
            raise PushError(f"[E111] {method} {url} failed: HTTP {error.code} {error.reason}: {detail}") from None
        except urllib.error.URLError as error:
            raise PushError(f"[E112] cannot reach {url}: {error.reason}; is the server running?") from None

    def _graph_url(self, graph: str) -> str:
        sep = "&" if "?" in self.endpoint else "?"
        return f"{self.endpoint}{sep}{urllib.parse.urlencode({'graph': graph})}"

    def put(self, graph: str, ntriples: bytes) -> None:
        self._request("PUT", self._graph_url(graph), ntriples, {"Content-Type": NT})

    def delete(self, graph: str) -> None:
        try:
            self._request("DELETE", self._graph_url(graph))
        except PushError as error:
            if "HTTP 404" not in str(error):
                raise

    def select(self, sparql: str) -> list[dict]:
        body = urllib.parse.urlencode({"query": sparql}).encode()
        data = self._request("POST", self.query_endpoint, body, {
            "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/sparql-results+json"})
        return json.loads(data)["results"]["bindings"]

    def graphs(self, prefix: str) -> set[str]:
        """The named graphs on the server whose IRI starts with ``prefix``."""
        rows = self.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }")
        return {r["g"]["value"] for r in rows if r["g"]["value"].startswith(prefix)}


def _ntriples(quads) -> bytes:
    import pyoxigraph as ox

    out = io.BytesIO()
    ox.serialize((ox.Triple(q.subject, q.predicate, q.object) for q in quads), out, format=ox.RdfFormat.N_TRIPLES)
    return out.getvalue()


def push(store, endpoint: str, *, query_endpoint: str | None = None, ontology: bool = True, delete: bool = True,
         user: str | None = None, password: str | None = None, log=lambda line: None) -> PushReport:
    """PUT every document's graph (and the ontology's) to the Graph Store at ``endpoint``; DELETE stale ones."""
    from kg.graph.rdf import GRAPH_PREFIX, graph_iri
    from kg.graph.store import ONTOLOGY_GRAPH

    client = Client(endpoint, query_endpoint, user=user, password=password)
    report = PushReport(endpoint)
    local = {}
    for doc_id in store.document_ids():
        local[str(graph_iri(doc_id))] = store.graph_quads(doc_id)
    for graph, quads in sorted(local.items()):
        client.put(graph, _ntriples(quads))
        report.pushed.append(graph)
        report.triples += len(quads)
        log(f"PUT {graph} ({len(quads)} triples)")
    if ontology and store.db.contains_named_graph(ONTOLOGY_GRAPH):
        quads = list(store.db.quads_for_pattern(None, None, None, ONTOLOGY_GRAPH))
        client.put(ONTOLOGY_GRAPH.value, _ntriples(quads))
        report.pushed.append(ONTOLOGY_GRAPH.value)
        report.triples += len(quads)
    if delete:
        for graph in sorted(client.graphs(GRAPH_PREFIX) - set(local)):
            client.delete(graph)
            report.deleted.append(graph)
            log(f"DELETE {graph}")
    return report
