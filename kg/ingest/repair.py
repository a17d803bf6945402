"""Text repair for news text that went through a PDF or a web page.

``repair(text)`` re-joins lines that a page layout broke inside a sentence, squeezes the spaces that justified
columns put between characters, and keeps real paragraph breaks. The result is what every offset points into.
``normalize_for_matching(text)`` maps full-width forms to half-width, one character in, one out.
"""
from __future__ import annotations

import functools
import re
import unicodedata

# Characters that may end a paragraph; closing quotes and brackets may follow them.
FINAL = set("。！？!?；;…：:")
CLOSING = set("”’」』）)》〉】\"'")
# A line ending with one of these always continues on the next line.
CONTINUING = set("，,、（(“‘《〈【—-")
# Lines that end a paragraph even without punctuation: bylines and photo credits.
LINE_END_MARKERS = re.compile(r"(报道|摄|摄影|供图|\d日电|\d日讯)$")

# An info line under a headline: a date standing on its own (2025-06-18 10:12, 2025年3月12日　星期三) or labelled
# fields (来源：… 作者：…). It holds no clause punctuation, and it never runs on into the next line.
INFO_DATE = re.compile(r"(?:^|(?<=[\s\u3000：:]))(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})日?"
                       r"(?=$|[\s\u3000]|(?<=日)\d{1,2}:\d{2})")
INFO_FIELD = re.compile(r"(?:来源|作者|发布时间|发布日期|责任编辑|编辑)\s*[:：]")
CLAUSE = re.compile(r"[，。！？；,;!?]")


def is_info_line(line: str) -> bool:
    """True for a page or article info line: a date on its own or labelled fields, no sentence in it."""
    line = line.strip()
    return 0 < width(line) <= 80 and not CLAUSE.search(line) and bool(INFO_DATE.search(line)
                                                                      or INFO_FIELD.search(line))


# A line that opens a story (本报讯, a dateline such as 新华社宁波3月2日电, a ■ byline) is never glued to what precedes it.
STORY_START = re.compile(r"^[\s\u3000]*(?:本报讯|本报消息|[■□◆●▲]|[（(【\[]?[\u4e00-\u9fff]{0,12}?"
                         r"(?:\d{4}年)?\d{1,2}月\d{1,2}日\s*[电讯])")
# A gap inside a line (开年采购热　客商涌义乌, 某某报　　2025年3月12日) marks a headline or a layout row, not running text.
INNER_GAP = re.compile(r"\S(?:\u3000+| {2,})\S")


def starts_story(line: str) -> bool:
    return bool(STORY_START.match(line))


CJK = r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
# A single space between a CJK character and a number: "用电量 4.49 亿千瓦时".
UNITS = "亿万千百十年月日时个家人元吨件种列条台多余后倍项次座名位辆架艘箱标"
_CJK_DIGIT_SPACE = re.compile(rf"(?<=[{CJK}]) (?=[0-9])|(?<=[0-9%]) (?=[{UNITS}])")
_HSPACE = re.compile(r"[ \t\u00a0]+")


def width(line: str) -> float:
    """Printed width: a CJK character is one column, an ASCII character half of one."""
    return sum(0.5 if ord(ch) < 128 else 1.0 for ch in line)


def ends_paragraph(line: str) -> bool:
    """True when the line ends the way a paragraph ends: sentence punctuation, a byline or a photo credit."""
    core = line.rstrip().rstrip("".join(CLOSING))
    return bool(core) and (core[-1] in FINAL or bool(LINE_END_MARKERS.search(core)))


def squeeze_spaces(line: str) -> str:
    """Drop the spaces a justified column puts between characters, keeping spaces between Latin words."""
    line = _HSPACE.sub(" ", line.strip(" \t\u00a0"))
    tokens = line.split(" ")
    if len(tokens) >= 4 and sum(len(t) == 1 for t in tokens) >= 0.6 * len(tokens):
        out = tokens[0]
        for tok in tokens[1:]:
            out += (" " if out[-1:].isascii() and out[-1:].isalnum() and tok[:1].isascii() and tok[:1].isalpha()
                    else "") + tok
        line = out
    return _CJK_DIGIT_SPACE.sub("", line)


def _glue(left: str, right: str) -> str:
    """The separator for re-joining two pieces of one broken line: a space only between Latin words."""
    a, b = left[-1:], right[:1]
    if a.isascii() and b.isascii() and a.isalnum() and b.isalnum() and (a.isalpha() or b.isalpha()):
        return " "
    return ""


def _full_width(widths: list[float]) -> float:
    """The width at which a line counts as "full" (it ran to the column's edge, so it continues)."""
    widths = sorted(widths)
    if not widths:
        return 30.0
    column = widths[int(0.75 * (len(widths) - 1))]
    return min(0.7 * column, 30.0)


def _is_credit(line: str) -> bool:
    return bool(re.search(r"摄(影)?$|供图$", line.rstrip("）)").split("（")[0].split("(")[0]))


def _is_caption(para: list[str]) -> bool:
    """A one-line photo caption or photo credit that the layout dropped between two halves of a sentence."""
    line = para[0]
    return len(para) == 1 and width(line) <= 20 and (_is_credit(line) or not ends_paragraph(line))


def repair(text: str, *, join_paragraphs: bool = True) -> str:
    """Re-join broken lines; paragraphs come out separated by a blank line, headings keep their line breaks.

    ``join_paragraphs=False`` (for HTML, whose paragraphs are real) only squeezes spaces and drops empty lines.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n\n")
    blocks: list[list[str]] = []
    printed: dict[str, float] = {}    # squeezed line -> its printed width before squeezing
    for raw in re.split(r"\n[ \t\u3000\u00a0]*\n\s*", text):
        block = []
        for raw_line in raw.split("\n"):
            line = squeeze_spaces(raw_line)
            if line.strip("\u3000 "):
                block.append(line)
                printed[line] = max(printed.get(line, 0.0), width(raw_line.strip()))
        if block:
            blocks.append(block)
    if not join_paragraphs:
        return "\n\n".join("\n".join(b) for b in blocks)
    full = _full_width(list(printed.values()))

    def continues(line: str) -> bool:
        if ends_paragraph(line) or is_info_line(line) or INNER_GAP.search(line) or line.lstrip()[:1] in "■□◆●▲":
            return False
        return line[-1] in CONTINUING or printed.get(line, width(line)) >= full

    def heading(para: list[str]) -> bool:
        return len(para) <= 3 and width(para[0]) < full and not any(ends_paragraph(ln) for ln in para)

    # Within a block, a line that ran to the edge of the column continues on the next line.
    paragraphs: list[list[str]] = []
    for n, block in enumerate(blocks):
        lines = [block[0]]
        for ln in block[1:]:
            headline = n == 0 and len(lines) == 1 and full >= 30   # a page's first line, outside a column layout
            if continues(lines[-1]) and not headline and not starts_story(ln):
                lines[-1] += _glue(lines[-1], ln) + ln
            else:
                lines.append(ln)
        paragraphs.append(lines)

    # Across blank lines too, skipping photo captions dropped into the sentence (they move after it).
    out: list[list[str]] = []
    i = 0
    while i < len(paragraphs):
        para = paragraphs[i]
        first = i == 0 and len(para) == 1
        i += 1
        moved: list[list[str]] = []
        while not first and continues(para[-1]) and not heading(para):
            j = i
            while j < len(paragraphs) and j - i < 3 and _is_caption(paragraphs[j]):
                j += 1
            captions = paragraphs[i:j]
            if j >= len(paragraphs) or heading(paragraphs[j]) or starts_story(paragraphs[j][0]):
                break
            if captions and not any(_is_credit(c[0]) for c in captions):
                break
            nxt = paragraphs[j]
            para = para[:-1] + [para[-1] + _glue(para[-1], nxt[0]) + nxt[0]] + nxt[1:]
            moved += captions
            i = j + 1
        out.append(para)
        out.extend(moved)
    return "\n\n".join("\n".join(p) for p in out)


@functools.cache
def _matching_table() -> dict[int, str]:
    table = {0x3000: " "}
    for cp in range(0x80, 0x10000):
        ch = chr(cp)
        norm = unicodedata.normalize("NFKC", ch)
        if len(norm) == 1 and norm != ch and unicodedata.category(ch) != "Mn":
            table[cp] = norm
    return table


def normalize_for_matching(text: str) -> str:
    """Full-width ASCII to half-width (and other one-to-one compatibility forms); the length never changes."""
    return text.translate(_matching_table())
