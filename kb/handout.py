"""Training handouts built from the documents, every statement cited: key points (quoted),
who is responsible, hotlines, deadlines and a short multiple-choice quiz whose answer key
cites its source. Composition is pure; `to_docx` writes Word via python-docx."""
from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from .deadlines import Deadline
from .duties import Duty
from .intent import PHONE
from .records import Citation
from .text import fold, folded_words

AUDIENCES = {
    "teacher": ("giáo viên", "Dành cho giáo viên: nhận biết, báo tin và phối hợp khi trẻ có dấu hiệu bị bạo lực, xâm hại."),
    "cadre": ("cán bộ Đoàn, Hội, Đội", "Dành cho cán bộ Đoàn, Hội, Đội: tuyên truyền, hỗ trợ và kết nối trẻ em với dịch vụ bảo vệ."),
    "officer": ("cán bộ, công chức", "Dành cho cán bộ, công chức: ai chịu trách nhiệm việc gì, và thời hạn."),
}
NUMBER_FACT = re.compile(r"\b(\d+(?:[.,]\d+)?)\s*(%|giờ|ngày làm việc|ngày|tháng|tuổi|năm)")


@dataclass(frozen=True)
class QuizItem:
    question: str
    options: tuple[str, ...]
    answer: int  # index into options
    source: Citation


@dataclass
class Handout:
    title: str
    audience: str
    intro: str
    points: list[Citation] = field(default_factory=list)
    duties: list[Duty] = field(default_factory=list)
    hotlines: list[tuple[str, Citation]] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)
    quiz: list[QuizItem] = field(default_factory=list)


def _covers(text: str, terms: set[str], share: float = 0.5) -> bool:
    have = set(folded_words(text))
    return bool(terms) and len(terms & have) / len(terms) >= share


def number_quiz(cite: Citation, rng: random.Random) -> QuizItem | None:
    """'... trong thời hạn ____ ngày làm việc ...' with the right number and three near misses."""
    for sentence in re.split(r"(?<=[.;])\s+|\n", cite.text):
        m = NUMBER_FACT.search(sentence)
        if not m or len(sentence) > 320:
            continue
        value, unit = m.group(1), m.group(2)
        try:
            n = int(value)
        except ValueError:
            continue
        wrong = sorted({max(1, n // 2), n + 1 if n < 5 else n * 2, n + 2 if n < 10 else n + 10, n * 3} - {n})[:3]
        if len(wrong) < 3:
            continue
        width = len(value)
        options = [f"{n:0{width}d} {unit}"] + [f"{w:0{width}d} {unit}" for w in wrong]
        order = list(range(4))
        rng.shuffle(order)
        blanked = sentence[:m.start()] + "____" + sentence[m.end():]
        return QuizItem(question=f"Điền vào chỗ trống: “{blanked.strip(' -')}”", options=tuple(options[i] for i in order),
                        answer=order.index(0), source=cite)
    return None


def agency_quiz(duty: Duty, others: list[str], cite: Citation, rng: random.Random) -> QuizItem | None:
    wrong = [a for a in dict.fromkeys(others) if fold(a) != fold(duty.agency)][:3]
    if len(wrong) < 3 or fold(duty.agency)[:20] in fold(duty.duty):  # the duty must not give the answer away
        return None
    options = [duty.agency] + wrong
    order = list(range(4))
    rng.shuffle(order)
    return QuizItem(question=f"Theo {duty.doc_label}, cơ quan nào có nhiệm vụ: “{duty.duty[:220]}”?",
                    options=tuple(options[i] for i in order), answer=order.index(0), source=cite)


def compose_handout(topic: str, audience: str, citations: list[Citation], duties: list[Duty],
                    deadlines: list[Deadline], passages: dict[str, Citation], seed: int = 7) -> Handout:
    """A handout on `topic` from its best passages (`citations`) and the matrix rows; `passages`
    maps chunk ids to citations so every duty and deadline can be cited too."""
    who, intro = AUDIENCES.get(audience, AUDIENCES["teacher"])
    terms = {t for t in folded_words(topic) if len(t) > 1}
    rng = random.Random(seed)
    h = Handout(title=f"Tài liệu tập huấn: {topic}", audience=who, intro=intro)
    h.points = citations[:6]
    h.duties = [d for d in duties if _covers(d.duty, terms)][:12]
    h.deadlines = [d for d in deadlines if _covers(d.obligation, terms, 0.3)
                   or any(d.chunk_id == c.chunk_id for c in h.points)][:8]
    seen = set()
    for cite in list(passages.values()):
        for m in PHONE.finditer(cite.text):
            number = re.sub(r"[^\d.]", "", m.group(0)).strip(".")
            if number and number not in seen and re.search(r"tổng đài|đường dây|điện thoại", cite.text, re.I):
                seen.add(number)
                h.hotlines.append((number, cite))
    h.hotlines.sort(key=lambda x: (x[0] != "111", x[0]))
    h.hotlines = h.hotlines[:4]
    for cite in h.points:
        if len(h.quiz) >= 3:
            break
        if item := number_quiz(cite, rng):
            h.quiz.append(item)
    for duty in h.duties:
        if len(h.quiz) >= 5:
            break
        same_doc = [d.agency for d in duties if d.doc_id == duty.doc_id]
        if duty.chunk_id in passages and (item := agency_quiz(duty, same_doc, passages[duty.chunk_id], rng)):
            h.quiz.append(item)
    return h


def _ref(c: Citation) -> str:
    number = f" số {c.number}" if any(ch.isdigit() for ch in c.number) else ""
    return f"{c.title}{number}{', ' + c.date if c.date else ''} — {c.section}"


def to_markdown(h: Handout) -> str:
    out = [f"# {h.title}", "", f"*{h.intro}*", "", "## Nội dung chính", ""]
    for n, c in enumerate(h.points, 1):
        out += [f"{n}. “{c.text}” [{n}]", ""]
    if h.duties:
        out += ["## Ai chịu trách nhiệm", "", "| Cơ quan | Vai trò | Nhiệm vụ | Nguồn |", "|---|---|---|---|"]
        out += [f"| {d.agency} | {d.role} | {d.duty} | {d.doc_label}, {d.section} |" for d in h.duties]
        out.append("")
    if h.hotlines:
        out += ["## Đường dây nóng", ""] + [f"- **{num}** — {_ref(c)}" for num, c in h.hotlines] + [""]
    if h.deadlines:
        out += ["## Thời hạn", ""] + [f"- **{d.when}**: {d.obligation} ({d.doc_label}, {d.section})"
                                      for d in h.deadlines] + [""]
    if h.quiz:
        out += ["## Câu hỏi ôn tập", ""]
        for n, q in enumerate(h.quiz, 1):
            out += [f"{n}. {q.question}"] + [f"   {'ABCD'[i]}. {o}" for i, o in enumerate(q.options)] + [""]
        out += ["### Đáp án", ""] + [f"{n}. {'ABCD'[q.answer]} — {_ref(q.source)}" for n, q in enumerate(h.quiz, 1)]
        out.append("")
    out += ["## Nguồn", ""] + [f"[{n}] {_ref(c)}" for n, c in enumerate(h.points, 1)]
    return "\n".join(out) + "\n"


def to_docx(h: Handout, path) -> None:
    try:
        import docx
    except ImportError:
        from .errors import DependencyError
        raise DependencyError("DOCX handouts need python-docx: pip install python-docx") from None
    d = docx.Document()
    d.add_heading(h.title, 0)
    d.add_paragraph(h.intro).italic = True
    d.add_heading("Nội dung chính", 1)
    for n, c in enumerate(h.points, 1):
        d.add_paragraph(f"“{c.text}” [{n}]", style="List Number")
    if h.duties:
        d.add_heading("Ai chịu trách nhiệm", 1)
        table = d.add_table(rows=1, cols=4)
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, ("Cơ quan", "Vai trò", "Nhiệm vụ", "Nguồn")):
            cell.text = text
        for duty in h.duties:
            for cell, text in zip(table.add_row().cells, (duty.agency, duty.role, duty.duty,
                                                          f"{duty.doc_label}, {duty.section}")):
                cell.text = text
    if h.hotlines:
        d.add_heading("Đường dây nóng", 1)
        for num, c in h.hotlines:
            d.add_paragraph(f"{num} — {_ref(c)}", style="List Bullet")
    if h.deadlines:
        d.add_heading("Thời hạn", 1)
        for dl in h.deadlines:
            d.add_paragraph(f"{dl.when}: {dl.obligation} ({dl.doc_label}, {dl.section})", style="List Bullet")
    if h.quiz:
        d.add_heading("Câu hỏi ôn tập", 1)
        for n, q in enumerate(h.quiz, 1):
            d.add_paragraph(f"{n}. {q.question}")
            for i, o in enumerate(q.options):
                d.add_paragraph(f"{'ABCD'[i]}. {o}")
        d.add_heading("Đáp án", 2)
        for n, q in enumerate(h.quiz, 1):
            d.add_paragraph(f"{n}. {'ABCD'[q.answer]} — {_ref(q.source)}")
    d.add_heading("Nguồn", 1)
    for n, c in enumerate(h.points, 1):
        d.add_paragraph(f"[{n}] {_ref(c)}")
    d.save(str(path))
