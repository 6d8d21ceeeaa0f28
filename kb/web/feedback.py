"""Feedback 👍/👎: the only place question text is ever stored, and only when a user sends it."""
from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

_LOCK = threading.Lock()


def record_feedback(path: Path, question: str, answer: str, rating: str, reason: str = "",
                    citations: list[str] | None = None, answer_id: str = "") -> None:
    """Write one feedback line (JSON) to the admin's file. With `answer_id`, a user who changes
    their mind (👍 then 👎) replaces their earlier line for that answer: the file keeps the last."""
    if rating not in ("up", "down"):
        raise ValueError("rating must be 'up' or 'down'")
    row = {"time": time.strftime("%Y-%m-%dT%H:%M:%S"), "rating": rating, "reason": reason.strip(),
           "question": question, "answer": answer, "citations": citations or []}
    if answer_id:
        row["answer_id"] = answer_id
    line = json.dumps(row, ensure_ascii=False) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    with _LOCK:
        if answer_id and path.exists():
            lines = [old for old in path.read_text(encoding="utf-8").splitlines(keepends=True) if old.strip()]
            kept = [old for old in lines if _answer_id(old) != answer_id]
            if len(kept) < len(lines):
                tmp = path.with_suffix(path.suffix + ".tmp")  # rewritten whole, then swapped in
                tmp.write_text("".join(kept) + line, encoding="utf-8")
                os.replace(tmp, path)
                return
        with path.open("a", encoding="utf-8") as f:
            f.write(line)


def _answer_id(line: str) -> str:
    try:
        return json.loads(line).get("answer_id", "")
    except ValueError:
        return ""
