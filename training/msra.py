"""Read MSRA NER ``train.txt`` (``word/tag`` tokens, one paragraph a line) as sentences with character spans.

The last ``dev_share`` of the lines (5% by default, a fixed slice) is held out for development; the rest trains.
``spread=True`` holds out the same share in 20 blocks of neighbouring lines spread over the file instead (the end of
each twentieth): the end of train.txt is mostly literary text, the spread slice looks like the whole (news). Blocks,
not single lines, so that few held-out lines have their article's other paragraphs in training.
Lines are cut after 。！？ into sentences, never inside a name. No test split is read: kg is measured on it
independently.
"""
from __future__ import annotations

import re
from pathlib import Path

LABELS = {"nr": "PER", "ns": "LOC", "nt": "ORG"}
SENTENCE_END = re.compile(r"(?<=[。！？])")

Sentence = tuple[str, list[tuple[int, int, str]]]


def parse_line(line: str) -> Sentence:
    """A line's text and its (start, end, label) entities."""
    text, spans = [], []
    offset = 0
    for token in line.split():
        word, _, tag = token.rpartition("/")
        if not word:
            continue
        if tag in LABELS:
            spans.append((offset, offset + len(word), LABELS[tag]))
        text.append(word)
        offset += len(word)
    return "".join(text), spans


def split_sentences(text: str, spans: list[tuple[int, int, str]]):
    """Cut after 。！？ unless the cut falls inside an entity."""
    inside = {i for start, end, _ in spans for i in range(start + 1, end)}
    cuts = [m.start() for m in SENTENCE_END.finditer(text) if 0 < m.start() < len(text) and m.start() not in inside]
    edges = [0, *cuts, len(text)]
    for a, b in zip(edges, edges[1:]):
        if text[a:b].strip():
            yield text[a:b], [(s - a, e - a, label) for s, e, label in spans if s >= a and e <= b]


def add_slice_options(parser) -> None:
    """The options that choose the development slice, shared by the training and scoring scripts."""
    parser.add_argument("--dev-share", type=float, default=0.05)
    parser.add_argument("--spread", action="store_true",
                        help="hold out 20 blocks of lines spread over the file, not its end (training/msra.py)")


def read(path: Path, dev_share: float = 0.05, spread: bool = False) -> tuple[list[Sentence], list[Sentence]]:
    """(training sentences, development sentences)."""
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if spread and dev_share:
        twentieth, block = len(lines) // 20, round(len(lines) * dev_share / 20)
        held = {i for k in range(20) for i in range((k + 1) * twentieth - block, (k + 1) * twentieth)}
        parts = ([x for i, x in enumerate(lines) if i not in held], [x for i, x in enumerate(lines) if i in held])
    else:
        cut = len(lines) - round(len(lines) * dev_share)
        parts = (lines[:cut], lines[cut:])
    return tuple([s for line in part for s in split_sentences(*parse_line(line))] for part in parts)
