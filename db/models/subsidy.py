"""计划生育家庭奖励扶助 / 特别扶助 (DOMAIN.md §3): programmes, standards, recipients and children,
yearly confirmations and payment rolls."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (Boolean, Date, DateTime, ForeignKey, Index, Integer, Numeric, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.base import Base, Record

Money = Numeric(14, 2)


class SubsidyProgram(Record, Base):
    """A programme with its rule parameters; built-in ones from DOMAIN.md, local ones by an administrator."""

    __tablename__ = "subsidy_program"

    code: Mapped[str] = mapped_column(String(32), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    # REWARD (one child / two daughters / child died), DEATH, DISABILITY, NONE (a local programme with no child rule)
    child_rule: Mapped[str] = mapped_column(String(16), nullable=False)
    start_age: Mapped[int] = mapped_column(Integer, nullable=False)           # from the year one turns this age
    age_of_wife: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)  # 特别扶助: the woman's age counts for a couple
    born_from: Mapped[date | None] = mapped_column(Date, nullable=True)       # born on or after (1933-01-01)
    requires_rural: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    builtin: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")

    def audit_label(self) -> str:
        return f"{self.code} {self.name}"


class SubsidyStandard(Record, Base):
    """Amount per person for a programme from a year on (until a later row), per area type."""

    __tablename__ = "subsidy_standard"

    program_code: Mapped[str] = mapped_column(String(32), nullable=False)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    area: Mapped[str] = mapped_column(String(8), nullable=False, default="ALL")     # ALL / URBAN / RURAL
    amount: Mapped[Decimal] = mapped_column(Money, nullable=False)
    unit: Mapped[str] = mapped_column(String(8), nullable=False, default="YEAR")    # YEAR / MONTH

    __table_args__ = (UniqueConstraint("program_code", "year", "area", name="uq_subsidy_standard_key"),)

    def audit_label(self) -> str:
        return f"{self.program_code} {self.year} {self.area}"


class Recipient(Record, Base):
    """扶助对象: one person in one programme (a person in two programmes has two records)."""

    __tablename__ = "subsidy_recipient"

    name: Mapped[str] = mapped_column(String(50), nullable=False)
    sex: Mapped[str] = mapped_column(String(2), nullable=False)                     # 男 / 女
    id_number: Mapped[str] = mapped_column(String(18), nullable=False)
    id_number_rev: Mapped[str] = mapped_column(String(18), nullable=False)          # reversed: suffix search by index
    birth_date: Mapped[date] = mapped_column(Date, nullable=False)
    ethnicity: Mapped[str] = mapped_column(String(20), nullable=False, default="")
    township_code: Mapped[str] = mapped_column(String(9), nullable=False)
    village_code: Mapped[str | None] = mapped_column(String(12), nullable=True)
    address: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    hukou: Mapped[str] = mapped_column(String(8), nullable=False, default="农业")      # 农业 / 非农业
    marital: Mapped[str] = mapped_column(String(8), nullable=False, default="")       # 已婚 / 丧偶 / 离婚 / 未婚
    spouse_id: Mapped[int | None] = mapped_column(ForeignKey("subsidy_recipient.id", ondelete="SET NULL"), nullable=True)
    spouse_id_number: Mapped[str] = mapped_column(String(18), nullable=False, default="")
    phone: Mapped[str] = mapped_column(String(20), nullable=False, default="")
    no_policy_violation: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)  # 1973–2001 无政策外生育
    death_date: Mapped[date | None] = mapped_column(Date, nullable=True)             # the recipient's own death
    program_code: Mapped[str] = mapped_column(String(32), nullable=False)
    first_year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    bank_name: Mapped[str] = mapped_column(String(50), nullable=False, default="")
    account_no: Mapped[str] = mapped_column(String(30), nullable=False, default="")
    account_rev: Mapped[str] = mapped_column(String(30), nullable=False, default="")
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="ACTIVE")  # APPLIED / ACTIVE / EXITED / REFUSED
    exit_reason: Mapped[str] = mapped_column(String(20), nullable=False, default="")
    exit_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    incomplete: Mapped[str] = mapped_column(String(200), nullable=False, default="")   # 待补充: what is missing
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")

    children: Mapped[list[Child]] = relationship(back_populates="parent", cascade="all, delete-orphan",
                                                 order_by="Child.birth_date")

    __table_args__ = (
        Index("ix_recipient_id_number", "id_number"),
        Index("ix_recipient_id_rev", "id_number_rev"),
        Index("ix_recipient_account", "account_no"),
        Index("ix_recipient_account_rev", "account_rev"),
        Index("ix_recipient_name", "name", "id"),
        Index("ix_recipient_place", "township_code", "village_code"),
        Index("ix_recipient_program_status", "program_code", "status"),
        Index("ix_recipient_status_name", "status", "name", "id"),   # "all exited, by name" without a scan
    )

    def audit_label(self) -> str:
        return f"{self.name} {self.id_number[:6]}********{self.id_number[-4:]}"


class Child(Record, Base):
    __tablename__ = "subsidy_child"

    recipient_id: Mapped[int] = mapped_column(ForeignKey("subsidy_recipient.id", ondelete="CASCADE"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(50), nullable=False, default="")
    sex: Mapped[str] = mapped_column(String(2), nullable=False, default="")
    birth_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="ALIVE")   # ALIVE / DEAD / DISABLED
    adopted: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    disability_grade: Mapped[int | None] = mapped_column(Integer, nullable=True)      # 1–4 (残疾人证)
    certificate_no: Mapped[str] = mapped_column(String(30), nullable=False, default="")
    death_date: Mapped[date | None] = mapped_column(Date, nullable=True)

    parent: Mapped[Recipient] = relationship(back_populates="children")

    def audit_label(self) -> str:
        return f"子女 {self.name}"


class YearConfirmation(Record, Base):
    """资格确认 of one programme for one year: 新增 / 继续享受 / 退出, approved (locked) by a supervisor."""

    __tablename__ = "subsidy_year"

    program_code: Mapped[str] = mapped_column(String(32), nullable=False)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="DRAFT")    # DRAFT / CONFIRMED / APPROVED
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    confirmed_by: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    approved_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    approved_by: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    notice_start: Mapped[date | None] = mapped_column(Date, nullable=True)
    notice_end: Mapped[date | None] = mapped_column(Date, nullable=True)

    __table_args__ = (UniqueConstraint("program_code", "year", name="uq_subsidy_year_key"),)

    def audit_label(self) -> str:
        return f"{self.program_code} {self.year}年资格确认"


class YearEntry(Record, Base):
    """One recipient's line in a year's confirmation."""

    __tablename__ = "subsidy_year_entry"

    confirmation_id: Mapped[int] = mapped_column(ForeignKey("subsidy_year.id", ondelete="CASCADE"), nullable=False)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("subsidy_recipient.id"), nullable=False)
    kind: Mapped[str] = mapped_column(String(10), nullable=False)          # NEW / CONTINUE / EXIT
    flags: Mapped[str] = mapped_column(String(300), nullable=False, default="")   # 年审 flags, Chinese, "；"-joined
    exit_reason: Mapped[str] = mapped_column(String(20), nullable=False, default="")

    __table_args__ = (UniqueConstraint("confirmation_id", "recipient_id", name="uq_subsidy_year_entry_pair"),)


class PaymentRoll(Record, Base):
    """资金发放: one programme and payment period. A PAID roll is never recomputed or edited."""

    __tablename__ = "subsidy_payment_roll"

    program_code: Mapped[str] = mapped_column(String(32), nullable=False)
    period: Mapped[str] = mapped_column(String(8), nullable=False)          # 2024 or 2024H1 / 2024H2
    status: Mapped[str] = mapped_column(String(8), nullable=False, default="DRAFT")   # DRAFT / PAID
    total: Mapped[Decimal] = mapped_column(Money, nullable=False, default=Decimal("0"))
    people: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    paid_on: Mapped[date | None] = mapped_column(Date, nullable=True)

    __table_args__ = (UniqueConstraint("program_code", "period", name="uq_subsidy_payment_roll_key"),)

    def audit_label(self) -> str:
        return f"{self.program_code} {self.period} 发放花名册"


class PaymentLine(Base):
    """A snapshot of what was (to be) paid: kept as it was even if the person's record changes later."""

    __tablename__ = "subsidy_payment_line"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    roll_id: Mapped[int] = mapped_column(ForeignKey("subsidy_payment_roll.id", ondelete="CASCADE"), nullable=False, index=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("subsidy_recipient.id"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(50), nullable=False)
    id_number: Mapped[str] = mapped_column(String(18), nullable=False)
    township_code: Mapped[str] = mapped_column(String(9), nullable=False)
    village_code: Mapped[str | None] = mapped_column(String(12), nullable=True)
    bank_name: Mapped[str] = mapped_column(String(50), nullable=False, default="")
    account_no: Mapped[str] = mapped_column(String(30), nullable=False, default="")
    amount: Mapped[Decimal] = mapped_column(Money, nullable=False)
    months: Mapped[int] = mapped_column(Integer, nullable=False, default=12)
