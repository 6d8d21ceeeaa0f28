"""Load source files into (metadata, text) pairs: txt, md, pdf (pypdf), docx (python-docx).

The corpus catalog (`catalog.toml` beside the files) gives each document its metadata and
can split one file into several documents. Files the catalog does not list get an id from
their name and the rest of their metadata from their own letterhead (see parse.fill_meta).
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from .errors import DependencyError, InputError
from .records import DocMeta
from .text import fold

SUFFIXES = (".txt", ".md", ".pdf", ".docx")
SKIP_NAMES = ("readme", "catalog")


@dataclass(frozen=True)
class Source:
    meta: DocMeta
    text: str


def collect_files(paths: list[Path]) -> list[Path]:
    """Expand folders into the supported files they hold; a missing path is an error."""
    files: list[Path] = []
    for p in paths:
        if not p.exists():
            raise InputError(f"{p}: no such file or folder")
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


def decode_text(data: bytes, name: str) -> str:
    """Decode a text file: UTF-8 (with or without BOM) or UTF-16 with BOM; refuse the rest."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if b"\x00" in data[:4096]:
        raise InputError(f"{name}: binary data, not a text file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{name}: not UTF-8 text (legacy encodings such as Windows-1258 or "
                         "TCVN3 are not supported; re-save the file as UTF-8)") from None


def read_pdf(path: Path) -> str:
    try:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError
    except ImportError:
        raise DependencyError("reading PDF needs pypdf: pip install pypdf") from None
    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            raise InputError(f"{path}: encrypted PDF; remove the password and try again")
        pages = [page.extract_text() or "" for page in reader.pages]
    except PdfReadError as e:
        raise InputError(f"{path}: corrupt PDF ({e})") from None
    if not pages:
        raise InputError(f"{path}: PDF has no pages")
    text = "\n".join(pages)
    if not text.strip():
        raise InputError(f"{path}: no text layer: needs OCR (scanned PDF)")
    return text


def read_docx(path: Path) -> str:
    try:
        import docx
    except ImportError:
        raise DependencyError("reading DOCX needs python-docx: pip install python-docx") from None
    try:
        document = docx.Document(str(path))
    except Exception as e:  # python-docx raises zipfile/KeyError/ValueError for damaged files
        raise InputError(f"{path}: not a readable DOCX file ({type(e).__name__})") from None
    return "\n\n".join(p.text for p in document.paragraphs)


def read_text(path: Path) -> str:
    """The text of one file, or InputError saying in one line why it has none."""
    try:
        if path.suffix.lower() == ".pdf":
            text = read_pdf(path)
        elif path.suffix.lower() == ".docx":
            text = read_docx(path)
        else:
            text = decode_text(path.read_bytes(), str(path))
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    if not text.strip():
        raise InputError(f"{path}: empty file")
    return text


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-") or "doc"


def meta_from_entry(entry: dict, path: Path) -> DocMeta:
    return DocMeta(
        id=entry.get("id") or slug(path.stem), title=entry.get("title", ""), type=entry.get("type", ""),
        number=entry.get("number", ""), date=str(entry.get("date", "")), issuer=entry.get("issuer", ""),
        locality=entry.get("locality", ""), period=str(entry.get("period", "")), source=str(path),
        aliases=tuple(entry.get("aliases", ())))


def cut(text: str, start: str | None, end: str | None) -> str:
    """The part of a file's text between a start line and an end line (markers from the catalog)."""
    if start:
        i = text.find(start)
        text = text[i:] if i >= 0 else ""
    if end:
        j = text.find(end)
        text = text[:j] if j >= 0 else text
    return text


def load_file(path: Path, catalog: dict[str, list[dict]]) -> list[Source]:
    text = read_text(path)
    entries = catalog.get(path.name) or [{}]
    sources = []
    for entry in entries:
        part = cut(text, entry.get("start"), entry.get("end"))
        if not part.strip():
            raise InputError(f"{path}: catalog marker {entry.get('start') or entry.get('end')!r} not found")
        sources.append(Source(meta_from_entry(entry, path), part))
    return sources
