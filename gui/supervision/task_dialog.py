"""双随机抽查: the dialog to register or change a task, and the one to record its inspection (登记完成).

Saving goes through ``core.supervision.random_tasks.save_task`` / ``complete_task`` (the view passes
``on_save``); their Chinese refusals are shown inside the dialog, which stays open.
Keyboard: Tab through the fields, Enter saves, Esc closes.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Callable, Sequence

from PySide6.QtWidgets import QSpinBox, QWidget

from core.orgunits import UnitRow
from core.supervision.case_list import CaseRow
from core.supervision.codes import CATEGORIES, TASK_LEVELS, TASK_RESULTS
from core.supervision.random_tasks import TaskInput, TaskRow
from gui.supervision.record_dialog import RecordDialog


@dataclass(frozen=True)
class TaskValues:
    task_id: int | None            # None: a new task
    data: TaskInput
    expected_version: int | None


@dataclass(frozen=True)
class TaskDoneValues:
    task_id: int
    done_on: date
    result: str
    note: str
    case_id: int | None
    expected_version: int


class TaskDialog(RecordDialog):
    """新增 / 修改双随机抽查任务: what was drawn and by when it is due."""

    def __init__(self, townships: Sequence[UnitRow], on_save: Callable[[TaskValues], Any], *,
                 task_id: int | None = None, current: TaskInput | None = None, version: int | None = None,
                 parent: QWidget | None = None):
        super().__init__("修改抽查任务" if task_id else "新增抽查任务", on_save, parent)
        self.task_id, self.version = task_id, version
        self.current = current or TaskInput(year=date.today().year, level="COUNTY")
        c = self.current
        self.level = self.choice_field("抽查层级(&L)：", [(n, k) for k, n in TASK_LEVELS.items()], c.level)
        self.year = QSpinBox()
        self.year.setRange(2000, date.today().year + 1)
        self.year.setValue(c.year or date.today().year)
        self.year.setSuffix(" 年")
        self.add_field("计划年度(&Y)：", self.year)
        self.task_no = self.text_field("任务编号(&B)：", c.task_no, max_length=40)
        self.target_name = self.text_field("抽查对象(&N)：", c.target_name, max_length=100, required_name="抽查对象名称")
        self.target_name.setPlaceholderText("被抽查单位的名称")
        self.target_code = self.text_field("统一社会信用代码(&C)：", str(c.target_code or ""), max_length=18)
        self.target_code.setPlaceholderText("18 位，可不填")
        self.address = self.text_field("地址(&A)：", c.target_address, max_length=200)
        self.township = self.township_field("所在乡镇(&T)：", townships, c.township)
        self.category = self.choice_field("专业类别(&K)：", [(n, k) for k, n in CATEGORIES.items()], c.category,
                                          blank="（未填）")
        inspectors = c.inspectors if isinstance(c.inspectors, str) else "、".join(c.inspectors)
        self.inspectors = self.text_field("检查人员(&I)：", inspectors, max_length=200)
        self.inspectors.setPlaceholderText("姓名之间用顿号或逗号分开，如 张伟、李娜")
        self.due_on = self.date_field("完成时限(&D)：", "完成时限", c.due_on, required=True)
        if c.done_on is not None:
            self.add_info("检查结果：", f"{c.done_on:%Y-%m-%d} 完成，{c.result}（在“登记完成”中修改）")
        self.level.setFocus()

    def values(self) -> TaskValues:
        names = [n.strip() for n in self.inspectors.text().replace(",", "、").replace("，", "、").split("、")]
        data = replace(self.current, year=self.year.value(), level=self.combo_value(self.level),
                       category=self.combo_value(self.category), task_no=self.task_no.text().strip(),
                       target_name=self.target_name.text().strip(), target_code=self.target_code.text().strip(),
                       target_address=self.address.text().strip(), township=self.combo_value(self.township) or "",
                       inspectors=[n for n in names if n], due_on=self.date_value(self.due_on))
        return TaskValues(self.task_id, data, self.version)


class TaskDoneDialog(RecordDialog):
    """登记完成: the date, the finding, a note, and the case the inspection opened."""

    def __init__(self, task: TaskRow, cases: Sequence[CaseRow], on_save: Callable[[TaskDoneValues], Any],
                 parent: QWidget | None = None):
        super().__init__("登记抽查完成", on_save, parent)
        self.task = task
        self.add_info("抽查对象：", f"{task.target_name}（{task.level_name}，时限 {task.due_on:%Y-%m-%d}）")
        self.done_on = self.date_field("完成日期(&D)：", "完成日期", task.done_on or date.today(), required=True)
        self.result = self.choice_field("检查结果(&R)：", [(r, r) for r in TASK_RESULTS], task.result,
                                        blank="（请选择）", required_name="检查结果")
        self.note = self.note_field("结果说明(&N)：", task.result_note)
        self.case = self.case_field("所立案件(&C)：", cases, task.case_id)
        self.done_on.setFocus()
        self.done_on.selectAll()

    def values(self) -> TaskDoneValues:
        return TaskDoneValues(self.task.id, self.date_value(self.done_on), self.combo_value(self.result),
                              self.note.toPlainText().strip(), self.combo_value(self.case), self.task.version)
