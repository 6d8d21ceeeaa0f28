"""Server mode: kb against a real `chroma run` on 127.0.0.1 (one shared index for a province)."""
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from kb.config import Config
from kb.ingest.sync import ingest
from kb.knowledge import KnowledgeBase

from .conftest import free_port


@pytest.fixture
def chroma_server(tmp_path):
    exe = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
    port = free_port()
    proc = subprocess.Popen([exe, "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1",
                             "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1)
            break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("chroma run did not start")
    yield url
    proc.terminate()
    proc.wait(timeout=30)


def test_ingest_and_ask_through_a_chroma_server(chroma_server, tmp_path, tiny_corpus):
    config = Config(corpus_dir=tiny_corpus, data_dir=tmp_path / "client-a", chroma_url=chroma_server)
    report = ingest(config)
    assert report.ok and report.added > 0
    # a second client with an empty data dir uses the same shared index
    other = Config(corpus_dir=tiny_corpus, data_dir=tmp_path / "client-b", chroma_url=chroma_server)
    kb = KnowledgeBase.open(other, build_if_missing=False)
    answer = kb.ask("ai chiu trach nhiem giam dinh phap y")
    assert not answer.abstained and "Phòng Y tế" in answer.text


def test_unreachable_server_is_one_clear_error(tmp_path, tiny_corpus):
    from kb.errors import KBError

    config = Config(corpus_dir=tiny_corpus, data_dir=tmp_path / "d", chroma_url=f"http://127.0.0.1:{free_port()}")
    with pytest.raises(KBError, match="Chroma server"):
        ingest(config)
