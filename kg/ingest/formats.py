"""From decoded text to raw stories: plain text, Markdown with YAML front matter, HTML and JSON Lines.

Each parser returns ``Raw`` pieces (text plus metadata) and warnings; story splitting and repair come later.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime

import yaml
from lxml import etree, html as lxml_html

# Metadata field names, as they appear in front matter, JSON Lines and <meta> tags.
FIELDS = {
    "title": ("title", "headline", "og:title", "name"),
    "date": ("date", "published", "published_at", "pubdate", "publish_date", "datetime", "time",
             "article:published_time", "created", "created_at"),
    "authors": ("author", "authors", "byline", "reporter", "reporters", "writer"),
    "photographers": ("photographer", "photographers", "photo"),
    "publisher": ("publisher", "source", "outlet", "media", "site", "og:site_name"),
    "url": ("url", "link", "source_url", "canonical", "og:url", "permalink", "href"),
}
TEXT_FIELDS = ("text", "content", "body", "article", "html")
OUTLET = re.compile(r"(网|社|报|台|时报|日报|新闻|传媒|媒体|News|Times|Daily)$")

DROP_TAGS = ("script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe", "svg",
             "button", "select", "template", "head", "menu")
# class or id of page furniture that is not the article
FURNITURE = re.compile(r"(^|[\s_-])(nav|navbar|menu|footer|breadcrumbs?|share|social|comments?|sidebar|related|"
                       r"copyright|toolbar|ads?|advert|recommend|login|pager|pagination|logo)([\s_-]|$)", re.I)
BLOCK_TAGS = {"p", "div", "section", "article", "main", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol",
              "table", "tr", "blockquote", "pre", "figure", "figcaption", "dd", "dt", "dl", "br", "hr", "center",
              "body", "td", "th", "caption"}


@dataclass
class Raw:
    text: str
    meta: dict = field(default_factory=dict)   # title/date/authors/... plus anything else
    is_html: bool = False


def looks_like_html(text: str) -> bool:
    head = text.lstrip()[:2000].lower()
    return head.startswith(("<!doctype html", "<html", "<div", "<p", "<article", "<body", "<section", "<meta")) or \
        len(re.findall(r"</(p|div|span|br|h\d)>|<br\s*/?>", head)) >= 3


class _FrontMatterLoader(yaml.SafeLoader):
    """YAML's safe loader with dates and times kept as written: ``date: 2024-13-01`` is a bad date to report, not
    an error that loses the whole file; ``parse_date`` reads the good ones."""


_FrontMatterLoader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_scalar)


def split_front_matter(text: str) -> tuple[dict, str, str | None]:
    """(front matter, body, warning). Front matter is a leading '---' block of YAML closed by '---' or '...'."""
    stripped = text.lstrip("\ufeff\n\r\t ")
    if not stripped.startswith("---"):
        return {}, text, None
    lines = stripped.split("\n")
    if lines[0].strip() != "---":
        return {}, text, None
    for i, line in enumerate(lines[1:200], start=1):
        if line.strip() in ("---", "..."):
            block, body = "\n".join(lines[1:i]), "\n".join(lines[i + 1:])
            break
    else:
        return {}, text, "[I007] front matter opens with '---' but never closes; read as text"
    try:
        meta = yaml.load(block, Loader=_FrontMatterLoader)
    except (yaml.YAMLError, ValueError, RecursionError) as err:
        mark = getattr(err, "problem_mark", None)
        where = f" (line {mark.line + 2})" if mark else ""
        return {}, body, f"[I008] front matter is not valid YAML{where}; its fields were ignored, the text was read"
    if meta is None:
        return {}, body, None
    if not isinstance(meta, dict):
        return {}, body, "[I008] front matter is not a YAML mapping; its fields were ignored, the text was read"
    return meta, body, None


def clean_meta(raw: dict) -> dict:
    """Map known field names onto Article's fields; the rest is kept as strings."""
    meta: dict = {}
    lowered = {str(k).strip().lower(): v for k, v in raw.items() if v not in (None, "", [], {})}
    used = set()
    for name, keys in FIELDS.items():
        for key in keys:
            if key in lowered and name not in meta:
                meta[name] = lowered[key]
                used.add(key)
    if "title" in meta:
        meta["title"] = _one_line(meta["title"])
    if "date" in meta:
        written = meta.pop("date")
        meta["date"] = parse_date(written)
        if meta["date"] is None:   # kept as written, and reported by the caller
            meta.pop("date")
            meta.setdefault("extra", {})["unreadable_date"] = _one_line(written)
    for name in ("authors", "photographers"):
        if name in meta:
            meta[name] = tuple(_names(meta[name]))
    if "publisher" in meta:
        meta["publisher"] = _one_line(meta["publisher"])
    if "url" in meta:
        meta["url"] = _one_line(meta["url"])
    # A "source" that is a web address is where the article lives, not who published it.
    if re.match(r"https?://", meta.get("publisher", "")):
        meta.setdefault("url", meta.pop("publisher"))
    # An "author" that is an outlet (证券时报网, or a Chinese name too long for a person: 浙江经贸观察) is the publisher.
    outlets = [a for a in meta.get("authors", ()) if OUTLET.search(a) or re.fullmatch(r"[\u4e00-\u9fff]{6,}", a)]
    if outlets and len(outlets) == len(meta["authors"]):
        meta.setdefault("publisher", outlets[0])
        meta["authors"] = ()
    for key, value in lowered.items():
        if key not in used and key not in TEXT_FIELDS:
            meta.setdefault("extra", {})[key] = _one_line(value)
    return meta


def _one_line(value) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(_one_line(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return re.sub(r"\s+", " ", str(value)).strip()


def _names(value) -> list[str]:
    items = value if isinstance(value, (list, tuple)) else re.split(r"[,，、;；/]|\s{1,}", str(value))
    return [s for s in (_one_line(v) for v in items) if s]


def parse_date(value) -> str | None:
    """An ISO yyyy-mm-dd from a date, datetime, ISO string, RFC 2822 string or 2022年9月14日."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    m = re.search(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})", text)
    if m:
        return _iso(*map(int, m.groups()))
    try:
        return parsedate_to_datetime(text).date().isoformat()
    except (TypeError, ValueError, IndexError):
        return None


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def parse_markdown(text: str) -> str:
    """Markdown to plain text: headings, emphasis, links and images lose their markup, not their words."""
    text = re.sub(r"!\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"(?m)^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$", r"\1\n", text)
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"(?m)^\s{0,3}>\s?", "", text)
    text = re.sub(r"(?m)^\s{0,3}([-*_])(\s*\1){2,}\s*$", "", text)
    return text


def markdown_title(text: str) -> str | None:
    m = re.search(r"(?m)^\s{0,3}#\s+(.+?)\s*#*\s*$", text)
    return m.group(1).strip() if m else None


def parse_html(text: str) -> tuple[str, dict]:
    """The article text of an HTML page (paragraphs separated by blank lines) and its <meta> metadata."""
    root = _parse_page(text)
    if root is None:
        return "", {}
    meta: dict = {}
    for tag in root.iter("meta"):
        key = (tag.get("property") or tag.get("name") or tag.get("itemprop") or "").lower()
        if key and tag.get("content"):
            meta.setdefault(key, tag.get("content"))
    title = root.find(".//title")
    page_title = _one_line(title.text_content()) if title is not None else ""
    if page_title:
        headline, site = split_site_suffix(page_title)
        meta.setdefault("title", headline)
        if site:
            meta.setdefault("website", site)
    headline = _headline(root, page_title)
    if headline:
        meta.setdefault("h1", headline)
    furniture = [el for el in root.iter() if isinstance(el.tag, str) and el.tag not in ("html", "body") and
                 FURNITURE.search(f"{el.get('class') or ''} {el.get('id') or ''}")]
    for bad in root.xpath("|".join(f"//{t}" for t in DROP_TAGS)) + furniture:
        if bad.getparent() is not None:
            bad.drop_tree()
    for node in root.iter(etree.Comment, etree.ProcessingInstruction):
        if node.getparent() is not None:
            node.drop_tree()
    articles = root.xpath("//article | //main")
    body = max(articles, key=lambda e: len(e.text_content())) if articles else root
    if "h1" in meta:   # the article's own headline beats the page <title>, which often carries the site name
        meta["title"] = meta.pop("h1")
    parts: list[str] = []
    _collect(body, parts)
    text = "".join(parts)
    text = re.sub(r"[ \t\r\n\u00a0]*\x00[\x00 \t\r\n\u00a0]*", "\n\n", text)
    return text.strip(), meta


# Tags kept when a page nested too deep for the parser is flattened: what the page's metadata and the dropped
# furniture need. Every other tag goes; block tags leave a <br> so paragraphs stay apart.
FLAT_KEEP = {"html", "head", "title", "meta", "body", "br", "img", "h1"} | set(DROP_TAGS)
TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)\b[^>]*>")


def _parse_page(text: str):
    """The page's element tree, or None. libxml2 stops nesting at 256 levels (2048 with ``huge_tree``) and loses
    everything below: a page nested deeper (or 400 paragraphs each with an unclosed <font>) is flattened and
    parsed again, so its text is kept."""
    parser = lxml_html.HTMLParser(huge_tree=True)
    try:
        root = lxml_html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError):
        return None
    if any(e.type_name == "ERR_RESOURCE_LIMIT" for e in parser.error_log):
        root = lxml_html.document_fromstring(TAG.sub(_flat_tag, text), parser=lxml_html.HTMLParser(huge_tree=True))
    return root


def _flat_tag(m: re.Match) -> str:
    name = m.group(2).lower()
    if name in FLAT_KEEP:
        return m.group(0)
    return "<br>" if name in BLOCK_TAGS else ""


# What separates a headline from the site (and channel) names in a page <title>: "标题_浙江经济网",
# "标题 - 东海港航网", "标题|频道|网站". A dash counts only with spaces around it: headlines hold 1—2月 and 义乌-宁波.
SITE_SEPARATOR = re.compile(r"\s*(?:_|[|｜]|\s[-–—－]+\s)\s*")
SITE_NAME_MAX = 20   # a trailing part longer than this is part of the headline, not a site name


def split_site_suffix(title: str) -> tuple[str, str | None]:
    """(headline, site) from a page <title>; site is None when the title carries no site suffix."""
    parts = [p for p in SITE_SEPARATOR.split(title.strip()) if p]
    if len(parts) < 2 or any(len(p) > SITE_NAME_MAX for p in parts[1:]) or len(parts[0]) < 4:
        return title.strip(), None
    return parts[0], parts[-1]


def _headline(root, page_title: str) -> str | None:
    """The article's own headline: its <h1>, else the first h2/h3 or title-classed element the <title> starts with."""
    h1 = root.find(".//h1")
    if h1 is not None and h1.text_content().strip():
        return _one_line(h1.text_content())
    for el in root.xpath("//h2 | //h3 | //*[contains(@class, 'title') or contains(@class, 'headline')]"):
        text = _one_line(el.text_content())
        if el.tag not in ("title", "head") and len(text) >= 4 and page_title.startswith(text):
            return text
    return None


def _collect(root, parts: list[str]) -> None:
    """Text of an element; block elements are fenced by \\x00 markers, images give their alt text.

    A walk with a stack of its own, not recursion: a page may nest thousands of elements deep."""
    todo = [(root, False)]
    while todo:
        el, closing = todo.pop()
        if isinstance(el, str):   # a tail, after its element
            parts.append(re.sub(r"[ \t\r\n]+", " ", el))
            continue
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if closing:
            parts.append("\x00")
            continue
        if tag in BLOCK_TAGS:
            parts.append("\x00")
            todo.append((el, True))
        if tag == "img" and (el.get("alt") or "").strip():
            parts.append("\x00" + el.get("alt").strip() + "\x00")
        if el.text:
            parts.append(re.sub(r"[ \t\r\n]+", " ", el.text))
        for child in reversed(el):
            if child.tail:
                todo.append((child.tail, False))
            todo.append((child, False))


def parse_jsonl(text: str) -> list[tuple[int, dict | str]]:
    """(line number, record) per non-empty line; a line that is not a JSON object gives an error string."""
    out: list[tuple[int, dict | str]] = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            out.append((n, f"[I009] line {n} is not valid JSON ({err.msg}, column {err.colno})"))
            continue
        if not isinstance(record, dict):
            out.append((n, f"[I009] line {n} is not a JSON object"))
            continue
        body = next((record[k] for k in TEXT_FIELDS if isinstance(record.get(k), str) and record[k].strip()), None)
        if body is None:
            out.append((n, f"[I010] line {n} has no text: expected a 'text' or 'content' field"))
            continue
        out.append((n, record | {"__body__": body}))
    return out
