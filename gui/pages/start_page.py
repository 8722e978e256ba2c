"""首页: who is logged in and where, how many townships and villages, quick links, an honest 待办
panel, and (for roles that may see the audit trail) the last few recorded actions."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QFrame, QGridLayout, QGroupBox, QHBoxLayout, QHeaderView,
                               QLabel, QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from core import audit, orgunits
from core.access import Actor, Permission
from core.database import Database
from gui.context import AppContext
from gui.operations import run_op

RECENT_EVENTS = 5
ADMIN_TIPS = [
    "在 系统管理 → 组织机构 中从 CSV 文件导入本县的村（居）委会；",
    "在 设置 → 报表表头与单位信息 中填写表号、制定机关、单位负责人等；",
    "在 系统管理 → 用户 中为录入员、审核员建立账号（录入员可限定负责的乡镇）；",
    "定期在 系统管理 → 备份与恢复 中备份，并把备份文件另存到 U 盘。",
]
USER_TIPS = [
    "在 报表 中选择报表和报告期，可以预览、打印或导出为 Excel、PDF；",
    "在 设置 → 修改密码 中修改自己的密码；",
    "按 Ctrl+1…Ctrl+7 切换功能，按 F1 查看当前页面的帮助。",
]
TODO_TEXT = "正在读取待办……"
OVERDUE_SHOWN = 5


@dataclass
class StartSummary:
    townships: int = 0
    villages: int = 0
    recent: list[tuple[str, str, str, str]] = field(default_factory=list)  # time, who, action, what
    overdue_cases: list[str] = field(default_factory=list)   # "文号 案由：期限 逾期 N 天"
    overdue_total: int = 0


def _local_time(at: datetime) -> str:
    """Audit times are naive UTC: show them in the computer's time zone."""
    return at.replace(tzinfo=timezone.utc).astimezone().strftime("%Y-%m-%d %H:%M")


def load_summary(db: Database, actor: Actor) -> StartSummary:
    """Runs off the GUI thread: counts and recent events as plain values (no ORM objects leave)."""
    summary = StartSummary()
    with db.session() as session:
        units = orgunits.list_units(session, include_closed=False)
        summary.townships = sum(1 for u in units if u.level == 2)
        summary.villages = sum(1 for u in units if u.level == 3)
        from core.supervision.case_deadlines import overdue_cases
        overdue = overdue_cases(session, date.today(), township_codes=actor.townships)
        summary.overdue_total = len(overdue)
        summary.overdue_cases = [f"{c.number or '（未编号）'} {c.cause[:16]}：{c.deadline}逾期 {c.days_overdue} 天"
                                 for c in overdue[:OVERDUE_SHOWN]]
        if actor.can(Permission.VIEW_AUDIT):
            for row in audit.query_audit(session, actor, limit=RECENT_EVENTS):
                action = audit.ACTION_LABELS.get(row.action, row.action)
                table = audit.TABLE_LABELS.get(row.table_name, row.table_name)
                what = f"{table} {row.record_label}".strip() if table else row.record_label
                summary.recent.append((_local_time(row.at), row.shown_actor, action, what))
    return summary


def _card(title: str) -> tuple[QFrame, QLabel]:
    frame = QFrame()
    frame.setObjectName("card")
    frame.setStyleSheet("QFrame#card { background: palette(base); border: 1px solid palette(mid); border-radius: 6px; }")
    value = QLabel("…")
    font = value.font()
    font.setPointSizeF(font.pointSizeF() * 2.0)
    font.setBold(True)
    value.setFont(font)
    value.setStyleSheet("color: #0e7c78;")
    caption = QLabel(title)
    caption.setStyleSheet("color: #555;")
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(16, 10, 16, 10)
    layout.addWidget(value)
    layout.addWidget(caption)
    return frame, value


class StartPage(QWidget):
    navigate = Signal(str)   # an area key of the main window, e.g. "returns"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.help_topic = "getting-started.html"
        self.summary: StartSummary | None = None
        actor = ctx.actor

        self.greeting = QLabel(f"您好，{actor.display_name}")
        font = self.greeting.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.greeting.setFont(font)
        where = f"{ctx.county_name}卫生健康局" if ctx.county_name else "卫健台账"
        today = date.today()
        self.subtitle = QLabel(f"{where} · {actor.role.label} · 今天是 {today.year}年{today.month}月{today.day}日")
        self.subtitle.setStyleSheet("color: #444;")
        self.demo_note = QLabel("当前打开的是演示数据库：演示县和其中的单位、账号都是虚构的，可以放心试用。")
        self.demo_note.setWordWrap(True)
        self.demo_note.setStyleSheet("QLabel { background: #fff4e0; color: #5c3b00; border: 1px solid #f0c987;"
                                     " border-radius: 4px; padding: 6px; }")
        self.demo_note.setVisible(ctx.is_demo)

        township_card, self.townships_value = _card("乡镇（街道）")
        village_card, self.villages_value = _card("村（居）委会")
        cards = QHBoxLayout()
        cards.addWidget(township_card)
        cards.addWidget(village_card)

        self.returns_button = QPushButton("报表(&R)")
        self.returns_button.setToolTip("导出、预览和打印报表（Ctrl+5）")
        self.admin_button = QPushButton("系统管理(&M)")
        self.admin_button.setToolTip("组织机构、用户、审计日志、备份与恢复（Ctrl+7）")
        for button in (self.returns_button, self.admin_button):
            button.setMinimumHeight(40)
            button.setMinimumWidth(140)
        self.returns_button.clicked.connect(lambda: self.navigate.emit("returns"))
        self.admin_button.clicked.connect(lambda: self.navigate.emit("admin"))
        cards.addSpacing(24)
        cards.addWidget(self.returns_button, 0, Qt.AlignmentFlag.AlignVCenter)
        cards.addWidget(self.admin_button, 0, Qt.AlignmentFlag.AlignVCenter)
        cards.addStretch(1)

        todo_box = QGroupBox("待办")
        self.todo_label = QLabel(TODO_TEXT)
        self.todo_label.setWordWrap(True)
        self.todo_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.todo_label.setTextFormat(Qt.TextFormat.PlainText)
        self.todo_label.setCursor(Qt.CursorShape.PointingHandCursor)
        self.todo_label.setToolTip("点击转到 卫生监督")
        self.todo_label.mousePressEvent = lambda _e: self.navigate.emit("supervision")
        from gui.mch.completeness_view import MchTodoPanel
        self.mch_todo = MchTodoPanel(ctx, limit=8)
        self.mch_todo.setMaximumHeight(200)
        self.mch_todo.open_month.connect(lambda _t, _p: self.navigate.emit("mch"))
        todo_layout = QVBoxLayout(todo_box)
        todo_layout.addWidget(self.todo_label)
        todo_layout.addWidget(self.mch_todo)

        self.recent_box = QGroupBox("最近的操作")
        self.recent_table = QTableWidget(0, 4)
        self.recent_table.setHorizontalHeaderLabels(["时间", "用户", "操作", "对象"])
        self.recent_table.verticalHeader().setVisible(False)
        self.recent_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.recent_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.recent_table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        header = self.recent_table.horizontalHeader()
        for col in range(3):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        rows = self.recent_table.verticalHeader()
        rows.setDefaultSectionSize(self.recent_table.fontMetrics().height() + 10)
        self.recent_table.setFixedHeight(header.sizeHint().height() + RECENT_EVENTS * rows.defaultSectionSize()
                                         + 2 * self.recent_table.frameWidth() + 6)
        self.recent_table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.recent_hint = QLabel("完整记录见 系统管理 → 审计日志。")
        self.recent_hint.setStyleSheet("color: #555;")
        recent_layout = QVBoxLayout(self.recent_box)
        recent_layout.addWidget(self.recent_table)
        recent_layout.addWidget(self.recent_hint)
        self.recent_box.setVisible(actor.can(Permission.VIEW_AUDIT))

        tips_box = QGroupBox("使用提示")
        tips = ADMIN_TIPS if actor.can(Permission.MANAGE_REFERENCE) else USER_TIPS
        self.tips_label = QLabel("<ol style='margin-left:-20px'>" + "".join(f"<li>{t}</li>" for t in tips)
                                 + "</ol>按 F1 可查看当前页面的帮助。")
        self.tips_label.setWordWrap(True)
        self.tips_label.setTextFormat(Qt.TextFormat.RichText)
        tips_layout = QVBoxLayout(tips_box)
        tips_layout.addWidget(self.tips_label)

        left = QVBoxLayout()
        left.addWidget(todo_box)
        left.addWidget(tips_box)
        left.addStretch(1)
        grid = QGridLayout()
        grid.addLayout(left, 0, 0)
        grid.addWidget(self.recent_box, 0, 1, Qt.AlignmentFlag.AlignTop)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 24, 28, 24)
        layout.setSpacing(14)
        layout.addWidget(self.greeting)
        layout.addWidget(self.subtitle)
        layout.addWidget(self.demo_note)
        layout.addLayout(cards)
        layout.addLayout(grid)
        layout.addStretch(1)

        ctx.changes.changed.connect(self._changed)
        self.refresh()

    def _changed(self, _what: str) -> None:
        self.refresh()  # any change may alter the counts or add an audit event; both are cheap to read
        self.mch_todo.refresh()

    def refresh(self) -> None:
        db, actor = self.ctx.db, self.ctx.actor
        run_op(self, lambda _p: load_summary(db, actor), on_done=self.show_summary, writes=False,
               label="正在读取……")

    def show_summary(self, summary: StartSummary) -> None:
        self.summary = summary
        self.townships_value.setText(str(summary.townships))
        self.villages_value.setText(str(summary.villages))
        if summary.overdue_total:
            more = f"（另有 {summary.overdue_total - len(summary.overdue_cases)} 件）" \
                if summary.overdue_total > len(summary.overdue_cases) else ""
            self.todo_label.setText(f"卫生监督：{summary.overdue_total} 件案件已过法定期限{more}\n"
                                    + "\n".join(f"· {line}" for line in summary.overdue_cases))
            self.todo_label.setStyleSheet("color: #b00020;")
        else:
            self.todo_label.setText("卫生监督：没有逾期的案件。")
            self.todo_label.setStyleSheet("")
        self.recent_table.setRowCount(len(summary.recent))
        for r, values in enumerate(summary.recent):
            for c, text in enumerate(values):
                self.recent_table.setItem(r, c, QTableWidgetItem(text))
        if not summary.recent:
            self.recent_hint.setText("还没有记录。完整记录见 系统管理 → 审计日志。")
        else:
            self.recent_hint.setText("完整记录见 系统管理 → 审计日志。")
