"""An honest page for an area that is not built yet: what will come here, and that it is not enabled."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

NOT_ENABLED = "尚未启用"


class PlaceholderPage(QWidget):
    """No fake data: a title, a "尚未启用" badge and one or two sentences on what this area will do."""

    def __init__(self, title: str, description: str, parent: QWidget | None = None, *,
                 badge: str = NOT_ENABLED, help_topic: str = "index.html#areas"):
        super().__init__(parent)
        self.help_topic = help_topic
        self.title_label = QLabel(title)
        font = self.title_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.title_label.setFont(font)

        self.badge_label = QLabel(badge)
        self.badge_label.setStyleSheet(
            "QLabel { background: #fff4e0; color: #8a5300; border: 1px solid #f0c987;"
            " border-radius: 4px; padding: 2px 8px; }")

        self.description_label = QLabel(description)
        self.description_label.setWordWrap(True)
        self.description_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.description_label.setMaximumWidth(720)

        rule = QFrame()
        rule.setFrameShape(QFrame.Shape.HLine)
        rule.setFrameShadow(QFrame.Shadow.Sunken)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 28, 32, 28)
        layout.setSpacing(14)
        layout.addWidget(self.title_label)
        layout.addWidget(self.badge_label, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(rule)
        layout.addWidget(self.description_label)
        layout.addStretch(1)

    def refresh(self) -> None:
        """Nothing to reload: the page shows no data."""
