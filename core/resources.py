"""Where the files shipped with the program (fonts, reference data, help) are found."""
from __future__ import annotations

import sys
from pathlib import Path


def resources_root() -> Path:
    """The ``resources`` folder: inside the PyInstaller bundle when frozen, else the repository's."""
    if getattr(sys, "frozen", False) and hasattr(sys, "_MEIPASS"):
        return Path(sys._MEIPASS) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def resource_path(*parts: str) -> Path:
    """A file or folder under ``resources``, e.g. ``resource_path("fonts", "wqy-microhei.ttc")``."""
    return resources_root().joinpath(*parts)
