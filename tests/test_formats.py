"""PDF and DOCX sources: structure survives, page furniture does not, PDF citations carry pages."""
import pytest

from kb.config import Config
from kb.ingest.sync import ingest
from kb.ingest.load import read_text
from kb.knowledge import KnowledgeBase

from .docgen import law_lines, make_docx, make_pdf

HEADER = "LUẬT TRẺ EM 2016 - Văn bản hợp nhất"


@pytest.fixture(scope="module")
def pdf_corpus(tmp_path_factory):
    """Law articles 1-9 over four pages; Điều 6's list runs from page 2 onto page 3."""
    folder = tmp_path_factory.mktemp("pdf") / "corpus"
    folder.mkdir()
    lines = ["LUẬT TRẺ EM", "Chương I", "NHỮNG QUY ĐỊNH CHUNG"] + law_lines(1, 5)
    art6 = law_lines(6, 6)
    make_pdf(folder / "luat-tre-em.pdf", [lines, art6[:9], art6[9:] + law_lines(7, 7), law_lines(8, 9)],
             header=HEADER)
    data = tmp_path_factory.mktemp("pdf-data")
    report = ingest(Config(corpus_dir=folder, data_dir=data))
    assert report.ok, report.failed
    return KnowledgeBase.open(Config(corpus_dir=folder, data_dir=data))


def article(kb, n: int) -> list:
    return [c for c in kb.chunks if f"> Điều {n}." in c.section]


def test_pdf_running_header_and_page_numbers_are_dropped(pdf_corpus):
    text = "\n".join(c.text + c.header for c in pdf_corpus.chunks)
    assert "Văn bản hợp nhất" not in text and "Trang 2/4" not in text


def test_pdf_hard_wraps_are_rejoined(pdf_corpus):
    # a long paragraph fpdf2 wrapped over several lines is one sentence again
    sentence = next(l for l in law_lines(2, 2) if len(l) > 200)
    assert any(sentence in c.text for c in pdf_corpus.chunks)


def test_pdf_citations_give_the_page(pdf_corpus):
    assert {c.page for c in article(pdf_corpus, 4)} == {"1"}
    assert {c.page for c in article(pdf_corpus, 7)} == {"3"}
    assert {c.page for c in article(pdf_corpus, 9)} == {"4"}
    # the list of prohibited acts starts on page 2 and runs onto page 3
    assert [c.page for c in article(pdf_corpus, 6)] == ["2-3", "3", "3"]
    answer = pdf_corpus.ask("Nguồn lực bảo đảm thực hiện quyền trẻ em gồm những gì?")
    assert answer.citations[0].page == "3" and "tr. 3" in answer.text


def test_docx_keeps_headings_numbering_and_tables(tmp_path):
    f = make_docx(tmp_path / "ke-hoach.docx", [
        ("para", "ỦY BAN NHÂN DÂN HUYỆN THỬ NGHIỆM"), ("para", "Số: 12/KH-UBND"),
        ("title", "KẾ HOẠCH Phòng, chống xâm hại trẻ em năm 2024"),
        ("heading", "I. MỤC TIÊU"),
        ("number", "Giảm số vụ xâm hại trẻ em trên địa bàn."),
        ("heading", "II. TỔ CHỨC THỰC HIỆN"),
        ("number", "Phòng Y tế"),
        ("letter", "Phối hợp với tổ chức giám định pháp y ưu tiên giám định cho trẻ em là nạn nhân."),
        ("letter", "Báo cáo kết quả trước ngày 15/12/2024."),
        ("number", "Công an huyện"),
        ("bullet", "Chủ trì điều tra, xử lý nghiêm các vụ xâm hại trẻ em."),
        ("row", "Nhiệm vụ | Đơn vị chủ trì | Thời gian"),
        ("row", "Tập huấn kỹ năng | Phòng Giáo dục | Quý II/2024"),
    ])
    text = read_text(f).text
    for line in ("1. Phòng Y tế", "a) Phối hợp với tổ chức giám định", "b) Báo cáo kết quả",
                 "2. Công an huyện", "- Chủ trì điều tra", "Tập huấn kỹ năng | Phòng Giáo dục | Quý II/2024"):
        assert line in text
    data = tmp_path / "data"
    assert ingest(Config(corpus_dir=tmp_path, data_dir=data)).ok
    kb = KnowledgeBase.open(Config(corpus_dir=tmp_path, data_dir=data))
    police = [c for c in kb.chunks if "điều tra" in c.text]
    assert police and police[0].section.startswith("II. TỔ CHỨC THỰC HIỆN > 2. Công an huyện")
    assert police[0].agency == "Công an huyện"


def test_running_lines_and_page_numbers_are_recognised():
    from kb.ingest.formats import strip_running_lines

    bodies = [["Điều 1. Phạm vi điều chỉnh", "Luật này quy định về quyền trẻ em."],
              ["Điều 2. Đối tượng áp dụng", "12", "Cơ quan nhà nước, tổ chức."],  # "12" in the body is text
              ["Điều 3. Giải thích từ ngữ", "Trẻ em là người dưới 16 tuổi."]]
    footers = ["- 1 -", "Trang 2/3", "3"]
    pages = [["UBND TỈNH A - KH 12/KH-UBND", *body, footer] for body, footer in zip(bodies, footers)]
    assert strip_running_lines(pages) == bodies
    # a one-page document keeps its first line: nothing repeats
    assert strip_running_lines([["KẾ HOẠCH", "Nội dung."]]) == [["KẾ HOẠCH", "Nội dung."]]
