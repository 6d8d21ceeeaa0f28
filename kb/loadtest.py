"""Load test: N concurrent chat users against a running app, each with its own client.

>>> run_load("http://127.0.0.1:7860/", users=20, per_user=5)
{'users': 20, 'requests': 100, 'errors': 0, 'p50_ms': ..., 'p95_ms': ..., ...}
"""
from __future__ import annotations

import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor


def run_load(url: str, questions: list[str] | None = None, users: int = 20, per_user: int = 5,
             timeout_s: float = 300) -> dict:
    """Every user asks `per_user` questions one after the other through the app's /ask API,
    all users at once. Errors (exceptions, answers without citations, a user not done within
    timeout_s) are counted, never raised; latencies are per request, as a user waits them."""
    from gradio_client import Client

    questions = questions or ["Trẻ em là người dưới bao nhiêu tuổi?"]
    deadline = time.monotonic() + timeout_s
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    start_line = threading.Barrier(users)

    def user(n: int) -> None:
        try:
            client = Client(url, verbose=False, analytics_enabled=False)
        except Exception as e:  # counted as this user's failures
            with lock:
                errors.extend([f"user {n}: cannot connect: {type(e).__name__}"] * per_user)
            start_line.abort()
            return
        try:
            start_line.wait(timeout=timeout_s)
        except threading.BrokenBarrierError:
            pass
        for k in range(per_user):
            question = questions[(n * per_user + k) % len(questions)]
            start = time.perf_counter()
            try:
                if time.monotonic() > deadline:
                    raise TimeoutError("load test time limit reached")
                result = client.submit(question, api_name="/ask").result(timeout=max(1.0, deadline - time.monotonic()))
                if not result.get("citations"):
                    raise ValueError("answer without citations")
                with lock:
                    latencies.append((time.perf_counter() - start) * 1000)
            except Exception as e:
                with lock:
                    errors.append(f"user {n}: {type(e).__name__}: {str(e)[:80]}")

    started = time.perf_counter()
    with ThreadPoolExecutor(users) as pool:
        list(pool.map(user, range(users)))
    duration = time.perf_counter() - started
    ms = sorted(latencies)
    return {"users": users, "requests": users * per_user, "ok": len(ms), "errors": len(errors),
            "error_samples": errors[:5], "seconds": round(duration, 1),
            "throughput_rps": round(len(ms) / duration, 1) if duration else 0.0,
            "p50_ms": round(statistics.median(ms), 1) if ms else None,
            "p95_ms": round(ms[int(0.95 * (len(ms) - 1))], 1) if ms else None,
            "max_ms": round(ms[-1], 1) if ms else None}
