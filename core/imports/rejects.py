"""The rejects workbook (未导入的行): the header and each refused line as it was in the file, plus 原因
(why, naming the column) and 原行号 (its row in the original). A person corrects the lines in it and
imports this file again — the two added columns are not read by the import.

openpyxl write-only mode streams the rows; text is always written as text, never as a formula, even
when it begins with ``=`` (see DECISIONS.md "Returns").
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from core.errors import DataError

REASON, ROW_NUMBER = "原因", "原行号"
REASON_WIDTH = 70
_FORMULA_LIKE = ("=", "+", "-", "@", "#")


@dataclass
class Rejected:
    number: int          # Excel row number in the original file
    cells: list          # the row as read
    reason: str          # Chinese, "；"-joined, each naming its column


def default_rejects_path(source: str | Path) -> Path:
    """``花名册.xlsx`` → ``花名册-未导入.xlsx`` beside it."""
    source = Path(source)
    return source.with_name(f"{source.stem}-未导入.xlsx")


def write_rejects(path: str | Path, headings: list[str], rejected: Iterable[Rejected],
                  sheet_title: str = "未导入") -> Path:
    path = Path(path)
    try:
        return _write(path, headings, rejected, sheet_title)
    except OSError as e:
        raise DataError(f"无法写入未导入行文件“{path}”：{e.strerror or e}。请检查该文件是否正在 Excel/WPS 中打开，"
                        "或换一个保存位置。") from e


def _write(path: Path, headings: list[str], rejected: Iterable[Rejected], sheet_title: str) -> Path:
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    from core.returns.model import replaced_on_success
    with replaced_on_success(path) as temp:
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(sheet_title[:31])
        for index in range(1, len(headings) + 1):
            sheet.column_dimensions[get_column_letter(index)].width = 16
        sheet.column_dimensions[get_column_letter(len(headings) + 1)].width = REASON_WIDTH
        sheet.freeze_panes = "A2"
        _fit_to_width(sheet)
        sheet.append(_header_cells(sheet, [*headings, REASON, ROW_NUMBER]))
        for number, row in enumerate(rejected, start=2):
            _fit_height(sheet, number, row.reason)
            sheet.append([*(_cell(sheet, v) for v in row.cells), _text_cell(sheet, row.reason, wrap=True), row.number])
        workbook.save(temp)
    return path


def _fit_to_width(sheet) -> None:
    """Printed (to go through with the villages), it fits the page width, landscape, header repeated."""
    from openpyxl.worksheet.properties import PageSetupProperties
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = 9   # A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_title_rows = "1:1"


def _fit_height(sheet, row: int, reason: str) -> None:
    """A long reason wraps in its column; LibreOffice does not grow the row by itself, so set its height
    (a Chinese character is two width units, as in GBK)."""
    lines = math.ceil(len(reason.encode("gbk", errors="replace")) / (REASON_WIDTH - 2))
    if lines > 1:
        sheet.row_dimensions[row].height = 15 * lines


def _header_cells(sheet, texts: list[str]) -> list:
    from openpyxl.styles import Font, PatternFill
    cells = []
    for text in texts:
        cell = _text_cell(sheet, text)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="FDE9D9" if text == REASON else "EDEDED")
        cells.append(cell)
    return cells


def _cell(sheet, value):
    """Numbers and dates as they were; text that could be taken for a formula as explicit text."""
    if value.__class__ is str:
        return _text_cell(sheet, value) if value.startswith(_FORMULA_LIKE) else (_legal(value) or None)
    if value.__class__ is bool:
        return "是" if value else "否"
    return value


def _text_cell(sheet, text: str, wrap: bool = False):
    from openpyxl.cell import WriteOnlyCell
    cell = WriteOnlyCell(sheet, value=_legal(text))
    cell.data_type = "s"
    if wrap:
        from openpyxl.styles import Alignment
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    return cell


def _legal(text: str) -> str:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    return ILLEGAL_CHARACTERS_RE.sub("", text)
