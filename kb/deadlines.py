"""Dates and deadlines with their obligation: "báo cáo 6 tháng trước ngày 05/6/2025",
"định kỳ hằng năm ... trước ngày 15/11", "không quá 12 giờ", "trong thời hạn 02 ngày làm việc".
Pure; `to_ics` writes the dated ones as calendar events."""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import date

from .records import Chunk, DocMeta
from .tables import row_fields, row_task
from .text import is_editorial, squash, strip_editorial

BEFORE = re.compile(r"trước ngày\s+(\d{1,2})/(\d{1,2})(?:/(\d{4}))?")
DURATION = re.compile(r"(không quá|trong thời hạn|chậm nhất(?: là)?|trong vòng|thời hạn|thời gian giải quyết:?)\s+(\d+)\s+"
                      r"(giờ|ngày làm việc|ngày|tháng)", re.IGNORECASE)

ROW_TIME = re.compile(r"\d+(?:,\d+)?\s*(giờ|ngày|tháng)|trước ngày|\d{1,2}/\d{4}", re.IGNORECASE)


@dataclass(frozen=True)
class Deadline:
    obligation: str  # the clause that says what must be done
    when: str  # as written: "trước ngày 05/6/2025", "không quá 12 giờ"
    kind: str  # date | annual | duration
    iso_date: str  # YYYY-MM-DD for dated ones, "" otherwise
    agency: str
    doc_id: str
    doc_label: str
    section: str
    chunk_id: str

    def to_dict(self) -> dict:
        return asdict(self)


def _clauses(text: str) -> list[str]:
    """Sentences, and within a sentence the comma-separated clauses that carry their own date."""
    out = []
    for sent in re.split(r"(?<=[.;])\s+|\n", text):
        sent = sent.strip(" -")
        if not sent:
            continue
        if len(BEFORE.findall(sent)) > 1:  # "báo cáo 6 tháng trước ngày X, báo cáo năm trước ngày Y"
            start = 0
            for m in BEFORE.finditer(sent):
                out.append(sent[start:m.end()].strip(" ,"))
                start = m.end()
        else:
            out.append(sent)
    return out


def extract_deadlines(chunks: list[Chunk], docs: dict[str, DocMeta]) -> list[Deadline]:
    rows: list[Deadline] = []
    for c in sorted(chunks, key=lambda c: (c.doc_id, c.position)):
        meta = docs[c.doc_id]
        for line in c.text.split("\n"):  # a task or step row: its time column is the deadline
            task, lead, _, when = row_task(row_fields(line))
            if task and ROW_TIME.search(when):
                m = BEFORE.search(when.replace("Trước", "trước"))
                kind, iso = ("duration", "")
                if m and m.group(3):
                    kind, iso = "date", f"{m.group(3)}-{int(m.group(2)):02d}-{int(m.group(1)):02d}"
                rows.append(Deadline(obligation=squash(task), when=when, kind=kind, iso_date=iso,
                                     agency=lead or c.agency, doc_id=c.doc_id, doc_label=meta.label,
                                     section=c.section, chunk_id=c.id))
        for clause in _clauses(strip_editorial(c.text)):
            if row_fields(clause):
                continue
            if is_editorial(clause):
                continue
            found = []
            for m in BEFORE.finditer(clause):
                d, mo, y = m.groups()
                if y:
                    found.append((m.group(0), "date", f"{y}-{int(mo):02d}-{int(d):02d}"))
                else:
                    found.append((m.group(0), "annual", f"--{int(mo):02d}-{int(d):02d}"))
            for m in DURATION.finditer(clause):
                found.append((m.group(0), "duration", ""))
            for when, kind, iso in found:
                rows.append(Deadline(obligation=squash(re.sub(r"^\d+\.\s*", "", clause)), when=when, kind=kind,
                                     iso_date=iso, agency=c.agency, doc_id=c.doc_id, doc_label=meta.label,
                                     section=c.section, chunk_id=c.id))
    return rows


def to_ics(rows: list[Deadline], year: int | None = None) -> bytes:
    """An iCalendar file of the dated deadlines (annual ones repeat every year)."""
    try:
        from icalendar import Calendar, Event
    except ImportError:
        from .errors import DependencyError
        raise DependencyError("the .ics export needs icalendar: pip install icalendar") from None
    cal = Calendar()
    cal.add("prodid", "-//kb//child-protection deadlines//VI")
    cal.add("version", "2.0")
    for n, r in enumerate(rows):
        if r.kind == "date":
            day = date.fromisoformat(r.iso_date)
        elif r.kind == "annual":
            month, dd = map(int, r.iso_date[2:].split("-"))
            day = date(year or date.today().year, month, dd)
        else:
            continue
        ev = Event()
        ev.add("uid", f"{r.chunk_id}-{n}@kb")
        ev.add("summary", r.obligation[:120])
        ev.add("description", f"{r.obligation}\n\n{r.doc_label} — {r.section}")
        ev.add("dtstart", day)
        if r.kind == "annual":
            ev.add("rrule", {"freq": "yearly"})
        cal.add_component(ev)
    return cal.to_ical()
