"""The working-day calendar (行政处罚法 Art. 85) on the real State Council arrangements: weekends,
statutory holidays and the 调休 working weekends; the calendar as data an administrator can change."""
from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import func, select

from core.errors import DataError, PermissionDenied
from core.supervision import working_days as wd
from db.models.supervision import Holiday

CAL = wd.shipped_calendar()


def test_shipped_years_and_their_sources():
    years = wd.shipped_years()
    assert {2024, 2025, 2026} <= set(years)
    for source, days in years.values():
        assert "国务院办公厅" in source and days


@pytest.mark.parametrize("day,working", [
    (date(2025, 9, 26), True),    # Friday
    (date(2025, 9, 27), False),   # Saturday
    (date(2025, 9, 28), True),    # Sunday, 调休上班 for 国庆节、中秋节
    (date(2025, 10, 1), False),   # 国庆节
    (date(2025, 10, 6), False),   # 中秋节 (Monday)
    (date(2025, 10, 8), False),   # last day of the break (Wednesday)
    (date(2025, 10, 9), True),
    (date(2025, 10, 11), True),   # Saturday, 调休上班
    (date(2025, 10, 12), False),  # Sunday
    (date(2025, 1, 26), True),    # Sunday, 调休上班 for 春节
    (date(2025, 1, 28), False),   # 除夕 — a statutory holiday from 2025 on
    (date(2025, 2, 8), True),     # Saturday, 调休上班
    (date(2025, 4, 27), True),    # Sunday, 调休上班 for 劳动节
    (date(2025, 5, 5), False),    # Monday, 劳动节
    (date(2025, 6, 2), False),    # Monday, 端午节
    (date(2024, 2, 18), True),    # Sunday, 调休上班
    (date(2024, 2, 9), True),     # 2024 除夕 was not a statutory holiday
    (date(2026, 1, 4), True),     # Sunday, 调休上班 for 元旦 2026
    (date(2026, 2, 23), False),   # Monday, last day of 春节 2026
])
def test_working_day(day, working):
    assert CAL.is_working_day(day) is working
    assert wd.is_working_day(day) is working


def test_five_working_days_across_an_ordinary_weekend():
    # Thursday 2025-03-06: Fri 7, Mon 10, Tue 11, Wed 12, Thu 13
    assert CAL.add_working_days(date(2025, 3, 6), 5) == date(2025, 3, 13)
    assert CAL.add_working_days(date(2025, 3, 6), 4) == date(2025, 3, 12)
    # a period starting on a Saturday begins counting on Monday
    assert CAL.add_working_days(date(2025, 3, 8), 1) == date(2025, 3, 10)


def test_seven_working_days_across_an_ordinary_weekend():
    # Wednesday 2025-03-12: 13, 14, 17, 18, 19, 20, 21
    assert CAL.add_working_days(date(2025, 3, 12), 7) == date(2025, 3, 21)


def test_national_day_2025_with_its_two_adjusted_working_days():
    # Friday 26 September: Sunday 28 (调休) is the 1st working day, 29, 30, then the holiday to 8 October
    assert CAL.add_working_days(date(2025, 9, 26), 1) == date(2025, 9, 28)
    assert CAL.add_working_days(date(2025, 9, 26), 5) == date(2025, 10, 10)
    # Tuesday 30 September + 7: 9, 10, Saturday 11 (调休), 13, 14, 15, 16
    assert CAL.add_working_days(date(2025, 9, 30), 7) == date(2025, 10, 16)
    # counted as if there were no arrangement, the same period would end long before
    plain = wd.WorkCalendar([], [])
    assert plain.add_working_days(date(2025, 9, 30), 7) == date(2025, 10, 9)
    assert CAL.working_days_between(date(2025, 9, 30), date(2025, 10, 16)) == 7


def test_spring_festival_2025():
    # Friday 24 January: Sunday 26 (调休), Monday 27, then 28 Jan – 4 Feb off, 5, 6, 7, Saturday 8 (调休), 10
    assert CAL.add_working_days(date(2025, 1, 24), 5) == date(2025, 2, 7)
    assert CAL.add_working_days(date(2025, 1, 24), 6) == date(2025, 2, 8)
    assert CAL.add_working_days(date(2025, 1, 24), 7) == date(2025, 2, 10)


def test_subtract_working_days():
    # seven working days before Thursday 16 October 2025 is Tuesday 30 September
    assert CAL.subtract_working_days(date(2025, 10, 16), 7) == date(2025, 9, 30)
    assert CAL.add_working_days(CAL.subtract_working_days(date(2025, 10, 16), 7), 7) == date(2025, 10, 16)


def test_calendar_days_and_the_roll_over_to_a_working_day():
    assert CAL.add_calendar_days(date(2025, 1, 2), 90) == date(2025, 4, 2)
    # 15 days after 16 September 2025 is Wednesday 1 October (国庆节): rolled over to Thursday 9 October
    assert CAL.add_calendar_days(date(2025, 9, 16), 15) == date(2025, 10, 1)
    assert CAL.add_calendar_days(date(2025, 9, 16), 15, roll_to_working_day=True) == date(2025, 10, 9)
    # a Saturday that is a 调休 working day does not roll
    assert CAL.add_calendar_days(date(2025, 9, 26), 15, roll_to_working_day=True) == date(2025, 10, 11)


def test_a_year_without_an_arrangement_is_reported():
    assert CAL.uncovered_years(date(2026, 12, 20), date(2027, 1, 10)) == [2027]
    assert CAL.uncovered_years(date(2025, 1, 1), date(2025, 12, 31)) == []


def test_a_malformed_file_is_refused_with_the_reason(tmp_path):
    bad = tmp_path / "2027.json"
    bad.write_text(json.dumps({"year": 2027, "source": "x", "holidays": [
        {"name": "春节", "from": "2027-02-05", "to": "2027-02-11", "workdays": ["2027-02-15"]}]}), encoding="utf-8")
    with pytest.raises(DataError) as e:
        wd.parse_calendar_file(bad)
    assert "不是周六或周日" in str(e.value)


# -- the calendar in the database ------------------------------------------------------------------

def _count(db) -> int:
    with db.session() as s:
        return s.execute(select(func.count()).select_from(Holiday)).scalar_one()


def test_seeding_is_idempotent_and_keeps_administrator_changes(db, admin):
    shipped = sum(len(days) for _, days in wd.shipped_years().values())
    with db.session(admin) as s:
        wd.seed_holidays(s)                  # (init may already have done it: then this adds nothing)
    assert _count(db) == shipped
    with db.session(admin) as s:
        assert wd.seed_holidays(s) == 0
    assert _count(db) == shipped
    with db.session(admin) as s:
        wd.remove_day(s, admin, date(2025, 10, 11))     # say the 调休 Saturday were cancelled
        wd.seed_holidays(s)
    with db.session() as s:
        cal = wd.load_calendar(s)
        assert not cal.is_working_day(date(2025, 10, 11))
        assert cal.add_working_days(date(2025, 9, 30), 7) == date(2025, 10, 17)


def test_without_seeding_the_shipped_files_count(db, admin):
    """A database upgraded but not re-initialised has no days yet: the shipped years still count."""
    with db.session(admin) as s:
        for row in s.execute(select(Holiday)).scalars():
            s.delete(row)
    with db.session() as s:
        assert s.execute(select(func.count()).select_from(Holiday)).scalar_one() == 0
        cal = wd.load_calendar(s)
    assert cal.is_working_day(date(2025, 9, 28)) and not cal.is_working_day(date(2025, 10, 1))


def test_administrator_adds_next_years_arrangement(db, admin, clerk, tmp_path):
    with db.session(admin) as s:
        wd.set_day(s, admin, date(2027, 1, 1), wd.HOLIDAY, "元旦")
    with db.session() as s:
        cal = wd.load_calendar(s)
        assert not cal.is_working_day(date(2027, 1, 1))
        assert cal.uncovered_years(date(2026, 12, 1), date(2027, 1, 31)) == []
        assert wd.covered_years(s)[2027] == "数据库"
    with pytest.raises(PermissionDenied):
        with db.session(clerk) as s:
            wd.set_day(s, clerk, date(2027, 1, 2), wd.HOLIDAY, "元旦")
    with pytest.raises(DataError) as e:
        with db.session(admin) as s:
            wd.set_day(s, admin, date(2027, 1, 4), wd.WORKDAY, "元旦")   # a Monday
    assert "本来就是工作日" in str(e.value)
    f = tmp_path / "2027.json"
    f.write_text(json.dumps({"year": 2027, "source": "测试", "holidays": [
        {"name": "元旦", "from": "2027-01-01", "to": "2027-01-03", "workdays": []},
        {"name": "春节", "from": "2027-02-05", "to": "2027-02-11", "workdays": ["2027-02-13"]}]}), encoding="utf-8")
    with db.session(admin) as s:
        assert wd.replace_year(s, admin, f) == (2027, 11)
    with db.session() as s:
        cal = wd.load_calendar(s)
        assert cal.is_working_day(date(2027, 2, 13)) and not cal.is_working_day(date(2027, 2, 8))


def test_changing_a_shipped_year_keeps_its_other_days(db, admin):
    """The first change to a shipped year the database lacks copies the year in first."""
    with db.session(admin) as s:
        wd.set_day(s, admin, date(2026, 10, 8), wd.HOLIDAY, "国庆节")
    with db.session() as s:
        cal = wd.load_calendar(s)
        assert not cal.is_working_day(date(2026, 10, 8))
        assert not cal.is_working_day(date(2026, 2, 16))       # 春节 2026 still there
        assert cal.is_working_day(date(2026, 9, 20))          # and its 调休 Sunday
