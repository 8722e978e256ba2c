"""Role checks live in core services: a clerk calling an administrator's service is refused."""
from __future__ import annotations

import pytest

from core import orgunits, settings, users
from core.access import Role
from core.backup import backup
from core.errors import LoginFailed, PermissionDenied


def test_clerk_is_refused_administrator_services(db, clerk, tmp_path):
    with pytest.raises(PermissionDenied) as e:
        with db.session(clerk) as s:
            users.create_user(s, clerk, "newbie", "新人", Role.CLERK, "abcd1234")
    assert "录入员" in str(e.value) and "无权管理用户" in str(e.value)
    with pytest.raises(PermissionDenied):
        with db.session(clerk) as s:
            orgunits.add_unit(s, clerk, "220322100201", "新村")
    with pytest.raises(PermissionDenied):
        with db.session(clerk) as s:
            settings.put(s, clerk, "returns.header", {"preparer": "x"})
    with pytest.raises(PermissionDenied):
        backup(db, clerk, tmp_path / "b.wjbak")
    assert not (tmp_path / "b.wjbak").exists()
    with db.session() as s:
        assert orgunits.get_unit(s, "220322100201") is None
        assert users.count_users(s) == 0


def test_supervisor_may_not_manage_users_but_admin_may(db, supervisor, admin):
    with pytest.raises(PermissionDenied):
        with db.session(supervisor) as s:
            users.list_users(s, supervisor)
    with db.session(admin) as s:
        assert users.list_users(s, admin) == []


def test_clerk_limited_to_townships(db, admin):
    with db.session(admin) as s:
        users.create_user(s, admin, "li", "李录入", Role.CLERK, "abcd1234", ["220322100"])
    actor = users.login(db, "li", "abcd1234")
    assert actor.townships == frozenset({"220322100"})
    assert actor.may_edit_township("220322100201") and not actor.may_edit_township("220322101201")
    with pytest.raises(PermissionDenied):
        actor.require_township("220322101")


def test_login_locks_after_repeated_failures(db, admin):
    with db.session(admin) as s:
        users.create_user(s, admin, "wang", "王", Role.SUPERVISOR, "right1234")
    for i in range(4):
        with pytest.raises(LoginFailed) as e:
            users.login(db, "wang", "wrong")
        assert "不正确" in str(e.value)
    with pytest.raises(LoginFailed) as e:
        users.login(db, "wang", "wrong")
    assert "已锁定" in str(e.value)
    with pytest.raises(LoginFailed) as e:
        users.login(db, "wang", "right1234")  # right password, still locked
    assert "锁定" in str(e.value)
    with db.session(admin) as s:
        uid = next(u.id for u in users.list_users(s, admin) if u.username == "wang")
        users.unlock_user(s, admin, uid)
    actor = users.login(db, "wang", "right1234")
    assert actor.role is Role.SUPERVISOR and actor.user_id == uid


def test_password_is_hashed_with_argon2id(db, admin):
    from sqlalchemy import text
    with db.session(admin) as s:
        users.create_user(s, admin, "zhao", "赵", Role.CLERK, "pass1234")
    with db.session() as s:
        h = s.execute(text("SELECT password_hash FROM app_user WHERE username='zhao'")).scalar()
    assert h.startswith("$argon2id$") and "pass1234" not in h


def test_password_rules_and_last_admin(db, admin):
    from core.errors import DataError
    with pytest.raises(DataError):
        with db.session(admin) as s:
            users.create_user(s, admin, "short", "短", Role.CLERK, "abc")
    with db.session(None) as s:
        u = users.create_user(s, None, "boss", "局长", Role.ADMIN, "boss12345")
    with pytest.raises(DataError) as e:
        with db.session(admin) as s:
            users.update_user(s, admin, u.id, role=Role.CLERK)
    assert "最后一个" in str(e.value)


def test_township_installation_scopes_everyone(empty_db, admin):
    from core.installation import initialise
    initialise(empty_db, admin, "220322", "梨树县", "220322100")
    with empty_db.session(admin) as s:
        users.create_user(s, admin, "town", "乡镇管理员", Role.ADMIN, "town12345")
    actor = users.login(empty_db, "town", "town12345")
    assert actor.townships == frozenset({"220322100"})
    with empty_db.session(actor) as s:
        codes = {u.code for u in orgunits.list_units(s)}
    assert codes == {"220322", "220322100"}
    with pytest.raises(PermissionDenied):
        with empty_db.session(actor) as s:
            orgunits.add_unit(s, actor, "220322101201", "别乡的村")


def test_clerk_township_limits_can_be_changed(db, admin):
    with db.session(admin) as s:
        u = users.create_user(s, admin, "li2", "李", Role.CLERK, "abcd1234", ["220322100", "220322101"])
    with db.session(admin) as s:
        users.update_user(s, admin, u.id, townships=["220322100", "220322102"])
    assert users.login(db, "li2", "abcd1234").townships == frozenset({"220322100", "220322102"})
