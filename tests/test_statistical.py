"""The statistical NER layer: the MSRA model ships with kg, adds names the rules miss, and never overrides them."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import spacy
from spacy.tokens import Doc

from kg.nlp.statistical import MODEL_DIR, StatisticalNer, ontology_class


@pytest.fixture(scope="session")
def nlp():
    from kg.nlp.pipeline import load_pipeline

    return load_pipeline()


def rules_only(nlp, text):
    with nlp.select_pipes(disable=["kg_statistical_ner"]):
        return nlp(text)


# --- the artifact ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["weights.npz", "vocab.json.gz", "lexicon.txt.gz", "scores.json", "MODEL_CARD.md",
                                  "plain_chars.txt"])
def test_model_file_exists(name):
    assert (MODEL_DIR / name).is_file()


def test_model_card_states_the_stored_scores():
    scores = json.loads((MODEL_DIR / "scores.json").read_text(encoding="utf-8"))["dev"]
    card = (MODEL_DIR / "MODEL_CARD.md").read_text(encoding="utf-8")
    for label in ("PER", "LOC", "ORG", "ALL"):
        assert f"{scores[label]['f']:.3f}" in card, label


def test_model_is_small():
    size = sum(p.stat().st_size for p in MODEL_DIR.rglob("*") if p.is_file())
    assert size < 8 * 2**20


def test_pipeline_runs_the_model_after_the_rules(nlp):
    names = nlp.pipe_names
    assert names.index("kg_statistical_ner") == names.index("kg_entities") + 1


def test_missing_model_says_how_to_get_it(tmp_path):
    from kg.errors import ModelMissing

    with pytest.raises(ModelMissing, match=r"\[E002\].*train_ner.py"):
        StatisticalNer("x").initialize(model=str(tmp_path))


# --- names no gazetteer knows ----------------------------------------------------------------------------------


@pytest.mark.parametrize("text, name, cls", [
    ("他和妻子赵春燕一起经营着这家小店。", "赵春燕", "Person"),
    ("世界贸易组织总干事在日内瓦发表讲话。", "日内瓦", "Place"),
    ("复旦大学的研究团队发布了报告。", "复旦大学", "Organization"),
    ("北京大学和清华大学的学者参加了研讨会。", "清华大学", "Organization"),
    pytest.param("北京大学和清华大学的学者参加了研讨会。", "北京大学", "Organization", marks=pytest.mark.xfail(
        strict=True, reason="the gazetteer's 北京 wins over the model's longer 北京大学 (rules always win)")),
    pytest.param("货代公司负责人欧阳振宇昨天带着样品去了展会。", "欧阳振宇", "Person", marks=pytest.mark.xfail(
        strict=True, reason="the model finds no name in this short sentence (欧阳振宇 has a rare compound surname)")),
])
def test_model_adds_a_name_the_rules_miss(nlp, text, name, cls):
    assert name not in [e.text for e in rules_only(nlp, text).ents]
    found = {e.text: (e.label_, e.kb_id_) for e in nlp(text).ents}
    assert found.get(name) == (cls, name.replace(" ", ""))


@pytest.mark.parametrize("flags", [["--labels", "msra"], ["--model-only"]])
def test_kg_ner_with_msra_labels_gives_the_model_spans(flags):
    from click.testing import CliRunner

    from kg.cli import main
    from kg.nlp.charner import CharTagger

    text = "德国杜伊斯堡的客户王海涛参观了恒远物流公司。"
    result = CliRunner().invoke(main, ["ner", *flags, "-"], input=text + "\n")
    assert result.exit_code == 0, result.output
    got = [(e["start"], e["end"], e["type"], e["confidence"]) for e in json.loads(result.output)["entities"]]
    assert got == CharTagger.load(MODEL_DIR)(text)


# --- merging ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "义乌国际商贸城的商户张海燕说，今年发往中亚的订单比去年多。",
    "宁波舟山港的集装箱吞吐量继续增长，金华海关副关长王建平到场。",
    "中欧班列从义乌出发，经阿拉山口出境，最终抵达马德里。",
    "浙江省商务厅和杭州市政府联合发布了跨境电商扶持政策。",
])
def test_rules_and_gazetteer_spans_are_kept(nlp, text):
    before = {(e.start_char, e.end_char, e.label_, e.kb_id_) for e in rules_only(nlp, text).ents}
    after = {(e.start_char, e.end_char, e.label_, e.kb_id_) for e in nlp(text).ents}
    assert before and before <= after


def test_pipe_finds_what_one_doc_at_a_time_finds(nlp):
    texts = ["德国杜伊斯堡的客户王海涛参观了恒远物流公司。", "", "义乌小商品经阿拉山口出境。\n\n记者李晓东报道。" * 3,
             "浙江省商务厅和杭州市政府联合发布了跨境电商扶持政策。"]
    one_by_one = [[(e.start_char, e.end_char, e.label_, e.kb_id_) for e in nlp(t).ents] for t in texts]
    piped = [[(e.start_char, e.end_char, e.label_, e.kb_id_) for e in d.ents] for d in nlp.pipe(texts, batch_size=3)]
    assert piped == one_by_one and any(one_by_one)


# --- which sentences the model reads --------------------------------------------------------------------------


@pytest.mark.parametrize("text, read", [
    ("货物经赫尔辛基转运。", True),                 # 赫尔辛基: characters names use
    ("他和妻子赵春燕一起经营着这家小店。", True),    # 赵: a surname
    ("记者王晓东摄", False),                       # the rules found the name: nothing is left
    ("宁波舟山港的吞吐量继续增长。", False),         # the gazetteer's port, then plain words
    ("需求下降了不少。", False),                    # plain characters only
    ("12月8日，2026年", False),                    # no two Han characters side by side
])
def test_the_model_reads_only_sentences_that_may_hold_a_name(nlp, text, read):
    gate = nlp.get_pipe("kg_statistical_ner")._gate(rules_only(nlp, text))
    assert gate(0, text) is read


GATED = ["货物经赫尔辛基转运。今年的出口额比去年增长了三成。", "他和妻子赵春燕一起经营着这家小店。",
         "记者王晓东摄", "宁波舟山港的吞吐量继续增长。需求下降了不少。", "复旦大学的研究团队发布了报告。",
         "世界贸易组织总干事在日内瓦发表讲话。\n德国杜伊斯堡的客户王海涛参观了恒远物流公司。", "12月8日，2026年"]


def test_sentences_left_unread_lose_no_entity(nlp):
    component = nlp.get_pipe("kg_statistical_ner")
    entities = lambda docs: [[(e.start_char, e.end_char, e.label_, e.kb_id_) for e in d.ents] for d in docs]  # noqa: E731
    gated = entities(nlp.pipe(GATED))
    plain, component.plain = component.plain, None           # no plain characters: every sentence is read
    try:
        everything = entities(nlp.pipe(GATED))
    finally:
        component.plain = plain
    assert gated == everything and sum(map(len, gated)) >= 8


def test_plain_characters_are_those_names_rarely_use():
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "training"))
    from plain_chars import plain_chars

    sentences = [("王明在北京开会。", [(0, 2, "PER"), (3, 5, "LOC")])] * 5 + [("王在", [])]
    # 在 is never inside a name; 王 is 5 of 6 times; 会 and 开 are seen too seldom (5 < 6); 。 is no Han character
    assert plain_chars(sentences, share=0.1, min_count=6) == ["在"]
    assert plain_chars(sentences, share=0.9, min_count=5) == sorted("在开会王")


class FakeModel(StatisticalNer):
    """The merge logic alone: the model's spans are given."""

    def __init__(self, spans):
        super().__init__("fake")
        self._spans = spans

    def spans(self, text, keep=None):
        return [(start, end, label, 1.0) for start, end, label in self._spans]


@pytest.fixture(scope="module")
def vocab():
    return spacy.blank("zh").vocab


@pytest.mark.parametrize("words, rule, model, expected", [
    # the model's 义乌市场 overlaps the gazetteer's 义乌: the gazetteer wins, nothing is added
    (["义乌", "市场", "很", "大"], (0, 2, "City"), [(0, 4, "LOC")], [("义乌", "City")]),
    # a name inside a pkuseg token is cut out of it
    (["义乌", "见到", "张三丰说"], (0, 2, "City"), [(4, 7, "PER")], [("义乌", "City"), ("张三丰", "Person")]),
    # one character is too little to be a place, two too little for an organisation
    (["义乌", "对", "日", "出口"], (0, 2, "City"), [(3, 4, "LOC")], [("义乌", "City")]),
    (["义乌", "市委", "开会"], (0, 2, "City"), [(2, 4, "ORG")], [("义乌", "City")]),
    # a person cut short of the surname the segmenter kept with the name takes the token
    (["义乌", "商户", "金林杰", "说"], (0, 2, "City"), [(5, 7, "PER")], [("义乌", "City"), ("金林杰", "Person")]),
    # ... or the one-character person the model found right before
    (["义乌", "商户", "金", "林杰"], (0, 2, "City"), [(4, 5, "PER"), (5, 7, "PER")],
     [("义乌", "City"), ("金林杰", "Person")]),
    # ... but not over a token on both sides, nor a token with digits, nor one that runs on after the name
    (["义乌", "大", "陈黄鱼"], (0, 2, "City"), [(4, 5, "PER")], [("义乌", "City")]),
    (["义乌", "有", "20余", "家"], (0, 2, "City"), [(5, 6, "PER")], [("义乌", "City")]),
    (["义乌", "见", "林杰说"], (0, 2, "City"), [(3, 5, "PER")], [("义乌", "City"), ("林杰", "Person")]),
    # a surname the segmenter left alone after punctuation joins the given name; after a Han character it does not
    (["义乌", "：", "金", "林杰"], (0, 2, "City"), [(4, 6, "PER")], [("义乌", "City"), ("金林杰", "Person")]),
    (["义乌", "向", "林杰", "问好"], (0, 2, "City"), [(3, 5, "PER")], [("义乌", "City"), ("林杰", "Person")]),
    # two country abbreviations are a pair of countries, not a place; a longer name is kept
    (["义乌", "对", "中美", "贸易"], (0, 2, "City"), [(3, 5, "LOC")], [("义乌", "City")]),
    (["义乌", "到", "日内瓦"], (0, 2, "City"), [(3, 6, "LOC")], [("义乌", "City"), ("日内瓦", "Place")]),
    # an organisation right after another one is its unit (市委 + 报道组), not a name of its own
    (["义乌", "市委", "报道组"], (0, 2, "City"), [(2, 4, "ORG"), (4, 7, "ORG")], [("义乌", "City")]),
    (["义乌", "海关", "办公室"], (0, 4, "GovernmentBody"), [(4, 7, "ORG")], [("义乌海关", "GovernmentBody")]),
    (["义乌", "恒达", "公司"], (0, 2, "City"), [(2, 6, "ORG")], [("义乌", "City"), ("恒达公司", "Company")]),
    # a person the rules cut at two characters and the model reads one longer is the model's; by one only, a person
    (["王明", "华", "说"], (0, 2, "Person"), [(0, 3, "PER")], [("王明华", "Person")]),
    (["王明", "华表", "说"], (0, 2, "Person"), [(0, 4, "PER")], [("王明", "Person")]),
    (["义乌", "华", "说"], (0, 2, "City"), [(0, 3, "PER")], [("义乌", "City")]),
    # the model's own spans overlap (a one-character surname read into the body after it) or repeat: the first wins
    # (before: spaCy's E1010, and the whole article failed)
    (["义乌", "请", "陈", "任县", "外经贸局", "局长"], (0, 2, "City"), [(3, 6, "PER"), (5, 10, "ORG")],
     [("义乌", "City"), ("陈任县", "Person")]),
    (["义乌", "：", "陈", "林杰", "说"], (0, 2, "City"), [(3, 6, "PER"), (3, 6, "PER")],
     [("义乌", "City"), ("陈林杰", "Person")]),
])
def test_merge(vocab, words, rule, model, expected):
    doc = Doc(vocab, words=words, spaces=[False] * len(words))
    doc.ents = [doc.char_span(rule[0], rule[1], label=rule[2], kb_id=doc.text[rule[0]:rule[1]])]
    merged = FakeModel(model)(doc)
    assert [(e.text, e.label_) for e in merged.ents] == expected
    assert merged.text == doc.text


@pytest.mark.parametrize("words, rules, model, expected", [
    # the model reads the first mention 王明华: the later 王明|华 the rules cut the same way is the same person
    (["王明", "华", "说", "，", "王明", "华", "认为"], [(0, 2), (5, 7)], [(0, 3, "PER")],
     [("王明华", "Person"), ("王明华", "Person")]),
    # a short form followed by another character is not that reading
    (["王明", "华", "说", "，", "王明", "认为"], [(0, 2), (5, 7)], [(0, 3, "PER")],
     [("王明华", "Person"), ("王明", "Person")]),
    # nor does a two-character person grow without a longer reading in the article
    (["王明", "华", "说", "，", "王明", "华", "认为"], [(0, 2), (5, 7)], [], [("王明", "Person"), ("王明", "Person")]),
])
def test_the_longer_reading_of_a_person_wins_in_the_whole_article(vocab, words, rules, model, expected):
    doc = Doc(vocab, words=words, spaces=[False] * len(words))
    doc.ents = [doc.char_span(s, e, label="Person", kb_id=doc.text[s:e]) for s, e in rules]
    merged = FakeModel(model)(doc)
    assert [(e.text, e.label_) for e in merged.ents] == expected


# --- classes by head word --------------------------------------------------------------------------------------


@pytest.mark.parametrize("label, text, cls", [
    ("ORG", "十五大", "Event"),          # a party congress by its number
    ("ORG", "党的二十大", "Event"),
    ("PER", "王小明", "Person"),
    ("LOC", "卡拉干达", "Place"),
    ("LOC", "梅山港", "Facility"),
    ("LOC", "金华南站", "Facility"),
    ("LOC", "萧山机场", "Facility"),
    ("LOC", "二连浩特口岸", "Facility"),
    ("LOC", "柯桥轻纺城市场", "Facility"),
    ("LOC", "前湾新区", "Zone"),
    ("LOC", "青山工业园", "Zone"),
    ("ORG", "瑞丰进出口", "Organization"),
    ("ORG", "恒达五金公司", "Company"),
    ("ORG", "远航物流集团", "Company"),
    ("ORG", "交通运输部", "GovernmentBody"),
    ("ORG", "市场监管局", "GovernmentBody"),
    ("ORG", "嘉兴海关", "GovernmentBody"),
    ("ORG", "湖州市政府", "GovernmentBody"),
    ("ORG", "发改委", "GovernmentBody"),
    ("ORG", "商务厅", "GovernmentBody"),
    ("ORG", "五金协会", "Association"),
    ("ORG", "温州商会", "Association"),
])
def test_head_word_class(label, text, cls):
    assert ontology_class(label, text) == cls


def test_score_lines_scores_kg_ner_records_on_the_development_slice(tmp_path):
    script = Path(__file__).resolve().parent.parent / "training" / "score_lines.py"
    data = tmp_path / "train.txt"
    data.write_text("今天/o 下雨/o 。/o\n明天/o 晴/o 。/o\n王海涛/nr 去/o 义乌/ns 。/o\n海关总署/nt 发布/o 。/o\n",
                    encoding="utf-8")
    run = [sys.executable, str(script), "--data", str(data), "--dev-share", "0.5"]
    subprocess.run([*run, "--write-text", str(tmp_path / "dev.txt")], check=True)
    assert (tmp_path / "dev.txt").read_text(encoding="utf-8") == "王海涛去义乌。\n海关总署发布。\n"
    records = [{"text": "王海涛去义乌。", "entities": [{"start": 0, "end": 3, "type": "PER"},
                                                       {"start": 4, "end": 6, "type": "ORG"}]},   # wrong type
               {"text": "海关总署发布。", "entities": []}]
    (tmp_path / "dev.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                                        encoding="utf-8")
    out = subprocess.run([*run, str(tmp_path / "dev.jsonl")], check=True, capture_output=True, text=True).stdout
    assert out.splitlines()[-1].split() == ["ALL", "0.5000", "0.3333", "0.4000", "3"]
    (tmp_path / "short.jsonl").write_text(json.dumps(records[0], ensure_ascii=False) + "\n", encoding="utf-8")
    failed = subprocess.run([*run, str(tmp_path / "short.jsonl")], capture_output=True, text=True)
    assert failed.returncode != 0 and "do not match" in failed.stderr


def test_score_lines_scores_a_whole_test_file(tmp_path):
    script = Path(__file__).resolve().parent.parent / "training" / "score_lines.py"
    gold = tmp_path / "test.txt"
    gold.write_text("李海涛/nr 去/o 温州/ns 。/o 很好/o 。/o\n", encoding="utf-8")
    run = [sys.executable, str(script), "--gold", str(gold)]
    subprocess.run([*run, "--write-text", str(tmp_path / "test_text.txt")], check=True)
    assert (tmp_path / "test_text.txt").read_text(encoding="utf-8") == "李海涛去温州。\n很好。\n"
    records = [{"text": "李海涛去温州。", "entities": [{"start": 0, "end": 3, "type": "PER"}]},
               {"text": "很好。", "entities": []}]
    (tmp_path / "test.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                                         encoding="utf-8")
    out = subprocess.run([*run, str(tmp_path / "test.jsonl")], check=True, capture_output=True, text=True).stdout
    assert out.splitlines()[-1].split() == ["ALL", "1.0000", "0.5000", "0.6667", "2"]


@pytest.mark.parametrize("text, start, end, expected", [
    ("王明宣读了表彰决定。", 0, 3, 2),       # 宣读 follows the name
    ("李强作报告。", 0, 3, 2),               # 作报告
    ("王明华说，订单增加。", 0, 3, 3),       # 说 is one character: a three-character name stays
    ("王明华宣读了决定。", 0, 3, 3),
])
def test_a_model_person_running_into_a_cue_word_is_cut(nlp, text, start, end, expected):
    assert nlp.get_pipe("kg_statistical_ner")._trim_cue(text, start, end) == expected


@pytest.mark.parametrize("text, name", [
    ("报告团成员分别介绍了经验。", "报告团"),             # a kind of group the model reads as a name
    ("剧院下属歌剧团、舞剧团和民乐团。", "舞剧团"),
    ("一架“空中客车”Ａ３２０客机降落。", "空中客车"),     # a product with its code
    ("他重读了《共产党宣言》。", "共产党"),               # a word of a book's title
])
def test_model_organisations_that_name_nothing_are_left_out(nlp, text, name):
    model = [text[s:e] for s, e, label, _ in nlp.get_pipe("kg_statistical_ner").spans(text) if label == "ORG"]
    assert name in model                                 # the model reads it as an organisation...
    assert name not in {e.text for e in nlp(text).ents}  # ...and kg leaves it out
