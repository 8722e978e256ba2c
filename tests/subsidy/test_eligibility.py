"""Eligibility edges (issue 3): the year of the 60th birthday, born 1932-12-31 vs 1933-01-01,
a woman of 48 vs 49 for 特别扶助, two daughters, a child who died."""
from __future__ import annotations

from datetime import date

import pytest

from core.subsidy.eligibility import ALIVE, DEAD, DISABLED, ChildFacts, PersonFacts, ProgramRule, evaluate

RURAL = ProgramRule("RURAL_REWARD", "农村部分计划生育家庭奖励扶助", "REWARD", 60, requires_rural=True)
DEATH = ProgramRule("SPECIAL_DEATH", "特别扶助（独生子女死亡）", "DEATH", 49, age_of_wife=True)
DISAB = ProgramRule("SPECIAL_DISABILITY", "特别扶助（独生子女伤残）", "DISABILITY", 49, age_of_wife=True)

ONE_SON = (ChildFacts("男", ALIVE),)


def person(born, sex="男", children=ONE_SON, **kw):
    return PersonFacts(birth_date=born, sex=sex, children=children, **kw)


def test_rural_reward_from_the_year_of_the_60th_birthday():
    p = person(date(1964, 12, 31))
    assert not evaluate(p, RURAL, 2023).ok
    r = evaluate(p, RURAL, 2024)          # turns 60 on 31 December 2024: the whole year counts
    assert r.ok and r.from_year == 2024 and "2024 年起满 60 周岁" in r.basis
    assert "到 2024 年才满 60 周岁" in evaluate(p, RURAL, 2023).summary


def test_born_1932_12_31_is_out_1933_01_01_is_in():
    assert not evaluate(person(date(1932, 12, 31)), RURAL, 2024).ok
    assert "早于 1933-01-01" in evaluate(person(date(1932, 12, 31)), RURAL, 2024).reasons[0]
    assert evaluate(person(date(1933, 1, 1)), RURAL, 2024).ok


def test_rural_needs_agricultural_hukou():
    r = evaluate(person(date(1950, 1, 1), hukou="非农业"), RURAL, 2024)
    assert not r.ok and "农业户口" in r.summary


def test_two_daughters_yes_a_son_and_a_daughter_no():
    two_daughters = (ChildFacts("女", ALIVE), ChildFacts("女", ALIVE))
    assert evaluate(person(date(1950, 1, 1), children=two_daughters), RURAL, 2024).ok
    mixed = (ChildFacts("女", ALIVE), ChildFacts("男", ALIVE))
    r = evaluate(person(date(1950, 1, 1), children=mixed), RURAL, 2024)
    assert not r.ok and "不都是女孩" in r.summary
    three = (ChildFacts("女", ALIVE),) * 3
    assert not evaluate(person(date(1950, 1, 1), children=three), RURAL, 2024).ok


def test_child_died_and_no_child_now():
    died = (ChildFacts("男", DEAD, death_date=date(2001, 5, 1)),)
    r = evaluate(person(date(1950, 1, 1), children=died), RURAL, 2024)
    assert r.ok and "子女死亡，现无子女" in r.basis
    r = evaluate(person(date(1970, 3, 1), sex="女", children=died, marital="丧偶"), DEATH, 2024)
    assert r.ok and "独生子女死亡" in r.basis


def test_woman_48_vs_49_for_special_assistance():
    died = (ChildFacts("女", DEAD, death_date=date(2020, 1, 1)),)
    woman = person(date(1976, 6, 1), sex="女", children=died, marital="已婚")
    assert not evaluate(woman, DEATH, 2024).ok          # 48 in 2024
    assert evaluate(woman, DEATH, 2025).ok              # turns 49 in 2025
    # her husband, older, qualifies from the year SHE turns 49
    husband = person(date(1970, 1, 1), children=died, marital="已婚", spouse_birth_date=date(1976, 6, 1), spouse_sex="女")
    r = evaluate(husband, DEATH, 2024)
    assert not r.ok and "女方到 2025 年才满 49 周岁" in r.summary
    assert evaluate(husband, DEATH, 2025).ok
    # a single father must be 49 himself
    single = person(date(1976, 6, 1), children=died, marital="离婚")
    assert not evaluate(single, DEATH, 2024).ok and evaluate(single, DEATH, 2025).ok


def test_special_needs_an_only_child():
    two = (ChildFacts("男", DEAD), ChildFacts("女", ALIVE))
    r = evaluate(person(date(1960, 1, 1), sex="女", children=two), DEATH, 2024)
    assert not r.ok and "2 个子女" in r.summary
    living = (ChildFacts("男", ALIVE),)
    assert "不是死亡" in evaluate(person(date(1960, 1, 1), sex="女", children=living), DEATH, 2024).summary


def test_disability_grade_1_to_3():
    grade3 = (ChildFacts("男", DISABLED, disability_grade=3, certificate_no="22032219900101123X43"),)
    assert evaluate(person(date(1960, 1, 1), sex="女", children=grade3), DISAB, 2024).ok
    grade4 = (ChildFacts("男", DISABLED, disability_grade=4),)
    r = evaluate(person(date(1960, 1, 1), sex="女", children=grade4), DISAB, 2024)
    assert not r.ok and "须为三级以上" in r.summary
    no_cert = (ChildFacts("男", DISABLED, disability_grade=2),)
    r = evaluate(person(date(1960, 1, 1), sex="女", children=no_cert), DISAB, 2024)
    assert r.ok and r.incomplete == ["残疾人证号"]


def test_missing_children_is_incomplete_not_a_refusal():
    r = evaluate(person(date(1950, 1, 1), children=None), DEATH, 2024)
    assert r.ok and r.incomplete == ["子女情况"] and "待补充" in r.summary


def test_all_failing_conditions_are_listed():
    r = evaluate(person(date(1932, 1, 1), hukou="非农业", children=(ChildFacts("男", ALIVE),) * 3,
                        no_policy_violation=False), RURAL, 2024)
    assert len(r.reasons) == 4


def test_person_born_before_their_county_code_existed_is_accepted():
    """python-stdnum's ric.validate rejects such IDs; ours checks only the checksum and the date."""
    from stdnum.cn import ric
    from core.idnumbers import check_citizen_id
    body = "220382" + "19400101" + "002"     # 双辽市 (220382) was created in 1996; born 1940
    number = body + ric.calc_check_digit(body + "0")
    with pytest.raises(Exception):
        ric.validate(number)
    chk = check_citizen_id(number)
    assert chk.ok and chk.birth_date == date(1940, 1, 1) and chk.sex == "女"


def test_an_unknown_region_is_a_warning_but_not_the_demo_county():
    from stdnum.cn import ric
    from core.idnumbers import check_citizen_id

    def number(region: str) -> str:
        body = region + "19500101" + "003"
        return body + ric.calc_check_digit(body + "0")
    unknown = check_citizen_id(number("980101"))            # 98: no such province
    assert unknown.ok and unknown.warnings == ["身份证号的地区码 980101 不在区划代码中（可能是已撤销的旧代码），请核对"]
    assert check_citizen_id(number("990101")).warnings == []  # 演示县's made-up people: no warning each
    assert check_citizen_id(number("220322")).warnings == []  # 梨树县
