"""Area pages made of tabs (扶助对象, 妇幼月报, 卫生监督): each tab is declared as a ``TabSpec`` naming its
widget's module and class, built with the ``AppContext``. A tab that fails to load shows an honest
placeholder and the others keep working."""
from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass

from PySide6.QtWidgets import QWidget

from gui.context import AppContext
from gui.pages.placeholder_page import PlaceholderPage

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TabSpec:
    title: str
    widget: str | None = None      # "package.module:Class", built as Class(ctx); None → a placeholder
    placeholder: str = ""          # what will come here, shown while the tab is not built


def build_tab(ctx: AppContext, spec: TabSpec, help_topic: str) -> QWidget:
    if spec.widget is None:
        return PlaceholderPage(spec.title, spec.placeholder, help_topic=help_topic)
    module_name, _, class_name = spec.widget.partition(":")
    try:
        return getattr(importlib.import_module(module_name), class_name)(ctx)
    except Exception:  # noqa: BLE001 - one broken tab must not take the page down
        log.exception("tab %s failed to load", spec.widget)
        from core.paths import logs_dir
        return PlaceholderPage(spec.title, f"“{spec.title}”加载时出错，详情已写入日志（{logs_dir()}）。"
                               "其他功能不受影响。", badge="加载失败", help_topic=help_topic)


def add_tabs(ctx: AppContext, tabs, specs: list[TabSpec], help_topic: str) -> dict[str, QWidget]:
    """Build each tab of an area page into the QTabWidget ``tabs``; the pages by title."""
    pages: dict[str, QWidget] = {}
    for spec in specs:
        pages[spec.title] = build_tab(ctx, spec, help_topic)
        tabs.addTab(pages[spec.title], spec.title)
    return pages
