"""What every screen gets: the open database, who is logged in, and a signal hub to say what changed
(screens refresh only what they show, as Anki's operations do)."""
from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QObject, Signal

from core.access import Actor
from core.database import Database


class Changes(QObject):
    """Emitted on the GUI thread after an operation committed. The argument names what changed:
    a table/area key such as "org_unit", "app_user", "setting", "all" (after a restore)."""

    changed = Signal(str)


@dataclass
class AppContext:
    db: Database
    actor: Actor
    county_code: str = ""
    county_name: str = ""
    township_code: str | None = None
    is_demo: bool = False
    changes: Changes = field(default_factory=Changes)
