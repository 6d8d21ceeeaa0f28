"""Whether the documents answer a question: a logistic regression over what the search found,
fitted on labelled questions (answerable or not), instead of hand-set thresholds.

The features are shares and similarities, not corpus sizes, so weights fitted on the bundled
corpus carry over to another one. The weights live in kb/tuned/abstain.json with how they
were fitted (files, regularisation, threshold, cross-validated rates); `python -m kb eval
--fit-abstain FILE...` refits them and prints the held-out numbers. Pure except load/save."""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from kb.search.intent import COUNT, PHONE, asked_values, values_found
from kb.logit import fit_logistic

WEIGHTS = Path(__file__).resolve().parents[1] / "tuned" / "abstain.json"
FEATURES = (
    "coverage_top",          # share of the question's words the first passage holds
    "coverage_best3",        # the best of the first three
    "cosine_top",            # e5 cosine of the first passage to the question
    "cosine_best3",
    "score_top",             # the fused and re-ranked score of the first passage
    "score_margin",          # how far the first passage stands above the fifth
    "unknown_share",         # question words the corpus never uses
    "unwritten_number",      # "phường 3", "năm 2031": a numbered thing the documents never write
    "statistic_no_count",    # asks for a count of cases; no passage holds one
    "phone_no_number",       # asks for a phone number; no passage holds one
    "english",
    "english_coverage",      # coverage of the Vietnamese renderings, for English questions
    "english_untranslated",  # share of English words the glossary cannot render
    "terms",                 # how many content words (capped at 10, scaled to 1)
    "value_missing",         # asks for an amount, date, share, duration, phone or age; none is written
    "value_found",           # ... and the first passages write one
    # the scores mean different things for the two sides (glossary renderings for English):
    # a slope of its own for each language
    "vietnamese_coverage_best3", "vietnamese_score_top", "english_score_top", "english_cosine_best3",
    "across_documents",      # asks across documents: each passage covers only its own part
)


def features(search) -> np.ndarray:
    """The feature vector of one search (a kb.retrieve.Search), in FEATURES order."""
    hits = search.hits
    pad = lambda xs: list(xs[:5]) + [0.0] * (5 - len(xs[:5]))
    cov, sim, score = pad(search.coverage), pad(search.similarity), pad([h.score for h in hits])
    texts = [h.chunk.text for h in hits[:3]]
    en = float(search.query.lang == "en")
    untranslated = len(search.query.untranslated) if en else 0
    asked = asked_values(search.query.text)
    found = bool(asked) and values_found(asked, texts)
    return np.array([
        cov[0], max(cov[:3]), sim[0], max(sim[:3]), score[0], score[0] - score[4],
        len(search.unknown) / max(1, len(search.terms)),
        float(any("_" in u for u in search.unknown)),
        float("statistic" in search.intents and not any(COUNT.search(t) for t in texts)),
        float("phone" in search.intents and "number" in search.intents and not any(PHONE.search(t) for t in texts)),
        en, en * max(cov[:3]),
        untranslated / max(1, len(search.query.groups) + untranslated),
        min(len(search.terms), 10) / 10,
        float(bool(asked) and not found), float(found),
        (1 - en) * max(cov[:3]), (1 - en) * score[0], en * score[0], en * max(sim[:3]),
        float("across" in search.intents),
    ], np.float64)


@dataclass(frozen=True)
class AbstainModel:
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    bias: float
    threshold: float

    def probability(self, x: np.ndarray) -> np.ndarray:
        """Probability that the documents do not answer, per row of x (or for one vector)."""
        z = ((np.atleast_2d(x) - self.mean) / self.scale) @ self.weights + self.bias
        return 1.0 / (1.0 + np.exp(-z))

    def abstains(self, x: np.ndarray) -> bool:
        return bool(self.probability(x)[0] >= self.threshold)


def fit(X: np.ndarray, y: np.ndarray, l2: float, threshold: float) -> AbstainModel:
    """y = 1 where the question is not answerable. Features are standardised first."""
    mean, scale = X.mean(0), X.std(0) + 1e-9
    w, b = fit_logistic((X - mean) / scale, y.astype(np.float64), l2)
    return AbstainModel(mean, scale, w, b, threshold)


def cross_validated(X: np.ndarray, y: np.ndarray, groups: np.ndarray, l2: float) -> np.ndarray:
    """Out-of-fold probabilities: each group (a question file, a fold) predicted by a model
    fitted on the others."""
    out = np.zeros(len(y))
    for g in np.unique(groups):
        held = groups == g
        out[held] = fit(X[~held], y[~held], l2, 0.5).probability(X[held])
    return out


def rates(abstained: np.ndarray, y: np.ndarray) -> dict:
    return {"answerable_wrongly_abstained": float(abstained[y == 0].mean()) if (y == 0).any() else None,
            "unanswerable_abstained": float(abstained[y == 1].mean()) if (y == 1).any() else None,
            "answerable": int((y == 0).sum()), "unanswerable": int((y == 1).sum())}


def save(model: AbstainModel, how: dict, path: Path = WEIGHTS) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"features": list(FEATURES), "mean": model.mean.round(6).tolist(), "scale": model.scale.round(6).tolist(),
            "weights": model.weights.round(6).tolist(), "bias": round(model.bias, 6),
            "threshold": model.threshold, "fitted": how}
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


@lru_cache(maxsize=4)
def load(path: Path = WEIGHTS) -> AbstainModel:
    data = json.loads(path.read_text(encoding="utf-8"))
    if data["features"] != list(FEATURES):
        raise ValueError(f"{path}: fitted on other features; refit with python -m kb eval --fit-abstain")
    arr = lambda k: np.asarray(data[k], np.float64)
    return AbstainModel(arr("mean"), arr("scale"), arr("weights"), float(data["bias"]), float(data["threshold"]))
