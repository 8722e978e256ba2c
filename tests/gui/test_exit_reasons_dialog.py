"""退出原因 through the widgets: reached from 项目与标准 with Alt+E, a county reason typed and added with
Enter, removed again; built-in reasons cannot be removed; the person form then offers the new reason;
a clerk sees the list read-only."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from core.subsidy.exit_reasons import EXIT_REASONS, exit_reasons
from gui.context import AppContext
from tests.gui.windows import show_active

pytestmark = pytest.mark.gui


def _open(qtbot, ctx):
    from gui.subsidy.programmes_dialog import ProgrammesDialog
    programmes = ProgrammesDialog(ctx)
    qtbot.addWidget(programmes)
    show_active(qtbot, programmes)
    qtbot.keyClick(programmes.focusWidget() or programmes, Qt.Key.Key_E, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: getattr(programmes, "exit_reasons_dialog", None) is not None)
    dialog = programmes.exit_reasons_dialog
    qtbot.waitExposed(dialog)
    return dialog


def test_add_and_remove_a_county_reason(qtbot, ctx, db, admin):
    dialog = _open(qtbot, ctx)
    assert dialog.reasons() == EXIT_REASONS
    qtbot.waitUntil(lambda: dialog.new_edit.hasFocus())
    dialog.new_edit.insert("服刑")                          # Chinese comes from an input method
    qtbot.keyClick(dialog.new_edit, Qt.Key.Key_Return)
    assert dialog.reasons() == EXIT_REASONS[:-1] + ["服刑", "其他"] and dialog.result.text() == "已添加“服刑”。"
    assert dialog.list.currentItem().text() == "服刑" and dialog.remove_button.isEnabled()
    with db.session(admin) as s:
        assert "服刑" in exit_reasons(s)
    from gui.subsidy.recipient_form import RecipientForm
    form = RecipientForm(ctx)
    qtbot.addWidget(form)
    assert form.exit_reason.findData("服刑") >= 0
    dialog.new_edit.insert("服刑")
    qtbot.keyClick(dialog.new_edit, Qt.Key.Key_Return)      # twice: refused, said under the field
    assert "已经有退出原因“服刑”" in dialog.error.text() and dialog.error.isVisible()
    dialog.list.setCurrentRow(0)                             # 死亡（内置）
    assert dialog.list.currentItem().text() == "死亡（内置）" and not dialog.remove_button.isEnabled()
    dialog.list.setCurrentRow(dialog.reasons().index("服刑"))
    qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
    assert dialog.reasons() == EXIT_REASONS and dialog.result.text() == "已删除“服刑”。"
    with db.session(admin) as s:
        assert exit_reasons(s) == EXIT_REASONS


def test_a_clerk_sees_the_reasons_read_only(qtbot, db, clerk):
    ctx = AppContext(db=db, actor=clerk, county_code="220322", county_name="梨树县")
    dialog = _open(qtbot, ctx)
    assert dialog.reasons() == EXIT_REASONS
    assert not dialog.new_edit.isEnabled() and not dialog.add_button.isEnabled()
    dialog.list.setCurrentRow(len(EXIT_REASONS) - 1)
    assert not dialog.remove_button.isEnabled()
