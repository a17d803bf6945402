"""kg.nlp.enumerations (through the kg_entities component): industries named in lists joined by 、, and a known
policy “quoted” inside a longer name."""
from __future__ import annotations

import pytest

from kg.errors import DataError
from kg.nlp.enumerations import Enumerations


def industries(nlp, text):
    return {e.text for e in nlp(text).ents if e.label_ == "Industry"}


# every member is an industry when the list ends in 等 and a kind word, or when most members are industries already
LISTS = [
    ("班列满载灯具、五金、箱包等货物驶向欧洲。", {"灯具", "五金", "箱包"}),
    ("外商下单订购雨伞、围巾、拖鞋等产品。", {"雨伞", "围巾", "拖鞋"}),
    ("这批货以板材、钢管和轴承等原材料为主。", {"板材", "钢管", "轴承"}),
    ("园区聚焦生物医药、新材料、人工智能等新兴产业。", {"生物医药", "新材料", "人工智能"}),
    # the kind is an industry itself when it is one word with words before its head (农副产品, not 产品)
    ("回程班列运来红枣、核桃等农副产品。", {"红枣", "核桃", "农副产品"}),
    # 和 inside a list joins two members
    ("出口货物有服装、家具和灯具、玩具等商品。", {"服装", "家具", "灯具", "玩具"}),
    # anchored by known industries (汽车, 钢材 in the gazetteer): the unknown member joins them
    ("港口装卸汽车、钢材、风电叶片，作业繁忙。", {"汽车", "钢材", "风电叶片"}),
    # the first member stops at 的 and at verbs that open a list; places stay places
    ("卡车运来浙江的纽扣、拉链、花边等辅料产品。", {"纽扣", "拉链", "花边"}),
]


@pytest.mark.parametrize("text, expected", LISTS)
def test_members_of_a_list_of_goods_are_industries(nlp, text, expected):
    assert expected <= industries(nlp, text)


NOT_INDUSTRIES = [
    ("资金、技术、人才等要素加快集聚。", "技术"),                  # 要素 is no kind of goods, no member is an industry
    ("义乌、金华、宁波三地联动发展。", "金华"),                     # places
    ("企业、高校和科研院所开展合作。", "高校"),
    ("围绕大宗商品、电商平台、物流配送等领域发力。", "电商平台"),    # a member ending in 平台 names firms
    ("一列满载货物的班列从码头出发，经过十天抵达。", "货物"),
    ("铅笔、钢笔等高档产品热销。", "高档产品"),                     # 高档|产品: a description, not a kind's name
    ("带动美妆、母婴进口额增长。", "母婴进口额"),                  # a last member without 等 has no clear end
    ("商场里有美的、格力、奥克斯等许多厂家的空调产品。", "格力"),    # a list of makers, not of goods
]


@pytest.mark.parametrize("text, name", NOT_INDUSTRIES)
def test_not_industries(nlp, text, name):
    assert name not in industries(nlp, text)


@pytest.mark.parametrize("text, whole, policy", [
    ("浙江对共建“一带一路”国家出口增长两成。", "共建“一带一路”国家", "一带一路"),
    ("他们打造“一带一路”金码头。", "“一带一路”金码头", "一带一路"),
])
def test_a_known_policy_quoted_inside_a_longer_name_is_a_mention(nlp, text, whole, policy):
    doc = nlp(text)
    assert whole in {e.text for e in doc.ents}
    assert (policy, "Policy") in {(e.text, e.label_) for e in doc.spans["kg_inner"]}


def test_an_unknown_quoted_word_inside_a_name_is_no_policy(nlp):
    doc = nlp("共建“丝路之光”国家积极参与。")
    assert not [e for e in doc.spans["kg_inner"] if e.label_ == "Policy"]


def test_a_malformed_section_is_an_error_naming_the_file(tmp_path):
    path = tmp_path / "patterns.yml"
    path.write_text("stop_words: [的]\nenumerations:\n  kind_tails: [产品]\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"E020.*patterns.yml.*enumerations"):
        Enumerations.load(path)


def test_no_section_means_no_lists(tmp_path):
    path = tmp_path / "patterns.yml"
    path.write_text("stop_words: [的]\n", encoding="utf-8")
    assert Enumerations.load(path) is None
