from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.base import Base, Record


class OrgUnit(Record, Base):
    """County (level 1), township (2) or village (3), DOMAIN.md §1.

    ``code_edition`` is the year of the code edition the unit was taken from; records keep the code
    they were entered under. A closed unit keeps its row (``closed_on``) so history still shows it.
    """

    __tablename__ = "org_unit"

    code: Mapped[str] = mapped_column(String(12), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    level: Mapped[int] = mapped_column(Integer, nullable=False)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"), nullable=True)
    code_edition: Mapped[int | None] = mapped_column(Integer, nullable=True)
    closed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    merged_into_code: Mapped[str | None] = mapped_column(String(12), nullable=True)
    note: Mapped[str] = mapped_column(String(200), default="", nullable=False)

    parent: Mapped[OrgUnit | None] = relationship(remote_side="OrgUnit.id", back_populates="children")
    children: Mapped[list[OrgUnit]] = relationship(back_populates="parent")

    __table_args__ = (Index("ix_org_unit_parent_code", "parent_id", "code"),)

    @property
    def is_open(self) -> bool:
        return self.closed_on is None
