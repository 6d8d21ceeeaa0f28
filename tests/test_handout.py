"""Training handouts: every statement is a passage of the index, chosen for the audience; the quiz
is right by its source; DOCX and PPTX reopen; a topic the documents do not cover is refused."""
import re

import docx
import pytest
from pptx import Presentation

from kb.features.handout import to_docx, to_markdown, to_pptx
from kb.text import fold

TOPIC = "phát hiện và báo tin khi trẻ em bị xâm hại"


@pytest.fixture(scope="module")
def handouts(kb):
    return {a: kb.handout(TOPIC, audience=a) for a in ("teacher", "cadre", "officer")}


def test_docx_and_pptx_reopen_with_cited_points_exercises_and_a_correct_quiz(kb, handouts, tmp_path):
    handout = handouts["officer"]
    lines = {line for c in kb.chunks for line in c.text.split("\n")}
    assert handout.points and all(set(p.text.split("\n")) <= lines for p in handout.points)
    assert handout.objectives and 2 <= len(handout.exercises) <= 3
    assert all(ex.sources and "“" in ex.answer for ex in handout.exercises)
    kinds = {q.kind for q in handout.quiz}
    assert {"hotline", "deadline", "true_false"} <= kinds, kinds
    for q in handout.quiz:
        right = q.options[q.answer]
        if q.kind in ("hotline", "deadline"):
            assert right in q.source.text
        elif q.kind == "true_false":
            said = q.question.split("nhiệm vụ “", 1)[1].rsplit("”", 1)[0]
            holds = any(said in d.duty for d in kb.duty_rows
                        if q.question.startswith(f"Đúng hay sai: theo {d.doc_label}, {d.agency} có"))
            assert holds == (right == "Đúng"), q.question
    path = tmp_path / "handout.docx"
    to_docx(handout, path)
    text = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    assert f"Tài liệu tập huấn: {TOPIC}" in text and "Mục tiêu" in text and "Đáp án" in text
    assert "Bài tập tình huống" in text and handout.exercises[0].situation in text
    for point in handout.points:
        assert point.text.split("\n")[0][:60] in text
    table_text = " ".join(c.text for t in docx.Document(str(path)).tables for r in t.rows for c in r.cells)
    assert all(d.agency in table_text for d in handout.duties)
    slides = tmp_path / "handout.pptx"
    to_pptx(handout, slides)
    titles = [s.shapes.title.text for s in Presentation(str(slides)).slides]
    assert titles[0] == handout.title and "Mục tiêu" in titles and "Câu hỏi ôn tập" in titles


def test_audiences_get_different_key_points_exercises_and_quiz(handouts):
    t, c, o = handouts["teacher"], handouts["cadre"], handouts["officer"]
    for a, b in ((t, c), (t, o), (c, o)):
        assert [p.chunk_id for p in a.points] != [p.chunk_id for p in b.points]
        assert {e.situation for e in a.exercises}.isdisjoint(e.situation for e in b.exercises)
        assert [q.question for q in a.quiz] != [q.question for q in b.quiz]
    assert any(fold(d.agency).startswith(("giao vien", "co so giao duc", "nha truong")) for d in t.duties)
    assert c.duties and all(re.search(r"\bdoan\b|\bdoi\b|thieu nhi|phong trao|tong phu trach", fold(d.agency))
               for d in c.duties)
    assert any(d.doc_id == "nghi-dinh-56-2017" for d in o.duties)


def test_teacher_handout_lists_real_hotlines_never_a_typo(handouts):
    md = to_markdown(handouts["teacher"])
    assert md.startswith("# Tài liệu tập huấn") and "Dành cho giáo viên" in md and "- 111 —" in md
    assert "10886605" not in {n for n, _ in handouts["teacher"].hotlines}
    today = handouts["teacher"].today  # what to do now: report at once, each step cited
    assert any("ngay" in text and "Tổng đài" in c.text for text, c in today) and "## Việc cần làm ngay" in md
    assert not handouts["officer"].today


def test_a_topic_the_documents_do_not_cover_is_refused(kb, tmp_path):
    h = kb.handout("mức lương tối thiểu vùng năm 2024", audience="teacher")
    assert h.refusal and not h.points and not h.quiz
    to_docx(h, tmp_path / "r.docx")
    assert "không đề cập" in "\n".join(p.text for p in docx.Document(str(tmp_path / "r.docx")).paragraphs)


def test_locality_prefers_that_localitys_plan(kb):
    h = kb.handout("tuyên truyền phòng, chống xâm hại trẻ em", audience="cadre", locality="Tây Ninh")
    docs = {p.doc_id for p in h.points}
    assert "tay-ninh-kh48-2025" in docs and docs <= {"tay-ninh-kh48-2025", "tay-ninh-ttr68-2025",
                                                     "luat-tre-em-2016", "nghi-dinh-56-2017"}
    assert h.points[0].doc_id.startswith("tay-ninh")


def test_cli_writes_docx_and_pptx_and_refuses_uncovered_topics(corpus_data_dir, tmp_path):
    from .test_cli import run

    out = tmp_path / "tap-huan.docx"
    done = run(["handout", "--topic", "quy trình can thiệp khẩn cấp", "--audience", "officer",
                "--locality", "Tây Ninh", "--out", str(out)], corpus_data_dir)
    assert done.returncode == 0, done.stderr
    assert docx.Document(str(out)).paragraphs and len(Presentation(str(out.with_suffix(".pptx"))).slides) > 3
    refused = run(["handout", "--topic", "mức lương tối thiểu vùng năm 2024", "--out", str(tmp_path / "x.docx")],
                  corpus_data_dir)
    assert refused.returncode == 1 and "không đề cập" in refused.stderr and not (tmp_path / "x.docx").exists()
