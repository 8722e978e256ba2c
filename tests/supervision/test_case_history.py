"""The case's history, told from the audit trail: each step with its date and who took it, each edit with
Chinese field names and names instead of codes, officers removed or changed, ID numbers masked, no JSON;
a clerk (no audit permission) sees the dated steps only. And migration 0005 turns the 执行方式 names
stored by 0004 into codes."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import create_engine, insert, select

from core.access import Actor, Role
from core.errors import PermissionDenied
from core.supervision import case_stages as st
from core.supervision import cases as cs
from core.supervision.case_history import case_history
from tests.supervision.factory import new_case, person_id, run

D = date(2025, 1, 6)


def history(db, actor, cid):
    with db.session(actor) as s:
        return case_history(s, actor, cid)


def test_steps_and_edits_in_words_newest_first(db, admin, supervisor, clerk):
    pid = person_id("19750314", "452")
    cid = new_case(db, clerk, party_type="PERSON", party_name="赵某", party_code=pid, legal_rep="")
    run(db, clerk, cid, ("INVESTIGATED", date(2025, 2, 10)))
    with db.session() as s:
        data, version = cs.load_input(s, cid)
    data.officers[1].certificate_no = "22039999"
    data.township, data.category = "梨树镇", "PUBLIC_PLACE"
    with db.session(admin) as s:
        cs.save_case(s, admin, data, case_id=cid, expected_version=version)
    with db.session(clerk) as s:
        st.record_pause_start(s, clerk, cid, date(2025, 2, 12), "送检")

    h = history(db, supervisor, cid)
    assert h.full and [e.action for e in h.entries] == ["登记“中止计算办案期限”", "修改", "办理“调查终结”", "新建案件"]
    pause, edit, step, created = h.entries
    assert (step.actor, step.on, step.details) == ("clerk", "2025-02-10", ["办理“调查终结” 2025-02-10"])
    assert pause.details == ["登记“中止计算办案期限” 2025-02-12（送检）", "中止计算起始日期：（空） → 2025-02-12"]
    assert edit.actor == "admin"
    assert set(edit.details) == {"专业类别：医疗卫生 → 公共场所卫生", "所在乡镇：（空） → 梨树镇",
                                 "承办人 李娜：执法证号 22030002 → 22039999"}
    assert created.details[0].startswith("新建：案件文号 梨卫医罚〔2025〕1号；案由 ") and "当事人类型 个人" in created.details[0]
    assert "办理“立案” 2025-01-06" in created.details
    assert "承办人：增加 张伟（执法证号 22030001）" in created.details
    everything = " ".join(" ".join(e.details) for e in h.entries)
    assert pid not in everything and f"220322********{pid[-4:]}" in everything
    assert "{" not in everything and "[" not in everything and "null" not in everything
    assert all(isinstance(e.at, datetime) for e in h.entries)


def test_a_removed_officer_is_in_the_history(db, admin):
    from tests.supervision.factory import officers
    cid = new_case(db, admin, officers=officers(3))
    with db.session() as s:
        data, version = cs.load_input(s, cid)
    data.officers = data.officers[:2]
    with db.session(admin) as s:
        cs.save_case(s, admin, data, case_id=cid, expected_version=version)
    assert history(db, admin, cid).entries[0].details == ["承办人：删除 王强（执法证号 22030003）"]


def test_a_clerk_sees_the_steps_only(db, clerk):
    cid = new_case(db, clerk)
    run(db, clerk, cid, ("INVESTIGATED", date(2025, 2, 10)))
    h = history(db, clerk, cid)
    assert not h.full and "只有审核员和管理员可以查看" in h.note
    assert [(e.on, e.action, e.actor) for e in h.entries] == [("2025-02-10", "办理“调查终结”", "clerk"),
                                                              ("2025-01-06", "办理“立案”", "clerk")]


def test_a_township_clerk_cannot_read_another_townships_case(db, admin):
    cid = new_case(db, admin, township="220322100")
    other = Actor("town", "乡镇", Role.SUPERVISOR, townships=frozenset({"220322101"}))
    with pytest.raises(PermissionDenied):
        history(db, other, cid)


def test_migration_0005_turns_execution_mode_names_into_codes(tmp_path):
    from db import schema
    engine = create_engine(f"sqlite:///{tmp_path / 'old.sqlite'}")
    schema.upgrade(engine, "0004_supervision")
    from sqlalchemy import MetaData, Table
    case = Table("sup_case", MetaData(), autoload_with=engine)
    now = datetime(2025, 1, 1)
    base = dict(created_at=now, updated_at=now, created_by="t", updated_by="t", version=1, cause="案由",
                category="MEDICAL", source="ROUTINE", party_type="UNIT", party_name="某诊所", party_code="",
                party_address="", legal_rep="", party_phone="", procedure="NORMAL", stage="FILED",
                endangers_life=False, rights_waived=False, paused_days=0, facts="", violated="", basis="",
                review_litigation="", incomplete="", note="")
    with engine.begin() as c:
        for i, mode in enumerate(("分期缴纳", "申请人民法院强制执行", "")):
            c.execute(insert(case).values(uuid=f"u{i}", execution_mode=mode, **base))
    schema.upgrade(engine)
    case = Table("sup_case", MetaData(), autoload_with=engine)
    with engine.connect() as c:
        rows = c.execute(select(case.c.execution_mode, case.c.review_result, case.c.litigation_result)
                         .order_by(case.c.id)).all()
    assert [tuple(r) for r in rows] == [("INSTALMENT", "", ""), ("COURT", "", ""), ("", "", "")]
    engine.dispose()
