"""Page actions with a shortcut: the button shows the key (新增用户  Ins), the tooltip says it in words,
and the shortcut works anywhere inside the page (not only in the widget that has focus)."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget


def keyed_action(owner: QWidget, text: str, key: QKeySequence | None, slot) -> QAction:
    act = QAction(text, owner)
    act.setIconText(text)  # buttons show it as written (Qt would drop the "…")
    if key is not None:
        act.setShortcut(key)
        act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shown = key.toString(QKeySequence.SequenceFormat.NativeText)
        act.setIconText(f"{text}  {shown}")
        act.setToolTip(f"{text}（{shown}）")
    act.triggered.connect(slot)
    owner.addAction(act)
    return act
