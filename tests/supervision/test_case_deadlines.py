"""Every statutory time limit at its boundary (the last day allowed vs the day after), across weekends,
across the 2025 National Day holiday with its 调休 working days, the extensions and the paused days, the
15 days to pay and the 3%/day surcharge capped at the fine; then overdue cases from the database."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from core import settings
from core.supervision import case_deadlines as cd
from core.supervision import case_stages as st
from core.supervision.working_days import shipped_calendar
from tests.supervision.factory import new_case, run

CTX = cd.DeadlineContext(shipped_calendar(), cd.Limits())


@dataclass
class Pen:
    kind: str
    amount: Decimal | None = None


@dataclass
class FakeCase:
    """The attributes deadlines read, without a database."""
    procedure: str = "NORMAL"
    stage: str = "FILED"
    outcome: str | None = None
    penalties: list = field(default_factory=list)
    offence_on: date | None = None
    endangers_life: bool = False
    lead_on: date | None = None
    filed_on: date | None = None
    investigated_on: date | None = None
    notice_on: date | None = None
    rights_waived: bool = False
    hearing_requested_on: date | None = None
    hearing_notice_on: date | None = None
    hearing_on: date | None = None
    decided_on: date | None = None
    served_on: date | None = None
    effective_on: date | None = None
    paid_on: date | None = None
    executed_on: date | None = None
    no_penalty_on: date | None = None
    revoked_on: date | None = None
    not_filed_on: date | None = None
    closed_on: date | None = None
    paused_days: int = 0
    filing_extended_on: date | None = None
    extension_head_on: date | None = None
    extension_collective_on: date | None = None
    report1_on: date | None = None
    report2_on: date | None = None
    execution_mode: str = ""


def one(case, code, as_of, ctx=CTX) -> cd.Deadline:
    found = [x for x in cd.deadlines(case, as_of, ctx) if x.code == code]
    assert len(found) == 1, [x.code for x in cd.deadlines(case, as_of, ctx)]
    return found[0]


def fined(amount="1000", **kw) -> FakeCase:
    base = dict(outcome="PENALTY", stage="SERVED", filed_on=date(2025, 1, 2), decided_on=date(2025, 2, 27),
                served_on=date(2025, 3, 3), penalties=[Pen("FINE", Decimal(amount))])
    base.update(kw)
    return FakeCase(**base)


# -- 立案: 7 working days from the lead -----------------------------------------------------------

def test_filing_within_seven_working_days_across_a_weekend():
    lead = FakeCase(stage="LEAD", filed_on=None, lead_on=date(2025, 3, 6))       # Thursday
    x = one(lead, "FILING", date(2025, 3, 17))
    assert x.due == date(2025, 3, 17) and not x.overdue and x.days_left == 0    # Fri 7 … Mon 17 = 7th
    assert one(lead, "FILING", date(2025, 3, 18)).overdue
    lead.filed_on = date(2025, 3, 17)
    assert not one(lead, "FILING", date(2025, 4, 1)).overdue
    lead.filed_on = date(2025, 3, 18)
    late = one(lead, "FILING", date(2025, 4, 1))
    assert late.overdue and late.done == date(2025, 3, 18) and late.days_left == -1


def test_filing_across_national_day_and_the_extension():
    lead = FakeCase(stage="LEAD", filed_on=None, lead_on=date(2025, 9, 26))
    # 28 (Sunday, 调休), 29, 30, 9 Oct, 10, 11 (Saturday, 调休), 13
    assert one(lead, "FILING", date(2025, 10, 1)).due == date(2025, 10, 13)
    lead.filing_extended_on = date(2025, 10, 9)
    assert one(lead, "FILING", date(2025, 10, 14)).due == date(2025, 10, 22)


# -- 决定: 90 calendar days from 立案 --------------------------------------------------------------

def test_decision_day_90_is_in_time_and_day_91_is_late():
    case = FakeCase(filed_on=date(2025, 1, 2))
    x = one(case, "DECISION", date(2025, 4, 2))
    assert x.due == date(2025, 4, 2) and not x.overdue and x.days_left == 0      # the 90th day
    y = one(case, "DECISION", date(2025, 4, 3))
    assert y.overdue and y.days_left == -1 and y.days_overdue == 1             # the 91st
    case.decided_on = date(2025, 4, 2)
    assert not one(case, "DECISION", date(2025, 6, 1)).overdue
    case.decided_on = date(2025, 4, 3)
    assert one(case, "DECISION", date(2025, 6, 1)).overdue
    case.decided_on, case.no_penalty_on = None, date(2025, 4, 2)               # 不予处罚 also ends the period
    assert one(case, "DECISION", date(2025, 6, 1)).done == date(2025, 4, 2)


def test_decision_extensions_paused_days_and_the_roll_over():
    case = FakeCase(filed_on=date(2025, 1, 2), extension_head_on=date(2025, 3, 20))
    # +60 = 150 days → Sunday 1 June 2025, Monday 2 June is 端午节: the period ends Tuesday 3 June
    assert one(case, "DECISION", date(2025, 5, 1)).due == date(2025, 6, 3)
    case.extension_collective_on = date(2025, 5, 20)
    assert one(case, "DECISION", date(2025, 5, 20)).due == date(2025, 7, 1)    # +30 → 180 days
    paused = FakeCase(filed_on=date(2025, 1, 2), paused_days=10)
    assert one(paused, "DECISION", date(2025, 3, 1)).due == date(2025, 4, 14)  # Saturday 12 April → Monday
    strict = cd.DeadlineContext(CTX.calendar, cd.Limits(roll_to_working_day=False))
    assert one(paused, "DECISION", date(2025, 3, 1), strict).due == date(2025, 4, 12)


# -- 听证: request within 5 working days of the notice; notice 7 working days before ---------------

def test_hearing_request_five_working_days_across_a_weekend():
    case = FakeCase(stage="NOTICE", filed_on=date(2025, 2, 3), notice_on=date(2025, 3, 6))   # Thursday
    x = one(case, "HEARING_REQUEST", date(2025, 3, 10))
    assert x.due == date(2025, 3, 13) and x.party and x.open
    lapsed = one(case, "HEARING_REQUEST", date(2025, 3, 14))
    assert not lapsed.overdue and not lapsed.open and lapsed.status_text == "期满未行使"   # a right, not a duty
    case.hearing_requested_on = date(2025, 3, 13)
    assert not one(case, "HEARING_REQUEST", date(2025, 3, 20)).overdue
    case.hearing_requested_on = date(2025, 3, 14)
    assert one(case, "HEARING_REQUEST", date(2025, 3, 20)).overdue               # asked too late


def test_hearing_request_across_national_day():
    case = FakeCase(stage="NOTICE", filed_on=date(2025, 8, 1), notice_on=date(2025, 9, 26))
    assert one(case, "HEARING_REQUEST", date(2025, 9, 29)).due == date(2025, 10, 10)
    case.hearing_requested_on = date(2025, 10, 11)        # Saturday, but a 调休 working day: the 6th
    assert one(case, "HEARING_REQUEST", date(2025, 10, 13)).overdue


def test_hearing_notice_seven_working_days_before_the_hearing():
    case = FakeCase(stage="HEARING", filed_on=date(2025, 8, 1), notice_on=date(2025, 9, 15),
                    hearing_requested_on=date(2025, 9, 17), hearing_on=date(2025, 10, 16),
                    hearing_notice_on=date(2025, 9, 30))
    x = one(case, "HEARING_NOTICE", date(2025, 10, 1))
    assert x.due == date(2025, 9, 30) and not x.overdue         # 9 Oct … 16 Oct are 7 working days (11th incl.)
    case.hearing_notice_on = date(2025, 10, 9)
    assert one(case, "HEARING_NOTICE", date(2025, 10, 9)).overdue


def test_no_hearing_deadline_when_rights_waived():
    case = FakeCase(stage="NOTICE", filed_on=date(2025, 2, 3), notice_on=date(2025, 3, 6), rights_waived=True)
    assert "HEARING_REQUEST" not in [x.code for x in cd.deadlines(case, date(2025, 3, 7), CTX)]


# -- 送达: 7 working days after the decision -------------------------------------------------------

def test_service_seven_working_days_across_a_weekend():
    case = FakeCase(stage="DECISION", outcome="PENALTY", filed_on=date(2025, 2, 3), decided_on=date(2025, 3, 12))
    assert one(case, "SERVICE", date(2025, 3, 21)).due == date(2025, 3, 21)
    assert not one(case, "SERVICE", date(2025, 3, 21)).overdue
    assert one(case, "SERVICE", date(2025, 3, 22)).overdue


def test_service_across_national_day_with_a_working_saturday():
    case = FakeCase(stage="DECISION", outcome="PENALTY", filed_on=date(2025, 8, 1), decided_on=date(2025, 9, 30))
    x = one(case, "SERVICE", date(2025, 10, 9))
    assert x.due == date(2025, 10, 16) and x.days_left == 7
    case.served_on = date(2025, 10, 16)
    assert not one(case, "SERVICE", date(2025, 10, 20)).overdue
    case.served_on = date(2025, 10, 17)
    assert one(case, "SERVICE", date(2025, 10, 20)).overdue


# -- 罚款: 15 days, then 3% a day, never more than the fine --------------------------------------------

def test_fine_paid_on_the_fifteenth_day_has_no_surcharge():
    case = fined(paid_on=date(2025, 3, 18))
    x = one(case, "PAYMENT", date(2025, 4, 1))
    assert x.due == date(2025, 3, 18) and not x.overdue and x.party
    assert cd.surcharge(case, date(2025, 4, 1), CTX) == Decimal("0.00")


def test_fine_paid_on_the_sixteenth_day_costs_three_percent():
    case = fined(paid_on=date(2025, 3, 19))
    assert one(case, "PAYMENT", date(2025, 4, 1)).overdue
    assert cd.surcharge(case, date(2025, 4, 1), CTX) == Decimal("30.00")


def test_unpaid_fine_surcharge_grows_daily_and_is_capped_at_the_fine():
    case = fined()
    assert cd.surcharge(case, date(2025, 3, 18), CTX) == Decimal("0.00")
    assert cd.surcharge(case, date(2025, 3, 20), CTX) == Decimal("60.00")
    assert cd.surcharge(case, date(2025, 4, 20), CTX) == Decimal("990.00")      # 33 days
    assert cd.surcharge(case, date(2025, 4, 21), CTX) == Decimal("1000.00")     # 34 days = 1,020 → the fine
    assert cd.surcharge(case, date(2026, 4, 21), CTX) == Decimal("1000.00")
    x = one(case, "PAYMENT", date(2025, 3, 20))
    assert x.overdue and x.open and "加处罚款 60.00 元" in x.note


def test_surcharge_rounds_half_up_to_the_cent():
    assert cd.surcharge(fined("333.35"), date(2025, 3, 19), CTX) == Decimal("10.00")   # 10.0005
    assert cd.surcharge(fined("333.15"), date(2025, 3, 19), CTX) == Decimal("9.99")    # 9.9945


def test_payment_period_ending_on_a_holiday_rolls_over():
    case = fined(served_on=date(2025, 9, 16), decided_on=date(2025, 9, 15))
    assert one(case, "PAYMENT", date(2025, 10, 1)).due == date(2025, 10, 9)
    assert cd.surcharge(case, date(2025, 10, 9), CTX) == Decimal("0.00")
    assert cd.surcharge(case, date(2025, 10, 10), CTX) == Decimal("30.00")


def test_no_payment_deadline_without_a_fine_or_with_instalments():
    assert "PAYMENT" not in [x.code for x in cd.deadlines(fined(penalties=[Pen("WARNING")]), date(2025, 4, 1), CTX)]
    assert "PAYMENT" not in [x.code for x in cd.deadlines(fined(execution_mode="INSTALMENT"), date(2025, 4, 1), CTX)]
    assert cd.surcharge(fined(execution_mode="INSTALMENT"), date(2025, 6, 1), CTX) == Decimal("0.00")


# -- 时效, 一案一卡 ----------------------------------------------------------------------------------

def test_limitation_two_years_or_five_where_life_and_health_were_endangered():
    case = FakeCase(stage="LEAD", filed_on=None, offence_on=date(2023, 1, 10), lead_on=date(2025, 1, 10))
    assert not one(case, "LIMITATION", date(2025, 1, 10)).overdue
    case.lead_on = date(2025, 1, 11)
    assert one(case, "LIMITATION", date(2025, 1, 11)).overdue
    case.endangers_life = True
    x = one(case, "LIMITATION", date(2025, 1, 11))
    assert x.due == date(2028, 1, 10) and not x.overdue


def test_case_card_reports_five_working_days_after_effect_and_after_closing():
    case = fined(filed_on=date(2025, 9, 1), served_on=date(2025, 9, 26), decided_on=date(2025, 9, 25), paid_on=date(2025, 9, 26),
                 executed_on=date(2025, 9, 26), closed_on=date(2025, 10, 9), stage="CLOSED")
    first = one(case, "REPORT1", date(2025, 10, 10))
    assert first.due == date(2025, 10, 10) and not first.overdue                 # 28 (调休), 29, 30, 9, 10
    assert one(case, "REPORT1", date(2025, 10, 11)).overdue
    second = one(case, "REPORT2", date(2025, 10, 15))
    assert second.due == date(2025, 10, 15) and not second.overdue               # 10, 11 (调休), 13, 14, 15
    assert one(case, "REPORT2", date(2025, 10, 16)).overdue
    case.report1_on, case.report2_on = date(2025, 10, 10), date(2025, 10, 15)
    assert not [x for x in cd.deadlines(case, date(2025, 12, 1), CTX) if x.overdue]
    simple = fined(procedure="SIMPLE", served_on=date(2025, 9, 25), decided_on=date(2025, 9, 25))
    assert "REPORT1" not in [x.code for x in cd.deadlines(simple, date(2025, 10, 20), CTX)]


def test_dates_after_as_of_have_not_happened_yet():
    case = FakeCase(filed_on=date(2025, 1, 2), decided_on=date(2025, 3, 1))
    x = one(case, "DECISION", date(2025, 2, 1))
    assert x.done is None and x.days_left == 60
    assert [x.code for x in cd.deadlines(case, date(2024, 12, 31), CTX)] == []


def test_next_deadline_is_the_open_one_due_first():
    case = fined(paid_on=None, served_on=date(2025, 3, 3))
    nxt = cd.next_deadline(case, date(2025, 3, 4), CTX)
    assert nxt.code == "REPORT1" and nxt.summary() == "一案一卡首次报告 2025-03-10（还剩 6 天）"
    case.report1_on = date(2025, 3, 5)
    nxt = cd.next_deadline(case, date(2025, 3, 19), CTX)
    assert nxt.code == "PAYMENT" and nxt.summary() == "当事人缴纳罚款 2025-03-18（已逾期 1 天）"


# -- from the database ------------------------------------------------------------------------------

def test_overdue_cases_as_of_a_date(db, admin):
    late = new_case(db, admin, filed_on=date(2025, 1, 2))                        # decision due 2 April
    run(db, admin, late, ("INVESTIGATED", date(2025, 3, 1)))
    ontime = new_case(db, admin, party_name="梨树县安康药店", filed_on=date(2025, 3, 3))   # 1 June → Tuesday 3 June
    fine = new_case(db, admin, party_name="梨树县明珠浴池", category="PUBLIC_PLACE", filed_on=date(2025, 1, 6))
    run(db, admin, fine, ("INVESTIGATED", date(2025, 1, 20)), ("NOTICE", date(2025, 1, 22)),
        ("DECISION", date(2025, 2, 10)), ("SERVED", date(2025, 2, 12)))      # fine due 27 February
    with db.session() as s:   # the 一案一卡 first report was due 5 working days after service: 19 February
        assert [(o.case_id, o.code) for o in cd.overdue_cases(s, date(2025, 2, 20))] == [(fine, "REPORT1")]
    with db.session(admin) as s:
        st.record_report(s, admin, fine, 1, date(2025, 2, 19))
    with db.session() as s:
        assert cd.overdue_cases(s, date(2025, 2, 27)) == []
        rows = cd.overdue_cases(s, date(2025, 4, 3))
        assert [(o.case_id, o.code, o.days_overdue) for o in rows] == [(fine, "PAYMENT", 35), (late, "DECISION", 1)]
        assert rows[1].deadline == "作出处理决定" and rows[1].due == date(2025, 4, 2)
        assert ontime not in [o.case_id for o in cd.overdue_cases(s, date(2025, 6, 3))]
        assert ontime in [o.case_id for o in cd.overdue_cases(s, date(2025, 6, 4))]
    with db.session(admin) as s:
        st.record_payment(s, admin, fine, date(2025, 2, 27))
    with db.session() as s:
        assert fine not in [o.case_id for o in cd.overdue_cases(s, date(2025, 4, 3))]


def test_limits_are_settings(db, admin):
    cid = new_case(db, admin, filed_on=date(2025, 1, 2))
    with db.session(admin) as s:
        settings.put(s, admin, "supervision.decision_days", 60)
    with db.session() as s:
        from db.models.supervision import Case
        x = one(s.get(Case, cid), "DECISION", date(2025, 3, 1), cd.DeadlineContext.for_session(s))
        assert x.due == date(2025, 3, 3)      # 60 days → Saturday 1 March → Monday 3 March
