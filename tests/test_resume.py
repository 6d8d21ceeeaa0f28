"""Ingest can be interrupted at any point (Ctrl-C, kill, a crash) without leaving a half-written
index in use, and running it again finishes the job without redoing the work already done."""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

import pytest

from kb.config import Config
from kb.errors import IndexIncompleteError, IndexMissingError
from kb.ingest.sync import ingest
from kb.knowledge import KnowledgeBase
from kb.ingest.store import ChromaStore

from .conftest import CORPUS, ROOT


def start_ingest(corpus, data):
    env = {**os.environ, "KB_DATA_DIR": str(data), "KB_CORPUS_DIR": str(corpus), "PYTHONUNBUFFERED": "1"}
    # a test runner started in the background may ignore SIGINT, and children inherit that:
    # give the child the default disposition a terminal's Ctrl-C meets
    return subprocess.Popen([sys.executable, "-m", "kb", "ingest"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def wait_for_progress(proc, at_least: int, timeout: float = 300) -> int:
    """Read the progress bar until it counts `at_least` passages embedded (not all of them)."""
    seen = b""
    deadline = time.time() + timeout
    while True:
        chunk = os.read(proc.stderr.fileno(), 4096)
        assert chunk and time.time() < deadline, seen.decode(errors="replace")
        seen += chunk
        counts = [(int(a), int(b)) for a, b in re.findall(rb"(\d+)/(\d+) \[", seen)]
        if counts and at_least <= counts[-1][0] < counts[-1][1]:
            return counts[-1][0]


@pytest.fixture
def law_corpus(tmp_path):
    (corpus := tmp_path / "corpus").mkdir()
    shutil.copy(CORPUS / "luat-tre-em-2016.txt", corpus)
    return corpus


BATCH = 128  # kb.embed.BATCH_ONNX: passages embedded and cached together


def test_ctrl_c_during_first_build_then_rerun_finishes(law_corpus, tmp_path):
    data = tmp_path / "data"
    for f in CORPUS.glob("*.txt"):  # the whole corpus: seconds of work left after the first batch
        shutil.copy(f, law_corpus)
    shutil.copy(CORPUS / "catalog.toml", law_corpus)
    proc = start_ingest(law_corpus, data)
    wait_for_progress(proc, BATCH + 8)  # the first batch is done and cached
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130 and b"run the same command again" in err
    config = Config(corpus_dir=law_corpus, data_dir=data)
    with pytest.raises(IndexMissingError):  # nothing half-built is served
        KnowledgeBase.open(config, build_if_missing=False)
    report = ingest(config)
    assert report.ok and report.added == report.chunks > BATCH
    assert report.embedded <= report.chunks - BATCH  # the batch embedded before Ctrl-C was kept
    assert KnowledgeBase.open(config).ask("Trẻ em là người dưới bao nhiêu tuổi?").citations


def test_kill_during_an_update_keeps_the_old_index(law_corpus, tmp_path):
    data = tmp_path / "data"
    config = Config(corpus_dir=law_corpus, data_dir=data)
    assert ingest(config).ok
    before = {c.id for c in ChromaStore(config).load()[0]}
    # new documents arrive; the run is killed while embedding them
    for f in CORPUS.glob("*.txt"):
        shutil.copy(f, law_corpus)
    proc = start_ingest(law_corpus, data)
    wait_for_progress(proc, 16)
    proc.kill()
    proc.wait(timeout=60)
    assert {c.id for c in ChromaStore(config).load()[0]} == before  # nothing half-written
    probe = subprocess.run([sys.executable, "-m", "kb", "ask", "--json", "Trẻ em là người dưới bao nhiêu tuổi?"],
                           cwd=ROOT, capture_output=True, text=True, timeout=300,
                           env={**os.environ, "KB_DATA_DIR": str(data), "KB_CORPUS_DIR": str(law_corpus)})
    assert probe.returncode == 0, probe.stderr[-500:]
    answer = json.loads(probe.stdout)  # the old index still answers, from the old documents only
    assert not answer["abstained"] and {c["doc_id"] for c in answer["citations"]} == {"luat-tre-em-2016"}
    assert any("Trẻ em là người dưới 16 tuổi" in c["text"] for c in answer["citations"])
    report = ingest(config)
    assert report.ok and report.added > 0 and report.removed == 0
    assert before < {c.id for c in ChromaStore(config).load()[0]}


def test_crash_while_writing_is_flagged_and_rerun_repairs_it(tiny_corpus, tmp_path, monkeypatch):
    config = Config(corpus_dir=tiny_corpus, data_dir=tmp_path / "data")
    assert ingest(config).ok
    f = next(tiny_corpus.glob("*.txt"))
    f.write_text(f.read_text(encoding="utf-8").replace("15/12/2024", "20/12/2024"), encoding="utf-8")

    def crash(self, ids):
        raise RuntimeError("power cut")

    monkeypatch.setattr(ChromaStore, "delete", crash)
    with pytest.raises(RuntimeError):
        ingest(config)  # new passage written, old one not yet removed
    monkeypatch.undo()
    with pytest.raises(IndexIncompleteError, match="run `python -m kb ingest` again"):
        KnowledgeBase.open(config, build_if_missing=False)
    report = ingest(config)
    assert report.ok and report.added == 0 and report.removed == 1
    kb = KnowledgeBase.open(config)
    assert any("20/12/2024" in c.text for c in kb.chunks) and not any("15/12/2024" in c.text for c in kb.chunks)


def test_crash_while_adding_passages_of_a_first_build_then_rerun_finishes(law_corpus, tmp_path, monkeypatch):
    config = Config(corpus_dir=law_corpus, data_dir=tmp_path / "data")
    real_add = ChromaStore.add

    def half_then_crash(self, chunks, vectors):
        real_add(self, chunks[:40], vectors[:40])
        raise RuntimeError("power cut")

    monkeypatch.setattr(ChromaStore, "add", half_then_crash)
    with pytest.raises(RuntimeError):
        ingest(config)
    monkeypatch.undo()
    with pytest.raises(IndexMissingError):  # passages were written, but no index is served
        KnowledgeBase.open(config, build_if_missing=False)
    report = ingest(config)
    assert report.ok and report.added == report.chunks - 40 and report.embedded == 0
    assert KnowledgeBase.open(config).ask("Trẻ em là người dưới bao nhiêu tuổi?").citations
