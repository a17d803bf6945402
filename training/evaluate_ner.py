"""Entity-level P/R/F1 per type (exact character spans) of an NER model on the development slice.

    OMP_NUM_THREADS=1 python training/evaluate_ner.py [--model kg/models/msra_ner] [--dev training/corpus/dev.spacy]
"""
from __future__ import annotations

import argparse
import os
import time
from collections import Counter
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

HERE = Path(__file__).resolve().parent


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, 2 * p * r / (p + r) if p + r else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=str(HERE.parent / "kg" / "models" / "msra_ner"))
    parser.add_argument("--dev", default=str(HERE / "corpus" / "dev.spacy"))
    args = parser.parse_args()

    import spacy
    from spacy.tokens import DocBin

    from kg.nlp.statistical import load_model

    nlp = load_model(args.model)
    gold_docs = list(DocBin().from_disk(args.dev).get_docs(spacy.blank("zh").vocab))
    counts: dict[str, Counter] = {}
    started = time.perf_counter()
    chars = 0
    for gold, pred in zip(gold_docs, nlp.pipe(d.text for d in gold_docs)):
        chars += len(gold.text)
        want = {(e.start_char, e.end_char, e.label_) for e in gold.ents}
        got = {(e.start_char, e.end_char, e.label_) for e in pred.ents}
        for label in {x[2] for x in want | got}:
            c = counts.setdefault(label, Counter())
            w = {x for x in want if x[2] == label}
            g = {x for x in got if x[2] == label}
            c["tp"] += len(w & g)
            c["fp"] += len(g - w)
            c["fn"] += len(w - g)
    elapsed = time.perf_counter() - started
    total = sum(counts.values(), Counter())
    print(f"{'type':6} {'P':>6} {'R':>6} {'F1':>6} {'gold':>6}")
    for label, c in sorted(counts.items()) + [("ALL", total)]:
        p, r, f = prf(c["tp"], c["fp"], c["fn"])
        print(f"{label:6} {p:6.4f} {r:6.4f} {f:6.4f} {c['tp'] + c['fn']:6d}")
    print(f"{len(gold_docs)} docs, {chars} chars in {elapsed:.1f} s ({chars / elapsed:,.0f} chars/s, one core)")


if __name__ == "__main__":
    main()
