"""Train kg's character BiLSTM-CRF NER model (``kg.nlp.charner``) from MSRA with torch, and store it for numpy.

    python training/train_ner.py [--minutes 45] [--epochs 30] [--output kg/models/msra_ner]

The data are the MSRA lines cut into sentences (``training/msra.py``); the last 5% of the lines are the development
slice, the rest trains. After each epoch the development F1 is measured; the best epoch's weights are stored
(float16) with the vocabulary, and the stored model is scored again with the numpy implementation kg runs, which is
what ``scores.json`` reports.
Needs the ``train`` extra (``pip install -e .[train]``: torch, CPU build).
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter
from pathlib import Path

import numpy

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from msra import add_slice_options, read  # noqa: E402

from kg.nlp.charner import MAX_WORDS, CharTagger, Vocabulary, spans_from_tags  # noqa: E402

LABELS = ("PER", "LOC", "ORG")
TAGS = ["O"] + [f"{k}-{label}" for label in LABELS for k in "BIES"]


def bioes(text: str, spans: list[tuple[int, int, str]]) -> list[int]:
    tags = ["O"] * len(text)
    for start, end, label in spans:
        if end - start == 1:
            tags[start] = f"S-{label}"
        else:
            tags[start], tags[end - 1] = f"B-{label}", f"E-{label}"
            for i in range(start + 1, end - 1):
                tags[i] = f"I-{label}"
    return [TAGS.index(t) for t in tags]


def build_vocabulary(train: list, lexicon: list[str], args) -> Vocabulary:
    chars = Counter(c for text, _ in train for c in text)
    bigrams = Counter()
    for text, _ in train:
        padded = "\x02" + text + "\x03"
        bigrams.update(padded[j:j + 2] for j in range(len(text) + 1))
    probe = Vocabulary([], [], [], TAGS, lexicon)
    words = Counter()
    for text, _ in train:
        words.update(probe.words_in(text))
    return Vocabulary(by_count(chars, 1), by_count(bigrams, args.min_bigram)[:args.max_bigrams],
                      by_count(words, args.min_word)[:args.max_words], TAGS, lexicon)


def by_count(counts: Counter, least: int) -> list[str]:
    """The keys seen at least ``least`` times, most frequent first: cutting the table short drops the rarest."""
    return [key for key, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])) if n >= least]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "msra_ner" / "train.txt"))
    parser.add_argument("--lexicons", nargs="*", default=[str(ROOT.parent / "shared" / "data" / "icwb2" / name)
                                                          for name in ("msr_training_words.utf8",
                                                                       "pku_training_words.utf8")])
    parser.add_argument("--output", default=str(ROOT / "kg" / "models" / "msra_ner"))
    parser.add_argument("--minutes", type=float, default=45.0, help="stop starting epochs after this long")
    parser.add_argument("--epochs", type=int, default=40)
    add_slice_options(parser)
    parser.add_argument("--char-dim", type=int, default=100)
    parser.add_argument("--bigram-dim", type=int, default=50)
    parser.add_argument("--word-dim", type=int, default=50)
    parser.add_argument("--hidden", type=int, default=200)
    parser.add_argument("--dropout", type=float, default=0.5)
    parser.add_argument("--lr", type=float, default=0.002)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--min-bigram", type=int, default=2)
    parser.add_argument("--min-word", type=int, default=2)
    parser.add_argument("--max-bigrams", type=int, default=60000, help="embedded bigrams, most frequent first")
    parser.add_argument("--max-words", type=int, default=30000, help="embedded lexicon words, most frequent first")
    parser.add_argument("--unknown", type=float, default=0.0, help="share of inputs replaced by unknown in training")
    parser.add_argument("--decay", type=float, default=0.9, help="learning rate factor per epoch")
    parser.add_argument("--average", type=float, default=0.999,
                        help="also keep a moving average of the weights (this factor per batch; 0: none) and score it "
                             "after each epoch; the better of the two is kept")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--limit", type=int, default=0, help="train on the first N sentences only (smoke test)")
    args = parser.parse_args()

    import torch

    torch.manual_seed(args.seed)
    random.seed(args.seed)
    numpy.random.seed(args.seed)
    torch.set_num_threads(args.threads)
    started = time.perf_counter()
    train, dev = read(Path(args.data), args.dev_share, args.spread)
    if args.limit:
        train, dev = train[:args.limit], dev[:max(args.limit // 10, 50)]
    lexicon = [w.strip() for path in args.lexicons for w in Path(path).read_text(encoding="utf-8").splitlines()]
    vocab = build_vocabulary(train, lexicon, args)
    print(f"{len(train)} training / {len(dev)} dev sentences; vocabulary {vocab.sizes} "
          f"({time.perf_counter() - started:.0f} s)", flush=True)
    encoded = [(vocab.encode(text), bioes(text, spans)) for text, spans in train]
    print(f"encoded in {time.perf_counter() - started:.0f} s", flush=True)

    model = Tagger(vocab.sizes, args)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    average = {k: v.detach().clone() for k, v in model.state_dict().items()} if args.average else None
    best_f, best_state, history = -1.0, None, []
    for epoch in range(1, args.epochs + 1):
        if (time.perf_counter() - started) / 60 > args.minutes:
            break
        for group in optimizer.param_groups:
            group["lr"] = args.lr * args.decay ** (epoch - 1)
        model.train()
        order = sorted(range(len(encoded)), key=lambda i: (len(train[i][0]), random.random()))
        batches = [order[i:i + args.batch] for i in range(0, len(order), args.batch)]
        random.shuffle(batches)
        total = 0.0
        for batch in batches:
            loss = model.loss(*collate([encoded[i] for i in batch], unknown=args.unknown))
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            optimizer.step()
            total += loss.item()
            if average is not None:
                with torch.no_grad():
                    for k, v in model.state_dict().items():
                        average[k].mul_(args.average).add_(v, alpha=1 - args.average)
        weights = model.numpy_weights()
        scores = evaluate(CharTagger(vocab, weights), dev)
        history.append({"epoch": epoch, "minutes": round((time.perf_counter() - started) / 60, 1),
                         "loss": round(total / len(encoded), 3), **scores["ALL"]})
        candidates = [(scores["ALL"]["f"], weights)]
        if average is not None:
            averaged = {k: v.numpy().copy() for k, v in average.items()}
            history[-1]["averaged_f"] = evaluate(CharTagger(vocab, averaged), dev)["ALL"]["f"]
            candidates.append((history[-1]["averaged_f"], averaged))
        print(json.dumps(history[-1]), flush=True)
        for f, state in candidates:
            if f > best_f:
                best_f, best_state = f, state
    store(vocab, best_state, dev, Path(args.output), args, history)


class Tagger:
    """Built in a function so that importing this module does not need torch."""

    def __new__(cls, sizes: dict[str, int], args):
        import torch
        from torch import nn

        class BiLstmCrf(nn.Module):
            def __init__(self):
                super().__init__()
                self.char = nn.Embedding(sizes["chars"], args.char_dim, padding_idx=0)
                self.bigram = nn.Embedding(sizes["bigrams"], args.bigram_dim, padding_idx=0)
                self.word = nn.Embedding(sizes["words"], args.word_dim, padding_idx=0)
                width = args.char_dim + 2 * args.bigram_dim + 3 * args.word_dim
                self.dropout = nn.Dropout(args.dropout)
                self.lstm = nn.LSTM(width, args.hidden, batch_first=True, bidirectional=True)
                self.out = nn.Linear(2 * args.hidden, sizes["tags"])
                tags = sizes["tags"]
                self.transitions = nn.Parameter(torch.zeros(tags, tags))
                self.start = nn.Parameter(torch.zeros(tags))
                self.end = nn.Parameter(torch.zeros(tags))

            def emissions(self, chars, bigrams, words, lengths):
                counts = (words > 0).sum(dim=3, keepdim=True).clamp(min=1)
                lexical = (self.word(words).sum(dim=3) / counts).flatten(2)
                x = torch.cat([self.char(chars), self.bigram(bigrams[:, :-1]), self.bigram(bigrams[:, 1:]),
                               lexical], dim=2)
                packed = nn.utils.rnn.pack_padded_sequence(self.dropout(x), lengths, batch_first=True,
                                                           enforce_sorted=False)
                out, _ = self.lstm(packed)
                out, _ = nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=chars.shape[1])
                return self.out(self.dropout(out))

            def loss(self, chars, bigrams, words, tags, lengths):
                scores = self.emissions(chars, bigrams, words, lengths)
                mask = torch.arange(chars.shape[1])[None, :] < lengths[:, None]
                return (self._partition(scores, mask) - self._gold(scores, tags, mask)).sum() / chars.shape[0]

            def _gold(self, scores, tags, mask):
                """The score of the gold tag sequence."""
                weight = mask.float()
                emitted = (scores.gather(2, tags[:, :, None])[:, :, 0] * weight).sum(dim=1)
                moved = (self.transitions[tags[:, :-1], tags[:, 1:]] * weight[:, 1:]).sum(dim=1)
                last = tags.gather(1, (mask.sum(dim=1) - 1)[:, None])[:, 0]
                return self.start[tags[:, 0]] + emitted + moved + self.end[last]

            def _partition(self, scores, mask):
                """The log of the summed scores of every tag sequence (the forward algorithm)."""
                alpha = self.start + scores[:, 0]
                for t in range(1, scores.shape[1]):
                    step = torch.logsumexp(alpha[:, :, None] + self.transitions + scores[:, t, None, :], dim=1)
                    alpha = torch.where(mask[:, t, None], step, alpha)
                return torch.logsumexp(alpha + self.end, dim=1)

            def numpy_weights(self):
                return {k: v.detach().cpu().numpy().copy() for k, v in self.state_dict().items()}

        return BiLstmCrf()


def collate(items, unknown: float = 0.0):
    """A padded batch; ``unknown`` is the share of characters and bigrams replaced by the unknown row (dropout
    of whole inputs, so that the model learns names from their context too)."""
    import torch

    lengths = [len(chars) for (chars, _, _), _ in items]
    longest = max(lengths)
    n = len(items)
    chars = numpy.zeros((n, longest), dtype=numpy.int64)
    bigrams = numpy.zeros((n, longest + 1), dtype=numpy.int64)
    words = numpy.zeros((n, longest, 3, MAX_WORDS), dtype=numpy.int64)
    tags = numpy.zeros((n, longest), dtype=numpy.int64)
    for i, ((c, b, w), t) in enumerate(items):
        chars[i, :len(c)], bigrams[i, :len(b)], words[i, :len(c)], tags[i, :len(t)] = c, b, w, t
    if unknown:
        for table in (chars, bigrams):
            table[(table > 1) & (numpy.random.random(table.shape) < unknown)] = 1
    return (torch.from_numpy(chars), torch.from_numpy(bigrams), torch.from_numpy(words), torch.from_numpy(tags),
            torch.tensor(lengths))


def evaluate(tagger: CharTagger, sentences: list) -> dict[str, dict[str, float]]:
    texts = [text for text, _ in sentences]
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    predicted: dict[int, set] = {}
    for b in range(0, len(order), 128):
        batch = order[b:b + 128]
        for i, tags in zip(batch, tagger.tag([texts[i] for i in batch])):
            predicted[i] = set(spans_from_tags(tags))
    return score(sentences, [predicted[i] for i in range(len(sentences))])


def score(sentences: list, predicted: list[set]) -> dict[str, dict[str, float]]:
    """Entity-level P/R/F1 per type (exact spans) of ``predicted`` (a set of (start, end, label) per sentence)."""
    counts = {label: Counter() for label in (*LABELS, "ALL")}
    for (_, spans), got in zip(sentences, predicted, strict=True):
        want = set(spans)
        for label in LABELS:
            w, g = {x for x in want if x[2] == label}, {x for x in got if x[2] == label}
            for key in (label, "ALL"):
                counts[key]["tp"] += len(w & g)
                counts[key]["fp"] += len(g - w)
                counts[key]["fn"] += len(w - g)
    out = {}
    for label, c in counts.items():
        p = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 0.0
        r = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 0.0
        out[label] = {"p": round(p, 4), "r": round(r, 4), "f": round(2 * p * r / (p + r) if p + r else 0.0, 4),
                      "gold": c["tp"] + c["fn"]}
    return out


def print_scores(scores: dict[str, dict[str, float]]) -> None:
    print(f"{'type':6} {'P':>6} {'R':>6} {'F1':>6} {'gold':>6}")
    for label, s in scores.items():
        print(f"{label:6} {s['p']:6.4f} {s['r']:6.4f} {s['f']:6.4f} {s['gold']:6d}")


def store(vocab: Vocabulary, weights: dict, dev: list, output: Path, args, history: list) -> None:
    """Write the model whole into a new folder, score it as kg will run it, then put it in place of ``output``."""
    import shutil

    staging = output.with_name(output.name + ".new")
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    CharTagger(vocab, weights).save(staging, weights)
    scores = evaluate(CharTagger.load(staging), dev)
    settings = {k: v for k, v in vars(args).items() if k not in ("data", "lexicons", "output")}
    (staging / "scores.json").write_text(json.dumps({"dev": scores, "settings": settings, "history": history},
                                                    indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    card = output / "MODEL_CARD.md"
    if card.exists():
        shutil.copy(card, staging / "MODEL_CARD.md")
    if output.exists():
        shutil.rmtree(output)
    staging.rename(output)
    print(f"model -> {output}: {json.dumps(scores['ALL'])}")


if __name__ == "__main__":
    main()
