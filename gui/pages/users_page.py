"""用户: the accounts of this installation; add, edit, reset password, unlock (core.users checks roles)."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QHBoxLayout, QHeaderView, QLabel, QMessageBox, QTableView,
                               QToolButton, QVBoxLayout, QWidget)

from core import orgunits, users
from core.access import Permission, Role
from core.errors import UserFacingError
from core.orgunits import UnitRow
from core.users import UserRow
from gui.context import AppContext
from gui.keyed_actions import keyed_action
from gui.dialogs.user_dialog import PasswordDialog, PasswordValues, UserDialog, UserValues
from gui.operations import show_error
from gui.table_models import RowsModel, TableColumn, error_label, read_only_rows, show_inline


def user_status(u: UserRow) -> str:
    if u.locked:
        return "已锁定"
    return "有效" if u.active else "停用"


class UsersPage(QWidget):
    help_topic = "admin"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.active_dialog = None
        self._townships: list[UnitRow] = []
        self._town_names: dict[str, str] = {}
        self.model = RowsModel([
            TableColumn("用户名", lambda u: u.username),
            TableColumn("姓名", lambda u: u.display_name),
            TableColumn("角色", lambda u: u.role.label),
            TableColumn("状态", user_status,
                        tooltip=lambda u: "连续输错密码被锁定，可“解锁”" if u.locked else None),
            TableColumn("限定乡镇", self._township_text, tooltip=self._township_text),
        ], self, muted=lambda u: not u.active)
        self.table = QTableView()
        self.table.setModel(self.model)
        read_only_rows(self.table)
        header = self.table.horizontalHeader()
        for col, width in ((0, 140), (1, 140), (2, 90), (3, 80)):
            header.resizeSection(col, width)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(lambda _i: self.edit_user())
        self.table.activated.connect(lambda _i: self.edit_user())  # Enter on a row

        self.message = error_label()
        self.act_add = self._action("新增用户", QKeySequence(Qt.Key.Key_Insert), self.add_user)
        self.act_edit = self._action("修改", QKeySequence(Qt.Key.Key_F2), self.edit_user)
        self.act_password = self._action("重设密码…", None, self.reset_password)
        self.act_unlock = self._action("解锁", None, self.unlock)
        buttons = QHBoxLayout()
        for act in (self.act_add, self.act_edit, self.act_password, self.act_unlock):
            btn = QToolButton()
            btn.setDefaultAction(act)
            btn.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            buttons.addWidget(btn)
        buttons.addStretch(1)
        self.count_label = QLabel()
        buttons.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.table.selectionModel().currentChanged.connect(lambda *_: self._update_actions())
        ctx.changes.changed.connect(self._on_changed)
        self.refresh()

    def _action(self, text: str, key: QKeySequence | None, slot) -> QAction:
        return keyed_action(self, text, key, slot)

    def _township_text(self, u: UserRow) -> str:
        if u.role is not Role.CLERK:
            return "—"
        if not u.townships:
            return "全县"
        return "、".join(self._town_names.get(c, c) for c in u.townships)

    # -- loading ---------------------------------------------------------------------------
    def _on_changed(self, what: str) -> None:
        if what in ("app_user", "org_unit", "all"):
            self.refresh()

    def refresh(self) -> None:
        current = self.current_user()
        try:
            with self.ctx.db.session(self.ctx.actor) as s:
                self._townships = orgunits.townships(s, include_closed=False)
                self._town_names = {t.code: t.name for t in orgunits.townships(s, include_closed=True)}
                rows = users.list_users(s, self.ctx.actor)
        except UserFacingError as e:
            self.model.set_rows([])
            show_inline(self.message, e.message)
            self._update_actions()
            return
        show_inline(self.message, None)
        self.model.set_rows(rows)
        self.count_label.setText(f"共 {len(rows)} 个账号")
        self.select_user(current.id if current else None)

    def select_user(self, user_id: int | None) -> None:
        rows = self.model.rows()
        i = next((n for n, u in enumerate(rows) if u.id == user_id), 0 if rows else -1)
        if i >= 0:
            self.table.selectRow(i)
            self.table.setCurrentIndex(self.model.index(i, 0))
        self._update_actions()

    def current_user(self) -> UserRow | None:
        idx = self.table.currentIndex()
        return self.model.row_at(idx.row()) if idx.isValid() else None

    def _update_actions(self) -> None:
        u = self.current_user()
        may = self.ctx.actor.can(Permission.MANAGE_USERS)
        self.act_edit.setEnabled(u is not None)
        self.act_password.setEnabled(u is not None)
        self.act_unlock.setEnabled(u is not None and u.locked)
        if not may:
            for act in (self.act_add, self.act_edit, self.act_password, self.act_unlock):
                act.setToolTip("当前用户无权管理用户（需要管理员）。")

    # -- actions ---------------------------------------------------------------------------
    def _open(self, dialog) -> None:
        self.active_dialog = dialog
        dialog.finished.connect(lambda _r: setattr(self, "active_dialog", None))
        dialog.open()

    def _save(self, work) -> Any:
        with self.ctx.db.session(self.ctx.actor) as s:
            result = work(s)
        self.ctx.changes.changed.emit("app_user")
        return result

    def add_user(self) -> None:
        self._open(UserDialog(self._townships, self.save_user, None, self))

    def edit_user(self) -> None:
        u = self.current_user()
        if u is not None:
            self._open(UserDialog(self._townships, self.save_user, u, self))

    def save_user(self, v: UserValues) -> UserRow:
        """What the dialog's 保存 does; raises core's Chinese refusal (shown in the dialog)."""
        actor = self.ctx.actor
        if v.user_id is None:
            row = self._save(lambda s: users.create_user(s, actor, v.username, v.display_name, v.role,
                                                         v.password or "", v.townships))
        else:
            before = next((u for u in self.model.rows() if u.id == v.user_id), None)
            # Only send the township limits when they changed (they are rows of their own).
            towns = None if before is not None and sorted(before.townships) == sorted(v.townships) else v.townships
            row = self._save(lambda s: users.update_user(s, actor, v.user_id, display_name=v.display_name,
                                                         role=v.role, active=v.active, townships=towns,
                                                         expected_version=v.expected_version))
        self.select_user(row.id)
        return row

    def reset_password(self) -> None:
        u = self.current_user()
        if u is not None:
            self._open(PasswordDialog(u, self.save_password, self))

    def save_password(self, v: PasswordValues) -> None:
        self._save(lambda s: users.reset_password(s, self.ctx.actor, v.user_id, v.password))

    def unlock(self) -> None:
        u = self.current_user()
        if u is None:
            return
        try:
            self._save(lambda s: users.unlock_user(s, self.ctx.actor, u.id))
        except UserFacingError as e:
            show_error(self, e, "未能解锁")
            return
        QMessageBox.information(self, "已解锁", f"账号“{u.username}”已解锁，可以重新登录。")
