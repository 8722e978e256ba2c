"""Start the GUI: the QApplication (name, icon, Chinese Qt texts, a CJK font), an error hook that
shows a Chinese message instead of a traceback, and the flow

    database → (set-up wizard) → (first administrator) → login → main window

which repeats when the user switches to another database from the main window.
"""
from __future__ import annotations

import logging
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QEventLoop, QLibraryInfo, QTranslator
from PySide6.QtGui import QFont, QFontDatabase, QIcon
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget

from core.access import Actor
from core.database import Database, describe_url
from core.errors import UserFacingError
from core.logging_setup import setup_logging
from core.paths import configured_database, demo_database_path, logs_dir
from core.resources import resource_path
from gui.context import AppContext
from gui.operations import run_op, wait_for_all

log = logging.getLogger(__name__)

APP_NAME = "WeiJianTaiZhang"
DISPLAY_NAME = "卫健台账"
ORGANISATION = "WeiJianTaiZhang"


# -- the application -----------------------------------------------------------------------------

def app_icon() -> QIcon:
    icon = QIcon()
    for name in ("app.svg", "app.png"):
        path = resource_path("icons", name)
        if path.exists():
            icon.addFile(str(path))
    return icon


def install_translations(app: QApplication) -> None:
    """Qt's own texts (context menus, file dialogs, standard buttons) in Simplified Chinese."""
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    translator = QTranslator(app)
    if translator.load("qtbase_zh_CN", folder):
        app.installTranslator(translator)
    else:
        log.info("qtbase_zh_CN.qm not found in %s: Qt's own texts stay English", folder)


def ensure_cjk_font(app: QApplication) -> str | None:
    """On Linux without any Chinese font, use the bundled WenQuanYi Micro Hei (else Qt draws boxes).
    Returns the family made the application font, or None when the system's fonts are used."""
    if not sys.platform.startswith("linux"):
        return None
    if QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese):
        return None
    font_id = QFontDatabase.addApplicationFont(str(resource_path("fonts", "wqy-microhei.ttc")))
    families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    if not families:
        log.warning("no Chinese font on this system and the bundled font could not be loaded")
        return None
    font = QFont(families[0])
    font.setPointSizeF(app.font().pointSizeF())
    app.setFont(font)
    return families[0]


def create_application() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(DISPLAY_NAME)
    app.setOrganizationName(ORGANISATION)
    from gui.dialogs.about_dialog import program_version
    app.setApplicationVersion(program_version())
    app.setWindowIcon(app_icon())
    # The flow opens and closes dialogs before the main window exists: only the main window's
    # closing ends the program (see run_gui).
    app.setQuitOnLastWindowClosed(False)
    install_translations(app)
    ensure_cjk_font(app)
    return app


# -- errors ---------------------------------------------------------------------------------------

_in_hook = False


def _excepthook(exc_type, exc, tb) -> None:
    """Anything that escapes a slot: log it, and tell the user in Chinese — never a traceback."""
    global _in_hook
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    if isinstance(exc, UserFacingError):
        log.info("user-facing error reached the event loop: %s", exc.message)
        text, icon = exc.message, QMessageBox.Icon.Warning
    else:
        log.critical("unhandled exception:\n%s", "".join(traceback.format_exception(exc_type, exc, tb)))
        text = (f"程序出现内部错误（{exc_type.__name__}），刚才的操作可能没有完成。\n\n"
                f"详情已写入日志文件夹：{logs_dir()}\n如果问题反复出现，请把日志文件交给技术支持人员。")
        icon = QMessageBox.Icon.Critical
    if _in_hook or QApplication.instance() is None:
        return
    _in_hook = True
    try:
        box = QMessageBox(icon, "卫健台账", text)
        ok = box.addButton("确定", QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(ok)
        box.exec()
    finally:
        _in_hook = False


def install_excepthook() -> None:
    sys.excepthook = _excepthook


# -- waiting for background work before the main window exists ------------------------------------

def run_blocking(fn: Callable[[], Any], label: str, parent: QWidget | None = None) -> Any:
    """Run ``fn`` with ``run_op`` (off the GUI thread, progress after 0.6 s) and wait for it in a
    local event loop. Returns its result or raises its exception."""
    loop = QEventLoop()
    outcome: dict[str, Any] = {}

    def done(result: Any) -> None:
        outcome["result"] = result
        loop.quit()

    def failed(error: BaseException) -> None:
        outcome["error"] = error
        loop.quit()

    run_op(parent, lambda _progress: fn(), on_done=done, on_failed=failed, label=label)
    loop.exec()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("result")


# -- opening a database ----------------------------------------------------------------------------

@dataclass
class Opened:
    db: Database
    initialised: bool
    users: int = 0
    county_code: str = ""
    county_name: str = ""
    township_code: str | None = None
    is_demo: bool = False


def open_database(location: str) -> Opened:
    """Connect, check, upgrade if older (after a backup), and read what the flow needs."""
    from core import settings
    from core.installation import is_initialised
    from core.users import count_users
    db = Database.connect(location)
    try:
        db.ensure_current()
        if not is_initialised(db):
            return Opened(db, False)
        with db.session() as session:
            return Opened(db, True, count_users(session),
                          settings.get(session, "installation.county_code") or "",
                          settings.get(session, "installation.county_name") or "",
                          settings.get(session, "installation.township_code"),
                          bool(settings.get(session, "installation.is_demo")))
    except BaseException:
        db.dispose()
        raise


def local_file(location: str) -> Path | None:
    """The file behind a location, or None for a server URL."""
    if location.startswith("sqlite:///"):
        return Path(location.removeprefix("sqlite:///"))
    if "://" in location:
        return None
    return Path(location).expanduser()


def create_demo_database() -> str:
    from core.demo import DEMO_RECIPIENTS, create_demo
    location = str(demo_database_path())
    db = Database.connect(location, create=True)
    try:
        create_demo(db, Actor.system(), recipients=DEMO_RECIPIENTS)
    finally:
        db.dispose()
    return location


RETRY, OTHER, QUIT = "retry", "other", "quit"


def ask_unusable(message: str, location: str) -> str:
    box = QMessageBox(QMessageBox.Icon.Warning, "无法打开数据库",
                      f"{message}\n\n数据库：{_shown(location)}")
    retry = box.addButton("重试(&R)", QMessageBox.ButtonRole.AcceptRole)
    other = box.addButton("选择其他数据库文件(&O)…", QMessageBox.ButtonRole.ActionRole)
    quit_ = box.addButton("退出(&Q)", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(retry)
    box.setEscapeButton(quit_)
    box.exec()
    clicked = box.clickedButton()
    return RETRY if clicked is retry else OTHER if clicked is other else QUIT


def _shown(location: str) -> str:
    try:
        return describe_url(location if "://" in location else f"sqlite:///{location}")
    except Exception:  # noqa: BLE001 - a malformed URL is shown as typed, minus nothing secret to hide
        return location.split("@")[-1]


def _save_location(location: str) -> None:
    from core.paths import load_local_settings, save_local_settings
    try:
        values = load_local_settings()
        values["database"] = location
        save_local_settings(values)
    except OSError:
        log.warning("could not remember the database location")


def start_session(location: str, *, remember: bool = False) -> AppContext | None:
    """From a location (path, URL, or a main-window sentinel) to a logged-in context; None: quit."""
    from gui.login_dialog import LoginDialog
    from gui.main_window import DEMO_DATABASE, NEW_DATABASE, ask_database_file
    from gui.setup_wizard import SetupWizard

    username: str | None = None
    while True:
        if location == DEMO_DATABASE:
            try:
                location = run_blocking(create_demo_database, "正在生成演示数据……")
            except UserFacingError as e:
                QMessageBox.warning(None, "演示数据", e.message)
                return None
            remember = True
            continue
        file = None if location == NEW_DATABASE else local_file(location)
        if location == NEW_DATABASE or (file is not None and not file.exists()):
            wizard = SetupWizard(location=None if location == NEW_DATABASE else str(file))
            if wizard.exec() != QDialog.DialogCode.Accepted or not wizard.location:
                return None
            location, username, remember = wizard.location, wizard.username, False
            continue
        try:
            opened: Opened = run_blocking(lambda: open_database(location), "正在打开数据库……")
        except UserFacingError as e:
            choice = ask_unusable(e.message, location)
            if choice == RETRY:
                continue
            if choice == OTHER:
                other = ask_database_file(None, "选择其他数据库文件")
                if other:
                    location, remember = other, True
                continue
            return None
        if not opened.initialised:
            opened.db.dispose()
            wizard = SetupWizard(location=location)
            if wizard.exec() != QDialog.DialogCode.Accepted or not wizard.location:
                return None
            location, username, remember = wizard.location, wizard.username, False
            continue
        if opened.users == 0:
            wizard = SetupWizard(admin_only=True, database=opened.db, location=location)
            if wizard.exec() != QDialog.DialogCode.Accepted:
                opened.db.dispose()
                return None
            username = wizard.username
        login = LoginDialog(opened.db, county_name=opened.county_name, is_demo=opened.is_demo, username=username)
        if login.exec() != QDialog.DialogCode.Accepted or login.actor is None:
            wait_for_all()
            opened.db.dispose()
            return None
        if remember:
            _save_location(location)
        return AppContext(db=opened.db, actor=login.actor, county_code=opened.county_code,
                          county_name=opened.county_name, township_code=opened.township_code,
                          is_demo=opened.is_demo)


# -- the whole program -------------------------------------------------------------------------------

def run_gui(db: str | None = None) -> int:
    app = create_application()
    setup_logging()
    install_excepthook()
    from gui.main_window import MainWindow
    location: str | None = db or configured_database()
    remember = False
    try:
        while location:
            ctx = start_session(location, remember=remember)
            if ctx is None:
                break
            window = MainWindow(ctx)
            window.closed.connect(app.quit)
            window.show()
            app.exec()
            location, remember = window.next_location, True
            window.deleteLater()
            wait_for_all()
            ctx.db.dispose()
    finally:
        wait_for_all()
    return 0
