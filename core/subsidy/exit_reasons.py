"""退出原因: the reasons built into the program (the yearly review proposes some of them) and the ones a
county adds (e.g. 服刑、失联). The form, the exit, the import and the yearly review all ask
``exit_reasons``; an administrator adds and removes the county's own here."""
from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import settings
from core.access import Actor, Permission
from core.errors import DataError
from db.models.subsidy import Recipient

# Built in: the yearly review proposes the first ones (their order is its priority) and 死亡 sets the
# person's death date on exit.
EXIT_REASONS = ["死亡", "再生育/收养", "子女康复或情况变化", "户籍迁出", "转为非农户口", "不符合条件（取消）", "其他"]
LOCAL_KEY = "subsidy.exit_reasons_local"
OTHER = "其他"
MAX_LENGTH = 20          # subsidy_recipient.exit_reason


def local_exit_reasons(session: Session) -> list[str]:
    return [str(r) for r in settings.get(session, LOCAL_KEY) or []]


def exit_reasons(session: Session) -> list[str]:
    """Every reason one may choose: the built-in ones, the county's own, and 其他 last."""
    built_in = [r for r in EXIT_REASONS if r != OTHER]
    return built_in + [r for r in local_exit_reasons(session) if r not in EXIT_REASONS] + [OTHER]


def add_exit_reason(session: Session, actor: Actor, reason: str) -> list[str]:
    """Add one of the county's own reasons (administrators); the whole list comes back."""
    actor.require(Permission.MANAGE_REFERENCE)
    reason = re.sub(r"\s+", "", reason or "")
    if not reason:
        raise DataError("退出原因不能为空。")
    if len(reason) > MAX_LENGTH:
        raise DataError(f"退出原因“{reason}”太长（最多 {MAX_LENGTH} 个字）。")
    if reason in exit_reasons(session):
        raise DataError(f"已经有退出原因“{reason}”。")
    settings.store(session, LOCAL_KEY, local_exit_reasons(session) + [reason])
    return exit_reasons(session)


def remove_exit_reason(session: Session, actor: Actor, reason: str) -> list[str]:
    """Remove one of the county's own reasons, unless a record still gives it (administrators)."""
    actor.require(Permission.MANAGE_REFERENCE)
    if reason in EXIT_REASONS:
        raise DataError(f"“{reason}”是程序内置的退出原因，不能删除。")
    local = local_exit_reasons(session)
    if reason not in local:
        raise DataError(f"没有退出原因“{reason}”。")
    used = session.scalar(select(func.count()).select_from(Recipient).where(Recipient.exit_reason == reason))
    if used:
        raise DataError(f"已有 {used} 名扶助对象的退出原因是“{reason}”，不能删除。")
    settings.store(session, LOCAL_KEY, [r for r in local if r != reason])
    return exit_reasons(session)
