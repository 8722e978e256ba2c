"""导入 (扶助对象): the roster's use of the one import wizard (``gui/imports/import_wizard.py``) with
``core.subsidy.roster_import.ROSTER_IMPORTER`` — the wizard itself knows nothing of rosters — and the 导入 tab
of the area page (what the import does, and the two ways in: the wizard and the template).
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from core.access import Permission
from core.imports import MappingMemory
from core.subsidy.roster_import import ROSTER_IMPORTER
from gui.context import AppContext
from gui.imports import import_wizard as generic
from gui.imports.import_wizard import NOT_IMPORTED, bold_label

__all__ = ["NOT_IMPORTED", "ImportTab", "ImportWizard", "template_dialog", "write_template"]


class ImportWizard(generic.ImportWizard):
    """导入扶助对象花名册."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, memory: MappingMemory | None = None):
        super().__init__(ctx, ROSTER_IMPORTER, parent, memory)

    def program(self) -> str | None:
        return self.choice()


def write_template(ctx: AppContext, path: Path) -> Path:
    """The standard roster template with this installation's townships and programmes."""
    return generic.write_template(ctx, ROSTER_IMPORTER, path)


def template_dialog(ctx: AppContext, parent: QWidget, on_written=None) -> None:
    generic.template_dialog(ctx, ROSTER_IMPORTER, parent, on_written)


class ImportTab(QWidget):
    """导入 tab: what the import does, and the two ways in (the wizard, the template)."""

    help_topic = "subsidy.html#import"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.wizard: ImportWizard | None = None
        title = bold_label(QLabel("从 Excel 花名册导入扶助对象"), 1.3)
        text = QLabel(
            "可以导入本程序的导入模板，也可以直接导入乡镇报来的 Excel/WPS 花名册：\n"
            "· 表头上方的标题行、填报单位行，表格下方的合计行和说明行会自动跳过；\n"
            "· “身份证号”“一卡通账号”“乡（镇）”等各种列名都能认出，认错的可以改，改过的会记住；\n"
            "· 日期可以写成 1958.03.12、1958-3-12、1958年3月12日、19580312；全角数字、空格、小写 x 都能处理；\n"
            "· 被 Excel 变成科学计数法（如 2.20322E+17）的身份证号末几位已丢失，无法恢复，会列为未导入并说明原因；\n"
            "· 先试导入（不改动数据库）看结果，再正式导入；中途取消则什么也不导入；\n"
            "· 不能导入的行连同“原因”另存为一个工作簿，改正后可再次导入；已登记且未变的人不会重复导入。")
        text.setWordWrap(True)
        self.start_button = QPushButton("开始导入(&I)…")
        self.start_button.clicked.connect(self.open_wizard)
        self.start_button.setEnabled(ctx.actor.can(Permission.EDIT_DATA))
        self.template_button = QPushButton("下载导入模板(&T)…")
        self.template_button.clicked.connect(lambda: template_dialog(ctx, self, self._template_written))
        self.note = QLabel()
        self.note.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.start_button)
        row.addWidget(self.template_button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(text)
        layout.addSpacing(8)
        layout.addLayout(row)
        layout.addWidget(self.note)
        layout.addStretch(1)

    def _template_written(self, path: Path) -> None:
        self.note.setText(f"已保存导入模板：{path}")

    def open_wizard(self) -> ImportWizard:
        self.wizard = ImportWizard(self.ctx, self)
        self.wizard.finished.connect(lambda _r: setattr(self, "wizard", None))
        self.wizard.open()
        return self.wizard
