"""The GUI shell as a user meets it: set-up wizard, login, main window, settings, help.

Assertions are on what a person sees — titles, labels, messages — and on what ends up in the
database. Background work (run_op) is waited for with qtbot.waitUntil/waitSignal; no modal exec().
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel, QMessageBox, QWizard

from core import orgunits, settings, users
from core.access import Role
from core.database import Database
from core.paths import demo_database_path, load_local_settings
from gui.context import AppContext
from gui.operations import wait_for_all

pytestmark = pytest.mark.gui

PASSWORD = "abc12345"


@pytest.fixture(autouse=True)
def _no_modal_message_boxes(monkeypatch):
    """A message box nobody expected fails the test at once instead of waiting for a click."""
    def refuse(*args, **kwargs):
        texts = [a for a in args if isinstance(a, str)]
        raise AssertionError(f"unexpected message box: {texts}")
    for name in ("warning", "critical", "information", "question"):
        monkeypatch.setattr(QMessageBox, name, staticmethod(refuse))
    monkeypatch.setattr(QMessageBox, "exec", lambda self: refuse(self.text()))


@pytest.fixture(autouse=True)
def _settle(qtbot):
    """Let background work finish before the database fixture disposes of the database."""
    yield
    wait_for_all()
    qtbot.wait(10)
    from gui.dialogs.help_window import close_help
    close_help()


def visible_texts(widget) -> str:
    """Everything a user can read in ``widget``: its visible labels, joined."""
    return "\n".join(label.text() for label in widget.findChildren(QLabel) if label.isVisibleTo(widget))


def add_user(db: Database, username: str = "zhangsan", role: Role = Role.ADMIN) -> None:
    from core.access import Actor
    with db.session(Actor.system()) as session:
        users.create_user(session, None if users.count_users(session) == 0 else Actor.system(),
                          username, "张三", role, PASSWORD)


def main_window(qtbot, db, actor, **ctx_args):
    from gui.main_window import MainWindow
    ctx = AppContext(db=db, actor=actor, county_code="220322", county_name="梨树县", **ctx_args)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    return window


# -- login -------------------------------------------------------------------------------------------

def test_login_refuses_wrong_password_then_accepts_right_one(qtbot, db):
    from gui.login_dialog import LoginDialog
    add_user(db)
    dialog = LoginDialog(db, county_name="梨树县")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert "梨树县" in visible_texts(dialog)
    assert "数据库：" in dialog.database_label.text()
    assert not dialog.demo_hint.isVisible()

    qtbot.keyClicks(dialog.username_edit, "zhangsan")
    qtbot.keyClicks(dialog.password_edit, "wrong-password1")
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)   # Enter logs in
    qtbot.waitUntil(lambda: "不正确" in dialog.message.text(), timeout=20_000)
    assert "用户名或密码不正确" in dialog.message.text()
    assert "再错 4 次将锁定账号" in dialog.message.text()
    assert dialog.result() != QDialog.DialogCode.Accepted and dialog.isVisible()

    dialog.password_edit.clear()
    qtbot.keyClicks(dialog.password_edit, PASSWORD)
    with qtbot.waitSignal(dialog.accepted, timeout=20_000):
        qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Enter)
    assert dialog.actor is not None
    assert (dialog.actor.username, dialog.actor.role) == ("zhangsan", Role.ADMIN)
    assert load_local_settings()["last_username"] == "zhangsan"   # remembered for next time

    again = LoginDialog(db)
    qtbot.addWidget(again)
    assert again.username_edit.text() == "zhangsan"


def test_login_says_when_account_is_locked(qtbot, db):
    from gui.login_dialog import LoginDialog
    add_user(db)
    dialog = LoginDialog(db, username="zhangsan")
    qtbot.addWidget(dialog)
    dialog.show()
    for _ in range(5):
        dialog.password_edit.setText("wrong-password1")
        dialog.try_login()
        qtbot.waitUntil(lambda: dialog.login_button.isEnabled(), timeout=20_000)
    assert "账号已锁定" in dialog.message.text()


# -- main window ----------------------------------------------------------------------------------

def test_main_window_title_status_bar_and_area_shortcuts(qtbot, db, admin):
    from gui.main_window import AREAS
    window = main_window(qtbot, db, admin)
    assert window.windowTitle() == "卫健台账 — 梨树县"
    status = visible_texts(window.statusBar())
    today = date.today()
    assert f"报告期：{today.year}年{today.month}月" in status
    assert "用户：管理员（管理员）" in status
    assert "数据库：" in status and "演示数据" not in status
    assert [window.nav.item(i).text() for i in range(window.nav.count())] == \
        ["首页", "扶助对象", "妇幼月报", "卫生监督", "报表", "数据交换", "系统管理"]

    # 首页 counts the county's 24 townships once its background read is done.
    start = window.current_page()
    qtbot.waitUntil(lambda: start.townships_value.text() == "24", timeout=20_000)
    assert "管理员" in visible_texts(start) and "梨树县" in visible_texts(start)
    qtbot.waitUntil(lambda: "没有逾期的案件" in start.todo_label.text(), timeout=20_000)
    assert "妇幼月报待办" in visible_texts(start)

    for number, title in [(6, "数据交换")]:
        qtbot.keyClick(window, Qt.Key(Qt.Key.Key_0 + number), Qt.KeyboardModifier.ControlModifier)
        assert window.current_area() == AREAS[number - 1].key
        page = window.stack.currentWidget()
        texts = visible_texts(page)
        assert title in texts and "尚未启用" in texts, texts

    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.current_area() == "subsidy"
    assert "查找(&Q)：" in visible_texts(window.stack.currentWidget())   # the roster, not a placeholder

    qtbot.keyClick(window, Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier)
    assert window.current_area() == "returns"
    assert window.nav.currentItem().text() == "报表"
    qtbot.keyClick(window, Qt.Key.Key_7, Qt.KeyboardModifier.ControlModifier)
    assert window.current_area() == "admin"
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.stack.currentWidget() is start


def test_demo_and_township_installation_are_named_in_the_title(qtbot, db, admin):
    window = main_window(qtbot, db, admin, is_demo=True, township_code="220322100")
    assert window.windowTitle() == "卫健台账 — 梨树县（演示数据） · 梨树镇（乡镇安装）"
    assert window.demo_badge.isVisible() and window.demo_badge.text() == "演示数据"


def test_menus_follow_the_role(qtbot, db, admin, clerk):
    window = main_window(qtbot, db, admin)
    assert window.backup_action.isVisible()
    window.close()
    clerk_window = main_window(qtbot, db, clerk)
    assert not clerk_window.backup_action.isVisible()
    assert clerk_window.settings_action.isVisible()  # clerks may look at the header settings, not change them


def test_backup_menu_goes_to_the_backup_tab(qtbot, db, admin):
    from PySide6.QtWidgets import QTabWidget
    window = main_window(qtbot, db, admin)
    window.backup_action.trigger()
    assert window.current_area() == "admin"
    tabs = window.current_page().findChildren(QTabWidget)
    if tabs:  # the 系统管理 page is installed: its 备份 tab is shown
        assert tabs[0].tabText(tabs[0].currentIndex()).replace("&", "").startswith("备份")


def test_f1_opens_the_help_chapter_of_the_current_page(qtbot, db, admin):
    window = main_window(qtbot, db, admin)
    qtbot.keyClick(window, Qt.Key.Key_F1)
    from gui.dialogs import help_window
    help_ = help_window._window
    assert help_ is not None and help_.isVisible()
    assert help_.current_file() == "getting-started.html"
    assert "首次启动" in help_.browser.toPlainText()
    assert "入门" in help_.windowTitle()

    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_7, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window, Qt.Key.Key_F1)
    assert help_window._window.current_file() == "admin.html"
    assert "用户与角色" in help_window._window.browser.toPlainText()


def test_every_help_chapter_exists_and_links_resolve():
    from gui.dialogs.help_window import CHAPTERS, help_dir
    import re
    for file, title in CHAPTERS:
        text = (help_dir() / file).read_text(encoding="utf-8")
        assert f"<title>{title}</title>" in text
        for target in re.findall(r'href="([^"#:]+)(?:#[^"]*)?"', text):
            assert (help_dir() / target).exists(), f"{file} links to missing {target}"


# -- settings dialog ---------------------------------------------------------------------------------

def test_settings_dialog_saves_header_and_table_numbers(qtbot, db, admin):
    from gui.dialogs.settings_dialog import TABLE_NO_COLUMN, SettingsDialog
    ctx = AppContext(db=db, actor=admin, county_code="220322", county_name="梨树县")
    dialog = SettingsDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.save_button.isVisible()
    assert "梨树县卫生健康局" in dialog.fields["reporting_unit"].placeholderText()
    dialog.fields["issuing_authority"].setText("吉林省卫生健康委员会")  # QTest types ASCII only (an IME types this)
    dialog.table.item(0, TABLE_NO_COLUMN).setText("卫健统 1 表")
    assert dialog.is_dirty()
    with qtbot.waitSignal(ctx.changes.changed, timeout=20_000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.note.text() == "已保存。"
    assert not dialog.is_dirty()
    with db.session() as session:
        assert settings.get(session, "returns.header") == {"issuing_authority": "吉林省卫生健康委员会"}
        assert settings.get(session, "returns.table_no") == {"ORG-LIST": "卫健统 1 表"}
        assert settings.stat_header(session, "ORG-LIST").table_no == "卫健统 1 表"


def test_settings_dialog_asks_before_dropping_unsaved_changes(qtbot, db, admin):
    from gui.dialogs.settings_dialog import SettingsDialog
    dialog = SettingsDialog(AppContext(db=db, actor=admin))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.fields["preparer"].setText("李四")
    asked = []
    dialog.ask_unsaved = lambda: asked.append(1) or QMessageBox.StandardButton.Cancel
    dialog.reject()
    assert asked and dialog.isVisible()          # 取消: stays open with the edit
    dialog.ask_unsaved = lambda: QMessageBox.StandardButton.Discard
    dialog.reject()
    assert not dialog.isVisible()
    with db.session() as session:
        assert settings.get(session, "returns.header") == {}


def test_settings_dialog_is_read_only_for_a_clerk(qtbot, db, clerk):
    from gui.dialogs.settings_dialog import SettingsDialog
    dialog = SettingsDialog(AppContext(db=db, actor=clerk))
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.save_button.isVisible()
    assert all(edit.isReadOnly() for edit in dialog.fields.values())
    assert "只有管理员可以修改" in dialog.note.text()


# -- change password ---------------------------------------------------------------------------------

def test_change_password_reports_a_wrong_old_password_and_changes_it(qtbot, db):
    from gui.dialogs.change_password_dialog import ChangePasswordDialog
    add_user(db)
    actor = users.login(db, "zhangsan", PASSWORD)
    dialog = ChangePasswordDialog(AppContext(db=db, actor=actor))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.new_edit.setText("abc")
    assert dialog.new_hint.text() == "密码至少 8 位。"
    dialog.old_edit.setText("not-it-123")
    dialog.new_edit.setText("newpass123")
    dialog.again_edit.setText("newpass123")
    dialog.submit()
    qtbot.waitUntil(lambda: dialog.message.text() == "原密码不正确。", timeout=20_000)
    dialog.old_edit.setText(PASSWORD)
    with qtbot.waitSignal(dialog.accepted, timeout=20_000):
        dialog.submit()
    assert users.login(db, "zhangsan", "newpass123").username == "zhangsan"


# -- set-up wizard -----------------------------------------------------------------------------------

def click_next(qtbot, wizard) -> None:
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)


def test_setup_wizard_creates_the_county_database_with_an_administrator(qtbot):
    from gui.setup_wizard import ACCOUNT_PAGE, COUNTY_PAGE, LOCATION_PAGE, MODE_PAGE, SetupWizard
    wizard = SetupWizard()
    qtbot.addWidget(wizard)
    wizard.show()
    assert wizard.currentId() == MODE_PAGE
    assert wizard.mode_page.real_radio.text().startswith("建立本县数据库")
    click_next(qtbot, wizard)

    assert wizard.currentId() == COUNTY_PAGE
    page = wizard.county_page
    click_next(qtbot, wizard)                         # nothing chosen: refused, with a reason
    assert wizard.currentId() == COUNTY_PAGE
    assert "请选择县（区）" in page.code_message.text()
    qtbot.keyClicks(page.code_edit, "220322")         # the combos follow the typed code
    assert (page.province_combo.currentText(), page.city_combo.currentText(),
            page.county_combo.currentText()) == ("吉林省", "四平市", "梨树县")
    assert "将填入 24 个乡镇（街道）" in page.townships_label.text()
    assert page.townships_list.count() == 24
    assert any("梨树镇" in page.townships_list.item(i).text() for i in range(24))
    page.county_combo.setCurrentIndex(1)               # another county of 四平市 …
    assert page.code_edit.text() == page.county_combo.itemData(1) != "220322"   # … and the code follows
    page.code_edit.setText("220322")
    click_next(qtbot, wizard)

    assert wizard.currentId() == ACCOUNT_PAGE
    account = wizard.account_page
    qtbot.keyClicks(account.username_edit, "zhangsan")
    account.name_edit.setText("张三")
    qtbot.keyClicks(account.password_edit, "short")
    assert account.password_message.text() == "密码至少 8 位。"   # the rule, next to the field
    account.password_edit.setText(PASSWORD)
    qtbot.keyClicks(account.again_edit, "abc12346")
    click_next(qtbot, wizard)
    assert wizard.currentId() == ACCOUNT_PAGE
    assert account.again_message.text() == "两次输入的密码不一致。"
    account.again_edit.setText(PASSWORD)
    click_next(qtbot, wizard)

    assert wizard.currentId() == LOCATION_PAGE
    location = wizard.location_page
    summary = location.summary.text()
    assert "吉林省四平市梨树县" in summary and "24 个" in summary and "zhangsan" in summary
    assert location.location().endswith("weijian.sqlite")

    with qtbot.waitSignal(wizard.finished, timeout=60_000):
        qtbot.mouseClick(wizard.button(QWizard.WizardButton.FinishButton), Qt.MouseButton.LeftButton)
    assert wizard.result() == QDialog.DialogCode.Accepted
    assert Path(wizard.location).exists()
    assert load_local_settings()["database"] == wizard.location   # opened again on the next start

    created = Database.connect(wizard.location)
    try:
        with created.session() as session:
            assert len(orgunits.townships(session)) == 24
            assert orgunits.county(session).name == "梨树县"
        actor = users.login(created, "zhangsan", PASSWORD)
        assert actor.role is Role.ADMIN and actor.display_name == "张三"
    finally:
        created.dispose()


def test_setup_wizard_township_installation(qtbot, tmp_path):
    from gui.setup_wizard import SetupWizard
    target = tmp_path / "town.sqlite"
    wizard = SetupWizard(location=str(target))
    qtbot.addWidget(wizard)
    wizard.show()
    click_next(qtbot, wizard)
    wizard.county_page.code_edit.setText("220322")
    wizard.county_page.township_check.setChecked(True)
    combo = wizard.county_page.township_combo
    combo.setCurrentIndex(combo.findData("220322100"))
    click_next(qtbot, wizard)
    wizard.account_page.username_edit.setText("town")
    wizard.account_page.name_edit.setText("乡镇管理员")
    wizard.account_page.password_edit.setText(PASSWORD)
    wizard.account_page.again_edit.setText(PASSWORD)
    click_next(qtbot, wizard)
    assert "梨树镇（220322100）" in wizard.location_page.summary.text()
    assert wizard.location_page.location() == str(target)
    with qtbot.waitSignal(wizard.finished, timeout=60_000):
        wizard.button(QWizard.WizardButton.FinishButton).click()
    created = Database.connect(target)
    try:
        with created.session() as session:
            assert settings.get(session, "installation.township_code") == "220322100"
        assert users.login(created, "town", PASSWORD).townships == frozenset({"220322100"})
    finally:
        created.dispose()


def test_setup_wizard_demo_route_and_demo_login_hint(qtbot):
    from gui.login_dialog import LoginDialog
    from gui.setup_wizard import DEMO_PAGE, SetupWizard
    wizard = SetupWizard()
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.mode_page.demo_radio.setChecked(True)
    click_next(qtbot, wizard)
    assert wizard.currentId() == DEMO_PAGE
    page_text = visible_texts(wizard.demo_page)
    assert "demo1234" in page_text and "shenhe" in page_text and "luru" in page_text
    with qtbot.waitSignal(wizard.finished, timeout=60_000):
        wizard.button(QWizard.WizardButton.FinishButton).click()
    assert wizard.is_demo and wizard.location == str(demo_database_path())
    demo = Database.connect(demo_database_path())
    try:
        assert users.login(demo, "shenhe", "demo1234").role is Role.SUPERVISOR
        login = LoginDialog(demo, county_name="演示县", is_demo=True)
        qtbot.addWidget(login)
        login.show()
        assert login.demo_hint.isVisible()
        assert "admin" in login.demo_hint.text() and "demo1234" in login.demo_hint.text()
    finally:
        demo.dispose()


def test_wizard_refuses_an_existing_database_file(qtbot, db, tmp_path):
    from gui.setup_wizard import existing_database_problem
    from db.engine import sqlite_path
    path = sqlite_path(db.url)
    if path is None:
        pytest.skip("a file check: SQLite only")
    assert "已经是一个建好的卫健台账数据库" in existing_database_problem(path)
    assert existing_database_problem(tmp_path / "new.sqlite") is None


def test_first_administrator_page_alone(qtbot, db):
    from gui.setup_wizard import ACCOUNT_PAGE, SetupWizard
    wizard = SetupWizard(admin_only=True, database=db)
    qtbot.addWidget(wizard)
    wizard.show()
    assert wizard.currentId() == ACCOUNT_PAGE and wizard.pageIds() == [ACCOUNT_PAGE]
    assert "还没有任何用户" in wizard.account_page.subTitle()
    wizard.account_page.username_edit.setText("first")
    wizard.account_page.name_edit.setText("王五")
    wizard.account_page.password_edit.setText(PASSWORD)
    wizard.account_page.again_edit.setText(PASSWORD)
    with qtbot.waitSignal(wizard.finished, timeout=30_000):
        wizard.button(QWizard.WizardButton.FinishButton).click()
    assert wizard.username == "first"
    assert users.login(db, "first", PASSWORD).role is Role.ADMIN


# -- start-up flow -----------------------------------------------------------------------------------

def test_unusable_database_offers_choices_instead_of_a_traceback(qtbot, tmp_path, monkeypatch):
    import gui.app as app_module
    broken = tmp_path / "broken.sqlite"
    broken.write_bytes(b"this is not a database at all" * 100)
    seen = []
    monkeypatch.setattr(app_module, "ask_unusable", lambda message, location: seen.append(message) or app_module.QUIT)
    assert app_module.start_session(str(broken)) is None
    assert seen and "数据库" in seen[0] and "Traceback" not in seen[0]


def test_open_database_reports_what_the_flow_needs(qtbot, db):
    from gui.app import open_database
    opened = open_database(db.url)
    try:
        assert opened.initialised and opened.users == 0
        assert (opened.county_code, opened.county_name, opened.is_demo) == ("220322", "梨树县", False)
    finally:
        opened.db.dispose()


def test_bundled_font_is_used_when_the_system_has_no_chinese_font(qapp, monkeypatch):
    import sys
    from PySide6.QtGui import QFontDatabase
    from gui.app import app_icon, ensure_cjk_font
    assert not app_icon().isNull()
    if not sys.platform.startswith("linux"):
        pytest.skip("the bundled font is a Linux fallback")
    assert ensure_cjk_font(qapp) is None  # this machine has a Chinese font: the system's is kept
    original = qapp.font()
    monkeypatch.setattr(QFontDatabase, "families", staticmethod(lambda *args: []))
    try:
        family = ensure_cjk_font(qapp)
        assert family is not None and "WenQuanYi" in family
        assert qapp.font().family() == family
    finally:
        qapp.setFont(original)


def answer_modal(qtbot, cls, act, timeout_ms: int = 30_000) -> list:
    """When a modal ``cls`` dialog is running its own exec() loop, call ``act(dialog)`` once."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
    done: list = []
    timer = QTimer()
    timer.setInterval(50)

    def poll():
        widget = QApplication.activeModalWidget()
        if isinstance(widget, cls) and widget.isVisible() and not done:
            done.append(widget)
            timer.stop()
            act(widget)
    timer.timeout.connect(poll)
    timer.start()
    QTimer.singleShot(timeout_ms, timer.stop)
    return done


def test_first_start_runs_the_wizard_then_login_and_gives_a_context(qtbot, tmp_path):
    """start_session: a missing database file → set-up wizard (demo route) → login → logged in."""
    from gui.app import start_session
    from gui.login_dialog import LoginDialog
    from gui.setup_wizard import SetupWizard

    def choose_demo(wizard):
        wizard.mode_page.demo_radio.setChecked(True)
        wizard.next()
        wizard.button(QWizard.WizardButton.FinishButton).click()

    def log_in(dialog):
        assert dialog.demo_hint.isVisible()
        dialog.username_edit.setText("luru")
        dialog.password_edit.setText("demo1234")
        dialog.login_button.click()

    wizards = answer_modal(qtbot, SetupWizard, choose_demo)
    logins = answer_modal(qtbot, LoginDialog, log_in)
    ctx = start_session(str(tmp_path / "missing.sqlite"))
    try:
        assert wizards and logins
        assert ctx is not None and ctx.is_demo and ctx.county_name == "演示县"
        assert ctx.actor.username == "luru" and ctx.actor.role is Role.CLERK
        assert load_local_settings()["database"] == str(demo_database_path())
    finally:
        if ctx is not None:
            wait_for_all()
            ctx.db.dispose()


def test_a_database_without_users_asks_for_the_first_administrator(qtbot, db):
    from gui.app import start_session
    from gui.login_dialog import LoginDialog
    from gui.setup_wizard import SetupWizard

    def create_admin(wizard):
        assert wizard.admin_only
        page = wizard.account_page
        page.username_edit.setText("first")
        page.name_edit.setText("王五")
        page.password_edit.setText(PASSWORD)
        page.again_edit.setText(PASSWORD)
        wizard.button(QWizard.WizardButton.FinishButton).click()

    def log_in(dialog):
        assert dialog.username_edit.text() == "first"   # the new administrator is filled in
        dialog.password_edit.setText(PASSWORD)
        dialog.login_button.click()

    answer_modal(qtbot, SetupWizard, create_admin)
    answer_modal(qtbot, LoginDialog, log_in)
    ctx = start_session(db.url)
    try:
        assert ctx is not None and ctx.actor.username == "first" and ctx.county_name == "梨树县"
    finally:
        if ctx is not None:
            wait_for_all()
            ctx.db.dispose()


def test_a_quiet_operation_shows_no_progress_window_and_still_reports(qtbot):
    from PySide6.QtWidgets import QProgressDialog, QWidget
    from gui.operations import run_op
    parent = QWidget()
    qtbot.addWidget(parent)
    got = []

    def work(_progress):
        return 42
    run_op(parent, work, on_done=got.append, writes=False, quiet=True)
    assert parent.findChildren(QProgressDialog) == []
    qtbot.waitUntil(lambda: got == [42])
    run_op(parent, work, on_done=got.append, writes=False)              # the ordinary kind has one
    assert len(parent.findChildren(QProgressDialog)) == 1
    qtbot.waitUntil(lambda: got == [42, 42])
