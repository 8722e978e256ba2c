"""A return as an .xlsx workbook: the statistical header, column headings, data, notes and footer,
set up to print on A4 (fit to width, headings repeated on every page).

openpyxl's write-only mode writes the sheet around the data; the data rows themselves are written
as SpreadsheetML text to a side file and spliced in (see ``_DataRowWriter``), so 100,000-row rosters
need little memory and take about half the time of a bare xlsxwriter dump of the same cells.
"""
from __future__ import annotations

import math
import re
import shutil
import tempfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import IllegalCharacterError
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from lxml import etree
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


def _data_style_id(sheet, column: Column) -> int:
    """The workbook's style id for a data cell of ``column`` (font, grid, number format, alignment)."""
    cell = Cell(sheet, row=1, column=1)
    cell.font = _font(10)
    cell.border = GRID
    cell.number_format = _number_format(column)
    cell.alignment = Alignment(horizontal=HORIZONTAL.get(column.kind, "right"), vertical="center",
                               wrap_text=column.kind == "text")
    return sheet.parent._cell_styles.add(cell._style)


def _number_format(column: Column) -> str:
    if column.kind in NUMBER_FORMATS:
        return NUMBER_FORMATS[column.kind]
    decimals = "." + "0" * column.decimals if column.decimals > 0 else ""
    if column.kind in ("percent", "rate"):  # the value is already 98.5 for 98.5 %: no "%" format
        return "0" + decimals
    return "#,##0" + decimals


# --- the data rows, written as XML directly ---------------------------------------------------
#
# openpyxl builds an object and an lxml element for every cell, about four times the cost of a
# bare xlsxwriter dump. The data rows are plain (every cell of a column has the same style), so
# they are written as SpreadsheetML text into a side file and spliced into the sheet openpyxl
# writes around them (title, headings, notes, print set-up, merged cells all stay openpyxl's).

_EXCEL_EPOCH = date(1899, 12, 30).toordinal()
_XML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\n": "&#10;", "\r": "&#13;"})
_DATA_MARK = "wj-data-rows"


class _DataRowWriter:
    """Data rows as ``<row>`` elements in a temporary file, one line each, in sheet order."""

    def __init__(self, sheet, columns: list[Column], first_row: int):
        self.first_row = first_row
        self.columns = columns
        self.styles = [_data_style_id(sheet, c) for c in columns]
        self.letters = [get_column_letter(i) for i in range(1, len(columns) + 1)]
        self.empty = [f'<c r="{letter}%d" s="{style}"/>' for letter, style in zip(self.letters, self.styles)]
        self.wrapping = [(i, c.width) for i, c in enumerate(columns) if c.kind == "text"]
        self.file = tempfile.TemporaryFile("w+", encoding="utf-8", newline="\n")

    def write(self, index: int, values) -> None:
        row = self.first_row + index
        parts = []
        add = parts.append
        for letter, style, column, value in zip(self.letters, self.styles, self.columns, values):
            kind = value.__class__
            if kind is str and value:   # the common cases inline; the rest in _cell_xml
                if not value.isprintable() or "&" in value or "<" in value or ">" in value or value[0] == " " \
                        or value[-1] == " ":
                    add(_text_cell(f"{letter}{row}", style, value))
                else:
                    add(f'<c r="{letter}{row}" s="{style}" t="inlineStr"><is><t>{value}</t></is></c>')
            elif kind is int:
                add(f'<c r="{letter}{row}" s="{style}"><v>{value}</v></c>')
            else:
                add(_cell_xml(f"{letter}{row}", style, column, value))
        count = len(parts)
        if count < len(self.columns):
            parts += [self.empty[i] % row for i in range(count, len(self.columns))]
        lines = _wrapped_lines(values, self.wrapping)
        if lines > 1:
            self.file.write(f'<row r="{row}" ht="{lines * POINTS_PER_LINE[10] + 3}" customHeight="1">'
                            f"{''.join(parts)}</row>\n")
        else:
            self.file.write(f'<row r="{row}">{"".join(parts)}</row>\n')

    def close(self) -> None:
        self.file.close()


def _cell_xml(ref: str, style: int, column: Column, value) -> str:
    """One cell: text stays text (never a formula or an error value), numbers are numbers, dates are
    Excel serial numbers in date columns and ISO text elsewhere, 是/否 for booleans."""
    kind = value.__class__
    if value is None or value == "":
        return f'<c r="{ref}" s="{style}"/>'
    if kind is int or kind is Decimal or kind is float:
        if (kind is float and not math.isfinite(value)) or (kind is Decimal and not value.is_finite()):
            return _text_cell(ref, style, str(value))
        return f'<c r="{ref}" s="{style}"><v>{value}</v></c>'
    if kind is str:
        return _text_cell(ref, style, value)
    if kind is bool:
        return _text_cell(ref, style, "是" if value else "否")
    if kind is date and column.kind == "date":
        return f'<c r="{ref}" s="{style}"><v>{value.toordinal() - _EXCEL_EPOCH}</v></c>'
    if isinstance(value, (date, datetime)):
        return _text_cell(ref, style, value.isoformat())
    if isinstance(value, (int, float, Decimal)):
        return _cell_xml(ref, style, column, (float if isinstance(value, float) else int)(value)
                         if not isinstance(value, Decimal) else value)
    return _text_cell(ref, style, str(value))


def _text_cell(ref: str, style: int, text: str) -> str:
    if not text.isprintable():
        text = ILLEGAL_CHARACTERS_RE.sub("", text)
    text = text.translate(_XML_ESCAPES)
    space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() or "  " in text else ""
    return f'<c r="{ref}" s="{style}" t="inlineStr"><is><t{space}>{text}</t></is></c>'


def _wrapped_lines(values, wrapping: list[tuple[int, float]]) -> int:
    """Lines the row needs for text too long for its column: LibreOffice does not fit row heights
    itself when it opens the file."""
    lines, count = 1, len(values)
    for index, width in wrapping:
        value = values[index] if index < count else None
        if value.__class__ is str and ("\n" in value or len(value) * 2 > width and _display_units(value) > width):
            lines = max(lines, _estimated_lines(value, width))
    return lines


class _SkipRows:
    """Sent to the row writer: leave ``count`` row numbers for the spliced data rows."""

    def __init__(self, count: int):
        self.count = count


class _StreamingSheet(WriteOnlyWorksheet):
    """A write-only sheet whose data rows are written by ``_DataRowWriter`` and spliced in on close."""

    def __init__(self, parent, title):
        super().__init__(parent, title)
        self.rows_written = 0
        self._data: _DataRowWriter | None = None

    def append_merged(self, cells: list, spans: list[tuple[int, int]], height: float | None = None) -> None:
        """Append a row of ready cells and merge the given (first, last) column spans in it."""
        row = self.rows_written + 1
        if height is not None:
            self.row_dimensions[row].height = height
        self.append(cells)
        self.rows_written = row
        for first, last in spans:
            if last > first:
                self.merged_cells.add(f"{get_column_letter(first)}{row}:{get_column_letter(last)}{row}")

    def append_data(self, rows, columns: list[Column], gate: ProgressGate) -> int:
        data = self._data = _DataRowWriter(self, columns, self.rows_written + 1)
        written = 0
        for values in rows:
            data.write(written, values)
            written += 1
            gate.row_done(written)
        if written:
            self._get_writer()
            if self._rows is None:
                self._rows = self._write_rows()
                next(self._rows)
            self._rows.send(_SkipRows(written))
        self.rows_written += written
        return written

    def _write_rows(self):
        """openpyxl's row loop (WriteOnlyWorksheet._write_rows), plus the mark where data rows go."""
        try:
            xf = self._writer.xf.send(True)
        except StopIteration:
            self._already_saved()
        with xf.element("sheetData"):
            row_idx = 1
            try:
                while True:
                    row = (yield)
                    if row.__class__ is _SkipRows:
                        xf.write(etree.Comment(_DATA_MARK))
                        row_idx += row.count
                        continue
                    self._writer.write_row(xf, self._values_to_row(row, row_idx), row_idx)
                    row_idx += 1
            except GeneratorExit:
                pass
        self._writer.xf.send(None)

    def close(self):
        super().close()
        if self._data is not None:
            _splice(Path(self._writer.out), self._data)
            self._data.close()
            self._data = None


def _splice(sheet_xml: Path, data: _DataRowWriter) -> None:
    """Put the data rows where the mark is in openpyxl's (small) sheet XML, in place."""
    head, mark, tail = sheet_xml.read_text(encoding="utf-8").partition(f"<!--{_DATA_MARK}-->")
    if not mark:
        return
    data.file.seek(0)
    with sheet_xml.open("w", encoding="utf-8", newline="\n") as out:
        out.write(head)
        shutil.copyfileobj(data.file, out, 1 << 20)
        out.write(tail)


def _discard(sheet: WriteOnlyWorksheet) -> None:
    """Remove openpyxl's temporary sheet file after a cancelled or failed export."""
    rows, writer = getattr(sheet, "_rows", None), getattr(sheet, "_writer", None)
    if getattr(sheet, "_data", None) is not None:
        sheet._data.close()
    if writer is None:
        return
    try:
        if rows is not None:
            rows.close()  # ends the open <sheetData> element cleanly
        writer.close()
        writer.cleanup()
    except Exception:  # noqa: BLE001 - best effort; openpyxl also removes it at exit
        pass
