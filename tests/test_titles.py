"""kg.nlp.titles (through the kg_entities component): policy documents named without 《》, quoted programmes, and the
policy heads added for issue 17."""
from __future__ import annotations

import pytest

from kg.errors import DataError
from kg.nlp.titles import BareTitles


def policies(nlp, text):
    return {e.text for e in nlp(text).ents if e.label_ == "Policy"}


POLICIES = [
    # 关于 + a verb of policy-making + … + 的 + a document word
    ("市政府出台关于加快发展海外仓的实施意见，支持企业布局。", "关于加快发展海外仓的实施意见"),
    ("省里印发关于进一步做好稳外贸工作的通知。", "关于进一步做好稳外贸工作的通知"),
    ("两部门发布关于推进跨境电商综试区建设的若干措施。", "关于推进跨境电商综试区建设的若干措施"),
    # a “quoted” name ending in a policy head: the quoted words, up to the quotes
    ("商务部公布“外贸新业态优秀实践案例”名单。", "“外贸新业态优秀实践案例”"),
    ("当地推出“数字丝路行动计划”，扶持中小外贸企业。", "“数字丝路行动计划”"),
    # heads: “…”计划, “…”战略, 工作报告 with its place, 实践案例
    ("团省委启动“青苗计划”，资助返乡创业青年。", "“青苗计划”"),
    ("全市深入实施“品质浙货”战略。", "“品质浙货”战略"),
    ("江西省政府工作报告提出扩大对外开放。", "江西省政府工作报告"),
    ("这项做法入选自贸区最佳实践案例。", "自贸区最佳实践案例"),
    # after 策略 (as after 模式) the quoted words alone name the policy
    ("两地深入实施“产城融合”策略。", "“产城融合”"),
]


@pytest.mark.parametrize("text, name", POLICIES)
def test_policies_without_title_marks(nlp, text, name):
    assert name in policies(nlp, text)


NOT_POLICIES = [
    ("这符合合同法中关于违约责任的规定。", "关于违约责任的规定"),        # 关于 + a noun: a phrase, no title
    ("大家谈了关于这个问题的意见。", "关于这个问题的意见"),
    ("两国建立战略伙伴关系。", "战略"),                                # 战略 needs a “quoted” name before it
    ("公司制定了三年发展计划。", "三年发展计划"),                      # 计划 too
    ("企业及时调整营销策略。", "营销策略"),                            # 策略 too
    ("他说“我们不会放弃这个计划”。", "我们不会放弃这个计划"),            # a quoted sentence, not a name
    ("“行动计划”四个字写在墙上。", "行动计划"),                        # the head alone
    ("这是“法律和制度”的简称。", "“法律和制度”"),                     # two words joined: a concept, not a name
]


@pytest.mark.parametrize("text, name", NOT_POLICIES)
def test_not_policies(nlp, text, name):
    assert name not in policies(nlp, text)


def test_a_title_in_title_marks_is_the_title_finders(nlp):
    names = policies(nlp, "省政府印发《关于加快发展海外仓的实施意见》。")
    assert names == {"《关于加快发展海外仓的实施意见》"}


def test_a_malformed_section_is_an_error_naming_the_file(tmp_path):
    path = tmp_path / "patterns.yml"
    path.write_text("heads: {Policy: [方案]}\nbare_titles:\n  verbs: [加快]\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"E020.*patterns.yml.*bare_titles"):
        BareTitles.load(path)
