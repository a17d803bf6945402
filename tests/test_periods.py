"""Periods as dates: relative periods against the article's date, baselines of changes (同比, 环比)."""
from __future__ import annotations

import pytest

from kg.extract.periods import baseline, find_period


@pytest.mark.parametrize("text,reported,period,start,end", [
    ("今年", "2025-03-10", "今年", "2025-01-01", "2025-12-31"),
    ("今年头10个月", "2024-11-20", "今年头10个月", "2024-01-01", "2024-10-31"),
    ("上半年", "2025-07-15", "上半年", "2025-01-01", "2025-06-30"),
    ("一季度", "2025-04-18", "一季度", "2025-01-01", "2025-03-31"),
    ("1—2月", "2025-03-10", "1—2月", "2025-01-01", "2025-02-28"),
    ("1-2月", "2024-03-10", "1-2月", "2024-01-01", "2024-02-29"),
    ("2024年", "2025-01-20", "2024年", "2024-01-01", "2024-12-31"),
    ("去年", "2025-01-20", "去年", "2024-01-01", "2024-12-31"),
    # a period without a year that begins after the report's month is last year's
    ("12月", "2026-01-08", "12月", "2025-12-01", "2025-12-31"),
    ("四季度", "2026-01-20", "四季度", "2025-10-01", "2025-12-31"),
    ("下半年", "2025-03-02", "下半年", "2024-07-01", "2024-12-31"),
    ("3月", "2025-03-31", "3月", "2025-03-01", "2025-03-31"),
    # the baseline of a comparison is not the figure's period: the period before it is
    ("今年1—8月，出口1000亿元，比去年同期增长", "2025-09-12", "今年1—8月", "2025-01-01", "2025-08-31"),
    ("前三季度，进口较2023年", "2024-10-20", "前三季度", "2024-01-01", "2024-09-30"),
    ("上半年进出口与去年相比", "2025-07-15", "上半年", "2025-01-01", "2025-06-30"),
])
def test_period(text, reported, period, start, end):
    p = find_period(text, reported)
    assert (p.text, p.start, p.end) == (period, start, end)


@pytest.mark.parametrize("text", ["去年同期", "比上年同期", "与2023年相比"])
def test_a_baseline_alone_is_no_period(text):
    assert find_period(text, "2025-05-01") is None


@pytest.mark.parametrize("start,end,comparison,expected", [
    ("2025-01-01", "2025-08-31", "yearOnYear", ("2024-01-01", "2024-08-31")),
    ("2024-01-01", "2024-02-29", "yearOnYear", ("2023-01-01", "2023-02-28")),
    ("2024-10-01", "2024-10-07", "yearOnYear", ("2023-10-01", "2023-10-07")),
    ("2025-07-01", "2025-09-30", "periodOnPeriod", ("2025-04-01", "2025-06-30")),
    ("2025-01-01", "2025-01-31", "periodOnPeriod", ("2024-12-01", "2024-12-31")),
    ("2024-03-01", "2024-03-31", "periodOnPeriod", ("2024-02-01", "2024-02-29")),
    # odd days cannot be stepped back by a period; no dates, no baseline
    ("2024-10-01", "2024-10-07", "periodOnPeriod", (None, None)),
    ("2025-01-01", None, "yearOnYear", (None, None)),
    ("2025-01-01", "2025-03-31", None, (None, None)),
])
def test_baseline(start, end, comparison, expected):
    assert baseline(start, end, comparison) == expected


@pytest.mark.parametrize("text,context,period,start,end", [
    # an undated article: a period without a year takes the year last written in its paragraph
    ("上半年", "2023年，义乌出口增长。", "上半年", "2023-01-01", "2023-06-30"),
    ("8月24日", "2022年夏天，", "8月24日", "2022-08-24", "2022-08-24"),
    ("2023年1-4月出口100亿元，5月", "", "5月", "2023-05-01", "2023-05-31"),
    # not across a paragraph, and never for 今年/去年: their year is the article's date, unknown here
    ("上半年", "2023年，义乌出口增长。\n", "上半年", None, None),
    ("今年上半年", "2023年，", "今年上半年", None, None),
])
def test_period_year_from_the_paragraph(text, context, period, start, end):
    p = find_period(text, None, context)
    assert (p.text, p.start, p.end) == (period, start, end)


def test_the_article_date_wins_over_the_paragraph():
    assert find_period("上半年", "2025-08-01", "2023年，").start == "2025-01-01"


@pytest.mark.parametrize("text,context,period,start", [
    # a sentence without a period of its own takes its paragraph's last one
    ("其中，出口", "今年一季度，义乌市进出口总值1402.3亿元。", "今年一季度", "2025-01-01"),
    ("出口", "上半年，进出口增长。其中", "上半年", "2025-01-01"),
    # its own period comes first
    ("前三季度，出口", "今年一季度，进出口1402.3亿元。", "前三季度", "2025-01-01"),
])
def test_period_carried_through_the_paragraph(text, context, period, start):
    p = find_period(text, "2025-10-20", context)
    assert (p.text, p.start) == (period, start)


@pytest.mark.parametrize("text,context", [
    ("目前，平台有商户", "今年一季度，进出口1402.3亿元。"),     # now, not the period before
    ("累计开行", "上半年开行班列1286列。"),                     # a running total
    ("出口", "今年一季度，进出口1402.3亿元。\n"),                # not across paragraphs
])
def test_period_not_carried(text, context):
    assert find_period(text, "2025-10-20", context) is None
