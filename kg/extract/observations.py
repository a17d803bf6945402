"""Statistics: every figure with a unit becomes an Observation with its indicator, period and subject."""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

from kg.extract.numbers import FigureFinder
from kg.extract.sentences import SentenceIndex
from kg.records import Article, Mention, Observation, Provenance
from kg.vocab import coarse

_CLAUSE_END = re.compile(r"[，,；;：:。！？!?、\n（(）)“”\"]")
_PERIOD = re.compile(
    r"(?:(?P<year>\d{4})年|(?P<rel>今年|去年|前年|明年))?"
    r"(?P<part>\d{1,2}[—\-–~至到]\d{1,2}月|前\d{1,2}个月|[一二三四]季度|第[一二三四]季度|上半年|下半年|全年|\d{1,2}月(?:份)?)"
    r"|(?P<year2>\d{4})年|(?P<rel2>今年|去年|前年)"
)
_SUBJECT_CLASSES = {"Place", "Zone", "Facility", "Route", "Platform", "Organization", "Person", "Brand", "Industry"}


def extract_observations(
    *, article: Article, sentences: SentenceIndex, mentions: list[Mention], figures: FigureFinder
) -> Iterator[Observation]:
    main = _main_subject(mentions)
    for sentence in sentences.sentences:
        for fig in figures.find(sentence.text):
            start = sentence.start + fig.start
            clause_start = _clause_start(sentence.text, fig.start)
            indicator = _indicator(sentence.text[clause_start:fig.start])
            period = _period(sentence.text[:fig.start])
            subject = _subject(mentions, sentence.start, start) or main
            yield Observation(
                subject=subject,
                indicator=indicator or fig.text,
                value=fig.value,
                unit=fig.unit,
                text=fig.text,
                qualifier=fig.qualifier,
                period=period,
                provenance=Provenance(article.doc_id, sentence, rule=f"figure:{fig.unit}", confidence=0.7,
                                      reported_on=article.date),
            )


def _clause_start(text: str, end: int) -> int:
    starts = [m.end() for m in _CLAUSE_END.finditer(text, 0, end)]
    return starts[-1] if starts else 0


def _indicator(text: str) -> str:
    text = _PERIOD.sub("", text)
    return text.strip(" 　的了是为达到共约近超")


def _period(text: str) -> str | None:
    found = list(_PERIOD.finditer(text))
    return found[-1].group(0) if found else None


def _subject(mentions: list[Mention], sentence_start: int, figure_start: int) -> str | None:
    before = [m for m in mentions if sentence_start <= m.start < figure_start
              and coarse(m.entity.cls) in _SUBJECT_CLASSES]
    return before[-1].entity.key if before else None


def _main_subject(mentions: list[Mention]) -> str | None:
    places = Counter(m.entity.key for m in mentions if coarse(m.entity.cls) in ("Place", "Zone"))
    return places.most_common(1)[0][0] if places else None
