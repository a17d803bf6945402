"""Entity-level P/R/F1 per type (exact character spans) of kg's NER model on the MSRA development slice.

    python training/evaluate_ner.py [--model kg/models/msra_ner] [--data ../shared/data/msra_ner/train.txt]

Runs the model as kg does (numpy, ``kg.nlp.charner``); no torch needed.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from msra import add_slice_options, read  # noqa: E402
from train_ner import evaluate, print_scores  # noqa: E402

from kg.nlp.charner import CharTagger  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=str(ROOT / "kg" / "models" / "msra_ner"))
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "msra_ner" / "train.txt"))
    add_slice_options(parser)
    args = parser.parse_args()

    _, dev = read(Path(args.data), args.dev_share, args.spread)
    tagger = CharTagger.load(args.model)
    started = time.perf_counter()
    scores = evaluate(tagger, dev)
    elapsed = time.perf_counter() - started
    chars = sum(len(text) for text, _ in dev)
    print_scores(scores)
    print(f"{len(dev)} sentences, {chars} chars in {elapsed:.1f} s ({chars / elapsed:,.0f} chars/s)")


if __name__ == "__main__":
    main()
