from kb.ingest.chunk import chunk_document
from kb.ingest.parse import parse_document
from kb.records import DocMeta

from .conftest import PLAN_TEXT
from .test_parse import DOCS


def test_chunks_never_cross_sections_and_keep_their_path():
    for doc in DOCS.values():
        sections = {s.path_text: s for s in doc.sections}
        for chunk in chunk_document(doc):
            base = chunk.section.split(", khoản")[0]
            assert base in sections
            section_text = "\n".join(sections[base].paragraphs)
            assert all(part in section_text for part in chunk.text.split("\n"))


def test_chunk_header_names_document_and_section():
    chunk = next(c for c in chunk_document(DOCS["tuan-giao-kh-2021-2025"]) if "Phòng Dân tộc" in c.section)
    assert chunk.header.endswith("IV. TỔ CHỨC THỰC HIỆN > 8. Phòng Dân tộc")
    assert "Tuần Giáo" in chunk.header and chunk.agency == "Phòng Dân tộc"
    assert "Tuần Giáo" not in chunk.text  # the citation quotes only the source passage


def test_ids_are_stable_and_follow_content():
    meta = DocMeta(id="p", title="Kế hoạch thử")
    first = [c.id for c in chunk_document(parse_document(PLAN_TEXT, meta))]
    again = [c.id for c in chunk_document(parse_document(PLAN_TEXT, meta))]
    assert first == again and all(i.startswith("p:") for i in first)
    edited = [c.id for c in chunk_document(parse_document(PLAN_TEXT.replace("15/12/2024", "20/12/2024"), meta))]
    assert len(set(first) - set(edited)) == 1  # only the edited passage gets a new id


def test_long_articles_split_by_khoan_with_labels():
    chunks = [c for c in chunk_document(DOCS["luat-tre-em-2016"]) if "Điều 6. Các hành vi bị nghiêm cấm" in c.section]
    assert len(chunks) > 1 and all(", khoản " in c.section for c in chunks)
    assert all(len(c.text) <= 1000 for c in chunks)



def _article(doc_id: str, title: str):
    return [c for c in chunk_document(DOCS[doc_id]) if c.section.startswith(title)]


def test_a_piece_that_continues_a_clause_is_cited_as_that_clause():
    """Thông tư 14/2020 Điều 10 khoản 2 is too long for one passage: the passage holding its
    points c) d) is cited as 'khoản 2', not as the bare article."""
    chunks = _article("toan-quoc-tt-14-2020", "Điều 10.")
    cont = next(c for c in chunks if c.text.startswith("c) Chăm sóc thay thế tại cơ sở trợ giúp xã hội"))
    assert cont.section.endswith(", khoản 2"), cont.section
    assert all(", khoản " in c.section for c in chunks)


def test_a_hit_is_widened_to_its_whole_clause_when_the_article_is_too_long():
    from kb.search.sentences import clauses, wide_groups

    chunks = _article("toan-quoc-tt-14-2020", "Điều 10.")
    groups = wide_groups(chunks, 2500)
    clause = next(g for g in groups if chunks[g[0]].section.endswith("khoản 2"))
    assert len(clause) == 2 and "d) Nhận con nuôi" in chunks[clause[-1]].text  # its points c) d) come along
    # one clause: each passage of a group shares a khoản with the one before it
    assert all(clauses(chunks[a].section) & clauses(chunks[b].section) for g in groups for a, b in zip(g, g[1:]))
    assert wide_groups(chunks, 100_000) == [list(range(len(chunks)))]  # short enough: the whole article


def test_a_passage_running_into_the_next_clause_is_quoted_with_the_start_of_its_clause():
    """Nghị định 20 Điều 28: khoản 2's five steps ("Bước 1." … "Bước 5.") are cut after step 2;
    the next passage holds steps 3-5 and the start of khoản 3 ("khoản 2-3"): both are quoted
    together, as "khoản 2-3"."""
    from kb.search.sentences import clauses, wide_groups

    chunks = _article("toan-quoc-nd-20-2021", "Điều 28.")
    groups = wide_groups(chunks, 2500)
    first = next(i for i, c in enumerate(chunks) if "Bước 1." in c.text)
    group = next(g for g in groups if first in g)
    text = "\n".join(chunks[i].text for i in group)
    assert all(f"Bước {n}." in text for n in range(1, 6)), [chunks[i].section for i in group]
    assert clauses("Điều 28. Thủ tục, khoản 2-3") == {2, 3} and clauses("Điều 28. Thủ tục") == set()


def test_a_list_cut_across_passages_is_answered_whole(kb):
    answer = kb.ask("cán bộ xã lựa chọn hình thức chăm sóc thay thế theo thứ tự ưu tiên nào")
    assert not answer.abstained and "a) Chăm sóc thay thế bởi người thân thích" in answer.direct
    assert "d) Nhận con nuôi" in answer.direct, answer.direct[-300:]
