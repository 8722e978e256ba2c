"""双随机抽查 tab (and the register frame the 投诉举报 tab shares): filters, the completion rate above the list,
the list with overdue tasks in red, and add / change / 登记完成 through dialogs.

Everything is read and written through ``core.supervision.random_tasks`` (rules, roles, completion rates);
one transaction per user action. Keyboard: Ins adds, Enter or F2 changes the selected row, F3 records
its completion; the search box filters as you type.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QBrush, QColor, QFont, QKeySequence
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QTableWidget, QTableWidgetItem, QToolButton, QVBoxLayout, QWidget)

from core import orgunits
from core.errors import UserFacingError
from core.supervision.case_list import CaseFilter, search_cases
from core.supervision.codes import TASK_LEVELS
from core.supervision.random_tasks import (TaskRow, complete_task, completion, list_tasks, load_task,
                                           save_task)
from gui.context import AppContext
from gui.keyed_actions import keyed_action
from gui.operations import show_error
from gui.supervision.case_register import CaseTable
from gui.supervision.task_dialog import TaskDialog, TaskDoneDialog, TaskDoneValues, TaskValues
from gui.table_models import RowsModel, TableColumn, error_label, read_only_rows, show_inline
from gui.search_box import search_as_you_type

RED = QColor("#b00020")
ALL = "全部"
CASE_CHOICES = 500          # newest cases offered in the "所立案件" picker


def rate_text(rate) -> str:
    return "—" if rate is None else f"{rate}%"


def date_text(d: date | None) -> str:
    return f"{d:%Y-%m-%d}" if d else ""


def _table(headings: list[str]) -> QTableWidget:
    t = QTableWidget(0, len(headings))
    t.setHorizontalHeaderLabels(headings)
    t.verticalHeader().setVisible(False)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    t.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    header = t.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    header.setDefaultSectionSize(max(84, t.fontMetrics().horizontalAdvance("按期完成") + 24))
    t.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    t.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    return t


def _fill(t: QTableWidget, rows: list[list[str]]) -> None:
    t.setRowCount(len(rows))
    for r, values in enumerate(rows):
        for c, v in enumerate(values):
            item = QTableWidgetItem(v)
            if c:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if r == len(rows) - 1:
                font = item.font()
                font.setBold(True)
                item.setFont(font)
            t.setItem(r, c, item)
    t.resizeRowsToContents()
    t.setFixedHeight(t.horizontalHeader().height() + sum(t.rowHeight(i) for i in range(len(rows))) + 4)
    t.setFixedWidth(t.horizontalHeader().length() + 4)     # a compact table, not stretched over the page


class RegisterModel(RowsModel):
    """RowsModel whose rows may be shown in red (``red(row)``: a task past its due date)."""

    def __init__(self, columns, parent=None, *, red: Callable[[Any], bool]):
        super().__init__(columns, parent)
        self._red = red

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.ForegroundRole and index.isValid():
            row = self.row_at(index.row())
            if row is not None and self._red(row):
                return QBrush(RED)
        return super().data(index, role)


class RegisterTab(QWidget):
    """The frame of a register tab: year / kind / status filters and a search box, a summary line with the
    rate and a table of rates above the list, buttons for add / change / finish. Subclasses say what."""

    changed_key = ""                  # what ctx.changes announces after a save
    kind_label = ""                   # 层级 / 渠道
    kinds: list[tuple[str, str]] = []
    statuses: list[tuple[str, str]] = []
    rate_headings: list[str] = []
    add_text = finish_text = ""

    def __init__(self, ctx: AppContext, columns: list[TableColumn], parent: QWidget | None = None, *,
                 red: Callable[[Any], bool] = lambda _r: False):
        super().__init__(parent)
        self.ctx = ctx
        self.active_dialog = None
        self.year_combo = QComboBox()
        this_year = date.today().year
        for y in range(this_year + 1, this_year - 8, -1):
            self.year_combo.addItem(f"{y} 年", y)
        self.year_combo.setCurrentIndex(1)
        self.kind_combo = QComboBox()
        self.kind_combo.addItem(ALL, None)
        for text, code in self.kinds:
            self.kind_combo.addItem(text, code)
        self.status_combo = QComboBox()
        for text, code in [(ALL, None)] + self.statuses:
            self.status_combo.addItem(text, code)
        self.search = QLineEdit()
        self.search.setClearButtonEnabled(True)
        self.search_timer = search_as_you_type(self.search, self.refresh, self)
        for combo in (self.year_combo, self.kind_combo, self.status_combo):
            combo.currentIndexChanged.connect(self.refresh)

        self.act_add = self._action(self.add_text, QKeySequence(Qt.Key.Key_Insert), self.add)
        self.act_edit = self._action("修改", QKeySequence(Qt.Key.Key_F2), self.edit)
        self.act_finish = self._action(self.finish_text, QKeySequence(Qt.Key.Key_F3), self.finish)
        filters = QHBoxLayout()
        for label, combo in (("年度", self.year_combo), (self.kind_label, self.kind_combo), ("状态", self.status_combo)):
            lab = QLabel(label)
            lab.setBuddy(combo)
            filters.addWidget(lab)
            filters.addWidget(combo)
        filters.addWidget(self.search, 1)
        for act in (self.act_add, self.act_edit, self.act_finish):
            btn = QToolButton()
            btn.setDefaultAction(act)
            btn.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            filters.addWidget(btn)

        self.summary_label = QLabel()
        font = QFont(self.summary_label.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.1)
        self.summary_label.setFont(font)
        self.rates = _table(self.rate_headings)
        self.model = RegisterModel(columns, self, red=red)
        self.table = CaseTable(self.edit)     # Enter opens the row, as in the case register
        self.table.setModel(self.model)
        read_only_rows(self.table, padding=10)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.doubleClicked.connect(lambda _i: self.edit())
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.error = error_label()

        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.rates, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.message)
        self.table.selectionModel().currentChanged.connect(lambda *_: self._update_actions())
        ctx.changes.changed.connect(self._on_changed)

    def _action(self, text: str, key: QKeySequence | None, slot) -> QAction:
        return keyed_action(self, text, key, slot)

    # -- to be provided by the tab -------------------------------------------------------------------
    def load(self, session) -> tuple[list[Any], list[list[str]], str]:
        """(rows, rate table rows, summary line) for the current filters."""
        raise NotImplementedError

    def new_dialog(self, townships: list) -> QWidget:
        raise NotImplementedError

    def edit_dialog(self, townships: list, row: Any) -> QWidget:
        """The dialog to change ``row`` (read afresh from the database)."""
        raise NotImplementedError

    def finish_dialog(self, row: Any, cases: list) -> QWidget:
        raise NotImplementedError

    # -- loading -------------------------------------------------------------------------------------
    def year(self) -> int:
        return self.year_combo.currentData()

    def _on_changed(self, what: str) -> None:
        if what in (self.changed_key, "supervision_case"):
            self.refresh()

    def refresh(self) -> None:
        self.search_timer.stop()
        current = self.current_row()
        try:
            with self.ctx.db.session(self.ctx.actor) as s:
                rows, rates, summary = self.load(s)
        except Exception as e:  # noqa: BLE001 - shown as a Chinese message
            show_error(self, e, "列表未能读取")
            return
        self.model.set_rows(rows)
        _fill(self.rates, rates)
        self.summary_label.setText(summary)
        self.select_id(current.id if current else None)

    def current_row(self) -> Any | None:
        idx = self.table.currentIndex()
        return self.model.row_at(idx.row()) if idx.isValid() else None

    def select_id(self, row_id: int | None) -> None:
        rows = self.model.rows()
        i = next((n for n, r in enumerate(rows) if r.id == row_id), 0 if rows else -1)
        if i >= 0:
            self.table.selectRow(i)
            self.table.setCurrentIndex(self.model.index(i, 0))
        self._update_actions()

    def _update_actions(self) -> None:
        has = self.current_row() is not None
        self.act_edit.setEnabled(has)
        self.act_finish.setEnabled(has)

    # -- dialogs and saving --------------------------------------------------------------------------
    def choices(self, with_cases: bool) -> tuple[list, list]:
        """(townships, recent cases) for a dialog, read when it opens."""
        with self.ctx.db.session(self.ctx.actor) as s:
            towns = orgunits.townships(s)
            cases = search_cases(s, self.ctx.actor, CaseFilter(limit=CASE_CHOICES)) if with_cases else []
        return towns, cases

    def add(self) -> None:
        self.open_dialog(lambda: self.new_dialog(self.choices(False)[0]))

    def edit(self) -> None:
        row = self.current_row()
        if row is not None:
            self.open_dialog(lambda: self.edit_dialog(self.choices(False)[0], row))

    def finish(self) -> None:
        row = self.current_row()
        if row is not None:
            self.open_dialog(lambda: self.finish_dialog(row, self.choices(True)[1]))

    def open_dialog(self, make: Callable[[], QWidget]) -> None:
        show_inline(self.error, None)
        try:
            dialog = make()
        except UserFacingError as e:
            show_error(self, e, "未能打开")
            return
        except Exception as e:  # noqa: BLE001
            show_error(self, e, "未能打开")
            return
        self.active_dialog = dialog
        dialog.finished.connect(lambda _r: setattr(self, "active_dialog", None))
        dialog.open()

    def save(self, work: Callable[[Any], Any], done_text: Callable[[Any], str]) -> Any:
        """One user action, one transaction; the dialog shows core's refusal (UserFacingError) itself."""
        with self.ctx.db.session(self.ctx.actor) as s:
            result = work(s)
        self.message.setText(done_text(result))
        self.ctx.changes.changed.emit(self.changed_key)
        return result


class TasksView(RegisterTab):
    """双随机抽查: completion by level above the tasks of the year."""

    changed_key = "supervision_task"
    kind_label = "层级"
    kinds = [(name, code) for code, name in TASK_LEVELS.items()]
    statuses = [("未完成", "open"), ("已完成", "done"), ("逾期未完成", "overdue")]
    rate_headings = ["层级", "任务数", "已完成", "按期完成", "未完成", "立案数", "完成率"]
    add_text, finish_text = "新增任务", "登记完成"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        columns = [
            TableColumn("层级", lambda t: t.level_name),
            TableColumn("任务编号", lambda t: t.task_no),
            TableColumn("抽查对象", lambda t: t.target_name),
            TableColumn("统一社会信用代码", lambda t: t.target_code),
            TableColumn("专业类别", lambda t: t.category_name),
            TableColumn("检查人员", lambda t: t.inspectors),
            TableColumn("完成时限", lambda t: date_text(t.due_on)),
            TableColumn("状态", lambda t: t.status),
            TableColumn("完成日期", lambda t: date_text(t.done_on)),
            TableColumn("检查结果", lambda t: t.result, tooltip=lambda t: t.result_note or None),
            TableColumn("所立案件", lambda t: t.case_number),
        ]
        super().__init__(ctx, columns, parent, red=lambda t: t.overdue)
        self.search.setPlaceholderText("搜索抽查对象、统一社会信用代码或任务编号")
        for col, width in enumerate((50, 110, 190, 160, 100, 170, 84, 100, 84, 140)):
            self.table.setColumnWidth(col, width)
        self.refresh()

    def load(self, s) -> tuple[list[TaskRow], list[list[str]], str]:
        y, status = self.year(), self.status_combo.currentData()
        start, end = date(y, 1, 1), date(y, 12, 31)      # a task counts in the year its due date falls in
        rows = list_tasks(s, self.ctx.actor, due_from=start, due_to=end, level=self.kind_combo.currentData(),
                          done={"open": False, "done": True}.get(status), overdue=status == "overdue",
                          text=self.search.text())
        rates = completion(s, start, end, self.ctx.actor.townships)
        total = rates[-1]
        summary = (f"共 {total.total} 项任务（完成时限在 {y} 年），已完成 {total.done} 项，"
                   f"完成率 {rate_text(total.rate)}，未完成 {total.not_done} 项")
        shown_late = sum(t.overdue for t in rows)
        if shown_late:
            summary += f"；列表中逾期未完成 {shown_late} 项"
        return rows, [[c.name, str(c.total), str(c.done), str(c.on_time), str(c.not_done), str(c.cases),
                       rate_text(c.rate)] for c in rates], summary

    def new_dialog(self, townships: list) -> TaskDialog:
        return TaskDialog(townships, self.save_task, parent=self)

    def edit_dialog(self, townships: list, row: TaskRow) -> TaskDialog:
        with self.ctx.db.session(self.ctx.actor) as s:
            current, version = load_task(s, self.ctx.actor, row.id)
        return TaskDialog(townships, self.save_task, task_id=row.id, current=current, version=version, parent=self)

    def finish_dialog(self, row: TaskRow, cases: list) -> TaskDoneDialog:
        return TaskDoneDialog(row, cases, self.save_done, self)

    def save_task(self, v: TaskValues) -> int:
        actor = self.ctx.actor
        task_id, _version = self.save(
            lambda s: save_task(s, actor, v.data, task_id=v.task_id, expected_version=v.expected_version),
            lambda r: f"已保存抽查任务“{v.data.target_name}”。")
        self.select_id(task_id)
        return task_id

    def save_done(self, v: TaskDoneValues) -> list[str]:
        actor = self.ctx.actor
        warnings = self.save(
            lambda s: complete_task(s, actor, v.task_id, v.done_on, v.result, v.note, case_id=v.case_id,
                                    expected_version=v.expected_version),
            lambda w: "已登记完成。" + ("提示：" + "".join(w) if w else ""))
        self.select_id(v.task_id)
        return warnings
