"""下载导入模板, for any import: a workbook whose first sheet has the standard header in row 1 (required
columns marked), text format on the number columns (so Excel keeps 18-digit numbers as typed instead of
2.20322E+17), date format on the date columns, drop-down lists for columns with fixed choices, and a
填写说明 sheet (general notes, then every column: required or not, how to fill it, the other headings the
import also recognises — taken from the ``Schema``, so the help never disagrees with the import).

The drop-down lists live on a hidden sheet, so the import never takes them for a table. Each import
describes its template with a ``TemplateSpec`` (``core/subsidy/template.py``, ``core/supervision/case_template.py``).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from core.imports.columns import Schema

HELP_SHEET, LISTS_SHEET = "填写说明", "选项"
HELP_WIDTH = 90
TEMPLATE_ROWS = 2000   # rows given text formats and drop-downs


@dataclass(frozen=True)
class TemplateSpec:
    schema: Schema
    sheet: str                                   # the data sheet: 花名册 / 案件台账
    title: str                                   # the 填写说明 heading
    keys: tuple[str, ...]                        # the template's columns, in order
    notes: tuple[str, ...]                       # general notes, numbered
    help_keys: tuple[str, ...] = ()              # more fields explained in 填写说明 (optional columns not in the template)
    text_columns: frozenset[str] = frozenset()
    date_columns: frozenset[str] = frozenset()
    widths: dict[str, int] = field(default_factory=dict)
    open_lists: frozenset[str] = frozenset()     # drop-downs that also accept other values (no error box)
    freeze: str = "C2"


def write_template(path: str | Path, spec: TemplateSpec, choices: dict[str, list[str]] | None = None) -> Path:
    """Write the template to ``path``; ``choices``: field key → the values offered in its drop-down."""
    from openpyxl import Workbook
    path = Path(path)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = spec.sheet
    _write_header(sheet, spec)
    lists = workbook.create_sheet(LISTS_SHEET)
    _add_choices(sheet, lists, spec, choices or {})
    lists.sheet_state = "hidden"
    help_sheet = workbook.create_sheet(HELP_SHEET, 1)
    _write_help(help_sheet, spec)
    for printed in (sheet, help_sheet):
        _fit_to_width(printed)
    workbook.save(path)
    return path


def _fit_to_width(sheet) -> None:
    from openpyxl.worksheet.properties import PageSetupProperties
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)


def _write_header(sheet, spec: TemplateSpec) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    required_fill = PatternFill("solid", fgColor="FCE4D6")
    for index, key in enumerate(spec.keys, start=1):
        f = spec.schema.field(key)
        cell = sheet.cell(row=1, column=index, value=f.label)
        cell.font, cell.fill = bold, required_fill if f.required else fill
        cell.alignment = Alignment(horizontal="center", vertical="center")
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = spec.widths.get(key, 12)
        if key in spec.text_columns or key in spec.date_columns:
            number_format = "@" if key in spec.text_columns else "yyyy-mm-dd"
            for row in range(2, TEMPLATE_ROWS + 2):
                sheet.cell(row=row, column=index).number_format = number_format
    sheet.freeze_panes = spec.freeze


def _add_choices(sheet, lists, spec: TemplateSpec, choices: dict[str, list[str]]) -> None:
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation
    for list_index, (key, values) in enumerate(choices.items(), start=1):
        if not values or key not in spec.keys:
            continue
        letter = get_column_letter(list_index)
        lists.cell(row=1, column=list_index, value=f"{spec.schema.field(key).label}选项")
        for row, value in enumerate(values, start=2):
            lists.cell(row=row, column=list_index, value=value)
        target = get_column_letter(spec.keys.index(key) + 1)
        rule = DataValidation(type="list", formula1=f"'{LISTS_SHEET}'!${letter}$2:${letter}${len(values) + 1}",
                              allow_blank=True, showErrorMessage=key not in spec.open_lists)
        rule.error, rule.errorTitle = "请从下拉列表中选择。", "输入有误"
        rule.add(f"{target}2:{target}{TEMPLATE_ROWS + 1}")
        sheet.add_data_validation(rule)


def _write_help(sheet, spec: TemplateSpec) -> None:
    from openpyxl.styles import Alignment, Font
    wrap = Alignment(wrap_text=True, vertical="top")
    sheet.column_dimensions["A"].width = 18
    sheet.column_dimensions["B"].width = 10
    sheet.column_dimensions["C"].width = HELP_WIDTH
    sheet.append([spec.title])
    sheet["A1"].font = Font(bold=True, size=14)
    for number, note in enumerate(spec.notes, start=1):
        sheet.append([f"{number}."])
        _wrapped(sheet, note, wrap)
    sheet.append([])
    sheet.append(["列名", "是否必填", "怎么填（也认得的其他列名）"])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for key in (*spec.keys, *spec.help_keys):
        f = spec.schema.field(key)
        also = f"（也认：{'、'.join(f.synonyms)}）" if f.synonyms else ""
        sheet.append([f.label, "必填" if f.required else ("不导入" if f.ignored else "选填")])
        _wrapped(sheet, f"{f.hint or ''}{also}", wrap)


def _wrapped(sheet, text: str, alignment) -> None:
    """Text in column C of the last row, wrapped; the row made tall enough (LibreOffice does not grow it)."""
    sheet.cell(row=sheet.max_row, column=3, value=text)
    for cell in sheet[sheet.max_row]:
        cell.alignment = alignment
    lines = math.ceil(len(text.encode("gbk", errors="replace")) / (HELP_WIDTH - 4)) or 1
    sheet.row_dimensions[sheet.max_row].height = 15 * lines
