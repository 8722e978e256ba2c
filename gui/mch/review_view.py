"""审核: the townships' reports for one month with their state; approve, return (with a reason) or
unlock (with a reason, audited). Selecting a township shows its month read-only with its findings.

Core checks the role (workflow.approve/return_report/unlock); the buttons only follow it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDialog, QDialogButtonBox, QHBoxLayout, QHeaderView,
                               QLabel, QMessageBox, QPlainTextEdit, QPushButton, QSplitter, QTableView, QVBoxLayout,
                               QWidget)

from core.access import Permission
from core.errors import UserFacingError
from core.mch import workflow
from gui.context import AppContext
from gui.mch import MonthCombo, actor_townships, month_label
from gui.mch.entry_grid import MonthSheet
from gui.operations import show_error
from gui.table_models import ERROR_STYLE, RowsModel, TableColumn, local_time_text

STATUS_COLOURS = {"OPEN": "#f3f3f3", "SUBMITTED": "#dce8ff", "APPROVED": "#d7f0dc", "RETURNED": "#ffefc2"}
FILTERS = [("全部状态", None), ("待审核（已上报）", {"SUBMITTED"}), ("已审核（锁定）", {"APPROVED"}),
           ("已退回", {"RETURNED"}), ("未上报", {"OPEN", "RETURNED"})]
NO_RIGHT = "当前用户无权审核（需要审核员或管理员）。"


@dataclass(frozen=True)
class ReviewRow:
    code: str
    name: str
    state: workflow.ReportState


def _note(r: ReviewRow) -> str:
    st = r.state
    if st.status == "APPROVED":
        return f"{st.approved_by_shown} {local_time_text(st.approved_at)[5:16]} 审核通过"
    return st.returned_reason


COLUMNS = [
    TableColumn("乡镇（街道）", lambda r: r.name, tooltip=lambda r: f"{r.name}（{r.code}）"),
    TableColumn("状态", lambda r: r.state.label),
    TableColumn("上报人", lambda r: r.state.submitted_by_shown),
    TableColumn("上报时间", lambda r: local_time_text(r.state.submitted_at)[5:16]),   # 11-03 02:13: the month is chosen above
    TableColumn("审核 / 退回说明", _note, tooltip=_note),
]


class ReviewModel(RowsModel):
    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.BackgroundRole and index.isValid() and index.column() == 1:
            row = self.row_at(index.row())
            return QBrush(QColor(STATUS_COLOURS[row.state.status])) if row else None
        return super().data(index, role)


class ReasonDialog(QDialog):
    """A required reason (退回 / 解锁): 确定 stays disabled until something is written."""

    def __init__(self, title: str, prompt: str, save: Callable[[str], None], parent=None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self._save = save
        self.editor = QPlainTextEdit()
        self.editor.setPlaceholderText("请写明原因，乡镇会在“月报录入”中看到。")
        self.error = QLabel()
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.setVisible(False)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("确定")
        self.ok.setEnabled(False)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.editor.textChanged.connect(lambda: self.ok.setEnabled(bool(self.editor.toPlainText().strip())))
        label = QLabel(prompt)
        label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.editor)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.resize(440, 220)

    def accept(self) -> None:
        try:
            self._save(self.editor.toPlainText().strip())
        except UserFacingError as e:
            self.error.setText(e.message)
            self.error.setVisible(True)
            return
        super().accept()


class ReviewView(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.active_dialog: ReasonDialog | None = None
        self._all: list[ReviewRow] = []
        self.month_combo = MonthCombo()
        self.filter_combo = QComboBox()
        for text, states in FILTERS:
            self.filter_combo.addItem(text, states)
        self.summary = QLabel()
        month_title = QLabel("月份(&M)：")
        month_title.setBuddy(self.month_combo)
        bar = QHBoxLayout()
        bar.addWidget(month_title)
        bar.addWidget(self.month_combo)
        bar.addWidget(self.filter_combo)
        bar.addSpacing(12)
        bar.addWidget(self.summary, 1)

        self.model = ReviewModel(COLUMNS, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        for col in range(4):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._on_selected())

        self.approve_button = QPushButton("审核通过(&A)")
        self.approve_button.clicked.connect(self.approve)
        self.return_button = QPushButton("退回(&R)…")
        self.return_button.clicked.connect(self.return_dialog)
        self.unlock_button = QPushButton("解锁(&U)…")
        self.unlock_button.setToolTip("已审核的月报被锁定；确需修改时解锁（须写明原因，记入审计日志）")
        self.unlock_button.clicked.connect(self.unlock_dialog)
        self.message = QLabel()
        self.message.setWordWrap(True)
        buttons = QHBoxLayout()
        for b in (self.approve_button, self.return_button, self.unlock_button):
            buttons.addWidget(b)
        buttons.addStretch(1)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.table, 1)
        left_layout.addLayout(buttons)
        left_layout.addWidget(self.message)

        self.sheet_title = QLabel()
        font = self.sheet_title.font()
        font.setBold(True)
        self.sheet_title.setFont(font)
        self.sheet = MonthSheet(ctx, self, editable=False, findings_beside=False)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.sheet_title)
        right_layout.addWidget(self.sheet, 1)

        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([540, 660])   # the list's 上报人 and 审核说明 readable; the month still fits
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(splitter, 1)

        self.month_combo.currentIndexChanged.connect(lambda _i: self._month_changed())
        self.filter_combo.currentIndexChanged.connect(lambda _i: self._apply_filter())
        self.refresh()

    # loading
    def period(self) -> str:
        return self.month_combo.period()

    def set_period(self, period: str) -> None:
        if period == self.period():
            self.refresh()
        else:
            self.month_combo.set_period(period)  # a new month: the first one waiting is selected

    def _month_changed(self) -> None:
        self.table.setCurrentIndex(QModelIndex())
        self.refresh()

    def refresh(self) -> None:
        period = self.period()
        try:
            with self.ctx.db.session(self.ctx.actor) as s:
                rows = [ReviewRow(t.code, t.name, workflow.state(s, t.code, period))
                        for t in actor_townships(s, self.ctx.actor)]
        except UserFacingError as e:
            self._show_message(e.message, error=True)
            rows = []
        self._all = rows
        counts = {st: sum(1 for r in rows if r.state.status == st) for st in workflow.STATUS_LABELS}
        self.summary.setText(f"{month_label(period)}：已上报待审核 {counts['SUBMITTED']} 个，已审核 {counts['APPROVED']} 个，"
                             f"已退回 {counts['RETURNED']} 个，未上报 {counts['OPEN']} 个")
        self._apply_filter()

    def _apply_filter(self) -> None:
        chosen = self.current_row()
        states = self.filter_combo.currentData()
        self.model.set_rows([r for r in self._all if states is None or r.state.status in states])
        if chosen is not None and not self.select(chosen.code):
            chosen = None
        if chosen is None and self.model.rowCount():
            first = next((i for i, r in enumerate(self.model.rows()) if r.state.status == "SUBMITTED"), 0)
            self.table.selectRow(first)
        self._on_selected()

    def rows(self) -> list[ReviewRow]:
        return self.model.rows()

    def current_row(self) -> ReviewRow | None:
        idx = self.table.currentIndex()
        return self.model.row_at(idx.row()) if idx.isValid() else None

    def select(self, code: str) -> bool:
        for i, r in enumerate(self.model.rows()):
            if r.code == code:
                self.table.selectRow(i)
                return True
        return False

    def _on_selected(self) -> None:
        row = self.current_row()
        if row is None:
            self.sheet.clear("没有符合条件的乡镇。")
            self.sheet_title.setText("")
        else:
            self.sheet_title.setText(f"{row.name} {month_label(self.period())}（{row.state.label}，只读）")
            self.sheet.show_month(row.code, self.period())
        self._update_buttons()

    def _update_buttons(self) -> None:
        row = self.current_row()
        status = row.state.status if row else None
        may_approve = self.ctx.actor.can(Permission.APPROVE)
        may_unlock = self.ctx.actor.can(Permission.UNLOCK)
        self.approve_button.setEnabled(may_approve and status == "SUBMITTED")
        self.return_button.setEnabled(may_approve and status == "SUBMITTED")
        self.unlock_button.setEnabled(may_unlock and status == "APPROVED")
        if not may_approve:
            for b in (self.approve_button, self.return_button, self.unlock_button):
                b.setToolTip(NO_RIGHT)

    def _show_message(self, text: str, *, error: bool) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(ERROR_STYLE if error else "color: #505050;")

    # actions: one unit of work each
    def _act(self, work, done_text: str) -> None:
        row = self.current_row()
        with self.ctx.db.session(self.ctx.actor) as s:
            work(s, row)
        self.ctx.changes.changed.emit("mch_report")
        self.refresh()
        self._show_message(done_text, error=False)

    def approve(self) -> bool:
        row = self.current_row()
        if row is None or not self.approve_button.isEnabled():
            return False
        findings = self.sheet.finding_rows()
        if any(getattr(f, "importance", "") == "ERROR" for f in findings):
            text = f"{row.name} {month_label(self.period())} 的月报仍有错误，审核通过？"
            if QMessageBox.question(self, "审核通过", text) != QMessageBox.StandardButton.Yes:
                return False
        try:
            self._act(lambda s, r: workflow.approve(s, self.ctx.actor, r.code, self.period()),
                      f"已审核通过 {row.name} {month_label(self.period())} 的月报，数据已锁定。")
        except UserFacingError as e:
            self._show_message(e.message, error=True)
            show_error(self, e, "未能审核")
            return False
        return True

    def _reason(self, title: str, prompt: str, work, done_text: str) -> ReasonDialog:
        def save(reason: str) -> None:
            self._act(lambda s, r: work(s, r, reason), done_text)
        dialog = ReasonDialog(title, prompt, save, self)
        self.active_dialog = dialog
        dialog.finished.connect(lambda _r: setattr(self, "active_dialog", None))
        dialog.open()
        return dialog

    def return_dialog(self) -> ReasonDialog | None:
        row = self.current_row()
        if row is None or not self.return_button.isEnabled():
            return None
        name = f"{row.name} {month_label(self.period())}"
        period = self.period()
        return self._reason("退回月报", f"把 {name} 的月报退回乡镇修改。退回原因（必填）：",
                            lambda s, r, reason: workflow.return_report(s, self.ctx.actor, r.code, period, reason),
                            f"已退回 {name} 的月报。")

    def unlock_dialog(self) -> ReasonDialog | None:
        row = self.current_row()
        if row is None or not self.unlock_button.isEnabled():
            return None
        name = f"{row.name} {month_label(self.period())}"
        return self._reason("解锁月报", f"解锁 {name} 已审核的月报，乡镇可以重新修改并上报。"
                            "解锁原因（必填，记入审计日志）：",
                            lambda s, r, reason: workflow.unlock(s, self.ctx.actor, r.code, self.period(), reason),
                            f"已解锁 {name} 的月报。")

