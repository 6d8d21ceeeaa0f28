"""Fitting kb's tuned numbers and checking them held out: the abstention model
(`kb eval --fit-abstain`), the retrieval weights (`kb eval --cv`) and the answer's sentence
choice (`kb eval --cv-answer`), each scored leaving one question file out (every file was
written by another author). Metrics and QA loading come from kb.measure.evaluate."""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from kb.measure.evaluate import LANGS, first_relevant, keyword_share, keywords_ok, load_qa


def fit_abstention(kb, paths: list[Path], grid=(0.005, 0.02, 0.05, 0.1, 0.2), threshold: float = 0.5,
                   seed: int = 0) -> tuple[object, dict]:
    """Fit the abstention model (kb/answer/abstain.py) on labelled QA files. The ridge strength is
    chosen by leave-one-file-out balanced accuracy (each file was written apart, so a left-out
    file is the nearest thing to a new author's questions); reports those held-out rates, 5-fold
    rates, in-sample rates and the hand-set rule it replaces, per language."""
    from kb.answer import abstain

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

    from kb.tuning import GRID, RETRIEVAL

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

    from kb.tuning import ANSWER, ANSWER_FITTED, ANSWER_GRID

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
