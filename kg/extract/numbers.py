"""Figures as written (6689.3亿元, 1.4万列, 超400高柜, 16.5%) -> value, unit code, qualifier."""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import yaml

from kg.paths import ontology_dir

QUALIFIERS = ("超过", "多达", "近", "约", "超", "逾", "不足", "突破")
_MAGNITUDE = {"万": Decimal(10_000), "亿": Decimal(100_000_000), "千": Decimal(1_000), "百": Decimal(100)}
_CN_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


@dataclass(frozen=True)
class Figure:
    start: int
    end: int
    value: Decimal
    unit: str
    qualifier: str | None
    text: str


class FigureFinder:
    def __init__(self, units: dict[str, tuple[str, Decimal]]):
        self.units = units
        words = sorted(units, key=len, reverse=True)
        self._pattern = re.compile(
            r"(?P<qual>" + "|".join(QUALIFIERS) + r")?"
            r"(?P<num>\d+(?:[.,]\d+)*|[一二两三四五六七八九十]+)"
            r"(?P<mag>[万亿千百]{0,2})(?P<more>多|余)?"
            r"(?P<unit>" + "|".join(re.escape(w) for w in words) + ")"
        )

    @classmethod
    def load(cls, path: Path | None = None) -> "FigureFinder":
        data = yaml.safe_load((path or ontology_dir() / "units.yml").read_text(encoding="utf-8"))
        return cls({word: (code, Decimal(str(mult))) for word, (code, mult) in data["units"].items()})

    def find(self, text: str):
        for m in self._pattern.finditer(text):
            if m.start("num") > 0 and (text[m.start("num") - 1].isdigit() or text[m.start("num") - 1] == "."):
                continue
            unit_word = m.group("unit")
            number = m.group("num")
            if unit_word == "年" and (len(number) == 4 or not m.group("more")):
                continue          # 2024年 is a date, and 10年 mostly a span of time mentioned in passing
            value = parse_number(number)
            if value is None:
                continue
            for ch in m.group("mag"):
                value *= _MAGNITUDE[ch]
            code, multiplier = self.units[unit_word]
            qualifier = m.group("qual") or ("多" if m.group("more") else None)
            yield Figure(m.start(), m.end(), _normal(value * multiplier), code, qualifier, m.group(0))


def parse_number(text: str) -> Decimal | None:
    if text[0].isdigit():
        return Decimal(text.replace(",", ""))
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
