"""kg_entities: one entity per real thing (keys, nesting, width variants, declared short forms), and kg ner."""
from __future__ import annotations

import pytest

from kg.nlp.canonical import canonical_key, short_forms


@pytest.mark.parametrize("a, b, cls", [
    ("“金甬”集装箱班列", "金甬集装箱班列", "Route"),           # quotes only mark a name
    ("ＡＢＣ贸易有限公司", "abc贸易有限公司", "Company"),         # full/half width and case
    ("浙江华通供应链股份有限公司", "浙江华通供应链有限公司", "Company"),   # legal suffix variants
    ("浙江华通供应链有限责任公司", "浙江华通供应链公司", "Company"),
])
def test_variants_share_one_key(a, b, cls):
    assert canonical_key(a, cls) == canonical_key(b, cls)


@pytest.mark.parametrize("a, b, cls", [
    ("嘉兴港", "嘉兴港区", "Facility"),
    ("金华海关", "金华市商务局", "GovernmentBody"),
])
def test_different_things_keep_different_keys(a, b, cls):
    assert canonical_key(a, cls) != canonical_key(b, cls)


@pytest.mark.parametrize("text, short", [
    ("浙江华通供应链有限公司（以下简称“华通”）成立于2010年。", "华通"),
    ("宁波远洋国际物流有限公司(简称远洋物流)今年扩建仓库。", "远洋物流"),
])
def test_short_form_declarations(text, short):
    assert [s for _, _, s in short_forms(text)] == [short]


def test_declared_short_form_is_the_same_entity(nlp):
    doc = nlp("浙江华通供应链有限公司（以下简称“华通”）今年扩建仓库，华通的订单排到明年。")
    keys = {e.text: e.kb_id_ for e in doc.ents}
    assert keys["华通"] == keys["浙江华通供应链有限公司"]


@pytest.mark.parametrize("text, whole, inner", [
    ("义乌国际商贸城今天客流不断。", "义乌国际商贸城", "义乌"),          # a nested name is not a mention
    ("金华南站的货场里停着班列。", "金华南站", "金华"),
])
def test_nested_names_are_not_mentions(nlp, text, whole, inner):
    names = [e.text for e in nlp(text).ents]
    assert whole in names and inner not in names


def test_town_opening_a_name_is_kept_apart(nlp):
    doc = nlp("工厂设在安吉县天子湖镇工业园区，订单饱满。")
    assert [e.text for e in doc.ents] == ["安吉县", "天子湖镇工业园区"]
    assert [(s.text, s.label_) for s in doc.spans["kg_inner"]] == [("天子湖镇", "Town")]


def test_gazetteer_alias_takes_the_gazetteer_key(nlp):
    a = {e.text: e.kb_id_ for e in nlp("义乌市今年出口增长。").ents}
    b = {e.text: e.kb_id_ for e in nlp("义乌今年出口增长。").ents}
    assert a["义乌市"] == b["义乌"]


def test_full_width_text_matches(nlp):
    doc = nlp("客商通过Ｂｕｙｍａｘ平台下单。")
    assert ("Ｂｕｙｍａｘ", "Platform") in {(e.text, e.label_) for e in doc.ents}


def test_tag_lines_offsets_point_into_the_line(nlp):
    from kg.nlp.tagging import tag_lines

    records = list(tag_lines(["记者从金华市商务局获悉。\n", "\n"], nlp=nlp))
    assert records[1] == {"text": "", "entities": []}
    line = records[0]
    assert {"start": 3, "end": 9, "text": "金华市商务局", "type": "GovernmentBody"} in line["entities"]
    for e in line["entities"]:
        assert line["text"][e["start"]:e["end"]] == e["text"]


def test_tag_lines_with_msra_labels_are_the_model_spans(nlp):
    from kg.nlp.charner import CharTagger
    from kg.nlp.tagging import tag_lines
    from kg.nlp.statistical import MODEL_DIR

    lines = ["浙江大学教授李明华说，商户们正在开拓中东市场。", "义乌小商品出口到塔什干。"]
    records = list(tag_lines(lines, nlp=nlp, labels="msra"))
    assert [[(e["start"], e["end"], e["type"], e["confidence"]) for e in r["entities"]] for r in records] == \
        CharTagger.load(MODEL_DIR).many(lines)
    assert {(e["text"], e["type"]) for e in records[0]["entities"]} == {("浙江大学", "ORG"), ("李明华", "PER"),
                                                                         ("中东", "LOC")}


def test_tag_lines_gives_each_line_what_it_gives_it_alone(nlp):
    from kg.nlp.tagging import tag_lines

    lines = ["记者从金华市商务局获悉。", "", "中欧班列从义乌出发，抵达马德里。"] * 100   # more than one batch of lines
    assert list(tag_lines(lines, nlp=nlp)) == [record for line in lines[:3] for record in tag_lines([line], nlp=nlp)] * 100


@pytest.mark.parametrize("text, long, short", [
    # one company written in full, then shorter, in one article
    ("丽水青田华远现代农业有限公司扩建了基地。华远农业有限公司今年还将招工。", "丽水青田华远现代农业有限公司", "华远农业有限公司"),
])
def test_abridged_company_name_is_the_same_entity(nlp, text, long, short):
    keys = {e.text: e.kb_id_ for e in nlp(text).ents}
    assert keys[short] == keys[long]


@pytest.mark.parametrize("text, a, b", [
    # two companies that only share a word stay two
    ("华远农业有限公司和华通物流有限公司签约。", "华远农业有限公司", "华通物流有限公司"),
])
def test_different_companies_stay_apart(nlp, text, a, b):
    keys = {e.text: e.kb_id_ for e in nlp(text).ents}
    assert keys[a] != keys[b]


def test_abridged_office_name_is_the_same_entity(nlp):
    doc = nlp("丽水市莲都区农业农村和水利局发布通知。莲都区农水局表示将加快推进。")
    keys = {e.text: e.kb_id_ for e in doc.ents}
    assert keys["莲都区农水局"] == keys["丽水市莲都区农业农村和水利局"]


@pytest.mark.parametrize("text, name, cls", [
    # a ministry written after a country is that country's
    ("泰国外交部昨天发表声明。", "泰国外交部", "GovernmentBody"),
    ("日本财政部公布了数据。", "日本财政部", "GovernmentBody"),
])
def test_a_ministry_after_its_country_is_one_name(nlp, text, name, cls):
    assert (name, cls) in {(e.text, e.label_) for e in nlp(text).ents}


@pytest.mark.parametrize("text, name", [
    ("财政部长发表了讲话。", "财政部"),          # a minister's title, not the ministry
    ("这里是一片锦绣江山。", "江山"),            # a county's short form inside ordinary words
    ("当地政府和政企联动部门共同发力。", "和政"),
])
def test_names_inside_other_words_are_not_mentions(nlp, text, name):
    assert name not in {e.text for e in nlp(text).ents}


@pytest.mark.parametrize("text, name", [
    ("兰溪承接起义乌商品集散。", "义乌"),         # the segmenter's 起义 does not hide the city
    ("江山市和义乌市签约。", "江山市"),
])
def test_short_names_the_segmenter_cut_are_kept(nlp, text, name):
    assert name in {e.text for e in nlp(text).ents}


def test_kg_ner_keeps_pkuseg_loading_notice_off_stderr():
    """pkuseg prints a WARNING each time it loads the PyPI archive's model (features.pkl, not .msgpack): a user saw it
    before every command's output. The answer goes to stdout, and stderr stays empty."""
    import json
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "kg.cli", "ner"], input="记者从金华市商务局获悉。\n",
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert json.loads(done.stdout)["entities"]


@pytest.mark.parametrize("text, name", [
    # a body of an international organisation written right after it is one name with it
    ("联合国贸易和发展会议在日内瓦举行。", "联合国贸易和发展会议"),
    ("联合国开发计划署发布了年度报告。", "联合国开发计划署"),
    ("联合国粮农组织发布报告。", "联合国粮农组织"),
    # a role or a verb after it is no body (联合国 alone)
    ("联合国秘书长出席会议。", "联合国"),
    ("联合国今天召开会议。", "联合国"),
])
def test_a_body_after_its_organisation_is_one_name(nlp, text, name):
    found = {(e.text, e.label_) for e in nlp(text).ents}
    assert (name, "Organization") in found
    assert not any(n != name and n.startswith("联合国") for n, _ in found)


@pytest.mark.parametrize("text, name", [
    ("他引用了《联合国宪章》的条文。", "联合国"),     # a word of a document's title
])
def test_an_organisation_inside_a_title_is_no_mention(nlp, text, name):
    assert name not in {e.text for e in nlp(text).ents}


@pytest.mark.parametrize("text, name", [
    # a company's unit written after it and the place it serves is one name with it
    ("中国铁路南昌局集团公司赣州货运中心组织了专列。", "中国铁路南昌局集团公司赣州货运中心"),
    ("宁波港口物流有限公司绍兴分公司负责运营。", "宁波港口物流有限公司绍兴分公司"),
])
def test_a_company_unit_after_its_place_is_one_name(nlp, text, name):
    assert (name, "Company") in {(e.text, e.label_) for e in nlp(text).ents}


@pytest.mark.parametrize("text, place, name", [
    # a place right after a place, which the segmenter cut across (金华兰|溪方), is a place: the name after it
    # holds one place only
    ("金华兰溪方下店作业区首次开通了航线。", "兰溪", "兰溪方下店作业区"),
])
def test_a_place_glued_to_a_place_is_found(nlp, text, place, name):
    doc = nlp(text)
    assert name in {e.text for e in doc.ents}
    assert place in doc.text and all(e.text != "金华兰溪方下店作业区" for e in doc.ents)


# ------------------------------------------------------------- names with a bracketed qualifier (issues 17/18)
@pytest.mark.parametrize("text, name", [
    # a route with a place kg knows in brackets right after it: the place's own service
    ("今年以来，中欧班列（成都）累计开行1200列。", "中欧班列（成都）"),
    ("搭乘中欧班列(重庆)的货物运抵杜伊斯堡。", "中欧班列(重庆)"),
    ("中欧班列（乌鲁木齐）首次开行冷链专列。", "中欧班列（乌鲁木齐）"),
    # or a short qualifier that is no ordinary word: a brand
    ("截至目前，中欧班列（蓉欧）已开通22条线路。", "中欧班列（蓉欧）"),
    # a qualifier inside a rule-found route
    ("海铁联运（宁波）班列今年开行300列。", "海铁联运（宁波）班列"),
    # the bracket inside a zone's or a company's name was one name already
    ("中国（浙江）自由贸易试验区金义片区新增企业300家。", "中国（浙江）自由贸易试验区金义片区"),
    ("某某物流（上海）有限公司今年扩建仓库。", "某某物流（上海）有限公司"),
])
def test_a_name_with_a_bracketed_qualifier_is_one_name(nlp, text, name):
    assert name in {e.text for e in nlp(text).ents}


def test_a_qualified_route_is_its_own_entity_and_keeps_its_place(nlp):
    doc = nlp("中欧班列（成都）开行300列，中欧班列全年开行1.9万列。")
    keys = {e.text: e.kb_id_ for e in doc.ents}
    assert keys["中欧班列（成都）"] != keys["中欧班列"]
    assert [(s.text, s.label_) for s in doc.spans["kg_inner"]] == [("成都", "City")]


def test_a_route_with_its_brand_in_brackets_is_the_brand(nlp):
    keys = {e.text: e.kb_id_ for e in nlp("截至目前，中欧班列(义新欧)已开通22条线路，义新欧运量居前。").ents}
    assert keys["中欧班列(义新欧)"] == keys["义新欧"]


@pytest.mark.parametrize("text", [
    "中欧班列（记者王明）今年开行300列。",          # a byline
    "中欧班列（以下简称班列）今年开行300列。",      # a declared short form
    "中欧班列（2024年）开行300列。",                # a date
    "中欧班列（一季度）开行300列。",                # a period
    "中欧班列（进口）开行300列。",                  # an ordinary word describes
    "中欧班列（含回程班列）开行300列。",            # a note on what is counted
    "中欧班列（这是今年开行最多的一条线路）运量大。",  # a sentence
    "中欧班列（义乌综保区）运量大。",               # a second name ending in a head word
])
def test_a_bracketed_note_is_no_qualifier(nlp, text):
    assert "中欧班列" in {e.text for e in nlp(text).ents}


def test_a_place_inside_a_name_without_brackets_is_no_qualifier(nlp):
    doc = nlp("金东区块新增企业300家。")            # 东区 ends one character before the name ends
    assert [s.text for s in doc.spans["kg_inner"]] == []
