"""Completeness (报表完整性: submitted at all) and timeliness (及时性: submitted by the due day) of
the townships' monthly reports (DOMAIN.md §2, §4).

Decisions:

- A month counts as **submitted** when its report is SUBMITTED or APPROVED (it has ``submitted_at``).
  A RETURNED month is back with the township and counts as *not* submitted until it is submitted
  again; its new submission time is the one judged for timeliness (DHIS2 does the same when a data
  set's completion is undone). An approved month that is unlocked is RETURNED as well.
- Month M is **due** on day ``mch.due_day`` (default 5; a shorter month uses its last day) of month
  M+1, inclusive, judged by the date of submission in the computer's local time (China: UTC+8).
- A month is **expected** from a township once it is due (its due day is past) — or earlier when it
  has been submitted already; so a report printed on 3 June does not call May missing before 5 June.
  A township closed (撤销/合并) is expected only for months that began before it closed.
- Rates are of the expected months: 完整率 = submitted / expected, 及时率 = on time / expected
  (DHIS2's "reporting rate" and "reporting rate on time"), 2 decimals half up, None when nothing
  was expected.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import orgunits, settings
from core.periods import Period, parse_period
from db.models.mch import MonthReport

SUBMITTED_STATES = ("SUBMITTED", "APPROVED")
STATUS_LABELS = {"ON_TIME": "及时", "LATE": "迟报", "MISSING": "未报", "PENDING": "待报"}


def due_date(period: str, due_day: int) -> date:
    """The last day on which month ``period`` (YYYYMM) is on time."""
    y, m = int(period[:4]), int(period[4:])
    y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return date(y, m, max(1, min(int(due_day), calendar.monthrange(y, m)[1])))


def local_date(utc_naive: datetime) -> date:
    """The calendar day, in this computer's time zone, of a stored (naive UTC) timestamp."""
    return utc_naive.replace(tzinfo=timezone.utc).astimezone().date()


def _month_codes(period: Period) -> list[str]:
    return [f"{y}{m:02d}" for y, m in period.months]


@dataclass(frozen=True)
class MonthStatus:
    township_code: str
    township_name: str
    period: str
    status: str                     # ON_TIME / LATE / MISSING (past due) / PENDING (not yet due)
    due: date
    submitted_at: datetime | None   # naive UTC, as stored
    days_late: int                  # LATE: days after the due day; MISSING: days past it so far

    @property
    def label(self) -> str:
        month = f"{self.period[:4]}年{int(self.period[4:])}月"
        if self.status == "LATE":
            return f"{self.township_name} {month}月报迟报 {self.days_late} 天"
        if self.status == "MISSING":
            return f"{self.township_name} {month}月报未上报（已过截止日 {self.days_late} 天）"
        if self.status == "PENDING":
            return f"{self.township_name} {month}月报待上报（{self.due.month}月{self.due.day}日截止）"
        return f"{self.township_name} {month}月报已及时上报"


@dataclass(frozen=True)
class CompletenessRow:
    township_code: str
    township_name: str
    expected: int
    submitted: int
    on_time: int
    late: int
    missing: list[str] = field(default_factory=list)        # months due and not submitted
    late_months: list[str] = field(default_factory=list)

    @property
    def completeness_rate(self) -> Decimal | None:
        return percent(self.submitted, self.expected)

    @property
    def timeliness_rate(self) -> Decimal | None:
        return percent(self.on_time, self.expected)


def percent(part: int, whole: int) -> Decimal | None:
    """part / whole × 100, 2 decimals half up; None when whole is 0."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


class _Judge:
    """Says for one township-month whether it is expected and how it was submitted."""

    def __init__(self, session: Session, months: list[str], towns: list[str], as_of: date):
        self.as_of = as_of
        self.due_day = int(settings.get(session, "mch.due_day"))
        q = (select(MonthReport.township_code, MonthReport.period, MonthReport.status, MonthReport.submitted_at)
             .where(MonthReport.period.in_(months), MonthReport.township_code.in_(towns)))
        self.reports = {(t, p): (status, at) for t, p, status, at in session.execute(q)}

    def status(self, town: str, name: str, month: str) -> MonthStatus:
        due = due_date(month, self.due_day)
        status, at = self.reports.get((town, month), ("OPEN", None))
        if status in SUBMITTED_STATES and at is not None:
            late = (local_date(at) - due).days
            return MonthStatus(town, name, month, "LATE" if late > 0 else "ON_TIME", due, at, max(0, late))
        if self.as_of > due:
            return MonthStatus(town, name, month, "MISSING", due, None, (self.as_of - due).days)
        return MonthStatus(town, name, month, "PENDING", due, None, 0)


def _townships(session: Session, codes: list[str] | None) -> list[orgunits.UnitRow]:
    """The townships asked for (all of the installation's, closed ones too, when None), in code order."""
    units = orgunits.townships(session, include_closed=True)
    if codes is not None:
        wanted = set(codes)
        units = [u for u in units if u.code in wanted]
    return units


def _open_in(unit: orgunits.UnitRow, month: str) -> bool:
    return unit.closed_on is None or unit.closed_on > date(int(month[:4]), int(month[4:]), 1)


def completeness(session: Session, period: Period | str, townships: list[str] | None = None, *,
                 as_of: date | None = None) -> list[CompletenessRow]:
    """Per township: months expected in ``period`` (as of today), submitted, on time, late, missing.
    ``townships``: codes (None: every township of the installation, closed ones while they existed)."""
    p = parse_period(period) if isinstance(period, str) else period
    return completeness_of(session, p, _townships(session, townships), as_of=as_of,
                           skip_closed_unexpected=townships is None)


def completeness_of(session: Session, period: Period, units: list[orgunits.UnitRow], *, as_of: date | None = None,
                    skip_closed_unexpected: bool = False) -> list[CompletenessRow]:
    """``completeness`` for townships already looked up (a return has them at hand)."""
    as_of = as_of or date.today()
    months = _month_codes(period)
    judge = _Judge(session, months, [u.code for u in units], as_of)
    rows = []
    for u in units:
        statuses = [judge.status(u.code, u.name, m) for m in months if _open_in(u, m)]
        expected = [s for s in statuses if s.status != "PENDING"]
        if not expected and skip_closed_unexpected and u.closed_on is not None:
            continue    # closed before the period: not part of it
        rows.append(CompletenessRow(
            u.code, u.name, len(expected),
            submitted=sum(s.status in ("ON_TIME", "LATE") for s in expected),
            on_time=sum(s.status == "ON_TIME" for s in expected),
            late=sum(s.status == "LATE" for s in expected),
            missing=[s.period for s in expected if s.status == "MISSING"],
            late_months=[s.period for s in expected if s.status == "LATE"]))
    return rows


def missing_or_late(session: Session, as_of: date, townships: list[str] | None = None) -> list[MonthStatus]:
    """For a start-page panel: this year's months up to last month (in January: all of last year)
    that are not submitted (MISSING when past due, PENDING while not yet due) or were submitted
    late, oldest first."""
    last = (as_of.year - 1, 12) if as_of.month == 1 else (as_of.year, as_of.month - 1)
    months = [f"{last[0]}{m:02d}" for m in range(1, last[1] + 1)]
    units = _townships(session, townships)
    judge = _Judge(session, months, [u.code for u in units], as_of)
    out = []
    for m in months:
        for u in units:
            if _open_in(u, m):
                s = judge.status(u.code, u.name, m)
                if s.status != "ON_TIME":
                    out.append(s)
    return out
