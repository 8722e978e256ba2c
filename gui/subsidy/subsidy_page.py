"""扶助对象: the area's page — tabs for the roster and the yearly work, and 项目与标准.

Tabs are declared in ``TABS``: adding one (or replacing a placeholder) is one line naming the
widget's module and class; the class is built with the ``AppContext``. A tab that fails to load
shows an honest placeholder and the others keep working.
"""
from __future__ import annotations

import logging

from PySide6.QtWidgets import QPushButton, QTabWidget, QVBoxLayout, QWidget

from gui.context import AppContext
from gui.tabbed_page import TabSpec, add_tabs

log = logging.getLogger(__name__)


TABS: list[TabSpec] = [
    TabSpec("花名册", "gui.subsidy.roster_view:RosterView"),
    TabSpec("年度确认", "gui.subsidy.year_wizard:YearWizard"),
    TabSpec("资金发放", "gui.subsidy.payroll_view:PayrollView"),
    TabSpec("导入", "gui.subsidy.import_wizard:ImportTab"),
]


class SubsidyPage(QWidget):
    help_topic = "subsidy"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.active_dialog = None
        self.tabs = QTabWidget()
        self.pages = add_tabs(self.ctx, self.tabs, TABS, self.help_topic)
        self.programmes_button = QPushButton("项目与标准…")
        self.programmes_button.setToolTip("扶助项目的条件和各年度扶助标准（管理员可修改）")
        self.programmes_button.clicked.connect(self.open_programmes)
        self.tabs.setCornerWidget(self.programmes_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)

    @property
    def roster(self):
        return self.pages["花名册"]


    def refresh(self) -> None:
        for page in self.pages.values():
            if hasattr(page, "refresh"):
                page.refresh()

    def show_tab(self, title: str) -> None:
        self.tabs.setCurrentWidget(self.pages[title])

    def open_programmes(self) -> None:
        from gui.subsidy.programmes_dialog import ProgrammesDialog
        dialog = ProgrammesDialog(self.ctx, self)
        self.active_dialog = dialog
        dialog.finished.connect(lambda _r: setattr(self, "active_dialog", None))
        dialog.open()
