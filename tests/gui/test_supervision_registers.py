"""双随机抽查 and 投诉举报 registers through the widgets: a task and a complaint added from the keyboard,
refused with a message naming the field, completed / handled (with the case it opened), and the
completion rate above the list changing — checked in the database too."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from core.supervision import complaints as cp
from core.supervision import random_tasks as rt
from db.models.supervision import Complaint, RandomTask
from gui.supervision.complaint_dialog import ComplaintDialog, HandledDialog
from gui.supervision.task_dialog import TaskDialog, TaskDoneDialog
from tests.gui.test_supervision_pages import focused, ime_type
from tests.supervision.factory import CLINIC_CODE, new_case

pytestmark = pytest.mark.gui
TODAY = date.today()
YEAR_END = date(TODAY.year, 12, 31)


def _page(qtbot, ctx, title: str):
    from gui.supervision.supervision_page import SupervisionPage
    page = SupervisionPage(ctx)
    qtbot.addWidget(page)
    page.resize(1280, 760)
    page.show()
    qtbot.waitExposed(page)
    page.show_tab(title)
    page.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is page)
    return page, page.pages[title]


def _wait_dialog(qtbot, view, kind):
    dialog = view.active_dialog
    assert isinstance(dialog, kind), view.error.text()
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    return dialog


def _tab(qtbot, times: int = 1) -> None:
    for _ in range(times):
        qtbot.keyClick(focused(), Qt.Key.Key_Tab)


def _rate_row(view, name: str) -> list[str]:
    t = view.rates
    for r in range(t.rowCount()):
        if t.item(r, 0).text() == name:
            return [t.item(r, c).text() for c in range(t.columnCount())]
    raise AssertionError(f"no row {name}")


def test_add_and_complete_a_task_from_the_keyboard(qtbot, ctx, db, admin):
    with db.session(admin) as s:                                 # one task already overdue, not done
        late_id, _ = rt.save_task(s, admin, rt.TaskInput(level="省抽", target_name="梨树县安康药店",
                                                         due_on=max(TODAY - timedelta(days=3), date(TODAY.year, 1, 1))))
    case_id = new_case(db, admin, filed_on=TODAY - timedelta(days=1), offence_on=TODAY - timedelta(days=2),
                       source="RANDOM")
    page, view = _page(qtbot, ctx, "双随机抽查")
    assert view.summary_label.text().startswith("共 1 项任务")
    assert "完成率 0.00%" in view.summary_label.text()
    if TODAY > date(TODAY.year, 1, 3):
        red = view.model.index(0, 2).data(Qt.ItemDataRole.ForegroundRole)
        assert red is not None and red.color().name() == "#b00020"
        assert view.model.index(0, 7).data() == "逾期未完成"

    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_Insert)                # Ins: a new task
    dialog = _wait_dialog(qtbot, view, TaskDialog)
    assert focused() is dialog.level and dialog.level.currentText() == "县抽"
    qtbot.keyClick(focused(), Qt.Key.Key_Return)                 # nothing filled: refused, the field named
    assert dialog.isVisible()
    assert dialog.field_error(dialog.target_name) == "请填写抽查对象名称。"
    assert dialog.field_error(dialog.due_on) == "请填写完成时限。"
    assert focused() is dialog.target_name

    dialog.level.setFocus()
    qtbot.keyClick(focused(), Qt.Key.Key_Up)                     # 县抽 → 市抽
    _tab(qtbot)
    assert focused() is dialog.year
    _tab(qtbot)
    assert focused() is dialog.task_no
    qtbot.keyClicks(focused(), "SJ-2026-07")
    _tab(qtbot)
    ime_type(focused(), "梨树县康宁诊所")
    _tab(qtbot)
    assert focused() is dialog.target_code
    qtbot.keyClicks(focused(), CLINIC_CODE)
    _tab(qtbot)
    ime_type(focused(), "梨树镇中心街8号")
    _tab(qtbot, 2)                                               # 所在乡镇, 专业类别
    assert focused() is dialog.category
    qtbot.keyClick(focused(), Qt.Key.Key_Down)                   # （未填） → 医疗卫生
    _tab(qtbot)
    assert focused() is dialog.inspectors
    ime_type(focused(), "张伟，李娜")
    _tab(qtbot)
    assert focused() is dialog.due_on
    ime_type(focused(), "2026年13月1日")                          # no such month: explained next to the field
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    assert dialog.isVisible() and "完成时限" in dialog.field_error(dialog.due_on)
    dialog.due_on.selectAll()
    qtbot.keyClicks(focused(), f"{YEAR_END:%Y%m%d}")
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.active_dialog is None)
    assert not dialog.isVisible(), dialog.save_error.text()

    with db.session() as s:
        task = s.query(RandomTask).filter_by(target_name="梨树县康宁诊所").one()
        assert (task.level, task.category, task.task_no, task.target_code) == ("CITY", "MEDICAL", "SJ-2026-07", CLINIC_CODE)
        assert (task.inspectors, task.due_on, task.done_on, task.year) == ("张伟、李娜", YEAR_END, None, TODAY.year)
        new_id = task.id
    assert view.current_row().id == new_id                       # the new task is selected
    assert view.summary_label.text().startswith("共 2 项任务") and "完成率 0.00%" in view.summary_label.text()
    assert _rate_row(view, "市抽")[1:3] == ["1", "0"]

    page.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is page)
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_F3)                    # 登记完成
    done = _wait_dialog(qtbot, view, TaskDoneDialog)
    assert focused() is done.done_on and done.done_on.text() == f"{TODAY:%Y-%m-%d}"
    _tab(qtbot)
    assert focused() is done.result
    qtbot.keyClick(focused(), Qt.Key.Key_Down)
    qtbot.keyClick(focused(), Qt.Key.Key_Down)
    qtbot.keyClick(focused(), Qt.Key.Key_Down)                   # 不合格（立案查处）
    assert done.result.currentText() == "不合格（立案查处）"
    _tab(qtbot)
    ime_type(focused(), "无证开展诊疗活动，已立案")
    _tab(qtbot)
    assert focused() is done.case
    qtbot.keyClick(focused(), Qt.Key.Key_Down)                   # the case (the register's only one)
    assert done.combo_value(done.case) == case_id
    qtbot.keyClick(done.done_on, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.active_dialog is None)

    with db.session() as s:
        task = s.get(RandomTask, new_id)
        assert (task.done_on, task.result, task.case_id) == (TODAY, "不合格（立案查处）", case_id)
        assert task.result_note == "无证开展诊疗活动，已立案"
    assert "完成率 50.00%" in view.summary_label.text()
    assert _rate_row(view, "市抽") == ["市抽", "1", "1", "1", "0", "1", "100.00%"]
    assert _rate_row(view, "合计")[-1] == "50.00%"
    row = view.current_row()
    assert row.id == new_id and row.status == "已完成" and row.case_number
    assert view.model.index(view.table.currentIndex().row(), 10).data() == row.case_number

    view.status_combo.setCurrentIndex(view.status_combo.findText("未完成"))     # filters
    assert [r.id for r in view.model.rows()] == [late_id]
    view.status_combo.setCurrentIndex(0)
    ime_type(view.search, "康宁")
    qtbot.waitUntil(lambda: [r.id for r in view.model.rows()] == [new_id])


def test_edit_a_task_keeps_its_completion(qtbot, ctx, db, admin):
    with db.session(admin) as s:
        tid, _ = rt.save_task(s, admin, rt.TaskInput(level="县抽", target_name="东风浴池", due_on=YEAR_END))
        rt.complete_task(s, admin, tid, TODAY, "合格")
    page, view = _page(qtbot, ctx, "双随机抽查")
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_Return)                # Enter changes the selected task
    dialog = _wait_dialog(qtbot, view, TaskDialog)
    assert dialog.target_name.text() == "东风浴池"
    dialog.target_name.setFocus()
    dialog.target_name.selectAll()
    ime_type(focused(), "东风洗浴中心")
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.active_dialog is None)
    with db.session() as s:
        task = s.get(RandomTask, tid)
        assert (task.target_name, task.done_on, task.result, task.version) == ("东风洗浴中心", TODAY, "合格", 3)


def test_a_stale_edit_is_refused_inside_the_dialog(qtbot, ctx, db, admin):
    with db.session(admin) as s:
        tid, _ = rt.save_task(s, admin, rt.TaskInput(level="县抽", target_name="东风浴池", due_on=YEAR_END))
    page, view = _page(qtbot, ctx, "双随机抽查")
    view.edit()
    dialog = _wait_dialog(qtbot, view, TaskDialog)
    with db.session(admin) as s:                                 # someone else changes it meanwhile
        rt.save_task(s, admin, rt.TaskInput(level="县抽", target_name="东风浴池（新）", due_on=YEAR_END), task_id=tid)
    dialog.accept()
    assert dialog.isVisible() and "已被其他人修改过" in dialog.save_error.text()
    dialog.reject()


def test_add_and_handle_a_complaint_from_the_keyboard(qtbot, ctx, db, admin):
    page, view = _page(qtbot, ctx, "投诉举报")
    assert view.summary_label.text().startswith("共 0 件") and "办结率 —" in view.summary_label.text()
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_Insert)
    dialog = _wait_dialog(qtbot, view, ComplaintDialog)
    assert focused() is dialog.received_on and dialog.received_on.text() == f"{TODAY:%Y-%m-%d}"
    _tab(qtbot)
    assert focused() is dialog.channel and dialog.channel.currentText() == "12345"
    _tab(qtbot)
    qtbot.keyClicks(focused(), "GD20260001")
    _tab(qtbot)
    assert focused() is dialog.subject
    _tab(qtbot, 3)                                               # 专业类别, 所在乡镇 → 投诉内容
    assert focused() is dialog.content
    ime_type(focused(), "该游泳馆池水浑浊，有异味。")
    _tab(qtbot)
    assert focused() is dialog.buttons.button(dialog.buttons.StandardButton.Save)
    qtbot.keyClick(focused(), Qt.Key.Key_Return)                 # no subject: refused, the field named
    assert dialog.isVisible() and dialog.field_error(dialog.subject) == "请填写被投诉对象。"
    assert focused() is dialog.subject
    ime_type(focused(), "梨树县碧波游泳馆")
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.active_dialog is None)
    with db.session() as s:
        c = s.query(Complaint).one()
        assert (c.received_on, c.channel, c.ref_no, c.subject, c.handled_on) == \
            (TODAY, "12345", "GD20260001", "梨树县碧波游泳馆", None)
        assert c.content == "该游泳馆池水浑浊，有异味。"
        cid = c.id
    assert view.summary_label.text().startswith("共 1 件") and "办结率 0.00%" in view.summary_label.text()
    assert view.model.index(0, 5).data() == "办理中"

    page.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is page)
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_F3)                    # 登记办结
    handled = _wait_dialog(qtbot, view, HandledDialog)
    assert focused() is handled.handled_on
    _tab(qtbot)
    qtbot.keyClick(focused(), Qt.Key.Key_Down)                   # 属实
    _tab(qtbot)
    assert focused() is handled.satisfaction and handled.satisfaction.currentText() == "未评价"
    qtbot.keyClick(focused(), Qt.Key.Key_Home)                   # 满意
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.active_dialog is None)
    with db.session() as s:
        c = s.get(Complaint, cid)
        assert (c.handled_on, c.result, c.satisfaction) == (TODAY, "属实", "满意")
    assert "办结率 100.00%" in view.summary_label.text() and "满意率 100.00%" in view.summary_label.text()
    assert _rate_row(view, "12345") == ["12345", "1", "1", "100.00%", "1", "0", "1", "1", "100.00%"]
    assert view.model.index(0, 5).data() == "已办结"

    view.kind_combo.setCurrentIndex(view.kind_combo.findText("12320"))    # channel filter
    assert view.model.rows() == []
    view.kind_combo.setCurrentIndex(0)
    assert [r.id for r in view.model.rows()] == [cid]


def test_handled_before_received_is_refused_with_cores_message(qtbot, ctx, db, admin):
    with db.session(admin) as s:
        cp.save_complaint(s, admin, cp.ComplaintInput(received_on=TODAY, channel="电话", subject="某诊所"))
    page, view = _page(qtbot, ctx, "投诉举报")
    view.finish()
    handled = _wait_dialog(qtbot, view, HandledDialog)
    handled.handled_on.setText(f"{TODAY - timedelta(days=5):%Y-%m-%d}")
    handled.result.setCurrentIndex(handled.result.findText("不属实"))
    handled.accept()
    assert handled.isVisible() and "早于受理日期" in handled.save_error.text()
    handled.reject()


def test_esc_asks_before_dropping_what_was_typed(qtbot, ctx, boxes, monkeypatch):
    page, view = _page(qtbot, ctx, "投诉举报")
    view.add()
    dialog = _wait_dialog(qtbot, view, ComplaintDialog)
    qtbot.keyClick(focused(), Qt.Key.Key_Escape)                 # nothing typed: closes at once
    qtbot.waitUntil(lambda: view.active_dialog is None)
    assert boxes == []
    view.add()
    dialog = _wait_dialog(qtbot, view, ComplaintDialog)
    dialog.subject.setFocus()
    ime_type(focused(), "某诊所")
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *a, **k: QMessageBox.StandardButton.No))
    qtbot.keyClick(focused(), Qt.Key.Key_Escape)                 # asked; "No" keeps the dialog and the text
    assert dialog.isVisible() and dialog.subject.text() == "某诊所"
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *a, **k: QMessageBox.StandardButton.Yes))
    qtbot.keyClick(focused(), Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: view.active_dialog is None)
