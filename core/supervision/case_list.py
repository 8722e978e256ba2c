"""The case register as rows for screens and returns: search with filters (incl. 逾期), one row per case
with its status, penalties, amounts and next deadline, and the full picture of one case.

Rows are plain frozen dataclasses (never live ORM objects), so a screen or a worker thread can keep them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Iterator

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, selectinload

from core.access import Actor
from core.errors import DataError
from core.supervision import case_deadlines as cd
from core.supervision.case_stages import next_stages
from core.supervision.codes import (CATEGORIES, CONFISCATION_KINDS, EVENT_LABELS, OUTCOMES, PARTY_TYPES,
                                    PENALTY_KINDS, PROCEDURES, SOURCES, STAGE_STATUS, STAGES)
from db.models.supervision import Case, CaseOfficer

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class CaseFilter:
    text: str = ""                      # part of the number, party, cause, or a credit code / ID number
    category: str | None = None
    source: str | None = None
    stages: tuple[str, ...] = ()
    procedure: str | None = None
    township: str | None = None
    officer: str = ""                   # an officer's name: cases this officer handles
    filed_from: date | None = None      # 立案日期 from … to (inclusive)
    filed_to: date | None = None
    open_only: bool = False             # not yet 结案 / 不予立案
    overdue_only: bool = False          # past a statutory limit (an open deadline overdue)
    limit: int | None = 1000


@dataclass(frozen=True)
class CaseRow:
    id: int
    version: int
    number: str
    cause: str
    category: str
    category_name: str
    source: str
    source_name: str
    party_type: str
    party: str
    party_code: str
    township_code: str
    officers: tuple[str, ...]
    procedure: str
    stage: str
    stage_name: str
    status: str
    lead_on: date | None
    filed_on: date | None
    decided_on: date | None
    closed_on: date | None
    penalty_kinds: tuple[str, ...]
    penalties_text: str
    fine: Decimal
    confiscated: Decimal
    next_deadline: str          # "送达处罚决定书 2025-10-20（还剩 3 天）" or ""
    next_due: date | None
    next_due_text: str          # "2025-10-20（还剩 3 天）" or ""
    overdue: bool
    overdue_text: str           # "逾期：作出处理决定（已逾期 5 天）" or ""
    incomplete: str


def decided_penalties(case: Case) -> list:
    """The penalties of the decision: none unless the case was decided with a penalty."""
    return list(case.penalties) if case.outcome == "PENALTY" else []


def amounts(case: Case) -> tuple[Decimal, Decimal]:
    """(罚款, 没收金额) of the decision."""
    fine, confiscated = ZERO, ZERO
    for p in decided_penalties(case):
        if p.kind == "FINE":
            fine += p.amount or ZERO
        elif p.kind in CONFISCATION_KINDS:
            confiscated += p.amount or ZERO
    return fine, confiscated


def status_text(case: Case) -> str:
    if case.stage == "CLOSED" and case.outcome in ("NO_PENALTY", "REVOKED"):
        return f"已结案（{OUTCOMES[case.outcome]}）"
    return STAGE_STATUS.get(case.stage, case.stage)


def case_row(case: Case, as_of: date, ctx: cd.DeadlineContext) -> CaseRow:
    fine, confiscated = amounts(case)
    pens = decided_penalties(case)
    nxt = cd.next_deadline(case, as_of, ctx)
    late = sorted(cd.overdue_deadlines(case, as_of, ctx), key=lambda x: x.due)
    return CaseRow(
        id=case.id, version=case.version, number=case.number or "", cause=case.cause,
        category=case.category, category_name=CATEGORIES.get(case.category, case.category),
        source=case.source, source_name=SOURCES.get(case.source, case.source),
        party_type=case.party_type, party=case.party_name, party_code=case.party_code,
        township_code=case.township_code or "", officers=tuple(o.name for o in case.officers),
        procedure=case.procedure, stage=case.stage, stage_name=STAGES.get(case.stage, case.stage),
        status=status_text(case), lead_on=case.lead_on, filed_on=case.filed_on, decided_on=case.decided_on,
        closed_on=case.closed_on, penalty_kinds=tuple(p.kind for p in pens),
        penalties_text="、".join(PENALTY_KINDS[p.kind] for p in pens),
        fine=fine, confiscated=confiscated,
        next_deadline=nxt.summary() if nxt else "", next_due=nxt.due if nxt else None,
        next_due_text=f"{nxt.due:%Y-%m-%d}（{nxt.status_text}）" if nxt else "",
        overdue=bool(late), overdue_text=("逾期：" + "；".join(f"{x.name}（{x.status_text}）" for x in late)) if late else "",
        incomplete=case.incomplete)


def _query(f: CaseFilter, actor: Actor | None):
    q = select(Case).options(selectinload(Case.penalties), selectinload(Case.officers))
    if f.text.strip():
        t = f.text.strip()
        q = q.where(or_(Case.number.contains(t, autoescape=True), Case.party_name.contains(t, autoescape=True),
                        Case.cause.contains(t, autoescape=True), Case.party_code == t.upper()))
    if f.category:
        q = q.where(Case.category == f.category)
    if f.source:
        q = q.where(Case.source == f.source)
    if f.stages:
        q = q.where(Case.stage.in_(f.stages))
    if f.procedure:
        q = q.where(Case.procedure == f.procedure)
    if f.township:
        q = q.where(Case.township_code == f.township)
    if f.officer.strip():
        q = q.where(Case.id.in_(select(CaseOfficer.case_id).where(CaseOfficer.name == f.officer.strip())))
    if f.filed_from:
        q = q.where(Case.filed_on >= f.filed_from)
    if f.filed_to:
        q = q.where(Case.filed_on <= f.filed_to)
    if f.open_only:
        q = q.where(Case.stage.not_in(("CLOSED", "NOT_FILED")))
    if actor is not None and actor.townships is not None:
        q = q.where(Case.township_code.in_(tuple(actor.townships)))
    # leads not yet filed first, then newest 立案 first (portable: no NULLS FIRST/LAST)
    return q.order_by(Case.filed_on.is_(None).desc(), Case.filed_on.desc(), Case.id.desc())


def officer_names(session: Session, actor: Actor | None = None) -> list[str]:
    """Everyone named as an officer on a case the actor may see, for the register's 执法人员 filter."""
    q = select(CaseOfficer.name).join(Case, Case.id == CaseOfficer.case_id).distinct().order_by(CaseOfficer.name)
    if actor is not None and actor.townships is not None:
        q = q.where(Case.township_code.in_(tuple(actor.townships)))
    return [n for n in session.execute(q).scalars() if n]


def search_cases(session: Session, actor: Actor | None, f: CaseFilter = CaseFilter(),
                 as_of: date | None = None) -> list[CaseRow]:
    """The case list of the 卫生监督 screen. County volumes are hundreds of cases a year, so the overdue
    filter (which needs each case's deadlines) is applied to the loaded rows."""
    as_of = as_of or date.today()
    ctx = cd.DeadlineContext.for_session(session)
    rows: list[CaseRow] = []
    for case in session.execute(_query(f, actor)).scalars():
        row = case_row(case, as_of, ctx)
        if f.overdue_only and not row.overdue:
            continue
        rows.append(row)
        if f.limit and len(rows) >= f.limit:
            break
    return rows


def iter_filed(session: Session, start: date, end: date, township_codes: frozenset[str] | None = None,
               page: int = 500) -> Iterator[Case]:
    """Cases with 立案 dates in [start, end], in register order (立案日期, id), in keyset pages."""
    after: tuple[date, int] | None = None
    while True:
        q = (select(Case).options(selectinload(Case.penalties))
             .where(Case.filed_on >= start, Case.filed_on <= end).order_by(Case.filed_on, Case.id).limit(page))
        if township_codes is not None:
            q = q.where(Case.township_code.in_(tuple(township_codes)))
        if after is not None:
            q = q.where(or_(Case.filed_on > after[0], and_(Case.filed_on == after[0], Case.id > after[1])))
        cases = list(session.execute(q).scalars())
        if not cases:
            return
        yield from cases
        after = (cases[-1].filed_on, cases[-1].id)


# -- one case in full ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class EventRow:
    seq: int
    stage: str
    label: str
    on: date
    note: str
    reverted: bool
    by: str


@dataclass(frozen=True)
class CaseDetail:
    row: CaseRow
    procedure_name: str
    party_type_name: str
    outcome: str | None
    officers: list[tuple[str, str]]
    penalties: list[tuple[str, str, Decimal | None, str]]     # (code, name, amount, detail) — as entered
    documents: list[tuple[str, str, date | None, str]]
    deadlines: list[cd.Deadline]
    surcharge: Decimal
    events: list[EventRow]
    next_stages: list[tuple[str, str]]                       # (code, name) the case may take now
    dates: dict[str, date | None] = field(default_factory=dict)


def case_detail(session: Session, case_id: int, as_of: date | None = None) -> CaseDetail:
    """Everything the case screen shows: the row, parties, deadlines, history and the next steps."""
    as_of = as_of or date.today()
    case = session.get(Case, case_id)
    if case is None:
        raise DataError("这件案件已不存在。")
    ctx = cd.DeadlineContext.for_session(session)
    date_fields = ("offence_on", "lead_on", "filed_on", "investigated_on", "notice_on", "hearing_requested_on",
                   "hearing_notice_on", "hearing_on", "decided_on", "served_on", "effective_on", "paid_on",
                   "executed_on", "no_penalty_on", "revoked_on", "not_filed_on", "closed_on", "filing_extended_on",
                   "extension_head_on", "extension_collective_on", "report1_on", "report2_on")
    return CaseDetail(
        row=case_row(case, as_of, ctx),
        procedure_name=PROCEDURES.get(case.procedure, case.procedure),
        party_type_name=PARTY_TYPES.get(case.party_type, case.party_type),
        outcome=case.outcome,
        officers=[(o.name, o.certificate_no) for o in case.officers],
        penalties=[(p.kind, PENALTY_KINDS.get(p.kind, p.kind), p.amount, p.detail) for p in case.penalties],
        documents=[(x.doc_type, x.number, x.issued_on, x.note) for x in case.documents],
        deadlines=cd.deadlines(case, as_of, ctx),
        surcharge=cd.surcharge(case, as_of, ctx),
        events=[EventRow(e.seq, e.stage, EVENT_LABELS.get(e.stage, e.stage), e.event_on, e.note, e.reverted, e.created_by)
                for e in case.events],
        next_stages=[(s, STAGES[s]) for s in next_stages(case)],
        dates={f: getattr(case, f) for f in date_fields} | {"paused_days": case.paused_days},  # type: ignore[dict-item]
    )
