"""Account for every word of a source file: in a passage, or in a named category left out.

Pure functions. Parsing rejoins lines, drops markup and reads the letterhead into metadata,
so what was kept is measured on words (letters and digits; punctuation and table rules carry
no content): each word of the file is matched, in order, against the words the file's
passages hold (their text and section headings). A line whose words are not all in a passage
is either in a category kb leaves out on purpose (the national motto, letterhead layout read
into the document's metadata, signature layout) or dropped; the ingest summary shows the
share kept and names the first dropped lines.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from kb.records import Chunk, DocMeta
from kb.text import fold, unglue, words

KEPT_WARN = 98.0  # % of a file's letters and digits; below this the ingest summary warns

MOTTO = re.compile(r"cong hoa xa hoi|chu nghia viet nam|doc lap\W+tu do\W+hanh phuc")
PROVENANCE = re.compile(r"^(source|note|source-note)\b[\w-]*\s*:")
SIGNATURE = re.compile(r"^\(?(da ky|ky,? ghi ro|ky ten|ky va ghi|ky, dong dau|dong dau)|"
                       r"^(tm|kt|q|tl|tuq)\.|^(chu tich|pho chu tich|giam doc|pho giam doc|truong phong|"
                       r"bi thu|pho bi thu|thu truong|bo truong|thu tuong|pho thu tuong|nguoi ky)\b")
LETTERHEAD = re.compile(r"^(so|v/v|kinh gui|ve viec)\b|ngay\s*\.*\s*\d*\s*thang|^\.{2,}|ngay$|^\d+ thang \d+ nam \d{4}$")


@dataclass(frozen=True)
class Coverage:
    """How much of a file's text is kept, and what is not."""

    total: int  # letters and digits in the file
    in_passages: int
    left_out: tuple[tuple[str, int], ...]  # (category, letters and digits), on purpose
    dropped: tuple[str, ...]  # lines (or the parts of them) found nowhere, in file order

    @property
    def kept_pct(self) -> float:
        lost = self.total - self.in_passages - sum(n for _, n in self.left_out)
        return 100.0 if not self.total else round(100.0 * (self.total - max(0, lost)) / self.total, 1)


def _category(line: str, index: int, meta_words: Counter) -> str:
    """The category a line left out of the passages belongs to, or '' when it was lost."""
    f = fold(line).strip(" *#|-_")
    if MOTTO.search(f):
        return "national motto"
    if PROVENANCE.match(f) and index < 20:
        return "provenance header (file notes)"
    if SIGNATURE.search(f) or f.startswith("noi nhan") or f.startswith("luu"):
        return "signature layout"
    ws = words(line)
    if ws and all(meta_words[w] for w in ws) and (index < 40 or line.isupper() or LETTERHEAD.search(f)):
        return "letterhead (document metadata)"
    if (LETTERHEAD.search(f) or line.upper() == line) and index < 40 and len(ws) <= 14:
        return "letterhead (document metadata)"
    return ""


SENTENCE = re.compile(r"(?<=[.;:!?])\s+")


def _key(text: str) -> str:
    return " " + " ".join(words(text)) + " "


def account(text: str, chunks: list[Chunk], metas: list[DocMeta], extra: list[str] = ()) -> Coverage:
    """Find each line of `text` (each table cell, or each sentence of a line split between
    passages) in the passages made from it, their headings, or `extra` (recipients, signer);
    classify what is not found (pure)."""
    heads = {h for c in chunks for h in c.section.split(" > ")}
    hay = "\n".join([*(_key(c.text) for c in chunks), *map(_key, heads), *map(_key, extra)])
    meta_words: Counter = Counter()
    for m in metas:
        for value in (m.title, m.number, m.date, m.display_date, m.issuer, m.locality, m.signer, m.signer_title):
            meta_words.update(words(value))
    total = kept = 0
    left: Counter = Counter()
    dropped: list[str] = []
    index = 0
    for raw in unglue(text).splitlines():  # as parsing splits glued words
        if not words(raw):
            continue
        total += sum(len(w) for w in words(raw))
        for cell in raw.split("|"):
            size = sum(len(w) for w in words(cell))
            found = size if _key(cell) in hay else sum(
                sum(len(w) for w in words(piece)) for piece in SENTENCE.split(cell)
                if _key(piece).strip() and _key(piece) in hay)
            kept += found
            if found < size:
                cat = _category(cell, index, meta_words)
                if cat:
                    left[cat] += size - found
                else:
                    dropped.append(cell.strip())
        index += 1
    return Coverage(total, kept, tuple(sorted(left.items())), tuple(dropped))


def merge(parts: list[Coverage]) -> Coverage:
    """One file's coverage from the coverage of the documents it holds."""
    left: Counter = Counter()
    for p in parts:
        left.update(dict(p.left_out))
    return Coverage(sum(p.total for p in parts), sum(p.in_passages for p in parts), tuple(sorted(left.items())),
                    tuple(l for p in parts for l in p.dropped))
