"""A build in two processes, or on a local Dask cluster of two worker processes, writes what a serial build writes."""
from __future__ import annotations

from pathlib import Path

import pytest

from kg.build import build

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
