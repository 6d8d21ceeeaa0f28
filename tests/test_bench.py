"""The benchmark runs end to end from its command and saves what it prints (small sizes here;
`python -m kb bench` runs 10k and 100k)."""
import json
import shutil

from .conftest import ROOT


def test_bench_saves_json_and_chart(tmp_path, monkeypatch, capsys):
    from kb.cli import main

    monkeypatch.chdir(ROOT)
    assert main(["bench", "--sizes", "1500", "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    report = next(tmp_path.glob("bench-*.json"))
    assert report.with_suffix(".png").stat().st_size > 10_000
    data = json.loads(report.read_text(encoding="utf-8"))
    real, synthetic = data["results"]
    assert real["chunks"] > 300 and synthetic["chunks"] == 1500
    for r in (real, synthetic):
        assert 0 < r["kb"]["p50_ms"] <= r["kb"]["p95_ms"] and r["baseline"]["n"] == r["kb"]["n"] > 100
        assert r["peak_rss_mb"] > 100
    assert real["ingest_cold_cache"]["chunks_per_s"] > 0 and real["cold_start_to_first_answer_s"] > 0
    assert real["ingest_warm_cache"]["chunks_per_s"] > real["ingest_cold_cache"]["chunks_per_s"]
    assert "synthetic-1k" in printed and str(report) in printed
    # one question at a time vs in parallel, on the library and on the app, in the same run
    # (the app on its plain route and on Gradio's /ask)
    assert set(real["threads"]) == {"lock", "parallel"}
    assert set(real["load"]) == {"lock", "parallel", "lock (Gradio /ask)", "parallel (Gradio /ask)"}
    assert real["load"]["lock"]["workers"] == 1 and real["load"]["parallel"]["workers"] == 0
    for mode in real["load"].values():
        assert mode["errors"] == 0 and mode["ok"] == 100 and mode["one_user"]["rps"] > 0
    assert synthetic["open_to_first_answer_s"] > 0 and "answers/s" in printed
    if shutil.which("tesseract"):  # OCR pages per minute, on photocopied fixture pages
        assert data["ocr"]["pages_per_min"] > 0 and data["ocr"]["body_similarity_min"] >= 0.98
        assert f"OCR: {data['ocr']['pages_per_min']} pages/min" in printed
