"""Window helpers for GUI tests."""
from __future__ import annotations


def show_active(qtbot, widget):
    """Show ``widget`` and make it the active window, so keyboard shortcuts (Alt+letter) reach it."""
    from PySide6.QtWidgets import QApplication
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is widget)
    return widget
