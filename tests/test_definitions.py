"""Definition questions ("X là gì", "what is X", "what counts as X"): the subject they ask
to define, the passage that defines it, and the definition quoted whole; on the real corpus
and model."""
import pytest

from .test_retrieval import top


def test_definition_question_without_diacritics(kb):
    answer, cite = top(kb, "tre em la nguoi duoi bao nhieu tuoi")
    assert cite.doc_id == "luat-tre-em-2016" and "Điều 1. Trẻ em" in cite.section
    assert "16" in answer.direct


@pytest.mark.parametrize("question, definition", [
    ("Bỏ mặc trẻ em là gì?", "Bỏ rơi, bỏ mặc trẻ em là hành vi"),  # the law defines two terms at once
    ("cham soc thay the la gi", "Chăm sóc thay thế là việc"),  # the article on its forms has the words in its title
    ("What is alternative care?", "Chăm sóc thay thế là việc"),
    ("What is child neglect?", "Bỏ rơi, bỏ mặc trẻ em là hành vi"),
])
def test_a_definition_question_quotes_the_definition(kb, question, definition):
    answer = kb.ask(question)
    assert not answer.abstained and definition in answer.direct, answer.direct[:300]
    assert "Điều 4. Giải thích từ ngữ" in answer.citations[0].section


def test_a_definition_is_quoted_to_its_end_not_its_first_clause(kb):
    """The law writes a definition as ";"-clauses of one line: all of them are the definition."""
    answer = kb.ask("Bạo lực trẻ em là gì?")
    assert "đánh đập; xâm hại thân thể, sức khỏe; lăng mạ" in answer.direct
    assert "tinh thần của trẻ em." in answer.direct, answer.direct[:400]


@pytest.mark.parametrize("question, subject", [
    ("Bạo lực trẻ em theo Luật Trẻ em là gì?", "bao luc tre em"),
    ("hanh vi xay dung gia dinh co nghia la gi", "hanh vi xay dung gia dinh"),
    # a long term (17 words) is still a term
    ("Giáo dục chuyển đổi hành vi về xây dựng gia đình và phòng, chống bạo lực gia đình được hiểu là gì?",
     "giao duc chuyen doi hanh vi ve xay dung gia dinh va phong chong bao luc gia dinh"),
])
def test_what_a_vietnamese_definition_question_asks_to_define(question, subject):
    from kb.search.intent import definition_subject
    from kb.search.lexicon import Query

    assert definition_subject(Query(question, "vi", question, question)) == subject


def test_a_definition_whose_words_the_pdf_glued_is_still_found(kb):
    """Thông tư liên tịch 13 writes "... gia đìnhlà sự ứng xử": the term and "là" glued by the
    text extraction; split at ingest, the definition is found and quoted."""
    answer = kb.ask("Hành vi phòng, chống bạo lực gia đình nghĩa là gì?")
    assert not answer.abstained and "Điều 2. Giải thích từ ngữ" in answer.citations[0].section
    assert "Hành vi phòng, chống bạo lực gia đình là sự ứng xử có văn hóa" in answer.direct, answer.direct[:300]


def test_what_a_sentence_defines():
    from kb.search.intent import defines

    assert defines("bo roi bo mac tre em la hanh vi cua cha me", "bo mac tre em")
    assert defines("cham soc thay the la viec to chuc gia dinh", "cham soc thay the")
    assert not defines("cham soc thay the boi ca nhan gia dinh khong phai la nguoi than thich", "cham soc thay the")
    assert not defines("tre em co quyen duoc bao ve", "tre em")  # no "là"
    assert not defines("hoi dong tre em la", "")


@pytest.mark.parametrize("question, subject", [
    ("What is alternative care?", "cham soc thay the"),
    ("How does the anti-trafficking law define 'forced labour'?", "cuong buc lao dong"),  # quoted term
    ("What is meant by child neglect?", "tre em bo mac"),
    ("What is the deadline for the yearly report?", ""),  # a question, not a term to define
    # where the term is defined is not part of it; a quoted term is the term
    ("What is child abuse under the Law on Children?", "xam hai tre em"),
    ("What is 'sexual abuse' according to the law?", "xam hai tinh duc"),
    ("What is considered child abuse?", "xam hai tre em"),
    ("What acts count as sexual abuse of a child?", "xam hai tinh duc tre em"),
])
def test_what_an_english_definition_question_asks_to_define(question, subject):
    from kb.search.intent import definition_subject
    from kb.search.lexicon import Query

    assert definition_subject(Query(question, "en", question, question)) == subject
