"""The sentences of a passage that an answer may quote, and their e5 embeddings.

A passage is read line by line; each line is cut into sentences (and the clauses a ";" ends).
A sentence keeps its *context*: for an item ("a) …", "- …", "2. …") the lead-in it hangs from
("Hệ số trợ cấp xã hội hằng tháng:", "Trách nhiệm của cơ quan công an:", "1. Sở Y tế:"), for
the second clause of a line its first clause ("Mỗi cán bộ Đoàn … có trách nhiệm …; kịp thời
thông tin …"). The answer scores a sentence with its context and quotes the context with it
when the sentence does not name who acts (kb/answer/compose.py).

`kb ingest` embeds every such sentence once, preceded by its context ("Hệ số trợ cấp xã hội hằng
tháng: a) Trẻ em dưới 4 tuổi: 2.5": the item alone means little, and the model matched questions
to sentences with their context better than to bare ones), with the passage prefix of e5
("passage: "), the same model and embedding cache as the passages. The vectors are saved beside
the lexical side (kb/search/lexical.py) keyed by a hash of that text; the sections a search widens a
passage to (kb/search/retrieve.py) are read too, as an item's lead-in may sit in the passage before:

    data/lexical-<key>/sentence_keys.npy     uint64, sorted: 8 bytes of blake2b of each sentence
    data/lexical-<key>/sentence_vectors.npy  float16 [sentences, dim], L2-normalized
"""
from __future__ import annotations

import hashlib
import re
from typing import NamedTuple

import numpy as np

from kb.records import Chunk
from kb.ingest.tables import row_fields
from kb.text import fold, is_editorial

# "1. …", "a) …", "- …": the marker of a list item; groups: number, letter, bullet
ITEM = re.compile(r"^\s*(?:(\d{1,2})[.)]|([a-zđ])\)|([-+•–]))\s+\S")
FIRST_ITEM = re.compile(r"^\s*(?:a\)|1[.)])\s+\S")


NUMBERING = re.compile(r"^(?:\d+\.)+\d*$|^[IVXLC]+\.$")


def split_sentences(text: str) -> list[str]:
    """Sentences and ";"-clauses of a text, each line apart; fragments of 3 characters or less
    and bare numbering ("1.2.", the "1." of "1. Cấp độ …" falls out by the split) dropped. A
    table row as parsing writes it ("Bước 3; Nội dung công việc: …; Trách nhiệm: …; Thời gian:
    02 ngày") is one sentence: its cells mean something only together."""
    out: list[str] = []
    for line in text.split("\n"):
        if row_fields(line):
            out.append(line.strip())
            continue
        parts = re.split(r"(?<=[.;!?])\s+", line)
        out.extend(p.strip() for p in parts if len(p.strip()) > 3 and not NUMBERING.match(p.strip()))
    return out


def level(line: str) -> int:
    """How deep a line sits in a list: 0 prose, 1 "1.", 2 "a)", 3 "-" / "+"."""
    m = ITEM.match(line)
    return 0 if not m else 1 if m.group(1) else 2 if m.group(2) else 3


def leads_in(lines: list[str], i: int) -> bool:
    """The line introduces the items that follow it: it ends with ":", or the next line is a first
    item ("a)", "1.") one level deeper ("Hệ số để xác định mức trợ cấp nuôi dưỡng hằng tháng")."""
    if lines[i].rstrip().endswith(":"):
        return True
    return i + 1 < len(lines) and bool(FIRST_ITEM.match(lines[i + 1])) and level(lines[i + 1]) > level(lines[i])


def items_of(lines: list[str], i: int) -> list[int]:
    """The lines of the list that line `i` leads into: those after it, up to the next item at its
    own level or above (or, when it does not end with ":", up to the next prose line)."""
    depth, colon, out = level(lines[i]), lines[i].rstrip().endswith(":"), []
    for n in range(i + 1, len(lines)):
        if 0 < level(lines[n]) <= depth or (level(lines[n]) == 0 and not colon):
            break
        out.append(n)
    return out


class Unit(NamedTuple):
    """A sentence an answer may quote: its line, its text and the unit it depends on (-1: none)."""

    line: int
    text: str
    context: int


def units(lines: list[str]) -> list[Unit]:
    """The quotable sentences of a passage's lines (editorial notes left out), each with its
    context: an item's lead-in, a later clause's first clause of the same line."""
    out: list[Unit] = []
    leads: list[tuple[int, int]] = []  # (level, unit) of the lead-ins whose items may follow
    for i, line in enumerate(lines):
        depth = level(line)
        if depth == 0:
            leads.clear()  # prose ends every list
        while leads and leads[-1][0] >= depth:
            leads.pop()  # an item at the lead-in's level or above ends its list
        first = len(out)
        for n, text in enumerate(t for t in split_sentences(line) if not is_editorial(t)):
            context = (leads[-1][1] if leads and depth else -1) if n == 0 else first
            out.append(Unit(i, text, context))
        if len(out) > first and leads_in(lines, i):
            leads.append((depth, len(out) - 1))
    return out


def embed_text(found: list[Unit], n: int) -> str:
    """What is embedded for a sentence: its context, then the sentence."""
    u = found[n]
    return f"{found[u.context].text} {u.text}" if u.context >= 0 else u.text


def key(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little")


def wide_groups(members: list[Chunk], max_chars: int) -> list[list[int]]:
    """How the passages of one section (in order) are quoted ("small to big": the answer is
    often in the sibling passage): all together when they fit in `max_chars`; else the passages
    of one clause together (a khoản cut in two, its points c) d) in the second) when they fit;
    else each alone. Positions into `members`."""
    if sum(len(c.text) + 1 for c in members) <= max_chars:
        return [list(range(len(members)))]
    groups: list[list[int]] = []
    for i, c in enumerate(members):
        # the passage continues the clause of the one before ("khoản 2", then "khoản 2-3")
        if groups and clauses(c.section) & clauses(members[groups[-1][-1]].section):
            groups[-1].append(i)
        else:
            groups.append([i])
    out: list[list[int]] = []
    for g in groups:
        run: list[int] = []  # a long run of shared clauses: as many passages together as fit
        for i in g:
            if run and sum(len(members[j].text) + 1 for j in (*run, i)) > max_chars:
                out.append(run)
                run = []
            run.append(i)
        out.append(run)
    return out


def clauses(section: str) -> set[int]:
    """The khoản a passage holds, from its section path ("…, khoản 2-3" -> {2, 3}); empty when none."""
    m = re.search(r", khoản (\d+)(?:-(\d+))?$", section)
    return set(range(int(m.group(1)), int(m.group(2) or m.group(1)) + 1)) if m else set()


def quotable(chunks: list[Chunk], max_section_chars: int) -> list[str]:
    """The texts an answer may quote from: each passage, and the passages a search widens to
    (as Retriever.widen does, by wide_groups)."""
    sections: dict[tuple[str, str], list[Chunk]] = {}
    for c in chunks:
        sections.setdefault(c.article, []).append(c)
    texts = [c.text for c in chunks]
    for members in sections.values():
        texts += ["\n".join(members[i].text for i in g) for g in wide_groups(members, max_section_chars) if len(g) > 1]
    return texts


def to_embed(chunks: list[Chunk], whole_chars: int, max_section_chars: int) -> list[str]:
    """What to embed, once each, for the sentences an answer may choose among (a text no
    longer than `whole_chars` is quoted whole: nothing to choose)."""
    texts: dict[str, None] = {}
    for text in quotable(chunks, max_section_chars):
        if len(text) > whole_chars:
            found = units([l.strip() for l in text.split("\n") if l.strip()])
            for n in range(len(found)):
                texts.setdefault(embed_text(found, n), None)
    return list(texts)


def arrays(texts: list[str], vectors: np.ndarray) -> dict[str, np.ndarray]:
    """The two saved arrays: sorted keys, and the vectors in that order (float16: half the disk
    and memory; cosines move by ~1e-3)."""
    keys = np.array([key(t) for t in texts], np.uint64)
    order = np.argsort(keys, kind="stable")
    dim = vectors.shape[1] if len(vectors) else 0
    return {"sentence_keys": keys[order],
            "sentence_vectors": np.asarray(vectors, np.float16)[order].reshape(len(texts), dim)}


class SentenceVectors:
    """Looks up sentence vectors by text in the saved (memory-mapped) arrays."""

    def __init__(self, keys: np.ndarray, vectors: np.ndarray):
        self.keys, self.vectors = keys, vectors

    @classmethod
    def from_arrays(cls, found: dict[str, np.ndarray]) -> "SentenceVectors | None":
        if "sentence_keys" not in found or "sentence_vectors" not in found:
            return None  # an index saved without them (a synthetic benchmark index): lexical choice only
        return cls(found["sentence_keys"], found["sentence_vectors"])

    def __len__(self) -> int:
        return len(self.keys)

    def lookup(self, texts: list[str]) -> np.ndarray | None:
        """The vectors of `texts` [len(texts), dim] as float32; None unless every one is known."""
        if not texts or not len(self.keys):
            return None
        wanted = np.array([key(t) for t in texts], np.uint64)
        at = np.searchsorted(self.keys, wanted)
        if (at >= len(self.keys)).any() or (self.keys[np.minimum(at, len(self.keys) - 1)] != wanted).any():
            return None
        return np.asarray(self.vectors[at], np.float32)


def labelled_items(text: str, nouns: list[str]) -> tuple[str, list[str]]:
    """Lines that carry the counted noun and their number as their label ("Bước 1. …", "Giai
    đoạn 2: …" for a question counting "bước", "giai đoạn"), numbered 1, 2, 3 … without a gap,
    with the line that leads into them when it ends with ":"; ("", []) when there are none."""
    lines = [l.strip() for l in text.split("\n") if l.strip()]
    for noun in nouns:
        label = re.compile(rf"^{re.escape(noun)}\s+0*(\d+)\s*[.:)]")
        found = [(i, n) for i, l in enumerate(lines) if (n := _label_number(l, label)) is not None]
        if len(found) >= 2 and [n for _, n in found] == list(range(1, len(found) + 1)):
            first = found[0][0]
            lead = lines[first - 1] if first and lines[first - 1].endswith(":") else ""
            return lead, [lines[i] for i, _ in found]
    return "", []


def _label_number(line: str, label: re.Pattern) -> int | None:
    """The number after the label a line opens with, read on its folded words ("Bước 3." -> 3)."""
    head = fold(line[:40])
    m = label.match(re.sub(r"\s+", " ", head))
    return int(m.group(1)) if m else None
