"""历史记录 tab of the case form: each stage step and edit of the case — when, who, what — as
``core.supervision.case_history`` tells it (Chinese field names, masked ID numbers, no JSON)."""
from __future__ import annotations

from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from core.errors import UserFacingError
from core.supervision.case_history import case_history
from gui.context import AppContext
from gui.table_models import local_time_text

HEADINGS = ["时间", "操作人", "事项", "内容"]


class CaseHistoryView(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.note = QLabel("保存后，这里显示案件的各办理环节和每次修改（何时、谁、改了什么）。")
        self.note.setWordWrap(True)
        self.table = QTableWidget(0, len(HEADINGS))
        self.table.setHorizontalHeaderLabels(HEADINGS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        for c in range(3):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addWidget(self.table, 1)
        self.loaded_for: int | None = None

    def load(self, case_id: int | None) -> None:
        self.loaded_for = case_id
        if case_id is None:
            self.table.setRowCount(0)
            return
        try:
            with self.ctx.db.session(self.ctx.actor) as s:
                history = case_history(s, self.ctx.actor, case_id)
        except UserFacingError as e:
            self.note.setText(e.message)
            self.table.setRowCount(0)
            return
        self.note.setText(history.note)
        self.table.setRowCount(len(history.entries))
        for r, entry in enumerate(history.entries):
            when = local_time_text(entry.at)[:16] if entry.at else entry.on
            content = "\n".join(entry.details)
            for c, value in enumerate((when, entry.actor, entry.action, content)):
                item = QTableWidgetItem(value)
                item.setToolTip(content if c == 3 else value)
                self.table.setItem(r, c, item)
        self.table.resizeRowsToContents()

    def texts(self) -> list[list[str]]:
        """The rows as shown (for tests and copying)."""
        return [[self.table.item(r, c).text() for c in range(self.table.columnCount())]
                for r in range(self.table.rowCount())]
