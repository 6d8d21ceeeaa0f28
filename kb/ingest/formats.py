"""File formats -> text: PDF (pypdf; pages kept, page furniture dropped, tables written as pipe
rows by kb/ingest/pdftables.py; pages without a text layer read by OCR, kb/ingest/ocr.py), images of pages
(OCR) and DOCX (python-docx; Word's automatic numbering and tables written out). Pure helpers
where possible."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from kb.errors import DependencyError, InputError
from kb.text import fold


@dataclass(frozen=True)
class Extracted:
    """A file's text; PDFs also say where each page starts."""

    text: str
    page_starts: tuple[int, ...] = ()
    ocr: tuple[tuple[int, float], ...] = ()  # (page number, OCR confidence) of pages read from a scan
    notes: tuple[str, ...] = ()  # what the ingest summary should say about the file (pages left out)


PAGE_NUMBER = re.compile(r"^[-–—\s]*(?:(?:trang|page|tr\.)\s*)?\d{1,4}(?:\s*(?:/|of|trên)\s*\d{1,4})?[-–—\s]*$",
                         re.IGNORECASE)
EDGE_LINES = 2  # running headers/footers are looked for among the first/last lines of a page


def _edge_key(line: str) -> str:
    return re.sub(r"\d+", "#", fold(line)).strip()


def strip_running_lines(pages: list[list[str]]) -> list[list[str]]:
    """Drop page numbers and running headers/footers from the lines of each PDF page.

    A line at the top or bottom of a page is dropped when it is a bare page number ("3",
    "- 3 -", "Trang 3/12") or when the same line (digits aside) opens or closes at least half
    of the pages (and two of them at least); a table row (kb/ingest/pdftables.py) never is. Blank
    lines inside a page are kept (OCR marks paragraphs with them). Pure: pages of lines in,
    pages of lines out.
    """
    counts: dict[str, int] = {}
    for lines in pages:
        edge = [l for l in lines if l.strip()]
        # a table's header row repeated atop each page the table runs over is not page furniture
        for key in {_edge_key(l) for l in edge[:EDGE_LINES] + edge[-EDGE_LINES:] if " | " not in l}:
            counts[key] = counts.get(key, 0) + 1
    threshold = max(2, (len(pages) + 1) // 2)
    repeated = {k for k, n in counts.items() if n >= threshold and k}
    out = []
    for lines in pages:
        at = [i for i, l in enumerate(lines) if l.strip()]
        body = [lines[i] for i in at]
        head, tail = 0, len(body)
        while head < min(EDGE_LINES, tail) and (PAGE_NUMBER.match(body[head]) or _edge_key(body[head]) in repeated):
            head += 1
        while tail > head and tail > len(body) - EDGE_LINES and (
                PAGE_NUMBER.match(body[tail - 1]) or _edge_key(body[tail - 1]) in repeated):
            tail -= 1
        out.append([l if l.strip() else "" for l in lines[at[head]:at[tail - 1] + 1]] if head < tail else [])
    return out


def _pages_label(numbers: list[int]) -> str:
    return ("page " if len(numbers) == 1 else "pages ") + ", ".join(map(str, numbers))


def _with_ocr(path: Path, raw: list[list[str]], pages, what: str) -> tuple[list[list[str]], dict, list[str]]:
    """Put OCR'd pages into the file's pages; pages under the confidence floor are left out
    and named in a note (or, when nothing readable is left, the file fails)."""
    from kb.ingest.ocr import MIN_CONFIDENCE

    confidence, low = {}, []
    for page in pages:
        if page.confidence < MIN_CONFIDENCE or not page.text.strip():
            low.append(page)
            continue
        raw[page.page - 1] = page.text.splitlines()
        confidence[page.page] = page.confidence
    notes = [f"{_pages_label([p.page for p in low])}: OCR confidence "
             f"{', '.join(f'{p.confidence:.0f}' for p in low)} under {MIN_CONFIDENCE:.0f}, not indexed"] if low else []
    if not any(l.strip() for lines in raw for l in lines):
        raise InputError(f"{path}: {what} unreadable: {notes[0] if notes else 'OCR found no text'}")
    return raw, confidence, notes


def _assemble(raw: list[list[str]], confidence: dict | None = None, notes: list[str] | None = None) -> Extracted:
    parts, starts, offset = [], [], 0
    for lines in strip_running_lines(raw):
        starts.append(offset)
        # pages are joined by a plain line break: a paragraph running onto the next page is rejoined
        page_text = "\n".join(lines) + "\n"
        parts.append(page_text)
        offset += len(page_text)
    return Extracted("".join(parts), tuple(starts), tuple(sorted((confidence or {}).items())), tuple(notes or ()))


def read_image(path: Path, ocr) -> Extracted:
    """An image file of document pages (a multi-page TIFF: one page per frame), read by OCR."""
    if reason := (ocr.missing() if ocr else "OCR is off"):
        raise InputError(f"{path}: image of a document: needs OCR; {reason}")
    pages = ocr.image_file(path)
    raw, confidence, notes = _with_ocr(path, [[] for _ in pages], pages, "image")
    return _assemble(raw, confidence, notes)


def _page_text(page) -> str:
    """pypdf's plain text of a page, its tables written as pipe rows (kb/ingest/pdftables.py)."""
    from kb.ingest.pdfpage import page_runs
    from kb.ingest.pdftables import find_tables, segments, with_tables

    text, runs, drawn = page_runs(page)
    if "".join(r.text for r in runs) != text:  # runs pypdf did not report one by one: keep its text
        return text
    tables = find_tables(runs, segments(drawn))
    return with_tables(runs, tables) if tables else text


def read_pdf(path: Path, ocr=None) -> Extracted:
    """A PDF's text page by page; pages without a text layer are read by `ocr` (kb.ocr.Ocr)
    when there is one and Tesseract is installed."""
    try:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError, PyPdfError
    except ImportError:
        raise DependencyError("reading PDF needs pypdf: pip install pypdf") from None
    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            raise InputError(f"{path}: encrypted PDF; remove the password and try again")
        raw = [_page_text(page).splitlines() for page in reader.pages]
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError, AttributeError) as e:
        # pypdf reports damaged files through many exception types
        raise InputError(f"{path}: corrupt PDF ({type(e).__name__}: {str(e)[:80]})") from None
    if not raw:
        raise InputError(f"{path}: PDF has no pages")
    scanned = [i for i, lines in enumerate(raw) if not any(l.strip() for l in lines)]
    if not scanned:
        return _assemble(raw)
    if reason := (ocr.missing() if ocr else "OCR is off"):
        if len(scanned) == len(raw):
            raise InputError(f"{path}: no text layer: needs OCR (scanned PDF, {len(raw)} page(s) of images); {reason}")
        return _assemble(raw, notes=[f"{_pages_label([i + 1 for i in scanned])}: no text layer, not read ({reason})"])
    return _assemble(*_with_ocr(path, raw, ocr.pdf_pages(path, scanned), "scanned PDF"))


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


def _docx_table(table, qn) -> str:
    """A Word table as text: a letterhead laid out as a table becomes its lines, column by
    column (issuer, number, then motto, place and date); any other table becomes pipe rows,
    empty cells kept so that each value stays under its column header (kb.tables reads them)."""
    rows = []
    for row in table.iter(qn("w:tr")):
        cells = []
        for cell in row.iter(qn("w:tc")):
            paras = ["".join(t.text or "" for t in p.iter(qn("w:t"))).strip() for p in cell.iter(qn("w:p"))]
            cells.append([p for p in paras if p])
        rows.append(cells)
    flat = fold(" ".join(p for r in rows for c in r for p in c))
    if "cong hoa xa hoi" in flat or "doc lap" in flat:
        width = max((len(r) for r in rows), default=0)
        return "\n".join(p for col in range(width) for r in rows if col < len(r) for p in r[col])
    return "\n".join(" | ".join(" ".join(c) for c in r) for r in rows)


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
            lines.append(_docx_table(block, qn))
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
