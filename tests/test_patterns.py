"""kg.nlp.patterns (through the kg_entities component): names found by rule, with exact boundaries."""
from __future__ import annotations

import pytest

from kg.nlp.patterns import HeadPatterns
from kg.paths import ontology_dir


def ents(nlp, text):
    return {(e.text, e.label_) for e in nlp(text).ents}


MUST_MATCH = [
    # companies and organisations by their heads, stopping at verbs, prepositions and function words
    ("昨天，浙江华通供应链有限公司与客户签约。", "浙江华通供应链有限公司", "Company"),
    ("我们走进宁波远洋国际物流有限公司的仓库。", "宁波远洋国际物流有限公司", "Company"),
    ("记者从金华市商务局获悉，订单明显增加。", "金华市商务局", "GovernmentBody"),
    ("根据嘉兴海关统计，出口继续增长。", "嘉兴海关", "GovernmentBody"),
    ("温州市眼镜商会组织企业参展。", "温州市眼镜商会", "Association"),
    # zones, facilities, routes
    ("货物从衢州西站发出，运往欧洲。", "衢州西站", "Facility"),
    ("这批货在舟山港装船。", "舟山港", "Facility"),
    ("丽水经济技术开发区引进了三个项目。", "丽水经济技术开发区", "Zone"),
    ("首趟“金甬”集装箱班列今天开出。", "“金甬”集装箱班列", "Route"),
    ("杭州至布达佩斯全货机航线正式开通。", "杭州至布达佩斯全货机航线", "Route"),
    # a head with its type in brackets is a name even alone
    ("区内的保税物流中心（B型）今年封关运作。", "保税物流中心（B型）", "Zone"),
    ("衢州保税物流中心(B型)开始运营。", "衢州保税物流中心(B型)", "Zone"),
    ("满载小家电的中欧班列（金华—华沙）今天发车。", "中欧班列（金华—华沙）", "Route"),
    # towns
    ("这家工厂搬到了安吉县天子湖镇。", "天子湖镇", "Town"),
    ("仓库设在诸暨市店口镇，离高速很近。", "店口镇", "Town"),
    # policies
    ("省政府印发《关于加快跨境贸易发展的实施方案》。", "《关于加快跨境贸易发展的实施方案》", "Policy"),
    ("当地推行仓单质押制度，企业融资更方便。", "仓单质押制度", "Policy"),
    # industries and events
    ("全市新能源汽车制造业增长迅速。", "新能源汽车制造业", "Industry"),
    ("第十届五金博览会在永康开幕。", "五金博览会", "Event"),
    ("全省跨境物流工作推进会在宁波召开。", "全省跨境物流工作推进会", "Event"),
    # persons from bylines, roles and cues
    ("记者 王小明 通讯员 李华", "王小明", "Person"),
    ("记者 王小明 通讯员 李华", "李华", "Person"),
    ("新的仓库已经投用。张建国摄", "张建国", "Person"),
    ("公司总经理刘海涛说，订单排到了明年。", "刘海涛", "Person"),
    ("来自埃及的客商阿米尔正在挑选灯具。", "阿米尔", "Person"),
    # a name the segmenter cuts up or glues to the next word, after a role word
    ("工贸公司总经理周海华喜上眉梢。", "周海华", "Person"),
    ("市委书记李一飞带领团队调研。", "李一飞", "Person"),
    ("公司总经理王强称订单已排满。", "王强", "Person"),
    ("公司总经理王强在现场指挥。", "王强", "Person"),
    # the role word itself cut up by the segmenter (市|领导), the name too (季|金甫)
    ("县领导季文海出席了开工仪式。", "季文海", "Person"),
    ("市领导季文海出席了开工仪式。", "季文海", "Person"),
    # Latin-script platforms and brands
    ("很多商户通过Temu平台销售。", "Temu", "Platform"),
    # a stop word the segmenter cuts into pieces still stops a name; a period of time is no part of one
    ("这些成绩离不开仓单质押制度的支撑。", "仓单质押制度", "Policy"),
    ("上半年温州综合保税区进口大幅增加。", "温州综合保税区", "Zone"),
    # a known zone or route keeps its name when words stand before it; a “quoted” part makes a new name
    ("今年以来浙江中欧班列开行超过千列。", "中欧班列", "Route"),
    ("增速超越杭州综保区位居全省第一。", "杭州综保区", "Zone"),
    ("首趟“甬金欧”中欧班列满载发车。", "“甬金欧”中欧班列", "Route"),
    # 和 inside an office's name, 及 inside an industry's
    ("丽水市莲都区农业农村和水利局发布通知。", "丽水市莲都区农业农村和水利局", "GovernmentBody"),
    ("全省高技术及装备制造业增速加快。", "高技术及装备制造业", "Industry"),
    # an industry is named without its place; a “quoted” term before 行业 is the industry's name
    ("湖州第三产业用电量增长较快。", "第三产业", "Industry"),
    ("今年“老三样”行业出口回落。", "“老三样”", "Industry"),
    # 工程 makes a policy's name only with a “quoted” part
    ("当地推进文化强市“书香工程”。", "文化强市“书香工程”", "Policy"),
    ("两地合作实施“山海协作工程”。", "“山海协作工程”", "Policy"),
    ("丽水“山海协作工程”成效明显。", "“山海协作工程”", "Policy"),       # without the place before it
]


@pytest.mark.parametrize("text, name, cls", MUST_MATCH)
def test_must_match_with_exact_boundaries(nlp, text, name, cls):
    assert (name, cls) in ents(nlp, text)


MUST_NOT_MATCH = [
    ("一家外贸公司发来订单。", "外贸公司"),               # a description, not a name
    ("货物经铁路口岸出境。", "铁路口岸"),
    ("形成了新的发展格局。", "格局"),                     # 局 ends an ordinary word
    ("欢迎外商来华投资兴业。", "资兴"),                   # a county alias cut out of two words
    ("这里是重要的口岸城市。", "口岸"),                   # the head starts a longer word
    ("我们走进宁波远洋国际物流有限公司的仓库。", "走进宁波远洋国际物流有限公司"),
    ("《人民日报》报道了这件事。", "《人民日报》"),        # a newspaper is not a policy
    ("负责人表示，今年订单增加。", "表示"),
    # descriptions, not names
    ("这些成绩离不开改革。", "离不开改革"),
    ("全省正在建设两大开放通道。", "开放通道"),
    ("这是单一物流通道难以做到的。", "单一物流通道"),
    ("金华回程班列数量持续增长。", "金华回程班列"),
    ("该平台设有中文站和英文国际站。", "英文国际站"),
    ("其他制造业四类行业增长放缓。", "制造业四类行业"),
    ("所有细分行业都在增长。", "细分行业"),
    ("“新三样”相关产业行业表现亮眼。", "产业行业"),
    ("这里不仅要通贸易，更要“兴产业”。", "兴产业"),
    ("这是民生实事工程之一。", "民生实事工程"),
    ("这为中国自贸试验区提供了经验。", "中国自贸试验区"),
    ("规模以上工业中制造业增长较快。", "工业中制造业"),
    ("片区创新人才服务评价体系。", "片区创新人才服务评价体系"),
    ("当地推出农业保险，降低养殖风险。", "农业保险"),          # a kind of insurance, not a named policy
    ("当地为创业者搭建平台，让创业者安心创业。", "安心"),       # a word after a role word, not a person
    ("外国客商包机来华采购。", "包机"),
    ("各地都在建设自贸试验区。", "自贸试验区"),               # the head alone is a kind of zone
    ("省委员会办公室发出通知。", "委员会办公室"),             # a head before a head is no name
    ("全国十大优秀综试区名单公布。", "优秀综试区"),
    ("永康是有名的五金之乡。", "五金之乡"),                   # a hometown of a trade is no town
    ("很多青年回到家乡创业，城镇就业稳定。", "城镇"),
]


@pytest.mark.parametrize("text, name", MUST_NOT_MATCH)
def test_must_not_match(nlp, text, name):
    assert name not in {e.text for e in nlp(text).ents}


@pytest.mark.parametrize("word, strong, expected", [
    ("王小明", False, True),
    ("欧阳青", False, True),
    ("阿米尔", True, True),
    ("阿米尔", False, False),    # a transliterated name needs a cue before it
    ("方面", False, False),       # a surname character starting an ordinary word
    ("表示", True, False),
])
def test_looks_like_name(word, strong, expected):
    patterns = HeadPatterns.load(ontology_dir() / "patterns.yml")
    assert patterns.looks_like_name(word, strong=strong) is expected
