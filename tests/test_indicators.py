"""Written indicators -> concepts of ontology/indicators.ttl by the rules of ontology/indicators.yml."""
from __future__ import annotations

import pytest
import yaml
from rdflib import Graph
from rdflib.namespace import SKOS

from kg.errors import KGError
from kg.extract.indicators import IndicatorRules, scheme
from kg.paths import ontology_dir

RULES = IndicatorRules.load(ontology_dir())


@pytest.mark.parametrize("indicator,unit,concept", [
    # the same quantity written three ways is one concept
    ("进出口总值", "CNY", "trade_value"),
    ("外贸进出口总额", "CNY", "trade_value"),
    ("全市进出口规模", "CNY", "trade_value"),
    # the head is the last word: a partner or a product before it qualifies it
    ("对东盟出口", "CNY", "exports"),
    ("汽摩配出口额", "USD", "exports"),
    ("外贸出口额", "CNY", "exports"),
    ("进口", "CNY", "imports"),
    # 进出口 over 出口 on the same end, the longer match wins
    ("对非洲进出口", "CNY", "trade_value"),
    # a change borrows the quantity it changes; a change with no quantity is a growth rate
    ("出口同比增长", "percent", "exports"),
    ("进出口规模同比增长", "percent", "trade_value"),
    ("集装箱吞吐量同比增长", "percent", "container_volume"),
    ("开行班列同比增长", "times", "trains_run"),
    ("又增长", "percent", "growth_rate"),
    # a share ends the phrase even when the quantity follows 占
    ("占全市出口", "percent", "share"),
    ("出口占全省份额较去年同期提升", "percentage_point", "share"),
    ("回程班列占比", "percent", "share"),
    # the unit decides between quantities written with the same words
    ("中欧班列开行", "train", "trains_run"),
    ("中欧班列发运", "TEU", "container_volume"),
    ("回程班列", "TEU", "container_volume"),
    ("货物吞吐量", "ton", "cargo_tonnage"),
    ("集装箱吞吐量", "TEU", "container_volume"),
    # with no pattern, the unit alone names some quantities
    ("累计", "train", "trains_run"),
    ("有", "company", "companies"),
    ("新增注册企业", "company", "companies_registered"),
    ("跨境电商交易额", "CNY", "ecommerce_trade"),
    ("跨境电商出口", "CNY", "ecommerce_exports"),
    ("全社会用电量", "kWh", "electricity_use"),
    ("实际使用外资", "USD", "foreign_investment"),
    ("日均客流量", "person", "visitors"),
    ("开通至中亚、欧洲方向", "route", "routes"),
    ("辐射", "country", "countries_reached"),
    # not mapped: a percent that is no change and no share, a count of unnamed things
    ("毛利润", "percent", None),
    ("对华征收税率", "percent", None),
    ("评估考量指标", "item", None),
    ("建筑面积", "km2", None),
])
def test_concept(indicator, unit, concept):
    assert RULES.concept(indicator, unit) == concept


@pytest.mark.parametrize("clause,comparison", [
    ("同比增长", "yearOnYear"),
    ("比去年同期增长", "yearOnYear"),
    ("较上年下降", "yearOnYear"),
    ("环比增长", "periodOnPeriod"),
    ("比上月增加", "periodOnPeriod"),
    ("增长", None),
    # a baseline period with no change stated is not a comparison (去年同期为…)
    ("去年同期为", None),
])
def test_comparison(clause, comparison):
    assert RULES.comparison(clause) == comparison


def test_every_rule_names_a_concept_of_the_scheme():
    rules = yaml.safe_load((ontology_dir() / "indicators.yml").read_text(encoding="utf-8"))
    named = set(rules["concepts"]) | {rules["change_fallback"]}
    assert named - set(scheme(ontology_dir())) == set()


def test_every_concept_of_the_scheme_is_in_it_once_with_both_labels():
    graph = Graph().parse(ontology_dir() / "indicators.ttl")
    concepts = set(graph.subjects(SKOS.inScheme, None))
    assert len(concepts) == len(scheme(ontology_dir()))
    for node in concepts:
        assert sorted(l.language for l in graph.objects(node, SKOS.prefLabel)) == ["en", "zh"], node
        assert len(list(graph.objects(node, SKOS.notation))) == 1, node


def test_every_leaf_concept_has_a_rule():
    """A concept that is not a group must be reachable, or it is dead weight in the scheme."""
    rules = yaml.safe_load((ontology_dir() / "indicators.yml").read_text(encoding="utf-8"))
    leaves = {n for n, c in scheme(ontology_dir()).items() if c.broader}
    assert leaves - set(rules["concepts"]) - {rules["change_fallback"]} == set()


def test_bad_rules_file_names_the_file(tmp_path):
    bad = tmp_path / "indicators.yml"
    bad.write_text("concepts:\n  exports:\n    patterns: ['出口(']\n", encoding="utf-8")
    with pytest.raises(KGError, match=r"\[E130\].*indicators.yml"):
        IndicatorRules.load(tmp_path)
