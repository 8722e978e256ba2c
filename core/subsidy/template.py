"""下载导入模板: the roster template (DOMAIN.md §3 columns) with a 填写说明 sheet.

The 花名册 sheet has the header in row 1, text format on the number columns (so Excel keeps 18-digit ID
numbers and bank accounts as typed instead of turning them into 2.20322E+17), and drop-down lists for
the columns with fixed choices (this county's townships, the programmes, 性别, 户口性质, 状态, 退出原因).
The workbook is written by ``core.imports.template`` (shared with the case ledger's template).
"""
from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from core.imports.template import HELP_SHEET, HELP_WIDTH, LISTS_SHEET, TEMPLATE_ROWS, TemplateSpec
from core.imports.template import write_template as write_workbook
from core.subsidy.recipients import EXIT_REASONS, HUKOU, SEXES
from core.subsidy.roster_import import CHILD_KEYS, ROSTER, TEMPLATE_KEYS

SHEET = "花名册"
TEXT_COLUMNS = {"id_number", "account_no", "phone", "spouse_id_number"}
DATE_COLUMNS = {"birth_date", "exit_date"}
WIDTHS = {"seq": 6, "name": 10, "sex": 6, "id_number": 22, "birth_date": 12, "ethnicity": 8, "township": 14,
          "village": 14, "hukou": 10, "phone": 14, "program": 30, "first_year": 12, "bank_name": 18,
          "account_no": 24, "status": 8, "exit_reason": 16, "exit_date": 12, "note": 20}
STATUS_CHOICES = ["享受中", "已退出", "申请中"]
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


SPEC = TemplateSpec(ROSTER, SHEET, "扶助对象花名册导入模板 · 填写说明", TEMPLATE_KEYS, tuple(GENERAL_NOTES),
                    help_keys=(*CHILD_KEYS, "spouse_id_number", "address", "marital"),
                    text_columns=frozenset(TEXT_COLUMNS), date_columns=frozenset(DATE_COLUMNS), widths=WIDTHS,
                    open_lists=frozenset({"township", "program"}))


def write_template(path: str | Path, *, townships: list[str] | None = None, programs: list[str] | None = None,
                   exit_reasons: list[str] | None = None) -> Path:
    """Write the template to ``path``; ``townships``/``programs``/``exit_reasons``: the choices offered in
    drop-downs (the built-in exit reasons when not given)."""
    return write_workbook(path, SPEC, {"township": townships or [], "program": programs or [], "sex": SEXES,
                                       "hukou": HUKOU, "status": STATUS_CHOICES,
                                       "exit_reason": exit_reasons or EXIT_REASONS})


def write_template_for(session: Session, path: str | Path) -> Path:
    """The template with this installation's townships and programmes in the drop-downs."""
    from core import orgunits
    from core.subsidy.programmes import list_programs
    from core.subsidy.exit_reasons import exit_reasons
    towns = [u.name for u in orgunits.townships(session)]
    return write_template(path, townships=towns, programs=[p.name for p in list_programs(session)],
                          exit_reasons=exit_reasons(session))


__all__ = ["HELP_SHEET", "HELP_WIDTH", "LISTS_SHEET", "SHEET", "SPEC", "TEMPLATE_ROWS", "write_template",
           "write_template_for"]
