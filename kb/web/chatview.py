"""The chat as HTML: the user's words exactly as typed, the answer's own text with clickable [n]
markers, the passages they open, and starter questions while the chat is empty. Pure functions;
the app only keeps the turns."""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Callable

from kb.records import Answer, DocMeta
from kb.web.render import Marks, question_marks, source_panel
from kb.text import fold
from kb.web.uitext import STARTERS, TEXT

# compose() ends an answer with a blank line, one of these headings and the sources, which the
# cards and the passage panel show instead
SOURCE_HEADINGS = ("Nguồn:", "Sources:", "Đoạn liên quan:", "Related passages:")
_MARKER = re.compile(r"\[(\d{1,2})\]")


@dataclass(frozen=True)
class Turn:
    id: str  # unique per answer: the DOM ids of its passages and the key of its rating
    question: str
    answer: Answer | None = None
    shown: int | None = None  # characters of the answer shown so far while it streams in
    note: str = ""  # said before the answer (a filter widened to a locality the question names)


def answer_body(answer: Answer) -> str:
    """The answer's own text: what compose() writes before the list of sources."""
    lines = answer.text.split("\n")
    for i in range(len(lines) - 1):
        if not lines[i].strip() and lines[i + 1].strip() in SOURCE_HEADINGS:
            return "\n".join(lines[:i]).strip()
    return answer.text.strip()


def panel_id(turn_id: str, n: int) -> str:
    return f"src-{turn_id}-{n}"


def with_markers(text: str, turn_id: str, count: int, lang: str = "vi") -> str:
    """Escaped text whose [n] markers (n up to `count`) open passage n."""
    label = TEXT[lang]["marker"]

    def button(m: re.Match) -> str:
        n = int(m.group(1))
        if not 1 <= n <= count:
            return m.group(0)
        return (f'<button type="button" class="kb-cite" data-src="{panel_id(turn_id, n)}" '
                f'aria-label="{html.escape(label.format(n=n))}">[{n}]</button>')

    return _MARKER.sub(button, html.escape(text)).replace("\n", "<br>")


def starters(lang: str = "vi") -> str:
    """Example questions for each audience, inside the empty chat; one tap sends one."""
    groups = []
    for audience, questions in STARTERS[lang]:
        buttons = "".join(f'<button type="button" class="kb-starter" data-q="{html.escape(q)}">{html.escape(q)}</button>'
                          for q in questions)
        groups.append(f'<div class="kb-starter-group" role="group" aria-label="{html.escape(audience)}">'
                      f'<h2>{html.escape(audience)}</h2>{buttons}</div>')
    return f'<div class="kb-empty"><p>{html.escape(TEXT[lang]["start"])}</p>{"".join(groups)}</div>'


def transcript(turns: list[Turn], lang: str, docs: dict[str, DocMeta],
               around: Callable[[str], tuple[str, str]] = lambda cid: ("", ""), limit: int = 5) -> str:
    """The whole chat; the starters when it is empty."""
    if not turns:
        return f'<div class="kb-chat">{starters(lang)}</div>'
    t = TEXT[lang]
    parts = []
    for turn in turns:
        parts.append(f'<div class="kb-turn" data-turn="{turn.id}">'
                     f'<div class="kb-msg kb-user"><span class="kb-who">{t["you"]}</span>'
                     f'<div class="kb-user-text">{html.escape(turn.question)}</div></div>')
        if turn.answer is None:  # sent, not answered yet
            parts.append(f'<div class="kb-msg kb-bot kb-pending" id="a-{turn.id}" tabindex="-1" aria-busy="true">'
                         f'<span class="kb-who">{t["bot"]}</span><div class="kb-answer">{t["wait"]}</div></div>')
        else:
            a = turn.answer
            body = answer_body(a)
            count = min(len(a.citations), limit)
            text = body if turn.shown is None else body[:turn.shown]
            note = f'<p class="kb-note">{html.escape(turn.note)}</p>' if turn.note else ""
            panels = "" if turn.shown is not None else sources(turn, docs, around, limit)
            parts.append(f'<div class="kb-msg kb-bot" id="a-{turn.id}" tabindex="-1" lang="{a.lang}">'
                         f'<span class="kb-who">{t["bot"]}</span>{note}'
                         f'<div class="kb-answer">{with_markers(text, turn.id, count, lang)}</div>{panels}</div>')
        parts.append("</div>")
    return f'<div class="kb-chat">{"".join(parts)}</div>'


def sources(turn: Turn, docs: dict[str, DocMeta], around: Callable[[str], tuple[str, str]],
            limit: int = 5) -> str:
    """The hidden passages of one answer, opened by its markers and cards."""
    a = turn.answer
    if a is None:
        return ""
    marks: Marks = question_marks(a.question, a.lang)
    return "".join(source_panel(panel_id(turn.id, n), n, c, docs.get(c.doc_id), marks, *around(c.chunk_id),
                                en=a.lang == "en")
                   for n, c in enumerate(a.citations[:limit], 1))


def widen_filter(question: str, doc_ids: list[str], docs: dict[str, DocMeta]) -> tuple[list[str], list[str]]:
    """A filter that leaves out the documents of a locality the question names gets them added:
    (documents to search, the places added)."""
    if not doc_ids:
        return doc_ids, []
    asked = _spaced(question)
    added, places = list(doc_ids), []
    for doc in docs.values():
        place = doc.locality
        if doc.id in doc_ids or not place or fold(place) in ("toan quoc", "viet nam"):
            continue
        if _spaced(place) in asked:
            added.append(doc.id)
            if place not in places:
                places.append(place)
    return added, places


def _spaced(text: str) -> str:
    """Folded words between single spaces, padded: whole-word containment is a substring test."""
    return " " + " ".join(re.findall(r"[^\W_]+", fold(text))) + " "
