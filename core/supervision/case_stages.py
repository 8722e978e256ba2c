"""The life of a case as a state machine (DOMAIN.md §5):

一般程序  线索受理 → 立案 → 调查终结 → 告知 → [听证] → 决定 → 送达 → 执行 → 结案
          或 立案后 撤销立案 / 调查终结后 不予处罚 → 结案；线索 → 不予立案
简易程序  立案 → 决定（当场作出并交付决定书）→ 执行 → 结案（只给予警告的：决定 → 结案）

Each step is dated and written as a ``CaseStageEvent`` (and audited with the case's own changes, in the
same transaction). A step that skips what the law requires first is refused with the reason, as is a date
before the steps it follows or after today. Deadlines missed are *not* refused — the record must say what
happened — they show as overdue (``case_deadlines.py``). A supervisor can take the last step back
(``revert_stage``) to correct a mistake; the event stays in the history, marked as withdrawn.

Other dated entries of the case history live here too: the hearing notice and hearing, time that does
not count (听证、检测、鉴定 — as a closed period, or as 中止 now and 恢复 later), extensions (with who
approved them), payments (date and amount, instalments adding up), and the 一案一卡 reports.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from core import settings
from core.access import Actor, Permission
from core.errors import DataError, StaleRecord
from core.supervision import case_numbers
from core.supervision.case_deadlines import (DeadlineContext, PaymentStatus, deadlines, fine_amount,
                                             payment_status, surcharge)
from core.supervision.codes import (EVENT_LABELS, FINISHED_STAGES, MONEY_KINDS, PENALTY_KINDS, STAGE_DATE_FIELD,
                                    STAGES)
from db.models.supervision import Case, CaseStageEvent

NORMAL_NEXT: dict[str, tuple[str, ...]] = {
    "LEAD": ("FILED", "NOT_FILED"),
    "FILED": ("INVESTIGATED", "REVOKED"),
    "INVESTIGATED": ("NOTICE", "NO_PENALTY", "REVOKED"),
    "NOTICE": ("HEARING", "DECISION", "NO_PENALTY", "REVOKED"),
    "HEARING": ("DECISION", "NO_PENALTY", "REVOKED"),
    "DECISION": ("SERVED",),
    "SERVED": ("EXECUTION",),
    "EXECUTION": ("CLOSED",),
    "NO_PENALTY": ("CLOSED",),
    "REVOKED": ("CLOSED",),
}
SIMPLE_NEXT: dict[str, tuple[str, ...]] = {
    "LEAD": ("FILED", "NOT_FILED"),
    "FILED": ("DECISION", "REVOKED"),
    "DECISION": ("EXECUTION", "CLOSED"),
    "EXECUTION": ("CLOSED",),
    "REVOKED": ("CLOSED",),
}
RANK = {"LEAD": 0, "FILED": 1, "NOT_FILED": 1, "INVESTIGATED": 2, "NOTICE": 3, "HEARING": 4, "DECISION": 5,
        "NO_PENALTY": 5, "REVOKED": 5, "SERVED": 6, "EXECUTION": 7, "CLOSED": 8}
PREREQUISITE = {
    "FILED": "须先受理线索",
    "INVESTIGATED": "须先立案",
    "NOTICE": "须先调查终结",
    "HEARING": "须先告知当事人拟作出的处罚及要求听证的权利",
    "DECISION": "须先调查终结并事先告知当事人拟作出的处罚",
    "SERVED": "须先作出处罚决定",
    "EXECUTION": "须先作出处罚决定并送达",
    "NO_PENALTY": "须先立案并调查终结",
    "REVOKED": "须先立案",
    "NOT_FILED": "只有尚未立案的线索才能不予立案；已立案的案件可以撤销立案",
}
CLOSING_PREREQUISITE = {
    "LEAD": "线索须先立案并办结，或作出不予立案",
    "FILED": "须先作出处理决定（处罚决定并执行完毕、不予处罚或撤销立案）",
    "INVESTIGATED": "须先作出处理决定（处罚决定并执行完毕、不予处罚或撤销立案）",
    "NOTICE": "须先作出处理决定（处罚决定并执行完毕、不予处罚或撤销立案）",
    "HEARING": "须先作出处理决定（处罚决定并执行完毕、不予处罚或撤销立案）",
    "DECISION": "处罚决定须先送达并执行完毕",
    "SERVED": "须先执行完毕",
}
SIMPLE_ONLY = "简易程序当场作出处罚决定并交付决定书，没有调查终结、告知、听证和单独的送达环节；需要调查取证的案件请改为一般程序"
SIMPLE_KINDS = ("WARNING", "FINE")


@dataclass(frozen=True)
class StageResult:
    case_id: int
    stage: str
    version: int
    number: str | None
    warnings: list[str] = field(default_factory=list)


# -- what may come next ------------------------------------------------------------------------------

def next_stages(case: Case) -> list[str]:
    """The steps the case may take now (for the buttons of the case screen)."""
    table = SIMPLE_NEXT if case.procedure == "SIMPLE" else NORMAL_NEXT
    out = list(table.get(case.stage, ()))
    if case.procedure == "SIMPLE" and case.stage == "DECISION":
        out = ["EXECUTION"] if fine_amount(case) > 0 else ["CLOSED"]
    return out


def why_not(case: Case, target: str) -> str | None:
    """Why the case cannot go to ``target`` now (Chinese), or None when the step is allowed."""
    if target not in STAGES:
        return f"没有“{target}”这个办案环节。"
    here, there = STAGES[case.stage], STAGES[target]
    if case.stage in FINISHED_STAGES:
        return f"案件已{here}，不能再办理“{there}”；如需更正，请审核员撤回上一环节。"
    if target == case.stage:
        return f"案件已处于“{here}”环节。"
    if target in next_stages(case):
        return None
    if target == "NOT_FILED":
        return f"不能办理“{there}”：{PREREQUISITE['NOT_FILED']}。"
    if RANK[target] <= RANK[case.stage] or (case.outcome is not None and target in ("DECISION", "NO_PENALTY", "REVOKED")):
        return f"案件已到“{here}”环节，不能再回到或改为“{there}”；如需更正，请审核员撤回上一环节。"
    if case.procedure == "SIMPLE":
        if target in ("INVESTIGATED", "NOTICE", "HEARING", "SERVED"):
            return f"不能办理“{there}”：{SIMPLE_ONLY}。"
        if target == "NO_PENALTY":
            return "简易程序不作不予处罚决定；不予处罚的案件请按一般程序办理，或撤销立案。"
        if target == "CLOSED" and case.stage == "DECISION":
            return "不能从“决定”直接到“结案”：当场罚款须先缴纳（执行完毕）。"
    if target == "CLOSED":
        return f"不能从“{here}”直接到“结案”：{CLOSING_PREREQUISITE.get(case.stage, '须先办结')}。"
    return f"不能从“{here}”直接到“{there}”：{PREREQUISITE[target]}。"


# -- the step itself ---------------------------------------------------------------------------------

def advance(session: Session, actor: Actor, case_id: int, stage: str, on: date, note: str = "", *,
            expected_version: int | None = None) -> StageResult:
    """Move the case to ``stage`` on date ``on``; refuses (``DataError``) with the reason in Chinese."""
    case = load_for_change(session, actor, case_id, expected_version)
    stage = (stage or "").strip().upper()
    reason = why_not(case, stage)
    if reason:
        raise DataError(reason)
    check_step_date(case, stage, on)
    warnings = _preconditions(session, case, stage, on)
    with session.no_autoflush:    # one flush per step: its audit rows share one time (case_history)
        apply_stage(session, case, stage, on, note)
    session.flush()
    return StageResult(case.id, case.stage, case.version, case.number, warnings)


def check_step_date(case: Case, stage: str, on: date) -> None:
    """A step's date: not in the future, not before the steps it follows."""
    label = STAGES[stage]
    if on is None:
        raise DataError(f"请填写“{label}”的日期。")
    if on > date.today():
        raise DataError(f"“{label}”日期 {on:%Y-%m-%d} 晚于今天，不能登记尚未发生的环节。")
    earlier = [(RANK[s], s, getattr(case, f)) for s, f in STAGE_DATE_FIELD.items()
               if RANK[s] < RANK[stage] and getattr(case, f) is not None]
    late = sorted((r, s, d) for r, s, d in earlier if on < d)
    if late:
        _, s, d = late[0]
        raise DataError(f"“{label}”日期 {on:%Y-%m-%d} 早于“{STAGES[s]}”日期 {d:%Y-%m-%d}，日期顺序不对。")
    if stage in ("DECISION", "NO_PENALTY") and case.stage == "HEARING" and case.hearing_notice_on is not None \
            and on < case.hearing_notice_on:
        raise DataError(f"“{label}”日期 {on:%Y-%m-%d} 早于听证通知日期 {case.hearing_notice_on:%Y-%m-%d}，日期顺序不对。")


def officer_problems(case: Case) -> list[str]:
    """执法人员不得少于两人 (行政处罚法 Art. 42), each with a certificate number."""
    ok = [o for o in case.officers if o.name.strip() and o.certificate_no.strip()]
    if len(ok) < 2:
        return ["执法人员不得少于两人：请填写至少两名承办人及其执法证号（行政处罚法第四十二条）"]
    return []


def simple_limit(session: Session, party_type: str) -> Decimal:
    key = "supervision.simple_fine_unit" if party_type == "UNIT" else "supervision.simple_fine_person"
    return Decimal(str(settings.get(session, key)))


def _preconditions(session: Session, case: Case, stage: str, on: date) -> list[str]:
    """Refuse what the law does not allow at this step; return warnings for what needs a look."""
    problems: list[str] = []
    warnings: list[str] = []
    if stage in ("FILED", "INVESTIGATED", "NOTICE", "DECISION", "NO_PENALTY"):
        problems += officer_problems(case)
    if stage == "DECISION":
        problems += decision_problems(session, case, on)
        ctx = DeadlineContext.for_session(session)
        if case.procedure == "NORMAL" and case.notice_on and not case.rights_waived and case.hearing_requested_on is None:
            request_due = ctx.calendar.add_working_days(case.notice_on, ctx.limits.hearing_request_wd)
            if on <= request_due:
                warnings.append(f"告知后当事人可在 {request_due:%Y-%m-%d} 前要求听证；期满前作出决定，"
                                "应有当事人书面放弃陈述申辩和听证的材料。")
        if case.stage == "HEARING" and case.hearing_on is None:
            warnings.append("当事人要求听证，但未登记举行听证的日期（如当事人撤回听证申请，请在备注中说明）。")
        if not case.party_code:
            warnings.append("当事人的统一社会信用代码或身份证号尚未填写。")
    if stage in ("DECISION", "NO_PENALTY", "REVOKED") and case.paused_from is not None:
        problems.append(f"案件自 {case.paused_from:%Y-%m-%d} 起中止计算办案期限，请先登记“恢复计算”")
    if problems:
        raise DataError(f"不能{'作出' if stage == 'DECISION' else '办理'}“{STAGES[stage]}”：" + "；".join(problems) + "。",
                        details=problems)
    return warnings


def decision_problems(session: Session, case: Case, on: date) -> list[str]:
    problems = []
    kinds = {p.kind: p for p in case.penalties}
    if not kinds:
        problems.append("至少要有一种处罚（警告、罚款……）；不给予处罚的请办理“不予处罚”")
    for kind in ("FINE", "CONFISCATE_GAINS"):
        p = kinds.get(kind)
        if p is not None and (p.amount is None or p.amount <= 0):
            problems.append(f"{PENALTY_KINDS[kind]}须填写金额（大于 0 元）")
    for kind in MONEY_KINDS:
        p = kinds.get(kind)
        if p is not None and p.amount is not None and p.amount < 0:
            problems.append(f"{PENALTY_KINDS[kind]}金额不能为负数")
    missing = [label for label, value in (("违法事实", case.facts), ("违反条款", case.violated), ("处罚依据", case.basis))
               if not (value or "").strip()]
    if missing:
        problems.append(f"须填写{'、'.join(missing)}")
    if case.procedure == "SIMPLE":
        other = [PENALTY_KINDS[k] for k in kinds if k not in SIMPLE_KINDS]
        if other:
            problems.append(f"简易程序只能当场给予警告或罚款，不能{'、'.join(other)}；请改为一般程序")
        fine = kinds.get("FINE")
        limit = simple_limit(session, case.party_type)
        if fine is not None and fine.amount is not None and fine.amount > limit:
            who = "单位" if case.party_type == "UNIT" else "个人"
            problems.append(f"简易程序对{who}当场罚款不能超过 {limit} 元（本案 {fine.amount} 元），请改为一般程序"
                            "（行政处罚法第五十一条）")
    ctx = DeadlineContext.for_session(session)
    late = [x for x in deadlines(case, on, ctx) if x.code == "LIMITATION" and x.overdue]
    if late:
        x = late[0]
        problems.append(f"违法行为已超过处罚时效（{x.due:%Y-%m-%d} 前未被发现），依法不再给予行政处罚，请办理“不予处罚”"
                        f"（{x.basis}）")
    return problems


def apply_stage(session: Session, case: Case, stage: str, on: date, note: str = "") -> None:
    """Write the step (no checks: ``advance`` and case creation check first)."""
    setattr(case, STAGE_DATE_FIELD[stage], on)
    case.stage = stage
    notes = [note.strip()] if note and note.strip() else []
    if stage == "DECISION":
        case.outcome = "PENALTY"
        if case.procedure == "SIMPLE":
            case.served_on = on
            notes.append("简易程序：当场交付决定书")
    elif stage in ("NO_PENALTY", "REVOKED", "NOT_FILED"):
        case.outcome = stage
    elif stage == "EXECUTION" and fine_amount(case) > 0 and case.paid_on is None:
        case.paid_on = on
        notes.append("罚款缴纳日期按执行完毕日期登记")
    if case.number is None and stage == str(settings.get(session, "supervision.number_on") or "FILED"):
        n = case_numbers.next_number(session, case.category, on.year)
        case.number, case.number_key, case.number_seq = n.number, n.key, n.seq
    add_event(session, case, stage, on, "；".join(notes))


def add_event(session: Session, case: Case, stage: str, on: date, note: str = "") -> CaseStageEvent:
    with session.no_autoflush:    # the change and its event go out in one flush (one audit time)
        seq = 1 + max((e.seq for e in case.events), default=0)
        event = CaseStageEvent(stage=stage, event_on=on, note=note[:300], seq=seq)
        case.events.append(event)
    return event


def revert_stage(session: Session, actor: Actor, case_id: int, reason: str, *,
                 expected_version: int | None = None) -> StageResult:
    """撤回上一环节 (supervisors): the last step is withdrawn, its date cleared; the event is kept, marked."""
    actor.require(Permission.APPROVE)
    case = load_for_change(session, actor, case_id, expected_version)
    reason = (reason or "").strip()
    if not reason:
        raise DataError("请说明撤回的原因。")
    steps = [e for e in case.events if e.stage in STAGES and not e.reverted]
    if len(steps) < 2:
        raise DataError("案件的第一个环节不能撤回；如整条记录有误，请删除该案件。")
    last, previous = steps[-1], steps[-2]
    setattr(case, STAGE_DATE_FIELD[last.stage], None)
    if last.stage in ("DECISION", "NO_PENALTY", "REVOKED", "NOT_FILED"):
        case.outcome = None
        if last.stage == "DECISION" and case.procedure == "SIMPLE":
            case.served_on = None
    if last.stage == "HEARING":  # the hearing's notice and date go with the request
        case.hearing_notice_on = case.hearing_on = None
    last.reverted = True
    last.note = (f"{last.note}；" if last.note else "") + f"已撤回：{reason}"[:150]
    case.stage = previous.stage
    session.flush()
    return StageResult(case.id, case.stage, case.version, case.number, [])


REPLAY_ORDER = ("FILED", "INVESTIGATED", "NOTICE", "HEARING", "DECISION", "NO_PENALTY", "REVOKED", "NOT_FILED",
                "SERVED", "EXECUTION", "CLOSED")


def steps_from_dates(dates: dict[str, date | None]) -> list[tuple[str, date]]:
    """The steps a case went through, from its stage dates keyed by stage code (e.g. a row of the case
    import: {"FILED": …, "NOTICE": …, "DECISION": …, "CLOSED": …}), in the order of the procedure."""
    return [(stage, dates[stage]) for stage in REPLAY_ORDER if dates.get(stage) is not None]


def replay(session: Session, actor: Actor, case_id: int, steps: list[tuple[str, date]]) -> StageResult:
    """Take a case through several steps at once (the case import), each checked as ``advance`` checks it;
    the first step refused stops with its reason. Steps the case has already taken are skipped."""
    warnings: list[str] = []
    result = None
    case = load_for_change(session, actor, case_id)
    done = {e.stage for e in case.events if not e.reverted}
    for stage, on in steps:
        if stage in done:
            continue
        result = advance(session, actor, case_id, stage, on)
        warnings += result.warnings
    if result is None:
        return StageResult(case.id, case.stage, case.version, case.number, [])
    return StageResult(result.case_id, result.stage, result.version, result.number, warnings)


# -- other dated entries -----------------------------------------------------------------------------

def record_hearing_notice(session: Session, actor: Actor, case_id: int, notice_on: date, hearing_on: date,
                          note: str = "", *, expected_version: int | None = None) -> list[str]:
    """听证通知送达 and the date the hearing is set for. Warns when fewer than 7 working days before."""
    case = load_for_change(session, actor, case_id, expected_version)
    if case.stage != "HEARING":
        raise DataError("当事人要求听证后（“听证”环节）才能登记听证通知。")
    _not_future(notice_on, "听证通知日期")
    if notice_on < case.hearing_requested_on:
        raise DataError(f"听证通知日期 {notice_on:%Y-%m-%d} 早于当事人要求听证的日期 {case.hearing_requested_on:%Y-%m-%d}。")
    if hearing_on < notice_on:
        raise DataError(f"听证日期 {hearing_on:%Y-%m-%d} 早于听证通知日期 {notice_on:%Y-%m-%d}。")
    case.hearing_notice_on, case.hearing_on = notice_on, hearing_on
    add_event(session, case, "HEARING_NOTICE", notice_on, (f"听证定于 {hearing_on:%Y-%m-%d}；" + note).strip("；"))
    session.flush()
    ctx = DeadlineContext.for_session(session)
    latest = ctx.calendar.subtract_working_days(hearing_on, ctx.limits.hearing_notice_wd)
    if notice_on > latest:
        return [f"听证通知应在举行听证的 {ctx.limits.hearing_notice_wd} 个工作日前送达（最迟 {latest:%Y-%m-%d}），"
                "本次通知已逾期；必要时请改期举行听证。"]
    return []


def record_hearing_held(session: Session, actor: Actor, case_id: int, held_on: date, note: str = "", *,
                        expected_version: int | None = None) -> None:
    case = load_for_change(session, actor, case_id, expected_version)
    if case.stage != "HEARING":
        raise DataError("案件不在“听证”环节，不能登记举行听证。")
    _not_future(held_on, "听证日期")
    start = case.hearing_notice_on or case.hearing_requested_on
    if held_on < start:
        raise DataError(f"听证日期 {held_on:%Y-%m-%d} 早于{'听证通知' if case.hearing_notice_on else '要求听证'}日期 {start:%Y-%m-%d}。")
    case.hearing_on = held_on
    add_event(session, case, "HEARING_HELD", held_on, note)
    session.flush()


def record_pause(session: Session, actor: Actor, case_id: int, start: date, end: date, reason: str, *,
                 expected_version: int | None = None) -> int:
    """Time that does not count toward the decision period (听证、检测、检验、检疫、鉴定): from ``start`` to
    ``end`` inclusive. Returns the case's paused days in total."""
    case = load_for_change(session, actor, case_id, expected_version)
    if case.stage not in ("FILED", "INVESTIGATED", "NOTICE", "HEARING"):
        raise DataError("只有立案后、作出处理决定前的期间可以不计入办案期限。")
    reason = (reason or "").strip()
    if not reason:
        raise DataError("请写明不计入办案期限的事由（如 检测、鉴定、听证）。")
    _not_future(end, "结束日期")
    if end < start:
        raise DataError(f"结束日期 {end:%Y-%m-%d} 早于开始日期 {start:%Y-%m-%d}。")
    if start < case.filed_on:
        raise DataError(f"开始日期 {start:%Y-%m-%d} 早于立案日期 {case.filed_on:%Y-%m-%d}。")
    days = (end - start).days + 1
    case.paused_days = (case.paused_days or 0) + days
    add_event(session, case, "PAUSE", start, f"{start:%Y-%m-%d}—{end:%Y-%m-%d} {reason}（{days}日）")
    session.flush()
    return case.paused_days


PAUSABLE_STAGES = ("FILED", "INVESTIGATED", "NOTICE", "HEARING")


def record_pause_start(session: Session, actor: Actor, case_id: int, on: date, reason: str, *,
                       expected_version: int | None = None) -> date:
    """中止计算办案期限 from ``on`` (检测、检验、鉴定、听证 …) until a resumption is recorded; while it runs the
    decision deadline moves on day by day. Returns the decision deadline as it stands on ``on``."""
    case = load_for_change(session, actor, case_id, expected_version)
    if case.stage not in PAUSABLE_STAGES or case.procedure != "NORMAL":
        raise DataError("只有一般程序案件在立案后、作出处理决定前才能中止计算办案期限。")
    if case.paused_from is not None:
        raise DataError(f"案件已自 {case.paused_from:%Y-%m-%d} 起中止计算，请先登记恢复计算。")
    reason = (reason or "").strip()
    if not reason:
        raise DataError("请写明中止计算办案期限的事由（如 检测、鉴定、听证）。")
    _not_future(on, "中止日期")
    if on < case.filed_on:
        raise DataError(f"中止日期 {on:%Y-%m-%d} 早于立案日期 {case.filed_on:%Y-%m-%d}。")
    case.paused_from = on
    add_event(session, case, "PAUSE_START", on, reason)
    session.flush()
    return _decision_due(session, case, on)


def record_pause_end(session: Session, actor: Actor, case_id: int, on: date, note: str = "", *,
                     expected_version: int | None = None) -> int:
    """恢复计算 from ``on``: the days from the pause's first day to the day before ``on`` do not count.
    Returns the case's paused days in total."""
    case = load_for_change(session, actor, case_id, expected_version)
    if case.paused_from is None:
        raise DataError("案件没有中止计算办案期限，无需恢复。")
    _not_future(on, "恢复日期")
    if on < case.paused_from:
        raise DataError(f"恢复日期 {on:%Y-%m-%d} 早于中止日期 {case.paused_from:%Y-%m-%d}。")
    days = (on - case.paused_from).days
    start, case.paused_from = case.paused_from, None
    case.paused_days = (case.paused_days or 0) + days
    text = f"{start:%Y-%m-%d} 起中止，{on:%Y-%m-%d} 恢复，{days}日不计入办案期限"
    add_event(session, case, "PAUSE_END", on, (f"{text}；{note.strip()}" if (note or "").strip() else text)[:300])
    session.flush()
    return case.paused_days


def _decision_due(session: Session, case: Case, as_of: date) -> date | None:
    found = next((x for x in deadlines(case, as_of, DeadlineContext.for_session(session)) if x.code == "DECISION"), None)
    return found.due if found else None


EXTENSIONS = {"FILING": ("filing_extended_on", "EXTEND_FILING"), "HEAD": ("extension_head_on", "EXTEND_HEAD"),
              "COLLECTIVE": ("extension_collective_on", "EXTEND_COLLECTIVE")}


def grant_extension(session: Session, actor: Actor, case_id: int, kind: str, on: date, note: str = "", *,
                    approver: str = "", expected_version: int | None = None) -> list[str]:
    """Record an approved extension: FILING (立案期限 +7 个工作日), HEAD (负责人批准 +60 日),
    COLLECTIVE (集体讨论 +30 日, after HEAD), with who approved it (the head's name, or the meeting). The
    event's note keeps the approver and the new limit. Warns when approved after the period had run out."""
    case = load_for_change(session, actor, case_id, expected_version)
    kind = (kind or "").upper()
    if kind not in EXTENSIONS:
        raise DataError("延期类型应为 FILING（立案期限）、HEAD（负责人批准）或 COLLECTIVE（集体讨论）。")
    column, event = EXTENSIONS[kind]
    label = EVENT_LABELS[event]
    if getattr(case, column) is not None:
        raise DataError(f"本案已于 {getattr(case, column):%Y-%m-%d} {label}，不能重复延长。")
    _not_future(on, "批准日期")
    if kind == "FILING":
        if case.stage != "LEAD":
            raise DataError("只有尚未立案的线索才能延长立案期限。")
        start = case.lead_on
    else:
        if case.stage not in ("FILED", "INVESTIGATED", "NOTICE", "HEARING") or case.procedure != "NORMAL":
            raise DataError("只有一般程序案件在作出处理决定前才能延长办案期限。")
        if kind == "COLLECTIVE" and case.extension_head_on is None:
            raise DataError("须先经负责人批准延长，仍不能办结的才能经集体讨论再延长。")
        start = case.extension_head_on if kind == "COLLECTIVE" else case.filed_on
    if on < start:
        raise DataError(f"批准日期 {on:%Y-%m-%d} 早于 {start:%Y-%m-%d}。")
    approver = " ".join((approver or "").split())
    if not approver:
        raise DataError("请填写批准人（负责人姓名，或集体讨论的会议名称）。")
    ctx = DeadlineContext.for_session(session)
    code = "FILING" if kind == "FILING" else "DECISION"
    before = next((x for x in deadlines(case, on, ctx) if x.code == code), None)
    with session.no_autoflush:
        setattr(case, column, on)
        after = next((x for x in deadlines(case, on, ctx) if x.code == code), None)
        parts = [f"批准：{approver}"] + ([f"新期限 {after.due:%Y-%m-%d}"] if after is not None else [])
        add_event(session, case, event, on, "；".join(parts + ([note.strip()] if (note or "").strip() else [])))
    session.flush()
    if before is not None and on > before.due:
        return [f"批准延长的日期 {on:%Y-%m-%d} 晚于原期限 {before.due:%Y-%m-%d}：延期应在期限届满前批准。"]
    return []


def record_payment(session: Session, actor: Actor, case_id: int, on: date, note: str = "", *,
                   amount: object = None, expected_version: int | None = None) -> list[str]:
    """The party paid (part of) the fine on ``on``. With ``amount`` the payments add up (分期缴纳) and the
    fine counts as paid — ``paid_on``, which stops the surcharge — once they reach it; without, the fine is
    taken as paid in full. Warns with the surcharge (加处罚款) when paid late, and with what is still owed."""
    from core.supervision.cases import parse_amount
    case = load_for_change(session, actor, case_id, expected_version)
    fine = fine_amount(case)
    if case.outcome != "PENALTY" or fine <= 0:
        raise DataError("本案没有罚款决定，无需登记缴纳。")
    if case.served_on is None:
        raise DataError("处罚决定书尚未送达，不能登记缴纳罚款。")
    if case.paid_on is not None:
        raise DataError(f"罚款已于 {case.paid_on:%Y-%m-%d} 缴清，不能重复登记。")
    _not_future(on, "缴纳日期")
    if on < case.decided_on:
        raise DataError(f"缴纳日期 {on:%Y-%m-%d} 早于处罚决定日期 {case.decided_on:%Y-%m-%d}。")
    last = max((e.event_on for e in case.events if e.stage == "PAID" and not e.reverted), default=None)
    if last is not None and on < last:
        raise DataError(f"缴纳日期 {on:%Y-%m-%d} 早于上一次缴纳的日期 {last:%Y-%m-%d}。")
    ctx = DeadlineContext.for_session(session)
    extra = surcharge(case, on, ctx)
    warnings = []
    if amount is None or (isinstance(amount, str) and not amount.strip()):
        case.paid_on = on
        text = ""
    else:
        paid, why = parse_amount(amount)
        if why:
            raise DataError(f"缴纳金额：{why}。")
        if paid is None or paid <= 0:
            raise DataError("缴纳金额：应大于 0 元。")
        total = (case.paid_amount or Decimal("0")) + paid
        case.paid_amount = total
        owed = fine - total
        if owed <= 0:
            case.paid_on = on
            text = f"缴纳 {paid} 元，罚款已缴清（累计 {total} 元）"
            if extra > 0 and total < fine + extra:
                warnings.append(f"加处罚款 {extra} 元尚有 {min(extra, fine + extra - total)} 元未缴纳。")
        else:
            text = f"缴纳 {paid} 元，累计 {total} 元，尚欠罚款 {owed} 元"
            warnings.append(f"已登记部分缴纳：尚欠罚款 {owed} 元。")
    add_event(session, case, "PAID", on, "；".join(x for x in (text, (note or "").strip()) if x))
    session.flush()
    if extra > 0:
        warnings.insert(0, f"逾期缴纳罚款，依法应加处罚款 {extra} 元（行政处罚法第七十二条）。")
    return warnings


def record_report(session: Session, actor: Actor, case_id: int, which: int, on: date, *,
                  expected_version: int | None = None) -> None:
    """一案一卡: ``which`` 1 = first report (after the decision takes effect), 2 = report after closing."""
    case = load_for_change(session, actor, case_id, expected_version)
    _not_future(on, "报告日期")
    if which == 1:
        start = case.effective_on or case.served_on
        if case.outcome != "PENALTY" or start is None:
            raise DataError("处罚决定送达（生效）后才能登记一案一卡首次报告。")
        case.report1_on = on
    elif which == 2:
        start = case.closed_on
        if start is None:
            raise DataError("结案后才能登记一案一卡结案报告。")
        case.report2_on = on
    else:
        raise DataError("一案一卡报告只有第 1 次（首次报告）和第 2 次（结案报告）。")
    if on < start:
        raise DataError(f"报告日期 {on:%Y-%m-%d} 早于 {start:%Y-%m-%d}。")
    add_event(session, case, f"REPORT{which}", on)
    session.flush()


def record_effective(session: Session, actor: Actor, case_id: int, on: date, *,
                     expected_version: int | None = None) -> None:
    """The date the decision took effect, when it is not the date of service."""
    case = load_for_change(session, actor, case_id, expected_version)
    if case.served_on is None:
        raise DataError("处罚决定书尚未送达。")
    if on < case.served_on:
        raise DataError(f"生效日期 {on:%Y-%m-%d} 早于送达日期 {case.served_on:%Y-%m-%d}。")
    case.effective_on = on
    session.flush()


# -- shared ------------------------------------------------------------------------------------------

def load_for_change(session: Session, actor: Actor, case_id: int, expected_version: int | None = None) -> Case:
    actor.require(Permission.EDIT_DATA)
    case = session.get(Case, case_id)
    if case is None:
        raise DataError("这件案件已不存在。")
    if case.township_code:
        actor.require_township(case.township_code)
    if expected_version is not None and case.version != expected_version:
        raise StaleRecord(f"案件 {case.number or case.party_name} 已被其他人修改过，本次操作未生效。请重新打开后再办理。")
    return case


def _not_future(on: date | None, label: str) -> None:
    if on is None:
        raise DataError(f"请填写{label}。")
    if on > date.today():
        raise DataError(f"{label} {on:%Y-%m-%d} 晚于今天。")


def step_reasons(session: Session, case_id: int, stages) -> dict[str, str | None]:
    """For a case screen: each asked-for step → why it is not allowed now (None when allowed)."""
    case = session.get(Case, case_id)
    if case is None:
        raise DataError("这件案件已不存在。")
    return {stage: why_not(case, stage) for stage in stages}


# -- what the case screen may record now ---------------------------------------------------------------

RECORDERS = ("HEARING_NOTICE", "HEARING_HELD", "PAUSE_START", "PAUSE_END", "EXTEND", "PAYMENT", "EFFECTIVE", "REPORT")


@dataclass(frozen=True)
class CaseState:
    """For the case screen: the fine's payment, a pause in progress, and each recorder → why it is not
    available now (None when it is). The recorders check again when called."""
    payment: PaymentStatus | None
    paused_from: date | None
    paused_days: int
    recorders: dict[str, str | None]


def case_state(session: Session, case_id: int, as_of: date | None = None) -> CaseState:
    case = session.get(Case, case_id)
    if case is None:
        raise DataError("这件案件已不存在。")
    as_of = as_of or date.today()
    before_decision = case.stage in PAUSABLE_STAGES and case.procedure == "NORMAL"
    fine = case.outcome == "PENALTY" and fine_amount(case) > 0
    reasons: dict[str, str | None] = {
        "HEARING_NOTICE": None if case.stage == "HEARING" else "当事人要求听证后（“听证”环节）才能登记听证通知。",
        "HEARING_HELD": None if case.stage == "HEARING" else "案件不在“听证”环节，不能登记举行听证。",
        "PAUSE_START": (f"案件已自 {case.paused_from:%Y-%m-%d} 起中止计算。" if case.paused_from else
                        None if before_decision else "只有一般程序案件在立案后、作出处理决定前才能中止计算办案期限。"),
        "PAUSE_END": None if case.paused_from else "案件没有中止计算办案期限，无需恢复。",
        "EXTEND": None if before_decision or case.stage == "LEAD" else "只有尚未立案的线索或作出处理决定前的一般程序案件才能延期。",
        "PAYMENT": ("本案没有罚款决定，无需登记缴纳。" if not fine else
                    "处罚决定书尚未送达，不能登记缴纳罚款。" if case.served_on is None else
                    f"罚款已于 {case.paid_on:%Y-%m-%d} 缴清。" if case.paid_on else None),
        "EFFECTIVE": None if case.served_on is not None else "处罚决定书尚未送达。",
        "REPORT": (None if (case.outcome == "PENALTY" and (case.effective_on or case.served_on)) or case.closed_on
                   else "处罚决定送达（生效）或结案后才能登记一案一卡报告。"),
    }
    return CaseState(payment_status(case, as_of, DeadlineContext.for_session(session)), case.paused_from,
                     case.paused_days or 0, reasons)
