"""Evaluation: hit@1/3/5, MRR (computed with ranx), keyword accuracy, abstention accuracy in
both directions and latency, per language, with a plain llama-index baseline in the same run.

QA format, one JSON object per line:
  {"id", "lang": "vi"|"vi-nodiac"|"en", "question", "answerable": bool,
   "evidence": [phrases, any of which must appear in a cited passage],
   "answer_keywords": [[alternatives], ...]}   (every group must appear in the answer)
"""
from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

from kb.config import Config
from kb.errors import InputError
from kb.text import normalize_for_match

LANGS = ("vi", "vi-nodiac", "en")


def load_qa(path: Path) -> list[dict]:
    if not path.exists():
        raise InputError(f"{path}: no such file")
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            assert isinstance(row["question"], str) and isinstance(row["answerable"], bool)
            row.setdefault("id", f"line{n}")
            row.setdefault("lang", "vi")
            row.setdefault("evidence", [])
            row.setdefault("answer_keywords", [])
        except (json.JSONDecodeError, KeyError, AssertionError, TypeError):
            raise InputError(f"{path}:{n}: not a QA object with question/answerable/evidence") from None
        rows.append(row)
    if not rows:
        raise InputError(f"{path}: no questions")
    return rows


def first_relevant(texts: list[str], evidence: list[str]) -> int | None:
    """Rank (0-based) of the first passage containing any evidence phrase."""
    needles = [normalize_for_match(e) for e in evidence]
    for rank, text in enumerate(texts):
        hay = normalize_for_match(text)
        if any(n and n in hay for n in needles):
            return rank
    return None


def keywords_ok(answer: str, groups: list[list[str]]) -> bool:
    hay = normalize_for_match(answer)
    return all(any(normalize_for_match(k) in hay for k in group) for group in groups)


def keyword_share(answer: str, groups: list[list[str]]) -> float:
    """The share of the keyword groups the answer holds (keywords_ok asks for all of them)."""
    hay = normalize_for_match(answer)
    return float(np.mean([any(normalize_for_match(k) in hay for k in group) for group in groups])) if groups else 1.0


def ir_metrics(ranked: dict[str, list[str]], relevant: dict[str, set[str]]) -> dict[str, float]:
    """hit@1/3/5 and MRR with ranx over the answerable questions."""
    from ranx import Qrels, Run, evaluate

    if not ranked:
        return {}
    qrels = {q: {d: 1 for d in (relevant[q] or {"__none__"})} for q in ranked}
    run = {q: ({d: float(len(ids) - i) for i, d in enumerate(ids)} or {"__empty__": 0.0})
           for q, ids in ranked.items()}
    scores = evaluate(Qrels(qrels), Run(run), ["hit_rate@1", "hit_rate@3", "hit_rate@5", "mrr"])
    return {"hit@1": scores["hit_rate@1"], "hit@3": scores["hit_rate@3"],
            "hit@5": scores["hit_rate@5"], "mrr": scores["mrr"]}


def _ranked(qid: str, texts: list[str], row: dict, ranked: dict, relevant: dict) -> None:
    """Record one question's ranked passages and which of them hold its evidence (for ranx)."""
    ids = [f"{qid}#{i}" for i in range(len(texts))]
    ranked[qid] = ids
    relevant[qid] = {ids[i] for i, t in enumerate(texts) if first_relevant([t], row["evidence"]) == 0}


def summarize(rows: list[dict], results: list[dict], texts_of) -> dict:
    """Metrics for one system over some rows. `texts_of(result)` gives its ranked passages."""
    ranked, relevant = {}, {}
    kw, wrongly, abstain_ok, unans = 0, 0, 0, 0
    answerable = [(r, res) for r, res in zip(rows, results) if r["answerable"]]
    for row, res in answerable:
        _ranked(row["id"], texts_of(res), row, ranked, relevant)
        kw += keywords_ok(res.get("answer", ""), row["answer_keywords"])
        wrongly += bool(res.get("abstained"))
    for row, res in zip(rows, results):
        if not row["answerable"]:
            unans += 1
            abstain_ok += bool(res.get("abstained"))
    out = {"questions": len(rows), **ir_metrics(ranked, relevant)}
    if answerable and "answer" in results[0]:
        out["keyword_accuracy"] = kw / len(answerable)
        out["answerable_wrongly_abstained"] = wrongly / len(answerable)
    if unans and "answer" in results[0]:
        out["unanswerable_abstained"] = abstain_ok / unans
    lat = [res["latency_ms"] for res in results if "latency_ms" in res]
    if lat:
        out["latency_ms_p50"] = float(np.percentile(lat, 50))
        out["latency_ms_p95"] = float(np.percentile(lat, 95))
    return out


def evaluate_kb(kb, rows: list[dict]) -> list[dict]:
    kb.ask("khởi động")  # warm: the eval reports warm latency
    return [kb.ask(row["question"]).to_dict() for row in rows]


def evaluate_baseline(config: Config, rows: list[dict]) -> list[dict]:
    from kb.measure.baseline import PlainLlamaIndex

    base = PlainLlamaIndex.build(config)
    return [base.retrieve(row["question"]) for row in rows]


def report(rows: list[dict], kb_results: list[dict], base_results: list[dict] | None) -> dict:
    cited = lambda res: [c["text"] for c in res["citations"]]
    out = {"kb": {"all": summarize(rows, kb_results, cited)}}
    for lang in LANGS:
        idx = [i for i, r in enumerate(rows) if r["lang"] == lang]
        if idx:
            out["kb"][lang] = summarize([rows[i] for i in idx], [kb_results[i] for i in idx], cited)
    if base_results is not None:
        texts = lambda res: res["texts"]
        out["baseline"] = {"all": summarize(rows, base_results, texts)}
        for lang in LANGS:
            idx = [i for i, r in enumerate(rows) if r["lang"] == lang]
            if idx:
                out["baseline"][lang] = summarize([rows[i] for i in idx], [base_results[i] for i in idx], texts)
    return out


def write_report(data: dict, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"eval-{time.strftime('%Y-%m-%d-%H%M%S')}.json"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def format_table(data: dict) -> str:
    cols = ["questions", "hit@1", "hit@3", "hit@5", "mrr", "keyword_accuracy",
            "unanswerable_abstained", "answerable_wrongly_abstained", "latency_ms_p50", "latency_ms_p95"]
    short = ["n", "hit@1", "hit@3", "hit@5", "MRR", "kw_acc", "unans_abst", "wrong_abst", "p50_ms", "p95_ms"]
    lines = [f"{'system/lang':<20}" + "".join(f"{c:>11}" for c in short)]
    for system, parts in data.items():
        for lang, m in parts.items():
            cells = []
            for c in cols:
                v = m.get(c)
                cells.append(f"{'-':>11}" if v is None else f"{v:>11.0f}" if c == "questions" else f"{v:>11.3f}"
                             if c not in ("latency_ms_p50", "latency_ms_p95") else f"{v:>11.1f}")
            lines.append(f"{system + '/' + lang:<20}" + "".join(cells))
    return "\n".join(lines)


def evaluate_danger(kb, path: Path, cv: bool = False, tuning=None) -> dict:
    """Recall on danger messages and false alarms on ordinary ones, per language: with the
    knowledge base's fitted check, or out-of-fold (`cv`) on the file it is fitted on."""
    from collections import Counter
    from dataclasses import asdict

    from kb.answer.danger import TUNING, cross_validated, flag, load_examples, rates

    tuning = tuning or TUNING
    examples = load_examples(path)
    vectors = kb.danger_vectors([e.text for e in examples])
    if cv:
        probs = cross_validated(examples, vectors, tuning)
    else:
        model = kb.danger if tuning == TUNING and kb.danger is not None else kb.fit_danger(tuning)
        probs = np.array([model.probability(e.text, v) for e, v in zip(examples, vectors)])
    flagged = [flag(p, e.text, tuning) for p, e in zip(probs, examples)]
    return {"file": str(path), "mode": "out-of-fold, 5 folds" if cv else f"fitted on {kb.config.danger_examples.name}",
            "tuning": asdict(tuning), "rates": rates(examples, flagged),
            "missed_kinds": dict(Counter(e.kind for e, f in zip(examples, flagged) if e.label and not f)),
            "false_alarm_kinds": dict(Counter(e.kind for e, f in zip(examples, flagged) if not e.label and f)),
            "missed_ids": [e.id for e, f in zip(examples, flagged) if e.label and not f],
            "false_alarm_ids": [e.id for e, f in zip(examples, flagged) if not e.label and f]}


# the grid DangerTuning was chosen from (kb eval --danger eval/danger/dev.jsonl --sweep)
DANGER_GRID = {"l2": [0.003, 0.01], "words": [0.0, 0.25, 0.5, 1.0],
               "threshold": [0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5], "doubt_floor": [0.05, 0.1, 0.15, 0.2]}


def choose_danger(rows: list[dict]) -> list[dict]:
    """The settings of a sweep that keep out-of-fold recall 1.0, fewest false alarms first (then
    the higher threshold, then the lower band of doubt): the first is the one DangerTuning takes."""
    kept = [r for r in rows if r["recall_all"] == 1.0]
    return sorted(kept, key=lambda r: (round(r["false_alarm"], 6), -r["threshold"], r["doubt_floor"]))


def sweep_danger(kb, path: Path, grid: dict = DANGER_GRID) -> list[dict]:
    """Out-of-fold recall / false alarms for each setting of the grid (how TUNING was chosen)."""
    from itertools import product

    from kb.answer.danger import DangerTuning, cross_validated, flag, load_examples, rates

    examples = load_examples(path)
    vectors = kb.danger_vectors([e.text for e in examples])
    out = []
    for l2, words in product(grid["l2"], grid.get("words", [DangerTuning.words])):
        probs = cross_validated(examples, vectors, DangerTuning(l2=l2, words=words))
        for th, floor in product(grid["threshold"], grid["doubt_floor"]):
            tuning = DangerTuning(l2=l2, words=words, threshold=th, doubt_floor=min(floor, th))
            r = rates(examples, [flag(p, e.text, tuning) for p, e in zip(probs, examples)])
            out.append({"l2": l2, "words": words, "threshold": th, "doubt_floor": tuning.doubt_floor,
                        **{f"recall_{k}": v["recall"] for k, v in r.items()},
                        "false_alarm": r["all"]["false_alarm"]})
    return out


def format_danger(data: dict) -> str:
    lines = [f"{data['file']} ({data['mode']})",
             f"{'language':<12}{'danger':>8}{'recall':>9}{'ordinary':>10}{'false alarm':>13}"]
    for lang, r in data["rates"].items():
        fmt = lambda v: f"{v:.3f}" if v is not None else "-"
        lines.append(f"{lang:<12}{r['danger']:>8}{fmt(r['recall']):>9}{r['ordinary']:>10}{fmt(r['false_alarm']):>13}")
    if data["missed_kinds"]:
        lines.append("missed, by kind: " + ", ".join(f"{k} {n}" for k, n in sorted(data["missed_kinds"].items())))
    if data["false_alarm_kinds"]:
        lines.append("false alarms, by kind: " + ", ".join(f"{k} {n}" for k, n in sorted(data["false_alarm_kinds"].items())))
    return "\n".join(lines)
