"""Who must do what: a responsibility matrix read from the sections that assign duties
("Tổ chức thực hiện", "Phân công nhiệm vụ", "Trách nhiệm của ...", articles named after an
agency) and from sentences of laws and decrees whose subject is an agency. Pure."""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from .parse import AGENCY_START
from .records import Chunk, DocMeta
from .tables import row_fields, row_task
from .text import fold, is_editorial, squash, strip_editorial

# Canonical sectors, most specific first; matched on the folded agency name.
SECTORS = [
    ("Tài chính", r"tai chinh"), ("Du lịch", r"du lich"), ("Ngoại vụ", r"ngoai vu"), ("Dân tộc", r"dan toc"),
    ("Tư pháp", r"tu phap|toa an|vien kiem sat"), ("Công an", r"cong an"), ("Y tế", r"\by te\b"),
    ("Giáo dục và Đào tạo", r"giao duc|nha truong|co so giao duc|ban giam hieu"),
    ("Lao động - Thương binh và Xã hội", r"lao dong.{0,6}thuong binh|ldtb|ld-tb|tong dai|bao ve tre em cap xa|"
                                         r"co so tro giup xa hoi|cong tac xa hoi"),
    ("Văn hóa - Thông tin", r"van hoa|thong tin va truyen thong|truyen thanh|truyen hinh|the thao|thong tin dai chung"),
    ("Đoàn Thanh niên", r"doan thanh nien|tinh doan|thanh doan|huyen doan|doan tncs|\bdoan\b|thieu nhi"),
    ("Hội Liên hiệp Phụ nữ", r"phu nu"), ("Mặt trận Tổ quốc", r"mat tran|to chuc chinh tri|to chuc xa hoi"),
    ("UBND cấp xã", r"(uy ban nhan dan|ubnd|chu tich).{0,25}(cap xa|xa, phuong|phuong, xa|cac xa|thi tran)"),
    ("UBND cấp huyện", r"(uy ban nhan dan|ubnd).{0,25}(huyen|quan)"),
    ("UBND các cấp", r"uy ban nhan dan|ubnd"), ("Gia đình", r"gia dinh|cha, me"),
    ("Bộ, ngành trung ương", r"^bo\b|co quan ngang bo|chinh phu"),
]
# Sentences of laws and decrees that open with the agency that must act.
SUBJECT = re.compile(
    r"^(?:\d+\.\s*)?(Chủ tịch Ủy ban nhân dân cấp (?:xã|huyện|tỉnh)|Ủy ban nhân dân cấp (?:xã|huyện|tỉnh)"
    r"|Người làm công tác bảo vệ trẻ em cấp xã|Sở Lao động - Thương binh và Xã hội|Tổng đài điện thoại quốc gia "
    r"bảo vệ trẻ em|Cơ quan lao động - thương binh và xã hội[^,;]{0,20}|Cơ quan công an[^,;]{0,20}"
    r"|Người đứng đầu cơ sở [^,;]{3,40}|Ban Giám hiệu nhà trường|Nhà trường|Bộ [A-ZĐ][^,;:]{2,40}?(?= có| chủ| phối| thực| hướng))\b")
# "Giao phòng Lao động - Thương binh và Xã hội thành phố có trách nhiệm theo dõi ..." (letters, reporting sections)
ASSIGN = re.compile(r"^(?:\d+\.\s*)?Giao\s+(.{4,90}?)\s+(?=chủ trì|có trách nhiệm|thực hiện|phối hợp|tổng hợp|theo dõi)")
ROLE = [("đề nghị", r"^de nghi"), ("chủ trì", r"\bchu tri\b"), ("phối hợp", r"^(-\s*)?phoi hop")]
BULLET_AGENCY = re.compile(r"^-\s*([A-ZĐỦ][^:]{3,80}):\s*(.+)$")


@dataclass(frozen=True)
class Duty:
    agency: str  # the documents' own wording
    sector: str  # canonical sector, for filtering across documents and levels
    duty: str
    role: str  # chủ trì | phối hợp | đề nghị | thực hiện
    doc_id: str
    doc_label: str
    section: str
    chunk_id: str

    def to_dict(self) -> dict:
        return asdict(self)


def sector_of(agency: str) -> str:
    folded = fold(agency)
    return next((name for name, rx in SECTORS if re.search(rx, folded)), "Khác")


def role_of(duty: str, heading: str) -> str:
    if re.match(r"^(\d+\.\s*)?de nghi", fold(heading)):
        return "đề nghị"
    folded = fold(duty)
    return next((name for name, rx in ROLE[1:] if re.search(rx, folded[:60])), "thực hiện")


def _items(text: str) -> list[str]:
    """Duty items of a passage: its bullets, or its sentences when it has none."""
    lines = [l.strip() for l in text.split("\n") if l.strip()]
    if any(l.startswith("-") for l in lines):
        return lines
    return [s for l in lines for s in re.split(r"(?<=[.;])\s+(?=[A-ZĐ])", l) if s.strip()]


def extract_duties(chunks: list[Chunk], docs: dict[str, DocMeta]) -> list[Duty]:
    rows: list[Duty] = []
    for c in sorted(chunks, key=lambda c: (c.doc_id, c.position)):
        meta = docs[c.doc_id]
        heading = c.section.split(" > ")[-1].split(", khoản")[0]
        rows_done = []
        for line in c.text.split("\n"):  # table rows: "Nội dung: ...; Cơ quan chủ trì: ...; Cơ quan phối hợp: ..."
            fields = row_fields(line)
            task, lead, partners, _ = row_task(fields)
            if task and lead:
                rows_done.append(line)
                lead_role = "chủ trì" if any("chu tri" in k for k in fields) else "thực hiện"  # a procedure step
                for agency, role in [(lead, lead_role),
                                     *((p, "phối hợp") for p in partners)]:
                    rows.append(Duty(agency=agency, sector=sector_of(agency), duty=task, role=role,
                                     doc_id=c.doc_id, doc_label=meta.label, section=c.section, chunk_id=c.id))
        text = "\n".join(l for l in strip_editorial(c.text).split("\n") if l not in rows_done)
        for item in _items(text):
            if is_editorial(item):
                continue
            agency = c.agency
            m = BULLET_AGENCY.match(item) if agency else None
            if m and AGENCY_START.match(fold(m.group(1))):  # "- Hội Liên hiệp phụ nữ ...: tuyên truyền ..."
                agency, item = m.group(1).strip(), m.group(2)
            elif not agency:
                m = SUBJECT.match(item) or ASSIGN.match(item)
                if not m or not AGENCY_START.match(fold(m.group(1))):
                    continue
                agency = m.group(1).strip()
                agency = agency[0].upper() + agency[1:]
            duty = squash(re.sub(r"^(\d+\.\s*)?[^:]{0,90}:\s*(?=\S)", "", item, count=1)
                          if item.startswith(re.sub(r"^[\dIVX.]+\s*", "", heading)[:15] or "\0") else item)
            duty = duty.lstrip("- ").strip()
            if len(duty) < 12:
                continue
            rows.append(Duty(agency=agency, sector=sector_of(agency), duty=duty, role=role_of(duty, heading),
                             doc_id=c.doc_id, doc_label=meta.label, section=c.section, chunk_id=c.id))
    return rows


def filter_duties(rows: list[Duty], agency: str = "", sector: str = "", doc: str = "") -> list[Duty]:
    """Keep rows whose agency contains `agency`, whose sector starts with `sector` (both
    compared without diacritics) and that come from document `doc`."""
    out = rows
    if agency:
        out = [r for r in out if fold(agency) in fold(r.agency)]
    if sector:
        out = [r for r in out if fold(r.sector).startswith(fold(sector)) or fold(sector) in fold(r.sector)]
    if doc:
        out = [r for r in out if r.doc_id == doc]
    return out
