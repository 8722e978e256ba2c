"""The case form's rules: the party's credit code (both kinds, incl. codes beginning with a letter that
python-stdnum rejects) or ID number, amounts, dates in order, 待补充 flags, what may not change once
decided; and document numbers per year and category in the configured format."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError

from core import settings
from core.errors import DataError, StaleRecord
from core.supervision import case_numbers
from core.supervision import cases as cs
from db.models.supervision import Case
from tests.supervision.factory import A_CODE, CLINIC_CODE, Y_CODE, case_input, credit_code, new_case, person_id, run

D = date(2025, 1, 6)


def save(db, actor, **kw) -> cs.SavedCase:
    with db.session(actor) as s:
        return cs.save_case(s, actor, case_input(**kw))


def problems(db, actor, **kw) -> str:
    with pytest.raises(DataError) as e:
        save(db, actor, **kw)
    return str(e.value)


# -- the party --------------------------------------------------------------------------------------

def test_credit_codes_of_both_kinds_are_accepted(db, admin):
    for code in (Y_CODE, A_CODE):                     # python-stdnum refuses these real forms …
        with pytest.raises(ValidationError):
            uscc.validate(code)
    for i, code in enumerate((CLINIC_CODE, Y_CODE, A_CODE, Y_CODE.lower())):
        saved = save(db, admin, party_name=f"单位{i}", party_code=code)
        with db.session() as s:
            assert s.get(Case, saved.id).party_code == code.upper()


def test_a_wrong_credit_code_is_refused_with_the_expected_check_character(db, admin):
    wrong = Y_CODE[:17] + ("0" if Y_CODE[17] != "0" else "1")
    msg = problems(db, admin, party_code=wrong)
    assert f"统一社会信用代码校验位错误（最后一位应为 {Y_CODE[17]}）" in msg
    assert "不用 I、O、Z、S、V" in problems(db, admin, party_code="91220322MA17XK3PIM")
    assert "应为 18 位" in problems(db, admin, party_code=CLINIC_CODE[:17])
    assert credit_code("91220322MA17XK3P1") == CLINIC_CODE


def test_a_person_needs_a_valid_id_number(db, admin):
    pid = person_id("19750314", "452")
    saved = save(db, admin, party_type="个人", party_name="赵某", party_code=pid, legal_rep="")
    with db.session() as s:
        assert s.get(Case, saved.id).party_type == "PERSON"
    bad = pid[:17] + ("0" if pid[17] != "0" else "1")
    assert "身份证号校验位错误" in problems(db, admin, party_type="PERSON", party_name="钱某", party_code=bad)


def test_missing_facts_are_flagged_not_refused(db, admin):
    saved = save(db, admin, party_code="", party_address="", legal_rep="", offence_on=None)
    assert saved.incomplete == ["统一社会信用代码", "法定代表人", "当事人地址", "违法行为日期"]
    with db.session() as s:
        assert s.get(Case, saved.id).incomplete == "统一社会信用代码、法定代表人、当事人地址、违法行为日期"


# -- amounts and dates ------------------------------------------------------------------------------

@pytest.mark.parametrize("given,amount", [("3,000.00元", "3000.00"), ("３０００", "3000.00"), (Decimal("0.5"), "0.50"),
                                          (1200, "1200.00"), ("", None)])
def test_amounts_are_read_exactly(given, amount):
    value, problem = cs.parse_amount(given)
    assert problem == "" and value == (Decimal(amount) if amount else None)


@pytest.mark.parametrize("given,words", [("-1", "负数"), ("12.345", "两位小数"), ("三千", "不是金额")])
def test_bad_amounts_are_refused(db, admin, given, words):
    assert words in problems(db, admin, penalties=[cs.PenaltyInput("FINE", given)])


def test_a_fine_of_zero_and_an_amount_on_a_warning_are_refused(db, admin):
    assert "罚款金额应大于 0 元" in problems(db, admin, penalties=[cs.PenaltyInput("FINE", "0")])
    assert "警告/通报批评没有金额" in problems(db, admin, penalties=[cs.PenaltyInput("WARNING", "100")])
    assert "填写了两次" in problems(db, admin, penalties=[cs.PenaltyInput("FINE", "1"), cs.PenaltyInput("罚款", "2")])


def test_dates_in_order(db, admin):
    assert "早于线索受理日期" in problems(db, admin, lead_on=date(2025, 1, 8), filed_on=D)
    assert "晚于发现违法行为" in problems(db, admin, offence_on=date(2025, 1, 7), filed_on=D)
    assert "须填写线索受理日期或立案日期" in problems(db, admin, filed_on=None)


# -- editing ------------------------------------------------------------------------------------------

def test_edit_with_the_version_read(db, admin, clerk):
    cid = new_case(db, admin, filed_on=D)
    with db.session() as s:
        data, version = cs.load_input(s, cid)
    data.cause = "使用非卫生技术人员从事医疗卫生技术工作"
    data.filed_on = date(2025, 1, 7)             # the date of the stage the case is in may be corrected
    with db.session(clerk) as s:
        saved = cs.save_case(s, clerk, data, case_id=cid, expected_version=version)
    with db.session() as s:
        case = s.get(Case, cid)
        assert case.cause.startswith("使用非卫生技术人员") and case.filed_on == date(2025, 1, 7)
        assert case.events[0].event_on == date(2025, 1, 7)
    with pytest.raises(StaleRecord):
        with db.session(clerk) as s:
            cs.save_case(s, clerk, data, case_id=cid, expected_version=version)
    assert saved.version > version


def test_penalties_and_earlier_dates_are_fixed_once_decided(db, admin):
    cid = new_case(db, admin, filed_on=D)
    run(db, admin, cid, ("INVESTIGATED", date(2025, 2, 10)), ("NOTICE", date(2025, 2, 12)), ("DECISION", date(2025, 2, 24)))
    with db.session() as s:
        data, version = cs.load_input(s, cid)
    data.penalties = [cs.PenaltyInput("FINE", "5000")]
    data.filed_on = date(2025, 1, 7)
    with pytest.raises(DataError) as e:
        with db.session(admin) as s:
            cs.save_case(s, admin, data, case_id=cid, expected_version=version)
    assert "处罚决定已作出，处罚种类和金额不能再改" in str(e.value)
    assert "立案日期：已有后续环节，不能在此修改" in str(e.value)
    data.penalties, data.filed_on = [cs.PenaltyInput("FINE", "3000"), cs.PenaltyInput("WARNING")], D
    data.review_litigation = "当事人未申请复议或提起诉讼"
    with db.session(admin) as s:
        cs.save_case(s, admin, data, case_id=cid, expected_version=version)


# -- document numbers ---------------------------------------------------------------------------------

def test_numbers_per_year_and_category(db, admin):
    numbers = [save(db, admin, party_name=f"诊所{i}", filed_on=D).number for i in range(3)]
    assert numbers == ["梨卫医罚〔2025〕1号", "梨卫医罚〔2025〕2号", "梨卫医罚〔2025〕3号"]
    assert save(db, admin, party_name="浴池", category="公共场所卫生", filed_on=D).number == "梨卫公罚〔2025〕1号"
    assert save(db, admin, party_name="水厂", category="DRINKING_WATER", filed_on=D).number == "梨卫水罚〔2025〕1号"
    assert save(db, admin, party_name="学校", category="SCHOOL", filed_on=D).number == "梨卫校罚〔2025〕1号"
    # 无证行医 shares the short form 医 with 医疗卫生: one series, as the paper documents
    assert save(db, admin, party_name="游医", category="无证行医", filed_on=D).number == "梨卫医罚〔2025〕4号"
    assert save(db, admin, party_name="诊所2026", filed_on=date(2026, 1, 5)).number == "梨卫医罚〔2026〕1号"


def test_a_number_typed_in_continues_its_series(db, admin):
    assert save(db, admin, number="梨卫医罚[2025]12号", filed_on=D).number == "梨卫医罚〔2025〕12号"
    assert save(db, admin, party_name="诊所B", filed_on=D).number == "梨卫医罚〔2025〕13号"
    assert "已被另一件案件使用" in problems(db, admin, party_name="诊所C", number="梨卫医罚〔2025〕13号", filed_on=D)
    odd = save(db, admin, party_name="诊所D", number="梨卫监罚字（2025）第7号", filed_on=D)
    with db.session() as s:
        case = s.get(Case, odd.id)
        assert case.number == "梨卫监罚字〔2025〕第7号" and case.number_key is None   # brackets normalised only


def test_a_lead_gets_its_number_when_filed_and_the_format_is_a_setting(db, admin):
    lead = save(db, admin, lead_on=date(2025, 12, 29), filed_on=None)
    assert lead.number is None
    with db.session(admin) as s:
        settings.put(s, admin, "supervision.number_format", "{county_short}卫监{category_short}罚〔{year}〕{seq:03d}号")
        settings.put(s, admin, "supervision.category_short", {"MEDICAL": "医政"})
    result = run(db, admin, lead.id, ("FILED", date(2026, 1, 5)))
    assert result.number == "梨卫监医政罚〔2026〕001号"
    with db.session(admin) as s:
        settings.put(s, admin, "supervision.number_format", "{county_short}卫罚〔{year}〕号")
    assert "缺少序号 {seq}" in problems(db, admin, filed_on=D)


def test_numbering_at_decision_when_so_configured(db, admin):
    with db.session(admin) as s:
        settings.put(s, admin, "supervision.number_on", "DECISION")
    cid = new_case(db, admin, filed_on=D)
    with db.session() as s:
        assert s.get(Case, cid).number is None
    r = run(db, admin, cid, ("INVESTIGATED", date(2025, 2, 10)), ("NOTICE", date(2025, 2, 12)), ("DECISION", date(2025, 2, 24)))
    assert r.number == "梨卫医罚〔2025〕1号"


def test_parse_number(db):
    with db.session() as s:
        p = case_numbers.parse_number(s, "梨卫公罚（2021）12号")
    assert (p.number, p.key, p.seq, p.year) == ("梨卫公罚〔2021〕12号", "梨卫公罚〔2021〕#号", 12, 2021)


# -- 所在乡镇, 执行方式, 复议/诉讼 ----------------------------------------------------------------------

def _decided(db, admin, **kw) -> int:
    cid = new_case(db, admin, filed_on=D, **kw)
    run(db, admin, cid, ("INVESTIGATED", date(2025, 2, 10)), ("NOTICE", date(2025, 2, 12)),
        ("DECISION", date(2025, 2, 24)), ("SERVED", date(2025, 2, 25)))
    return cid


def _resave(db, actor, cid, **changes) -> cs.SavedCase:
    with db.session() as s:
        data, version = cs.load_input(s, cid)
    for k, v in changes.items():
        setattr(data, k, v)
    with db.session(actor) as s:
        return cs.save_case(s, actor, data, case_id=cid, expected_version=version)


def _refused(db, actor, cid, **changes) -> str:
    with pytest.raises(DataError) as e:
        _resave(db, actor, cid, **changes)
    return str(e.value)


def test_township_by_name_or_code_and_a_wrong_one_named(db, admin):
    saved = save(db, admin, township="梨树镇")
    with db.session() as s:
        assert s.get(Case, saved.id).township_code == "220322100"
        assert cs.load_input(s, saved.id)[0].township == "220322100"
    assert "所在乡镇（街道）：本县没有“火星镇”这个乡镇（街道）" in problems(db, admin, party_name="诊所X", township="火星镇")


def test_execution_mode_is_stored_as_its_code(db, admin):
    cid = _decided(db, admin)
    _resave(db, admin, cid, execution_mode="申请人民法院强制执行")     # the name, as an import would give it
    with db.session() as s:
        assert s.get(Case, cid).execution_mode == "COURT"
    _resave(db, admin, cid, execution_mode="INSTALMENT")
    with db.session() as s:
        assert s.get(Case, cid).execution_mode == "INSTALMENT"
    assert "执行方式：应为自觉履行、当场缴纳" in _refused(db, admin, cid, execution_mode="以物抵款")


def test_review_and_litigation_are_saved_with_their_outcomes(db, admin):
    cid = _decided(db, admin)
    saved = _resave(db, admin, cid, review_applied_on=date(2025, 3, 10), review_decided_on=date(2025, 5, 6),
                    review_result="维持", litigation_filed_on=date(2025, 5, 15), litigation_decided_on=date(2025, 9, 1),
                    litigation_result="WITHDRAWN", review_litigation="某市人民政府行政复议决定书；某区人民法院")
    assert saved.warnings == []
    with db.session() as s:
        case = s.get(Case, cid)
        assert (case.review_applied_on, case.review_decided_on, case.review_result) == (
            date(2025, 3, 10), date(2025, 5, 6), "UPHELD")
        assert (case.litigation_filed_on, case.litigation_result) == (date(2025, 5, 15), "WITHDRAWN")
        data, _ = cs.load_input(s, cid)
        assert data.review_result == "UPHELD" and data.litigation_decided_on == date(2025, 9, 1)


def test_review_dates_out_of_order_are_refused_naming_the_field(db, admin):
    cid = _decided(db, admin)
    msg = _refused(db, admin, cid, review_applied_on=date(2025, 3, 10), review_decided_on=date(2025, 3, 1),
                   review_result="UPHELD")
    assert "复议决定日期：2025-03-01 早于申请日期 2025-03-10" in msg
    msg = _refused(db, admin, cid, litigation_filed_on=date(2025, 4, 1), litigation_decided_on=date(2025, 3, 30),
                   litigation_result="UPHELD")
    assert "判决（裁定）日期：2025-03-30 早于起诉日期 2025-04-01" in msg
    assert "申请复议日期：2025-02-20 早于处罚决定日期 2025-02-24" in _refused(
        db, admin, cid, review_applied_on=date(2025, 2, 20))
    assert "申请复议日期：填写了复议决定日期，请同时填写申请日期" in _refused(
        db, admin, cid, review_decided_on=date(2025, 4, 1), review_result="UPHELD")
    assert "复议决定日期：填写了复议结果，请同时填写复议决定日期" in _refused(
        db, admin, cid, review_applied_on=date(2025, 3, 10), review_result="REVOKED")
    assert "复议结果：填写了复议决定日期，请选择复议结果" in _refused(
        db, admin, cid, review_applied_on=date(2025, 3, 10), review_decided_on=date(2025, 4, 1))
    assert "复议结果：应为维持、驳回复议申请" in _refused(db, admin, cid, review_applied_on=date(2025, 3, 10),
                                                   review_decided_on=date(2025, 4, 1), review_result="不服")
    future = date.today().replace(year=date.today().year + 1)
    assert f"起诉日期：{future:%Y-%m-%d} 晚于今天" in _refused(db, admin, cid, litigation_filed_on=future)


def test_review_needs_a_decision_and_late_applications_are_questioned(db, admin):
    filed = new_case(db, admin, filed_on=D)
    assert "申请复议日期：案件尚未作出处罚决定，不能登记行政复议或行政诉讼" in _refused(
        db, admin, filed, review_applied_on=date(2025, 3, 10))
    cid = _decided(db, admin, party_name="梨树县仁和诊所", party_code=Y_CODE)
    late = _resave(db, admin, cid, review_applied_on=date(2025, 6, 1))       # served 02-25: 60 days end 04-26
    assert any("超过送达后 60 日的申请期限" in w for w in late.warnings)
    early = _resave(db, admin, cid, review_applied_on=date(2025, 3, 1), litigation_filed_on=date(2025, 3, 20))
    assert any("复议尚未作出决定即提起诉讼" in w for w in early.warnings)
