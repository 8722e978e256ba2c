"""发放设置 (issue 3 §4): how subsidies are paid out — the payment period (按年 / 按半年), the bank
file's columns in order, and the CSV encoding — read as one typed value and saved by an
administrator in one transaction (each changed setting row is audited old → new by core/audit.py).

Changing the period is refused while a roll of this year (or later) in the other mode is still a
draft: that draft could then neither be rebuilt nor sit beside a roll of the new mode
(``payroll._refuse_overlapping_rolls``). A year with a roll already paid in the other mode keeps that
mode — ``periods_shown`` lists that year's periods from its rolls — and the new mode applies from the
next year without rolls; ``period_change`` says so before saving.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import settings
from core.access import Actor, Permission
from core.errors import DataError, PermissionDenied
from core.subsidy.bank_file import check_columns, check_encoding
from core.subsidy.payroll import PERIOD_MODES, PaymentPeriod, parse_payment_period, payment_mode, periods_of_year
from core.subsidy.programmes import get_program
from db.models.subsidy import PaymentRoll

PERIOD_KEY = "subsidy.payment_period"
COLUMNS_KEY = "subsidy.bank_columns"
ENCODING_KEY = "subsidy.bank_csv_encoding"
PERIOD_FIELD = "发放周期"
PERIOD_SHORT = {"YEAR": "按年", "HALF": "按半年"}


@dataclass(frozen=True)
class PaymentSettings:
    period_mode: str                  # YEAR / HALF
    bank_columns: tuple[str, ...]     # keys from bank_file.BANK_COLUMNS, in the file's order
    csv_encoding: str                 # GB18030 / UTF-8
    # stored values that were not understood and were replaced by the default when read (Chinese)
    problems: tuple[str, ...] = field(default=(), compare=False)

    @property
    def header_preview(self) -> str:
        return header_preview(self.bank_columns)


@dataclass(frozen=True)
class PeriodChange:
    """What changing the payment period to a mode would do this year."""
    refusals: list[str]               # drafts in the other mode: saving is refused
    notes: list[str]                  # paid rolls in the other mode: their year keeps that mode


def header_preview(columns) -> str:
    """The bank file's first row as a person reads it."""
    return " | ".join(columns) if columns else "（未选择任何列）"


def may_change(actor: Actor) -> bool:
    """Administrators of the whole county (not of a township installation) change 发放设置."""
    return actor.can(Permission.MANAGE_REFERENCE) and actor.townships is None


def require_may_change(actor: Actor) -> None:
    actor.require(Permission.MANAGE_REFERENCE)
    if actor.townships is not None:
        raise PermissionDenied(f"发放设置由县级管理员修改；当前用户“{actor.display_name}”只能处理部分乡镇（街道）的数据。")


def check_period_mode(mode: Any) -> str:
    key = str(mode or "").strip().upper()
    if key not in PERIOD_MODES:
        raise DataError(f"“{PERIOD_FIELD}”的值“{mode}”不对，应为 YEAR（按年）或 HALF（按半年）。")
    return key


def read_payment_settings(session: Session) -> PaymentSettings:
    """The three settings, typed. A stored value that is not understood does not stop the reading
    (the dialog is where it gets fixed): the default is used and ``problems`` says so."""
    problems: list[str] = []

    def checked(key: str, check):
        value = settings.get(session, key)
        try:
            return check(value)
        except DataError as e:
            problems.append(f"{e.message}已改用默认值，保存后生效。")
            return check(settings.DEFS[key].default)

    mode = checked(PERIOD_KEY, check_period_mode)
    columns = checked(COLUMNS_KEY, check_columns)
    encoding = checked(ENCODING_KEY, check_encoding)
    return PaymentSettings(mode, tuple(columns), encoding, tuple(problems))


def period_change(session: Session, mode: str, *, today: date | None = None) -> PeriodChange:
    """Rolls of this year or later made in the other mode than ``mode``."""
    mode = check_period_mode(mode)
    year = (today or date.today()).year
    refusals, notes = [], []
    rows = session.execute(select(PaymentRoll.program_code, PaymentRoll.period, PaymentRoll.status)
                           .order_by(PaymentRoll.period, PaymentRoll.program_code)).all()
    for code, period_code, status in rows:
        period = parse_payment_period(period_code)
        if period.year < year or period.mode == mode:
            continue
        name = get_program(session, code).name
        if status == "PAID":
            notes.append(f"“{name}”{period.label}的扶助金已{PERIOD_SHORT[period.mode]}发放，"
                         f"{period.year} 年仍{PERIOD_SHORT[period.mode]}显示；{PERIOD_SHORT[mode]}发放从还没有"
                         "发放花名册的年度起生效。")
        else:
            refusals.append(f"“{name}”已有{period.label}的发放花名册（草稿，{PERIOD_SHORT[period.mode]}），"
                            f"改为{PERIOD_SHORT[mode]}后它既不能重新生成也不能与新周期的花名册并存。请先在“资金发放”页"
                            "完成这一期的发放、由审核员标记为已发放，再修改发放周期（新周期从下一年度起生效）。")
    return PeriodChange(refusals, notes)


def save_payment_settings(session: Session, actor: Actor, period_mode: str, bank_columns, csv_encoding: str, *,
                          today: date | None = None) -> PaymentSettings:
    """Check and store the three settings together (administrators only). Returns what was stored."""
    require_may_change(actor)
    mode = check_period_mode(period_mode)
    columns = check_columns(bank_columns)
    encoding = check_encoding(csv_encoding)
    if mode != str(settings.get(session, PERIOD_KEY) or "").upper():
        change = period_change(session, mode, today=today)
        if change.refusals:
            raise DataError(f"不能把“{PERIOD_FIELD}”改为{PERIOD_MODES[mode]}：" + change.refusals[0]
                            + (f"（共 {len(change.refusals)} 份草稿）" if len(change.refusals) > 1 else ""),
                            details=change.refusals)
    settings.store(session, PERIOD_KEY, mode)
    settings.store(session, COLUMNS_KEY, columns)
    settings.store(session, ENCODING_KEY, encoding)
    return PaymentSettings(mode, tuple(columns), encoding)


def periods_shown(session: Session, program: str, year: int) -> list[PaymentPeriod]:
    """The payment periods of ``year`` for the 资金发放 page: those of the year's rolls when it has any
    (a year is paid in one mode only), otherwise per the setting."""
    codes = (str(year), f"{year}H1", f"{year}H2")
    q = select(PaymentRoll.period).where(PaymentRoll.program_code == get_program(session, program).code,
                                         PaymentRoll.period.in_(codes))
    existing = [parse_payment_period(c) for c in session.execute(q).scalars()]
    mode = existing[0].mode if existing else payment_mode(session)
    return periods_of_year(mode, year)

