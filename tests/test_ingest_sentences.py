"""Sentence splitting: Chinese and Latin sentence ends, quotations kept whole, offsets that slice back."""
import pytest

from kg.ingest import split_sentences

SPLITS = [
    ("义乌很忙。客商很多！你来了吗？", ["义乌很忙。", "客商很多！", "你来了吗？"]),
    ("“订单排到了五月。现在还在加班。”一位商户说。", ["“订单排到了五月。现在还在加班。”一位商户说。"]),
    ("他说：“明年再来。”我们都笑了。", ["他说：“明年再来。”", "我们都笑了。"]),
    ("增长16.5%。同比提高1.1个百分点。", ["增长16.5%。", "同比提高1.1个百分点。"]),
    ("The train left Yiwu. It reached Madrid in 16 days.", ["The train left Yiwu.", "It reached Madrid in 16 days."]),
    ("效率太高了!新系统上线了.", ["效率太高了!", "新系统上线了."]),
    ("商贸城里\n年货采购忙\n\n本报讯 新年伊始，市场很忙。", ["商贸城里", "年货采购忙", "本报讯 新年伊始，市场很忙。"]),
    ("跨境电商、数字赋能、品牌出海……改革路上，义乌一直在探索。", ["跨境电商、数字赋能、品牌出海……改革路上，义乌一直在探索。"]),
    ("  \n  ", []),
]


@pytest.mark.parametrize("text, expected", SPLITS)
def test_split_sentences(text, expected):
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == expected
    for s in sentences:
        assert text[s.start:s.end] == s.text


def test_unclosed_quote_does_not_swallow_the_paragraph():
    text = "“开头的引号没有关上。" + "后面还有很多句子。" * 60
    assert len(split_sentences(text)) > 10
