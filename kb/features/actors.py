"""Who a sentence of a plan, letter, law or decree obliges: the subject that opens it (after a
leading clause such as "Trong thời hạn 05 ngày làm việc, ..."), split into the bodies it names,
and the canonical sector of each. Pure; used by the responsibility matrix and the deadlines."""
from __future__ import annotations

import re

from kb.text import fold

# Words that open the name of an actor (compared without diacritics). Verbs that share a first
# syllable with a noun ("Ban hành", "Phòng ngừa", "Bố trí", "Tổ chức phổ biến") are excluded.
HEAD = re.compile(
    r"^(?:de nghi\s+|giao\s+)?(?:cac\s+|moi\s+|toan\s+)?"
    r"(?:uy ban|ubnd|chu tich|hoi dong|hoi(?! thi| dien| thao| nghi)|dai bieu|quoc hoi|chinh phu|thu tuong|toa an|vien kiem sat|"
    r"bo(?! tri| sung| xung| sung)\b|so\b|phong(?! ngua|,? chong| tranh)\b|ban(?! hanh)\b|cong an|co quan|"
    r"co so (?:kham|giao duc|cung cap|tro giup)|trung tam|trung uong|tong dai|tinh doan|huyen doan|thanh doan|"
    r"doan(?! the)\b|nha thieu nhi|nha truong|mat tran|to chuc(?: kinh te| xa hoi| chinh tri| thanh vien| dai dien|,|$)|"
    r"cha\b|giao vien|nguoi (?:lam cong tac|cham soc|giam ho|dung dau|hanh nghe|su dung lao dong|nhan cham soc|dai dien)|"
    r"phu nu mang thai|thanh vien|gia dinh|ca nhan|don vi|noi tiep nhan|can bo|thu truong|lanh dao)")
# What follows the subject: an obligation, or the verb of the duty itself.
VERB = re.compile(
    r"\s(?:co trach nhiem|chiu trach nhiem|co tham quyen|phai|co quyen va nghia vu|ngoai viec|chu tri|phoi hop|"
    r"thuc hien|tham gia|quyet dinh|ban hanh|tao dieu kien|bao dam|dam bao|ap dung|huong dan|thanh lap|giao nhiem vu|"
    r"xem xet|chi dao|xay dung|truc tiep|bao cao|trien khai|theo chuc nang|can cu vao|neu phat hien|lap du toan|"
    r"phat hien|gui|thuyet minh|cung cap|huy bo|to chuc trien khai|trinh|chu dong|tiep nhan|khai sinh|trau doi|"
    r"guong mau|theo doi|tuyen truyen|tang cuong|lua chon|giu gin|boi thuong|dinh ky|hang nam|hang quy|danh gia|"
    r"ra soat|cap nhat|thong bao|chuyen|tham dinh|quy dinh|thiet lap|lap)\b")
STRONG = re.compile(r"\s(co trach nhiem|chiu trach nhiem|co tham quyen|phai|ngoai viec)\b")
# A clause that opens a sentence before its subject ("Trong thời hạn ..., X ...", "Khi ... thì X ...").
CLAUSE = re.compile(r"^(trong thoi han|trong truong hop|trong qua trinh|sau khi|sau \d+|can cu|tru truong hop|"
                    r"hang nam|hang quy|dinh ky)[^,]*,\s*")
CONDITION = re.compile(r"^(khi|truong hop|neu)\b.*?\sthi\s")
NUMBER = re.compile(r"^\s*(?:\d+(?:\.\d+)*\.?|[a-zđ]\)|[-+•])\s*")
TITLE = re.compile(r"^(?:Nhiệm vụ|Trách nhiệm)(?: của)?\s+", re.I)

# Canonical sectors, most specific first; matched on the folded agency name.
SECTORS = [
    ("Văn hóa, Thể thao và Du lịch", r"van hoa, the thao va du lich"),
    ("Quốc hội, Hội đồng nhân dân", r"quoc hoi|hoi dong nhan dan|hoi dong dan toc"),
    ("Tài chính", r"tai chinh"), ("Du lịch", r"du lich"), ("Ngoại vụ", r"ngoai vu"), ("Dân tộc", r"dan toc"),
    ("Tư pháp", r"tu phap|toa an|vien kiem sat|tro giup phap ly"), ("Công an", r"cong an"),
    ("Y tế", r"\by te\b|kham benh|hanh nghe"),
    ("Đoàn Thanh niên", r"doan thanh nien|tinh doan|thanh doan|huyen doan|doan tncs|can bo doan|\bdoan\b(?! the)|thieu nhi"
                        r"|ban phong trao"),
    ("Giáo dục và Đào tạo", r"giao duc|nha truong|co so giao duc|ban giam hieu|giao vien"),
    ("Lao động - Thương binh và Xã hội", r"lao dong.{0,6}thuong binh|ldtb|ld-tb|tong dai|bao ve tre em cap xa|"
                                         r"co so tro giup xa hoi|cong tac xa hoi|dich vu bao ve tre em"),
    ("Văn hóa - Thông tin", r"van hoa|thong tin va truyen thong|truyen thanh|truyen hinh|the thao|thong tin dai chung"),
    ("Hội Liên hiệp Phụ nữ", r"lien hiep phu nu|hoi phu nu"), ("Mặt trận Tổ quốc", r"mat tran|to chuc chinh tri"),
    ("Tổ chức xã hội", r"to chuc xa hoi|hoi bao ve quyen|cac hoi"),
    ("Tổ chức kinh tế", r"to chuc kinh te|su dung lao dong"),
    ("UBND cấp xã", r"(uy ban nhan dan|ubnd|chu tich).{0,25}(cap xa|xa, phuong|phuong, xa|cac xa|thi tran)"),
    ("UBND cấp huyện", r"(uy ban nhan dan|ubnd).{0,25}(huyen|quan)"),
    ("UBND các cấp", r"uy ban nhan dan|ubnd"),
    ("Gia đình", r"gia dinh|^cha\b|nguoi cham soc|nguoi giam ho|phu nu mang thai"),
    ("Bộ, ngành trung ương", r"^bo\b|co quan ngang bo|chinh phu|thu tuong"),
]


def sector_of(agency: str) -> str:
    folded = fold(agency)
    return next((name for name, rx in SECTORS if re.search(rx, folded)), "Khác")


def is_actor(name: str) -> bool:
    return bool(HEAD.match(fold(name).strip()))


def split_actors(subject: str) -> list[str]:
    """The bodies a subject names: "Cha, mẹ, giáo viên, người chăm sóc trẻ em vàcác thành viên
    trong gia đình" -> ["Cha, mẹ", "giáo viên", "người chăm sóc trẻ em", "các thành viên trong gia
    đình"]. A part that does not open with an actor word belongs to the one before it ("Các phòng,
    ban thuộc UBND", "UBND các xã, phường")."""
    pieces = re.split(r"(,\s*|\s+và\s*(?=\S)|\s+hoặc\s+)", subject.strip())
    out: list[str] = []
    for i in range(0, len(pieces), 2):
        part, sep = pieces[i].strip(), pieces[i - 1] if i else ""
        if not part:
            continue
        bare = out and len(re.sub(r"^(các|mỗi)\s+", "", out[-1], flags=re.I).split()) == 1  # "Các phòng, ban"
        if out and (bare or not is_actor(part)):
            out[-1] = f"{out[-1]}{sep}{part}"
        else:
            out.append(part)
    return out


def trim(name: str) -> str:
    """A name without the circumstances that follow it: "Chủ tịch UBND cấp xã nơi xảy ra vụ việc",
    "người làm công tác bảo vệ trẻ em cấp xã trong quá trình tố tụng, ..."."""
    return re.sub(r"\s+(nơi|nếu|theo|trong (?:thời hạn|phạm vi|quá trình)|căn cứ)\b.*$", "", name).strip(" ,")


def subject_of(sentence: str, strong_only: bool = False) -> tuple[str, str]:
    """(subject, rest) when the sentence opens with the actor it obliges, else ("", sentence)."""
    text = NUMBER.sub("", sentence, count=1).replace("**", "").strip()
    stripped = False
    for _ in range(5):  # leading clauses, one comma at a time ("Căn cứ ..., trong thời hạn ..., X ...")
        folded = fold(text)
        cond = CONDITION.match(folded)
        if cond and re.match(r"phai\b", folded[cond.end():]):  # "Trường hợp X xâm hại trẻ em thì phải ..."
            inner = re.sub(r"^\S+(\s+hợp)?\s+", "", text[:cond.end()])  # drop "Trường hợp" / "Khi" / "Nếu"
            act = re.search(r"\s(xam hai|vi pham|gay|co hanh vi|khong)\b", fold(inner))
            inner = inner[:act.start()].strip() if act and HEAD.match(fold(inner)) else ""
            return (inner, text[cond.end():]) if inner else ("", sentence)
        m = CLAUSE.match(folded) or cond
        if not m and stripped and not HEAD.match(folded) and "," in text[:150]:
            m = re.match(r"^[^,]*,\s*", text)
        if not m:
            break
        text, stripped = text[m.end():].lstrip(), True
    folded = fold(text)
    if folded.startswith("giao "):
        text, folded = text[5:], folded[5:]
    if not HEAD.match(folded):
        return "", sentence
    m = STRONG.search(folded, 3)
    if not strong_only:  # the first verb that is not part of a name ("cơ sở cung cấp dịch vụ")
        weak = next((v for v in VERB.finditer(folded, 3) if not re.search(r"(co so|dich vu|noi|qua)$", folded[:v.start()])), None)
        m = weak if weak and (not m or weak.start() < m.start()) else m
    if not m or m.start() > 220 or ":" in text[:m.start()] or re.search(r"\s(duoc|la)\b", folded[:m.start()]):
        return "", sentence
    subject = text[:m.start()].strip(" ,")
    subject = trim(subject)
    if re.search(r"\s(trong|qua|de|duoc|cua|va|noi|neu|ve|voi|cho)$", fold(subject)):
        return "", sentence  # a name does not end on "và", "để", "về": the verb was missed
    return subject[0].upper() + subject[1:], text[m.start():].strip()


def from_title(title: str) -> list[str]:
    """Actors named by an article or heading: "Điều 81. Tòa án nhân dân, Viện kiểm sát nhân dân",
    "Điều 22. Nhiệm vụ của Tổng đài điện thoại quốc gia bảo vệ trẻ em"."""
    name = re.sub(r"^(Điều \d+\.|[\dIVX.]+)\s*", "", title.split(", khoản")[0]).strip()
    name = trim(TITLE.sub("", name))
    if not name or len(name.split()) > 16 or not is_actor(name):
        return []
    return split_actors(name)


# English names of bodies, for answers in English: the kind of body, its field and its level,
# read from the folded Vietnamese name (a parser of the name, not a list of names).
EN_FIELDS = [
    (r"lao dong.{0,6}thuong binh(?: va xa hoi)?|ldtbxh|ld-tbxh", "Labour, Invalids and Social Affairs"),
    (r"giao duc (?:va|-) dao tao|giao duc", "Education and Training"),
    (r"van hoa.{0,3} the thao.{0,5}du lich", "Culture, Sports and Tourism"),
    (r"van hoa.{0,5}thong tin", "Culture and Information"), (r"thong tin va truyen thong", "Information and Communications"),
    (r"ke hoach va dau tu", "Planning and Investment"), (r"tai nguyen va moi truong", "Natural Resources and Environment"),
    (r"khoa hoc va cong nghe", "Science and Technology"), (r"giao thong van tai", "Transport"),
    (r"nong nghiep", "Agriculture and Rural Development"), (r"cong thuong", "Industry and Trade"),
    (r"\by te\b", "Health"), (r"tu phap", "Justice"), (r"tai chinh", "Finance"), (r"noi vu", "Home Affairs"),
    (r"ngoai vu", "Foreign Affairs"), (r"dan toc", "Ethnic Affairs"), (r"du lich", "Tourism"), (r"xay dung", "Construction"),
    (r"van hoa", "Culture"),
]
EN_LEVELS = [(r"cac cap", ""), (r"cap xa|\bxa\b(?! hoi)|phuong|thi tran", "Commune"),
             (r"cap huyen|huyen|quan\b|thi xa", "District"), (r"cap tinh|\btinh\b", "Provincial"),
             (r"thanh pho|\btp\b", "City")]
EN_BODIES = [  # (folded pattern, English; "{field}" and "{level}" filled in)
    (r"^(?:cac\s+)?so\b", "Department of {field}"), (r"^(?:cac\s+)?phong\b", "{level} Office of {field}"),
    (r"^(?:cac\s+)?bo\b", "Ministry of {field}"),
    (r"^chu tich (?:uy ban nhan dan|ubnd)", "Chairperson of the {level} People's Committee"),
    (r"^(?:cac\s+)?(?:uy ban nhan dan|ubnd)", "{level} People's Committee"),
    (r"^(?:cac\s+)?hoi dong nhan dan", "{level} People's Council"),
    (r"^(?:cac\s+)?cong an|co quan cong an", "{level} Police"), (r"toa an nhan dan", "{level} People's Court"),
    (r"vien kiem sat nhan dan", "{level} People's Procuracy"),
    (r"tong dai dien thoai quoc gia bao ve tre em|tong dai 111", "National Child Protection Hotline (111)"),
    (r"tinh doan", "Provincial Youth Union"), (r"thanh doan", "City Youth Union"), (r"huyen doan", "District Youth Union"),
    (r"doan thanh nien|^doan\b", "{level} Youth Union"), (r"lien hiep phu nu|hoi phu nu", "{level} Women's Union"),
    (r"mat tran to quoc", "{level} Fatherland Front"),
    (r"nguoi lam cong tac bao ve tre em", "{level} child protection officer"),
    (r"co so tro giup xa hoi", "social assistance facility"), (r"co so giao duc|nha truong", "school"),
    (r"co quan lao dong", "{level} labour and social affairs agency"),
    (r"^(?:cac\s+)?trung tam y te", "{level} Health Centre"), (r"^giao vien", "teachers"),
]


def english_name(agency: str) -> str:
    """"Sở Lao động - Thương binh và Xã hội" -> "Department of Labour, Invalids and Social
    Affairs"; "Chủ tịch UBND cấp xã" -> "Chairperson of the Commune People's Committee"; ""
    when the kind of body (or the field a department needs) is not known."""
    folded = fold(agency).strip()
    field = next((en for rx, en in EN_FIELDS if re.search(rx, folded)), "")
    level = next((en for rx, en in EN_LEVELS if re.search(rx, folded)), "")
    for rx, en in EN_BODIES:
        if re.search(rx, folded):
            if "{field}" in en and not field:
                return ""
            name = " ".join(en.format(field=field, level=level).split())
            name += " at all levels" if re.search(r"cac cap", folded) else ""
            return name[0].upper() + name[1:]
    return ""
