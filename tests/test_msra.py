"""Reading MSRA-format training data (``word/tag`` tokens, one paragraph a line) and holding out a development slice."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "training"))

from msra import parse_line, read, split_sentences  # noqa: E402

LINE = "义乌/ns 小商品城/o 今年/o 开通/o 了/o 新/o 线路/o 。/o 王/nr 小明/nr 说/o ：/o 浙江省商务厅/nt 支持/o ！/o"


def test_a_line_becomes_text_and_character_spans():
    text, spans = parse_line(LINE)
    assert text == "义乌小商品城今年开通了新线路。王小明说：浙江省商务厅支持！"
    assert [(text[s:e], label) for s, e, label in spans] == [("义乌", "LOC"), ("王", "PER"), ("小明", "PER"),
                                                            ("浙江省商务厅", "ORG")]


def test_sentences_are_cut_after_sentence_ends_but_never_inside_a_name():
    text = "他去了好！运来。"
    spans = [(3, 6, "LOC")]                    # a made-up name with ！ inside it
    assert list(split_sentences(text, spans)) == [("他去了好！运来。", [(3, 6, "LOC")])]
    text, spans = parse_line(LINE)
    pieces = list(split_sentences(text, spans))
    assert [piece for piece, _ in pieces] == ["义乌小商品城今年开通了新线路。", "王小明说：浙江省商务厅支持！"]
    assert pieces[1][1][-1] == (5, 11, "ORG")


def lines_file(tmp_path, n: int) -> Path:
    path = tmp_path / "train.txt"
    path.write_text("".join(f"第{i}/o 条/o 线路/o 到/o 义乌/ns 。/o\n" for i in range(n)), encoding="utf-8")
    return path


def test_the_end_slice_is_the_last_lines(tmp_path):
    train, dev = read(lines_file(tmp_path, 40), dev_share=0.05)
    assert [text for text, _ in dev] == ["第38条线路到义乌。", "第39条线路到义乌。"]
    assert len(train) == 38


def test_the_spread_slice_is_the_end_of_each_twentieth(tmp_path):
    train, dev = read(lines_file(tmp_path, 800), dev_share=0.05, spread=True)
    held = [int(text[1:text.index("条")]) for text, _ in dev]
    assert held == [i for k in range(20) for i in (40 * k + 38, 40 * k + 39)]
    assert len(train) == 760
    assert not {text for text, _ in train} & {text for text, _ in dev}
