"""Line repair for text that went through a newspaper PDF: table tests, one rule per row."""
import pytest

from kg.ingest import normalize_for_matching, repair

# (why, raw text, repaired text). The examples are written for these tests.
REPAIRS = [
    ("a line broken inside a sentence is re-joined without a space",
     "义乌国际商贸城五区的商户\n们正忙着准备年货。",
     "义乌国际商贸城五区的商户们正忙着准备年货。"),
    ("a blank line inside a quoted phrase is re-joined too",
     "改革在继续。\n\n市场构建了“采购—组货—报关—结\n\n算”一体化流程，效率明显提高。",
     "改革在继续。\n\n市场构建了“采购—组货—报关—结算”一体化流程，效率明显提高。"),
    ("the first line of a page is a headline, never glued to what follows",
     "浙江义乌国际贸易综合改革试点取得新进展\n\n发布时间：2024年1月2日",
     "浙江义乌国际贸易综合改革试点取得新进展\n\n发布时间：2024年1月2日"),
    ("Latin words broken over lines keep a space between them",
     "店里陈列着来自品牌 Yiwu\nSelection 的小商品。",
     "店里陈列着来自品牌 Yiwu Selection 的小商品。"),
    ("a number broken over lines is re-joined",
     "国务院于2024年12月6\n日批复了新的改革方案。",
     "国务院于2024年12月6日批复了新的改革方案。"),
    ("a real paragraph break after a full stop is kept",
     "第一段说的是港口的事情。\n\n第二段说的是铁路的事情。",
     "第一段说的是港口的事情。\n\n第二段说的是铁路的事情。"),
    ("a headline keeps its own lines and is not glued to the body",
     "港口迎来开门红\n\n今年一季度，港口完成集装箱吞吐量同比增长百分之八，客户络绎不绝。",
     "港口迎来开门红\n\n今年一季度，港口完成集装箱吞吐量同比增长百分之八，客户络绎不绝。"),
    ("spaces of a justified column are squeezed out",
     "来 自 河 南 的 小 王 就 是 其 中 一 个 。",
     "来自河南的小王就是其中一个。"),
    ("a space between a Chinese word and a number is dropped",
     "全年用电量 4.49 亿千瓦时。",
     "全年用电量4.49亿千瓦时。"),
    ("a time of day keeps its space before the next field",
     "发布时间 2018-11-29 07:54:46 来源：某某日报",
     "发布时间2018-11-29 07:54:46 来源：某某日报"),
    ("a byline line ends its line even without punctuation",
     "本报讯 通讯员李华报道\n近日，金华海关发布了一组新数据。",
     "本报讯 通讯员李华报道\n近日，金华海关发布了一组新数据。"),
    ("a photo caption dropped into a sentence moves after it",
     "港口很忙。\n\n港口集团有限公司的一位相关负责\n\n\n码头夜景\n\n张三 摄\n\n人说，今年还会更忙。",
     "港口很忙。\n\n港口集团有限公司的一位相关负责人说，今年还会更忙。\n\n码头夜景\n\n张三 摄"),
    ("a comma at the end of a line always continues",
     "第一产业、第二产业、\n第三产业都在增长。",
     "第一产业、第二产业、第三产业都在增长。"),
    ("a story's opening line (本报讯, a dateline) is never glued to the headline above it",
     "港口今年还有新的计划。\n\n湖州港首条近洋航线开通\n\n本报讯（记者 钱多多）湖州港\n今天开通了新航线，首\n批集装箱已经装船。",
     "港口今年还有新的计划。\n\n湖州港首条近洋航线开通\n\n本报讯（记者 钱多多）湖州港今天开通了新航线，首批集装箱已经装船。"),
    ("… nor is a dateline in the same block",
     "温州瓯江口开通新的集\n装箱航线\n中新社温州5月6日电 温州港\n今天开通了新航线。",
     "温州瓯江口开通新的集装箱航线\n中新社温州5月6日电 温州港今天开通了新航线。"),
    ("a headline with a gap between its phrases keeps its line",
     "海港忙　陆港旺\n一季度物流量创新高\n\n本报讯 今年一季度，全市物\n流量创历史新高。",
     "海港忙　陆港旺\n一季度物流量创新高\n\n本报讯 今年一季度，全市物流量创历史新高。"),
    ("a ■ byline line ends its paragraph",
     "义乌机场货运量翻番\n\n■ 通讯员 丁一 记者 马可\n\n记者从义乌机场获悉，今\n年货运量比去年翻了一番。",
     "义乌机场货运量翻番\n\n■ 通讯员 丁一 记者 马可\n\n记者从义乌机场获悉，今年货运量比去年翻了一番。"),
    ("an info line (a date on its own, 来源：) ends its paragraph",
     "金华开出首趟冷链班列\n\n2024-10-08 09:30　来源：某某网\n\n记者从金华南站获悉，首\n趟冷链班列今天发车。",
     "金华开出首趟冷链班列\n\n2024-10-08 09:30　来源：某某网\n\n记者从金华南站获悉，首趟冷链班列今天发车。"),
    ("Windows line ends are handled like Unix ones",
     "中欧班列今天从义乌\r\n出发，开往马德里。",
     "中欧班列今天从义乌出发，开往马德里。"),
]


@pytest.mark.parametrize("why, raw, repaired", REPAIRS, ids=[r[0] for r in REPAIRS])
def test_repair(why, raw, repaired):
    assert repair(raw) == repaired


def test_html_paragraphs_are_not_joined():
    text = "图为繁忙的码头　　张三摄（新华社）\n\n记者从港口获悉，吞吐量创新高。"
    assert repair(text, join_paragraphs=False) == text


@pytest.mark.xfail(strict=True, reason="a justified line of two-character words looks like ordinary text")
def test_justified_two_char_words():
    assert repair("我们 今年 还要 继续 扩大 出口") == "我们今年还要继续扩大出口"


NORMALIZE = [
    ("ＡＢＣ１２３", "ABC123"),
    ("增长１６．５％", "增长16.5%"),
    ("（义新欧）", "(义新欧)"),
    ("中欧班列", "中欧班列"),
    ("义乌　港", "义乌 港"),
    ("……", "……"),          # no one-to-one half-width form: unchanged
]


@pytest.mark.parametrize("text, expected", NORMALIZE)
def test_normalize_for_matching(text, expected):
    out = normalize_for_matching(text)
    assert out == expected
    assert len(out) == len(text)
