"""The demo county's supervision data (``main.py demo``): cases in every stage with a few overdue, 双随机 tasks
and complaints made through the core services, so the registers, the start page and the SUP-* returns show
something; a second run adds nothing."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from core.demo import create_demo
from core.supervision import complaints as cp
from core.supervision import random_tasks as rt
from core.supervision.case_deadlines import overdue_cases
from core.supervision.case_list import CaseFilter, search_cases
from db.models.supervision import Case


def test_demo_supervision_data(empty_db, admin):
    r = create_demo(empty_db, admin, seed=2)
    assert (r.cases, r.random_tasks, r.complaints) == (30, 20, 15)
    today = date.today()
    with empty_db.session() as s:
        rows = search_cases(s, admin, CaseFilter(limit=None), today)
        stages = {row.stage for row in rows}
        assert {"LEAD", "FILED", "INVESTIGATED", "NOTICE", "DECISION", "SERVED", "EXECUTION", "CLOSED"} <= stages
        overdue = overdue_cases(s, today)
        assert 2 <= len(overdue) <= 4 and r.overdue_cases == len(overdue)
        assert sum(row.overdue for row in rows) == len(overdue)
        tasks = rt.list_tasks(s, admin)
        assert len(tasks) == 20 and sum(t.overdue for t in tasks) == 2
        assert sum(t.case_id is not None for t in tasks) == 2
        year = rt.completion(s, today - timedelta(days=400), today + timedelta(days=60))[-1]
        assert (year.total, year.done) == (20, 17) and year.cases == 2
        tally = cp.summary(s, today - timedelta(days=400), today)[-1]
        assert (tally.received, tally.handled, tally.cases) == (15, 12, 2)
        assert all("演示" in t.task_no for t in tasks)
    again = create_demo(empty_db, admin, seed=2)
    assert again.cases == 0
    with empty_db.session() as s:
        assert s.execute(select(func.count()).select_from(Case)).scalar_one() == 30
