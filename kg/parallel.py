"""Run the NLP and extraction stages over a stream of articles: in this process, in N processes, or on Dask.

Each worker loads the pipeline once (about 5 s and 830 MB) and then turns Articles into Extractions; results come back
in input order, so a parallel build writes exactly what a serial one writes. Articles stream through: at most a few
batches are in flight at once, whatever the size of the corpus.
"""
from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator

from kg.records import Article, Extraction

_WORKERS: dict[bool, tuple] = {}   # statistical? -> (nlp, extractor) of this process, loaded on first use


def _worker(statistical: bool):
    if statistical not in _WORKERS:
        from kg.extract import Extractor
        from kg.nlp.pipeline import load_pipeline

        nlp = load_pipeline(statistical=statistical)
        _WORKERS[statistical] = (nlp, Extractor.load(nlp.get_pipe("kg_entities").gazetteer))
    return _WORKERS[statistical]


def extract_batch(articles: list[Article], statistical: bool = True) -> list[Extraction]:
    nlp, extractor = _worker(statistical)
    return [extractor(doc, article) for doc, article in zip(nlp.pipe(a.text for a in articles), articles)]


def _batches(articles: Iterable[Article], size: int) -> Iterator[list[Article]]:
    iterator = iter(articles)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def extract_all(articles: Iterable[Article], *, jobs: int = 1, dask: str | None = None,
                batch_size: int = 8, statistical: bool = True) -> Iterator[Extraction]:
    """``statistical=False`` runs the rules and gazetteer only, without the trained NER layer."""
    if dask:
        yield from _on_dask(articles, dask, batch_size, statistical)
    elif jobs <= 1:
        for batch in _batches(articles, batch_size):
            yield from extract_batch(batch, statistical)
    else:
        import multiprocessing

        context = multiprocessing.get_context("spawn")   # fork would copy a half-initialised parent
        with context.Pool(jobs) as pool:
            work = ((batch, statistical) for batch in _batches(articles, batch_size))
            for result in pool.imap(_star, work):
                yield from result


def _star(args: tuple) -> list[Extraction]:
    return extract_batch(*args)


def _on_dask(articles: Iterable[Article], address: str, batch_size: int, statistical: bool) -> Iterator[Extraction]:
    """Extraction on a Dask distributed cluster; a bounded number of batches in flight, results in order."""
    from collections import deque

    from distributed import Client

    with Client(address) as client:
        workers = max(len(client.scheduler_info().get("workers", {})), 1)
        pending: deque = deque()
        for batch in _batches(articles, batch_size):
            pending.append(client.submit(extract_batch, batch, statistical, pure=False))
            if len(pending) >= 2 * workers:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()
