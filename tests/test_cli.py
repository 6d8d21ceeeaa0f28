"""The command line and its --json contract, which other tools depend on."""
import json
import os
import subprocess
import sys

from .conftest import CORPUS, ROOT


def run(args, data_dir, stdin=None):
    env = {**os.environ, "KB_DATA_DIR": str(data_dir), "KB_CORPUS_DIR": str(CORPUS)}
    return subprocess.run([sys.executable, "-m", "kb", *args], input=stdin, capture_output=True,
                          text=True, cwd=ROOT, env=env, timeout=600)


CITATION_KEYS = {"doc_id", "title", "number", "date", "section", "page", "text", "score", "ocr", "ocr_confidence"}


def check_object(obj, question):
    assert set(obj) == {"question", "answer", "abstained", "urgent", "citations", "latency_ms"}
    assert obj["question"] == question and isinstance(obj["abstained"], bool) and isinstance(obj["urgent"], bool)
    assert 1 <= len(obj["citations"]) <= 10 and isinstance(obj["latency_ms"], float)
    for c in obj["citations"]:
        assert set(c) == CITATION_KEYS and isinstance(c["score"], float)
    scores = [c["score"] for c in obj["citations"]]
    assert scores == sorted(scores, reverse=True)


def test_ask_json_one_question(corpus_data_dir):
    q = "Tổng đài điện thoại quốc gia bảo vệ trẻ em hoạt động bao nhiêu giờ?"
    out = run(["ask", "--json", q], corpus_data_dir)
    assert out.returncode == 0, out.stderr
    obj = json.loads(out.stdout)
    check_object(obj, q)
    assert "24 giờ" in obj["citations"][0]["text"]


def test_ask_json_reads_stdin_one_object_per_line_in_order(corpus_data_dir):
    questions = ["tre em la nguoi duoi bao nhieu tuoi", "What is the national child protection hotline number?",
                 "Mức lương tối thiểu vùng năm 2024 là bao nhiêu?"]  # (passports: NĐ 20/2021 lists them as ID papers)
    out = run(["ask", "--json", "-"], corpus_data_dir, stdin="\n".join(questions) + "\n")
    assert out.returncode == 0, out.stderr
    objs = [json.loads(line) for line in out.stdout.splitlines()]
    assert [o["question"] for o in objs] == questions
    for o, q in zip(objs, questions):
        check_object(o, q)
    assert objs[2]["abstained"] and not objs[0]["abstained"]


def test_ask_text_shows_numbered_citations(corpus_data_dir):
    out = run(["ask", "Sở Tài chính Hải Phòng có trách nhiệm gì?"], corpus_data_dir)
    assert out.returncode == 0
    assert "[1]" in out.stdout and "76/KH-UBND" in out.stdout


def test_eval_prints_metrics_and_writes_a_report(corpus_data_dir, tmp_path):
    qa = tmp_path / "qa.jsonl"
    rows = [{"id": "a", "lang": "vi-nodiac", "question": "tre em la nguoi duoi bao nhieu tuoi", "answerable": True,
             "evidence": ["Trẻ em là người dưới 16 tuổi"], "answer_keywords": [["16"]]},
            {"id": "b", "lang": "en", "question": "How do I apply for a driving licence?", "answerable": False,
             "evidence": [], "answer_keywords": []}]
    qa.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    out = run(["eval", "--qa", str(qa), "--out", str(tmp_path / "reports"), "--no-baseline"], corpus_data_dir)
    assert out.returncode == 0, out.stderr
    assert "hit@1" in out.stdout and "p95_ms" in out.stdout
    report = json.loads(next((tmp_path / "reports").glob("eval-*.json")).read_text(encoding="utf-8"))
    assert report["kb"]["all"]["hit@1"] == 1.0 and report["kb"]["all"]["unanswerable_abstained"] == 1.0


def test_errors_are_one_line_and_exit_non_zero(tmp_path):
    (tmp_path / "empty-corpus").mkdir()
    out = run(["--corpus", str(tmp_path / "empty-corpus"), "ingest", str(tmp_path / "missing.pdf")], tmp_path / "data")
    assert out.returncode == 1
    assert out.stderr.strip().count("\n") == 0 and "no such file" in out.stderr
    out = run(["eval", "--qa", str(tmp_path / "nope.jsonl")], tmp_path / "data")
    assert out.returncode == 1 and "no such file" in out.stderr
