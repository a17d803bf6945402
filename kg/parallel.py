"""Run the NLP and extraction stages over a stream of articles: in this process, in N processes, or on Dask.

Each worker loads the pipeline once (about 5 s and 830 MB) and then turns Articles into Extractions; results come back
in input order, so a parallel build writes exactly what a serial one writes. Articles stream through: at most a few
batches are in flight at once, whatever the size of the corpus.

A failure stays with its document: an exception while reading one article becomes a Problem naming its file, and a
batch that fails as a whole (a worker lost, a result that does not travel) is run again one article at a time.
"""
from __future__ import annotations

import contextlib
import itertools
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from kg.records import Article, Extraction, Problem

_WORKERS: dict[tuple, tuple] = {}   # (statistical?, ontology folder) -> (nlp, extractor) of this process, on first use

# numpy's BLAS starts one thread per core in every process: N workers on N cores then fight over them (two jobs ran
# three times slower than one). Each worker process gets one BLAS thread unless the user set these variables.
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def _worker(statistical: bool, ontology: Path):
    if (statistical, ontology) not in _WORKERS:
        from kg.extract import Extractor
        from kg.nlp.pipeline import load_pipeline

        nlp = load_pipeline(ontology, statistical=statistical)
        _WORKERS[statistical, ontology] = (nlp, Extractor.load(nlp.get_pipe("kg_entities").gazetteer, ontology))
    return _WORKERS[statistical, ontology]


def extract_batch(articles: list[Article], statistical: bool = True, *,
                  ontology: Path) -> list[Extraction | Problem]:
    """The batch's extractions in order, by the rules of the ontology folder ``ontology``; if anything fails, each
    article again on its own, a failure as a Problem."""
    from kg.nlp.pipeline import read_docs

    nlp, extractor = _worker(statistical, Path(ontology))
    try:
        return [extractor(doc, article) for doc, article in zip(read_docs(nlp, articles), articles)]
    except Exception:   # noqa: BLE001  (which article? each on its own says)
        if len(articles) == 1:
            return [failed(articles[0], _error())]
        return [item for article in articles for item in extract_batch([article], statistical, ontology=ontology)]


def extract_batch_rdf(articles: list[Article], statistical: bool = True, *, ontology: Path) -> list[Extraction | Problem]:
    """``extract_batch`` in a worker process, each extraction with its triples made there (``Extraction.rdf``): the
    builder, which writes every document, has less to do, and needs neither spaCy nor the extractors."""
    from kg.graph.rdf import extraction_triples
    from kg.graph.store import document_triples

    results = extract_batch(articles, statistical, ontology=ontology)
    for item in results:
        if isinstance(item, Extraction):
            item.rdf = document_triples(extraction_triples(item))
    return results


def failed(article: Article, error: str) -> Problem:
    return Problem(article.source, f"[E072] extraction failed: {error}",
                   "the rest of the batch was built; please report this input")


def _error() -> str:
    import sys

    kind, value, _ = sys.exc_info()
    return f"{kind.__name__}: {value}"[:300]


def _batches(articles: Iterable[Article], size: int) -> Iterator[list[Article]]:
    iterator = iter(articles)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def extract_all(articles: Iterable[Article], *, ontology: Path, jobs: int = 1, dask: str | None = None,
                batch_size: int = 8, statistical: bool = True) -> Iterator[Extraction | Problem]:
    """Extractions by the rules of the ontology folder ``ontology``, which every worker is given (it does not look
    for one itself); ``statistical=False`` runs the rules and gazetteer only, without the trained NER layer."""
    if dask:
        yield from _on_dask(articles, dask, batch_size, statistical, ontology)
    elif jobs <= 1:
        for batch in _batches(articles, batch_size):
            yield from extract_batch(batch, statistical, ontology=ontology)
    else:
        import multiprocessing

        context = multiprocessing.get_context("spawn")   # fork would copy a half-initialised parent
        with _one_blas_thread():   # the workers start now, with the variables set; the parent's are put back
            pool = context.Pool(jobs)
        with pool:
            def submit(batch):
                return pool.apply_async(extract_batch_rdf, (batch, statistical), {"ontology": ontology})

            yield from _in_order(articles, submit, lambda task: task.get(), batch_size, window=2 * jobs)


def _in_order(articles: Iterable[Article], submit: Callable, result: Callable, batch_size: int,
              window: int) -> Iterator[Extraction | Problem]:
    """Results in input order with at most ``window`` batches in flight; a batch whose task fails is sent again one
    article at a time, and an article that fails alone becomes a Problem."""
    pending: deque = deque()

    def collect(batch, task):
        try:
            return result(task)
        except Exception:   # noqa: BLE001
            if len(batch) == 1:
                return [failed(batch[0], _error())]
            return [item for article in batch for item in collect([article], submit([article]))]

    for batch in _batches(articles, batch_size):
        pending.append((batch, submit(batch)))
        if len(pending) >= window:
            yield from collect(*pending.popleft())
    while pending:
        yield from collect(*pending.popleft())


@contextlib.contextmanager
def _one_blas_thread():
    """Processes spawned inside this block start with one BLAS/OpenMP thread (they read the variables when numpy
    loads, which is after the spawn); variables the user set are left alone."""
    saved = {name: os.environ.get(name) for name in THREAD_VARIABLES}
    for name in THREAD_VARIABLES:
        os.environ.setdefault(name, "1")
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)


def _on_dask(articles: Iterable[Article], address: str, batch_size: int, statistical: bool,
             ontology: Path) -> Iterator[Extraction | Problem]:
    """Extraction on a Dask distributed cluster; a bounded number of batches in flight, results in order."""
    from distributed import Client

    with Client(address) as client:
        workers = max(len(client.scheduler_info().get("workers", {})), 1)

        def submit(batch):
            return client.submit(extract_batch_rdf, batch, statistical, ontology=ontology, pure=False)

        yield from _in_order(articles, submit, lambda future: future.result(), batch_size, window=2 * workers)
