"""卫生监督: the area's page — tabs 案件登记, 双随机抽查, 投诉举报 (declared in ``TABS`` as the subsidy page does).
A tab that fails to load shows an honest placeholder and the others keep working."""
from __future__ import annotations

import importlib
import logging

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from gui.context import AppContext
from gui.pages.placeholder_page import PlaceholderPage
from gui.subsidy.subsidy_page import TabSpec

log = logging.getLogger(__name__)

TABS: list[TabSpec] = [
    TabSpec("案件登记", "gui.supervision.case_register:CaseRegister"),
    TabSpec("双随机抽查", "gui.supervision.tasks_view:TasksView"),
    TabSpec("投诉举报", "gui.supervision.tasks_view:ComplaintsView"),
]


class SupervisionPage(QWidget):
    help_topic = "supervision"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.tabs = QTabWidget()
        self.pages: dict[str, QWidget] = {}
        for spec in TABS:
            page = self._build(spec)
            self.pages[spec.title] = page
            self.tabs.addTab(page, spec.title)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        ctx.changes.changed.connect(self._changed)

    @property
    def register(self):
        return self.pages["案件登记"]

    def _build(self, spec: TabSpec) -> QWidget:
        if spec.widget is None:
            return PlaceholderPage(spec.title, spec.placeholder, help_topic=self.help_topic)
        module_name, _, class_name = spec.widget.partition(":")
        try:
            return getattr(importlib.import_module(module_name), class_name)(self.ctx)
        except Exception:  # noqa: BLE001 - one broken tab must not take the page down
            log.exception("supervision tab %s failed to load", spec.widget)
            from core.paths import logs_dir
            return PlaceholderPage(spec.title, f"“{spec.title}”加载时出错，详情已写入日志（{logs_dir()}）。"
                                   "其他功能不受影响。", badge="加载失败", help_topic=self.help_topic)

    def _changed(self, what: str) -> None:
        if what == "all":
            self.refresh()

    def refresh(self) -> None:
        for page in self.pages.values():
            if hasattr(page, "refresh"):
                page.refresh()

    def show_tab(self, title: str) -> None:
        self.tabs.setCurrentWidget(self.pages[title])
