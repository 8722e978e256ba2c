"""系统管理 screens: org tree and search, keyboard add through the dialog, user rights, the lazy
audit browser and chain check, backup/restore — through the widgets, checked in the database."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication

from core import audit, orgunits, users
from core.access import Role
from core.errors import PermissionDenied
from gui.context import AppContext
from tests.gui.windows import show_active

pytestmark = pytest.mark.gui


def _focused():
    return QApplication.focusWidget()


def ime_type(widget, text: str) -> None:
    """Chinese arrives from an input method as a committed string (QTest can only type ASCII)."""
    event = QInputMethodEvent("", [])
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


# -- 组织机构 -----------------------------------------------------------------------------------

def test_tree_shows_the_county_and_its_townships(qtbot, ctx):
    from gui.pages.orgunits_page import OrgUnitsPage
    page = OrgUnitsPage(ctx)
    qtbot.addWidget(page)
    names = page.visible_names()
    assert names[0] == "梨树县"
    assert {"梨树镇", "富强街道"} <= set(names)
    assert len(names) == 25                       # the county and its 24 townships
    county = page.proxy.index(0, 0)
    assert page.tree.isExpanded(county)
    assert page.proxy.index(0, 1, county).data() == "220322001"   # 代码 column, code order
    assert "乡镇（街道）24 个" in page.count_label.text()


def test_search_filters_as_you_type_and_keeps_ancestors(qtbot, ctx):
    from gui.pages.orgunits_page import OrgUnitsPage
    page = OrgUnitsPage(ctx)
    qtbot.addWidget(page)
    ime_type(page.search, "梨树")
    names = page.visible_names()
    assert "梨树镇" in names and "梨树县" in names
    assert "富强街道" not in names
    page.search.clear()
    qtbot.keyClicks(page.search, "220322100")     # by code
    assert page.visible_names() == ["梨树县", "梨树镇"]
    page.search.clear()
    assert "富强街道" in page.visible_names()


def test_closed_units_hidden_unless_asked(qtbot, ctx, db, admin):
    from datetime import date
    with db.session(admin) as s:
        orgunits.add_unit(s, admin, "220322100201", "旧村")
        orgunits.close_unit(s, admin, "220322100201", date(2024, 1, 1))
    from gui.pages.orgunits_page import OrgUnitsPage
    page = OrgUnitsPage(ctx)
    qtbot.addWidget(page)
    assert "旧村" not in page.visible_names()
    page.show_closed.setChecked(True)
    assert "旧村" in page.visible_names()
    page.select_code("220322100201")
    assert page.act_reopen.isEnabled() and not page.act_close.isEnabled()
    assert page.reopen_code("220322100201")
    with db.session() as s:
        assert orgunits.get_unit(s, "220322100201").closed_on is None


def test_add_a_village_with_the_keyboard(qtbot, ctx, db):
    from gui.pages.orgunits_page import OrgUnitsPage
    changes = []
    ctx.changes.changed.connect(changes.append)
    page = OrgUnitsPage(ctx)
    qtbot.addWidget(page)
    show_active(qtbot, page)
    assert page.select_code("220322100")
    page.tree.setFocus()
    qtbot.keyClick(page.tree, Qt.Key.Key_Insert)             # 新增下级单位
    dialog = page.active_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: _focused() is dialog.code_edit)
    assert dialog.code_edit.text() == "220322100"           # the parent's code, cursor at the end
    qtbot.keyClicks(_focused(), "2")
    assert "位数不对" in dialog.field_error(dialog.code_edit)   # explained next to the field as you type
    qtbot.keyClicks(_focused(), "01")
    assert dialog.field_error(dialog.code_edit) == ""
    qtbot.keyClick(_focused(), Qt.Key.Key_Tab)
    assert _focused() is dialog.name_edit
    qtbot.keyClick(_focused(), Qt.Key.Key_Return)           # no name yet: refused next to the field
    assert dialog.isVisible() and dialog.field_error(dialog.name_edit) == "请填写名称。"
    assert _focused() is dialog.name_edit
    ime_type(_focused(), "东风村")
    qtbot.keyClick(_focused(), Qt.Key.Key_Return)
    assert not dialog.isVisible()
    assert changes == ["org_unit"]
    with db.session() as s:
        unit = orgunits.get_unit(s, "220322100201")
        assert unit is not None and unit.name == "东风村" and unit.parent.code == "220322100" and unit.level == 3
    assert page.current_unit().code == "220322100201"       # the new village is selected in the tree


def test_duplicate_code_is_refused_inside_the_dialog(qtbot, ctx, db, admin):
    with db.session(admin) as s:
        orgunits.add_unit(s, admin, "220322100201", "东风村")
    from gui.pages.orgunits_page import OrgUnitsPage
    page = OrgUnitsPage(ctx)
    qtbot.addWidget(page)
    page.select_code("220322100")
    page.add_child()
    dialog = page.active_dialog
    dialog.code_edit.setText("220322100201")
    dialog.name_edit.setText("又一个村")
    dialog.accept()
    assert dialog.isVisible()
    assert "已经存在" in dialog.save_error.text()


def test_rename_with_a_stale_version_is_refused(qtbot, ctx, db, admin):
    from gui.pages.orgunits_page import OrgUnitsPage
    page = OrgUnitsPage(ctx)
    qtbot.addWidget(page)
    page.select_code("220322100")
    page.rename()
    dialog = page.active_dialog
    with db.session(admin) as s:                          # someone else renames it meanwhile
        orgunits.rename_unit(s, admin, "220322100", "梨树镇（新）")
    dialog.name_edit.setText("梨树镇二")
    dialog.accept()
    assert dialog.isVisible() and "已被其他人修改过" in dialog.save_error.text()
    with db.session() as s:
        assert orgunits.get_unit(s, "220322100").name == "梨树镇（新）"


def test_move_and_close_through_the_dialogs(qtbot, ctx, db, admin):
    with db.session(admin) as s:
        orgunits.add_unit(s, admin, "220322100201", "东风村")
    from gui.pages.orgunits_page import OrgUnitsPage
    page = OrgUnitsPage(ctx)
    qtbot.addWidget(page)
    page.select_code("220322100201")
    page.move()
    dialog = page.active_dialog
    dialog.target.setEditText("榆树台（220322101）")
    dialog.accept()
    assert dialog.isVisible() and "请从列表中选择" in dialog.field_error(dialog.target)
    dialog.target.setEditText("郭家店镇（220322101）")
    dialog.accept()
    assert not dialog.isVisible(), dialog.save_error.text()
    page.select_code("220322100201")
    page.close_unit()
    dialog = page.active_dialog
    dialog.accept()
    assert not dialog.isVisible(), dialog.save_error.text()
    with db.session() as s:
        unit = orgunits.get_unit(s, "220322100201")
        assert unit.parent.code == "220322101" and unit.closed_on is not None


def test_csv_import_runs_in_the_background(qtbot, ctx, db, tmp_path, boxes):
    path = tmp_path / "units.csv"
    path.write_text("code,name\n220322100201,东村\n220322100202,西村\n", encoding="utf-8")
    from gui.pages.orgunits_page import OrgUnitsPage
    page = OrgUnitsPage(ctx)
    qtbot.addWidget(page)
    page.import_csv(path)
    qtbot.waitUntil(lambda: bool(boxes), timeout=10_000)
    assert "新增 2 个单位" in boxes[0][1]
    page.search.setText("西村")
    assert "西村" in page.visible_names()


# -- rights -------------------------------------------------------------------------------------

def test_a_clerk_cannot_add_users(qtbot, db, clerk):
    from gui.pages.admin_page import AdminPage
    ctx = AppContext(db=db, actor=clerk, county_code="220322", county_name="梨树县")
    page = AdminPage(ctx)
    qtbot.addWidget(page)
    users_tab = page.tabs.indexOf(page.users)
    assert not page.tabs.isTabEnabled(users_tab)
    assert "无权管理用户" in page.tabs.tabToolTip(users_tab)
    assert not page.tabs.isTabEnabled(page.tabs.indexOf(page.backup))
    assert page.tabs.isTabEnabled(page.tabs.indexOf(page.orgunits))   # may look up codes, not change them
    assert not page.orgunits.act_add.isEnabled()
    assert "无权管理用户" in page.users.message.text()                # the list itself is refused by core
    # The service refuses, whatever the screen shows:
    with pytest.raises(PermissionDenied, match="无权管理用户"):
        with db.session(clerk) as s:
            users.create_user(s, clerk, "zhang", "张三", Role.CLERK, "abc12345")
    # … and the screen shows that refusal without crashing.
    page.users.add_user()
    dialog = page.users.active_dialog
    dialog.username.setText("zhang")
    dialog.display_name.setText("张三")
    dialog.password.setText("abc12345")
    dialog.again.setText("abc12345")
    dialog.accept()
    assert dialog.isVisible() and "无权管理用户" in dialog.save_error.text()
    with db.session() as s:
        assert users.count_users(s) == 0


def test_admin_adds_and_edits_a_clerk_with_township_limits(qtbot, ctx, db):
    from gui.pages.users_page import UsersPage
    page = UsersPage(ctx)
    qtbot.addWidget(page)
    page.add_user()
    dialog = page.active_dialog
    dialog.username.setText("zhang")
    dialog.display_name.setText("张三")
    dialog.password.setText("abc")
    dialog.again.setText("abc")
    dialog.accept()
    assert "至少 8 位" in dialog.field_error(dialog.password)
    dialog.password.setText("abc12345")
    dialog.again.setText("abc12345")
    dialog.townships.set_checked(["220322100"])
    dialog.accept()
    assert not dialog.isVisible(), dialog.save_error.text()
    assert [(u.username, u.townships) for u in page.model.rows()] == [("zhang", ("220322100",))]
    assert page.model.index(0, 4).data() == "梨树镇"
    assert page.model.index(0, 3).data() == "有效"
    page.edit_user()
    dialog = page.active_dialog
    dialog.active.setChecked(False)
    dialog.accept()
    assert not dialog.isVisible(), dialog.save_error.text() + str(dialog.check())
    assert page.model.index(0, 3).data() == "停用"
    with db.session() as s:
        assert users.list_users(s, ctx.actor)[0].active is False


# -- 审计日志 -----------------------------------------------------------------------------------

def test_audit_lists_the_add_just_made(qtbot, ctx, db, admin):
    from gui.pages.audit_page import AuditPage
    with db.session(admin) as s:
        row = orgunits.add_unit(s, admin, "220322100201", "东风村")
    page = AuditPage(ctx)
    qtbot.addWidget(page)
    m = page.model
    assert [m.index(0, c).data() for c in (1, 2, 3)] == ["admin", "新增", "组织机构 220322100201"]
    assert "名称: 东风村" in m.index(0, 4).data()
    assert "2" in m.index(0, 0).data()[:4]                     # local time, e.g. 2026-…
    assert "名称: 东风村" in page.details.toPlainText()        # details pane of the selected (newest) row
    with db.session() as s:
        uuid = orgunits.get_unit(s, "220322100201").uuid
    with db.session(admin) as s:
        orgunits.rename_unit(s, admin, row.code, "东风新村")
    only = AuditPage(ctx, record_uuid=uuid, record_label="东风新村")
    qtbot.addWidget(only)
    assert only.model.rowCount() == 2
    assert only.model.index(0, 4).data() == "名称: 东风村 → 东风新村"
    only.only_record.setChecked(False)
    assert only.model.rowCount() > 2


def test_audit_fetches_more_lazily(qtbot, ctx, db, admin):
    from gui.pages.audit_page import PAGE_SIZE, AuditPage
    with db.session(admin) as s:
        for i in range(280):
            town = "220322100" if i < 140 else "220322101"
            orgunits.add_unit(s, admin, f"{town}{200 + i % 140:03d}", f"村{i}")
    with db.session(admin) as s:
        total = len(audit.query_audit(s, admin, limit=100_000))
    assert total > 300
    page = AuditPage(ctx)
    qtbot.addWidget(page)
    assert page.model.rowCount() == PAGE_SIZE                  # only the newest page is loaded
    assert page.model.canFetchMore()
    page.model.fetchMore()
    assert page.model.rowCount() == 2 * PAGE_SIZE
    seqs = [page.model.row_at(i).seq for i in range(page.model.rowCount())]
    assert seqs == sorted(seqs, reverse=True) and len(set(seqs)) == len(seqs)
    while page.model.canFetchMore():
        page.model.fetchMore()
    assert page.model.rowCount() == total
    page.text.setText("220322101")                             # filter by record label
    assert 0 < page.model.rowCount() <= PAGE_SIZE
    assert all("220322101" in page.model.index(r, 3).data() for r in range(page.model.rowCount()))


def test_verify_chain_says_ok(qtbot, ctx, boxes):
    from gui.pages.audit_page import AuditPage
    page = AuditPage(ctx)
    qtbot.addWidget(page)
    page.verify_chain()
    qtbot.waitUntil(lambda: bool(page.last_verify), timeout=10_000)
    assert "审计链完整" in page.last_verify
    assert boxes[-1] == ("验证审计链", page.last_verify)


def test_verify_chain_reports_tampering(qtbot, ctx, db, admin):
    from sqlalchemy import text
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET record_label = 'x' WHERE seq = 2"))
    from gui.pages.audit_page import AuditPage
    page = AuditPage(ctx)
    qtbot.addWidget(page)
    page.verify_chain()
    qtbot.waitUntil(lambda: bool(page.last_verify), timeout=10_000)
    assert "第 2 条的内容被改动过" in page.last_verify


# -- 备份与恢复 ----------------------------------------------------------------------------------

def test_backup_then_restore(qtbot, ctx, db, admin, tmp_path):
    from core.paths import backups_dir
    from gui.pages.backup_page import BackupPage, default_backup_name
    assert default_backup_name().startswith("卫健台账备份-") and default_backup_name().endswith(".wjbak")
    changes = []
    ctx.changes.changed.connect(changes.append)
    page = BackupPage(ctx)
    qtbot.addWidget(page)
    target = backups_dir() / default_backup_name()
    page.backup_to(target)
    qtbot.waitUntil(lambda: page.last_result is not None, timeout=20_000)
    assert target.exists()
    assert [f.path.name for f in page.model.rows()] == [target.name]
    with db.session(admin) as s:
        orgunits.add_unit(s, admin, "220322100201", "备份后才加的村")
    page.last_result = None
    page.restore_from(target)
    qtbot.waitUntil(lambda: page.last_result is not None, timeout=30_000)
    assert changes[-1] == "all"
    with db.session() as s:
        assert orgunits.get_unit(s, "220322100201") is None
    names = {f.kind for f in page.model.rows()}
    assert names == {"手动备份", "恢复前自动备份"}               # the safety backup is listed too
