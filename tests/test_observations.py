"""Observations: periods with dates, subjects, indicators and change rates, on sentences of our own."""
from __future__ import annotations

import re
from decimal import Decimal

import pytest

from kg.extract.coref import Anaphora, resolve_anaphors
from kg.extract.indicators import IndicatorRules
from kg.extract.numbers import FigureFinder
from kg.extract.observations import actor_verbs, extract_observations, route_sets, service_words
from kg.extract.periods import find_period
from kg.extract.sentences import SentenceIndex
from kg.graph.rdf import entity_iri, observation_iri, observation_triples
from kg.ingest.sentences import split_sentences
from kg.paths import ontology_dir
from kg.records import Article, Entity, Mention, Provenance
from kg.vocab import KG

FIGURES = FigureFinder.load(ontology_dir() / "units.yml")
SERVICES = service_words(ontology_dir() / "rules" / "figures.yml")
INDICATORS = IndicatorRules.load(ontology_dir())
ROUTE_SETS = route_sets(ontology_dir() / "rules" / "figures.yml")
ACTORS = actor_verbs(ontology_dir() / "rules" / "figures.yml")
ANAPHORA = Anaphora.load(ontology_dir() / "rules" / "anaphora.yml")
MARK = re.compile(r"\[([^|\]]+)\|(\w+)\]")


@pytest.mark.parametrize("text,reported,period,start,end", [
    ("2025年1—8月", None, "2025年1—8月", "2025-01-01", "2025-08-31"),
    ("今年上半年", "2023-07-20", "今年上半年", "2023-01-01", "2023-06-30"),
    ("去年全年", "2023-07-20", "去年全年", "2022-01-01", "2022-12-31"),
    ("前8个月", "2024-09-10", "前8个月", "2024-01-01", "2024-08-31"),
    ("今年头5个月", "2024-06-10", "今年头5个月", "2024-01-01", "2024-05-31"),
    ("一季度", "2021-04-15", "一季度", "2021-01-01", "2021-03-31"),
    ("2022年前三季度", None, "2022年前三季度", "2022-01-01", "2022-09-30"),
    ("2020年第四季度", None, "2020年第四季度", "2020-10-01", "2020-12-31"),
    ("下半年", "2019-12-30", "下半年", "2019-07-01", "2019-12-31"),
    ("3月至5月", "2024-06-01", "3月至5月", "2024-03-01", "2024-05-31"),
    ("2月份", "2024-06-01", "2月份", "2024-02-01", "2024-02-29"),
    ("2023年", None, "2023年", "2023-01-01", "2023-12-31"),
    ("截至2024年10月", None, "截至2024年10月", None, "2024-10-31"),
    ("今年以来", "2024-06-01", "今年以来", "2024-01-01", None),
    ("10月1日至10月7日", "2024-10-09", "10月1日至10月7日", "2024-10-01", "2024-10-07"),
    # without the article's date a relative phrase keeps its words but gets no dates
    ("今年上半年", None, "今年上半年", None, None),
])
def test_period(text, reported, period, start, end):
    p = find_period(text, reported)
    assert (p.text, p.start, p.end) == (period, start, end)


def test_no_period():
    assert find_period("目前商户很多") is None


def article_of(text: str, date: str | None = "2024-07-15"):
    plain, spans, last, out = [], [], 0, 0
    for m in MARK.finditer(text):
        plain.append(text[last:m.start()])
        out += m.start() - last
        spans.append((out, m.group(1), m.group(2)))
        plain.append(m.group(1))
        out += len(m.group(1))
        last = m.end()
    plain.append(text[last:])
    body = "".join(plain)
    article = Article("o", body, "o.txt", date=date, sentences=split_sentences(body))
    index = SentenceIndex(article)
    mentions = [Mention(Entity(name, name, cls), start, start + len(name), name,
                        Provenance("o", index.at(start), f"ner:{cls}")) for start, name, cls in spans]
    mentions += resolve_anaphors(article, mentions, index.at, anaphora=ANAPHORA)    # as the Extractor does
    mentions.sort(key=lambda m: m.start)
    return list(extract_observations(article=article, sentences=index, mentions=mentions, figures=FIGURES,
                                     services=SERVICES, indicators=INDICATORS, route_sets=ROUTE_SETS, actors=ACTORS))


@pytest.mark.parametrize("text,figure,subject,indicator", [
    # the mention of the clause before the figure
    ("今年上半年，[宁波|City]出口5021亿元，同比增长7.2%。", "5021亿元", "宁波", "出口"),
    # a change rate is its own observation and borrows the indicator of the figure it changes
    ("今年上半年，[宁波|City]出口5021亿元，同比增长7.2%。", "7.2%", "宁波", "出口同比增长"),
    # a clause without a name: the figure before it in the sentence gives the subject
    ("[温州|City]进出口2300亿元；其中出口1800亿元。", "1800亿元", "温州", "出口"),
    # an industry, a partner country or a compared place is not the subject
    ("[台州|City][汽摩配|Industry]出口120亿元。", "120亿元", "台州", "汽摩配出口"),
    ("[义乌|City]对[巴西|Country]出口88亿元。", "88亿元", "义乌", "对巴西出口"),
    ("[宁波|City]用电量较排名第二的[嘉兴|City]高出90亿千瓦时。", "90亿千瓦时", "宁波", "用电量较排名第二的嘉兴高出"),
    # what a name is introduced as (作为X的核心平台) does not make X the subject
    ("作为[金义片区|Zone]的核心平台，[金义综保公司|Company]一季度进出区总值是去年同期的2.1倍。", "2.1倍", "金义综保公司",
     "进出区总值是同期"),
    # the organisation that reports a figure is its source
    ("[杭州海关|GovernmentBody]发布数据称，[湖州|City]外贸增长9%。", "9%", "湖州", "外贸增长"),
    # a policy is how it was done: governed by 通过/依托, or named in an earlier clause, it gives way to another name
    ("[慈溪|City]通过[市场采购|Policy]方式出口90亿元。", "90亿元", "慈溪", "通过市场采购方式出口"),
    ("推进[通关一体化|Policy]改革，[海铁联运|Route]的线路增加，开通线路已达18条。", "18条", "海铁联运", "开通线路"),
    ("[柯桥|City]出台人才新政。相关负责人介绍，推出了[创业担保贷款|Policy]，目前已累计发放1620万元。", "1620万元", "柯桥",
     "累计发放"),
    # a list governed by a preposition is the partner as a whole: its last item is no subject either
    ("上半年，[义乌|City]对[非洲|Region]、[美国|Country]和[东盟|Organization]分别进出口578亿元、405亿元和330亿元。",
     "330亿元", "义乌", "对非洲、美国和东盟分别进出口"),
    ("目前货物辐射至[绍兴|City]、[金华|City]和[衢州|City]等地，[宁波舟山港|Facility]形成了17条班列。",
     "17条", "宁波舟山港", "形成"),
    # a place written right before a service word says where the service runs from: the figure is the service's
    # (the one the article names most; the place stays in the indicator), and the next clause carries it on
    ("[中欧班列|Route]运量大增。[金华|City]回程班列开行96列，运送8000标箱。", "96列", "中欧班列", "金华回程班列开行"),
    ("[中欧班列|Route]运量大增。[金华|City]回程班列开行96列，运送8000标箱。", "8000标箱", "中欧班列", "运送"),
    ("[中欧班列|Route]运量大增。[浙江|Province]中欧回程班列达到210列。", "210列", "中欧班列", "浙江中欧回程班列"),
    ("[中欧班列|Route]运量大增。[义乌|City]始发开通了9条线路，实现每周3列的常态化运行。", "3列", "中欧班列", "实现每周"),
    # a place written right after a service names the service's part there
    ("今年，[中欧班列|Route][义乌|City]平台共开行1060列。", "1060列", "中欧班列", "义乌平台共开行"),
    # a count of trains in a clause without a subject is the service's the sentence names, not the place before it
    ("[金华|City]等地将深入合作，努力实现[浙江中欧班列|Route]“全年开行1500列”的目标。", "1500列", "浙江中欧班列", "开行"),
    # a place that runs the service, or an article that names no service, keeps the figure
    ("[中欧班列|Route]运量大增。[金华|City]开通国际航线12条。", "12条", "金华", "开通国际航线"),
    ("[金华|City]回程班列开行96列。", "96列", "金华", "回程班列开行"),
    # nothing in the sentence: the sentence before, then the article's main place
    ("[丽水|City]的生态产品走俏。今年卖出3000吨。", "3000吨", "丽水", "卖出"),
    # routes named only as a set (scope words or a hub's name, then 航线) are the hub's: no route takes the figure
    ("[宁波舟山港|Facility]优化航线结构，[全港航线|Route]总数达到180条。", "180条", "宁波舟山港", "全港航线总数"),
    ("[北仑港区|Facility]吞吐量增长。[北仑港区航线|Route]已有65条。", "65条", "北仑港区", "航线已有"),
    ("[宁波—洛杉矶航线|Route]每周运货2万票。", "2万票", "宁波—洛杉矶航线", "每周运货"),
    # a dateline place and the writers in brackets report the article; a person who speaks reports the figure
    ("[温岭|City]外贸回暖。中新网[台州|City]3月5日电（[王芳|Person]）今年一季度出口120亿元。", "120亿元", "温岭", "出口"),
    ("[嘉善|City]外贸回暖。[李明|Person]介绍，今年出口增长12%。", "12%", "嘉善", "出口增长"),
    # 其中 opens a part of what was named last before it; 【…】 names the source
    ("[李明|Person]宣布实施[出口退税|Policy]新政，其中对机电产品退税约13%。", "约13%", "出口退税", "对机电产品退税"),
    ("【[宁波日报|Organization]】[舟山港|Facility]开港十周年", "十周年", "舟山港", "开港"),
    # a policy written right after a place says how the place trades: the figure is the place's
    ("[温州|City][市场采购贸易|Policy]出口额达到80亿元。", "80亿元", "温州", "市场采购贸易出口额"),
    # the name before an action verb does it: the one after is acted on
    ("[宁波海关|GovernmentBody]今年监管[甬新欧|Route]集装箱3.2万标箱。", "3.2万标箱", "宁波海关", "监管甬新欧集装箱"),
    ("[义乌|City]吸引[阿里巴巴|Company]等企业投资120亿元。", "120亿元", "义乌", "吸引阿里巴巴等企业投资"),
])
def test_observation(text, figure, subject, indicator):
    (obs,) = [o for o in article_of(text) if o.text == figure]
    assert (obs.subject, obs.indicator) == (subject, indicator)


@pytest.mark.parametrize("text,figure,partners", [
    ("[义乌|City]对[欧盟|Organization]出口120亿元。", "120亿元", ("欧盟",)),
    ("[义乌|City]对[非洲|Region]、[美国|Country]和[东盟|Organization]分别进出口57亿元、40亿元和33亿元。", "40亿元",
     ("非洲", "美国", "东盟")),
    ("[宁波|City]与[日本|Country]贸易额达88亿元。", "88亿元", ("日本",)),
    # a place compared with is no partner, nor is the subject
    ("[宁波|City]用电量较[嘉兴|City]高出9亿千瓦时。", "9亿千瓦时", ()),
    ("今年上半年，[宁波|City]出口5021亿元。", "5021亿元", ()),
])
def test_partners(text, figure, partners):
    (obs,) = [o for o in article_of(text) if o.text == figure]
    assert obs.partners == partners


def test_observation_keeps_value_unit_period_and_evidence():
    (obs, rate) = article_of("2024年1—6月，[衢州|City]进出口超450亿元，同比增长11.5%。", date="2024-07-20")
    assert (obs.value, obs.unit, obs.qualifier) == (Decimal("45000000000"), "CNY", "超")
    assert (obs.period, obs.period_start, obs.period_end) == ("2024年1—6月", "2024-01-01", "2024-06-30")
    assert (rate.value, rate.unit, rate.period) == (Decimal("11.5"), "percent", "2024年1—6月")
    assert obs.provenance.reported_on == "2024-07-20" and obs.provenance.rule == "figure:CNY"
    assert obs.provenance.sentence.text.startswith("2024年1—6月")


def test_relative_period_uses_the_article_date():
    (obs,) = article_of("去年[舟山|City]接待游客5000万人次。", date="2024-03-02")
    assert (obs.period, obs.period_start, obs.period_end) == ("去年", "2023-01-01", "2023-12-31")


@pytest.mark.parametrize("text,subject", [
    # a pronoun stands for the nearest entity of its kind named before it
    ("[恒达公司|Company]在[越南|Country]建厂。[金华|City]方面介绍，该公司去年销售额3亿元。", "恒达公司"),
    ("[舟山|City]的[甬舟园区|Zone]去年开工。如今，园区已入驻企业46家。", "甬舟园区"),
    ("[浙江|Province]新闻。[丽水|City]也不例外，我省今年新增外贸主体3000家。", "浙江"),
    # a bare head still starts its clause after a time phrase (2023年企业…, 目前企业…)
    ("[瑞安|City]的[华丰电器有限公司|Company]董事长说：2023年企业实现销售额3亿元。", "华丰电器有限公司"),
    ("[瑞安|City]的[华丰电器有限公司|Company]发展很快，目前企业拥有员工800名。", "华丰电器有限公司"),
])
def test_pronoun_subject(text, subject):
    assert article_of(text)[0].subject == subject


def test_partner_reaches_the_graph():
    (obs,) = [o for o in article_of("[义乌|City]对[欧盟|Organization]出口120亿元。") if o.text == "120亿元"]
    triples = set(observation_triples(obs))
    assert (observation_iri(obs), KG.partner, entity_iri("欧盟")) in triples
    assert (observation_iri(obs), KG.subject, entity_iri("义乌")) in triples
