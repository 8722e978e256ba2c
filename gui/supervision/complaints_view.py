"""投诉举报 tab: the tally by channel (办结率, 满意率) above the complaints received in the year, and
登记 / 修改 / 登记办结 through dialogs — all through ``core.supervision.complaints``.
Keyboard as on the 双随机抽查 tab: Ins adds, Enter or F2 changes, F3 records the handling."""
from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import QWidget

from core.supervision.codes import COMPLAINT_CHANNELS
from core.supervision.complaints import (ComplaintRow, handle_complaint, list_complaints, load_complaint,
                                         save_complaint, summary)
from gui.context import AppContext
from gui.supervision.complaint_dialog import ComplaintDialog, ComplaintValues, HandledDialog, HandledValues
from gui.supervision.tasks_view import RegisterTab, date_text, rate_text
from gui.table_models import TableColumn


class ComplaintsView(RegisterTab):
    """投诉举报: the tally by channel, then the complaints received in the year."""

    changed_key = "supervision_complaint"
    kind_label = "渠道"
    kinds = [(ch, ch) for ch in COMPLAINT_CHANNELS]
    statuses = [("办理中", "open"), ("已办结", "handled")]
    rate_headings = ["渠道", "受理", "办结", "办结率", "属实", "立案", "评价数", "满意", "满意率"]
    add_text, finish_text = "登记投诉", "登记办结"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        columns = [
            TableColumn("受理日期", lambda c: date_text(c.received_on)),
            TableColumn("渠道", lambda c: c.channel),
            TableColumn("工单号", lambda c: c.ref_no),
            TableColumn("被投诉对象", lambda c: c.subject),
            TableColumn("专业类别", lambda c: c.category_name),
            TableColumn("状态", lambda c: c.status),
            TableColumn("办结日期", lambda c: date_text(c.handled_on)),
            TableColumn("办理结果", lambda c: c.result, tooltip=lambda c: c.result_note or None),
            TableColumn("满意度", lambda c: c.satisfaction),
            TableColumn("所立案件", lambda c: c.case_number),
        ]
        super().__init__(ctx, columns, parent)
        self.search.setPlaceholderText("搜索被投诉对象或工单号")
        for col, width in enumerate((90, 70, 130, 220, 110, 70, 90, 120, 70)):
            self.table.setColumnWidth(col, width)
        self.refresh()

    def load(self, s) -> tuple[list[ComplaintRow], list[list[str]], str]:
        y, status = self.year(), self.status_combo.currentData()
        start, end = date(y, 1, 1), date(y, 12, 31)      # a complaint counts in the year it was received
        rows = list_complaints(s, self.ctx.actor, start=start, end=end, channel=self.kind_combo.currentData(),
                               handled={"open": False, "handled": True}.get(status), text=self.search.text())
        tally = summary(s, start, end, self.ctx.actor.townships)
        total = tally[-1]
        line = (f"共 {total.received} 件（{y} 年受理），已办结 {total.handled} 件，办结率 {rate_text(total.rate)}，"
                f"满意率 {rate_text(total.satisfaction_rate)}（已评价 {total.rated} 件）")
        return rows, [[t.channel, str(t.received), str(t.handled), rate_text(t.rate), str(t.substantiated),
                       str(t.cases), str(t.rated), str(t.satisfied), rate_text(t.satisfaction_rate)]
                      for t in tally if t.received or t is total], line

    def new_dialog(self, townships: list) -> ComplaintDialog:
        return ComplaintDialog(townships, self.save_complaint, parent=self)

    def edit_dialog(self, townships: list, row: ComplaintRow) -> ComplaintDialog:
        with self.ctx.db.session(self.ctx.actor) as s:
            current, version = load_complaint(s, self.ctx.actor, row.id)
        return ComplaintDialog(townships, self.save_complaint, complaint_id=row.id, current=current,
                               version=version, parent=self)

    def finish_dialog(self, row: ComplaintRow, cases: list) -> HandledDialog:
        return HandledDialog(row, cases, self.save_handled, self)

    def save_complaint(self, v: ComplaintValues) -> int:
        actor = self.ctx.actor
        complaint_id, _version = self.save(
            lambda s: save_complaint(s, actor, v.data, complaint_id=v.complaint_id,
                                     expected_version=v.expected_version),
            lambda _r: f"已保存投诉“{v.data.subject}”。")
        self.select_id(complaint_id)
        return complaint_id

    def save_handled(self, v: HandledValues) -> None:
        actor = self.ctx.actor
        self.save(lambda s: handle_complaint(s, actor, v.complaint_id, v.handled_on, v.result, v.satisfaction,
                                             v.note, case_id=v.case_id, expected_version=v.expected_version),
                  lambda _r: "已登记办结。")
        self.select_id(v.complaint_id)
