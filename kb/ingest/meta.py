"""A document's metadata from its own text: type, number, date, issuer, locality, title.

Pure functions over the paragraphs before the first heading. Two forms are read: a
letterhead (issuer lines in capitals, 'Số: ...', place and date, the type line and the title
under it) and a single title line above the articles ('THÔNG TƯ 28/2019/TT-BLĐTBXH HƯỚNG
DẪN ...', 'BỘ LUẬT HÌNH SỰ 2015 (TRÍCH) – ...'). A text with neither (codified copies hold
articles only) gets no title: the ingest summary asks for a catalog entry instead.
"""
from __future__ import annotations

import re
from dataclasses import replace

from kb.records import DocMeta
from kb.text import fold, squash

# longest first: "THÔNG TƯ LIÊN TỊCH" before "THÔNG TƯ", "BỘ LUẬT" before "LUẬT"
DOC_TYPES = ("THÔNG TƯ LIÊN TỊCH", "KẾ HOẠCH", "TỜ TRÌNH", "CÔNG VĂN", "QUYẾT ĐỊNH", "BỘ LUẬT", "LUẬT",
             "NGHỊ ĐỊNH", "NGHỊ QUYẾT", "THÔNG TƯ", "CHỈ THỊ", "CÔNG ĐIỆN", "HƯỚNG DẪN", "BÁO CÁO", "THÔNG BÁO")
NATIONAL = re.compile(r"^(chinh phu|thu tuong|quoc hoi|bo |uy ban thuong vu quoc hoi|chu tich nuoc)")
PLACE = re.compile(r"\b(TỈNH|THÀNH PHỐ|HUYỆN|QUẬN|THỊ XÃ|XÃ(?!\s+HỘI)|PHƯỜNG)\s+(.+)$")
MOTTO = re.compile(r"cong hoa xa hoi|chu nghia viet nam|doc lap\W+tu do")
BODY_START = re.compile(r"^(Chương|CHƯƠNG|Điều \d|[IVX]+\.|\d+\.|Căn cứ|Thực hiện|Kính gửi)")
NUMBER = re.compile(r"Số\s*:\s*(\d*)\s*(/[^\s,|]+(?:\s[A-ZĐ]{2,}\b)?)")
DATE = re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})")
TITLE_NUMBER = re.compile(r"\s*(?:số\s+)?(\d+/\d{4}/[A-ZĐ][A-ZĐ0-9-]+|\d{4}\b)\s*", re.IGNORECASE)
ABBREV = (("ủy ban nhân dân", "UBND"), ("hội đồng nhân dân", "HĐND"), ("thành phố", "TP."))


def is_caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 2 and sum(c.isupper() for c in letters) / len(letters) > 0.8


def proper(name: str) -> str:
    """'HỒ CHÍ MINH' -> 'Hồ Chí Minh'."""
    return " ".join(w[:1].upper() + w[1:].lower() for w in name.split())


def sentence(text: str, names: tuple[str, ...] = ()) -> str:
    """A title in capitals in sentence case, place names kept capitalised."""
    if not is_caps(text):
        return text
    out = text.lower()
    for name in names:
        if name:
            out = re.sub(re.escape(name.lower()), name, out)
    return out


def letterhead(head: list[str]) -> tuple[str, str]:
    """(issuer, locality) from the capital lines above 'Số:' (the motto aside)."""
    lines = []
    for p in head[:10]:
        if p.startswith("Số") or DATE.search(p) or BODY_START.match(p):
            break
        p = p.strip(" -_")
        if is_caps(p) and not MOTTO.search(fold(p)) and not any(p.upper().startswith(t) for t in DOC_TYPES):
            lines.append(p)
    if not lines:
        return "", ""
    if NATIONAL.match(fold(lines[0])):
        return proper(lines[0]).replace("Chính Phủ", "Chính phủ").replace("Thủ Tướng", "Thủ tướng"), "Toàn quốc"
    place_line = next((l for l in lines if PLACE.search(l)), "")
    place = PLACE.search(place_line) if place_line else None
    locality = proper(place.group(2)) if place else ""
    if len(lines) > 1 and not PLACE.search(lines[-1]):  # "PHÒNG VĂN HÓA - XÃ HỘI" under its district
        unit = re.sub(r"(^|\s-\s)(\w)", lambda m: m.group(1) + m.group(2).upper(), lines[-1].lower())
        unit = unit[:1].upper() + unit[1:]
        parts = unit.split(" ", 1)
        issuer = parts[0] + (" " + parts[1][:1].upper() + parts[1][1:] if len(parts) > 1 else "")
        if place:
            issuer = f"{issuer} {place.group(1).lower()} {locality}"
        return squash(issuer), locality
    issuer = " ".join(lines).lower()
    for long, short in ABBREV:
        issuer = issuer.replace(long, short)
    if locality:
        issuer = issuer.replace(locality.lower(), locality)
    issuer = issuer[:1].upper() + issuer[1:]
    return squash(issuer), locality


def title_line(head: list[str]) -> tuple[str, str, str]:
    """(type, number, title) from a bare type line and the line under it, or from one title
    line in capitals that starts with the type; empty strings when there is none."""
    for i, p in enumerate(head[:14]):
        bare = p.upper().strip(" :")
        t = next((t for t in DOC_TYPES if bare == t or (p.startswith(t + " ") and is_caps(p[:40]))), None)
        if not t:
            continue
        rest = p[len(t):].strip(" :–-")
        number = ""
        if rest and (m := TITLE_NUMBER.match(rest)):
            number = m.group(1) if "/" in m.group(1) else ""
            rest = rest[m.end():].strip(" :–-") if number or (rest[m.end():].strip().startswith("(")) else rest
        if not rest and i + 1 < len(head) and not head[i + 1].startswith(("Căn cứ", "Thực hiện", "Kính gửi")):
            rest = head[i + 1]
        return t.capitalize(), number, rest
    return "", "", ""


def fill_meta(meta: DocMeta, head: list[str], lines: list[str] = ()) -> DocMeta:
    """Fill the fields the catalog left empty from the paragraphs before the first heading
    (`lines`: the same text line by line, where the letterhead's lines are still apart)."""
    changes: dict[str, str] = {}
    if not meta.number and (m := next((m for p in head[:12] if (m := NUMBER.search(p))), None)):
        changes["number"] = re.sub(r"\s+", "", m.group(1) + m.group(2))
    if not meta.date and (m := next((m for p in head[:12] if (m := DATE.search(p))), None)):
        d, mo, y = m.groups()
        changes["date"] = f"{y}-{int(mo):02d}-{int(d):02d}"
    issuer, locality = letterhead([l for l in lines if l] or head)
    if not meta.issuer and issuer:
        changes["issuer"] = issuer
    if not meta.locality and locality:
        changes["locality"] = locality
    kind, number, title = title_line(head)
    if kind and not meta.type:
        changes["type"] = kind
    if number and not meta.number and "number" not in changes:
        changes["number"] = number
    if title and (not meta.title or meta.title == meta.id):
        body = sentence(title, (locality or meta.locality, "Việt Nam"))
        changes["title"] = squash(f"{kind or meta.type} {body[:1].lower() + body[1:]}")
    if not meta.aliases:  # a file the catalog does not list: questions naming its place or number find it
        place = changes.get("locality", meta.locality)
        number = changes.get("number", meta.number)
        changes["aliases"] = tuple(a for a in (place if place != "Toàn quốc" else "",
                                               number if re.search(r"\d", number) else "") if a)
    return replace(meta, **changes)
