"""A return as a PDF: A4, the Chinese statistical header on every page, column headings repeated,
"第 N 页 共 M 页" at the foot, the embedded WenQuanYi Micro Hei font (shipped in resources/fonts).

reportlab's LongTable re-measures every remaining row at each page break (quadratic), so this module
lays the table out itself: it wraps each cell's text to its column (per character, which is how
Chinese wraps), fills a page until the next row no longer fits and draws the page straight onto the
canvas. Rows are consumed once, as they come. The page count M is not known while pages are drawn:
each page shows its "第 N 页 共 M 页" through a small PDF form (XObject) defined when the document is
complete — reportlab allows a form to be used before it is defined.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from core.resources import resource_path
from core.returns.model import (
    ProgressGate, ReturnTable, cell_text, footer_text, heading_groups, is_landscape,
    period_text, replaced_on_success, reporting_unit_text, stat_header_items,
)

FONT = "WQYMicroHei"
FONT_FILE = ("fonts", "wqy-microhei.ttc")
MARGIN_X = 34.0        # points (12 mm)
MARGIN_TOP = 34.0
MARGIN_BOTTOM = 42.0   # leaves room for the page number
PAGE_NUMBER_Y = 20.0
PAD_X, PAD_Y = 2.5, 2.0
LINE_WIDTH = 0.5
HEADING_GREY = 0.92
TITLE_SIZE, HEADER_SIZE, NOTE_SIZE = 16.0, 9.0, 8.5
DIGIT_EM = 0.55        # advance of a digit in WenQuanYi Micro Hei, in em
ALIGN = {"text": "left", "date": "center"}  # numbers: right
# Chinese typesetting never starts a line with closing punctuation nor ends one with opening
# punctuation (行首/行尾禁则): the break moves one character earlier.
NO_LINE_START = frozenset("，。、；：？！）》」』】〕〉”’%‰…,.;:?!)]}")
NO_LINE_END = frozenset("（《「『【〔〈“‘([{")


def render_pdf(table: ReturnTable, path, progress: Callable[[int], Any] | None = None) -> int:
    """Write ``table`` to ``path`` (.pdf); returns the number of data rows drawn.

    ``progress(done_rows)`` is called every 1000 rows; returning False cancels (RenderCancelled)
    and leaves no file behind.
    """
    _register_font()
    with replaced_on_success(path) as temp:
        page_size = _page_size(table)
        canvas = Canvas(str(temp), pagesize=page_size, initialFontName=FONT, initialFontSize=9)
        canvas.setTitle(table.title)
        canvas.setCreator("卫健台账")
        writer = _PageWriter(canvas, table, _Layout(table, _Metrics(), page_size))
        gate = ProgressGate(progress)
        written = writer.write_rows(table.rows, gate)
        writer.finish()
        gate.report(written)
        canvas.save()
    return written


def _register_font() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(resource_path(*FONT_FILE)), subfontIndex=0))


def _page_size(table: ReturnTable) -> tuple[float, float]:
    return landscape(A4) if is_landscape(table) else A4


# --- measuring and wrapping text ------------------------------------------------------------

class _CharWidths(dict):
    """Advance width of each character at size 1, looked up in the font once and then cached."""

    def __init__(self, face) -> None:
        super().__init__()
        self._face_widths = face.charWidths
        self._default = face.defaultWidth

    def __missing__(self, char: str) -> float:
        width = self[char] = self._face_widths.get(ord(char), self._default) / 1000.0
        return width


class _Metrics:
    def __init__(self) -> None:
        self._widths = _CharWidths(pdfmetrics.getFont(FONT).face)

    def width(self, text: str, size: float) -> float:
        return sum(map(self._widths.__getitem__, text)) * size

    def wrap(self, text: str, room: float, size: float) -> list[str]:
        """``text`` broken into lines no wider than ``room``: at line feeds, else between any two
        characters (Chinese has no spaces to break at; long digit strings break too)."""
        limit = room / size
        lines: list[str] = []
        for paragraph in text.split("\n"):
            lines += self._wrap_paragraph(paragraph, limit)
        return lines

    def _wrap_paragraph(self, text: str, limit: float) -> list[str]:
        widths = self._widths
        if sum(map(widths.__getitem__, text)) <= limit:
            return [text]
        lines, start, used = [], 0, 0.0
        for index, char in enumerate(text):
            advance = widths[char]
            if used + advance > limit and index > start:
                cut = _break_before(text, start, index)
                lines.append(text[start:cut])
                start, used = cut, sum(map(widths.__getitem__, text[cut:index]))
            used += advance
        lines.append(text[start:])
        return lines


def _break_before(text: str, start: int, index: int) -> int:
    """Where to break a line that would overflow at ``index``, respecting the punctuation rules."""
    cut = index
    while cut - 1 > start and (text[cut] in NO_LINE_START or text[cut - 1] in NO_LINE_END):
        cut -= 1   # e.g. 立案（件） never as 立案（ / 件）: both the 件 and the （ move down
    return cut


# --- page geometry --------------------------------------------------------------------------

@dataclass
class _Cell:
    """A heading cell: its box and its wrapped lines."""
    x: float
    y: float      # bottom
    width: float
    height: float
    lines: list[str]


class _Layout:
    """Where everything goes on a page of this table; the same for every page."""

    def __init__(self, table: ReturnTable, metrics: _Metrics, page_size: tuple[float, float]) -> None:
        self.page_width, self.page_height = page_size
        self.columns = table.columns
        usable = self.page_width - 2 * MARGIN_X
        total = sum(c.width for c in table.columns) or 1
        self.widths = [usable * c.width / total for c in table.columns]
        self.edges = [MARGIN_X]
        for width in self.widths:
            self.edges.append(self.edges[-1] + width)
        self.left, self.right = MARGIN_X, self.edges[-1]
        # One Column.width unit is about one digit: pick the size at which digits fill it.
        self.size = max(5.5, min(9.0, usable / total / DIGIT_EM * 0.9))   # 5.5 pt: a 1–9 月累计 MCH-MONTHLY fits A4
        self.leading = self.size * 1.25
        self.metrics = metrics
        self.header_top = self.page_height - MARGIN_TOP
        self.heading_top = self.header_top - self._title_block_height(table)
        self.heading_cells = self._heading_cells()
        self.body_top = min(c.y for c in self.heading_cells) if self.heading_cells else self.heading_top
        self.body_bottom = MARGIN_BOTTOM

    def _title_block_height(self, table: ReturnTable) -> float:
        height = TITLE_SIZE * 1.8 + HEADER_SIZE * 1.8
        if stat_header_items(table.header):
            height += HEADER_SIZE * 1.5
        return height

    def row_height(self, lines: int) -> float:
        return lines * self.leading + 2 * PAD_Y

    def cell_lines(self, texts: list[str]) -> list[list[str]]:
        wrap, size = self.metrics.wrap, self.size
        return [wrap(text, width - 2 * PAD_X, size) for text, width in zip(texts, self.widths)]

    def _heading_cells(self) -> list[_Cell]:
        if not self.columns:
            return []
        if not any(c.group for c in self.columns):
            lines = [self._wrap_heading(c.heading, i, i) for i, c in enumerate(self.columns)]
            height = self.row_height(max(map(len, lines)))
            return [self._heading_cell(i, i, self.heading_top - height, height, line)
                    for i, line in enumerate(lines)]
        return self._two_level_heading_cells()

    def _two_level_heading_cells(self) -> list[_Cell]:
        runs = heading_groups(self.columns)
        groups = [(g, a, b, self._wrap_heading(g, a, b)) for g, a, b in runs if g is not None]
        singles = [(a, self._wrap_heading(self.columns[a].heading, a, a)) for g, a, b in runs if g is None]
        members = [(i, self._wrap_heading(c.heading, i, i)) for i, c in enumerate(self.columns) if c.group]
        upper = self.row_height(max(len(lines) for *_, lines in groups))
        lower = self.row_height(max(len(lines) for _, lines in members))
        lower = max(lower, self.row_height(max([len(lines) for _, lines in singles] or [1])) - upper)
        top = self.heading_top
        cells = [self._heading_cell(a, b, top - upper, upper, lines) for _, a, b, lines in groups]
        cells += [self._heading_cell(i, i, top - upper - lower, lower, lines) for i, lines in members]
        cells += [self._heading_cell(a, a, top - upper - lower, upper + lower, lines) for a, lines in singles]
        return cells

    def _wrap_heading(self, text: str, first: int, last: int) -> list[str]:
        return self.metrics.wrap(text, self.edges[last + 1] - self.edges[first] - 2 * PAD_X, self.size)

    def _heading_cell(self, first: int, last: int, bottom: float, height: float, lines: list[str]) -> _Cell:
        return _Cell(self.edges[first], bottom, self.edges[last + 1] - self.edges[first], height, lines)


# --- drawing --------------------------------------------------------------------------------

class _PageWriter:
    """Draws pages one after another: the header block and headings, then rows while they fit."""

    def __init__(self, canvas: Canvas, table: ReturnTable, layout: _Layout) -> None:
        self.canvas = canvas
        self.table = table
        self.metrics = layout.metrics
        self.layout = layout
        self.alignments = [ALIGN.get(c.kind, "right") for c in table.columns]
        self.pages = 0
        self._text = None
        self._row_bottoms: list[float] = []
        self.y = 0.0

    # rows

    def write_rows(self, rows, gate: ProgressGate) -> int:
        layout = self.layout
        columns = layout.columns
        self._start_page(with_headings=True)
        written = 0
        for values in rows:
            texts = [cell_text(value, column) for value, column in zip(values, columns)]
            self._place_row(layout.cell_lines(texts))
            written += 1
            gate.row_done(written)
        if written == 0:
            self._draw_no_data()
        self._end_table_on_page()
        return written

    def _place_row(self, cells: list[list[str]]) -> None:
        layout = self.layout
        while True:
            lines = max(map(len, cells)) if cells else 1
            height = layout.row_height(lines)
            if self.y - height >= layout.body_bottom:
                self._draw_row(cells, lines, height)
                return
            if self._row_bottoms:           # the page has rows: continue on a new page
                self._next_page()
                continue
            # Taller than a whole page: draw what fits, carry the rest over.
            fits = max(1, int((self.y - layout.body_bottom - 2 * PAD_Y) // layout.leading))
            self._draw_row([c[:fits] for c in cells], fits, layout.row_height(fits))
            cells = [c[fits:] for c in cells]
            self._next_page()

    def _draw_row(self, cells: list[list[str]], lines: int, height: float) -> None:
        layout, text, width_of = self.layout, self._text, self.metrics.width
        size, leading = layout.size, layout.leading
        top = self.y
        first_baseline = top - PAD_Y - _baseline_offset(size, leading)
        for cell, align, left, right in zip(cells, self.alignments, layout.edges, layout.edges[1:]):
            if not cell or cell == [""]:
                continue
            baseline = first_baseline - (lines - len(cell)) * leading / 2
            for line in cell:
                if align == "left":
                    x = left + PAD_X
                elif align == "right":
                    x = right - PAD_X - width_of(line, size)
                else:
                    x = (left + right - width_of(line, size)) / 2
                text.setTextOrigin(x, baseline)
                text.textOut(line)
                baseline -= leading
        self.y = top - height
        self._row_bottoms.append(self.y)

    def _draw_no_data(self) -> None:
        layout = self.layout
        height = layout.row_height(1)
        baseline = self.y - PAD_Y - _baseline_offset(layout.size, layout.leading)
        self._text.setTextOrigin((layout.left + layout.right - self.metrics.width("（无数据）", layout.size)) / 2,
                                 baseline)
        self._text.textOut("（无数据）")
        self.canvas.setLineWidth(LINE_WIDTH)
        self.canvas.rect(layout.left, self.y - height, layout.right - layout.left, height)
        self.y -= height

    # pages

    def _start_page(self, with_headings: bool) -> None:
        self.pages += 1
        self._draw_title_block()
        self.y = self.layout.heading_top
        if with_headings:
            self._draw_headings()
            self.y = self.layout.body_top
        self._new_text()
        self._row_bottoms = []

    def _new_text(self) -> None:
        """All text of a page's rows goes into one text object: far cheaper than a drawString each."""
        self._text = self.canvas.beginText()
        self._text.setFont(FONT, self.layout.size)

    def _next_page(self) -> None:
        self._end_table_on_page()
        self._finish_page()
        self._start_page(with_headings=True)

    def _end_table_on_page(self) -> None:
        """Draw this page's text and grid: a line under each row, column rules down to the last row."""
        canvas, layout = self.canvas, self.layout
        canvas.drawText(self._text)
        self._new_text()
        if not self._row_bottoms:
            return
        bottom = self._row_bottoms[-1]
        rules = [(layout.left, y, layout.right, y) for y in self._row_bottoms]
        rules += [(x, layout.body_top, x, bottom) for x in layout.edges]
        canvas.setLineWidth(LINE_WIDTH)
        canvas.lines(rules)

    def _finish_page(self) -> None:
        self.canvas.doForm(f"page-number-{self.pages}")
        self.canvas.showPage()

    def finish(self) -> None:
        """Notes and the signature footer under the table (on a fresh page if they don't fit),
        then the page numbers, now that the number of pages is known."""
        paragraphs = [(note, NOTE_SIZE) for note in self.table.notes]
        paragraphs.append((footer_text(self.table.header), HEADER_SIZE))
        lines = [(line, size) for text, size in paragraphs
                 for line in self.metrics.wrap(text, self.layout.right - self.layout.left, size)]
        needed = 6 + sum(size * 1.5 for _, size in lines)
        if self.y - needed < self.layout.body_bottom:
            self._finish_page()
            self._start_page(with_headings=False)
        self._draw_paragraph_lines(lines)
        self.canvas.drawText(self._text)
        self._finish_page()
        self._define_page_numbers()

    def _draw_paragraph_lines(self, lines: list[tuple[str, float]]) -> None:
        y = self.y - 6
        text = self._text
        for line, size in lines:
            y -= size * 1.5
            text.setFont(FONT, size)
            text.setTextOrigin(self.layout.left, y + size * 0.35)
            text.textOut(line)
        self.y = y

    def _define_page_numbers(self) -> None:
        """Each page's "第 N 页 共 M 页". The spaces are widened a little (word spacing): with plain
        spaces between Chinese characters, text extraction (pdftotext -layout) drops them."""
        canvas, layout = self.canvas, self.layout
        word_space = HEADER_SIZE * 0.25
        for page in range(1, self.pages + 1):
            label = f"第 {page} 页 共 {self.pages} 页"
            width = self.metrics.width(label, HEADER_SIZE) + label.count(" ") * word_space
            canvas.beginForm(f"page-number-{page}", 0, 0, layout.page_width, MARGIN_BOTTOM)
            text = canvas.beginText((layout.page_width - width) / 2, PAGE_NUMBER_Y)
            text.setFont(FONT, HEADER_SIZE)
            text.setWordSpace(word_space)
            text.textOut(label)
            canvas.drawText(text)
            canvas.endForm()

    # the header block and headings, on every page

    def _draw_title_block(self) -> None:
        canvas, layout, table = self.canvas, self.layout, self.table
        room = layout.right - layout.left
        y = layout.header_top - TITLE_SIZE
        _draw_bold_centred(canvas, table.title, (layout.left + layout.right) / 2, y,
                           self._fitting_size(table.title, TITLE_SIZE, room))
        y -= TITLE_SIZE * 0.8
        items = stat_header_items(table.header)
        if items:
            y -= HEADER_SIZE * 1.5
            line = "　　".join(items)
            canvas.setFont(FONT, self._fitting_size(line, HEADER_SIZE, room))
            canvas.drawRightString(layout.right, y, line)
        y -= HEADER_SIZE * 1.8
        unit, period = reporting_unit_text(table), period_text(table)
        canvas.setFont(FONT, self._fitting_size(unit + "　　" + period, HEADER_SIZE, room))
        canvas.drawString(layout.left, y + HEADER_SIZE * 0.6, unit)
        canvas.drawRightString(layout.right, y + HEADER_SIZE * 0.6, period)

    def _fitting_size(self, text: str, size: float, room: float) -> float:
        """``size``, or smaller if ``text`` would not fit in one line of ``room``."""
        width = self.metrics.width(text, size)
        return size if width <= room else size * room / width

    def _draw_headings(self) -> None:
        canvas, layout = self.canvas, self.layout
        canvas.setLineWidth(LINE_WIDTH)
        canvas.setFillGray(HEADING_GREY)
        for cell in layout.heading_cells:
            canvas.rect(cell.x, cell.y, cell.width, cell.height, stroke=1, fill=1)
        canvas.setFillGray(0)
        canvas.setFont(FONT, layout.size)
        for cell in layout.heading_cells:
            self._draw_centred_lines(cell)

    def _draw_centred_lines(self, cell: _Cell) -> None:
        layout = self.layout
        block = len(cell.lines) * layout.leading
        baseline = cell.y + (cell.height + block) / 2 - _baseline_offset(layout.size, layout.leading)
        for line in cell.lines:
            self.canvas.drawCentredString(cell.x + cell.width / 2, baseline, line)
            baseline -= layout.leading


def _baseline_offset(size: float, leading: float) -> float:
    """From the top of a line box to the baseline, centring the glyphs (ascent .77 em, descent .24 em)."""
    return (leading - size * 1.01) / 2 + size * 0.77


def _draw_bold_centred(canvas: Canvas, text: str, x: float, y: float, size: float) -> None:
    """WenQuanYi Micro Hei has no bold face: fill and stroke the glyphs to embolden them."""
    canvas.saveState()
    canvas.setFont(FONT, size)
    canvas.setLineWidth(size * 0.03)
    obj = canvas.beginText()
    obj.setTextRenderMode(2)
    obj.setFont(FONT, size)
    obj.setTextOrigin(x - pdfmetrics.stringWidth(text, FONT, size) / 2, y)
    obj.textOut(text)
    canvas.drawText(obj)
    canvas.restoreState()
