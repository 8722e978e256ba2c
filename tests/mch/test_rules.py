"""Validation rules and outliers (DOMAIN.md §4): each seeded rule trips with the numbers in its
message, blank sides are skipped, errors block submission and warnings need a comment; outliers
against the township's own band and last year's month; an administrator's rules are checked
before they are saved."""
from __future__ import annotations

import pytest

from core import settings
from core.errors import DataError, PermissionDenied
from core.mch import outliers, rules, values, workflow
from core.mch.elements import SEED as ELEMENT_SEED, ElementRow
from core.mch.outliers import History
from core.mch.values import CellValue

T1, T2 = "220322100", "220322101"
ELEMENTS = [ElementRow(code, name, short, cat, pit, section, (i + 1) * 10, True)
            for i, (code, name, short, cat, pit, section) in enumerate(ELEMENT_SEED)]


def cells(**counts) -> dict:
    """LIVE_BIRTHS__MALE=50 → {("MCH_LIVE_BIRTHS", "MALE"): 50}."""
    out = {}
    for key, v in counts.items():
        element, _, option = key.partition("__")
        out[("MCH_" + element, option)] = v
    return out


def put(db, actor, town, period, comments=None, **counts):
    comments = comments or {}
    with db.session(actor) as s:
        for (element, option), v in cells(**counts).items():
            values.save_value(s, actor, town, period, element, option, v,
                              comment=comments.get(element[4:] + ("__" + option if option else "")))


def check(db, town=T1, period="202603"):
    with db.session() as s:
        return rules.check_month(s, town, period)


BIRTHS_100 = dict(LIVE_BIRTHS__MALE=50, LIVE_BIRTHS__FEMALE=50)

# rule code, importance, values that trip it, the message, values that just pass
TRIPS = [
    ("HOSPITAL_LE_LIVE_BIRTHS", "ERROR", dict(BIRTHS_100, HOSPITAL_DELIVERIES=120),
     "住院分娩活产数（120）不能大于活产数（100）", dict(BIRTHS_100, HOSPITAL_DELIVERIES=100)),
    ("NEONATAL_LE_INFANT_DEATHS", "ERROR", dict(NEONATAL_DEATHS=3, INFANT_DEATHS=2),
     "新生儿死亡数（3）不能大于婴儿死亡数（2）", dict(NEONATAL_DEATHS=2, INFANT_DEATHS=2)),
    ("INFANT_LE_UNDER5_DEATHS", "ERROR", dict(INFANT_DEATHS=4, UNDER5_DEATHS=3),
     "婴儿死亡数（4）不能大于5岁以下儿童死亡数（3）", dict(INFANT_DEATHS=3, UNDER5_DEATHS=3)),
    ("UNDER3_MANAGED_LE_CHILDREN", "ERROR", dict(SYS_MANAGED_UNDER3=910, CHILDREN_UNDER3=900),
     "3岁以下儿童系统管理人数（910）不能大于3岁以下儿童数（900）", dict(SYS_MANAGED_UNDER3=900, CHILDREN_UNDER3=900)),
    ("UNDER7_MANAGED_LE_CHILDREN", "ERROR", dict(HEALTH_MANAGED_UNDER7=2001, CHILDREN_UNDER7=2000),
     "7岁以下儿童健康管理人数（2001）不能大于7岁以下儿童数（2000）", dict(HEALTH_MANAGED_UNDER7=2000, CHILDREN_UNDER7=2000)),
    ("MATERNAL_DEATH_CONFIRM", "WARNING", dict(MATERNAL_DEATHS=1),
     "有孕产妇死亡（1 例），请核实并填写说明", dict(MATERNAL_DEATHS=0)),
    ("PRENATAL_US_LE_LIVE_BIRTHS", "WARNING", dict(BIRTHS_100, PRENATAL_US_SCREENED=103),
     "产前超声筛查人数（103）大于活产数（100）", dict(BIRTHS_100, PRENATAL_US_SCREENED=100)),
    ("PRENATAL_SERUM_LE_LIVE_BIRTHS", "WARNING", dict(BIRTHS_100, PRENATAL_SERUM_SCREENED=101),
     "产前血清学筛查人数（101）大于活产数（100）", dict(BIRTHS_100, PRENATAL_SERUM_SCREENED=99)),
    ("NEWBORN_DISEASE_LE_LIVE_BIRTHS", "WARNING", dict(LIVE_BIRTHS__MALE=61, LIVE_BIRTHS__FEMALE=60,
                                                       NEWBORN_DISEASE_SCREENED=125),
     "新生儿两病筛查人数（125）大于活产数（121）", dict(LIVE_BIRTHS__MALE=61, LIVE_BIRTHS__FEMALE=60,
                                            NEWBORN_DISEASE_SCREENED=121)),
    ("NEWBORN_HEARING_LE_LIVE_BIRTHS", "WARNING", dict(BIRTHS_100, NEWBORN_HEARING_SCREENED=104),
     "新生儿听力筛查人数（104）大于活产数（100）", dict(BIRTHS_100, NEWBORN_HEARING_SCREENED=100)),
    # 30 births from 20 mothers: more than 20 × 1.1 + 2 = 24
    ("LIVE_BIRTHS_PLAUSIBLE", "WARNING", dict(LIVE_BIRTHS__MALE=15, LIVE_BIRTHS__FEMALE=15, DELIVERIES=20),
     "活产数（30）比产妇数（20）多出一成以上", dict(LIVE_BIRTHS__MALE=12, LIVE_BIRTHS__FEMALE=12, DELIVERIES=20)),
    ("DELIVERIES_PLAUSIBLE", "WARNING", dict(LIVE_BIRTHS__MALE=15, LIVE_BIRTHS__FEMALE=15, DELIVERIES=36),
     "产妇数（36）比活产数（30）多出一成以上", dict(LIVE_BIRTHS__MALE=15, LIVE_BIRTHS__FEMALE=15, DELIVERIES=35)),
    # 80 assessed against 20 mothers: more than 20 × 3 + 10 = 70
    ("RISK_ASSESSED_PLAUSIBLE", "WARNING", dict(DELIVERIES=20, RISK_GREEN=40, RISK_YELLOW=20, RISK_ORANGE=10,
                                                RISK_RED=6, RISK_PURPLE=4),
     "妊娠风险评估人数合计（80）超过产妇数（20）的3倍", dict(DELIVERIES=20, RISK_GREEN=40, RISK_YELLOW=20,
                                                RISK_ORANGE=6, RISK_RED=3, RISK_PURPLE=1)),
]


def rule_codes(result) -> list[str]:
    return [f.rule_code for f in result.findings]


def test_every_seeded_rule_is_covered_here():
    assert {t[0] for t in TRIPS} == {r.code for r in rules.builtin_rules()}


@pytest.mark.parametrize("code,importance,tripping,message,passing", TRIPS, ids=[t[0] for t in TRIPS])
def test_each_seeded_rule_trips_with_its_numbers(code, importance, tripping, message, passing):
    found = rules.check_values(cells(**tripping), ELEMENTS)
    assert rule_codes(found) == [code]
    f = found.findings[0]
    assert f.importance == importance and f.kind == "RULE" and message in f.message
    assert (found.errors if importance == "ERROR" else found.warnings) == [f]
    assert f.commented is False
    assert rules.check_values(cells(**passing), ELEMENTS).findings == []


def test_seeded_rules_in_the_database_are_checked_on_a_saved_month(db, admin):
    put(db, admin, T1, "202603", **dict(BIRTHS_100, HOSPITAL_DELIVERIES=120, NEONATAL_DEATHS=3, INFANT_DEATHS=2,
                                        UNDER5_DEATHS=5, MATERNAL_DEATHS=1))
    r = check(db)
    assert sorted(rule_codes(r)) == ["HOSPITAL_LE_LIVE_BIRTHS", "MATERNAL_DEATH_CONFIRM", "NEONATAL_LE_INFANT_DEATHS"]
    hospital = next(f for f in r.errors if f.rule_code == "HOSPITAL_LE_LIVE_BIRTHS")
    assert hospital.message == "住院分娩活产数（120）不能大于活产数（100）"
    # the cells to highlight: the left side first, then 活产数 男 and 女
    assert hospital.elements == (("MCH_HOSPITAL_DELIVERIES", ""), ("MCH_LIVE_BIRTHS", "MALE"),
                                 ("MCH_LIVE_BIRTHS", "FEMALE"))
    assert not r.can_submit and [f.rule_code for f in r.for_cell("MCH_LIVE_BIRTHS", "MALE")] == ["HOSPITAL_LE_LIVE_BIRTHS"]


def test_blank_sides_are_skipped_not_failed():
    # 活产数 not reported at all: the rule cannot be judged
    assert rules.check_values(cells(HOSPITAL_DELIVERIES=120), ELEMENTS).findings == []
    # only 男 reported: 活产数 is incomplete, so still not judged (50 would otherwise trip it)
    assert rules.check_values(cells(HOSPITAL_DELIVERIES=120, LIVE_BIRTHS__MALE=50), ELEMENTS).findings == []
    # -2 (not carried out) is not a number either
    assert rules.check_values(cells(LIVE_BIRTHS__MALE="-2", LIVE_BIRTHS__FEMALE="-2", HOSPITAL_DELIVERIES=120),
                              ELEMENTS).findings == []
    not_done = CellValue("MCH_LIVE_BIRTHS", "FEMALE", None, True, "")
    assert rules.check_values({**cells(LIVE_BIRTHS__MALE=50, HOSPITAL_DELIVERIES=120),
                               ("MCH_LIVE_BIRTHS", "FEMALE"): not_done}, ELEMENTS).findings == []
    # a zero is a number, not a blank: 120 hospital deliveries against 0 + 0 births is an error
    assert rule_codes(rules.check_values(cells(LIVE_BIRTHS__MALE=0, LIVE_BIRTHS__FEMALE=0, HOSPITAL_DELIVERIES=120),
                                         ELEMENTS)) == ["HOSPITAL_LE_LIVE_BIRTHS"]


def test_typed_text_from_a_grid_is_checked_and_bad_text_skipped():
    typed = {("MCH_LIVE_BIRTHS", "MALE"): "５０", ("MCH_LIVE_BIRTHS", "FEMALE"): " 50 ",
             ("MCH_HOSPITAL_DELIVERIES", ""): "120", ("MCH_NEONATAL_DEATHS", ""): "abc", ("MCH_INFANT_DEATHS", ""): "0"}
    r = rules.check_values(typed, ELEMENTS)
    assert rule_codes(r) == ["HOSPITAL_LE_LIVE_BIRTHS"] and "（120）" in r.errors[0].message


def test_a_warning_is_explained_by_a_comment_on_the_questioned_cell():
    values_ = cells(**BIRTHS_100, NEWBORN_HEARING_SCREENED=104)
    r = rules.check_values(values_, ELEMENTS, comments={("MCH_LIVE_BIRTHS", "MALE"): "本月出生较少"})
    assert r.warnings[0].commented is False           # a comment elsewhere does not explain it
    r = rules.check_values(values_, ELEMENTS, comments={("MCH_NEWBORN_HEARING_SCREENED", ""): "含外地出生在本地筛查 4 人"})
    assert r.warnings[0].commented is True and r.can_submit
    # a side of several cells: one comment on any of them explains it
    risk = cells(DELIVERIES=20, RISK_GREEN=40, RISK_YELLOW=20, RISK_ORANGE=10, RISK_RED=6, RISK_PURPLE=4)
    assert rules.check_values(risk, ELEMENTS).warnings[0].commented is False
    assert rules.check_values(risk, ELEMENTS, comments={("MCH_RISK_RED", ""): "含外院转入复评"}).can_submit
    assert not rules.check_values(risk, ELEMENTS, comments={("MCH_DELIVERIES", ""): "说明"}).can_submit


def test_errors_block_submission_and_warnings_need_comments(db, admin, clerk):
    put(db, admin, T1, "202603", MATERNAL_DEATHS=1, **BIRTHS_100, HOSPITAL_DELIVERIES=101)
    with pytest.raises(DataError) as e:
        with db.session(clerk) as s:
            workflow.submit(s, clerk, T1, "202603", check=rules.check_month)
    assert "1 处错误" in e.value.message and e.value.details == ["住院分娩活产数（101）不能大于活产数（100）"]
    put(db, admin, T1, "202603", HOSPITAL_DELIVERIES=98)
    with pytest.raises(DataError) as e:
        with db.session(clerk) as s:
            workflow.submit(s, clerk, T1, "202603", check=rules.check_month)
    assert "1 条警告没有说明" in e.value.message and "有孕产妇死亡（1 例）" in e.value.details[0]
    put(db, admin, T1, "202603", comments={"MATERNAL_DEATHS": "产后大出血，已上报县妇幼保健院"}, MATERNAL_DEATHS=1)
    with db.session(clerk) as s:
        st = workflow.submit(s, clerk, T1, "202603", check=rules.check_month)
    assert st.status == "SUBMITTED"


# -- administrators' rules --------------------------------------------------------------------

def test_seed_is_idempotent_and_keeps_an_administrators_edits(db, admin):
    with db.session(admin) as s:
        assert rules.seed_rules(s) == 0            # seeded at init already
        n = len(rules.list_rules(s))
        r = next(r for r in rules.list_rules(s) if r.code == "MATERNAL_DEATH_CONFIRM")
        rules.save_rule(s, admin, r.code, r.name, r.left, r.operator, r.right, r.importance, r.message, active=False)
        assert rules.seed_rules(s) == 0
        assert len(rules.list_rules(s)) == n - 1
        assert len(rules.list_rules(s, include_inactive=True)) == n
    put(db, admin, T1, "202603", MATERNAL_DEATHS=1)
    assert check(db).findings == []               # switched off


def test_an_administrators_rule_is_checked_with_the_numbers_appended(db, admin):
    with db.session(admin) as s:
        row = rules.save_rule(s, admin, "postnatal_le_deliveries", "产后访视不多于产妇数", "#{MCH_POSTNATAL_VISITS}",
                              "<=", "#{MCH_DELIVERIES} + 5", "WARNING", "产后访视人数明显多于产妇数")
    assert row.code == "POSTNATAL_LE_DELIVERIES" and not row.builtin and row.text.endswith("≤ #{MCH_DELIVERIES} + 5")
    put(db, admin, T1, "202603", POSTNATAL_VISITS=30, DELIVERIES=20)
    [f] = check(db).findings
    assert f.message == "产后访视人数明显多于产妇数（产后访视人数 = 30，产妇数 + 5 = 25）"
    assert f.elements == (("MCH_POSTNATAL_VISITS", ""), ("MCH_DELIVERIES", ""))
    with db.session(admin) as s:
        rules.delete_rule(s, admin, "POSTNATAL_LE_DELIVERIES")
        with pytest.raises(DataError, match="内置规则，不能删除"):
            rules.delete_rule(s, admin, "HOSPITAL_LE_LIVE_BIRTHS")


@pytest.mark.parametrize("left,operator,right,message,words", [
    ("#{MCH_FOO}", "<=", "#{MCH_LIVE_BIRTHS}", "m", "数据项“MCH_FOO”不存在"),
    ("#{MCH_LIVE_BIRTHS.BOTH}", "<=", "10", "m", "没有分类“BOTH”"),
    ("#{MCH_DELIVERIES.MALE}", "<=", "10", "m", "没有分类“MALE”"),
    ("#{MCH_DELIVERIES} +", "<=", "10", "m", "不完整"),
    ("#{MCH_DELIVERIES} $ 3", "<=", "10", "m", "无法识别"),
    ("#{MCH_DELIVERIES}", "=<", "10", "m", "运算符"),
    ("1", "<=", "2", "m", "至少要引用一个数据项"),
    ("#{MCH_DELIVERIES}", "<=", "10", "产妇数 {MCH_NOPE}", "提示信息中的“{MCH_NOPE}”不是数据项代码"),
    ("#{MCH_DELIVERIES}", "<=", "10", "", "提示信息不能为空"),
])
def test_save_rule_refuses_what_cannot_be_checked(db, admin, left, operator, right, message, words):
    with pytest.raises(DataError) as e:
        with db.session(admin) as s:
            rules.save_rule(s, admin, "MY_RULE", "我的规则", left, operator, right, "ERROR", message)
    assert words in e.value.message


def test_only_administrators_edit_rules(db, supervisor):
    with pytest.raises(PermissionDenied):
        with db.session(supervisor) as s:
            rules.save_rule(s, supervisor, "MY_RULE", "我的规则", "#{MCH_DELIVERIES}", "<=", "10", "ERROR", "太多")


# -- outliers ---------------------------------------------------------------------------------

def history_of(db, admin, town, series: dict[str, int], element="DELIVERIES"):
    for period, v in series.items():
        put(db, admin, town, period, **{element: v})


def months(first: str, n: int) -> list[str]:
    return [outliers.shift_month(first, i) for i in range(n)]


def test_band_from_the_last_12_reported_months(db, admin):
    # 14 months before 202603: the two oldest (1000) lie beyond the last 12 reported months
    series = dict(zip(months("202501", 14), [1000, 1000] + list(range(20, 32))))
    history_of(db, admin, T1, series)
    with db.session() as s:
        h = outliers.history(s, T1, "202603")[("MCH_DELIVERIES", "")]
    assert h == History(last_year=20, band_min=20, band_max=31, months=12)     # 202503 → last_year
    put(db, admin, T1, "202603", DELIVERIES=46)          # 46 ≤ 31 × 1.5 = 46.5
    assert [f for f in check(db).findings if f.rule_code == "OUTLIER_BAND"] == []
    put(db, admin, T1, "202603", DELIVERIES=47)
    [band] = [f for f in check(db).findings if f.rule_code == "OUTLIER_BAND"]
    assert band.importance == "WARNING" and band.kind == "OUTLIER" and band.elements == (("MCH_DELIVERIES", ""),)
    assert band.message == "产妇数本月为 47，明显高于本乡镇近 12 个月的范围（20—31），请核实并填写说明"
    put(db, admin, T1, "202603", DELIVERIES=9)           # below 20 × 0.5 = 10, and 11 under the band
    [band] = [f for f in check(db).findings if f.rule_code == "OUTLIER_BAND"]
    assert "明显低于" in band.message and "（20—31）" in band.message


def test_small_counts_need_an_absolute_difference(db, admin):
    history_of(db, admin, T1, {"202512": 1, "202601": 2, "202602": 1}, element="INFANT_DEATHS")
    put(db, admin, T1, "202603", INFANT_DEATHS=4, UNDER5_DEATHS=4)     # > 2 × 1.5 but only 2 more
    assert check(db).findings == []
    put(db, admin, T1, "202603", INFANT_DEATHS=7, UNDER5_DEATHS=7)     # 5 more than the band's 2
    assert [f.rule_code for f in check(db).findings] == ["OUTLIER_BAND"]


def test_fewer_than_three_months_give_no_band(db, admin):
    history_of(db, admin, T1, {"202601": 20, "202602": 22})
    put(db, admin, T1, "202603", DELIVERIES=200)
    with db.session() as s:
        h = outliers.history(s, T1, "202603")[("MCH_DELIVERIES", "")]
    assert h == History(last_year=None, band_min=None, band_max=None, months=2)
    assert check(db).findings == []


def test_year_on_year_jump(db, admin):
    history_of(db, admin, T1, {"202503": 30, "202504": 3})
    put(db, admin, T1, "202603", DELIVERIES=55)      # × 1.83: not flagged
    assert check(db).findings == []
    put(db, admin, T1, "202603", DELIVERIES=61)      # × 2.03 and 31 more
    [f] = check(db).findings
    assert f.rule_code == "OUTLIER_YOY" and f.message == "产妇数本月为 61，比去年同月（30）大幅增加，请核实并填写说明"
    put(db, admin, T1, "202603", DELIVERIES=14)      # less than half, 16 fewer
    [f] = check(db).findings
    assert "比去年同月（30）大幅减少" in f.message
    put(db, admin, T1, "202604", DELIVERIES=9)       # × 3 but only 6 more than 3
    assert check(db, period="202604").findings == []


def test_outlier_warnings_need_a_comment_and_thresholds_are_settings(db, admin, clerk):
    history_of(db, admin, T1, {"202512": 20, "202601": 22, "202602": 21})
    put(db, admin, T1, "202603", DELIVERIES=40)
    with pytest.raises(DataError, match="警告没有说明"):
        with db.session(clerk) as s:
            workflow.submit(s, clerk, T1, "202603", check=rules.check_month)
    with db.session(admin) as s:
        settings.put(s, admin, "mch.outlier_band_high", 2.0)          # 40 ≤ 22 × 2
    assert check(db).findings == []
    with db.session(admin) as s:
        settings.put(s, admin, "mch.outlier_band_high", 1.5)
    put(db, admin, T1, "202603", comments={"DELIVERIES": "本月有外地返乡分娩"}, DELIVERIES=40)
    [f] = check(db).findings
    assert f.commented
    with db.session(clerk) as s:
        assert workflow.submit(s, clerk, T1, "202603", check=rules.check_month).status == "SUBMITTED"


def test_history_is_per_township_and_feeds_the_live_check(db, admin):
    history_of(db, admin, T1, {"202512": 20, "202601": 22, "202602": 21})
    history_of(db, admin, T2, {"202512": 200, "202601": 220, "202602": 210})
    with db.session() as s:
        h1, h2 = outliers.history(s, T1, "202603"), outliers.history(s, T2, "202603")
        limits = outliers.thresholds(s)
    assert h1[("MCH_DELIVERIES", "")].band_max == 22 and h2[("MCH_DELIVERIES", "")].band_min == 200
    live = rules.check_values({("MCH_DELIVERIES", ""): "40"}, ELEMENTS, history=h1, thresholds=limits)
    assert [f.rule_code for f in live.findings] == ["OUTLIER_BAND"]
    assert rules.check_values({("MCH_DELIVERIES", ""): "40"}, ELEMENTS, history=h2).findings[0].message.count("低于") == 1
