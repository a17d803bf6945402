"""``kg build``: articles in, graph out. Ingest -> spaCy pipeline -> extraction -> store -> Turtle and explorer."""
from __future__ import annotations

import sys
import time
import types
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kg.graph.rdf import extraction_triples
from kg.graph.store import GraphStore
from kg.records import IGNORED, WARNING, Article, Problem


# kg build validates by itself up to this many triples (about 10 s of pyshacl); above it, pass
# --validate or run kg validate: 144k triples take 33 s, 755k triples 100 s (bench figures, synthetic graphs)
VALIDATE_UP_TO = 50_000
LOG_LABELS = {WARNING: "warning:", IGNORED: "note:"}   # other problems: "skipped"


@dataclass
class BuildReport:
    built: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    entities: int = 0
    relations: int = 0
    observations: int = 0
    triples: int = 0
    seconds: float = 0.0
    chars: int = 0
    validation: object = None        # a kg.graph.validate.ValidationReport when the build validated its graph
    outputs: list[str] = field(default_factory=list)   # the files written: none when no article could be read
    documents: int = 0               # documents in the graph after the build (each has a named graph)
    ontology_triples: int = 0        # triples of the ontology graph: a COUNT(*) over kg query sees them too

    @property
    def skipped(self) -> int:
        """Inputs not built (warnings were built anyway; files of an unknown type in a folder are only noted)."""
        return sum(p.count for p in self.problems if p.kind not in (WARNING, IGNORED))

    @property
    def warnings(self) -> int:
        return sum(p.kind == WARNING for p in self.problems)

    @property
    def ok(self) -> bool:
        """False when something was skipped: the exit status of kg build."""
        return not self.skipped

    def summary(self) -> str:
        ignored = sum(p.count for p in self.problems if p.kind == IGNORED)
        return (f"built {len(self.built)} documents, {len(self.unchanged)} unchanged, {self.skipped} skipped, "
                f"{self.warnings} warnings" + (f", {ignored} files of unknown type not read" if ignored else "") + "; "
                f"{self.entities} entity mentions, {self.relations} relations, {self.observations} observations; "
                f"{self.counts()}; {self.chars} characters in {self.seconds:.1f} s")

    def counts(self) -> str:
        """What the graph holds, each count saying what it counts (kg info prints the same three figures)."""
        return (f"{self.triples:,} facts in {self.documents:,} documents' graphs + {self.ontology_triples:,} ontology "
                f"triples = {self.triples + self.ontology_triples:,} triples a kg query COUNT(*) sees")


@dataclass
class Step:
    """One step of a build, for a progress display (``build(progress=...)``): a document is done, or a stage begins.

    ``total`` is the documents read so far plus the input files not yet read: an estimate (a .jsonl file holds many
    documents) that is exact once every file has been read, which happens a few batches ahead of extraction."""
    what: str            # "built", "unchanged" or "failed" (a document); "loading model", "writing" (a stage)
    done: int            # documents done so far: built, unchanged or failed
    total: int
    doc_id: str = ""
    source: str = ""
    title: str = ""


def build(
    paths: Iterable[str],
    out: Path,
    *,
    include: tuple[str, ...] = (),
    exclude: tuple[str, ...] = (),
    strict: bool = False,
    explorer: bool = True,
    validate: bool | None = None,
    jobs: int = 1,
    dask: str | None = None,
    statistical: bool = True,
    ontology: Path | None = None,
    log: Callable[[str], None] = lambda line: None,
    progress: Callable[[Step], None] | None = None,
) -> BuildReport:
    """Build (or update) the graph in ``out``. ``ontology``: the folder of rules, gazetteer, units, shapes and kg.ttl
    to build with (default ``kg.paths.ontology_dir``: resolved here, once, and handed to every stage and worker).
    ``log`` gets a line per input problem; ``progress`` a Step per document and stage (without it, ``log`` also
    gets a line per document built)."""
    from kg.ingest import read_articles
    from kg.nlp.segmenter import require_model
    from kg.parallel import extract_all
    from kg.paths import ontology_dir

    started = time.perf_counter()
    if dask:
        from kg.errors import require_extra

        require_extra("distributed", "--dask")   # before anything is read or created
    out, ontology = Path(out), ontology_dir(ontology)
    paths = list(paths)   # read twice with a progress display
    report = BuildReport()
    require_model()   # fail before reading or writing anything when the model is missing
    store: GraphStore | None = None   # opened (created) when the first article is read: a failed build writes nothing
    unread = _input_files(paths, include, exclude) if progress else set()   # for the progress display's total
    known = done = 0   # documents read, documents done
    extracting = False
    if progress is None:
        progress = _log_built(log)

    def step(what: str, article: Article | None = None, source: str = "") -> None:
        named = (article.doc_id, article.source, article.title or "") if article else ("", source, "")
        progress(Step(what, done, known + len(unread), *named))

    def todo() -> Iterable[Article]:
        nonlocal store, known, done, extracting
        for item in read_articles(list(paths), include=include, exclude=exclude, strict=strict):
            unread.discard(item.source)
            if isinstance(item, Problem):
                report.problems.append(item)
                log(f"{LOG_LABELS.get(item.kind, 'skipped')} {item}")
                continue
            known += 1
            if store is None:
                store = GraphStore(out)
            if store.document_hash(item.doc_id) == item.content_hash:
                report.unchanged.append(item.doc_id)
                done += 1
                step("unchanged", item)
            else:
                if not extracting:   # the first document to extract: the model loads now (about 5 s)
                    extracting = True
                    step("loading model")
                yield item

    for extraction in extract_all(todo(), ontology=ontology, jobs=jobs, dask=dask, statistical=statistical):
        done += 1
        if isinstance(extraction, Problem):   # this document's extraction failed; the others go on
            report.problems.append(extraction)
            log(f"skipped {extraction}")
            step("failed", source=extraction.source)
            continue
        article = extraction.article
        store.replace_document(article.doc_id, extraction.rdf if extraction.rdf is not None
                               else extraction_triples(extraction))
        report.built.append(article.doc_id)
        report.chars += len(article.text)
        report.entities += len(extraction.mentions)
        report.relations += len(extraction.relations)
        report.observations += len(extraction.observations)
        step("built", article)
    if store is not None:
        step("writing")
        _write_outputs(store, out, report, ontology=ontology, explorer=explorer, validate=validate)
    report.seconds = time.perf_counter() - started
    return report


def _write_outputs(store: GraphStore, out: Path, report: BuildReport, *, ontology: Path, explorer: bool,
                   validate: bool | None) -> None:
    """graph.ttl and explorer.html, each written whole (temporary file, then renamed), then the optional check."""
    from kg.viz.explorer import write_explorer

    report.ontology_triples = store.load_ontology(ontology / "kg.ttl")
    report.documents = len(store.document_ids())
    store.flush()
    report.triples = store.export(out / "graph.ttl", "ttl")
    report.outputs.append(str(out / "graph.ttl"))
    if explorer:
        write_explorer(store, out / "explorer.html", ontology=ontology)
        report.outputs.append(str(out / "explorer.html"))
    if validate is None:   # auto: SHACL over a big graph takes longer than adding a few articles to it
        validate = report.triples <= VALIDATE_UP_TO
    if validate:   # once, over the whole graph, at the end
        from kg.graph.validate import validate_store

        report.validation = validate_store(store, ontology=ontology)
    store.close()


def _input_files(paths, include, exclude) -> set[str]:
    """The input files a build will read (a cheap walk, nothing is opened): the progress display's first total."""
    from kg.ingest.sources import Source, find_sources

    return {src.source for src in find_sources(list(paths), tuple(include), tuple(exclude)) if isinstance(src, Source)}


def _log_built(log: Callable[[str], None]) -> Callable[[Step], None]:
    """Without a progress display, ``log`` gets one line per document built."""
    def progress(step: Step) -> None:
        if step.what == "built":
            log(f"built {step.doc_id} ({step.source}): {step.title or '(untitled)'}")
    return progress


def build_paths(paths, out, **options) -> BuildReport:
    """``build`` for callers that pass one path or a list of ``str``/``Path`` (``kg.build`` in the Python API)."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    return build([str(p) for p in paths], Path(out), **options)


class _CallableModule(types.ModuleType):
    """Importing this module makes it the attribute ``kg.build``, where the API's function ``kg.build`` was:
    so the module itself can be called like that function."""

    def __call__(self, paths, out, **options) -> BuildReport:
        return build_paths(paths, out, **options)


sys.modules[__name__].__class__ = _CallableModule
