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

@pytest.mark.parametrize("text, authors", [
    # the field ends at the line: the dateline below it is not a name (新华社宁 was read as one)
    ("<h1>义乌港口新闻</h1><div>时间：2024-04-02　作者：韩思远</div><p>新华社宁波4月2日电（记者 韩思远）宁波的码头"
     "今天很忙。</p><p>码头上的集装箱堆得很高。</p>", ("韩思远",)),
    # a role glued to the name, and a name cut by the line break
    ("本报讯（通讯员 沈一鸣 记者\n欧阳晓东）义乌的商贸城今天很热闹，\n采购商很多。\n\n市场里人来人往。", ("沈一鸣", "欧阳晓东")),
    ("发布时间：2019-03-05 来源：金华日报 作者：记者 叶子涵 王可 县委报道组 蒋一帆\n\n金华今天开出一趟班列。",
     ("叶子涵", "王可", "蒋一帆")),   # 县委报道组 is whom 蒋一帆 works for
    ("新华社杭州3月1日电（记者 周正 何平）杭州的快递量继续增长。", ("周正", "何平")),
])
def test_bylines(tmp_path, text, authors):
    [a] = read(tmp_path, "a.html" if text.startswith("<") else "a.txt", text)
    assert a.authors == authors
