"""Figures as written (6689.3亿元, 1.4万列, 超400高柜, 16.5%) -> value, unit code, qualifier."""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Context, Decimal, InvalidOperation, localcontext
from pathlib import Path

import yaml


QUALIFIERS = ("超过", "多达", "近", "约", "超", "逾", "不足", "突破")
_MAGNITUDE = {"万": Decimal(10_000), "亿": Decimal(100_000_000), "千": Decimal(1_000), "百": Decimal(100)}
# A figure has at most this many digits before (and after) its decimal point, and a number of Chinese numerals at
# most _MAX_NUMERALS characters: a longer run is not a figure (it is a code, a table gone wrong, noise). The caps
# also keep the finder linear: an unbounded \d+ is re-scanned from every position of a long run of digits.
_MAX_DIGITS = 30
_MAX_NUMERALS = 12
_MAX_GROUPS = 8        # 1,234,567: thousands groups (or dotted parts) after the first
# Wide enough for any figure the pattern can match (2 x 30 digits, 亿亿, the unit's multiplier): exact, never rounded.
_EXACT = Context(prec=100)
_CN_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


@dataclass(frozen=True)
class Figure:
    start: int
    end: int
    value: Decimal
    unit: str
    qualifier: str | None
    text: str


_DIGITS = r"\d{1,%d}" % _MAX_DIGITS
_RUN = r"(?<!\d)(?<!\d[.,])" + _DIGITS      # starts where a run of digits starts, never inside one
_NUMERAL = "[一二两三四五六七八九十]"


class FigureFinder:
    def __init__(self, units: dict[str, tuple[str, Decimal]]):
        self.units = units
        words = sorted(units, key=len, reverse=True)
        unit = "|".join(re.escape(w) for w in words)
        self._pattern = re.compile(
            r"(?P<qual>" + "|".join(QUALIFIERS) + r")?"
            r"(?:(?P<lo>" + _RUN + r"(?:\." + _DIGITS + r")?)(?P<lounit>" + unit + r")?(?:至|到|—|-|~|－)(?=\d))?"
            r"(?P<num>" + _RUN + r"(?:[.,]" + _DIGITS + r"){0,%d}" % _MAX_GROUPS
            + r"|(?<!" + _NUMERAL + r")" + _NUMERAL + r"{1,%d}"
            r"|(?=[百千万]+[多余]))" % _MAX_NUMERALS +   # 百余名: one hundred and more
            r"(?P<mag>[万亿千百]{0,2})(?P<more>多|余)?"
            r"(?P<unit>" + unit + ")"
        )

    @classmethod
    def load(cls, path: Path) -> "FigureFinder":
        """The units of ``path`` (ontology/units.yml)."""
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        return cls({word: (code, Decimal(str(mult))) for word, (code, mult) in data["units"].items()})

    def find(self, text: str) -> list[Figure]:
        """Every figure in ``text``, computed exactly: a 25-digit sum of 亿元 is read, never rounded or a crash."""
        with localcontext(_EXACT):    # not around a generator: the caller's arithmetic keeps its own context
            return list(self._find(text))

    def _find(self, text: str):
        for m in self._pattern.finditer(text):
            start = m.start("lo") if m.group("lo") else m.start("num")
            if start > 0 and (text[start - 1].isdigit() or text[start - 1] in ".．/"):
                continue
            unit_word, number = m.group("unit"), m.group("num")
            if not _is_statistic(text, m.start("num"), number, unit_word, m.group("more")):
                continue
            value = parse_number(number)
            if value is None:
                continue
            scale = Decimal(1)
            for ch in m.group("mag"):
                scale *= _MAGNITUDE[ch]
            code, multiplier = self.units[unit_word]
            qualifier = m.group("qual") or m.group("more")
            if text[max(0, m.start() - 2):m.start()] == "零下":
                value = -value
            if m.group("lo"):     # 3至4列, 2班至3班: the low end is a figure of its own
                low = Decimal(m.group("lo")) * scale * multiplier
                yield Figure(m.start("lo"), m.end("lo") + len(m.group("lounit") or ""), _normal(low), code,
                             "下限", text[m.start("lo"):m.end("lo")] + (m.group("lounit") or unit_word))
                qualifier = qualifier or "上限"
            yield Figure(m.start(), m.end(), _normal(value * scale * multiplier), code, qualifier, m.group(0))


_PERIOD_BEFORE = ("前", "头", "近", "后", "首")
_RANK_MOVES = "升降进退移"


def _is_statistic(text: str, at: int, number: str, unit: str, more: str | None) -> bool:
    """Leave out numbers that are dates, durations in passing or the article 一 (一列班列 is not a statistic)."""
    before = text[max(at - 2, 0):at]
    if before.endswith("第") or (unit == "位" and before[-1:] != "" and before[-1] in _RANK_MOVES):
        return False                                       # 第14位, 上升10位: ranks, not counts
    if not number:
        return more is not None and unit != "年"       # 百余名, 千余家; 百多年 is a span in passing
    if unit == "年":
        return before.endswith("连续") and not more    # 连续11年 is a figure; 2024年, 10多年 are not
    if unit == "个月" and before[-1:] in _PERIOD_BEFORE:
        return False                                       # 前10个月 is a period
    if not number[0].isdigit() and unit not in ("倍", "周年"):
        value = parse_number(number)
        return value is not None and value > 10           # 一家, 两个国家: words, not statistics
    return True


def parse_number(text: str) -> Decimal | None:
    if not text:
        return Decimal(1)                                  # 百余名: the magnitude alone
    if text[0].isdigit():
        try:
            return Decimal(text.replace(",", ""))
        except InvalidOperation:     # 1.2.3 (a version, a section number): not a figure
            return None
    total, current = 0, 0
    for ch in text:
        if ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch in _CN_DIGITS:
            current = _CN_DIGITS[ch]
        else:
            return None
    return Decimal(total + current)


def _normal(value: Decimal) -> Decimal:
    value = value.normalize()
    return value.quantize(Decimal(1)) if value == value.to_integral() else value
