"""Which sentence of a passage to quote (pure: no I/O, no model; the vectors come with the search).

Each sentence of a passage (kb/search/sentences.py: with its context, an item's lead-in) is scored by
the question's words it holds, whether it is about the body the question names, the kind of
thing asked for (a number, a date, a phone number, "X là …") and the e5 cosine of the question to
the sentence read with its context. The weights are `AnswerTuning` (kb/tuning.py).
"""
from __future__ import annotations

import re
from functools import lru_cache

import numpy as np

from kb.features.actors import is_actor, subject_of
from kb.search.intent import DATE, NUMBER, PHONE, WRITTEN_VALUE, asked_values, defines, sentence_start
from kb.records import Hit
from kb.search.retrieve import Search
from kb.search.sentences import Unit, embed_text, items_of, leads_in, units
from kb.text import content_terms, folded_words, is_editorial
from kb.tuning import ANSWER, AnswerTuning

# A numbered part a question may name, and a sentence open with (folded): "bước 3", "khoản 2"
LABEL = re.compile(r"\b(buoc|dieu|khoan|diem|muc|giai doan|phu luc|quy trinh|nhiem vu|hoat dong)\s+(\d{1,3}|[a-z])\b")
RESPONSIBLE = re.compile(r"^(?:\d+\.\s*)?(?:Trách nhiệm|Nhiệm vụ)(?: và quyền hạn)? của\s+(.{3,120}?):?$")


@lru_cache(maxsize=8192)
def actor_of(sentence: str) -> frozenset[str]:
    """The words (folded) of who a sentence obliges: its subject ("Cơ quan công an có trách
    nhiệm …"), the body that heads it ("- Sở Y tế: …", "Trách nhiệm của cơ quan công an:",
    "7. Phòng Y tế, Trung tâm Y tế"); empty when it names none."""
    name = subject_of(sentence)[0]
    if not name and (m := re.match(r"^[-+•–\s]*(?:\d+\.\s*)?([^:]{3,100}):", sentence)) and is_actor(m.group(1)):
        name = m.group(1)
    if not name and (m := RESPONSIBLE.match(sentence.strip())):
        name = m.group(1)
    if not name and len(sentence) < 100 and is_actor(re.sub(r"^[-+•–\s]*(?:\d+\.\s*)?", "", sentence)):
        name = sentence
    return frozenset(content_terms(name)) if name else frozenset()


def _lexical(text: str, context: str, actor: frozenset[str], search: Search, terms: set[str], pairs: set[str],
             t: AnswerTuning) -> float:
    """The words of the question a sentence holds (those only its context holds count
    `t.context_words`), whether the body it obliges (`actor`) is the one the question names, and
    the kind of thing asked for."""
    folded = " ".join(folded_words(text))
    words = folded.split()
    around = terms & set(folded_words(context)) - set(words) if context else set()
    value = (len(terms & set(words)) + t.context_words * len(around)) / (len(terms) or 1)
    if pairs:  # the question's word pairs, in its order, say more than its single words
        value += t.pairs * len(pairs & {f"{a} {b}" for a, b in zip(words, words[1:])}) / len(pairs)
    if actor:  # the sentence is about the one the question asks about: the share of its name
        weight = search.idf or (lambda w: 1.0)  # asked, by what each word says ("y tế" more than "cấp xã")
        value += t.actor * sum(map(weight, actor & set(search.terms))) / (sum(map(weight, actor)) or 1.0)
    asked = asked_kinds(search.query.text)
    if asked:  # the kind of value asked for ("bao nhiêu tiền": an amount, not "Điều 3")
        value += t.kind * all(WRITTEN_VALUE[k].search(text) for k in asked)
    else:
        for intent, rx in (("number", NUMBER), ("date", DATE), ("phone", PHONE)):
            if intent in search.intents and rx.search(text):
                value += t.kind
    if search.subject and defines(sentence_start(text), search.subject):
        value += t.defines
    opening = LABEL.match(folded)
    if opening and opening.group(0) in asked_labels(search.query.text):
        value += t.label
    return value


@lru_cache(maxsize=1024)
def asked_kinds(question: str) -> tuple[str, ...]:
    """The kinds of value a question asks for that one sentence can write (an amount, a date, a
    duration, a share, an age, a phone number; a count is a list, not a sentence)."""
    return tuple(k for k in asked_values(question) if k != "count")


@lru_cache(maxsize=1024)
def asked_labels(question: str) -> frozenset[str]:
    """The numbered parts a question names, folded: "bước 3", "khoản 2"."""
    return frozenset(m.group(0) for m in LABEL.finditer(" ".join(folded_words(question))))


def sentence_scores(hit: Hit, search: Search, found: list[Unit], t: AnswerTuning = ANSWER) -> np.ndarray:
    """How well each sentence of a passage answers: the question's words it holds that the
    passage's heading does not already say, the kind of thing asked for, and the e5 cosine of
    the question to the sentence read with its context (an item's lead-in says what it is about)."""
    heading = set(folded_words(hit.chunk.section.split(" > ")[-1]))
    terms = set(search.terms) - heading or set(search.terms)
    pairs = {f"{a} {b}" for a, b in zip(search.terms, search.terms[1:])}
    actors = [actor_of(u.text) for u in found]  # an item's actor is its lead-in's when it names none
    scores = np.array([_lexical(u.text, found[u.context].text if u.context >= 0 else "",
                                actors[n] or (actors[u.context] if u.context >= 0 else frozenset()),
                                search, terms, pairs, t) for n, u in enumerate(found)])
    vectors = (search.sentences.lookup([embed_text(found, n) for n in range(len(found))])
               if t.cosine and search.sentences is not None and search.vector is not None else None)
    if vectors is not None:  # else (an index saved without sentence vectors) the words alone decide
        scores = scores + t.cosine * (vectors @ np.asarray(search.vector, np.float32))
    return scores


def names_actor(sentence: str) -> bool:
    """The sentence says who acts: "X có trách nhiệm …", "- Hội Liên hiệp phụ nữ: tuyên truyền …"."""
    head = re.match(r"^[-+•–\s]*([^:]{3,80}):\s*\S", sentence)
    return bool(subject_of(sentence)[0]) or bool(head and is_actor(head.group(1)))


def _join(found: list[Unit], picked: list[int]) -> str:
    """The picked sentences in the passage's order; " … " where the passage goes on between them."""
    out = ""
    for before, n in zip([None, *picked], picked):
        out += "" if before is None else " " if n == before + 1 else " … "
        out += found[n].text
    return out


def join_items(lead: str, items: list[str], width: int, limit: int) -> str:
    """A lead-in followed by its items, each cut to `width` characters at a word, the whole
    stopping with " …" before it would pass `limit`."""
    quote = lead
    for item in items:
        short = item if len(item) <= width else item[:width - 3].rsplit(" ", 1)[0] + " …"
        if len(quote) + len(short) > limit:
            return quote + " …"
        quote += (" " if quote else "") + short
    return quote


def choose(hit: Hit, search: Search, t: AnswerTuning = ANSWER) -> tuple[list[str], list[Unit], int, np.ndarray]:
    """(lines, sentences, index of the best, scores) of a passage; the index is -1 when it has
    no quotable sentence."""
    lines = [l.strip() for l in hit.chunk.text.split("\n") if l.strip()]
    found = units(lines)
    if not found:
        return lines, found, -1, np.zeros(0)
    scores = sentence_scores(hit, search, found, t)
    return lines, found, int(np.argmax(scores)), scores


def value_first(lines: list[str], found: list[Unit], j: int, scores: np.ndarray, search: Search,
                t: AnswerTuning = ANSWER) -> int:
    """The sentence to quote when the question asks for a kind of value (a duration, an amount,
    a date …): the best one if it writes one (or, for a question asking for a list, the list it
    leads into does); else the best that does, when it scores within `t.value_margin` of the best."""
    asked = asked_kinds(search.query.text)
    if not asked or not t.value_margin:
        return j
    writes = lambda text: all(WRITTEN_VALUE[k].search(text) for k in asked)
    unit = found[j]
    listed = unit.text.endswith(":") and {"list", "count"} & search.intents  # a list asked for: its items count
    if writes(unit.text) or (listed and writes(" ".join(lines[n] for n in items_of(lines, unit.line)))):
        return j
    better = [n for n in np.argsort(-scores, kind="stable") if scores[n] >= scores[j] - t.value_margin and writes(found[n].text)]
    return int(better[0]) if better else j


def best_sentence(hit: Hit, search: Search, limit: int | None = None, tuning: AnswerTuning = ANSWER) -> str:
    """The part of a passage that answers best (see sentence_scores); a sentence that introduces
    a list ("… gồm:") brings its items along; an item or a later clause that does not say who
    acts brings the lead-in or the clause that does ("Sở Y tế: … - Phối hợp …"); a second
    sentence scoring nearly as well comes too."""
    t = tuning
    list_limit, limit = limit or t.list_limit, limit or t.limit
    lines = [l.strip() for l in hit.chunk.text.split("\n") if l.strip()]
    if len(hit.chunk.text) <= t.whole_chars and not any(is_editorial(l) for l in lines):
        return " ".join(lines)
    lines, found, j, scores = choose(hit, search, t)
    if j < 0:
        return hit.chunk.text[:limit]
    j = value_first(lines, found, j, scores, search, t)
    unit = found[j]
    last = j + 1 == len(found) or found[j + 1].line != unit.line
    if unit.text.endswith(":") or (last and leads_in(lines, unit.line)):  # the answer is the list that follows
        return join_items(unit.text, [lines[n] for n in items_of(lines, unit.line)], t.item_chars, list_limit)
    picked = [j]
    if search.subject and unit.text.endswith(";") and defines(sentence_start(unit.text), search.subject):
        # a definition goes on in the ";"-clauses of its line ("Bạo lực trẻ em là hành vi hành hạ,
        # ngược đãi, đánh đập; xâm hại thân thể, sức khỏe; …"): quote it whole
        for n in range(j + 1, len(found)):
            if found[n].line != unit.line or sum(len(found[m].text) for m in picked) + len(found[n].text) > limit:
                break
            picked.append(n)
        return _join(found, picked)
    context = unit.context
    if context >= 0 and not names_actor(unit.text) and len(found[context].text) <= t.context_chars:
        picked.insert(0, context)
    if t.second and len(found) > 1:
        k = int(np.argsort(-scores, kind="stable")[1])
        if k not in picked and scores[k] >= scores[j] - t.second \
                and sum(len(found[n].text) for n in picked) + len(found[k].text) <= limit:
            picked = sorted(picked + [k])
    return _join(found, picked)
