"""Feedback 👍/👎: the only place question text is ever stored, and only when a user sends it."""
from __future__ import annotations

import json
import threading
import time
from pathlib import Path

_LOCK = threading.Lock()


def record_feedback(path: Path, question: str, answer: str, rating: str, reason: str = "",
                    citations: list[str] | None = None) -> None:
    """Append one feedback line (JSON) to the admin's file."""
    if rating not in ("up", "down"):
        raise ValueError("rating must be 'up' or 'down'")
    row = {"time": time.strftime("%Y-%m-%dT%H:%M:%S"), "rating": rating, "reason": reason.strip(),
           "question": question, "answer": answer, "citations": citations or []}
    path.parent.mkdir(parents=True, exist_ok=True)
    with _LOCK, path.open("a", encoding="utf-8") as f:
        f.write(json.dumps(row, ensure_ascii=False) + "\n")
