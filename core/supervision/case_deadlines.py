"""Every statutory time limit of a case (DOMAIN.md §5), computed from its dates — one rule set for the
case form, the register, the returns and ``cases overdue``.

The limits are settings (``supervision.*`` in ``core/settings.py``) with the law's values as defaults.
Working-day limits (行政处罚法 Art. 85: the law's 五日、七日) are counted on the holiday calendar
(``working_days.py``); the others are calendar days, whose last day moves to the next working day when it
falls on a holiday or weekend (setting ``supervision.roll_to_working_day``).

Everything is evaluated *as of* a date: a date after ``as_of`` counts as not yet happened, so
``deadlines(case, date(2025, 6, 30))`` shows the case as it stood that day.

A deadline is **overdue** when it is still open after its due date, or was met late. A case "past a
limit" (``overdue_cases``, the register's 逾期 mark) has an open overdue deadline: something still to do.
The hearing request is the party's right, not a duty: when the period ends without a request it lapses and
is never overdue.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, object_session, selectinload

from core import settings
from core.supervision.codes import EXECUTION_MODES, FINISHED_STAGES, INSTALMENT_MODES, PARTY_TYPES, code_of
from core.supervision.working_days import WorkCalendar, load_calendar
from db.models.supervision import Case

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Limits:
    filing_wd: int = 7
    filing_extension_wd: int = 7
    decision_days: int = 90
    extension_head_days: int = 60
    extension_collective_days: int = 30
    hearing_request_wd: int = 5
    hearing_notice_wd: int = 7
    service_wd: int = 7
    payment_days: int = 15
    surcharge_rate: Decimal = Decimal("0.03")
    limitation_years: int = 2
    limitation_years_life: int = 5
    card_first_wd: int = 5
    card_second_wd: int = 5
    card_simple_cases: bool = False
    roll_to_working_day: bool = True

    @classmethod
    def from_settings(cls, session: Session) -> Limits:
        g = lambda key: settings.get(session, f"supervision.{key}")  # noqa: E731
        return cls(
            filing_wd=int(g("filing_working_days")), filing_extension_wd=int(g("filing_extension_working_days")),
            decision_days=int(g("decision_days")), extension_head_days=int(g("extension_head_days")),
            extension_collective_days=int(g("extension_collective_days")),
            hearing_request_wd=int(g("hearing_request_working_days")),
            hearing_notice_wd=int(g("hearing_notice_working_days")), service_wd=int(g("service_working_days")),
            payment_days=int(g("payment_days")), surcharge_rate=Decimal(str(g("surcharge_rate"))),
            limitation_years=int(g("limitation_years")), limitation_years_life=int(g("limitation_years_life")),
            card_first_wd=int(g("card_first_working_days")), card_second_wd=int(g("card_second_working_days")),
            card_simple_cases=bool(g("card_simple_cases")), roll_to_working_day=bool(g("roll_to_working_day")),
        )


@dataclass(frozen=True)
class DeadlineContext:
    """What computing deadlines needs besides the case: load once per unit of work, reuse for many cases."""
    calendar: WorkCalendar
    limits: Limits

    @classmethod
    def for_session(cls, session: Session) -> DeadlineContext:
        cached = session.info.get("sup_deadline_ctx")
        cal = load_calendar(session)
        if cached is not None and cached.calendar is cal:
            return cached
        ctx = cls(cal, Limits.from_settings(session))
        session.info["sup_deadline_ctx"] = ctx
        return ctx


@dataclass(frozen=True)
class Deadline:
    code: str             # FILING, DECISION, HEARING_REQUEST, HEARING_NOTICE, SERVICE, PAYMENT, LIMITATION, REPORT1, REPORT2
    name: str             # what must happen, in Chinese
    due: date             # the last day it may happen
    done: date | None     # when it happened (None: not yet, as of the date asked)
    overdue: bool
    days_left: int        # open: days from as_of to due (negative: days overdue); done: margin it was met with
    basis: str            # the article
    party: bool = False   # the party's time limit (paying, asking for a hearing), not the bureau's
    optional: bool = False  # a right, not a duty: lapses without being overdue
    note: str = ""

    @property
    def open(self) -> bool:
        """Still something to do: not done, and not a lapsed right."""
        return self.done is None and not (self.optional and self.days_left < 0)

    @property
    def days_overdue(self) -> int:
        return max(0, -self.days_left) if self.overdue else 0

    @property
    def status_text(self) -> str:
        if self.done is not None:
            return f"{self.done:%Y-%m-%d} 完成" + (f"，逾期 {-self.days_left} 天" if self.overdue else "")
        if self.optional and self.days_left < 0:
            return "期满未行使"
        if self.overdue:
            return f"已逾期 {-self.days_left} 天"
        return "今天到期" if self.days_left == 0 else f"还剩 {self.days_left} 天"

    def summary(self) -> str:
        """One line for lists: "送达决定书 2025-10-20（还剩 3 天）"."""
        return f"{self.name} {self.due:%Y-%m-%d}（{self.status_text}）"


# -- amounts -----------------------------------------------------------------------------------------

def fine_amount(case: Any) -> Decimal:
    """罚款 of the decision (0 when none or not decided to penalise)."""
    if getattr(case, "outcome", None) not in (None, "PENALTY"):
        return Decimal("0")
    return sum((p.amount or Decimal("0") for p in case.penalties if p.kind == "FINE"), Decimal("0"))


def surcharge(case: Any, as_of: date, ctx: DeadlineContext | None = None) -> Decimal:
    """加处罚款 (Art. 72): each day the fine is paid late, rate × fine, never more than the fine itself.
    Counted up to the payment date, or up to ``as_of`` while unpaid; days while the party's administrative
    reconsideration or litigation is pending are not counted (Art. 73)."""
    ctx = ctx or _ctx_for(case)
    fine = fine_amount(case)
    due = _payment_due(case, as_of, ctx)
    if fine <= 0 or due is None:
        return Decimal("0.00")
    end = _upto(case.paid_on, as_of) or as_of
    days = (end - due).days - _overlap(review_periods(case, as_of), due + timedelta(days=1), end)
    if days <= 0:
        return Decimal("0.00")
    amount = (fine * ctx.limits.surcharge_rate * days).quantize(CENT, rounding=ROUND_HALF_UP)
    return min(amount, fine.quantize(CENT))


def review_periods(case: Any, as_of: date) -> list[tuple[date, date]]:
    """The days (inclusive) the party's 行政复议 or 行政诉讼 was pending, as of ``as_of``."""
    out = []
    for start, stop in (("review_applied_on", "review_decided_on"), ("litigation_filed_on", "litigation_decided_on")):
        began = _upto(getattr(case, start, None), as_of)
        if began is not None:
            ended = _upto(getattr(case, stop, None), as_of)
            out.append((began, ended or as_of))
    return out


def decision_annulled(case: Any, as_of: date) -> bool:
    """The decision was revoked by the reconsideration body or the court (nothing left to pay)."""
    return any(getattr(case, result, "") == "REVOKED" and _upto(getattr(case, on, None), as_of) is not None
               for result, on in (("review_result", "review_decided_on"), ("litigation_result", "litigation_decided_on")))


def open_pause_days(case: Any, as_of: date) -> int:
    """Days of a pause (中止计算) still running as of the date, counting its first day and ``as_of``."""
    start = _upto(getattr(case, "paused_from", None), as_of)
    return (as_of - start).days + 1 if start is not None else 0


def _overlap(periods: list[tuple[date, date]], start: date, end: date) -> int:
    """How many days of [start, end] fall in any of the periods (counted once where they overlap)."""
    days = 0
    cursor = start
    for a, b in sorted(periods):
        a, b = max(a, cursor), min(b, end)
        if a <= b:
            days += (b - a).days + 1
            cursor = b + timedelta(days=1)
    return days


def _payment_due(case: Any, as_of: date, ctx: DeadlineContext) -> date | None:
    served = _upto(case.served_on, as_of)
    if served is None or fine_amount(case) <= 0 or _upto(case.decided_on, as_of) is None:
        return None
    if code_of(EXECUTION_MODES, case.execution_mode or "") in INSTALMENT_MODES or decision_annulled(case, as_of):
        return None
    return ctx.calendar.add_calendar_days(served, ctx.limits.payment_days,
                                          roll_to_working_day=ctx.limits.roll_to_working_day)


@dataclass(frozen=True)
class PaymentStatus:
    """The fine of a decided case as of a date: what was paid, what is owed, the surcharge so far."""
    fine: Decimal
    paid: Decimal            # recorded payments (0 when only a date was recorded)
    paid_on: date | None     # paid in full on
    due: date | None         # the last day to pay (None: instalments / deferred, or not served yet)
    surcharge: Decimal
    running: bool            # the surcharge is still growing (unpaid, past due, not in review)
    annulled: bool           # revoked on reconsideration or by the court

    @property
    def owed(self) -> Decimal:
        return Decimal("0.00") if self.paid_on is not None or self.annulled else max(self.fine - self.paid, Decimal("0.00"))

    def text(self) -> str:
        """One line for the case screen: "罚款 3,000.00 元，已缴 1,000.00 元，尚欠 2,000.00 元；加处罚款 90.00 元（仍在计算）"."""
        parts = [f"罚款 {self.fine:,.2f} 元"]
        if self.annulled:
            return parts[0] + "：处罚决定已被撤销，无需缴纳"
        if self.paid_on is not None:
            parts.append(f"{self.paid_on:%Y-%m-%d} 缴清" + (f"（共 {self.paid:,.2f} 元）" if self.paid else ""))
        elif self.paid:
            parts.append(f"已缴 {self.paid:,.2f} 元，尚欠 {self.owed:,.2f} 元")
        else:
            parts.append("尚未缴纳")
        if self.due is not None and self.paid_on is None:
            parts.append(f"缴纳期限 {self.due:%Y-%m-%d}")
        if self.surcharge > 0:
            parts.append(f"加处罚款 {self.surcharge:,.2f} 元" + ("（仍在计算）" if self.running else ""))
        return "，".join(parts[:2]) + ("；" + "；".join(parts[2:]) if parts[2:] else "")


def payment_status(case: Any, as_of: date, ctx: DeadlineContext | None = None) -> PaymentStatus | None:
    """None unless the case was decided with a fine."""
    ctx = ctx or _ctx_for(case)
    fine = fine_amount(case)
    if case.outcome != "PENALTY" or fine <= 0 or _upto(case.decided_on, as_of) is None:
        return None
    due = _payment_due(case, as_of, ctx)
    paid_on = _upto(case.paid_on, as_of)
    extra = surcharge(case, as_of, ctx)
    in_review = any(b >= as_of for _a, b in review_periods(case, as_of))
    running = bool(due is not None and paid_on is None and as_of > due and not in_review and extra < fine.quantize(CENT))
    return PaymentStatus(fine.quantize(CENT), (getattr(case, "paid_amount", None) or Decimal("0")).quantize(CENT),
                         paid_on, due, extra, running, decision_annulled(case, as_of))


# -- the deadlines -----------------------------------------------------------------------------------

def deadlines(case: Any, as_of: date, ctx: DeadlineContext | None = None) -> list[Deadline]:
    """Every time limit that applies to the case so far, in the order of the procedure.

    ``case``: a ``db.models.supervision.Case`` (or any object with its attributes and ``penalties``)."""
    ctx = ctx or _ctx_for(case)
    cal, lim = ctx.calendar, ctx.limits
    d = lambda value: _upto(value, as_of)  # noqa: E731 - a date after as_of has not happened yet
    out: list[Deadline] = []

    def add(code, name, due, done, basis, *, start: date, party=False, optional=False, note="", working=False):
        done = d(done)
        days_left = (due - (done or as_of)).days
        overdue = days_left < 0 and not (optional and done is None)
        notes = [note] if note else []
        if working:
            missing = cal.uncovered_years(start, due)
            if missing:
                notes.append(f"{'、'.join(map(str, missing))}年节假日安排未录入，暂按周一至周五计算")
        out.append(Deadline(code, name, due, done, overdue, days_left, basis, party, optional, "；".join(notes)))

    lead, filed = d(case.lead_on), d(case.filed_on)
    outcome_on = d(case.decided_on) or d(case.no_penalty_on) or d(case.revoked_on)

    if lead is not None:
        extended = d(case.filing_extended_on) is not None
        n = lim.filing_wd + (lim.filing_extension_wd if extended else 0)
        add("FILING", "决定是否立案", cal.add_working_days(lead, n), filed or d(case.not_filed_on),
            f"《卫生健康行政处罚程序规定》：发现线索之日起{lim.filing_wd}个工作日内决定是否立案"
            f"（经批准可延长{lim.filing_extension_wd}个工作日）；《行政处罚法》第八十五条",
            start=lead, note="已批准延长" if extended else "", working=True)

    if case.offence_on is not None and d(case.offence_on) is not None:
        years = lim.limitation_years_life if case.endangers_life else lim.limitation_years
        add("LIMITATION", "在处罚时效内发现违法行为", _add_years(case.offence_on, years), lead or filed,
            f"《行政处罚法》第三十六条：违法行为在{lim.limitation_years}年内未被发现的，不再给予行政处罚；"
            f"涉及公民生命健康安全且有危害后果的延长至{lim.limitation_years_life}年",
            start=case.offence_on)

    if filed is not None and case.procedure == "NORMAL":
        days = lim.decision_days
        notes = []
        if d(case.extension_head_on):
            days += lim.extension_head_days
            notes.append(f"负责人批准延长{lim.extension_head_days}日")
        if d(case.extension_collective_on):
            days += lim.extension_collective_days
            notes.append(f"集体讨论延长{lim.extension_collective_days}日")
        if case.paused_days:
            days += case.paused_days
            notes.append(f"听证、检测、鉴定等{case.paused_days}日不计入")
        paused = open_pause_days(case, as_of)
        if paused and outcome_on is None:
            days += paused
            notes.append(f"自 {case.paused_from:%Y-%m-%d} 起中止计算（至今 {paused} 日，恢复后续算）")
        add("DECISION", "作出处理决定", cal.add_calendar_days(filed, days, roll_to_working_day=lim.roll_to_working_day),
            outcome_on,
            f"《行政处罚法》第六十条：自立案之日起{lim.decision_days}日内作出行政处罚决定；"
            f"《卫生健康行政处罚程序规定》：经负责人批准可延长{lim.extension_head_days}日，"
            f"集体讨论决定可再延长{lim.extension_collective_days}日",
            start=filed, note="；".join(notes))

    notice = d(case.notice_on)
    if notice is not None and case.procedure == "NORMAL" and not case.rights_waived:
        add("HEARING_REQUEST", "当事人要求听证", cal.add_working_days(notice, lim.hearing_request_wd),
            case.hearing_requested_on,
            f"《行政处罚法》第六十四条：当事人要求听证的，应当在行政机关告知后{lim.hearing_request_wd}日内提出；"
            "第八十五条（工作日）",
            start=notice, party=True, optional=True, working=True)

    hearing = case.hearing_on
    if hearing is not None and (d(case.hearing_notice_on) is not None or d(case.hearing_requested_on) is not None):
        add("HEARING_NOTICE", "送达听证通知", cal.subtract_working_days(hearing, lim.hearing_notice_wd),
            case.hearing_notice_on,
            f"《行政处罚法》第六十四条：行政机关应当在举行听证的{lim.hearing_notice_wd}日前通知当事人；"
            "第八十五条（工作日）",
            start=hearing, note=f"听证定于 {hearing:%Y-%m-%d}", working=True)

    decided = d(case.decided_on)
    if decided is not None:
        add("SERVICE", "送达处罚决定书", cal.add_working_days(decided, lim.service_wd), case.served_on,
            f"《行政处罚法》第六十一条：当事人不在场的，应当在{lim.service_wd}日内送达；第八十五条（工作日）",
            start=decided, working=True)

    pay_due = _payment_due(case, as_of, ctx)
    if pay_due is not None:
        extra = surcharge(case, as_of, ctx)
        notes = [f"加处罚款 {extra} 元"] if extra > 0 else []
        if review_periods(case, as_of):
            notes.append("复议、诉讼期间不计加处罚款")
        add("PAYMENT", "当事人缴纳罚款", pay_due, case.paid_on,
            f"《行政处罚法》第六十七条：收到决定书之日起{lim.payment_days}日内缴纳；"
            f"第七十二条：逾期每日按罚款数额的{_percent(lim.surcharge_rate)}加处罚款，不超过罚款数额；"
            "第七十三条：复议、诉讼期间加处罚款不予计算",
            start=d(case.served_on), party=True, note="；".join(notes))

    if case.outcome == "PENALTY" and decided is not None and (case.procedure == "NORMAL" or lim.card_simple_cases):
        effective = d(case.effective_on) or d(case.served_on)
        if effective is not None:
            add("REPORT1", "一案一卡首次报告", cal.add_working_days(effective, lim.card_first_wd), case.report1_on,
                f"卫生行政处罚案件“一案一卡”：处罚决定生效后{lim.card_first_wd}个工作日内报告",
                start=effective, working=True)
        closed = d(case.closed_on)
        if closed is not None:
            add("REPORT2", "一案一卡结案报告", cal.add_working_days(closed, lim.card_second_wd), case.report2_on,
                f"卫生行政处罚案件“一案一卡”：结案后{lim.card_second_wd}个工作日内报告",
                start=closed, working=True)
    return out


def next_deadline(case: Any, as_of: date, ctx: DeadlineContext | None = None) -> Deadline | None:
    """The open deadline due first (an overdue one before anything else)."""
    pending = [x for x in deadlines(case, as_of, ctx) if x.open]
    return min(pending, key=lambda x: (x.due, x.code)) if pending else None


def overdue_deadlines(case: Any, as_of: date, ctx: DeadlineContext | None = None) -> list[Deadline]:
    """Open deadlines already past: what makes a case "逾期"."""
    return [x for x in deadlines(case, as_of, ctx) if x.open and x.overdue]


def is_open(case: Any, as_of: date) -> bool:
    """Not finished as of the date (结案 / 不予立案 not yet reached)."""
    if case.stage not in FINISHED_STAGES:
        return True
    finished_on = case.closed_on or case.not_filed_on
    return finished_on is None or finished_on > as_of


@dataclass(frozen=True)
class OverdueCase:
    case_id: int
    number: str
    cause: str
    party: str
    party_type: str
    stage: str
    deadline: str          # the most overdue open deadline
    code: str
    due: date
    days_overdue: int
    basis: str
    others: list[str] = field(default_factory=list)   # further overdue deadlines of the case


def overdue_cases(session: Session, as_of: date, *, township_codes: frozenset[str] | None = None) -> list[OverdueCase]:
    """Cases with an open deadline past its due date as of ``as_of``, most overdue first."""
    ctx = DeadlineContext.for_session(session)
    q = (select(Case).options(selectinload(Case.penalties))
         .where(or_(Case.lead_on <= as_of, Case.filed_on <= as_of))
         .where(or_(Case.stage.not_in(tuple(FINISHED_STAGES)),
                    Case.closed_on > as_of, Case.not_filed_on > as_of,
                    and_(Case.outcome == "PENALTY", or_(Case.report1_on.is_(None), Case.report2_on.is_(None),
                                                        Case.report1_on > as_of, Case.report2_on > as_of))))
         .order_by(Case.id))
    if township_codes is not None:
        q = q.where(Case.township_code.in_(tuple(township_codes)))
    out = []
    for case in session.execute(q).scalars():
        late = sorted(overdue_deadlines(case, as_of, ctx), key=lambda x: (x.due, x.code))
        if not late:
            continue
        first = late[0]
        out.append(OverdueCase(case.id, case.number or "", case.cause, case.party_name,
                               PARTY_TYPES.get(case.party_type, case.party_type), case.stage, first.name, first.code,
                               first.due, first.days_overdue, first.basis, [x.name for x in late[1:]]))
    out.sort(key=lambda o: (-o.days_overdue, o.number, o.case_id))
    return out


# -- helpers -----------------------------------------------------------------------------------------

def _ctx_for(case: Any) -> DeadlineContext:
    session = object_session(case) if isinstance(case, Case) else None
    if session is None:
        from core.supervision.working_days import shipped_calendar
        return DeadlineContext(shipped_calendar(), Limits())
    return DeadlineContext.for_session(session)


def _upto(value: date | None, as_of: date) -> date | None:
    return value if value is not None and value <= as_of else None


def _add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February → 28 February
        return d.replace(year=d.year + years, day=28)


def _percent(rate: Decimal) -> str:
    return f"{format((rate * 100).normalize(), 'f')}%"
