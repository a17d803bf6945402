"""The pattern engine of kg.extract.relations, with rules written here (not ontology/rules): how templates match.

Each rule's templates are compiled once, when the rule is made; a sentence is matched with its mentions standing as
one character each that says what the mention is to the rule. These cases pin what that matching does.
"""
from __future__ import annotations

import re

import pytest
from marking import marked

from kg.extract import relations
from kg.extract.relations import extract_relations, parse_rule
from kg.records import Entity, Mention, Provenance


RULES = {
    "dest": dict(property="destination", subject=["Route"], object=["Place", "Facility"], cues=["开往", "驶向"],
                 where="before"),
    "apposition": dict(property="locatedIn", subject=["Place", "Facility"], object=["Country", "Province", "City"],
                       where="adjacent"),
    "between": dict(property="operatedBy", subject=["Platform"], object=["Company"], cues=["运营"],
                    where="between-reversed"),
    "star": dict(property="issuedBy", subject=["Policy"], object=["GovernmentBody"], cues=["印发"],
                 patterns=["{o}*{cue}…{s}"]),
    "topic": dict(property="appliesTo", subject=["Policy"], object=["City", "County"], cues=["推出", "建立"],
                  patterns=["^{o}*{cue}~{s}"], span=40, across=True, closest=True),
    "nearest": dict(property="exportsTo", subject=["City"], object=["Region"], cues=["销往"], where="before"),
    "role": dict(property="affiliatedWith", subject=["Person"], object=["Company"], cues=["总经理", "董事长"],
                 patterns=["{o}{cue}{s}"], role=True),
}


def rule(name: str):
    return parse_rule({"id": name, **RULES[name]})


def found(name: str, text: str) -> list[tuple[str, str, str, str | None]]:
    article, mentions = marked(text)
    return [(r.subject, r.prop, r.object, r.provenance.role)
            for r in extract_relations(mentions, article=article, rules=[rule(name)])]


CASES = [
    # the object may close a run of places; the run's other places are its modifiers, not objects
    ("dest", "[X8001次|Route]开往[德国|Country][杜伊斯堡|City]。", [("X8001次", "destination", "杜伊斯堡", None)]),
    # a place of the object's classes right after the object makes it a modifier
    ("dest", "[X8001次|Route]驶向[匈牙利|Country][布达佩斯|City]的货场。",
     [("X8001次", "destination", "布达佩斯", None)]),
    # listed objects all take the relation
    ("dest", "[X8001次|Route]开往[华沙|City]、[汉堡|City]和[马德里|City]。",
     [("X8001次", "destination", o, None) for o in ("华沙", "汉堡", "马德里")]),
    # ~ holds no mention: a place between cue and object stops the match
    ("dest", "[X8001次|Route]开往[中铁|Company]货场[华沙|City]。", []),
    # a place written right before another
    ("apposition", "客商来到[浙江|Province][义乌|City]。", [("义乌", "locatedIn", "浙江", None)]),
    ("apposition", "客商来到[浙江|Province]的[义乌|City]。", []),
    # the subject after the object, the cue in between, gaps without mentions
    ("between", "由[小商品城集团|Company]负责运营的[义乌购|Platform]上线。",
     [("义乌购", "operatedBy", "小商品城集团", None)]),
    ("between", "由[小商品城集团|Company]与[顺丰|Company]运营的[义乌购|Platform]上线。",
     [("义乌购", "operatedBy", "小商品城集团", None), ("义乌购", "operatedBy", "顺丰", None)]),
    # * may pass over other mentions, … may not
    ("star", "[商务部|GovernmentBody]会同[海关总署|GovernmentBody]印发了[外贸新规|Policy]。",
     [("外贸新规", "issuedBy", "商务部", None), ("外贸新规", "issuedBy", "海关总署", None)]),
    ("star", "[商务部|GovernmentBody]印发了关于[义乌|City]的[外贸新规|Policy]。", []),
    # a closest rule binds each subject on its own and stops at the next place of the object's classes
    ("topic", "今年，[兰溪|County]推出[港航新政|Policy]，建立[信用机制|Policy]。",
     [("港航新政", "appliesTo", "兰溪", None), ("信用机制", "appliesTo", "兰溪", None)]),
    ("topic", "[金华|City]推出[物流补贴|Policy]，[兰溪|County]建立[信用机制|Policy]。",
     [("物流补贴", "appliesTo", "金华", None), ("信用机制", "appliesTo", "兰溪", None)]),
    # a template without {s} takes the nearest subject before the object
    ("nearest", "[义乌|City]产的灯具和[永康|City]的五金销往[中东|Region]。", [("永康", "exportsTo", "中东", None)]),
    ("nearest", "[义乌|City]和[永康|City]的五金销往[中东|Region]。",
     [("义乌", "exportsTo", "中东", None), ("永康", "exportsTo", "中东", None)]),
    ("nearest", "五金销往[中东|Region]。", []),
    # the matched cue is the subject's role
    ("role", "[宏达物流有限公司|Company]董事长[陈立|Person]说。", [("陈立", "affiliatedWith", "宏达物流有限公司", "董事长")]),
]


@pytest.mark.parametrize("name, text, expected", CASES)
def test_template_matches(name, text, expected):
    assert found(name, text) == expected


def test_nested_mention_is_not_a_slot():
    """A mention inside an earlier one (浙江 inside 浙江义乌仓) stands for nothing in the masked sentence."""
    article, _ = marked("[X8001次|Route]开往浙江义乌仓。")
    sentence = article.sentences[0]
    route = Mention(Entity("X8001次", "X8001次", "Route"), 0, 6, "X8001次", Provenance("t", sentence, "ner"))
    outer = Mention(Entity("浙江义乌仓", "浙江义乌仓", "Facility"), 8, 13, "浙江义乌仓", Provenance("t", sentence, "ner"))
    inner = Mention(Entity("浙江", "浙江", "Province"), 8, 10, "浙江", Provenance("t", sentence, "ner"))
    got = [(r.subject, r.object) for r in extract_relations([route, outer, inner], article=article,
                                                             rules=[rule("dest")])]
    assert got == [("X8001次", "浙江义乌仓")]


@pytest.mark.parametrize("name", sorted(RULES))
def test_templates_compiled_once(name, monkeypatch):
    """Matching compiles nothing: every template was compiled when the rule was made."""
    made = rule(name)
    assert len(made.compiled) == len(made.patterns)
    calls, compile_ = [], re.compile
    monkeypatch.setattr(relations.re, "compile", lambda *a, **k: calls.append(a) or compile_(*a, **k))
    text = next(t for n, t, _ in CASES if n == name)
    article, mentions = marked(text)
    list(extract_relations(mentions, article=article, rules=[made]))
    assert calls == []


@pytest.mark.parametrize("pattern, needs", [
    ("{cue}~{o}", (("开往", "驶向"),)),
    ("{o}{s}", ()),
    ("在{o}~{cue}的{s}", (("在",), ("开往", "驶向"), ("的",))),
    ("^{o}*{cue}~{s}", (("开往", "驶向"),)),
    ("在{s}~{field}，{o}", (("在",), ("领域", "方面"), ("，",))),
])
def test_what_a_sentence_needs(pattern, needs):
    """A sentence without one of these words is not tried against the template at all: each must be required."""
    made = parse_rule({"id": "t", "property": "destination", "subject": ["Route"], "object": ["Place"],
                       "cues": ["开往", "驶向"], "words": {"field": ["领域", "方面"]}, "patterns": [pattern]})
    assert made.compiled[0].needs == needs
