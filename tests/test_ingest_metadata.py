"""read_articles: the metadata a story's own lines state (headline, date, byline, publisher) and story cuts."""
import pytest

from kg.ingest import read_articles
from kg.ingest.formats import split_site_suffix
from kg.records import Article


def read(tmp_path, name, text):
    (tmp_path / name).write_text(text, encoding="utf-8")
    return [a for a in read_articles([tmp_path / name]) if isinstance(a, Article)]


# --- HTML headlines: the article's own headline, else <title> without the site name -------------------------------

@pytest.mark.parametrize("title, headline, site", [
    ("金华南站今年首趟班列发车_浙江物流网", "金华南站今年首趟班列发车", "浙江物流网"),
    ("舟山港新开两条航线 - 海港在线", "舟山港新开两条航线", "海港在线"),
    ("义乌商贸城迎来采购高峰|小商品资讯|某某网", "义乌商贸城迎来采购高峰", "某某网"),
    ("义乌—宁波班列1—2月开行超百列", "义乌—宁波班列1—2月开行超百列", None),   # dashes inside a headline stay
    ("义乌-宁波 海铁联运提速", "义乌-宁波 海铁联运提速", None),
    ("首页_某某网", "首页_某某网", None),                                         # too short to be a headline
])
def test_site_suffix(title, headline, site):
    assert split_site_suffix(title) == (headline, site)


PAGE = ("<html><head><title>{title}</title></head><body><div id='top'><div class='logo'>某某网</div></div>"
        "<div class='content'>{heading}<p>记者从义乌市获悉，今年一季度当地出口继续增长。</p></div></body></html>")


@pytest.mark.parametrize("title, heading, expected", [
    ("义乌出口一季度继续增长 - 某某网", "", "义乌出口一季度继续增长"),
    ("义乌出口一季度继续增长 - 某某网", "<h2 class='title'>义乌出口一季度继续增长</h2>", "义乌出口一季度继续增长"),
    ("义乌出口增长_某某网", "<h1>一季度义乌出口继续增长</h1>", "一季度义乌出口继续增长"),
    ("义乌出口增长_某某网", "<h2>相关新闻</h2>", "义乌出口增长"),          # an h2 the <title> does not name
])
def test_html_headline(tmp_path, title, heading, expected):
    [a] = read(tmp_path, "a.html", PAGE.format(title=title, heading=heading))
    assert a.title == expected
    assert "某某网" not in a.text   # the logo is page furniture


# --- bylines: a field ends at its line or bracket; role words glued to a name are split off ------------------------

@pytest.mark.parametrize("text, authors, correspondents", [
    # the field ends at the line: the dateline below it is not a name (新华社宁 was read as one)
    ("<h1>义乌港口新闻</h1><div>时间：2024-04-02　作者：韩思远</div><p>新华社宁波4月2日电（记者 韩思远）宁波的码头"
     "今天很忙。</p><p>码头上的集装箱堆得很高。</p>", ("韩思远",), ()),
    # a role glued to the name, and a name cut by the line break; a correspondent is not the outlet's reporter
    ("本报讯（通讯员 沈一鸣 记者\n欧阳晓东）义乌的商贸城今天很热闹，\n采购商很多。\n\n市场里人来人往。", ("欧阳晓东",),
     ("沈一鸣",)),
    # 县委报道组 is whom 蒋一帆 works for, not the newspaper
    ("发布时间：2019-03-05 来源：金华日报 作者：记者 叶子涵 王可 县委报道组 蒋一帆\n\n金华今天开出一趟班列。",
     ("叶子涵", "王可"), ("蒋一帆",)),
    ("新华社杭州3月1日电（记者 周正 何平）杭州的快递量继续增长。", ("周正", "何平"), ()),
    ("丽水港吞吐量创新高\n某某在线-丽水日报 · 通讯员 林一 记者 吴双 周全 | 发布时间2021-02-03 10:00\n\n丽水港今年很忙。",
     ("吴双", "周全"), ("林一",)),
])
def test_bylines(tmp_path, text, authors, correspondents):
    [a] = read(tmp_path, "a.html" if text.startswith("<") else "a.txt", text)
    assert (a.authors, a.correspondents) == (authors, correspondents)


def test_outlet_before_the_byline(tmp_path):
    text = "丽水港吞吐量创新高\n某某在线-丽水日报 · 通讯员 林一 记者 吴双 | 发布时间2021-02-03 10:00\n\n丽水港今年很忙。"
    [a] = read(tmp_path, "a.txt", text)
    assert a.publisher == "丽水日报"


# --- info lines under the headline: a date on its own, labelled fields; never a headline of their own -------------

BODY = "\n\n中新网金华4月9日电（记者 洪一帆）金华今年开出的班列越来越多，企业订单饱满。\n\n" \
       "货场里的集装箱排成长队，工人们正在装车。\n\n" + "当地物流企业表示，今年的运输需求比去年更旺，新线路还在不断开通。" * 4


@pytest.mark.parametrize("head, title, date, publisher", [
    ("金华班列开行量创新高\n\n2024-04-09 10:20　来源：某某新闻网", "金华班列开行量创新高", "2024-04-09", "某某新闻网"),
    ("金华班列开行量创新高 企业订单饱满\n\n2024/04/09　来源：某某新闻网", "金华班列开行量创新高 企业订单饱满",
     "2024-04-09", "某某新闻网"),
    ("某某日报　　2024年4月9日　星期二\n\n金华班列开行量创新高", None, "2024-04-09", "某某日报"),
    ("金华班列开行量创新高\n\n2024-04-09", "金华班列开行量创新高", "2024-04-09", "中新网"),
    ("截至2024年4月9日 金华班列开行量创新高", "截至2024年4月9日 金华班列开行量创新高", None, "中新网"),  # in a headline
])
def test_info_line(tmp_path, head, title, date, publisher):
    [a] = read(tmp_path, "a.txt", head + BODY)
    assert (a.title, a.date, a.publisher, a.authors) == (title, date, publisher, ("洪一帆",))


@pytest.mark.parametrize("text, date", [
    ("<h1>义乌新开一条航线</h1><div class='info'>2023-11-02 08:00　来源：某某网</div><p>义乌机场今天新开一条货运航线。</p>",
     "2023-11-02"),
    ("<h1>义乌新开一条航线</h1><p>2023年11月2日 09:15</p><p>义乌机场今天新开一条货运航线。</p>", "2023-11-02"),
    ("<h1>义乌新开一条航线</h1><p>义乌机场2023年11月2日新开一条货运航线。</p>", None),   # a date inside a sentence
])
def test_html_info_line_date(tmp_path, text, date):
    [a] = read(tmp_path, "a.html", text)
    assert a.date == date


# --- a newspaper page as pdftotext gives it: page header, two stories, the second opened by a ■ byline -------------

NEWSPAPER = """某某商报　　　　2024年11月5日　星期二
第2版　经济　　　　责任编辑：田野

湖州港迎来　首条近洋航线
首批集装箱今天装船出海

本报讯（通讯员 柳青 记者
欧阳明辉）湖州港今天开通
了首条近洋集装箱航线，首批
集装箱从湖州港装船，经上
海港中转后运往日本大阪。

港口方面介绍，这条航线每
周两班，比原来走公路节省
运费约两成。湖州港今年的
集装箱吞吐量有望再创新高。

丽水山区特产
搭上跨境电商快车

■ 通讯员 石磊 记者 夏冰

丽水的香菇、茶叶等山区特
产正通过跨境电商平台卖到
海外。今年前三季度，全市
特产跨境电商出口额同比增
长三成以上。

当地电商企业表示，跨境电
商让山区特产有了更大的市
场，订单已经排到了年底。

　　　　　　　　　　2
"""


@pytest.mark.parametrize("n, title, authors, first_words", [
    (0, "湖州港迎来　首条近洋航线 首批集装箱今天装船出海", ("欧阳明辉",), "本报讯（通讯员 柳青 记者欧阳明辉）湖州港今天开通"),
    (1, "丽水山区特产 搭上跨境电商快车", ("夏冰",), "丽水的香菇、茶叶等山区特产正通过"),
])
def test_newspaper_page(tmp_path, n, title, authors, first_words):
    stories = read(tmp_path, "page.txt", NEWSPAPER)
    assert len(stories) == 2
    a = stories[n]
    assert (a.title, a.date, a.authors, a.publisher) == (title, "2024-11-05", authors, "某某商报")
    assert any(s.text.startswith(first_words) for s in a.sentences)


# --- front matter: an outlet named as author is the publisher; a web address named as source is the url ----------

@pytest.mark.parametrize("front, authors, publisher, url", [
    ("author: 张小雨\nsource: 某某日报", ("张小雨",), "某某日报", None),
    ("author: 某某经贸观察\nsource: 'https://example.com/a.html'", (), "某某经贸观察", "https://example.com/a.html"),
    ("author: 某某财经网", (), "某某财经网", None),
    ("author: 欧阳明辉、司马青", ("欧阳明辉", "司马青"), None, None),
])
def test_front_matter_people_and_outlets(tmp_path, front, authors, publisher, url):
    [a] = read(tmp_path, "a.md", f"---\n{front}\n---\n义乌今年的出口继续增长。")
    assert (a.authors, a.publisher, a.url) == (authors, publisher, url)
