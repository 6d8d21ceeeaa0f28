"""Tables in text: pipe rows (txt/md, and DOCX and PDF tables as read by kb.formats) -> passages.

Pure functions. A letterhead laid out as a table ("ỦY BAN NHÂN DÂN ... | CỘNG HÒA XÃ HỘI CHỦ
NGHĨA VIỆT NAM ...") is written out as letterhead lines, one column after the other. A
content table becomes one paragraph per row that carries its column headers ("STT: 1; Mã
TTHC: 1.004946; Tên thủ tục hành chính: ..."), so a row found on its own still says what
each value is; a row with fewer cells than the header (merged cells: "Tổng thời gian | 07
ngày") keeps its cells in order.
"""
from __future__ import annotations

import re

from kb.text import fold, squash

RULE_ROW = re.compile(r"^[\s|:+-]*-{3,}[\s|:+-]*$")  # markdown separator "|---|---|"
LETTERHEAD_CELL = re.compile(r"cong hoa xa hoi|doc lap\W+tu do|^so\s*:")


def cells(line: str) -> list[str]:
    """The cells of a pipe row, outer pipes of markdown tables dropped."""
    s = line.strip()
    if s.startswith("|"):
        s = s[1:]
    if s.endswith("|"):
        s = s[:-1]
    return [squash(c.replace("*", "")) for c in s.split("|")]


def is_row(line: str) -> bool:
    s = line.strip()
    return "|" in s.strip("|") or (s.startswith("|") and s.endswith("|") and len(s) > 2)


def _letterhead(rows: list[list[str]]) -> bool:
    return any(LETTERHEAD_CELL.search(fold(c)) for r in rows for c in r)


def row_text(header: list[str], row: list[str]) -> str:
    """'Mã TTHC: 1.004946; Tên thủ tục: ...' (a cell that already starts with its header,
    like 'Bước 1' under 'Bước', is not labelled twice)."""
    if len(row) != len(header) or not any(header):
        return "; ".join(c for c in row if c)
    parts = []
    for h, c in zip(header, row):
        if not c:
            continue
        parts.append(c if not h or fold(c).startswith(fold(h)) else f"{h}: {c}")
    return "; ".join(parts)


def expand_tables(lines: list[str]) -> tuple[list[str], set[str]]:
    """Replace each block of pipe rows in `lines` by letterhead lines or row paragraphs.

    Returns the new lines and the row paragraphs, which the caller keeps as paragraphs of
    their own (never joined to the text around them).
    """
    placed, rows_made = placed_tables(lines)
    return [line for _, line in placed], rows_made


def placed_tables(lines: list[str]) -> tuple[list[tuple[int, str]], set[str]]:
    """expand_tables, each new line with the index of the line of `lines` it comes from (a
    PDF passage made of rows is found again on its page by these)."""
    out: list[tuple[int, str]] = []
    rows_made: set[str] = set()
    i = 0
    while i < len(lines):
        if not is_row(lines[i]):
            out.append((i, lines[i]))
            i += 1
            continue
        j = i
        block: list[tuple[int, list[str]]] = []
        while j < len(lines) and (is_row(lines[j]) or RULE_ROW.match(lines[j])):
            if not RULE_ROW.match(lines[j]):
                block.append((j, cells(lines[j])))
            j += 1
        rows = [r for _, r in block]
        if _letterhead(rows) or len(rows) == 1 and len(rows[0]) == 2 and i < 15:
            width = max(len(r) for r in rows)
            for col in range(width):  # column by column: issuer and number, then motto and date
                out.extend((at, r[col]) for at, r in block if col < len(r) and r[col])
            out.append((block[-1][0], ""))  # the letterhead ends here, whatever follows it closely
        elif len(rows) == 1:
            text = row_text([], rows[0])
            out.append((i, text))
            rows_made.add(text)
        else:
            header = rows[0]  # its words are in every row below it
            for at, r in block[1:]:
                if r == header:
                    continue  # the header repeated atop the next page of a PDF table
                text = row_text(header, r)
                if text:
                    out.append((at, text))
                    rows_made.add(text)
        i = j
    return out, rows_made


FIELD_SPLIT = re.compile(r";\s+(?=[^;:]{1,40}:\s)")
TASK = ("noi dung cong viec", "noi dung nhiem vu", "noi dung", "nhiem vu", "ten nhiem vu")
LEAD = ("co quan chu tri", "don vi chu tri", "chu tri", "trach nhiem", "co quan thuc hien", "don vi thuc hien")
PARTNER = ("co quan phoi hop", "don vi phoi hop", "phoi hop")
TIME = ("thoi gian", "thoi gian thuc hien", "thoi han", "thoi gian hoan thanh")


def row_fields(line: str) -> dict[str, str]:
    """The cells of a row passage by folded header ('Cơ quan chủ trì: X; Thời gian: Y' ->
    {'co quan chu tri': 'X', 'thoi gian': 'Y'}); {} for a line that is not such a row."""
    parts = FIELD_SPLIT.split(line.strip())
    fields = {}
    for p in parts:
        head, colon, value = p.partition(":")
        if colon and len(head) <= 40:
            fields[fold(head).strip()] = value.strip()
    return fields if len(fields) >= 2 else {}


def row_task(fields: dict[str, str]) -> tuple[str, str, list[str], str]:
    """(task, lead agency, partner agencies, time) of a task or procedure-step row."""
    get = lambda names: next((fields[n] for n in names if fields.get(n)), "")  # noqa: E731
    partners = [p.strip() for p in re.split(r";\s*", get(PARTNER)) if p.strip()]
    return get(TASK), get(LEAD), partners, get(TIME)
