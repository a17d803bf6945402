"""Statistics: every figure with a unit becomes an Observation with its indicator, period and subject.

- indicator: the words of the clause before the figure (义乌全市进出口规模), without the period and the subject; a bare
  change rate (同比增长 16.7%) borrows the indicator of the figure it changes (出口同比增长).
- period: the last period phrase of the sentence before the figure, with dates where they can be derived (see
  ``kg.extract.periods``).
- subject: the entity the clause is about: the last eligible mention of the clause before the figure, else the first
  of the sentence, else the subject of the sentence before in the same paragraph, else the document's main place (a
  fallback, flagged with a lower confidence). A place written right before a service word (义乌回程班列127列) gives
  the figure to the service the article names most (``ontology/rules/figures.yml``).
  Industries, countries and regions are not subjects (体育用品出口, 对东盟出口: they qualify the indicator), nor are
  mentions governed by a preposition (对/与/较/比/向/占/通过/依托/作为 …: 较排名第二的嘉兴高出), nor names that report
  the figure (X介绍, a dateline place 青岛8月24日电, the writers in brackets, 【浙江日报】); a
  policy named only in an earlier clause is never the subject (推出了X贷款，目前已累计发放…: the place carried or the topic).
  The structure of the clause decides between several names: the doer before an action verb (义乌海关监管中欧班列集装箱:
  ``actor_verbs``), a place before the policy it trades under (义乌市场采购贸易出口额), the whole before 其中; a count
  of trains with no name in its clause is the service's the sentence names. A Route named only as a set of routes
  (全港航线, 盐田港区航线: ``route_heads``, ``route_scopes``) is no subject; its hub is.
"""
from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import yaml

from kg.extract.indicators import IndicatorRules
from kg.extract.mentions import most_named
from kg.extract.numbers import Figure, FigureFinder
from kg.extract.periods import PERIOD, find_period
from kg.extract.sentences import SentenceIndex
from kg.records import Article, Mention, Observation, Provenance, Sentence
from kg.vocab import coarse

_CLAUSE_END = re.compile(r"[，,；;：:。！？!?\n（(）)“”\"「」【】]")
_SUBJECT_CLASSES = {"Place", "Zone", "Facility", "Route", "Platform", "Organization", "Person", "Brand", "Policy",
                    "Event"}
_NOT_SUBJECTS = {"Country", "Region", "Industry"}
_GOVERNED = re.compile(r"[对与较比向占往至]|低于|高于|超过|相比|通过|依托|利用|借助|凭借|作为")
_CHANGE = re.compile(r"^(同比|环比|比上年|较上年|较去年同期|比去年同期|分别|年均)?(增长|下降|增加|减少|提升|提高|回落|增速|"
                     r"上升|下滑|降低|增幅|降幅|分别增长|分别下降)")
# an organisation that reports the figure is its source, not its subject (义乌海关发布消息称, 中新网 义乌7月22日电)
_SOURCE = re.compile(r"\s*(?:\S{0,6}\d{1,2}月\d{1,2}日)?\s*(?:发布|公布|消息|数据|电|讯|记者|报道|介绍|表示|称|说|了解|统计|显示|"
                     r"相关负责人|负责人|指出|透露|获悉)")
# a person who speaks reports the figure (王经理介绍), and a place before a date and 电 is the dateline (青岛5月2日电)
_SPEAKS = re.compile(r"\s*(?:介绍|表示|说|称|指出|透露|坦言|告诉)")
_DATELINE = re.compile(r"\s*\d{1,2}月\d{1,2}日电")
_PART = re.compile(r"\s*其中")
_BYLINE = re.compile(r"[（(](?:[^（()）]*[\s、])?$")     # (记者 张三 李四): the writers, inside the brackets
TOPIC = 0
TOPICAL = 0.5      # the confidence of a figure whose subject is only the article's main place
_PARTNER = re.compile(r"(?:对|向|与|同)[“”\"「」]*$")
_LIST_GAP = re.compile(r"[“”\"「」《》]*(?:、|和|与|及|以及|或)?[“”\"「」《》]*")
_STRIP = " 　的了是为达到共约近超逾已和及与、等分别其中，,"


def extract_observations(
    *, article: Article, sentences: SentenceIndex, mentions: list[Mention], figures: FigureFinder,
    services: re.Pattern | None = None, indicators: IndicatorRules | None = None,
    route_sets: re.Pattern | None = None, actors: re.Pattern | None = None
) -> Iterator[Observation]:
    """``services`` (``service_words``) finds a service word written after a place (回程班列); ``indicators`` maps
    each figure's written indicator to a concept (none without it); ``route_sets`` (``route_sets``) a Route name that
    only says whose routes they are (全港航线, 盐田港区航线); ``actors`` (``actor_verbs``) a verb whose doer is the
    subject, not the name after it (监管)."""
    main = main_subject(mentions, article)
    if route_sets is not None:
        mentions = list(_without_route_sets(mentions, route_sets))
    route = most_named(mentions, lambda cls: cls == "Route") if services else None
    by_sentence: dict[int, list[Mention]] = {}
    for m in mentions:
        by_sentence.setdefault(m.provenance.sentence.start, []).append(m)
    carried: str | None = None
    previous: Sentence | None = None
    for sentence in sentences.sentences:
        if previous is not None and "\n" in article.text[previous.end:sentence.start]:
            carried = None                       # a new paragraph: nothing carries over
        previous = sentence
        here = sorted(by_sentence.get(sentence.start, []), key=lambda m: m.start)
        last: tuple[Figure, str] | None = None
        before: str | None = None
        starts: list[int] = []
        for fig in figures.find(sentence.text):
            clause_start = _clause_start(sentence.text, fig.start)
            found = _subject(here, sentence, clause_start, fig.start, before, actors) or carried
            if fig.unit in _SERVICE_UNITS:
                found = _service_owner(here, sentence, clause_start, fig.start) or found
            if route is not None and _runs_service(here, sentence, clause_start, fig.start, found, services):
                found = route.entity.key
            subject = found or main          # the article's main place: a fallback, flagged by a lower confidence
            before = subject
            # figures listed in one clause share what it says before the first of them (分别进出口578亿元、405亿元)
            upto = min([f for f in starts if f >= clause_start] + [fig.start])
            starts.append(fig.start)
            indicator = _indicator(sentence.text[clause_start:upto], [m for m in here if m.entity.key == subject])
            if last is not None and (not indicator or _CHANGE.match(indicator)) and last[0].unit != fig.unit:
                indicator = last[1] + (indicator or "")
            period = find_period(sentence.text[:fig.start], article.date, article.text[:sentence.start])
            yield Observation(
                subject=subject,
                partners=_partners(here, sentence, clause_start, fig.start),
                indicator=indicator or fig.text,
                value=fig.value,
                unit=fig.unit,
                text=fig.text,
                qualifier=fig.qualifier,
                period=period.text if period else None,
                period_start=period.start if period else None,
                period_end=period.end if period else None,
                **(indicators.facets(indicator or fig.text, fig.unit, sentence.text[clause_start:fig.start])
                   if indicators else {}),
                provenance=Provenance(article.doc_id, sentence, rule=f"figure:{fig.unit}",
                                      confidence=0.7 if found else TOPICAL,
                                      reported_on=article.date),
            )
            if fig.unit not in ("percent", "percentage_point", "times"):
                last = (fig, _CHANGE.sub("", indicator) if indicator else "")
            carried = subject if subject != main else carried


def service_words(path: Path) -> re.Pattern | None:
    """What may follow a place that only says where a service runs from (``services``, ``service_modifiers`` and
    ``service_origins`` in ``path``): modifiers then the service word, or an origin word; None without the file or a
    service in it."""
    data = _figure_data(path)
    if not data.get("services"):
        return None
    alt = functools.partial(_alternatives, data)
    words = f"(?:{alt('service_modifiers')})*(?:{alt('services')})" if data.get("service_modifiers") else \
        f"(?:{alt('services')})"
    return re.compile(f"{words}|(?:{alt('service_origins')})" if data.get("service_origins") else words)


def _alternatives(data: dict, key: str) -> str:
    """The words listed under ``key``, longest first, as one regular-expression alternation."""
    return "|".join(map(re.escape, sorted(data.get(key) or (), key=len, reverse=True)))


def _figure_data(path: Path) -> dict:
    """``ontology/rules/figures.yml`` as a mapping ({} without the file)."""
    return (yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else None) or {}


def actor_verbs(path: Path) -> re.Pattern | None:
    """The verbs (``actor_verbs`` in ``path``) after which a name is acted on, the doer before them being the
    subject (义乌海关监管中欧班列集装箱5万标箱); None without the file or the key."""
    data = _figure_data(path)
    return re.compile(_alternatives(data, "actor_verbs")) if data.get("actor_verbs") else None


def route_sets(path: Path) -> re.Pattern | None:
    """A Route name made of a hub's name or scope words then a route head (``route_heads``, ``route_scopes`` in
    ``path``); the hub is the group ``hub``. None without the file or heads in it."""
    data = _figure_data(path)
    if not data.get("route_heads"):
        return None
    alt = functools.partial(_alternatives, data)
    return re.compile(f"(?P<hub>.*?)(?:{alt('route_scopes') or '(?!)'})*(?:{alt('route_heads')})")


def _without_route_sets(mentions: list[Mention], pattern: re.Pattern) -> Iterator[Mention]:
    """Each mention, but a Route named as a set of routes (全港航线) is dropped, or stands for its hub where the hub
    is a place or facility the article names (盐田港区航线 -> 盐田港区). A route between two ends (宁波—纽约航线) or
    in quotes is a named route and stays."""
    hubs = {m.text: m.entity for m in mentions if coarse(m.entity.cls) in ("Place", "Facility", "Zone")
            and m.entity.cls not in _NOT_SUBJECTS}
    for m in mentions:
        found = pattern.fullmatch(m.text) if coarse(m.entity.cls) == "Route" else None
        if found is None or _ROUTE_ENDS.search(m.text):
            yield m
        elif found.group("hub") in hubs:
            hub = found.group("hub")
            yield Mention(hubs[hub], m.start, m.start + len(hub), hub, m.provenance)
        elif not found.group("hub"):
            continue
        else:
            yield m


_ROUTE_ENDS = re.compile(r"[—\-－~至到“”\"「」]")


def _service_owner(here: list[Mention], sentence: Sentence, clause_start: int, figure_start: int) -> str | None:
    """Trains are run by a service: a count of trains whose clause names no subject goes to the service the sentence
    names last before it (浙江中欧班列全年开行…，“必保1500列”), not to a place named at the sentence's start."""
    before = [m for m in here if m.start - sentence.start < figure_start and _eligible(m, sentence, here)]
    if any(m.start - sentence.start >= clause_start for m in before):
        return None
    routes = [m for m in before if coarse(m.entity.cls) == "Route"]
    return routes[-1].entity.key if routes else None


_SERVICE_UNITS = {"train"}     # counts of trains; tried with km, day, hour too: +0 on tune and seeds, not kept


def _runs_service(here: list[Mention], sentence: Sentence, clause_start: int, figure_start: int, subject: str | None,
                  services: re.Pattern) -> bool:
    """The subject is a place named in the clause right before a service word (义乌回程班列127列)."""
    for m in reversed(here):
        local = m.start - sentence.start
        if m.entity.key == subject and clause_start <= local < figure_start and coarse(m.entity.cls) == "Place":
            return bool(services.match(sentence.text[m.end - sentence.start:figure_start]))
    return False


def _clause_start(text: str, end: int) -> int:
    starts = [m.end() for m in _CLAUSE_END.finditer(text, 0, end)]
    return starts[-1] if starts else 0


def _eligible(m: Mention, sentence: Sentence, here: list[Mention]) -> bool:
    """A name may be a figure's subject unless it is of a kind that only qualifies (an industry, a partner), stands
    in a list governed by a preposition (对非洲、美国和东盟: the whole list is the partner), or reports the figure.

    Tried and measured, not kept: a name in a relative clause before a later name (在柯桥做…的X公司) and names
    counted by the figure right after them (杭州、宁波、义乌等3个) as non-subjects: subject right on the tune half
    +0 and +2 of 174, on the check half -3 and -2 of 109."""
    if coarse(m.entity.cls) not in _SUBJECT_CLASSES or m.entity.cls in _NOT_SUBJECTS:
        return False
    local = _list_start(m, here) - sentence.start
    window = sentence.text[max(0, _clause_start(sentence.text, local)):local][-6:]
    after = sentence.text[m.end - sentence.start:m.end - sentence.start + 8]
    byline = coarse(m.entity.cls) == "Person" and _BYLINE.search(sentence.text[:m.start - sentence.start])
    byline = byline or sentence.text[:m.start - sentence.start].endswith("【")    # 【浙江日报】: the source
    return not _GOVERNED.search(window) and not _reports(coarse(m.entity.cls), after) and not byline


def _reports(cls: str, after: str) -> bool:
    """Does the name, by what follows it, report the figure rather than own it?"""
    return bool((cls == "Organization" and _SOURCE.match(after)) or (cls == "Person" and _SPEAKS.match(after))
                or (cls == "Place" and _DATELINE.match(after)))



def _partners(here: list[Mention], sentence: Sentence, clause_start: int, figure_start: int) -> tuple[str, ...]:
    """The names the clause trades with (对欧盟出口, 与东盟、日本贸易): the lists after 对/向/与/同, in order."""
    out = []
    for m in here:
        local = m.start - sentence.start
        if not clause_start <= local < figure_start or m.entity.cls == "Industry" or m.entity.key in out:
            continue
        start = _list_start(m, here) - sentence.start
        # 与 also joins a list (宁波与日本): right before a country, region or organisation it is "with"
        partner_like = m.entity.cls in _NOT_SUBJECTS or m.entity.cls == "Organization"
        if _PARTNER.search(sentence.text[max(0, start - 3):start]) or (
                partner_like and _PARTNER.search(sentence.text[max(0, local - 3):local])):
            out.append(m.entity.key)
    return tuple(out)


def _list_start(m: Mention, here: list[Mention]) -> int:
    """Where the list that ``m`` closes or stands in starts (A、B和C: at A)."""
    start = m.start
    for other in sorted((o for o in here if o.end <= start), key=lambda o: -o.start):
        gap = other.provenance.sentence.text[other.end - other.provenance.sentence.start:
                                             start - other.provenance.sentence.start]
        if other.end > start or not _LIST_GAP.fullmatch(gap):
            break
        start = other.start
    return start


def _subject(here: list[Mention], sentence: Sentence, clause_start: int, figure_start: int,
             previous: str | None, actors: re.Pattern | None = None) -> str | None:
    before = [m for m in here if m.start - sentence.start < figure_start and _eligible(m, sentence, here)]
    in_clause = [m for m in before if m.start - sentence.start >= clause_start]
    if in_clause:
        last = in_clause[-1]
        # the name before an action verb does it; the name after the verb is what it acts on (义乌海关监管中欧班列集装箱)
        actor = next((m for m in in_clause if actors is not None and m.end <= last.start and actors.search(
            sentence.text[m.end - sentence.start:last.start - sentence.start])), None)
        if actor is not None:
            return actor.entity.key
        # a place written right after a service names the service's part there (中欧班列义乌平台共开行1060列)
        route = next((m for m in before if m.end == last.start and coarse(m.entity.cls) == "Route"), None)
        if route is not None and coarse(last.entity.cls) == "Place":
            return route.entity.key
        # a policy written right after a place says how the place trades (义乌市场采购贸易出口额): the place's figure
        place = next((m for m in in_clause if coarse(m.entity.cls) == "Place" and _joined(sentence, m, last)), None)
        return (place if place is not None and coarse(last.entity.cls) == "Policy" else last).entity.key
    if previous:
        return previous
    if before and _PART.match(sentence.text, clause_start):
        return before[-1].entity.key       # 其中 opens a part of what was named last (关税…，其中对华征收34%)
    heads = [m for i, m in enumerate(before) if i + 1 == len(before) or before[i + 1].start != m.end]
    # a policy named in an earlier clause is how something was done, not what the figure measures (推进X改革，…26条):
    # the subject carried from before or the topic takes the figure
    heads = [m for m in heads if coarse(m.entity.cls) != "Policy"]
    return heads[TOPIC].entity.key if heads else None


def _joined(sentence: Sentence, first: Mention, then: Mention) -> bool:
    """Is ``then`` written right after ``first`` (a line break or 的 between them at most)?"""
    gap = sentence.text[first.end - sentence.start:then.start - sentence.start]
    return first.end <= then.start and gap.strip() in ("", "的")


def _indicator(text: str, subject_mentions: list[Mention]) -> str:
    for m in subject_mentions:                       # the subject's name is not part of what is measured
        text = text.replace(m.text, "")
    text = PERIOD.sub(lambda p: "" if p.group(0) and _has_time(p.group(0)) else p.group(0), text)
    text = re.sub(r"^(截至目前|目前|如今|其中|同时|此外|当前|全年|累计)", "", text.strip(_STRIP))
    return text.strip(_STRIP)


def _has_time(text: str) -> bool:
    return bool(re.search(r"年|月|季度|半年", text))


def main_subject(mentions: list[Mention], article: Article) -> str | None:
    """The place the article is about: the most mentioned place or zone (the title counts twice), first one on a tie."""
    counts: Counter[str] = Counter()
    first: dict[str, int] = {}
    title_end = article.sentences[0].end if article.sentences else 0
    for m in mentions:
        if coarse(m.entity.cls) in ("Place", "Zone") and m.entity.cls not in _NOT_SUBJECTS:
            counts[m.entity.key] += 2 if article.title and m.start < title_end and article.title in \
                article.text[:title_end] else 1
            first.setdefault(m.entity.key, m.start)
    if not counts:
        return None
    return max(counts, key=lambda k: (counts[k], -first[k]))
