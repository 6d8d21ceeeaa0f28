"""Scanned documents are read at ingest (Tesseract, Vietnamese model) and answered from like
typed ones, with their page cited and the fact that OCR read them; without Tesseract they are
reported, as before. Fixtures: corpus pages photocopied by tests/scangen.py (4 OCR'd pages in
all: Tesseract takes seconds per page, so the whole module reads them once)."""
from __future__ import annotations

import shutil
import subprocess

import pytest

from kb.config import Config
from kb.ingest.sync import ingest
from kb.ingest.ocr import MIN_CONFIDENCE, Ocr, body_similarity, text_from_data

from .scangen import ninh_thuan_mixed, quang_ngai_photo, save_pdf, tay_ninh_scan


def tesseract_ready() -> bool:
    if not shutil.which("tesseract"):
        return False
    out = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True)
    return "vie" in out.stdout.split()


needs_tesseract = pytest.mark.skipif(not tesseract_ready(), reason="Tesseract with the Vietnamese model is not "
                                     "installed (apt-get install tesseract-ocr tesseract-ocr-vie)")


@pytest.fixture(scope="module")
def scans(tmp_path_factory):
    """Three scanned documents and the text each scanned page shows (by file and page)."""
    folder = tmp_path_factory.mktemp("scans")
    tay_ninh, mixed, photo = tay_ninh_scan(), ninh_thuan_mixed(), quang_ngai_photo()
    save_pdf(folder / "tay-ninh-scan.pdf", [p.image for p in tay_ninh])
    save_pdf(folder / "ninh-thuan-mixed.pdf", [mixed[0], mixed[1].image], dpi=200)
    photo.image.save(folder / "quang-ngai-cv.jpg", quality=85)
    bodies = {("tay-ninh-scan.pdf", 1): tay_ninh[0].body, ("tay-ninh-scan.pdf", 2): tay_ninh[1].body,
              ("ninh-thuan-mixed.pdf", 2): mixed[1].body, ("quang-ngai-cv.jpg", 1): photo.body}
    return folder, bodies


@pytest.fixture(scope="module")
def scanned_index(scans, tmp_path_factory):
    folder, _ = scans
    config = Config(corpus_dir=folder, data_dir=tmp_path_factory.mktemp("scan-data"))
    report = ingest(config)
    return config, report


def test_letterhead_columns_are_read_one_after_the_other():
    words = [("ỦY", 100, 40), ("BAN", 160, 40), ("_", 420, 8), ("CỘNG", 600, 40), ("HÒA", 700, 40),
             ("Số:", 120, 40), ("12/KH-UBND", 190, 40), ("Thử", 620, 40), ("Nghiệm,", 700, 40),
             ("Thực", 50, 40), ("hiện", 140, 40), ("Luật", 230, 40)]
    lines = [1, 1, 1, 1, 1, 2, 2, 2, 2, 1, 1, 1]
    blocks = [1] * 9 + [2] * 3
    data = {"text": [w for w, _, _ in words], "conf": [90] * 12, "block_num": blocks, "par_num": [1] * 12,
            "line_num": lines, "left": [x for _, x, _ in words], "width": [len(w) * 20 for w, _, _ in words],
            "height": [h for _, _, h in words]}
    text, confidence = text_from_data(data)
    assert text.splitlines() == ["ỦY BAN", "Số: 12/KH-UBND", "", "CỘNG HÒA", "Thử Nghiệm,", "", "Thực hiện Luật"]
    assert confidence == 90


def test_without_tesseract_scans_are_reported_with_how_to_install(scans, tmp_path):
    folder, _ = scans
    config = Config(corpus_dir=folder, data_dir=tmp_path / "data", tesseract_cmd=str(tmp_path / "no-tesseract"))
    report = ingest(config)
    reasons = dict(report.failed)
    assert set(reasons) == {str(folder / "tay-ninh-scan.pdf"), str(folder / "quang-ngai-cv.jpg")}
    for reason in reasons.values():
        assert "needs OCR" in reason and "apt-get install tesseract-ocr tesseract-ocr-vie" in reason
        assert "\n" not in reason
    mixed = next(f for f in report.files if f.path.endswith("ninh-thuan-mixed.pdf"))
    assert mixed.status == "added" and "page 2: no text layer, not read" in mixed.detail


@pytest.mark.slow
@needs_tesseract
def test_scanned_pages_are_indexed_page_by_page(scanned_index):
    from kb.ingest.store import ChromaStore

    config, report = scanned_index
    assert report.ok, report.failed
    assert report.ocr_read == 4  # two scanned pages, the scanned page of the mixed PDF, the photo
    chunks, _ = ChromaStore(config).load()
    pages = {(c.doc_id, c.page, c.ocr_confidence is not None) for c in chunks}
    assert {("tay-ninh-scan", "1", True), ("tay-ninh-scan", "2", True), ("ninh-thuan-mixed", "1", False),
            ("ninh-thuan-mixed", "2", True), ("quang-ngai-cv", "1", True)} <= pages
    assert all(c.ocr_confidence >= MIN_CONFIDENCE for c in chunks if c.ocr_confidence is not None)


@pytest.mark.slow
@needs_tesseract
def test_body_text_is_read_back_at_98_percent(scans, scanned_index):
    folder, bodies = scans
    config, _ = scanned_index
    ocr = Ocr(config)
    try:
        read = {("tay-ninh-scan.pdf", p.page): p.text for p in ocr.pdf_pages(folder / "tay-ninh-scan.pdf", [0, 1])}
        read |= {("ninh-thuan-mixed.pdf", p.page): p.text for p in ocr.pdf_pages(folder / "ninh-thuan-mixed.pdf", [1])}
        read |= {("quang-ngai-cv.jpg", p.page): p.text for p in ocr.image_file(folder / "quang-ngai-cv.jpg")}
    finally:
        ocr.close()
    assert ocr.read == 0 and ocr.cached == 4  # the ingest's results, from the OCR cache
    for key, typed in bodies.items():
        assert body_similarity(read[key], typed) >= 0.98, (key, read[key])


@pytest.mark.slow
@needs_tesseract
def test_letterhead_metadata_read_from_the_scan(scanned_index):
    from kb.ingest.store import ChromaStore

    config, _ = scanned_index
    docs = ChromaStore(config).documents()
    plan, letter = docs["tay-ninh-scan"], docs["quang-ngai-cv"]
    assert (plan.type, plan.number, plan.date, plan.issuer) == ("Kế hoạch", "48/KH-UBND", "2025-02-28", "UBND TP. Tây Ninh")
    assert (letter.number, letter.date, letter.issuer) == ("2175/UBND-VX", "2023-12-08", "UBND TP. Quảng Ngãi")


@pytest.mark.slow
@needs_tesseract
def test_question_about_a_scanned_page_cites_it(scanned_index):
    from kb.knowledge import KnowledgeBase
    from kb.web.render import citation_cards

    config, _ = scanned_index
    kb = KnowledgeBase.open(config, build_if_missing=False)
    answer = kb.ask("Các huyện, thành Đoàn báo cáo kết quả về Tỉnh Đoàn trước ngày nào?")
    assert not answer.abstained
    top = answer.citations[0]
    assert (top.doc_id, top.page) == ("ninh-thuan-mixed", "2") and "15/11" in top.text
    assert top.to_dict()["ocr"] is True and top.to_dict()["ocr_confidence"] >= MIN_CONFIDENCE
    assert "văn bản quét (OCR)" in citation_cards(answer, "src-t")
    assert "tr. 2 (văn bản quét, OCR)" in answer.text  # what `kb ask` prints
    answer = kb.ask("Tổng đài điện thoại quốc gia bảo vệ trẻ em số mấy?")
    assert any(c.doc_id == "tay-ninh-scan" and c.page == "2" and "111" in c.text for c in answer.citations)


@pytest.mark.slow
@needs_tesseract
def test_reingest_reads_no_page_again(scanned_index):
    config, _ = scanned_index
    report = ingest(config)
    assert report.ok and report.added == 0
    assert (report.ocr_read, report.ocr_cached) == (0, 4)


@pytest.mark.slow
@needs_tesseract
def test_a_printed_and_rescanned_tiff_is_read_like_any_document(tmp_path):
    """Made another way than the fixtures above: a typed PDF (fpdf2, DejaVu Sans) printed and
    scanned back in grey at 150 dpi into a two-page TIFF."""
    import numpy as np
    import pypdfium2 as pdfium
    from PIL import Image

    from kb.knowledge import KnowledgeBase

    from .conftest import PLAN_TEXT
    from .docgen import make_pdf

    lines = PLAN_TEXT.splitlines()
    cut = lines.index("II. TỔ CHỨC THỰC HIỆN")
    typed = make_pdf(tmp_path / "typed.pdf", [lines[:cut], lines[cut:]], numbered=False)
    rng = np.random.default_rng(7)
    pages = []
    pdf = pdfium.PdfDocument(str(typed))
    for n in range(len(pdf)):
        grey = pdf[n].render(scale=150 / 72).to_pil().convert("L").rotate(0.7 - 1.4 * n, fillcolor=255)
        noisy = np.asarray(grey, np.float32) + rng.normal(0, 12, (grey.height, grey.width))
        pages.append(Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8)))
    pdf.close()
    (corpus := tmp_path / "corpus").mkdir()
    pages[0].save(corpus / "ke-hoach-12.tif", save_all=True, append_images=pages[1:], compression="tiff_lzw")
    typed.unlink()

    config = Config(corpus_dir=corpus, data_dir=tmp_path / "data")
    report = ingest(config)
    assert report.ok and report.ocr_read == 2, report.failed
    kb = KnowledgeBase.open(config, build_if_missing=False)
    meta = kb.documents["ke-hoach-12"]
    assert (meta.number, meta.date, meta.issuer) == ("12/KH-UBND", "2024-03-05", "UBND huyện Thử Nghiệm")
    answer = kb.ask("Ai chủ trì điều tra các vụ xâm hại trẻ em?")
    top = answer.citations[0]
    assert not answer.abstained and "Công an huyện" in top.section + top.text
    assert top.page == "2" and top.ocr_confidence is not None
