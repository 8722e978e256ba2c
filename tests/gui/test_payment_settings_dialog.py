"""发放设置 through the widgets (issue 3 §4): opened from the 资金发放 page, the period and the bank
file's columns changed with the keyboard and the buttons, saved and checked in the database; 取消/Esc
leaves it as it was; a bad choice or a stranded draft is explained inside the dialog; a clerk sees
the button disabled."""
from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt

from core.subsidy import payment_settings as ps
from core.subsidy import payroll as pr
from gui.context import AppContext
from gui.subsidy.payment_settings_dialog import PaymentSettingsDialog
from gui.subsidy.payroll_view import PayrollView
from tests.subsidy.test_payroll import confirm_and_approve, people  # noqa: F401 - the fixture

pytestmark = pytest.mark.gui
DEFAULT_COLUMNS = ("序号", "姓名", "身份证号", "账号", "金额")


def ctx_for(db, actor) -> AppContext:
    return AppContext(db=db, actor=actor, county_code="220322", county_name="梨树县")


def stored(db, admin) -> tuple:
    with db.session(admin) as s:
        got = ps.read_payment_settings(s)
    return got.period_mode, got.bank_columns, got.csv_encoding


def payroll_page(qtbot, db, actor, year=2024) -> PayrollView:
    view = PayrollView(ctx_for(db, actor))
    qtbot.addWidget(view)
    view.program_combo.setCurrentIndex(view.program_combo.findData("RURAL_REWARD"))
    view.year_spin.setValue(year)
    return view


def open_settings(qtbot, view: PayrollView) -> PaymentSettingsDialog:
    qtbot.mouseClick(view.settings_button, Qt.MouseButton.LeftButton)
    dialog = view.settings_dialog
    assert dialog is not None and dialog.isVisible() and dialog.windowTitle() == "发放设置"
    return dialog


def periods(view: PayrollView) -> list[str]:
    return [view.period_combo.itemText(i) for i in range(view.period_combo.count())]


def row_of(dialog: PaymentSettingsDialog, key: str) -> int:
    return next(i for i in range(dialog.column_list.count()) if dialog.column_list.item(i).data(Qt.ItemDataRole.UserRole) == key)


def key_to_row(qtbot, dialog: PaymentSettingsDialog, row: int) -> None:
    lst = dialog.column_list
    while lst.currentRow() < row:
        qtbot.keyClick(lst, Qt.Key.Key_Down)
    while lst.currentRow() > row:
        qtbot.keyClick(lst, Qt.Key.Key_Up)


def test_change_period_and_columns_from_the_payroll_page_and_save(qtbot, db, admin, boxes):
    view = payroll_page(qtbot, db, admin)
    assert periods(view) == ["全年"] and view.settings_button.isEnabled()
    dialog = open_settings(qtbot, view)
    assert dialog.year_radio.isChecked() and dialog.encoding() == "GB18030"
    assert dialog.preview.text() == "序号 | 姓名 | 身份证号 | 账号 | 金额"

    qtbot.mouseClick(dialog.half_radio, Qt.MouseButton.LeftButton)
    lst = dialog.column_list
    lst.setFocus()
    key_to_row(qtbot, dialog, row_of(dialog, "序号"))
    qtbot.keyClick(lst, Qt.Key.Key_Space)                    # untick 序号
    assert "序号" not in dialog.preview.text()
    key_to_row(qtbot, dialog, row_of(dialog, "开户银行"))
    qtbot.keyClick(lst, Qt.Key.Key_Space)                    # tick 开户银行 (below the ticked ones)
    for _ in range(row_of(dialog, "开户银行") - row_of(dialog, "姓名") - 1):
        qtbot.keyClick(lst, Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier)   # up to just after 姓名
    key_to_row(qtbot, dialog, row_of(dialog, "月数"))
    qtbot.keyClick(lst, Qt.Key.Key_Space)
    key_to_row(qtbot, dialog, row_of(dialog, "身份证号"))
    qtbot.mouseClick(dialog.down_button, Qt.MouseButton.LeftButton)   # 身份证号 below 账号
    assert dialog.preview.text() == "姓名 | 开户银行 | 账号 | 身份证号 | 金额 | 月数"
    dialog.encoding_combo.setFocus()
    qtbot.keyClick(dialog.encoding_combo, Qt.Key.Key_Down)     # UTF-8
    assert stored(db, admin) == ("YEAR", DEFAULT_COLUMNS, "GB18030")    # nothing saved before 确定

    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=30_000)
    assert not boxes, boxes
    assert stored(db, admin) == ("HALF", ("姓名", "开户银行", "账号", "身份证号", "金额", "月数"), "UTF-8")
    assert periods(view) == ["上半年", "下半年"] and view.period() == "2024H1"


def test_cancel_and_escape_change_nothing(qtbot, db, admin, boxes):
    view = payroll_page(qtbot, db, admin)
    for close in ("cancel", "escape"):
        dialog = open_settings(qtbot, view)
        qtbot.mouseClick(dialog.half_radio, Qt.MouseButton.LeftButton)
        dialog.column_list.setFocus()
        qtbot.keyClick(dialog.column_list, Qt.Key.Key_Space)
        qtbot.keyClick(dialog.column_list, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
        assert dialog.preview.text() != "序号 | 姓名 | 身份证号 | 账号 | 金额"
        if close == "cancel":
            qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Cancel), Qt.MouseButton.LeftButton)
        else:
            qtbot.keyClick(dialog, Qt.Key.Key_Escape)
        assert not dialog.isVisible() and view.settings_dialog is None
        assert stored(db, admin) == ("YEAR", DEFAULT_COLUMNS, "GB18030")
        assert periods(view) == ["全年"]


def test_a_bad_choice_is_explained_in_the_dialog_and_nothing_saved(qtbot, db, admin, boxes):
    view = payroll_page(qtbot, db, admin)
    dialog = open_settings(qtbot, view)
    dialog.column_list.setFocus()
    key_to_row(qtbot, dialog, row_of(dialog, "账号"))
    qtbot.keyClick(dialog.column_list, Qt.Key.Key_Space)     # untick 账号
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.message.isVisible(), timeout=30_000)
    assert "银行文件的列" in dialog.message.text() and "缺少“账号”" in dialog.message.text()
    assert dialog.isVisible() and not boxes and stored(db, admin)[1] == DEFAULT_COLUMNS


def test_a_draft_roll_of_this_year_holds_the_period_back(qtbot, db, admin, supervisor, people, boxes):
    year = date.today().year
    confirm_and_approve(db, admin, supervisor, "RURAL_REWARD", year)
    with db.session(admin) as s:
        pr.build_roll(s, admin, "RURAL_REWARD", str(year))
    view = payroll_page(qtbot, db, admin, year)
    dialog = open_settings(qtbot, view)
    qtbot.mouseClick(dialog.half_radio, Qt.MouseButton.LeftButton)
    assert dialog.period_note.isVisible() and "草稿" in dialog.period_note.text()     # said before saving
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.message.isVisible(), timeout=30_000)
    assert "发放周期" in dialog.message.text() and "标记为已发放" in dialog.message.text()
    assert dialog.isVisible() and stored(db, admin)[0] == "YEAR" and periods(view) == ["全年"]


def test_a_clerk_sees_the_button_disabled(qtbot, db, admin, clerk, boxes):
    view = payroll_page(qtbot, db, clerk)
    assert not view.settings_button.isHidden() and view.settings_button.text() == "发放设置(&T)…"
    assert not view.settings_button.isEnabled()
    assert "只有管理员" in view.settings_button.toolTip()
    dialog = PaymentSettingsDialog(ctx_for(db, clerk))      # even opened some other way it cannot save
    qtbot.addWidget(dialog)
    assert not dialog.ok_button.isEnabled() and not dialog.column_list.isEnabled()
    assert "只有管理员" in dialog.note.text()
