"""双随机抽查 and 投诉举报 tabs: read-only lists with their completion rates (core.supervision.random_tasks,
core.supervision.complaints). Adding and completing entries from these tabs is not built yet; the tab says so."""
from __future__ import annotations

from datetime import date

from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QLabel, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from core.supervision.complaints import list_complaints, summary
from core.supervision.random_tasks import completion, list_tasks
from gui.context import AppContext
from gui.operations import show_error

RED = QColor("#b00020")
NOTE = "（本页目前只能查看；新增、登记完成请暂用“导入”或命令行，界面录入将在后续版本提供。）"


def _table(headings: list[str]) -> QTableWidget:
    t = QTableWidget(0, len(headings))
    t.setHorizontalHeaderLabels(headings)
    t.verticalHeader().setVisible(False)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    t.horizontalHeader().setStretchLastSection(True)
    return t


def _fill(t: QTableWidget, rows: list[list[str]], red: list[bool] | None = None) -> None:
    t.setRowCount(len(rows))
    for r, values in enumerate(rows):
        for c, v in enumerate(values):
            item = QTableWidgetItem(v)
            if red and red[r]:
                item.setForeground(QBrush(RED))
            t.setItem(r, c, item)


def _rate(rate) -> str:
    return "—" if rate is None else f"{rate}%"


def _d(d: date | None) -> str:
    return f"{d:%Y-%m-%d}" if d else ""


class _YearTab(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.year_combo = QComboBox()
        this_year = date.today().year
        for y in range(this_year, this_year - 8, -1):
            self.year_combo.addItem(f"{y} 年", y)
        self.year_combo.currentIndexChanged.connect(self.refresh)
        self.summary_label = QLabel()
        self.note = QLabel(NOTE)
        self.note.setStyleSheet("color: #666;")
        self.note.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(QLabel("年度"))
        top.addWidget(self.year_combo)
        top.addWidget(self.summary_label, 1)
        self.layout_ = QVBoxLayout(self)
        self.layout_.addLayout(top)

    def year(self) -> int:
        return self.year_combo.currentData()


class TasksView(_YearTab):
    """双随机抽查: completion by level, then the tasks of the year."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.rates = _table(["层级", "任务数", "已完成", "按期完成", "未完成", "立案数", "完成率"])
        self.rates.setMaximumHeight(190)
        self.table = _table(["年度", "层级", "任务编号", "检查对象", "统一社会信用代码", "专业类别", "检查人员",
                             "应完成日期", "完成日期", "结果"])
        self.layout_.addWidget(self.rates)
        self.layout_.addWidget(self.table, 1)
        self.layout_.addWidget(self.note)
        self.refresh()

    def refresh(self) -> None:
        y = self.year()
        try:
            with self.ctx.db.session(self.ctx.actor) as s:
                rows = list_tasks(s, self.ctx.actor, year=y)
                rates = completion(s, date(y, 1, 1), date(y, 12, 31), self.ctx.actor.townships)
        except Exception as e:  # noqa: BLE001
            show_error(self, e, "抽查任务未能读取")
            return
        _fill(self.rates, [[c.name, str(c.total), str(c.done), str(c.on_time), str(c.not_done), str(c.cases),
                            _rate(c.rate)] for c in rates])
        _fill(self.table, [[str(t.year), t.level_name, t.task_no, t.target_name, t.target_code, t.category_name,
                            t.inspectors, _d(t.due_on), _d(t.done_on), t.result] for t in rows],
              [t.overdue for t in rows])
        total = rates[-1] if rates else None
        late = sum(t.overdue for t in rows)
        self.summary_label.setText(f"共 {len(rows)} 项任务" + (f"，完成率 {_rate(total.rate)}" if total else "")
                                   + (f"，逾期未完成 {late} 项" if late else ""))


class ComplaintsView(_YearTab):
    """投诉举报: the tally by channel, then the complaints received in the year."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.rates = _table(["渠道", "受理", "办结", "办结率", "属实", "立案", "评价数", "满意", "满意率"])
        self.rates.setMaximumHeight(190)
        self.table = _table(["受理日期", "渠道", "编号", "专业类别", "事项", "办结日期", "处理结果", "满意度"])
        self.layout_.addWidget(self.rates)
        self.layout_.addWidget(self.table, 1)
        self.layout_.addWidget(self.note)
        self.refresh()

    def refresh(self) -> None:
        y = self.year()
        start, end = date(y, 1, 1), date(y, 12, 31)
        try:
            with self.ctx.db.session(self.ctx.actor) as s:
                rows = list_complaints(s, self.ctx.actor, start=start, end=end)
                tally = summary(s, start, end, self.ctx.actor.townships)
        except Exception as e:  # noqa: BLE001
            show_error(self, e, "投诉举报未能读取")
            return
        _fill(self.rates, [[t.channel, str(t.received), str(t.handled), _rate(t.rate), str(t.substantiated),
                            str(t.cases), str(t.rated), str(t.satisfied), _rate(t.satisfaction_rate)]
                           for t in tally if t.received or t.channel == "合计"])
        _fill(self.table, [[_d(c.received_on), c.channel, c.ref_no, c.category_name, c.subject, _d(c.handled_on),
                            c.result, c.satisfaction] for c in rows])
        total = tally[-1] if tally else None
        self.summary_label.setText(f"共 {len(rows)} 件" + (f"，办结率 {_rate(total.rate)}，满意率 "
                                                          f"{_rate(total.satisfaction_rate)}" if total else ""))
