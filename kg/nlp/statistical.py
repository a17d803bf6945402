"""The ``kg_statistical_ner`` component: a model trained on MSRA (PER/LOC/ORG) adds names the rules and gazetteer miss.

The model (``kg.nlp.charner``: a character BiLSTM-CRF with bigram and lexicon features) reads the Doc's text
character by character, so a name can end anywhere, even inside a pkuseg token; its character spans are mapped back
onto the pipeline's Doc, which is re-cut at their edges (``kg.nlp.align.split_at``).

Merging: the spans already in ``doc.ents`` (gazetteer, head-word patterns) win, but for one case: a person the rules
cut where the segmenter did and the model reads one character longer (王明 of 王明华) takes the model's end, and a
model person running into a cue word (王明宣|读) is cut before it.

The model reads only the sentences where it could still add a name (``may_hold_a_name``: two neighbouring Han
characters outside the rules' entities, a surname or characters MSRA's names use); the rest cost nothing. Otherwise a model span is added only where it
overlaps none of them, and only if it is long enough (``MIN_LENGTH``: a one-character place such as 京 or 日, a
two-character organisation such as 市委 is an abbreviation or a generic word kg cannot resolve). A person's name that
the model cuts short grows to the segmenter's tokens (林杰 of 金林杰, a lone surname 赵 + 春燕), up to ``MAX_NAME`` chars. Its label becomes an ontology class by its head (last characters), see ``HEAD_CLASSES``.

The model reads only the sentences where it could still add a name (``may_hold_a_name``: two neighbouring Han
characters outside the rules' entities, a surname first or characters MSRA's names use); the rest cost nothing.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import minibatch

from kg.errors import ModelMissing
from kg.nlp.align import split_at
from kg.nlp.charner import CharTagger
from kg.nlp.entities import canonical_key

_NUMBERED_CONGRESS = re.compile(r"(?:党的|中共)?[一二三四五六七八九十]+大")
MODEL_DIR = Path(__file__).resolve().parent.parent / "models" / "msra_ner"
MIN_LENGTH = {"PER": 2, "LOC": 2, "ORG": 3}  # shorter model spans are abbreviations or generic words (京, 市委)
MAX_NAME = 3  # a person span the model cut short grows to the segmenter's tokens up to this length
# model spans less sure than this are left out (kg prefers precision, see the model card); a person must also look
# like a name (a surname first, or a transliteration), so it may be less sure
MIN_CONFIDENCE = {"PER": 0.5, "LOC": 0.9, "ORG": 0.9}
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
    """The ontology class for a model span: PER/LOC/ORG refined by the span's head word. A party congress written
    by its number (十五大, 党的二十大) is an event, though MSRA tags it an organisation."""
    if label == "ORG" and _NUMBERED_CONGRESS.fullmatch(text):
        return "Event"
    for heads, cls in HEAD_CLASSES.get(label, [((), "Entity")]):
        if not heads or text.endswith(heads):
            return cls
    return "Entity"


# --- the pipeline component ------------------------------------------------------------------------------------


@Language.factory("kg_statistical_ner", assigns=["doc.ents"], requires=["doc.ents"])
def make_statistical_ner(nlp: Language, name: str) -> "StatisticalNer":
    return StatisticalNer(name, nlp)


class StatisticalNer:
    def __init__(self, name: str, nlp: Language | None = None):
        self.name = name
        self.nlp = nlp
        self.model: CharTagger | None = None
        self.plain: frozenset[str] | None = None

    @property
    def _patterns(self):
        """kg_entities' patterns, whose idea of a person's name (a surname first) the model's persons must meet."""
        if self.nlp is not None and "kg_entities" in self.nlp.pipe_names:
            return self.nlp.get_pipe("kg_entities").patterns
        return None

    def initialize(self, get_examples=None, *, nlp=None, model: str | None = None) -> None:
        path = Path(model) if model else MODEL_DIR
        if not all((path / name).is_file() for name in ("weights.npz", "vocab.json.gz", "lexicon.txt.gz")):
            raise ModelMissing(
                f"[E002] statistical NER model not found at {path}. It ships with kg under kg/models/msra_ner; "
                "rebuild it with `python training/train_ner.py`, or build the pipeline with "
                "load_pipeline(statistical=False)."
            )
        self.model = CharTagger.load(path)
        self.plain = _read_plain(path)

    def spans(self, text: str, keep=None) -> list[tuple[int, int, str, float]]:
        """The model's (start, end, label, confidence) character spans on ``text``; with ``keep``, only in its
        sentences for which ``keep(offset, sentence)`` holds."""
        if self.model is None:
            raise ModelMissing("[E021] kg_statistical_ner is not initialised: call nlp.initialize() or load_pipeline().")
        return self.model.many([text], keep=None if keep is None else lambda _, offset, piece: keep(offset, piece))[0]

    def __call__(self, doc: Doc) -> Doc:
        return self.merge(doc, self.spans(doc.text, keep=self._gate(doc)))

    def pipe(self, docs: Iterable[Doc], batch_size: int = 16) -> Iterator[Doc]:
        """Several Docs at a time: their sentences go through the model together (fuller batches, same result)."""
        if self.model is None:
            raise ModelMissing("[E021] kg_statistical_ner is not initialised: call nlp.initialize() or load_pipeline().")
        for batch in minibatch(docs, batch_size):
            gates = [self._gate(doc) for doc in batch]
            keep = None if None in gates else lambda n, offset, piece: gates[n](offset, piece)
            for doc, found in zip(batch, self.model.many([doc.text for doc in batch], keep=keep)):
                yield self.merge(doc, found)

    def _gate(self, doc: Doc):
        """Which of ``doc``'s sentences the model reads: ``(offset, sentence) -> bool``; None (all of them) without
        the rules' idea of a surname or the model's plain characters."""
        patterns = self._patterns
        if self.plain is None or patterns is None or patterns.persons is None:
            return None
        covered = {i for e in doc.ents for i in range(e.start_char, e.end_char)}
        starts = patterns.persons.surnames | {s[0] for s in patterns.persons.compound_surnames}
        return lambda offset, piece: may_hold_a_name(piece, offset, covered, self.plain, starts)

    def merge(self, doc: Doc, found: list[tuple[int, int, str, float]]) -> Doc:
        """Add the model's (start, end, label, confidence) spans ``found`` in ``doc`` to its entities where the rules
        have none."""
        kept = [(e.start_char, e.end_char, e.label_, e.kb_id_) for e in doc.ents]
        taken = {i for start, end, *_ in kept for i in range(start, end)}
        whole = doc.text
        org_ends = {end for start, end, label, _ in found if label == "ORG"}
        org_ends |= {end for _, end, cls, _ in kept if cls in ORG_CLASSES}
        added = []
        for start, end, label, confidence in _join_surnames(found):
            if confidence < MIN_CONFIDENCE.get(label, 0.9):
                continue
            if label == "PER":
                start, end = _snap_person(doc, whole, start, end)
                if end - start == 2 and _is_han(whole[end:end + 1]) and whole[end + 1:end + 2] == "摄":
                    end += 1  # 胡肖|飞摄: a photo credit (X摄) names the whole name before 摄
                end = self._trim_cue(whole, start, end)
            text = whole[start:end]
            if label == "PER" and self._person_like(text):
                kept, taken = _widen_persons(kept, taken, start, end)
            if len(text.strip()) < MIN_LENGTH.get(label, 2) or any(i in taken for i in range(start, end)):
                continue
            if label == "PER" and not self._person_like(text):
                continue  # 大黄鱼 at a paragraph's start: no surname, not a transliteration
            if label == "LOC" and len(text) == 2 and all(c in COUNTRY_ABBREVIATIONS for c in text):
                continue  # 中美, 欧美: two countries (中美贸易), not a place
            if label == "ORG" and start in org_ends:
                continue  # 报道组 of 市委报道组: a unit of the organisation just before, not a name of its own
            if self._not_a_name(whole, start, end, label):
                continue  # 歌剧团 alone, “空中客车”Ａ３００, 共产党 of 《共产党宣言》 (patterns.OrgNames)
            added.append((start, end, ontology_class(label, text.strip()), canonical_key(text)))
            taken = taken | set(range(start, end))   # the model's spans may overlap each other, or repeat
        kept, widened = _same_person_longer(whole, kept, added)
        added += widened
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


    def _trim_cue(self, whole: str, start: int, end: int) -> int:
        """A three-character person whose last character opens a cue word after names (王明宣|读, 李强作|报告) is a
        two-character name."""
        patterns = self._patterns
        if patterns is None or patterns.persons is None or end - start != 3:
            return end
        if whole.startswith(tuple(c for c in patterns.persons.after if len(c) >= 2), end - 1):
            return end - 1
        return end

    def _not_a_name(self, whole: str, start: int, end: int, label: str) -> bool:
        """kg_entities' patterns say what the model's organisations are not (a bare kind of group, a product)."""
        patterns = self._patterns
        return patterns is not None and patterns.names is not None and patterns.names.not_a_model_name(
            whole, start, end, label)

    def _person_like(self, text: str) -> bool:
        patterns = self._patterns
        if patterns is None or patterns.persons is None or not all(_is_han(c) for c in text) or len(text) > 4:
            return True
        return patterns.looks_like_name(text, strong=True)


def may_hold_a_name(sentence: str, offset: int, covered: set[int], plain: frozenset[str],
                    surnames: frozenset[str]) -> bool:
    """Whether the model could add a name in ``sentence`` (at ``offset`` in its Doc): two neighbouring Han characters
    outside the rules' entities (``covered``: character offsets), the first a surname or neither of them plain (a
    character MSRA's names rarely use, ``plain_chars.txt``). Elsewhere a model span would overlap a rule's entity,
    be too short, or be no name. Measured 2026-12-08 against reading every sentence: the model reads 55% of the
    characters of 60 benchmark articles, 58% of the seeds', 93% of the devset's, 95% of 60 MSRA paragraphs'; not
    one entity of the pipeline's output changed on any of them."""
    for i in range(len(sentence) - 1):
        first, second = sentence[i], sentence[i + 1]
        if (_is_han(first) and _is_han(second) and offset + i not in covered and offset + i + 1 not in covered
                and (first in surnames or (first not in plain and second not in plain))):
            return True
    return False


def _read_plain(path: Path) -> frozenset[str] | None:
    """The model's plain characters (``training/plain_chars.py``); None for a model folder without them."""
    try:
        return frozenset((path / "plain_chars.txt").read_text(encoding="utf-8").strip())
    except FileNotFoundError:
        return None


def _widen_persons(kept: list[tuple], taken: set[int], start: int, end: int) -> tuple[list[tuple], set[int]]:
    """A person the rules found and the model reads longer, from the same first character (王明 of 王明华), is
    the model's: the rules cut a name where the segmenter did; the model reads characters. Only a Person is widened,
    and only by one character, so a name never swallows the word after it."""
    inside = [k for k in kept if start <= k[0] and k[1] <= end]
    if (len(inside) != 1 or inside[0][2] != "Person" or inside[0][0] != start or end - inside[0][1] != 1
            or any(k[0] < end and start < k[1] for k in kept if k is not inside[0])):
        return kept, taken
    rest = [k for k in kept if k is not inside[0]]
    return rest, {i for s, e, *_ in rest for i in range(s, e)}


def _same_person_longer(whole: str, kept: list[tuple], added: list[tuple]) -> tuple[list[tuple], list[tuple]]:
    """The article's longer reading of a person wins everywhere: where the model read one mention as 王明华, every
    other mention the rules cut at 王明 with 华 right after it is the same person (the segmenter cut it the same way
    each time). A short form followed by anything else (王明说) stays as it is. Returns (kept, widened spans)."""
    longer = {whole[s:e] for s, e, cls, _ in added if cls == "Person" and e - s == 3}
    taken = {i for s, e, *_ in kept + added for i in range(s, e)}
    rest, widened = [], []
    for span in kept:
        start, end, cls, _ = span
        if (cls == "Person" and end - start == 2 and whole[start:end + 1] in longer and end not in taken):
            widened.append((start, end + 1, cls, canonical_key(whole[start:end + 1])))
            taken.add(end)
        else:
            rest.append(span)
    return rest, widened


def _snap_person(doc: Doc, whole: str, start: int, end: int) -> tuple[int, int]:
    """Grow a person's name the model cut short to the segmenter's tokens, if the result is a plausible Han name.

    林杰 inside the token 金林杰 becomes 金林杰; a lone surname 赵 followed by the token 春燕 becomes 赵春燕. A name
    grows to at most MAX_NAME characters, only over Han characters, and never over a token that runs on.
    ``whole`` is ``doc.text``, which spaCy joins anew at every access: made once per document by the caller.
    """
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None:
        return start, end
    before = doc[span.start - 1] if span.start > 0 else None
    if (end - start == 2 and before is not None and span[0].idx == start and before.text in SURNAMES
            and not before.whitespace_ and (span.start == 1 or not _is_han(whole[start - 2]))):
        return start - 1, end  # a surname the segmenter cut off after a space or punctuation: ■ 金 林杰
    first, last = span[0].idx, span[-1].idx + len(span[-1].text)
    if end - start == 1 and len(span[0].text) == 1 and span.end < len(doc):
        given = doc[span.end]
        if 1 <= len(given.text) <= 2 and not span[-1].whitespace_:
            last = given.idx + len(given.text)
    text = whole[first:last]
    if last - first <= MAX_NAME and all(_is_han(c) for c in text) and (first < start or last > end):
        if last == end or (first == start and end - start == 1):  # one side only: 黄 of 大陈黄鱼 stays 黄
            return first, last
    return start, end


def _join_surnames(spans: list[tuple[int, int, str, float]]) -> list[tuple[int, int, str, float]]:
    """A one-character person right before another person is its surname (金 + 林杰): one name of at most MAX_NAME."""
    out: list[tuple[int, int, str, float]] = []
    for start, end, label, confidence in spans:
        if (out and label == "PER" and out[-1][2] == "PER" and out[-1][1] == start
                and out[-1][1] - out[-1][0] == 1 and end - out[-1][0] <= MAX_NAME):
            out[-1] = (out[-1][0], end, "PER", min(confidence, out[-1][3]))
        else:
            out.append((start, end, label, confidence))
    return out


def _is_han(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff"
