"""资格确认与年审 (issue 3 §3): the proposal (new / continue / exit with reasons), confirming applies it,
approval locks the year, unlocking is audited."""
from __future__ import annotations

from datetime import date

import pytest

from core.access import Actor, Role
from core.audit import query_audit
from core.errors import DataError, PermissionDenied
from core.imports.progress import ImportCancelled
from core.subsidy import recipients as rs
from core.subsidy import yearly_cycle as yc
from db.models.subsidy import Recipient, YearEntry
from tests.subsidy.test_recipients import make_id

LISHU = "220322100"       # 梨树镇
OTHER = "220322101"


def add(s, admin, name, born, seq, *, year=2024, status="ACTIVE", first_year=2015, township=LISHU, **kw) -> int:
    data = rs.RecipientInput(name=name, id_number=make_id(born=born, seq=seq), township=township,
                             program="RURAL_REWARD", hukou="农业", marital="已婚",
                             children=[rs.ChildInput("子", "男")], account_no="6217000000000000" + seq,
                             bank_name="农村信用社", first_year=first_year, status=status, **kw)
    return rs.save_recipient(s, admin, data, year=year).id


@pytest.fixture
def village(db, admin):
    """A continuing person, an applicant who turns 60 in 2024, one too young, a death reported last
    year, a death this year, a change of household registration and one moved out of the county."""
    ids = {}
    with db.session(admin) as s:
        ids["keeps"] = add(s, admin, "王继续", "19500101", "101")
        ids["new"] = add(s, admin, "李新增", "19640315", "102", status="APPLIED", first_year=None)
        ids["young"] = add(s, admin, "赵年轻", "19650520", "103", status="APPLIED", first_year=None, year=2025)
        ids["died"] = add(s, admin, "孙已故", "19400101", "104", first_year=2012)
        ids["died_now"] = add(s, admin, "周今年", "19420101", "105")
        ids["hukou"] = add(s, admin, "吴转户", "19480101", "106")
        ids["moved"] = add(s, admin, "郑迁出", "19490101", "107", township=OTHER)
        s.get(Recipient, ids["died"]).death_date = date(2023, 11, 5)
        s.get(Recipient, ids["died_now"]).death_date = date(2024, 2, 10)
        s.get(Recipient, ids["hukou"]).hukou = "非农业"
        s.get(Recipient, ids["moved"]).township_code = "220399100"   # a township of another county
    return ids


def by_id(review):
    return {i.recipient_id: i for i in review.items}


def test_review_proposes_new_continue_and_exit_with_reasons(db, admin, village):
    with db.session(admin) as s:
        review = yc.review_year(s, admin, "RURAL_REWARD", 2024)
    items = by_id(review)
    assert items[village["keeps"]].proposed == "CONTINUE" and not items[village["keeps"]].flags
    new = items[village["new"]]
    assert new.proposed == "NEW" and new.candidate and "2024 年起满 60 周岁" in new.basis
    young = items[village["young"]]
    assert young.proposed == "REFUSED" and "到 2025 年才满 60 周岁" in young.basis
    died = items[village["died"]]
    assert died.proposed == "EXIT" and died.exit_reason == "死亡" and "2023-11-05 死亡" in died.flag_text
    now = items[village["died_now"]]      # the year of death is still paid; next year's review exits
    assert now.proposed == "CONTINUE" and "2024-02-10 死亡" in now.flag_text and "下一年度退出" in now.flag_text
    hukou = items[village["hukou"]]
    assert hukou.proposed == "EXIT" and hukou.exit_reason == "转为非农户口" and "农业户口" in hukou.flag_text
    moved = items[village["moved"]]
    assert moved.proposed == "EXIT" and moved.exit_reason == "户籍迁出" and "不在本县" in moved.flag_text
    assert (review.count("NEW"), review.count("CONTINUE"), review.count("EXIT"), review.count("REFUSED")) == (1, 2, 3, 1)
    with db.session(admin) as s:                      # nothing was written
        assert s.get(Recipient, village["new"]).status == "APPLIED"
        assert s.query(YearEntry).count() == 0


def test_confirm_applies_the_decisions_and_the_notice_period(db, admin, village):
    with db.session(admin) as s:
        status = yc.confirm_year(s, admin, "RURAL_REWARD", 2024, {village["moved"]: "CONTINUE"},
                                 notice_start=date(2024, 3, 1))
    assert status.status == "CONFIRMED" and status.notice_start == date(2024, 3, 1)
    assert status.notice_end == date(2024, 3, 7)                     # 7 days by default, inclusive
    assert dict(status.counts) == {"NEW": 1, "CONTINUE": 3, "EXIT": 2, "REFUSED": 1}
    with db.session(admin) as s:
        new = s.get(Recipient, village["new"])
        assert (new.status, new.first_year) == ("ACTIVE", 2024)
        assert s.get(Recipient, village["young"]).status == "REFUSED"
        died = s.get(Recipient, village["died"])
        # an exit decided in 2024's confirmation: nothing of 2024 is paid, every period of 2023 is
        assert (died.status, died.exit_reason, died.exit_date) == ("EXITED", "死亡", date(2023, 12, 31))
        assert s.get(Recipient, village["hukou"]).exit_reason == "转为非农户口"
        assert s.get(Recipient, village["moved"]).status == "ACTIVE"  # the clerk overrode the proposal
        kinds = {e.recipient_id: e.kind for e in s.query(YearEntry)}
        assert kinds[village["died"]] == "EXIT" and kinds[village["young"]] == "REFUSED"
        refused_entry = s.query(YearEntry).filter_by(recipient_id=village["young"]).one()
        assert "2025 年才满 60 周岁" in refused_entry.flags


def test_a_decision_must_fit_the_person(db, admin, village):
    with pytest.raises(DataError) as e:
        with db.session(admin) as s:
            yc.confirm_year(s, admin, "RURAL_REWARD", 2024, {village["new"]: ("EXIT", "其他")})
    assert "李新增" in str(e.value) and "新增候选对象" in str(e.value)
    with pytest.raises(DataError) as e:
        with db.session(admin) as s:
            yc.confirm_year(s, admin, "RURAL_REWARD", 2024, {village["keeps"]: ("EXIT", "搬家")})
    assert "退出原因" in str(e.value)


def test_confirming_again_replaces_the_decisions(db, admin, village):
    with db.session(admin) as s:
        yc.confirm_year(s, admin, "RURAL_REWARD", 2024)
    with db.session(admin) as s:          # the reviewer learns the death was a mistake
        review = by_id(yc.review_year(s, admin, "RURAL_REWARD", 2024))
        assert review[village["died"]].proposed == "EXIT" and not review[village["died"]].candidate
        assert review[village["new"]].proposed == "NEW"       # still reviewed as a candidate
        s.get(Recipient, village["died"]).death_date = None
    with db.session(admin) as s:
        status = yc.confirm_year(s, admin, "RURAL_REWARD", 2024)
        died = s.get(Recipient, village["died"])
        assert (died.status, died.exit_reason, died.exit_date) == ("ACTIVE", "", None)
    assert status.counts["EXIT"] == 2 and status.counts["NEW"] == 1


def test_approval_locks_and_unlock_is_audited(db, admin, clerk, supervisor, village):
    with db.session(admin) as s:
        yc.confirm_year(s, admin, "RURAL_REWARD", 2024, notice_start=date(2024, 3, 1))
    with pytest.raises(PermissionDenied):
        with db.session(clerk) as s:
            yc.approve_year(s, clerk, "RURAL_REWARD", 2024, on=date(2024, 3, 10))
    with pytest.raises(DataError) as e:
        with db.session(supervisor) as s:
            yc.approve_year(s, supervisor, "RURAL_REWARD", 2024, on=date(2024, 3, 7))
    assert "公示期满后才能审批" in str(e.value)
    with db.session(supervisor) as s:
        status = yc.approve_year(s, supervisor, "RURAL_REWARD", 2024, on=date(2024, 3, 8))
    assert status.locked and status.approved_by == "super"

    with pytest.raises(DataError) as e:
        with db.session(admin) as s:
            yc.confirm_year(s, admin, "RURAL_REWARD", 2024)
    assert "已由 super" in str(e.value) and "审批锁定" in str(e.value)
    with pytest.raises(DataError):
        with db.session(admin) as s:
            yc.change_entry(s, admin, "RURAL_REWARD", 2024, village["keeps"], "EXIT", "其他")
    with pytest.raises(DataError) as e:   # not even behind the services' back
        with db.session(admin) as s:
            s.query(YearEntry).filter_by(recipient_id=village["keeps"]).one().kind = "EXIT"
    assert "锁定" in str(e.value)

    with pytest.raises(PermissionDenied):
        with db.session(clerk) as s:
            yc.unlock_year(s, clerk, "RURAL_REWARD", 2024, "改错")
    with pytest.raises(DataError):
        with db.session(supervisor) as s:
            yc.unlock_year(s, supervisor, "RURAL_REWARD", 2024, "  ")
    with db.session(supervisor) as s:
        status = yc.unlock_year(s, supervisor, "RURAL_REWARD", 2024, "郑迁出实际未迁出，需改为继续享受")
    assert status.status == "CONFIRMED"
    with db.session(admin) as s:
        events = [a for a in query_audit(s, admin, user="super") if a.action == "unlock"]
    assert events and events[0].changes["reason"] == "郑迁出实际未迁出，需改为继续享受"
    with db.session(admin) as s:          # allowed again
        yc.change_entry(s, admin, "RURAL_REWARD", 2024, village["moved"], "CONTINUE")
        assert s.get(Recipient, village["moved"]).status == "ACTIVE"
        status = yc.year_status(s, "RURAL_REWARD", 2024)
    assert status.counts["EXIT"] == 2 and status.counts["CONTINUE"] == 3


def test_a_township_clerk_reviews_only_their_township_and_cannot_confirm(db, admin, village):
    town_clerk = Actor("t", "乡镇录入员", Role.CLERK, frozenset({LISHU}))
    with db.session(town_clerk) as s:
        review = yc.review_year(s, town_clerk, "RURAL_REWARD", 2024)
    assert {i.township_code for i in review.items} == {LISHU}
    with pytest.raises(PermissionDenied) as e:
        with db.session(town_clerk) as s:
            yc.confirm_year(s, town_clerk, "RURAL_REWARD", 2024)
    assert "县级" in str(e.value)


def test_notice_days_follow_the_setting(db, admin, village):
    from core import settings
    with db.session(admin) as s:
        settings.put(s, admin, "subsidy.notice_days", 10)
        status = yc.confirm_year(s, admin, "RURAL_REWARD", 2024, notice_start=date(2024, 3, 1))
    assert status.notice_end == date(2024, 3, 10)


def test_changed_facts_of_a_recipient_are_saved_and_the_review_proposes_the_exit(db, admin):
    """A clerk records that a recipient's 户口 became 非农业: saved (a warning, not a refusal), the
    待补充 children stay 待补充, and the next review proposes 退出 转为非农户口."""
    from stdnum.cn import ric
    from core.subsidy import recipients as rs
    from core.subsidy.yearly_cycle import review_year
    body = "220322" + "19500101" + "123"
    with db.session(admin) as s:
        saved = rs.save_recipient(s, admin, rs.RecipientInput(
            name="甲", id_number=body + ric.calc_check_digit(body + "0"), township="梨树镇", program="RURAL_REWARD",
            hukou="农业", children=None, account_no="6217000000000000001", first_year=2015, status="ACTIVE"), year=2025)
    with db.session(admin) as s:
        data, version = rs.load_input(s, saved.id)
        data.hukou = "非农业"
        result = rs.save_recipient(s, admin, data, recipient_id=saved.id, expected_version=version, year=2025)
    assert any("年审时将建议退出" in w for w in result.checked.warnings)
    with db.session(admin) as s:
        item = next(i for i in review_year(s, admin, "RURAL_REWARD", 2026).items if i.recipient_id == saved.id)
    assert item.proposed == "EXIT" and item.exit_reason == "转为非农户口"
    assert not any("没有子女记录" in f.text for f in item.flags)


# -- a confirmed year reviewed again, one entry changed, cancelling ---------------------------------

def test_reviewing_a_confirmed_year_shows_the_saved_decisions(db, admin, village):
    with db.session(admin) as s:
        yc.confirm_year(s, admin, "RURAL_REWARD", 2024, {village["moved"]: "CONTINUE",
                                                         village["died"]: ("EXIT", "其他")})
    with db.session(admin) as s:
        review = yc.review_year(s, admin, "RURAL_REWARD", 2024)
    items = by_id(review)
    moved = items[village["moved"]]            # proposed 退出 again, but the clerk kept the person
    assert (moved.proposed, moved.saved, moved.decision) == ("EXIT", "CONTINUE", ("CONTINUE", ""))
    assert moved.differs and not moved.changed_by
    died = items[village["died"]]              # same kind, another reason: a change too
    assert died.decision == ("EXIT", "其他") and died.exit_reason == "死亡" and died.differs
    keeps, new = items[village["keeps"]], items[village["new"]]
    assert keeps.saved == "CONTINUE" and not keeps.differs
    assert new.saved == "NEW" and new.candidate and not new.differs
    assert {i.recipient_id for i in review.differing} == {village["moved"], village["died"]}
    assert review.status == "CONFIRMED" and not review.unsaved
    # the counts are the saved decisions, not the proposal
    assert (review.count("NEW"), review.count("CONTINUE"), review.count("EXIT"), review.count("REFUSED")) == (1, 3, 2, 1)


def test_change_entry_after_confirming_is_audited_and_refused_once_approved(db, admin, supervisor, village):
    with db.session(admin) as s:
        yc.confirm_year(s, admin, "RURAL_REWARD", 2024, notice_start=date(2024, 3, 1))
    with db.session(admin) as s:
        status = yc.change_entry(s, admin, "RURAL_REWARD", 2024, village["died"], "CONTINUE")
        died = s.get(Recipient, village["died"])
        assert (died.status, died.exit_reason, died.exit_date) == ("ACTIVE", "", None)
    assert status.counts["EXIT"] == 2 and status.counts["CONTINUE"] == 3
    with db.session(admin) as s:
        item = yc.review_entry(s, admin, "RURAL_REWARD", 2024, village["died"])
        events = [a for a in query_audit(s, admin, user="admin") if a.action == "confirm_year" and "孙已故" in a.record_label]
        entry_rows = [a for a in query_audit(s, admin, user="admin")
                      if a.action == "update" and a.table_name == "subsidy_year_entry"]
    assert item.decision == ("CONTINUE", "") and item.proposed == "EXIT" and item.differs
    assert item.changed_by == "admin" and item.changed_at is not None
    assert events and events[0].changes["decision"] == ["退出（死亡）", "继续享受"]
    assert make_id(born="19400101", seq="104") in events[0].changes["recipient"]
    assert any(a.changes.get("kind") == ["EXIT", "CONTINUE"] for a in entry_rows)

    with db.session(supervisor) as s:
        yc.approve_year(s, supervisor, "RURAL_REWARD", 2024, on=date(2024, 3, 8))
    with pytest.raises(DataError) as e:
        with db.session(admin) as s:
            yc.change_entry(s, admin, "RURAL_REWARD", 2024, village["died"], "EXIT", "死亡")
    assert "审批锁定" in str(e.value) and "解锁" in str(e.value)
    with db.session(admin) as s:
        assert s.get(Recipient, village["died"]).status == "ACTIVE"
        assert s.query(YearEntry).filter_by(recipient_id=village["died"]).one().kind == "CONTINUE"


def test_change_entry_needs_a_confirmed_year_and_a_listed_person(db, admin, village):
    with pytest.raises(DataError) as e:
        with db.session(admin) as s:
            yc.change_entry(s, admin, "RURAL_REWARD", 2024, village["keeps"], "EXIT", "其他")
    assert "尚未确认" in str(e.value)
    with db.session(admin) as s:
        yc.confirm_year(s, admin, "RURAL_REWARD", 2024)
        late = add(s, admin, "钱后报", "19630101", "108", status="APPLIED", first_year=None)
    with db.session(admin) as s:
        review = yc.review_year(s, admin, "RURAL_REWARD", 2024)
    assert [i.recipient_id for i in review.unsaved] == [late] and by_id(review)[late].saved is None
    with pytest.raises(DataError) as e:
        with db.session(admin) as s:
            yc.change_entry(s, admin, "RURAL_REWARD", 2024, late, "NEW")
    assert "不在" in str(e.value) and "重新确认" in str(e.value)


def _snapshot(db, admin):
    with db.session(admin) as s:
        people = {r.id: (r.status, r.first_year, r.exit_reason, r.exit_date, r.version) for r in s.query(Recipient)}
        entries = sorted((e.recipient_id, e.kind, e.exit_reason, e.version) for e in s.query(YearEntry))
        confs = [(c.status, c.notice_start, c.version) for c in s.query(yc.YearConfirmation)]
        audit_rows = len(query_audit(s, admin, limit=100_000))
    return people, entries, confs, audit_rows


def test_cancelling_the_review_stops_it(db, admin, village):
    calls = []

    def cancel(done, total):
        calls.append((done, total))
        return False
    with pytest.raises(ImportCancelled) as e:
        with db.session(admin) as s:
            yc.review_year(s, admin, "RURAL_REWARD", 2024, progress=cancel)
    assert str(e.value) == "已取消审查。" and calls == [(0, 7)]


@pytest.mark.parametrize("when", ["records changed", "all written"])
def test_cancelling_a_confirmation_leaves_the_database_as_it_was(db, admin, village, when):
    with db.session(admin) as s:             # a confirmed year with a change after it: all must stay
        yc.confirm_year(s, admin, "RURAL_REWARD", 2024, notice_start=date(2024, 3, 1))
    with db.session(admin) as s:
        yc.change_entry(s, admin, "RURAL_REWARD", 2024, village["moved"], "CONTINUE")
    before = _snapshot(db, admin)
    calls = []

    def progress(done, total):
        calls.append((done, total))
        stop_at = total * 2 // 3 if when == "records changed" else total
        return done < stop_at
    with pytest.raises(ImportCancelled) as e:
        with db.session(admin) as s:
            yc.confirm_year(s, admin, "RURAL_REWARD", 2024, {village["moved"]: ("EXIT", "户籍迁出")},
                            notice_start=date(2024, 4, 1), progress=progress)
    assert "已取消资格确认，数据库未做任何改动" in str(e.value)
    assert calls[0] == (0, 21) and calls[-1][0] == (14 if when == "records changed" else 21)
    assert _snapshot(db, admin) == before
    with db.session(admin) as s:
        item = yc.review_entry(s, admin, "RURAL_REWARD", 2024, village["moved"])
    assert item.decision == ("CONTINUE", "") and item.changed_by == "admin"
