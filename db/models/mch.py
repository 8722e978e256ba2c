"""妇幼健康月报 (DOMAIN.md §4): data elements, values per township and month, validation rules,
yearly task counts, and each township-month's submission state."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, Record


class DataElement(Record, Base):
    __tablename__ = "mch_data_element"

    code: Mapped[str] = mapped_column(String(48), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    short_name: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    category: Mapped[str] = mapped_column(String(16), nullable=False, default="")   # "" or SEX
    point_in_time: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    section: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    sort_order: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    builtin: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)


class DataValue(Record, Base):
    """One count. ``value`` None with ``not_applicable`` False: not reported (blank is not zero);
    ``not_applicable``: "this work is not carried out here" (DHIS2 / national forms write -2)."""

    __tablename__ = "mch_data_value"

    township_code: Mapped[str] = mapped_column(String(9), nullable=False)
    period: Mapped[str] = mapped_column(String(6), nullable=False)           # YYYYMM
    element_code: Mapped[str] = mapped_column(String(48), nullable=False)
    option_code: Mapped[str] = mapped_column(String(16), nullable=False, default="")   # "" / MALE / FEMALE
    value: Mapped[int | None] = mapped_column(Integer, nullable=True)
    not_applicable: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    comment: Mapped[str] = mapped_column(Text, nullable=False, default="")
    followup: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    __table_args__ = (
        UniqueConstraint("township_code", "period", "element_code", "option_code", name="uq_mch_data_value_key"),
        Index("ix_mch_value_period", "period", "township_code"),
    )

    def audit_label(self) -> str:
        opt = f"/{self.option_code}" if self.option_code else ""
        return f"{self.township_code} {self.period} {self.element_code}{opt}"


class ValidationRule(Record, Base):
    __tablename__ = "mch_validation_rule"

    code: Mapped[str] = mapped_column(String(48), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    left: Mapped[str] = mapped_column(String(300), nullable=False)
    operator: Mapped[str] = mapped_column(String(4), nullable=False)         # <= < == != >= >
    right: Mapped[str] = mapped_column(String(300), nullable=False)
    importance: Mapped[str] = mapped_column(String(8), nullable=False, default="ERROR")   # ERROR / WARNING
    message: Mapped[str] = mapped_column(String(200), nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    builtin: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)


class YearTarget(Record, Base):
    """Yearly task counts (任务数), e.g. cervical screening, per township (or the county when '')."""

    __tablename__ = "mch_year_target"

    year: Mapped[int] = mapped_column(Integer, nullable=False)
    element_code: Mapped[str] = mapped_column(String(48), nullable=False)
    township_code: Mapped[str] = mapped_column(String(9), nullable=False, default="")
    value: Mapped[int] = mapped_column(Integer, nullable=False)

    __table_args__ = (UniqueConstraint("year", "element_code", "township_code", name="uq_mch_year_target_key"),)


class MonthReport(Record, Base):
    """The state of one township-month: OPEN → SUBMITTED → APPROVED (locked) or RETURNED."""

    __tablename__ = "mch_month_report"

    township_code: Mapped[str] = mapped_column(String(9), nullable=False)
    period: Mapped[str] = mapped_column(String(6), nullable=False)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="OPEN")
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    submitted_by: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    approved_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    approved_by: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    returned_reason: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    unlock_reason: Mapped[str] = mapped_column(String(300), nullable=False, default="")

    __table_args__ = (UniqueConstraint("township_code", "period", name="uq_mch_month_report_key"),)

    def audit_label(self) -> str:
        return f"{self.township_code} {self.period} 月报"
