"""Convert MSRA NER ``train.txt`` (``text/tag`` tokens, one sentence a line) into spaCy DocBins of characters.

The last ``--dev-share`` of the lines (5% by default, a fixed slice) is held out for development; the rest is training
data. Lines are split after 。！？ into shorter examples. Each Doc has one token per character; the training reader
re-tokenises the text with the model's own ``kg.char_tokenizer.v1``, which adds the bigram and dictionary features.

    python training/convert_msra.py [--data ../shared/data/msra_ner/train.txt] [--out training/corpus]
"""
from __future__ import annotations

import argparse
import re
from pathlib import Path

import spacy
from spacy.tokens import Doc, DocBin

LABELS = {"nr": "PER", "ns": "LOC", "nt": "ORG"}
SENTENCE_END = re.compile(r"(?<=[。！？])")


def parse_line(line: str) -> tuple[str, list[tuple[int, int, str]]]:
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "msra_ner" / "train.txt"))
    parser.add_argument("--out", default=str(Path(__file__).parent / "corpus"))
    parser.add_argument("--dev-share", type=float, default=0.05)
    args = parser.parse_args()

    vocab = spacy.blank("zh").vocab
    lines = [line for line in Path(args.data).read_text(encoding="utf-8").splitlines() if line.strip()]
    cut = len(lines) - round(len(lines) * args.dev_share)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for name, part in (("train", lines[:cut]), ("dev", lines[cut:])):
        bin_ = DocBin(attrs=["ORTH", "ENT_IOB", "ENT_TYPE"])
        docs = entities = 0
        for line in part:
            for text, spans in split_sentences(*parse_line(line)):
                doc = Doc(vocab, words=list(text), spaces=[False] * len(text))
                doc.ents = [doc.char_span(s, e, label=label) for s, e, label in spans]
                bin_.add(doc)
                docs += 1
                entities += len(spans)
        bin_.to_disk(out / f"{name}.spacy")
        print(f"{name}: {len(part)} lines -> {docs} docs, {entities} entities -> {out / f'{name}.spacy'}")


if __name__ == "__main__":
    main()
