"""read_articles: formats, encodings, broken files, stable ids, story splitting, offsets."""
import io
import re
import sys
from pathlib import Path

import pytest
from conftest import shared_path
from hypothesis import HealthCheck, given, settings, strategies as st

from kg.ingest import IngestError, doc_id, read_articles
from kg.records import Article, Problem

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"


def articles(items):
    return [a for a in items if isinstance(a, Article)]


def problems(items):
    return [p for p in items if isinstance(p, Problem)]


def by_name(items):
    return {Path(a.source).name: a for a in articles(items)}


# --- broken files: each gives one Problem, the good ones are read -----------------------------------------------------

BROKEN = [
    # (file, code of its problem or None, text that must be read or None)
    ("empty.txt", "I003", None),
    ("image.txt", "I011", None),
    ("blob.md", "I011", None),
    ("gbk.txt", None, "义乌小商品市场今年出口继续增长"),
    ("big5.txt", None, "宁波港務集團今年貨物吞吐量繼續增長"),
    ("bom.txt", None, "金华南站开出今年第一趟中欧班列。"),
    ("truncated.txt", "I005", "舟山港的集装箱吞吐量再创"),
    ("truncated_gbk.txt", "I005", "宁波舟山港今年新开多条国际航"),
    ("mixed.txt", "I006", "同比增长九倍。"),
    ("bad_front_matter.md", "I008", "义乌铁路口岸今年开行班列超过一千列。"),
    ("unclosed_front_matter.md", "I007", "义乌机场新开一条货运航线。"),
]


@pytest.fixture(scope="module")
def broken_folder():
    return list(read_articles([FIXTURES / "broken"]))


@pytest.mark.parametrize("name, code, text", BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_folder(broken_folder, name, code, text):
    mine = [p for p in problems(broken_folder) if Path(p.source).name == name]
    if code:
        assert len(mine) == 1 and f"[{code}]" in mine[0].message and mine[0].hint
    else:
        assert mine == []
    read = by_name(broken_folder).get(name)
    if text:
        assert read is not None and text in read.text
    else:
        assert read is None


@pytest.mark.parametrize("name, encoding", [("gbk.txt", "gb18030"), ("big5.txt", "big5"), ("bom.txt", "utf-8")])
def test_encoding_is_reported(broken_folder, name, encoding):
    assert by_name(broken_folder)[name].encoding == encoding


def test_bom_is_not_in_the_text(broken_folder):
    assert not by_name(broken_folder)["bom.txt"].text.startswith("\ufeff")


def test_oversized_file_is_a_problem_and_the_rest_is_read(tmp_path):
    (tmp_path / "huge.txt").write_bytes("义乌的集装箱。\n".encode() * 200_000)   # ~4 MB, generated here
    (tmp_path / "small.txt").write_text("金华今天开通新航线。", encoding="utf-8")
    items = list(read_articles([tmp_path], max_bytes=1_000_000))
    assert [p.message[:6] for p in problems(items)] == ["[I004]"]
    assert [a.text for a in articles(items)] == ["金华今天开通新航线。"]


def test_default_limit_is_twenty_megabytes(tmp_path):
    big = tmp_path / "big.txt"
    with big.open("wb") as f:
        f.truncate(20 * 1024 * 1024 + 1)   # sparse: costs no disk
    assert "[I004]" in problems(read_articles([big]))[0].message


def test_missing_path_is_a_problem():
    assert "[I001]" in problems(read_articles(["/no/such/place.txt"]))[0].message


def test_unreadable_file_is_a_problem(tmp_path):
    locked = tmp_path / "locked.txt"
    locked.write_text("不能读的文件。", encoding="utf-8")
    locked.chmod(0)
    try:
        if locked.stat().st_mode & 0o777 == 0 and not _can_read(locked):
            assert "[I002]" in problems(read_articles([locked]))[0].message
        else:
            pytest.skip("running as root: permissions are not enforced")
    finally:
        locked.chmod(0o644)


def _can_read(path):
    try:
        path.read_bytes()
        return True
    except OSError:
        return False


def test_strict_stops_at_the_first_problem():
    with pytest.raises(IngestError, match=r"empty.txt: \[I003\]"):
        list(read_articles([FIXTURES / "broken"], strict=True, include=["empty.txt", "gbk.txt"]))


# --- formats ------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def good():
    return list(read_articles([FIXTURES / "good"]))


def test_markdown_front_matter(good):
    a = by_name(good)["feature.md"]
    assert (a.title, a.date, a.authors, a.url) == ("义乌小商品走向世界", "2024-03-08", ("张小明",),
                                                   "https://example.com/news/yiwu")
    assert "**" not in a.text and "](" not in a.text and "中欧班列运往欧洲" in a.text


def test_html_keeps_article_text_and_captions_only(good):
    a = by_name(good)["story.html"]
    assert a.title == "宁波舟山港货物吞吐量再创新高" and a.date == "2023-01-05" and a.authors == ("王小红",)
    assert "繁忙的集装箱码头" in a.text and a.photographers == ("李四",)
    for junk in ("不要读我", "color", "首页", "版权所有", "分享到微信", "联系我们"):
        assert junk not in a.text


def test_jsonl_reads_good_lines_and_reports_bad_ones(good):
    batch = [a for a in articles(good) if a.source.endswith("batch.jsonl")]
    assert [a.title for a in batch] == ["金华开通新航线", None]
    assert batch[0].publisher == "金华日报" and dict(batch[0].meta) == {"lang": "zh"}
    assert batch[1].authors == ("李雷", "韩梅梅")
    assert sorted(p.message[:11] for p in problems(good)) == ["[I009] line", "[I010] line"]


def test_stdin(monkeypatch):
    data = "本报讯 新年伊始，义乌很忙。\n".encode("gb18030")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    [a] = read_articles(["-"])
    assert a.source == "-" and a.encoding == "gb18030" and a.text == "本报讯 新年伊始，义乌很忙。"
    assert a.doc_id == doc_id("stdin")


@pytest.mark.parametrize("include, exclude, names", [
    ((), (), ["batch.jsonl", "feature.md", "page.txt", "story.html"]),
    (("*.md",), (), ["feature.md"]),
    ((), ("*.jsonl", "good/story.*"), ["feature.md", "page.txt"]),
])
def test_include_exclude(include, exclude, names):
    items = read_articles([FIXTURES], include=include, exclude=(*exclude, "broken/*"))
    assert sorted({Path(a.source).name for a in articles(items)}) == names


# --- ids, stories, sentences --------------------------------------------------------------------------------------


@pytest.mark.parametrize("relpath, index, expected", [
    ("newspaper page.txt", 2, "newspaper-page-"),
    ("义乌新闻.txt", None, "doc-"),
    ("2024/浙江 news.md", None, "news-"),
])
def test_doc_id_is_a_readable_ascii_slug(relpath, index, expected):
    made = doc_id(relpath, index)
    assert made.startswith(expected) and made.isascii() and re.fullmatch(r"[a-z0-9-]+", made)
    assert made == doc_id(relpath, index)
    assert made.endswith(f"-{index}") == bool(index)


def test_doc_id_comes_from_the_path_the_user_named():
    via_folder = {a.doc_id for a in read_articles([FIXTURES / "good"], include=["page.txt"])}
    direct = {a.doc_id for a in read_articles([FIXTURES / "good" / "page.txt"])}
    assert via_folder == direct == {doc_id("page.txt", 1), doc_id("page.txt", 2)}


def test_multi_story_page(good):
    page = [a for a in articles(good) if a.source.endswith("page.txt")]
    assert [(a.title, a.authors, a.correspondents, a.photographers) for a in page] == [
        ("商贸城里 年货采购忙", (), ("林晓",), ()),      # 通讯员林晓报道: a correspondent
        ("舟山港迎来 第一万艘集装箱船", ("周明",), (), ("王涛",)),
    ]
    assert "Yiwu Selection" in page[0].text
    assert "“揽货—集港—装船—结算”" in page[1].text


@pytest.mark.parametrize("text, date", [
    ("---\ndate: 2023-05-02\n---\n中新社义乌5月1日电 义乌的市场很热闹。", "2023-05-02"),
    ("中新社义乌5月1日电 义乌的市场很热闹。", None),            # no year anywhere: none is invented
    ("---\nyear: 2021\n---\n中新社义乌5月1日电 义乌的市场很热闹。", "2021-05-01"),
    ("新华社杭州2022年5月1日电 市场很热闹。", "2022-05-01"),
    ("义乌的市场很热闹。\n发布时间：2020-01-16 09:45", "2020-01-16"),
])
def test_dates(tmp_path, text, date):
    (tmp_path / "a.md").write_text(text, encoding="utf-8")
    [a] = read_articles([tmp_path / "a.md"])
    assert a.date == date


def test_every_sentence_slices_back(good):
    for a in articles(good):
        assert a.sentences
        for s in a.sentences:
            assert a.text[s.start:s.end] == s.text and s.text.strip() == s.text


# --- properties: arbitrary bytes never raise, offsets always hold -------------------------------------------------

CHINESE_LINES = st.lists(
    st.text(alphabet=st.sampled_from(list("义乌港口中欧班列年月日增长亿元。，！？“”‘’：　 \n0123456789ABCabc.-—■摄")),
            max_size=40), max_size=12).map("\n".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.one_of(st.binary(max_size=600), CHINESE_LINES.map(lambda t: t.encode("utf-8")),
                      CHINESE_LINES.map(lambda t: t.encode("gb18030"))),
       suffix=st.sampled_from([".txt", ".md", ".html", ".jsonl"]))
def test_arbitrary_bytes_never_raise_and_offsets_hold(tmp_path, data, suffix):
    path = tmp_path / f"x{suffix}"
    path.write_bytes(data)
    for item in read_articles([path]):
        assert isinstance(item, (Article, Problem))
        if isinstance(item, Article):
            assert item.doc_id.isascii()
            for s in item.sentences:
                assert item.text[s.start:s.end] == s.text


# --- the seeds (copyrighted: read in place, never copied) ---------------------------------------------------------

seeds = pytest.mark.usefixtures("seed_articles")   # ../shared/seeds: fails when absent (conftest.shared_path)


@pytest.fixture(scope="module")
def seed_articles():
    return articles(read_articles([shared_path("seeds")]))


@seeds
@pytest.mark.parametrize("word", ["义乌国际商贸城", "新年伊始", "交易—组货—报关—结算", "Yiwu Selection",
                                  "6780亿千瓦时", "负责人说"])
def test_seed_words_are_whole_in_some_sentence(seed_articles, word):
    assert any(word in s.text for a in seed_articles for s in a.sentences)


@seeds
def test_seed_sentences_hold_no_broken_lines(seed_articles):
    for a in seed_articles:
        for s in a.sentences:
            assert "\n" not in s.text


@seeds
@pytest.mark.parametrize("prefix, titles", [
    ("002_", ["小商品“闯”出大天地 贸易自由化的全球试验田", "钢铁驼队通欧亚 陆上贸易规则的“中国方案”",
              "从贸易便利到链条升级 产业高质量赋能的发展新动能"]),
    ("004_", ["义乌双向发力 加速奔向“买卖全球”", "6780亿千瓦时！增长9.49% 从电力数据看2024年我省经济发展新脉动",
              "绍兴“展翅工程” 护航青年创新创业", "首张保单落地 大黄鱼也有保险了", "力争“开门红”"]),
])
def test_seed_pages_split_into_titled_stories(seed_articles, prefix, titles):
    assert [a.title for a in seed_articles if Path(a.source).name.startswith(prefix)] == titles


@seeds
def test_seed_markdown_has_title_and_date(seed_articles):
    [a] = [a for a in seed_articles if Path(a.source).name.startswith("000_")]
    assert a.title and a.title.startswith("浙江义乌上半年进出口总额创新高") and a.date == "2022-09-14"
    assert "<" not in a.text and "font-family" not in a.text


PAGE_PIECES = st.lists(st.sampled_from([
    "本报讯 ", "通讯员林晓报道 ", "记者周明报道", "中新社义乌5月1日电 ", "■ 张三 李四", "王涛 摄", "码头工人正在装卸。",
    "义乌", "国际商贸城", "年货采购忙", "“", "”", "。", "，", "！", "\n", "\n\n", " ", "Yiwu", "Selection", "2024年",
    "12月6", "日", "增长9.49%", "（", "）", "——", "结", "算",
]), max_size=60).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=PAGE_PIECES)
def test_no_character_is_lost(tmp_path, text):
    """Repair and story splitting only drop whitespace and move lines: every other character survives."""
    path = tmp_path / "page.txt"
    path.write_text(text, encoding="utf-8")
    items = list(read_articles([path]))
    out = "".join(a.text for a in articles(items))
    assert sorted(re.sub(r"\s", "", out)) == sorted(re.sub(r"\s", "", text))
    for a in articles(items):
        for s in a.sentences:
            assert a.text[s.start:s.end] == s.text
