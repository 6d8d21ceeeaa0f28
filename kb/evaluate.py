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

from .config import Config
from .errors import InputError
from .text import normalize_for_match

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
    from .baseline import PlainLlamaIndex

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

    from .danger import TUNING, cross_validated, flag, load_examples, rates

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


def sweep_danger(kb, path: Path, grid: dict) -> list[dict]:
    """Out-of-fold recall / false alarms for each setting of the grid (how TUNING was chosen)."""
    from itertools import product

    from .danger import DangerTuning, cross_validated, flag, load_examples, rates

    examples = load_examples(path)
    vectors = kb.danger_vectors([e.text for e in examples])
    out = []
    for l2 in grid["l2"]:
        probs = cross_validated(examples, vectors, DangerTuning(l2=l2))
        for th, floor in product(grid["threshold"], grid["doubt_floor"]):
            tuning = DangerTuning(l2=l2, threshold=th, doubt_floor=min(floor, th))
            r = rates(examples, [flag(p, e.text, tuning) for p, e in zip(probs, examples)])
            out.append({"l2": l2, "threshold": th, "doubt_floor": tuning.doubt_floor,
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


def fit_abstention(kb, paths: list[Path], grid=(0.005, 0.02, 0.05, 0.1, 0.2), threshold: float = 0.5,
                   seed: int = 0) -> tuple[object, dict]:
    """Fit the abstention model (kb/abstain.py) on labelled QA files. The ridge strength is
    chosen by leave-one-file-out balanced accuracy (each file was written apart, so a left-out
    file is the nearest thing to a new author's questions); reports those held-out rates, 5-fold
    rates, in-sample rates and the hand-set rule it replaces, per language."""
    from . import abstain

    rows, X, files = [], [], []
    for path in paths:
        for row in load_qa(path):
            search = kb.view.retriever.search(row["question"], k=10)
            rows.append(row)
            X.append(abstain.features(search))
            files.append(path.name)
    X, files = np.array(X), np.array(files)
    y = np.array([0 if r["answerable"] else 1 for r in rows])
    langs = np.array([r["lang"] for r in rows])
    fold5 = np.random.default_rng(seed).permutation(len(y)) % 5

    def by_lang(abstained):
        return {"all": abstain.rates(abstained, y),
                **{lang: abstain.rates(abstained[langs == lang], y[langs == lang]) for lang in LANGS if (langs == lang).any()}}

    def balanced(abstained):
        r = abstain.rates(abstained, y)
        return (1 - r["answerable_wrongly_abstained"] + r["unanswerable_abstained"]) / 2

    scores = {l2: balanced(abstain.cross_validated(X, y, files, l2) >= threshold) for l2 in grid}
    l2 = max(grid, key=lambda v: (round(scores[v], 3), v))  # ties: the stronger ridge
    model = abstain.fit(X, y, l2, threshold)
    how = {"files": [str(p) for p in paths], "questions": len(y), "l2": l2, "threshold": threshold,
           "l2_grid_balanced_accuracy_leave_one_file_out": {str(k): round(v, 4) for k, v in scores.items()},
           "held_out_leave_one_file_out": by_lang(abstain.cross_validated(X, y, files, l2) >= threshold),
           "held_out_5_fold": by_lang(abstain.cross_validated(X, y, fold5, l2) >= threshold),
           "in_sample": by_lang(model.probability(X) >= threshold),
           "fitted_on": time.strftime("%Y-%m-%d"),
           "command": "python -m kb eval --fit-abstain " + " ".join(str(p) for p in paths)}
    return model, how


def format_abstention(how: dict) -> str:
    lines = [f"abstention model: {how['questions']} questions, l2={how['l2']}, threshold={how['threshold']}",
             f"{'rates':<28}{'lang':<11}{'answerable refused':>20}{'unanswerable refused':>22}"]
    for part in ("held_out_leave_one_file_out", "held_out_5_fold", "in_sample"):
        for lang, r in how[part].items():
            cell = lambda v: f"{v:.3f}" if v is not None else "-"
            lines.append(f"{part:<28}{lang:<11}{cell(r['answerable_wrongly_abstained']):>20}"
                         f"{cell(r['unanswerable_abstained']):>22}")
    return "\n".join(lines)


def cross_validate_retrieval(kb, paths: list[Path], grid: dict | None = None, base=None) -> dict:
    """Leave-one-file-out check of the retrieval weights (kb/tuning.py): every setting of the
    grid (one field at a time around `base`) is scored on every file; for each file, the setting
    best on the *other* files is chosen and its hit@1 on the left-out file is the held-out
    number, beside the shipped setting's. Answerable questions only; hit@1 and MRR@10."""
    from dataclasses import replace

    from .tuning import GRID, RETRIEVAL

    base = base or RETRIEVAL
    grid = GRID if grid is None else grid
    settings = [("shipped", base)] + [(f"{field}={value}", replace(base, **{field: value}))
                                      for field, values in grid.items() for value in values
                                      if getattr(base, field) != value]
    files = {p.name: [r for r in load_qa(p) if r["answerable"]] for p in paths}
    retriever = kb.view.retriever
    scores: dict[str, dict[str, tuple[float, float]]] = {}
    for name, tuning in settings:
        scores[name] = {}
        for fname, rows in files.items():
            ranks = [first_relevant([h.chunk.text for h in retriever.search(r["question"], k=10, tuning=tuning).hits],
                                    r["evidence"]) for r in rows]
            scores[name][fname] = (float(np.mean([r == 0 for r in ranks])),
                                   float(np.mean([1 / (r + 1) if r is not None else 0.0 for r in ranks])))
    held = {}
    for fname in files:
        others = [f for f in files if f != fname]
        pick = max(settings, key=lambda s: (round(np.mean([scores[s[0]][f][0] for f in others]), 4),
                                            s[0] == "shipped", np.mean([scores[s[0]][f][1] for f in others])))[0]
        held[fname] = {"chosen": pick, "held_out_hit@1": scores[pick][fname][0],
                       "shipped_hit@1": scores["shipped"][fname][0], "questions": len(files[fname])}
    return {"settings": {n: {f: {"hit@1": v[0], "mrr": v[1]} for f, v in per.items()} for n, per in scores.items()},
            "leave_one_file_out": held}


def format_cv(data: dict) -> str:
    files = list(data["leave_one_file_out"])
    lines = [f"{'setting':<22}" + "".join(f"{f[:18]:>20}" for f in files) + "   (hit@1 / MRR, answerable)"]
    for name, per in data["settings"].items():
        lines.append(f"{name:<22}" + "".join(f"{per[f]['hit@1']:>12.3f} / {per[f]['mrr']:.3f}" for f in files))
    lines.append("")
    lines.append("left out            chosen on the others      held-out hit@1   shipped hit@1")
    for f, h in data["leave_one_file_out"].items():
        lines.append(f"{f[:18]:<20}{h['chosen']:<26}{h['held_out_hit@1']:>14.3f}{h['shipped_hit@1']:>16.3f}")
    return "\n".join(lines)


def cross_validate_answer(kb, paths: list[Path], grid: dict | None = None, base=None) -> dict:
    """Leave-one-file-out fit of the answer weights (`AnswerTuning` in kb/tuning.py): each
    answerable question is searched once and its answer composed under every setting, scored by
    keyword accuracy. The fields of `FITTED` are tried together (every combination of the grid's
    values); for each file the combination best on the *other* files is chosen and scored on it,
    and the one best on all files is what should ship. The grid's other fields are tried one at a
    time around `base` and only reported (a check of the hand-set weights)."""
    from dataclasses import replace
    from itertools import product

    from .tuning import ANSWER, ANSWER_FITTED, ANSWER_GRID

    base = base or ANSWER
    grid = ANSWER_GRID if grid is None else grid
    fitted = [f for f in ANSWER_FITTED if f in grid]
    combos = [dict(zip(fitted, values)) for values in product(*(grid[f] for f in fitted))]
    settings = [(", ".join(f"{f}={v}" for f, v in c.items()), replace(base, **c)) for c in combos]
    chosen_from = [name for name, _ in settings]
    shipped = next((name for name, t in settings if t == base), "shipped")
    if shipped == "shipped":  # the shipped weights are off the grid: score them too
        settings.insert(0, ("shipped", base))
    settings += [(f"{field}={value}", replace(base, **{field: value})) for field, values in grid.items()
                 if field not in fitted for value in values if getattr(base, field) != value]
    files = {p.name: [r for r in load_qa(p) if r["answerable"]] for p in paths}
    found = {f: [kb.gather(r["question"]) for r in rows] for f, rows in files.items()}
    scores: dict[str, dict[str, dict]] = {}
    for name, tuning in settings:
        scores[name] = {}
        for f, rows in files.items():
            answers = [kb.compose(ev, tuning) for ev in found[f]]
            scores[name][f] = {"keyword_accuracy": float(np.mean([keywords_ok(a.text, r["answer_keywords"])
                                                                 for a, r in zip(answers, rows)])),
                               "keyword_recall": float(np.mean([keyword_share(a.text, r["answer_keywords"])
                                                               for a, r in zip(answers, rows)])),
                               "direct_chars": float(np.mean([len(a.direct) for a in answers]))}

    def pick(among: list[str]) -> str:  # ties: the shorter answers
        return max(chosen_from, key=lambda n: (round(float(np.mean([scores[n][f]["keyword_accuracy"] for f in among])), 4),
                                               -float(np.mean([scores[n][f]["direct_chars"] for f in among]))))

    held = {}
    for f in files:
        chosen = pick([o for o in files if o != f])
        held[f] = {"chosen": chosen, "held_out": scores[chosen][f]["keyword_accuracy"],
                   "shipped": scores[shipped][f]["keyword_accuracy"], "questions": len(files[f])}
    return {"settings": scores, "leave_one_file_out": held, "chosen_on_all": pick(list(files)), "shipped": shipped,
            "fitted": fitted, "base": {k: getattr(base, k) for k in grid}}


def format_cv_answer(data: dict) -> str:
    files = list(data["leave_one_file_out"])
    lines = [f"{'setting':<26}" + "".join(f"{f[:18]:>20}" for f in files) + "   (keyword accuracy / answer chars)"]
    for name, per in data["settings"].items():
        lines.append(f"{name:<26}" + "".join(f"{per[f]['keyword_accuracy']:>13.3f} / {per[f]['direct_chars']:>4.0f}"
                                             for f in files))
    lines += ["", "left out            chosen on the others          held-out acc.   shipped acc."]
    for f, h in data["leave_one_file_out"].items():
        lines.append(f"{f[:18]:<20}{h['chosen']:<30}{h['held_out']:>13.3f}{h['shipped']:>15.3f}")
    lines.append(f"chosen on all files: {data['chosen_on_all']} (shipped: {data['shipped']})")
    return "\n".join(lines)
