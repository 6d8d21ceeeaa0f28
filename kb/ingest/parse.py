"""Parse the text of a Vietnamese legal or administrative document into sections.

Pure functions: text in, records out. Handles what office-to-text conversions leave behind
(markdown marks, table pipes, hard-wrapped lines) and both structures in this field:
laws and decrees (Chương / Mục / Điều, with khoản 1. and điểm a) inside an article) and
plans and letters (I. / 1. / 1.1. / a) / bullets, with the agencies under
"Tổ chức thực hiện" / "Phân công nhiệm vụ").
"""
from __future__ import annotations

import re
from dataclasses import replace

from kb.ingest.annex import annex_blocks, split_tail
from kb.ingest.meta import DOC_TYPES, fill_meta
from kb.records import DocMeta, Document, Section
from kb.ingest.tables import expand_tables
from kb.text import fold, squash, unglue

CHAPTER = re.compile(r"^(Chương|CHƯƠNG)\s+([IVXLC]+|\d+)(?:\.?\s+([^\s,;].*)|\.)?$")
# A Mục title in capitals may hold commas ("Mục 4. ... TỐ TỤNG, XỬ LÝ VI PHẠM HÀNH CHÍNH, ...").
PART = re.compile(r"^(Mục|MỤC)\s+(\d+)(?:\.?\s+([A-ZĐÀ-Ỹ][^,;]*|[A-ZĐÀ-Ỹ][^a-z;]*)|\.)?$")
ARTICLE = re.compile(r"^Điều\s+(\d+[a-z]?)\.\s*(.*)$")
ROMAN = re.compile(r"^([IVXL]+)\.\s+(.*)$")
NUMBERED = re.compile(r"^(\d+(?:\.\d+)*)(?:\.|\))\s*(.*)$")
LETTER = re.compile(r"^([a-zđ])\)\s+(.*)$")
BULLET = re.compile(r"^[-–•+]\s*(.*)$")
RECIPIENTS = re.compile(r"^Nơi nhận\s*:?", re.IGNORECASE)
TERMINAL = (".", ";", ":", "!", "?", "…")
DUTY_SECTION = re.compile(r"to chuc thuc hien|phan cong nhiem vu|trach nhiem")
AGENCY_START = re.compile(
    r"^(de nghi\s+)?(phong|so|bo|cong an|trung tam|uy ban|ubnd|ub|doan|hoi|mat tran|tinh doan|"
    r"thanh doan|huyen doan|cac|ban|co quan|vien|toa an|chu tich|nha truong|dai|bao chi|"
    r"lien doan|thanh tra|van phong|ngan hang|cuc)\b")


def is_marker(line: str) -> bool:
    """True when a line opens a new structural unit (heading, khoản, điểm or bullet)."""
    return bool(CHAPTER.match(line) or PART.match(line) or ARTICLE.match(line) or ROMAN.match(line)
                or NUMBERED.match(line) or LETTER.match(line) or BULLET.match(line)
                or line.startswith("[") or RECIPIENTS.match(line))


def is_caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 2 and sum(c.isupper() for c in letters) / len(letters) > 0.8


def strip_provenance(text: str) -> str:
    """Drop a 'SOURCE: ... / =====' provenance header that some corpus files carry."""
    if text.lstrip().startswith("SOURCE:"):
        head, sep, rest = text.partition("\n=====")
        if sep:
            return rest.split("\n", 1)[1] if "\n" in rest else ""
    return text


def clean_line(line: str) -> str:
    """Remove markdown and table noise from one line, keeping its words."""
    line = line.replace("\t", " ").replace("\u00a0", " ").replace("|", " ").strip()
    line = re.sub(r"^#+\s*", "", line)
    if re.match(r"^\*\s+\S", line) and "**" not in line:
        line = "- " + line[1:].strip()
    line = line.replace("*", "").replace("\\", "").strip()
    if re.fullmatch(r"[-_=~.]{3,}", line):
        return ""
    return squash(unglue(line))


def join_wrapped(lines: list[str], legal: bool = False, fixed: frozenset[str] | set[str] = frozenset()) -> list[str]:
    """Rejoin hard-wrapped lines into paragraphs.

    A line continues the paragraph before it unless it opens a structural unit, the paragraph
    already ended a sentence, or a title in capitals ends there. After a blank line, only a
    line starting in lowercase continues (conversions split sentences with blank lines too).
    Laws and decrees are one paragraph per line, so there only lowercase lines continue.
    Lines in `fixed` (table rows) are paragraphs of their own.
    """
    paras: list[str] = []
    blank = True
    last = ""  # the previous line as printed: a long one was probably wrapped by width (PDF)
    for line in lines:
        if not line:
            blank = True
            continue
        prev = paras[-1] if paras else ""
        lower_start = line[0].islower()
        ends = prev.endswith(TERMINAL)
        if line in fixed or prev in fixed:
            joined = False
        elif prev and ARTICLE.match(prev) and lower_start and len(last) >= 70 and not blank:
            joined = True  # an article title wrapped by width (PDF)
        elif not prev or is_marker(line) or ARTICLE.match(prev) or CHAPTER.match(prev) or PART.match(prev) \
                or re.match(r"Số\s*:", line):
            joined = False
        elif not any(ch.isalpha() for ch in line):
            joined = not ends  # "2025" or "-" left alone on a line by the wrap
        elif lower_start:
            joined = not blank or not prev.endswith((".", "!", "?"))
        elif blank:
            joined = False
        elif line.startswith(("Căn cứ", "Thực hiện", "Theo đề nghị", "Xét đề nghị")) or is_caps(prev) and not is_caps(line):
            joined = False  # a preamble clause, or the text under a title in capitals
        elif legal:
            joined = not ends and len(last) >= 70 and not is_caps(line)
        elif is_marker(prev) and len(prev.split()) <= 8 and ":" not in prev and not is_caps(line):
            joined = False  # a short heading line ("3. Chế độ báo cáo") and then its text
        else:
            joined = not ends and not (is_caps(prev) and not is_caps(line))
        if joined:
            paras[-1] = f"{prev} {line}"
        else:
            paras.append(line)
        blank = False
        last = line
    return paras


def heading_title(para: str, max_words: int = 16) -> tuple[str, bool]:
    """The title a heading paragraph gives its section, and whether the paragraph has more.

    '7. Sở Du lịch: Chủ trì ...' -> ('7. Sở Du lịch', True); a long list item keeps its
    first words as the title and stays in the section's text.
    """
    m = NUMBERED.match(para) or ROMAN.match(para) or LETTER.match(para)
    marker = para[: m.start(2)].strip() if m else ""
    rest = m.group(2) if m else para
    head, colon, tail = rest.partition(":")
    if colon and tail.strip() and len(head.split()) <= 15:
        return f"{marker} {head.strip()}".strip(), True
    words = rest.rstrip(":").split()
    sentence_inside = re.search(r"[.;]\s", rest)
    if len(words) <= max_words and not sentence_inside and not rest.endswith("."):
        return f"{marker} {' '.join(words)}".strip(), False
    return f"{marker} {' '.join(words[:max_words])}…".strip(), True


def _agency_of(title: str) -> str:
    name = re.sub(r"^[\dIVXL.)\s]+", "", title).strip(" :")
    name = re.sub(r"^Đề nghị\s+", "", name, flags=re.IGNORECASE)
    return name if AGENCY_START.match(fold(name)) else ""


def _merge_titles(paras: list[str]) -> list[str]:
    """'Chương I' + 'NHỮNG QUY ĐỊNH CHUNG' -> 'Chương I. NHỮNG QUY ĐỊNH CHUNG'."""
    out: list[str] = []
    for p in paras:
        if out and (m := CHAPTER.match(out[-1]) or PART.match(out[-1])) and not m.group(3) \
                and not is_marker(p):
            out[-1] = f"{out[-1]}. {p}"
        else:
            out.append(p)
    return out


def _level(para: str, legal: bool) -> int | None:
    """Heading level of a paragraph, or None when it is content."""
    if CHAPTER.match(para):
        return 0
    if PART.match(para):
        return 1
    if ARTICLE.match(para):
        return 2
    if legal:
        return None  # khoản and điểm stay inside their article
    if ROMAN.match(para):
        return 1
    if m := NUMBERED.match(para):
        return 2 + m.group(1).count(".")
    if LETTER.match(para):
        return 6
    return None


def split_preamble(paras: list[str], legal: bool) -> tuple[list[str], list[str]]:
    """Split off the letterhead and preamble (before the first heading) from the body."""
    first = next((i for i, p in enumerate(paras) if _level(p, legal) is not None), len(paras))
    return paras[:first], paras[first:]


def preamble_text(head: list[str]) -> list[str]:
    """Keep the preamble sentences ('Thực hiện ...', 'Căn cứ ...'); drop letterhead lines."""
    keep = []
    after_type = False
    for p in head:
        bare_type = p.upper().strip(" :") in DOC_TYPES
        if bare_type or after_type or any(p.startswith(t + " ") for t in DOC_TYPES):
            after_type = bare_type  # the paragraph right after a bare type line is the title
            continue
        if is_caps(p) and len(p.split()) <= 20 or p.startswith(("Số:", "V/v", "Độc lập", "CỘNG HÒA")) \
                or re.search(r"ngày\s*\d*\s*tháng", p[:60]) and len(p.split()) <= 14:
            continue
        keep.append(p)
    return keep


def build_sections(paras: list[str], legal: bool) -> list[Section]:
    sections: list[Section] = []
    stack: list[tuple[int, str]] = []
    agency = ""
    content: list[str] = []

    def flush():
        if content:
            sections.append(Section(tuple(t for _, t in stack), tuple(content), agency))
        content.clear()

    for para in paras:
        level = _level(para, legal)
        if level is None:
            content.append(para)
            continue
        if not content and stack and stack[-1][0] >= level and ARTICLE.match(stack[-1][1]):
            content.append(stack[-1][1])  # an article with no text (codified copies have them): its title
        flush()
        while stack and stack[-1][0] >= level:
            stack.pop()
        if m := ARTICLE.match(para):
            title, more = f"Điều {m.group(1)}. {m.group(2)}".strip(), False
        elif CHAPTER.match(para) or PART.match(para):
            title, more = para, False
        else:
            title, more = heading_title(para)
        stack.append((level, title))
        parent = fold(stack[0][1]) if stack else ""
        agency = ""
        if m := ARTICLE.match(para):
            t = re.match(r"Trách nhiệm của (.+)", m.group(2))
            agency = t.group(1).strip() if t else ""
            if not agency and "trach nhiem" in parent and AGENCY_START.match(fold(m.group(2))):
                agency = m.group(2).strip()  # "Điều 82. Bộ Lao động - Thương binh và Xã hội"
        elif DUTY_SECTION.search(parent) and level == 2 and len(stack) == 2:
            agency = _agency_of(para.partition(":")[0] if more else para)
        elif len(stack) > 2 and sections and sections[-1].agency:
            agency = next((s.agency for s in reversed(sections) if s.path[:2] == tuple(t for _, t in stack[:2])), "")
        if more:
            content.append(para)
    if not content and stack and ARTICLE.match(stack[-1][1]):
        content.append(stack[-1][1])
    flush()
    return sections


def _is_legal(lines: list[str]) -> bool:
    return sum(1 for l in lines if ARTICLE.match(l)) >= 3


def annex_sections(lines: list[str], rows: set[str]) -> list[Section]:
    """Sections of the annexes after a signature, each rooted at its own heading
    ('Phụ lục 2 > I. ... > 13. Quy trình ...')."""
    sections: list[Section] = []
    for root, title, body in annex_blocks(lines):
        if title:
            sections.append(Section((root,), (squash(" ".join(title)),), kind="annex"))
        legal = _is_legal(body)
        for s in build_sections(_merge_titles(join_wrapped(body, legal=legal, fixed=rows)), legal):
            sections.append(replace(s, path=(root, *s.path), kind="annex"))
    return sections


def parse_document(text: str, meta: DocMeta) -> Document:
    """Parse one document's text. `meta` fields left empty are filled from the text."""
    table_lines, rows = expand_tables(strip_provenance(text).splitlines())
    raw_lines = [clean_line(l) for l in table_lines]
    body_lines, recipients, signer, capacity, annex = split_tail(raw_lines)
    legal = _is_legal(body_lines)
    paras = _merge_titles(join_wrapped(body_lines, legal=legal, fixed=rows))
    head, body = split_preamble(paras, legal)
    sections = []
    pre = preamble_text(head)
    if pre:
        sections.append(Section(("Phần mở đầu",), tuple(pre), kind="preamble"))
    sections.extend(build_sections(body, legal))
    if recipients or signer:
        lines = []
        if recipients:
            lines.append("Nơi nhận: " + "; ".join(recipients) + ".")
        if signer:
            lines.append(f"Người ký: {signer}" + (f" ({capacity})" if capacity else "") + ".")
        sections.append(Section(("Nơi nhận, người ký",), tuple(lines), kind="signature"))
    sections.extend(annex_sections(annex, rows))
    meta = replace(meta, signer=meta.signer or signer, signer_title=meta.signer_title or squash(capacity))
    meta = fill_meta(meta, head, body_lines[:30])
    return Document(meta=meta, sections=tuple(sections), recipients=tuple(recipients))
