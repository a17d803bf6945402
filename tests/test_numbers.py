"""Figures as written -> value, unit code, qualifier (kg.extract.numbers with ontology/units.yml)."""
from __future__ import annotations

import time
from decimal import Decimal

import pytest

from kg.extract.numbers import FigureFinder, parse_number
from kg.paths import ontology_dir

FIGURES = FigureFinder.load(ontology_dir() / "units.yml")


@pytest.mark.parametrize("text,value,unit,qualifier", [
    ("全年进出口3210.5亿元", "321050000000", "CNY", None),
    ("累计开行2.3万列", "23000", "train", None),
    ("完成集装箱吞吐量64512标箱", "64512", "TEU", None),
    ("出口额超80亿美元", "8000000000", "USD", "超"),
    ("运价降低约15%", "15", "percent", "约"),
    ("占比提升0.6个百分点", "0.6", "percentage_point", None),
    ("进口箱量增长3.5倍", "3.5", "times", None),
    ("运量增长两倍", "2", "times", None),
    ("引进企业20余家", "20", "company", "余"),
    ("商户近3万户", "30000", "company", "近"),
    ("发送旅客12万人次", "120000", "person", None),
    ("辐射30多个国家和地区", "30", "country", "多"),
    ("用电量达512.7亿千瓦时", "51270000000", "kWh", None),
    ("仓库面积2500平方米", "0.0025", "km2", None),
    ("全程9800公里", "9800", "km", None),
    ("每周开行5个班期", "5", "flight", None),
    ("一个月内出口200个高柜", "200", "container", None),
    ("连续8年位居第一", "8", "year", None),
    ("开行三周年", "3", "year", None),
    ("最低气温零下3℃", "-3", "celsius", None),
    ("共有十二个城市参与", "12", "city", None),
    # loose counts, and counts of cities, ports and categories by their own unit
    ("百余名客商到场", "100", "person", "余"),
    ("吸引千余家企业入驻", "1000", "company", "余"),
    ("60多位专家参会", "60", "person", "多"),
    ("年产雨伞500万把", "5000000", "item", None),
    ("业务辐射50个地级市", "50", "city", None),
    ("沿线12座港口", "12", "port", None),
    ("商品涵盖26个类别", "26", "category", None),
    # what a measure word counts: the noun right after it, or the service the sentence names before it
    ("班列开行以来，每周去程开行9班", "9", "train", None),
    ("货运航线每周飞4班", "4", "flight", None),
    ("码头每天开出3班船", "3", "flight", None),
    ("班列全年累计开行860班次", "860", "train", None),
    ("全市国际航线达到35条", "35", "route", None),
    ("开通12条海铁联运线路", "12", "route", None),
    ("出台26条稳外贸措施", "26", "item", None),
    ("新建6条装卸线", "6", "item", None),
    ("连接7个边境口岸", "7", "port", None),
    ("与温州有贸易往来的国家和地区增至180个", "180", "country", None),
    ("全省共有国家级园区12个", "12", "item", None),
    ("集装箱吞吐量首次突破“1500万箱”", "15000000", "TEU", None),
    ("全程跑了2趟", "2", "train", None),
    ("月均监管进口原油45船次", "45", "item", None),
    ("站台长650米", "0.65", "km", None),
    # halves, loose tens, round magnitudes and fractions written in words
    ("通关只用了半个小时", "0.5", "hour", None),
    ("平均三个半小时发出一列", "3.5", "hour", None),
    ("装车仅需十几个小时", "10", "hour", "多"),
    ("店里有上千种商品", "1000", "item", None),
    ("每单节省近万元", "10000", "CNY", "近"),
    ("全镇人口过万人", "10000", "person", None),
    ("出口量占全国三分之一", "33.33", "percent", None),
    ("开行量超过四分之一", "25", "percent", "超过"),
])
def test_figure(text, value, unit, qualifier):
    (fig,) = list(FIGURES.find(text))
    assert (fig.value, fig.unit, fig.qualifier) == (Decimal(value), unit, qualifier)
    assert text[fig.start:fig.end] == fig.text


@pytest.mark.parametrize("text", [
    "2024年外贸稳中有升",          # a year is a date
    "前10个月进出口稳定",          # a period, not a duration figure
    "一列班列缓缓驶出",            # the article 一 is not a count
    "两家企业签约",                # small counts in words are words
    "发展了30多年",                # a span of years mentioned in passing
    "编号为2024.5的文件",          # no unit
    "在全国排名第51位",            # ranks are not counts of people
    "排名同比上升10位",
    "版本1.2.3万吨级",             # dotted parts: a version number, not a decimal
    "代码" + "7" * 31 + "元",      # a run of digits longer than any figure
    "乱码" + "8," * 20 + "8万吨",   # more thousands groups than a figure has
    "一" * 20 + "家",              # twenty numerals in a row
    "K1024次列车准点到达",         # a letter before the digits: a train's number
    "评比中位列前十名",            # 十名 in words: a rank, not ten people
    "每年接待数十名学员",          # 数十: no figure to read
    "用电量首次超百亿千瓦时",      # a threshold crossed, not a figure
    "今年上半月天气晴好",          # 上半月 is a period
])
def test_not_a_figure(text):
    assert list(FIGURES.find(text)) == []


@pytest.mark.parametrize("text,low,high,unit", [
    ("车程缩短至1到2个小时", 1, 2, "hour"),
    ("通关只需3—5天", 3, 5, "day"),
    ("每周开行4至6列", 4, 6, "train"),
])
def test_range_in_words(text, low, high, unit):
    figs = list(FIGURES.find(text))
    assert [(f.value, f.unit) for f in figs] == [(Decimal(low), unit), (Decimal(high), unit)]


@pytest.mark.parametrize("text,value", [
    ("进出口" + "9" * 21 + "亿元", "9" * 21 + "0" * 8),       # more digits than Decimal's default 28
    ("合计" + "1" * 29 + "元", "1" * 29),
    ("货值" + "3" * 30 + ".5万亿元", "3" * 30 + "5" + "0" * 11),
])
def test_huge_figure_is_read_exactly(text, value):
    (fig,) = FIGURES.find(text)
    assert (fig.value, fig.unit) == (Decimal(value), "CNY")


@pytest.mark.parametrize("run", ["1", "1,", "1.", "一", "1至", "超1万"])
def test_long_runs_are_read_in_linear_time(run):
    """16,000 digits took 113 s (quadratic) before the runs were capped; now a few ms. Generous bound: shared CI."""
    text = "出口额" + run * (16_000 // len(run)) + "。"
    started = time.perf_counter()
    FIGURES.find(text)
    assert time.perf_counter() - started < 2.0


def test_range_gives_both_ends():
    figs = list(FIGURES.find("每周开行4至6列"))
    assert [(f.value, f.qualifier) for f in figs] == [(Decimal(4), "下限"), (Decimal(6), "上限")]


@pytest.mark.parametrize("text,value", [("3", 3), ("12.50", Decimal("12.50")), ("1,234", 1234), ("十", 10),
                                        ("十五", 15), ("二十", 20), ("三十六", 36), ("两", 2)])
def test_parse_number(text, value):
    assert parse_number(text) == Decimal(value)
