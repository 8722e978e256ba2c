"""报表表头与单位信息: the statistical header/footer fields and each return's 表号 (DOMAIN.md §7).

Saved through ``core.settings.put`` (administrators only — the core checks it too); other roles see
the values read-only. Closing with unsaved changes asks first.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QDialogButtonBox, QGridLayout, QGroupBox,
                               QHeaderView, QLabel, QLineEdit, QMessageBox, QTableWidget, QTableWidgetItem,
                               QVBoxLayout, QWidget)

from core import settings
from core.access import Permission
from core.returns.catalogue import CATALOGUE
from gui.context import AppContext
from gui.operations import run_op, show_error

HEADER_KEY = "returns.header"
TABLE_NO_KEY = "returns.table_no"
PLACEHOLDERS = {
    "issuing_authority": "例如 国家卫生健康委员会",
    "approval_no": "例如 国统制〔2023〕××号",
    "valid_until": "例如 2026年12月",
    "unit_head": "姓名",
    "stats_head": "姓名",
    "preparer": "姓名",
    "phone": "例如 0434-1234567",
}
TABLE_NO_COLUMN = 2


class SettingsDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.help_topic = "returns.html#header"
        self.editable = ctx.actor.can(Permission.MANAGE_REFERENCE)
        self.setWindowTitle("报表表头与单位信息")
        self.resize(820, 640)
        self._saved: tuple[dict, dict] = ({}, {})
        self._closing_after_save = False

        intro = QLabel("这些内容印在每张报表的表头和表尾（表号、制定机关、批准文号、有效期至；填报单位；"
                       "单位负责人、统计负责人、填表人、联系电话）。报出日期在导出时自动填写。")
        intro.setWordWrap(True)

        self.fields: dict[str, QLineEdit] = {}
        header_box = QGroupBox("表头与表尾")
        grid = QGridLayout(header_box)
        grid.setHorizontalSpacing(12)
        half = (len(settings.HEADER_FIELDS) + 1) // 2
        for i, (key, label_text) in enumerate(settings.HEADER_FIELDS):
            edit = QLineEdit()
            if self.editable:
                edit.setPlaceholderText(PLACEHOLDERS.get(key, ""))
            else:
                edit.setReadOnly(True)
                edit.setStyleSheet("QLineEdit { background: palette(window); }")
            label = QLabel(f"{label_text}：")
            label.setBuddy(edit)
            row, col = (i, 0) if i < half else (i - half, 2)
            grid.addWidget(label, row, col)
            grid.addWidget(edit, row, col + 1)
            self.fields[key] = edit
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        county = ctx.county_name or "本县"
        self.fields["reporting_unit"].setPlaceholderText(f"留空则为“{county}卫生健康局”")  # also read-only
        self.fields["issuing_authority"].setFocus()

        table_box = QGroupBox("各报表表号")
        self.table = QTableWidget(len(CATALOGUE), 3)
        self.table.setHorizontalHeaderLabels(["报表编号", "报表名称", "表号"])
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setTabKeyNavigation(False)
        for row, spec in enumerate(CATALOGUE.values()):
            for col, text in enumerate((spec.id, spec.title + ("" if spec.available else "（尚未启用）"))):
                item = QTableWidgetItem(text)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                self.table.setItem(row, col, item)
            no_item = QTableWidgetItem("")
            flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
            if self.editable:
                flags |= Qt.ItemFlag.ItemIsEditable
            no_item.setFlags(flags)
            self.table.setItem(row, TABLE_NO_COLUMN, no_item)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        self.table.setColumnWidth(2, 220)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers if self.editable
                                   else QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        table_layout = QVBoxLayout(table_box)
        table_hint = QLabel("双击“表号”一栏或选中后直接输入，例如 卫健统 21 表。")
        table_hint.setStyleSheet("color: #555;")
        table_layout.addWidget(self.table)
        table_layout.addWidget(table_hint)
        table_hint.setVisible(self.editable)

        self.note = QLabel("")
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #8a5300;")
        if not self.editable:
            self.note.setText(f"只有管理员可以修改这些设置；当前用户“{ctx.actor.display_name}”"
                              f"（{ctx.actor.role.label}）只能查看。")

        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton("保存(&S)", QDialogButtonBox.ButtonRole.AcceptRole)
        self.close_button = self.buttons.addButton("关闭", QDialogButtonBox.ButtonRole.RejectRole)
        self.help_button = self.buttons.addButton("帮助", QDialogButtonBox.ButtonRole.HelpRole)
        self.save_button.setVisible(self.editable)
        self.save_button.setDefault(self.editable)
        self.save_button.clicked.connect(self.save)
        self.close_button.clicked.connect(self.reject)
        self.help_button.clicked.connect(self.show_help)
        QShortcut(QKeySequence(Qt.Key.Key_F1), self, self.show_help)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(header_box)
        layout.addWidget(table_box, 1)
        layout.addWidget(self.note)
        layout.addWidget(self.buttons)

        self.load()

    # -- data ----------------------------------------------------------------------------------
    def load(self) -> None:
        with self.ctx.db.session() as session:
            header = dict(settings.get(session, HEADER_KEY) or {})
            table_no = dict(settings.get(session, TABLE_NO_KEY) or {})
        for key, edit in self.fields.items():
            edit.setText(str(header.get(key, "") or ""))
        for row, return_id in enumerate(CATALOGUE):
            self.table.item(row, TABLE_NO_COLUMN).setText(str(table_no.get(return_id, "") or ""))
        self._saved = self.values()

    def values(self) -> tuple[dict, dict]:
        header = {k: e.text().strip() for k, e in self.fields.items() if e.text().strip()}
        table_no = {}
        for row, return_id in enumerate(CATALOGUE):
            text = self.table.item(row, TABLE_NO_COLUMN).text().strip()
            if text:
                table_no[return_id] = text
        return header, table_no

    def is_dirty(self) -> bool:
        self._commit_table_editor()
        return self.editable and self.values() != self._saved

    def _commit_table_editor(self) -> None:
        """An open cell editor holds text not yet in the item: close it so values() sees it."""
        if self.table.state() == QAbstractItemView.State.EditingState:
            self.table.setCurrentItem(None)

    def save(self) -> None:
        self._commit_table_editor()
        if not self.editable:
            return
        header, table_no = self.values()
        db, actor = self.ctx.db, self.ctx.actor

        def work(_progress):
            with db.session(actor) as session:
                settings.put(session, actor, HEADER_KEY, header)
                settings.put(session, actor, TABLE_NO_KEY, table_no)
            return header, table_no

        self.save_button.setEnabled(False)
        run_op(self, work, on_done=self._saved_ok, on_failed=self._save_failed, label="正在保存设置……")

    def _saved_ok(self, values: tuple[dict, dict]) -> None:
        self._saved = values
        self.save_button.setEnabled(True)
        self.note.setStyleSheet("color: #1b7f3b;")
        self.note.setText("已保存。")
        self.ctx.changes.changed.emit("setting")
        if self._closing_after_save:
            self.accept()

    def _save_failed(self, error: BaseException) -> None:
        self._closing_after_save = False
        self.save_button.setEnabled(True)
        show_error(self, error, "保存未完成")

    def show_help(self) -> None:
        from gui.dialogs.help_window import open_help
        open_help(self.help_topic, self)

    # -- unsaved-changes guard -----------------------------------------------------------------
    def ask_unsaved(self) -> QMessageBox.StandardButton:
        box = QMessageBox(QMessageBox.Icon.Question, "报表表头与单位信息", "有尚未保存的修改，是否保存？",
                          QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                          | QMessageBox.StandardButton.Cancel, self)
        box.button(QMessageBox.StandardButton.Save).setText("保存(&S)")
        box.button(QMessageBox.StandardButton.Discard).setText("不保存(&N)")
        box.button(QMessageBox.StandardButton.Cancel).setText("取消")
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        return QMessageBox.StandardButton(box.exec())

    def reject(self) -> None:
        """Esc, 关闭 and the window's close button all come here (QDialog.closeEvent calls reject)."""
        if self.is_dirty():
            answer = self.ask_unsaved()
            if answer == QMessageBox.StandardButton.Cancel:
                return
            if answer == QMessageBox.StandardButton.Save:
                self._closing_after_save = True
                self.save()
                return
        super().reject()
