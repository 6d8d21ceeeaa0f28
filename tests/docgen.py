"""Build PDF and DOCX test documents from corpus text (fpdf2 with a Unicode TTF, python-docx)."""
from __future__ import annotations

from pathlib import Path

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


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
