"""The chat's HTML and feedback file, as pure functions: what a user sees for what they typed."""
import json

from kb.web.chatview import Turn, answer_body, transcript, widen_filter
from kb.web.feedback import record_feedback
from kb.records import Answer, Citation, DocMeta
from kb.web.render import banner, highlight, question_marks
from kb.web.uitext import MAX_QUESTION_CHARS, too_long

DOCS = {"tg": DocMeta("tg", "Kế hoạch Tuần Giáo", type="Kế hoạch", issuer="UBND huyện Tuần Giáo",
                      locality="Tuần Giáo", period="2021-2025"),
        "tn": DocMeta("tn", "Kế hoạch Tây Ninh", locality="Tây Ninh"),
        "law": DocMeta("law", "Luật Trẻ em", locality="Toàn quốc")}
CITE = Citation("tg", "Kế hoạch Tuần Giáo", "", "2021-09-14", "7. Phòng Y tế",
                "Phối hợp với các tổ chức giám định pháp y ưu tiên giám định đối với trẻ em.", 0.9, chunk_id="tg:1")
ANSWER = Answer(question="giám định pháp y ở Tuần Giáo", abstained=False, citations=(CITE,),
                text="Theo Kế hoạch Tuần Giáo, 7. Phòng Y tế: “Phối hợp …” [1]\n\nNguồn:\n[1] Kế hoạch — 7. Phòng Y tế\n“…”")


def test_phrases_are_highlighted_not_lone_syllables():
    marks = question_marks("Ban giám hiệu cần làm gì khi em bị xâm hại? Gọi 111")
    out = highlight("Giám đốc Sở và Ban Giám hiệu; trẻ em bị xâm hại gọi 111, tổng đài số 111.", marks)
    assert "<mark>Ban Giám hiệu</mark>" in out and "<mark>xâm hại</mark> <mark>gọi 111</mark>" in out
    assert "số <mark>111</mark>" in out
    assert "<mark>Giám</mark> đốc" not in out and "Giám đốc" in out and "<mark>em" not in out


def test_english_questions_highlight_the_vietnamese_phrases():
    out = highlight("thông báo, tố giác hành vi xâm hại trẻ em", question_marks("report child abuse", "en"))
    assert "<mark>xâm hại trẻ em</mark>" in out


def test_user_text_is_shown_as_typed_and_the_bubble_has_no_source_list():
    typed = '<img src=x onerror="alert(1)">\n-------\n<script>alert(2)</script>'
    page = transcript([Turn("t1", typed, ANSWER)], "vi", DOCS)
    assert "<img" not in page and "<script" not in page
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;\n-------\n&lt;script&gt;" in page
    assert answer_body(ANSWER).endswith("[1]") and "Nguồn:" not in page.split('class="kb-src"')[0]
    assert 'data-src="src-t1-1"' in page and 'id="src-t1-1"' in page  # the marker opens its passage
    assert "2021-2025" in page and "UBND huyện Tuần Giáo" in page  # validity and issuer beside it


def test_empty_chat_offers_starter_questions_per_audience():
    page = transcript([], "vi", DOCS)
    assert page.count('class="kb-starter"') >= 5 and "Giáo viên" in page and "Cán bộ Đoàn" in page
    assert "Teachers" in transcript([], "en", DOCS)


def test_a_locality_the_filter_leaves_out_is_added_and_named():
    assert widen_filter("ai giám định pháp y ở tuan giao?", ["tn"], DOCS) == (["tn", "tg"], ["Tuần Giáo"])
    assert widen_filter("ai giám định pháp y ở tuan giao?", [], DOCS) == ([], [])  # no filter: all searched
    assert widen_filter("trẻ em là người dưới bao nhiêu tuổi", ["tn"], DOCS) == (["tn"], [])


def test_the_length_cap_has_a_friendly_message():
    assert too_long("x" * MAX_QUESTION_CHARS) == ""
    assert "50.000" in too_long("x" * 50000) and "2.000" in too_long("x" * 50000)
    assert "50,000" in too_long("x" * 50000, "en")


def test_urgent_banner_carries_a_call_link():
    assert 'href="tel:111"' in banner(Answer("q", "t", False, urgent=True)) and banner(ANSWER) == ""


def test_feedback_keeps_the_last_rating_of_each_answer(tmp_path):
    path = tmp_path / "feedback.jsonl"
    record_feedback(path, "q1", "a1", "up", answer_id="a")
    record_feedback(path, "q2", "a2", "up", answer_id="b")
    record_feedback(path, "q1", "a1", "down", "sai", answer_id="a")
    record_feedback(path, "q1", "a1", "down", "sai nguồn", answer_id="a")
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [(r["answer_id"], r["rating"], r["reason"]) for r in rows] == [("b", "up", ""), ("a", "down", "sai nguồn")]
