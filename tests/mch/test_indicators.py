"""Indicators from counts worked out by hand: months, quarters, years, the October statistical year
and month ranges; point-in-time elements; zero denominators; rates above 100 %."""
from __future__ import annotations

from decimal import Decimal

import pytest

from core.errors import DataError, PermissionDenied
from core.mch import values, workflow
from core.mch.aggregation import aggregate, county_total
from core.mch.indicators import BY_CODE, DASH, compute
from core.periods import parse_period

T1, T2 = "220322100", "220322101"


def put(db, actor, town, period, **counts):
    with db.session(actor) as s:
        for key, v in counts.items():
            element, _, option = key.partition("__")
            values.save_value(s, actor, town, period, "MCH_" + element, option, v)


def agg(db, period, towns=(T1, T2)):
    with db.session() as s:
        return aggregate(s, parse_period(period), list(towns))


def test_rates_from_summed_counts_not_averaged(db, admin):
    # T1: Jan 200 births (100 M + 100 F), 1 infant death; Feb 100 births, 2 infant deaths
    put(db, admin, T1, "202401", LIVE_BIRTHS__MALE=100, LIVE_BIRTHS__FEMALE=100, INFANT_DEATHS=1, NEONATAL_DEATHS=1)
    put(db, admin, T1, "202402", LIVE_BIRTHS__MALE=60, LIVE_BIRTHS__FEMALE=40, INFANT_DEATHS=2, NEONATAL_DEATHS=0)
    # T2: Jan 50 births, 0 deaths; maternal death 1
    put(db, admin, T2, "202401", LIVE_BIRTHS__MALE=20, LIVE_BIRTHS__FEMALE=30, INFANT_DEATHS=0, MATERNAL_DEATHS=1)
    q1 = agg(db, "2024Q1")
    assert q1[T1].get("MCH_LIVE_BIRTHS") == 300 and q1[T1].get("MCH_LIVE_BIRTHS", "MALE") == 160
    # T1 Q1 infant mortality = 3 / 300 × 1000 = 10.00 ‰ (averaging the monthly rates would give 12.50)
    assert compute(BY_CODE["INFANT_MORTALITY"], q1[T1]) == Decimal("10.00")
    county = county_total(q1)
    # county: 3 / 350 × 1000 = 8.571… → 8.57
    assert compute(BY_CODE["INFANT_MORTALITY"], county) == Decimal("8.57")
    # maternal mortality: 1 / 350 × 100000 = 285.714… → 285.71 /10万
    assert compute(BY_CODE["MATERNAL_MORTALITY"], county) == Decimal("285.71")
    # neonatal: 1 / 300 × 1000 = 3.333 → 3.33
    assert compute(BY_CODE["NEONATAL_MORTALITY"], q1[T1]) == Decimal("3.33")
    # T2 reported no neonatal deaths at all: blank, not zero → "—"
    assert compute(BY_CODE["NEONATAL_MORTALITY"], q1[T2]) == DASH


def test_half_up_rounding_and_zero_denominator(db, admin):
    # 1 / 8 × 100 = 12.5 exactly; 1/16*100 = 6.25; 1/32*100=3.125 → half up 3.13 (banker's would give 3.12)
    put(db, admin, T1, "202403", LIVE_BIRTHS__MALE=32, LIVE_BIRTHS__FEMALE=0, HOSPITAL_DELIVERIES=1)
    assert compute(BY_CODE["HOSPITAL_DELIVERY"], agg(db, "202403")[T1]) == Decimal("3.13")
    put(db, admin, T2, "202403", LIVE_BIRTHS__MALE=0, LIVE_BIRTHS__FEMALE=0, HOSPITAL_DELIVERIES=0)
    assert compute(BY_CODE["HOSPITAL_DELIVERY"], agg(db, "202403")[T2]) == DASH


def test_screening_rates_can_exceed_100(db, admin):
    put(db, admin, T1, "202405", LIVE_BIRTHS__MALE=61, LIVE_BIRTHS__FEMALE=60, NEWBORN_HEARING_SCREENED=125)
    # 125 / 121 × 100 = 103.305… → 103.31
    assert compute(BY_CODE["NEWBORN_HEARING"], agg(db, "202405")[T1]) == Decimal("103.31")


def test_point_in_time_elements_take_the_last_month(db, admin):
    put(db, admin, T1, "202407", CHILDREN_UNDER3=1000, SYS_MANAGED_UNDER3=900)
    put(db, admin, T1, "202408", CHILDREN_UNDER3=1010, SYS_MANAGED_UNDER3=950)
    put(db, admin, T1, "202409", CHILDREN_UNDER3=1020, SYS_MANAGED_UNDER3=969)
    q3 = agg(db, "2024Q3")[T1]
    assert q3.get("MCH_CHILDREN_UNDER3") == 1020            # not 3030
    # 969 / 1020 × 100 = 95.00
    assert compute(BY_CODE["UNDER3_SYS_MANAGED"], q3) == Decimal("95.00")
    # a range that ends in August takes August
    assert agg(db, "202407..202408")[T1].get("MCH_SYS_MANAGED_UNDER3") == 950


def test_statistical_year_and_ranges(db, admin):
    put(db, admin, T1, "202309", LIVE_BIRTHS__MALE=10, LIVE_BIRTHS__FEMALE=10)   # outside 2023Oct
    put(db, admin, T1, "202310", LIVE_BIRTHS__MALE=5, LIVE_BIRTHS__FEMALE=5)
    put(db, admin, T1, "202409", LIVE_BIRTHS__MALE=7, LIVE_BIRTHS__FEMALE=3)
    put(db, admin, T1, "202410", LIVE_BIRTHS__MALE=100, LIVE_BIRTHS__FEMALE=100)   # outside 2023Oct
    assert agg(db, "2023Oct")[T1].get("MCH_LIVE_BIRTHS") == 20                     # 2023-10 … 2024-09
    assert agg(db, "2024")[T1].get("MCH_LIVE_BIRTHS") == 210
    assert agg(db, "202401..202409")[T1].get("MCH_LIVE_BIRTHS") == 10
    assert agg(db, "2023")[T1].get("MCH_LIVE_BIRTHS") == 30


def test_high_risk_share(db, admin):
    put(db, admin, T1, "202401", RISK_GREEN=50, RISK_YELLOW=30, RISK_ORANGE=12, RISK_RED=5, RISK_PURPLE=3)
    # (12+5+3) / 100 × 100 = 20.00
    assert compute(BY_CODE["HIGH_RISK_SHARE"], agg(db, "202401")[T1]) == Decimal("20.00")


@pytest.mark.parametrize("text,msg", [("-3", "不能是负数"), ("2.5", "不是整数"), ("abc", "不是数字")])
def test_bad_counts_are_refused(db, admin, text, msg):
    with pytest.raises(DataError) as e:
        with db.session(admin) as s:
            values.save_value(s, admin, T1, "202401", "MCH_DELIVERIES", "", text)
    assert msg in str(e.value) and "产妇数" in str(e.value)


def test_blank_and_not_applicable(db, admin):
    with db.session(admin) as s:
        values.save_value(s, admin, T1, "202401", "MCH_CERVICAL_SCREENED", "", "-2")
        values.save_value(s, admin, T1, "202401", "MCH_DELIVERIES", "", "０１２")
        cells = values.month_values(s, T1, "202401")
    assert cells[("MCH_CERVICAL_SCREENED", "")].not_applicable and cells[("MCH_CERVICAL_SCREENED", "")].text == "-2"
    assert cells[("MCH_DELIVERIES", "")].value == 12


def test_locked_month_is_refused_in_core(db, admin, clerk, supervisor):
    put(db, admin, T1, "202401", DELIVERIES=10)
    with db.session(clerk) as s:
        workflow.submit(s, clerk, T1, "202401")
    with pytest.raises(PermissionDenied) as e:
        with db.session(clerk) as s:
            values.save_value(s, clerk, T1, "202401", "MCH_DELIVERIES", "", "11")
    assert "已上报" in str(e.value)
    with pytest.raises(PermissionDenied):
        with db.session(clerk) as s:
            workflow.approve(s, clerk, T1, "202401")
    with db.session(supervisor) as s:
        workflow.approve(s, supervisor, T1, "202401")
    from core import users
    from core.access import Role
    with db.session(admin) as s:   # the review names people by their display name when they are users here
        users.create_user(s, admin, "super", "王审核", Role.SUPERVISOR, "secret123")
        st = workflow.state(s, T1, "202401")
    assert (st.approved_by, st.approved_by_shown, st.submitted_by_shown) == ("super", "王审核（super）", "clerk")
    with pytest.raises(PermissionDenied) as e:
        with db.session(admin) as s:
            values.save_value(s, admin, T1, "202401", "MCH_DELIVERIES", "", "11")
    assert "已审核锁定" in str(e.value)
    with db.session(supervisor) as s:
        workflow.unlock(s, supervisor, T1, "202401", "活产数录错")
    with db.session(clerk) as s:
        values.save_value(s, clerk, T1, "202401", "MCH_DELIVERIES", "", "11")
        assert values.month_values(s, T1, "202401")[("MCH_DELIVERIES", "")].value == 11


def test_formula_text_names_the_elements():
    names = {"MCH_MATERNAL_DEATHS": "孕产妇死亡数", "MCH_LIVE_BIRTHS": "活产数", "MCH_RISK_ORANGE": "橙色",
             "MCH_RISK_RED": "红色", "MCH_RISK_PURPLE": "紫色"}
    assert BY_CODE["MATERNAL_MORTALITY"].formula_text(names) == "孕产妇死亡率 = 孕产妇死亡数 ÷ 活产数 × 100000"
    share = BY_CODE["HIGH_RISK_SHARE"].formula_text(names)
    assert share.startswith("高危孕产妇比例 = （橙色+红色+紫色） ÷ （") and share.endswith(" × 100")
    assert "MCH_RISK_GREEN" in share   # an element without a name keeps its code rather than vanishing
