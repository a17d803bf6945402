"""Ingest: files, folders or stdin -> ``Article`` records (or ``Problem`` records for what could not be read).

    from kg.ingest import read_articles
    for item in read_articles(["news/"], include=["*.txt"]):
        ...   # kg.records.Article or kg.records.Problem

Bad input never stops the batch: each unreadable, empty, binary, oversized or mis-encoded file gives one
``Problem`` and the rest is read. A Problem's kind says whether the file was skipped, read with a warning, or (files
of an unknown type in a folder) ignored. ``strict=True`` raises ``IngestError`` at the first problem instead (not
for ignored files).
"""
from __future__ import annotations

import codecs
import hashlib
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

try:
    from kg.errors import DataError as _Base
except ImportError:   # kg.errors is optional for this stage
    _Base = ValueError
from kg.ingest import formats, stories
from kg.ingest.repair import normalize_for_matching, repair
from kg.ingest.sentences import split_sentences
from kg.ingest.sources import MAX_BYTES, Source, decode, find_sources, looks_binary, read_bytes
from kg.records import IGNORED, SKIPPED, WARNING, Article, Problem

__all__ = ["read_articles", "read_lines", "IngestError", "normalize_for_matching", "split_sentences", "repair",
           "doc_id", "MAX_BYTES"]


class IngestError(_Base):
    """Raised by ``read_articles(..., strict=True)`` at the first problem; the message is the Problem's text."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


def read_articles(paths: Iterable[str] | str, *, include: Iterable[str] = (), exclude: Iterable[str] = (),
                  strict: bool = False, max_bytes: int = MAX_BYTES) -> Iterator[Article | Problem]:
    """Yield one Article per story found in ``paths`` (files, folders read recursively, or "-" for stdin)."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    for src in find_sources(paths, tuple(include), tuple(exclude)):
        items = [src] if isinstance(src, Problem) else _read_source(src, max_bytes)
        for item in items:
            if strict and isinstance(item, Problem) and item.kind != IGNORED:   # a folder may hold other files
                raise IngestError(item)
            yield item


def read_lines(name: str, *, chunk: int = 1 << 16) -> Iterator[str]:
    """The lines of a file (or "-": stdin), decoded the way ``read_articles`` decodes files (``kg ner``'s input).

    UTF-8 with or without a byte-order mark, GB18030, Big5, UTF-16 with or without one; stray NULs dropped. The
    encoding is judged on the first ``chunk`` bytes, then the rest streams through. A file that cannot be read or
    is not text raises ``DataError`` ([E070], [E071]) here, before any line is asked for.
    """
    try:
        stream = sys.stdin.buffer if name == "-" else open(name, "rb")   # noqa: SIM115 (closed by _lines)
        head = stream.read(chunk)
    except OSError as err:
        raise _Base(f"[E070] cannot read {name}: {err.strerror or err}") from None
    what = looks_binary(head)
    text, encoding, warnings = decode(head) if head else ("", "utf-8", [])
    if not what and any(w.startswith("[I006]") for w in warnings) and text.count("\ufffd") > 0.3 * len(text):
        what = "no known encoding (UTF-8, GB18030, Big5, UTF-16)"
    if what:
        stream.close()
        raise _Base(f"[E071] {name}: not text: {what}; kg ner reads text, one sentence or paragraph a line")
    return _lines(stream, head, encoding, chunk)


def _lines(stream, data: bytes, encoding: str, chunk: int) -> Iterator[str]:
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    wide = encoding.startswith("utf-16")   # zero bytes are part of its characters
    pending = ""
    try:
        while data:
            pending += decoder.decode(data if wide else data.replace(b"\x00", b""))
            *lines, pending = pending.split("\n")
            yield from (line + "\n" for line in lines)
            data = stream.read(chunk)
        pending += decoder.decode(b"", final=True)
        if pending:
            yield pending
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()


def doc_id(relpath: str, index: int | None = None) -> str:
    """Stable ASCII id: slug of the file stem + first 8 hex of sha1(relpath) [+ -story index]."""
    stem = Path(relpath).stem if relpath != "stdin" else "stdin"
    slug = re.sub(r"[^a-z0-9]+", "-", stem.encode("ascii", "ignore").decode().lower()).strip("-")[:48] or "doc"
    digest = hashlib.sha1(relpath.encode("utf-8")).hexdigest()[:8]
    return f"{slug}-{digest}" + (f"-{index}" if index else "")


def _read_source(src: Source, max_bytes: int) -> list[Article | Problem]:
    """Everything one file yields; never raises for bad input."""
    data = read_bytes(src, max_bytes)
    if isinstance(data, Problem):
        return [data]
    what = looks_binary(data)
    if what:
        return [Problem(src.source, f"[I011] not text: {what}", "convert it to .txt, .md, .html or .jsonl")]
    text, encoding, warnings = decode(data)
    problems = []
    for warning in warnings:
        if warning.startswith("[I006]") and text.count("\ufffd") > 0.3 * max(len(text), 1):
            return [Problem(src.source, warning.replace("[I006]", "[I012] cannot decode;"),
                            "convert it to UTF-8 (e.g. iconv -f <encoding> -t utf-8)")]
        problems.append(Problem(src.source, warning, "the rest of the file was read; check it or re-save it as UTF-8",
                                kind=WARNING))
    try:
        pieces, notes = _pieces(src, text)
    except Exception as err:   # a parser bug must not stop the batch either
        return problems + [Problem(src.source, f"[I013] could not parse: {type(err).__name__}: {err}",
                                   "report this file to kg's maintainers")]
    problems += [Problem(src.source, note, hint, kind=kind) for note, hint, kind in notes]
    found = []
    for piece in pieces:
        found.extend(stories.split(piece.text, piece.meta, html=piece.is_html))
    articles = []
    for n, story in enumerate(found, start=1):
        text = story.text
        meta = story.meta
        articles.append(Article(
            doc_id=doc_id(src.relpath, n if len(found) > 1 else None),
            text=text, source=src.source, title=meta.get("title"), date=meta.get("date"),
            authors=tuple(meta.get("authors", ())), correspondents=tuple(meta.get("correspondents", ())),
            photographers=tuple(meta.get("photographers", ())),
            publisher=meta.get("publisher"), url=meta.get("url"), encoding=encoding.replace("-sig", ""),
            sentences=split_sentences(text),
            meta=tuple(sorted((str(k), str(v)) for k, v in meta.get("extra", {}).items())),
        ))
    if not articles and not problems:
        problems.append(Problem(src.source, "[I003] no text found", "the file holds markup or metadata only"))
    return articles + problems


def _pieces(src: Source, text: str) -> tuple[list[formats.Raw], list[tuple[str, str, str]]]:
    """Raw stories before splitting, and (message, hint, kind) notes about what was skipped or doubtful."""
    notes: list[tuple[str, str, str]] = []
    if src.format == "jsonl":
        pieces = []
        for _, record in formats.parse_jsonl(text):
            if isinstance(record, str):
                notes.append((record, "fix or remove that line; the other lines were read", SKIPPED))
                continue
            body = record.pop("__body__")
            html = formats.looks_like_html(body)
            if html:
                body, page_meta = formats.parse_html(body)
                record = page_meta | record
            pieces.append(formats.Raw(body, _clean_meta(record, notes), html))
        return pieces, notes
    front, body, warning = formats.split_front_matter(text)
    if warning:
        notes.append((warning, "fix the YAML between the '---' lines", WARNING))
    meta = dict(front)
    html = src.format == "html" or formats.looks_like_html(body)
    if html:
        body, page_meta = formats.parse_html(body)
        meta = page_meta | meta
    elif src.format == "markdown":
        title = formats.markdown_title(body)
        if title:
            meta.setdefault("title", title)
        body = formats.parse_markdown(body)
    return [formats.Raw(body, _clean_meta(meta, notes), html)], notes


def _clean_meta(raw: dict, notes: list[tuple[str, str, str]]) -> dict:
    """``formats.clean_meta``, with a warning for a date it could not read (the text is read without it)."""
    meta = formats.clean_meta(raw)
    bad = meta.get("extra", {}).get("unreadable_date")
    if bad:
        notes.append((f"[I019] the date {bad!r} is not a valid date; the text was read without a date",
                      "write the date as yyyy-mm-dd", WARNING))
    return meta
