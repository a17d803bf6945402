"""Sentence splitting with character offsets.

A sentence ends at 。！？!? (and a Latin '.' before a space), with any closing quotes or brackets that follow;
it never ends inside a quotation, and always ends at a line break. ``text[s.start:s.end] == s.text``.
"""
from __future__ import annotations

from kg.records import Sentence

ENDS = set("。！？!?．")
CLOSERS = set("”’」』）)》】\"'")
QUOTES = {"“": "”", "「": "」", "『": "』", "‘": "’"}
MAX_QUOTE = 400   # a quotation this long without its closing mark was never closed: stop honouring it


def _is_latin_stop(text: str, i: int) -> bool:
    """A '.' that ends a sentence: followed by whitespace, a CJK character or the end, not inside a number."""
    nxt = text[i + 1] if i + 1 < len(text) else ""
    prev = text[i - 1] if i else ""
    if nxt.isdigit() and prev.isdigit():
        return False
    return nxt == "" or nxt.isspace() or ord(nxt) > 0x2e80


def split_sentences(text: str) -> tuple[Sentence, ...]:
    spans: list[tuple[int, int]] = []
    start = 0
    stack: list[tuple[str, int]] = []   # open quotation marks and where they opened
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\n":
            spans.append((start, i))
            start, stack = i + 1, []
        elif ch in QUOTES:
            stack.append((QUOTES[ch], i))
        elif stack and ch == stack[-1][0]:
            opened = stack.pop()[1]
            # 他说：“……。” ends the sentence with the quotation; “……。”他说。 goes on to the speaker.
            if not stack and i > 0 and text[i - 1] in ENDS and opened > 0 and text[opened - 1] in "：:":
                spans.append((start, i + 1))
                start = i + 1
        elif stack and i - stack[-1][1] > MAX_QUOTE:
            stack = []
        if not stack and (ch in ENDS or (ch == "." and _is_latin_stop(text, i))):
            j = i + 1
            while j < n and (text[j] in ENDS or text[j] in CLOSERS or text[j] == "…"):
                j += 1
            spans.append((start, j))
            start, i = j, j
            continue
        i += 1
    spans.append((start, n))
    out = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append(Sentence(s, e, text[s:e]))
    return tuple(out)
