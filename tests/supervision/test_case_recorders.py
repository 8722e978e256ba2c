"""The recorders of the case screen change the deadlines they feed: 中止 and 恢复 move the decision
deadline (and block the decision while paused), an extension records who approved it and the new limit,
payments with amounts add up and stop the surcharge once the fine is paid, and the surcharge does not
run while the party's reconsideration is pending (行政处罚法 Art. 73)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from core.errors import DataError
from core.supervision import case_deadlines as cd
from core.supervision import case_stages as st
from core.supervision import cases as cs
from db.models.supervision import Case
from tests.supervision.factory import new_case, run

D = date(2025, 1, 6)     # 立案 (Monday): 90 days → 6 April (Sunday, 清明 holiday) → due 7 April


def deadline(db, cid, code, as_of):
    with db.session() as s:
        case = s.get(Case, cid)
        found = [x for x in cd.deadlines(case, as_of, cd.DeadlineContext.for_session(s)) if x.code == code]
        return found[0] if found else None


def call(db, actor, fn, *args, **kw):
    with db.session(actor) as s:
        return fn(s, actor, *args, **kw)


def refused(db, actor, fn, *args, **kw) -> str:
    with pytest.raises(DataError) as e:
        call(db, actor, fn, *args, **kw)
    return str(e.value)


def served(db, actor, **kw) -> int:
    """Fine 3,000 元 served on 25 February 2025: payment due 12 March."""
    cid = new_case(db, actor, filed_on=D, **kw)
    run(db, actor, cid, ("INVESTIGATED", date(2025, 2, 10)), ("NOTICE", date(2025, 2, 12)),
        ("DECISION", date(2025, 2, 24)), ("SERVED", date(2025, 2, 25)))
    return cid


def test_pause_and_resumption_move_the_decision_deadline(db, clerk):
    cid = new_case(db, clerk, filed_on=D)
    before = deadline(db, cid, "DECISION", date(2025, 2, 1)).due
    assert before == date(2025, 4, 7)
    due = call(db, clerk, st.record_pause_start, cid, date(2025, 2, 3), "送检（检测）")
    assert due == date(2025, 4, 7)                        # on its first day the pause has cost one day … of 4/6
    while_paused = deadline(db, cid, "DECISION", date(2025, 2, 20))
    assert while_paused.due == date(2025, 4, 24) and "自 2025-02-03 起中止计算" in while_paused.note
    assert "请先登记恢复计算" in refused(db, clerk, st.record_pause_start, cid, date(2025, 2, 4), "鉴定")
    run(db, clerk, cid, ("INVESTIGATED", date(2025, 2, 10)), ("NOTICE", date(2025, 2, 12)))
    with pytest.raises(DataError) as e:
        run(db, clerk, cid, ("DECISION", date(2025, 2, 24)))
    assert "案件自 2025-02-03 起中止计算办案期限，请先登记“恢复计算”" in str(e.value)
    assert "早于中止日期" in refused(db, clerk, st.record_pause_end, cid, date(2025, 2, 1))
    assert call(db, clerk, st.record_pause_end, cid, date(2025, 3, 5), "检测报告已出具") == 30
    after = deadline(db, cid, "DECISION", date(2025, 3, 6))
    assert after.due == date(2025, 5, 6)                  # 6 Jan + 90 + 30 = 5 May (劳动节 holiday) → 6 May
    assert "30日不计入" in after.note and "中止计算（" not in after.note
    assert "没有中止计算" in refused(db, clerk, st.record_pause_end, cid, date(2025, 3, 6))
    with db.session() as s:
        events = [(e.stage, e.event_on) for e in s.get(Case, cid).events]
    assert ("PAUSE_START", date(2025, 2, 3)) in events and ("PAUSE_END", date(2025, 3, 5)) in events
    run(db, clerk, cid, ("DECISION", date(2025, 3, 10)))


def test_an_extension_records_who_approved_it_and_the_new_limit(db, clerk):
    cid = new_case(db, clerk, filed_on=D)
    assert "请填写批准人" in refused(db, clerk, st.grant_extension, cid, "HEAD", date(2025, 3, 20))
    assert call(db, clerk, st.grant_extension, cid, "HEAD", date(2025, 3, 20), approver="局长 赵明") == []
    x = deadline(db, cid, "DECISION", date(2025, 3, 21))
    assert x.due == date(2025, 6, 5) and "负责人批准延长60日" in x.note       # 6 Jan + 150 days
    with db.session() as s:
        event = s.get(Case, cid).events[-1]
        assert (event.stage, event.note) == ("EXTEND_HEAD", "批准：局长 赵明；新期限 2025-06-05")
    late = call(db, clerk, st.grant_extension, cid, "COLLECTIVE", date(2025, 6, 10), approver="局务会议")
    assert late and "晚于原期限 2025-06-05" in late[0]
    assert deadline(db, cid, "DECISION", date(2025, 6, 10)).due == date(2025, 7, 7)   # +30: 5 July (Sat) → 7 July


def test_payments_add_up_and_stop_the_surcharge_when_the_fine_is_paid(db, clerk):
    cid = served(db, clerk)
    assert deadline(db, cid, "PAYMENT", date(2025, 3, 1)).due == date(2025, 3, 12)
    assert "缴纳金额：金额不能为负数" in refused(db, clerk, st.record_payment, cid, date(2025, 3, 10), amount="-5")
    warnings = call(db, clerk, st.record_payment, cid, date(2025, 3, 10), amount="1,000")
    assert warnings == ["已登记部分缴纳：尚欠罚款 2000.00 元。"]
    with db.session() as s:
        case = s.get(Case, cid)
        assert case.paid_on is None and case.paid_amount == Decimal("1000.00")
        status = cd.payment_status(case, date(2025, 3, 14), cd.DeadlineContext.for_session(s))
    assert status.owed == Decimal("2000.00") and status.surcharge == Decimal("180.00") and status.running
    assert "已缴 1,000.00 元，尚欠 2,000.00 元" in status.text() and "加处罚款 180.00 元（仍在计算）" in status.text()
    open_ = deadline(db, cid, "PAYMENT", date(2025, 3, 14))
    assert open_.done is None and open_.overdue and open_.note == "加处罚款 180.00 元"

    assert "早于上一次缴纳的日期" in refused(db, clerk, st.record_payment, cid, date(2025, 3, 9), amount="2000")
    warnings = call(db, clerk, st.record_payment, cid, date(2025, 3, 15), amount="2000.00", note="票据 0012")
    assert warnings[0] == "逾期缴纳罚款，依法应加处罚款 270.00 元（行政处罚法第七十二条）。"   # 3 days × 90
    assert "加处罚款 270.00 元尚有 270.00 元未缴纳" in warnings[1]
    done = deadline(db, cid, "PAYMENT", date(2025, 4, 30))
    assert done.done == date(2025, 3, 15) and done.status_text == "2025-03-15 完成，逾期 3 天"
    with db.session() as s:
        case = s.get(Case, cid)
        assert cd.surcharge(case, date(2025, 4, 30)) == Decimal("270.00")     # stopped on the payment date
        assert case.events[-1].note == "缴纳 2000.00 元，罚款已缴清（累计 3000.00 元）；票据 0012"
    assert "已于 2025-03-15 缴清" in refused(db, clerk, st.record_payment, cid, date(2025, 3, 16), amount="10")


def test_no_surcharge_while_reconsideration_is_pending_and_none_once_revoked(db, admin):
    cid = served(db, admin)
    with db.session() as s:   # the unpaid fine, 10 days past 12 March: 900 元
        assert cd.surcharge(s.get(Case, cid), date(2025, 3, 22)) == Decimal("900.00")
    with db.session() as s:
        data, version = cs.load_input(s, cid)
    data.review_applied_on = date(2025, 3, 15)
    with db.session(admin) as s:
        cs.save_case(s, admin, data, case_id=cid, expected_version=version)
    with db.session() as s:
        case = s.get(Case, cid)
        assert cd.surcharge(case, date(2025, 3, 22)) == Decimal("180.00")    # 13 and 14 March; from the 15th in review
        assert cd.surcharge(case, date(2025, 3, 14)) == Decimal("180.00")
        status = cd.payment_status(case, date(2025, 3, 22))
        assert not status.running and "复议、诉讼期间不计加处罚款" in deadline(db, cid, "PAYMENT", date(2025, 3, 22)).note
        data, version = cs.load_input(s, cid)
    data.review_decided_on, data.review_result = date(2025, 4, 1), "UPHELD"
    with db.session(admin) as s:
        cs.save_case(s, admin, data, case_id=cid, expected_version=version)
    with db.session() as s:   # counting again from 2 April: 2 + 4 days
        assert cd.surcharge(s.get(Case, cid), date(2025, 4, 5)) == Decimal("540.00")
    data.review_result = "REVOKED"
    with db.session() as s:
        version = s.get(Case, cid).version
    with db.session(admin) as s:
        cs.save_case(s, admin, data, case_id=cid, expected_version=version)
    assert deadline(db, cid, "PAYMENT", date(2025, 4, 5)) is None
    with db.session() as s:
        case = s.get(Case, cid)
        assert cd.surcharge(case, date(2025, 4, 5)) == Decimal("0.00")
        assert "处罚决定已被撤销" in cd.payment_status(case, date(2025, 4, 5)).text()


def test_instalments_have_no_payment_deadline(db, admin):
    cid = served(db, admin)
    with db.session() as s:
        data, version = cs.load_input(s, cid)
    data.execution_mode = "分期缴纳"
    with db.session(admin) as s:
        cs.save_case(s, admin, data, case_id=cid, expected_version=version)
    assert deadline(db, cid, "PAYMENT", date(2025, 4, 5)) is None


def test_case_state_says_which_recorders_apply(db, clerk):
    cid = new_case(db, clerk, filed_on=D)
    with db.session() as s:
        state = st.case_state(s, cid, date(2025, 2, 1))
    assert state.payment is None and state.recorders["PAUSE_START"] is None and state.recorders["EXTEND"] is None
    assert state.recorders["PAYMENT"] == "本案没有罚款决定，无需登记缴纳。"
    assert state.recorders["PAUSE_END"] and state.recorders["HEARING_NOTICE"]
    call(db, clerk, st.record_pause_start, cid, date(2025, 2, 3), "检测")
    with db.session() as s:
        state = st.case_state(s, cid, date(2025, 2, 5))
    assert state.paused_from == date(2025, 2, 3) and state.recorders["PAUSE_END"] is None
    assert "已自 2025-02-03 起中止" in state.recorders["PAUSE_START"]
    fined = served(db, clerk, party_name="梨树县仁和诊所")
    with db.session() as s:
        state = st.case_state(s, fined, date(2025, 3, 1))
    assert state.recorders["PAYMENT"] is None and state.payment.due == date(2025, 3, 12)
    assert state.recorders["PAUSE_START"] and state.recorders["EXTEND"]
