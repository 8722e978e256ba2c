from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base


class AuditLog(Base):
    """One change: who, when, which record, old → new (JSON), chained by hash (core/audit.py).

    Not a ``Record``: audit rows are never updated, so they carry no version of their own.
    """

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True, nullable=False)
    at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    actor: Mapped[str] = mapped_column(String(64), nullable=False)
    action: Mapped[str] = mapped_column(String(32), nullable=False)   # create / update / delete / login …
    table_name: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    record_uuid: Mapped[str] = mapped_column(String(36), nullable=False, default="")
    record_label: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    changes: Mapped[str] = mapped_column(Text, nullable=False, default="{}")
    prev_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    hash: Mapped[str] = mapped_column(String(64), nullable=False)

    __table_args__ = (
        Index("ix_audit_log_record", "record_uuid"),
        Index("ix_audit_log_actor_at", "actor", "at"),
        Index("ix_audit_log_at", "at"),
    )


class AuditChainHead(Base):
    """A single row (id = 1) naming the newest audit row; locked FOR UPDATE while appending, so
    concurrent writers on PostgreSQL extend one chain instead of forking it."""

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_hash: Mapped[str] = mapped_column(String(64), nullable=False)
