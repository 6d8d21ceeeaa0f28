"""HTML for the web UI: citation cards, the emergency banner, the document view. Pure
functions (records in, escaped HTML out), so the app holds no formatting logic."""
from __future__ import annotations

import hashlib
import html
import re

from .answer import HOTLINE_EN, HOTLINE_VI
from .records import Answer, Chunk, DocMeta
from .text import fold

_TOKEN = re.compile(r"([^\W_]+)", re.UNICODE)


def anchor(chunk_id: str) -> str:
    """A DOM id for a passage (chunk ids contain ':')."""
    return "p-" + hashlib.sha1(chunk_id.encode("utf-8")).hexdigest()[:12]


def highlight(text: str, terms: set[str]) -> str:
    """Escape text and mark the words the question used (matched without diacritics)."""
    out = []
    for part in _TOKEN.split(text):
        if part and _TOKEN.fullmatch(part) and fold(part) in terms:
            out.append(f"<mark>{html.escape(part)}</mark>")
        else:
            out.append(html.escape(part))
    return "".join(out).replace("\n", "<br>")


def banner(answer: Answer | None) -> str:
    if not answer or not answer.urgent:
        return ""
    text = HOTLINE_EN if answer.lang == "en" else HOTLINE_VI
    return f'<div class="kb-banner" role="alert">{html.escape(text)} <a href="tel:111">111</a></div>'


def citation_cards(answer: Answer | None, terms: set[str], limit: int = 5) -> str:
    """One card per citation; each opens the document at its passage."""
    if not answer or not answer.citations:
        return ""
    en = answer.lang == "en"
    title = (("Related passages (not an answer)" if en else "Đoạn liên quan (không phải câu trả lời)")
             if answer.abstained else ("Sources" if en else "Nguồn trích dẫn"))
    cards = []
    for n, cite in enumerate(answer.citations[:limit], 1):
        cid = cite.chunk_id
        number = f"Số {html.escape(cite.number)}" if re.search(r"\d", cite.number) else ""
        date = f"ngày {html.escape(cite.date)}" if cite.date else ""
        scan = "văn bản quét (OCR)" if cite.ocr_confidence is not None else ""
        meta = " · ".join(x for x in (number, date, scan, html.escape(cite.validity)) if x)
        quote = cite.text if len(cite.text) <= 700 else cite.text[:700].rsplit(" ", 1)[0] + " …"
        cards.append(
            f'<div class="kb-card" data-doc="{html.escape(cite.doc_id)}">'
            f'<div class="kb-card-head"><span class="kb-n">[{n}]</span> <b>{html.escape(cite.title)}</b></div>'
            f'<div class="kb-card-meta">{meta}</div>'
            f'<div class="kb-card-section">{html.escape(cite.where)}</div>'
            f'<blockquote>{highlight(quote, terms)}</blockquote>'
            f'{_open_link(cid, "Open the document here →" if en else "Mở văn bản tại đoạn này →")}</div>')
    return f'<div class="kb-cards"><div class="kb-cards-title">{title}</div>{"".join(cards)}</div>'


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
                parts.append(f'<h4>{html.escape(c.section)}</h4>')
                last = c.section
            parts.append(f'<div class="kb-passage" id="{anchor(c.id)}">{highlight(c.text, set())}</div>')
        parts.append("</section>")
    return f'<div class="kb-docs">{"".join(parts)}</div>'


CSS = """
.kb-banner {background:#b00020;color:#fff;padding:14px 18px;border-radius:8px;font-size:1.1em;font-weight:600}
.kb-banner a {color:#fff;text-decoration:underline}
.kb-cards-title {font-weight:600;margin:6px 0}
.kb-card {border:1px solid #ddd;border-radius:8px;padding:10px 12px;margin:8px 0;background:#fafafa}
.kb-card-meta, .kb-card-section {color:#555;font-size:.9em}
.kb-card blockquote {margin:6px 0;padding-left:10px;border-left:3px solid #3b82f6}
.kb-card mark, .kb-passage mark {background:#fde68a}
.kb-docs {max-height:75vh;overflow:auto}
.kb-passage {padding:4px 6px;margin:4px 0;border-radius:4px}
.kb-passage.kb-hl {background:#fef3c7;outline:2px solid #f59e0b}
.kb-table {border-collapse:collapse;width:100%;font-size:.92em}
.kb-table th, .kb-table td {border:1px solid #ddd;padding:4px 6px;vertical-align:top;text-align:left}
"""

# Clicking a card opens the "Văn bản" tab and scrolls to the passage (the tab renders lazily).
HEAD = """<script>
document.addEventListener('click', function (e) {
  const link = e.target.closest && e.target.closest('a.kb-open');
  if (!link) return;
  e.preventDefault();
  const target = link.dataset.target;
  const tab = document.getElementById('docs-tab-button') ||
    [...document.querySelectorAll('button[role="tab"]')].find(b => /Văn bản|Documents/.test(b.textContent));
  if (tab) tab.click();
  let tries = 0;
  const show = () => {
    const el = document.getElementById(target);
    if (!el) { if (tries++ < 50) setTimeout(show, 100); return; }
    document.querySelectorAll('.kb-passage.kb-hl').forEach(p => p.classList.remove('kb-hl'));
    el.classList.add('kb-hl');
    el.scrollIntoView({block: 'center'});
  };
  show();
});
</script>"""


def _open_link(chunk_id: str, label: str) -> str:
    return f'<a class="kb-open" href="#{anchor(chunk_id)}" data-target="{anchor(chunk_id)}">{html.escape(label)}</a>'


def duties_table(rows) -> str:
    """The responsibility matrix as an HTML table; each row opens its source passage."""
    if not rows:
        return "<p>—</p>"
    body = "".join(
        f"<tr><td>{html.escape(r.sector)}</td><td>{html.escape(r.agency)}</td><td>{html.escape(r.role)}</td>"
        f"<td>{html.escape(r.duty)}{_refs(r)}</td><td>{_open_link(r.chunk_id, r.doc_label)}<br>"
        f"<small>{html.escape(r.section)}</small></td></tr>" for r in rows)
    return ('<table class="kb-table"><thead><tr><th>Lĩnh vực</th><th>Cơ quan</th><th>Vai trò</th>'
            f'<th>Nhiệm vụ</th><th>Nguồn</th></tr></thead><tbody>{body}</tbody></table>')


def _refs(row) -> str:
    """'Mục 6 Phần II' resolved to its title, under the duty."""
    extra = [x for x in (getattr(row, "refs", ""), getattr(row, "note", "")) if x]
    return "".join(f"<br><small>{html.escape(x)}</small>" for x in extra)


def deadlines_table(rows) -> str:
    if not rows:
        return "<p>—</p>"
    body = "".join(
        f"<tr><td><b>{html.escape(r.when)}</b></td><td>{html.escape(r.agency) or '—'}</td>"
        f"<td>{html.escape(r.obligation)}{_refs(r)}"
        f"{'<br><small>→ ' + html.escape(r.recipient) + '</small>' if r.recipient else ''}</td>"
        f"<td>{_open_link(r.chunk_id, r.doc_label)}<br><small>{html.escape(r.section)}</small></td></tr>"
        for r in rows)
    return ('<table class="kb-table"><thead><tr><th>Thời hạn</th><th>Ai</th><th>Việc phải làm</th><th>Nguồn</th></tr>'
            f'</thead><tbody>{body}</tbody></table>')
