"""kg.eval: matching rules and arithmetic, on small hand-made golds and extractions (no pipeline)."""
from __future__ import annotations

import json
from decimal import Decimal

import pytest

from kg.errors import DataError
from kg.eval import Counts, load_gold, name_key, parse_gold, score_document
from kg.records import Article, Entity, Extraction, Mention, Observation, Provenance, Relation, Sentence

ARTICLE = Article(doc_id="t", text="", source="a.txt")
SENT = Sentence(0, 1, "x")


def prov(rule="test"):
    return Provenance("t", SENT, rule)


def extraction(entities=(), relations=(), observations=()):
    """entities: (key, label, cls, mention texts...)"""
    ex = Extraction(ARTICLE)
    for key, label, cls, *texts in entities:
        e = Entity(key, label, cls)
        ex.entities[key] = e
        for t in texts or [label]:
            ex.mentions.append(Mention(e, 0, len(t), t, prov()))
    ex.relations = [Relation(s, p, o, prov()) for s, p, o in relations]
    ex.observations = [Observation(s, "指标", Decimal(v), u, v, prov()) for s, v, u in observations]
    return ex


GOLD = parse_gold("a.txt", {
    "entities": [
        {"name": "义乌", "type": "City", "aliases": ["义乌市"]},
        {"name": "“义新欧”中欧班列", "type": "Route", "aliases": ["义新欧"]},
        {"name": "浙江", "type": "Province", "aliases": []},
        {"name": "金华海关", "type": "GovernmentBody", "aliases": []},
    ],
    "relations": [{"s": "义乌", "p": "locatedIn", "o": "浙江"},
                  {"s": "义新欧", "p": "departsFrom", "o": "义乌"}],
    "observations": [{"subject": "义乌", "value": 6689.3e8, "unit": "CNY"},
                     {"subject": "义新欧", "value": 16.5, "unit": "percent"}],
})


@pytest.mark.parametrize("a, b", [
    ("“义新欧”中欧班列", "义新欧中欧班列"),
    ("Ｃｈｉｎａｇｏｏｄｓ", "chinagoods"),
    ("《总体方案》", "总体方案"),
    ("义乌—宁波", "义乌-宁波"),
])
def test_name_key_folds_variants(a, b):
    assert name_key(a) == name_key(b)


def test_alias_and_quote_variants_match_and_coarse_classes_compare():
    ex = extraction(entities=[
        ("义乌市", "义乌市", "County"),                 # alias; County and City are both Place
        ("义新欧中欧班列", "义新欧中欧班列", "Route"),   # quotes dropped
        ("浙江省", "浙江省", "Province", "浙江"),       # matched through a mention text
        ("金华海关", "金华海关", "Company"),            # Company vs GovernmentBody: both Organization
    ])
    score = score_document(GOLD, [ex])
    assert score.entities.overall == Counts(tp=4, fp=0, fn=0)


def test_wrong_class_and_duplicates_are_false_hits():
    ex = extraction(entities=[
        ("义乌", "义乌", "City"),
        ("义乌市", "义乌市", "City"),                   # the same thing twice: one hit, one false hit
        ("浙江", "浙江", "Zone"),                       # wrong coarse class
    ])
    score = score_document(GOLD, [ex])
    assert score.entities.overall == Counts(tp=1, fp=2, fn=3)
    assert score.entities.by["Place"] == Counts(tp=1, fp=1, fn=1)
    assert score.entities.by["Zone"] == Counts(fp=1)
    false = score.errors["entity_false"]
    assert any("duplicate of" in line for line in false)
    assert any("gold: 浙江 [Province]" in line for line in false)


def test_relations_match_by_alias_and_property():
    ex = extraction(
        entities=[("义乌市", "义乌市", "City"), ("浙江", "浙江", "Province"), ("义新欧", "义新欧", "Route")],
        relations=[("义乌市", "locatedIn", "浙江"), ("义新欧", "destination", "义乌市")],
    )
    score = score_document(GOLD, [ex])
    assert score.relations.by["locatedIn"] == Counts(tp=1)
    assert score.relations.by["destination"] == Counts(fp=1)
    assert score.relations.by["departsFrom"] == Counts(fn=1)
    # by the rule that found them: right and wrong, never missed (a miss has no rule)
    assert score.rules.by["test"] == Counts(tp=1, fp=1)


def test_observations_match_on_value_and_unit_and_count_subjects_apart():
    ex = extraction(
        entities=[("义乌", "义乌", "City")],
        observations=[("义乌", "668930000000", "CNY"), ("义乌", "16.50", "percent"), (None, "3", "train")],
    )
    score = score_document(GOLD, [ex])
    assert score.observations.overall == Counts(tp=2, fp=1, fn=0)
    assert score.observations_subject_ok == 1


def test_stories_of_one_file_are_pooled():
    first = extraction(entities=[("义乌", "义乌", "City")])
    second = extraction(entities=[("义乌", "义乌", "City", "义乌市"), ("浙江", "浙江", "Province")])
    score = score_document(GOLD, [first, second])
    assert score.entities.overall == Counts(tp=2, fp=0, fn=2)


@pytest.mark.parametrize("counts, p, r, f1", [
    (Counts(tp=3, fp=1, fn=2), 0.75, 0.6, 2 * 0.75 * 0.6 / 1.35),
    (Counts(), 0.0, 0.0, 0.0),
])
def test_counts_arithmetic(counts, p, r, f1):
    assert (counts.precision, counts.recall, counts.f1) == pytest.approx((p, r, f1))


def test_load_gold_keys_by_article_file_name(tmp_path):
    (tmp_path / "d01.txt.gold.json").write_text(json.dumps({"entities": [], "relations": [], "observations": []}))
    assert list(load_gold(tmp_path)) == ["d01.txt"]


def test_load_gold_says_what_is_wrong(tmp_path):
    with pytest.raises(DataError, match="E061"):
        load_gold(tmp_path)
    (tmp_path / "x.txt.gold.json").write_text(json.dumps({"entities": [{"name": "义乌"}]}))
    with pytest.raises(DataError, match="E062"):
        load_gold(tmp_path)
