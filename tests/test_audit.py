"""The audit trail: who/when/what old → new, and a hash chain that `check` verifies."""
from __future__ import annotations

import json

from sqlalchemy import text

from core import audit, orgunits
from core.installation import check


def _last(db):
    with db.session() as s:
        return s.execute(text("SELECT seq, actor, action, record_label, changes FROM audit_log ORDER BY seq DESC")).first()


def test_rename_is_audited_with_old_and_new(db, admin):
    with db.session(admin) as s:
        orgunits.rename_unit(s, admin, "220322100", "梨树镇（新）")
    row = _last(db)
    assert row.actor == "admin" and row.action == "update"
    assert json.loads(row.changes)["name"] == ["梨树镇", "梨树镇（新）"]
    with db.session(admin) as s:
        rows = audit.query_audit(s, admin, text="220322100")
    assert rows[0].changes["name"] == ["梨树镇", "梨树镇（新）"]


def test_passwords_never_appear_in_the_audit(db, admin):
    from core import users
    from core.access import Role
    with db.session(admin) as s:
        users.create_user(s, admin, "zhang", "张三", Role.CLERK, "secret123")
    with db.session() as s:
        all_changes = " ".join(r[0] for r in s.execute(text("SELECT changes FROM audit_log")))
    assert "argon2" not in all_changes and "secret123" not in all_changes
    assert "******" in all_changes


def test_check_passes_on_an_untouched_chain(db):
    r = check(db)
    assert r["ok"], r["problems"]
    assert r["audit_chain_ok"] and r["counts"]["audit_log"] > 24


def test_check_reports_an_audit_row_edited_behind_the_programs_back(db, admin):
    with db.session(admin) as s:
        orgunits.rename_unit(s, admin, "220322100", "改名一")
        orgunits.rename_unit(s, admin, "220322101", "改名二")
    with db.engine.begin() as c:
        seq = c.execute(text("SELECT seq FROM audit_log WHERE record_label = '220322100' AND action = 'update'")).scalar()
        c.execute(text("UPDATE audit_log SET actor = 'someone_else' WHERE seq = :s"), {"s": seq})
    r = check(db)
    assert not r["ok"] and not r["audit_chain_ok"]
    assert any(f"第 {seq} 条的内容被改动过" in p for p in r["problems"])


def test_check_reports_a_deleted_audit_row(db):
    with db.engine.begin() as c:
        c.execute(text("DELETE FROM audit_log WHERE seq = 5"))
    r = check(db)
    assert not r["ok"]
    assert any("缺失" in p for p in r["problems"])


def test_check_reports_the_newest_rows_deleted(db):
    with db.engine.begin() as c:
        last = c.execute(text("SELECT MAX(seq) FROM audit_log")).scalar()
        c.execute(text("DELETE FROM audit_log WHERE seq = :s"), {"s": last})
    r = check(db)
    assert not r["ok"]
    assert any("最新的审计记录" in p for p in r["problems"])


def test_query_audit_pages_by_keyset(db, admin):
    with db.session(admin) as s:
        first = audit.query_audit(s, admin, limit=10)
        second = audit.query_audit(s, admin, limit=10, before_seq=first[-1].seq)
    assert len(first) == 10 and [r.seq for r in first] == sorted((r.seq for r in first), reverse=True)
    assert second[0].seq == first[-1].seq - 1


def test_history_names_users_by_display_name_and_others_as_written(db, admin):
    from core import users
    from core.access import Actor, Role
    with db.session(admin) as s:
        users.create_user(s, admin, "zhang", "张三", Role.ADMIN, "secret123")
    zhang = Actor("zhang", "张三", Role.ADMIN)
    with db.session(zhang) as s:
        orgunits.rename_unit(s, zhang, "220322100", "梨树镇（新）")
    with db.session(admin) as s:
        newest, before = audit.query_audit(s, admin, limit=2)
    assert (newest.actor, newest.shown_actor) == ("zhang", "张三（zhang）")
    assert before.actor == "admin" and before.shown_actor == "admin"   # no such user in this database
