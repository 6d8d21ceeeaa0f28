"""A handout as Markdown, DOCX (python-docx) and a slide outline as PPTX (python-pptx)."""
from __future__ import annotations

from kb.features.handout import Handout
from kb.records import Citation

QUIZ_KIND = {"true_false": "Đúng/Sai", "scenario": "Tình huống", "deadline": "Thời hạn", "hotline": "Đường dây nóng"}


def _ref(c: Citation) -> str:
    number = f" số {c.number}" if any(ch.isdigit() for ch in c.number) else ""
    return f"{c.title}{number}{', ' + c.date if c.date else ''} — {c.section}"


def _short(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[:limit - 1].rsplit(" ", 1)[0] + "…"


def sections(h: Handout) -> list[tuple[str, list[str]]]:
    """The handout as (heading, lines) in reading order; every format renders this."""
    if h.refusal:
        return [("Không soạn được tài liệu", [h.refusal])]
    out = [("Mục tiêu", list(h.objectives))]
    out.append(("Nội dung chính", [f"“{c.text}” [{n}]" + (f" {h.notes[c.chunk_id]}" if c.chunk_id in h.notes else "")
                                   for n, c in enumerate(h.points, 1)]))
    if h.today:
        out.append(("Việc cần làm ngay", [f"{text} — {_ref(c)}" for text, c in h.today]))
    if h.duties:
        out.append(("Ai làm gì", [f"{d.agency} ({d.role}): {d.duty} — {d.doc_label}, {d.section}"
                                  + (f" {d.note}" if d.note else "") for d in h.duties]))
    if h.deadlines:
        out.append(("Thời hạn", [f"{d.when} — {d.agency + ': ' if d.agency else ''}{d.obligation}"
                                 f"{' → ' + d.recipient if d.recipient else ''} ({d.doc_label}, {d.section})"
                                 for d in h.deadlines]))
    if h.hotlines:
        out.append(("Đường dây nóng", [f"{num} — {_ref(c)}" for num, c in h.hotlines]))
    if h.exercises:
        lines = []
        for n, ex in enumerate(h.exercises, 1):
            lines += [f"Bài tập {n}. {ex.situation}", f"Gợi ý trả lời: {ex.answer}"]
        out.append(("Bài tập tình huống", lines))
    if h.quiz:
        lines = []
        for n, q in enumerate(h.quiz, 1):
            lines.append(f"{n}. [{QUIZ_KIND[q.kind]}] {q.question}")
            lines += [f"   {'ABCD'[i]}. {o}" for i, o in enumerate(q.options)]
        out.append(("Câu hỏi ôn tập", lines))
        out.append(("Đáp án", [f"{n}. {'ABCD'[q.answer]} ({q.options[q.answer]}) — {_ref(q.source)}"
                               for n, q in enumerate(h.quiz, 1)]))
    out.append(("Nguồn", [f"[{n}] {_ref(c)}" for n, c in enumerate(h.points, 1)]))
    return out


def to_markdown(h: Handout) -> str:
    out = [f"# {h.title}", "", f"*{h.intro}*", ""]
    for heading, lines in sections(h):
        out += [f"## {heading}", ""]
        bullet = heading not in ("Câu hỏi ôn tập", "Bài tập tình huống")
        out += [f"- {line}" if bullet else line for line in lines] + [""]
    return "\n".join(out) + "\n"


def to_docx(h: Handout, path) -> None:
    try:
        import docx
    except ImportError:
        from kb.errors import DependencyError
        raise DependencyError("DOCX handouts need python-docx: pip install python-docx") from None
    d = docx.Document()
    d.add_heading(h.title, 0)
    d.add_paragraph(h.intro).italic = True
    for heading, lines in sections(h):
        d.add_heading(heading, 1)
        if heading == "Ai làm gì":
            table = d.add_table(rows=1, cols=4)
            table.style = "Table Grid"
            for cell, text in zip(table.rows[0].cells, ("Cơ quan", "Vai trò", "Nhiệm vụ", "Nguồn")):
                cell.text = text
            for duty in h.duties:
                note = f" {duty.note}" if duty.note else ""
                for cell, text in zip(table.add_row().cells, (duty.agency, duty.role, duty.duty + note,
                                                              f"{duty.doc_label}, {duty.section}")):
                    cell.text = text
            continue
        for line in lines:
            d.add_paragraph(line.strip(), style=None if heading in ("Câu hỏi ôn tập", "Bài tập tình huống")
                            else "List Bullet")
    d.save(str(path))


def to_pptx(h: Handout, path) -> None:
    """A slide outline: title, then one slide per section (long sections over several slides)."""
    try:
        from pptx import Presentation
        from pptx.util import Pt
    except ImportError:
        from kb.errors import DependencyError
        raise DependencyError("PPTX outlines need python-pptx: pip install python-pptx") from None
    prs = Presentation()
    first = prs.slides.add_slide(prs.slide_layouts[0])
    first.shapes.title.text = h.title
    first.placeholders[1].text = h.intro
    for heading, lines in sections(h):
        if heading in ("Nguồn", "Đáp án"):
            lines = [_short(line, 200) for line in lines]
        per = 4 if heading in ("Nội dung chính", "Ai làm gì", "Bài tập tình huống") else 6
        for start in range(0, max(len(lines), 1), per):
            slide = prs.slides.add_slide(prs.slide_layouts[1])
            slide.shapes.title.text = heading if start == 0 else f"{heading} (tiếp)"
            body = slide.placeholders[1].text_frame
            body.clear()
            for n, line in enumerate(lines[start:start + per]):
                para = body.paragraphs[0] if n == 0 else body.add_paragraph()
                para.text = _short(line.strip())
                para.font.size = Pt(16)
    prs.save(str(path))
