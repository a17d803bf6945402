"""One bad file never stops a build: what is not a regular file, what nests too deep, what holds a bad date, stray
NULs, UTF-16 without a byte-order mark; each gives a reported Problem (a warning when the text was read anyway)."""
import os
import shutil
import signal
import tempfile
import zipfile
from contextlib import contextmanager
from pathlib import Path

import pytest

from kg.ingest import read_articles
from kg.ingest.sources import FORMATS
from kg.records import IGNORED, SKIPPED, WARNING, Article, Problem


def articles(items):
    return [a for a in items if isinstance(a, Article)]


def problems(items):
    return [p for p in items if isinstance(p, Problem)]


@contextmanager
def within(seconds):
    """Fail instead of hanging: a FIFO or a device must not block the reader."""
    def expired(*_):
        raise TimeoutError(f"still reading after {seconds} s")

    old = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


# --- what is not a regular file ----------------------------------------------------------------------------------


def test_fifo_named_directly_is_skipped_not_waited_for(tmp_path):
    fifo = tmp_path / "fifo.txt"
    os.mkfifo(fifo)
    with within(10):
        [problem] = list(read_articles([fifo]))
    assert "[I015]" in problem.message and "FIFO" in problem.message and problem.source == str(fifo)
    assert problem.kind == SKIPPED


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_endless_device_is_skipped_not_read_into_memory():
    with within(10):
        [problem] = list(read_articles(["/dev/zero"]))
    assert "[I015]" in problem.message and "character device" in problem.message


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="no /proc")
def test_reading_stops_at_the_limit_when_the_size_is_not_known():
    # /proc files say they are 0 bytes long: only reading tells, and reading stops one byte past the limit
    [problem] = list(read_articles(["/proc/self/maps"], max_bytes=64))
    assert "[I004]" in problem.message and "more than the limit" in problem.message


def test_size_message_tells_file_and_limit_apart(tmp_path):
    big = tmp_path / "big.txt"
    big.write_bytes("义乌。".encode() * 100_000 + b"x")   # 900,001 bytes
    [problem] = list(read_articles([big], max_bytes=900_000))
    assert "900,001 bytes" in problem.message and "900,000 bytes" in problem.message


def test_folder_reports_fifos_and_dangling_links_and_reads_the_rest(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "good.txt").write_text("宁波舟山港今天开通一条新航线。", encoding="utf-8")
    os.mkfifo(tmp_path / "sub" / "pipe.txt")
    (tmp_path / "dead.txt").symlink_to(tmp_path / "gone.txt")
    with within(10):
        items = list(read_articles([tmp_path]))
    assert [a.text for a in articles(items)] == ["宁波舟山港今天开通一条新航线。"]
    found = {Path(p.source).name: p.message for p in problems(items)}
    assert "[I015]" in found["pipe.txt"] and "[I016]" in found["dead.txt"] and "gone.txt" in found["dead.txt"]


def test_dangling_link_named_directly_names_its_target(tmp_path):
    (tmp_path / "link.txt").symlink_to("missing.txt")
    [problem] = list(read_articles([tmp_path / "link.txt"]))
    assert "[I016]" in problem.message and "missing.txt" in problem.message


@contextmanager
def unprivileged():
    """Root reads every folder: as root, drop to nobody's effective ids while reading (the real ids stay root's, so
    they come back)."""
    if os.geteuid() != 0:
        yield
        return
    os.setegid(65534)
    os.seteuid(65534)
    try:
        yield
    finally:
        os.seteuid(0)
        os.setegid(0)


def test_unreadable_subfolder_is_reported_and_the_rest_is_read():
    base = Path(tempfile.mkdtemp(prefix="kg-unreadable-"))   # reachable by nobody (pytest's tmp_path is not)
    try:
        base.chmod(0o755)
        (base / "ok.txt").write_text("温州今年新开三条航线。", encoding="utf-8")
        (base / "ok.txt").chmod(0o644)
        (base / "locked").mkdir()
        (base / "locked" / "hidden.txt").write_text("不会被读到。", encoding="utf-8")
        (base / "locked").chmod(0)
        with unprivileged():
            items = list(read_articles([base]))
        assert [a.text for a in articles(items)] == ["温州今年新开三条航线。"]
        [problem] = problems(items)
        assert problem.source == str(base / "locked") and "[I017] cannot list folder" in problem.message
    finally:
        (base / "locked").chmod(0o755)
        shutil.rmtree(base)


def test_file_in_a_folder_that_may_not_be_entered_is_a_problem_not_a_crash():
    base = Path(tempfile.mkdtemp(prefix="kg-unreadable-"))
    try:
        (base / "locked").mkdir()
        (base / "locked" / "news.txt").write_text("宁波港今天很忙。", encoding="utf-8")
        base.chmod(0o755)
        (base / "locked").chmod(0)
        with unprivileged():
            [problem] = list(read_articles([base / "locked" / "news.txt"]))
        assert "[I002] cannot read: Permission denied" in problem.message
    finally:
        (base / "locked").chmod(0o755)
        shutil.rmtree(base)


# --- files of unknown type in a folder -------------------------------------------------------------------------


@pytest.fixture
def mixed_folder(tmp_path):
    (tmp_path / "news.txt").write_text("金华今年开行中欧班列一百列。", encoding="utf-8")
    for name in ("scan1.pdf", "scan2.pdf", "scan3.pdf", "notes.docx"):
        (tmp_path / name).write_bytes(b"%PDF-1.7 not read")
    return tmp_path


def test_unknown_types_are_reported_once_per_suffix(mixed_folder):
    items = list(read_articles([mixed_folder]))
    assert [a.text for a in articles(items)] == ["金华今年开行中欧班列一百列。"]
    found = sorted((p.message.split(":")[0], p.count, p.kind) for p in problems(items))
    assert found == [("[I018] skipped 1 file of unknown type .docx", 1, IGNORED),
                     ("[I018] skipped 3 files of unknown type .pdf", 3, IGNORED)]
    assert all(p.source == str(mixed_folder) for p in problems(items))


def test_strict_does_not_stop_at_files_of_unknown_type(mixed_folder):
    items = list(read_articles([mixed_folder], strict=True))
    assert [a.text for a in articles(items)] == ["金华今年开行中欧班列一百列。"] and len(problems(items)) == 2


@pytest.mark.parametrize("include, exclude", [(("*.txt",), ()), ((), ("*.pdf", "*.docx"))])
def test_globs_silence_the_unknown_type_report(mixed_folder, include, exclude):
    assert problems(read_articles([mixed_folder], include=include, exclude=exclude)) == []


# --- HTML nested deeper than the parser's limit ---------------------------------------------------------------


def _nested(levels):
    return "<html><body>" + "<div>" * levels + "<p>宁波港今天很忙。</p>" + "</div>" * levels + \
        "<p>集装箱码头昼夜作业。</p></body></html>"


def _unclosed_fonts(paragraphs):
    return "<html><body>" + "".join(f"<p><font>第{i}段：义乌出口增长。" for i in range(paragraphs)) + "</body></html>"


@pytest.mark.parametrize("page, paragraphs", [
    (_nested(300), ["宁波港今天很忙。", "集装箱码头昼夜作业。"]),
    (_nested(2000), ["宁波港今天很忙。", "集装箱码头昼夜作业。"]),
    (_nested(5000), ["宁波港今天很忙。", "集装箱码头昼夜作业。"]),
    (_unclosed_fonts(400), [f"第{i}段：义乌出口增长。" for i in range(400)]),
    (_unclosed_fonts(1500), [f"第{i}段：义乌出口增长。" for i in range(1500)]),
], ids=["300-levels", "2000-levels", "5000-levels", "400-unclosed-font", "1500-unclosed-font"])
def test_deeply_nested_html_keeps_all_its_text(tmp_path, page, paragraphs):
    (tmp_path / "page.html").write_text(page, encoding="utf-8")
    items = list(read_articles([tmp_path / "page.html"]))
    assert problems(items) == []
    [article] = articles(items)
    assert article.text.split("\n\n") == paragraphs


# --- a bad date in front matter ---------------------------------------------------------------------------------


@pytest.mark.parametrize("date", ["2024-13-01", "2023-02-30", "下周一"])
def test_bad_front_matter_date_is_a_warning_and_the_text_is_read(tmp_path, date):
    (tmp_path / "a.md").write_text(f"---\ntitle: 台州港开通新航线\ndate: {date}\n---\n台州港今天开通一条外贸航线。\n",
                                   encoding="utf-8")
    items = list(read_articles([tmp_path / "a.md"]))
    [article] = articles(items)
    assert article.text == "台州港今天开通一条外贸航线。" and article.title == "台州港开通新航线" and article.date is None
    [problem] = problems(items)
    assert "[I019]" in problem.message and date in problem.message and problem.kind == WARNING


@pytest.mark.parametrize("written, iso", [("2024-03-08", "2024-03-08"), ("2024-03-08T09:30:00+08:00", "2024-03-08"),
                                          ("2024-3-8", "2024-03-08")])
def test_good_front_matter_dates_still_read(tmp_path, written, iso):
    (tmp_path / "a.md").write_text(f"---\ndate: {written}\n---\n湖州今天开出首趟班列。\n", encoding="utf-8")
    items = list(read_articles([tmp_path / "a.md"]))
    assert problems(items) == [] and articles(items)[0].date == iso


# --- encodings: UTF-16 without a byte-order mark, stray NULs, real binaries -----------------------------------

ARTICLE = "本报讯 今年前10个月，义乌小商品出口增长12.5%。\n\n温州港新开3条航线，货物吞吐量同比增长8%。\n"
CJK_ONLY = "宁波舟山港集装箱吞吐量再创新高\n义乌国际商贸城客商云集"


@pytest.mark.parametrize("text, codec", [(ARTICLE, "utf-16-le"), (ARTICLE, "utf-16-be"), (CJK_ONLY, "utf-16-le"),
                                         (CJK_ONLY, "utf-16-be"), ("Ningbo port opened 3 new routes.\n", "utf-16-le")])
def test_utf16_without_byte_order_mark_is_read(tmp_path, text, codec):
    (tmp_path / "a.txt").write_bytes(text.encode(codec))
    items = list(read_articles([tmp_path / "a.txt"]))
    assert problems(items) == []
    [article] = articles(items)
    assert article.encoding == codec and "".join(article.text.split()) == "".join(text.split())


@pytest.mark.parametrize("codec", ["utf-8", "gb18030"])
def test_stray_nul_byte_is_dropped_with_a_warning(tmp_path, codec):
    head, tail = "本报讯 舟山今年新建三座码头。", "台州港吞吐量增长。"
    (tmp_path / "a.txt").write_bytes(head.encode(codec) + b"\x00" + tail.encode(codec))
    items = list(read_articles([tmp_path / "a.txt"]))
    [article] = articles(items)
    assert article.text == head + tail and article.encoding == codec
    [problem] = problems(items)
    assert "[I014]" in problem.message and "1 stray NUL" in problem.message and problem.kind == WARNING


def _zip(path):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("news.txt", "义乌新闻。" * 50)
    return path.read_bytes()


@pytest.mark.parametrize("make, what", [
    (lambda p: b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "PNG"),
    (_zip, "ZIP"),
    (lambda p: b"\x7fELF\x02\x01\x01" + bytes(9) + bytes(range(256)) * 8, "binary data"),
    (lambda p: "义乌".encode() + bytes(40) + "金华".encode(), "NUL bytes"),
])
def test_real_binaries_are_still_rejected(tmp_path, make, what):
    path = tmp_path / "scan.txt"
    path.write_bytes(make(path))
    [problem] = list(read_articles([path]))
    assert "[I011]" in problem.message and what in problem.message and problem.kind == SKIPPED


# --- kinds ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, data, kind", [
    ("nul.txt", "义乌今年出口增长。".encode() + b"\x00", WARNING),
    ("truncated.txt", "舟山港吞吐量再创新高".encode()[:-1], WARNING),
    ("empty.txt", b"   \n", SKIPPED),
    ("bad.jsonl", b'{"text": "\xe9\x87\x91\xe5\x8d\x8e"}\n{not json}\n', SKIPPED),
])
def test_each_problem_says_whether_the_document_was_built(tmp_path, name, data, kind):
    (tmp_path / name).write_bytes(data)
    [problem] = problems(read_articles([tmp_path / name]))
    assert problem.kind == kind


def test_build_help_lists_the_file_types_read():
    from click.testing import CliRunner

    from kg.cli import main

    text = CliRunner().invoke(main, ["build", "--help"]).output
    assert all(suffix in text for suffix in FORMATS)


# --- kg ner reads its input the way kg build does ----------------------------------------------------------------

LINES = "宁波舟山港今天开通一条新航线。\n义乌商贸城客商云集。\n"


def _ner(*args, data=None):
    from click.testing import CliRunner

    from kg.cli import main

    return CliRunner().invoke(main, ["ner", "--model-only", *map(str, args)], input=data)


@pytest.fixture(scope="module")
def ner_utf8(tmp_path_factory):
    path = tmp_path_factory.mktemp("ner") / "utf8.txt"
    path.write_text(LINES, encoding="utf-8")
    result = _ner(path)
    assert result.exit_code == 0 and len(result.output.splitlines()) == 2, result.output
    return result.output


@pytest.mark.parametrize("codec", ["gbk", "gb18030", "big5", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be"])
def test_ner_decodes_a_file_as_build_does(tmp_path, ner_utf8, codec):
    text = LINES if codec != "big5" else LINES.replace("开通", "開通").replace("条", "條").replace("航线", "航線") \
        .replace("义乌商贸城", "義烏商貿城").replace("云集", "雲集")
    path = tmp_path / f"{codec}.txt"
    path.write_bytes(text.encode(codec))
    result = _ner(path)
    assert result.exit_code == 0, result.output
    expected = ner_utf8 if codec != "big5" else _ner_text(tmp_path, text)
    assert result.output == expected


def _ner_text(tmp_path, text):
    (tmp_path / "same.txt").write_text(text, encoding="utf-8")
    return _ner(tmp_path / "same.txt").output


def test_ner_decodes_piped_gbk(ner_utf8):
    result = _ner("-", data=LINES.encode("gbk"))
    assert result.exit_code == 0 and result.output == ner_utf8


@pytest.mark.parametrize("data, what", [
    (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "an image (PNG)"),
    (bytes(range(256)) * 8, "binary data"),
    (b"\x80\x81\xc0\xc1\xf5\xf6" * 100, "no known encoding"),
])
def test_ner_rejects_a_binary_file_naming_it(tmp_path, data, what):
    path = tmp_path / "scan.txt"
    path.write_bytes(data)
    result = _ner(path)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert f"[E071] {path}: not text: {what}" in result.output


def test_ner_names_a_missing_file():
    result = _ner("/no/such/lines.txt")
    assert result.exit_code == 2 and "[E070] cannot read /no/such/lines.txt" in result.output
