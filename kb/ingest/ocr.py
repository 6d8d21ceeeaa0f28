"""Scans -> text: Tesseract's Vietnamese model (through pytesseract) on page images rendered
with pypdfium2, behind one small adapter; imported only when a file has pages without text.

pytesseract rather than ocrmypdf: kb needs the text and each page's confidence, not a new PDF.
ocrmypdf would rewrite every scan into a PDF/A (Ghostscript, qpdf, minutes per file) only for
kb to extract its text again with pypdf, and it hides the per-word confidences kb reports.

>>> ocr = Ocr(Config.from_env())
>>> ocr.pdf_pages(Path("scan.pdf"), [0, 1])      # -> [PageText(text, confidence, page), ...]
"""
from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import unicodedata
import subprocess
from dataclasses import dataclass
from pathlib import Path

from kb.config import Config
from kb.errors import DependencyError, InputError

LANG = "vie"
INSTALL = "install Tesseract: apt-get install tesseract-ocr tesseract-ocr-vie (or `make setup` as root)"
# Pages are rendered at this resolution: the lowest that keeps accuracy. Measured on
# tests/scangen.py's photocopied pages (13 pt text, 11 pt letterhead; 300- and 200-dpi scans):
# rendered at 150, 200 and 300 dpi they read back 0.997-1.000 of the body characters alike,
# but 150 dpi leaves 10 pt print (tables, footnotes) under ~12 px of x-height, where Tesseract
# starts to lose tone marks; 300 dpi costs about twice the pixels (and time) of 200.
DPI = 200
# Pages whose mean word confidence (0-100) is below this are reported and left out of the index.
# Fitted by degrading a fixture page (tests/scangen.py) until OCR fails: mean confidence ->
# share of characters read right: 95 -> 0.999, 88.5 -> 0.97, 77 -> 0.94, 74.6 -> 0.79,
# 35 -> 0.48, 18 -> 0.01; docgen's unreadable "scan" scores 56. Under 70 a page is mostly garbage.
MIN_CONFIDENCE = 70.0
PIPELINE = "gray-red-deskew-1"  # part of the cache key: a change of image clean-up re-reads the pages
WORD_TABLE = ("text", "conf", "block_num", "par_num", "line_num", "left", "width", "height")
MAX_SKEW = 3.0  # degrees; a feeder does not skew more, and a wider search costs time
SKEW_STEP = 0.2


@dataclass(frozen=True)
class PageText:
    text: str
    confidence: float  # mean word confidence, 0-100
    page: int = 0  # 1-based page (or frame) number in its file


COLUMN_GAP = 1.5  # a gap wider than this many word heights splits a letterhead line in two;
# word gaps on the fixtures are 0.3-0.6 heights, the letterhead's column gaps 2-5


def _segments(words: list[tuple[int, int, int, str]]) -> list[str]:
    """A line's words (left, right, height, text) split where the gap between two words with a
    letter or digit is a column gap; a stray mark in the gap (the rule under a letterhead line
    read as "_") is dropped with it."""
    def has_text(w: str) -> bool:  # a tone mark read alone ("ˆ", a modifier letter) is not text
        return any(ch.isalnum() and unicodedata.category(ch) != "Lm" for ch in w)

    heights = sorted(h for _, _, h, _ in words)
    gap = COLUMN_GAP * heights[len(heights) // 2]
    parts: list[list[str]] = [[]]
    prev_right = None
    for left, right, _, text in words:
        if has_text(text):
            if prev_right is not None and left - prev_right > gap:
                parts.append([])
            prev_right = right
        parts[-1].append(text)
    if len(parts) > 1:
        for p in parts:
            while p and not has_text(p[-1]):
                p.pop()
    return [" ".join(p) for p in parts if any(has_text(w) for w in p)]


def text_from_data(data: dict) -> tuple[str, float]:
    """Lines and mean word confidence from Tesseract's word table (pytesseract's image_to_data
    as a dict). Pure. Words are joined into lines, a blank line between paragraphs. The
    two-column letterhead that opens a page (issuer and number on the left, the national motto
    and place/date on the right) is read one column after the other, as typed files have it,
    instead of line by line across both columns."""
    lines: dict[tuple, list[tuple[int, int, int, str]]] = {}
    confs: list[float] = []
    for i, word in enumerate(data["text"]):
        word = (word or "").strip()
        conf = float(data["conf"][i])
        if not word or conf < 0:
            continue
        key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
        left = int(data["left"][i])
        lines.setdefault(key, []).append((left, left + int(data["width"][i]), int(data["height"][i]), word))
        confs.append(conf)
    rows = [(key[:2], _segments(sorted(words))) for key, words in lines.items()]
    rows = [(par, segs) for par, segs in rows if segs]
    head = 0
    while head < len(rows) and len(rows[head][1]) > 1:
        head += 1
    out: list[str] = []
    if head >= 2:  # a letterhead: the left column, then the right one
        out = [segs[0] for _, segs in rows[:head]] + [""] + [" ".join(segs[1:]) for _, segs in rows[:head]] + [""]
    else:
        head = 0
    last_par = None
    for par, segs in rows[head:]:
        if last_par is not None and par != last_par:
            out.append("")
        out.append(" ".join(segs))
        last_par = par
    return "\n".join(out).strip("\n"), (sum(confs) / len(confs) if confs else 0.0)


def body_similarity(ocr_text: str, typed: str) -> float:
    """Character similarity (difflib ratio, 0-1) of typed body text to what OCR read of its
    page, the page's other text (letterhead, signature) trimmed off around the matching span."""
    import difflib

    a, b = " ".join(ocr_text.split()), " ".join(typed.split())
    blocks = [m for m in difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks() if m.size > 5]
    span = a[blocks[0].a:blocks[-1].a + blocks[-1].size] if blocks else ""
    return difflib.SequenceMatcher(None, span, b, autojunk=False).ratio()


def skew_angle(gray, max_angle: float = MAX_SKEW, step: float = SKEW_STEP) -> float:
    """The rotation (degrees) that lines the text rows up, by the projection-profile method:
    dark pixels summed per row are most sharply peaked when the rows are level."""
    import numpy as np
    from PIL import Image

    small = gray.reduce(4) if min(gray.size) > 1200 else gray
    ink = Image.fromarray((np.asarray(small) < 128).astype(np.uint8) * 255)
    best, best_score = 0.0, -1.0
    for k in range(int(-max_angle / step), int(max_angle / step) + 1):
        angle = k * step
        rows = np.asarray(ink.rotate(angle, resample=Image.NEAREST)).sum(axis=1, dtype=np.float64)
        score = float(np.sum(np.diff(rows) ** 2))
        if score > best_score:
            best, best_score = angle, score
    return best


def clean(image):
    """What Tesseract reads best: grey from the red channel (a red stamp over text turns white,
    black text stays black) and the page turned level."""
    from PIL import Image

    rgb = image.convert("RGB")
    gray = rgb.getchannel("R")
    angle = skew_angle(gray)
    if angle:
        gray = gray.rotate(angle, resample=Image.BICUBIC, fillcolor=255, expand=False)
    return gray


class OcrCache:
    """Tesseract's word table of each page by page-image hash, in the data dir, so that a
    re-ingest does not read pages again (and a change in how words become lines needs no OCR)."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path))
        self._db.execute("CREATE TABLE IF NOT EXISTS pages (key TEXT PRIMARY KEY, words TEXT)")

    def get(self, key: str) -> dict | None:
        row = self._db.execute("SELECT words FROM pages WHERE key = ?", (key,)).fetchone()
        return None if row is None else json.loads(row[0])

    def put(self, key: str, words: dict) -> None:
        self._db.execute("INSERT OR REPLACE INTO pages VALUES (?, ?)", (key, json.dumps(words, ensure_ascii=False)))
        self._db.commit()

    def close(self) -> None:
        self._db.close()


class Ocr:
    """Reads page images; checks for Tesseract on first use and says how to install it."""

    def __init__(self, config: Config, progress=None):
        self.config = config
        self.progress = progress
        self._version: str | None = None
        self._cache: OcrCache | None = None
        self.read = 0  # pages Tesseract read in this run
        self.cached = 0  # pages found in the cache

    def missing(self) -> str:
        """Why OCR cannot run here ("" when it can)."""
        if self._version is not None:
            return ""
        cmd = self.config.tesseract_cmd
        if not shutil.which(cmd):
            return f"Tesseract not found ({cmd}); {INSTALL}"
        try:
            import pypdfium2  # noqa: F401
            import pytesseract  # noqa: F401
        except ImportError:
            return "OCR needs pytesseract and pypdfium2: pip install -r requirements.txt"
        try:
            langs = subprocess.run([cmd, "--list-langs"], capture_output=True, text=True, timeout=30).stdout
            version = subprocess.run([cmd, "--version"], capture_output=True, text=True, timeout=30).stdout
        except (OSError, subprocess.SubprocessError) as e:
            return f"Tesseract ({cmd}) does not run ({e}); {INSTALL}"
        if LANG not in langs.split():
            return f"Tesseract has no Vietnamese model; {INSTALL}"
        self._version = (version.splitlines() or ["?"])[0]
        return ""

    def _ensure(self) -> None:
        if reason := self.missing():
            raise DependencyError(reason)
        if self._cache is None:
            self._cache = OcrCache(self.config.data_dir / "ocr-cache.sqlite")

    def images(self, pages, total: int) -> list[PageText]:
        """OCR page images, given as (page number, PIL image) one at a time (a long scan is
        never all in memory), cached by content; one progress step per page."""
        import pytesseract

        self._ensure()
        bar = None
        if self.progress and total > 1:
            try:  # the CLI's bars take a label; other progress callbacks only the total
                bar = self.progress(total, desc="OCR: reading scanned pages", unit="page")
            except TypeError:
                bar = self.progress(total)
        pytesseract.pytesseract.tesseract_cmd = self.config.tesseract_cmd
        out = []
        try:
            for number, image in pages:
                rgb = image.convert("RGB")
                key = hashlib.sha256(f"{self._version}|{LANG}|{PIPELINE}|{rgb.size}".encode() + rgb.tobytes()).hexdigest()
                data = self._cache.get(key)
                if data is None:
                    try:
                        data = pytesseract.image_to_data(clean(rgb), lang=LANG, config="--psm 3",
                                                         output_type=pytesseract.Output.DICT)
                    except pytesseract.TesseractError as e:
                        raise InputError(f"Tesseract failed on page {number} ({str(e.message).strip()[:80]})") from None
                    data = {k: list(data[k]) for k in WORD_TABLE}
                    self._cache.put(key, data)
                    self.read += 1
                else:
                    self.cached += 1
                out.append(PageText(*text_from_data(data), number))
                if bar is not None:
                    bar.update(1)
        finally:
            if bar is not None:
                bar.close()
        return out

    def pdf_pages(self, path: Path, indices: list[int]) -> list[PageText]:
        """OCR some pages (0-based indices) of a PDF, each rendered at DPI when its turn comes."""
        self._ensure()
        import pypdfium2 as pdfium

        try:
            pdf = pdfium.PdfDocument(str(path))
        except pdfium.PdfiumError as e:
            raise InputError(f"{path}: cannot render the scanned pages ({e})") from None
        try:
            return self.images(((i + 1, pdf[i].render(scale=DPI / 72).to_pil()) for i in indices), len(indices))
        except InputError as e:
            raise InputError(f"{path}: {e}") from None
        finally:
            pdf.close()

    def image_file(self, path: Path) -> list[PageText]:
        """OCR an image file of document pages (each frame of a multi-page TIFF is a page)."""
        self._ensure()
        from PIL import Image, ImageSequence, UnidentifiedImageError

        try:
            with Image.open(path) as im:
                frames = ((n, frame.convert("RGB")) for n, frame in enumerate(ImageSequence.Iterator(im), 1))
                return self.images(frames, getattr(im, "n_frames", 1))
        except InputError as e:
            raise InputError(f"{path}: {e}") from None
        except (UnidentifiedImageError, Image.DecompressionBombError, OSError) as e:
            raise InputError(f"{path}: not a readable image ({type(e).__name__})") from None

    def close(self) -> None:
        if self._cache is not None:
            self._cache.close()
            self._cache = None
