"""退出原因: the reasons built into the program and the county's own (e.g. 服刑、失联). Administrators add
and remove the county's own; everyone else sees the list read-only (core refuses the change too). Each
change is one unit of work through core.subsidy.exit_reasons; a refusal is shown under the field."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QDialog, QHBoxLayout, QLabel, QLineEdit, QListWidget, QListWidgetItem, QPushButton,
                               QVBoxLayout, QWidget)

from core.access import Permission
from core.errors import UserFacingError
from core.subsidy.exit_reasons import EXIT_REASONS, add_exit_reason, exit_reasons, remove_exit_reason
from gui.context import AppContext
from gui.table_models import error_label, show_inline

BUILT_IN_MARK = "（内置）"
READ_ONLY_NOTE = "只有管理员可以增删退出原因；这里仅供查看。"


class ExitReasonsDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.editable = ctx.actor.can(Permission.MANAGE_REFERENCE)
        self.setWindowTitle("退出原因")
        self.resize(460, 440)
        intro = QLabel("办理退出、年度确认和导入时可选的退出原因。内置的原因不能删除（年审按它们提出建议）；"
                       "本县增加的原因排在“其他”之前，还没有人用时可以删除。")
        intro.setWordWrap(True)
        self.list = QListWidget()
        self.list.currentItemChanged.connect(lambda *_: self._selected())
        self.new_edit = QLineEdit()
        self.new_edit.setMaxLength(20)
        self.new_edit.setPlaceholderText("如 服刑、失联")
        self.new_edit.returnPressed.connect(self.add)
        new_label = QLabel("新的原因(&N)：")
        new_label.setBuddy(self.new_edit)
        self.add_button = QPushButton("添加(&A)")
        self.add_button.clicked.connect(self.add)
        self.remove_button = QPushButton("删除所选(&D)")
        self.remove_button.clicked.connect(self.remove)
        self.error = error_label()
        self.result = QLabel()
        self.result.setStyleSheet("color: #1b7f3b;")
        close = QPushButton("关闭")
        close.clicked.connect(self.reject)
        for b in (self.add_button, self.remove_button, close):
            b.setAutoDefault(False)

        add_row = QHBoxLayout()
        add_row.addWidget(new_label)
        add_row.addWidget(self.new_edit, 1)
        add_row.addWidget(self.add_button)
        buttons = QHBoxLayout()
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        if not self.editable:
            note = QLabel(READ_ONLY_NOTE)
            note.setStyleSheet("QLabel { color: #7a4a00; background: #fff4d6; padding: 4px; }")
            layout.addWidget(note)
        layout.addWidget(self.list, 1)
        layout.addLayout(add_row)
        layout.addWidget(self.error)
        layout.addWidget(self.result)
        layout.addLayout(buttons)
        for w in (self.new_edit, self.add_button):
            w.setEnabled(self.editable)
        self.refresh()
        self.new_edit.setFocus()

    def refresh(self, reasons: list[str] | None = None, select: str | None = None) -> None:
        if reasons is None:
            with self.ctx.db.session(self.ctx.actor) as s:
                reasons = exit_reasons(s)
        self.list.clear()
        for reason in reasons:
            item = QListWidgetItem(reason + (BUILT_IN_MARK if reason in EXIT_REASONS else ""))
            item.setData(Qt.ItemDataRole.UserRole, reason)
            self.list.addItem(item)
            if reason == select:
                self.list.setCurrentItem(item)
        self._selected()

    def reasons(self) -> list[str]:
        return [self.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.list.count())]

    def _current(self) -> str | None:
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def _selected(self) -> None:
        current = self._current()
        self.remove_button.setEnabled(self.editable and current is not None and current not in EXIT_REASONS)

    def add(self) -> bool:
        return self._change(add_exit_reason, self.new_edit.text(), "已添加")

    def remove(self) -> bool:
        current = self._current()
        return current is not None and self._change(remove_exit_reason, current, "已删除")

    def _change(self, service, reason: str, done: str) -> bool:
        show_inline(self.error, None)
        self.result.clear()
        try:
            with self.ctx.db.session(self.ctx.actor) as s:
                reasons = service(s, self.ctx.actor, reason)
        except UserFacingError as e:
            show_inline(self.error, e.message)
            return False
        shown = reason.strip()
        self.new_edit.clear()
        self.refresh(reasons, select=shown if shown in reasons else None)
        self.result.setText(f"{done}“{shown}”。")
        self.ctx.changes.changed.emit("setting")
        return True
