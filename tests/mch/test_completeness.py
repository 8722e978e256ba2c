"""Completeness and timeliness (DOMAIN.md §2): submitted at all, and by the due day of the next month.

Submission times are stored in UTC and judged by the local calendar day; the times below are chosen
so that any time zone from UTC−11 to UTC+12 gives the same verdict (04:00 UTC on the due day is on
time everywhere; 16:00 UTC the next day is late everywhere)."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select

from core import orgunits, settings
from core.mch import completeness as c
from core.mch import workflow
from db.models.mch import MonthReport

T1, T2, T3 = "220322100", "220322101", "220322102"


def report(db, actor, town, period, status, submitted_at=None):
    with db.session(actor) as s:
        r = s.execute(select(MonthReport).where(MonthReport.township_code == town,
                                                MonthReport.period == period)).scalar_one_or_none()
        if r is None:
            r = MonthReport(township_code=town, period=period)
            s.add(r)
        r.status, r.submitted_at, r.submitted_by = status, submitted_at, "clerk" if submitted_at else ""


ON_TIME_FEB = datetime(2026, 2, 5, 4, 0)        # January's report on its due day
LATE_FEB = datetime(2026, 2, 6, 16, 0)          # a day later


def row_of(rows, town):
    return next(r for r in rows if r.township_code == town)


def test_due_date_is_the_due_day_of_the_next_month():
    assert c.due_date("202601", 5) == date(2026, 2, 5)
    assert c.due_date("202612", 5) == date(2027, 1, 5)
    assert c.due_date("202601", 31) == date(2026, 2, 28)      # a shorter month: its last day


def test_on_time_late_and_missing(db, admin):
    report(db, admin, T1, "202601", "APPROVED", ON_TIME_FEB)
    report(db, admin, T2, "202601", "SUBMITTED", LATE_FEB)
    report(db, admin, T1, "202602", "SUBMITTED", datetime(2026, 3, 2, 4, 0))
    report(db, admin, T3, "202601", "RETURNED", ON_TIME_FEB)     # back with the township: not submitted
    with db.session() as s:
        rows = c.completeness(s, "2026Q1", [T1, T2, T3], as_of=date(2026, 3, 20))
    # as of 20 March: January and February are due, March is not yet expected
    t1, t2, t3 = (row_of(rows, t) for t in (T1, T2, T3))
    assert (t1.expected, t1.submitted, t1.on_time, t1.late, t1.missing) == (2, 2, 2, 0, [])
    assert (t2.expected, t2.submitted, t2.on_time, t2.late, t2.missing) == (2, 1, 0, 1, ["202602"])
    assert t2.late_months == ["202601"]
    assert (t3.expected, t3.submitted, t3.missing) == (2, 0, ["202601", "202602"])
    assert t1.completeness_rate == Decimal("100.00") and t2.completeness_rate == Decimal("50.00")
    assert t2.timeliness_rate == Decimal("0.00") and t3.completeness_rate == Decimal("0.00")


def test_a_month_not_yet_due_is_not_expected_unless_submitted(db, admin):
    report(db, admin, T1, "202603", "SUBMITTED", datetime(2026, 3, 31, 4, 0))
    with db.session() as s:
        early = c.completeness(s, "202603", [T1, T2], as_of=date(2026, 4, 3))
        later = c.completeness(s, "202603", [T1, T2], as_of=date(2026, 4, 6))
    assert [(r.expected, r.on_time, r.missing) for r in early] == [(1, 1, []), (0, 0, [])]
    assert row_of(early, T2).completeness_rate is None
    assert [(r.expected, r.on_time, r.missing) for r in later] == [(1, 1, []), (1, 0, ["202603"])]


def test_the_due_day_is_a_setting(db, admin):
    report(db, admin, T1, "202601", "SUBMITTED", datetime(2026, 2, 8, 4, 0))
    with db.session() as s:
        assert row_of(c.completeness(s, "202601", [T1], as_of=date(2026, 3, 1)), T1).late == 1
    with db.session(admin) as s:
        settings.put(s, admin, "mch.due_day", 10)
    with db.session() as s:
        assert row_of(c.completeness(s, "202601", [T1], as_of=date(2026, 3, 1)), T1).on_time == 1


def test_resubmission_after_return_is_judged_by_its_new_time(db, admin, clerk, supervisor):
    with db.session(clerk) as s:
        workflow.submit(s, clerk, T1, "202601")
    report(db, admin, T1, "202601", "SUBMITTED", ON_TIME_FEB)
    with db.session(supervisor) as s:
        workflow.return_report(s, supervisor, T1, "202601", "活产数有误")
    with db.session() as s:
        assert row_of(c.completeness(s, "202601", [T1], as_of=date(2026, 2, 10)), T1).missing == ["202601"]
    with db.session(clerk) as s:
        workflow.submit(s, clerk, T1, "202601")    # now: long after 5 February
    with db.session() as s:
        r = row_of(c.completeness(s, "202601", [T1]), T1)
    assert (r.submitted, r.late, r.on_time) == (1, 1, 0)


def test_all_townships_and_a_closed_one(db, admin):
    with db.session(admin) as s:
        orgunits.close_unit(s, admin, T3, date(2026, 2, 15))
    with db.session() as s:
        rows = c.completeness(s, "2026Q1", as_of=date(2026, 5, 1))
        later = c.completeness(s, "2026Q2", as_of=date(2026, 8, 1))
    assert len(rows) == 24 and row_of(rows, T3).expected == 2          # January and February only
    assert row_of(rows, T1).expected == 3
    assert len(later) == 23 and T3 not in {r.township_code for r in later}


def test_missing_or_late_for_the_start_page(db, admin):
    report(db, admin, T1, "202601", "APPROVED", ON_TIME_FEB)
    report(db, admin, T1, "202602", "SUBMITTED", datetime(2026, 3, 9, 16, 0))
    with db.session() as s:
        found = c.missing_or_late(s, date(2026, 4, 3), [T1, T2])
    assert [(m.township_code, m.period, m.status) for m in found] == [
        (T2, "202601", "MISSING"), (T1, "202602", "LATE"), (T2, "202602", "MISSING"),
        (T1, "202603", "PENDING"), (T2, "202603", "PENDING")]
    late = found[1]
    assert late.days_late in (4, 5) and late.label.startswith("梨树镇 2026年2月月报迟报")
    assert found[0].label == "郭家店镇 2026年1月月报未上报（已过截止日 57 天）"
    assert found[3].label == "梨树镇 2026年3月月报待上报（4月5日截止）"


def test_in_january_the_panel_shows_last_year(db, admin):
    with db.session() as s:
        found = c.missing_or_late(s, date(2027, 1, 3), [T1])
    assert [m.period for m in found] == [f"2026{m:02d}" for m in range(1, 13)]
    assert [m.status for m in found][-1] == "PENDING" and found[0].status == "MISSING"
