"""PDF text tables -> pipe rows ("Bước 3 | Phê duyệt ... | Chủ tịch UBND cấp xã | 02 ngày"), so
that kb/ingest/tables.py reads them as it reads txt, md and Word tables.

pypdf's plain extraction writes a table's cells as loose lines, one cell after the other, and a
row is lost. Here the runs of text pypdf drew, with where it drew them, and the lines the page
draws are read as tables:
- a ruled table is a grid of drawn lines: its vertical lines make the columns, its horizontal
  lines the rows; the wrapped lines of a cell are one cell; a row where an inner vertical line
  is missing has merged cells and keeps fewer cells ("Tổng thời gian | 07 ngày làm việc");
- a table without lines is at least three columns whose left edges line up over several lines;
  a row starts below a wider gap between lines or, when the rows are not spaced apart, where
  the first column has new text.
A two-column letterhead (issuer | national motto) is written as two-column rows too, which
kb/ingest/tables.py reads as letterhead, as it reads a txt or Word letterhead table. Everything else on
the page (paragraphs, headings, a signature block beside the recipients) is left exactly as
pypdf wrote it. Pure functions; kb/ingest/pdfpage.py reads the runs and lines off a page.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass

from kb.ingest.pdfpage import Run, Segment
from kb.text import fold, squash


@dataclass(frozen=True)
class TableGeometry:
    """Tolerances, in PDF points (1/72 inch) or in font sizes. Set by hand on the fpdf2 fixtures
    (tests/docgen.py: drawn and undrawn tables, letterheads, signatures, the law and the corpus
    printed as PDFs), with room for office PDFs: borders there are 0.5-1.5 pt strokes or thin
    filled rectangles and body text is 9-14 pt."""

    snap: float = 2.0  # lines and line ends this close are one (a thick border's two edges)
    rule: float = 3.0  # a filled rectangle thinner than this is a drawn line (Word's borders)
    level: float = 0.5  # a stroke whose ends differ this little across is horizontal or vertical
    min_line: float = 4.0  # shorter strokes are parts of glyphs or marks, not borders
    max_segments: int = 4000  # more drawn lines on one page is a drawing or a chart, not a table
    baseline: float = 0.4  # x font size: runs whose baselines differ less share a printed line
    align: float = 3.0  # left edges (or centres) this close line up into a column
    min_columns: int = 3  # without lines, two columns are a letterhead or a signature block
    # x font size: a wider gap between lines ends a table without lines (its rows, padded, stand
    # 2.5 apart in the fixtures; a paragraph 1.5)
    max_gap: float = 3.0
    row_gap: float = 1.35  # x line pitch: a wider gap separates rows (padded rows: 1.6 in the fixtures)
    char_width: float = 0.55  # x font size: a generous average advance (DejaVu Sans 0.55, Times 0.45)
    fit: float = 1.25  # a lone run is in its column if its (estimated) width is at most this x the column's
    centred: float = 0.2  # centred runs line up if their centres are this share of the wider run apart
    resize: float = 0.15  # a line whose font size differs this much (a share) is not in the table


GEOMETRY = TableGeometry()


def segments(painted: list[tuple], g: TableGeometry = GEOMETRY) -> list[Segment]:
    """The horizontal and vertical lines among the pieces a page draws (kb.pdfpage.page_runs): a
    thin box (Word's borders are filled rectangles) is one line, another box its four sides;
    slanted lines are dropped."""
    out = []
    for kind, ax, ay, bx, by in painted:
        x0, x1, y0, y1 = min(ax, bx), max(ax, bx), min(ay, by), max(ay, by)
        if kind == "box" and y1 - y0 > g.rule and x1 - x0 > g.rule:
            out += [Segment(x0, y0, x1, y0), Segment(x0, y1, x1, y1), Segment(x0, y0, x0, y1), Segment(x1, y0, x1, y1)]
        elif y1 - y0 <= (g.rule if kind == "box" else g.level):
            out.append(Segment(x0, (y0 + y1) / 2, x1, (y0 + y1) / 2))
        elif x1 - x0 <= (g.rule if kind == "box" else g.level):
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
    """A cell's text: its wrapped lines joined, the runs of a line as pypdf spaced them (a '|'
    in it would split the cell)."""
    lines = _lines(runs, indices, g)
    return squash(" ".join("".join(runs[i].text for i in line) for line in lines)).replace("|", "/")


def _components(hs: list[Segment], vs: list[Segment], g: TableGeometry) -> list[tuple[list[Segment], list[Segment]]]:
    """Groups of horizontal and vertical lines that cross or touch: the grids on a page."""
    parent = list(range(len(hs) + len(vs)))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    order = sorted(range(len(vs)), key=lambda b: vs[b].x0)
    xs = [vs[b].x0 for b in order]
    for a, h in enumerate(hs):
        for b in order[bisect.bisect_left(xs, h.x0 - g.snap):bisect.bisect_right(xs, h.x1 + g.snap)]:
            if vs[b].y0 - g.snap <= h.y0 <= vs[b].y1 + g.snap:
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
    return column == len(columns) - 1 or _width(run, g) <= g.fit * (columns[column + 1] - columns[column])


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
        block, full, size = [i], 1, runs[lines[i][0]].size
        for j in range(i + 1, len(lines)):
            above, line = runs[lines[j - 1][0]], lines[j]
            if above.y - runs[line[0]].y > g.max_gap * size or abs(runs[line[0]].size - size) > g.resize * size:
                break  # a gap, or a heading in another size, under the table
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
    """Rows of a table without lines: a row starts below a gap wider than the line pitch, and
    where the first column has text unless the rows are set apart by such gaps (then the first
    column's text may be centred in its row)."""
    gaps = [runs[a[0]].y - runs[b[0]].y for a, b in zip(lines, lines[1:])]
    wide = [gap > g.row_gap * min(gaps) for gap in gaps]
    first = [abs(runs[line[0]].x - columns[0]) <= g.align for line in lines[1:]]
    spaced = sum(wide) >= sum(first)
    groups: list[list[list[int]]] = [[lines[0]]]
    for line, gap_starts, first_starts in zip(lines[1:], wide, first):
        if gap_starts or first_starts and not spaced:
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


MOTTO = "cong hoa xa hoi chu nghia viet nam"


def _width(run: Run, g: TableGeometry) -> float:
    """A run's width, estimated from its length."""
    return len(run.text.strip()) * g.char_width * run.size


def _under(run: Run, head: Run, g: TableGeometry) -> bool:
    """True when `run` is in the column `head` heads: left edges or centres line up (the
    centres within a share of the wider run: the widths are estimates)."""
    a, b = _width(run, g), _width(head, g)
    return abs(run.x - head.x) <= g.align or abs(run.x + a / 2 - head.x - b / 2) <= g.centred * max(a, b) + g.align


def letterhead_table(runs: list[Run], indices: list[int], g: TableGeometry = GEOMETRY) -> list[Table]:
    """The two-column letterhead atop a page (issuer and number on the left; the national motto,
    place and date on the right, each column centred), as the two-column table Word drew it,
    so that kb/ingest/tables.py reads it as letterhead; [] when the page has none."""
    lines = _lines(runs, indices, g)[:8]
    top = next((n for n, line in enumerate(lines)
                if len(line) == 2 and fold(runs[line[1]].text).strip().startswith(MOTTO)), None)
    if top is None:
        return []
    issuer, motto = (runs[k] for k in lines[top])
    block = []
    for n in range(top, len(lines)):
        line = lines[n]
        if n > top and runs[lines[n - 1][0]].y - runs[line[0]].y > g.max_gap * runs[line[0]].size:
            break
        left = [k for k in line if _under(runs[k], issuer, g)]
        right = [k for k in line if k not in left and _under(runs[k], motto, g)]
        if len(left) > 1 or len(right) > 1 or len(left) + len(right) < len(line):
            break  # a centred title under the letterhead is in neither column
        block.append((left, right))
    rows = tuple((_cell(runs, left, g), _cell(runs, right, g)) for left, right in block)
    return [Table(rows, frozenset(k for left, right in block for k in left + right))] if len(rows) >= 2 else []


def find_tables(runs: list[Run], lines: list[Segment], g: TableGeometry = GEOMETRY) -> list[Table]:
    """The tables on a page: ruled ones, a two-column letterhead, then aligned columns among
    the runs left."""
    tables = ruled_tables(runs, lines, g)
    for find in (letterhead_table, aligned_tables):
        taken = {i for t in tables for i in t.members}
        tables += find(runs, [i for i, r in enumerate(runs) if i not in taken and r.size and r.text.strip()], g)
    return tables


def with_tables(runs: list[Run], tables: list[Table]) -> str:
    """The page text with each table's runs replaced by its pipe rows and a blank line (as a
    table stands in txt), written where its first run was; every other run is kept as pypdf
    wrote it (whatever was drawn between a table's runs follows its rows, on a line of its own)."""
    owner = {i: t for t, table in enumerate(tables) for i in table.members}
    spans = [(min(t.members), max(t.members)) for t in tables]
    out: list[str] = []
    after_table = False
    for i, run in enumerate(runs):
        t = owner.get(i)
        at_line_start = not out or out[-1].endswith("\n")
        if t is None:
            inside = any(a < i < b for a, b in spans)
            if not run.text.strip() and (after_table or inside):
                continue  # pypdf's line breaks between two cells and after the last one
            if inside:  # drawn among the cells (a page number): a line of its own
                out.append(run.text.strip() + "\n")
            else:
                out.append(run.text.lstrip(" ") if after_table else run.text)  # and its space before
                after_table = False
        elif i == spans[t][0]:
            out.append(("" if at_line_start else "\n") + "".join(" | ".join(row) + "\n" for row in tables[t].rows) + "\n")
            after_table = True
    return "".join(out)
