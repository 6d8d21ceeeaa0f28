"""What an answer quotes from a passage: the sentence that answers the question asked (its
condition, the body it asks about), with who acts kept beside the duty. The questions here are
new, written for these tests; the tiny decree is made up, in the form of the real ones."""
import numpy as np
import pytest

from kb.config import Config
from kb.ingest.sync import ingest
from kb.knowledge import KnowledgeBase
from kb.answer.quote import choose
from kb.search.sentences import SentenceVectors, arrays, embed_text, units

DECREE = """CHÍNH PHỦ
Số: 99/2024/NĐ-CP
Hà Nội, ngày 10 tháng 5 năm 2024

NGHỊ ĐỊNH
Quy định thử nghiệm về hỗ trợ, can thiệp bảo vệ trẻ em

Điều 7. Thời hạn can thiệp
1. Sau khi nhận được thông tin về trẻ em bị xâm hại, trong thời hạn 05 ngày làm việc, người làm
công tác bảo vệ trẻ em cấp xã xây dựng kế hoạch hỗ trợ, can thiệp trình Chủ tịch Ủy ban nhân dân
cấp xã phê duyệt.
2. Đối với trẻ em đang bị đe dọa nghiêm trọng đến tính mạng hoặc bị gây tổn hại nặng nề, việc
can thiệp phải được thực hiện trong vòng 12 giờ kể từ khi nhận được thông tin.
3. Kế hoạch hỗ trợ, can thiệp được rà soát, đánh giá định kỳ 03 tháng một lần.

Điều 8. Trách nhiệm phối hợp
1. Cơ quan công an cấp huyện có trách nhiệm tiếp nhận tin báo, điều tra và xử lý nghiêm các hành
vi xâm hại trẻ em theo quy định của pháp luật.
2. Cơ sở giáo dục có trách nhiệm phát hiện sớm dấu hiệu trẻ em bị bạo lực, thông báo ngay cho cha
mẹ học sinh và Ủy ban nhân dân cấp xã.
3. Trạm y tế xã có trách nhiệm sơ cứu, khám sức khỏe và lưu giữ bằng chứng tổn thương cho trẻ em
bị xâm hại.
4. Trách nhiệm của Hội Liên hiệp Phụ nữ cấp xã:
a) Tuyên truyền kiến thức nuôi dạy con không dùng bạo lực cho các gia đình;
b) Thăm hỏi, hỗ trợ tâm lý cho mẹ và trẻ em là nạn nhân của bạo lực gia đình.

Điều 9. Hiệu lực thi hành
Nghị định này có hiệu lực thi hành kể từ ngày 01 tháng 7 năm 2024.
"""

CATALOG = """[[document]]
id = "thu-nghiem-nd-99"
file = "thu-nghiem-nd-99-2024.txt"
title = "Nghị định thử nghiệm về hỗ trợ, can thiệp bảo vệ trẻ em"
type = "Nghị định"
number = "99/2024/NĐ-CP"
date = "2024-05-10"
issuer = "Chính phủ"
locality = "Toàn quốc"
"""


@pytest.fixture(scope="module")
def decree_kb(tmp_path_factory):
    corpus = tmp_path_factory.mktemp("decree")
    (corpus / "thu-nghiem-nd-99-2024.txt").write_text(DECREE, encoding="utf-8")
    (corpus / "catalog.toml").write_text(CATALOG, encoding="utf-8")
    config = Config(corpus_dir=corpus, data_dir=corpus / "data")
    assert ingest(config).ok
    return KnowledgeBase.open(config, build_if_missing=False)


def quoted(answer) -> str:
    return answer.direct.split("“", 1)[1].rsplit("”", 1)[0]


def best(kb, question: str) -> str:
    """The sentence the answer's quote is built around (the best one of the first passage)."""
    search = kb.search(question)
    _, found, j, _ = choose(search.hits[0], search)
    return found[j].text


def test_an_emergency_question_gets_the_emergency_rule_and_an_ordinary_one_the_ordinary_rule(decree_kb):
    urgent = "Khi tính mạng của một em nhỏ đang bị đe dọa ngay lúc này thì phải can thiệp trong bao lâu?"
    assert "12 giờ" in best(decree_kb, urgent) and "05 ngày" not in best(decree_kb, urgent)
    assert "12 giờ" in quoted(decree_kb.ask(urgent))
    usual = "Bình thường thì cán bộ xã có bao nhiêu ngày để lập kế hoạch giúp đỡ một em bị xâm hại?"
    assert "05 ngày" in best(decree_kb, usual) and "12 giờ" not in best(decree_kb, usual)


@pytest.mark.parametrize("question, body, duty", [
    ("Trạm y tế xã phải làm gì cho trẻ bị xâm hại?", "Trạm y tế xã", "bằng chứng"),
    ("Nhà trường phải làm gì khi thấy học sinh có dấu hiệu bị đánh?", "Cơ sở giáo dục", "phát hiện sớm"),
    ("Công an huyện có nhiệm vụ gì khi nhận tin báo trẻ bị xâm hại?", "Cơ quan công an", "điều tra"),
])
def test_a_question_about_one_body_quotes_that_bodys_duty_in_an_article_naming_several(decree_kb, question, body, duty):
    quote = quoted(decree_kb.ask(question))
    assert quote.startswith(body) and duty in quote, quote


def test_an_item_that_names_no_one_is_quoted_with_the_lead_in_that_does(decree_kb):
    quote = quoted(decree_kb.ask("Hội phụ nữ xã có trách nhiệm gì với các gia đình?"))
    assert quote.startswith("Trách nhiệm của Hội Liên hiệp Phụ nữ cấp xã") and "nuôi dạy con" in quote, quote


def test_ingest_saves_a_vector_for_every_sentence_an_answer_may_quote(decree_kb):
    for question in ["Trạm y tế xã phải làm gì?", "Trong bao lâu phải can thiệp?"]:
        search = decree_kb.search(question)
        for hit in search.hits:
            found = units([l.strip() for l in hit.chunk.text.split("\n") if l.strip()])
            if len(hit.chunk.text) > 300:
                vectors = search.sentences.lookup([embed_text(found, n) for n in range(len(found))])
                assert vectors is not None and np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=0.01)


def test_an_item_reads_with_its_lead_in_and_a_clause_with_the_one_that_names_the_actor():
    lines = ["Hệ số trợ cấp hằng tháng:", "a) Trẻ em dưới 4 tuổi: 2,5;", "b) Trẻ em từ đủ 4 tuổi: 1,5.",
             "Mức chuẩn do Chính phủ quy định.",
             "- Đoàn Thanh niên xã có trách nhiệm nắm tình hình trẻ em; kịp thời báo cáo khi có vụ việc."]
    found = units(lines)
    text = {u.text: u for u in found}
    lead = found.index(text["Hệ số trợ cấp hằng tháng:"])
    assert text["a) Trẻ em dưới 4 tuổi: 2,5;"].context == lead
    assert text["b) Trẻ em từ đủ 4 tuổi: 1,5."].context == lead  # a sibling item keeps the lead-in
    assert text["Mức chuẩn do Chính phủ quy định."].context == -1  # prose ends the list
    first = found.index(text["- Đoàn Thanh niên xã có trách nhiệm nắm tình hình trẻ em;"])
    assert text["kịp thời báo cáo khi có vụ việc."].context == first
    assert embed_text(found, found.index(text["a) Trẻ em dưới 4 tuổi: 2,5;"])) == \
        "Hệ số trợ cấp hằng tháng: a) Trẻ em dưới 4 tuổi: 2,5;"


def test_sentence_vectors_are_found_by_text_and_unknown_text_finds_none():
    vectors = np.eye(3, dtype=np.float32)
    table = SentenceVectors.from_arrays(arrays(["một", "hai", "ba"], vectors))
    assert np.allclose(table.lookup(["ba", "một"]), vectors[[2, 0]])
    assert table.lookup(["hai", "bốn"]) is None  # one unknown: the words alone choose
    assert SentenceVectors.from_arrays({}) is None  # an index saved without them


def test_real_corpus_emergency_duty_of_health_facilities_is_quoted_with_its_body(kb):
    answer = kb.ask("Khi trẻ cần được bảo vệ khẩn cấp thì bệnh viện, cơ sở khám chữa bệnh phải làm những việc gì?")
    assert not answer.abstained and "Điều 31" in answer.citations[0].section
    quote = quoted(answer)
    assert "Trách nhiệm của cơ sở khám bệnh, chữa bệnh" in quote and "bằng chứng" in quote, quote
