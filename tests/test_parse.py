"""The parser on every bundled document: section paths, agency headings, signer."""

import pytest

from kb.ingest.load import load_catalog, load_file
from kb.ingest.parse import join_wrapped, parse_document

from .conftest import CORPUS, PLAN_TEXT
from kb.records import DocMeta


def parsed():
    catalog = load_catalog(CORPUS)
    docs = {}
    for f in sorted(CORPUS.glob("*.txt")):
        for src in load_file(f, catalog):
            docs[src.meta.id] = parse_document(src.text, src.meta)
    return docs


DOCS = parsed()


def paths(doc_id):
    return [s.path_text for s in DOCS[doc_id].sections]


def agencies(doc_id):
    return [s.agency for s in DOCS[doc_id].sections if s.agency]


def test_tay_ninh_file_holds_two_documents():
    assert DOCS["tay-ninh-kh48-2025"].meta.number == "48/KH-UBND"
    assert DOCS["tay-ninh-ttr68-2025"].meta.type == "Tờ trình"
    assert not any("TỜ TRÌNH" in p for s in DOCS["tay-ninh-kh48-2025"].sections for p in s.paragraphs)


@pytest.mark.parametrize("doc_id, signer", [
    ("tay-ninh-kh48-2025", "Nguyễn Trung Hiếu"), ("tay-ninh-ttr68-2025", "Phạm Mộng Quyên"),
    ("tuan-giao-kh-2021-2025", "Mùa Va Hồ"), ("ninh-thuan-tinh-doan-kh-2020-2025", "Nguyễn Hữu Tuấn"),
    ("hai-phong-kh76-2020", "Lê Khắc Nam"), ("quang-ngai-cv-2023", "Nguyễn Văn Anh")])
def test_signer_of_each_plan_and_letter(doc_id, signer):
    meta = DOCS[doc_id].meta
    assert meta.signer == signer
    assert "CHỦ TỊCH" in meta.signer_title or "BÍ THƯ" in meta.signer_title or "TRƯỞNG PHÒNG" in meta.signer_title


def test_tuan_giao_agency_sections():
    assert "IV. TỔ CHỨC THỰC HIỆN > 7. Phòng Y tế, Trung tâm Y tế" in paths("tuan-giao-kh-2021-2025")
    assert agencies("tuan-giao-kh-2021-2025")[:3] == [
        "Phòng Lao động - Thương binh và Xã hội", "Phòng Giáo dục và Đào tạo", "Công an huyện"]
    assert "Phòng Dân tộc" in agencies("tuan-giao-kh-2021-2025")
    assert "Đoàn thanh niên cộng sản Hồ Chí Minh" in agencies("tuan-giao-kh-2021-2025")


def test_hai_phong_hard_wrapped_agency_headings_with_colon():
    ags = agencies("hai-phong-kh76-2020")
    assert ags[:3] == ["Sở Lao động Thương binh và Xã hội", "Sở Giáo dục và Đào tạo", "Sở Y tế"]
    assert "Sở Du lịch" in ags and "Sở Tài chính" in ags and len(set(ags)) == 11
    assert "V. PHÂN CÔNG NHIỆM VỤ, TỔ CHỨC THỰC HIỆN > 7. Sở Du lịch" in paths("hai-phong-kh76-2020")
    # a wrapped line starting "Mục 5, Phần II" is text, not a heading
    assert not any(p.startswith("Mục 5") for p in paths("hai-phong-kh76-2020"))


def test_tay_ninh_agencies_and_reporting_section():
    ags = agencies("tay-ninh-kh48-2025")
    assert ags[0] == "Phòng Lao động-Thương binh và Xã hội Thành phố" and len(ags) == 9
    assert "IV. TỔ CHỨC THỰC HIỆN > 10. Chế độ báo cáo" in paths("tay-ninh-kh48-2025")


def test_ninh_thuan_youth_union_sections():
    assert agencies("ninh-thuan-tinh-doan-kh-2020-2025") == ["Tỉnh Đoàn", "Các huyện, thành Đoàn và Đoàn trực thuộc"]


def test_quang_ngai_numbered_duties():
    ps = paths("quang-ngai-cv-2023")
    assert sum(1 for p in ps if " > 1." in p) == 7  # duties 1.1 to 1.7


def test_law_structure_chapter_section_article():
    ps = paths("luat-tre-em-2016")
    assert ps[:2] == ["Phần mở đầu", "Chương I. NHỮNG QUY ĐỊNH CHUNG > Điều 1. Trẻ em"]
    assert "Chương II. QUYỀN VÀ BỔN PHẬN CỦA TRẺ EM > Mục 1. QUYỀN CỦA TRẺ EM > Điều 12. Quyền sống" in ps
    assert sum(1 for p in ps if "> Điều " in p) == 106
    assert not any("SOURCE" in p for s in DOCS["luat-tre-em-2016"].sections for p in s.paragraphs)


def test_decree_articles_and_responsible_bodies():
    ps = paths("nghi-dinh-56-2017")
    assert sum(1 for p in ps if p.startswith("Điều ")) == 58
    assert "gia đình" in agencies("nghi-dinh-56-2017")


def test_hard_wrapped_lines_rejoin_but_blank_separated_paragraphs_stay():
    lines = ["1. Truyền thông, giáo dục, vận", "động xã hội nhằm nâng cao", "", "2. Phòng ngừa"]
    assert join_wrapped(lines) == ["1. Truyền thông, giáo dục, vận động xã hội nhằm nâng cao", "2. Phòng ngừa"]


def test_markdown_noise_and_metadata_from_letterhead():
    doc = parse_document("## **I. MỤC TIÊU**\n\n- **Bảo vệ** trẻ em\n", DocMeta(id="x", title=""))
    assert doc.sections[0].path_text == "I. MỤC TIÊU"
    assert doc.sections[0].paragraphs == ("- Bảo vệ trẻ em",)
    plan = parse_document(PLAN_TEXT, DocMeta(id="p", title=""))
    assert (plan.meta.number, plan.meta.date) == ("12/KH-UBND", "2024-03-05")
    assert plan.meta.signer == "Nguyễn Văn Thử"


def test_mục_titles_with_commas_stay_in_the_section_path():
    path = next(s.path for s in DOCS["luat-tre-em-2016"].sections if s.path[-1].startswith("Điều 70."))
    assert path[1].startswith("Mục 4. CÁC BIỆN PHÁP BẢO VỆ TRẺ EM TRONG QUÁ TRÌNH TỐ TỤNG, XỬ LÝ VI PHẠM HÀNH CHÍNH")
    path = next(s.path for s in DOCS["luat-tre-em-2016"].sections if s.path[-1].startswith("Điều 100."))
    assert path[1] == "Mục 2. TRÁCH NHIỆM CỦA GIA ĐÌNH, CÁ NHÂN VÀ CƠ SỞ GIÁO DỤC"
