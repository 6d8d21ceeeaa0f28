"""Editorial notes of codified texts stay in passages but are never the quoted answer, a duty or a deadline."""
import pytest

from kb.ingest.chunk import chunk_document
from kb.features.deadlines import extract_deadlines
from kb.features.duties import extract_duties
from kb.ingest.parse import parse_document
from kb.records import DocMeta
from kb.text import is_editorial

NOTE = "[Ghi chú Pháp điển: có nội dung được sửa đổi, bổ sung bởi Điều 11 Luật số 28/2018/QH14 có hiệu lực thi " \
       "hành kể từ ngày 01/01/2019; Ủy ban nhân dân cấp xã báo cáo trước ngày 15/12/2019]"
CODIFIED = f"""Điều 5. Nguyên tắc bảo đảm thực hiện quyền và bổn phận của trẻ em
{NOTE}
1. Bảo đảm để trẻ em thực hiện được đầy đủ các quyền và bổn phận của mình.
2. Bảo đảm lợi ích tốt nhất của trẻ em trong các quyết định liên quan đến trẻ em.
3. Tôn trọng, lắng nghe, xem xét, phản hồi ý kiến, nguyện vọng của trẻ em.
Điều 6. Trách nhiệm của Ủy ban nhân dân cấp xã
{NOTE}
1. Ủy ban nhân dân cấp xã báo cáo kết quả thực hiện công tác bảo vệ trẻ em trước ngày 20/11/2019 (được sửa đổi, bổ sung bởi Luật số 28/2018/QH14).
Điều 7. Hiệu lực thi hành
Luật này có hiệu lực thi hành từ ngày 01 tháng 6 năm 2017.
"""


def doc():
    d = parse_document(CODIFIED, DocMeta(id="luat", title="Luật Trẻ em", type="Luật", number="102/2016/QH13"))
    return d, chunk_document(d)


def test_notes_are_recognised():
    assert is_editorial(NOTE)
    assert is_editorial("(được sửa đổi, bổ sung bởi Luật số 28/2018/QH14)")
    assert not is_editorial("Bảo đảm lợi ích tốt nhất của trẻ em (theo Điều 5) trong các quyết định.")


def test_notes_stay_in_passages_but_are_no_deadline_or_duty():
    d, chunks = doc()
    assert any("Ghi chú Pháp điển" in c.text for c in chunks)  # nothing lost
    docs = {"luat": d.meta}
    deadlines = extract_deadlines(chunks, docs)
    assert [r.when for r in deadlines if "trước ngày" in r.when] == ["trước ngày 20/11/2019"]
    assert all("Ghi chú" not in r.obligation and "sửa đổi, bổ sung bởi" not in r.obligation for r in deadlines)
    assert all("Ghi chú" not in r.duty for r in extract_duties(chunks, docs))


@pytest.mark.slow
def test_note_is_never_the_quoted_answer(tmp_path):
    from kb.config import Config
    from kb.knowledge import KnowledgeBase

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "luat.txt").write_text("LUẬT TRẺ EM\n" + CODIFIED, encoding="utf-8")
    kb = KnowledgeBase.open(Config(corpus_dir=corpus, data_dir=tmp_path / "data"))
    answer = kb.ask("Điều nào quy định nguyên tắc bảo đảm thực hiện quyền và bổn phận của trẻ em?")
    assert not answer.abstained and "Điều 5" in answer.direct
    assert "Ghi chú" not in answer.direct and "sửa đổi" not in answer.direct
