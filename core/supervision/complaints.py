"""投诉举报 (DOMAIN.md §5 "Also recorded"): register a complaint, record how it was handled, and
summarise by channel (received, handled, rate, substantiated, cases opened, satisfaction).

办结率 = 已办结 ÷ 受理 × 100; 满意率 = (满意 + 基本满意) ÷ 已评价 × 100 ("未评价" is not counted);
both two decimals rounded half up. A complaint counts in the period its received date falls in.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from core.access import Actor, Permission
from core.errors import DataError, StaleRecord
from core.supervision.codes import CATEGORIES, COMPLAINT_CHANNELS, COMPLAINT_RESULTS, SATISFACTION, code_of
from core.supervision.random_tasks import case_text, rate_percent
from db.models.supervision import Case, Complaint

SUBSTANTIATED = ("属实", "部分属实")
SATISFIED = ("满意", "基本满意")


@dataclass
class ComplaintInput:
    received_on: date | None = None
    channel: str = ""
    ref_no: str = ""
    category: str = ""
    subject: str = ""
    content: str = ""
    township: str = ""
    handled_on: date | None = None
    result: str = ""
    result_note: str = ""
    satisfaction: str = ""
    case_id: int | None = None


@dataclass(frozen=True)
class ComplaintRow:
    id: int
    version: int
    received_on: date
    channel: str
    ref_no: str
    category_name: str
    subject: str
    handled_on: date | None
    result: str
    satisfaction: str
    case_id: int | None
    township_code: str = ""
    result_note: str = ""
    case_number: str = ""      # 文号 of the linked case ("（未编号）" while it has none)

    @property
    def status(self) -> str:
        return "已办结" if self.handled_on is not None else "办理中"


def save_complaint(session: Session, actor: Actor, data: ComplaintInput, *, complaint_id: int | None = None,
                   expected_version: int | None = None) -> tuple[int, int]:
    actor.require(Permission.EDIT_DATA)
    problems = []
    if data.received_on is None:
        problems.append("请填写受理日期")
    elif data.received_on > date.today():
        problems.append(f"受理日期 {data.received_on:%Y-%m-%d} 晚于今天")
    channel = (data.channel or "").strip()
    if channel not in COMPLAINT_CHANNELS:
        problems.append(f"来源渠道应为{'、'.join(COMPLAINT_CHANNELS)}之一")
    category = code_of(CATEGORIES, data.category) if data.category else ""
    if category is None:
        problems.append(f"专业类别“{data.category}”不对")
    subject = re.sub(r"\s+", " ", data.subject or "").strip()
    if not subject:
        problems.append("被投诉对象不能为空")
    township = (data.township or "").strip() or None
    if township and not re.fullmatch(r"\d{9}", township):
        problems.append("所在乡镇应为 9 位代码")
    if township:
        actor.require_township(township)
    problems += _handled_problems(session, data.received_on, data.handled_on, data.result, data.satisfaction, data.case_id)
    if problems:
        raise DataError("未保存：" + "；".join(problems), details=problems)
    c = _load(session, actor, complaint_id, expected_version) if complaint_id is not None else Complaint()
    c.received_on, c.channel, c.ref_no, c.category = data.received_on, channel, (data.ref_no or "").strip(), category or ""
    c.subject, c.content, c.township_code = subject, (data.content or "").strip(), township
    c.handled_on, c.result, c.result_note = data.handled_on, data.result or "", (data.result_note or "").strip()
    c.satisfaction, c.case_id = data.satisfaction or "", data.case_id
    if complaint_id is None:
        session.add(c)
    session.flush()
    return c.id, c.version


def handle_complaint(session: Session, actor: Actor, complaint_id: int, handled_on: date, result: str,
                     satisfaction: str = "未评价", note: str = "", *, case_id: int | None = None,
                     expected_version: int | None = None) -> None:
    """办结: the date, the finding, the complainant's satisfaction, and a case it opened."""
    actor.require(Permission.EDIT_DATA)
    c = _load(session, actor, complaint_id, expected_version)
    problems = _handled_problems(session, c.received_on, handled_on, result, satisfaction, case_id, required=True)
    if problems:
        raise DataError("未保存：" + "；".join(problems), details=problems)
    c.handled_on, c.result, c.satisfaction, c.result_note = handled_on, result, satisfaction, (note or "").strip()
    if case_id is not None:
        c.case_id = case_id
    session.flush()


def _handled_problems(session: Session, received_on: date | None, handled_on: date | None, result: str,
                      satisfaction: str, case_id: int | None, required: bool = False) -> list[str]:
    problems = []
    if required and handled_on is None:
        problems.append("请填写办结日期")
    if handled_on is not None:
        if handled_on > date.today():
            problems.append(f"办结日期 {handled_on:%Y-%m-%d} 晚于今天")
        if received_on is not None and handled_on < received_on:
            problems.append(f"办结日期 {handled_on:%Y-%m-%d} 早于受理日期 {received_on:%Y-%m-%d}")
        if result not in COMPLAINT_RESULTS:
            problems.append(f"办理结果应为{'、'.join(COMPLAINT_RESULTS)}之一")
    elif result:
        problems.append("有办理结果的投诉须填写办结日期")
    if satisfaction and satisfaction not in SATISFACTION:
        problems.append(f"满意度应为{'、'.join(SATISFACTION)}之一")
    if case_id is not None and session.get(Case, case_id) is None:
        problems.append("关联的案件不存在")
    return problems


def _load(session: Session, actor: Actor, complaint_id: int, expected_version: int | None) -> Complaint:
    c = session.get(Complaint, complaint_id)
    if c is None:
        raise DataError("这条投诉举报已不存在。")
    if c.township_code:
        actor.require_township(c.township_code)
    if expected_version is not None and c.version != expected_version:
        raise StaleRecord(f"投诉“{c.subject}”已被其他人修改过，本次保存未生效。")
    return c


def load_complaint(session: Session, actor: Actor, complaint_id: int) -> tuple[ComplaintInput, int]:
    """A complaint as the form edits it, and its version (for ``save_complaint(expected_version=…)``)."""
    c = _load(session, actor, complaint_id, None)
    return ComplaintInput(received_on=c.received_on, channel=c.channel, ref_no=c.ref_no, category=c.category,
                          subject=c.subject, content=c.content, township=c.township_code or "",
                          handled_on=c.handled_on, result=c.result, result_note=c.result_note,
                          satisfaction=c.satisfaction, case_id=c.case_id), c.version


def list_complaints(session: Session, actor: Actor | None = None, *, start: date | None = None, end: date | None = None,
                    handled: bool | None = None, channel: str | None = None, text: str = "",
                    limit: int = 2000) -> list[ComplaintRow]:
    """Complaints received in [start, end], newest first; ``text``: part of the subject or the 工单号."""
    q = (select(Complaint, Case.number).outerjoin(Case, Case.id == Complaint.case_id)
         .order_by(Complaint.received_on.desc(), Complaint.id.desc()).limit(limit))
    if start:
        q = q.where(Complaint.received_on >= start)
    if end:
        q = q.where(Complaint.received_on <= end)
    if handled is True:
        q = q.where(Complaint.handled_on.is_not(None))
    elif handled is False:
        q = q.where(Complaint.handled_on.is_(None))
    if channel:
        q = q.where(Complaint.channel == channel)
    if text.strip():
        t = text.strip()
        q = q.where(or_(Complaint.subject.contains(t, autoescape=True), Complaint.ref_no.contains(t, autoescape=True)))
    if actor is not None and actor.townships is not None:
        q = q.where(Complaint.township_code.in_(tuple(actor.townships)))
    return [ComplaintRow(c.id, c.version, c.received_on, c.channel, c.ref_no, CATEGORIES.get(c.category, ""), c.subject,
                         c.handled_on, c.result, c.satisfaction, c.case_id, c.township_code or "", c.result_note,
                         case_text(c.case_id, number))
            for c, number in session.execute(q)]


@dataclass(frozen=True)
class ComplaintTally:
    channel: str               # "合计" for the total
    received: int
    handled: int
    rate: Decimal | None       # 办结率（%）
    substantiated: int         # 属实 + 部分属实
    cases: int                 # opened a case
    rated: int                 # with a satisfaction other than 未评价
    satisfied: int             # 满意 + 基本满意
    satisfaction_rate: Decimal | None


def summary(session: Session, start: date, end: date, township_codes: frozenset[str] | None = None) -> list[ComplaintTally]:
    """By channel (every channel listed), then the total."""
    q = select(Complaint.channel, Complaint.handled_on, Complaint.result, Complaint.satisfaction, Complaint.case_id).where(
        Complaint.received_on >= start, Complaint.received_on <= end)
    if township_codes is not None:
        q = q.where(Complaint.township_code.in_(tuple(township_codes)))
    tally = {ch: [0, 0, 0, 0, 0, 0] for ch in COMPLAINT_CHANNELS}
    for channel, handled_on, result, satisfaction, case_id in session.execute(q):
        t = tally.setdefault(channel, [0, 0, 0, 0, 0, 0])
        t[0] += 1
        t[1] += handled_on is not None
        t[2] += result in SUBSTANTIATED
        t[3] += case_id is not None
        t[4] += satisfaction in SATISFACTION and satisfaction != "未评价"
        t[5] += satisfaction in SATISFIED
    rows = [_tally(ch, t) for ch, t in tally.items()]
    total = [sum(t[i] for t in tally.values()) for i in range(6)]
    return rows + [_tally("合计", total)]


def _tally(channel: str, t: list[int]) -> ComplaintTally:
    return ComplaintTally(channel, t[0], t[1], rate_percent(t[1], t[0]), t[2], t[3], t[4], t[5], rate_percent(t[5], t[4]))

