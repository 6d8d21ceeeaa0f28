"""The lexical side saved at ingest and memory-mapped at open, keyed by the index's content."""
import logging

import numpy as np

from kb.config import Config
from kb.ingest.sync import ingest
from kb.knowledge import KnowledgeBase
from kb.ingest.store import ChromaStore

QUESTION = "ai chiu trach nhiem giam dinh phap y"

SECOND_PLAN = """ỦY BAN NHÂN DÂN
XÃ THỬ NGHIỆM
Số: 7/KH-UBND
Thử Nghiệm, ngày 10 tháng 4 năm 2024

KẾ HOẠCH
Tuyên truyền phòng, chống đuối nước cho trẻ em năm 2024

I. TỔ CHỨC THỰC HIỆN
1. Đoàn Thanh niên xã
- Tổ chức lớp dạy bơi miễn phí cho trẻ em trong dịp hè tại hồ bơi của xã.
"""


def _saved(data):
    return sorted(p.name for p in data.glob("lexical-*"))


def test_ingest_saves_the_lexical_side_and_open_memory_maps_it(tmp_path, tiny_corpus):
    data = tmp_path / "d"
    config = Config(corpus_dir=tiny_corpus, data_dir=data)
    ingest(config)
    key = ChromaStore(config).info["kb_content"]
    assert _saved(data) == [f"lexical-{key}"]
    files = {p.name: p.stat().st_mtime_ns for p in (data / f"lexical-{key}").iterdir()}
    kb = KnowledgeBase.open(config, build_if_missing=False)
    assert kb.content_key == key
    assert isinstance(kb.retriever.bm25.data, np.memmap)  # read from the saved files
    assert {p.name: p.stat().st_mtime_ns for p in (data / f"lexical-{key}").iterdir()} == files  # not rewritten
    answer = kb.ask(QUESTION)
    assert not answer.abstained and "Phòng Y tế" in answer.text
    assert kb.duty_rows and any("Phòng Y tế" in r.agency for r in kb.duty_rows)


def test_a_damaged_copy_is_rebuilt_with_a_message(tmp_path, tiny_corpus, caplog):
    data = tmp_path / "d"
    config = Config(corpus_dir=tiny_corpus, data_dir=data)
    ingest(config)
    expected = KnowledgeBase.open(config).ask(QUESTION).to_dict()
    folder = data / _saved(data)[0]
    (folder / "bm25_data.npy").write_bytes(b"\x93NUMPY garbage")
    with caplog.at_level(logging.WARNING, logger="kb"):
        kb = KnowledgeBase.open(config, build_if_missing=False)
    assert "rebuilding" in caplog.text and folder.name in caplog.text
    assert {**kb.ask(QUESTION).to_dict(), "latency_ms": 0} == {**expected, "latency_ms": 0}
    # and saved again, whole: the next open reads it without a message
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="kb"):
        again = KnowledgeBase.open(config, build_if_missing=False)
    assert "rebuilding" not in caplog.text and isinstance(again.retriever.bm25.data, np.memmap)


def test_a_changed_index_gets_a_new_key_and_a_new_lexical_side(tmp_path, tiny_corpus):
    data = tmp_path / "d"
    config = Config(corpus_dir=tiny_corpus, data_dir=data)
    ingest(config)
    before = ChromaStore(config).info["kb_content"]
    extra = tmp_path / "xa-thu-nghiem-kh7-2024.txt"
    extra.write_text(SECOND_PLAN, encoding="utf-8")
    ingest(config, [extra])
    after = ChromaStore(config).info["kb_content"]
    assert after != before and _saved(data) == [f"lexical-{after}"]  # the old copy is gone
    kb = KnowledgeBase.open(config, build_if_missing=False)
    answer = kb.ask("Ai tổ chức lớp dạy bơi miễn phí cho trẻ em?")
    assert not answer.abstained and "Đoàn Thanh niên" in answer.text
    ingest(config)  # nothing changed: same key, nothing rebuilt
    assert ChromaStore(config).info["kb_content"] == after and _saved(data) == [f"lexical-{after}"]
