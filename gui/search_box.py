"""Search as you type: a list follows its search box once the typing pauses, not at every keystroke
(a Chinese input method commits several characters at once; a 100,000-row query per letter would lag)."""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QLineEdit

SEARCH_DELAY_MS = 150


def search_as_you_type(search: QLineEdit, run: Callable[[], object], owner: QObject) -> QTimer:
    """Call ``run`` once the text of ``search`` has not changed for SEARCH_DELAY_MS; each keystroke
    restarts the wait. The timer belongs to ``owner`` (it never fires after the owner is gone); start
    it to ask for a refresh after the same pause, stop it when refreshing now."""
    timer = QTimer(owner)
    timer.setSingleShot(True)
    timer.setInterval(SEARCH_DELAY_MS)
    timer.timeout.connect(run)
    search.textChanged.connect(lambda _t: timer.start())
    return timer
