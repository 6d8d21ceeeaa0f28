"""What follows the body of a document: recipients, signature, annexes, appended documents.

Pure functions on cleaned lines. Real decisions put their substance after the signature:
"PHỤ LỤC 1 DANH MỤC THỦ TỤC HÀNH CHÍNH ... (Kèm theo Quyết định số ...)", "QUY TRÌNH ...",
"Mẫu số 01"; a file may also hold a second document with its own letterhead (a submission
followed by the plan it submits). The recipients and signer are read as such; everything
after them is handed back to be parsed with its own structure.
"""
from __future__ import annotations

import re


RECIPIENTS = re.compile(r"^Nơi nhận\s*:?", re.IGNORECASE)
BULLET = re.compile(r"^[-–•+]\s*(.*)$")
SIGNATURE_WORDS = re.compile(r"^(TM\.|KT\.|Q\.|TL\.|TUQ\.|CHỦ TỊCH|PHÓ|BÍ THƯ|TRƯỞNG|GIÁM ĐỐC|THỨ TRƯỞNG|BỘ TRƯỞNG|"
                             r"THỦ TƯỚNG|\(đã ký\)|Ủ?Y BAN|ỦY BAN|DÂN$)")
ANNEX_TITLE = re.compile(r"^(PHỤ LỤC|Phụ lục|PHỤ BIỂU|Phụ biểu)(?:\s+(?:số\s+)?([IVXLC]+|\d+[a-zA-Z]?)\b)?[.:]?\s*(.*)$")
ANNEX_START = re.compile(r"^(PHỤ LỤC|Phụ lục|PHỤ BIỂU|Phụ biểu|DANH MỤC|QUY TRÌNH|QUY CHẾ|QUY ĐỊNH|Mẫu số|MẪU SỐ|"
                         r"\(?Kèm theo|\(?Ban hành kèm theo|BIỂU MẪU)")
LETTERHEAD_START = re.compile(r"^(CỘNG HÒA XÃ HỘI|ỦY BAN NHÂN DÂN|UBND|HỘI ĐỒNG NHÂN DÂN|BỘ |SỞ |PHÒNG |BAN |"
                              r"TỈNH ĐOÀN|THÀNH ĐOÀN|ĐOÀN TNCS|CHÍNH PHỦ|THỦ TƯỚNG|QUỐC HỘI)")


def is_caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 2 and sum(c.isupper() for c in letters) / len(letters) > 0.8


def starts_letterhead(lines: list[str], i: int) -> bool:
    """A new document's letterhead begins at line i: an issuer or the national motto in
    capitals, with a 'Số:' line soon after."""
    line = lines[i].lstrip("#* ")
    if not (LETTERHEAD_START.match(line) and is_caps(line.split("|")[0])):
        return False
    return any(re.match(r"^\W*Số\s*:", l.lstrip("#* ")) or "| Số" in l or re.search(r"\bSố\s*:", l)
               for l in lines[i:i + 8])


def split_appended(text: str) -> list[str]:
    """Split a file holding several documents at each new letterhead that follows a
    signature block ('Nơi nhận'); a file with one document comes back whole."""
    lines = text.split("\n")
    cuts: list[int] = []
    seen_recipients = False
    for i, line in enumerate(lines):
        bare = line.strip().lstrip("#* ")
        if RECIPIENTS.match(bare):
            seen_recipients = True
        elif seen_recipients and starts_letterhead(lines, i):
            cuts.append(i)
            seen_recipients = False
    if not cuts:
        return [text]
    bounds = [0, *cuts, len(lines)]
    return ["\n".join(lines[a:b]) for a, b in zip(bounds, bounds[1:])]


def split_tail(lines: list[str]) -> tuple[list[str], list[str], str, str, list[str]]:
    """Separate 'Nơi nhận' and the signature block from the body and from what follows them:
    (body lines, recipients, signer, capacity, annex lines)."""
    idx = next((i for i, l in enumerate(lines) if RECIPIENTS.match(l)), None)
    if idx is None:
        return lines, [], "", "", []
    recipients, capacity, signer = [], [], ""
    first = RECIPIENTS.sub("", lines[idx]).strip(" -")
    if first:
        recipients.append(first)
    annex_at = len(lines)
    for j in range(idx + 1, len(lines)):
        line = lines[j]
        if not line:
            continue
        if ANNEX_START.match(line) or starts_letterhead(lines, j) or \
                (signer and (is_caps(line) or len(line.split()) > 6 or re.match(r"^([IVXL]+|\d+)\.", line))):
            annex_at = j
            break
        if BULLET.match(line):
            recipients.append(BULLET.match(line).group(1).strip(" ;.,"))
        elif SIGNATURE_WORDS.match(line) or is_caps(line) and len(line.split()) <= 12:
            capacity.append(line)
        elif line.startswith("("):
            continue  # "(đã ký)", "(Ký, ghi rõ họ tên)": signature layout
        elif len(line.split()) <= 6:
            if signer:
                capacity.append(signer)  # "Phó Thủ tướng" above the name
            signer = line
        else:
            annex_at = j
            break
    return lines[:idx], recipients, signer, " ".join(capacity), lines[annex_at:]


def annex_blocks(lines: list[str]) -> list[tuple[str, list[str], list[str]]]:
    """Cut annex lines into annexes: (root heading, title lines, body lines).

    'PHỤ LỤC 2' opens an annex whose citation root is 'Phụ lục 2'; its title lines (in
    capitals, and the '(Kèm theo Quyết định số ...)' line) are kept as its first paragraph.
    An annex without that heading ('DANH MỤC ...', 'Mẫu số 01') is rooted at its first line.
    """
    blocks: list[tuple[str, list[str], list[str]]] = []
    for line in lines:
        if not line:
            if blocks:
                blocks[-1][2].append(line)
            continue
        m = ANNEX_TITLE.match(line)
        if m and (m.group(2) or not m.group(3)) and len(line.split()) <= 40 and \
                (is_caps(line) or len(line.split()) <= 4):
            root = f"Phụ lục {m.group(2)}".strip() if m.group(2) else "Phụ lục"
            blocks.append((root, [m.group(3)] if m.group(3) else [], []))
            continue
        if not blocks:
            words = line.split()
            root = " ".join(words[:12]) + ("…" if len(words) > 12 else "")
            blocks.append((root, [line] if len(words) > 12 else [], []))
            continue
        root, title, body = blocks[-1]
        open_paren = sum(t.count("(") - t.count(")") for t in title) > 0  # "(Kèm theo ... tỉnh" wrapped in a PDF
        if not body and (open_paren or is_caps(line) or re.match(r"^\(?\s*(Ban hành )?[Kk]èm theo", line)) \
                and not re.match(r"^([IVXL]+|\d+)\.", line):
            title.append(line)
        else:
            body.append(line)
    return blocks
