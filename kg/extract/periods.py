"""Periods as written (2025年1—8月, 今年上半年, 前三季度, 去年全年) -> the phrase, and its first and last day.

``find_period`` returns the last period phrase in a text; ``resolve`` turns one phrase into ISO dates, reading 今年/去年
and bare months against the date the article was reported (``Article.date``). A phrase it cannot pin down gives
``(None, None)``; it never guesses a year the text and the article's date do not give.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass

_CN = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10,
       "十一": 11, "十二": 12}
_NUM = r"(?:\d{1,2}|十[一二]?|[一二两三四五六七八九])"
_DASH = r"\s*(?:[—\-–~－]{1,2}|至|到)\s*"
_YEAR = r"(?:(?P<year>\d{4})\s*年|(?P<rel>今年|去年|前年|明年|上年|当年|全年))"
_PART = (
    rf"(?P<dm1>{_NUM})\s*月(?P<dd1>\d{{1,2}})\s*日{_DASH}(?:(?P<dm2>{_NUM})\s*月)?(?P<dd2>\d{{1,2}})\s*日"
    rf"|(?P<months>{_NUM})\s*(?:月(?:份)?)?{_DASH}(?P<months2>{_NUM})\s*月(?:份|底|末)?"
    rf"|(?:前|头)(?P<first>{_NUM})\s*个?月"
    rf"|(?P<qfirst>前)(?P<q2>[一二三四1-4])\s*(?:个)?季度"
    rf"|(?:第)?(?P<q>[一二三四1-4])\s*季度"
    r"|(?P<half>上|下)半年"
    rf"|(?P<month>{_NUM})\s*月(?:份)?(?P<mpart>初|中旬|下旬|上旬|底|末)?(?:(?P<day>\d{{1,2}})\s*日)?"
    r"|(?P<whole>全年)"
)
PERIOD = re.compile(rf"(?:截至|截止到?|自)?(?:{_YEAR})?(?:{_PART})?(?:以来)?")


@dataclass(frozen=True)
class Period:
    text: str
    start: str | None
    end: str | None


def _n(text: str | None) -> int | None:
    if text is None:
        return None
    return int(text) if text.isdigit() else _CN.get(text)


def _anchor_year(m: re.Match, reported_on: str | None) -> int | None:
    if m.group("year"):
        return int(m.group("year"))
    base = int(reported_on[:4]) if reported_on and reported_on[:4].isdigit() else None
    if base is None:
        return None
    if m.group("rel") is None and _later_than_report(m, reported_on):
        return base - 1                      # 12月 in a paper of 10 January is last December
    return base + {"今年": 0, "当年": 0, "全年": 0, "去年": -1, "上年": -1, "前年": -2, "明年": 1, None: 0}[m.group("rel")]


def _later_than_report(m: re.Match, reported_on: str) -> bool:
    """A period without a year whose first month comes after the month the article was reported in."""
    first = next((m.group(g) for g in ("dm1", "months", "month") if m.group(g)), None)
    if m.group("q"):
        first = str(3 * (_n(m.group("q")) or 0) - 2)
    if m.group("half") == "下":
        first = "7"
    month = _n(first)
    return month is not None and reported_on[5:7].isdigit() and month > int(reported_on[5:7])


def baseline(start: str | None, end: str | None, comparison: str | None) -> tuple[str | None, str | None]:
    """The period a change compares with: a year earlier (同比), or the same number of months just before (环比).

    Only whole months can be stepped back; a period of odd days gets no 环比 baseline.
    """
    if not (start and end and comparison):
        return None, None
    y1, m1, d1 = (int(x) for x in start.split("-"))
    y2, m2, d2 = (int(x) for x in end.split("-"))
    if d1 != 1 or d2 != calendar.monthrange(y2, m2)[1]:
        if comparison != "yearOnYear":
            return None, None
        return _date(y1 - 1, m1, min(d1, calendar.monthrange(y1 - 1, m1)[1])), \
            _date(y2 - 1, m2, min(d2, calendar.monthrange(y2 - 1, m2)[1]))
    if comparison == "yearOnYear":
        return _day(y1 - 1, m1, False), _day(y2 - 1, m2, True)
    if comparison == "periodOnPeriod":
        months = (y2 * 12 + m2) - (y1 * 12 + m1) + 1
        first = y1 * 12 + m1 - 1 - months
        last = y1 * 12 + m1 - 2
        return _day(first // 12, first % 12 + 1, False), _day(last // 12, last % 12 + 1, True)
    return None, None


def _day(year: int, month: int, last: bool) -> str | None:
    if not (1 <= month <= 12):
        return None
    return f"{year:04d}-{month:02d}-{calendar.monthrange(year, month)[1] if last else 1:02d}"


def _date(year: int, month: int, day: int) -> str | None:
    try:
        calendar.weekday(year, month, day)
    except ValueError:
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def resolve(m: re.Match, reported_on: str | None) -> tuple[str | None, str | None]:
    year = _anchor_year(m, reported_on)
    if year is None:
        return None, None
    text = m.group(0)
    if text.startswith(("截至", "截止")):
        if m.group("month"):
            return None, _day(year, _n(m.group("month")) or 0, True)
        return None, None
    if m.group("dm1"):
        m1, m2 = _n(m.group("dm1")) or 0, _n(m.group("dm2") or m.group("dm1")) or 0
        return _date(year, m1, int(m.group("dd1"))), _date(year, m2, int(m.group("dd2")))
    if text.startswith("自"):
        return (_day(year, _n(m.group("month")) or 1, False) if m.group("month") else _day(year, 1, False)), None
    if m.group("months"):
        return _day(year, _n(m.group("months")) or 0, False), _day(year, _n(m.group("months2")) or 0, True)
    if m.group("first"):
        return _day(year, 1, False), _day(year, _n(m.group("first")) or 0, True)
    if m.group("q2"):
        return _day(year, 1, False), _day(year, 3 * (_n(m.group("q2")) or 0), True)
    if m.group("q"):
        q = _n(m.group("q")) or 0
        return _day(year, 3 * q - 2, False), _day(year, 3 * q, True)
    if m.group("half"):
        return (_day(year, 1, False), _day(year, 6, True)) if m.group("half") == "上" else \
            (_day(year, 7, False), _day(year, 12, True))
    if m.group("month"):
        month = _n(m.group("month")) or 0
        if m.group("day"):
            iso = _date(year, month, int(m.group("day")))
            return iso, iso
        if m.group("mpart"):
            return None, None
        return _day(year, month, False), _day(year, month, True)
    if "以来" in text:
        return _day(year, 1, False), None
    return _day(year, 1, False), _day(year, 12, True)


def find_period(text: str, reported_on: str | None = None, context: str = "") -> Period | None:
    """The last period phrase of ``text`` (the one nearest a figure that follows it), with its dates.

    ``context`` is the article's text before ``text``; only its paragraph counts. A sentence that names no period
    of its own takes the paragraph's last one (今年一季度，进出口…。其中，出口…: both figures are of 今年一季度), unless
    it speaks of now or of a running total (目前, 累计, 至今 …). A phrase without a year of its own (上半年, 1-6月份,
    8月24日, not 今年/去年) in an article without a date takes the year last written before it in the paragraph: a
    year the text gives, never a guess.

    A phrase that names what a change compares with (比去年同期, 较上年, 与2023年相比) is the baseline, not the period
    of the figure: it is skipped, so 今年1—8月…比去年同期增长 keeps 今年1—8月.
    """
    paragraph = context.rsplit("\n", 1)[-1]
    full = paragraph + text
    found = [m for m in PERIOD.finditer(full) if m.group(0).strip() and _meaningful(m) and not _baseline(full, m)]
    own = [m for m in found if m.start() >= len(paragraph)]
    if not own and _NOW.search(text):
        return None
    found = own or found
    if not found:
        return None
    m = found[-1]
    if reported_on is None and not (m.group("year") or m.group("rel")):
        written = _YEAR_WRITTEN.findall(full[:m.start()])
        if written:
            reported_on = f"{written[-1]}-12-31"         # the year, without moving it back for a later month
    start, end = resolve(m, reported_on)
    return Period(m.group(0).strip(), start, end)


_NOW = re.compile(r"目前|如今|现在|当前|至今|迄今|累计|截至|已经|已有|已在")
_YEAR_WRITTEN = re.compile(r"((?:19|20)\d{2})\s*年")
_COMPARED = re.compile(r"(?:比|较|与|同|相比|对比)\s*$")


def _baseline(text: str, m: re.Match) -> bool:
    return text[m.end():m.end() + 2] == "同期" or bool(_COMPARED.search(text[max(0, m.start() - 2):m.start()]))


def _meaningful(m: re.Match) -> bool:
    """Only a match that names a year or a part of one (the regex also matches empty strings and bare 截至)."""
    return any(m.group(g) for g in ("year", "rel", "dm1", "months", "first", "q", "q2", "half", "month", "whole"))
