"""PDF text tables -> pipe rows ("Bước 3 | Phê duyệt ... | Chủ tịch UBND cấp xã | 02 ngày"), so
that kb/tables.py reads them as it reads txt, md and Word tables.

pypdf's plain extraction writes a table's cells as loose lines, one cell after the other, and a
row is lost. Here the runs of text pypdf drew, with where it drew them, and the lines the page
draws are read as tables:
- a ruled table is a grid of drawn lines: its vertical lines make the columns, its horizontal
  lines the rows; the wrapped lines of a cell are one cell; a row where an inner vertical line
  is missing has merged cells and keeps fewer cells ("Tổng thời gian | 07 ngày làm việc");
- a table without lines is at least three columns whose left edges line up over several lines;
  a row starts below a wider gap between lines or, when the rows are not spaced apart, where
  the first column has new text.
Everything else on the page (paragraphs, headings, a two-column letterhead or signature block)
is left exactly as pypdf wrote it. `page_runs` is the pypdf adapter; the rest is pure.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from .text import squash


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


@dataclass(frozen=True)
class TableGeometry:
    """Tolerances, in PDF points (1/72 inch) or in font sizes. Chosen on the fpdf2 fixtures
    (tests/docgen.py) against what Word and LibreOffice draw: borders there are 0.5-1.5 pt
    strokes or filled rectangles, adjacent cells' borders meet within a stroke width, and
    body text is 9-14 pt with a line pitch of 1.1-1.5 font sizes."""

    snap: float = 2.0  # lines and line ends this close are the same (a thick border's two edges)
    rule: float = 3.0  # a filled rectangle thinner than this is a drawn line (Word's borders)
    min_line: float = 4.0  # shorter strokes are glyph parts or underlines of a letter, not borders
    max_segments: int = 4000  # more drawn lines on one page is a drawing or a chart, not a table
    baseline: float = 0.4  # x font size: runs whose baselines differ less are on the same line
    align: float = 3.0  # left edges this close line up into a column (no lines drawn)
    min_columns: int = 3  # without lines, two columns are a letterhead or a signature block
    max_gap: float = 2.6  # x font size: a wider gap between lines ends a table without lines
    row_gap: float = 1.35  # x line pitch: a gap this much wider than the pitch separates rows
    char_width: float = 0.55  # x font size: a generous average advance (DejaVu 0.55, Times 0.45)


GEOMETRY = TableGeometry()


def _mult(m: list[float], n: list[float]) -> list[float]:
    return [m[0] * n[0] + m[1] * n[2], m[0] * n[1] + m[1] * n[3], m[2] * n[0] + m[3] * n[2],
            m[2] * n[1] + m[3] * n[3], m[4] * n[0] + m[5] * n[2] + n[4], m[4] * n[1] + m[5] * n[3] + n[5]]


def _point(cm: list[float], x: float, y: float) -> tuple[float, float]:
    return cm[0] * x + cm[2] * y + cm[4], cm[1] * x + cm[3] * y + cm[5]


PAINT = {b"S", b"s", b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*"}


def page_runs(page) -> tuple[str, list[Run], list[Segment]]:
    """pypdf's plain text of a page, the runs it is made of, and the straight lines it draws."""
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
    return text, runs, segments(painted)


def segments(painted: list[tuple], g: TableGeometry = GEOMETRY) -> list[Segment]:
    """The horizontal and vertical lines among drawn pieces: a thin box (Word's borders are
    filled rectangles) is one line, another box its four sides; slanted lines are dropped."""
    out = []
    for kind, ax, ay, bx, by in painted:
        x0, x1, y0, y1 = min(ax, bx), max(ax, bx), min(ay, by), max(ay, by)
        if kind == "box" and y1 - y0 > g.rule and x1 - x0 > g.rule:
            out += [Segment(x0, y0, x1, y0), Segment(x0, y1, x1, y1), Segment(x0, y0, x0, y1), Segment(x1, y0, x1, y1)]
        elif y1 - y0 <= (g.rule if kind == "box" else 0.5):
            out.append(Segment(x0, (y0 + y1) / 2, x1, (y0 + y1) / 2))
        elif x1 - x0 <= (g.rule if kind == "box" else 0.5):
            out.append(Segment((x0 + x1) / 2, y0, (x0 + x1) / 2, y1))
    return [s for s in out if max(s.x1 - s.x0, s.y1 - s.y0) >= g.min_line]


@dataclass(frozen=True)
class Table:
    rows: tuple[tuple[str, ...], ...]  # cells of each row, top to bottom; header first
    members: frozenset[int]  # indices of the runs it holds


def _cluster(values: list[float], tolerance: float) -> list[float]:
    """Sorted values, those within `tolerance` of the previous one merged into their mean."""
    groups: list[list[float]] = []
    for v in sorted(values):
        if groups and v - groups[-1][-1] <= tolerance:
            groups[-1].append(v)
        else:
            groups.append([v])
    return [sum(gr) / len(gr) for gr in groups]


def _lines(runs: list[Run], indices: list[int], g: TableGeometry) -> list[list[int]]:
    """Run indices grouped into printed lines, top to bottom, each left to right."""
    lines: list[list[int]] = []
    for i in sorted(indices, key=lambda i: (-runs[i].y, runs[i].x)):
        if lines and runs[lines[-1][0]].y - runs[i].y <= g.baseline * max(runs[i].size, runs[lines[-1][0]].size):
            lines[-1].append(i)
        else:
            lines.append([i])
    return [sorted(line, key=lambda i: runs[i].x) for line in lines]


def _cell(runs: list[Run], indices: list[int], g: TableGeometry) -> str:
    """A cell's text: its wrapped lines joined (a '|' in it would split the cell)."""
    return squash(" ".join(runs[i].text for line in _lines(runs, indices, g) for i in line)).replace("|", "/")


def _components(hs: list[Segment], vs: list[Segment], g: TableGeometry) -> list[tuple[list[Segment], list[Segment]]]:
    """Groups of horizontal and vertical lines that cross or touch: the grids on a page."""
    parent = list(range(len(hs) + len(vs)))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for a, h in enumerate(hs):
        for b, v in enumerate(vs):
            if h.x0 - g.snap <= v.x0 <= h.x1 + g.snap and v.y0 - g.snap <= h.y0 <= v.y1 + g.snap:
                parent[find(a)] = find(len(hs) + b)
    groups: dict[int, tuple[list[Segment], list[Segment]]] = {}
    for a, h in enumerate(hs):
        groups.setdefault(find(a), ([], []))[0].append(h)
    for b, v in enumerate(vs):
        groups.setdefault(find(len(hs) + b), ([], []))[1].append(v)
    return list(groups.values())


def ruled_tables(runs: list[Run], lines: list[Segment], g: TableGeometry = GEOMETRY) -> list[Table]:
    """Tables drawn as grids of lines (at least two columns and two rows holding text)."""
    if len(lines) > g.max_segments:
        return []
    hs = [s for s in lines if s.y0 == s.y1]
    vs = [s for s in lines if s.x0 == s.x1]
    tables = []
    for h_lines, v_lines in _components(hs, vs, g):
        xs = _cluster([v.x0 for v in v_lines], g.snap)
        ys = _cluster([h.y0 for h in h_lines], g.snap)[::-1]  # top first
        if len(xs) < 3 or len(ys) < 3:
            continue  # a frame or a single line, not a grid
        cells: dict[tuple[int, int], list[int]] = {}
        for i, r in enumerate(runs):
            ax, ay = r.x + 0.5, r.y + 0.3 * r.size  # inside the first glyph
            if r.size and r.text.strip() and xs[0] - g.snap <= ax <= xs[-1] + g.snap \
                    and ys[-1] - g.snap <= ay <= ys[0] + g.snap:
                band = next((k for k in range(len(ys) - 2) if ay > ys[k + 1]), len(ys) - 2)
                col = max([j for j in range(len(xs) - 1) if xs[j] <= ax] or [0])
                cells.setdefault((band, col), []).append(i)
        rows = []
        for band in sorted({b for b, _ in cells}):
            middle = (ys[band] + ys[band + 1]) / 2
            row, held = [], []
            for col in range(len(xs) - 1):
                held += cells.get((band, col), [])
                closed = col == len(xs) - 2 or any(abs(v.x0 - xs[col + 1]) <= g.snap and
                                                   v.y0 - g.snap <= middle <= v.y1 + g.snap for v in v_lines)
                if closed:  # a missing inner line merges this cell with the next
                    row.append(_cell(runs, held, g))
                    held = []
            rows.append(tuple(row))
        if len(rows) >= 2 and any(len(r) >= 2 for r in rows):
            tables.append(Table(tuple(rows), frozenset(i for ids in cells.values() for i in ids)))
    return tables


def _fits(run: Run, column: int, columns: list[float], g: TableGeometry) -> bool:
    """True when `run` could be printed inside its column (estimated width; the last column is open)."""
    if column == len(columns) - 1:
        return True
    return len(run.text.strip()) * g.char_width * run.size <= 1.25 * (columns[column + 1] - columns[column])


def aligned_tables(runs: list[Run], indices: list[int], g: TableGeometry = GEOMETRY) -> list[Table]:
    """Tables without lines: a line of at least `min_columns` runs sets the columns; the lines
    below whose runs all start at those columns (and fit in them) follow, up to a wide gap."""
    lines = _lines(runs, indices, g)
    tables, i = [], 0
    while i < len(lines):
        columns = _cluster([runs[k].x for k in lines[i]], g.align)
        if len(columns) < g.min_columns or len(columns) < len(lines[i]):
            i += 1
            continue
        block, full = [i], 1
        for j in range(i + 1, len(lines)):
            above, line = runs[lines[j - 1][0]], lines[j]
            if above.y - runs[line[0]].y > g.max_gap * max(above.size, runs[line[0]].size):
                break
            at = [next((c for c, x in enumerate(columns) if abs(runs[k].x - x) <= g.align), None) for k in line]
            if None in at or len(set(at)) < len(at) or len(line) == 1 and not _fits(runs[line[0]], at[0], columns, g):
                break
            block.append(j)
            full += len(line) >= g.min_columns
        if full < 2:
            i += 1
            continue
        tables.append(_aligned_rows(runs, [lines[j] for j in block], columns, g))
        i = block[-1] + 1
    return tables


def _aligned_rows(runs: list[Run], lines: list[list[int]], columns: list[float], g: TableGeometry) -> Table:
    """Rows of a table without lines: rows start below gaps wider than the line pitch when the
    rows are spaced apart, else where the first column has text."""
    gaps = [runs[a[0]].y - runs[b[0]].y for a, b in zip(lines, lines[1:])]
    pitch = min(gaps)
    spaced = any(gap > g.row_gap * pitch for gap in gaps)
    groups: list[list[list[int]]] = [[lines[0]]]
    for gap, line in zip(gaps, lines[1:]):
        starts = gap > g.row_gap * pitch if spaced else abs(runs[line[0]].x - columns[0]) <= g.align
        if starts:
            groups.append([line])
        else:
            groups[-1].append(line)
    rows = []
    for group in groups:
        held: list[list[int]] = [[] for _ in columns]
        for line in group:
            for k in line:
                held[min(range(len(columns)), key=lambda c: abs(runs[k].x - columns[c]))].append(k)
        rows.append(tuple(_cell(runs, ids, g) for ids in held))
    return Table(tuple(rows), frozenset(k for line in lines for k in line))


def find_tables(runs: list[Run], lines: list[Segment], g: TableGeometry = GEOMETRY) -> list[Table]:
    """The tables on a page: ruled ones, then aligned columns among the runs left."""
    ruled = ruled_tables(runs, lines, g)
    taken = {i for t in ruled for i in t.members}
    rest = [i for i, r in enumerate(runs) if i not in taken and r.size and r.text.strip()]
    return ruled + aligned_tables(runs, rest, g)


def with_tables(runs: list[Run], tables: list[Table]) -> str:
    """The page text with each table's runs replaced by its pipe rows, written where its first
    run was; every other run is kept as pypdf wrote it (whatever was drawn between a table's
    runs follows its rows, on a line of its own)."""
    owner = {i: t for t, table in enumerate(tables) for i in table.members}
    spans = [(min(t.members), max(t.members)) for t in tables]
    out: list[str] = []
    after_table = False
    for i, run in enumerate(runs):
        t = owner.get(i)
        at_line_start = not out or out[-1].endswith("\n")
        if t is None:
            if not run.text.strip() and any(a < i < b for a, b in spans):
                continue  # pypdf's line break between two cells
            if after_table and at_line_start:
                if not run.text.strip():
                    continue  # the line break after its last cell: the rows end their lines
                out.append(run.text.lstrip(" "))  # pypdf's space between a cell and this run
            else:
                out.append(run.text)
            after_table = after_table and not run.text.strip()
        elif i == spans[t][0]:
            out.append(("" if at_line_start else "\n") + ("\n" if after_table else ""))
            out.append("".join(" | ".join(row) + "\n" for row in tables[t].rows))
            after_table = True
    return "".join(out)
