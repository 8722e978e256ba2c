"""Fixtures every GUI test module shares: message boxes recorded instead of shown (a modal box would
block the test; questions are answered 是), and an application context as 梨树县's administrator."""
from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox

from gui.context import AppContext


@pytest.fixture
def box_answer():
    """What a recorded message box answers; a module overrides this fixture to answer otherwise."""
    return QMessageBox.StandardButton.Yes


@pytest.fixture(autouse=True)
def boxes(monkeypatch, box_answer):
    shown: list[tuple[str, str]] = []

    def fake(_parent, title, text, *_args, **_kwargs):
        shown.append((title, text))
        return box_answer
    for name in ("information", "warning", "critical", "question"):
        monkeypatch.setattr(QMessageBox, name, staticmethod(fake))
    return shown


@pytest.fixture
def ctx(db, admin):
    return AppContext(db=db, actor=admin, county_code="220322", county_name="梨树县")

