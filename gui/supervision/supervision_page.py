"""卫生监督: the area's page — tabs 案件登记, 双随机抽查, 投诉举报 (declared in ``TABS`` as the subsidy page does).
A tab that fails to load shows an honest placeholder and the others keep working."""
from __future__ import annotations


from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from gui.context import AppContext
from gui.tabbed_page import TabSpec, add_tabs


TABS: list[TabSpec] = [
    TabSpec("案件登记", "gui.supervision.case_register:CaseRegister"),
    TabSpec("双随机抽查", "gui.supervision.tasks_view:TasksView"),
    TabSpec("投诉举报", "gui.supervision.complaints_view:ComplaintsView"),
]


class SupervisionPage(QWidget):
    help_topic = "supervision"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.tabs = QTabWidget()
        self.pages = add_tabs(self.ctx, self.tabs, TABS, self.help_topic)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        ctx.changes.changed.connect(self._changed)

    @property
    def register(self):
        return self.pages["案件登记"]


    def _changed(self, what: str) -> None:
        if what == "all":
            self.refresh()

    def refresh(self) -> None:
        for page in self.pages.values():
            if hasattr(page, "refresh"):
                page.refresh()

    def show_tab(self, title: str) -> None:
        self.tabs.setCurrentWidget(self.pages[title])
