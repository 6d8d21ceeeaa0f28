"""PDF text tables: a decision's procedures drawn as tables in a PDF are read row by row, like the
same decision typed as text; pages without tables read exactly as before."""
import re

import pytest

from kb.ingest.account import account
from kb.ingest.chunk import chunk_document
from kb.config import Config
from kb.features.duties import extract_duties
from kb.ingest.formats import _assemble, read_pdf
from kb.ingest.sync import ingest
from kb.ingest.load import load_file
from kb.ingest.parse import parse_document
from kb.ingest.pdfpage import Run, Segment
from kb.ingest.pdftables import find_tables, segments, with_tables
from kb.knowledge import KnowledgeBase

from .conftest import CORPUS, PLAN_TEXT
from .docgen import law_lines, make_decision_pdf, make_pdf, make_plan_pdf, make_styled_pdf
from .test_annex import DECISION

STEP3 = ("Bước 3; Nội dung công việc: Phê duyệt kế hoạch hỗ trợ, can thiệp; Trách nhiệm: Chủ tịch Ủy ban nhân dân "
         "cấp xã; Thời gian: 02 ngày; Biểu mẫu/Kết quả: Quyết định phê duyệt kế hoạch")
PROCEDURE3 = "Phụ lục 2 > I. THỦ TỤC HÀNH CHÍNH CẤP XÃ > 3. Quy trình phê duyệt kế hoạch hỗ trợ, can thiệp"


def parsed(path):
    [src] = load_file(path, {})
    doc = parse_document(src.text, src.meta)
    return doc, chunk_document(doc)


def rows(chunks) -> set[tuple[str, str]]:
    """(section, row) of every table row in the passages."""
    return {(c.section, line) for c in chunks for line in c.text.splitlines() if line.startswith(("Bước", "STT:"))}


@pytest.fixture(scope="module")
def indexes(tmp_path_factory):
    """The decision indexed twice: typed as text, and as a PDF with drawn tables."""
    root = tmp_path_factory.mktemp("pdftables")
    (root / "txt").mkdir()
    (root / "pdf").mkdir()
    (root / "txt" / DECISION.name).write_text(DECISION.read_text(encoding="utf-8"), encoding="utf-8")
    make_decision_pdf(root / "pdf" / "qd-1520.pdf")
    out = {}
    for form in ("txt", "pdf"):
        config = Config(corpus_dir=root / form, data_dir=root / f"data-{form}")
        report = ingest(config)
        assert report.ok, report.failed
        out[form] = (report, KnowledgeBase.open(config))
    return out


def test_a_pdf_step_table_becomes_rows_that_carry_their_headers(indexes):
    _, kb = indexes["pdf"]
    steps = "\n".join(c.text for c in kb.chunks if c.section == PROCEDURE3)
    assert STEP3 in steps
    assert "Tổng thời gian; 07 ngày làm việc" in steps  # the merged last row keeps both its cells
    codes = "\n".join(c.text for c in kb.chunks if c.section == "Phụ lục 1")
    assert "STT: 2; Mã TTHC: 1.004944; Tên thủ tục hành chính: Chấm dứt việc chăm sóc thay thế cho trẻ em; " \
           "Cơ quan thực hiện: Ủy ban nhân dân cấp xã" in codes


@pytest.mark.parametrize("repeat", [True, False])
def test_pdf_rows_are_the_rows_of_the_typed_decision(repeat, tmp_path):
    # the last table breaks onto the next page, its header repeated there or not
    pdf_doc, pdf_chunks = parsed(make_decision_pdf(tmp_path / "qd.pdf", repeat=repeat))
    txt_doc, txt_chunks = parsed(DECISION)
    totals = {r for r in rows(pdf_chunks) if "Tổng thời gian" in r[1]}
    assert rows(pdf_chunks) - totals == rows(txt_chunks)
    assert len(rows(txt_chunks)) == 15 and len(totals) == 0  # merged rows do not start with "Bước"
    assert not any(line.startswith("Bước; Nội dung công việc") for c in pdf_chunks for line in c.text.splitlines())
    # the letterhead, read as the typed letterhead is
    for field in ("number", "date", "issuer", "locality", "signer", "title"):
        assert getattr(pdf_doc.meta, field) == getattr(txt_doc.meta, field)
    assert not any("Độc lập" in c.text for c in pdf_chunks)


def test_pdf_tables_keep_every_word(indexes):
    [(path, coverage)] = indexes["pdf"][0].coverage.items()
    assert path.endswith("qd-1520.pdf") and coverage.kept_pct == 100.0 and not coverage.dropped


def test_table_passages_cite_their_pages(indexes):
    _, kb = indexes["pdf"]
    assert {c.page for c in kb.chunks if c.section == "Phụ lục 1" and "Mã TTHC" in c.text} == {"2"}
    steps = [c for c in kb.chunks if c.section == PROCEDURE3]
    # its table starts at the foot of page 4 and runs onto page 5
    assert [(c.page, "Bước 1;" in c.text, STEP3 in c.text) for c in steps] == [("4-5", True, False), ("5", False, True)]


QUESTIONS = [
    ("Mã thủ tục hành chính chấm dứt việc chăm sóc thay thế cho trẻ em là gì?", "1.004944"),
    ("Ai phê duyệt kế hoạch hỗ trợ, can thiệp đối với trẻ em bị xâm hại ở bước 3?", "Chủ tịch Ủy ban nhân dân cấp xã"),
    ("Bước 2 kiểm tra, xác minh thông tin trong can thiệp khẩn cấp mất bao lâu?", "06 giờ"),
]


@pytest.mark.parametrize("question,fact", QUESTIONS)
def test_pdf_answers_as_the_typed_decision_does(indexes, question, fact):
    answers = {form: kb.ask(question) for form, (_, kb) in indexes.items()}
    for form, answer in answers.items():
        assert not answer.abstained and fact in answer.citations[0].text, form
    txt, pdf = answers["txt"], answers["pdf"]
    # the same answer from the same passage, the PDF's with its page ("..., tr. 3")
    assert re.sub(r", tr\. [\d-]+", "", pdf.text.split("Nguồn:")[0]) == txt.text.split("Nguồn:")[0]
    passage = "\n".join(l for l in pdf.citations[0].text.splitlines() if not l.startswith("Tổng thời gian;"))
    assert (pdf.citations[0].section, passage) == (txt.citations[0].section, txt.citations[0].text)  # the merged row aside
    assert all(c.page for c in pdf.citations)


@pytest.mark.parametrize("ruled", [True, False])
def test_plan_task_table_with_or_without_lines(ruled, tmp_path):
    doc, chunks = parsed(make_plan_pdf(tmp_path / "kh.pdf", ruled=ruled))
    text = "\n".join(c.text for c in chunks)
    assert "STT: 2; Nội dung nhiệm vụ: Tổ chức lớp dạy bơi an toàn cho trẻ em trong dịp hè; Cơ quan chủ trì: Phòng " \
           "Văn hóa - Xã hội; Cơ quan phối hợp: Phòng Giáo dục và Đào tạo; Huyện Đoàn; Thời gian thực hiện: Tháng 6 - " \
           "tháng 8/2025" in text
    assert "STT: 4; Nội dung nhiệm vụ: Kiểm tra công tác bảo đảm an toàn cho trẻ em tại các bến đò, bãi tắm; Cơ " \
           "quan chủ trì: Công an huyện" in text
    duties = {(d.agency, d.role, d.duty) for d in extract_duties(chunks, {doc.meta.id: doc.meta})}
    assert ("Huyện Đoàn", "phối hợp", "Tổ chức lớp dạy bơi an toàn cho trẻ em trong dịp hè") in duties
    [src] = load_file(tmp_path / "kh.pdf", {})
    assert account(src.text, chunks, [doc.meta], [*doc.recipients, doc.meta.signer]).kept_pct == 100.0
    assert (doc.meta.type, doc.meta.number, doc.meta.locality) == ("Kế hoạch", "52/KH-UBND", "Hàm Thuận Bắc")


def plain(path) -> str:
    """The text read_pdf gave before tables were read: pypdf's plain text, page furniture dropped."""
    from pypdf import PdfReader

    return _assemble([page.extract_text().splitlines() for page in PdfReader(str(path)).pages]).text


def test_pages_without_tables_read_exactly_as_before(tmp_path):
    # every corpus file printed as the PDF test fixtures are (running header, page numbers),
    # and the plan the bad-input tests print
    for f in sorted(CORPUS.glob("*.txt")):
        lines = [l for l in f.read_text(encoding="utf-8").splitlines() if l.strip()]
        path = make_pdf(tmp_path / f"{f.stem}.pdf", [lines[i:i + 25] for i in range(0, len(lines), 25)],
                        header=f.stem.upper())
        assert read_pdf(path).text == plain(path), f.name
    path = make_pdf(tmp_path / "ke-hoach.pdf", [PLAN_TEXT.splitlines()])
    assert read_pdf(path).text == plain(path)
    # bold article titles, italic notes, the recipients beside the signature: as before; only
    # the letterhead's two columns are now kept apart
    path = make_styled_pdf(tmp_path / "styled.pdf", [l for l in law_lines(4, 9) if l.startswith("Điều")])
    styled = read_pdf(path).text
    assert styled.splitlines()[:3] == ["ỦY BAN NHÂN DÂN | CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                                       "HUYỆN THỬ NGHIỆM | Độc lập - Tự do - Hạnh phúc",
                                       "Số: 12/QĐ-UBND | Thử Nghiệm, ngày 05 tháng 3 năm 2024"]
    assert styled.splitlines()[4:] == plain(path).splitlines()[3:]  # after a blank line, as typed
    assert "Nơi nhận: KT. CHỦ TỊCH" in styled


# Pure geometry: runs of text and drawn lines, in PDF points (y upwards), as pypdf reports them.

def grid_page() -> tuple[list[Run], list[Segment]]:
    """A paragraph, a ruled table (a wrapped cell, a step number centred in its row, a merged
    last row: no line between its first two columns), a paragraph."""
    runs = [Run("Điều 1. Quy trình như sau:", 30, 730, 11), Run("\n"),
            Run("Bước", 33, 686, 10), Run(" Nội dung công việc", 83, 686, 10), Run(" Thời gian", 253, 686, 10),
            Run("\n"), Run("Bước 3", 33, 652, 10), Run("\n"), Run("Phê duyệt kế hoạch hỗ", 83, 668, 10), Run("\n"),
            Run("trợ, can thiệp", 83, 656, 10), Run("\n"), Run("02 ngày", 253, 652, 10), Run("\n"),
            Run("Trang 2", 280, 30, 9), Run("\n"),  # the footer drawn before the last row
            Run("Tổng thời gian", 33, 616, 10), Run(" 07 ngày", 253, 616, 10), Run("\n"),
            Run("Đoạn sau bảng.", 30, 590, 11), Run("\n")]
    lines = [Segment(30, y, 330, y) for y in (700, 680, 630, 610)]
    lines += [Segment(30, 610, 30, 700), Segment(330, 610, 330, 700), Segment(80, 630, 80, 700),
              Segment(250, 610, 250, 700)]
    return runs, lines


def test_a_ruled_grid_becomes_rows():
    runs, lines = grid_page()
    [table] = find_tables(runs, lines)
    assert table.rows == (("Bước", "Nội dung công việc", "Thời gian"),
                          ("Bước 3", "Phê duyệt kế hoạch hỗ trợ, can thiệp", "02 ngày"),
                          ("Tổng thời gian", "07 ngày"))
    assert with_tables(runs, [table]) == (
        "Điều 1. Quy trình như sau:\n"
        "Bước | Nội dung công việc | Thời gian\n"
        "Bước 3 | Phê duyệt kế hoạch hỗ trợ, can thiệp | 02 ngày\n"
        "Tổng thời gian | 07 ngày\n\n"
        "Trang 2\n"
        "Đoạn sau bảng.\n")


def test_aligned_columns_without_lines_become_rows():
    def line(y, *cells):
        return [Run(text, x, y, 10) for x, text in cells if text]

    def table(ys, centred=False):
        """Header, a row whose two middle cells wrap, another row, and a heading below."""
        return (line(ys[0], (30, "STT"), (60, "Nhiệm vụ"), (200, "Chủ trì"), (320, "Thời gian"))
                + line(ys[1], (30, "" if centred else "1"), (60, "Tập huấn kỹ năng cho"), (200, "Phòng Giáo dục"),
                       (320, "Quý II"))
                + line(ys[2], (30, "1" if centred else ""), (60, "cán bộ cấp xã"), (200, "và Đào tạo"))
                + line(ys[3], (30, "2"), (60, "Tuyên truyền"), (200, "Huyện Đoàn"), (320, "Cả năm"))
                + [Run("III. CHẾ ĐỘ BÁO CÁO", 30, ys[3] - 24, 10)])

    expected = (("STT", "Nhiệm vụ", "Chủ trì", "Thời gian"),
                ("1", "Tập huấn kỹ năng cho cán bộ cấp xã", "Phòng Giáo dục và Đào tạo", "Quý II"),
                ("2", "Tuyên truyền", "Huyện Đoàn", "Cả năm"))
    # one line after the other (a wider gap under the header only), rows set apart by padding,
    # and rows set apart with the step number centred in its row
    for runs in (table([700, 684, 672, 660]), table([700, 682, 670, 652]), table([700, 682, 670, 652], centred=True)):
        [found] = find_tables(runs, [])
        assert found.rows == expected
        assert len(found.members) == len(runs) - 1  # the heading below is not in the table


def test_paragraphs_letterheads_and_signatures_are_not_tables():
    paragraph = [Run("Điều 5.", 30, 700, 11), Run(" Nguyên tắc bảo đảm", 72, 700, 11), Run(" (sửa đổi)", 260, 700, 11),
                 Run("Điều 6.", 30, 686, 11), Run(" Các hành vi bị nghiêm cấm", 72, 686, 11),
                 Run(" (sửa đổi)", 300, 686, 11)]
    signature = [Run("Nơi nhận:", 30, 600, 11), Run(" KT. CHỦ TỊCH", 395, 600, 11), Run("- Như Điều 3;", 30, 586, 11),
                 Run(" PHÓ CHỦ TỊCH", 392, 586, 11)]
    assert find_tables(paragraph + signature, []) == []
    # a frame around a paragraph is not a grid
    box = [Segment(28, 680, 500, 680), Segment(28, 720, 500, 720), Segment(28, 680, 28, 720), Segment(500, 680, 500, 720)]
    assert find_tables(paragraph, box) == []


def test_drawn_lines():
    # a thin filled box is one line (Word's borders), a box is four, a slanted line none
    assert segments([("box", 30, 700, 330, 700.5)]) == [Segment(30, 700.25, 330, 700.25)]
    assert len(segments([("box", 30, 600, 330, 700)])) == 4
    assert segments([("line", 30, 600, 330, 700)]) == []


def test_a_table_header_atop_each_page_is_not_page_furniture():
    from kb.ingest.formats import strip_running_lines

    pages = [["Bước | Nội dung công việc | Thời gian", f"Bước {n} | Việc thứ {n} | 0{n} ngày", f"Trang {n}"]
             for n in (1, 2, 3)]
    assert strip_running_lines(pages) == [page[:2] for page in pages]
