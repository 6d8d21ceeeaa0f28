"""Training handouts: every statement is a passage of the index, the quiz is right by its source."""
import docx

from kb.handout import to_docx, to_markdown
from kb.text import fold


def test_docx_handout_reopens_with_cited_points_and_a_correct_quiz(kb, tmp_path):
    handout = kb.handout("hỗ trợ, can thiệp trẻ em bị xâm hại", audience="officer")
    lines = {line for c in kb.chunks for line in c.text.split("\n")}  # every line of every passage
    assert handout.points and all(set(p.text.split("\n")) <= lines for p in handout.points)
    assert handout.quiz, "a quiz is built from facts of the passages"
    for q in handout.quiz:
        right = q.options[q.answer]
        if q.question.startswith("Điền"):  # a number fact: only the right option restores the source sentence
            blanked = q.question.split("“", 1)[1].rsplit("”", 1)[0]
            restored = [blanked.replace("____", o) in q.source.text for o in q.options]
            assert restored[q.answer] and sum(restored) == 1
        else:  # an agency fact: the source passage sits under that agency's heading
            assert fold(right)[:15] in fold(q.source.section)
    path = tmp_path / "handout.docx"
    to_docx(handout, path)
    text = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    assert "Tài liệu tập huấn: hỗ trợ, can thiệp trẻ em bị xâm hại" in text
    assert "Đáp án" in text and "Nguồn" in text
    for point in handout.points:  # the quotes survive the round trip, Vietnamese intact
        assert point.text.split("\n")[0][:60] in text
    table_text = " ".join(c.text for t in docx.Document(str(path)).tables for r in t.rows for c in r.cells)
    assert all(d.agency in table_text for d in handout.duties)


def test_markdown_handout_for_teachers_lists_the_hotline(kb):
    md = to_markdown(kb.handout("báo tin khi phát hiện trẻ em bị xâm hại", audience="teacher"))
    assert md.startswith("# Tài liệu tập huấn") and "Dành cho giáo viên" in md
    assert "**111**" in md and "## Câu hỏi ôn tập" in md
