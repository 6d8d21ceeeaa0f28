from kb.chunk import chunk_document
from kb.parse import parse_document
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
