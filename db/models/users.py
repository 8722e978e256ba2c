from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.base import Base, Record


class User(Record, Base):
    __tablename__ = "app_user"
    # Bookkeeping of logins: the login/login_failed audit events already say it, so no update rows.
    AUDIT_QUIET = frozenset({"last_login_at", "failed_logins", "locked_until"})

    username: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    display_name: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    role: Mapped[str] = mapped_column(String(16), nullable=False)  # CLERK / SUPERVISOR / ADMIN
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    townships: Mapped[list[UserTownship]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="UserTownship.township_code"
    )


class UserTownship(Record, Base):
    """A clerk limited to some townships: one row per township the clerk may edit."""

    __tablename__ = "app_user_township"

    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), nullable=False)
    township_code: Mapped[str] = mapped_column(String(12), nullable=False)

    user: Mapped[User] = relationship(back_populates="townships")

    __table_args__ = (UniqueConstraint("user_id", "township_code", name="uq_app_user_township_pair"),)
