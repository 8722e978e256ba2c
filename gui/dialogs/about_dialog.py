"""关于: the program's version, the open database, and the licences of what it ships."""
from __future__ import annotations

import html
import platform
import sys

from PySide6 import __version__ as PYSIDE_VERSION
from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QTabWidget, QTextBrowser,
                               QVBoxLayout, QWidget)

from core.database import describe_url
from core.resources import resource_path

DISTRIBUTION = "weijian-taizhang"

# (what, licence in a few words, file under resources/)
SHIPPED_LICENCES = [
    ("文泉驿微米黑字体（WenQuanYi Micro Hei）", "Apache-2.0 或 GPL-3.0 及以上（附字体例外条款）",
     ("fonts", "LICENSE-wqy-microhei.txt")),
    ("行政区划代码数据（2022 年版，来自 modood/Administrative-divisions-of-China）", "WTFPL",
     ("divisions", "LICENSE")),
]


def program_version() -> str:
    """From the installed distribution's metadata, else pyproject.toml next to the sources."""
    try:
        from importlib.metadata import PackageNotFoundError, version
        try:
            return version(DISTRIBUTION)
        except PackageNotFoundError:
            pass
    except ImportError:
        pass
    try:
        import tomllib
        pyproject = resource_path().parent / "pyproject.toml"
        with pyproject.open("rb") as f:
            return tomllib.load(f)["project"]["version"]
    except (OSError, KeyError, ValueError):
        return "未知"


def _read(parts: tuple[str, ...]) -> str:
    try:
        return resource_path(*parts).read_text(encoding="utf-8")
    except OSError:
        return "（许可证文件缺失）"


def licences_html() -> str:
    out = ["<p>本程序随附以下第三方内容，按各自的许可证分发：</p>"]
    for what, short, parts in SHIPPED_LICENCES:
        out.append(f"<h3>{html.escape(what)}</h3><p>许可证：{html.escape(short)}（文件 resources/{'/'.join(parts)}）</p>")
        out.append(f"<pre style='font-size:small'>{html.escape(_read(parts))}</pre>")
    out.append("<h3>Qt / PySide6</h3><p>图形界面使用 Qt for Python（PySide6），按 LGPL-3.0 使用。</p>")
    return "".join(out)


class AboutDialog(QDialog):
    def __init__(self, database_url: str | None = None, parent: QWidget | None = None, *,
                 county: str = "", schema_revision: str | None = None):
        super().__init__(parent)
        self.setWindowTitle("关于 卫健台账")
        self.resize(640, 520)

        icon = QLabel()
        icon.setPixmap(QIcon(str(resource_path("icons", "app.svg"))).pixmap(64, 64))
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.version = program_version()
        title = QLabel(f"<h2>卫健台账 {html.escape(self.version)}</h2>"
                       "<p>县级卫生健康局离线台账与统计报表</p>")
        head = QHBoxLayout()
        head.addWidget(icon)
        head.addWidget(title, 1)

        facts = [("版本", self.version)]
        if county:
            facts.append(("本安装", county))
        if database_url:
            facts.append(("数据库", describe_url(database_url)))
        if schema_revision:
            facts.append(("数据库架构版本", schema_revision))
        facts += [("Python", platform.python_version()), ("Qt / PySide6", f"{qVersion()} / {PYSIDE_VERSION}"),
                  ("操作系统", platform.platform(terse=True)), ("运行方式", "安装版" if getattr(sys, "frozen", False) else "源代码")]
        rows = "".join(f"<tr><td style='padding-right:16px;color:#555'>{html.escape(k)}</td>"
                       f"<td>{html.escape(v)}</td></tr>" for k, v in facts)
        self.info = QTextBrowser()
        self.info.setHtml(f"<table>{rows}</table>")
        self.info.setOpenLinks(False)

        self.licences = QTextBrowser()
        self.licences.setHtml(licences_html())

        tabs = QTabWidget()
        tabs.addTab(self.info, "程序信息(&I)")
        tabs.addTab(self.licences, "许可证(&L)")

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(tabs, 1)
        layout.addWidget(buttons)
