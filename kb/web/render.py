"""HTML for the web UI: highlighted passages, citation cards and the passages they open, the
emergency banner, the document view and the tables. Pure functions (records in, escaped HTML
out), so the app holds no formatting logic."""
from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass

from kb.answer.compose import HOTLINE_EN, HOTLINE_VI
from kb.records import Answer, Chunk, Citation, DocMeta
from kb.text import EN_STOPWORDS, VI_STOPWORDS, fold

_TOKEN = re.compile(r"([^\W_]+)", re.UNICODE)


def anchor(chunk_id: str) -> str:
    """A DOM id for a passage (chunk ids contain ':')."""
    return "p-" + hashlib.sha1(chunk_id.encode("utf-8")).hexdigest()[:12]


@dataclass(frozen=True)
class Marks:
    """What to highlight in a passage for one question: its adjacent word pairs (folded), so that
    phrases light up ("giám định pháp y") and lone syllables do not ("em", "Giám" in "Ban Giám
    hiệu"); numbers count on their own ("111", "16")."""

    pairs: frozenset[tuple[str, str]] = frozenset()
    numbers: frozenset[str] = frozenset()


def question_marks(question: str, lang: str = "vi") -> Marks:
    """The phrases of a question to highlight; English words through the glossary's Vietnamese."""
    words = _TOKEN.findall(fold(question))
    runs = [_TOKEN.findall(clause) for clause in re.split(r"[^\w\s]+", fold(question))]
    if lang == "en":
        from kb.search.glossary import translate_terms

        runs = [_TOKEN.findall(fold(vi)) for vi in translate_terms(words)[0]]
    stop = VI_STOPWORDS | EN_STOPWORDS  # "cho trẻ em", "em bị": a function word is not part of a phrase
    pairs = {(a, b) for run in runs for a, b in zip(run, run[1:]) if a not in stop and b not in stop}
    return Marks(frozenset(pairs), frozenset(w for w in words if any(ch.isdigit() for ch in w)))


def highlight(text: str, marks: Marks | None = None) -> str:
    """Escape text and mark the runs of two or more words that the question also has, in the
    same order (matched without diacritics), and the numbers it names."""
    parts = _TOKEN.split(text)  # even indexes: separators, odd: words
    words = parts[1::2]
    folded = [fold(w) for w in words]
    # joined[i]: words i and i+1 are a pair of the question, written with only space between
    joined = [bool(marks) and (folded[i], folded[i + 1]) in marks.pairs and parts[2 * i + 2].strip() == ""
              for i in range(len(words) - 1)]
    marked = [(i and joined[i - 1]) or (i < len(joined) and joined[i]) or bool(marks and w in marks.numbers)
              for i, w in enumerate(folded)]
    out = [html.escape(parts[0])]
    for i, word in enumerate(words):
        opens = marked[i] and not (i and joined[i - 1])
        closes = marked[i] and not (i < len(joined) and joined[i])
        out.append(("<mark>" if opens else "") + html.escape(word) + ("</mark>" if closes else "")
                   + html.escape(parts[2 * i + 2]))
    return "".join(out).replace("\n", "<br>")


def banner(answer: Answer | None) -> str:
    """The hotline banner for an urgent answer, with a call link that stays on screen on phones."""
    if not answer or not answer.urgent:
        return ""
    en = answer.lang == "en"
    text = HOTLINE_EN if en else HOTLINE_VI
    call = "Call 111" if en else "Gọi 111"
    return (f'<div class="kb-banner" role="alert">{html.escape(text)}</div>'
            f'<a class="kb-call" href="tel:111">{call}</a>')


def source_panel(panel_id: str, n: int, cite: Citation, meta: DocMeta | None, marks: Marks | None,
                 before: str = "", after: str = "", en: bool = False) -> str:
    """The passage a citation quotes, highlighted, under its document, section and validity, with
    the passages around it; hidden until its card or marker [n] opens it."""
    label = meta.label if meta else cite.title
    rows = [(("Document" if en else "Văn bản"), label)]
    if meta and meta.issuer:
        rows.append(("Issued by" if en else "Cơ quan ban hành", meta.issuer))
    if meta and meta.period:
        rows.append(("Applies" if en else "Thời gian áp dụng", meta.period))
    validity = cite.validity or (meta.validity if meta else "")
    if validity:  # a replaced document says so beside its passage
        rows.append(("Validity" if en else "Hiệu lực", validity))
    if cite.ocr_confidence is not None:
        rows.append(("Text" if en else "Văn bản gốc", "read from a scan (OCR)" if en else "bản quét, đọc bằng OCR"))
    rows.append(("Section" if en else "Mục", cite.where))
    info = "".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>" for k, v in rows)
    context = (lambda t: f'<div class="kb-context">{highlight(_clip(t, 400))}</div>' if t else "")
    link = _open_link(cite.chunk_id, "Open the whole document →" if en else "Xem toàn văn bản →")
    return (f'<div class="kb-src" id="{panel_id}" hidden><h3 class="kb-src-title">[{n}] {html.escape(cite.title)}</h3>'
            f'<dl class="kb-src-meta">{info}</dl>{context(before)}'
            f'<div class="kb-src-quote">{highlight(cite.text, marks)}</div>{context(after)}{link}</div>')


def citation_cards(answer: Answer | None, panel_prefix: str = "src", limit: int = 5) -> str:
    """One compact card per citation; a card opens its passage beside the chat (a sheet on phones)."""
    if not answer or not answer.citations:
        return ""
    en = answer.lang == "en"
    title = (("Related passages (not an answer)" if en else "Đoạn liên quan (không phải câu trả lời)")
             if answer.abstained else ("Sources" if en else "Nguồn trích dẫn"))
    cards = []
    for n, cite in enumerate(answer.citations[:limit], 1):
        number = f"Số {html.escape(cite.number)}" if re.search(r"\d", cite.number) else ""
        date = f"ngày {html.escape(_display_date(cite.date))}" if cite.date else ""
        scan = "văn bản quét (OCR)" if cite.ocr_confidence is not None else ""
        meta = " · ".join(x for x in (number, date, scan, html.escape(cite.validity)) if x)
        cards.append(
            f'<button type="button" class="kb-card" data-src="{panel_prefix}-{n}">'
            f'<span class="kb-card-head"><span class="kb-n">[{n}]</span> {html.escape(cite.title)}</span>'
            f'<span class="kb-card-meta">{meta}</span>'
            f'<span class="kb-card-section">{html.escape(cite.where)}</span>'
            f'<span class="kb-card-quote">“{html.escape(_clip(cite.text, 160))}”</span></button>')
    return f'<div class="kb-cards"><h2 class="kb-cards-title">{title}</h2>{"".join(cards)}</div>'


def document_view(chunks: list[Chunk], docs: dict[str, DocMeta]) -> str:
    """Every document, passage by passage under its headings, each passage addressable."""
    by_doc: dict[str, list[Chunk]] = {}
    for c in chunks:
        by_doc.setdefault(c.doc_id, []).append(c)
    parts = []
    for doc_id, items in by_doc.items():
        meta = docs[doc_id]
        parts.append(f'<section class="kb-doc" id="doc-{html.escape(doc_id)}">'
                     f'<h2>{html.escape(meta.title)}</h2><div class="kb-card-meta">{html.escape(meta.label)}'
                     f'{" · " + html.escape(meta.issuer) if meta.issuer else ""}</div>')
        last = None
        for c in sorted(items, key=lambda c: c.position):
            if c.section != last:
                parts.append(f'<h3 class="kb-doc-section">{html.escape(c.section)}</h3>')
                last = c.section
            parts.append(f'<div class="kb-passage" id="{anchor(c.id)}">{highlight(c.text)}</div>')
        parts.append("</section>")
    return f'<div class="kb-docs" tabindex="0" role="region" aria-label="Văn bản / Documents">{"".join(parts)}</div>'


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


def _display_date(date: str) -> str:
    parts = date.split("-")
    return "/".join(reversed(parts)) if len(parts) == 3 else date


def _open_link(chunk_id: str, label: str) -> str:
    return f'<a class="kb-open" href="#{anchor(chunk_id)}" data-target="{anchor(chunk_id)}">{html.escape(label)}</a>'


def duties_table(rows, en: bool = False) -> str:
    """The responsibility matrix as an HTML table; each row opens its source passage."""
    if not rows:
        return "<p>—</p>"
    heads = ("Sector", "Agency", "Role", "Duty", "Source") if en else ("Lĩnh vực", "Cơ quan", "Vai trò", "Nhiệm vụ", "Nguồn")
    body = "".join(
        f"<tr><td>{html.escape(r.sector)}</td><td>{html.escape(r.agency)}</td><td>{html.escape(r.role)}</td>"
        f"<td>{html.escape(r.duty)}{_refs(r)}</td><td>{_open_link(r.chunk_id, r.doc_label)}<br>"
        f"<small>{html.escape(r.section)}</small></td></tr>" for r in rows)
    return _table(heads, body, "Responsibilities" if en else "Trách nhiệm")


def _table(heads, body: str, label: str) -> str:
    """A table in a box that scrolls sideways when the screen is narrower than the table (a
    phone), instead of running off the page; the box takes keyboard focus to scroll."""
    return (f'<div class="kb-table-wrap" tabindex="0" role="region" aria-label="{html.escape(label)}">'
            f'<table class="kb-table"><thead><tr>{"".join(f"<th>{h}</th>" for h in heads)}</tr></thead>'
            f'<tbody>{body}</tbody></table></div>')


def _refs(row) -> str:
    """'Mục 6 Phần II' resolved to its title, under the duty."""
    extra = [x for x in (getattr(row, "refs", ""), getattr(row, "note", "")) if x]
    return "".join(f"<br><small>{html.escape(x)}</small>" for x in extra)


def deadlines_table(rows, en: bool = False) -> str:
    if not rows:
        return "<p>—</p>"
    heads = ("Deadline", "Who", "What must be done", "Source") if en else ("Thời hạn", "Ai", "Việc phải làm", "Nguồn")
    body = "".join(
        f"<tr><td><b>{html.escape(r.when)}</b></td><td>{html.escape(r.agency) or '—'}</td>"
        f"<td>{html.escape(r.obligation)}{_refs(r)}"
        f"{'<br><small>→ ' + html.escape(r.recipient) + '</small>' if r.recipient else ''}</td>"
        f"<td>{_open_link(r.chunk_id, r.doc_label)}<br><small>{html.escape(r.section)}</small></td></tr>"
        for r in rows)
    return _table(heads, body, "Deadlines" if en else "Hạn báo cáo")
