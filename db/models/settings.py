from __future__ import annotations

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, Record


class Setting(Record, Base):
    """Installation settings stored in the database (so every clerk of a shared database sees them).

    ``value`` is JSON text; the typed declarations and defaults live in ``core/settings.py``.
    """

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    value: Mapped[str] = mapped_column(Text, nullable=False, default="null")
