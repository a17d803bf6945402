"""Finding input files and turning their bytes into text.

A source is one file (or stdin) together with the name its doc_id is derived from: the path relative to the
folder the user named, or the base name of a file named directly.
"""
from __future__ import annotations

import codecs
import fnmatch
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from kg.records import Problem

MAX_BYTES = 20 * 1024 * 1024
FORMATS = {".txt": "text", ".text": "text", ".md": "markdown", ".markdown": "markdown",
           ".html": "html", ".htm": "html", ".xhtml": "html", ".jsonl": "jsonl", ".ndjson": "jsonl"}
# Magic numbers of files that are not text, with what to do about them.
MAGIC = {b"%PDF": "a PDF file: extract its text first (e.g. pdftotext -layout)",
         b"PK\x03\x04": "a ZIP/Office file: save it as .txt or .html first",
         b"\x89PNG": "an image (PNG)", b"\xff\xd8\xff": "an image (JPEG)", b"GIF8": "an image (GIF)",
         b"\x1f\x8b": "a gzip archive: decompress it first", b"\xd0\xcf\x11\xe0": "an old Office file: save it as .txt"}


@dataclass(frozen=True)
class Source:
    source: str      # as the user named it (or as found inside the folder the user named)
    relpath: str     # what the doc_id is derived from, POSIX separators
    path: Path | None  # None for stdin
    format: str


def find_sources(paths, include=(), exclude=()):
    """Yield a Source for each input file, or a Problem for a path that does not exist."""
    for name in paths:
        name = os.fspath(name)
        if name == "-":
            yield Source("-", "stdin", None, "text")
            continue
        path = Path(name)
        if path.is_dir():
            for file in sorted(p for p in path.rglob("*") if p.is_file()):
                rel = file.relative_to(path).as_posix()
                if _selected(rel, include, exclude):
                    yield Source(str(file), rel, file, FORMATS.get(file.suffix.lower(), "text"))
        elif path.exists():
            yield Source(name, path.name, path, FORMATS.get(path.suffix.lower(), "text"))
        else:
            yield Problem(name, "[I001] no such file or folder", "check the path")


def _selected(rel: str, include, exclude) -> bool:
    """In a folder: hidden files are skipped; without include globs only the known formats are read."""
    parts = rel.split("/")
    if any(part.startswith(".") for part in parts):
        return False

    def match(globs) -> bool:
        return any(fnmatch.fnmatch(rel, g) or fnmatch.fnmatch(parts[-1], g) for g in globs)

    if include:
        if not match(include):
            return False
    elif Path(rel).suffix.lower() not in FORMATS:
        return False
    return not match(exclude)


def read_bytes(src: Source, max_bytes: int) -> bytes | Problem:
    try:
        if src.path is None:
            data = sys.stdin.buffer.read(max_bytes + 1)
        else:
            if src.path.stat().st_size > max_bytes:
                return _too_big(src, src.path.stat().st_size, max_bytes)
            data = src.path.read_bytes()
    except OSError as err:
        return Problem(src.source, f"[I002] cannot read: {err.strerror or err}", "check permissions and the path")
    if len(data) > max_bytes:
        return _too_big(src, len(data), max_bytes)
    if not data.strip():
        return Problem(src.source, "[I003] empty file", "nothing to read; remove it or fill it")
    return data


def _too_big(src: Source, size: int, max_bytes: int) -> Problem:
    return Problem(src.source, f"[I004] too large ({size / 1e6:.1f} MB, limit {max_bytes / 1e6:.1f} MB)",
                   "split it into smaller files or raise max_bytes")


def looks_binary(data: bytes) -> str | None:
    """What the bytes are when they are not text, else None."""
    for magic, what in MAGIC.items():
        if data.startswith(magic):
            return what
    head = data[:8192]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None
    controls = sum(b < 32 and b not in (9, 10, 12, 13, 27) for b in head)
    if b"\x00" in head or controls > 0.05 * len(head):
        return "binary data"
    return None


def _gb2312_share(text: str) -> float:
    """Share of the Han characters that are common simplified ones (in GB2312)."""
    han = [ch for ch in text if "\u4e00" <= ch <= "\u9fff"]
    if not han:
        return 0.0   # a legacy Chinese encoding is only believed when it gives Chinese characters
    ok = 0
    for ch in han:
        try:
            ch.encode("gb2312")
            ok += 1
        except UnicodeEncodeError:
            pass
    return ok / len(han)


def _big5_share(text: str) -> float:
    """Share of the Han characters that are in Big5's frequent-character level (lead bytes A4..C6)."""
    han = [ch for ch in text if "\u4e00" <= ch <= "\u9fff"]
    if not han:
        return 0.0
    ok = 0
    for ch in han:
        try:
            ok += 0xA4 <= ch.encode("big5")[0] <= 0xC6
        except UnicodeEncodeError:
            pass
    return ok / len(han)


def _odd_share(text: str) -> float:
    """Share of characters that real Chinese news text hardly ever holds: private use, kana, box drawing..."""
    if not text:
        return 0.0
    odd = sum(("\ue000" <= ch <= "\uf8ff") or ("\u3040" <= ch <= "\u30ff") or ("\u2500" <= ch <= "\u257f")
              or ("\u0370" <= ch <= "\u04ff") or ch == "\ufffd" for ch in text)
    return odd / len(text)


def decode(data: bytes) -> tuple[str, str, str | None]:
    """(text, encoding, warning). The warning says what went wrong when the text is only partly readable."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[3:]
        enc = "utf-8-sig"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace"), "utf-16", None
    else:
        enc = "utf-8"
    try:
        return data.decode("utf-8"), enc, None
    except UnicodeDecodeError as err:
        utf8_error = err
    # A file cut off in the middle of a character: valid UTF-8 up to the last few bytes.
    if utf8_error.start >= len(data) - 3 and utf8_error.reason == "unexpected end of data":
        return (data[:utf8_error.start].decode("utf-8"), enc,
                f"[I005] truncated: the last character is incomplete (byte {utf8_error.start}); it was dropped")
    candidates = []
    for codec in ("gb18030", "big5", "cp950"):
        cut = None
        try:
            text = data.decode(codec)
        except UnicodeDecodeError as err:
            if err.start < len(data) - 1:
                continue
            cut, text = err.start, data[:err.start].decode(codec, errors="replace")   # cut off mid-character
        share = _gb2312_share(text) if codec == "gb18030" else _big5_share(text)
        non_ascii = sum(ord(ch) > 127 for ch in text)
        han_share = sum("\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" for ch in text) / max(non_ascii, 1)
        candidates.append((min(share, han_share) - 5 * _odd_share(text), codec, text, cut))
    good = [c for c in candidates if c[0] >= 0.6]
    if good:
        _, codec, text, cut = max(good, key=lambda c: (c[3] is None, c[0]))
        warning = None if cut is None else \
            f"[I005] truncated: the last character is incomplete (byte {cut}, {codec}); it was dropped"
        return text, codec, warning
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    return (text, "utf-8", f"[I006] not valid UTF-8, GB18030 or Big5: {bad} undecodable byte(s) replaced by U+FFFD "
            f"(first at byte {utf8_error.start})")
