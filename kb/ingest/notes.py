"""Maintainer notes from the catalog, shown beside the documents' own words and never instead
of them: errata for a source's typos ("10886605" printed for 18006605) and notices that the
duties a document gives an agency have moved since (the labour and social affairs sector's
child-protection work passed to the health sector from 01/03/2025). Rows and answers keep the
text as written and carry the note. Pure, apart from `load_notes`."""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

from kb.errors import InputError
from kb.text import fold

AS_WRITTEN = "Theo nguyên văn; xem ghi chú"  # "as written; see note"


@dataclass(frozen=True)
class Note:
    kind: str  # erratum | moved
    text: str  # what the maintainer wants the reader to know
    doc: str = ""  # the document it applies to ("" for every document)
    quote: str = ""  # erratum: the source's wrong words, exactly as printed
    correct: str = ""  # erratum: what they should read
    agency: str = ""  # moved: a pattern (without diacritics) of the agencies concerned
    since: str = ""  # moved: ISO date from which the change applies

    def applies(self, doc_id: str, text: str, agency: str = "") -> bool:
        if self.doc and self.doc != doc_id:
            return False
        if self.kind == "erratum":
            return bool(self.quote) and self.quote in text
        return bool(self.agency and agency) and bool(re.search(self.agency, fold(agency)))

    def label(self) -> str:
        if self.kind == "erratum":
            return f"[Đính chính: “{self.quote}” trong văn bản gốc là lỗi đánh máy, đúng là “{self.correct}”. {self.text}]"
        return f"[{AS_WRITTEN}: {self.text}]"


def load_notes(folder: Path) -> tuple[Note, ...]:
    """The `[[note]]` tables of `folder/catalog.toml` (none when there is no catalog)."""
    path = folder / "catalog.toml"
    if not path.exists():
        return ()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise InputError(f"{path}: not a valid catalog ({e})") from None
    fields = set(Note.__dataclass_fields__)
    return tuple(Note(**{k: str(v) for k, v in n.items() if k in fields}) for n in data.get("note", []))


def notes_for(notes, doc_id: str, text: str, agency: str = "") -> str:
    """The labels of the notes that concern a passage (or a row and its agency), one line."""
    return " ".join(dict.fromkeys(n.label() for n in notes if n.applies(doc_id, text, agency)))


def annotate_rows(rows: list, notes, text_field: str) -> list:
    """Matrix or deadline rows with their `note` filled in; their own text is left as written."""
    if not notes:
        return rows
    return [replace(r, note=notes_for(notes, r.doc_id, getattr(r, text_field), r.agency)) for r in rows]
