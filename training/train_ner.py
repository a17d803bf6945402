"""Train kg's statistical NER model from MSRA and put it where kg loads it (``kg/models/msra_ner``).

    OMP_NUM_THREADS=1 python training/train_ner.py [--max-steps N] [--output DIR] [--config training/config.cfg]

Steps: convert the data (``training/convert_msra.py``) unless ``training/corpus`` has it, train with spaCy on one
core, store ``model-best`` with float16 weights in the output, and write ``scores.json`` there with the
development scores per type. The defaults (5,000 steps) take ~40 min on one core of the reference machine. Paths
are relative to the repository root, with the data in ``../shared`` beside the checkout.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default=str(HERE / "config.cfg"))
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "msra_ner" / "train.txt"))
    parser.add_argument("--runs", default=str(HERE / "runs" / "latest"), help="spaCy's output folder")
    parser.add_argument("--output", default=str(ROOT / "kg" / "models" / "msra_ner"))
    parser.add_argument("--max-steps", type=int, default=None)
    parser.add_argument("--set", nargs="*", default=[], help="extra config overrides: section.key=value")
    args = parser.parse_args()

    corpus = HERE / "corpus"
    if not (corpus / "train.spacy").exists():
        subprocess.run([sys.executable, str(HERE / "convert_msra.py"), "--data", args.data, "--out", str(corpus)],
                       check=True)

    import kg.nlp.statistical  # noqa: F401  (registers kg.char_tokenizer.v1)
    from spacy.cli.train import train

    # relative to the repository root, so the stored config names no machine's folders
    overrides = {"paths.train": str((corpus / "train.spacy").relative_to(ROOT)),
                 "paths.dev": str((corpus / "dev.spacy").relative_to(ROOT))}
    if args.max_steps:
        overrides["training.max_steps"] = args.max_steps
    for item in args.set:
        key, _, value = item.partition("=")
        overrides[key] = json.loads(value) if value[:1] in "[{0123456789-" or value in ("true", "false") else value
    os.chdir(ROOT)
    train(Path(args.config), Path(args.runs), use_gpu=-1, overrides=overrides)
    publish(Path(args.runs) / "model-best", Path(args.output))


def publish(best: Path, output: Path) -> None:
    """Copy the best model to ``output`` and write its development scores."""
    from kg.nlp.statistical import load_model, save_model

    meta = json.loads((best / "meta.json").read_text(encoding="utf-8"))
    nlp = load_model(best)
    nlp.meta.update(name="kg_msra_ner", description="PER/LOC/ORG on characters, trained on MSRA (SIGHAN 2006); "
                    "see MODEL_CARD.md", license="SIGHAN bakeoff data: research use")
    card = output / "MODEL_CARD.md"
    kept_card = card.read_text(encoding="utf-8") if card.exists() else None
    if output.exists():
        shutil.rmtree(output)
    save_model(nlp, output)
    if kept_card:
        card.write_text(kept_card, encoding="utf-8")
    perf = meta.get("performance", {})
    scores = {key: perf.get(key) for key in ("ents_p", "ents_r", "ents_f", "ents_per_type")}
    (output / "scores.json").write_text(json.dumps(scores, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"model -> {output}: {json.dumps(scores, ensure_ascii=False)}")


if __name__ == "__main__":
    main()
