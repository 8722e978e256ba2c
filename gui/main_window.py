"""The main window: a navigation list of the areas, one page per area (created on first visit),
menus, shortcuts (Ctrl+1…Ctrl+7, F5, F1) and a status bar with database, user and period."""
from __future__ import annotations

import base64
import importlib
import logging
from dataclasses import dataclass
from datetime import date
from typing import Callable

from PySide6.QtCore import QByteArray, QSize, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QIcon, QKeySequence
from PySide6.QtWidgets import (QFileDialog, QInputDialog, QLabel, QLineEdit, QListWidget, QListWidgetItem,
                               QMainWindow, QMessageBox, QSplitter, QStackedWidget, QTabWidget, QWidget)

from core import orgunits, settings
from core.access import Permission
from core.database import describe_url
from core.paths import data_dir, demo_database_path, load_local_settings, save_local_settings
from core.resources import resource_path
from gui.context import AppContext
from gui.pages.placeholder_page import PlaceholderPage

log = logging.getLogger(__name__)

GEOMETRY_KEY = "main_window_geometry"
# What "切换数据库" hands back to gui.app besides a path or URL.
NEW_DATABASE = "wizard:"
DEMO_DATABASE = "demo:"


@dataclass(frozen=True)
class Area:
    key: str
    label: str
    icon: str
    help_topic: str
    placeholder: str = ""   # what will come here, for an area not built yet


AREAS: list[Area] = [
    Area("home", "首页", "nav-home.svg", "getting-started.html"),
    Area("subsidy", "扶助对象", "nav-subsidy.svg", "subsidy.html"),
    Area("mch", "妇幼月报", "nav-mch.svg", "mch.html"),
    Area("supervision", "卫生监督", "nav-supervision.svg", "supervision.html"),
    Area("returns", "报表", "nav-returns.svg", "returns.html"),
    Area("exchange", "数据交换", "nav-exchange.svg", "index.html#areas",
         "这里将用数据包（U 盘或电子邮件）在乡镇与县之间离线交换数据，并按 DHIS2 格式导入、导出妇幼月报数据。"
         "此功能尚未启用。"),
    Area("admin", "系统管理", "nav-admin.svg", "admin.html"),
]
AREA_KEYS = [a.key for a in AREAS]
# The lazily imported pages written in their own modules: key → (module, class).
PAGE_MODULES = {
    "subsidy": ("gui.subsidy.subsidy_page", "SubsidyPage"),
    "mch": ("gui.mch.mch_page", "MchPage"),
    "supervision": ("gui.supervision.supervision_page", "SupervisionPage"),
    "returns": ("gui.pages.returns_page", "ReturnsPage"),
    "admin": ("gui.pages.admin_page", "AdminPage"),
}
# Tabs of 系统管理 → anchors in admin.html (F1 on a tab opens its section).
ADMIN_TAB_ANCHORS = {"组织机构": "orgunits", "用户": "users", "审计日志": "audit", "备份": "backup"}


def current_period_label(today: date | None = None) -> str:
    today = today or date.today()
    return f"{today.year}年{today.month}月"


def window_title(ctx: AppContext, township_name: str | None = None) -> str:
    title = f"卫健台账 — {ctx.county_name}" if ctx.county_name else "卫健台账"
    if ctx.is_demo:
        title += "（演示数据）"
    if ctx.township_code:
        title += f" · {township_name or ctx.township_code}（乡镇安装）"
    return title


def _elide_middle(text: str, limit: int = 70) -> str:
    if len(text) <= limit:
        return text
    half = (limit - 1) // 2
    return text[:half] + "…" + text[-half:]


class MainWindow(QMainWindow):
    area_changed = Signal(str)
    closed = Signal()   # the window really closed (not vetoed): gui.app ends the event loop

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.next_location: str | None = None   # set by 切换数据库: gui.app opens it after this window closes
        self.pages: dict[str, QWidget] = {}
        self.setWindowIcon(QIcon(str(resource_path("icons", "app.svg"))))
        self.township_name = self._township_name()
        self.setWindowTitle(window_title(ctx, self.township_name))

        self.nav = QListWidget()
        self.nav.setIconSize(QSize(22, 22))
        self.nav.setSpacing(2)
        font = self.nav.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.nav.setFont(font)
        self.nav.setAccessibleName("功能导航")
        for i, area in enumerate(AREAS, start=1):
            item = QListWidgetItem(QIcon(str(resource_path("icons", area.icon))), area.label)
            item.setData(Qt.ItemDataRole.UserRole, area.key)
            item.setToolTip(f"{area.label}（Ctrl+{i}）")
            item.setSizeHint(QSize(0, 40))
            self.nav.addItem(item)
        self.nav.setMinimumWidth(150)
        self.nav.setMaximumWidth(220)

        self.stack = QStackedWidget()
        splitter = QSplitter()
        splitter.addWidget(self.nav)
        splitter.addWidget(self.stack)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([170, 1000])
        self.setCentralWidget(splitter)

        self._build_menus()
        self._build_status_bar()
        self.nav.currentRowChanged.connect(self._row_changed)
        ctx.changes.changed.connect(self._changed)
        self._restore_geometry()
        self.show_area("home")
        self.nav.setFocus()

    # -- building ------------------------------------------------------------------------------
    def _action(self, text: str, slot: Callable, shortcut: QKeySequence | str | None = None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        self.addAction(action)  # shortcuts work even while the menu bar is hidden or a menu item is not
        return action

    def _build_menus(self) -> None:
        actor = self.ctx.actor
        bar = self.menuBar()

        file_menu = bar.addMenu("文件(&F)")
        self.switch_action = self._action("切换数据库(&D)…", self.switch_database)
        self.backup_action = self._action("备份(&B)…", self.go_to_backup)
        self.backup_action.setVisible(actor.can(Permission.BACKUP))
        self.quit_action = self._action("退出(&X)", self.close, "Ctrl+Q")
        file_menu.addAction(self.switch_action)
        file_menu.addAction(self.backup_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)

        go_menu = bar.addMenu("转到(&G)")
        self.area_actions: dict[str, QAction] = {}
        for i, area in enumerate(AREAS, start=1):
            action = self._action(area.label, lambda _=False, k=area.key: self.show_area(k), f"Ctrl+{i}")
            go_menu.addAction(action)
            self.area_actions[area.key] = action
        go_menu.addSeparator()
        self.refresh_action = self._action("刷新(&R)", self.refresh_current, QKeySequence(Qt.Key.Key_F5))
        go_menu.addAction(self.refresh_action)

        settings_menu = bar.addMenu("设置(&S)")
        self.settings_action = self._action("报表表头与单位信息(&H)…", self.open_settings)
        self.password_action = self._action("修改密码(&P)…", self.change_password)
        self.password_action.setVisible(actor.user_id is not None)
        settings_menu.addAction(self.settings_action)
        settings_menu.addAction(self.password_action)

        help_menu = bar.addMenu("帮助(&H)")
        self.help_action = self._action("帮助(&H)", self.show_help, QKeySequence(Qt.Key.Key_F1))
        self.about_action = self._action("关于(&A)", self.show_about)
        help_menu.addAction(self.help_action)
        help_menu.addAction(self.about_action)

    def _build_status_bar(self) -> None:
        actor = self.ctx.actor
        bar = self.statusBar()
        where = describe_url(self.ctx.db.url)
        self.database_label = QLabel(f"数据库：{_elide_middle(where)}")
        self.database_label.setToolTip(where)
        self.user_label = QLabel(f"用户：{actor.display_name}（{actor.role.label}）")
        self.period_label = QLabel(f"报告期：{current_period_label()}")
        self.demo_badge = QLabel("演示数据")
        self.demo_badge.setStyleSheet("QLabel { background: #e8590c; color: white; border-radius: 3px;"
                                      " padding: 1px 8px; font-weight: bold; }")
        self.demo_badge.setToolTip("当前打开的是演示数据库，其中的县、单位和账号都是虚构的。")
        self.demo_badge.setVisible(self.ctx.is_demo)
        for widget in (self.database_label, self.user_label, self.period_label):
            widget.setStyleSheet("QLabel { padding: 0 10px; border-left: 1px solid palette(mid); }")
            bar.addPermanentWidget(widget)
        bar.addPermanentWidget(self.demo_badge)

    # -- areas ---------------------------------------------------------------------------------
    def current_area(self) -> str:
        item = self.nav.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else "home"

    def current_page(self) -> QWidget | None:
        return self.pages.get(self.current_area())

    def show_area(self, key: str) -> QWidget:
        row = AREA_KEYS.index(key)
        if self.nav.currentRow() != row:
            self.nav.setCurrentRow(row)   # → _row_changed creates and shows the page
        else:
            self._row_changed(row)
        return self.pages[key]

    def _row_changed(self, row: int) -> None:
        if row < 0:
            return
        key = AREAS[row].key
        page = self.pages.get(key)
        if page is None:
            page = self._create_page(AREAS[row])
            self.pages[key] = page
            self.stack.addWidget(page)
        self.stack.setCurrentWidget(page)
        self.area_changed.emit(key)

    def _create_page(self, area: Area) -> QWidget:
        if area.key == "home":
            from gui.pages.start_page import StartPage
            page = StartPage(self.ctx)
            page.navigate.connect(self.show_area)
            return page
        if area.key in PAGE_MODULES:
            return self._import_page(area, *PAGE_MODULES[area.key])
        return PlaceholderPage(area.label, area.placeholder, help_topic=area.help_topic)

    def _import_page(self, area: Area, module_name: str, class_name: str) -> QWidget:
        try:
            module = importlib.import_module(module_name)
            return getattr(module, class_name)(self.ctx)
        except ModuleNotFoundError as e:
            if e.name != module_name:
                log.exception("page %s failed to load", module_name)
                return self._failed_page(area)
            return PlaceholderPage(area.label, f"“{area.label}”页面尚未安装到本程序中。", help_topic=area.help_topic)
        except Exception:  # noqa: BLE001 - one broken page must not take the window down
            log.exception("page %s failed to load", module_name)
            return self._failed_page(area)

    def _failed_page(self, area: Area) -> QWidget:
        from core.paths import logs_dir
        return PlaceholderPage(area.label, f"“{area.label}”页面加载时出错，详情已写入日志（{logs_dir()}）。"
                               "其他功能不受影响；请把日志交给技术支持人员。", badge="加载失败",
                               help_topic=area.help_topic)

    def refresh_current(self) -> None:
        page = self.current_page()
        if page is not None and hasattr(page, "refresh"):
            page.refresh()
            self.statusBar().showMessage("已刷新。", 3000)

    def go_to_backup(self) -> None:
        page = self.show_area("admin")
        if hasattr(page, "show_tab"):
            page.show_tab("backup")
            return
        for tabs in page.findChildren(QTabWidget):
            for i in range(tabs.count()):
                if tabs.tabText(i).replace("&", "").startswith("备份"):
                    tabs.setCurrentIndex(i)
                    return

    # -- help ----------------------------------------------------------------------------------
    def help_topic(self) -> str:
        """The chapter for the current page: the page's own ``help_topic`` if it has one, and for
        系统管理 the section of the tab being shown."""
        from gui.dialogs.help_window import normalise_topic
        key = self.current_area()
        page = self.pages.get(key)
        topic = getattr(page, "help_topic", None) if page is not None else None
        if not isinstance(topic, str) or not topic:
            topic = AREAS[AREA_KEYS.index(key)].help_topic
        topic = normalise_topic(topic)
        if key == "admin" and page is not None and "#" not in topic:
            for tabs in page.findChildren(QTabWidget):
                text = tabs.tabText(tabs.currentIndex()).replace("&", "")
                for prefix, anchor in ADMIN_TAB_ANCHORS.items():
                    if text.startswith(prefix):
                        return f"{topic}#{anchor}"
        return topic

    def show_help(self) -> None:
        from gui.dialogs.help_window import open_help
        open_help(self.help_topic(), self)

    def show_about(self) -> None:
        from gui.dialogs.about_dialog import AboutDialog
        try:
            revision = self.ctx.db.schema().revision
        except Exception:  # noqa: BLE001 - the about box must open even when the database is unwell
            revision = None
        county = self.windowTitle().removeprefix("卫健台账 — ")
        AboutDialog(self.ctx.db.url, self, county=county, schema_revision=revision).exec()

    # -- settings ------------------------------------------------------------------------------
    def open_settings(self) -> None:
        from gui.dialogs.settings_dialog import SettingsDialog
        SettingsDialog(self.ctx, self).exec()

    def change_password(self) -> None:
        from gui.dialogs.change_password_dialog import ChangePasswordDialog
        dialog = ChangePasswordDialog(self.ctx, self)
        dialog.exec()
        if dialog.changed:
            self.statusBar().showMessage("密码已修改，下次登录请使用新密码。", 8000)

    # -- switching database and closing ---------------------------------------------------------
    def switch_database(self) -> None:
        choice = choose_database(self, describe_url(self.ctx.db.url))
        if choice is None:
            return
        self.next_location = choice
        if not self.close():
            self.next_location = None

    def _confirm_pages_leave(self) -> bool:
        for page in self.pages.values():
            confirm = getattr(page, "confirm_leave", None)
            if callable(confirm) and not confirm():
                return False
        return True

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._confirm_pages_leave():
            event.ignore()
            return
        self._save_geometry()
        from gui.dialogs.help_window import close_help
        close_help()
        super().closeEvent(event)
        self.closed.emit()

    def _restore_geometry(self) -> None:
        stored = load_local_settings().get(GEOMETRY_KEY)
        if stored:
            try:
                if self.restoreGeometry(QByteArray(base64.b64decode(stored))):
                    return
            except (ValueError, TypeError):
                pass
        screen = self.screen().availableGeometry() if self.screen() else None
        if screen is None:
            self.resize(1200, 720)
            return
        width, height = min(1280, int(screen.width() * 0.92)), min(820, int(screen.height() * 0.9))
        self.resize(width, height)
        self.move(screen.x() + (screen.width() - width) // 2, screen.y() + (screen.height() - height) // 2)

    def _save_geometry(self) -> None:
        try:
            values = load_local_settings()
            values[GEOMETRY_KEY] = base64.b64encode(bytes(self.saveGeometry())).decode("ascii")
            save_local_settings(values)
        except OSError:
            log.warning("could not save the window geometry")

    # -- reacting to changes --------------------------------------------------------------------
    def _changed(self, what: str) -> None:
        if what in ("all", "setting"):
            self._reload_installation()

    def _reload_installation(self) -> None:
        """After a restore the database may belong to another county: update title and badge."""
        try:
            with self.ctx.db.session() as session:
                self.ctx.county_code = settings.get(session, "installation.county_code") or self.ctx.county_code
                self.ctx.county_name = settings.get(session, "installation.county_name") or self.ctx.county_name
                self.ctx.township_code = settings.get(session, "installation.township_code")
                self.ctx.is_demo = bool(settings.get(session, "installation.is_demo"))
        except Exception:  # noqa: BLE001 - the title is not worth an error box
            log.exception("could not reload the installation settings")
            return
        self.township_name = self._township_name()
        self.setWindowTitle(window_title(self.ctx, self.township_name))
        self.demo_badge.setVisible(self.ctx.is_demo)

    def _township_name(self) -> str | None:
        if not self.ctx.township_code:
            return None
        try:
            with self.ctx.db.session() as session:
                unit = orgunits.get_unit(session, self.ctx.township_code)
                return unit.name if unit else None
        except Exception:  # noqa: BLE001
            log.exception("could not read the township name")
            return None


def ask_database_file(parent: QWidget | None, title: str = "打开数据库文件") -> str | None:
    path, _ = QFileDialog.getOpenFileName(parent, title, str(data_dir()),
                                          "卫健台账数据库 (*.sqlite *.sqlite3 *.db);;所有文件 (*)")
    return path or None


def ask_server_url(parent: QWidget | None) -> str | None:
    url, ok = QInputDialog.getText(
        parent, "连接数据库服务器",
        "PostgreSQL 数据库的连接地址，例如\npostgresql+psycopg://用户名:密码@192.168.1.10:5432/weijian",
        QLineEdit.EchoMode.Normal, "postgresql+psycopg://")
    url = (url or "").strip()
    if not ok or not url or url == "postgresql+psycopg://":
        return None
    return url


def choose_database(parent: QWidget | None, current: str) -> str | None:
    """切换数据库: a path or URL, ``NEW_DATABASE`` (the set-up wizard), ``DEMO_DATABASE``, or None."""
    box = QMessageBox(QMessageBox.Icon.Question, "切换数据库",
                      f"当前数据库：{current}\n\n请选择要打开的数据库。切换后需要重新登录。", parent=parent)
    open_button = box.addButton("打开数据库文件(&O)…", QMessageBox.ButtonRole.ActionRole)
    new_button = box.addButton("新建本县数据库(&N)…", QMessageBox.ButtonRole.ActionRole)
    demo_button = box.addButton("打开演示数据库(&D)", QMessageBox.ButtonRole.ActionRole)
    server_button = box.addButton("连接数据库服务器(&S)…", QMessageBox.ButtonRole.ActionRole)
    cancel_button = box.addButton("取消", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(open_button)
    box.setEscapeButton(cancel_button)
    box.exec()
    clicked = box.clickedButton()
    if clicked is open_button:
        return ask_database_file(parent)
    if clicked is new_button:
        return NEW_DATABASE
    if clicked is demo_button:
        return str(demo_database_path()) if demo_database_path().exists() else DEMO_DATABASE
    if clicked is server_button:
        return ask_server_url(parent)
    return None
