"""The persistent graph store: an embedded Oxigraph database under ``DIR/store``, one named graph per document.

The default graph holds the merged view: every triple that at least one document's graph holds, once. Queries run on
it, so a fact several articles support appears once; a triple leaves it only when no document supports it any more.
The ontology (``ontology/kg.ttl``) sits in a named graph of its own, named by the ontology's IRI; queries that ask for
it (``kg query``, named queries, ``kg serve``) see it as part of their default graph, so ``rdfs:subClassOf*`` works.
Exports hold the documents' triples only.
"""
from __future__ import annotations

import contextlib
import functools
import heapq
import io
import itertools
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SDO, SKOS, XSD

from kg.errors import KGError, NoGraph, no_graph  # noqa: F401 (NoGraph: kg.graph.store.NoGraph)
from kg.graph.rdf import GRAPH_PREFIX, doc_iri, graph_iri
from kg.vocab import ID_NS, KG, KG_NS

PREFIXES = {
    "kg": KG_NS, "rdf": str(RDF), "rdfs": str(RDFS), "owl": str(OWL), "xsd": str(XSD),
    "skos": str(SKOS), "dcterms": str(DCTERMS), "prov": str(PROV), "schema": str(SDO),
    "wd": "http://www.wikidata.org/entity/",
}
FORMATS = {
    "ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "nq": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG, "jsonld": ox.RdfFormat.JSON_LD,
}
QUAD_FORMATS = {"nq", "trig"}
ONTOLOGY_GRAPH = ox.NamedNode(KG_NS.rstrip("#"))   # the ontology's own IRI names its graph
# the source files of removed documents (a document's graph IRI -> kg:sourceFile), outside GRAPH_PREFIX so that no
# export, push or document listing sees it
REMOVED_GRAPH = ox.NamedNode(str(ID_NS) + "removed")


class StoreBusy(KGError):
    pass


_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


def bound(sparql: str, bindings: dict | None) -> tuple[str, dict | None]:
    """The query with ``bindings`` (variable name -> term) in force: a VALUES block opening its WHERE clause, where
    Oxigraph's planner starts from the bound terms (provenance of one entity on a million triples: 2 ms, against
    1 s with the same values as SEP-0007 substitutions). The terms go in as pyoxigraph writes them in N-Triples
    (IRIs checked, literals escaped), never as text a user typed. A query without a WHERE keyword, or a blank node
    value, takes the values as substitutions instead."""
    terms = {str(k).lstrip("?$"): v if isinstance(v, (ox.NamedNode, ox.Literal, ox.BlankNode)) else to_ox(v)
             for k, v in (bindings or {}).items()}
    if not terms:
        return sparql, None
    where = _WHERE.search(sparql)
    if where is None or any(isinstance(t, ox.BlankNode) for t in terms.values()):
        return sparql, {ox.Variable(k): t for k, t in terms.items()}
    names = " ".join(f"?{k}" for k in terms)
    values = " ".join(str(t) for t in terms.values())
    return f"{sparql[:where.end()]}\n  VALUES ({names}) {{ ({values}) }}{sparql[where.end():]}", None


def to_ox(term) -> ox.NamedNode | ox.Literal | ox.BlankNode:
    """An rdflib term as a pyoxigraph term."""
    if type(term) is URIRef:
        return _named_node(str(term))
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=_named_node(str(term.datatype)))
        return ox.Literal(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def _graph_node(doc_id: str) -> ox.NamedNode:
    return ox.NamedNode(str(graph_iri(doc_id)))


def _doc_id(graph: ox.NamedNode) -> str:
    """The id of the document whose graph this is (``_graph_node`` backwards)."""
    return unquote(graph.value[len(GRAPH_PREFIX):])


@functools.lru_cache(maxsize=1 << 16)
def _named_node(iri: str) -> ox.NamedNode:
    """Classes, properties and the entities of the articles at hand come up again and again: made once each."""
    return ox.NamedNode(iri)


@functools.lru_cache(maxsize=1 << 14)
def _nt(term) -> str:
    """An rdflib term as N-Triples writes it, checked and escaped by pyoxigraph: a build writes each entity, class,
    property, sentence and rule name many times, and this is made once per term (16k of them kept: a sentence's
    text comes back within its document only, and a build's memory should not grow with its corpus)."""
    return str(to_ox(term))


def document_triples(triples: Iterable[tuple]) -> frozenset[str]:
    """A document's rdflib triples as the store writes them: N-Triples text, one string per distinct triple."""
    return frozenset(f"{_nt(s)} {_nt(p)} {_nt(o)}" for s, p, o in triples)


def _nquads(pending: dict[str, frozenset[str]]) -> io.BufferedReader:
    """Documents' triples as N-Quads for Oxigraph's bulk loader: each in its document's graph, and once in the merged
    view (the default graph), however many of these documents hold it. Parsing this text in Oxigraph costs less than
    making two pyoxigraph Quads per triple in Python. The text is made a document at a time as the loader reads it
    (a batch written as one string held it twice more). A blank node keeps one identity within these documents (in
    its graph and in the merged view); the loader gives it a new label."""
    def chunks() -> Iterator[bytes]:
        for doc_id, triples in pending.items():
            graph = f" {_graph_node(doc_id)} .\n"
            yield (graph.join(triples) + graph).encode("utf-8") if triples else b""
        merged = set().union(*pending.values())
        yield (" .\n".join(merged) + " .\n").encode("utf-8") if merged else b""

    return io.BufferedReader(_ChunkReader(chunks()))


class _ChunkReader(io.RawIOBase):
    """A binary stream over an iterator of byte strings, read as they come."""

    def __init__(self, chunks: Iterator[bytes]):
        self._chunks, self._rest = chunks, memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self._rest:
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self._rest = memoryview(chunk)
        size = min(len(buffer), len(self._rest))
        buffer[:size] = self._rest[:size]
        self._rest = self._rest[size:]
        return size


def to_rdflib(term):
    """A pyoxigraph term as an rdflib term (None stays None: an unbound variable)."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == str(XSD.string):
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise TypeError(f"not an RDF term: {term!r}")


@dataclass(frozen=True)
class DocumentInfo:
    doc_id: str
    source: str | None
    title: str | None
    date: str | None
    content_hash: str | None


class GraphStore:
    """New documents are written in batches (one bulk write per ``PENDING_TRIPLES`` triples, not two transactions per
    document): until then they wait in memory; any read of the database, ``flush`` and ``close`` write them first."""

    PENDING_TRIPLES = 50_000
    SORT_RUN_LINES = 100_000   # N-Triples lines sorted in memory at a time by exports of the merged view (~20 MB)

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self._pending: dict[str, frozenset[str]] = {}   # doc_id -> the triples (N-Triples text) the database lacks
        self._pending_triples = 0
        try:
            self._db = ox.Store(str(self.folder / "store"))
        except OSError as error:
            raise StoreBusy(f"[E081] cannot open the graph in {self.folder}: another kg process (kg build, kg serve, "
                            f"a Python session) holds it; stop it or let it finish ({error})") from None

    @classmethod
    def open_existing(cls, folder: Path, *, hint: str | None = None) -> "GraphStore":
        """The store a build wrote in ``folder``, for the commands that read or change a graph but never start one
        (query, export, validate, remove, add-facts, push, view, ``kg.open``): without one, E080 and nothing is
        created. ``hint`` says how to build one (default: the kg build command line).

        The store is opened as ``kg build`` opens it, with its lock, not with Oxigraph's read-only mode: that one is
        undefined while another process writes, whereas the lock turns a running build into a clear E081."""
        folder = Path(folder)
        if not (folder / "store" / "CURRENT").is_file():
            raise no_graph(folder, hint)
        return cls(folder)

    @property
    def db(self) -> ox.Store:
        """The database, with every pending document in it."""
        self._write_pending()
        return self._db

    @db.deleter
    def db(self) -> None:
        self._write_pending()
        self._db = None

    def _write_pending(self) -> None:
        if not self._pending:
            return
        pending, self._pending, self._pending_triples = self._pending, {}, 0
        # not transactional: a build that dies half-way leaves some of these documents out, and the next build
        # (which skips only documents whose content hash is stored) writes them again. Lenient: every term was
        # checked when pyoxigraph made it (_nt), so the loader does not check each IRI again (15% of its time)
        self._db.bulk_load(_nquads(pending), format=ox.RdfFormat.N_QUADS, lenient=True)

    # --- documents -------------------------------------------------------------------------------------------------

    def replace_document(self, doc_id: str, triples: Iterable[tuple] | frozenset[str]) -> int:
        """Swap in one document's graph: its old facts go, the new ones come (with the next batch). ``triples`` are
        rdflib triples, or what ``document_triples`` made of them."""
        unique = triples if isinstance(triples, frozenset) else document_triples(triples)
        if doc_id not in self._pending and self._db.contains_named_graph(_graph_node(doc_id)):
            self._drop([doc_id], note=False)
        self._pending_triples += len(unique) - len(self._pending.get(doc_id, ()))
        self._pending[doc_id] = unique
        if self._pending_triples >= self.PENDING_TRIPLES:
            self._write_pending()
        return len(unique)

    def remove_document(self, doc_id: str) -> bool:
        """Drop one document's graph, and from the merged view the triples no other document supports."""
        return bool(self.remove_documents([doc_id]))

    def remove_documents(self, doc_ids: Iterable[str]) -> list[str]:
        """Drop these documents' graphs in one transaction (all or none of them go, so a remove that is killed and
        run again ends with the same graph as one that was not), and from the merged view the triples no remaining
        document supports. Each removed document's source file is noted in the removed-documents graph, so that
        removing it again can say it was removed rather than that it never was. The ids removed."""
        return self._drop(doc_ids, note=True)

    def _drop(self, doc_ids: Iterable[str], *, note: bool) -> list[str]:
        ids = [doc_id for doc_id in dict.fromkeys(doc_ids) if self.has_document(doc_id)]
        if ids:
            self.db.update(" ;\n".join(_removal(_graph_node(doc_id), note) for doc_id in ids))
        return ids

    def has_document(self, doc_id: str) -> bool:
        return doc_id in self._pending or self._db.contains_named_graph(ox.NamedNode(str(graph_iri(doc_id))))

    def document_ids(self) -> list[str]:
        """The ids of every document in the store (curated fact files included), sorted."""
        return sorted(_doc_id(g) for g in self.db.named_graphs()
                      if isinstance(g, ox.NamedNode) and g.value.startswith(GRAPH_PREFIX))

    def documents(self) -> list[DocumentInfo]:
        out = []
        for doc_id in self.document_ids():
            graph = ox.NamedNode(str(graph_iri(doc_id)))
            node = ox.NamedNode(str(doc_iri(doc_id)))
            values = {}
            for quad in self.db.quads_for_pattern(node, None, None, graph):
                values.setdefault(quad.predicate.value, quad.object.value)
            out.append(DocumentInfo(doc_id, values.get(str(KG.sourceFile)), values.get(str(DCTERMS.title)),
                                    values.get(str(DCTERMS.date)), values.get(str(KG.contentHash))))
        return out

    def resolve(self, name: str) -> list[str]:
        """The documents ``name`` stands for: a document id, or the source file they were read from.

        A source file may hold several documents (a newspaper page with several stories): all of them are returned.
        The file is named as the build recorded it, or by any path to the same file; never by its file name alone,
        which two folders may share (``kg remove`` would take the wrong one). A name that is one document's id and
        another's source file is ambiguous: E082, listing both.
        """
        return self.resolve_all([name])[name]

    def resolve_all(self, names: Iterable[str]) -> dict[str, list[str]]:
        """``resolve`` for many names, reading the list of documents once."""
        sources = {d.doc_id: d.source for d in self.documents()}
        files, found = _files(sources), {}
        for name in names:
            by_source = _matching_sources(name, sources, files)
            if name in sources and any(doc_id != name for doc_id in by_source):
                raise KGError(f"[E082] {name!r} is the id of a document and the source file of "
                              f"{', '.join(d for d in by_source if d != name)}; give the document id or a path that "
                              f"names one file")
            found[name] = [name] if name in sources else by_source
        return found

    def removed_documents(self, name: str) -> list[str]:
        """The documents ``name`` stands for (as in ``resolve``) that a ``kg remove`` took out of this store."""
        notes = list(self.db.quads_for_pattern(None, None, None, REMOVED_GRAPH))
        sources = {_doc_id(q.subject): None for q in notes}
        sources.update({_doc_id(q.subject): q.object.value for q in notes if q.predicate.value == str(KG.sourceFile)})
        return [name] if name in sources else _matching_sources(name, sources)

    def similar_documents(self, name: str) -> list[DocumentInfo]:
        """Documents whose source file has the same file name as ``name``: what an unknown name may have meant."""
        wanted = Path(name).name
        return [d for d in self.documents() if d.source and Path(d.source).name == wanted]

    def document_hash(self, doc_id: str) -> str | None:
        node, predicate = ox.NamedNode(str(doc_iri(doc_id))), to_ox(KG.contentHash)
        if doc_id in self._pending:
            start = f"{node} {predicate} "
            found = (next(ox.parse(f"{line} .", format=ox.RdfFormat.N_TRIPLES)).object
                     for line in self._pending[doc_id] if line.startswith(start))
        else:
            found = (q.object for q in self._db.quads_for_pattern(node, predicate, None, _graph_node(doc_id)))
        for term in found:
            return term.value
        return None

    def graph_quads(self, doc_id: str) -> list[ox.Quad]:
        """One document's graph, sorted."""
        graph = ox.NamedNode(str(graph_iri(doc_id)))
        return sorted(self.db.quads_for_pattern(None, None, None, graph),
                      key=lambda q: (str(q.subject), str(q.predicate), str(q.object)))

    # --- the ontology ----------------------------------------------------------------------------------------------

    def load_ontology(self, path: Path) -> int:
        """Put the ontology file ``path`` (ontology/kg.ttl) into the ontology graph, replacing what was there."""
        if not Path(path).exists():
            return 0
        if self.db.contains_named_graph(ONTOLOGY_GRAPH):
            self.db.remove_graph(ONTOLOGY_GRAPH)
        self.db.load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ONTOLOGY_GRAPH)
        return sum(1 for _ in self.db.quads_for_pattern(None, None, None, ONTOLOGY_GRAPH))

    # --- reading ---------------------------------------------------------------------------------------------------

    def query(self, sparql: str, bindings: dict | None = None, *, with_ontology: bool = False):
        """Run SPARQL over the merged view (and the ontology with ``with_ontology``); kg's PREFIXES are predeclared.

        ``bindings`` maps variable names (without ``?``) to pyoxigraph or rdflib terms; see ``bound``.
        """
        sparql, substitutions = bound(sparql, bindings)
        default = [ox.DefaultGraph(), ONTOLOGY_GRAPH] if with_ontology else None
        return self.db.query(sparql, prefixes=PREFIXES, substitutions=substitutions, default_graph=default)

    def triples(self) -> list[ox.Triple]:
        """The merged view of every document's graph, sorted so that exports are byte-identical for the same input."""
        with self._sorted_merged() as (_, quads):
            return [q.triple for q in quads]

    @contextlib.contextmanager
    def _sorted_merged(self) -> Iterator[tuple[int, Iterable[ox.Quad]]]:
        """The merged view sorted as N-Triples lines: (how many, the triples as default-graph quads, read as needed).

        A line's bytes order the triples as (subject, predicate, object) by their N-Triples text, since each term
        ends where the next begins with a space, which sorts before any character a term may go on with. The lines
        are sorted on disk, SORT_RUN_LINES at a time, then merged: a build's memory does not grow with its graph
        (a million triples are about 160 MB of N-Triples).
        """
        with tempfile.TemporaryDirectory(prefix="kg-sort-") as tmp:
            dumped = Path(tmp) / "merged.nt"
            self.db.dump(output=str(dumped), format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
            count = sort_lines(dumped, self.SORT_RUN_LINES)
            with open(dumped, "rb") as lines:
                yield count, ox.parse(lines, format=ox.RdfFormat.N_TRIPLES)

    def quads(self) -> list[ox.Quad]:
        """Every document's named graph (not the merged view, not the ontology), sorted."""
        named = (q for q in self.db.quads_for_pattern(None, None, None)
                 if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value.startswith(GRAPH_PREFIX))
        return sorted(named,
                      key=lambda q: (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object)))

    def serialize(self, fmt: str = "ttl") -> bytes:
        out = io.BytesIO()
        self._write(out, fmt)
        return out.getvalue()

    def export(self, path: Path, fmt: str = "ttl") -> int:
        """Write the graph whole or not at all: to a temporary file first, then renamed into place."""
        if fmt not in FORMATS:
            raise KGError(f"[E083] unknown export format {fmt!r}; known: {', '.join(FORMATS)}")
        tmp = Path(str(path) + ".tmp")
        with open(tmp, "wb") as out:
            count = self._write(out, fmt)
        os.replace(tmp, path)
        return count

    def _write(self, out, fmt: str) -> int:
        if fmt not in FORMATS:
            raise KGError(f"[E083] unknown export format {fmt!r}; known: {', '.join(FORMATS)}")
        if fmt in QUAD_FORMATS:
            data = self.quads()
            return _serialize(data, len(data), out, fmt)
        with self._sorted_merged() as (count, data):   # parser to serializer: no list of a million triples
            return _serialize(data, count, out, fmt)

    def rdflib_graph(self):
        """The merged view as an in-memory rdflib Graph (kg's prefixes bound)."""
        from rdflib import Graph

        graph = Graph()
        _bind(graph)
        graph.parse(data=self.serialize("nt"), format="nt")
        return graph

    def rdflib_dataset(self):
        """Every document's named graph as an in-memory rdflib Dataset."""
        from rdflib import Dataset

        dataset = Dataset()
        _bind(dataset)
        dataset.parse(data=self.serialize("nq"), format="nquads")
        return dataset

    def flush(self) -> None:
        self.db.flush()

    def snapshot(self, target: Path) -> Path:
        """A consistent copy of the store (hard links where it can) that a read-only reader may open."""
        self.db.flush()
        self.db.backup(str(target))
        return Path(target)

    def __del__(self) -> None:
        if getattr(self, "_db", None) is not None:
            self._write_pending()   # a store dropped without flush or close keeps what it was given

    def close(self) -> None:
        """Release the database (and its lock) now rather than at garbage collection."""
        if self._db is not None:
            self.db.flush()
            self._db = None


def sort_lines(path: Path, run_lines: int) -> int:
    """Sort a file's lines in place by their bytes, ``run_lines`` of them in memory at a time (each run sorted into
    a file of its own, then the runs merged); the number of lines."""
    runs, count = [], 0
    with open(path, "rb") as lines:
        while run := list(itertools.islice(lines, run_lines)):
            run.sort()
            count += len(run)
            runs.append(path.with_name(f"{path.name}.run{len(runs)}"))
            runs[-1].write_bytes(b"".join(run))
            del run   # before the next run is read
    if len(runs) == 1:
        runs[0].replace(path)
    elif runs:
        with contextlib.ExitStack() as files, open(path, "wb") as out:
            out.writelines(heapq.merge(*(files.enter_context(open(run, "rb")) for run in runs)))
        for run in runs:
            run.unlink()
    return count


def _serialize(data: Iterable[ox.Quad], count: int, out, fmt: str) -> int:
    if fmt == "jsonld":
        expanded = io.BytesIO()
        ox.serialize(data, expanded, format=FORMATS[fmt])
        out.write(with_context(expanded.getvalue()))
        return count
    prefixes = PREFIXES if fmt in ("ttl", "trig") else None
    ox.serialize(data, out, format=FORMATS[fmt], prefixes=prefixes)
    return count


def with_context(expanded: bytes) -> bytes:
    """Oxigraph's expanded JSON-LD as a document with an ``@context`` of kg's prefixes (and ``id`` for kg's
    entities, documents and evidence), its IRIs written as compact IRIs (``kg:departsFrom``, ``id:entity/义乌市``):
    the same triples, readable, and what a JSON-LD processor expands back. Keys keep Oxigraph's order, so the same
    graph gives the same bytes."""
    import json

    context = {**PREFIXES, "id": str(ID_NS)}
    by_length = sorted(context.items(), key=lambda item: -len(item[1]))

    def compact(iri: str) -> str:
        for prefix, ns in by_length:
            if iri.startswith(ns) and len(iri) > len(ns) and not iri[len(ns):].startswith("//"):
                return f"{prefix}:{iri[len(ns):]}"
        return iri

    def node(value):
        if isinstance(value, list):
            return [node(v) for v in value]
        if not isinstance(value, dict):
            return value
        return {(key if key.startswith("@") else compact(key)):
                (compact(v) if key in ("@id", "@type") and isinstance(v, str) else node(v)) for key, v in value.items()}

    document = {"@context": context, "@graph": node(json.loads(expanded))}
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8") + b"\n"


def _removal(graph: ox.NamedNode, note: bool) -> str:
    """The SPARQL Update that removes one document: note it and its source (with ``note``), drop from the merged
    view what no other document's graph holds, drop its graph."""
    noted = f"""INSERT DATA {{ GRAPH {REMOVED_GRAPH} {{ {graph} a <{KG.Document}> }} }} ;
INSERT {{ GRAPH {REMOVED_GRAPH} {{ {graph} <{KG.sourceFile}> ?source }} }}
WHERE {{ GRAPH {graph} {{ ?doc <{KG.sourceFile}> ?source }} }} ;
""" if note else ""
    return noted + f"""DELETE {{ ?s ?p ?o }}
WHERE {{ GRAPH {graph} {{ ?s ?p ?o }}
  FILTER NOT EXISTS {{ GRAPH ?other {{ ?s ?p ?o }} FILTER (?other != {graph} && STRSTARTS(STR(?other), "{GRAPH_PREFIX}")) }} }} ;
DROP SILENT GRAPH {graph}"""


def _matching_sources(name: str, sources: dict[str, str | None], files: dict[Path, list[str]] | None = None
                      ) -> list[str]:
    """The ids whose source file is ``name`` as recorded, or the same file as the path ``name`` resolves to
    (``files``: ``_files(sources)``, when the caller has it)."""
    exact = [doc_id for doc_id, source in sources.items() if source == name]
    if exact or name == "-":
        return exact
    target = _resolved(name)
    return [] if target is None else (files if files is not None else _files(sources)).get(target, [])


def _files(sources: dict[str, str | None]) -> dict[Path, list[str]]:
    """Each recorded source file as an absolute path (from the working directory) -> the ids read from it."""
    files: dict[Path, list[str]] = {}
    for doc_id, source in sources.items():
        path = _resolved(source) if source and source != "-" else None
        if path is not None:
            files.setdefault(path, []).append(doc_id)
    return files


def _resolved(path: str) -> Path | None:
    try:
        return Path(path).resolve()
    except (OSError, RuntimeError):   # a path that loops or cannot be read names no file
        return None


def _bind(graph) -> None:
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True)
    graph.bind("id", str(ID_NS))
