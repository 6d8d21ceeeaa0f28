"""Metadata of a file from its own text (no catalog): letterheads and title lines, and no
invented title for a file that has none."""
import os
from pathlib import Path

import pytest

from kb.config import Config
from kb.ingest.sync import IngestReport, parse_sources
from kb.ingest.load import load_file
from kb.ingest.parse import parse_document
from kb.records import DocMeta

from .conftest import ROOT

DEV = Path(os.environ.get("KB_CORPUS_DEV") or ROOT.parent / "shared" / "corpus-dev")
FIXTURES = ROOT / "tests" / "fixtures"

# file (or document id), type, number, date, issuer, locality, title start — written by hand from the texts
EXPECTED = [
    (DEV / "tp-ho-chi-minh-kh-174-2025.txt", 0, "Kế hoạch", "174/KH-UBND", "2025-11-18", "UBND TP. Hồ Chí Minh",
     "Hồ Chí Minh", "Kế hoạch triển khai các nhiệm vụ trọng tâm cuối năm 2025 lĩnh vực bình đẳng giới"),
    (DEV / "ha-noi-nq-63-2025.txt", 0, "Nghị quyết", "63/2025/NQ-HĐND", "2025-11-27", "HĐND TP. Hà Nội", "Hà Nội",
     "Nghị quyết quy định mức chuẩn trợ giúp xã hội và chính sách trợ giúp xã hội của thành phố Hà Nội"),
    (DEV / "toan-quoc-cd-46-2026.txt", 0, "Công điện", "46/CĐ-TTg", "2026-07-11", "Thủ tướng Chính phủ", "Toàn quốc",
     "Công điện về tiếp tục tăng cường công tác phòng, chống đuối nước đối với trẻ em"),
    (FIXTURES / "thu-nghiem-qd-tthc-tre-em.txt", 0, "Quyết định", "1520/QĐ-UBND", "2024-08-12", "UBND tỉnh Bình Thuận",
     "Bình Thuận", "Quyết định về việc công bố danh mục thủ tục hành chính và phê duyệt quy trình nội bộ"),
    (FIXTURES / "thu-nghiem-ttr-va-kh-2025.txt", 0, "Tờ trình", "45/TTr-VHXH", "2025-03-03",
     "Phòng Văn hóa - Xã hội huyện Hàm Thuận Bắc", "Hàm Thuận Bắc",
     "Tờ trình về việc ban hành Kế hoạch phòng, chống đuối nước trẻ em trên địa bàn huyện năm 2025"),
    (FIXTURES / "thu-nghiem-ttr-va-kh-2025.txt", 1, "Kế hoạch", "52/KH-UBND", "2025-03-10", "UBND huyện Hàm Thuận Bắc",
     "Hàm Thuận Bắc", "Kế hoạch phòng, chống đuối nước trẻ em trên địa bàn huyện Hàm Thuận Bắc năm 2025"),
]

ARTICLES = "\nĐiều 1. Phạm vi điều chỉnh\nVăn bản này quy định việc bảo vệ trẻ em.\nĐiều 2. Đối tượng áp dụng\n" \
           "Cơ quan, tổ chức, cá nhân.\nĐiều 3. Hiệu lực thi hành\nCó hiệu lực từ ngày ký.\n"
TITLE_LINES = [
    ("THÔNG TƯ 28/2019/TT-BLĐTBXH HƯỚNG DẪN VIỆC THỰC HIỆN CÁC QUY ĐỊNH VỀ BẢO VỆ TRẺ EM", "Thông tư",
     "28/2019/TT-BLĐTBXH", "Thông tư hướng dẫn việc thực hiện các quy định về bảo vệ trẻ em"),
    ("BỘ LUẬT HÌNH SỰ 2015 (TRÍCH) – CÁC TỘI XÂM PHẠM TÌNH DỤC NGƯỜI DƯỚI 16 TUỔI", "Bộ luật", "",
     "Bộ luật hình sự 2015 (trích) – các tội xâm phạm tình dục người dưới 16 tuổi"),
    ("THÔNG TƯ LIÊN TỊCH 13/2016/TTLT-BGDĐT-BVHTTDL-BLĐTBXH-BCA HƯỚNG DẪN GIÁO DỤC CHUYỂN ĐỔI HÀNH VI",
     "Thông tư liên tịch", "13/2016/TTLT-BGDĐT-BVHTTDL-BLĐTBXH-BCA",
     "Thông tư liên tịch hướng dẫn giáo dục chuyển đổi hành vi"),
]


@pytest.mark.parametrize("path, n, kind, number, date, issuer, locality, title", EXPECTED,
                         ids=[f"{p.name}#{n}" for p, n, *_ in EXPECTED])
def test_letterhead_metadata(path, n, kind, number, date, issuer, locality, title):
    if not path.exists():
        pytest.skip(f"{path} is absent")
    src = load_file(path, {})[n]
    m = parse_document(src.text, src.meta).meta
    assert (m.type, m.number, m.date, m.issuer, m.locality) == (kind, number, date, issuer, locality)
    assert m.title.startswith(title)


@pytest.mark.parametrize("line, kind, number, title", TITLE_LINES, ids=["thong-tu", "bo-luat-trich", "ttlt"])
def test_title_line_above_the_articles(line, kind, number, title):
    m = parse_document(line + "\n" + ARTICLES, DocMeta(id="x", title="")).meta
    assert (m.type, m.number, m.title) == (kind, number, title)


def test_untitled_file_gets_no_invented_title_and_is_flagged(tmp_path):
    (tmp_path / "phap-dien.txt").write_text(ARTICLES, encoding="utf-8")
    report = IngestReport()
    parse_sources([tmp_path], Config(corpus_dir=tmp_path), report)
    assert not report.failed
    assert any("no title" in n and "catalog" in n for n in report.notes[str(tmp_path / "phap-dien.txt")])
    m = parse_document(ARTICLES, DocMeta(id="phap-dien", title="", source=str(tmp_path / "phap-dien.txt"))).meta
    assert m.title == "" and m.label == "phap-dien.txt"
