"""Score ``kg ner`` output (JSON lines) on the MSRA development slice: entity P/R/F1 per type, exact spans.

    python training/score_lines.py --write-text dev.txt      # the slice, one sentence a line
    kg ner --labels msra dev.txt > dev.jsonl                 # or any tagger writing kg ner's records
    python training/score_lines.py dev.jsonl

``--gold FILE`` scores against every line of FILE instead (train.txt's format: MSRA's official test split, the
reference figure of the model card), cut into sentences as the slice is.

Records are matched to the slice's sentences line by line; entities of other types than PER/LOC/ORG are ignored.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from msra import add_slice_options, read  # noqa: E402
from train_ner import print_scores, score  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("records", nargs="?", help="kg ner output, one JSON record a line")
    parser.add_argument("--write-text", metavar="FILE", help="write the slice's sentences, one a line, and stop")
    parser.add_argument("--data", default=str(HERE.parent.parent / "shared" / "data" / "msra_ner" / "train.txt"))
    parser.add_argument("--gold", metavar="FILE", help="score against all of FILE (train.txt's format), not the slice")
    add_slice_options(parser)
    args = parser.parse_args()

    if args.gold:
        _, dev = read(Path(args.gold), dev_share=1.0)
    else:
        _, dev = read(Path(args.data), args.dev_share, args.spread)
    if args.write_text:
        Path(args.write_text).write_text("".join(text + "\n" for text, _ in dev), encoding="utf-8")
        return
    if not args.records:
        parser.error("give the records to score, or --write-text")
    lines = Path(args.records).read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    if len(records) != len(dev) or any(r["text"] != text for r, (text, _) in zip(records, dev)):
        sys.exit(f"{args.records}: {len(records)} records do not match the {len(dev)} sentences of the slice line "
                 f"for line (write the text with --write-text)")
    predicted = [{(e["start"], e["end"], e["type"]) for e in r["entities"]} for r in records]
    print_scores(score(dev, predicted))


if __name__ == "__main__":
    main()
