"""Split parsed documents into chunks that never cross a section and keep their path.

Each chunk carries a short contextual header (document label and title, section path) used
for embedding and lexical matching; the citation quotes the raw passage only.
"""
from __future__ import annotations

import bisect
import hashlib
import re
from dataclasses import replace

from kb.records import Chunk, Document, Section
from kb.ingest.tables import placed_tables
from kb.text import folded_words

KHOAN = re.compile(r"^(\d+)\.\s")
DIEM = re.compile(r"^([a-zđ])\)\s")
SENTENCE_END = re.compile(r"(?<=[.;:])\s+(?=[A-ZĐÀ-Ỹ\-–])")


def chunk_header(meta, section: str) -> str:
    """What is embedded above a passage: document label and title, then the section path."""
    return f"{meta.label}: {meta.title}\n{section}"


def chunk_id(doc_id: str, header: str, text: str) -> str:
    """Stable id: document id + hash of what is embedded (header with section path, passage)."""
    digest = hashlib.sha1(f"{header}\n{text}".encode("utf-8")).hexdigest()[:16]
    return f"{doc_id}:{digest}"


def split_long(paragraph: str, max_chars: int) -> list[str]:
    """Split an over-long paragraph at sentence ends; a sentence is never cut."""
    if len(paragraph) <= max_chars:
        return [paragraph]
    pieces, cur = [], ""
    for sent in SENTENCE_END.split(paragraph):
        if cur and len(cur) + len(sent) + 1 > max_chars:
            pieces.append(cur)
            cur = sent
        else:
            cur = f"{cur} {sent}".strip()
    if cur:
        pieces.append(cur)
    return pieces


def group_units(section: Section) -> list[list[str]]:
    """Units that should stay together: a khoản with its điểm; otherwise single paragraphs."""
    units: list[list[str]] = []
    for para in section.paragraphs:
        if DIEM.match(para) and units and KHOAN.match(units[-1][0]):
            units[-1].append(para)
        else:
            units.append([para])
    return units


def pack(units: list[list[str]], max_chars: int) -> list[list[str]]:
    """Greedily pack units into chunks of at most max_chars (a lone long unit is split)."""
    chunks: list[list[str]] = []
    cur: list[str] = []
    size = 0
    for unit in units:
        text_len = sum(len(p) + 1 for p in unit)
        if text_len > max_chars:
            if cur:
                chunks.append(cur)
                cur, size = [], 0
            pieces: list[str] = []
            for para in unit:
                pieces.extend(split_long(para, max_chars))
            sub: list[str] = []
            for piece in pieces:
                if sub and sum(len(p) + 1 for p in sub) + len(piece) > max_chars:
                    chunks.append(sub)
                    sub = []
                sub.append(piece)
            if sub:
                chunks.append(sub)
            continue
        if cur and size + text_len > max_chars:
            chunks.append(cur)
            cur, size = [], 0
        cur.extend(unit)
        size += text_len
    if cur:
        chunks.append(cur)
    return chunks


def khoan_numbers(paras: list[str]) -> list[int]:
    return [int(m.group(1)) for p in paras if (m := KHOAN.match(p))]


def khoan_label(paras: list[str], continued: int | None = None) -> str:
    """'khoản 2' or 'khoản 1-3' for the numbered clauses a piece of an article holds; a piece
    that opens inside a clause (`continued`: the last clause of the piece before) is part of
    that clause: 'khoản 2' for the points c) d) of khoản 2 that did not fit in the piece before."""
    nums = khoan_numbers(paras)
    if continued is not None and (not nums or not KHOAN.match(paras[0])):
        nums = [continued] + nums
    if not nums:
        return ""
    return f"khoản {nums[0]}" if len(nums) == 1 else f"khoản {nums[0]}-{nums[-1]}"


def chunk_document(doc: Document, max_chars: int = 1000) -> list[Chunk]:
    meta = doc.meta
    chunks: list[Chunk] = []
    seen: set[str] = set()
    for section in doc.sections:
        pieces = pack(group_units(section), max_chars)
        is_article = bool(section.path) and section.path[-1].startswith("Điều ")
        continued = None  # the clause the piece before ended in
        for paras in pieces:
            label = section.path_text
            if is_article and len(pieces) > 1 and (k := khoan_label(paras, continued)):
                label = f"{label}, {k}"
            continued = (khoan_numbers(paras) or [continued])[-1]
            text = "\n".join(paras)
            header = chunk_header(meta, label)
            cid = chunk_id(meta.id, header, text)
            if cid in seen:  # the same passage twice in one section (it happens in the sources)
                continue
            seen.add(cid)
            chunks.append(Chunk(id=cid, doc_id=meta.id, section=label, text=text, header=header,
                                agency=section.agency, position=len(chunks)))
    return chunks


def mark_ocr(chunks: list[Chunk], confidence: dict[int, float]) -> list[Chunk]:
    """Passages read from scanned pages carry that page's OCR confidence (the lowest, across a
    page break onto another scanned page); pages with a text layer are not in `confidence`."""
    out = []
    for c in chunks:
        first, _, last = c.page.partition("-")
        pages = range(int(first), int(last or first) + 1) if first.isdigit() else confidence
        confs = [confidence[p] for p in pages if p in confidence]
        out.append(replace(c, ocr_confidence=round(min(confs), 1)) if confs else c)
    return out


def assign_pages(chunks: list[Chunk], text: str, page_starts: tuple[int, ...], probe: int = 6) -> list[Chunk]:
    """Give each chunk of a PDF the page(s) its passage is printed on.

    Parsing rejoins and cleans lines, so passages are found again in the page texts by their
    first and last words (diacritics and punctuation folded away), searching forward from the
    previous passage as documents read in order; table rows are looked for as parsing writes
    them, with their column headers.
    """
    words: list[str] = []
    pages: list[int] = []
    line_pages, offset = [], 0
    for line in text.splitlines(keepends=True):  # the lines parsing reads
        line_pages.append(bisect.bisect_right(page_starts, offset))
        offset += len(line)
    lines = text.splitlines()
    # table rows are looked for as parsing wrote them: each row carries its column headers
    for at, line in placed_tables(lines)[0]:
        line_words = folded_words(line)
        words.extend(line_words)
        pages.extend([line_pages[at]] * len(line_words))
    starts, pos = [], 0
    for w in words:
        starts.append(pos)
        pos += len(w) + 1
    joined = " ".join(words)

    def locate(probe_words: list[str], after: int) -> int | None:
        key = " ".join(probe_words)
        at = joined.find(key, after) if key else -1
        if at < 0:
            at = joined.find(key) if key else -1
        return None if at < 0 else bisect.bisect_right(starts, at) - 1

    out, cursor = [], 0
    for c in chunks:
        passage = folded_words(c.text)
        first = locate(passage[:probe], cursor)
        if first is None:
            out.append(c)
            continue
        # the passage's last words are looked for near its end: its closing phrase may also
        # occur earlier ("phòng, chống bạo lực, xâm hại trẻ em")
        near_end = min(first + max(0, len(passage) - 2 * probe), len(starts) - 1)
        last = locate(passage[-probe:], starts[near_end])
        end = first if last is None else last + min(probe, len(passage)) - 1
        a, b = pages[first], pages[min(end, len(pages) - 1)]
        cursor = starts[first]
        out.append(replace(c, page=str(a) if a >= b else f"{a}-{b}"))
    return out
