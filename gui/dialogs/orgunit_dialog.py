"""Dialogs for org units: add a subordinate unit, rename, move, close (撤销/合并).

Each dialog checks its fields as you type (with core's own rules, e.g. ``validate_code``) and shows
the problem under the field. On 保存 it calls ``on_save(values)``; a refusal from core (a duplicate
code, a stale record, no permission …) is shown inside the dialog, which stays open.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Callable, Sequence

from PySide6.QtCore import QDate, QRegularExpression, Qt, QTimer
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (QComboBox, QCompleter, QDateEdit, QDialog, QDialogButtonBox, QFormLayout,
                               QLabel, QLineEdit, QVBoxLayout, QWidget)

from core.errors import DataError, UserFacingError
from core.orgunits import CODE_LENGTH, LEVEL_NAMES, UnitRow, validate_code
from gui.table_models import error_label, show_inline


class FormDialog(QDialog):
    """A small form: fields with an inline error under each, and a core error at the bottom.

    Subclasses implement ``check() -> dict[QWidget, str]`` (field problems) and ``values()``.
    """

    def __init__(self, title: str, on_save: Callable[[Any], Any], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(460)
        self._on_save = on_save
        self._errors: dict[QWidget, QLabel] = {}
        self.result_value: Any = None
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.save_error = error_label()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText("保存")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.save_error)
        layout.addWidget(self.buttons)

    def add_field(self, label: str, widget: QWidget) -> QWidget:
        err = error_label()
        box = QWidget()
        inner = QVBoxLayout(box)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.setSpacing(2)
        inner.addWidget(widget)
        inner.addWidget(err)
        self.form.addRow(label, box)
        self._errors[widget] = err
        return widget

    def add_info(self, label: str, text: str) -> QLabel:
        info = QLabel(text)
        info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.form.addRow(label, info)
        return info

    # -- validation ------------------------------------------------------------------------
    def check(self) -> dict[QWidget, str]:
        return {}

    def values(self) -> Any:
        raise NotImplementedError

    def refresh_errors(self) -> dict[QWidget, str]:
        problems = self.check()
        for widget, label in self._errors.items():
            show_inline(label, problems.get(widget))
        self.fit_height()
        return problems

    def show_field_error(self, widget: QWidget, message: str | None) -> None:
        show_inline(self._errors[widget], message)
        self.fit_height()

    def fit_height(self) -> None:
        """Grow (never shrink) so an error that just appeared is not cut off."""
        layout = self.layout()
        layout.activate()
        if layout.hasHeightForWidth():
            need = layout.totalHeightForWidth(self.width())
        else:
            need = layout.totalSizeHint().height()
        if need > self.height():
            self.resize(self.width(), need)

    def field_error(self, widget: QWidget) -> str:
        label = self._errors.get(widget)
        return label.text() if label is not None and label.isVisible() else ""

    def accept(self) -> None:
        show_inline(self.save_error, None)
        problems = self.refresh_errors()
        if problems:
            next(iter(problems)).setFocus()
            return
        try:
            self.result_value = self._on_save(self.values())
        except UserFacingError as e:
            show_inline(self.save_error, e.message)
            self.fit_height()
            return
        super().accept()


def unit_text(unit: UnitRow) -> str:
    return f"{unit.name}（{unit.code}）"


def _unit_combo(units: Sequence[UnitRow], first: str | None = None) -> QComboBox:
    """A combo of units that also accepts typing part of a name or code (IME-friendly)."""
    combo = QComboBox()
    combo.setEditable(True)
    combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    if first is not None:
        combo.addItem(first, None)
    for u in units:
        combo.addItem(unit_text(u), u.code)
    completer = QCompleter(combo.model(), combo)
    completer.setFilterMode(Qt.MatchFlag.MatchContains)
    completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
    combo.setCompleter(completer)
    return combo


def _combo_code(combo: QComboBox) -> tuple[bool, str | None]:
    """(valid, code) for what is typed/selected in a unit combo."""
    i = combo.findText(combo.currentText().strip(), Qt.MatchFlag.MatchExactly)
    if i < 0:
        return False, None
    return True, combo.itemData(i)


# -- add ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class NewUnit:
    parent_code: str
    code: str
    name: str


class AddUnitDialog(FormDialog):
    def __init__(self, parent_unit: UnitRow, on_save: Callable[[NewUnit], Any], parent: QWidget | None = None):
        self.level = parent_unit.level + 1
        super().__init__(f"新增{LEVEL_NAMES[self.level]}", on_save, parent)
        self.parent_unit = parent_unit
        self.add_info("上级单位：", unit_text(parent_unit))
        self.code_edit = QLineEdit(parent_unit.code)
        self.code_edit.setValidator(QRegularExpressionValidator(QRegularExpression(r"\d{0,12}"), self.code_edit))
        self.code_edit.setPlaceholderText(f"{CODE_LENGTH[self.level]} 位数字")
        self.code_edit.setToolTip(f"{LEVEL_NAMES[self.level]}代码共 {CODE_LENGTH[self.level]} 位："
                                  f"上级代码 {parent_unit.code} 后加 {CODE_LENGTH[self.level] - len(parent_unit.code)} 位")
        self.name_edit = QLineEdit()
        self.name_edit.setMaxLength(100)
        self.add_field("代码(&C)：", self.code_edit)
        self.add_field("名称(&N)：", self.name_edit)
        self.code_edit.textEdited.connect(lambda _t: self._live(self.code_edit))
        self.name_edit.textEdited.connect(lambda _t: self._live(self.name_edit))
        self.code_edit.setFocus()
        self.code_edit.setCursorPosition(len(parent_unit.code))

    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        # Qt selects a line edit's text when the window gives it focus: keep the parent's code and
        # put the cursor after it, so the user types only the new digits.
        QTimer.singleShot(0, lambda: (self.code_edit.deselect(), self.code_edit.end(False)))

    def _live(self, widget: QWidget) -> None:
        # Only the field being typed in: don't scold about the name before the user gets there.
        self.show_field_error(widget, self.check().get(widget))

    def check(self) -> dict[QWidget, str]:
        problems: dict[QWidget, str] = {}
        code = self.code_edit.text().strip()
        try:
            validate_code(code, self.level)
            if not code.startswith(self.parent_unit.code):
                raise DataError(f"代码应以上级单位的代码 {self.parent_unit.code} 开头。")
        except DataError as e:
            problems[self.code_edit] = e.message
        if not self.name_edit.text().strip():
            problems[self.name_edit] = "请填写名称。"
        return problems

    def values(self) -> NewUnit:
        return NewUnit(self.parent_unit.code, self.code_edit.text().strip(), self.name_edit.text().strip())


# -- rename ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Rename:
    code: str
    name: str
    expected_version: int


class RenameDialog(FormDialog):
    def __init__(self, unit: UnitRow, on_save: Callable[[Rename], Any], parent: QWidget | None = None):
        super().__init__("改名", on_save, parent)
        self.unit = unit
        self.add_info("单位：", unit_text(unit))
        self.name_edit = QLineEdit(unit.name)
        self.name_edit.setMaxLength(100)
        self.name_edit.selectAll()
        self.add_field("新名称(&N)：", self.name_edit)
        self.name_edit.textEdited.connect(lambda _t: self.refresh_errors())
        self.name_edit.setFocus()

    def check(self) -> dict[QWidget, str]:
        name = self.name_edit.text().strip()
        if not name:
            return {self.name_edit: "请填写名称。"}
        if name == self.unit.name:
            return {self.name_edit: "新名称与原名称相同。"}
        return {}

    def values(self) -> Rename:
        return Rename(self.unit.code, self.name_edit.text().strip(), self.unit.version)


# -- move --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Move:
    code: str
    new_parent_code: str
    expected_version: int


class MoveDialog(FormDialog):
    def __init__(self, unit: UnitRow, candidates: Sequence[UnitRow], on_save: Callable[[Move], Any],
                 parent: QWidget | None = None):
        super().__init__("移动到其他上级单位", on_save, parent)
        self.unit = unit
        self.add_info("单位：", unit_text(unit))
        self.add_info("现在的上级：", unit.parent_code or "")
        self.target = _unit_combo([c for c in candidates if c.code != unit.parent_code])
        self.add_field("移到(&T)：", self.target)
        note = QLabel("代码不变：已有记录保留原来的代码。")
        note.setWordWrap(True)
        self.form.addRow("", note)
        self.target.setFocus()

    def check(self) -> dict[QWidget, str]:
        ok, code = _combo_code(self.target)
        if not ok or not code:
            return {self.target: "请从列表中选择新的上级单位（可输入名称或代码的一部分查找）。"}
        return {}

    def values(self) -> Move:
        return Move(self.unit.code, _combo_code(self.target)[1] or "", self.unit.version)


# -- close -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Close:
    code: str
    on: date
    merged_into: str | None
    expected_version: int


class CloseDialog(FormDialog):
    NO_MERGE = "（不合并，仅撤销）"

    def __init__(self, unit: UnitRow, merge_candidates: Sequence[UnitRow], on_save: Callable[[Close], Any],
                 parent: QWidget | None = None):
        super().__init__("撤销（合并）单位", on_save, parent)
        self.unit = unit
        self.add_info("单位：", unit_text(unit))
        self.date_edit = QDateEdit(QDate.currentDate())
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.add_field("撤销日期(&D)：", self.date_edit)
        self.merge = _unit_combo([c for c in merge_candidates if c.code != unit.code], first=self.NO_MERGE)
        self.add_field("合并到(&M)：", self.merge)
        note = QLabel("撤销后单位仍保留在历史中，已有记录保留原代码；需要时可以“恢复”。"
                      "下级单位须先移走或撤销。")
        note.setWordWrap(True)
        self.form.addRow("", note)
        self.date_edit.setFocus()

    def check(self) -> dict[QWidget, str]:
        ok, _code = _combo_code(self.merge)
        if not ok:
            return {self.merge: "请从列表中选择合并到的单位，或选“不合并”。"}
        return {}

    def values(self) -> Close:
        return Close(self.unit.code, self.date_edit.date().toPython(), _combo_code(self.merge)[1], self.unit.version)
