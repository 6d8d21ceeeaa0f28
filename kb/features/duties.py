"""Who must do what: a responsibility matrix read from the sections that assign duties
("Tổ chức thực hiện", "Phân công nhiệm vụ", "Trách nhiệm của ...", articles named after an
agency) and from sentences of laws and decrees whose subject is an agency. Pure."""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from kb.features.actors import NUMBER, from_title, is_actor, sector_of, split_actors, subject_of, trim
from kb.ingest.parse import is_marker
from kb.records import Chunk, DocMeta
from kb.ingest.tables import row_fields, row_task
from kb.text import fold, is_editorial, squash, strip_editorial

ROLE = [("chủ trì", r"^(co trach nhiem )?chu tri\b"), ("phối hợp", r"^(co trach nhiem )?phoi hop")]
BULLET_AGENCY = re.compile(r"^-\s*([A-ZĐỦ][^:]{3,80}):\s*(.+)$")
# Never duties: editorial notes, closing formulas, a submission's courtesy lines.
NOT_DUTY = re.compile(r"^(\[|trên (đây )?là|yêu cầu thủ trưởng|trong quá trình triển khai thực hiện, nếu|kính trình|trân trọng)",
                      re.I)
# Sections of plans and letters that assign duties; elsewhere in a plan only "X có trách nhiệm ..." counts.
DUTY_CONTEXT = re.compile(r"to chuc thuc hien|phan cong|trach nhiem|nhiem vu|che do|bao cao|kinh phi|^\d+\. ")
RESPONSIBLE = re.compile(r"^Trách nhiệm của\s+(.{3,120}?):?$")
ITEM = re.compile(r"^\s*(\d+\.\d+\.?|[a-zđ]\)|-|\+)\s")
REF = re.compile(r"(?:các )?Mục ((?:\d+(?:,\s*|\s+và\s+)?)+)(?:,?\s*Phần ([IVX]+))?")
@dataclass(frozen=True)
class Duty:
    agency: str  # the documents' own wording
    sector: str  # canonical sector, for filtering across documents and levels
    duty: str
    role: str  # chủ trì | phối hợp | đề nghị | thực hiện
    doc_id: str
    doc_label: str
    section: str
    chunk_id: str
    refs: str = ""  # "Mục 6 Phần II: 6. Tăng cường hệ thống điều tra ..." for references in the duty
    note: str = ""  # a maintainer's note (kb/ingest/notes.py): an erratum, or the duty has moved since


    def to_dict(self) -> dict:
        return asdict(self)


def role_of(duty: str, heading: str) -> str:
    if re.match(r"^(\d+\.\s*)?de nghi", fold(heading)) or re.match(r"^de nghi\b", fold(duty)):
        return "đề nghị"
    _, rest = subject_of(duty)
    folded = fold(NUMBER.sub("", rest, count=1).replace("**", "")).strip()
    return next((name for name, rx in ROLE if re.search(rx, folded)), "thực hiện")


def _lines(chunks: list[Chunk]) -> list[tuple[str, Chunk]]:
    """The passages' lines in order; a passage that continues the previous one's last line (a long
    paragraph cut by the chunker) is joined back to it."""
    out: list[tuple[str, Chunk]] = []
    for c in chunks:
        for n, line in enumerate(l.strip() for l in c.text.split("\n") if l.strip()):
            if n == 0 and out and out[-1][1].section == c.section and not is_marker(line):
                out[-1] = (f"{out[-1][0]} {line}", out[-1][1])
            else:
                out.append((line, c))
    return out


def _sentences(line: str) -> list[str]:
    """A line's sentences, the ones with their own subject apart; the others stay with the one before."""
    parts = [s for s in re.split(r"(?<=[.;])\s+(?=[A-ZĐ])", line) if s.strip()]
    out: list[str] = []
    for s in parts:
        if out and not subject_of(s)[0]:
            out[-1] = f"{out[-1]} {s}"
        else:
            out.append(s)
    return out


def _refs(duty: str, titles: dict[tuple[str, str], str]) -> str:
    """'Mục 1, 4, 7 Phần II' -> the titles of those parts of the same plan."""
    out = []
    for m in REF.finditer(duty):
        part = m.group(2) or "II"
        for num in re.findall(r"\d+", m.group(1)):
            if (part, num) in titles:
                out.append(f"Mục {num} Phần {part}: {titles[part, num]}")
    return "; ".join(out)


def _titles(chunks: list[Chunk]) -> dict[tuple[str, str], str]:
    out = {}
    for c in chunks:
        path = c.section.split(" > ")
        if len(path) > 1 and (m := re.match(r"^([IVX]+)\.", path[0])) and (n := re.match(r"^(\d+)\.", path[1])):
            out.setdefault((m.group(1), n.group(1)), path[1])
    return out


def extract_duties(chunks: list[Chunk], docs: dict[str, DocMeta]) -> list[Duty]:
    rows: list[Duty] = []
    by_doc: dict[str, list[Chunk]] = {}
    for c in sorted(chunks, key=lambda c: (c.doc_id, c.position)):
        by_doc.setdefault(c.doc_id, []).append(c)
    for doc_id, doc_chunks in by_doc.items():
        meta = docs[doc_id]
        if fold(meta.type).startswith("to trinh"):
            continue  # a submission proposes; it assigns nothing
        law = fold(meta.type).startswith(("luat", "nghi dinh", "thong tu"))
        titles = _titles(doc_chunks)
        lead: tuple[str, list[str]] | None = None  # (section, actors) of a lead-in whose items follow
        for line, c in _lines(doc_chunks):
            if c.section in ("Phần mở đầu", "Nơi nhận, người ký"):
                continue
            fields = row_fields(line)
            task, lead_agency, partners, _ = row_task(fields)
            if task and lead_agency:  # a table row: "Nội dung: ...; Cơ quan chủ trì: ...; Cơ quan phối hợp: ..."
                lead_role = "chủ trì" if any("chu tri" in k for k in fields) else "thực hiện"  # else a procedure step
                for agency, role in [(lead_agency, lead_role), *((p, "phối hợp") for p in partners)]:
                    rows.append(Duty(agency=agency, sector=sector_of(agency), duty=task, role=role, doc_id=doc_id,
                                     doc_label=meta.label, section=c.section, chunk_id=c.id))
                continue
            text = strip_editorial(line.replace("**", "")).strip()
            if not text or is_editorial(text):
                continue  # "[Ghi chú Pháp điển: ...]", "(được sửa đổi, bổ sung bởi ...)": notes, not duties
            if NOT_DUTY.match(NUMBER.sub("", text, count=1)):
                continue
            path = c.section.split(" > ")
            heading = path[-1].split(", khoản")[0]
            context = law or bool(c.agency) or any(DUTY_CONTEXT.search(fold(p)) for p in path) or meta.type == "Công văn"
            own = split_actors(trim(c.agency)) if c.agency else from_title(heading) if law else []
            if lead and not (c.section.startswith(lead[0]) and (ITEM.match(line) or not is_marker(line))):
                lead = None
            item = bool(lead and ITEM.match(line))
            for sent in _sentences(text):
                actors = lead[1] if item else own
                m = BULLET_AGENCY.match(sent)
                subject, _ = ("", sent) if item else subject_of(sent, strong_only=not context)
                named = RESPONSIBLE.match(NUMBER.sub("", sent, count=1))
                if m and is_actor(m.group(1)) and not item:  # "- Hội Liên hiệp phụ nữ ...: tuyên truyền ..."
                    actors, sent = [m.group(1).strip()], m.group(2)
                elif named:  # "4. Trách nhiệm của cơ quan công an"
                    actors = split_actors(named.group(1))
                elif subject:
                    actors = split_actors(subject)
                if re.search(r"co quyen sau|co quyen:", fold(sent)):  # rights, not duties
                    lead = (c.section, [])
                    continue
                if sent.rstrip().endswith(":") or named:
                    # "... có trách nhiệm sau đây:" hands the duties to its items; "... gồm:" lists
                    # what the duty covers, so the lead-in is the duty and its items are not
                    duties_follow = bool(named or re.search(r"(sau day|sau|nhu sau|trach nhiem):?$", fold(sent.rstrip())))
                    lead = (c.section, actors if duties_follow else [])
                    if duties_follow:
                        continue
                duty = squash(NUMBER.sub("", sent, count=1)).strip()
                head = re.match(r"^([^:]{3,300}):\s*(?=\S)", duty)
                if head and is_actor(head.group(1)) and not item:  # "4. Công an thành phố: Chủ trì, ..."
                    duty = duty[head.end():]
                if len(duty) < 12 or not actors:
                    continue
                for agency in actors:
                    rows.append(Duty(agency=agency, sector=sector_of(agency), duty=duty, role=role_of(duty, heading),
                                     doc_id=doc_id, doc_label=meta.label, section=c.section, chunk_id=c.id,
                                     refs=_refs(duty, titles)))
    return rows


def filter_duties(rows: list[Duty], agency: str = "", sector: str = "", doc: str = "") -> list[Duty]:
    """Keep rows whose agency contains `agency`, whose sector starts with `sector` (both
    compared without diacritics) and that come from document `doc`."""
    out = rows
    if agency:
        out = [r for r in out if fold(agency) in fold(r.agency)]
    if sector:
        out = [r for r in out if fold(r.sector).startswith(fold(sector)) or fold(sector) in fold(r.sector)]
    if doc:
        out = [r for r in out if r.doc_id == doc]
    return out
