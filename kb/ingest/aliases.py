"""Short names the documents declare for what they name: "Tổng đài điện thoại quốc gia bảo vệ
trẻ em (số 111)", "Ban Chỉ đạo (BCĐ)". A question may use the short one ("Tổng đài 111 hoạt
động mấy giờ?"); the passage that answers usually writes only the long one, so a search by
the short name misses it (e5 cosine 0.84 against 0.93 with the name written out). Pure."""
from __future__ import annotations

import re

from kb.text import fold, folded_words

# "(111)", "(số 111)", "(BCĐ)": a number of 3-5 digits or an upper-case abbreviation in brackets
DECLARED = re.compile(r"\(\s*(?:số\s+)?(\d{3,5}|[A-ZĐ][A-ZĐ0-9-]{1,9})\s*\)")
SHORT = re.compile(r"(?<!\w)(?:\d{3,5}|[A-ZĐ][A-ZĐ0-9-]{1,9})(?!\w)")  # the same forms, in a question
RUN = 10  # words before the bracket that may hold the name, back to the nearest punctuation


def declared_aliases(texts) -> dict[str, str]:
    """{short name: the name it stands for, as the documents write it} (see _name); a bracket
    after no such name declares nothing. Of several names for one short name, the one written
    most often wins (then the shorter)."""
    seen: dict[str, dict[tuple[str, ...], list]] = {}
    for text in texts:
        if "(" not in text:
            continue
        for m in DECLARED.finditer(text):
            before = re.split(r"[.,;:!?()\[\]\"“”\n]", text[max(0, m.start() - 200):m.start()])[-1].split()[-RUN:]
            if m.group(1).isdigit() and 1900 <= int(m.group(1)) <= 2100:
                continue  # "(2021)": a year, not a name
            written = _name(before, m.group(1))
            if not written:
                continue
            key = tuple(folded_words(written))
            if len(key) < 2 or any(w.isdigit() for w in key):  # "Điều 23 (2017)": not a name
                continue
            names = seen.setdefault(m.group(1), {})
            names.setdefault(key, [0, written])[0] += 1
    return {short: names[min(names, key=lambda k: (-names[k][0], len(k)))][1] for short, names in seen.items()}


def _name(before: list[str], short: str) -> str:
    """The name a short name stands for, among the words before its bracket. An abbreviation
    is the initials of the words it stands for ("Ban Chỉ đạo (BCĐ)"); a number stands for the
    name from the first capitalised word on ("... quảng bá Tổng đài ... (số 111)")."""
    if not short.isdigit():
        letters = [c for c in fold(short) if c.isalpha()]
        for i in range(len(before) - len(letters), -1, -1):  # nearest to the bracket first
            words = before[i:i + len(letters)]
            if [fold(w)[:1] for w in words] == letters:
                return " ".join(words)
        return ""
    start = next((i for i, w in enumerate(before) if w[:1].isupper()), None)
    return " ".join(before[start:]) if start is not None else ""


def mentions_short_name(text: str) -> bool:
    """Whether a question holds a word of a short name's form ("111", "BCĐ")."""
    return bool(SHORT.search(text))


def expand_aliases(question: str, aliases: dict[str, str]) -> str:
    """The question with each declared short name written out as the documents declare it,
    taking the place of the words before it that begin the same name: "tong dai 111 hoat dong
    may gio" -> "Tổng đài điện thoại quốc gia bảo vệ trẻ em (111) hoat dong may gio"."""
    for short, name in aliases.items():
        pattern = re.compile(rf"(?<!\w){re.escape(short)}(?!\w)")
        m = pattern.search(question)
        if not m:
            continue
        head, name_words = question[:m.start()].split(), folded_words(name)
        # the words before the short name that are part of the name, from its first word on
        # ("Tổng đài 111", "Tổng đài quốc gia 111")
        lead = next((n for n in range(min(len(head), len(name_words)), 0, -1)
                     if fold(head[-n]) == name_words[0] and all(fold(w) in name_words for w in head[-n:])), 0)
        before = " ".join(head[:len(head) - lead])
        question = f"{before} {name} ({short}){question[m.end():]}".strip()
    return question
