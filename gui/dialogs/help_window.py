"""The help (F1): a non-modal window with the chapters of ``resources/help`` in a QTextBrowser.

``open_help("admin.html#users")`` shows one chapter (and anchor); the window is created once and
reused, so F1 pressed on another page just turns the page.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QHBoxLayout, QListWidget, QListWidgetItem, QPushButton, QSplitter,
                               QTextBrowser, QVBoxLayout, QWidget)

from core.resources import resource_path

CHAPTERS: list[tuple[str, str]] = [
    ("index.html", "目录"),
    ("getting-started.html", "入门"),
    ("subsidy.html", "扶助对象"),
    ("mch.html", "妇幼月报"),
    ("supervision.html", "卫生监督"),
    ("admin.html", "系统管理"),
    ("returns.html", "报表"),
    ("cli.html", "命令行"),
]

_window: HelpWindow | None = None


def help_dir():
    return resource_path("help")


def normalise_topic(topic: str) -> str:
    """"admin", "admin.html" and "admin.html#users" all name a chapter; "" is the contents."""
    file, sep, anchor = (topic or "").partition("#")
    file = file or "index.html"
    if not file.endswith(".html"):
        file += ".html"
    return file + (sep + anchor if anchor else "")


class HelpWindow(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle("卫健台账 帮助")
        self.resize(980, 680)

        self.chapters = QListWidget()
        for file, title in CHAPTERS:
            item = QListWidgetItem(title)
            item.setData(Qt.ItemDataRole.UserRole, file)
            self.chapters.addItem(item)
        self.chapters.setMaximumWidth(200)
        self.chapters.setSpacing(3)
        font = self.chapters.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.chapters.setFont(font)
        self.chapters.currentItemChanged.connect(self._chapter_chosen)

        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(True)
        self.browser.setSearchPaths([str(help_dir())])
        self.browser.sourceChanged.connect(self._source_changed)

        self.back_button = QPushButton("后退(&B)")
        self.forward_button = QPushButton("前进(&F)")
        self.home_button = QPushButton("目录(&H)")
        self.close_button = QPushButton("关闭")
        self.back_button.clicked.connect(self.browser.backward)
        self.forward_button.clicked.connect(self.browser.forward)
        self.home_button.clicked.connect(lambda: self.show_topic("index.html"))
        self.close_button.clicked.connect(self.close)
        self.browser.backwardAvailable.connect(self.back_button.setEnabled)
        self.browser.forwardAvailable.connect(self.forward_button.setEnabled)
        self.back_button.setEnabled(False)
        self.forward_button.setEnabled(False)

        buttons = QHBoxLayout()
        for b in (self.back_button, self.forward_button, self.home_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)

        splitter = QSplitter()
        splitter.addWidget(self.chapters)
        splitter.addWidget(self.browser)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([160, 820])

        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(splitter, 1)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Close), self, self.close)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.close)

    def show_topic(self, topic: str = "index.html") -> None:
        file, _, anchor = normalise_topic(topic).partition("#")
        path = help_dir() / file
        if not path.exists():
            path = help_dir() / "index.html"
            anchor = ""
        url = QUrl.fromLocalFile(str(path))
        if anchor:
            url.setFragment(anchor)
        self.browser.setSource(url)

    def current_file(self) -> str:
        return self.browser.source().fileName()

    def _chapter_chosen(self, item: QListWidgetItem | None) -> None:
        if item is None:
            return
        file = item.data(Qt.ItemDataRole.UserRole)
        if file != self.current_file():
            self.show_topic(file)

    def _source_changed(self, url: QUrl) -> None:
        name = url.fileName()
        title = self.browser.documentTitle()
        self.setWindowTitle(f"卫健台账 帮助 — {title}" if title else "卫健台账 帮助")
        for row in range(self.chapters.count()):
            item = self.chapters.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == name:
                self.chapters.blockSignals(True)
                self.chapters.setCurrentRow(row)
                self.chapters.blockSignals(False)
                break


def open_help(topic: str = "index.html", parent: QWidget | None = None) -> HelpWindow:
    """Show the help window at ``topic`` ("file.html" or "file.html#anchor") and bring it forward."""
    global _window
    if _window is None:
        _window = HelpWindow(None)
        _window.destroyed.connect(_forget)
        _window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
    _window.show_topic(topic)
    _window.show()
    _window.raise_()
    _window.activateWindow()
    return _window


def _forget(*_args) -> None:
    global _window
    _window = None


def close_help() -> None:
    """At shutdown or in tests: close and drop the shared window."""
    global _window
    if _window is not None:
        _window.close()
        _window.deleteLater()
        _window = None
