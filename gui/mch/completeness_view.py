"""完整性: townships × the months of a year, each cell 及时 / 迟报 / 未报 / 待报 (core.mch.completeness
decides: due day, returned months, closed townships), with each township's 完整率 and 及时率; and
``MchTodoPanel``, the missing or late months in a small panel the start page can embed.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QListWidget, QListWidgetItem,
                               QPushButton, QSpinBox, QTableView, QVBoxLayout, QWidget)

from core import settings
from core.access import Permission
from core.mch import completeness
from core.errors import UserFacingError
from core.periods import parse_period
from gui.context import AppContext
from gui.mch import actor_townships, available_return, last_month, month_label, preview_return
from gui.table_models import ERROR_STYLE

AnyIndex = QModelIndex | QPersistentModelIndex
STATUS_TEXT = {"ON_TIME": "及时", "LATE": "迟报", "MISSING": "未报", "PENDING": "待报", "": ""}
STATUS_COLOURS = {"ON_TIME": "#cdebd3", "LATE": "#ffe3a3", "MISSING": "#f8c9ce", "PENDING": "#eeeeee"}
COMPLETENESS_RETURN = "MCH-COMPLETENESS"


@dataclass(frozen=True)
class TownYear:
    code: str
    name: str
    months: tuple[str, ...]              # status per month ("" for a month not begun)
    expected: int
    submitted: int
    on_time: int
    completeness_rate: Any               # Decimal | None (nothing expected yet)
    timeliness_rate: Any


def _rate_text(rate) -> str:
    return "—" if rate is None else f"{rate}%"


def load_year(session, year: int, towns: list[str], as_of: date) -> tuple[list[TownYear], Any]:
    """Per township the status of each month of ``year`` and the year's rates; and the county row."""
    months = [f"{year}{m:02d}" for m in range(1, 13)]
    this_month = f"{as_of.year}{as_of.month:02d}"
    per_month: dict[str, dict[str, str]] = {}
    for m in months:
        if m > this_month:
            continue
        for r in completeness.completeness(session, parse_period(m), towns, as_of=as_of):
            status = ("MISSING" if r.missing else "LATE" if r.late else "ON_TIME" if r.on_time else "PENDING")
            per_month.setdefault(r.township_code, {})[m] = status
    rows = []
    for r in completeness.completeness(session, parse_period(str(year)), towns, as_of=as_of):
        statuses = tuple(per_month.get(r.township_code, {}).get(m, "") for m in months)
        rows.append(TownYear(r.township_code, r.township_name, statuses, r.expected, r.submitted, r.on_time,
                             r.completeness_rate, r.timeliness_rate))
    total = completeness.CompletenessRow("", "合计", sum(r.expected for r in rows), sum(r.submitted for r in rows),
                                 sum(r.on_time for r in rows), 0)
    return rows, total


class CompletenessModel(QAbstractTableModel):
    HEADINGS = ["乡镇（街道）", *[f"{m}月" for m in range(1, 13)], "应报", "已报", "及时", "完整率", "及时率"]

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[TownYear] = []
        self._total = None
        self.year = date.today().year
        self.due_day = 5

    def set_rows(self, rows: list[TownYear], total, year: int, due_day: int) -> None:
        self.beginResetModel()
        self._rows, self._total, self.year, self.due_day = list(rows), total, year, due_day
        self.endResetModel()

    def rows(self) -> list[TownYear]:
        return list(self._rows)

    def status(self, code: str, month: int) -> str:
        row = next((r for r in self._rows if r.code == code), None)
        return STATUS_TEXT[row.months[month - 1]] if row else ""

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._rows) + (1 if self._rows else 0)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.HEADINGS)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        col, is_total = index.column(), index.row() == len(self._rows)
        r = self._total if is_total else self._rows[index.row()]
        if role == Qt.ItemDataRole.FontRole and is_total:
            font = QFont()
            font.setBold(True)
            return font
        if 1 <= col <= 12:
            status = "" if is_total else r.months[col - 1]
            if role == Qt.ItemDataRole.DisplayRole:
                return STATUS_TEXT[status]
            if role == Qt.ItemDataRole.BackgroundRole and status:
                return QBrush(QColor(STATUS_COLOURS[status]))
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return int(Qt.AlignmentFlag.AlignCenter)
            if role == Qt.ItemDataRole.ToolTipRole and status:
                return self._tooltip(r.name, col, status)
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return r.township_name if is_total else r.name
            return [str(r.expected), str(r.submitted), str(r.on_time), _rate_text(r.completeness_rate),
                    _rate_text(r.timeliness_rate)][col - 13]
        if role == Qt.ItemDataRole.TextAlignmentRole and col >= 13:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _tooltip(self, name: str, month: int, status: str) -> str:
        y, m = (self.year + 1, 1) if month == 12 else (self.year, month + 1)
        due = f"{y}年{m}月{self.due_day}日"
        text = {"ON_TIME": "已在截止日前上报", "LATE": "上报晚于截止日", "MISSING": "已过截止日，尚未上报",
                "PENDING": "尚未到截止日"}[status]
        return f"{name} {self.year}年{month}月：{text}（截止 {due}）"

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADINGS[section]
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            return {13: "已到截止日的月份数（月份到期或已上报才计入）", 14: "已上报（含已审核）的月份数",
                    15: "在截止日前上报的月份数", 16: "完整率 = 已报 ÷ 应报 × 100%",
                    17: "及时率 = 及时 ÷ 应报 × 100%"}.get(section)
        return None


class CompletenessView(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.preview = None
        self.as_of: date | None = None          # None: today (tests fix it)
        self.year_spin = QSpinBox()
        self.year_spin.setRange(2000, 2100)
        self.year_spin.setValue(int(last_month()[:4]))
        self.year_spin.setSuffix(" 年")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.print_button = QPushButton("打印完整性报表(&P)")
        self.print_button.clicked.connect(self.print_return)
        year_title = QLabel("年度(&Y)：")
        year_title.setBuddy(self.year_spin)
        bar = QHBoxLayout()
        bar.addWidget(year_title)
        bar.addWidget(self.year_spin)
        bar.addSpacing(12)
        bar.addWidget(self.summary, 1)
        bar.addWidget(self.print_button)

        self.model = CompletenessModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        month_width = self.fontMetrics().horizontalAdvance("12月") + 22
        for col in range(1, 13):
            header.resizeSection(col, month_width)
        for col in range(13, 18):
            header.resizeSection(col, self.fontMetrics().horizontalAdvance("100.00%") + 16)
        self.message = QLabel()
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setVisible(False)
        legend = QLabel("　".join(f"<span style='background:{STATUS_COLOURS[k]}'>&nbsp;{STATUS_TEXT[k]}&nbsp;</span>"
                                 for k in ("ON_TIME", "LATE", "MISSING", "PENDING"))
                        + "　次月截止日前上报为“及时”，之后上报为“迟报”；已退回的月份在重新上报前算未报。")
        legend.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        layout.addWidget(legend)
        self.year_spin.valueChanged.connect(lambda _v: self.refresh())
        self.refresh()

    def refresh(self) -> None:
        spec = available_return(COMPLETENESS_RETURN)
        self.print_button.setEnabled(spec is not None and self.ctx.actor.can(Permission.PRINT_RETURNS))
        self.print_button.setToolTip("打印预览本年度各乡镇的报表完整性与及时性" if spec
                                     else f"报表完整性与及时性（{COMPLETENESS_RETURN}）尚未启用，暂不能打印。")
        year = self.year_spin.value()
        as_of = self.as_of or date.today()
        try:
            with self.ctx.db.session(self.ctx.actor) as s:
                towns = [t.code for t in actor_townships(s, self.ctx.actor)]
                rows, total = load_year(s, year, towns, as_of)
                due_day = int(settings.get(s, "mch.due_day"))
        except UserFacingError as e:
            self._show_error(e.message)
            return
        self.message.setVisible(False)
        self.model.set_rows(rows, total, year, due_day)
        missing = sum(r.months.count("MISSING") for r in rows)
        late = sum(r.months.count("LATE") for r in rows)
        self.summary.setText(f"{year}年（截至 {as_of:%Y-%m-%d}）：{len(rows)} 个乡镇，应报 {total.expected} 个月报，"
                             f"已报 {total.submitted} 个，及时 {total.on_time} 个，迟报 {late} 个，未报 {missing} 个；"
                             f"完整率 {_rate_text(total.completeness_rate)}，及时率 {_rate_text(total.timeliness_rate)}。")

    def _show_error(self, text: str) -> None:
        self.model.set_rows([], None, self.year_spin.value(), 5)
        self.summary.clear()
        self.message.setText(text)
        self.message.setVisible(True)

    def print_return(self):
        spec = available_return(COMPLETENESS_RETURN)
        if spec is None:
            return None
        year = str(self.year_spin.value())
        return preview_return(self, self.ctx, spec, year, None, self.ctx.county_name, f"{spec.title} {year}年")


class MchTodoPanel(QWidget):
    """妇幼月报待办: this year's months not yet submitted (未报 past the due day, 待报 before it) or
    submitted late. Double-click (or Enter) asks to open that township-month (``open_month``)."""

    open_month = Signal(str, str)          # township code, YYYYMM
    COLOURS = {"MISSING": "#b00020", "PENDING": "#505050", "LATE": "#8a5300"}

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *, limit: int = 50):
        super().__init__(parent)
        self.ctx = ctx
        self.limit = limit
        self.as_of: date | None = None
        self.items: list[Any] = []
        self.title = QLabel("妇幼月报待办")
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.list = QListWidget()
        self.list.itemActivated.connect(self._activated)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.summary)
        layout.addWidget(self.list, 1)
        self.refresh()

    def refresh(self) -> None:
        self.list.clear()
        as_of = self.as_of or date.today()
        try:
            with self.ctx.db.session(self.ctx.actor) as s:
                towns = [t.code for t in actor_townships(s, self.ctx.actor)]
                found = completeness.missing_or_late(s, as_of, towns)
        except UserFacingError as e:
            self.summary.setText(e.message)
            return
        order = {"MISSING": 0, "PENDING": 1, "LATE": 2}
        self.items = sorted(found, key=lambda m: (order.get(m.status, 3), m.period, m.township_code))
        counts = {k: sum(1 for m in self.items if m.status == k) for k in order}
        self.summary.setText(f"未报 {counts['MISSING']} 个，待报 {counts['PENDING']} 个，迟报 {counts['LATE']} 个"
                             if self.items else "没有未报或迟报的月报。")
        for m in self.items[:self.limit]:
            item = QListWidgetItem(m.label)
            item.setForeground(QBrush(QColor(self.COLOURS.get(m.status, "#000000"))))
            item.setData(Qt.ItemDataRole.UserRole, (m.township_code, m.period))
            item.setToolTip(f"{month_label(m.period)} 的月报截止日 {m.due:%Y-%m-%d}；双击打开")
            self.list.addItem(item)
        if len(self.items) > self.limit:
            self.list.addItem(f"…… 另有 {len(self.items) - self.limit} 个，见“妇幼月报 → 完整性”")

    def _activated(self, item: QListWidgetItem) -> None:
        data = item.data(Qt.ItemDataRole.UserRole)
        if data:
            self.open_month.emit(*data)
