"""Load source files into (metadata, text) pairs: txt, md, pdf (pypdf), docx (python-docx),
and images of document pages (OCR, kb/ingest/ocr.py).

The corpus catalog (`catalog.toml` beside the files) gives each document its metadata and
can split one file into several documents. Files the catalog does not list get an id from
their name and the rest of their metadata from their own letterhead (see parse.fill_meta).
"""
from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path

from kb.ingest.annex import split_appended
from kb.errors import InputError
from kb.ingest.formats import Extracted, read_docx, read_image, read_pdf
from kb.records import DocMeta
from kb.text import fold

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff")  # scans of document pages, read by OCR
SUFFIXES = (".txt", ".md", ".pdf", ".docx", *IMAGE_SUFFIXES)
SKIP_NAMES = ("readme", "catalog", "sources")  # a folder's notes about its files, not documents
DEFAULT_MAX_MB = 20  # ~10,000 pages of text; bigger files are data dumps, refused
SCAN_FACTOR = 10  # PDFs and images may be scans: a scanned page is 0.3-1.5 MB of image, so 200 MB is a few hundred pages


@dataclass(frozen=True)
class Source:
    meta: DocMeta
    text: str
    page_starts: tuple[int, ...] = ()  # PDF: offset in text where each page begins
    ocr: tuple[tuple[int, float], ...] = ()  # (page, OCR confidence) of the pages read from a scan
    notes: tuple[str, ...] = ()  # said about the file in the ingest summary


def collect_files(paths: list[Path]) -> list[Path]:
    """Expand folders into the supported files they hold; a missing path is an error."""
    files: list[Path] = []
    for p in paths:
        try:
            p.stat()
        except FileNotFoundError:
            raise InputError(f"{p}: no such file or folder") from None
        except OSError as e:
            raise InputError(f"{p}: cannot be read ({e.strerror})") from None
        if p.is_dir():
            files.extend(f for f in sorted(p.rglob("*"))
                         if f.is_file() and f.suffix.lower() in SUFFIXES
                         and not f.stem.lower().startswith(SKIP_NAMES) and not f.name.startswith("."))
        elif p.suffix.lower() not in SUFFIXES:
            raise InputError(f"{p}: unsupported file type {p.suffix or '(none)'}; kb reads {', '.join(SUFFIXES)}")
        else:
            files.append(p)
    return files


def load_catalog(folder: Path) -> dict[str, list[dict]]:
    """Catalog entries by file name; an absent catalog is an empty one."""
    path = folder / "catalog.toml"
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise InputError(f"{path}: not a valid catalog ({e})") from None
    by_file: dict[str, list[dict]] = {}
    for entry in data.get("document", []):
        by_file.setdefault(entry["file"], []).append(entry)
    return by_file


VIET_MARKS = set("ăâđêôơưĂÂĐÊÔƠƯ\u0300\u0301\u0303\u0309\u0323")
LATIN1_SYMBOLS = set(chr(c) for c in range(0xA1, 0xC0)) | set("×÷")


def looks_like_windows_1258(text: str) -> bool:
    """Vietnamese decoded from Windows-1258: its own letters and tone marks, few stray symbols
    (TCVN3 or other encodings decoded that way come out as ©, ¼, ¾ ...)."""
    viet = sum(ch in VIET_MARKS for ch in text)
    junk = sum(ch in LATIN1_SYMBOLS for ch in text)
    letters = sum(ch.isalpha() for ch in text) or 1
    return viet >= 0.02 * letters and junk <= 0.05 * viet


def decode_text(data: bytes, name: str) -> str:
    """Decode a text file: UTF-8 (with or without BOM), UTF-16 with BOM, or Vietnamese in the
    legacy Windows-1258 code page when it is recognisably that; refuse the rest."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if b"\x00" in data[:4096]:
        raise InputError(f"{name}: binary data, not a text file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        legacy = data.decode("cp1258")
    except UnicodeDecodeError:
        legacy = ""
    if legacy and looks_like_windows_1258(legacy):
        return unicodedata.normalize("NFC", legacy)
    raise InputError(f"{name}: not UTF-8 text, nor Vietnamese in Windows-1258 (TCVN3/VNI and other legacy "
                     "encodings are not supported; re-save the file as UTF-8)") from None


def read_text(path: Path, max_mb: int = DEFAULT_MAX_MB, ocr=None) -> Extracted:
    """The text of one file, or InputError saying in one line why it has none. `ocr`
    (kb.ocr.Ocr) reads scanned pages and images; without it they are reported, not read."""
    try:
        size = path.stat().st_size
        if path.suffix.lower() in (".pdf", *IMAGE_SUFFIXES):
            max_mb *= SCAN_FACTOR
        if size > max_mb * 2**20:
            raise InputError(f"{path}: {size / 2**20:.0f} MB is over the {max_mb} MB limit per file "
                             "(split the document, or raise KB_MAX_FILE_MB)")
        if path.suffix.lower() == ".pdf":
            got = read_pdf(path, ocr)
        elif path.suffix.lower() in IMAGE_SUFFIXES:
            got = read_image(path, ocr)
        elif path.suffix.lower() == ".docx":
            got = read_docx(path)
        else:
            got = Extracted(decode_text(path.read_bytes(), str(path)))
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    if not got.text.strip():
        raise InputError(f"{path}: empty file")
    return got


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-") or "doc"


def meta_from_entry(entry: dict, path: Path) -> DocMeta:
    return DocMeta(
        id=entry.get("id") or slug(path.stem), title=entry.get("title", ""), type=entry.get("type", ""),
        number=entry.get("number", ""), date=str(entry.get("date", "")), issuer=entry.get("issuer", ""),
        locality=entry.get("locality", ""), period=str(entry.get("period", "")), source=str(path),
        aliases=tuple(entry.get("aliases", ())), in_force=str(entry.get("in_force", "")),
        replaced_by=entry.get("replaced_by", ""), replaced_from=str(entry.get("replaced_from", "")))


def cut(text: str, start: str | None, end: str | None) -> tuple[str, int]:
    """The part of a file's text between a start line and an end line (markers from the
    catalog), and the offset where it begins."""
    offset = 0
    if start:
        i = text.find(start)
        offset, text = (i, text[i:]) if i >= 0 else (0, "")
    if end:
        j = text.find(end)
        text = text[:j] if j >= 0 else text
    return text, offset


def load_file(path: Path, catalog: dict[str, list[dict]], max_mb: int = DEFAULT_MAX_MB, ocr=None) -> list[Source]:
    got = read_text(path, max_mb, ocr)
    entries = catalog.get(path.name) or [{}]
    if len(entries) == 1 and not entries[0].get("start") and not entries[0].get("end"):
        parts = split_appended(got.text)  # a file holding a submission and then its plan
        if len(parts) > 1:
            base = entries[0].get("id") or slug(path.stem)
            offsets = [0]
            for part in parts[:-1]:
                offsets.append(offsets[-1] + len(part) + 1)  # the parts were lines joined by "\n"
            return [Source(replace(meta_from_entry(entries[0], path), id=base if n == 0 else f"{base}-{n + 1}",
                                   **({} if n == 0 else {"title": "", "type": "", "number": "", "date": ""})), part,
                           tuple(max(0, s - offset) for s in got.page_starts), got.ocr, got.notes)
                    for n, (part, offset) in enumerate(zip(parts, offsets))]
    sources = []
    for entry in entries:
        part, offset = cut(got.text, entry.get("start"), entry.get("end"))
        if not part.strip():
            raise InputError(f"{path}: catalog marker {entry.get('start') or entry.get('end')!r} not found")
        starts = tuple(max(0, s - offset) for s in got.page_starts)
        sources.append(Source(meta_from_entry(entry, path), part, starts, got.ocr, got.notes))
    return sources
