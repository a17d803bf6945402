"""Re-cutting a Doc at character offsets keeps its text and only adds token boundaries."""
from __future__ import annotations

import pytest
import spacy

from kg.nlp.align import split_at


@pytest.fixture(scope="module")
def nlp():
    return spacy.blank("zh")  # character segmentation: enough to test re-cutting


def _doc(nlp, words, spaces=None):
    from spacy.tokens import Doc

    return Doc(nlp.vocab, words=words, spaces=spaces or [False] * len(words))


@pytest.mark.parametrize("words, cuts, expected", [
    (["金华南站", "出发"], [2], ["金华", "南站", "出发"]),
    (["邓小平理论"], [3], ["邓小平", "理论"]),
    (["义乌", "国际商贸城"], [2, 7], ["义乌", "国际商贸城"]),
    (["浙江义乌国际商贸城"], [2, 4], ["浙江", "义乌", "国际商贸城"]),
    (["中欧班列"], [], ["中欧班列"]),
])
def test_split_at(nlp, words, cuts, expected):
    doc = split_at(_doc(nlp, words), cuts)
    assert [t.text for t in doc] == expected
    assert doc.text == "".join(words)


def test_split_keeps_spaces(nlp):
    doc = split_at(_doc(nlp, ["Yiwu", "Selection品牌"], [True, False]), [14])
    assert [t.text for t in doc] == ["Yiwu", "Selection", "品牌"]
    assert doc.text == "Yiwu Selection品牌"


def test_missing_model_is_a_clear_error(monkeypatch, tmp_path):
    from kg.errors import ModelMissing
    from kg.nlp.segmenter import require_model

    monkeypatch.setenv("KG_PKUSEG_MODEL", str(tmp_path / "nowhere"))
    with pytest.raises(ModelMissing, match=r"\[E001\].*kg fetch-model"):
        require_model()


@pytest.mark.parametrize("words, spaces, cuts, expected", [
    (["义乌", "出发"], None, [-3, 0, 4, 9], ["义乌", "出发"]),                 # cuts at edges or outside the text
    (["中欧班列", "义乌"], None, [1, 2, 3], ["中", "欧", "班", "列", "义乌"]),   # several cuts in one token
    (["Yiwu", "Market", "开通"], [True, True, False], [2, 7], ["Yi", "wu", "Ma", "rket", "开通"]),
])
def test_split_cuts_only_inside_tokens(nlp, words, spaces, cuts, expected):
    doc = _doc(nlp, words, spaces)
    new = split_at(doc, cuts)
    assert [t.text for t in new] == expected
    assert new.text == doc.text
    if len(new) == len(doc):
        assert new is doc   # nothing to cut: the same Doc back
