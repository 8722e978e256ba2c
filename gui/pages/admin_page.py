"""系统管理: tabs for 组织机构, 用户, 审计日志, 备份与恢复, 节假日安排.

A tab the actor's role may not use is shown disabled with a tooltip saying why; that is courtesy
only — the core services refuse the work themselves.
"""
from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from core.access import PERMISSION_LABELS, Permission
from gui.context import AppContext
from gui.pages.audit_page import AuditPage
from gui.pages.backup_page import BackupPage
from gui.pages.holidays_page import HolidaysPage
from gui.pages.orgunits_page import OrgUnitsPage
from gui.pages.users_page import UsersPage


class AdminPage(QWidget):
    help_topic = "admin"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.tabs = QTabWidget()
        self.orgunits = OrgUnitsPage(ctx)
        self.users = UsersPage(ctx)
        self.audit = AuditPage(ctx)
        self.backup = BackupPage(ctx)
        self.holidays = HolidaysPage(ctx)
        # (page, title, permission needed to use the tab; None = everyone may look)
        self._tabs = [(self.orgunits, "组织机构(&O)", None),
                      (self.users, "用户(&U)", Permission.MANAGE_USERS),
                      (self.audit, "审计日志(&L)", Permission.VIEW_AUDIT),
                      (self.backup, "备份与恢复(&K)", Permission.BACKUP),
                      # everyone may look (deadlines are counted on it); only administrators change it
                      (self.holidays, "节假日安排(&H)", None)]
        for page, title, permission in self._tabs:
            i = self.tabs.addTab(page, title)
            if permission is not None and not ctx.actor.can(permission):
                self.tabs.setTabEnabled(i, False)
                self.tabs.setTabToolTip(i, f"当前用户“{ctx.actor.display_name}”（{ctx.actor.role.label}）"
                                           f"无权{PERMISSION_LABELS[permission]}。")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        # Each tab subscribes to ctx.changes.changed itself and refreshes only what it shows.

    def refresh(self) -> None:
        for page, _title, _perm in self._tabs:
            page.refresh()

    def show_tab(self, name: str) -> None:
        """``orgunits`` / ``users`` / ``audit`` / ``backup`` / ``holidays`` (e.g. from the main window's menu)."""
        page = getattr(self, name)
        self.tabs.setCurrentWidget(page)
