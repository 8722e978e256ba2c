"""Dialogs for user accounts: add / edit (role, name, active, township limits) and reset password.

Rules (password strength, user names, the last administrator) are core's: the fields show
core.users' own messages as you type, and a refusal on save is shown inside the dialog.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QCheckBox, QComboBox, QLabel, QLineEdit, QListWidget, QListWidgetItem,
                               QWidget)

from core.access import ROLE_LABELS, Role
from core.errors import DataError
from core.orgunits import UnitRow
from core.users import UserRow, check_password_rules
from gui.dialogs.orgunit_dialog import FormDialog

ROLE_HINTS = {
    Role.CLERK: "录入员：录入和修改数据、导出报表；可限定只管某些乡镇。",
    Role.SUPERVISOR: "审核员：另可审核、解锁已审核的数据、查看审计日志。",
    Role.ADMIN: "管理员：全部权限，包括用户、组织机构、备份与恢复。",
}


@dataclass(frozen=True)
class UserValues:
    user_id: int | None            # None: a new user
    username: str
    display_name: str
    role: Role
    active: bool
    townships: list[str]           # township codes (录入员 only; empty = all townships)
    password: str | None           # new users only
    expected_version: int | None


@dataclass(frozen=True)
class PasswordValues:
    user_id: int
    password: str


def _password_problem(password: str, again: str) -> str | None:
    try:
        check_password_rules(password)
    except DataError as e:
        return e.message
    if password != again:
        return "两次输入的密码不一致。"
    return None


class TownshipList(QListWidget):
    """A checkable list of townships (a county has a few dozen)."""

    def __init__(self, townships: Sequence[UnitRow], checked: Sequence[str] = (), parent=None):
        super().__init__(parent)
        for t in townships:
            item = QListWidgetItem(f"{t.name}（{t.code}）")
            item.setData(Qt.ItemDataRole.UserRole, t.code)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if t.code in checked else Qt.CheckState.Unchecked)
            self.addItem(item)
        self.setMinimumHeight(160)

    def checked_codes(self) -> list[str]:
        return [self.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.count())
                if self.item(i).checkState() == Qt.CheckState.Checked]

    def set_checked(self, codes: Sequence[str]) -> None:
        for i in range(self.count()):
            item = self.item(i)
            item.setCheckState(Qt.CheckState.Checked if item.data(Qt.ItemDataRole.UserRole) in codes
                               else Qt.CheckState.Unchecked)


class UserDialog(FormDialog):
    def __init__(self, townships: Sequence[UnitRow], on_save: Callable[[UserValues], Any],
                 user: UserRow | None = None, parent: QWidget | None = None):
        super().__init__("修改用户" if user else "新增用户", on_save, parent)
        self.user = user
        self.username = QLineEdit(user.username if user else "")
        self.username.setEnabled(user is None)   # a user name never changes (the audit refers to it)
        self.username.setMaxLength(32)
        self.username.setPlaceholderText("登录用的名字，如 zhangsan")
        self.display_name = QLineEdit(user.display_name if user else "")
        self.display_name.setMaxLength(50)
        self.role = QComboBox()
        for role in (Role.CLERK, Role.SUPERVISOR, Role.ADMIN):
            self.role.addItem(ROLE_LABELS[role], role)
        self.role.setCurrentIndex(self.role.findData(user.role if user else Role.CLERK))
        self.role_hint = QLabel()
        self.role_hint.setWordWrap(True)
        self.role_hint.setMinimumWidth(380)
        self.setMinimumWidth(520)
        self.add_field("用户名(&U)：", self.username)
        self.add_field("姓名(&N)：", self.display_name)
        self.add_field("角色(&R)：", self.role)
        self.form.addRow("", self.role_hint)
        self.active = QCheckBox("账号有效(&A)")
        self.active.setChecked(user.active if user else True)
        self.password = self.again = None
        if user is None:
            self.password = QLineEdit()
            self.password.setEchoMode(QLineEdit.EchoMode.Password)
            self.password.setPlaceholderText("至少 8 位，含字母和数字")
            self.again = QLineEdit()
            self.again.setEchoMode(QLineEdit.EchoMode.Password)
            self.add_field("初始密码(&P)：", self.password)
            self.add_field("再输一次：", self.again)
        else:
            self.form.addRow("", self.active)
        self.townships = TownshipList(townships, user.townships if user else ())
        self.townships.setToolTip("只对录入员有效；都不勾选表示可处理全县所有乡镇。")
        self.add_field("限定乡镇：", self.townships)
        self.role.currentIndexChanged.connect(self._role_changed)
        self._role_changed()
        (self.display_name if user else self.username).setFocus()

    def _role_changed(self) -> None:
        role = Role(self.role.currentData())  # Qt hands a str Enum back as str
        self.role_hint.setText(ROLE_HINTS[role])
        self.townships.setEnabled(role is Role.CLERK)

    def check(self) -> dict[QWidget, str]:
        problems: dict[QWidget, str] = {}
        if not self.username.text().strip():
            problems[self.username] = "请填写用户名。"
        if self.password is not None:
            problem = _password_problem(self.password.text(), self.again.text())
            if problem:
                problems[self.password] = problem
        return problems

    def values(self) -> UserValues:
        role = Role(self.role.currentData())  # Qt hands a str Enum back as str
        return UserValues(
            user_id=self.user.id if self.user else None,
            username=self.username.text().strip(),
            display_name=self.display_name.text().strip(),
            role=role,
            active=self.active.isChecked(),
            townships=self.townships.checked_codes() if role is Role.CLERK else [],
            password=self.password.text() if self.password is not None else None,
            expected_version=self.user.version if self.user else None,
        )


class PasswordDialog(FormDialog):
    def __init__(self, user: UserRow, on_save: Callable[[PasswordValues], Any], parent: QWidget | None = None):
        super().__init__("重设密码", on_save, parent)
        self.user = user
        self.add_info("用户：", f"{user.display_name}（{user.username}）")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("至少 8 位，含字母和数字")
        self.again = QLineEdit()
        self.again.setEchoMode(QLineEdit.EchoMode.Password)
        self.add_field("新密码(&P)：", self.password)
        self.add_field("再输一次：", self.again)
        note = QLabel("重设后账号同时解锁。请把新密码当面告诉本人，并请其登录后自行修改。")
        note.setWordWrap(True)
        self.form.addRow("", note)
        self.password.setFocus()

    def check(self) -> dict[QWidget, str]:
        problem = _password_problem(self.password.text(), self.again.text())
        return {self.password: problem} if problem else {}

    def values(self) -> PasswordValues:
        return PasswordValues(self.user.id, self.password.text())
