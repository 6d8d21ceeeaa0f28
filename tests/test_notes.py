"""Maintainer notes from the catalog: errata beside the source's typo, and duties that moved."""
from pathlib import Path

from kb.features.deadlines import extract_deadlines
from kb.ingest.notes import annotate_rows, load_notes, notes_for

from .conftest import CORPUS
from .test_duties import CHUNKS, METAS, ROWS

NOTES = load_notes(CORPUS)


def test_an_erratum_is_shown_beside_the_typo_which_stays_as_printed():
    passage = next(c for c in CHUNKS if "10886605" in c.text)
    note = notes_for(NOTES, passage.doc_id, passage.text, passage.agency)
    assert "18006605" in note and "10886605" in note
    assert "10886605" in passage.text  # the quote itself is never corrected
    clean = next(c for c in CHUNKS if "18006605" in c.text and "10886605" not in c.text)
    assert "18006605" not in notes_for(NOTES, clean.doc_id, clean.text, clean.agency)


def test_rows_of_agencies_whose_duties_moved_say_so_as_written():
    rows = annotate_rows(ROWS, NOTES, "duty")
    labour = [r for r in rows if r.sector == "Lao động - Thương binh và Xã hội" and r.doc_id == "tay-ninh-kh48-2025"]
    assert labour and all("01/03/2025" in r.note and "Theo nguyên văn" in r.note for r in labour)
    assert all(r.duty == o.duty and r.agency == o.agency for r, o in zip(rows, ROWS))
    police = [r for r in rows if r.agency == "Công an Thành phố"]
    assert police and not any(r.note for r in police)
    district = [r for r in rows if r.agency == "Ủy ban nhân dân các quận, huyện"]
    assert district and all("01/07/2025" in r.note for r in district)
    deadlines = annotate_rows(extract_deadlines(CHUNKS, METAS, ROWS), NOTES, "obligation")
    assert any("01/07/2025" in d.note for d in deadlines if d.doc_id == "tuan-giao-kh-2021-2025")


def test_answers_quote_the_source_and_add_the_note(kb):
    answer = kb.ask("số đường dây tư vấn 10886605 ở Hải Phòng")
    assert "10886605" in answer.text and "Đính chính" in answer.text and "18006605" in answer.text


def test_no_catalog_no_notes(tmp_path: Path):
    assert load_notes(tmp_path) == ()
