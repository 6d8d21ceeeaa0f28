"""Scores the responsibility matrix and the deadline list against hand-checked gold rows
(tests/gold/*.jsonl). A gold row is found when an extracted row of the same document names the
same actor (one name contains the other, compared without diacritics) and its text contains the
gold phrase. Pure: rows in, numbers out."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from kb.text import fold

# Parts of the laws the gold covers: rows found elsewhere in them are not scored.
SCOPE = {"luat-tre-em-2016": range(79, 103), "nghi-dinh-56-2017": range(22, 33)}


@dataclass(frozen=True)
class Score:
    found: int  # gold rows matched
    gold: int
    correct: int  # extracted rows (in scope) that match a gold row
    extracted: int

    @property
    def recall(self) -> float:
        return self.found / self.gold if self.gold else 1.0

    @property
    def precision(self) -> float:
        return self.correct / self.extracted if self.extracted else 1.0


def load_gold(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[*_#’'`]", " ", fold(text)).split())


def _actor(text: str) -> str:
    return re.sub(r"^(de nghi |giao )?(cac |moi )?", "", _norm(text))


def same_actor(gold: str, found: str) -> bool:
    g, f = _actor(gold), _actor(found)
    # a found name may add a qualifier to the gold one, not a list of other bodies
    return bool(g and f) and (g == f or f in g or (g in f and len(f) - len(g) <= 30))


def in_scope(doc_id: str, section: str) -> bool:
    if doc_id not in SCOPE:
        return True
    m = re.search(r"Điều (\d+)\.", section)
    return bool(m) and int(m.group(1)) in SCOPE[doc_id]


def matches(gold: dict, row: dict, text_key: str = "duty", actor_key: str = "agency") -> bool:
    return (row["doc_id"] == gold["doc_id"] and _norm(gold[text_key]) in _norm(row[text_key])
            and same_actor(gold[actor_key], row[actor_key]))


def score(gold: list[dict], rows: list[dict], docs: set[str] | None = None, text_key: str = "duty",
          actor_key: str = "agency") -> Score:
    """Recall over gold rows and precision over extracted rows of the documents `docs` (all the
    gold's documents when None). A gold line {"doc_id": ..., "none": true} says that document
    assigns no duty: every row found in it is wrong."""
    docs = docs or {g["doc_id"] for g in gold}
    rows = [r for r in rows if r["doc_id"] in docs and in_scope(r["doc_id"], r.get("section", ""))]
    gold = [g for g in gold if g["doc_id"] in docs and not g.get("none")]
    found = sum(any(matches(g, r, text_key, actor_key) for r in rows) for g in gold)
    correct = sum(any(matches(g, r, text_key, actor_key) for g in gold) for r in rows)
    return Score(found, len(gold), correct, len(rows))


def report(gold: list[dict], rows: list[dict]) -> dict[str, Score]:
    """Scores overall, per split (tuning / held_out) and per document the gold covers; documents
    added to the corpus since the gold was written are not scored."""
    out = {"all": score(gold, rows)}
    for split in sorted({g.get("split", "tuning") for g in gold}):
        out[split] = score(gold, rows, {g["doc_id"] for g in gold if g.get("split", "tuning") == split})
    for doc in sorted({g["doc_id"] for g in gold}):
        out[doc] = score(gold, rows, {doc})
    return out


@dataclass(frozen=True)
class DeadlineScore:
    found: int  # gold rows with a row of the same document, obligation and time
    gold: int
    actor_right: int  # found rows whose actor is the gold one (gold rows that name an actor)
    with_actor: int  # gold rows that name an actor
    filled: int  # extracted rows with an actor
    extracted: int


def score_deadlines(gold: list[dict], rows: list[dict]) -> DeadlineScore:
    """Recall and actors of the deadline rows, over the documents the gold covers."""
    rows = [r for r in rows if r["doc_id"] in {g["doc_id"] for g in gold}]
    found = actor_right = 0
    for g in gold:
        hits = [r for r in rows if r["doc_id"] == g["doc_id"] and _norm(g["obligation"]) in _norm(r["obligation"])
                and _norm(g["when"]) in _norm(r["when"])]
        found += bool(hits)
        actor_right += bool(g["actor"]) and any(same_actor(g["actor"], a) for r in hits for a in [r["agency"], *r["agency"].split("; ")])
    return DeadlineScore(found, len(gold), actor_right, sum(bool(g["actor"]) for g in gold),
                         sum(bool(r["agency"]) for r in rows), len(rows))
