"""Validity from the catalog: a replaced document is cited with what replaced it."""
import pytest

from kb.ingest.load import load_catalog, meta_from_entry

from .conftest import CORPUS


def catalog_meta(doc_id):
    entry = next(e for es in load_catalog(CORPUS).values() for e in es if e["id"] == doc_id)
    return meta_from_entry(entry, CORPUS / entry["file"])


def test_catalog_records_when_documents_took_effect_and_what_replaced_them():
    law = catalog_meta("toan-quoc-luat-66-2011")
    assert (law.in_force, law.replaced_from) == ("2012-01-01", "2025-07-01")
    assert law.validity == "đã được thay thế bởi Luật Phòng, chống mua bán người 53/2024/QH15 từ 01/07/2025"
    assert catalog_meta("toan-quoc-tt-14-2020").validity == ""


@pytest.mark.slow
def test_answer_citing_a_replaced_circular_says_so(kb):
    answer = kb.ask("Nội dung tư vấn tâm lý cho học sinh trong trường phổ thông gồm những gì?")
    top = answer.citations[0]
    assert top.doc_id == "toan-quoc-tt-31-2017"
    assert top.validity.startswith("đã được thay thế bởi Thông tư 18/2025/TT-BGDĐT")
    assert "đã được thay thế bởi Thông tư 18/2025/TT-BGDĐT từ 31/10/2025" in answer.text
    assert top.to_dict()["validity"] == top.validity
