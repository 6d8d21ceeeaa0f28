"""Compose a grounded, extractive answer from retrieved passages (pure: no I/O, no model).

The first sentence answers directly (naming the agency, number or date when asked), the
passages follow as numbered quotes. When the evidence does not answer the question, say so
and show the closest passages as related, never as the answer. A message that signals a
child in danger always starts with the national hotline 111.
"""
from __future__ import annotations

import re

from kb.features.actors import english_name
from kb.search.intent import PHONE, RECIPIENT
from kb.answer.quote import best_sentence, choose, join_items
from kb.records import Answer, Citation, DocMeta, Hit
from kb.search.retrieve import Search
from kb.search.sentences import ITEM, items_of, labelled_items
from kb.text import folded_words, is_editorial
from kb.tuning import ANSWER, AnswerTuning

HOTLINE_VI = ("⚠️ Nếu một trẻ em đang gặp nguy hiểm hoặc bị bạo lực, xâm hại: gọi ngay Tổng đài "
              "quốc gia bảo vệ trẻ em 111 (miễn phí, 24/7); nếu trẻ đang bị đe dọa ngay lúc này, gọi Công an 113.")
HOTLINE_EN = ("⚠️ If a child is in danger or being abused: call the National Child Protection "
              "Hotline 111 now (free, 24/7); if the child is in immediate danger, call the police on 113.")



def enumeration(text: str) -> list[str]:
    """The top-level items a passage enumerates ("1. …", "a) …", "- …"): the marker kind of
    the first item decides which lines count; numbered items must run 1, 2, 3 … to be counted
    (a passage cut out of a longer list is not the whole list)."""
    lines = [l.strip() for l in text.split("\n") if l.strip()]
    kinds = [(i, ITEM.match(l)) for i, l in enumerate(lines)]
    first = next((m for _, m in kinds if m), None)
    if first is None:
        return []
    kind = 1 if first.group(1) else 2 if first.group(2) else 3
    items = [(m, lines[i]) for i, m in kinds if m and m.group(kind)]
    if kind == 1 and [int(m.group(1)) for m, _ in items] != list(range(1, len(items) + 1)):
        return []
    if kind == 2 and [m.group(2) for m, _ in items] != list("abcdđeghiklmnopqrstuvxy"[:len(items)]):
        return []
    return [line for _, line in items]


def count_answer(hit: Hit, search: Search, en: bool, tuning: AnswerTuning = ANSWER) -> tuple[str, str] | tuple[()]:
    """For "how many … are there" questions: the number of items the passage enumerates and
    the items, shortened: (lead, quote); () when the passage does not enumerate (then the
    sentence answers)."""
    if "count" not in search.intents or "statistic" in search.intents:
        return ()
    nouns = list(search.question.counted)  # read once with the question
    lead, labelled = labelled_items(hit.chunk.text, nouns)
    if len(labelled) >= 2:  # "Bước 1. …" … "Bước 5. …" for "gồm mấy bước": counted wherever they stand
        return ((f"{len(labelled)} items. " if en else f"Có {len(labelled)} mục. "),
                join_items(lead, labelled, tuning.item_chars, tuning.list_limit))
    if ", khoản" in hit.chunk.section:
        return ()  # a clause of a longer article: its items may be the article's, in part
    items = enumeration(hit.chunk.text)
    if len(items) < 2 or any(item.rstrip().endswith(":") for item in items):
        return ()  # clauses, one of which introduces a list of its own: not a list of things
    if not (all(len(item.split()) <= SHORT_ITEM for item in items)
            or introduces(hit.chunk, items[0], nouns)):
        return ()
    return ((f"{len(items)} items. " if en else f"Có {len(items)} mục. "),
            join_items("", items, tuning.item_chars, tuning.list_limit))


SHORT_ITEM = 30  # words: items this short are things listed, not clauses (set by hand on the corpus)
PLURAL = re.compile(r"(\bcac\b|\bnhung\b|\bgom\b|sau day|:\s*$)")


def introduces(chunk, first_item: str, nouns: list[str]) -> bool:
    """Whether the passage introduces its items as what the question counts: the section's own
    title when the items open the passage ("Điều 22. Nhiệm vụ của Tổng đài ..." for "how many
    tasks"), else the line before the first item, which must announce a list ("... bao gồm:")."""
    if not nouns:
        return False
    lines = [l.strip() for l in chunk.text.split("\n") if l.strip()]
    at = lines.index(first_item) if first_item in lines else 0
    intro = lines[at - 1] if at else chunk.section.split(" > ")[-1]
    folded = " ".join(folded_words(intro)) + (":" if intro.rstrip().endswith(":") else "")
    # a title over its items ("Nhiệm vụ của Tổng đài") names them; a line inside the text must
    # announce a list ("... gồm:", "các ... sau đây")
    return (not at or bool(PLURAL.search(folded))) and any(f" {n} " in f" {folded.rstrip(':')} " for n in nouns)


def list_quote(hit: Hit, search: Search, tuning: AnswerTuning = ANSWER) -> str:
    """For a question asking for a list: the list the best sentence belongs to (an item: its
    lead-in with its items) or leads into ("… gồm:", "… về: tên, tuổi;") with the lines that
    follow it; else the passage's first lead-in with its items ("1. …", "a) …", "- …"), each
    item shortened. "" when neither fits."""
    if "list" not in search.intents:
        return ""
    limit = tuning.list_limit
    lines, found, j, _ = choose(hit, search, tuning)
    lines = [l for l in lines if not is_editorial(l)]
    gather = lambda start, rest: join_items(lines[start] if start >= 0 else "", [lines[i] for i in rest], tuning.item_chars, limit)

    if len(hit.chunk.text) <= tuning.whole_chars or j < 0:
        best = " ".join(lines)
    else:
        unit = found[j]
        lead = found[unit.context] if unit.context >= 0 else None
        if lead is not None and lead.line != unit.line and lead.text[:60] in "\n".join(lines):
            at = next(i for i, l in enumerate(lines) if lead.text[:60] in l)  # an item: its list
            if items := items_of(lines, at):
                return gather(at, items)
        best = unit.text
    at = next((i for i, l in enumerate(lines) if best[:60] and best[:60] in l), None)
    if at is not None and lines[at].endswith((":", ";")) and at + 1 < len(lines):
        return gather(at, list(range(at + 1, len(lines))))
    if at is not None and best.endswith((":", ";")) and len(lines[at]) > len(best):
        line = lines[at]  # the items run on in the same line, separated by ";"
        return line if len(line) <= limit else line[:line.rfind(";", 0, limit) + 1] + " …"
    items = [i for i, l in enumerate(lines) if ITEM.match(l)]
    if len(items) >= 2:
        return gather(items[0] - 1, items)
    return ""


def should_abstain(search: Search) -> bool:
    """The documents do not answer: no passage found, or the abstention model (fitted on
    labelled questions, kb/answer/abstain.py) judges from what the search found that they do not."""
    if not search.hits:
        return True
    from kb.answer import abstain

    return abstain.load().abstains(abstain.features(search))


def cite(hit: Hit, docs: dict[str, DocMeta]) -> Citation:
    meta = docs[hit.chunk.doc_id]
    return Citation(doc_id=meta.id, title=meta.title, number=meta.number, date=meta.display_date,
                    section=hit.chunk.section, text=hit.chunk.text, score=hit.score, chunk_id=hit.chunk.id,
                    page=hit.chunk.page, ocr_confidence=hit.chunk.ocr_confidence, validity=meta.validity)


def _position(hit: Hit, hits: list[Hit]) -> int | None:
    """Where a passage (or the section it belongs to) already stands among the hits."""
    base = (hit.chunk.doc_id, hit.chunk.section.split(", khoản")[0])
    return next((i for i, h in enumerate(hits) if h.chunk.id == hit.chunk.id
                 or (h.chunk.doc_id, h.chunk.section.split(", khoản")[0]) == base), None)


def named(agency: str, en: bool) -> str:
    """An agency as an answer names it: in English, its English name with the Vietnamese one
    beside ("Office of Ethnic Affairs (Phòng Dân tộc)") when kb can read the name."""
    english = english_name(agency) if en else ""
    return f"{english} ({agency})" if english else agency


def compose(question: str, search: Search, docs: dict[str, DocMeta], top_k: int = 5,
            lang: str | None = None, assigned: tuple[Hit, ...] = (), urgent: bool = False,
            notes=(), tuning: AnswerTuning = ANSWER) -> Answer:
    """The answer to `question` from `search`; `lang` overrides the language to answer in;
    `assigned` are passages where the documents give the asked-about task to an agency;
    `urgent`: the message signals a child in danger (the hotline leads); `notes` are the
    catalog's maintainer notes, printed under the quotes they concern (kb/ingest/notes.py); `tuning`: how
    the quoted sentences are chosen (kb eval --cv-answer tries others)."""
    lang = lang or search.query.lang
    en = lang == "en"
    hits = list(search.hits[:max(top_k, 1)])
    extra: list[Hit] = []  # passages assigning the task, not among the first three (once each)
    for h in assigned:
        if _position(h, hits[:3]) is None and _position(h, extra) is None and len(extra) < 4:
            extra.append(h)
    hits = hits[:3] + extra + [h for h in hits[3:] if _position(h, extra) is None]
    hits = hits[:max(top_k, 3 + len(extra))]
    citations = tuple(cite(h, docs) for h in hits)
    abstained = should_abstain(search)
    lines = [HOTLINE_EN if en else HOTLINE_VI] if urgent else []
    if abstained:
        direct = ("The documents in the knowledge base do not say this. The closest passages are "
                  "listed below as related, not as an answer." if en else
                  "Các văn bản trong cơ sở tri thức không nêu nội dung này. Dưới đây là các đoạn liên "
                  "quan gần nhất, chỉ để tham khảo, không phải câu trả lời.")
        lines.append(direct)
        heading = "Related passages:" if en else "Đoạn liên quan:"
        shown = hits[:3]
    else:
        top = hits[0]
        meta = docs[top.chunk.doc_id]
        counted = count_answer(top, search, en, tuning)
        sentence = counted[1] if counted else (list_quote(top, search, tuning) or best_sentence(top, search, tuning=tuning))
        lead = ""
        if "agency" in search.intents and top.chunk.agency:
            lead = (f"Responsible: {named(top.chunk.agency, en)}. " if en
                    else f"Đơn vị chịu trách nhiệm: {top.chunk.agency}. ")
        if counted:
            lead = counted[0] + lead
        where = f"{meta.label}, {top.chunk.where}" + (f" ({meta.validity})" if meta.validity else "")
        direct = (f"{lead}According to {where}: “{sentence}” [1]" if en
                  else f"{lead}Theo {where}: “{sentence}” [1]")
        docs_first = list(dict.fromkeys(h.chunk.doc_id for h in hits[:6]))
        if "across" in search.intents and len(docs_first) > 1 and not counted:
            # a question across documents: one cited line per document, best passage each
            shown_docs, rows = set(), []
            for n, h in enumerate(hits[:6]):
                if h.chunk.doc_id not in shown_docs:
                    shown_docs.add(h.chunk.doc_id)
                    rows.append(f"- {docs[h.chunk.doc_id].label}, {h.chunk.where}: “{best_sentence(h, search, 300, tuning)}” [{n + 1}]")
            direct = ("In the documents:" if en else "Theo các văn bản:") + "\n" + "\n".join(rows)
        lines.append(direct)
        if "agency" in search.intents and len(assigned) > 1:
            placed = sorted(((_position(h, hits), h) for h in assigned if _position(h, hits) is not None),
                            key=lambda x: x[0])
            by_passage: dict[int, list[str]] = {}  # one reference per passage, its agencies together
            for n, h in placed:
                names = by_passage.setdefault(n, [])
                if h.chunk.agency and h.chunk.agency not in names:
                    names.append(h.chunk.agency)
            refs = [f"{'; '.join(named(a, en) for a in names)} ({docs[hits[n].chunk.doc_id].label}) [{n + 1}]"
                    for n, names in by_passage.items() if names]
            if refs:
                lines.append(("Agencies the documents assign this to: " if en else
                              "Các cơ quan được giao việc này: ") + "; ".join(refs) + ".")
        heading = "Sources:" if en else "Nguồn:"
        shown = hits[:3 + len(extra)]
    lines.append("")
    lines.append(heading)
    for n, h in enumerate(shown, 1):
        meta = docs[h.chunk.doc_id]
        scan = "" if h.chunk.ocr_confidence is None else (" (scanned, OCR)" if en else " (văn bản quét, OCR)")
        lines.append(f"[{n}] {meta.label} — {h.chunk.where}{scan}" + (f" ({meta.validity})" if meta.validity else ""))
        quote = h.chunk.text if len(h.chunk.text) <= tuning.source_whole else f"… {best_sentence(h, search, tuning=tuning)} …"
        lines.append(f"“{quote}”")
        if notes:
            from kb.ingest.notes import notes_for

            if note := notes_for(notes, h.chunk.doc_id, h.chunk.text, h.chunk.agency):
                lines.append(note)
    return Answer(question=question, text="\n".join(lines), abstained=abstained, citations=citations,
                  urgent=urgent, lang=lang, direct=direct)


def compose_urgent(question: str, own: Search, reporting: Search, after: Search, local: Search | None,
                   docs: dict[str, DocMeta], top_k: int = 10, own_first: bool = False,
                   tuning: AnswerTuning = ANSWER) -> Answer:
    """A message about a child in danger: the hotlines first; then whom to report to
    (`reporting`: a search for who receives reports) and what happens after a report
    (`after`), as the documents say; the local hotline when the message names a place with a
    plan (`local`); then what the documents say on the message's own subject when they cover
    it (first, when `own_first`: the check was in doubt, the message may be a question).
    Never the refusal text."""
    en = own.query.lang == "en"
    shown: list[Hit] = []

    def ref(hit: Hit) -> int:
        at = _position(hit, shown)
        if at is None:
            shown.append(hit)
            return len(shown)
        return at + 1

    def quote(hit: Hit, search: Search) -> str:
        return f"{docs[hit.chunk.doc_id].label}, {hit.chunk.where}: “{best_sentence(hit, search, tuning=tuning)}” [{ref(hit)}]"

    lines = [HOTLINE_EN if en else HOTLINE_VI, ""]
    # the message's own answer, composed as any question's is (a count, a list, the agency, one
    # line per document): a question that only mentions a child at risk still gets its answer
    own_answer = compose(question, own, docs, top_k=top_k, tuning=tuning) if own.hits else None
    answered = own_answer is not None and not own_answer.abstained

    def own_line() -> str:
        text = re.sub(r"\[(\d+)\]", lambda m: f"[{ref(own.hits[int(m.group(1)) - 1])}]", own_answer.direct)
        return ("What the documents say about this: " if en else "Văn bản nói về trường hợp này: ") + text

    if answered and own_first:
        lines.append(own_line())
    receivers = [h for h in reporting.hits if RECIPIENT.search(h.chunk.text)][:2] or list(reporting.hits[:1])
    lines.append("Whom to report to, as the documents say:" if en else "Báo cho ai, theo văn bản:")
    lines += [f"- {quote(h, reporting)}" for h in receivers]
    if after.hits:
        lines.append(("What happens next: " if en else "Sau khi báo tin: ") + quote(after.hits[0], after))
    phones = [h for h in (local.hits[:3] if local else ()) if PHONE.search(h.chunk.text)]
    if phones:
        lines.append(("Local hotline: " if en else "Đường dây nóng tại địa phương: ") + quote(phones[0], local))
    if answered and not own_first:
        lines.append(own_line())
    lines += ["", "Sources:" if en else "Nguồn:"]
    lines += [f"[{n}] {docs[h.chunk.doc_id].label} — {h.chunk.where}" for n, h in enumerate(shown, 1)]
    direct = lines[0]
    for h in (*own.hits, *reporting.hits, *after.hits):  # the rest of the evidence, after what was quoted
        if len(shown) >= top_k:
            break
        if _position(h, shown) is None:
            shown.append(h)
    return Answer(question=question, text="\n".join(lines), abstained=False,
                  citations=tuple(cite(h, docs) for h in shown[:top_k]), urgent=True,
                  lang="en" if en else "vi", direct=direct)
