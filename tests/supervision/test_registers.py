"""双随机抽查 tasks and 投诉举报 complaints in core: a task or complaint read back for the form, the list
filters the registers use (due period, status, overdue, channel, text), the linked case shown by its number,
and the completion rate after completing."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from core.errors import DataError
from core.supervision import complaints as cp
from core.supervision import random_tasks as rt
from db.models.supervision import Case
from tests.supervision.factory import CLINIC_CODE, new_case

TODAY = date.today()


@pytest.fixture
def tasks(db, admin):
    with db.session(admin) as s:
        a, _ = rt.save_task(s, admin, rt.TaskInput(level="县抽", target_name="梨树县康宁诊所", target_code=CLINIC_CODE,
                                                   task_no="SJ-1", inspectors=["张伟", "李娜"], township="220322100",
                                                   due_on=TODAY - timedelta(days=2)))
        b, _ = rt.save_task(s, admin, rt.TaskInput(level="省抽", target_name="东风浴池", due_on=TODAY + timedelta(days=5)))
        c, _ = rt.save_task(s, admin, rt.TaskInput(level="县抽", target_name="红旗宾馆", due_on=TODAY - timedelta(days=400),
                                                   year=(TODAY - timedelta(days=400)).year))
    return a, b, c


def test_a_task_reads_back_as_the_form_edits_it(db, admin, tasks):
    a, _, _ = tasks
    with db.session(admin) as s:
        data, version = rt.load_task(s, admin, a)
    assert (data.level, data.target_name, data.target_code, data.task_no) == ("COUNTY", "梨树县康宁诊所", CLINIC_CODE, "SJ-1")
    assert (data.inspectors, data.township, data.due_on, data.done_on, version) == \
        ("张伟、李娜", "220322100", TODAY - timedelta(days=2), None, 1)
    data.target_name = "梨树县康宁中医诊所"
    with db.session(admin) as s:
        assert rt.save_task(s, admin, data, task_id=a, expected_version=version) == (a, 2)
    with pytest.raises(DataError):
        with db.session(admin) as s:
            rt.load_task(s, admin, 9999)


def test_list_filters(db, admin, tasks):
    a, b, c = tasks
    start, end = date(TODAY.year - 1, 1, 1), date(TODAY.year + 1, 12, 31)
    with db.session(admin) as s:
        ids = lambda **kw: {t.id for t in rt.list_tasks(s, admin, **kw)}    # noqa: E731
        assert ids() == {a, b, c}
        assert ids(overdue=True) == {a, c}
        assert ids(level="PROVINCIAL") == {b}
        assert ids(text="康宁") == ids(text=CLINIC_CODE[-6:].lower()) == ids(text="SJ-1") == {a}
        past = TODAY - timedelta(days=400)
        assert ids(due_from=date(past.year, 1, 1), due_to=date(past.year, 12, 31)) == {c}
        assert c not in ids(due_from=TODAY - timedelta(days=30), due_to=end)
        assert ids(due_from=start, due_to=end) >= {a, b}
        rt.complete_task(s, admin, a, TODAY, "合格")
    with db.session(admin) as s:
        assert {t.id for t in rt.list_tasks(s, admin, done=True)} == {a}
        assert {t.id for t in rt.list_tasks(s, admin, overdue=True)} == {c}
        rows = {t.id: t for t in rt.list_tasks(s, admin)}
    assert rows[a].status == "已完成（超时限）"      # done today, due two days ago
    assert rows[b].status == "未完成" and rows[c].status == "逾期未完成"


def test_completion_changes_and_the_linked_case_is_named(db, admin):
    case_id = new_case(db, admin, filed_on=TODAY - timedelta(days=1), offence_on=TODAY - timedelta(days=3),
                       source="RANDOM")
    due = TODAY + timedelta(days=3)
    with db.session(admin) as s:
        t1, _ = rt.save_task(s, admin, rt.TaskInput(level="市抽", target_name="甲诊所", due_on=due))
        t2, _ = rt.save_task(s, admin, rt.TaskInput(level="市抽", target_name="乙诊所", due_on=due))
        total = rt.completion(s, due, due)[-1]
        assert (total.total, total.done, total.rate) == (2, 0, 0)
        warnings = rt.complete_task(s, admin, t1, TODAY, "不合格（立案查处）", case_id=case_id)
        assert warnings == []
        city = {c.level: c for c in rt.completion(s, due, due)}["CITY"]
        assert (city.total, city.done, city.on_time, city.cases, str(city.rate)) == (2, 1, 1, 1, "50.00")
        rows = {t.id: t for t in rt.list_tasks(s, admin)}
        number = s.get(Case, case_id).number
    assert rows[t1].case_number == (number or "（未编号）") and rows[t2].case_number == ""


def test_a_complaint_reads_back_and_the_list_filters(db, admin):
    case_id = new_case(db, admin, filed_on=TODAY - timedelta(days=1), offence_on=TODAY - timedelta(days=3),
                       source="COMPLAINT")
    with db.session(admin) as s:
        x, _ = cp.save_complaint(s, admin, cp.ComplaintInput(received_on=TODAY - timedelta(days=3), channel="12345",
                                                            ref_no="GD001", subject="碧波游泳馆", content="池水浑浊",
                                                            category="公共场所卫生"))
        y, _ = cp.save_complaint(s, admin, cp.ComplaintInput(received_on=TODAY, channel="电话", subject="某诊所"))
        data, version = cp.load_complaint(s, admin, x)
        assert (data.channel, data.ref_no, data.subject, data.content, data.category, version) == \
            ("12345", "GD001", "碧波游泳馆", "池水浑浊", "PUBLIC_PLACE", 1)
        cp.handle_complaint(s, admin, x, TODAY, "属实", "满意", case_id=case_id)
    with db.session(admin) as s:
        ids = lambda **kw: [c.id for c in cp.list_complaints(s, admin, **kw)]    # noqa: E731
        assert ids() == [y, x]                                   # newest first
        assert ids(channel="12345") == [x] and ids(channel="12320") == []
        assert ids(handled=True) == [x] and ids(handled=False) == [y]
        assert ids(text="GD0") == ids(text="碧波") == [x]
        row = cp.list_complaints(s, admin, channel="12345")[0]
        assert row.status == "已办结" and row.case_number and row.satisfaction == "满意"
        total = cp.summary(s, TODAY - timedelta(days=10), TODAY)[-1]
        assert (total.received, total.handled, str(total.rate), str(total.satisfaction_rate)) == (2, 1, "50.00", "100.00")
