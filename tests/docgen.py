"""Build PDF and DOCX test documents from corpus and fixture text (fpdf2 with a Unicode TTF, python-docx)."""
from __future__ import annotations

from pathlib import Path

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
FIXTURES = Path(__file__).parent / "fixtures"


def law_lines(first: int, last: int) -> list[str]:
    """Lines of the Law on Children from 'Điều first.' up to (not including) 'Điều last+1.'."""
    from .conftest import CORPUS

    lines = (CORPUS / "luat-tre-em-2016.txt").read_text(encoding="utf-8").splitlines()
    a = next(i for i, l in enumerate(lines) if l.startswith(f"Điều {first}."))
    b = next(i for i, l in enumerate(lines) if l.startswith(f"Điều {last + 1}."))
    return [l for l in lines[a:b] if l.strip()]


def make_pdf(path: Path, pages: list[list[str]], header: str = "", numbered: bool = True) -> Path:
    """One PDF page per list of paragraphs; fpdf2 wraps long lines (hard wraps in the text
    layer). `header` is printed atop every page; the footer says 'Trang n/N'."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(False)
    pdf.add_font("DejaVu", fname=str(FONT))
    for n, paragraphs in enumerate(pages, 1):
        pdf.add_page()
        pdf.set_font("DejaVu", size=9)
        if header:
            pdf.cell(0, 6, header, align="C", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(4)
        pdf.set_font("DejaVu", size=11)
        for para in paragraphs:
            pdf.multi_cell(0, 6, para, new_x="LMARGIN", new_y="NEXT")
        if numbered:
            pdf.set_y(-15)
            pdf.set_font("DejaVu", size=9)
            pdf.cell(0, 6, f"Trang {n}/{len(pages)}", align="C")
    pdf.output(str(path))
    return path


def make_scanned_pdf(path: Path) -> Path:
    """A 'scan': pages holding only an image, no text layer."""
    from fpdf import FPDF
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (600, 300), "white")
    ImageDraw.Draw(image).text((20, 20), "KE HOACH 12/KH-UBND", fill="black")
    pdf = FPDF()
    for _ in range(2):
        pdf.add_page()
        pdf.image(image, x=10, y=10, w=180)
    pdf.output(str(path))
    return path


def make_docx(path: Path, blocks: list[tuple[str, str]]) -> Path:
    """blocks: (kind, text) with kind 'title', 'heading', 'para', 'number' (Word's automatic
    '1.' list), 'letter' (automatic 'a)' list under it), 'bullet', or 'row' (cells split by '|')."""
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    document = docx.Document()
    numbering = document.part.numbering_part.element
    abstract = OxmlElement("w:abstractNum")
    abstract.set(qn("w:abstractNumId"), "90")
    for ilvl, (fmt, text) in enumerate([("decimal", "%1."), ("lowerLetter", "%2)")]):
        lvl = OxmlElement("w:lvl")
        lvl.set(qn("w:ilvl"), str(ilvl))
        for tag, val in (("w:start", "1"), ("w:numFmt", fmt), ("w:lvlText", text)):
            el = OxmlElement(tag)
            el.set(qn("w:val"), val)
            lvl.append(el)
        abstract.append(lvl)
    numbering.insert(0, abstract)
    lists = []

    def new_list() -> str:
        """Word's 'restart numbering': a new list instance of the same list definition."""
        num = OxmlElement("w:num")
        num.set(qn("w:numId"), str(90 + len(lists)))
        ref = OxmlElement("w:abstractNumId")
        ref.set(qn("w:val"), "90")
        num.append(ref)
        numbering.append(num)
        lists.append(num.get(qn("w:numId")))
        return lists[-1]

    current = new_list()

    def numbered(text: str, level: int):
        p = document.add_paragraph(text)
        pr = p._p.get_or_add_pPr()
        numpr = OxmlElement("w:numPr")
        for tag, val in (("w:ilvl", str(level)), ("w:numId", current)):
            el = OxmlElement(tag)
            el.set(qn("w:val"), val)
            numpr.append(el)
        pr.append(numpr)

    table = None
    for kind, text in blocks:
        if kind == "title":
            document.add_heading(text, level=0)
        elif kind == "heading":
            document.add_heading(text, level=1)
            current = new_list()
        elif kind == "number":
            numbered(text, 0)
        elif kind == "letter":
            numbered(text, 1)
        elif kind == "bullet":
            document.add_paragraph(text, style="List Bullet")
        elif kind == "row":
            cells = text.split("|")
            table = table or document.add_table(rows=0, cols=len(cells))
            for cell, value in zip(table.add_row().cells, cells):
                cell.text = value.strip()
        else:
            table = None
            document.add_paragraph(text)
    document.save(str(path))
    return path


BOLD = FONT.with_name("DejaVuSans-Bold.ttf")
STEP_COLUMNS = (12, 50, 50, 24, 44)  # mm: Bước | Nội dung công việc | Trách nhiệm | Thời gian | Biểu mẫu/Kết quả


def _letterhead_pdf(pdf, rows: list[list[str]]):
    """A letterhead as Word lays it out: a borderless two-column table, centred cells."""
    with pdf.table(col_widths=(80, 110), first_row_as_headings=False, borders_layout="NONE",
                   text_align="CENTER", line_height=6) as table:
        for cells in rows:
            row = table.row()
            for cell in cells:
                row.cell(cell)
    pdf.ln(4)


def _table_pdf(pdf, rows: list[list[str]], widths, ruled: bool = True, repeat: bool = True, total: str = ""):
    """A content table: header row in bold, wrapped cells; `ruled=False` draws no lines and
    top-aligns the cells (columns only aligned); `total` adds a merged 'Tổng thời gian' row."""
    from fpdf.fonts import FontFace

    pdf.set_font("DejaVu", size=9)
    with pdf.table(col_widths=widths, width=sum(widths), line_height=5, text_align="LEFT",
                   borders_layout="ALL" if ruled else "NONE", v_align="MIDDLE" if ruled else "TOP",
                   headings_style=FontFace(emphasis="BOLD"), repeat_headings=1 if repeat else 0,
                   padding=1.5) as table:
        for cells in rows:
            row = table.row()
            for cell in cells:
                row.cell(cell)
        if total:
            row = table.row()
            row.cell("Tổng thời gian", colspan=3)
            row.cell(total, colspan=len(widths) - 3)
    pdf.set_font("DejaVu", size=11)
    pdf.ln(3)


def _pdf(numbered: bool = True):
    from fpdf import FPDF

    class Pdf(FPDF):
        def footer(self):
            if numbered:
                self.set_y(-15)
                self.set_font("DejaVu", size=9)
                self.cell(0, 6, f"Trang {self.page_no()}", align="C")
                self.set_font("DejaVu", size=11)

    pdf = Pdf(format="A4")
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_font("DejaVu", fname=str(FONT))
    pdf.add_font("DejaVu", style="B", fname=str(BOLD))
    pdf.set_font("DejaVu", size=11)
    return pdf


def _blocks(lines: list[str]) -> list[tuple[str, object]]:
    """Lines of a txt fixture as ('letterhead', rows), ('table', rows) and ('para', text) blocks."""
    from kb.ingest.tables import RULE_ROW, cells, is_row

    out: list[tuple[str, object]] = []
    for line in lines:
        if RULE_ROW.match(line):
            continue
        if is_row(line):
            kind = "letterhead" if "CỘNG HÒA" in line or (out and out[-1][0] == "letterhead" and
                                                         not line.startswith("|")) else "table"
            if out and out[-1][0] == kind:
                out[-1][1].append(cells(line))
            else:
                out.append((kind, [cells(line)]))
        elif line.strip():
            out.append(("para", line.strip()))
    return out


def make_decision_pdf(path: Path, repeat: bool = True) -> Path:
    """The decision with its annexes (tests/fixtures/thu-nghiem-qd-tthc-tre-em.txt) as a PDF
    from Word: letterhead, articles, signature, then each annex on a new page with drawn
    tables; each procedure's step table ends with a merged 'Tổng thời gian' row, and the last
    one (pages 4-5) breaks onto the next page after its first step, its header repeated or not."""
    pdf = _pdf()
    pdf.add_page()
    total = ""
    blocks = _blocks((FIXTURES / "thu-nghiem-qd-tthc-tre-em.txt").read_text(encoding="utf-8").splitlines())
    for n, (kind, value) in enumerate(blocks):
        if kind == "letterhead":
            _letterhead_pdf(pdf, value)
        elif kind == "table":
            last = not any(k == "table" for k, _ in blocks[n + 1:])
            if last:  # room for the header and one step above the bottom margin
                pdf.set_y(pdf.h - 20 - 40)
            _table_pdf(pdf, value, STEP_COLUMNS if len(value[0]) == 5 else (12, 24, 104, 50),
                       repeat=repeat, total=total)
            total = ""
        else:
            if value.startswith("PHỤ LỤC"):
                pdf.add_page()
            if value.startswith("Tổng thời gian giải quyết:"):
                total = value.split(":", 1)[1].split(" kể từ")[0].strip()
            pdf.multi_cell(0, 6, value, new_x="LMARGIN", new_y="NEXT",
                           align="C" if value.isupper() or value.startswith("(Kèm") else "J")
    pdf.output(str(path))
    return path


def make_plan_pdf(path: Path, ruled: bool = True) -> Path:
    """The district plan (second document of tests/fixtures/thu-nghiem-ttr-va-kh-2025.txt) as a
    PDF whose task table has the columns STT | Nội dung nhiệm vụ | Cơ quan chủ trì | Cơ quan
    phối hợp | Thời gian thực hiện, drawn with ruling lines or as aligned columns only."""
    lines = (FIXTURES / "thu-nghiem-ttr-va-kh-2025.txt").read_text(encoding="utf-8").splitlines()
    start = max(i for i, l in enumerate(lines) if "CỘNG HÒA" in l)
    pdf = _pdf()
    pdf.add_page()
    for kind, value in _blocks(lines[start:]):
        if kind == "letterhead":
            _letterhead_pdf(pdf, value)
        elif kind == "table":
            value[0] = ["STT", "Nội dung nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian thực hiện"]
            _table_pdf(pdf, value, (12, 62, 40, 46, 30), ruled=ruled)
        else:
            pdf.multi_cell(0, 6, value, new_x="LMARGIN", new_y="NEXT", align="C" if value.isupper() else "J")
    pdf.output(str(path))
    return path


def make_styled_pdf(path: Path, articles: list[str]) -> Path:
    """A page with no table in it, laid out the way offices do: a two-column letterhead,
    article titles in bold inside justified paragraphs, an italic note, and the recipients
    beside the signature (both borderless two-column tables in Word)."""
    pdf = _pdf()
    pdf.add_font("DejaVu", style="I", fname=str(FONT.with_name("DejaVuSans-Oblique.ttf")))
    pdf.add_page()
    _letterhead_pdf(pdf, [["ỦY BAN NHÂN DÂN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
                          ["HUYỆN THỬ NGHIỆM", "Độc lập - Tự do - Hạnh phúc"],
                          ["Số: 12/QĐ-UBND", "Thử Nghiệm, ngày 05 tháng 3 năm 2024"]])
    pdf.multi_cell(0, 6, "QUYẾT ĐỊNH", align="C", new_x="LMARGIN", new_y="NEXT")
    for article in articles:
        head, _, body = article.partition(". ")
        pdf.multi_cell(0, 6, f"**{head}.** {body} __(được sửa đổi)__", markdown=True, align="J",
                       new_x="LMARGIN", new_y="NEXT")
    with pdf.table(col_widths=(95, 95), first_row_as_headings=False, borders_layout="NONE",
                   text_align=("LEFT", "CENTER"), line_height=6) as table:
        for left, right in [("Nơi nhận:", "KT. CHỦ TỊCH"), ("- Như Điều 3;", "PHÓ CHỦ TỊCH"), ("- Lưu: VT.", ""),
                            ("", "Nguyễn Văn A")]:
            row = table.row()
            row.cell(left)
            row.cell(right)
    pdf.output(str(path))
    return path
