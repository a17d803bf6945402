"""Finding input files and turning their bytes into text.

A source is one file (or stdin) together with the name its doc_id is derived from: the path relative to the
folder the user named, or the base name of a file named directly.
"""
from __future__ import annotations

import codecs
import errno
import fnmatch
import os
import re
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

from kg.records import IGNORED, Problem

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


KINDS = {stat.S_IFIFO: "a FIFO (named pipe)", stat.S_IFCHR: "a character device", stat.S_IFBLK: "a block device",
         stat.S_IFSOCK: "a socket", stat.S_IFDIR: "a folder"}
NUL_SHARE = 0.01   # stray NUL bytes up to this share (plus one) are dropped; more of them mean a binary file


def find_sources(paths, include=(), exclude=()):
    """Yield a Source for each input file, or a Problem for what cannot be read as one.

    In a folder, subfolders that cannot be listed and files of a type kg does not read are reported too (the latter
    as IGNORED: a folder may hold other files, and the build does not fail for them); a file left out is never left
    out silently. Hidden files and folders, and files the globs leave out, are not reported.
    """
    for name in paths:
        name = os.fspath(name)
        if name == "-":
            yield Source("-", "stdin", None, "text")
            continue
        path = Path(name)
        if os.path.isdir(path):
            yield from _folder(path, include, exclude)
        elif _missing(path):
            yield Problem(name, "[I001] no such file or folder", "check the path")
        else:   # read_bytes reports what cannot be read: a dangling link, a FIFO, a folder it may not enter...
            yield Source(name, path.name, path, FORMATS.get(path.suffix.lower(), "text"))


def _missing(path: Path) -> bool:
    try:
        os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return True
    except OSError:
        return False
    return False


def _folder(folder: Path, include, exclude):
    files, problems = _walk(folder)
    unknown: dict[str, list[str]] = {}
    for file in files:
        rel = file.relative_to(folder).as_posix()
        verdict = _selected(rel, include, exclude)
        if verdict == "unknown":
            unknown.setdefault(file.suffix.lower(), []).append(rel)
        elif verdict:
            yield Source(str(file), rel, file, FORMATS.get(file.suffix.lower(), "text"))
    yield from problems
    for suffix, names in sorted(unknown.items()):
        kind, glob = (f"type {suffix}", f"'*{suffix}'") if suffix else ("type (no suffix)", "NAME")
        yield Problem(str(folder), f"[I018] skipped {len(names)} file{'s' * (len(names) > 1)} of unknown {kind}: "
                                   f"{', '.join(names[:3])}{', ...' if len(names) > 3 else ''}",
                      f"kg reads {' '.join(sorted(FORMATS))}; --include {glob} reads them as text, "
                      f"--exclude {glob} silences this", kind=IGNORED, count=len(names))


def _walk(folder: Path) -> tuple[list[Path], list[Problem]]:
    """Every non-folder entry under ``folder`` (not following links to folders), and the subfolders it could not
    list. Hidden folders are not entered."""
    files, problems, todo = [], [], [folder]
    while todo:
        current = todo.pop()
        try:
            with os.scandir(current) as listing:
                entries = list(listing)
        except OSError as err:
            problems.append(Problem(str(current), f"[I017] cannot list folder: {err.strerror or err}",
                                    "check its permissions; the rest was read"))
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                if not entry.name.startswith("."):
                    todo.append(Path(entry.path))
            elif not (entry.is_symlink() and _is_dir(entry)):   # links to folders are not followed
                files.append(Path(entry.path))
    return sorted(files), sorted(problems, key=lambda p: p.source)


def _is_dir(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _selected(rel: str, include, exclude) -> bool | str:
    """In a folder: hidden files are skipped; without include globs only the known formats are read, and the
    others are "unknown" (reported)."""
    parts = rel.split("/")
    if any(part.startswith(".") for part in parts):
        return False

    def match(globs) -> bool:
        return any(fnmatch.fnmatch(rel, g) or fnmatch.fnmatch(parts[-1], g) for g in globs)

    if match(exclude):
        return False
    if include:
        return match(include)
    return Path(rel).suffix.lower() in FORMATS or "unknown"


def read_bytes(src: Source, max_bytes: int) -> bytes | Problem:
    """The file's bytes, reading at most ``max_bytes + 1`` of them: a FIFO, a device or a file that grows while it
    is read never hangs the batch or fills the memory."""
    try:
        if src.path is None:
            data = sys.stdin.buffer.read(max_bytes + 1)
        else:
            # O_NONBLOCK: opening a FIFO must not wait for a writer; fstat then says what was opened.
            fd = os.open(src.path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
            with os.fdopen(fd, "rb") as file:
                info = os.fstat(fd)
                if not stat.S_ISREG(info.st_mode):
                    what = KINDS.get(stat.S_IFMT(info.st_mode), "not a regular file")
                    return Problem(src.source, f"[I015] not a regular file: {what}",
                                   "kg reads regular files; pipe other input to stdin: kg build - < FILE")
                if info.st_size > max_bytes:
                    return _too_big(src, info.st_size, max_bytes)
                data = file.read(max_bytes + 1)
    except OSError as err:
        if err.errno == errno.ENOENT and src.path is not None and os.path.islink(src.path):
            return Problem(src.source, f"[I016] dangling symbolic link to {os.readlink(src.path)}",
                           "fix or remove the link")
        return Problem(src.source, f"[I002] cannot read: {err.strerror or err}", "check permissions and the path")
    if len(data) > max_bytes:
        return _too_big(src, None, max_bytes)
    if not data.strip():
        return Problem(src.source, "[I003] empty file", "nothing to read; remove it or fill it")
    return data


def _too_big(src: Source, size: int | None, max_bytes: int) -> Problem:
    """Sizes in bytes: a file one byte over the limit must not read as "21.0 MB, limit 21.0 MB"."""
    what = f"{size:,} bytes" if size is not None else "more than the limit"
    return Problem(src.source, f"[I004] too large: {what}, the limit is {max_bytes:,} bytes",
                   "split it into smaller files or raise max_bytes")


def looks_binary(data: bytes) -> str | None:
    """What the bytes are when they are not text, else None. UTF-16 without a byte-order mark is text, and so is
    text with a few stray NUL bytes (``decode`` drops them)."""
    for magic, what in MAGIC.items():
        if data.startswith(magic):
            return what
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or utf16_codec(data):
        return None
    head = data[:8192]
    controls = sum(b < 32 and b not in (0, 9, 10, 12, 13, 27) for b in head)
    nuls = data.count(0)
    if controls > 0.05 * len(head) or nuls > 1 + NUL_SHARE * len(data):
        return "binary data" + (f" ({nuls:,} NUL byte{'s' * (nuls > 1)})" if nuls else "")
    return None


# What text in UTF-16 holds: ASCII and Latin, general punctuation, CJK symbols, ideographs, full-width forms.
TEXT_RANGES = ((0x20, 0x7E), (0xA0, 0x24F), (0x2000, 0x206F), (0x2460, 0x27BF), (0x2E80, 0x2FDF), (0x3000, 0x303F),
               (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0xFE30, 0xFE4F), (0xFF00, 0xFFEF))
ORDINARY = re.compile("[\t\n\r" + "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in TEXT_RANGES) + "]")


def utf16_codec(data: bytes) -> str | None:
    """"utf-16-le" or "utf-16-be" for UTF-16 text without a byte-order mark, else None.

    In UTF-16 every ASCII character (newlines, digits, spaces) has a zero byte, and so do a few ideographs (一 is
    U+4E00). Zero bytes, a strict decode and a text of ordinary characters in one byte order mean UTF-16: the wrong
    order gives rare scripts (a newline becomes U+0A00). UTF-8 text with a stray NUL could pass that (English read
    as UTF-16 looks like ideographs), but it is valid UTF-8 without its NULs, and UTF-16 Chinese almost never is.
    """
    head = data[:65536]
    zeros = head.count(0)
    if not zeros or len(data) % 2:
        return None
    best, codec = max((_ordinary_share(head, c), c) for c in ("utf-16-le", "utf-16-be"))
    if best < 0.95:
        return None
    if zeros < 0.2 * len(head) and _is_utf8(head.replace(b"\x00", b"")):
        return None   # UTF-8 with stray NULs (mostly-ASCII UTF-16 has a zero in every other byte)
    return codec


def _ordinary_share(head: bytes, codec: str) -> float:
    """Share of ordinary characters in ``head`` decoded strictly; 0 when it does not decode."""
    try:
        text = head.decode(codec)
    except UnicodeDecodeError as err:
        if err.start < len(head) - 4:   # a cut surrogate pair at the end of the head is fine
            return 0.0
        text = head[:err.start].decode(codec)
    return len(ORDINARY.findall(text)) / max(len(text), 1)


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as err:
        return err.start >= len(data) - 3 and err.reason == "unexpected end of data"   # cut at the end of the head
    return True


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


def decode(data: bytes) -> tuple[str, str, list[str]]:
    """(text, encoding, warnings). The warnings say what was dropped or replaced when the text is only partly
    readable."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[3:]
        enc = "utf-8-sig"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace"), "utf-16", []
    elif codec := utf16_codec(data):
        return data.decode(codec, errors="replace"), codec, []
    else:
        enc = "utf-8"
    warnings = []
    if b"\x00" in data:
        warnings.append(f"[I014] {data.count(0)} stray NUL byte(s) dropped (first at byte {data.index(0)})")
        data = data.replace(b"\x00", b"")
    text, enc, warning = _decode_8bit(data, enc)
    return text, enc, warnings + [warning] * bool(warning)


def _decode_8bit(data: bytes, enc: str) -> tuple[str, str, str | None]:
    """UTF-8, else the legacy Chinese encoding whose text reads most like Chinese news, else UTF-8 with
    replacement characters."""
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
