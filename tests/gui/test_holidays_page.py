"""系统管理 → 节假日安排 through the widgets: the shipped years shown, an administrator adds a day from the
keyboard, removes one, loads a year from a file; a clerk may look but not change — and every change is in
the calendar the deadlines use, and in the audit log."""
from __future__ import annotations

import json
from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from core.errors import PermissionDenied
from core.supervision import working_days as wd
from db.models.audit import AuditLog
from gui.context import AppContext
from gui.pages.holidays_page import HolidayDialog, HolidaysPage
from tests.gui.test_supervision_pages import focused, ime_type
from tests.gui.windows import show_active

pytestmark = pytest.mark.gui


def _page(qtbot, ctx) -> HolidaysPage:
    page = HolidaysPage(ctx)
    qtbot.addWidget(page)
    page.resize(900, 600)
    show_active(qtbot, page)
    return page


def _go_to(page, year: int) -> None:
    page.year_combo.setCurrentIndex(page.year_combo.findData(year))


def _shown(page) -> dict[str, list[str]]:
    m = page.model
    return {m.index(r, 0).data(): [m.index(r, c).data() for c in range(1, m.columnCount())]
            for r in range(m.rowCount())}


def test_the_shipped_years_are_shown(qtbot, ctx):
    page = _page(qtbot, ctx)
    years = [page.year_combo.itemData(i) for i in range(page.year_combo.count())]
    assert {2024, 2025, 2026} <= set(years)
    _go_to(page, 2026)
    rows = _shown(page)
    assert rows["2026-02-15"] == ["周日", "放假", "春节", "随程序提供"]
    assert rows["2026-01-04"] == ["周日", "调休上班", "元旦", "随程序提供"]
    assert rows["2026-10-10"][:2] == ["周六", "调休上班"]
    assert page.count_label.text() == "放假 33 天，调休上班 6 天"


def test_admin_adds_a_day_from_the_keyboard_and_removes_it(qtbot, ctx, db, admin, boxes):
    page = _page(qtbot, ctx)
    _go_to(page, 2026)
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Insert)
    dialog = page.active_dialog
    assert isinstance(dialog, HolidayDialog)
    qtbot.waitUntil(lambda: focused() is dialog.day)
    qtbot.keyClicks(focused(), "20261008")
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)                     # 类型: 放假
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert focused() is dialog.name
    qtbot.keyClick(focused(), Qt.Key.Key_Return)                  # no name: refused next to the field
    assert dialog.isVisible() and dialog.field_error(dialog.name) == "请填写节日名称。"
    ime_type(focused(), "国庆节")
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    assert not dialog.isVisible(), dialog.save_error.text()
    assert _shown(page)["2026-10-08"] == ["周四", "放假", "国庆节", "管理员录入"]
    assert page.current_day().day == date(2026, 10, 8)
    with db.session() as s:
        cal = wd.load_calendar(s)
        assert not cal.is_working_day(date(2026, 10, 8))
        assert not cal.is_working_day(date(2026, 2, 16))            # the rest of the shipped year kept
        labels = s.execute(select(AuditLog.record_label).where(AuditLog.table_name == "sup_holiday",
                                                               AuditLog.action == "create")).scalars().all()
    assert "2026-10-08 国庆节 放假" in labels

    page.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is page)
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Delete)                 # the selected day; the question is answered Yes
    assert boxes and boxes[-1][0] == "删除节假日"
    assert "2026-10-08" not in _shown(page)
    with db.session() as s:
        assert wd.load_calendar(s).is_working_day(date(2026, 10, 8))


def test_a_workday_on_a_weekday_is_refused_inside_the_dialog(qtbot, ctx):
    page = _page(qtbot, ctx)
    page.add_day()
    dialog = page.active_dialog
    dialog.day.setText("2026-10-12")                              # a Monday
    dialog.kind.setCurrentIndex(dialog.kind.findData(wd.WORKDAY))
    dialog.name.setText("国庆节")
    dialog.accept()
    assert dialog.isVisible() and "本来就是工作日" in dialog.save_error.text()
    dialog.reject()


def test_admin_loads_next_year_from_a_file(qtbot, ctx, db, tmp_path, boxes):
    f = tmp_path / "2027.json"
    f.write_text(json.dumps({"year": 2027, "source": "国务院办公厅关于2027年部分节假日安排的通知（测试）", "holidays": [
        {"name": "元旦", "from": "2027-01-01", "to": "2027-01-03", "workdays": []},
        {"name": "春节", "from": "2027-02-05", "to": "2027-02-11", "workdays": ["2027-02-13"]}]},
        ensure_ascii=False), encoding="utf-8")
    page = _page(qtbot, ctx)
    page.load_file(str(f))
    assert [b[0] for b in boxes] == ["载入节假日安排", "已载入"]
    assert "放假 10 天，调休上班 1 天" in boxes[0][1]
    assert page.year() == 2027 and page.count_label.text() == "放假 10 天，调休上班 1 天"
    with db.session() as s:
        assert wd.load_calendar(s).is_working_day(date(2027, 2, 13))
        event = s.execute(select(AuditLog).where(AuditLog.action == "import",
                                                 AuditLog.table_name == "sup_holiday")).scalar_one()
        assert "2027.json" in event.changes and event.record_label == "节假日安排 2027 年"

    bad = tmp_path / "bad.json"
    bad.write_text("{\"year\": 2028}", encoding="utf-8")
    page.load_file(str(bad))
    assert boxes[-1][0] == "文件不能载入" and "格式不对" in boxes[-1][1]


def test_a_clerk_may_look_but_not_change(qtbot, db, clerk):
    from gui.pages.admin_page import AdminPage
    ctx = AppContext(db=db, actor=clerk, county_code="220322", county_name="梨树县")
    admin_page = AdminPage(ctx)
    qtbot.addWidget(admin_page)
    page = admin_page.holidays
    assert admin_page.tabs.isTabEnabled(admin_page.tabs.indexOf(page))
    assert page.model.rowCount() > 0
    assert not page.act_add.isEnabled() and not page.act_load.isEnabled()
    assert "需要管理员" in page.act_add.toolTip()
    with pytest.raises(PermissionDenied):
        with db.session(clerk) as s:
            wd.set_day(s, clerk, date(2026, 10, 8), wd.HOLIDAY, "国庆节")
