"""投诉举报: the dialog to register or change a complaint, and the one to record how it was handled (办结).

Saving goes through ``core.supervision.complaints.save_complaint`` / ``handle_complaint`` (the view passes
``on_save``); their Chinese refusals are shown inside the dialog, which stays open.
Keyboard: Tab through the fields, Enter saves (also from the last field), Esc closes.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Callable, Sequence

from PySide6.QtWidgets import QWidget

from core.orgunits import UnitRow
from core.supervision.case_list import CaseRow
from core.supervision.codes import CATEGORIES, COMPLAINT_CHANNELS, COMPLAINT_RESULTS, SATISFACTION
from core.supervision.complaints import ComplaintInput, ComplaintRow
from gui.supervision.record_dialog import RecordDialog


@dataclass(frozen=True)
class ComplaintValues:
    complaint_id: int | None       # None: a new complaint
    data: ComplaintInput
    expected_version: int | None


@dataclass(frozen=True)
class HandledValues:
    complaint_id: int
    handled_on: date
    result: str
    satisfaction: str
    note: str
    case_id: int | None
    expected_version: int


class ComplaintDialog(RecordDialog):
    """登记 / 修改投诉举报: when and how it came in, about whom, and what it says."""

    def __init__(self, townships: Sequence[UnitRow], on_save: Callable[[ComplaintValues], Any], *,
                 complaint_id: int | None = None, current: ComplaintInput | None = None,
                 version: int | None = None, parent: QWidget | None = None):
        super().__init__("修改投诉举报" if complaint_id else "登记投诉举报", on_save, parent)
        self.complaint_id, self.version = complaint_id, version
        self.current = current or ComplaintInput(received_on=date.today(), channel=COMPLAINT_CHANNELS[0])
        c = self.current
        self.received_on = self.date_field("受理日期(&D)：", "受理日期", c.received_on, required=True)
        self.channel = self.choice_field("来源渠道(&H)：", [(ch, ch) for ch in COMPLAINT_CHANNELS], c.channel)
        self.ref_no = self.text_field("工单号(&B)：", c.ref_no, max_length=40)
        self.ref_no.setPlaceholderText("12345 等平台的工单编号，可不填")
        self.subject = self.text_field("被投诉对象(&S)：", c.subject, max_length=100, required_name="被投诉对象")
        self.category = self.choice_field("专业类别(&K)：", [(n, k) for k, n in CATEGORIES.items()], c.category,
                                          blank="（未填）")
        self.township = self.township_field("所在乡镇(&T)：", townships, c.township)
        self.content = self.note_field("投诉内容(&C)：", c.content)
        if c.handled_on is not None:
            self.add_info("办理情况：", f"{c.handled_on:%Y-%m-%d} 办结，{c.result}（在“登记办结”中修改）")
        self.received_on.setFocus()
        self.received_on.selectAll()

    def values(self) -> ComplaintValues:
        data = replace(self.current, received_on=self.date_value(self.received_on),
                       channel=self.combo_value(self.channel), ref_no=self.ref_no.text().strip(),
                       subject=self.subject.text().strip(), category=self.combo_value(self.category),
                       township=self.combo_value(self.township) or "", content=self.content.toPlainText().strip())
        return ComplaintValues(self.complaint_id, data, self.version)


class HandledDialog(RecordDialog):
    """登记办结: the date, the finding, the complainant's satisfaction, and a case it opened."""

    def __init__(self, complaint: ComplaintRow, cases: Sequence[CaseRow], on_save: Callable[[HandledValues], Any],
                 parent: QWidget | None = None):
        super().__init__("登记投诉办结", on_save, parent)
        self.complaint = complaint
        self.add_info("投诉：", f"{complaint.subject}（{complaint.channel}，{complaint.received_on:%Y-%m-%d} 受理）")
        self.handled_on = self.date_field("办结日期(&D)：", "办结日期", complaint.handled_on or date.today(),
                                          required=True)
        self.result = self.choice_field("办理结果(&R)：", [(r, r) for r in COMPLAINT_RESULTS], complaint.result,
                                        blank="（请选择）", required_name="办理结果")
        self.satisfaction = self.choice_field("满意度(&M)：", [(s, s) for s in SATISFACTION],
                                              complaint.satisfaction or "未评价")
        self.note = self.note_field("办理说明(&N)：", complaint.result_note)
        self.case = self.case_field("所立案件(&C)：", cases, complaint.case_id)
        self.handled_on.setFocus()
        self.handled_on.selectAll()

    def values(self) -> HandledValues:
        return HandledValues(self.complaint.id, self.date_value(self.handled_on), self.combo_value(self.result),
                             self.combo_value(self.satisfaction), self.note.toPlainText().strip(),
                             self.combo_value(self.case), self.complaint.version)
