"""Users, roles and logins. Passwords are hashed with Argon2id (memory-hard); repeated failures
lock the account for a while. Every check is made here, not only in screens."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import audit, settings
from core.access import Actor, Permission, Role
from core.errors import DataError, LoginFailed
from core.orgunits import get_unit, installation_townships
from db.base import utcnow
from db.models.users import User, UserTownship

# Argon2id with 64 MiB and 2 passes (RFC 9106's second recommended option, scaled to desktops).
_hasher = PasswordHasher(time_cost=2, memory_cost=64 * 1024, parallelism=2)
MIN_PASSWORD = 8


@dataclass(frozen=True)
class UserRow:
    id: int
    username: str
    display_name: str
    role: Role
    active: bool
    locked: bool
    townships: tuple[str, ...]
    version: int


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise DataError(f"密码至少 {MIN_PASSWORD} 位。")
    if not (re.search(r"[A-Za-z]", password) and re.search(r"\d", password)):
        raise DataError("密码需同时包含字母和数字。")


def validate_username(username: str) -> str:
    username = (username or "").strip()
    if not re.fullmatch(r"[A-Za-z0-9_.\-\u4e00-\u9fff]{2,32}", username):
        raise DataError("用户名应为 2–32 个字母、数字、汉字或 _ . -。")
    if username.startswith("cli:") or username == "system":
        raise DataError(f"用户名“{username}”保留给系统使用。")
    return username


def display_names(session: Session, usernames) -> dict[str, str]:
    """{username: display name} for those of ``usernames`` who are users here (not secret: histories,
    the audit and the MCH review name people by them)."""
    wanted = sorted({u for u in usernames if u})
    if not wanted:
        return {}
    q = select(User.username, User.display_name).where(User.username.in_(wanted))
    return {u: d for u, d in session.execute(q) if d}


def shown_user(username: str, display_name: str = "") -> str:
    """张三（zhang） for a user with a display name; the name as recorded otherwise (cli:root, a removed user)."""
    return f"{display_name}（{username}）" if display_name and display_name != username else username


def count_users(session: Session) -> int:
    return session.execute(select(func.count()).select_from(User)).scalar_one()


def _row(u: User, now=None) -> UserRow:
    now = now or utcnow()
    return UserRow(u.id, u.username, u.display_name, Role(u.role), u.active,
                   bool(u.locked_until and u.locked_until > now),
                   tuple(t.township_code for t in u.townships), u.version)


def list_users(session: Session, actor: Actor) -> list[UserRow]:
    actor.require(Permission.MANAGE_USERS)
    return [_row(u) for u in session.execute(select(User).order_by(User.username)).scalars()]


def _set_townships(session: Session, user: User, codes: list[str] | None) -> None:
    codes = sorted(set(codes or []))
    for code in codes:
        unit = get_unit(session, code)
        if unit is None or unit.level != 2:
            raise DataError(f"乡镇（街道）代码 {code} 不存在。")
    # Keep the rows that stay (deleting and re-inserting the same pair would collide in one flush).
    keep = [t for t in user.townships if t.township_code in codes]
    have = {t.township_code for t in keep}
    user.townships = keep + [UserTownship(township_code=c) for c in codes if c not in have]


def create_user(session: Session, actor: Actor | None, username: str, display_name: str, role: Role,
                password: str, townships: list[str] | None = None) -> UserRow:
    """Administrators create users; ``actor`` None is allowed only for the very first account,
    which must be an administrator (the set-up wizard)."""
    if actor is None:
        if count_users(session) > 0:
            raise DataError("已有用户，请由管理员创建新用户。")
        if role is not Role.ADMIN:
            raise DataError("第一个账号必须是管理员。")
        if session.info.get("actor") is None:  # audited as the set-up step, not as nobody
            session.info["actor"] = Actor("setup", "首次设置", Role.ADMIN)
    else:
        actor.require(Permission.MANAGE_USERS)
    username = validate_username(username)
    check_password_rules(password)
    if session.execute(select(User.id).where(User.username == username)).first():
        raise DataError(f"用户名“{username}”已存在。")
    user = User(username=username, display_name=(display_name or username).strip(), role=Role(role).value,
                password_hash=hash_password(password))
    if townships and role is Role.CLERK:
        _set_townships(session, user, townships)
    session.add(user)
    session.flush()
    return _row(user)


def update_user(session: Session, actor: Actor, user_id: int, *, display_name: str | None = None,
                role: Role | None = None, active: bool | None = None, townships: list[str] | None = None,
                expected_version: int | None = None) -> UserRow:
    actor.require(Permission.MANAGE_USERS)
    user = session.get(User, user_id)
    if user is None:
        raise DataError("用户不存在。")
    if expected_version is not None and user.version != expected_version:
        from core.errors import StaleRecord
        raise StaleRecord(f"用户“{user.username}”已被其他人修改过，请刷新后再改。")
    demoting_admin = user.role == Role.ADMIN.value and ((role is not None and role is not Role.ADMIN) or active is False)
    if demoting_admin and _active_admins(session) <= 1:
        raise DataError("这是最后一个有效的管理员账号，不能降级或停用。")
    if display_name is not None:
        user.display_name = display_name.strip() or user.username
    if role is not None:
        user.role = Role(role).value
    if active is not None:
        user.active = active
    if townships is not None:
        _set_townships(session, user, townships if Role(user.role) is Role.CLERK else [])
    session.flush()
    return _row(user)


def _active_admins(session: Session) -> int:
    return session.execute(select(func.count()).select_from(User).where(User.role == Role.ADMIN.value, User.active.is_(True))).scalar_one()


def reset_password(session: Session, actor: Actor, user_id: int, new_password: str) -> None:
    actor.require(Permission.MANAGE_USERS)
    check_password_rules(new_password)
    user = session.get(User, user_id)
    if user is None:
        raise DataError("用户不存在。")
    user.password_hash = hash_password(new_password)
    user.failed_logins = 0
    user.locked_until = None
    session.flush()


def change_own_password(session: Session, actor: Actor, old_password: str, new_password: str) -> None:
    user = session.get(User, actor.user_id) if actor.user_id else None
    if user is None:
        raise DataError("只有登录的用户才能修改自己的密码。")
    if not _verify(user.password_hash, old_password):
        raise DataError("原密码不正确。")
    check_password_rules(new_password)
    user.password_hash = hash_password(new_password)
    session.flush()


def unlock_user(session: Session, actor: Actor, user_id: int) -> None:
    actor.require(Permission.MANAGE_USERS)
    user = session.get(User, user_id)
    if user is None:
        raise DataError("用户不存在。")
    user.failed_logins = 0
    user.locked_until = None
    session.flush()


def _verify(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def login(db, username: str, password: str) -> Actor:
    """Log in: returns the actor (narrowed to a township installation's scope) or raises
    ``LoginFailed`` with the reason in Chinese. Failures are counted and audited even so."""
    username = (username or "").strip()
    now = utcnow()
    outcome: Actor | str
    with db.session(Actor.system()) as session:
        max_failures = int(settings.get(session, "login.max_failures"))
        lock_minutes = int(settings.get(session, "login.lock_minutes"))
        user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
        session.info["actor"] = Actor(username or "?", username or "?", Role.CLERK)
        if user is None:
            audit.record_event(session, "login_failed", username, {"reason": "unknown user"})
            outcome = "用户名或密码不正确。"
        elif not user.active:
            audit.record_event(session, "login_failed", username, {"reason": "inactive"})
            outcome = "此账号已停用，请联系管理员。"
        elif user.locked_until and user.locked_until > now:
            minutes = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
            audit.record_event(session, "login_failed", username, {"reason": "locked"})
            outcome = f"连续输错密码次数过多，账号已锁定，请 {minutes} 分钟后再试或联系管理员解锁。"
        elif not _verify(user.password_hash, password):
            user.failed_logins += 1
            left = max_failures - user.failed_logins
            if left <= 0:
                user.locked_until = now + timedelta(minutes=lock_minutes)
                user.failed_logins = 0
                outcome = f"密码不正确。连续输错 {max_failures} 次，账号已锁定 {lock_minutes} 分钟。"
            else:
                outcome = f"用户名或密码不正确（再错 {left} 次将锁定账号）。"
            audit.record_event(session, "login_failed", username, {"reason": "wrong password"})
        else:
            user.failed_logins = 0
            user.locked_until = None
            user.last_login_at = now
            if _hasher.check_needs_rehash(user.password_hash):
                user.password_hash = hash_password(password)
            townships = frozenset(t.township_code for t in user.townships) or None
            actor = Actor(user.username, user.display_name, Role(user.role),
                          townships if Role(user.role) is Role.CLERK else None, user.id)
            outcome = actor.limited_to(installation_townships(session))
            session.info["actor"] = actor
            audit.record_event(session, "login", username)
    if isinstance(outcome, str):
        raise LoginFailed(outcome)
    return outcome
