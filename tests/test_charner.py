"""The character BiLSTM-CRF behind the statistical NER layer: features, chunking, decoding, and numpy = torch."""
from __future__ import annotations

import itertools
import sys
from argparse import Namespace
from pathlib import Path

import numpy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.nlp.charner import (MAX_CHUNK, CharTagger, Vocabulary, _blas_thread_setters, chunks, one_blas_thread,
                             spans_from_tags)

TRAINING = Path(__file__).resolve().parent.parent / "training"
TAGS = ["O", "B-PER", "I-PER", "E-PER", "S-PER", "B-LOC", "I-LOC", "E-LOC", "S-LOC"]


@pytest.fixture(scope="module")
def vocab():
    return Vocabulary(chars=list("义乌小商品城市"), bigrams=["义乌", "\x02义"], words=["小商品"], tags=TAGS,
                      lexicon=["小商品", "商品", "义乌", "商品城市场"])


# --- features --------------------------------------------------------------------------------------------------


def test_encode_rows(vocab):
    chars, bigrams, words = vocab.encode("义乌小商品城")
    assert chars.tolist() == [2, 3, 4, 5, 6, 7]
    # bigram j is text[j-1:j+1] with the edges marked; unknown bigrams share row 1
    assert bigrams.tolist() == [3, 2, 1, 1, 1, 1, 1]
    # row 5 = the embedded word 小商品; rows 1-4 = unseen words of length 2, 3, 4, 5+
    assert words.shape == (6, 3, 3)
    assert words[0, 0, 0] == 1 and words[1, 2, 0] == 1          # 义乌 (unseen, length 2) begins at 义, ends at 乌
    assert words[2, 0].tolist() == [5, 0, 0]                     # 小 begins 小商品
    assert words[3, 1].tolist() == [5, 0, 0] and words[3, 0].tolist() == [1, 0, 0]  # 商 inside 小商品, begins 商品
    assert words[4, 2].tolist() == [5, 1, 0]                     # 品 ends 小商品 and 商品, the longer first
    assert words[5].sum() == 0                                   # 城 is in no word


def test_unknown_characters_share_a_row(vocab):
    chars, bigrams, words = vocab.encode("A股")
    assert chars.tolist() == [1, 1] and words.sum() == 0


def test_vocabulary_round_trips(vocab, tmp_path):
    vocab.to_disk(tmp_path)
    loaded = Vocabulary.from_disk(tmp_path)
    for text in ("义乌小商品城市场", "", "商品城市场"):
        for a, b in zip(vocab.encode(text), loaded.encode(text)):
            assert numpy.array_equal(a, b)
    assert loaded.tags == TAGS and loaded.sizes == vocab.sizes


# --- chunks and tags -------------------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="义乌港。！\n，、 ab", max_size=700))
def test_chunks_are_pieces_of_the_text_in_order(text):
    pieces = chunks(text)
    last_end = 0
    for offset, piece in pieces:
        assert text[offset:offset + len(piece)] == piece and piece.strip()
        assert offset >= last_end and len(piece) <= MAX_CHUNK
        last_end = offset + len(piece)
    covered = {i for offset, piece in pieces for i in range(offset, offset + len(piece))}
    assert all(text[i].isspace() or i in covered for i in range(len(text)))


def test_chunks_cut_after_sentence_ends():
    assert chunks("义乌发车。宁波到港！\n") == [(0, "义乌发车。"), (5, "宁波到港！")]


@pytest.mark.parametrize("tags, spans", [
    (["B-PER", "E-PER", "O", "S-LOC"], [(0, 2, "PER"), (3, 4, "LOC")]),
    (["B-LOC", "I-LOC", "I-LOC", "E-LOC"], [(0, 4, "LOC")]),
    (["B-LOC", "I-PER", "E-LOC"], []),          # a span that changes type midway is dropped
    (["B-LOC", "O", "E-LOC"], []),
    (["I-LOC", "E-LOC", "B-PER"], []),          # no begin, no end
    ([], []),
])
def test_spans_from_tags(tags, spans):
    assert spans_from_tags(tags) == spans


# --- the numpy model computes what the torch model trained ------------------------------------------------------


@pytest.fixture(scope="module")
def torch_model(vocab):
    torch = pytest.importorskip("torch")
    sys.path.insert(0, str(TRAINING))
    from train_ner import Tagger

    torch.manual_seed(0)
    args = Namespace(char_dim=6, bigram_dim=4, word_dim=3, hidden=5, dropout=0.5)
    model = Tagger(vocab.sizes, args)
    with torch.no_grad():
        for name in ("transitions", "start", "end"):
            getattr(model, name).normal_()
    return model.eval()


def test_numpy_emissions_equal_torch(vocab, torch_model):
    import torch

    sys.path.insert(0, str(TRAINING))
    from train_ner import collate

    texts = ["义乌小商品城", "商品", "城市场义乌乌"]
    tagger = CharTagger(vocab, torch_model.numpy_weights())
    lengths = numpy.array([len(t) for t in texts])
    items = [(vocab.encode(t), [0] * len(t)) for t in texts]
    chars, bigrams, words, _, torch_lengths = collate(items)
    with torch.no_grad():
        expected = torch_model.emissions(chars, bigrams, words, torch_lengths).numpy()
    got = tagger.emissions(texts, lengths)
    for i, n in enumerate(lengths):
        numpy.testing.assert_allclose(got[i, :n], expected[i, :n], rtol=1e-4, atol=1e-5)


def test_viterbi_finds_the_best_path(vocab, torch_model):
    tagger = CharTagger(vocab, torch_model.numpy_weights())
    rng = numpy.random.default_rng(1)
    for _ in range(5):
        scores = rng.normal(size=(3, len(TAGS))).astype(numpy.float32)

        def total(path):
            return (tagger.start[path[0]] + tagger.end[path[-1]] + sum(scores[t, k] for t, k in enumerate(path))
                    + sum(tagger.transitions[a, b] for a, b in zip(path, path[1:])))

        best = max(itertools.product(range(len(TAGS)), repeat=3), key=total)
        assert tuple(tagger._viterbi(scores)) == best


def test_marginals_are_path_probabilities(vocab, torch_model):
    tagger = CharTagger(vocab, torch_model.numpy_weights())
    scores = numpy.random.default_rng(2).normal(size=(3, len(TAGS))).astype(numpy.float32)
    paths = list(itertools.product(range(len(TAGS)), repeat=3))
    weights = numpy.exp([tagger.start[p[0]] + tagger.end[p[-1]] + sum(scores[t, k] for t, k in enumerate(p))
                         + sum(tagger.transitions[a, b] for a, b in zip(p, p[1:])) for p in paths])
    expected = numpy.zeros((3, len(TAGS)))
    for path, weight in zip(paths, weights / weights.sum()):
        for t, k in enumerate(path):
            expected[t, k] += weight
    numpy.testing.assert_allclose(tagger._marginals(scores), expected, rtol=1e-4, atol=1e-7)


def test_crf_loss_is_the_negative_log_likelihood(vocab, torch_model):
    """The forward algorithm's partition equals the sum over every path (tiny case, brute force)."""
    import torch

    sys.path.insert(0, str(TRAINING))
    from train_ner import collate

    text, tags = "义乌城", [1, 3, 8]
    batch = collate([(vocab.encode(text), tags)])
    with torch.no_grad():
        loss = float(torch_model.loss(*batch))
        scores = torch_model.emissions(batch[0], batch[1], batch[2], batch[4])[0].numpy()
    tagger = CharTagger(vocab, torch_model.numpy_weights())

    def total(path):
        return (tagger.start[path[0]] + tagger.end[path[-1]] + sum(scores[t, k] for t, k in enumerate(path))
                + sum(tagger.transitions[a, b] for a, b in zip(path, path[1:])))

    log_z = numpy.logaddexp.reduce([total(p) for p in itertools.product(range(len(TAGS)), repeat=3)])
    assert loss == pytest.approx(log_z - total(tags), rel=1e-4)


# --- the shipped model -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, expected", [
    ("据新华社报道，联合国秘书长古特雷斯在纽约会见了来自哈萨克斯坦的代表团。",
     {"新华社": "ORG", "联合国": "ORG", "古特雷斯": "PER", "纽约": "LOC", "哈萨克斯坦": "LOC"}),
    ("浙江大学教授李明华说，商户们正在开拓中东市场。", {"浙江大学": "ORG", "李明华": "PER", "中东": "LOC"}),
])
def test_shipped_model_tags_sentences_of_our_own(text, expected):
    from kg.nlp.statistical import MODEL_DIR

    found = CharTagger.load(MODEL_DIR)(text)
    assert {text[s:e]: label for s, e, label, _ in found} == expected
    assert all(0.0 <= confidence <= 1.0 for *_, confidence in found)


def test_stored_weights_are_close_to_the_trained_ones(vocab, torch_model, tmp_path):
    weights = torch_model.numpy_weights()
    CharTagger(vocab, weights).save(tmp_path, weights)
    loaded = CharTagger.load(tmp_path)
    numpy.testing.assert_allclose(loaded.bigram, weights["bigram.weight"], atol=numpy.abs(weights["bigram.weight"]).max() / 200)
    numpy.testing.assert_allclose(loaded.transitions, weights["transitions"], rtol=1e-3)
    assert loaded.bigram[0].tolist() == [0.0] * loaded.bigram.shape[1]    # the padding row stays zero


def test_crf_loss_of_a_padded_batch_is_the_mean_of_its_sentences(vocab, torch_model):
    import torch

    sys.path.insert(0, str(TRAINING))
    from train_ner import collate

    long, short = (vocab.encode("义乌小商品城"), [1, 3, 0, 0, 0, 4]), (vocab.encode("商品"), [5, 7])
    with torch.no_grad():
        both = float(torch_model.loss(*collate([long, short])))
        alone = [float(torch_model.loss(*collate([item]))) for item in (long, short)]
    assert both == pytest.approx(sum(alone) / 2, rel=1e-5)


def test_batched_decoding_equals_one_text_at_a_time(vocab, torch_model):
    tagger = CharTagger(vocab, torch_model.numpy_weights())
    rng = numpy.random.default_rng(3)
    lengths = numpy.array([5, 1, 3, 5])
    scores = rng.normal(size=(4, 5, len(TAGS))).astype(numpy.float32)
    paths = tagger._viterbi(scores, lengths)
    marginals = tagger._marginals(scores, lengths)
    for i, n in enumerate(lengths):
        assert paths[i] == tagger._viterbi(scores[i, :n])
        numpy.testing.assert_allclose(marginals[i, :n], tagger._marginals(scores[i, :n]), rtol=1e-6)


def test_batches_do_not_change_what_is_found():
    from kg.nlp.statistical import MODEL_DIR

    tagger = CharTagger.load(MODEL_DIR)
    texts = ["据新华社报道，联合国秘书长古特雷斯在纽约会见了来自哈萨克斯坦的代表团。" * 4,
             "浙江大学教授李明华说，商户们正在开拓中东市场。", "", "李明华说。"]
    expected = [tagger(text) for text in texts]
    assert any(expected)
    for size, chars in ((64, 6000), (2, 6000), (64, 100), (1, 1)):
        got = tagger.many(texts, batch_size=size, batch_chars=chars)
        assert [[span[:3] for span in spans] for spans in got] == [[span[:3] for span in spans] for spans in expected]
        for spans, want in zip(got, expected):   # float sums may differ in the last bits with the batch's shape
            assert [span[3] for span in spans] == pytest.approx([span[3] for span in want], abs=0.002)


def plain_emissions(vocab: Vocabulary, w: dict[str, numpy.ndarray], text: str) -> numpy.ndarray:
    """The model's scores computed plainly, one text and one step at a time, with torch's gate order (input, forget,
    cell, output) and sigmoid = 1 / (1 + e^-x): what CharTagger's packed, reordered batches must equal."""
    chars, bigrams, words = vocab.encode(text)
    counts = numpy.maximum((words > 0).sum(axis=2, keepdims=True), 1)
    x = numpy.concatenate([w["char.weight"][chars], w["bigram.weight"][bigrams[:-1]], w["bigram.weight"][bigrams[1:]],
                           (w["word.weight"][words].sum(axis=2) / counts).reshape(len(text), -1)], axis=1)
    sigmoid = lambda v: 1 / (1 + numpy.exp(-v))  # noqa: E731
    states = []
    for suffix, steps in (("", range(len(text))), ("_reverse", range(len(text) - 1, -1, -1))):
        w_ih, w_hh = w[f"lstm.weight_ih_l0{suffix}"], w[f"lstm.weight_hh_l0{suffix}"]
        bias = w[f"lstm.bias_ih_l0{suffix}"] + w[f"lstm.bias_hh_l0{suffix}"]
        h = c = numpy.zeros(w_hh.shape[1], dtype=numpy.float32)
        seen = numpy.zeros((len(text), w_hh.shape[1]), dtype=numpy.float32)
        for t in steps:
            i, f, g, o = numpy.split(x[t] @ w_ih.T + bias + h @ w_hh.T, 4)
            c = sigmoid(f) * c + sigmoid(i) * numpy.tanh(g)
            h = seen[t] = sigmoid(o) * numpy.tanh(c)
        states.append(seen)
    return numpy.concatenate(states, axis=1) @ w["out.weight"].T + w["out.bias"]


SENTENCES = [  # of our own, of every length a batch mixes (1 to 60 characters), names of each kind
    "据新华社报道，联合国秘书长古特雷斯在纽约会见了来自哈萨克斯坦的代表团。",
    "浙江大学教授李明华说，商户们正在开拓中东市场。",
    "港。",
    "中欧班列（义乌—马德里）今年已开行八十列，货值同比增长三成。",
    "宁波舟山港集团与马士基签署合作协议，",
    "记者王晓东摄",
    "哈萨克斯坦阿拉木图",
    "上海海关表示，一季度经洋山港出口的新能源汽车达十二万辆，比去年同期增加百分之四十五。",
]


def test_batched_model_computes_the_plain_math():
    """The packed batches (longest first, both LSTMs in one loop, halved sigmoid gates, one tanh) give the scores
    and the spans of the plain per-text math."""
    from kg.nlp.charner import unpack
    from kg.nlp.statistical import MODEL_DIR

    tagger = CharTagger.load(MODEL_DIR)
    with numpy.load(MODEL_DIR / "weights.npz") as data:
        weights = unpack({k: data[k] for k in data.files})
    lengths = numpy.array([len(text) for text in SENTENCES])
    scores = tagger.emissions(SENTENCES, lengths)
    for i, text in enumerate(SENTENCES):
        plain = plain_emissions(tagger.vocab, weights, text)
        numpy.testing.assert_allclose(scores[i, :len(text)], plain, rtol=1e-4, atol=1e-4)
        assert not scores[i, len(text):].any()                     # the padding scores nothing
        tags = [tagger.vocab.tags[k] for k in tagger._viterbi(plain)]
        assert [span[:3] for span in tagger(text)] == spans_from_tags(tags), text
    assert sum(len(tagger(text)) for text in SENTENCES) >= 10


def test_words_in_lists_each_lexicon_word_found(vocab):
    assert sorted(vocab.words_in("义乌小商品城市场")) == sorted(["义乌", "小商品", "商品", "商品城市场"])
    assert vocab.words_in("") == []


def test_saved_model_files_do_not_depend_on_the_clock(vocab, torch_model, tmp_path, monkeypatch):
    import time

    weights = torch_model.numpy_weights()
    for n, when in enumerate((1.0e9, 1.7e9)):        # 2001 and 2023
        monkeypatch.setattr(time, "time", lambda: when)
        (tmp_path / str(n)).mkdir()
        CharTagger(vocab, weights).save(tmp_path / str(n), weights)
    names = sorted(p.name for p in (tmp_path / "0").iterdir())
    assert names == ["lexicon.txt.gz", "vocab.json.gz", "weights.npz"]
    for name in names:
        assert (tmp_path / "0" / name).read_bytes() == (tmp_path / "1" / name).read_bytes(), name


# --- one BLAS thread while the model runs ----------------------------------------------------------------------


def test_numpy_blas_is_found():
    """numpy's OpenBLAS (Linux wheels): without its thread setter the model would run on OpenBLAS's default threads."""
    if not sys.platform.startswith("linux"):
        pytest.skip("the BLAS is found through /proc/self/maps")
    assert _blas_thread_setters()


def test_one_blas_thread_inside_the_block_and_the_count_restored_after():
    setters = _blas_thread_setters()
    before = [get() for get, _ in setters]
    with one_blas_thread():
        assert [get() for get, _ in setters] == [1] * len(setters)
    assert [get() for get, _ in setters] == before
    with pytest.raises(RuntimeError), one_blas_thread():
        raise RuntimeError("the count comes back on an error too")
    assert [get() for get, _ in setters] == before


@pytest.mark.parametrize("threads", [1, 2])
def test_blas_threads_do_not_change_what_is_found(threads):
    from kg.nlp.statistical import MODEL_DIR

    tagger = CharTagger.load(MODEL_DIR)
    text = "据新华社报道，联合国秘书长古特雷斯在纽约会见了来自哈萨克斯坦的代表团。浙江大学教授李明华说，商户们正在开拓中东市场。"
    expected = tagger(text)
    setters = _blas_thread_setters()
    before = [get() for get, _ in setters]
    for _, set_ in setters:
        set_(threads)
    try:
        assert tagger(text) == expected
        assert [get() for get, _ in setters] == [threads] * len(setters)    # what the caller had, back
    finally:
        for (_, set_), count in zip(setters, before):
            set_(count)
