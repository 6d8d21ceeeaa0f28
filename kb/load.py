"""Load source files into (metadata, text) pairs: txt, md, pdf (pypdf), docx (python-docx).

The corpus catalog (`catalog.toml` beside the files) gives each document its metadata and
can split one file into several documents. Files the catalog does not list get an id from
their name and the rest of their metadata from their own letterhead (see parse.fill_meta).
"""
from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .errors import DependencyError, InputError
from .records import DocMeta
from .text import fold

SUFFIXES = (".txt", ".md", ".pdf", ".docx")
SKIP_NAMES = ("readme", "catalog")
DEFAULT_MAX_MB = 20  # ~10,000 pages of text; bigger files are data dumps or scans, refused


@dataclass(frozen=True)
class Source:
    meta: DocMeta
    text: str
    page_starts: tuple[int, ...] = ()  # PDF: offset in text where each page begins


@dataclass(frozen=True)
class Extracted:
    """A file's text; PDFs also say where each page starts."""

    text: str
    page_starts: tuple[int, ...] = ()


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


PAGE_NUMBER = re.compile(r"^[-–—\s]*(?:(?:trang|page|tr\.)\s*)?\d{1,4}(?:\s*(?:/|of|trên)\s*\d{1,4})?[-–—\s]*$",
                         re.IGNORECASE)
EDGE_LINES = 2  # running headers/footers are looked for among the first/last lines of a page


def _edge_key(line: str) -> str:
    return re.sub(r"\d+", "#", fold(line)).strip()


def strip_running_lines(pages: list[list[str]]) -> list[list[str]]:
    """Drop page numbers and running headers/footers from the lines of each PDF page.

    A line at the top or bottom of a page is dropped when it is a bare page number ("3",
    "- 3 -", "Trang 3/12") or when the same line (digits aside) opens or closes at least half
    of the pages (and two of them at least). Pure: pages of lines in, pages of lines out.
    """
    counts: dict[str, int] = {}
    for lines in pages:
        edge = [l for l in lines if l.strip()]
        for key in {_edge_key(l) for l in edge[:EDGE_LINES] + edge[-EDGE_LINES:]}:
            counts[key] = counts.get(key, 0) + 1
    threshold = max(2, (len(pages) + 1) // 2)
    repeated = {k for k, n in counts.items() if n >= threshold and k}
    out = []
    for lines in pages:
        body = [l for l in lines if l.strip()]
        head, tail = 0, len(body)
        while head < min(EDGE_LINES, tail) and (PAGE_NUMBER.match(body[head]) or _edge_key(body[head]) in repeated):
            head += 1
        while tail > head and tail > len(body) - EDGE_LINES and (
                PAGE_NUMBER.match(body[tail - 1]) or _edge_key(body[tail - 1]) in repeated):
            tail -= 1
        out.append(body[head:tail])
    return out


def read_pdf(path: Path) -> Extracted:
    try:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError, PyPdfError
    except ImportError:
        raise DependencyError("reading PDF needs pypdf: pip install pypdf") from None
    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            raise InputError(f"{path}: encrypted PDF; remove the password and try again")
        raw = [(page.extract_text() or "").splitlines() for page in reader.pages]
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError, AttributeError) as e:
        # pypdf reports damaged files through many exception types
        raise InputError(f"{path}: corrupt PDF ({type(e).__name__}: {str(e)[:80]})") from None
    if not raw:
        raise InputError(f"{path}: PDF has no pages")
    if not any(l.strip() for lines in raw for l in lines):
        raise InputError(f"{path}: no text layer: needs OCR (scanned PDF, {len(raw)} page(s) of images)")
    parts, starts, offset = [], [], 0
    for lines in strip_running_lines(raw):
        starts.append(offset)
        # pages are joined by a plain line break: a paragraph running onto the next page is rejoined
        page_text = "\n".join(lines) + "\n"
        parts.append(page_text)
        offset += len(page_text)
    return Extracted("".join(parts), tuple(starts))


def _docx_numbering(document) -> dict[tuple[str, str], tuple[str, str, int]]:
    """(numId, level) -> (number format, label template, start) from the numbering part."""
    from docx.oxml.ns import qn

    try:
        root = document.part.numbering_part.element
    except (KeyError, NotImplementedError, AttributeError):
        return {}
    abstract = {}
    for a in root.findall(qn("w:abstractNum")):
        levels = {}
        for lvl in a.findall(qn("w:lvl")):
            fmt = lvl.find(qn("w:numFmt"))
            text = lvl.find(qn("w:lvlText"))
            start = lvl.find(qn("w:start"))
            levels[lvl.get(qn("w:ilvl"))] = (fmt.get(qn("w:val")) if fmt is not None else "decimal",
                                             text.get(qn("w:val")) if text is not None else "%1.",
                                             int(start.get(qn("w:val"))) if start is not None else 1)
        abstract[a.get(qn("w:abstractNumId"))] = levels
    out = {}
    for num in root.findall(qn("w:num")):
        ref = num.find(qn("w:abstractNumId"))
        for ilvl, spec in abstract.get(ref.get(qn("w:val")) if ref is not None else "", {}).items():
            out[(num.get(qn("w:numId")), ilvl)] = spec
    return out


def _format_number(n: int, fmt: str) -> str:
    if fmt in ("lowerLetter", "upperLetter"):
        s = "abcdđeghiklmnopqrstuvxy"[(n - 1) % 23]  # Vietnamese documents letter điểm a) b) ... đ)
        return s.upper() if fmt == "upperLetter" else s
    if fmt in ("upperRoman", "lowerRoman"):
        vals = [(10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
        out = ""
        for v, r in vals:
            while n >= v:
                out, n = out + r, n - v
        return out if fmt == "upperRoman" else out.lower()
    return str(n)


def read_docx(path: Path) -> Extracted:
    """Paragraphs and table rows in document order, with Word's automatic list numbers
    ("1.", "a)", "-") written out, since python-docx leaves them out of the text."""
    try:
        import docx
        from docx.oxml.ns import qn
    except ImportError:
        raise DependencyError("reading DOCX needs python-docx: pip install python-docx") from None
    try:
        document = docx.Document(str(path))
    except Exception as e:  # python-docx raises zipfile/KeyError/ValueError for damaged files
        raise InputError(f"{path}: not a readable DOCX file ({type(e).__name__})") from None
    numbering = _docx_numbering(document)
    style_numbering = {}  # list styles ("List Bullet", "List Number") carry their numbering
    for style in document.styles.element.findall(qn("w:style")):
        if (num := style.find(f"{qn('w:pPr')}/{qn('w:numPr')}")) is not None:
            style_numbering[style.get(qn("w:styleId"))] = num
    counters: dict[tuple[str, str], int] = {}
    lines: list[str] = []
    for block in document.element.body.iterchildren():
        if block.tag == qn("w:tbl"):
            for row in block.iter(qn("w:tr")):
                cells = ["".join(t.text or "" for t in cell.iter(qn("w:t"))) for cell in row.iter(qn("w:tc"))]
                lines.append(" | ".join(c.strip() for c in cells if c.strip()))
            continue
        if block.tag != qn("w:p"):
            continue
        text = "".join(t.text or "" for t in block.iter(qn("w:t")))
        num = block.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
        if num is None and (style := block.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")) is not None:
            num = style_numbering.get(style.get(qn("w:val")))
        if num is not None and text.strip():
            num_id = num.find(qn("w:numId"))
            ilvl = num.find(qn("w:ilvl"))
            key = (num_id.get(qn("w:val")) if num_id is not None else "",
                   ilvl.get(qn("w:val")) if ilvl is not None else "0")
            fmt, template, first = numbering.get(key, ("decimal", "%1.", 1))
            counters[key] = counters.get(key, first - 1) + 1
            for k in [k for k in counters if k[0] == key[0] and k[1] > key[1]]:
                del counters[k]  # a higher-level item restarts the numbering below it
            label = "-" if fmt == "bullet" else template  # bullet glyphs are symbol-font characters
            for level in range(int(key[1]) + 1):
                label = label.replace(f"%{level + 1}", _format_number(counters.get((key[0], str(level)), 1), fmt))
            text = f"{label} {text.strip()}" if fmt != "none" else text
        lines.append(text)
    return Extracted("\n\n".join(lines))


def read_text(path: Path, max_mb: int = DEFAULT_MAX_MB) -> Extracted:
    """The text of one file, or InputError saying in one line why it has none."""
    try:
        size = path.stat().st_size
        if size > max_mb * 2**20:
            raise InputError(f"{path}: {size / 2**20:.0f} MB is over the {max_mb} MB limit per file "
                             "(split the document, or raise KB_MAX_FILE_MB)")
        if path.suffix.lower() == ".pdf":
            got = read_pdf(path)
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
        aliases=tuple(entry.get("aliases", ())))


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


def load_file(path: Path, catalog: dict[str, list[dict]], max_mb: int = DEFAULT_MAX_MB) -> list[Source]:
    got = read_text(path, max_mb)
    entries = catalog.get(path.name) or [{}]
    sources = []
    for entry in entries:
        part, offset = cut(got.text, entry.get("start"), entry.get("end"))
        if not part.strip():
            raise InputError(f"{path}: catalog marker {entry.get('start') or entry.get('end')!r} not found")
        starts = tuple(max(0, s - offset) for s in got.page_starts)
        sources.append(Source(meta_from_entry(entry, path), part, starts))
    return sources
