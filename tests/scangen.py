"""Scanned-document fixtures: pages of corpus documents drawn the way an office photocopier
returns them (300 dpi, a two-column letterhead, a red round stamp and a pen signature over part
of the text, a small rotation, blur, speckle noise, JPEG), as images or image-only PDF pages.

Each page comes with the text it shows, so tests can measure what OCR reads back.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass
from pathlib import Path

FONTS = Path("/usr/share/fonts/truetype/dejavu")
A4_INCHES = (8.27, 11.69)


@dataclass(frozen=True)
class Letterhead:
    issuer: tuple[str, ...]  # "ỦY BAN NHÂN DÂN", "THÀNH PHỐ TÂY NINH"
    number: str  # "Số: 48/KH-UBND"
    place_date: str  # "TP. Tây Ninh, ngày 28 tháng 02 năm 2025"


@dataclass(frozen=True)
class Signature:
    capacity: tuple[str, ...]  # "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"
    name: str
    stamp: str  # the issuer's name around the stamp's ring


@dataclass
class ScanPage:
    image: object  # PIL.Image
    body: str  # the body paragraphs the page shows, as typed (letterhead and signature aside)


def _font(name: str, pt: float, dpi: int):
    from PIL import ImageFont

    return ImageFont.truetype(str(FONTS / name), round(pt * dpi / 72))


def _wrap(text: str, font, width: int) -> list[str]:
    lines, cur = [], ""
    for word in text.split():
        trial = f"{cur} {word}".strip()
        if cur and font.getlength(trial) > width:
            lines.append(cur)
            cur = word
        else:
            cur = trial
    return lines + [cur] if cur else lines


def _stamp(draw_size: int, text: str, dpi: int, rng: random.Random):
    """A red round seal: two rings, the issuer's name around them, a star in the middle."""
    from PIL import Image, ImageDraw

    size = draw_size
    seal = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(seal)
    red = (200, 30, 40, 190)
    c, r = size / 2, size / 2 - 4
    d.ellipse([c - r, c - r, c + r, c + r], outline=red, width=max(3, dpi // 60))
    d.ellipse([c - r * 0.68, c - r * 0.68, c + r * 0.68, c + r * 0.68], outline=red, width=max(2, dpi // 100))
    font = _font("DejaVuSans-Bold.ttf", 8, dpi)
    step = 2 * math.pi / (len(text) + 6)
    for i, ch in enumerate(text):
        a = -math.pi / 2 - step * (len(text) - 1) / 2 + i * step
        glyph = Image.new("RGBA", (font.size * 2, font.size * 2), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((font.size, font.size), ch, font=font, fill=red, anchor="mm")
        glyph = glyph.rotate(-math.degrees(a) - 90, resample=Image.BICUBIC)
        x, y = c + r * 0.84 * math.cos(a), c + r * 0.84 * math.sin(a)
        seal.alpha_composite(glyph, (int(x - font.size), int(y - font.size)))
    star = [(c + (r * 0.35 if k % 2 == 0 else r * 0.14) * math.cos(-math.pi / 2 + k * math.pi / 5),
             c + (r * 0.35 if k % 2 == 0 else r * 0.14) * math.sin(-math.pi / 2 + k * math.pi / 5)) for k in range(10)]
    d.polygon(star, fill=red)
    return seal.rotate(rng.uniform(-25, 25), resample=Image.BICUBIC)


def _pen_signature(width: int, height: int, rng: random.Random):
    """A handwritten-looking flourish: a few loops of a smooth random curve in blue ink."""
    from PIL import Image, ImageDraw

    sig = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    d = ImageDraw.Draw(sig)
    waves = [(rng.uniform(1, 4), rng.uniform(0, 6), rng.uniform(0.15, 0.35)) for _ in range(3)]
    pts = []
    for i in range(400):
        t = i / 399
        y = 0.5 + sum(a * math.sin(2 * math.pi * f * t + p) for f, p, a in waves) / 2.2
        x = t + 0.06 * math.sin(2 * math.pi * 6 * t)
        pts.append((x * (width - 10) + 5, min(max(y, 0.05), 0.95) * height))
    d.line(pts, fill=(25, 40, 120, 230), width=max(3, width // 120), joint="curve")
    return sig


def draw_page(body: list[str], dpi: int = 300, letterhead: Letterhead | None = None, title: tuple[str, ...] = (),
              signature: Signature | None = None, seed: int = 0) -> ScanPage:
    """A clean A4 page as a word processor prints it, then the photocopier's damage."""
    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    w, h = round(A4_INCHES[0] * dpi), round(A4_INCHES[1] * dpi)
    mm = dpi / 25.4
    page = Image.new("RGB", (w, h), "white")
    d = ImageDraw.Draw(page)
    left, right, y = round(30 * mm), w - round(15 * mm), round(18 * mm)
    regular, bold, italic = (_font(f, 13, dpi) for f in ("DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf",
                                                          "DejaVuSerif-Italic.ttf"))
    head_r, head_b = _font("DejaVuSerif.ttf", 11, dpi), _font("DejaVuSerif-Bold.ttf", 11, dpi)
    leading = round(regular.size * 1.35)
    ink = (25, 25, 25)
    if letterhead:
        lx, rx = left + round(0.2 * (right - left)), left + round(0.66 * (right - left))
        rows_left = [(letterhead.issuer[0], head_r)] + [(t, head_b) for t in letterhead.issuer[1:]]
        rows_right = [("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", head_b), ("Độc lập - Tự do - Hạnh phúc", head_b)]
        for i, (t, f) in enumerate(rows_left):
            d.text((lx, y + i * leading), t, font=f, fill=ink, anchor="mt")
        for i, (t, f) in enumerate(rows_right):
            d.text((rx, y + i * leading), t, font=f, fill=ink, anchor="mt")
        rule = y + max(len(rows_left), len(rows_right)) * leading + 4
        d.line([(lx - 60, rule), (lx + 60, rule)], fill=ink, width=2)
        d.line([(rx - 180, rule), (rx + 180, rule)], fill=ink, width=2)
        y = rule + leading // 2
        d.text((lx, y), letterhead.number, font=head_r, fill=ink, anchor="mt")
        d.text((rx, y), letterhead.place_date, font=_font("DejaVuSerif-Italic.ttf", 11, dpi), fill=ink, anchor="mt")
        y += 2 * leading
    for t in title:
        for line in _wrap(t, bold, right - left - 200):
            d.text(((left + right) // 2, y), line, font=bold, fill=ink, anchor="mt")
            y += leading
    if title:
        y += leading // 2
    for para in body:
        for line in _wrap(para, regular, right - left):
            d.text((left, y), line, font=regular, fill=ink)
            y += leading
        y += leading // 3
    if signature:
        sx = left + round(0.7 * (right - left))
        for t in signature.capacity:
            d.text((sx, y), t, font=bold, fill=ink, anchor="mt")
            y += leading
        name_y = y + round(22 * mm)
        d.text((sx, name_y), signature.name, font=bold, fill=ink, anchor="mt")
        sig = _pen_signature(round(55 * mm), round(20 * mm), rng)
        page.paste(sig, (sx - sig.width // 2 + round(6 * mm), y + leading), sig)
        seal = _stamp(round(36 * mm), signature.stamp, dpi, rng)
        # the seal sits over the left of the signature, the capacity lines and the end of the
        # last paragraph, as it is often stamped
        sy = y - 5 * leading
        page.paste(seal, (sx - seal.width // 2 - round(14 * mm), sy), seal)
    return ScanPage(photocopy(page, rng, dpi), "\n".join(body))


def photocopy(page, rng: random.Random, dpi: int):
    """Grey paper, a slightly skewed feed, soft focus, toner specks."""
    import numpy as np
    from PIL import Image, ImageFilter

    page = page.rotate(rng.choice([-1, 1]) * rng.uniform(0.8, 1.5), resample=Image.BICUBIC, fillcolor="white")
    page = page.filter(ImageFilter.GaussianBlur(dpi / 300 * 0.9))
    a = np.asarray(page).astype(np.float32)
    gen = np.random.default_rng(rng.randrange(2**32))
    a = a * 0.93 + 8 + gen.normal(0, 6, a.shape[:2])[..., None]  # grey paper, grain
    specks = gen.random(a.shape[:2]) < 0.0004
    a[specks] = gen.uniform(20, 90, (int(specks.sum()), 1))
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))


def save_pdf(path: Path, pages: list, dpi: int = 300) -> Path:
    """An image-only PDF (what scanners write); a list item that is a list of strings is a
    typed page instead, with a real text layer (a mixed PDF)."""
    import io

    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(False)
    pdf.add_font("DejaVu", fname=str(FONTS / "DejaVuSerif.ttf"))
    for item in pages:
        pdf.add_page()
        if isinstance(item, list):
            pdf.set_font("DejaVu", size=12)
            for para in item:
                pdf.multi_cell(0, 6.5, para, new_x="LMARGIN", new_y="NEXT")
            continue
        buf = io.BytesIO()
        item.save(buf, "JPEG", quality=80, dpi=(dpi, dpi))
        pdf.image(buf, x=0, y=0, w=210, h=297)
    pdf.output(str(path))
    return path


def corpus_paragraphs(name: str, start: str, count: int) -> list[str]:
    """`count` paragraphs (lines) of a corpus document from the one starting with `start`."""
    from .conftest import CORPUS

    paras = [p.strip().replace("**", "") for p in (CORPUS / name).read_text(encoding="utf-8").splitlines()
             if p.strip()]
    i = next(i for i, p in enumerate(paras) if p.startswith(start))
    return paras[i:i + count]


TAY_NINH = Letterhead(("ỦY BAN NHÂN DÂN", "THÀNH PHỐ TÂY NINH"), "Số: 48/KH-UBND",
                      "TP. Tây Ninh, ngày 28 tháng 02 năm 2025")
TAY_NINH_SIGNER = Signature(("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"), "Nguyễn Văn Thử",
                            "ỦY BAN NHÂN DÂN THÀNH PHỐ TÂY NINH *")


def tay_ninh_scan(dpi: int = 300) -> list[ScanPage]:
    """Two pages of the Tây Ninh plan: letterhead and aims; tasks, signature and stamp."""
    first = draw_page(corpus_paragraphs("tay-ninh-kh48-2025.txt", "Thực hiện Kế hoạch số 23", 6), dpi,
                      TAY_NINH, ("KẾ HOẠCH", "Triển khai thực hiện phòng, chống bạo lực, xâm hại trẻ em "
                                 "trên địa bàn Thành phố năm 2025"), seed=1)
    second = draw_page(corpus_paragraphs("tay-ninh-kh48-2025.txt", "II. NỘI DUNG THỰC HIỆN", 5), dpi,
                       signature=TAY_NINH_SIGNER, seed=2)
    return [first, second]


def ninh_thuan_mixed() -> list:
    """The Ninh Thuận youth-union plan as a mixed PDF: page 1 typed (a text layer), page 2 a
    200-dpi scan of the next paragraphs (the low end of what offices scan at)."""
    typed = ["KẾ HOẠCH", "Triển khai công tác phòng, chống bạo lực, xâm hại trẻ em giai đoạn 2020-2025",
             *corpus_paragraphs("ninh-thuan-tinh-doan-kh-2020-2025.txt", "- Tăng cường công tác triển khai", 5)]
    scanned = draw_page(corpus_paragraphs("ninh-thuan-tinh-doan-kh-2020-2025.txt",
                                          "2. Các huyện, thành Đoàn", 4), dpi=200, seed=3)
    return [typed, scanned]


QUANG_NGAI = Letterhead(("ỦY BAN NHÂN DÂN", "THÀNH PHỐ QUẢNG NGÃI"), "Số: 2175/UBND-VX",
                        "TP. Quảng Ngãi, ngày 08 tháng 12 năm 2023")


def quang_ngai_photo() -> ScanPage:
    """One page of the Quảng Ngãi letter, as an image file (what a phone scanner app saves)."""
    return draw_page(corpus_paragraphs("quang-ngai-cv-2023.txt", "Thực hiện Công văn số 5976", 3), 300,
                     QUANG_NGAI, ("V/v tăng cường công tác phòng ngừa tội phạm xâm hại tình dục trẻ em",), seed=4)
