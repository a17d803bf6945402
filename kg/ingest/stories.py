"""A page of text -> one or more stories, each with its title and the metadata its own lines state.

Newspaper pages hold several stories. A story starts at 本报讯, at a byline such as 通讯员…报道, or at a dateline
such as 中新社义乌9月16日电. PDF extraction often puts a story's headline after its body; headlines that sit
between stories or at the end of the page go to the story whose words they share most.
A page without such markers is split at headlines that each open several paragraphs (a feature in sections).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from kg.ingest.formats import OUTLET, parse_date
from kg.ingest.repair import INFO_DATE, ends_paragraph, is_info_line, repair, width

HAN = r"\u4e00-\u9fff"
NAME = rf"[{HAN}·]{{2,4}}"
ROLES = ("本报记者", "本报通讯员", "特约记者", "实习生", "记者", "通讯员", "本报", "摄影", "编辑", "作者")
# Cue patterns, keyed by what they find.
PATTERNS = {
    "bulletin": re.compile(r"^\s*(本报讯|本报消息)"),
    "report_byline": re.compile(rf"^\s*(?:本报讯\s*)?(?:[（(]\s*)?((?:本报|特约)?(?:记者|通讯员)[{HAN}·\s、]{{2,40}}?)报道"),
    "dateline": re.compile(
        rf"^\s*[（(【\[]?\s*(?P<agency>新华社|中新社|中新网|本报|人民网|新华网|央视网|中国新闻网|[{HAN}]{{2,8}}网)?"
        rf"\s*(?P<place>[{HAN}]{{2,8}}?)?\s*(?:(?P<year>\d{{4}})年)?(?P<month>\d{{1,2}})月(?P<day>\d{{1,2}})日\s*(?:电|讯)"),
    "dateline_authors": re.compile(r"^\s*[（(]\s*([^（）()\n]{2,40})[）)]"),
    "mark_byline": re.compile(rf"^\s*[■□◆●▲]\s*((?:{NAME}[\s、，,]*){{1,6}})$"),
    "reporter_line": re.compile(rf"^\s*(?:[{HAN}]{{2,4}}社|本报)?((?:记者|通讯员)\s*(?:{NAME}[\s、，,]*){{1,6}})$"),
    "credit": re.compile(rf"(?:^|[\s\u3000。！？，,：:])(?:本报)?(?:记者|通讯员)?\s*((?:[{HAN}·]{{2,3}}[\s、]+)*"
                         rf"[{HAN}·]{{2,3}})\s*(?:摄影?|供图)\s*(?:[（(][^）)]{{0,12}}[）)])?\s*$"),
    # A byline field runs to the end of its line or bracket: the next line (a dateline...) is never part of it.
    "header_author": re.compile(r"(?:作者\s*[:：]|(?=记者\s|通讯员\s))[ \t\u3000]*([^\n|｜（）()【】\[\]:：。；;]{2,60})"),
    # the outlet written right before a byline: 浙江在线-浙江日报 · 通讯员 某某 记者 某某
    "header_outlet": re.compile(rf"([{HAN}]{{2,10}}?(?:日报|晚报|商报|报|网|社))\s*[·|｜]\s*(?:本报)?(?:记者|通讯员)"),
    "header_source": re.compile(rf"来源\s*[:：]\s*([^\s|·]{{2,20}})"),
    "header_date": re.compile(r"(?:发布时间|发布日期|日期|时间)\s*[:：]?\s*(\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2})"),
}
TITLE_MIN_OVERLAP = 0.34   # share of a headline's character pairs that must occur in the story it is given to


@dataclass
class Story:
    text: str
    meta: dict = field(default_factory=dict)


def split(text: str, meta: dict, *, html: bool = False) -> list[Story]:
    """Repair ``text`` and cut it into stories; ``meta`` (front matter, HTML meta) applies to each of them."""
    text = repair(text, join_paragraphs=not html)
    paras = [p for p in text.split("\n\n") if p.strip()]
    if not paras:
        return []
    kinds = [_kind(p) for p in paras]
    starts = [i for i, k in enumerate(kinds) if k == "start"]
    if starts:   # a byline line of its own (■ 通讯员 … 记者 …) right under a later headline opens a story too
        starts = sorted(starts + [i for i, k in enumerate(kinds) if k == "byline" and i > starts[0]
                                  and kinds[i - 1] == "heading" and i - 1 not in starts])
    if len(starts) >= 2:
        # Photo news (a long paragraph closed by a credit) right after a run of headlines is a story too.
        starts += [i for i, p in enumerate(paras) if kinds[i] == "body" and i > starts[0] and kinds[i - 1] == "heading"
                   and width(p) > 60 and PATTERNS["credit"].search(p)]
        groups = _by_markers(paras, kinds, sorted(set(starts)))
    else:
        groups = _by_headlines(paras, kinds) or [(None, [], paras)]
    # Page-level header lines are those above the first story on a page of several stories.
    page = _page_meta(paras[:starts[0]] if len(groups) > 1 and starts else paras, meta)
    out = []
    for title, moved, body in groups:
        if not body and not moved:
            continue
        story_meta = _story_meta(body, page)
        if len(groups) > 1 and page.get("title"):
            story_meta.setdefault("extra", {})["page_title"] = page["title"]
            story_meta.pop("title")
        if title:
            story_meta["title"] = title
        elif not story_meta.get("title") and _is_title(body[0].split("\n")[0]) and len(body) + body[0].count("\n") > 1:
            story_meta["title"] = body[0].split("\n")[0].strip()
        story_text = "\n\n".join(["\n".join(moved)] * bool(moved) + body)
        out.append(Story(story_text, story_meta))
    return out


def _is_title(line: str) -> bool:
    """A first line that reads as a headline: short, not a sentence, not a byline or dateline."""
    return 0 < width(line) <= 50 and not ends_paragraph(line) and _kind(line) in ("heading", "body")


def _kind(para: str) -> str:
    """start (a story's first paragraph), credit (photo credit/caption), heading, or body."""
    first = para.split("\n")[0]
    if PATTERNS["bulletin"].match(first) or PATTERNS["report_byline"].match(first) or \
            PATTERNS["dateline"].match(first):
        return "start"
    lines = para.split("\n")
    if width(para) <= 40 and PATTERNS["credit"].search(lines[-1]):
        return "credit"
    if PATTERNS["mark_byline"].match(para) or PATTERNS["reporter_line"].match(para):
        return "byline"
    if len(lines) <= 2 and all(is_info_line(ln) for ln in lines):
        return "info"
    if len(lines) <= 3 and all(width(ln) <= 32 for ln in lines) and not any(ends_paragraph(ln) for ln in lines):
        return "heading"
    return "body"


def _bigrams(text: str) -> set[str]:
    chars = re.sub(rf"[^{HAN}0-9A-Za-z]", "", text)
    return {chars[i:i + 2] for i in range(len(chars) - 1)}


def _overlap(line: str, body: set[str]) -> float:
    grams = _bigrams(line)
    return len(grams & body) / len(grams) if grams else 0.0


def _by_markers(paras, kinds, starts):
    """Stories between story starts; headlines between stories are given to the story they match best."""
    bounds = list(zip(starts, starts[1:] + [len(paras)]))
    bodies = [list(range(a, b)) for a, b in bounds]
    if starts[0] > 0:
        bodies[0] = list(range(0, starts[0])) + bodies[0]
    # Candidate headlines: the run of headings and credits that ends each story (and precedes the first).
    candidates = []
    for body in bodies:
        j = len(body) - 1
        while j > 0 and kinds[body[j]] in ("heading", "credit"):
            if kinds[body[j]] == "heading":
                candidates.append(body[j])
            j -= 1
    candidates += [i for i in range(starts[0]) if kinds[i] == "heading"]
    grams = [_bigrams("".join(paras[i] for i in body if i not in candidates)) for body in bodies]
    titles: dict[int, list[tuple[int, int, str]]] = {}   # story -> (para, line, text)
    placed = set()
    for i in sorted(set(candidates)):
        lines = paras[i].split("\n")
        whole = _whole_headline(lines, grams)
        for n, line in enumerate(lines):
            for piece_no, (story, piece) in enumerate([(whole, line)] if whole is not None else _assign(line, grams)):
                if story is not None:
                    titles.setdefault(story, []).append((i, n * 10 + piece_no, piece))
                    placed.add(i)
    # A headline paragraph whose lines were not all placed stays where it was.
    for i in list(placed):
        lines = paras[i].split("\n")
        got = [p for t in titles.values() for (pi, _, p) in t if pi == i]
        if "".join(got) != "".join(lines):
            placed.discard(i)
            for story in titles:
                titles[story] = [t for t in titles[story] if t[0] != i]
    groups = []
    for s, body in enumerate(bodies):
        title = [p for _, _, p in sorted(titles.get(s, []))]
        groups.append((" ".join(title) or None, title, [paras[i] for i in body if i not in placed]))
    return groups


def _whole_headline(lines: list[str], grams: list[set[str]]) -> int | None:
    """The story a headline of several lines belongs to as a whole (义乌至宁波海铁联运 / 班列量质齐升: the second line
    alone shares few words with the story); None when its lines point to different stories."""
    if len(lines) < 2:
        return None
    scores = [_overlap("".join(lines), g) for g in grams]
    top = max(range(len(scores)), key=scores.__getitem__)
    if scores[top] < TITLE_MIN_OVERLAP:
        return None
    if any(story not in (None, top) for line in lines for story, _ in _assign(line, grams)):
        return None
    return top


def _assign(line: str, grams: list[set[str]]) -> list[tuple[int | None, str]]:
    """The story a headline line belongs to; a line holding two stories' headlines is cut in two."""
    def best(text):
        scores = [_overlap(text, g) for g in grams]
        top = max(range(len(scores)), key=scores.__getitem__)
        return (top if scores[top] >= TITLE_MIN_OVERLAP else None), scores[top]

    story, score = best(line)
    cut = None
    for k in range(4, len(line) - 3):
        (ls, lsc), (rs, rsc) = best(line[:k]), best(line[k:])
        if ls is None or rs is None or ls == rs:
            continue
        cover = (lsc * len(_bigrams(line[:k])) + rsc * len(_bigrams(line[k:]))) / max(len(_bigrams(line)), 1)
        cover += 0.02 * (line[k - 1].isdigit() != line[k].isdigit())   # prefer cutting where script changes
        if cover >= score + 0.15 and (cut is None or cover > cut[0]):
            cut = (cover, k, ls, rs)
    if cut:
        _, k, ls, rs = cut
        return [(ls, line[:k]), (rs, line[k:])]
    return [(story, line)]


def _by_headlines(paras, kinds):
    """A page without story markers: cut at headlines that each open at least two body paragraphs."""
    heads = []
    for i, k in enumerate(kinds):
        if k != "heading" or "\n" in paras[i]:
            continue
        following = []
        for j in range(i + 1, len(paras)):
            if kinds[j] == "heading" and j + 1 < len(paras) and kinds[j + 1] == "body":
                break
            if kinds[j] == "body":
                following.append(paras[j])
        if len(following) >= 2 and sum(map(len, following)) >= 300 and " " in paras[i].strip():
            heads.append(i)
    if len(heads) < 2:
        return None
    groups = []
    bounds = list(zip(heads, heads[1:] + [len(paras)]))
    for n, (a, b) in enumerate(bounds):
        lead = paras[:a] if n == 0 else []
        groups.append((paras[a], [], lead + paras[a:b]))
    return groups


# Separators in a byline: spaces, list marks, and the role words themselves (记者楼晓东 has no space in it).
BYLINE_SPLIT = re.compile(r"[\s、，,和/]+|(" + "|".join(sorted(ROLES + ("摄",), key=len, reverse=True)) + ")")
UNIT = re.compile(rf"[{HAN}]+(?:组|部|中心|社|网|报|台|站)$")   # 市委报道组, 新华社: who they work for, not a name


CORRESPONDENT_ROLES = ("通讯员", "本报通讯员")


def _names(text: str) -> list[str]:
    """Person names in a byline, in order; it stops at the first piece that is neither a name, a role nor a unit."""
    return [name for name, _ in _bylined(text)]


def _correspondents(text: str) -> list[str]:
    """The byline's correspondents (通讯员) and people named for another unit (市委报道组 某某): not the outlet's staff."""
    return [name for name, role in _bylined(text) if role in CORRESPONDENT_ROLES or (role and UNIT.fullmatch(role))]


def _bylined(text: str) -> list[tuple[str, str | None]]:
    """(name, the role or unit written before it) for each person in a byline."""
    out, role = {}, None
    for token in BYLINE_SPLIT.split(text):
        if not token:
            continue
        if token in ROLES or token == "摄" or UNIT.fullmatch(token):
            role = token
            continue
        if token.endswith("报道") and re.fullmatch(NAME, token[:-2]):
            token = token[:-2]
        if not re.fullmatch(NAME, token):
            break
        out.setdefault(token, role)
    return list(out.items())


def _page_meta(paras: list[str], meta: dict) -> dict:
    """Metadata that holds for the whole page: the caller's, plus header lines such as 来源/作者/发布时间."""
    page = dict(meta)
    header = "\n".join(paras[:4])
    if "date" not in page:
        m = PATTERNS["header_date"].search(header)
        if m and parse_date(m.group(1)):
            page["date"] = parse_date(m.group(1))
    if "date" not in page:   # an info line: 2025-06-18 10:12　来源：… or 某某报　2025年3月12日　星期三
        for line in header.split("\n"):
            m = INFO_DATE.search(line) if is_info_line(line) else None
            if m and parse_date("-".join(m.groups())):
                page["date"] = parse_date("-".join(m.groups()))
                break
    if not page.get("authors"):
        m = PATTERNS["header_author"].search(header)
        byline = next((PATTERNS["mark_byline"].match(p) for p in paras[:6] if PATTERNS["mark_byline"].match(p)), None)
        line = m.group(1) if m else byline.group(1) if byline else ""
        if _names(line):
            page["authors"] = tuple(_names(line))
            page["correspondents"] = tuple(_correspondents(line))
    for key in ("header_source", "header_outlet"):
        m = "publisher" not in page and PATTERNS[key].search(header)
        if m:
            page["publisher"] = m.group(1)
    if "publisher" not in page:   # a page header line opening with the outlet: 某某商报　　2025年3月12日　星期三
        for line in header.split("\n"):
            first = re.split(r"[\s\u3000]+", line.strip())[0]
            if is_info_line(line) and re.fullmatch(rf"[{HAN}]{{2,10}}", first) and OUTLET.search(first):
                page["publisher"] = first
                break
    return page


def _story_meta(body: list[str], page: dict) -> dict:
    """Page metadata completed by the story's own dateline, bylines and photo credits."""
    meta = dict(page)
    authors = list(meta.get("authors", ()))
    correspondents = list(meta.get("correspondents", ()))
    photographers = list(meta.get("photographers", ()))
    for n, para in enumerate(body):
        first = para.split("\n")[0]
        if n < 4:
            m = PATTERNS["dateline"].match(first)
            if m:
                if m.group("agency") and "publisher" not in meta and m.group("agency") != "本报":
                    meta["publisher"] = m.group("agency")
                year = m.group("year") or (meta.get("date") or "")[:4] or meta.get("extra", {}).get("year")
                if "date" not in meta and year:
                    meta["date"] = parse_date(f"{year}-{m.group('month')}-{m.group('day')}")
                elif "date" not in meta:
                    meta.setdefault("extra", {})["dateline"] = m.group(0).strip()
                rest = first[m.end():]
                am = PATTERNS["dateline_authors"].match(rest)
                if am:
                    authors += _names(am.group(1))
                    correspondents += _correspondents(am.group(1))
            m = PATTERNS["bulletin"].match(first)
            am = m and PATTERNS["dateline_authors"].match(first[m.end():].lstrip())
            if am:   # 本报讯（通讯员 某某 记者 某某）
                authors += _names(am.group(1))
                correspondents += _correspondents(am.group(1))
            for key in ("report_byline", "reporter_line", "mark_byline"):
                m = PATTERNS[key].match(first)
                if m:
                    authors += _names(m.group(1))
                    correspondents += _correspondents(m.group(1))
        for line in para.split("\n"):
            for sentence in re.split(r"(?<=[。！？])", line):
                m = PATTERNS["credit"].search(sentence)
                if m:
                    photographers += _names(m.group(1))
    # the outlet's own reporters are its authors; correspondents are credited apart
    meta["correspondents"] = tuple(dict.fromkeys(correspondents))
    meta["authors"] = tuple(a for a in dict.fromkeys(authors) if a not in meta["correspondents"])
    meta["photographers"] = tuple(dict.fromkeys(photographers))
    if meta.get("date") is None:
        meta.pop("date", None)
    return meta
