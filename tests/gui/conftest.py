"""Fixtures every GUI test module shares: message boxes recorded instead of shown (a modal box would
block the test; questions are answered 是), and an application context as 梨树县's administrator."""
from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox

from gui.context import AppContext


@pytest.fixture(autouse=True)
def boxes(monkeypatch):
    shown: list[tuple[str, str]] = []

    def fake(_parent, title, text, *_args, **_kwargs):
        shown.append((title, text))
        return QMessageBox.StandardButton.Yes
    for name in ("information", "warning", "critical", "question"):
        monkeypatch.setattr(QMessageBox, name, staticmethod(fake))
    return shown


@pytest.fixture
def ctx(db, admin):
    return AppContext(db=db, actor=admin, county_code="220322", county_name="梨树县")

