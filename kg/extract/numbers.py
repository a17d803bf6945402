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
    def __init__(self, units: dict[str, tuple[str, Decimal]], context: dict[str, dict[str, list[str]]] | None = None,
                 look_before: dict[str, bool | str] | None = None):
        self.units = units
        self.context = {word: _cues(codes) for word, codes in (context or {}).items()}
        self.look_before = look_before or {}   # unit word -> True (its sentence) or "clause"
        words = sorted(units, key=len, reverse=True)
        unit = "|".join(re.escape(w) for w in words)
        self._pattern = re.compile(
            r"(?P<qual>" + "|".join(QUALIFIERS) + r")?"
            r"(?:(?P<lo>" + _RUN + r"(?:\." + _DIGITS + r")?)(?P<lounit>" + unit + r")?(?:至|到|—|-|~|－)(?=\d))?"
            r"(?P<num>" + _RUN + r"(?:[.,]" + _DIGITS + r"){0,%d}" % _MAX_GROUPS
            + r"|(?<!" + _NUMERAL + r")" + _NUMERAL + r"{1,%d}" % _MAX_NUMERALS
            + r"|(?=[百千万]+[多余几])"                             # 百余名: one hundred and more
            r"|(?<=[" + _ROUND + r"])(?=[百千万]))"                 # 上千种, 近万元: a round magnitude alone
            r"(?P<mag>[万亿千百]{0,2})(?P<more>多|余|几)?(?P<half>个?半(?=个?小时|个月|天))?"
            r"(?P<unit>" + unit + ")"
            r"|(?<![上下前后])(?P<whole>半)(?P<hunit>个小时|个月|天)"     # 半个小时; 上半月 is a period
        )
        self._fraction = re.compile(r"(?P<qual>" + "|".join(QUALIFIERS) + r")?(?P<den>" + _NUMERAL + r"{1,3}|\d{1,3})"
                                    r"分之(?P<num>" + _NUMERAL + r"{1,3}|\d{1,3})")

    @classmethod
    def load(cls, path: Path) -> "FigureFinder":
        """The units of ``path`` (ontology/units.yml), and the words that tell what a unit word counts."""
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        context = data.get("context") or {}
        return cls({word: (code, Decimal(str(mult))) for word, (code, mult) in data["units"].items()},
                   {word: spec["codes"] for word, spec in context.items()},
                   {word: spec["before"] for word, spec in context.items() if spec.get("before")})

    def find(self, text: str) -> list[Figure]:
        """Every figure in ``text``, computed exactly: a 25-digit sum of 亿元 is read, never rounded or a crash."""
        with localcontext(_EXACT):    # not around a generator: the caller's arithmetic keeps its own context
            return sorted([*self._find(text), *self._fractions(text)], key=lambda f: f.start)

    def _find(self, text: str):
        for m in self._pattern.finditer(text):
            if m.group("whole"):
                if not _in_fraction(text, m.start()):
                    code, multiplier = self.units[m.group("hunit")]
                    yield Figure(m.start(), m.end(), _normal(Decimal("0.5") * multiplier), code, None, m.group(0))
                continue
            start = m.start("lo") if m.group("lo") else m.start("num")
            if start > 0 and (text[start - 1].isdigit() or text[start - 1] in ".．/" or _is_code(text[start - 1])):
                continue                        # X8203次, G60: a letter before the digits makes a code, not a count
            if _in_fraction(text, m.start("num")):
                continue
            unit_word, number = m.group("unit"), m.group("num")
            if not (m.group("half") or _is_statistic(text, m.start("num"), number, unit_word, m.group("more"))):
                continue
            value = parse_number(number)
            if value is None:
                continue
            scale = Decimal(1)
            for ch in m.group("mag"):
                scale *= _MAGNITUDE[ch]
            if m.group("half"):
                value += Decimal("0.5")
            code, multiplier = self.units[unit_word]
            code = self._code_in_context(text, m.start(), m.end(), unit_word, code)
            qualifier = m.group("qual") or m.group("more")
            if qualifier == "几":
                qualifier = "多"                # 十几名: ten and more, as 十多名
            if text[max(0, m.start() - 2):m.start()] == "零下":
                value = -value
            if m.group("lo"):     # 3至4列, 2班至3班: the low end is a figure of its own
                low = Decimal(m.group("lo")) * scale * multiplier
                yield Figure(m.start("lo"), m.end("lo") + len(m.group("lounit") or ""), _normal(low), code,
                             "下限", text[m.start("lo"):m.end("lo")] + (m.group("lounit") or unit_word))
                qualifier = qualifier or "上限"
            yield Figure(m.start(), m.end(), _normal(value * scale * multiplier), code, qualifier, m.group(0))

    def _fractions(self, text: str):
        """四分之一, 3分之1: a share, in percent (two decimals, as 1/3 is written 33.33%)."""
        for m in self._fraction.finditer(text):
            den, num = parse_number(m.group("den")), parse_number(m.group("num"))
            if den and num is not None and num <= den:
                value = (num * 100 / den).quantize(Decimal("0.01"))
                yield Figure(m.start(), m.end(), _normal(value), "percent", m.group("qual"), m.group(0))

    def _code_in_context(self, text: str, start: int, end: int, word: str, code: str) -> str:
        """The code a unit word takes from what it counts (ontology/units.yml ``context``): the noun right after it
        (2班船, 4条作业线), else, for the words that look back, the cue written last before it in the sentence
        (中欧班列…每周16班)."""
        cues = self.context.get(word)
        if not cues:
            return code
        after = _NOUN_AFTER.match(text, end).group(0)
        found = [(at, c) for c, pattern in cues for at in [_first(pattern, after)] if at is not None]
        if found:
            return min(found)[1]
        if word in self.look_before:
            lead = text[:start]
            if self.look_before[word] == "clause":
                lead = lead[max((lead.rfind(mark) for mark in _CLAUSE_MARKS), default=-1) + 1:]
            found = [(at, c) for c, pattern in cues for at in [_last(pattern, lead)] if at is not None]
            if found:
                return max(found)[1]
        return code


_ROUND = "上近过逾"       # 上千种, 近万元, 过万人: a bare magnitude is a round figure (超百亿 is a threshold)
_NOUN_AFTER = re.compile(r"[^，,；;：:。！？!?、（()）“”\"\d]{0,8}")


_CLAUSE_MARKS = "，,；;：:。！？!?"


def _cues(codes: dict[str, list[str]]) -> list[tuple[str, re.Pattern]]:
    """A pattern per code; a cue followed by 级 (国家级) qualifies a noun and is no cue."""
    return [(code, re.compile("(?:" + "|".join(map(re.escape, sorted(words, key=len, reverse=True))) + ")(?!级)"))
            for code, words in codes.items()]


def _first(pattern: re.Pattern, text: str) -> int | None:
    m = pattern.search(text)
    return m.start() if m else None


def _last(pattern: re.Pattern, text: str) -> int | None:
    ends = [m.start() for m in pattern.finditer(text)]
    return ends[-1] if ends else None


def _is_code(ch: str) -> bool:
    return ch.isascii() and ch.isalpha()


def _in_fraction(text: str, at: int) -> bool:
    """The numerator of 四分之一 is read with its fraction."""
    return text[max(0, at - 2):at] == "分之"


_PERIOD_BEFORE = ("前", "头", "近", "后", "首")
_RANK_MOVES = "升降进退移"


def _is_statistic(text: str, at: int, number: str, unit: str, more: str | None) -> bool:
    """Leave out numbers that are dates, durations in passing or the article 一 (一列班列 is not a statistic)."""
    before = text[max(at - 2, 0):at]
    if before.endswith("第") or (unit == "位" and before[-1:] != "" and before[-1] in _RANK_MOVES):
        return False                                       # 第14位, 上升10位: ranks, not counts
    if not number:
        if unit == "年":
            return False                                   # 百多年, 上千年: a span in passing
        return more is not None or before[-1:] in _ROUND   # 百余名, 千余家, 上千种
    if unit == "年":
        return before.endswith("连续") and not more    # 连续11年 is a figure; 2024年, 10多年 are not
    if unit == "个月" and before[-1:] in _PERIOD_BEFORE:
        return False                                       # 前10个月 is a period
    if not number[0].isdigit() and unit not in ("倍", "周年"):
        value = parse_number(number)
        # 一家, 两个国家, 十名: words, not statistics; 十几名 is a loose count
        return value is not None and (value > 10 or (value == 10 and more == "几"))
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
