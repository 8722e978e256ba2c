"""A return as an .xlsx workbook: the statistical header, column headings, data, notes and footer,
set up to print on A4 (fit to width, headings repeated on every page).

openpyxl's write-only mode streams rows to disk, so 100,000-row rosters need little memory. Each
column has one pre-styled cell that is reused for every row (see ``_StreamingSheet``): styling
cell by cell through the public API costs ~1.7x a bare dump, this way ~1.1x.
"""
from __future__ import annotations

import math
import re
from datetime import date, datetime
from typing import Any, Callable

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import IllegalCharacterError
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from core.returns.model import (
    Column, ProgressGate, ReturnTable, footer_text, heading_groups, is_landscape, period_text,
    replaced_on_success, reporting_unit_text, stat_header_items,
)

# The font named in every cell. Chosen: 宋体 (SimSun), the face of printed statistical returns,
# present on every Chinese Windows, where Excel and WPS open these files. LibreOffice on Linux has
# no SimSun and substitutes whatever CJK face fontconfig offers (on a machine with only
# fonts-wqy-microhei that is WenQuanYi Micro Hei; with Noto CJK installed it may pick the
# Japanese cut). Naming "WenQuanYi Micro Hei" instead would look right on Linux but name a font
# Windows users don't have, so Excel would silently substitute there.
FONT_NAME = "宋体"

NUMBER_FORMATS = {"int": "0", "date": "yyyy-mm-dd", "text": "@"}
HORIZONTAL = {"text": "left", "date": "center"}  # numbers: right
THIN = Side(style="thin")
GRID = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADING_FILL = PatternFill("solid", fgColor="EDEDED")
POINTS_PER_LINE = {9: 12.0, 10: 13.5, 16: 24.0}


def render_xlsx(table: ReturnTable, path, progress: Callable[[int], Any] | None = None) -> int:
    """Write ``table`` to ``path`` (.xlsx); returns the number of data rows written.

    ``progress(done_rows)`` is called every 1000 rows; returning False cancels (RenderCancelled)
    and leaves no file behind.
    """
    with replaced_on_success(path) as temp:
        workbook = Workbook(write_only=True)
        sheet = _StreamingSheet(workbook, _sheet_title(table.title))
        workbook._add_sheet(sheet)
        try:
            written = _write_sheet(sheet, table, ProgressGate(progress))
            workbook.save(temp)
        except BaseException:
            _discard(sheet)
            raise
    return written


def _write_sheet(sheet: "_StreamingSheet", table: ReturnTable, gate: ProgressGate) -> int:
    columns = table.columns
    _set_column_widths(sheet, columns)
    _set_up_printing(sheet, table)
    last_heading_row = _title_block_rows(table) + (2 if any(c.group for c in columns) else 1)
    sheet.print_title_rows = f"1:{last_heading_row}"
    sheet.freeze_panes = f"A{last_heading_row + 1}"  # set before the first append: written with it
    _write_title_block(sheet, table)
    _write_headings(sheet, columns)
    assert sheet.rows_written == last_heading_row
    written = sheet.append_data(table.rows, columns, gate)
    if written == 0:
        _write_no_data_row(sheet, len(columns))
    _write_notes_and_footer(sheet, table)
    gate.report(written)
    return written


# --- sheet set-up ---------------------------------------------------------------------------

def _sheet_title(title: str) -> str:
    cleaned = re.sub(r"[\[\]:*?/\\]", "", title).strip()
    return cleaned[:31] or "报表"


def _set_column_widths(sheet, columns: list[Column]) -> None:
    for index, column in enumerate(columns, 1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width


def _set_up_printing(sheet, table: ReturnTable) -> None:
    setup = sheet.page_setup
    setup.paperSize = Worksheet.PAPERSIZE_A4
    setup.orientation = "landscape" if is_landscape(table) else "portrait"
    setup.fitToWidth = 1
    setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_options.horizontalCentered = True
    margins = sheet.page_margins
    margins.left = margins.right = 0.4
    margins.top, margins.bottom, margins.footer = 0.5, 0.6, 0.3
    sheet.oddFooter.center.text = "第 &P 页 共 &N 页"
    sheet.oddFooter.center.size = 9


# --- the rows above and below the data ------------------------------------------------------

def _title_block_rows(table: ReturnTable) -> int:
    """Title, the 表号… line when there is one, 填报单位/报告期."""
    return 3 if stat_header_items(table.header) else 2


def _write_title_block(sheet, table: ReturnTable) -> None:
    count = len(table.columns)
    total_width = sum(c.width for c in table.columns)
    title = _styled(sheet, table.title, Font(name=FONT_NAME, size=16, bold=True),
                    Alignment(horizontal="center", vertical="center", wrap_text=True))
    sheet.append_merged([title], [(1, count)], height=_estimated_lines(table.title, total_width / 1.6) * 24 + 6)
    items = stat_header_items(table.header)
    if items:
        # One line when the table is wide enough, else stacked the traditional way, one per line.
        text = "　　".join(items)
        if _display_units(text) > total_width:
            text = "\n".join(items)
        line = _styled(sheet, text, _font(9), Alignment(horizontal="right", vertical="center", wrap_text=True))
        height = _estimated_lines(text, total_width) * POINTS_PER_LINE[9] + 3
        sheet.append_merged([line], [(1, count)], height=height)
    _write_unit_and_period(sheet, table, count)


def _write_unit_and_period(sheet, table: ReturnTable, count: int) -> None:
    unit, period = reporting_unit_text(table), period_text(table)
    widths = [c.width for c in table.columns]
    if count == 1:
        cell = _styled(sheet, f"{unit}\n{period}", _font(10), Alignment(horizontal="left", wrap_text=True))
        sheet.append_merged([cell], [], height=_estimated_lines(cell.value, widths[0]) * POINTS_PER_LINE[10] + 4)
        return
    split = max(1, count // 2)
    left = _styled(sheet, unit, _font(10), Alignment(horizontal="left", vertical="center", wrap_text=True))
    right = _styled(sheet, period, _font(10), Alignment(horizontal="right", vertical="center", wrap_text=True))
    lines = max(_estimated_lines(unit, sum(widths[:split])), _estimated_lines(period, sum(widths[split:])))
    cells = [left] + [None] * (split - 1) + [right]
    sheet.append_merged(cells, [(1, split), (split + 1, count)], height=lines * POINTS_PER_LINE[10] + 4)


def _write_no_data_row(sheet, count: int) -> None:
    cells = [_styled(sheet, "（无数据）", _font(10), Alignment(horizontal="center"), GRID)]
    cells += [_styled(sheet, None, _font(10), border=GRID) for _ in range(count - 1)]
    sheet.append_merged(cells, [(1, count)], height=POINTS_PER_LINE[10] + 6)


def _write_notes_and_footer(sheet, table: ReturnTable) -> None:
    count = len(table.columns)
    total_width = sum(c.width for c in table.columns)
    for note in table.notes:
        _append_paragraph(sheet, note, count, total_width, size=9)
    _append_paragraph(sheet, footer_text(table.header), count, total_width, size=10)


def _append_paragraph(sheet, text: str, count: int, total_width: float, size: int) -> None:
    """A line of text across the whole table width, wrapped; merged cells don't grow by
    themselves, so the row height is set from an estimate of the wrapped lines."""
    cell = _styled(sheet, text, _font(size), Alignment(horizontal="left", vertical="top", wrap_text=True))
    lines = _estimated_lines(text, total_width)
    sheet.append_merged([cell], [(1, count)], height=lines * POINTS_PER_LINE[size] + 4)


# --- column headings ------------------------------------------------------------------------

def _write_headings(sheet, columns: list[Column]) -> None:
    if not any(c.group for c in columns):
        cells = [_heading_cell(sheet, c.heading) for c in columns]
        sheet.append_merged(cells, [], height=_heading_height([(c.heading, c.width) for c in columns]))
    else:
        _write_two_level_headings(sheet, columns)


def _write_two_level_headings(sheet, columns: list[Column]) -> None:
    """Group names merged across their columns above; ungrouped headings merged down both rows."""
    upper, lower, spans, standalone = [], [], [], []
    for group, first, last in heading_groups(columns):
        members = columns[first:last + 1]
        if group is None:
            upper.append(_heading_cell(sheet, members[0].heading))
            lower.append(_heading_cell(sheet, None))
            standalone.append(first + 1)
        else:
            upper += [_heading_cell(sheet, group)] + [_heading_cell(sheet, None) for _ in members[1:]]
            lower += [_heading_cell(sheet, c.heading) for c in members]
            spans.append((first + 1, last + 1))
    top = sheet.rows_written + 1
    upper_height = _heading_height([(columns[a - 1].group, sum(c.width for c in columns[a - 1:b]))
                                    for a, b in spans])
    lower_height = _heading_height([(c.heading, c.width) for c in columns if c.group])
    standalone_height = _heading_height([(columns[i - 1].heading, columns[i - 1].width) for i in standalone])
    lower_height = max(lower_height, standalone_height - upper_height)
    sheet.append_merged(upper, spans, height=upper_height)
    sheet.append_merged(lower, [], height=lower_height)
    for index in standalone:
        letter = get_column_letter(index)
        sheet.merged_cells.add(f"{letter}{top}:{letter}{top + 1}")


def _heading_cell(sheet, text: str | None) -> Cell:
    return _styled(sheet, text, _font(10, bold=True),
                   Alignment(horizontal="center", vertical="center", wrap_text=True), GRID, HEADING_FILL)


def _heading_height(texts: list[tuple[str, float]]) -> float:
    lines = max([_estimated_lines(text, width) for text, width in texts] or [1])
    return lines * POINTS_PER_LINE[10] + 6


# --- cells ----------------------------------------------------------------------------------

def _font(size: int, bold: bool = False) -> Font:
    return Font(name=FONT_NAME, size=size, bold=bold)


def _styled(sheet, value, font: Font, alignment: Alignment | None = None,
            border: Border | None = None, fill: PatternFill | None = None) -> Cell:
    cell = Cell(sheet, row=1, column=1)
    if value is not None:
        _assign_text(cell, value)
    cell.font = font
    if alignment is not None:
        cell.alignment = alignment
    if border is not None:
        cell.border = border
    if fill is not None:
        cell.fill = fill
    return cell


def _assign_text(cell: Cell, text: str) -> None:
    """Text stays text: never a formula (=…) or an error value (#N/A), whatever it begins with."""
    try:
        cell.value = text
    except IllegalCharacterError:
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", text)
    cell.data_type = "s"


def _estimated_lines(text: str, width: float) -> int:
    """Lines ``text`` takes wrapped in ``width`` Excel character units (a CJK character is two)."""
    usable = max(width, 1)
    return sum(max(1, math.ceil(_display_units(line) / usable)) for line in text.split("\n"))


def _display_units(text: str) -> int:
    """Width in Excel character units: GBK happens to encode a Chinese character (or full-width
    punctuation) in two bytes and ASCII in one, so its length is the width, measured in C."""
    return len(text.encode("gbk", errors="replace"))


def _data_cell(sheet, index: int, column: Column) -> "_FixedStyleCell":
    cell = _FixedStyleCell(sheet, row=1, column=index)
    cell.font = _font(10)
    cell.border = GRID
    cell.number_format = _number_format(column)
    cell.alignment = Alignment(horizontal=HORIZONTAL.get(column.kind, "right"), vertical="center",
                               wrap_text=column.kind == "text")
    cell.style_id_cached = sheet.parent._cell_styles.add(cell._style)
    return cell


def _number_format(column: Column) -> str:
    if column.kind in NUMBER_FORMATS:
        return NUMBER_FORMATS[column.kind]
    decimals = "." + "0" * column.decimals if column.decimals > 0 else ""
    if column.kind in ("percent", "rate"):  # the value is already 98.5 for 98.5 %: no "%" format
        return "0" + decimals
    return "#,##0" + decimals


def _coerce(cell: Cell, value: Any, column: Column, number_format: str) -> None:
    """The rare values openpyxl would not store as we want: text that looks like a formula or an
    error value, booleans, dates outside date columns."""
    kind = cell.data_type
    if kind in ("f", "e"):
        cell.data_type = "s"
    elif kind == "b":
        cell.value = "是" if value else "否"
    elif kind == "d" and column.kind != "date":
        cell.number_format = number_format  # openpyxl switched it to a date format: restore
        cell.value = value.isoformat() if isinstance(value, (date, datetime)) else str(value)


class _FixedStyleCell(Cell):
    """A cell whose style is fixed once, so writing it needn't look its style up again."""
    __slots__ = ("style_id_cached",)
    has_style = True

    @property
    def style_id(self) -> int:
        return self.style_id_cached


class _StreamingSheet(WriteOnlyWorksheet):
    """A write-only sheet that turns each appended list of values into the column's pre-styled cells.

    ``WriteOnlyWorksheet._values_to_row`` is the hook openpyxl 3.1 calls for every appended row;
    ours yields one reused cell per column (rows are written out as soon as they are appended).
    """

    def __init__(self, parent, title):
        super().__init__(parent, title)
        self.rows_written = 0
        self._column_cells: list[_FixedStyleCell] | None = None
        self._columns: list[Column] = []
        self._formats: list[str] = []

    def append_merged(self, cells: list, spans: list[tuple[int, int]], height: float | None = None) -> None:
        """Append a row of ready cells and merge the given (first, last) column spans in it."""
        row = self.rows_written + 1
        if height is not None:
            self.row_dimensions[row].height = height
        self._column_cells = None
        self.append(cells)
        self.rows_written = row
        for first, last in spans:
            if last > first:
                self.merged_cells.add(f"{get_column_letter(first)}{row}:{get_column_letter(last)}{row}")

    def append_data(self, rows, columns: list[Column], gate: ProgressGate) -> int:
        self._columns = columns
        self._formats = [_number_format(c) for c in columns]
        cells = [_data_cell(self, i, c) for i, c in enumerate(columns, 1)]
        wrapping = [(i, c.width) for i, c in enumerate(columns) if c.kind == "text"]
        written = 0
        for values in rows:
            self._set_wrapped_height(self.rows_written + written + 1, values, wrapping)
            self._column_cells = cells
            self.append(values)
            written += 1
            gate.row_done(written)
        self.rows_written += written
        self._column_cells = None
        return written

    def _set_wrapped_height(self, row: int, values, wrapping: list[tuple[int, float]]) -> None:
        """Give a row with text too long for its column the height of its wrapped lines: LibreOffice
        does not fit row heights itself when it opens the file."""
        lines, count = 1, len(values)
        for index, width in wrapping:
            value = values[index] if index < count else None
            if value.__class__ is str and (len(value) * 2 > width or "\n" in value):  # may not fit
                lines = max(lines, _estimated_lines(value, width))
        if lines > 1:
            self.row_dimensions[row].height = lines * POINTS_PER_LINE[10] + 3

    def _values_to_row(self, values, row_idx):
        if self._column_cells is None:
            yield from super()._values_to_row(values, row_idx)
            return
        for cell, value, column, number_format in zip(self._column_cells, values, self._columns, self._formats):
            try:
                cell.value = value
            except IllegalCharacterError:
                cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
            except ValueError:  # a type Excel doesn't know (UUID, Enum …): its text
                _assign_text(cell, str(value))
            if cell.data_type != "n" and cell.data_type != "s":
                _coerce(cell, value, column, number_format)
            cell.row = row_idx
            yield cell


def _discard(sheet: WriteOnlyWorksheet) -> None:
    """Remove openpyxl's temporary sheet file after a cancelled or failed export."""
    rows, writer = getattr(sheet, "_rows", None), getattr(sheet, "_writer", None)
    if writer is None:
        return
    try:
        if rows is not None:
            rows.close()  # ends the open <sheetData> element cleanly
        writer.close()
        writer.cleanup()
    except Exception:  # noqa: BLE001 - best effort; openpyxl also removes it at exit
        pass
