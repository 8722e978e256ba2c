"""修改密码: the logged-in user changes their own password (core.users.change_own_password)."""
from __future__ import annotations

from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget)

from core import users
from core.errors import DataError, UserFacingError
from gui.context import AppContext
from gui.operations import run_op, show_error

ERROR_STYLE = "color: #b00020;"
OK_STYLE = "color: #1b7f3b;"


def password_problem(password: str) -> str | None:
    """The core's rule as a sentence, or None when the password is acceptable."""
    try:
        users.check_password_rules(password)
    except DataError as e:
        return e.message
    return None


class ChangePasswordDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.changed = False
        self.setWindowTitle("修改密码")
        self.setMinimumWidth(460)

        self.old_edit = QLineEdit()
        self.new_edit = QLineEdit()
        self.again_edit = QLineEdit()
        for e in (self.old_edit, self.new_edit, self.again_edit):
            e.setEchoMode(QLineEdit.EchoMode.Password)
        self.new_hint = QLabel(f"至少 {users.MIN_PASSWORD} 位，同时包含字母和数字。")
        self.again_hint = QLabel("")
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setStyleSheet(ERROR_STYLE)

        form = QFormLayout()
        form.addRow(QLabel(f"用户：{ctx.actor.display_name}（{ctx.actor.username}）"))
        old_label, new_label, again_label = QLabel("原密码(&O)："), QLabel("新密码(&N)："), QLabel("再次输入(&A)：")
        old_label.setBuddy(self.old_edit)
        new_label.setBuddy(self.new_edit)
        again_label.setBuddy(self.again_edit)
        form.addRow(old_label, self.old_edit)
        form.addRow(new_label, self.new_edit)
        form.addRow("", self.new_hint)
        form.addRow(again_label, self.again_edit)
        form.addRow("", self.again_hint)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("修改(&S)")
        self.ok_button.setDefault(True)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

        self.new_edit.textChanged.connect(self._check_new)
        self.again_edit.textChanged.connect(self._check_again)
        if ctx.actor.user_id is None:
            self.message.setText("只有登录的用户才能修改自己的密码。")
            self.ok_button.setEnabled(False)

    def _check_new(self) -> None:
        problem = password_problem(self.new_edit.text())
        if not self.new_edit.text():
            self.new_hint.setStyleSheet("")
            self.new_hint.setText(f"至少 {users.MIN_PASSWORD} 位，同时包含字母和数字。")
        elif problem:
            self.new_hint.setStyleSheet(ERROR_STYLE)
            self.new_hint.setText(problem)
        else:
            self.new_hint.setStyleSheet(OK_STYLE)
            self.new_hint.setText("✓ 密码符合要求")
        self._check_again()

    def _check_again(self) -> None:
        again = self.again_edit.text()
        if not again:
            self.again_hint.setText("")
        elif again != self.new_edit.text():
            self.again_hint.setStyleSheet(ERROR_STYLE)
            self.again_hint.setText("两次输入的新密码不一致。")
        else:
            self.again_hint.setStyleSheet(OK_STYLE)
            self.again_hint.setText("✓ 一致")

    def submit(self) -> None:
        old, new, again = self.old_edit.text(), self.new_edit.text(), self.again_edit.text()
        if not old:
            self.message.setText("请输入原密码。")
            self.old_edit.setFocus()
            return
        problem = password_problem(new)
        if problem:
            self.message.setText(problem)
            self.new_edit.setFocus()
            return
        if new != again:
            self.message.setText("两次输入的新密码不一致。")
            self.again_edit.setFocus()
            return
        if new == old:
            self.message.setText("新密码不能与原密码相同。")
            self.new_edit.setFocus()
            return
        self.message.setText("")
        self.ok_button.setEnabled(False)
        db, actor = self.ctx.db, self.ctx.actor

        def work(_progress):
            with db.session(actor) as session:
                users.change_own_password(session, actor, old, new)

        run_op(self, work, on_done=self._done, on_failed=self._failed, label="正在修改密码……")

    def _done(self, _result) -> None:
        self.changed = True
        self.ctx.changes.changed.emit("app_user")
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.ok_button.setEnabled(True)
        if isinstance(error, UserFacingError):
            self.message.setText(error.message)
            if "原密码" in error.message:
                self.old_edit.selectAll()
                self.old_edit.setFocus()
        else:
            show_error(self, error)
