"""The responsibility matrix and the deadline calendar, on real extractions from the corpus."""
import json

import pytest

from kb.ingest.chunk import chunk_document
from kb.features.deadlines import extract_deadlines
from kb.features.actors import split_actors
from kb.features.duties import extract_duties, filter_duties, sector_of

from .test_cli import run
from .test_parse import DOCS

CHUNKS = [c for d in DOCS.values() for c in chunk_document(d)]
METAS = {d.meta.id: d.meta for d in DOCS.values()}
ROWS = extract_duties(CHUNKS, METAS)


def duties(**kw):
    return filter_duties(ROWS, **kw)


@pytest.mark.parametrize("kw, words", [
    ({"agency": "Sở Du lịch", "doc": "hai-phong-kh76-2020"}, "xâm hại trẻ em qua con đường du lịch"),
    ({"agency": "Phòng Dân tộc", "doc": "tuan-giao-kh-2021-2025"}, "tảo hôn và hôn nhân cận huyết thống"),
    ({"agency": "Công an huyện", "doc": "tuan-giao-kh-2021-2025"}, "Chương trình phòng, chống mua bán, bắt cóc trẻ em"),
    ({"agency": "Sở Tài chính", "doc": "hai-phong-kh76-2020"}, "bố trí kinh phí"),
    ({"agency": "Chủ tịch Ủy ban nhân dân cấp xã", "doc": "nghi-dinh-56-2017"},
     "phê duyệt kế hoạch hỗ trợ, can thiệp trong thời hạn 02 ngày làm việc"),
])
def test_known_duties_are_extracted_and_cited(kw, words):
    rows = duties(**kw)
    match = [r for r in rows if words in r.duty]
    assert match, [r.duty for r in rows]
    assert match[0].section and match[0].chunk_id.startswith(kw["doc"] + ":")


def test_roles_and_sectors():
    phong_dan_toc = duties(agency="Phòng Dân tộc")[0]
    assert phong_dan_toc.role == "chủ trì" and phong_dan_toc.sector == "Dân tộc"
    youth = duties(agency="Đoàn thanh niên", doc="tuan-giao-kh-2021-2025")
    assert youth and all(r.role == "đề nghị" for r in youth)
    assert sector_of("Phòng Lao động - Thương binh và Xã hội") == sector_of("Sở LĐTBXH") \
        == sector_of("cơ quan lao động - thương binh và xã hội các cấp") == "Lao động - Thương binh và Xã hội"
    assert sector_of("Công an huyện") == sector_of("Cơ quan công an các cấp") == "Công an"
    assert sector_of("UBND các xã, thị trấn") == sector_of("Ủy ban nhân dân phường, xã") == "UBND cấp xã"


def test_every_agency_heading_of_every_plan_has_duties():
    for doc_id, doc in DOCS.items():
        headings = {a for s in doc.sections if s.agency and not s.path[-1].startswith("Điều ")
                    for a in split_actors(s.agency)}
        covered = {r.agency for r in ROWS if r.doc_id == doc_id}
        assert headings <= covered, (doc_id, headings - covered)


def test_duties_json_from_the_cli_covers_the_plans(corpus_data_dir):
    out = run(["duties", "--format", "json"], corpus_data_dir)
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    for doc_id in ("tay-ninh-kh48-2025", "tuan-giao-kh-2021-2025", "hai-phong-kh76-2020",
                   "ninh-thuan-tinh-doan-kh-2020-2025"):
        headings = {a for s in DOCS[doc_id].sections if s.agency for a in split_actors(s.agency)}
        assert headings <= {r["agency"] for r in rows if r["doc_id"] == doc_id}, doc_id
    csv_out = run(["duties", "--sector", "Cong an", "--format", "csv"], corpus_data_dir)
    assert csv_out.stdout.splitlines()[0].startswith("sector,agency,role,duty")
    assert all(line.startswith("Công an") for line in csv_out.stdout.splitlines()[1:] if line[:1].isalpha())


def test_deadlines_and_calendar():
    rows = extract_deadlines(CHUNKS, METAS, ROWS)
    tay_ninh = [r for r in rows if r.doc_id == "tay-ninh-kh48-2025"]
    half_year = next(r for r in tay_ninh if r.iso_date == "2025-06-05")
    assert "báo cáo 6 tháng" in half_year.obligation and half_year.kind == "date"
    assert "UBND phường, xã" in half_year.agency and half_year.recipient.startswith("UBND Thành phố")
    assert any(r.kind == "annual" and r.when.endswith("trước ngày 15/11") for r in rows)  # Ninh Thuận, every year
    assert any(r.when == "không quá 12 giờ" for r in rows)
    assert not any("06 tháng" in r.when and "chụp" in r.obligation for r in rows)  # a photo's age is no deadline


def test_letters_that_assign_by_giao_are_in_the_matrix():
    rows = duties(doc="quang-ngai-cv-2023")
    giao = [r for r in rows if "theo dõi" in r.duty]
    assert [r.agency for r in giao] == ["Phòng Lao động - Thương binh và Xã hội thành phố"]
    assert giao[0].sector == "Lao động - Thương binh và Xã hội"
    # items 1.1-1.7 belong to each of the three bodies their lead-in names
    police = duties(doc="quang-ngai-cv-2023", agency="Công an thành phố")
    assert len(police) == 7 and police[0].duty.startswith("Tiếp tục triển khai")


@pytest.mark.parametrize("agency, english", [
    ("Sở Lao động - Thương binh và Xã hội", "Department of Labour, Invalids and Social Affairs"),
    ("Phòng Giáo dục và Đào tạo Thành phố", "City Office of Education and Training"),
    ("Chủ tịch Ủy ban nhân dân cấp xã", "Chairperson of the Commune People's Committee"),
    ("Cơ quan lao động - thương binh và xã hội các cấp", "Labour and social affairs agency at all levels"),
    ("Công an huyện", "District Police"),
    ("Hội Liên hiệp Phụ nữ tỉnh", "Provincial Women's Union"),
    ("Ban Giám hiệu", ""),  # not a kind of body kb can name: the Vietnamese name stays alone
    ("Sở Ngoại giao và Hợp tác", ""),  # a department of a field kb does not know: no half-translated name
])
def test_english_answers_name_an_agency_by_its_kind_field_and_level(agency, english):
    from kb.features.actors import english_name

    assert english_name(agency) == english


def test_an_english_question_gets_the_agency_in_english_with_its_vietnamese_name(kb):
    answer = kb.ask("Which office in Tuan Giao is responsible for reducing child marriage?")
    assert answer.direct.startswith("Responsible: Office of Ethnic Affairs (Phòng Dân tộc).")
    vietnamese = kb.ask("Cơ quan nào ở Tuần Giáo phụ trách giảm tảo hôn?")
    assert "Office of" not in vietnamese.text and "Phòng Dân tộc" in vietnamese.direct
