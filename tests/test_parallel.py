"""A build in two processes, or on a local Dask cluster of two worker processes, writes what a serial build writes;
an article longer than spaCy's limit is read in pieces; a failure in one article's extraction is that article's
Problem, wherever it runs, and the rest of the batch builds."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from kg.build import build
from kg.ingest import read_articles
from kg.nlp.pipeline import pieces, read_in_pieces
from kg.paths import ontology_dir

ARTICLES = {
    "a.txt": "本报讯 今年前8个月，义乌铁路口岸开行中欧班列1060列，同比增长12.5%。一列满载小商品的班列从义乌出发，经阿拉山口驶往马德里。",
    "b.txt": "宁波舟山港去年完成集装箱吞吐量3530万标箱。浙江宁波的港口企业表示，海铁联运班列开往义乌、金华等地。",
    "c.txt": "金义片区管委会介绍，片区今年上半年进出口额达1200亿元，增长20%。浙江义乌的商户通过跨境电商平台出口到中东和非洲。",
    "d.txt": "新华社杭州3月2日电 浙江省商务厅发布数据，全省跨境电商出口额达2800亿元，同比增长15.6%。",
    "e.txt": "义乌中国小商品城集团打造的数字贸易平台注册采购商超500万人。中欧班列从金华南站出发，驶往莫斯科。",
}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("corpus")
    for name, text in ARTICLES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def serial(corpus, tmp_path_factory) -> bytes:
    out = tmp_path_factory.mktemp("serial")
    report = build([str(corpus)], out, explorer=False)
    assert len(report.built) == len(ARTICLES)
    return (out / "graph.ttl").read_bytes()


def test_a_worker_makes_the_triples_the_builder_would(corpus, tmp_path):
    """--jobs N: each extraction comes back with its triples as the store writes them; written, they are the same
    quads as the triples the builder makes itself (--jobs 1)."""
    from kg.graph.rdf import extraction_triples
    from kg.graph.store import GraphStore
    from kg.parallel import extract_batch_rdf
    from kg.records import Article

    articles = [a for a in read_articles([str(corpus)]) if isinstance(a, Article)]
    extractions = extract_batch_rdf(articles, statistical=False, ontology=ontology_dir())
    assert [ex.article.doc_id for ex in extractions] == [a.doc_id for a in articles]
    stored = []
    for name, triples in (("worker", lambda ex: ex.rdf), ("builder", extraction_triples)):
        store = GraphStore(tmp_path / name)
        for ex in extractions:
            assert store.replace_document(ex.article.doc_id, triples(ex)) == len(ex.rdf) > 0
        stored.append(store.serialize("nq"))
        store.close()
    assert stored[0] == stored[1]


@pytest.mark.slow
def test_two_jobs_write_the_same_graph(corpus, serial, tmp_path):
    report = build([str(corpus)], tmp_path, jobs=2, explorer=False)
    assert len(report.built) == len(ARTICLES)
    assert (tmp_path / "graph.ttl").read_bytes() == serial


@pytest.mark.slow
def test_dask_cluster_writes_the_same_graph(corpus, serial, tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        report = build([str(corpus)], tmp_path, dask=cluster.scheduler_address, explorer=False)
    assert len(report.built) == len(ARTICLES)
    assert (tmp_path / "graph.ttl").read_bytes() == serial


# --- a long article is read in pieces ------------------------------------------------------------------------------

@pytest.mark.parametrize("length,starts,size,cuts", [
    (10, [0, 4, 8], 20, [(0, 10)]),                    # short: one piece
    (10, [0, 3, 6, 9], 5, [(0, 3), (3, 6), (6, 10)]),  # cut at the last sentence start that fits
    (10, [0], 4, [(0, 4), (4, 8), (8, 10)]),            # one long sentence: cut hard
])
def test_pieces(length, starts, size, cuts):
    assert pieces("字" * length, starts, size) == cuts


def test_pieces_cut_at_a_line_break_when_no_sentence_starts_there():
    assert pieces("甲乙\n丙丁戊己", [0], 5) == [(0, 3), (3, 7)]


LONG = ("宁波舟山港去年完成集装箱吞吐量3530万标箱。浙江宁波的港口企业表示，海铁联运班列开往义乌、金华等地。\n"
        "中欧班列从金华南站出发，经阿拉山口驶往马德里。义乌中国小商品城集团的采购商来自中东和非洲。\n")


def test_an_article_read_in_pieces_finds_what_the_whole_finds(nlp):
    """Pieces of ~60 characters, cut at sentence starts: the same entities at the same offsets as the whole text."""
    (article,) = read_articles([str(_write(LONG * 3))])
    whole = [(e.start_char, e.end_char, e.label_, e.kb_id_) for e in nlp(article.text).ents]
    pieced = read_in_pieces(nlp, article, size=60)
    assert [(e.start_char, e.end_char, e.label_, e.kb_id_) for e in pieced.ents] == whole
    assert all(article.text[e.start_char:e.end_char] == e.text for e in pieced.ents) and len(whole) > 10


@pytest.mark.slow
def test_an_article_over_spacys_max_length_builds(tmp_path):
    """Before: [E088] Text of length 1010104 exceeds maximum of 1000000, and the build stopped."""
    filler = ("编号" + "0123456789" * 50 + "。\n\n") * 2000
    (tmp_path / "long.txt").write_text(LONG + filler + LONG, encoding="utf-8")
    report = build([str(tmp_path / "long.txt")], tmp_path / "out", explorer=False, validate=False, statistical=False)
    assert report.ok and report.chars > 1_000_000
    graph = (tmp_path / "out" / "graph.ttl").read_text(encoding="utf-8")
    assert graph.count('"阿拉山口"') >= 1 and report.entities >= 2 * nlp_entities(LONG)


def nlp_entities(text: str) -> int:
    from kg.parallel import _worker

    return len(_worker(False, ontology_dir())[0](text).ents)


def _write(text: str) -> Path:
    import tempfile

    path = Path(tempfile.mkdtemp()) / "article.txt"
    path.write_text(text, encoding="utf-8")
    return path


# --- a failure stays with its document ---------------------------------------------------------------------------

MARK = "故障注入"   # an article holding this fails in the extractor below, wherever it runs
BROKEN = {**ARTICLES, "z.txt": "本报讯 " + MARK + "。宁波舟山港今年完成集装箱吞吐量1000万标箱。"}

# Loaded by every Python process started with its folder on PYTHONPATH (the pool's and Dask's workers): kg's batch
# function fails for a batch holding the marked article, as a worker that dies or a result that cannot travel would,
# and so does the extraction of that article alone.
SITECUSTOMIZE = f'''
import kg.parallel

_extract_batch = kg.parallel.extract_batch


def extract_batch(articles, statistical=True, **options):
    if any({MARK!r} in a.text for a in articles):
        raise RuntimeError("injected failure")
    return _extract_batch(articles, statistical, **options)


kg.parallel.extract_batch = extract_batch
'''


@pytest.fixture
def broken_corpus(tmp_path) -> Path:
    folder = tmp_path / "broken"
    folder.mkdir()
    for name, text in BROKEN.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def failing_workers(tmp_path, monkeypatch):
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(site), *filter(None, [os.environ.get("PYTHONPATH")])]))


def _assert_only_the_marked_file_failed(report):
    assert sorted(name.split("-")[0] for name in report.built) == sorted(Path(name).stem for name in ARTICLES), \
        report.problems
    (problem,) = report.problems
    assert problem.source.endswith("z.txt") and "[E072]" in problem.message and "RuntimeError" in problem.message


def test_an_exception_in_one_article_is_a_problem_and_the_batch_builds(broken_corpus, tmp_path, monkeypatch):
    from kg.extract import Extractor

    real = Extractor.__call__

    def failing(self, doc, article):
        if MARK in article.text:
            raise RuntimeError("injected failure")
        return real(self, doc, article)

    monkeypatch.setattr(Extractor, "__call__", failing)
    report = build([str(broken_corpus)], tmp_path, explorer=False)
    _assert_only_the_marked_file_failed(report)


@pytest.mark.slow
def test_a_failing_batch_in_a_worker_is_run_again_one_article_at_a_time(broken_corpus, tmp_path, failing_workers):
    report = build([str(broken_corpus)], tmp_path, jobs=2, explorer=False)
    _assert_only_the_marked_file_failed(report)


@pytest.mark.slow
def test_a_failing_batch_on_dask_is_run_again_one_article_at_a_time(broken_corpus, tmp_path, failing_workers):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        report = build([str(broken_corpus)], tmp_path, dask=cluster.scheduler_address, explorer=False)
    _assert_only_the_marked_file_failed(report)


# --- worker threads ----------------------------------------------------------------------------------------------

def _blas_threads(_) -> tuple[str | None, int]:
    import numpy  # noqa: F401  (OpenBLAS starts its threads when numpy loads)

    return os.environ.get("OPENBLAS_NUM_THREADS"), len(os.listdir("/proc/self/task"))


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="counts threads in /proc")
def test_workers_start_with_one_blas_thread(monkeypatch):
    """Before: each worker started a BLAS thread per core, and two jobs on two cores ran slower than one."""
    import multiprocessing

    from kg.parallel import THREAD_VARIABLES, _one_blas_thread

    for name in THREAD_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    with _one_blas_thread():
        pool = multiprocessing.get_context("spawn").Pool(2)
    with pool:
        assert pool.map(_blas_threads, range(2)) == [("1", 1), ("1", 1)]
    assert all(name not in os.environ for name in THREAD_VARIABLES)   # the parent's environment is put back
