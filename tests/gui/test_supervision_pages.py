"""卫生监督 screens through the widgets: a case registered from the keyboard and moved through its stages
by the stage buttons, the register (red overdue rows, 仅看逾期, search as you type), an illegal step
refused with its reason, and the 双随机抽查 / 投诉举报 tabs."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication

from core.supervision import case_deadlines as cd
from core.supervision import case_stages as st
from core.supervision.case_list import CaseFilter, officer_names, search_cases
from db.models.supervision import Case
from gui.supervision.case_form import CaseForm, StageDialog
from tests.supervision.factory import CLINIC_CODE, Y_CODE, new_case, run
from tests.gui.windows import show_active

pytestmark = pytest.mark.gui
TODAY = date.today()


def col(heading: str) -> int:
    """The register's column with this heading."""
    from gui.supervision.case_register import COLUMNS
    return [h for h, _ in COLUMNS].index(heading)


def ime_type(widget, text: str) -> None:
    """Chinese arrives from an input method as a committed string (QTest can only type ASCII)."""
    event = QInputMethodEvent("", [])
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def focused():
    return QApplication.focusWidget()


def _page(qtbot, ctx):
    from gui.supervision.supervision_page import SupervisionPage
    page = SupervisionPage(ctx)
    qtbot.addWidget(page)
    page.resize(1200, 760)
    show_active(qtbot, page)
    return page


def type_cell(qtbot, table, row: int, col: int, text: str) -> None:
    table.setFocus()
    table.setCurrentCell(row, col)
    qtbot.keyClick(table, Qt.Key.Key_F2)
    editor = focused()
    assert editor is not table
    if text.isascii():
        qtbot.keyClicks(editor, text)
    else:
        ime_type(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)


def step(qtbot, form: CaseForm, stage: str, on: date) -> None:
    form.tabs.setCurrentIndex(1)                                  # 办理与期限
    button = form.stage_buttons[stage]
    assert button.isEnabled(), button.toolTip()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = form.active_dialog
    assert isinstance(dialog, StageDialog)
    dialog.date_edit.setFocus()
    dialog.date_edit.selectAll()
    qtbot.keyClicks(dialog.date_edit, f"{on:%Y-%m-%d}")
    qtbot.keyClick(dialog.date_edit, Qt.Key.Key_Return)


def test_tabs(qtbot, ctx):
    page = _page(qtbot, ctx)
    assert [page.tabs.tabText(i) for i in range(page.tabs.count())] == ["案件登记", "双随机抽查", "投诉举报"]
    assert page.help_topic == "supervision"
    assert page.register.count_label.text() == "共 0 件"
    tasks, complaints = page.pages["双随机抽查"], page.pages["投诉举报"]
    assert tasks.rates.item(tasks.rates.rowCount() - 1, 0).text() == "合计"
    assert complaints.rates.item(0, 0).text() == "合计" and complaints.summary_label.text().startswith("共 0 件")
    page.refresh()


def test_register_a_case_from_the_keyboard_and_move_it_to_notice(qtbot, ctx, db, admin):
    page = _page(qtbot, ctx)
    reg = page.register
    reg.view.setFocus()
    qtbot.keyClick(reg.view, Qt.Key.Key_Insert)                 # Ins: a new case
    form = reg.active_dialog
    assert isinstance(form, CaseForm) and form.case_id is None
    qtbot.waitExposed(form)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is form)
    assert all(not b.isEnabled() for b in form.stage_buttons.values())

    form.party_name.setFocus()
    ime_type(focused(), "梨树县康宁诊所")
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert focused() is form.party_code
    qtbot.keyClicks(focused(), CLINIC_CODE)
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    ime_type(focused(), "王建国")                               # 法定代表人
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    ime_type(focused(), "梨树镇中心街8号")                        # 地址
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert focused() in (form.township, form.township.lineEdit())  # 所在乡镇: typed, as with an input method
    ime_type(form.township.lineEdit(), "梨树镇")
    for _ in range(6):                                          # 电话, 类别, 来源, 程序, 文号 → 案由
        qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert focused() is form.cause
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    qtbot.keyClicks(focused(), f"{TODAY - timedelta(days=3):%Y-%m-%d}")   # 违法行为日期
    type_cell(qtbot, form.officers, 0, 0, "张伟")
    type_cell(qtbot, form.officers, 0, 1, "22030001")

    qtbot.keyClick(form, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)   # no 案由, one officer: refused
    assert form.case_id is None and form.isVisible()
    assert form.field_errors["cause"].isVisible() and "不能为空" in form.field_errors["cause"].text()
    assert "不得少于两人" in form.field_errors["officers"].text()

    form.cause.setFocus()
    ime_type(focused(), "未取得医疗机构执业许可证擅自执业")
    type_cell(qtbot, form.officers, 1, 0, "李娜")
    type_cell(qtbot, form.officers, 1, 1, "22030002")
    form.cause.setFocus()
    qtbot.keyClick(form, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert form.case_id is not None, form.general_error.text()
    assert not form.field_errors["cause"].isVisible()
    assert "立案" in form.stage_label.text()
    assert form.deadline_table.rowCount() > 0
    with db.session(admin) as s:
        case = s.get(Case, form.case_id)
        assert (case.party_name, case.party_code, case.stage) == ("梨树县康宁诊所", CLINIC_CODE, "FILED")
        assert case.township_code == "220322100"
        assert [o.name for o in case.officers] == ["张伟", "李娜"]

    assert not form.stage_buttons["NOTICE"].isEnabled()          # not yet: the reason is the tooltip
    assert form.stage_buttons["NOTICE"].toolTip().startswith("不能从“立案”直接到“告知”")
    step(qtbot, form, "INVESTIGATED", TODAY)
    assert "调查终结" in form.stage_label.text(), form.stage_error.text()
    step(qtbot, form, "NOTICE", TODAY)
    assert "告知" in form.stage_label.text(), form.stage_error.text()
    with db.session(admin) as s:
        assert s.get(Case, form.case_id).stage == "NOTICE"

    case_id = form.case_id
    form.reject()
    qtbot.waitUntil(lambda: reg.active_dialog is None)
    rows = reg.model.loaded_rows()
    assert [r.id for r in rows] == [case_id] and rows[0].stage == "NOTICE"
    assert reg.selected_row().id == case_id
    assert reg.model.index(0, col("状态")).data() == "已告知"
    page.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is page)
    reg.view.setFocus()
    qtbot.keyClick(reg.view, Qt.Key.Key_Return)                  # Enter opens the case
    again = reg.active_dialog
    assert isinstance(again, CaseForm) and again.case_id == case_id
    assert again.party_name.text() == "梨树县康宁诊所" and again.officers.item(1, 1).text() == "22030002"
    again.reject()


def test_register_filters_by_officer_and_township_and_shows_the_township(qtbot, ctx, db, admin):
    from core.supervision import cases as cs
    first = new_case(db, admin, township="梨树镇")
    other = new_case(db, admin, party_name="梨树县安康药店", party_code=Y_CODE, township="郭家店镇",
                     officers=[cs.OfficerInput("王强", "22030003"), cs.OfficerInput("李娜", "22030002")])
    with db.session(admin) as s:
        assert officer_names(s, admin) == sorted(["张伟", "李娜", "王强"])
        assert [r.id for r in search_cases(s, admin, CaseFilter(officer="王强"))] == [other]
        assert {r.id for r in search_cases(s, admin, CaseFilter(officer="李娜"))} == {first, other}
        assert [r.id for r in search_cases(s, admin, CaseFilter(township="220322100"))] == [first]
    page = _page(qtbot, ctx)
    reg = page.register
    rows = {r.id: i for i, r in enumerate(reg.model.loaded_rows())}
    assert reg.model.index(rows[first], col("乡镇")).data() == "梨树镇"
    assert reg.model.index(rows[other], col("乡镇")).data() == "郭家店镇"
    reg.officer_combo.setCurrentIndex(reg.officer_combo.findText("王强"))
    assert [r.id for r in reg.model.loaded_rows()] == [other] and reg.count_label.text().startswith("共 1 件")
    reg.officer_combo.setCurrentIndex(0)
    reg.township_combo.setCurrentIndex(reg.township_combo.findText("梨树镇"))
    assert [r.id for r in reg.model.loaded_rows()] == [first]


def test_overdue_case_is_red_and_found_with_the_overdue_filter(qtbot, ctx, db, admin):
    late = new_case(db, admin, filed_on=TODAY - timedelta(days=100), offence_on=TODAY - timedelta(days=105))
    fresh = new_case(db, admin, filed_on=TODAY, offence_on=TODAY, party_name="梨树县安康药店", party_code=Y_CODE)
    page = _page(qtbot, ctx)
    reg = page.register
    rows = {r.id: i for i, r in enumerate(reg.model.loaded_rows())}
    assert set(rows) == {late, fresh}
    red = reg.model.index(rows[late], 1).data(Qt.ItemDataRole.ForegroundRole)
    assert red is not None and red.color().name() == "#b00020"
    assert reg.model.index(rows[fresh], 1).data(Qt.ItemDataRole.ForegroundRole) is None
    assert reg.model.index(rows[late], col("逾期")).data() == "逾期"
    assert "已逾期" in reg.model.index(rows[late], col("下一期限")).data()
    assert "还剩" in reg.model.index(rows[fresh], col("下一期限")).data()
    assert reg.count_label.text() == "共 2 件，其中逾期 1 件"

    qtbot.mouseClick(reg.overdue_check, Qt.MouseButton.LeftButton)    # 仅看逾期
    assert reg.overdue_check.isChecked()
    assert [r.id for r in reg.model.loaded_rows()] == [late]
    with db.session(admin) as s:
        assert [r.id for r in search_cases(s, admin, CaseFilter(overdue_only=True))] == [late]
    reg.overdue_check.setChecked(False)

    ime_type(reg.search, "安康")                                     # search as you type, after a pause
    assert reg.model.filter.text == ""
    qtbot.waitUntil(lambda: reg.model.filter.text == "安康")
    assert [r.id for r in reg.model.loaded_rows()] == [fresh]

    reg.search.clear()
    qtbot.waitUntil(lambda: reg.model.total() == 2)
    reg.select_case(late)
    reg.open_selected()
    form = reg.active_dialog
    overdue_rows = [r for r in range(form.deadline_table.rowCount())
                    if form.deadline_table.item(r, 3).text().startswith("已逾期")]
    assert overdue_rows
    assert form.deadline_table.item(overdue_rows[0], 0).foreground().color().name() == "#b00020"
    assert "逾期" in form.stage_label.text()
    form.reject()


def test_illegal_step_is_refused_with_its_reason(qtbot, ctx, db, admin):
    case_id = new_case(db, admin, filed_on=TODAY - timedelta(days=10), offence_on=TODAY - timedelta(days=12))
    page = _page(qtbot, ctx)
    reg = page.register
    reg.select_case(case_id)
    reg.open_selected()
    form = reg.active_dialog
    with db.session(admin) as s:
        reason = st.why_not(s.get(Case, case_id), "DECISION")
    assert reason and not form.stage_buttons["DECISION"].isEnabled()
    assert form.stage_buttons["DECISION"].toolTip() == reason
    assert not form.advance("DECISION", TODAY)                  # asked anyway: core refuses, the dialog says why
    assert form.stage_error.isVisible() and reason in form.stage_error.text()

    step(qtbot, form, "INVESTIGATED", TODAY - timedelta(days=20))   # before 立案: refused, inside the dialog
    assert form.isVisible() and form.stage_error.text().startswith("未办理“调查终结”")
    with db.session(admin) as s:
        assert s.get(Case, case_id).stage == "FILED"

    form.cause.clear()                                          # a core problem shown under its field
    form.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is form)
    qtbot.keyClick(form, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert form.isVisible() and "不能为空" in form.field_errors["cause"].text()
    form.reject()


_KEEP: list = []


@pytest.fixture(autouse=True)
def _release_pages():
    yield
    _KEEP.clear()


def _served_case(db, admin) -> int:
    """A fine of 3,000 元 served 29 days ago and not paid: past the 15 days, the surcharge running."""
    cid = new_case(db, admin, filed_on=TODAY - timedelta(days=60), offence_on=TODAY - timedelta(days=62))
    run(db, admin, cid, ("INVESTIGATED", TODAY - timedelta(days=50)), ("NOTICE", TODAY - timedelta(days=45)),
        ("DECISION", TODAY - timedelta(days=30)), ("SERVED", TODAY - timedelta(days=29)))
    return cid


def _open(qtbot, ctx, case_id: int) -> CaseForm:
    page = _page(qtbot, ctx)
    _KEEP.append(page)                  # the form is the page's child: keep the page alive
    page.register.select_case(case_id)
    page.register.open_selected()
    form = page.register.active_dialog
    show_active(qtbot, form)
    return form


def test_record_a_payment_from_the_keyboard_and_see_the_surcharge_stop(qtbot, ctx, db, admin):
    cid = _served_case(db, admin)
    paid_on = TODAY - timedelta(days=2)
    with db.session() as s:
        case = s.get(Case, cid)
        running, fixed = cd.surcharge(case, TODAY), cd.surcharge(case, paid_on)
        due = next(x.due for x in cd.deadlines(case, TODAY) if x.code == "PAYMENT")
    assert running > fixed > 0
    form = _open(qtbot, ctx, cid)
    assert form.width() <= 1366 and form.height() <= 700 and form.minimumSizeHint().height() <= 700
    qtbot.keyClick(form, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)      # → 办理与期限
    assert form.tabs.currentIndex() == 1
    before = form.stage_label.text()
    assert f"加处罚款 {running:,.2f} 元（仍在计算）" in before and "尚未缴纳" in before
    pay_row = next(r for r in range(form.deadline_table.rowCount())
                   if form.deadline_table.item(r, 0).text() == "当事人缴纳罚款")
    assert form.deadline_table.item(pay_row, 3).text().startswith("已逾期")
    assert form.deadline_table.item(pay_row, 4).text() == f"加处罚款 {running} 元"
    assert form.record_buttons["PAYMENT"].isEnabled() and not form.record_buttons["PAUSE_START"].isEnabled()

    qtbot.keyClick(form, Qt.Key.Key_M, Qt.KeyboardModifier.AltModifier)           # 缴纳罚款(&M)
    qtbot.waitUntil(lambda: form.active_dialog is not None)
    dialog = form.active_dialog
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: focused() is dialog.widgets["on"])
    qtbot.keyClick(focused(), Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(focused(), f"{TODAY + timedelta(days=1):%Y-%m-%d}")            # tomorrow: refused, stays open
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    qtbot.keyClicks(focused(), "3,000")
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    assert dialog.isVisible() and "晚于今天" in dialog.error.text()
    dialog.widgets["on"].setFocus()
    qtbot.keyClick(focused(), Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(focused(), f"{paid_on:%Y-%m-%d}")
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: form.active_dialog is None)

    after = form.stage_label.text()
    assert f"{paid_on:%Y-%m-%d} 缴清（共 3,000.00 元）" in after and f"加处罚款 {fixed:,.2f} 元" in after
    assert "仍在计算" not in after and after != before
    assert form.deadline_table.item(pay_row, 3).text() == f"{paid_on:%Y-%m-%d} 完成，逾期 {(paid_on - due).days} 天"
    assert "逾期缴纳罚款，依法应加处罚款" in form.warning_label.text()
    assert f"加处罚款 {fixed:,.2f} 元" in form.payment_label.text()
    with db.session() as s:
        assert s.get(Case, cid).paid_on == paid_on

    form.activateWindow()                        # (a window manager gives the form back its focus)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is form)
    qtbot.keyClick(form, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)      # → 执行与复议诉讼
    qtbot.keyClick(form, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)      # → 历史记录
    assert form.tabs.currentWidget() is form.history_view
    rows = form.history_view.texts()
    assert [r[2] for r in rows[:2]] == ["登记“缴纳罚没款”", "办理“送达”"]
    assert rows[0][3].startswith(f"登记“缴纳罚没款” {paid_on:%Y-%m-%d}（缴纳 3000.00 元，罚款已缴清")
    assert rows[1][1] == "admin" and rows[1][3] == f"办理“送达” {TODAY - timedelta(days=29):%Y-%m-%d}"
    assert rows[-1][2] == "新建案件"
    form.reject()


def test_a_stage_step_appears_in_the_open_history_tab(qtbot, ctx, db, admin):
    cid = new_case(db, admin, filed_on=TODAY - timedelta(days=10), offence_on=TODAY - timedelta(days=12))
    form = _open(qtbot, ctx, cid)
    form.tabs.setCurrentWidget(form.history_view)
    assert [r[2] for r in form.history_view.texts()] == ["新建案件"]
    step(qtbot, form, "INVESTIGATED", TODAY)
    form.tabs.setCurrentWidget(form.history_view)
    assert [r[2] for r in form.history_view.texts()] == ["办理“调查终结”", "新建案件"]
    form.reject()


def test_review_dates_out_of_order_are_shown_under_the_field(qtbot, ctx, db, admin):
    cid = _served_case(db, admin)
    form = _open(qtbot, ctx, cid)
    form.tabs.setCurrentIndex(2)
    form._select(form.execution_mode, "COURT")
    form.review_applied_edit.setText(f"{TODAY - timedelta(days=5):%Y-%m-%d}")
    form.review_decided_edit.setText(f"{TODAY - timedelta(days=8):%Y-%m-%d}")
    form._select(form.review_result, "UPHELD")
    form.tabs.setCurrentIndex(0)
    qtbot.keyClick(form, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert form.tabs.currentIndex() == 2                              # the tab with the problem is shown
    assert form.field_errors["review_decided_on"].isVisible()
    assert "早于申请日期" in form.field_errors["review_decided_on"].text()
    form.review_decided_edit.setText(f"{TODAY - timedelta(days=1):%Y-%m-%d}")
    qtbot.keyClick(form, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert not form.field_errors["review_decided_on"].isVisible(), form.general_error.text()
    with db.session() as s:
        case = s.get(Case, cid)
        assert (case.execution_mode, case.review_result) == ("COURT", "UPHELD")
    form.reject()
