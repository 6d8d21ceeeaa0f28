"""Typed records that flow through the pipeline: Document -> Section -> Chunk -> Hit -> Answer."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class DocMeta:
    """What a citation says about a document: who issued what, numbered how, and when."""

    id: str
    title: str
    type: str = ""
    number: str = ""
    date: str = ""  # ISO date (YYYY-MM-DD), a bare year, or "" when the text has none
    issuer: str = ""
    locality: str = ""
    period: str = ""
    source: str = ""  # file path the text came from
    aliases: tuple[str, ...] = ()
    signer: str = ""
    signer_title: str = ""
    in_force: str = ""  # ISO date the document took effect ("" when not recorded)
    replaced_by: str = ""  # the document that replaced it, as people name it ("Luật 53/2024/QH15")
    replaced_from: str = ""  # ISO date from which it is replaced

    @property
    def validity(self) -> str:
        """'đã được thay thế bởi Luật 53/2024/QH15 từ 01/07/2025' for a replaced document, else ''."""
        if not self.replaced_by:
            return ""
        when = "/".join(reversed(self.replaced_from.split("-"))) if self.replaced_from else ""
        return f"đã được thay thế bởi {self.replaced_by}" + (f" từ {when}" if when else "")

    @property
    def display_date(self) -> str:
        parts = self.date.split("-")
        return "/".join(reversed(parts)) if len(parts) == 3 else self.date

    @property
    def label(self) -> str:
        """Short human label: 'Kế hoạch 48/KH-UBND (28/02/2025)', 'Luật Trẻ em 102/2016/QH13 (05/04/2016)',
        'Kế hoạch của UBND huyện Tuần Giáo (14/09/2021)' for a document without a number."""
        if any(ch.isdigit() for ch in self.number):
            head = f"{self.title} {self.number}" if len(self.title.split()) <= 5 else f"{self.type} {self.number}"
        elif self.type and self.issuer:
            head = f"{self.type} của {self.issuer}"
        else:
            head = self.title or self.source.replace("\\", "/").rsplit("/", 1)[-1] or self.id  # never an invented title
        return f"{head} ({self.display_date})" if self.date else head


@dataclass(frozen=True)
class Section:
    """A run of paragraphs under one heading path; never spans two headings."""

    path: tuple[str, ...]  # heading titles from the top, e.g. ("IV. TỔ CHỨC THỰC HIỆN", "2. Phòng Tư pháp")
    paragraphs: tuple[str, ...]
    agency: str = ""  # the agency a duty section is addressed to, if any
    kind: str = "body"  # body | preamble | signature

    @property
    def path_text(self) -> str:
        return " > ".join(self.path)


@dataclass(frozen=True)
class Document:
    meta: DocMeta
    sections: tuple[Section, ...]
    recipients: tuple[str, ...] = ()


@dataclass(frozen=True)
class Chunk:
    """A passage small enough to embed, with the context needed to cite it."""

    id: str
    doc_id: str
    section: str  # section path text, with a khoản range for law articles
    text: str  # the raw passage, quoted verbatim in citations
    header: str  # document label + section path, prepended for embedding and lexical match
    agency: str = ""
    position: int = 0  # order within the document
    page: str = ""  # PDF page(s) the passage is printed on: "3" or "3-4"; "" for other formats
    ocr_confidence: float | None = None  # read by OCR from a scan: the page's mean word confidence (0-100)

    @property
    def embed_text(self) -> str:
        return f"{self.header}\n{self.text}"

    @property
    def where(self) -> str:
        """Section path, with the page for PDFs: 'Điều 25. ..., tr. 12'."""
        return f"{self.section}, tr. {self.page}" if self.page else self.section

    @property
    def article(self) -> tuple[str, str]:
        """(document, section without its khoản range): shared by the passages a section was cut into."""
        return self.doc_id, self.section.split(", khoản")[0]


@dataclass(frozen=True)
class Hit:
    chunk: Chunk
    score: float
    dense_rank: int | None = None
    lexical_rank: int | None = None


@dataclass(frozen=True)
class Citation:
    doc_id: str
    title: str
    number: str
    date: str
    section: str
    text: str
    score: float
    chunk_id: str = ""  # links the citation to its passage in the document view
    page: str = ""  # PDF page(s), "" for other formats
    ocr_confidence: float | None = None  # the passage was read from a scan by OCR, this sure (0-100)
    validity: str = ""  # "đã được thay thế bởi ..." when the document was replaced

    @property
    def where(self) -> str:
        return f"{self.section}, tr. {self.page}" if self.page else self.section

    def to_dict(self) -> dict:
        return {"doc_id": self.doc_id, "title": self.title, "number": self.number,
                "date": self.date, "section": self.section, "page": self.page, "text": self.text,
                "score": round(float(self.score), 4), "ocr": self.ocr_confidence is not None,
                "ocr_confidence": self.ocr_confidence, **({"validity": self.validity} if self.validity else {})}


@dataclass(frozen=True)
class Answer:
    question: str
    text: str
    abstained: bool
    citations: tuple[Citation, ...] = ()
    urgent: bool = False  # the message signals a child in danger: the 111 hotline leads the answer
    lang: str = "vi"
    latency_ms: float = 0.0
    direct: str = field(default="")  # the first, direct sentence of the answer

    def to_dict(self) -> dict:
        return {"question": self.question, "answer": self.text, "abstained": self.abstained,
                "urgent": self.urgent, "citations": [c.to_dict() for c in self.citations],
                "latency_ms": round(self.latency_ms, 2)}
