"""The working-day calendar the statutory time limits are counted on.

行政处罚法 Art. 85: the law's "二日、三日、五日、七日" are working days, 法定节假日 excluded; the other
limits (90 days, 15 days …) are calendar days. A working day is Monday–Friday unless the State Council's
yearly arrangement gives it off, or a Saturday/Sunday it declares a 调休 working day.

The arrangement is data: ``resources/holidays/YYYY.json`` for the years shipped with the program, copied
into the ``sup_holiday`` table by :func:`seed_holidays` (at ``init``, idempotent); an administrator adds or
changes days there. For each year the database's days are what counts; a shipped year the database has no
days for yet (a database upgraded but not re-initialised) is read from its file; a year known to neither
is counted Monday–Friday and :meth:`WorkCalendar.uncovered_years` says so.

Counting (the general rule for periods): the day the period starts from is not counted; "within n working
days of D" ends on the n-th working day after D.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import audit
from core.access import Actor, Permission
from core.errors import DataError
from core.resources import resource_path
from db.models.supervision import Holiday

HOLIDAY, WORKDAY = "HOLIDAY", "WORKDAY"
KIND_LABELS = {HOLIDAY: "放假", WORKDAY: "调休上班"}
SESSION_CACHE_KEY = "sup_work_calendar"
NAME_MAX = 20


@dataclass(frozen=True)
class CalendarDay:
    day: date
    kind: str          # HOLIDAY / WORKDAY
    name: str
    source: str = "SHIPPED"


class WorkCalendar:
    """Holidays and 调休 working days of the covered years; everything else is Monday–Friday."""

    def __init__(self, days: Iterable[CalendarDay], covered_years: Iterable[int] | None = None):
        self.days: dict[date, CalendarDay] = {d.day: d for d in days}
        self.years = frozenset(covered_years if covered_years is not None else {d.year for d in self.days})

    # -- single days -----------------------------------------------------------------------
    def is_working_day(self, d: date) -> bool:
        entry = self.days.get(d)
        if entry is not None:
            return entry.kind == WORKDAY
        return d.weekday() < 5

    def day_name(self, d: date) -> str:
        entry = self.days.get(d)
        if entry is not None:
            return f"{entry.name}{KIND_LABELS[entry.kind]}" if entry.kind == WORKDAY else entry.name
        return "周末" if d.weekday() >= 5 else ""

    def next_working_day(self, d: date) -> date:
        """``d`` itself when it is a working day, else the first working day after it."""
        while not self.is_working_day(d):
            d += timedelta(days=1)
        return d

    # -- periods -----------------------------------------------------------------------------
    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after ``start`` (``start`` itself not counted); ``start`` for n = 0."""
        if n < 0:
            return self.subtract_working_days(start, -n)
        d = start
        while n > 0:
            d += timedelta(days=1)
            if self.is_working_day(d):
                n -= 1
        return d

    def subtract_working_days(self, end: date, n: int) -> date:
        """The n-th working day before ``end`` (for "at least n working days before …")."""
        d = end
        while n > 0:
            d -= timedelta(days=1)
            if self.is_working_day(d):
                n -= 1
        return d

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end`` (0 when end <= start)."""
        count, d = 0, start
        while d < end:
            d += timedelta(days=1)
            count += self.is_working_day(d)
        return count

    def add_calendar_days(self, start: date, n: int, *, roll_to_working_day: bool = False) -> date:
        """``start`` + n days. With ``roll_to_working_day``: a period whose last day falls on a holiday or
        weekend ends on the next working day (期间届满的最后一日为节假日的，以节假日后的第一日为届满日)."""
        d = start + timedelta(days=n)
        return self.next_working_day(d) if roll_to_working_day else d

    def uncovered_years(self, start: date, end: date) -> list[int]:
        """Years in [start, end] with no holiday arrangement: working days there are only Monday–Friday."""
        lo, hi = min(start, end), max(start, end)
        return [y for y in range(lo.year, hi.year + 1) if y not in self.years]


# -- the shipped files -------------------------------------------------------------------------------

def holidays_dir() -> Path:
    return resource_path("holidays")


def parse_calendar_file(path: Path) -> tuple[int, str, list[CalendarDay]]:
    """(year, source, days) from one ``YYYY.json``; a malformed file is refused with the reason."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
        year = int(data["year"])
        source = str(data.get("source", ""))
        days: list[CalendarDay] = []
        for block in data["holidays"]:
            name = str(block["name"]).strip()
            first, last = date.fromisoformat(block["from"]), date.fromisoformat(block["to"])
            if last < first or (last - first).days > 40:
                raise ValueError(f"“{name}”的起止日期不对")
            d = first
            while d <= last:
                days.append(CalendarDay(d, HOLIDAY, name))
                d += timedelta(days=1)
            for text in block.get("workdays", []):
                w = date.fromisoformat(text)
                if w.weekday() < 5:
                    raise ValueError(f"调休上班日 {w} 不是周六或周日")
                days.append(CalendarDay(w, WORKDAY, name))
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise DataError(f"节假日安排文件 {Path(path).name} 格式不对：{e}") from e
    seen: set[date] = set()
    for d in days:
        if d.day in seen:
            raise DataError(f"节假日安排文件 {Path(path).name} 中 {d.day} 出现了两次。")
        if d.day.year != year:
            raise DataError(f"节假日安排文件 {Path(path).name}（{year} 年）中有 {d.day}。")
        seen.add(d.day)
    return year, source, days


@lru_cache(maxsize=1)
def _shipped(folder: str) -> dict[int, tuple[str, tuple[CalendarDay, ...]]]:
    out = {}
    for path in sorted(Path(folder).glob("*.json")):
        year, source, days = parse_calendar_file(path)
        out[year] = (source, tuple(days))
    return out


def shipped_years() -> dict[int, tuple[str, tuple[CalendarDay, ...]]]:
    """{year: (source, days)} of the files in ``resources/holidays``."""
    return _shipped(str(holidays_dir()))


def shipped_calendar() -> WorkCalendar:
    """The calendar of the shipped files alone (no database): for tools and defaults."""
    return _shipped_calendar(str(holidays_dir()))


@lru_cache(maxsize=1)
def _shipped_calendar(folder: str) -> WorkCalendar:
    years = _shipped(folder)
    return WorkCalendar([d for _, days in years.values() for d in days], years)


# -- the database ------------------------------------------------------------------------------------

def load_calendar(session: Session) -> WorkCalendar:
    """The calendar in force: the database's days per year, shipped files for years it lacks.
    Cached on the session (one load per unit of work); changes through this module refresh it."""
    cached = session.info.get(SESSION_CACHE_KEY)
    if cached is not None:
        return cached
    rows = session.execute(select(Holiday.day, Holiday.kind, Holiday.name, Holiday.source)).all()
    days = [CalendarDay(r.day, r.kind, r.name, r.source) for r in rows]
    db_years = {d.day.year for d in days}
    for year, (_, shipped) in shipped_years().items():
        if year not in db_years:
            days.extend(shipped)
    cal = WorkCalendar(days, db_years | set(shipped_years()))
    session.info[SESSION_CACHE_KEY] = cal
    return cal


def seed_holidays(session: Session) -> int:
    """Copy the shipped years the database has no days for into ``sup_holiday`` (idempotent: a year that
    already has days — shipped or entered by an administrator — is left as it is). Returns days added."""
    present_years = {d.year for d in session.execute(select(Holiday.day)).scalars()}
    present_days = set(session.execute(select(Holiday.day)).scalars())
    added = 0
    for year, (_, days) in sorted(shipped_years().items()):
        if year in present_years:
            continue
        for d in days:
            if d.day in present_days:
                continue
            session.add(Holiday(day=d.day, kind=d.kind, name=d.name, source="SHIPPED"))
            present_days.add(d.day)
            added += 1
    session.flush()
    session.info.pop(SESSION_CACHE_KEY, None)
    return added


def list_days(session: Session, year: int) -> list[CalendarDay]:
    """One year's arrangement as the calendar in force sees it (for the administration screen)."""
    cal = load_calendar(session)
    return sorted((d for d in cal.days.values() if d.day.year == year), key=lambda d: d.day)


def covered_years(session: Session) -> dict[int, str]:
    """{year: where its days come from} — "数据库" or the shipped file's source."""
    db_years = {d.year for d in session.execute(select(Holiday.day)).scalars()}
    out = {y: "数据库" for y in db_years}
    for y, (source, _) in shipped_years().items():
        out.setdefault(y, source)
    return dict(sorted(out.items()))


def set_day(session: Session, actor: Actor, day: date, kind: str, name: str) -> None:
    """Add or change one day (administrators). A year seen for the first time in the database should get
    all its days (see :func:`replace_year`), or it replaces the shipped file with this one day."""
    actor.require(Permission.MANAGE_REFERENCE)
    if kind not in KIND_LABELS:
        raise DataError(f"节假日类型应为 HOLIDAY（放假）或 WORKDAY（调休上班），不是“{kind}”。")
    if kind == WORKDAY and day.weekday() < 5:
        raise DataError(f"{day} 是周一至周五，本来就是工作日，不用设为调休上班。")
    name = (name or "").strip()
    if not name:
        raise DataError("请填写节日名称（如 春节、国庆节）。")
    if len(name) > NAME_MAX:
        raise DataError(f"节日名称最多 {NAME_MAX} 个字。")
    _materialise_year(session, day.year)
    row = session.execute(select(Holiday).where(Holiday.day == day)).scalar_one_or_none()
    if row is None:
        session.add(Holiday(day=day, kind=kind, name=name, source="ADMIN"))
    else:
        row.kind, row.name, row.source = kind, name, "ADMIN"
    session.flush()
    session.info.pop(SESSION_CACHE_KEY, None)


def remove_day(session: Session, actor: Actor, day: date) -> None:
    """Make a day ordinary again (administrators)."""
    actor.require(Permission.MANAGE_REFERENCE)
    _materialise_year(session, day.year)
    row = session.execute(select(Holiday).where(Holiday.day == day)).scalar_one_or_none()
    if row is None:
        raise DataError(f"{day} 不在节假日安排中。")
    session.delete(row)
    session.flush()
    session.info.pop(SESSION_CACHE_KEY, None)


def replace_year(session: Session, actor: Actor, path: Path) -> tuple[int, int]:
    """Load a year's arrangement from a file in the shipped format (e.g. next year's, once published),
    replacing that year's days in the database. Returns (year, days)."""
    actor.require(Permission.MANAGE_REFERENCE)
    year, source, days = parse_calendar_file(path)
    long_names = sorted({d.name for d in days if len(d.name) > NAME_MAX or not d.name})
    if long_names:
        raise DataError(f"节假日安排文件 {Path(path).name} 中节日名称应为 1–{NAME_MAX} 个字：{'、'.join(long_names)}")
    for row in session.execute(select(Holiday)).scalars():
        if row.day.year == year:
            session.delete(row)
    session.flush()
    for d in days:
        session.add(Holiday(day=d.day, kind=d.kind, name=d.name, source="ADMIN"))
    session.flush()
    audit.record_event(session, "import", f"节假日安排 {year} 年", {"file": Path(path).name, "source": source,
                                                                 "days": len(days)}, table_name="sup_holiday")
    session.info.pop(SESSION_CACHE_KEY, None)
    return year, len(days)


def _materialise_year(session: Session, year: int) -> None:
    """Before the first administrator change to a shipped year the database lacks, copy that year in, so
    the change edits the arrangement instead of replacing it."""
    present = any(d.year == year for d in session.execute(select(Holiday.day)).scalars())
    shipped = shipped_years().get(year)
    if present or shipped is None:
        return
    for d in shipped[1]:
        session.add(Holiday(day=d.day, kind=d.kind, name=d.name, source="SHIPPED"))
    session.flush()


# -- module-level helpers on the shipped calendar (the brief's plain functions) ----------------------

def is_working_day(d: date, calendar: WorkCalendar | None = None) -> bool:
    return (calendar or shipped_calendar()).is_working_day(d)


def add_working_days(start: date, n: int, calendar: WorkCalendar | None = None) -> date:
    return (calendar or shipped_calendar()).add_working_days(start, n)


def add_calendar_days(start: date, n: int, calendar: WorkCalendar | None = None, *,
                      roll_to_working_day: bool = False) -> date:
    return (calendar or shipped_calendar()).add_calendar_days(start, n, roll_to_working_day=roll_to_working_day)
