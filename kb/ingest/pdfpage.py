"""What a PDF page draws, read with pypdf: the runs of text of its plain extraction with where
each was drawn, and the straight lines (table borders) it paints. kb/ingest/pdftables.py reads tables
from them."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Run:
    """A piece of text as pypdf wrote it (maybe with the space or line break it put before or
    after) and where it was drawn: baseline start in PDF points, y upwards, and font size."""

    text: str
    x: float = 0.0
    y: float = 0.0
    size: float = 0.0


@dataclass(frozen=True)
class Segment:
    """A straight drawn line, horizontal (y0 == y1) or vertical (x0 == x1)."""

    x0: float
    y0: float
    x1: float
    y1: float


def _mult(m: list[float], n: list[float]) -> list[float]:
    return [m[0] * n[0] + m[1] * n[2], m[0] * n[1] + m[1] * n[3], m[2] * n[0] + m[3] * n[2],
            m[2] * n[1] + m[3] * n[3], m[4] * n[0] + m[5] * n[2] + n[4], m[4] * n[1] + m[5] * n[3] + n[5]]


def _point(cm: list[float], x: float, y: float) -> tuple[float, float]:
    return cm[0] * x + cm[2] * y + cm[4], cm[1] * x + cm[3] * y + cm[5]


PAINT = {b"S", b"s", b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*"}


def page_runs(page) -> tuple[str, list[Run], list[tuple]]:
    """pypdf's plain text of a page, the runs it is made of, and the pieces of line it draws:
    ("line", x0, y0, x1, y1) from point to point, ("box", x0, y0, x1, y1) a rectangle's corners."""
    runs: list[Run] = []
    path: list[tuple] = []  # the path being built: ("line" | "box", x0, y0, x1, y1) in page space
    painted: list[tuple] = []
    start = current = (0.0, 0.0)

    def on_text(text, cm, tm, font, size):
        if text:
            m = _mult(tm, cm)
            upright = abs(m[1]) < 1e-6 and abs(m[2]) < 1e-6 and m[3] > 0
            runs.append(Run(text, m[4], m[5], size * m[3]) if upright else Run(text))  # rotated: no place

    def on_operator(op, args, cm, tm):
        nonlocal start, current
        try:
            if op == b"m":
                start = current = _point(cm, float(args[0]), float(args[1]))
            elif op == b"l":
                p = _point(cm, float(args[0]), float(args[1]))
                path.append(("line", *current, *p))
                current = p
            elif op == b"h":
                path.append(("line", *current, *start))
                current = start
            elif op == b"re":
                x, y, w, h = (float(a) for a in args[:4])
                corners = [_point(cm, x, y), _point(cm, x + w, y + h)]
                path.append(("box", *corners[0], *corners[1]))
                start = current = corners[0]
            elif op in (b"c", b"v", b"y"):
                current = _point(cm, float(args[-2]), float(args[-1]))
            elif op in PAINT:
                painted.extend(path)
                path.clear()
            elif op == b"n":  # a clipping path: not drawn
                path.clear()
        except (TypeError, ValueError, IndexError):  # a malformed operator draws nothing
            path.clear()

    text = page.extract_text(visitor_text=on_text, visitor_operand_before=on_operator)
    return text, runs, painted
