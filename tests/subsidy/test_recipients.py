"""The recipient form's service: the same checks as the import, saved with audit, duplicates refused."""
from __future__ import annotations

from datetime import date

import pytest
from stdnum.cn import ric

from core.errors import DataError, PermissionDenied, StaleRecord
from core.subsidy import recipients as rs
from core.subsidy.eligibility import DEAD
from core.subsidy.search import RosterFilter, count_matches, search_page, sort_key


def make_id(region="220322", born="19500101", seq="123"):
    body = region + born + seq
    return body + ric.calc_check_digit(body + "0")


def person(**kw) -> rs.RecipientInput:
    base = dict(name="张三", id_number=make_id(seq="123"), township="梨树镇", program="RURAL_REWARD",
                hukou="农业", marital="已婚", children=[rs.ChildInput("张小", "男")],
                account_no="6217000000000000001", bank_name="农村信用社", first_year=2010)
    base.update(kw)
    return rs.RecipientInput(**base)


def test_save_derives_birth_and_sex_and_is_found(db, admin):
    with db.session(admin) as s:
        saved = rs.save_recipient(s, admin, person(), year=2024)
    assert saved.checked.birth_date == date(1950, 1, 1) and saved.checked.sex == "男"
    with db.session(admin) as s:
        rows = search_page(s, admin, RosterFilter(text="张"))
        assert [r.name for r in rows] == ["张三"] and rows[0].township_code == "220322100"
        assert search_page(s, admin, RosterFilter(text=make_id(seq="123")[-4:]))[0].id == saved.id   # last 4 digits
        assert search_page(s, admin, RosterFilter(text="0001"))[0].id == saved.id                    # account suffix
        assert count_matches(s, admin, RosterFilter(text="李")) == 0


def test_typed_facts_must_agree_with_the_id(db, admin):
    with pytest.raises(DataError) as e:
        with db.session(admin) as s:
            rs.save_recipient(s, admin, person(sex="女", birth_date=date(1950, 2, 1)), year=2024)
    assert "性别" in str(e.value) and "出生日期" in str(e.value) and "不一致" in str(e.value)


def test_same_person_twice_in_a_programme_is_refused(db, admin):
    with db.session(admin) as s:
        rs.save_recipient(s, admin, person(), year=2024)
    with pytest.raises(DataError) as e:
        with db.session(admin) as s:
            rs.save_recipient(s, admin, person(name="张三丰"), year=2024)
    assert "不能重复登记" in str(e.value)


def test_two_programmes_is_a_warning(db, admin):
    with db.session(admin) as s:
        rs.save_recipient(s, admin, person(), year=2024)
        saved = rs.save_recipient(s, admin, person(program="SPECIAL_DEATH", children=[rs.ChildInput("张小", "男", status=DEAD)]), year=2024)
    assert any("同时享受" in w for w in saved.checked.warnings)


def test_too_young_is_refused_with_the_reason(db, admin):
    with pytest.raises(DataError) as e:
        with db.session(admin) as s:
            rs.save_recipient(s, admin, person(id_number=make_id(born="19700101")), year=2024)
    assert "2030 年才满 60 周岁" in str(e.value)


def test_unknown_township_and_bad_account(db, admin):
    with pytest.raises(DataError) as e:
        with db.session(admin) as s:
            rs.save_recipient(s, admin, person(township="不存在镇", account_no="12AB"), year=2024)
    assert "不存在镇" in str(e.value) and "银行账号只能包含数字" in str(e.value)


def test_stale_edit_and_clerk_scope(db, admin):
    from core.access import Actor, Role
    with db.session(admin) as s:
        saved = rs.save_recipient(s, admin, person(), year=2024)
    with db.session(admin) as s:
        data, version = rs.load_input(s, saved.id)
        data.phone = "13900000000"
        rs.save_recipient(s, admin, data, recipient_id=saved.id, expected_version=version, year=2024)
    data.phone = "13900000001"
    with pytest.raises(StaleRecord):
        with db.session(admin) as s:
            rs.save_recipient(s, admin, data, recipient_id=saved.id, expected_version=version, year=2024)
    other_town = Actor("c", "乡镇录入员", Role.CLERK, frozenset({"220322101"}))
    with pytest.raises(PermissionDenied):
        with db.session(other_town) as s:
            rs.save_recipient(s, other_town, person(id_number=make_id(seq="125")), year=2024)


def test_exit_keeps_history(db, admin):
    with db.session(admin) as s:
        saved = rs.save_recipient(s, admin, person(), year=2024)
        rs.exit_recipient(s, admin, saved.id, "死亡", date(2024, 3, 1))
    with db.session(admin) as s:
        row = search_page(s, admin, RosterFilter(status="EXITED"))[0]
        assert row.id == saved.id
        from core.audit import query_audit
        hist = query_audit(s, admin, record_uuid=s.get(rs.Recipient, saved.id).uuid)
    assert [h.action for h in hist][:2] == ["update", "create"]
    assert hist[0].changes["status"] == ["ACTIVE", "EXITED"]


def test_keyset_pages_cover_everyone_once(db, admin):
    with db.session(admin) as s:
        for i in range(25):
            rs.save_recipient(s, admin, person(name=f"王{i:02d}", id_number=make_id(seq=f"{i + 200:03d}"), account_no=""), year=2024)
    seen, after = [], None
    with db.session(admin) as s:
        while True:
            page = search_page(s, admin, RosterFilter(text="王"), after=after, limit=10)
            seen += [r.name for r in page]
            if len(page) < 10:
                break
            after = sort_key(page[-1], "name")
    assert seen == sorted(seen) and len(seen) == 25 and len(set(seen)) == 25


def test_spouse_number_is_checked_and_linked(db, admin):
    """配偶身份号码: a real ID, not one's own; the checker names the spouse's records (the form shows them)."""
    wife = person(name="李四", id_number=make_id(born="19520303", seq="124"), spouse_id_number=make_id(seq="123"))
    with db.session(admin) as s:
        checker = rs.RecipientChecker(s, 2024)
        bad = checker.check(person(spouse_id_number="220322195001011235"))
        own = checker.check(person(spouse_id_number=make_id(seq="123")))
        not_yet = checker.check(wife)
        rs.save_recipient(s, admin, person(), year=2024)
        linked = rs.RecipientChecker(s, 2024).check(wife)
        same_sex = rs.RecipientChecker(s, 2024).check(person(name="王五", id_number=make_id(born="19510101", seq="135"),
                                                              spouse_id_number=make_id(seq="123")))
        single = rs.RecipientChecker(s, 2024).check(person(name="王五", id_number=make_id(born="19510101", seq="135"),
                                                            marital="未婚", spouse_id_number=make_id(seq="124")))
    assert [(p.field, p.message) for p in bad.problems] == [("spouse_id_number", "身份证号校验位错误（最后一位应为 "
                                                             f"{make_id(seq='123')[-1]}，可能有数字输错）")]
    assert str(bad.problems[0]).startswith("配偶身份号码：")
    assert [(p.field, p.message) for p in own.problems] == [("spouse_id_number", "与本人的身份证号相同")]
    assert not_yet.ok and not_yet.spouse == []
    assert linked.ok and [(r.name, r.program_code, r.status) for r in linked.spouse] == [("张三", "RURAL_REWARD", "ACTIVE")]
    assert any("配偶也是男性" in w for w in same_sex.warnings)
    assert any("婚姻状况为“未婚”却填了配偶身份号码" in w for w in single.warnings)


def test_a_record_in_another_programme_is_always_mentioned(db, admin):
    """Not only when it is 享受中: an application, an exit or a refusal elsewhere is worth knowing."""
    with db.session(admin) as s:
        first = rs.save_recipient(s, admin, person(), year=2024)
        rs.exit_recipient(s, admin, first.id, "户籍迁出", date(2023, 5, 1))
        other = rs.RecipientChecker(s, 2024).check(person(program="SPECIAL_DEATH",
                                                          children=[rs.ChildInput("张小", "男", status=DEAD)]))
    assert "此人在“农村部分计划生育家庭奖励扶助”中有记录（已退出，梨树镇）" in other.warnings


def test_own_death_date_is_checked_and_kept_until_the_review(db, admin):
    with db.session(admin) as s:
        checker = rs.RecipientChecker(s, 2024)
        future = checker.check(person(death_date=date(2099, 1, 1)))
        before_birth = checker.check(person(death_date=date(1949, 12, 31)))
        saved = rs.save_recipient(s, admin, person(status="ACTIVE"), year=2024)
    with db.session(admin) as s:
        data, version = rs.load_input(s, saved.id)
        data.death_date = date(2024, 8, 9)       # reported by the village: still 享受中 until the review
        again = rs.save_recipient(s, admin, data, recipient_id=saved.id, expected_version=version, year=2024)
        kept, _ = rs.load_input(s, saved.id)
    assert [p.field for p in future.problems] == ["death_date"] and "晚于今天" in future.problems[0].message
    assert str(before_birth.problems[0]) == "本人死亡日期：1949-12-31 早于出生日期 1950-01-01"
    assert again.checked.ok and kept.death_date == date(2024, 8, 9) and kept.status == "ACTIVE"
