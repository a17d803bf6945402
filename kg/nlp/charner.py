"""A character BiLSTM-CRF tagger for PER/LOC/ORG, run with numpy (training, in ``training/train_ner.py``, uses torch).

Each character is seen as four things (Ma et al. 2020, "Simplify the usage of lexicon in Chinese NER", in spirit):

- the character itself;
- the bigrams it forms with the character before and the one after;
- the lexicon words that begin (B), continue (M) and end (E) at it: for each of the three sets, the mean of the
  words' embeddings. The lexicon is the SIGHAN 2005 word lists (143k words); words the training text never showed
  share one embedding per length.

A one-layer BiLSTM reads these, and a CRF picks the best BIOES tag sequence. Long texts are cut into sentences
(``chunks``) first, so a batch of sentences runs through the LSTM together.

The model folder holds ``weights.npz`` (embeddings as int8 with a scale per row, the rest float16), ``vocab.json.gz`` (characters, bigrams, embedded words, tags) and
``lexicon.txt.gz`` (every lexicon word).
"""
from __future__ import annotations

import contextlib
import ctypes
import functools
import gzip
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy

MAX_WORDS = 3      # per character and set (B/M/E): the longest lexicon words kept
MAX_CHUNK = 200    # a sentence longer than this is cut further at commas and semicolons
UNSEEN_LENGTHS = 4  # lexicon words never seen in training share an embedding per length 2, 3, 4, 5+
BEGIN, END = "\x02", "\x03"  # text edges in bigrams

_SENTENCE_END = re.compile(r"(?<=[。！？!?\n])")
_CLAUSE_END = re.compile(r"(?<=[，；,;、])")


class Vocabulary:
    """Characters, bigrams and words to embedding rows (row 0 is padding, row 1 unknown), and the lexicon."""

    def __init__(self, chars: list[str], bigrams: list[str], words: list[str], tags: list[str],
                 lexicon: list[str]):
        self.chars = {c: i for i, c in enumerate(chars, start=2)}
        self.bigrams = {b: i for i, b in enumerate(bigrams, start=2)}
        # unseen lexicon words: rows 1 .. UNSEEN_LENGTHS by length; then the embedded words
        self.words = {w: i for i, w in enumerate(words, start=1 + UNSEEN_LENGTHS)}
        self.tags = list(tags)
        self.lexicon = sorted({w for w in lexicon if len(w) >= 2 and not any(c.isspace() for c in w)})
        self._automaton = None
        if self.lexicon:
            import ahocorasick

            automaton = ahocorasick.Automaton()
            for word in self.lexicon:
                row = self.words.get(word, min(len(word), 1 + UNSEEN_LENGTHS) - 1)
                automaton.add_word(word, (len(word), row))
            automaton.make_automaton()
            self._automaton = automaton

    @property
    def sizes(self) -> dict[str, int]:
        return {"chars": len(self.chars) + 2, "bigrams": len(self.bigrams) + 2,
                "words": len(self.words) + 1 + UNSEEN_LENGTHS, "tags": len(self.tags)}

    def words_in(self, text: str) -> list[str]:
        """The lexicon words found in ``text`` (each occurrence once)."""
        if self._automaton is None:
            return []
        return [text[last - length + 1:last + 1] for last, (length, _) in self._automaton.iter(text)]

    def encode(self, text: str) -> tuple[numpy.ndarray, numpy.ndarray, numpy.ndarray]:
        """Rows for ``text``: chars [n], bigrams [n + 1] (char i sees i and i + 1), lexicon words [n, 3, MAX_WORDS]."""
        n = len(text)
        chars = numpy.fromiter((self.chars.get(c, 1) for c in text), dtype=numpy.int64, count=n)
        padded = BEGIN + text + END
        bigrams = numpy.fromiter((self.bigrams.get(padded[j:j + 2], 1) for j in range(n + 1)),
                                 dtype=numpy.int64, count=n + 1)
        words = numpy.zeros((n, 3, MAX_WORDS), dtype=numpy.int64)
        if self._automaton is not None and n:
            sets: list[list[list[tuple[int, int]]]] = [[[], [], []] for _ in range(n)]
            for last, (length, row) in self._automaton.iter(text):
                first = last - length + 1
                sets[first][0].append((length, row))
                sets[last][2].append((length, row))
                for i in range(first + 1, last):
                    sets[i][1].append((length, row))
            for i, char_sets in enumerate(sets):
                for s, found in enumerate(char_sets):
                    if found:
                        found.sort(reverse=True)
                        for k, (_, row) in enumerate(found[:MAX_WORDS]):
                            words[i, s, k] = row
        return chars, bigrams, words

    def to_disk(self, path: Path) -> None:
        by_row = lambda table: [k for k, _ in sorted(table.items(), key=lambda kv: kv[1])]  # noqa: E731
        data = {"chars": by_row(self.chars), "bigrams": by_row(self.bigrams), "words": by_row(self.words),
                "tags": self.tags}
        _write_gzip(path / "vocab.json.gz", json.dumps(data, ensure_ascii=False))
        _write_gzip(path / "lexicon.txt.gz", "\n".join(self.lexicon))

    @classmethod
    def from_disk(cls, path: Path) -> "Vocabulary":
        with gzip.open(path / "vocab.json.gz", "rt", encoding="utf-8") as src:
            data = json.load(src)
        with gzip.open(path / "lexicon.txt.gz", "rt", encoding="utf-8") as src:
            lexicon = src.read().split("\n")
        return cls(data["chars"], data["bigrams"], data["words"], data["tags"], lexicon)


def _write_gzip(path: Path, text: str) -> None:
    """gzip without a time stamp in the header: the same model gives the same bytes."""
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0) as out:
        out.write(text.encode("utf-8"))


def chunks(text: str) -> list[tuple[int, str]]:
    """``text`` cut into (offset, sentence) pieces of at most about MAX_CHUNK characters, blank pieces left out."""
    out: list[tuple[int, str]] = []
    offset = 0
    for sentence in _SENTENCE_END.split(text):
        pieces = [sentence] if len(sentence) <= MAX_CHUNK else _CLAUSE_END.split(sentence)
        for piece in pieces:
            while len(piece) > MAX_CHUNK:  # no clause break: hard cut
                if piece[:MAX_CHUNK].strip():
                    out.append((offset, piece[:MAX_CHUNK]))
                offset += MAX_CHUNK
                piece = piece[MAX_CHUNK:]
            if piece.strip():
                out.append((offset, piece))
            offset += len(piece)
    return out


def spans_from_tags(tags: list[str]) -> list[tuple[int, int, str]]:
    """BIOES tags -> (start, end, label); a span that breaks off (B without E) is dropped."""
    spans, start, label = [], None, None
    for i, tag in enumerate(tags):
        kind, _, name = tag.partition("-")
        if kind == "S":
            spans.append((i, i + 1, name))
            start = None
        elif kind == "B":
            start, label = i, name
        elif kind == "I":
            if label != name:
                start = None
        elif kind == "E":
            if start is not None and label == name:
                spans.append((start, i + 1, name))
            start = None
        else:
            start = None
    return spans


EMBEDDINGS = ("char.weight", "bigram.weight", "word.weight")


def pack(weights: dict[str, numpy.ndarray]) -> dict[str, numpy.ndarray]:
    """Weights for storage: embedding tables as int8 with a scale per row, the rest as float16 (a quarter / half)."""
    packed = {}
    for name, value in weights.items():
        if name in EMBEDDINGS:
            scale = numpy.abs(value).max(axis=1, keepdims=True) / 127
            scale[scale == 0] = 1
            packed[name + ".int8"] = numpy.round(value / scale).astype(numpy.int8)
            packed[name + ".scale"] = scale.astype(numpy.float32)
        else:
            packed[name] = value.astype(numpy.float16)
    return packed


def unpack(packed: dict[str, numpy.ndarray]) -> dict[str, numpy.ndarray]:
    weights = {}
    for name, value in packed.items():
        if name.endswith(".int8"):
            base = name[:-len(".int8")]
            weights[base] = value.astype(numpy.float32) * packed[base + ".scale"]
        elif not name.endswith(".scale"):
            weights[name] = value.astype(numpy.float32)
    return weights


# OpenBLAS's thread-count functions, by the names its builds give them (numpy's wheels prefix and suffix them)
_BLAS_THREADS = [(f"{prefix}_get_num_threads{suffix}", f"{prefix}_set_num_threads{suffix}")
                 for prefix in ("scipy_openblas", "openblas") for suffix in ("64_", "_64_", "")]


@functools.cache
def _blas_thread_setters() -> list[tuple]:
    """(get, set) of the thread count of each OpenBLAS this process has loaded (numpy's), found by the Linux map of
    its libraries; none elsewhere or with another BLAS, and then nothing changes."""
    try:
        with open("/proc/self/maps", encoding="utf-8") as maps:
            paths = sorted({line.split()[-1] for line in maps if "openblas" in line.rsplit("/", 1)[-1]})
    except OSError:
        return []
    found = []
    for path in paths:
        try:
            library = ctypes.CDLL(path)
        except OSError:
            continue
        for get, set_ in _BLAS_THREADS:
            if hasattr(library, get) and hasattr(library, set_):
                found.append((getattr(library, get), getattr(library, set_)))
                break
    return found


@contextlib.contextmanager
def one_blas_thread() -> Iterator[None]:
    """numpy's matrix products in one thread inside the block, the count before restored after it.

    The model's products are small (a time step multiplies a few dozen rows by 200 x 800): a second BLAS thread saves
    little on an idle machine, and where the other core is busy (a second build job, another program) the threads wait
    on each other: on a loaded 2-core machine (load average 17) the model tagged 327 chars/s with OpenBLAS's default
    threads, 4,373 chars/s with one (bench of 2026-12-07, the same articles, the same spans).
    """
    setters = _blas_thread_setters()
    before = [get() for get, _ in setters]
    for _, set_ in setters:
        set_(1)
    try:
        yield
    finally:
        for (_, set_), count in zip(setters, before):
            set_(count)


def _logsumexp(x: numpy.ndarray, axis: int) -> numpy.ndarray:
    top = x.max(axis=axis, keepdims=True)
    return (top + numpy.log(numpy.exp(x - top).sum(axis=axis, keepdims=True))).squeeze(axis)


class CharTagger:
    """The BiLSTM-CRF, numpy only. ``weights`` are torch's parameter names (see training/train_ner.py)."""

    def __init__(self, vocab: Vocabulary, weights: dict[str, numpy.ndarray]):
        self.vocab = vocab
        w = {k: numpy.asarray(v, dtype=numpy.float32) for k, v in weights.items()}
        self.char, self.bigram, self.word = w["char.weight"], w["bigram.weight"], w["word.weight"]
        # the input's share of the gates of both LSTMs (forward, backward) in one matrix; a character's share is
        # looked up, computed once here for every character. Each LSTM's gate columns are put in the order input,
        # forget, output, cell (torch's is input, forget, cell, output), and the three sigmoid gates' columns are
        # halved: sigmoid(x) = (tanh(x / 2) + 1) / 2, so one tanh over all four gates does the work, and halving by a
        # power of two is exact (the same numbers as halving the sums afterwards).
        hidden = w["lstm.weight_hh_l0"].shape[1]
        order = numpy.r_[0:2 * hidden, 3 * hidden:4 * hidden, 2 * hidden:3 * hidden]
        scale = numpy.r_[numpy.full(3 * hidden, 0.5), numpy.ones(hidden)].astype(numpy.float32)
        both = lambda name: numpy.concatenate([w[name.format(s)][order] * scale[:, None]  # noqa: E731
                                               for s in ("", "_reverse")]).T
        w_ih = both("lstm.weight_ih_l0{}")
        dims, width = self.char.shape[1], 4 * hidden
        char_gates = self.char @ w_ih[:dims]
        self.char_gates = [numpy.ascontiguousarray(char_gates[:, :width]), numpy.ascontiguousarray(char_gates[:, width:])]
        self.rest_ih = numpy.stack([w_ih[dims:, :width], w_ih[dims:, width:]])       # [direction, rest, 4H]
        self.bias = numpy.stack([(w[f"lstm.bias_ih_l0{s}"] + w[f"lstm.bias_hh_l0{s}"])[order] * scale
                                 for s in ("", "_reverse")])[:, None, :]
        self.w_hh = numpy.stack([(w[f"lstm.weight_hh_l0{s}"][order] * scale[:, None]).T for s in ("", "_reverse")])
        self.out_w, self.out_b = w["out.weight"].T.copy(), w["out.bias"]
        self.transitions, self.start, self.end = w["transitions"], w["start"], w["end"]

    @classmethod
    def load(cls, path: Path | str) -> "CharTagger":
        path = Path(path)
        with numpy.load(path / "weights.npz") as data:
            weights = unpack({k: data[k] for k in data.files})
        return cls(Vocabulary.from_disk(path), weights)

    def save(self, path: Path | str, weights: dict[str, numpy.ndarray]) -> None:
        path = Path(path)
        numpy.savez_compressed(path / "weights.npz", **pack(weights))
        self.vocab.to_disk(path)

    def __call__(self, text: str) -> list[tuple[int, int, str, float]]:
        """The (start, end, label, confidence) character spans the model finds in ``text``."""
        return self.many([text])[0]

    def many(self, texts: list[str], batch_size: int = 64, batch_chars: int = 3000, *,
             keep: Callable[[int, int, str], bool] | None = None) -> list[list[tuple[int, int, str, float]]]:
        """The spans of each text; the sentences of all texts are tagged together, in batches of similar length
        (at most ``batch_size`` sentences, and ``batch_chars`` characters once padded: that bounds the memory).
        With ``keep``, only the sentences for which ``keep(text number, offset, sentence)`` holds are tagged (each
        sentence is tagged by itself: leaving one out changes nothing in the others).

        A span's confidence is the lowest probability the model gives any of its characters' tags (the CRF's
        marginals): 0.99 for 德国 in 德国杜伊斯堡, 0.6 for a generic word it hesitates over (水路).
        """
        pieces = [(n, offset, piece) for n, text in enumerate(texts) for offset, piece in chunks(text)
                  if keep is None or keep(n, offset, piece)]
        pieces.sort(key=lambda p: len(p[2]))
        found: list[list[tuple[int, int, str, float]]] = [[] for _ in texts]
        batches, batch = [], []
        for piece in pieces:                                   # longest last: the batch pads to this one
            if batch and (len(batch) == batch_size or (len(batch) + 1) * len(piece[2]) > batch_chars):
                batches.append(batch)
                batch = []
            batch.append(piece)
        if batch:
            batches.append(batch)
        with one_blas_thread():
            for batch in batches:
                self._tag_batch(batch, found)
        return [sorted(spans) for spans in found]

    def _tag_batch(self, batch: list[tuple[int, int, str]], found: list[list]) -> None:
        """Tag one batch of (text number, offset, sentence); add the spans found to ``found[text number]``."""
        lengths = numpy.array([len(piece) for _, _, piece in batch])
        scores = self.emissions([piece for _, _, piece in batch], lengths)
        paths = self._viterbi(scores, lengths)
        spans = [spans_from_tags([self.vocab.tags[t] for t in path]) for path in paths]
        tagged = [i for i, found_here in enumerate(spans) if found_here]
        if not tagged:
            return
        marginals = self._marginals(scores[tagged], lengths[tagged])
        for m, i in enumerate(tagged):
            n, offset, _ = batch[i]
            chosen = marginals[m, numpy.arange(lengths[i]), paths[i]]
            found[n].extend((offset + s, offset + e, label, round(float(chosen[s:e].min()), 3))
                            for s, e, label in spans[i])

    def tag(self, texts: list[str]) -> list[list[str]]:
        """The best BIOES tag sequence for each text (a batch)."""
        lengths = numpy.array([len(t) for t in texts])
        scores = self.emissions(texts, lengths)
        return [[self.vocab.tags[t] for t in path] for path in self._viterbi(scores, lengths)]

    def emissions(self, texts: list[str], lengths: numpy.ndarray) -> numpy.ndarray:
        """The tag scores [B, T, tags] of a batch of texts (padded to the longest; the padding's scores are 0).

        The texts run longest first and packed, time first: step t's rows are the texts still longer than t, so no
        time is spent on padding (a batch's texts differ in length). Both LSTMs run in one loop; the backward one
        reads each text from its own last character.
        """
        batch, longest = len(texts), int(lengths.max())
        order = numpy.argsort(-lengths, kind="stable")
        running = (lengths[order][None, :] > numpy.arange(longest)[:, None]).sum(axis=1)   # texts at step t
        starts = numpy.concatenate([[0], numpy.cumsum(running)])
        rows = numpy.full((batch, longest), -1)         # [text, t] -> its packed row at step t
        for p, i in enumerate(order):
            rows[i, :lengths[i]] = starts[:lengths[i]] + p
        size = int(starts[-1])
        chars = numpy.zeros((2, size), dtype=numpy.int64)
        rest = numpy.zeros((2, size, self.rest_ih.shape[1]), dtype=numpy.float32)
        for i, text in enumerate(texts):
            n, forward, backward = len(text), rows[i, :len(text)], rows[i, len(text) - 1::-1]
            codes, bigrams, words = self.vocab.encode(text)
            embedded = self.word[words]                                   # [n, 3, K, d]
            counts = numpy.maximum((words > 0).sum(axis=2, keepdims=True), 1)
            features = numpy.concatenate([self.bigram[bigrams[:-1]], self.bigram[bigrams[1:]],
                                          (embedded.sum(axis=2) / counts).reshape(n, -1)], axis=1)
            chars[0, forward], chars[1, backward] = codes, codes
            rest[0, forward], rest[1, backward] = features, features
        gates = numpy.matmul(rest, self.rest_ih)                          # [direction, rows, 4H]
        for direction in (0, 1):
            gates[direction] += self.char_gates[direction][chars[direction]]
        gates += self.bias
        out = self._lstm(gates, self.w_hh, running)                       # [direction, rows, H]
        padded = rows < 0
        backward_rows = numpy.where(padded, -1, rows[numpy.arange(batch)[:, None],
                                                     numpy.maximum(lengths[:, None] - 1 - numpy.arange(longest), 0)])
        scores = numpy.concatenate([out[0][rows], out[1][backward_rows]], axis=2) @ self.out_w + self.out_b
        scores[padded] = 0
        return scores

    @staticmethod
    def _lstm(gates_in: numpy.ndarray, w_hh: numpy.ndarray, running: numpy.ndarray) -> numpy.ndarray:
        """Run LSTMs over ``gates_in`` [L, rows, 4H], packed time first with ``running[t]`` rows at step t (the input's
        share of each one's gates: input, forget and output halved, then cell); ``w_hh`` [L, H, 4H] in the same
        order. Their hidden states [L, rows, H]."""
        lstms, size, _ = gates_in.shape
        hidden, batch = w_hh.shape[1], int(running[0])
        h = numpy.zeros((lstms, batch, hidden), dtype=numpy.float32)
        c = numpy.zeros((lstms, batch, hidden), dtype=numpy.float32)
        new = numpy.empty((lstms, batch, hidden), dtype=numpy.float32)
        out = numpy.empty((lstms, size, hidden), dtype=numpy.float32)
        gates = numpy.empty((lstms, batch, 4 * hidden), dtype=numpy.float32)
        row = 0
        for k in running.tolist():
            g_, h_, c_, new_ = gates[:, :k], h[:, :k], c[:, :k], new[:, :k]
            numpy.matmul(h_, w_hh, out=g_)
            g_ += gates_in[:, row:row + k]
            numpy.tanh(g_, out=g_)
            sig = g_[:, :, :3 * hidden]
            sig += 1.0
            sig *= 0.5                       # the sigmoid of the gates before halving
            c_ *= g_[:, :, hidden:2 * hidden]
            numpy.multiply(g_[:, :, :hidden], g_[:, :, 3 * hidden:], out=new_)
            c_ += new_
            numpy.tanh(c_, out=new_)
            numpy.multiply(g_[:, :, 2 * hidden:3 * hidden], new_, out=h_)
            out[:, row:row + k] = h_
            row += k
        return out

    def _marginals(self, scores: numpy.ndarray, lengths: numpy.ndarray | None = None) -> numpy.ndarray:
        """P(tag k at position t | text) for every t and k: the forward-backward algorithm in log space.

        ``scores`` is one text's [T, K] or a padded batch's [B, T, K] with the texts' ``lengths``.
        """
        if scores.ndim == 2:
            return self._marginals(scores[None], numpy.array([len(scores)]))[0]
        batch, steps, tags = scores.shape
        alpha = numpy.empty((batch, steps, tags))
        beta = numpy.empty((batch, steps, tags))
        alpha[:, 0] = self.start + scores[:, 0]
        for t in range(1, steps):
            alpha[:, t] = _logsumexp(alpha[:, t - 1, :, None] + self.transitions, axis=1) + scores[:, t]
        beta[:] = self.end                       # from each text's last character on
        for t in range(steps - 2, -1, -1):
            inside = (t + 1 < lengths)[:, None]
            step = _logsumexp(self.transitions + (scores[:, t + 1] + beta[:, t + 1])[:, None, :], axis=2)
            beta[:, t] = numpy.where(inside, step, beta[:, t])
        last = alpha[numpy.arange(batch), lengths - 1]
        total = _logsumexp(last + self.end, axis=1)
        return numpy.exp(alpha + beta - total[:, None, None])

    def _viterbi(self, scores: numpy.ndarray, lengths: numpy.ndarray | None = None):
        """The best tag path of one text's [T, K] scores, or the paths of a padded batch's [B, T, K]."""
        if scores.ndim == 2:
            return self._viterbi(scores[None], numpy.array([len(scores)]))[0]
        batch, steps, tags = scores.shape
        best = self.start + scores[:, 0]
        back = numpy.zeros((batch, steps, tags), dtype=numpy.int64)
        finals = numpy.zeros((batch, tags))
        for t in range(1, steps):
            total = best[:, :, None] + self.transitions            # [B, from, to]
            back[:, t] = total.argmax(axis=1)
            best = total.max(axis=1) + scores[:, t]
            ended = lengths == t + 1
            finals[ended] = best[ended]
        finals[lengths == 1] = (self.start + scores[:, 0])[lengths == 1]
        paths = []
        for b, n in enumerate(lengths):
            path = [int((finals[b] + self.end).argmax())]
            for t in range(n - 1, 0, -1):
                path.append(int(back[b, t, path[-1]]))
            paths.append(path[::-1])
        return paths
