"""What the 双随机抽查 and 投诉举报 dialogs share: a form dialog whose fields are dates typed as clerks write
them, code combos, a township combo and a case picker over the case register.

Rules stay in core (``core.supervision.random_tasks`` / ``complaints``): these dialogs only check that a date
can be read and that a required field is filled, naming the field; everything else is core's Chinese refusal,
shown inside the dialog, which stays open.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Callable, Sequence

from PySide6.QtWidgets import QAbstractSpinBox, QComboBox, QLineEdit, QMessageBox, QPlainTextEdit, QWidget

from core.orgunits import UnitRow
from core.supervision.case_list import CaseRow
from gui.dialogs.orgunit_dialog import FormDialog, _combo_code, _unit_combo
from gui.subsidy.recipient_form import parse_date_text

NO_CASE = "（不关联案件）"
NO_TOWNSHIP = "（不限乡镇）"
DATE_HINT = "如 2026-03-12 或 20260312"


def date_text(d: date | None) -> str:
    return f"{d:%Y-%m-%d}" if d else ""


def case_choice_text(c: CaseRow) -> str:
    return f"{c.number or '（未编号）'}  {c.party}  {c.cause}"


class RecordDialog(FormDialog):
    """A FormDialog with helpers for the supervision registers' fields."""

    def __init__(self, title: str, on_save: Callable[[Any], Any], parent: QWidget | None = None):
        super().__init__(title, on_save, parent)
        self.setMinimumWidth(560)
        self._dates: dict[QLineEdit, tuple[str, bool]] = {}     # field → (name, required)
        self._required: dict[QWidget, str] = {}
        self._initial: list | None = None                         # the fields as shown, for the unsaved-changes guard

    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        if self._initial is None:
            self._initial = self._snapshot()

    def _snapshot(self) -> list:
        out = []
        for w in self._errors:
            if isinstance(w, QLineEdit):
                out.append(w.text())
            elif isinstance(w, QPlainTextEdit):
                out.append(w.toPlainText())
            elif isinstance(w, QComboBox):
                out.append(w.currentText())
            elif isinstance(w, QAbstractSpinBox):
                out.append(w.text())
        return out

    def reject(self) -> None:
        """Esc / 取消: ask before throwing away what was typed."""
        if self._initial is not None and self._snapshot() != self._initial:
            answer = QMessageBox.question(self, "放弃修改", "填写的内容尚未保存，确定放弃吗？")
            if answer != QMessageBox.StandardButton.Yes:
                return
        super().reject()

    # -- fields --------------------------------------------------------------------------------
    def date_field(self, label: str, name: str, value: date | None, *, required: bool) -> QLineEdit:
        edit = QLineEdit(date_text(value))
        edit.setPlaceholderText(DATE_HINT)
        edit.setMaxLength(12)
        self._dates[edit] = (name, required)
        edit.editingFinished.connect(lambda: self.show_field_error(edit, self._date_problem(edit)))
        return self.add_field(label, edit)

    def text_field(self, label: str, value: str, *, max_length: int, required_name: str = "") -> QLineEdit:
        edit = QLineEdit(value or "")
        edit.setMaxLength(max_length)
        if required_name:
            self._required[edit] = required_name
        return self.add_field(label, edit)

    def note_field(self, label: str, value: str) -> QPlainTextEdit:
        edit = QPlainTextEdit(value or "")
        edit.setTabChangesFocus(True)           # Tab moves on, as in every other field
        edit.setFixedHeight(self.fontMetrics().height() * 4)
        return self.add_field(label, edit)

    def choice_field(self, label: str, choices: Sequence[tuple[str, str]], value: str, *,
                     blank: str | None = None, required_name: str = "") -> QComboBox:
        """A combo of (text, code); ``blank`` adds a first "nothing chosen" entry with code "" (refused on save
        when ``required_name`` is given)."""
        combo = QComboBox()
        if required_name:
            self._required[combo] = required_name
        if blank is not None:
            combo.addItem(blank, "")
        for text, code in choices:
            combo.addItem(text, code)
        i = combo.findData(value or "")
        combo.setCurrentIndex(max(i, 0))
        return self.add_field(label, combo)

    def township_field(self, label: str, townships: Sequence[UnitRow], code: str) -> QComboBox:
        combo = _unit_combo(townships, NO_TOWNSHIP)
        combo.setCurrentIndex(max(combo.findData(code), 0) if code else 0)
        self._required[combo] = ""            # only checked for being a real entry
        return self.add_field(label, combo)

    def case_field(self, label: str, cases: Sequence[CaseRow], case_id: int | None) -> QComboBox:
        """Pick the case it opened from the register (type part of the 文号, party or cause)."""
        combo = _unit_combo([], NO_CASE)
        for c in cases:
            combo.addItem(case_choice_text(c), c.id)
        combo.setCurrentIndex(max(combo.findData(case_id), 0) if case_id is not None else 0)
        combo.setToolTip("可输入文号、当事人或案由的一部分查找；不关联请选“（不关联案件）”。")
        self._required[combo] = ""
        return self.add_field(label, combo)

    # -- values --------------------------------------------------------------------------------
    @staticmethod
    def date_value(edit: QLineEdit) -> date | None:
        try:
            return parse_date_text(edit.text())
        except ValueError:
            return None

    @staticmethod
    def combo_value(combo: QComboBox) -> Any:
        if combo.isEditable():
            return _combo_code(combo)[1]
        return combo.currentData()

    def _date_problem(self, edit: QLineEdit) -> str | None:
        name, required = self._dates[edit]
        text = edit.text().strip()
        if not text:
            return f"请填写{name}。" if required else None
        try:
            d = parse_date_text(text)
        except ValueError:
            d = None
        if d is None:
            return f"{name}“{text}”看不懂，请按 {DATE_HINT} 填写。"
        return None

    def check(self) -> dict[QWidget, str]:
        problems: dict[QWidget, str] = {}
        for edit in self._dates:
            problem = self._date_problem(edit)
            if problem:
                problems[edit] = problem
        for widget, name in self._required.items():
            if isinstance(widget, QComboBox):
                if widget.isEditable() and not _combo_code(widget)[0]:
                    problems[widget] = f"“{widget.currentText().strip()}”不在列表中，请从列表中选择。"
                elif not widget.isEditable() and not widget.currentData():
                    problems[widget] = f"请选择{name}。"
            elif name and not widget.text().strip():
                problems[widget] = f"请填写{name}。"
        return {w: problems[w] for w in self._errors if w in problems}      # in the form's order
