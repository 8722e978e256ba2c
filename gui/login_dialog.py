"""登录: username and password, checked by ``core.users.login`` off the GUI thread (Argon2 takes a
moment). Failures (wrong password, locked, inactive) are shown in the dialog, in the core's words."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
                               QVBoxLayout, QWidget)

from core import users
from core.access import Actor
from core.database import Database, describe_url
from core.errors import UserFacingError
from core.paths import load_local_settings, save_local_settings
from core.resources import resource_path
from gui.operations import run_op, show_error

LAST_USERNAME_KEY = "last_username"
DEMO_ACCOUNTS = "演示账号：admin（管理员）、shenhe（审核员）、luru（录入员），密码均为 demo1234。"


def remember_username(username: str) -> None:
    try:
        values = load_local_settings()
        if values.get(LAST_USERNAME_KEY) != username:
            values[LAST_USERNAME_KEY] = username
            save_local_settings(values)
    except OSError:
        pass  # a read-only data folder must not stop a login


class LoginDialog(QDialog):
    def __init__(self, db: Database, *, county_name: str = "", is_demo: bool = False,
                 username: str | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.actor: Actor | None = None
        self._busy = False
        self.setWindowTitle("登录 — 卫健台账")
        self.setWindowIcon(QIcon(str(resource_path("icons", "app.svg"))))
        self.setMinimumWidth(440)

        title = QLabel("卫健台账")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        title.setFont(font)
        where = county_name + ("（演示数据）" if is_demo else "")
        subtitle = QLabel(f"{where} · 请登录" if where else "请登录")
        subtitle.setStyleSheet("color: #444;")
        logo = QLabel()
        logo.setPixmap(QIcon(str(resource_path("icons", "app.svg"))).pixmap(48, 48))
        titles = QVBoxLayout()
        titles.setSpacing(2)
        titles.addWidget(title)
        titles.addWidget(subtitle)
        head = QHBoxLayout()
        head.setSpacing(12)
        head.addWidget(logo)
        head.addLayout(titles, 1)

        self.username_edit = QLineEdit()
        self.username_edit.setMaxLength(32)
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        user_label, password_label = QLabel("用户名(&U)："), QLabel("密码(&P)：")
        user_label.setBuddy(self.username_edit)
        password_label.setBuddy(self.password_edit)
        form = QFormLayout()
        form.addRow(user_label, self.username_edit)
        form.addRow(password_label, self.password_edit)

        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020;")
        self.message.setAccessibleName("登录提示")

        self.demo_hint = QLabel(DEMO_ACCOUNTS)
        self.demo_hint.setWordWrap(True)
        self.demo_hint.setStyleSheet("QLabel { background: #fff4e0; color: #5c3b00; border: 1px solid #f0c987;"
                                     " border-radius: 4px; padding: 6px; }")
        self.demo_hint.setVisible(is_demo)

        self.database_label = QLabel(f"数据库：{describe_url(db.url)}")
        self.database_label.setWordWrap(True)
        self.database_label.setStyleSheet("color: #666; font-size: small;")
        self.database_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.buttons = QDialogButtonBox()
        self.login_button = self.buttons.addButton("登录(&L)", QDialogButtonBox.ButtonRole.AcceptRole)
        self.quit_button = self.buttons.addButton("退出(&Q)", QDialogButtonBox.ButtonRole.RejectRole)
        self.login_button.setDefault(True)
        self.login_button.setAutoDefault(True)
        self.quit_button.setAutoDefault(False)
        self.login_button.clicked.connect(self.try_login)
        self.quit_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addLayout(head)
        layout.addSpacing(6)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.demo_hint)
        layout.addWidget(self.buttons)
        layout.addWidget(self.database_label)

        remembered = username if username is not None else load_local_settings().get(LAST_USERNAME_KEY, "")
        self.username_edit.setText(remembered or "")
        (self.password_edit if remembered else self.username_edit).setFocus()
        self.setTabOrder(self.username_edit, self.password_edit)
        self.setTabOrder(self.password_edit, self.login_button)
        self.setTabOrder(self.login_button, self.quit_button)

    def try_login(self) -> None:
        if self._busy:
            return
        username, password = self.username_edit.text().strip(), self.password_edit.text()
        if not username:
            self.message.setText("请输入用户名。")
            self.username_edit.setFocus()
            return
        if not password:
            self.message.setText("请输入密码。")
            self.password_edit.setFocus()
            return
        self._set_busy(True)
        self.message.setStyleSheet("color: #555;")
        self.message.setText("正在登录……")
        db = self.db
        run_op(self, lambda _p: users.login(db, username, password), on_done=self._logged_in,
               on_failed=self._failed, label="正在登录……")

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for w in (self.username_edit, self.password_edit, self.login_button):
            w.setEnabled(not busy)

    def _logged_in(self, actor: Actor) -> None:
        self._set_busy(False)
        self.actor = actor
        self.message.setText("")
        remember_username(actor.username)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self._set_busy(False)
        self.message.setStyleSheet("color: #b00020;")
        if isinstance(error, UserFacingError):
            self.message.setText(error.message)
        else:
            self.message.setText("登录时出现内部错误。")
            show_error(self, error, "登录未完成")
        self.password_edit.selectAll()
        self.password_edit.setFocus()
