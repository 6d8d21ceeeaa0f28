"""Nothing reaches the internet at run time: ingest and ask with every non-loopback
connection refused (llama-index data, Chroma telemetry or its default embedder would try)."""
import socket

import pytest

from kb.config import Config
from kb.knowledge import KnowledgeBase


@pytest.fixture
def no_network(monkeypatch):
    attempts = []
    real_connect = socket.socket.connect

    def guarded(self, address):
        host = address[0] if isinstance(address, tuple) else str(address)
        if isinstance(address, tuple) and host not in ("127.0.0.1", "::1", "localhost"):
            attempts.append(host)
            raise OSError(f"network disabled in test: {host}")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)
    monkeypatch.setattr(socket, "getaddrinfo", lambda host, *a, **k: (_ for _ in ()).throw(
        OSError(f"DNS disabled in test: {host}")) if host not in ("127.0.0.1", "::1", "localhost") else
        [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", a[0] if a else 0))])
    return attempts


def test_ingest_and_ask_offline(no_network, tmp_path, tiny_corpus):
    kb = KnowledgeBase.open(Config(corpus_dir=tiny_corpus, data_dir=tmp_path / "data"))
    answer = kb.ask("ai chiu trach nhiem giam dinh phap y")
    assert not answer.abstained and "Phòng Y tế" in answer.text
    assert no_network == []
