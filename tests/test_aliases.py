"""Short names the documents declare ("Tổng đài ... (số 111)"): read from the passages and
used when a question says the short name instead of the whole one."""
import pytest

from kb.ingest.aliases import declared_aliases, expand_aliases

HOTLINE = "Tổng đài điện thoại quốc gia bảo vệ trẻ em"


def test_a_bracketed_number_or_abbreviation_declares_the_name_before_it():
    texts = [f"Tuyên truyền, quảng bá {HOTLINE} (số 111), để mọi cá nhân biết.",
             f"Phối hợp với {HOTLINE} (111) trong việc tư vấn.",
             "Huyện thành lập Ban Chỉ đạo liên ngành (BCĐ) của huyện.", "Các Hội (MTTQ)",
             "trong thời hạn 12 giờ (720 phút) kể từ khi nhận",  # no capitalised name: nothing declared
             "Tổng đài 111 (112)",  # what holds a number is not a name
             "Kế hoạch hành động quốc gia (2021)"]  # a year
    aliases = declared_aliases(texts)
    assert aliases["111"] == HOTLINE
    assert aliases["BCĐ"] == "Ban Chỉ đạo"
    assert "720" not in aliases and "112" not in aliases and "2021" not in aliases
    assert "MTTQ" not in aliases  # its initials are not those of the words before it


@pytest.mark.parametrize("question, expected", [
    ("Tổng đài 111 hoạt động bao nhiêu giờ?", f"{HOTLINE} (111) hoạt động bao nhiêu giờ?"),
    ("tong dai quoc gia 111 o dau", f"{HOTLINE} (111) o dau"),  # the name's own words, typed plainly
    ("gọi 111 khi nào?", f"gọi {HOTLINE} (111) khi nào?"),
    ("Tổng đài 1111 là gì?", "Tổng đài 1111 là gì?"),  # another number
])
def test_a_question_using_the_short_name_is_read_with_the_whole_name(question, expected):
    assert expand_aliases(question, {"111": HOTLINE}) == expected


@pytest.mark.parametrize("question", [
    "Tổng đài 111 hoạt động bao nhiêu giờ?",
    "tong dai 111 hoat dong may gio mot ngay",
])
def test_the_hotline_asked_for_by_its_number_is_answered_from_the_decree(kb, question):
    """Nghị định 56 Điều 23 writes the hotline's name, never "111": the question used to be
    refused as not covered by the documents."""
    answer = kb.ask(question)
    assert not answer.abstained, question
    cite = answer.citations[0]
    assert cite.doc_id == "nghi-dinh-56-2017" and "Điều 23" in cite.section
    assert "24 giờ" in answer.direct
