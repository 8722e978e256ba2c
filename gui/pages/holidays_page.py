"""节假日安排: the State Council's holiday arrangement per year (法定节假日 and 调休上班日), on which the
working-day time limits of supervision cases are counted (行政处罚法 Art. 85).

Everyone may look; administrators add or change a day, remove one, or load a whole year from a file in
the shipped format (``resources/holidays/YYYY.json``). The rules and the role check are
``core.supervision.working_days``'s; every change is audited by core's listeners.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QComboBox, QFileDialog, QHBoxLayout, QHeaderView, QLabel,
                               QMessageBox, QTableView, QToolButton, QVBoxLayout, QWidget)

from core.access import Permission
from core.errors import UserFacingError
from core.supervision import working_days as wd
from gui.context import AppContext
from gui.keyed_actions import keyed_action
from gui.operations import show_error
from gui.supervision.record_dialog import RecordDialog
from gui.table_models import RowsModel, TableColumn, error_label, read_only_rows, show_inline

CHANGED = "supervision_holiday"
WEEKDAYS = "一二三四五六日"
SOURCE_LABELS = {"SHIPPED": "随程序提供", "ADMIN": "管理员录入"}
NO_RIGHT = "当前用户无权修改节假日安排（需要管理员）。"


@dataclass(frozen=True)
class DayValues:
    day: date
    kind: str
    name: str


class HolidayDialog(RecordDialog):
    """One day: the date, 放假 or 调休上班, and the holiday it belongs to."""

    def __init__(self, on_save: Callable[[DayValues], Any], current: wd.CalendarDay | None = None,
                 default_day: date | None = None, parent: QWidget | None = None):
        super().__init__("修改节假日" if current else "新增节假日", on_save, parent)
        self.setMinimumWidth(440)
        self.day = self.date_field("日期(&D)：", "日期", current.day if current else default_day, required=True)
        self.kind = self.choice_field("类型(&T)：", [(label, code) for code, label in wd.KIND_LABELS.items()],
                                      current.kind if current else wd.HOLIDAY)
        self.name = self.text_field("节日名称(&N)：", current.name if current else "", max_length=wd.NAME_MAX,
                                    required_name="节日名称")
        self.name.setPlaceholderText("如 春节、国庆节")
        hint = QLabel("“调休上班”只能设在周六或周日；放假日包括假期中的周末。")
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #666;")
        self.form.addRow("", hint)
        self.day.setFocus()
        self.day.selectAll()

    def values(self) -> DayValues:
        return DayValues(self.date_value(self.day), self.combo_value(self.kind), self.name.text().strip())


class HolidaysPage(QWidget):
    help_topic = "admin.html#holidays"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.active_dialog = None
        self.year_combo = QComboBox()
        self.year_combo.currentIndexChanged.connect(lambda _i: self._load_year())
        self.source_label = QLabel()
        self.source_label.setWordWrap(True)
        self.model = RowsModel([
            TableColumn("日期", lambda d: f"{d.day:%Y-%m-%d}"),
            TableColumn("星期", lambda d: f"周{WEEKDAYS[d.day.weekday()]}"),
            TableColumn("类型", lambda d: wd.KIND_LABELS[d.kind]),
            TableColumn("节日", lambda d: d.name),
            TableColumn("来源", lambda d: SOURCE_LABELS.get(d.source, d.source)),
        ], self)
        self.table = QTableView()
        self.table.setModel(self.model)
        read_only_rows(self.table)
        for col, width in enumerate((110, 60, 90, 120)):
            self.table.setColumnWidth(col, width)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.doubleClicked.connect(lambda _i: self.edit_day())
        self.table.activated.connect(lambda _i: self.edit_day())

        self.act_add = self._action("新增", QKeySequence(Qt.Key.Key_Insert), self.add_day)
        self.act_edit = self._action("修改", QKeySequence(Qt.Key.Key_F2), self.edit_day)
        self.act_remove = self._action("删除", QKeySequence(Qt.Key.Key_Delete), self.remove_day)
        self.act_load = self._action("从文件载入整年…", None, self.load_file)
        top = QHBoxLayout()
        lab = QLabel("年度(&Y)")
        lab.setBuddy(self.year_combo)
        top.addWidget(lab)
        top.addWidget(self.year_combo)
        for act in (self.act_add, self.act_edit, self.act_remove, self.act_load):
            btn = QToolButton()
            btn.setDefaultAction(act)
            btn.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            top.addWidget(btn)
        top.addStretch(1)
        self.count_label = QLabel()
        top.addWidget(self.count_label)
        note = QLabel("办案期限中的“二日、三日、五日、七日”按工作日计算（行政处罚法第八十五条），不含法定节假日，"
                      "调休上班的周末算工作日。每年国务院办公厅公布次年安排后（通常在 11 月），请在此录入或载入。"
                      "未录入安排的年度只按周一至周五计算，相关期限会注明。")
        note.setWordWrap(True)
        note.setStyleSheet("color: #666;")
        self.message = error_label()
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.source_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        layout.addWidget(note)
        self.table.selectionModel().currentChanged.connect(lambda *_: self._update_actions())
        ctx.changes.changed.connect(self._on_changed)
        self.refresh()

    def _action(self, text: str, key: QKeySequence | None, slot) -> QAction:
        return keyed_action(self, text, key, slot)

    # -- loading -------------------------------------------------------------------------------------
    def _on_changed(self, what: str) -> None:
        if what in (CHANGED, "all"):
            self.refresh()

    def year(self) -> int | None:
        return self.year_combo.currentData()

    def refresh(self, year: int | None = None, select: date | None = None) -> None:
        """Offer the years with an arrangement, this year and next; keep (or go to) ``year``."""
        want = year or self.year() or date.today().year
        try:
            with self.ctx.db.session(self.ctx.actor) as s:
                self._sources = wd.covered_years(s)
        except UserFacingError as e:
            show_inline(self.message, e.message)
            return
        years = sorted(set(self._sources) | {date.today().year, date.today().year + 1}, reverse=True)
        self.year_combo.blockSignals(True)
        self.year_combo.clear()
        for y in years:
            self.year_combo.addItem(f"{y} 年" + ("" if y in self._sources else "（未录入）"), y)
        self.year_combo.setCurrentIndex(max(self.year_combo.findData(want), 0))
        self.year_combo.blockSignals(False)
        self._load_year(select)

    def _load_year(self, select: date | None = None) -> None:
        y = self.year()
        if y is None:
            return
        try:
            with self.ctx.db.session(self.ctx.actor) as s:
                days = wd.list_days(s, y)
        except UserFacingError as e:
            show_inline(self.message, e.message)
            return
        self.model.set_rows(days)
        source = self._sources.get(y)
        if source is None:
            self.source_label.setText(f"{y} 年尚未录入节假日安排：该年的工作日只按周一至周五计算。")
        elif source == "数据库":
            self.source_label.setText(f"{y} 年的安排保存在本数据库中（安装时由随程序提供的文件载入，或由管理员录入）。")
        else:
            self.source_label.setText(f"{y} 年的安排来自随程序提供的文件：{source}。")
        off = sum(1 for d in days if d.kind == wd.HOLIDAY)
        self.count_label.setText(f"放假 {off} 天，调休上班 {len(days) - off} 天")
        rows = self.model.rows()
        i = next((n for n, d in enumerate(rows) if d.day == select), 0 if rows else -1)
        if i >= 0:
            self.table.selectRow(i)
            self.table.setCurrentIndex(self.model.index(i, 0))
        self._update_actions()

    def current_day(self) -> wd.CalendarDay | None:
        idx = self.table.currentIndex()
        return self.model.row_at(idx.row()) if idx.isValid() else None

    def _update_actions(self) -> None:
        may = self.ctx.actor.can(Permission.MANAGE_REFERENCE)
        has = self.current_day() is not None
        self.act_add.setEnabled(may)
        self.act_load.setEnabled(may)
        self.act_edit.setEnabled(may and has)
        self.act_remove.setEnabled(may and has)
        if not may:
            for act in (self.act_add, self.act_edit, self.act_remove, self.act_load):
                act.setToolTip(NO_RIGHT)

    # -- changes -------------------------------------------------------------------------------------
    def _save(self, work: Callable[[Any], Any], year: int, select: date | None = None) -> Any:
        """One user action, one transaction; then show the year it changed."""
        with self.ctx.db.session(self.ctx.actor) as s:
            result = work(s)
        show_inline(self.message, None)
        self.ctx.changes.changed.emit(CHANGED)
        self.refresh(year, select)
        return result

    def _open(self, dialog) -> None:
        self.active_dialog = dialog
        dialog.finished.connect(lambda _r: setattr(self, "active_dialog", None))
        dialog.open()

    def add_day(self) -> None:
        y = self.year() or date.today().year
        self._open(HolidayDialog(self.save_day, None, date(y, 1, 1), self))

    def edit_day(self) -> None:
        d = self.current_day()
        if d is not None and self.act_edit.isEnabled():
            self._open(HolidayDialog(self.save_day, d, parent=self))

    def save_day(self, v: DayValues) -> None:
        """What the dialog's 保存 does; core's refusal is shown in the dialog."""
        self._save(lambda s: wd.set_day(s, self.ctx.actor, v.day, v.kind, v.name), v.day.year, v.day)

    def remove_day(self) -> None:
        d = self.current_day()
        if d is None or not self.act_remove.isEnabled():
            return
        answer = QMessageBox.question(self, "删除节假日",
                                      f"从节假日安排中删除 {d.day:%Y-%m-%d}（{d.name}{wd.KIND_LABELS[d.kind]}）？\n"
                                      "删除后这一天按普通的周一至周五 / 周末计算。")
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            self._save(lambda s: wd.remove_day(s, self.ctx.actor, d.day), d.day.year)
        except UserFacingError as e:
            show_error(self, e, "未能删除")

    def load_file(self, path: str | None = None) -> None:
        if not self.act_load.isEnabled():
            return
        if not path:
            path, _ = QFileDialog.getOpenFileName(self, "载入一年的节假日安排", str(Path.home()),
                                                  "节假日安排文件 (*.json);;所有文件 (*)")
        if not path:
            return
        try:
            year, source, days = wd.parse_calendar_file(Path(path))
        except UserFacingError as e:
            show_error(self, e, "文件不能载入")
            return
        off = sum(1 for d in days if d.kind == wd.HOLIDAY)
        replaced = "并替换该年度现有的安排" if year in self._sources else ""
        answer = QMessageBox.question(self, "载入节假日安排",
                                      f"文件：{Path(path).name}\n年度：{year} 年\n来源：{source or '（未写明）'}\n"
                                      f"放假 {off} 天，调休上班 {len(days) - off} 天。\n\n确定载入{replaced}吗？")
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            _, n = self._save(lambda s: wd.replace_year(s, self.ctx.actor, Path(path)), year)
        except UserFacingError as e:
            show_error(self, e, "文件不能载入")
            return
        QMessageBox.information(self, "已载入", f"{year} 年的节假日安排已载入（共 {n} 天）。")
