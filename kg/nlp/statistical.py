"""The ``kg_statistical_ner`` component: a model trained on MSRA (PER/LOC/ORG) adds names the rules and gazetteer miss.

The model runs on its own Doc with one token per character (``kg.char_tokenizer.v1``), so a name can end anywhere,
even inside a pkuseg token; its character spans are mapped back onto the pipeline's Doc, which is re-cut at their edges
(``kg.nlp.align.split_at``). Besides the character itself the model sees two features set by the tokenizer, stored in
attributes nothing else uses in that Doc: ``TAG`` holds the character bigram (this char + the next) and ``LEMMA`` a
dictionary feature: the longest lexicon word that starts here, ends here, and whether one covers this char inside.

Merging: the spans already in ``doc.ents`` (gazetteer, head-word patterns) win; a model span is added only where it
overlaps none of them, and only if it is long enough (``MIN_LENGTH``: a one-character place such as 京 or 日, a
two-character organisation such as 市委 is an abbreviation or a generic word kg cannot resolve). A person's name that
the model cuts short grows to the segmenter's tokens (林杰 of 金林杰, a lone surname 赵 + 春燕), up to ``MAX_NAME`` chars. Its label becomes an ontology class by its head (last characters), see ``HEAD_CLASSES``.
"""
from __future__ import annotations

import gzip
from collections.abc import Iterable
from pathlib import Path

import numpy
import srsly
from spacy.attrs import LEMMA, NORM, TAG
from spacy.language import Language
from spacy.strings import get_string_id
from spacy.tokens import Doc
from spacy.util import registry
from spacy.vocab import Vocab

from kg.errors import ModelMissing
from kg.nlp.align import split_at
from kg.nlp.entities import canonical_key

MODEL_DIR = Path(__file__).resolve().parent.parent / "models" / "msra_ner"
LEXICON_FILE = "lexicon.txt.gz"
MAX_WORD = 4  # dictionary word lengths are capped at this in the feature
MIN_LENGTH = {"PER": 2, "LOC": 2, "ORG": 3}  # shorter model spans are abbreviations or generic words (京, 市委)
MAX_NAME = 3  # a person span the model cut short grows to the segmenter's tokens up to this length
# one-character abbreviations of countries and continents: a two-character "place" of two of them is a pair (中美)
COUNTRY_ABBREVIATIONS = frozenset("中美欧日俄韩朝德法英意澳加印越泰蒙巴非亚")
ORG_CLASSES = frozenset({"Organization", "Company", "GovernmentBody", "Association"})
# common one-character surnames: one standing alone before a two-character name the model found is part of it (金 林杰)
SURNAMES = frozenset("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏"
                     "吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万"
                     "钱严覃武戴莫孔向汤楼应虞裘俞葛岑柴胡翁施洪章傅鲍")

# Model label -> (head suffixes -> class), checked in order; the last entry is the fallback.
HEAD_CLASSES: dict[str, list[tuple[tuple[str, ...], str]]] = {
    "PER": [((), "Person")],
    "LOC": [
        (("港", "站", "机场", "口岸", "市场", "码头", "仓"), "Facility"),
        (("区", "园"), "Zone"),
        ((), "Place"),
    ],
    "ORG": [
        (("公司", "集团", "银行"), "Company"),
        (("局", "部", "委", "厅", "海关", "政府", "委员会", "国务院"), "GovernmentBody"),
        (("协会", "商会", "联合会"), "Association"),
        ((), "Organization"),
    ],
}


def ontology_class(label: str, text: str) -> str:
    """The ontology class for a model span: PER/LOC/ORG refined by the span's head word."""
    for heads, cls in HEAD_CLASSES.get(label, [((), "Entity")]):
        if not heads or text.endswith(heads):
            return cls
    return "Entity"


# --- the model's tokenizer -------------------------------------------------------------------------------------


class CharTokenizer:
    """One token per character, with a bigram (``TAG``) and a dictionary feature (``LEMMA``) on each."""

    def __init__(self, vocab: Vocab, words: Iterable[str] = ()):
        self.vocab = vocab
        self._set_words(words)

    def _set_words(self, words: Iterable[str]) -> None:
        import ahocorasick

        self.words = sorted({w for w in words if len(w) >= 2 and not any(c.isspace() for c in w)})
        self._automaton = None
        if self.words:
            automaton = ahocorasick.Automaton()
            for word in self.words:
                automaton.add_word(word, len(word))
            automaton.make_automaton()
            self._automaton = automaton

    def initialize(self, get_examples=None, *, nlp=None, lexicons: Iterable[str] = (),
                   pkuseg_model=None, pkuseg_user_dict=None) -> None:
        """Read the lexicons (one word a line). The pkuseg settings are spaCy's "zh" defaults, unused here."""
        words: list[str] = []
        for path in lexicons:
            words.extend(line.strip() for line in Path(path).read_text(encoding="utf-8").splitlines())
        self._set_words(words)

    def __call__(self, text: str) -> Doc:
        chars = list(text)
        doc = Doc(self.vocab, words=chars, spaces=[False] * len(chars))
        if chars:
            doc.from_array([TAG, LEMMA], self.features(text))
        return doc

    def features(self, text: str) -> numpy.ndarray:
        n = len(text)
        begins, ends, inside = [0] * n, [0] * n, [0] * n
        if self._automaton is not None:
            for last, length in self._automaton.iter(text):
                first = last - length + 1
                capped = min(length, MAX_WORD)
                begins[first] = max(begins[first], capped)
                ends[last] = max(ends[last], capped)
                for i in range(first + 1, last):
                    inside[i] = 1
        out = numpy.zeros((n, 2), dtype="uint64")
        for i in range(n):
            out[i, 0] = get_string_id(text[i:i + 2] if i + 1 < n else text[i] + "$")
            out[i, 1] = get_string_id(f"b{begins[i]}e{ends[i]}m{inside[i]}")
        return out

    def pipe(self, texts, batch_size: int = 1000):
        for text in texts:
            yield self(text)

    # serialisation: the lexicon travels with the model
    def to_disk(self, path, *, exclude=()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        with gzip.open(path / LEXICON_FILE, "wt", encoding="utf-8", compresslevel=9) as out:
            out.write("\n".join(self.words))

    def from_disk(self, path, *, exclude=()) -> "CharTokenizer":
        with gzip.open(Path(path) / LEXICON_FILE, "rt", encoding="utf-8") as src:
            self._set_words(src.read().split("\n"))
        return self

    def to_bytes(self, *, exclude=()) -> bytes:
        return srsly.msgpack_dumps({"words": self.words})

    def from_bytes(self, data: bytes, *, exclude=()) -> "CharTokenizer":
        self._set_words(srsly.msgpack_loads(data)["words"])
        return self


@registry.tokenizers("kg.char_tokenizer.v1")
def create_char_tokenizer():
    def make(nlp: Language) -> CharTokenizer:
        return CharTokenizer(nlp.vocab)

    return make


# Gazetteer classes -> the coarse kind the model sees: P a place, Z a zone or facility, O an organisation.
GAZETTEER_KINDS = {
    **dict.fromkeys(("Country", "Province", "City", "County", "Town", "Region", "Place"), "P"),
    **dict.fromkeys(("Zone", "Facility"), "Z"),
    **dict.fromkeys(("GovernmentBody", "Company", "Organization", "Association"), "O"),
}
GAZETTEER_FILE = "gazetteer.tsv.gz"


class CharTokenizerV2(CharTokenizer):
    """``kg.char_tokenizer.v1`` plus a gazetteer feature in ``NORM`` (the character itself is then ``ORTH``).

    The feature is the kind (``GAZETTEER_KINDS``) and the position (B, I, E) of the character in the longest
    gazetteer name that covers it, or ``-``. The names travel with the model (``tokenizer/gazetteer.tsv.gz``), so
    later edits to ``ontology/gazetteer`` do not change what the model sees.
    """

    def __init__(self, vocab: Vocab, words: Iterable[str] = (), names: Iterable[tuple[str, str]] = ()):
        super().__init__(vocab, words)
        self._set_names(names)

    def _set_names(self, names: Iterable[tuple[str, str]]) -> None:
        import ahocorasick

        self.names = sorted({(n, k) for n, k in names if len(n) >= 2 and not any(c.isspace() for c in n)})
        self._names = None
        if self.names:
            automaton = ahocorasick.Automaton()
            for name, kind in self.names:
                automaton.add_word(name, (len(name), kind))
            automaton.make_automaton()
            self._names = automaton

    def initialize(self, get_examples=None, *, nlp=None, lexicons: Iterable[str] = (), gazetteer: str | None = None,
                   pkuseg_model=None, pkuseg_user_dict=None) -> None:
        super().initialize(get_examples, nlp=nlp, lexicons=lexicons)
        names: list[tuple[str, str]] = []
        if gazetteer:
            from kg.nlp.gazetteer import Gazetteer

            for entity in Gazetteer.load(Path(gazetteer)).entities.values():
                kind = GAZETTEER_KINDS.get(entity.cls)
                if kind:
                    names.extend((surface, kind) for surface in (entity.label, *entity.aliases))
        self._set_names(names)

    def __call__(self, text: str) -> Doc:
        chars = list(text)
        doc = Doc(self.vocab, words=chars, spaces=[False] * len(chars))
        if chars:
            doc.from_array([TAG, LEMMA, NORM], self.features(text))
        return doc

    def features(self, text: str) -> numpy.ndarray:
        base = super().features(text)
        n = len(text)
        best = [0] * n
        marks = ["-"] * n
        if self._names is not None:
            for last, (length, kind) in self._names.iter(text):
                first = last - length + 1
                for i in range(first, last + 1):
                    if length > best[i]:
                        best[i] = length
                        marks[i] = kind + ("B" if i == first else "E" if i == last else "I")
        out = numpy.zeros((n, 3), dtype="uint64")
        out[:, :2] = base
        for i in range(n):
            out[i, 2] = get_string_id(marks[i])
        return out

    def to_disk(self, path, *, exclude=()) -> None:
        super().to_disk(path, exclude=exclude)
        with gzip.open(Path(path) / GAZETTEER_FILE, "wt", encoding="utf-8", compresslevel=9) as out:
            out.write("\n".join(f"{n}\t{k}" for n, k in self.names))

    def from_disk(self, path, *, exclude=()) -> "CharTokenizerV2":
        super().from_disk(path, exclude=exclude)
        with gzip.open(Path(path) / GAZETTEER_FILE, "rt", encoding="utf-8") as src:
            self._set_names(tuple(line.split("\t")) for line in src.read().split("\n") if "\t" in line)
        return self

    def to_bytes(self, *, exclude=()) -> bytes:
        return srsly.msgpack_dumps({"words": self.words, "names": self.names})

    def from_bytes(self, data: bytes, *, exclude=()) -> "CharTokenizerV2":
        msg = srsly.msgpack_loads(data)
        self._set_words(msg["words"])
        self._set_names([tuple(x) for x in msg["names"]])
        return self


@registry.tokenizers("kg.char_tokenizer.v2")
def create_char_tokenizer_v2():
    def make(nlp: Language) -> CharTokenizerV2:
        return CharTokenizerV2(nlp.vocab)

    return make


# --- loading and storing the model ---------------------------------------------------------------------------


def load_model(path: Path | str = MODEL_DIR) -> Language:
    """Load the model; its weights are stored as float16 (half the size) and computed in float32."""
    import spacy

    nlp = spacy.load(path)
    _cast(nlp, "float32")
    return nlp


def save_model(nlp: Language, path: Path | str) -> None:
    """Store the model with float16 weights: a few MB instead of twice that, no measurable loss."""
    _cast(nlp, "float16")
    try:
        nlp.to_disk(path)
    finally:
        _cast(nlp, "float32")


def _cast(nlp: Language, dtype: str) -> None:
    for _, component in nlp.pipeline:
        model = getattr(component, "model", None)
        if model is None:
            continue
        for node in model.walk():
            for name in node.param_names:
                if node.has_param(name):
                    node.set_param(name, node.get_param(name).astype(dtype))


# --- the pipeline component ------------------------------------------------------------------------------------


@Language.factory("kg_statistical_ner", assigns=["doc.ents"], requires=["doc.ents"])
def make_statistical_ner(nlp: Language, name: str) -> "StatisticalNer":
    return StatisticalNer(name)


class StatisticalNer:
    def __init__(self, name: str):
        self.name = name
        self.model: Language | None = None

    def initialize(self, get_examples=None, *, nlp=None, model: str | None = None) -> None:
        path = Path(model) if model else MODEL_DIR
        if not (path / "config.cfg").is_file() or not (path / "ner").is_dir():
            raise ModelMissing(
                f"[E020] statistical NER model not found at {path}. It ships with kg under kg/models/msra_ner; "
                "rebuild it with `python training/train_ner.py`, or build the pipeline with "
                "load_pipeline(statistical=False)."
            )
        self.model = load_model(path)

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """The model's (start, end, label) character spans on ``text``."""
        if self.model is None:
            raise ModelMissing("[E021] kg_statistical_ner is not initialised: call nlp.initialize() or load_pipeline().")
        return [(e.start_char, e.end_char, e.label_) for e in self.model(text).ents]

    def __call__(self, doc: Doc) -> Doc:
        kept = [(e.start_char, e.end_char, e.label_, e.kb_id_) for e in doc.ents]
        taken = {i for start, end, *_ in kept for i in range(start, end)}
        whole = doc.text
        found = self.spans(whole)             # the model runs once per Doc
        org_ends = {end for start, end, label in found if label == "ORG"}
        org_ends |= {end for _, end, cls, _ in kept if cls in ORG_CLASSES}
        added = []
        for start, end, label in _join_surnames(found):
            if label == "PER":
                start, end = _snap_person(doc, start, end)
            text = whole[start:end]
            if len(text.strip()) < MIN_LENGTH.get(label, 2) or any(i in taken for i in range(start, end)):
                continue
            if label == "LOC" and len(text) == 2 and all(c in COUNTRY_ABBREVIATIONS for c in text):
                continue  # 中美, 欧美: two countries (中美贸易), not a place
            if label == "ORG" and start in org_ends:
                continue  # 报道组 of 市委报道组: a unit of the organisation just before, not a name of its own
            added.append((start, end, ontology_class(label, text.strip()), canonical_key(text)))
        if not added:
            return doc
        doc = split_at(doc, [edge for start, end, *_ in added for edge in (start, end)])
        spans = []
        for start, end, cls, key in sorted(kept + added):
            span = doc.char_span(start, end, label=cls, kb_id=key)
            if span is not None:
                spans.append(span)
        doc.ents = spans
        return doc


def _snap_person(doc: Doc, start: int, end: int) -> tuple[int, int]:
    """Grow a person's name the model cut short to the segmenter's tokens, if the result is a plausible Han name.

    林杰 inside the token 金林杰 becomes 金林杰; a lone surname 赵 followed by the token 春燕 becomes 赵春燕. A name
    grows to at most MAX_NAME characters, only over Han characters, and never over a token that runs on.
    """
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None:
        return start, end
    before = doc[span.start - 1] if span.start > 0 else None
    if (end - start == 2 and before is not None and span[0].idx == start and before.text in SURNAMES
            and not before.whitespace_ and (span.start == 1 or not _is_han(doc.text[start - 2]))):
        return start - 1, end  # a surname the segmenter cut off after a space or punctuation: ■ 金 林杰
    first, last = span[0].idx, span[-1].idx + len(span[-1].text)
    if end - start == 1 and len(span[0].text) == 1 and span.end < len(doc):
        given = doc[span.end]
        if 1 <= len(given.text) <= 2 and not span[-1].whitespace_:
            last = given.idx + len(given.text)
    text = doc.text[first:last]
    if last - first <= MAX_NAME and all(_is_han(c) for c in text) and (first < start or last > end):
        if last == end or (first == start and end - start == 1):  # one side only: 黄 of 大陈黄鱼 stays 黄
            return first, last
    return start, end


def _join_surnames(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """A one-character person right before another person is its surname (金 + 林杰): one name of at most MAX_NAME."""
    out: list[tuple[int, int, str]] = []
    for start, end, label in spans:
        if (out and label == "PER" and out[-1][2] == "PER" and out[-1][1] == start
                and out[-1][1] - out[-1][0] == 1 and end - out[-1][0] <= MAX_NAME):
            out[-1] = (out[-1][0], end, "PER")
        else:
            out.append((start, end, label))
    return out


def _is_han(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff"
