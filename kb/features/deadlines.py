"""Dates and time limits with who must act, what and for whom: immediate ("thông báo ngay"),
periodic ("định kỳ 06 tháng", "hằng quý", "hằng năm"), dated ("trước ngày 05/6/2025") and
durations ("trong thời hạn 02 ngày làm việc", "không quá 12 giờ"). The actor comes from the
responsibility matrix (the same subject splitting and lead-ins). Pure; `to_ics` writes the dated
ones as an RFC 5545 calendar."""
from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass
from datetime import date, datetime, timezone

from kb.features.duties import Duty, extract_duties
from kb.records import Chunk, DocMeta
from kb.ingest.tables import row_fields, row_task
from kb.text import fold, is_editorial, squash, strip_editorial

BEFORE = re.compile(r"trước ngày\s+(\d{1,2})/(\d{1,2})(?:/(\d{4}))?")
DURATION = re.compile(r"(không quá|trong thời hạn|chậm nhất(?: là)?|trong vòng|thời gian giải quyết:?)\s+(\d+)\s+"
                      r"(giờ|ngày làm việc|ngày|tháng)",
                      re.IGNORECASE)
IMMEDIATE = re.compile(r"(?<=\s)ngay(?: lập tức)?(?=[\s,;.])(?! cả| tại| sau| khi| trong| từ)")
PERIODIC = re.compile(r"(?:định kỳ(?: (?:hằng|hàng) (?:năm|quý|tháng)| \d+ tháng)?|(?:hằng|hàng) (?:năm|quý|tháng))"
                      r"(?:(?: hoặc|,) đột xuất)?", re.IGNORECASE)
# "ngân sách hàng năm", "khám sức khỏe định kỳ", "tháng 6 hàng năm": a noun's attribute, not a time limit.
ATTRIBUTE = re.compile(r"(ngan sach|du toan|du toan chi|ke hoach|chuong trinh|trung han va|suc khoe|lam viec|thang \d+)"
                       r"(?: [^\s,;]+){0,4}\s*$")
RECIPIENT = re.compile(r"(?:gửi(?: về)?|về|cho|trình|đến|báo cáo)\s+((?:Ủy ban|UBND|Tỉnh Đoàn|Sở|Phòng|Bộ|Quốc hội|Hội đồng|"
                       r"Chính phủ|Tổng đài|cơ quan|Chủ tịch|Ban)[^,;.()]{0,80})")

ROW_TIME = re.compile(r"\d+(?:,\d+)?\s*(giờ|ngày|tháng)|trước ngày|\d{1,2}/\d{4}", re.IGNORECASE)


@dataclass(frozen=True)
class Deadline:
    obligation: str  # the clause that says what must be done
    when: str  # as written: "trước ngày 05/6/2025", "không quá 12 giờ", "ngay"
    kind: str  # immediate | periodic | annual | date | duration
    iso_date: str  # YYYY-MM-DD for dated ones, --MM-DD for yearly ones, "" otherwise
    agency: str  # who must act, as written, "; " between bodies ("" when the text names no one)
    recipient: str  # to whom, when the text says
    doc_id: str
    doc_label: str
    section: str
    chunk_id: str
    until: str = ""  # last day of the plan's period (YYYY-MM-DD), where yearly dates stop
    since: str = ""  # first year of the plan's period, where undated yearly dates start
    note: str = ""  # a maintainer's note (kb/ingest/notes.py)

    @property
    def uid(self) -> str:
        """Stable whatever the filter or the order: derived from what the row says."""
        key = "|".join((self.doc_id, self.section, self.when, self.obligation))
        return hashlib.sha1(key.encode("utf-8")).hexdigest()[:20] + "@kb"

    def to_dict(self) -> dict:
        return asdict(self)


def period_end(period: str) -> str:
    """'2020-2025' -> '2025-12-31', '2025' -> '2025-12-31'; '' for an open period ('từ 01/06/2017')."""
    years = re.findall(r"\b(20\d\d)\b", period)
    return f"{years[-1]}-12-31" if years and not fold(period).startswith("tu ") else ""


def _clauses(text: str) -> list[str]:
    """Parts of a sentence split at ';', and within a part before each extra 'trước ngày'."""
    out = []
    for part in re.split(r";\s*", text):
        start = 0
        for m in list(BEFORE.finditer(part))[:-1]:
            out.append(part[start:m.end()].strip(" ,"))
            start = m.end()
        out.append(part[start:].strip(" ,"))
    return [o for o in out if o]


def _times(clause: str, has_actor: bool) -> list[tuple[str, str, str]]:
    """(when, kind, iso) found in one clause."""
    found = []
    periodic = [m for m in PERIODIC.finditer(clause) if not ATTRIBUTE.search(fold(clause[:m.start()]))]
    for m in BEFORE.finditer(clause):
        d, mo, y = m.groups()
        lead = f"{periodic[0].group(0)}, " if periodic else ""
        found.append((lead + m.group(0), "date" if y else "annual",
                      f"{y}-{int(mo):02d}-{int(d):02d}" if y else f"--{int(mo):02d}-{int(d):02d}"))
    if not found and periodic and has_actor:
        when = periodic[0].group(0)
        found.append((when, "annual" if "năm" in when.lower() else "periodic", ""))
    for m in DURATION.finditer(clause):
        if has_actor or m.group(3) != "tháng":  # "ảnh chụp không quá 06 tháng" is not a time limit
            found.append((m.group(0), "duration", ""))
    if has_actor:
        found += [(m.group(0), "immediate", "") for m in IMMEDIATE.finditer(clause)]
    return found


def extract_deadlines(chunks: list[Chunk], docs: dict[str, DocMeta], duties: list[Duty] | None = None) -> list[Deadline]:
    duties = extract_duties(chunks, docs) if duties is None else duties
    actors: dict[tuple[str, str], list[str]] = {}  # (chunk id, duty) -> the bodies it obliges
    for d in duties:
        actors.setdefault((d.chunk_id, d.duty), []).append(d.agency)
    by_chunk: dict[str, list[tuple[str, str]]] = {}
    for (chunk_id, duty), names in actors.items():
        by_chunk.setdefault(chunk_id, []).append((duty, "; ".join(dict.fromkeys(names))))
    rows: list[Deadline] = []
    for c in sorted(chunks, key=lambda c: (c.doc_id, c.position)):
        meta = docs[c.doc_id]
        if fold(meta.type).startswith("to trinh"):
            continue
        for line in c.text.split("\n"):  # a task or procedure-step row: its time column is the deadline
            task, lead, _, when = row_task(row_fields(line))
            if task and ROW_TIME.search(when):
                m = BEFORE.search(when.replace("Trước", "trước"))
                kind, iso = ("duration", "")
                if m and m.group(3):
                    kind, iso = "date", f"{m.group(3)}-{int(m.group(2)):02d}-{int(m.group(1)):02d}"
                rows.append(Deadline(obligation=squash(task), when=when, kind=kind, iso_date=iso,
                                     agency=lead or c.agency, recipient="", doc_id=c.doc_id, doc_label=meta.label,
                                     section=c.section, chunk_id=c.id))
        units = list(by_chunk.get(c.id, []))
        covered = " ".join(u for u, _ in units)
        units += [(s, "") for s in re.split(r"(?<=[.;])\s+|\n", strip_editorial(c.text))
                  if s.strip() and s.strip(" -") not in covered and not row_fields(s)]
        for text, agency in units:
            if is_editorial(text):
                continue
            recipient = (RECIPIENT.search(text) or [None, ""])[1].strip()
            for clause in _clauses(text):
                for when, kind, iso in _times(clause, bool(agency)):
                    rows.append(Deadline(
                        obligation=squash(re.sub(r"^\d+\.\s*", "", clause)), when=when, kind=kind, iso_date=iso,
                        agency=agency, recipient=recipient, doc_id=c.doc_id, doc_label=meta.label, section=c.section,
                        chunk_id=c.id, until=period_end(meta.period) if kind == "annual" else "",
                        since=(re.findall(r"\b(20\d\d)\b", f"{meta.period} {meta.date}") or [""])[0]))
    return rows


def summary(text: str, limit: int = 120) -> str:
    """At most `limit` characters, cut at a word boundary."""
    if len(text) <= limit:
        return text
    return text[:limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"


def to_ics(rows: list[Deadline], year: int | None = None, stamp: datetime | None = None) -> bytes:
    """An iCalendar (RFC 5545) file of the dated deadlines; yearly ones repeat until the end of
    their plan's period. `year` places undated yearly ones (default: the plan's first year)."""
    try:
        from icalendar import Calendar, Event
    except ImportError:
        from kb.errors import DependencyError
        raise DependencyError("the .ics export needs icalendar: pip install icalendar") from None
    stamp = stamp or datetime.now(timezone.utc).replace(microsecond=0)
    cal = Calendar()
    cal.add("prodid", "-//kb//child-protection deadlines//VI")
    cal.add("version", "2.0")
    for r in rows:
        if r.kind == "date":
            day = date.fromisoformat(r.iso_date)
        elif r.kind == "annual" and r.iso_date:
            month, dd = map(int, r.iso_date[2:].split("-"))
            first = year or int(r.since or date.today().year)
            day = date(first, month, dd)
        else:
            continue
        ev = Event()
        ev.add("uid", r.uid)
        ev.add("dtstamp", stamp)
        ev.add("summary", summary(f"{r.agency}: {r.obligation}" if r.agency else r.obligation))
        to = f"\nGửi: {r.recipient}" if r.recipient else ""
        note = f"\n{r.note}" if r.note else ""
        ev.add("description", f"{r.obligation}\n{r.when}{to}{note}\n\n{r.doc_label} — {r.section}")
        ev.add("dtstart", day)
        if r.kind == "annual":
            rule = {"freq": "yearly"}
            if r.until:
                rule["until"] = date.fromisoformat(r.until)
            ev.add("rrule", rule)
        cal.add_component(ev)
    return cal.to_ical()
