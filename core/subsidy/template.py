"""下载导入模板: the roster template (DOMAIN.md §3 columns) with a 填写说明 sheet.

The 花名册 sheet has the header in row 1, text format on the number columns (so Excel keeps 18-digit ID
numbers and bank accounts as typed instead of turning them into 2.20322E+17), and drop-down lists for
the columns with fixed choices (this county's townships, the programmes, 性别, 户口性质, 状态, 退出原因).
The lists live on a hidden sheet, so the import never takes them for a table.
"""
from __future__ import annotations

import math
from pathlib import Path

from sqlalchemy.orm import Session

from core.subsidy.recipients import EXIT_REASONS, HUKOU, SEXES
from core.subsidy.roster_import import CHILD_KEYS, ROSTER, TEMPLATE_KEYS

SHEET, HELP_SHEET, LISTS_SHEET = "花名册", "填写说明", "选项"
TEXT_COLUMNS = {"id_number", "account_no", "phone", "spouse_id_number"}
DATE_COLUMNS = {"birth_date", "exit_date"}
WIDTHS = {"seq": 6, "name": 10, "sex": 6, "id_number": 22, "birth_date": 12, "ethnicity": 8, "township": 14,
          "village": 14, "hukou": 10, "phone": 14, "program": 30, "first_year": 12, "bank_name": 18,
          "account_no": 24, "status": 8, "exit_reason": 16, "exit_date": 12, "note": 20}
STATUS_CHOICES = ["享受中", "已退出", "申请中"]
HELP_WIDTH = 90
TEMPLATE_ROWS = 2000   # rows given text formats and drop-downs
GENERAL_NOTES = [
    "一行填写一个扶助对象；夫妻二人各填一行。同一人享受两个项目时，每个项目各填一行。",
    "表头保持在第一行，列名不要改动；列的顺序可以调整，不需要的选填列可以删除。表头上方可以加标题行和“填报单位”行。",
    "公民身份号码、银行账号、联系电话这几列已设为“文本”格式，请直接输入或“粘贴为数值”。"
    "如果号码显示成 2.20322E+17 这样的科学计数法，说明末几位已经丢失，必须从原始档案重新录入。",
    "日期可写成 1958-03-12、1958.3.12、1958年3月12日 或 19580312。",
    "乡镇（街道）填本县的乡镇名称，带不带“镇”“乡”都可以；村（居）填村或社区名称。",
    "已在往年确认享受的对象，请填写“首次确认年度”或把状态填为“享受中”：表中没有的信息（如特别扶助对象的子女情况）"
    "导入后标为“待补充”，以后在程序中补齐，不会因此不导入。",
    "需要时可在表的右侧加子女信息列（一行填一个子女）：子女姓名、子女性别、子女出生日期、子女状况（存活/死亡/伤残）、"
    "残疾等级、残疾证号、子女死亡日期；还可加“配偶身份号码”“户籍地址”“婚姻状况”列。",
    "表下方的“合计”“小计”行和“注：……”说明行导入时会自动跳过，空行也会跳过。",
    "导入时有问题的行不会导入，程序会另存一个“……-未导入.xlsx”，逐行写明原因；改正后可以直接导入这个文件。"
    "同一个文件导入两次不会重复登记。",
]


def write_template(path: str | Path, *, townships: list[str] | None = None, programs: list[str] | None = None) -> Path:
    """Write the template to ``path``; ``townships``/``programs``: the choices offered in drop-downs."""
    from openpyxl import Workbook
    path = Path(path)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    _write_header(sheet)
    lists = workbook.create_sheet(LISTS_SHEET)
    _add_choices(sheet, lists, {"township": townships or [], "program": programs or [], "sex": SEXES, "hukou": HUKOU,
                                "status": STATUS_CHOICES, "exit_reason": EXIT_REASONS})
    lists.sheet_state = "hidden"
    help_sheet = workbook.create_sheet(HELP_SHEET, 1)
    _write_help(help_sheet)
    for printed in (sheet, help_sheet):
        _fit_to_width(printed)
    workbook.save(path)
    return path


def write_template_for(session: Session, path: str | Path) -> Path:
    """The template with this installation's townships and programmes in the drop-downs."""
    from core import orgunits
    from core.subsidy.programmes import list_programs
    towns = [u.name for u in orgunits.townships(session)]
    return write_template(path, townships=towns, programs=[p.name for p in list_programs(session)])


def _fit_to_width(sheet) -> None:
    from openpyxl.worksheet.properties import PageSetupProperties
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)


def _write_header(sheet) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    required_fill = PatternFill("solid", fgColor="FCE4D6")
    for index, key in enumerate(TEMPLATE_KEYS, start=1):
        f = ROSTER.field(key)
        cell = sheet.cell(row=1, column=index, value=f.label)
        cell.font, cell.fill = bold, required_fill if f.required else fill
        cell.alignment = Alignment(horizontal="center", vertical="center")
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = WIDTHS.get(key, 12)
        if key in TEXT_COLUMNS or key in DATE_COLUMNS:
            number_format = "@" if key in TEXT_COLUMNS else "yyyy-mm-dd"
            for row in range(2, TEMPLATE_ROWS + 2):
                sheet.cell(row=row, column=index).number_format = number_format
    sheet.freeze_panes = "C2"


def _add_choices(sheet, lists, choices: dict[str, list[str]]) -> None:
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation
    for list_index, (key, values) in enumerate(choices.items(), start=1):
        if not values:
            continue
        letter = get_column_letter(list_index)
        lists.cell(row=1, column=list_index, value=f"{ROSTER.field(key).label}选项")
        for row, value in enumerate(values, start=2):
            lists.cell(row=row, column=list_index, value=value)
        target = get_column_letter(TEMPLATE_KEYS.index(key) + 1)
        rule = DataValidation(type="list", formula1=f"'{LISTS_SHEET}'!${letter}$2:${letter}${len(values) + 1}",
                              allow_blank=True, showErrorMessage=key not in ("township", "program"))
        rule.error, rule.errorTitle = "请从下拉列表中选择。", "输入有误"
        rule.add(f"{target}2:{target}{TEMPLATE_ROWS + 1}")
        sheet.add_data_validation(rule)


def _write_help(sheet) -> None:
    from openpyxl.styles import Alignment, Font
    wrap = Alignment(wrap_text=True, vertical="top")
    sheet.column_dimensions["A"].width = 18
    sheet.column_dimensions["B"].width = 10
    sheet.column_dimensions["C"].width = HELP_WIDTH
    sheet.append(["扶助对象花名册导入模板 · 填写说明"])
    sheet["A1"].font = Font(bold=True, size=14)
    for number, note in enumerate(GENERAL_NOTES, start=1):
        sheet.append([f"{number}."])
        _wrapped(sheet, note, wrap)
    sheet.append([])
    sheet.append(["列名", "是否必填", "怎么填（也认得的其他列名）"])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for key in (*TEMPLATE_KEYS, *CHILD_KEYS, "spouse_id_number", "address", "marital"):
        f = ROSTER.field(key)
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
