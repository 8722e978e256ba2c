"""Take the screenshots in this folder from the real windows, on a fresh demo database.

    xvfb-run -a -s "-screen 0 1366x768x24" python docs/screenshots/take_screenshots.py

Uses a temporary data folder (nothing of yours is touched). Each window is shown, given a moment to
lay out, and grabbed to a PNG next to this script; main-window.png is the one the README shows.
"""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT))
os.environ["WEIJIAN_DATA_DIR"] = tempfile.mkdtemp(prefix="weijian-shots-")
os.environ.pop("WEIJIAN_DB", None)

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QWidget  # noqa: E402


def settle(ms: int = 300) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def shoot(widget: QWidget, name: str, ms: int = 300) -> None:
    widget.show()
    widget.raise_()
    settle(ms)
    widget.grab().save(str(HERE / f"{name}.png"))
    print("saved", name)


def wait_until(predicate, timeout_ms: int = 30_000) -> None:
    waited = 0
    while not predicate():
        settle(50)
        waited += 50
        if waited > timeout_ms:
            raise TimeoutError("waited too long")


def main() -> int:
    from gui.app import create_application
    app = create_application()  # noqa: F841

    from core import users
    from core.database import Database
    from core.paths import demo_database_path
    from gui.context import AppContext
    from gui.setup_wizard import COUNTY_PAGE, SetupWizard

    # -- the set-up wizard, page by page, building the demo database at the end
    wizard = SetupWizard()
    shoot(wizard, "wizard-1-mode")
    wizard.next()
    assert wizard.currentId() == COUNTY_PAGE
    wizard.county_page.code_edit.setText("220322")
    shoot(wizard, "wizard-2-county")
    wizard.county_page.township_check.setChecked(True)
    shoot(wizard, "wizard-2-county-township")
    wizard.county_page.township_check.setChecked(False)
    wizard.next()
    page = wizard.account_page
    page.username_edit.setText("zhangsan")
    page.name_edit.setText("张三")
    page.password_edit.setText("abc")
    shoot(wizard, "wizard-3-account-invalid")
    page.password_edit.setText("abc12345")
    page.again_edit.setText("abc12345")
    shoot(wizard, "wizard-3-account")
    wizard.next()
    shoot(wizard, "wizard-4-location")
    wizard.back()
    wizard.back()
    wizard.back()
    wizard.mode_page.demo_radio.setChecked(True)
    wizard.next()
    shoot(wizard, "wizard-5-demo")
    wizard.accept()
    wait_until(lambda: not wizard.isVisible())

    db = Database.connect(demo_database_path())

    from gui.login_dialog import LoginDialog
    login = LoginDialog(db, county_name="演示县", is_demo=True, username="")
    shoot(login, "login")
    login.username_edit.setText("admin")
    login.password_edit.setText("wrong-pass1")
    login.try_login()
    wait_until(lambda: login.message.text() not in ("", "正在登录……"))
    shoot(login, "login-wrong-password")
    login.close()

    actor = users.login(db, "admin", "demo1234")
    ctx = AppContext(db=db, actor=actor, county_code="990101", county_name="演示县", is_demo=True)
    from gui.main_window import AREAS, MainWindow
    window = MainWindow(ctx)
    window.show()
    settle(800)
    shoot(window, "main-window", 800)
    for area in AREAS[1:]:
        window.show_area(area.key)
        shoot(window, f"main-{area.key}", 600)
    window.show_area("home")

    from gui.dialogs.settings_dialog import SettingsDialog
    dialog = SettingsDialog(ctx, window)
    shoot(dialog, "settings")
    dialog.done(0)

    clerk_ctx = AppContext(db=db, actor=users.login(db, "luru", "demo1234"), county_code="990101",
                           county_name="演示县", is_demo=True)
    dialog = SettingsDialog(clerk_ctx, window)
    shoot(dialog, "settings-clerk")
    dialog.done(0)

    from gui.dialogs.about_dialog import AboutDialog
    about = AboutDialog(db.url, window, county="演示县（演示数据）", schema_revision=db.schema().revision)
    shoot(about, "about")
    about.done(0)

    from gui.dialogs.change_password_dialog import ChangePasswordDialog
    change = ChangePasswordDialog(ctx, window)
    change.new_edit.setText("short")
    shoot(change, "change-password")
    change.done(0)

    from gui.dialogs.help_window import open_help
    shoot(open_help("getting-started.html"), "help")
    shoot(open_help("admin.html#users"), "help-admin")
    shoot(open_help("cli.html"), "help-cli")

    # A database with no users yet: the wizard's administrator page alone.
    fresh = Database.connect(Path(os.environ["WEIJIAN_DATA_DIR"]) / "fresh.sqlite", create=True)
    from core.access import Actor
    from core.installation import initialise
    initialise(fresh, Actor.system(), "220322")
    first_admin = SetupWizard(admin_only=True, database=fresh)
    shoot(first_admin, "wizard-first-admin")
    first_admin.done(0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
