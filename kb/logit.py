"""Ridge logistic regression by Newton's method, shared by the two learned checks (a child in
danger: kb/answer/danger.py; whether the documents answer: kb/answer/abstain.py). numpy only, pure."""
from __future__ import annotations

import numpy as np


def fit_logistic(X: np.ndarray, y: np.ndarray, l2: float, steps: int = 25) -> tuple[np.ndarray, float]:
    """Ridge logistic regression by Newton's method (a few hundred rows, a few hundred columns):
    returns weights and bias. Classes are weighted to balance."""
    n, d = X.shape
    A = np.hstack([X, np.ones((n, 1))]).astype(np.float64)
    pos = y.mean()
    sw = np.where(y == 1, 0.5 / max(pos, 1e-9), 0.5 / max(1 - pos, 1e-9))
    reg = np.full(d + 1, l2)
    reg[-1] = 0.0
    w = np.zeros(d + 1)
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(A @ w)))
        grad = A.T @ (sw * (p - y)) + reg * w
        H = (A * (sw * p * (1 - p))[:, None]).T @ A + np.diag(reg + 1e-9)
        step = np.linalg.solve(H, grad)
        w -= step
        if np.abs(step).max() < 1e-6:
            break
    return w[:-1], float(w[-1])
