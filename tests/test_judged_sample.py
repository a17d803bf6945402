"""scripts/judged_sample.py: the committed judged samples are complete and score what eval/judged/README.md says."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("judged_sample", ROOT / "scripts" / "judged_sample.py")
judged_sample = importlib.util.module_from_spec(spec)
spec.loader.exec_module(judged_sample)


@pytest.mark.parametrize("name, overall, person", [
    ("msra_sample.tsv", (283, 300), (69, 69)),
    ("msra_sample_main.tsv", (261, 300), (67, 67)),
])
def test_committed_sample_scores_as_documented(name, overall, person):
    scores = judged_sample.score(ROOT / "eval" / "judged" / name)
    assert scores["overall"] == overall and scores["Person"] == person


def test_a_missing_verdict_is_an_error(tmp_path):
    path = tmp_path / "sample.tsv"
    judged_sample.write(path, [{"item": 1, "line": 3, "start": 0, "end": 2, "text": "义乌", "class": "City",
                                "verdict": ""}])
    with pytest.raises(SystemExit, match="E171"):
        judged_sample.score(path)


def test_rank_is_fixed_by_place_and_class():
    a = (10, 0, 2, "义乌", "City")
    assert judged_sample._rank(a) == judged_sample._rank((10, 0, 2, "义乌", "City"))
    assert judged_sample._rank(a) != judged_sample._rank((10, 0, 2, "义乌", "County"))


@pytest.mark.parametrize("name, overall, industry, policy", [
    ("msra_new_policy_industry.tsv", (37, 40), (23, 25), (14, 15)),
    ("msra_new_policy_industry_fresh.tsv", (36, 40), (21, 23), (15, 17)),
])
def test_committed_new_rules_samples_score_as_documented(name, overall, industry, policy):
    """The judged samples of the policy and industry rules (scripts/judged_new_rules.py, eval/judged/README.md)."""
    scores = judged_sample.score(ROOT / "eval" / "judged" / name)
    assert (scores["overall"], scores["Industry"], scores["Policy"]) == (overall, industry, policy)
