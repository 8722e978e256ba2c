"""数据项与审核规则 through the dialog: an administrator renames an element and adds a rule (which then
trips in core's month check), a bad expression shows core's Chinese message and saves nothing, a
built-in element keeps its category, a local rule is deleted, and a clerk sees everything read-only."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from core.mch import rules, values
from core.mch.elements import list_elements
from gui.context import AppContext

pytestmark = pytest.mark.gui

T1, MONTH = "220322100", "202609"


def open_dialog(qtbot, db, actor):
    from gui.mch.dataset_dialog import DatasetDialog
    dialog = DatasetDialog(AppContext(db=db, actor=actor, county_code="220322", county_name="梨树县"))
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def element(db, code):
    with db.session() as s:
        return next(e for e in list_elements(s, include_inactive=True) if e.code == code)


def rule_codes(db):
    with db.session() as s:
        return {r.code for r in rules.list_rules(s, include_inactive=True)}


def fill_rule(d, code, left, right, *, operator="<=", importance="ERROR",
              message="产妇数（{left}）不能大于男活产数（{right}）"):
    d.tabs.setCurrentIndex(1)
    d.new_rule()
    d.rule_code.setText(code)
    d.rule_name.setText("测试规则")
    d.rule_left.setText(left)
    d.rule_operator.setCurrentIndex(d.rule_operator.findData(operator))
    d.rule_right.setText(right)
    d.rule_importance.setCurrentIndex(d.rule_importance.findData(importance))
    d.rule_message.setText(message)


def test_admin_renames_element_and_adds_rule_that_trips(qtbot, db, admin):
    d = open_dialog(qtbot, db, admin)
    assert d.editable and not d.read_only_note.isVisibleTo(d)
    assert [d.elements.headerData(i, Qt.Orientation.Horizontal)
            for i in range(d.elements.columnCount())] == ["代码", "名称", "简称", "分类", "时点数", "栏目", "启用"]

    d.select_element("MCH_DELIVERIES")
    assert not d.el_category.isEnabled() and not d.el_pit.isEnabled()     # built-in: name only
    d.el_name.setText("分娩产妇数")
    saved = d.save_element()
    assert saved is not None and saved.name == "分娩产妇数"
    assert element(db, "MCH_DELIVERIES").name == "分娩产妇数"
    assert element(db, "MCH_DELIVERIES").category == ""
    assert "已保存" in d.element_result.text()

    # a new element, split by sex
    d.new_element()
    d.el_code.setText("MCH_TWIN_BIRTHS")
    d.el_name.setText("双胎活产数")
    d.el_category.setCurrentIndex(d.el_category.findData("SEX"))
    d.el_section.setEditText("孕产妇保健")
    assert d.save_element() is not None
    new = element(db, "MCH_TWIN_BIRTHS")
    assert (new.category, new.section, new.active) == ("SEX", "孕产妇保健", True)

    fill_rule(d, "LOCAL_DELIVERIES_LE_MALE", "#{MCH_DELIVERIES}", "#{MCH_LIVE_BIRTHS.MALE}")
    row = d.save_rule()
    assert row is not None and not row.builtin
    assert d.current_rule().code == "LOCAL_DELIVERIES_LE_MALE"
    assert d.delete_rule_button.isEnabled()

    with db.session(admin) as s:
        values.save_value(s, admin, T1, MONTH, "MCH_DELIVERIES", "", "10")
        values.save_value(s, admin, T1, MONTH, "MCH_LIVE_BIRTHS", "MALE", "3")
        values.save_value(s, admin, T1, MONTH, "MCH_LIVE_BIRTHS", "FEMALE", "6")
    with db.session() as s:
        result = rules.check_month(s, T1, MONTH)
    found = [f for f in result.findings if f.rule_code == "LOCAL_DELIVERIES_LE_MALE"]
    assert len(found) == 1 and found[0].importance == "ERROR"
    assert found[0].message == "产妇数（10）不能大于男活产数（3）"
    assert not result.can_submit


def test_bad_expression_shows_message_and_saves_nothing(qtbot, db, admin):
    d = open_dialog(qtbot, db, admin)
    before = rule_codes(db)
    fill_rule(d, "LOCAL_BAD", "#{MCH_NO_SUCH_THING}", "#{MCH_LIVE_BIRTHS}")
    assert d.save_rule() is None
    assert d.rule_error.isVisibleTo(d)
    assert "MCH_NO_SUCH_THING" in d.rule_error.text() and "不存在" in d.rule_error.text()
    assert d.isVisible()                                          # the dialog stays open
    assert d.rule_code.text() == "LOCAL_BAD"                      # what was typed stays
    fill_rule(d, "LOCAL_BAD", "#{MCH_LIVE_BIRTHS.OTHER}", "1")
    assert d.save_rule() is None and "没有分类" in d.rule_error.text()
    assert rule_codes(db) == before


def test_builtin_element_category_refused_and_local_rule_deleted(qtbot, db, admin):
    d = open_dialog(qtbot, db, admin)
    d.select_element("MCH_LIVE_BIRTHS")
    d.el_category.setCurrentIndex(d.el_category.findData(""))    # the UI disables it; core refuses too
    assert d.save_element() is None
    assert "不能修改" in d.element_error.text()
    assert element(db, "MCH_LIVE_BIRTHS").category == "SEX"

    d.tabs.setCurrentIndex(1)
    d.select_rule("HOSPITAL_LE_LIVE_BIRTHS")
    assert not d.delete_rule_button.isEnabled()                   # built-in: can only be switched off
    d.rule_active.setChecked(False)
    assert d.save_rule() is not None
    with db.session() as s:
        assert "HOSPITAL_LE_LIVE_BIRTHS" not in {r.code for r in rules.list_rules(s)}

    fill_rule(d, "LOCAL_TO_DELETE", "#{MCH_MATERNAL_DEATHS}", "0", operator="==", importance="WARNING",
              message="有孕产妇死亡")
    assert d.save_rule() is not None and "LOCAL_TO_DELETE" in rule_codes(db)
    assert d.delete_rule(confirm=False)
    assert "LOCAL_TO_DELETE" not in rule_codes(db)
    assert "已删除" in d.rule_result.text()


def test_clerk_sees_read_only(qtbot, db, clerk):
    d = open_dialog(qtbot, db, clerk)
    assert not d.editable
    assert d.read_only_note.isVisibleTo(d)
    assert d.elements.rowCount() >= 25 and d.rules.rowCount() >= 13
    for w in (d.el_name, d.el_category, d.save_element_button, d.new_element_button,
              d.rule_left, d.save_rule_button, d.new_rule_button, d.delete_rule_button):
        assert not w.isEnabled()
    d.tabs.setCurrentIndex(1)
    d.select_rule("HOSPITAL_LE_LIVE_BIRTHS")
    assert not d.delete_rule_button.isEnabled()
    assert d.rule_left.text() == "#{MCH_HOSPITAL_DELIVERIES}"


def test_corner_button_opens_dialog(qtbot, db, clerk):
    from gui.mch.mch_page import MchPage
    page = MchPage(AppContext(db=db, actor=clerk, county_code="220322", county_name="梨树县"))
    qtbot.addWidget(page)
    page.show()
    assert page.tabs.cornerWidget() is page.dataset_button
    assert page.dataset_button.text() == "数据项与审核规则…"
    page.dataset_button.click()
    assert page.dataset_dialog is not None and page.dataset_dialog.isVisible()
    assert not page.dataset_dialog.editable
    page.dataset_dialog.reject()
    assert page.dataset_dialog is None
