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
