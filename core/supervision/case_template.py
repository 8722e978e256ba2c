"""下载导入模板 for case ledgers (案件台账): the columns ``import cases`` reads (``case_import.CASES``), with
drop-downs for 专业类别 and 案件来源, text format on the number columns (文号, 统一社会信用代码/身份证号,
执法证号), date format on the stage dates, and a 填写说明 sheet. Written by ``core.imports.template``, as
the roster's template is.
"""
from __future__ import annotations

from pathlib import Path

from core.imports.template import TemplateSpec
from core.imports.template import write_template as write_workbook
from core.supervision.case_import import CASES
from core.supervision.codes import CATEGORIES, PENALTY_KINDS, SOURCES

SHEET = "案件台账"
KEYS = tuple(f.key for f in CASES.fields)
WIDTHS = {"seq": 6, "number": 22, "cause": 30, "category": 14, "source": 14, "party_name": 24, "party_code": 22,
          "party_address": 24, "legal_rep": 10, "officers": 16, "certificates": 22, "filed_on": 12, "decided_on": 12,
          "served_on": 12, "closed_on": 12, "penalty_kinds": 18, "fine": 10, "confiscated": 10, "note": 20}
NOTES = (
    "一行填写一件案件。表头保持在第一行，列名不要改动；列的顺序可以调整，不需要的选填列可以删除。"
    "表头上方可以加标题行和“填报单位”行。",
    "案件编号（决定书文号）如 梨卫医罚〔2024〕12号；已有文号的案件再次导入时，内容相同的不重复登记，"
    "内容不同的不导入并写明哪些栏目不同（导入不会改动已登记的案件，如需更正请在程序中打开该案件修改）。"
    "没有文号的案件每导入一次就登记一件，请勿重复导入。",
    "专业类别和案件来源请从下拉列表中选择。处罚种类可填多项，用“、”分隔，如“警告、罚款”，可填："
    + "、".join(PENALTY_KINDS.values()) + "。",
    "承办人至少两名，姓名之间用“、”分隔；执法证号与承办人顺序相同。旧台账没有执法证号的，导入后标为“待补充”。",
    "日期可写成 2024-03-01、2024.3.1、2024年3月1日 或 20240301，须具体到日；决定、送达、结案日期不能早于立案日期。",
    "统一社会信用代码（单位）或身份证号（个人）、执法证号两列已设为“文本”格式。罚款金额、没收金额填数字（元）。",
    "表下方的“合计”行和“注：……”说明行导入时会自动跳过，空行也会跳过。",
    "有问题的行不会导入，程序会另存一个“……-未导入.xlsx”，逐行写明原因；改正后可以直接导入这个文件。",
)
SPEC = TemplateSpec(CASES, SHEET, "监督案件台账导入模板 · 填写说明", KEYS, NOTES,
                    text_columns=frozenset({"number", "party_code", "certificates"}),
                    date_columns=frozenset({"filed_on", "decided_on", "served_on", "closed_on"}), widths=WIDTHS)


def write_template(path: str | Path) -> Path:
    """Write the case ledger template to ``path``."""
    return write_workbook(path, SPEC, {"category": list(CATEGORIES.values()), "source": list(SOURCES.values())})


def write_template_for(_session, path: str | Path) -> Path:
    """The import wizard's signature (session, path); the choices do not depend on the database."""
    return write_template(path)
