"""Submission, approval and locking of a township-month (DOMAIN.md §4):
OPEN → (clerk) SUBMITTED → (supervisor) APPROVED = locked, or RETURNED with a reason → editable again.
Changing an approved month needs an explicit, audited unlock."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import audit
from core.access import Actor, Permission
from core.errors import DataError
from db.base import utcnow
from db.models.mch import MonthReport

STATUS_LABELS = {"OPEN": "填报中", "SUBMITTED": "已上报", "APPROVED": "已审核（锁定）", "RETURNED": "已退回"}


@dataclass(frozen=True)
class ReportState:
    township_code: str
    period: str
    status: str
    submitted_at: object
    submitted_by: str
    approved_at: object
    approved_by: str
    returned_reason: str
    submitted_by_shown: str = ""     # 张三（zhang）
    approved_by_shown: str = ""

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]


def _report(session: Session, township: str, period: str, create: bool = True) -> MonthReport | None:
    r = session.execute(select(MonthReport).where(MonthReport.township_code == township,
                                                  MonthReport.period == period)).scalar_one_or_none()
    if r is None and create:
        r = MonthReport(township_code=township, period=period, status="OPEN")
        session.add(r)
    return r


def state(session: Session, township: str, period: str) -> ReportState:
    r = _report(session, township, period, create=False)
    if r is None:
        return ReportState(township, period, "OPEN", None, "", None, "", "")
    from core.users import display_names, shown_user
    names = display_names(session, (r.submitted_by, r.approved_by))
    return ReportState(township, period, r.status, r.submitted_at, r.submitted_by, r.approved_at, r.approved_by,
                       r.returned_reason, shown_user(r.submitted_by, names.get(r.submitted_by, "")),
                       shown_user(r.approved_by, names.get(r.approved_by, "")))


def _name(period: str) -> str:
    return f"{period[:4]}年{int(period[4:])}月"


def submit(session: Session, actor: Actor, township: str, period: str, *, check=None) -> ReportState:
    """上报. ``check`` (rules.check_month) must report no errors, and every warning needs a comment."""
    actor.require(Permission.EDIT_DATA)
    actor.require_township(township)
    r = _report(session, township, period)
    if r.status in ("SUBMITTED", "APPROVED"):
        raise DataError(f"{_name(period)}的月报已经是“{STATUS_LABELS[r.status]}”，不需要再上报。")
    if check is not None:
        result = check(session, township, period)
        if result.errors:
            raise DataError(f"{_name(period)}的月报有 {len(result.errors)} 处错误，改正后才能上报。",
                            details=[f.message for f in result.errors])
        uncommented = [f for f in result.warnings if not f.commented]
        if uncommented:
            raise DataError(f"{_name(period)}的月报有 {len(uncommented)} 条警告没有说明，请在相应数值上填写说明后再上报。",
                            details=[f.message for f in uncommented])
    r.status, r.submitted_at, r.submitted_by, r.returned_reason = "SUBMITTED", utcnow(), actor.username, ""
    session.flush()
    return state(session, township, period)


def approve(session: Session, actor: Actor, township: str, period: str) -> ReportState:
    actor.require(Permission.APPROVE)
    r = _report(session, township, period, create=False)
    if r is None or r.status != "SUBMITTED":
        raise DataError(f"{_name(period)}的月报尚未上报，不能审核。")
    r.status, r.approved_at, r.approved_by = "APPROVED", utcnow(), actor.username
    session.flush()
    return state(session, township, period)


def return_report(session: Session, actor: Actor, township: str, period: str, reason: str) -> ReportState:
    """退回 a submitted month with a reason: the township can edit again."""
    actor.require(Permission.APPROVE)
    if not (reason or "").strip():
        raise DataError("退回时必须写明原因。")
    r = _report(session, township, period, create=False)
    if r is None or r.status != "SUBMITTED":
        raise DataError(f"只有“已上报”的月报可以退回；{_name(period)}的月报是“{STATUS_LABELS[r.status if r else 'OPEN']}”。")
    r.status, r.returned_reason = "RETURNED", reason.strip()
    session.flush()
    return state(session, township, period)


def unlock(session: Session, actor: Actor, township: str, period: str, reason: str) -> ReportState:
    """解锁 an approved month (audited with the reason)."""
    actor.require(Permission.UNLOCK)
    if not (reason or "").strip():
        raise DataError("解锁已审核的月报必须写明原因。")
    r = _report(session, township, period, create=False)
    if r is None or r.status != "APPROVED":
        raise DataError(f"{_name(period)}的月报没有锁定，不需要解锁。")
    r.status, r.unlock_reason = "RETURNED", reason.strip()
    r.returned_reason = f"解锁：{reason.strip()}"
    session.flush()
    audit.record_event(session, "unlock", f"{township} {period} 月报", {"reason": reason.strip()},
                       table_name="mch_month_report", record_uuid=r.uuid)
    return state(session, township, period)
