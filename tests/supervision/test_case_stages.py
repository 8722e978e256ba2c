"""The case state machine: the lawful order of steps (an illegal jump refused with the reason), dates in
order, at least two officers, an amount for a fine, the simple procedure's limits, each step dated and
audited, and a supervisor taking a step back."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from core.errors import DataError, PermissionDenied, StaleRecord
from core.supervision import case_stages as st
from core.supervision import cases as cs
from db.models import AuditLog
from db.models.supervision import Case
from tests.supervision.factory import new_case, officers, person_id, run

D = date(2025, 1, 6)     # 立案 (Monday)


def full_path(db, actor, case_id):
    return run(db, actor, case_id, ("INVESTIGATED", date(2025, 2, 10)), ("NOTICE", date(2025, 2, 12)),
               ("DECISION", date(2025, 2, 24)), ("SERVED", date(2025, 2, 25)), ("EXECUTION", date(2025, 3, 5)),
               ("CLOSED", date(2025, 3, 7)))


def stage_of(db, case_id) -> str:
    with db.session() as s:
        return s.get(Case, case_id).stage


def refused(db, actor, case_id, stage, on) -> str:
    with pytest.raises(DataError) as e:
        with db.session(actor) as s:
            st.advance(s, actor, case_id, stage, on)
    return str(e.value)


def test_normal_procedure_from_filing_to_closing_is_dated_and_audited(db, clerk):
    cid = new_case(db, clerk, filed_on=D)
    result = full_path(db, clerk, cid)
    assert result.stage == "CLOSED" and result.number == "梨卫医罚〔2025〕1号"
    with db.session() as s:
        case = s.get(Case, cid)
        assert case.outcome == "PENALTY"
        assert (case.filed_on, case.decided_on, case.served_on, case.closed_on) == (D, date(2025, 2, 24), date(2025, 2, 25), date(2025, 3, 7))
        assert case.paid_on == date(2025, 3, 5)           # the fine: paid on the execution date
        assert [(e.stage, e.event_on) for e in case.events] == [
            ("FILED", D), ("INVESTIGATED", date(2025, 2, 10)), ("NOTICE", date(2025, 2, 12)),
            ("DECISION", date(2025, 2, 24)), ("SERVED", date(2025, 2, 25)), ("EXECUTION", date(2025, 3, 5)),
            ("CLOSED", date(2025, 3, 7))]
        event_audits = s.execute(select(AuditLog).where(AuditLog.table_name == "sup_case_event")).scalars().all()
        assert len(event_audits) == 7 and {a.actor for a in event_audits} == {"clerk"}
        stage_changes = [a for a in s.execute(select(AuditLog).where(AuditLog.table_name == "sup_case",
                                                                     AuditLog.action == "update")).scalars()
                         if '"stage"' in a.changes]
        assert len(stage_changes) == 6
        assert '"decided_on": [null, "2025-02-24"]' in next(a.changes for a in stage_changes if "decided_on" in a.changes)


def test_an_illegal_jump_is_refused_with_the_reason(db, admin):
    cid = new_case(db, admin, filed_on=D)
    run(db, admin, cid, ("INVESTIGATED", date(2025, 2, 10)), ("NOTICE", date(2025, 2, 12)))
    assert refused(db, admin, cid, "EXECUTION", date(2025, 3, 1)) == "不能从“告知”直接到“执行”：须先作出处罚决定并送达。"
    assert refused(db, admin, cid, "SERVED", date(2025, 3, 1)) == "不能从“告知”直接到“送达”：须先作出处罚决定。"
    assert "须先作出处理决定" in refused(db, admin, cid, "CLOSED", date(2025, 3, 1))
    assert "不能再回到或改为“立案”" in refused(db, admin, cid, "FILED", date(2025, 3, 1))
    assert stage_of(db, cid) == "NOTICE"
    other = new_case(db, admin, party_name="梨树县仁和诊所", filed_on=D)
    assert refused(db, admin, other, "DECISION", date(2025, 2, 1)) == \
        "不能从“立案”直接到“决定”：须先调查终结并事先告知当事人拟作出的处罚。"
    assert refused(db, admin, other, "NO_PENALTY", date(2025, 2, 1)) == "不能从“立案”直接到“不予处罚”：须先立案并调查终结。"


def test_after_closing_nothing_more_happens(db, admin):
    cid = new_case(db, admin, filed_on=D)
    full_path(db, admin, cid)
    assert refused(db, admin, cid, "DECISION", date(2025, 4, 1)).startswith("案件已结案，不能再办理“决定”")


def test_dates_must_follow_the_steps_they_come_after(db, admin):
    cid = new_case(db, admin, filed_on=D)
    run(db, admin, cid, ("INVESTIGATED", date(2025, 1, 20)), ("NOTICE", date(2025, 2, 1)))
    assert refused(db, admin, cid, "DECISION", date(2025, 1, 5)) == \
        "“决定”日期 2025-01-05 早于“立案”日期 2025-01-06，日期顺序不对。"
    assert refused(db, admin, cid, "DECISION", date(2025, 1, 25)) == \
        "“决定”日期 2025-01-25 早于“告知”日期 2025-02-01，日期顺序不对。"
    tomorrow = date.today() + timedelta(days=1)
    assert "晚于今天" in refused(db, admin, cid, "DECISION", tomorrow)
    run(db, admin, cid, ("DECISION", date(2025, 2, 3)))
    assert refused(db, admin, cid, "SERVED", date(2025, 2, 2)) == \
        "“送达”日期 2025-02-02 早于“决定”日期 2025-02-03，日期顺序不对。"
    run(db, admin, cid, ("SERVED", date(2025, 2, 3)))        # the same day is in order


def test_at_least_two_officers_with_certificates(db, admin):
    with db.session(admin) as s:          # a lead may be registered before officers are assigned
        lead = cs.save_case(s, admin, cs.CaseInput(**{**_form(filed_on=None, lead_on=date(2025, 1, 3)),
                                                      "officers": officers(1)}))
    assert "承办人" in lead.incomplete and lead.stage == "LEAD"
    msg = refused(db, admin, lead.id, "FILED", date(2025, 1, 6))
    assert msg.startswith("不能办理“立案”：执法人员不得少于两人")
    with pytest.raises(DataError) as e:
        with db.session(admin) as s:
            cs.save_case(s, admin, cs.CaseInput(**{**_form(), "officers": officers(1)}))
    assert "执法人员不得少于两人" in str(e.value)
    with pytest.raises(DataError) as e:
        with db.session(admin) as s:
            cs.save_case(s, admin, cs.CaseInput(**{**_form(), "officers": [cs.OfficerInput("张伟", "22030001"),
                                                                             cs.OfficerInput("李娜", "")]}))
    assert "承办人 李娜 缺少执法证号" in str(e.value)


def test_a_decision_needs_penalties_a_fine_amount_and_the_legal_text(db, admin):
    cid = new_case(db, admin, filed_on=D, penalties=[cs.PenaltyInput("罚款", None)], basis="")
    with db.session() as s:
        assert "罚款金额" in s.get(Case, cid).incomplete
    run(db, admin, cid, ("INVESTIGATED", date(2025, 2, 10)), ("NOTICE", date(2025, 2, 12)))
    msg = refused(db, admin, cid, "DECISION", date(2025, 2, 24))
    assert "罚款须填写金额（大于 0 元）" in msg and "须填写处罚依据" in msg
    none = new_case(db, admin, party_name="梨树县仁和诊所", filed_on=D, penalties=[])
    run(db, admin, none, ("INVESTIGATED", date(2025, 2, 10)), ("NOTICE", date(2025, 2, 12)))
    assert "至少要有一种处罚" in refused(db, admin, none, "DECISION", date(2025, 2, 24))
    run(db, admin, none, ("NO_PENALTY", date(2025, 2, 24)), ("CLOSED", date(2025, 2, 25)))
    with db.session() as s:
        assert s.get(Case, none).outcome == "NO_PENALTY"


def test_simple_procedure_limits_for_a_person_and_a_unit(db, admin):
    person = dict(party_type="PERSON", party_name="赵某", party_code=person_id(), legal_rep="", procedure="SIMPLE",
                  category="PUBLIC_PLACE", cause="从业人员未取得健康合格证明")
    ok = new_case(db, admin, **person, penalties=[cs.PenaltyInput("FINE", "200")])
    result = run(db, admin, ok, ("DECISION", D))
    with db.session() as s:
        case = s.get(Case, ok)
        assert case.served_on == D and st.next_stages(case) == ["EXECUTION"]   # handed over on the spot
    assert "当场罚款须先缴纳" in refused(db, admin, ok, "CLOSED", D)
    run(db, admin, ok, ("EXECUTION", D), ("CLOSED", D))
    assert result.number == "梨卫公罚〔2025〕1号"
    with pytest.raises(DataError) as e:
        new_case(db, admin, **person, penalties=[cs.PenaltyInput("FINE", "200.01")])
    assert "简易程序对个人罚款不能超过 200 元（本案 200.01 元）" in str(e.value)
    unit = dict(procedure="SIMPLE", category="PUBLIC_PLACE", cause="未按规定公示卫生信息")
    new_case(db, admin, **unit, penalties=[cs.PenaltyInput("FINE", "3000")])
    with pytest.raises(DataError) as e:
        new_case(db, admin, **unit, penalties=[cs.PenaltyInput("FINE", "3000.50")])
    assert "对单位罚款不能超过 3000 元" in str(e.value)
    with pytest.raises(DataError) as e:
        new_case(db, admin, **unit, penalties=[cs.PenaltyInput("LICENCE")])
    assert "简易程序只能给予警告或罚款" in str(e.value)
    warning = new_case(db, admin, **unit, party_name="梨树县丽人美发店", penalties=[cs.PenaltyInput("警告")])
    assert refused(db, admin, warning, "NOTICE", D).startswith("不能办理“告知”：简易程序当场作出处罚决定")
    run(db, admin, warning, ("DECISION", D), ("CLOSED", D))      # a warning needs no execution step
    assert stage_of(db, warning) == "CLOSED"


def test_simple_limits_are_settings(db, admin):
    from core import settings
    with db.session(admin) as s:
        settings.put(s, admin, "supervision.simple_fine_person", "500")
    new_case(db, admin, party_type="PERSON", party_name="赵某", party_code=person_id(), procedure="SIMPLE",
             penalties=[cs.PenaltyInput("FINE", "500")])


def test_a_supervisor_takes_the_last_step_back(db, admin, clerk, supervisor):
    cid = new_case(db, clerk, filed_on=D)
    run(db, clerk, cid, ("INVESTIGATED", date(2025, 2, 10)), ("NOTICE", date(2025, 2, 12)), ("DECISION", date(2025, 2, 24)))
    with pytest.raises(PermissionDenied):
        with db.session(clerk) as s:
            st.revert_stage(s, clerk, cid, "决定日期填错")
    with db.session(supervisor) as s:
        r = st.revert_stage(s, supervisor, cid, "决定日期填错")
    assert r.stage == "NOTICE"
    with db.session() as s:
        case = s.get(Case, cid)
        assert case.decided_on is None and case.outcome is None
        assert [(e.stage, e.reverted) for e in case.events][-1] == ("DECISION", True)
        assert "已撤回：决定日期填错" in case.events[-1].note
    run(db, clerk, cid, ("DECISION", date(2025, 2, 26)))
    with db.session() as s:
        assert s.get(Case, cid).decided_on == date(2025, 2, 26)


def test_lead_not_filed_and_case_revoked(db, admin):
    lead = new_case(db, admin, filed_on=None, lead_on=date(2025, 3, 3))
    assert "尚未立案的线索" not in refused(db, admin, lead, "REVOKED", date(2025, 3, 4))
    run(db, admin, lead, ("NOT_FILED", date(2025, 3, 5)))
    with db.session() as s:
        case = s.get(Case, lead)
        assert case.stage == "NOT_FILED" and case.outcome == "NOT_FILED" and case.number is None
    filed = new_case(db, admin, party_name="梨树县仁和诊所", filed_on=D)
    assert refused(db, admin, filed, "NOT_FILED", date(2025, 1, 8)) == \
        "不能办理“不予立案”：只有尚未立案的线索才能不予立案；已立案的案件可以撤销立案。"
    run(db, admin, filed, ("REVOKED", date(2025, 1, 20)), ("CLOSED", date(2025, 1, 21)))
    with db.session() as s:
        assert s.get(Case, filed).outcome == "REVOKED"


def test_hearing_request_notice_and_hearing(db, admin):
    cid = new_case(db, admin, filed_on=date(2025, 8, 1), penalties=[cs.PenaltyInput("FINE", "50000")])
    run(db, admin, cid, ("INVESTIGATED", date(2025, 9, 10)), ("NOTICE", date(2025, 9, 26)))
    assert "须先告知" not in refused(db, admin, cid, "SERVED", date(2025, 9, 29))
    run(db, admin, cid, ("HEARING", date(2025, 9, 30)))
    with db.session(admin) as s:
        late = st.record_hearing_notice(s, admin, cid, date(2025, 10, 9), date(2025, 10, 16))
    assert late and "最迟 2025-09-30" in late[0]
    with db.session(admin) as s:
        assert st.record_hearing_notice(s, admin, cid, date(2025, 9, 30), date(2025, 10, 16)) == []
        st.record_hearing_held(s, admin, cid, date(2025, 10, 16))
    result = run(db, admin, cid, ("DECISION", date(2025, 10, 20)))
    assert result.warnings == []
    with db.session() as s:
        case = s.get(Case, cid)
        assert [e.stage for e in case.events] == ["FILED", "INVESTIGATED", "NOTICE", "HEARING", "HEARING_NOTICE",
                                                  "HEARING_NOTICE", "HEARING_HELD", "DECISION"]


def test_deciding_inside_the_hearing_window_is_recorded_with_a_warning(db, admin):
    cid = new_case(db, admin, filed_on=date(2025, 8, 1))
    run(db, admin, cid, ("INVESTIGATED", date(2025, 9, 10)), ("NOTICE", date(2025, 9, 26)))
    result = run(db, admin, cid, ("DECISION", date(2025, 9, 30)))
    assert result.stage == "DECISION" and "2025-10-10 前要求听证" in result.warnings[0]


def test_no_penalty_after_the_limitation_period(db, admin):
    cid = new_case(db, admin, offence_on=date(2022, 12, 1), lead_on=date(2025, 1, 3), filed_on=D)
    run(db, admin, cid, ("INVESTIGATED", date(2025, 2, 10)), ("NOTICE", date(2025, 2, 12)))
    assert "违法行为已超过处罚时效（2024-12-01 前未被发现）" in refused(db, admin, cid, "DECISION", date(2025, 2, 24))
    serious = new_case(db, admin, party_name="梨树县仁和诊所", offence_on=date(2022, 12, 1), lead_on=date(2025, 1, 3),
                       filed_on=D, endangers_life=True)
    run(db, admin, serious, ("INVESTIGATED", date(2025, 2, 10)), ("NOTICE", date(2025, 2, 12)), ("DECISION", date(2025, 2, 24)))


def test_paused_days_and_extensions(db, admin):
    cid = new_case(db, admin, filed_on=D)
    with db.session(admin) as s:
        assert st.record_pause(s, admin, cid, date(2025, 2, 1), date(2025, 2, 10), "检测") == 10
    with pytest.raises(DataError) as e:
        with db.session(admin) as s:
            st.grant_extension(s, admin, cid, "COLLECTIVE", date(2025, 3, 1))
    assert "须先经负责人批准延长" in str(e.value)
    with db.session(admin) as s:
        assert st.grant_extension(s, admin, cid, "HEAD", date(2025, 4, 1), approver="局长 赵明") == []
    with db.session() as s:
        from core.supervision.case_deadlines import DeadlineContext, deadlines
        case = s.get(Case, cid)
        x = next(d for d in deadlines(case, date(2025, 4, 1), DeadlineContext.for_session(s)) if d.code == "DECISION")
        assert D + timedelta(days=160) == date(2025, 6, 15)   # 90 + 60 + 10 paused: a Sunday …
        assert x.due == date(2025, 6, 16) and "检测等10日不计入" in x.note.replace("听证、检测、鉴定等", "检测等")


def test_a_stale_version_is_refused(db, admin):
    cid = new_case(db, admin, filed_on=D)
    with db.session() as s:
        version = s.get(Case, cid).version
    run(db, admin, cid, ("INVESTIGATED", date(2025, 2, 10)))
    with pytest.raises(StaleRecord):
        with db.session(admin) as s:
            st.advance(s, admin, cid, "NOTICE", date(2025, 2, 12), expected_version=version)


def _form(**kw) -> dict:
    from tests.supervision.factory import case_input
    return case_input(**kw).__dict__.copy()


def test_replay_from_the_dates_of_an_imported_row(db, admin):
    cid = new_case(db, admin, filed_on=D)
    steps = st.steps_from_dates({"CLOSED": date(2025, 3, 7), "NOTICE": date(2025, 2, 12), "FILED": D,
                                 "DECISION": date(2025, 2, 24), "INVESTIGATED": date(2025, 2, 10),
                                 "SERVED": date(2025, 2, 25), "EXECUTION": date(2025, 3, 5), "HEARING": None})
    assert [s for s, _ in steps] == ["FILED", "INVESTIGATED", "NOTICE", "DECISION", "SERVED", "EXECUTION", "CLOSED"]
    with db.session(admin) as s:
        assert st.replay(s, admin, cid, steps).stage == "CLOSED"
    other = new_case(db, admin, party_name="梨树县仁和诊所", filed_on=D)
    with pytest.raises(DataError) as e:
        with db.session(admin) as s:
            st.replay(s, admin, other, [("FILED", D), ("DECISION", date(2025, 2, 24)), ("CLOSED", date(2025, 3, 7))])
    assert "不能从“立案”直接到“决定”" in str(e.value)
    assert stage_of(db, other) == "FILED"                # the whole row is refused, nothing half-done
