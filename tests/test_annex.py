"""Annexes, tables and appended documents: a provincial decision's procedures can be found and quoted."""
from pathlib import Path

import pytest

from kb.ingest.chunk import chunk_document
from kb.ingest.load import load_file
from kb.ingest.parse import parse_document
from kb.ingest.tables import RULE_ROW

from .conftest import ROOT
from .docgen import make_docx

FIXTURES = ROOT / "tests" / "fixtures"
DECISION = FIXTURES / "thu-nghiem-qd-tthc-tre-em.txt"


def chunks_of(path: Path):
    out = []
    for src in load_file(path, {}):
        doc = parse_document(src.text, src.meta)
        out.append((doc, chunk_document(doc)))
    return out


def decision_docx(path: Path) -> Path:
    """The decision fixture as Word writes it: letterhead and tables as real Word tables."""
    blocks = []
    for line in DECISION.read_text(encoding="utf-8").splitlines():
        if RULE_ROW.match(line):
            continue
        blocks.append(("row", line.strip().strip("|")) if "|" in line else ("para", line))
    return make_docx(path, blocks)


@pytest.mark.parametrize("form", ["txt", "docx"])
def test_annex_after_signature_is_read_with_its_structure(form, tmp_path):
    path = DECISION if form == "txt" else decision_docx(tmp_path / "qd-tthc.docx")
    [(doc, chunks)] = chunks_of(path)
    assert doc.meta.number == "1520/QĐ-UBND" and doc.meta.signer == "Nguyễn Hồng Hải"
    code = next(c for c in chunks if "1.004944" in c.text and c.section == "Phụ lục 1")
    assert "Mã TTHC: 1.004944; Tên thủ tục hành chính: Chấm dứt việc chăm sóc thay thế cho trẻ em" in code.text
    steps = [c for c in chunks if c.section.startswith("Phụ lục 2 > I. THỦ TỤC HÀNH CHÍNH CẤP XÃ > 3. Quy trình phê duyệt")]
    text = "\n".join(c.text for c in steps)
    assert "Mã TTHC: 1.004941" in text and "Tổng thời gian giải quyết: 07 ngày làm việc" in text
    # steps in order, each with its officer and time limit
    assert text.index("Bước 1;") < text.index("Bước 2;") < text.index("Bước 3;")
    assert "Bước 3; Nội dung công việc: Phê duyệt kế hoạch hỗ trợ, can thiệp; Trách nhiệm: Chủ tịch Ủy ban nhân dân " \
           "cấp xã; Thời gian: 02 ngày" in text
    # the letterhead table is letterhead, not a passage
    assert not any("Độc lập - Tự do" in c.text for c in chunks)


def test_submission_followed_by_its_plan_is_two_documents():
    (ttr, ttr_chunks), (plan, plan_chunks) = chunks_of(FIXTURES / "thu-nghiem-ttr-va-kh-2025.txt")
    assert (ttr.meta.type, ttr.meta.number, ttr.meta.signer) == ("Tờ trình", "45/TTr-VHXH", "Lê Thị Mai")
    assert (plan.meta.type, plan.meta.number, plan.meta.signer) == ("Kế hoạch", "52/KH-UBND", "Trần Văn Bình")
    task = next(c for c in plan_chunks if "dạy bơi an toàn cho trẻ em" in c.text and "STT" in c.text)
    assert "Cơ quan chủ trì: Phòng Văn hóa - Xã hội; Cơ quan phối hợp: Phòng Giáo dục và Đào tạo; Huyện Đoàn; " \
           "Thời gian: Tháng 6 - tháng 8/2025" in task.text


def test_a_pdf_holding_a_submission_and_its_plan_is_two_documents_with_their_pages(tmp_path):
    """The same file printed to PDF, the plan starting on page 2: split at the plan's letterhead
    as the text file is, each part keeping the page numbers it is printed on."""
    from .docgen import make_pdf

    lines = (FIXTURES / "thu-nghiem-ttr-va-kh-2025.txt").read_text(encoding="utf-8").splitlines()
    cut = next(i for i, l in enumerate(lines) if l.startswith("ỦY BAN NHÂN DÂN") and i > 10)
    pdf = make_pdf(tmp_path / "ttr-kh.pdf", [[l for l in lines[:cut] if l.strip()], [l for l in lines[cut:] if l.strip()]])
    from kb.ingest.chunk import assign_pages

    parts = []
    for src in load_file(pdf, {}):
        doc = parse_document(src.text, src.meta)
        parts.append((doc, assign_pages(chunk_document(doc), src.text, src.page_starts)))
    (ttr, ttr_chunks), (plan, plan_chunks) = parts
    assert (ttr.meta.type, ttr.meta.number) == ("Tờ trình", "45/TTr-VHXH")
    assert (plan.meta.type, plan.meta.number) == ("Kế hoạch", "52/KH-UBND")
    assert {c.page for c in ttr_chunks} == {"1"} and {c.page for c in plan_chunks} == {"2"}


@pytest.mark.slow
def test_decision_answers_code_officer_and_time_limit(tmp_path):
    from kb.config import Config
    from kb.knowledge import KnowledgeBase

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / DECISION.name).write_text(DECISION.read_text(encoding="utf-8"), encoding="utf-8")
    (corpus / "ttr-kh.txt").write_text((FIXTURES / "thu-nghiem-ttr-va-kh-2025.txt").read_text(encoding="utf-8"),
                                      encoding="utf-8")
    kb = KnowledgeBase.open(Config(corpus_dir=corpus, data_dir=tmp_path / "data"))
    code = kb.ask("Mã thủ tục hành chính chấm dứt việc chăm sóc thay thế cho trẻ em là gì?")
    assert not code.abstained and "1.004944" in code.citations[0].text
    officer = kb.ask("Ai phê duyệt kế hoạch hỗ trợ, can thiệp đối với trẻ em bị xâm hại ở bước 3?")
    assert not officer.abstained and "Chủ tịch Ủy ban nhân dân cấp xã" in officer.citations[0].text
    assert officer.citations[0].section.startswith("Phụ lục 2 > I. THỦ TỤC HÀNH CHÍNH CẤP XÃ > 3.")
    # the quote is the step's row, whole: its task, its officer and its time together
    assert "Trách nhiệm: Chủ tịch Ủy ban nhân dân cấp xã" in officer.direct and "Thời gian: 02 ngày" in officer.direct
    step = kb.ask("Trong thủ tục can thiệp khẩn cấp, bước kiểm tra, xác minh thông tin, đánh giá nguy cơ mất bao lâu?")
    assert "06 giờ" in step.direct and "Công an xã" in step.direct
    limit = kb.ask("Thủ tục áp dụng biện pháp can thiệp khẩn cấp cho trẻ em mất bao lâu?")
    assert not limit.abstained and "12 giờ" in limit.text
    # the locality read from the letterhead scopes a question that names it
    scoped = kb.ask("Ở Bình Thuận, ai ký quyết định chấm dứt việc chăm sóc thay thế?")
    assert {c.doc_id for c in scoped.citations} == {"thu-nghiem-qd-tthc-tre-em"}


def test_task_and_step_rows_feed_the_matrix_and_the_deadlines():
    from kb.features.deadlines import extract_deadlines
    from kb.features.duties import extract_duties

    docs, chunks = {}, []
    for path in (DECISION, FIXTURES / "thu-nghiem-ttr-va-kh-2025.txt"):
        for doc, cs in chunks_of(path):
            docs[doc.meta.id] = doc.meta
            chunks.extend(cs)
    duties = {(d.agency, d.role, d.duty) for d in extract_duties(chunks, docs)}
    assert ("Phòng Văn hóa - Xã hội", "chủ trì", "Tổ chức lớp dạy bơi an toàn cho trẻ em trong dịp hè") in duties
    assert ("Huyện Đoàn", "phối hợp", "Tổ chức lớp dạy bơi an toàn cho trẻ em trong dịp hè") in duties
    assert ("Chủ tịch Ủy ban nhân dân cấp xã", "thực hiện", "Phê duyệt kế hoạch hỗ trợ, can thiệp") in duties
    deadlines = {(d.when, d.iso_date, d.obligation) for d in extract_deadlines(chunks, docs)}
    assert ("Trước ngày 30/4/2025", "2025-04-30", "Rà soát, cắm biển cảnh báo tại các ao, hồ, sông, suối, hố sâu "
            "có nguy cơ gây đuối nước") in deadlines
    assert ("02 giờ", "", "Xem xét, quyết định áp dụng biện pháp can thiệp khẩn cấp") in deadlines
    assert any(w.startswith("thời gian giải quyết: 12 giờ") for w, _, _ in deadlines)
