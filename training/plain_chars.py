"""Write ``plain_chars.txt`` into the model folder: the Han characters MSRA's names rarely use.

    python training/plain_chars.py [--output kg/models/msra_ner]

A character counts as plain when MSRA's training lines show it at least ``--min-count`` times and fewer than
``--share`` of those inside a person, place or organisation (的, 年, 增, 长 ...). kg_statistical_ner runs the model only
on the sentences where a name could still be found (``kg.nlp.statistical.may_hold_a_name``): two neighbouring Han
characters outside the rules' entities, the first a surname or neither of them plain. Characters MSRA hardly shows are
never plain (a rare character is as likely a name's as not).
"""
from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from msra import add_slice_options, read  # noqa: E402


def plain_chars(sentences, share: float, min_count: int) -> list[str]:
    """The Han characters of ``sentences`` ((text, entity spans) pairs) seen ``min_count`` times or more, fewer than
    ``share`` of them inside an entity; in code point order."""
    seen, named = Counter(), Counter()
    for text, spans in sentences:
        seen.update(text)
        named.update(text[i] for start, end, _ in spans for i in range(start, end))
    return sorted(c for c, n in seen.items()
                  if "\u4e00" <= c <= "\u9fff" and n >= min_count and named[c] < share * n)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "msra_ner" / "train.txt"))
    parser.add_argument("--output", default=str(ROOT / "kg" / "models" / "msra_ner"))
    parser.add_argument("--share", type=float, default=0.1)
    parser.add_argument("--min-count", type=int, default=5)
    add_slice_options(parser)
    args = parser.parse_args()
    train, _ = read(Path(args.data), args.dev_share, args.spread)
    chars = plain_chars(train, args.share, args.min_count)
    (Path(args.output) / "plain_chars.txt").write_text("".join(chars) + "\n", encoding="utf-8")
    print(f"{len(chars)} plain characters written to {args.output}/plain_chars.txt")


if __name__ == "__main__":
    main()
