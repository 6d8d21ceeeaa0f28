"""Load test: N concurrent chat users against a running app, each with its own client.

>>> run_load("http://127.0.0.1:7860/", users=20, per_user=5)   # POST /kb/ask
{'users': 20, 'requests': 100, 'errors': 0, 'p50_ms': ..., 'p95_ms': ..., ...}
>>> compare(questions, modes={"lock": 1, "parallel": 0})   # starts the app once per mode

Each measurement is judged against one user alone on the same app in the same run: the
throughput of N users over one user's rate (1 / that user's mean latency; 2 cores make 2x the
ceiling), and the N users' p95 over one user's p50.
"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path


class ApiUser:
    """One user on the app's plain JSON route (POST /kb/ask): what a script or another system
    would call. It keeps one connection open and uses the standard library's http.client
    (a third of httpx's CPU per request), so that 20 of them on the app's own 2 cores
    measure the app rather than the load generator."""

    def __init__(self, url: str, timeout_s: float):
        import http.client
        from urllib.parse import urlsplit

        parts = urlsplit(url)
        kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        self.conn = kind(parts.netloc, timeout=timeout_s)
        self.path = parts.path.rstrip("/") + "/kb/ask"
        self.conn.request("GET", parts.path or "/")
        got = self.conn.getresponse()
        got.read()
        if got.status >= 400:
            raise ConnectionError(f"{url}: HTTP {got.status}")

    def ask(self, question: str, timeout_s: float) -> dict:
        import json

        self.conn.timeout = timeout_s
        if self.conn.sock is not None:
            self.conn.sock.settimeout(timeout_s)
        self.conn.request("POST", self.path, body=json.dumps({"question": question}).encode(),
                          headers={"Content-Type": "application/json"})
        got = self.conn.getresponse()
        body = got.read()
        if got.status != 200:
            raise ConnectionError(f"HTTP {got.status}: {body[:80]!r}")
        return json.loads(body)


class HttpUser:
    """One user on Gradio's REST routes for /ask (POST /gradio_api/run/ask; when the app
    queues /ask, POST /gradio_api/call/ask and read the event stream), as `curl` would call
    Gradio's API; Gradio builds a session for each call."""

    def __init__(self, url: str, timeout_s: float):
        import httpx

        self.base = url.rstrip("/") + "/gradio_api/call/ask"
        self.run = url.rstrip("/") + "/gradio_api/run/ask"
        self.http = httpx.Client(timeout=timeout_s)
        self.http.get(url).raise_for_status()
        self.direct = True  # until the app says its /ask must go through the queue

    def ask(self, question: str, timeout_s: float) -> dict:
        import json

        if self.direct:
            got = self.http.post(self.run, json={"data": [question]}, timeout=timeout_s)
            if got.status_code != 400 or "queue" not in got.text:
                got.raise_for_status()
                return got.json()["data"][0]
            self.direct = False
        event = self.http.post(self.base, json={"data": [question]}, timeout=timeout_s)
        event.raise_for_status()
        kind = None
        with self.http.stream("GET", f"{self.base}/{event.json()['event_id']}", timeout=timeout_s) as stream:
            for line in stream.iter_lines():
                if line.startswith("event:"):
                    kind = line[6:].strip()
                elif line.startswith("data:") and kind in ("complete", "error"):
                    if kind == "error":
                        raise RuntimeError(f"the app answered with an error: {line[5:].strip()[:80]}")
                    return json.loads(line[5:])[0]
        raise RuntimeError("the event stream ended without an answer")


class GradioUser:
    """One user through gradio_client, as a Python program would call the app."""

    def __init__(self, url: str, timeout_s: float):
        from gradio_client import Client

        self.client = Client(url, verbose=False, analytics_enabled=False)

    def ask(self, question: str, timeout_s: float) -> dict:
        return self.client.submit(question, api_name="/ask").result(timeout=timeout_s)


CLIENTS = {"api": ApiUser, "http": HttpUser, "gradio": GradioUser}


def run_load(url: str, questions: list[str] | None = None, users: int = 20, per_user: int = 5,
             timeout_s: float = 300, client: str = "api") -> dict:
    """Every user asks `per_user` questions one after the other through the app's /ask API,
    all users at once (the clock starts when every user is connected). Errors (exceptions,
    answers without citations, a user not done within timeout_s) are counted, never raised;
    latencies are per request, as a user waits them. client: "api" (POST /kb/ask), "http"
    (Gradio's REST route for /ask) or "gradio" (gradio_client); see the classes above."""
    make_user = CLIENTS[client]
    questions = questions or ["Trẻ em là người dưới bao nhiêu tuổi?"]
    deadline = time.monotonic() + timeout_s
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    clock: list[float] = []
    start_line = threading.Barrier(users, action=lambda: clock.append(time.perf_counter()))

    def user(n: int) -> None:
        try:
            me = make_user(url, timeout_s)
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
                result = me.ask(question, max(1.0, deadline - time.monotonic()))
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
    duration = time.perf_counter() - (clock[0] if clock else started)
    ms = sorted(latencies)
    return {"users": users, "mean_ms": round(statistics.fmean(ms), 1) if ms else None, "requests": users * per_user, "ok": len(ms), "errors": len(errors),
            "error_samples": errors[:5], "seconds": round(duration, 1),
            "throughput_rps": round(len(ms) / duration, 1) if duration else 0.0,
            "p50_ms": round(statistics.median(ms), 1) if ms else None,
            "p95_ms": round(ms[int(0.95 * (len(ms) - 1))], 1) if ms else None,
            "max_ms": round(ms[-1], 1) if ms else None}


def measure(url: str, questions: list[str], users: int = 20, per_user: int = 5, timeout_s: float = 300,
            client: str = "api", repeat: int = 5) -> dict:
    """One user alone, then `users` at once (the same questions), on the same app and route, `repeat` times (one
    round of 100 answers takes about 2 s, and a 2-core machine shared with anything else
    shifts a single round by ±30%); the round with the median speedup, with every round's
    speedup beside it."""
    run_load(url, questions[:5], users=1, per_user=5, timeout_s=timeout_s, client=client)  # warm up
    rounds = []
    for _ in range(max(1, repeat)):
        # one user alone asks the very questions the N users share out, so both do the same work
        alone = run_load(url, questions, users=1, per_user=users * per_user, timeout_s=timeout_s, client=client)
        load = run_load(url, questions, users=users, per_user=per_user, timeout_s=timeout_s, client=client)
        load["client"] = client
        if alone["ok"] and load["ok"]:
            one_rate = 1000 / alone["mean_ms"]
            load["one_user"] = {"rps": round(one_rate, 1), "p50_ms": alone["p50_ms"], "errors": alone["errors"]}
            load["speedup"] = round(load["throughput_rps"] / one_rate, 2)  # target >= 1.7
            load["p95_over_one_p50"] = round(load["p95_ms"] / alone["p50_ms"], 1)  # target <= 16
        load["errors"] += alone["errors"]
        rounds.append(load)
    rounds.sort(key=lambda r: r.get("speedup", 0.0))
    median = dict(rounds[len(rounds) // 2])
    median["errors"] = sum(r["errors"] for r in rounds)
    median["rounds_speedup"] = [r.get("speedup") for r in rounds]
    median["rounds_p95_over_one_p50"] = sorted(r.get("p95_over_one_p50", 0.0) for r in rounds)
    return median


def start_app(env: dict, port: int, root: Path, timeout_s: float = 300) -> subprocess.Popen:
    """`python app.py` on 127.0.0.1:port, returned once it serves its page."""
    proc = subprocess.Popen([sys.executable, "app.py", "--host", "127.0.0.1", "--port", str(port)], cwd=root,
                            env={**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1", **env},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the app exited with code {proc.returncode}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
            return proc
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise RuntimeError("the app did not start in time")


def compare(questions: list[str], modes: dict[str, int], users: int = 20, per_user: int = 5,
            timeout_s: float = 300, root: Path | None = None, env: dict | None = None,
            clients: tuple[str, ...] = ("api", "http"), repeat: int = 5) -> dict:
    """Start the app once per mode (name -> KB_WORKERS: 1 = one question at a time, the old
    lock; 0 = the default, one more than the cores) and measure each route of `clients` on it ("api": /kb/ask,
    "http": Gradio's /ask); results keyed "mode" for the first route, "mode (route)" for the
    others. The index must exist (KB_DATA_DIR)."""
    import socket

    results = {}
    for name, workers in modes.items():
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        proc = start_app({**(env or {}), "KB_WORKERS": str(workers)}, port, root or Path.cwd(), timeout_s)
        try:
            for n, client in enumerate(clients):
                key = name if n == 0 else f"{name} ({ROUTES[client]})"
                results[key] = {"workers": workers, **measure(f"http://127.0.0.1:{port}/", questions, users,
                                                                per_user, timeout_s, client, repeat)}
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    return results


ROUTES = {"api": "/kb/ask", "http": "Gradio /ask", "gradio": "gradio_client"}


def in_process(config, questions: list[str], threads: int = 8) -> dict:
    """The library alone, no web server: answers/s from `threads` threads with one question at
    a time (workers=1) and in parallel (the default, one more than the cores), against one thread's rate."""
    from dataclasses import replace

    from kb.knowledge import KnowledgeBase

    out = {}
    for name, workers in (("lock", 1), ("parallel", 0)):
        kb = KnowledgeBase.open(replace(config, workers=workers))
        for q in questions[:10]:
            kb.ask(q)
        start = time.perf_counter()
        for q in questions:
            kb.ask(q)
        alone = len(questions) / (time.perf_counter() - start)
        start = time.perf_counter()
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(kb.ask, questions))
        rate = len(questions) / (time.perf_counter() - start)
        out[name] = {"workers": kb.config.answer_workers, "one_thread_rps": round(alone, 1),
                     "rps": round(rate, 1), "speedup": round(rate / alone, 2)}
    return out


def format_table(results: dict) -> str:
    """One line per mode: errors, answers/s against one user's rate, p95 against one user's p50."""
    lines = [f"{'mode':<26}{'workers':>8}{'errors':>7}{'answers/s':>10}{'1 user/s':>9}{'x':>6}"
             f"{'p50 ms':>8}{'p95 ms':>8}{'1 user p50':>11}{'p95/p50':>8}  x in each round"]
    for name, r in results.items():
        one = r.get("one_user", {})
        lines.append(f"{name:<26}{r.get('workers', ''):>8}{r['errors']:>7}{r['throughput_rps']:>10}"
                     f"{one.get('rps', ''):>9}{r.get('speedup', ''):>6}{r['p50_ms'] or '':>8}{r['p95_ms'] or '':>8}"
                     f"{one.get('p50_ms', ''):>11}{r.get('p95_over_one_p50', ''):>8}  "
                     f"{' '.join(str(x) for x in r.get('rounds_speedup', []))}")
    return "\n".join(lines)
