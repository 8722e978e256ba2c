"""资格确认与年审 (DOMAIN.md §3 steps 3–4): the yearly confirmation of one programme.

``review_year`` proposes, without writing anything:

- 新增 NEW for candidates — applicants (申请中) and people already 享受中 whose first confirmed year is this
  year — who are eligible in the year (with the eligibility sentence); a candidate who is not eligible is
  proposed 不予纳入 REFUSED, with the reasons (e.g. too young: "到 2030 年才满 60 周岁");
- 继续享受 CONTINUE for everyone else 享受中 who is still eligible;
- 退出 EXIT, with a suggested reason from ``EXIT_REASONS``, for a continuing recipient flagged by the
  年审: no longer eligible (the reason in words), death reported before the year, moved out of the
  county (township not in the county, or closed without a merger), facts changed (household
  registration, children).
  Some flags only inform and keep CONTINUE: a death reported *within* the year (the year of death is
  still paid — ``eligibility.evaluate``; next year's review exits the person), a township merged into
  another (update the address, the person has not moved), facts 待补充, no bank account.

``confirm_year`` writes the decisions (default: the proposal) as YearEntry rows of a CONFIRMED
YearConfirmation, applies them to the recipients and records the 公示 period:

- NEW → 享受中, first confirmed year = the year; REFUSED → 未通过; CONTINUE → 享受中;
- EXIT → 已退出 with the reason and **exit date 31 December of the previous year**: the confirmation of
  year Y decides Y's roll before any of Y is paid, so "an exit takes effect from the next payment period"
  means no period of Y pays the person and every period up to Y−1 still does. The recipient's own
  date of death, if known, stays in ``death_date``.

Once the year is confirmed the review shows, beside the proposal recomputed from today's records,
the decision saved for each person (``ReviewItem.saved``; ``differs`` when it is not the proposal,
``changed_by``/``changed_at`` when it was changed after the confirmation). ``change_entry`` changes one
person's saved decision (audited: the entry's row and an event naming the person and old → new).
Confirming again while CONFIRMED replaces the decisions (anyone not in ``decisions`` gets the
proposal; the proposal is recomputed against the year's existing entries, so earlier NEW/EXIT/REFUSED
people are still reviewed as candidates or continuing). ``approve_year`` (审核员) locks the year:
confirming again or changing an entry is refused until ``unlock_year`` (audited with its reason).

``review_year`` and ``confirm_year`` take ``progress(done, total) -> bool`` (``core.imports.progress``):
returning False raises ``ImportCancelled`` inside the caller's transaction, so a cancelled
confirmation leaves the database as it was.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any, Iterator, Mapping

from sqlalchemy import delete, event, func, insert, inspect, or_, select
from sqlalchemy.orm import Session

from core import audit, orgunits, settings
from core.access import Actor, Permission
from core.collector import collector_paused
from core.errors import DataError, PermissionDenied
from core.imports.progress import ImportCancelled, Progress, ProgressCallback
from core.subsidy.eligibility import ChildFacts, Eligibility, PersonFacts, evaluate
from core.subsidy.payroll import PERSON_COLUMNS, rule_of, spouse_facts
from core.subsidy.programmes import ProgramRow, get_program
from core.subsidy.exit_reasons import EXIT_REASONS, exit_reasons
from db.base import new_uuid, utcnow
from db.models.orgunits import OrgUnit
from db.models.subsidy import Child, Recipient, YearConfirmation, YearEntry

NEW, CONTINUE, EXIT, REFUSED = "NEW", "CONTINUE", "EXIT", "REFUSED"
KIND_LABELS = {NEW: "新增", CONTINUE: "继续享受", EXIT: "退出", REFUSED: "不予纳入"}
CANDIDATE_KINDS = (NEW, REFUSED)
CONTINUING_KINDS = (CONTINUE, EXIT)
YEAR_STATUS_LABELS = {"NONE": "未确认", "DRAFT": "未确认", "CONFIRMED": "已确认，待审批", "APPROVED": "已审批（已锁定）"}
FLAG_SEPARATOR = "；"
BATCH = 1000
REVIEW_CANCELLED = "已取消审查。"
CONFIRM_CANCELLED = "已取消资格确认，数据库未做任何改动。"


# -- what the review shows -------------------------------------------------------------------------

@dataclass(frozen=True)
class Flag:
    text: str                   # Chinese, for the reviewer
    exit_reason: str = ""       # a reason from EXIT_REASONS when the flag calls for an exit; "" = information


@dataclass(frozen=True)
class ReviewItem:
    recipient_id: int
    name: str
    sex: str
    id_number: str
    township_code: str
    township_name: str
    village_code: str | None
    status: str                 # the recipient's status now
    candidate: bool             # True: a candidate for 新增; False: a continuing recipient (年审)
    proposed: str               # NEW / CONTINUE / EXIT / REFUSED
    basis: str                  # the eligibility sentence ("符合条件：…" / "不符合条件：…")
    flags: tuple[Flag, ...]
    exit_reason: str            # suggested when proposed EXIT
    saved: str | None = None    # the decision saved in this year's confirmation (None: not confirmed)
    saved_reason: str = ""
    changed_by: str = ""        # who changed the saved decision after the confirmation ("" = nobody)
    changed_at: datetime | None = None

    @property
    def proposed_label(self) -> str:
        return KIND_LABELS[self.proposed]

    @property
    def decision(self) -> tuple[str, str]:
        """(kind, exit reason): the saved decision, else the proposal."""
        return (self.saved, self.saved_reason) if self.saved is not None else (self.proposed, self.exit_reason)

    @property
    def differs(self) -> bool:
        """The saved decision is not what the review proposes."""
        return self.saved is not None and (self.saved, self.saved_reason) != (self.proposed, self.exit_reason)

    @property
    def flag_text(self) -> str:
        return FLAG_SEPARATOR.join(f.text for f in self.flags)

    @property
    def allowed(self) -> tuple[str, ...]:
        return CANDIDATE_KINDS if self.candidate else CONTINUING_KINDS


@dataclass
class YearReview:
    program_code: str
    program_name: str
    year: int
    status: str                 # NONE / CONFIRMED / APPROVED
    items: list[ReviewItem]
    exit_reasons: list[str] = field(default_factory=lambda: list(EXIT_REASONS))   # the county's choices

    def count(self, kind: str) -> int:
        """People decided ``kind``: the saved decision once confirmed, else the proposal."""
        return sum(1 for i in self.items if i.decision[0] == kind)

    @property
    def flagged(self) -> list[ReviewItem]:
        return [i for i in self.items if i.flags]

    @property
    def differing(self) -> list[ReviewItem]:
        return [i for i in self.items if i.differs]

    @property
    def unsaved(self) -> list[ReviewItem]:
        """In a confirmed year: people the confirmation does not list yet (e.g. applied since)."""
        if self.status not in ("CONFIRMED", "APPROVED"):
            return []
        return [i for i in self.items if i.saved is None]


@dataclass(frozen=True)
class YearStatus:
    program_code: str
    year: int
    status: str
    confirmed_at: datetime | None = None
    confirmed_by: str = ""
    approved_at: datetime | None = None
    approved_by: str = ""
    notice_start: date | None = None
    notice_end: date | None = None
    counts: Mapping[str, int] = field(default_factory=dict)
    version: int = 0

    @property
    def status_label(self) -> str:
        return YEAR_STATUS_LABELS.get(self.status, self.status)

    @property
    def locked(self) -> bool:
        return self.status == "APPROVED"


@dataclass(frozen=True)
class Decision:
    kind: str
    exit_reason: str = ""


# -- reading ---------------------------------------------------------------------------------------

def _confirmation(session: Session, program_code: str, year: int) -> YearConfirmation | None:
    return session.execute(select(YearConfirmation).where(YearConfirmation.program_code == program_code,
                                                          YearConfirmation.year == year)).scalar_one_or_none()


def _entries(session: Session, conf: YearConfirmation | None, only: int | None = None) -> dict[int, Any]:
    """recipient id → the entry saved in this confirmation (plain rows: kind, exit_reason, version,
    updated_by, updated_at). A version above 1 means it was changed after the confirmation wrote it."""
    if conf is None:
        return {}
    q = (select(YearEntry.recipient_id, YearEntry.kind, YearEntry.exit_reason, YearEntry.version,
                YearEntry.updated_by, YearEntry.updated_at).where(YearEntry.confirmation_id == conf.id))
    if only is not None:
        q = q.where(YearEntry.recipient_id == only)
    return {r.recipient_id: r for r in session.execute(q)}


def _counts(session: Session, conf: YearConfirmation | None) -> dict[str, int]:
    counts = {k: 0 for k in KIND_LABELS}
    if conf is not None:
        q = select(YearEntry.kind, func.count()).where(YearEntry.confirmation_id == conf.id).group_by(YearEntry.kind)
        counts.update({kind: n for kind, n in session.execute(q)})
    return counts


def year_status(session: Session, program: str, year: int) -> YearStatus:
    """Where the year's confirmation stands (for screens and the payment roll)."""
    prog = get_program(session, program)
    conf = _confirmation(session, prog.code, year)
    if conf is None:
        return YearStatus(prog.code, year, "NONE", counts=_counts(session, None))
    return YearStatus(prog.code, year, conf.status, conf.confirmed_at, conf.confirmed_by, conf.approved_at,
                      conf.approved_by, conf.notice_start, conf.notice_end, _counts(session, conf), conf.version)


# -- the review ------------------------------------------------------------------------------------

class _Places:
    """Townships of the county, open or closed, for the "moved out" flags."""

    def __init__(self, session: Session):
        units = orgunits.list_units(session)
        self.towns = {u.code: u for u in units if u.level == 2}
        q = select(OrgUnit.code, OrgUnit.merged_into_code).where(OrgUnit.level == 2)
        self.merged_into = dict(session.execute(q).all())

    def name(self, code: str) -> str:
        unit = self.towns.get(code)
        return unit.name if unit else code

    def moved_flag(self, code: str) -> Flag | None:
        unit = self.towns.get(code)
        if unit is None:
            return Flag(f"户籍所在乡镇（街道）{code} 不在本县，可能已迁出", "户籍迁出")
        if unit.closed_on is None:
            return None
        into = self.merged_into.get(code)
        if into:
            return Flag(f"所在乡镇（街道）{unit.name}已于 {unit.closed_on:%Y-%m-%d} 撤销并入{self.name(into)}，"
                        "请更新户籍地址")
        return Flag(f"所在乡镇（街道）{unit.name}已于 {unit.closed_on:%Y-%m-%d} 撤销，请核实是否已迁出", "户籍迁出")


def _children_by_recipient(session: Session, ids: list[int]) -> dict[int, list[ChildFacts]]:
    out: dict[int, list[ChildFacts]] = {i: [] for i in ids}
    q = (select(Child.recipient_id, Child.sex, Child.status, Child.birth_date, Child.adopted, Child.disability_grade,
                Child.certificate_no, Child.death_date)
         .where(Child.recipient_id.in_(ids)).order_by(Child.recipient_id, Child.birth_date, Child.id))
    for r in session.execute(q):
        out[r.recipient_id].append(ChildFacts(r.sex, r.status, r.birth_date, r.adopted, r.disability_grade,
                                              r.certificate_no, r.death_date))
    return out


def _facts(row: Any, children: list[ChildFacts]) -> PersonFacts:
    spouse_birth, spouse_sex = spouse_facts(row.spouse_id_number)
    recorded = "子女情况" not in (row.incomplete or "")
    return PersonFacts(birth_date=row.birth_date, sex=row.sex, hukou=row.hukou, marital=row.marital,
                       spouse_birth_date=spouse_birth, spouse_sex=spouse_sex,
                       children=tuple(children) if recorded else None,
                       no_policy_violation=row.no_policy_violation, death_date=row.death_date)


def _in_year(program: str, conf: YearConfirmation | None, year: int, only: int | None) -> list:
    """Recipients the year's review looks at: applicants, everyone 享受中 (not first confirmed in a
    later year), and whoever already has an entry in this year's confirmation (``only``: one of them)."""
    in_year = or_(Recipient.status == "APPLIED",
                  (Recipient.status == "ACTIVE") & or_(Recipient.first_year.is_(None), Recipient.first_year <= year))
    if conf is not None:
        in_year = or_(in_year, Recipient.id.in_(select(YearEntry.recipient_id).where(YearEntry.confirmation_id == conf.id)))
    where = [Recipient.program_code == program, in_year]
    return where if only is None else where + [Recipient.id == only]


def _population_count(session: Session, where: list) -> int:
    return session.execute(select(func.count()).select_from(Recipient).where(*where)).scalar_one()


def _population(session: Session, where: list) -> Iterator[Any]:
    """The review's recipients (``_in_year``) in id pages."""
    columns = PERSON_COLUMNS + (Recipient.no_policy_violation,)
    after = 0
    while True:
        q = (select(*columns).where(*where, Recipient.id > after)
             .order_by(Recipient.id).limit(BATCH))
        rows = session.execute(q).all()
        yield from rows
        if len(rows) < BATCH:
            return
        after = rows[-1].id


def _is_candidate(row: Any, entry_kind: str | None, year: int) -> bool:
    if entry_kind is not None:
        return entry_kind in CANDIDATE_KINDS
    return row.status == "APPLIED" or row.first_year == year


def _without_child_rule(program: ProgramRow):
    return replace(program.rule, child_rule="NONE")


def _suggested_reason(row: Any, facts: PersonFacts, program: ProgramRow, year: int) -> str:
    """The most specific exit reason for a continuing recipient who is no longer eligible."""
    if row.death_date is not None and row.death_date.year < year:
        return "死亡"
    if program.requires_rural and row.hukou != "农业":
        return "转为非农户口"
    child_rule_fails = facts.children is not None and evaluate(facts, _without_child_rule(program), year).ok
    if not child_rule_fails:
        return "不符合条件（取消）"
    living = [c for c in facts.children if c.status in ("ALIVE", "DISABLED")]
    if (program.is_special and len(facts.children) > 1) or (program.child_rule == "REWARD" and len(living) > 1):
        return "再生育/收养"
    return "子女康复或情况变化"


def _continuing_flags(row: Any, facts: PersonFacts, program: ProgramRow, year: int, ev: Eligibility,
                      places: _Places) -> list[Flag]:
    flags: list[Flag] = []
    if row.death_date is not None:
        if row.death_date.year < year:
            flags.append(Flag(f"已报本人于 {row.death_date:%Y-%m-%d} 死亡", "死亡"))
        else:
            flags.append(Flag(f"已报本人于 {row.death_date:%Y-%m-%d} 死亡（死亡当年照常发放，下一年度退出）"))
    moved = places.moved_flag(row.township_code)
    if moved is not None:
        flags.append(moved)
    if not ev.ok:
        reason = _suggested_reason(row, facts, program, year)
        for text in ev.reasons:
            if not text.startswith("本人已于"):       # the death flag above says it already
                flags.append(Flag(f"不再符合条件：{text}", reason))
    return flags


def _info_flags(row: Any, ev: Eligibility) -> list[Flag]:
    flags = []
    if ev.incomplete:
        flags.append(Flag(f"待补充：{'、'.join(ev.incomplete)}"))
    if not row.account_no:
        flags.append(Flag("缺银行账号（发放前须补齐）"))
    return flags


def _review_item(row: Any, children: list[ChildFacts], entry: Any | None, program: ProgramRow,
                 year: int, places: _Places) -> ReviewItem:
    facts = _facts(row, children)
    ev = evaluate(facts, rule_of(program), year)
    candidate = _is_candidate(row, entry.kind if entry is not None else None, year)
    if candidate:
        flags = _info_flags(row, ev)
        proposed, reason = (NEW if ev.ok else REFUSED), ""
    else:
        flags = _continuing_flags(row, facts, program, year, ev, places) + _info_flags(row, ev)
        reasons = [f.exit_reason for f in flags if f.exit_reason]
        proposed, reason = (EXIT, _first_by_priority(reasons)) if reasons else (CONTINUE, "")
    saved = {}
    if entry is not None:
        saved = dict(saved=entry.kind, saved_reason=entry.exit_reason or "")
        if entry.version > 1:
            saved.update(changed_by=entry.updated_by, changed_at=entry.updated_at)
    return ReviewItem(row.id, row.name, row.sex, row.id_number, row.township_code, places.name(row.township_code),
                      row.village_code, row.status, candidate, proposed, ev.summary, tuple(flags), reason, **saved)


def _first_by_priority(reasons: list[str]) -> str:
    return min(reasons, key=EXIT_REASONS.index)


def _review(session: Session, program: ProgramRow, year: int, conf: YearConfirmation | None, *,
            only: int | None = None, gate: Progress | None = None) -> list[ReviewItem]:
    """Everyone the year's review looks at (``only``: one of them), in place order. ``gate`` is
    advanced per person (it raises ImportCancelled when the caller cancels)."""
    entries = _entries(session, conf, only)
    places = _Places(session)
    items: list[ReviewItem] = []
    page: list[Any] = []

    def flush_page() -> None:
        children = _children_by_recipient(session, [r.id for r in page])
        items.extend(_review_item(r, children[r.id], entries.get(r.id), program, year, places) for r in page)
        page.clear()
        if gate is not None:
            gate.advance(len(items))

    for row in _population(session, _in_year(program.code, conf, year, only)):
        page.append(row)
        if len(page) >= BATCH:
            flush_page()
    if page:
        flush_page()
    items.sort(key=lambda i: (i.township_code, i.village_code or "", i.name, i.recipient_id))
    return items


@contextmanager
def _cancelled_says(message: str) -> Iterator[None]:
    """The one cancel mechanism (core.imports.progress), with this work's own words."""
    try:
        yield
    except ImportCancelled:
        raise ImportCancelled(message) from None


@collector_paused()   # a pass over every recipient (core/collector.py)
def review_year(session: Session, actor: Actor, program: str, year: int, *,
                progress: ProgressCallback | None = None) -> YearReview:
    """The year's proposal and, once confirmed, the saved decisions (nothing is written). A clerk
    limited to some townships sees theirs. ``progress(done, total)`` returning False cancels
    (ImportCancelled)."""
    actor.require(Permission.EDIT_DATA)
    prog = get_program(session, program)
    _check_year(year)
    conf = _confirmation(session, prog.code, year)
    with _cancelled_says(REVIEW_CANCELLED):
        gate = Progress(progress, _population_count(session, _in_year(prog.code, conf, year, None)), every=BATCH)
        gate.report(0)
        items = _review(session, prog, year, conf, gate=gate)
        gate.report(gate.total)
    if actor.townships is not None:
        items = [i for i in items if actor.may_edit_township(i.township_code)]
    return YearReview(prog.code, prog.name, year, conf.status if conf else "NONE", items, exit_reasons(session))


def review_entry(session: Session, actor: Actor, program: str, year: int, recipient_id: int) -> ReviewItem:
    """One person's line of the year's review (as ``review_year`` would show it)."""
    actor.require(Permission.EDIT_DATA)
    prog = get_program(session, program)
    _check_year(year)
    items = _review(session, prog, year, _confirmation(session, prog.code, year), only=recipient_id)
    if not items:
        raise DataError(f"此对象不在“{prog.name}”{year} 年度资格确认范围内。")
    actor.require_township(items[0].township_code)
    return items[0]


def _check_year(year: int) -> None:
    if not isinstance(year, int) or not 1990 <= year <= 2100:
        raise DataError(f"年度“{year}”不对，应为四位年份，例如 2024。")


# -- deciding --------------------------------------------------------------------------------------

def _require_county_scope(actor: Actor) -> None:
    if actor.townships is not None:
        raise PermissionDenied(f"年度资格确认由县级用户办理；当前用户“{actor.display_name}”只能处理部分乡镇（街道）的数据。")


def _refuse_if_locked(conf: YearConfirmation | None, program: ProgramRow, year: int) -> None:
    if conf is not None and conf.status == "APPROVED":
        when = f"{conf.approved_at:%Y-%m-%d}" if conf.approved_at else ""
        raise DataError(f"“{program.name}”{year} 年度资格确认已由 {conf.approved_by} 于 {when} 审批锁定，"
                        "不能再修改。如确需修改，请审核员先解锁（须填写原因）。")


def _normalise(value: Any) -> Decision:
    if isinstance(value, Decision):
        return value
    if isinstance(value, str):
        return Decision(value.strip().upper())
    kind, reason = value
    return Decision(str(kind).strip().upper(), reason or "")


def _decide(item: ReviewItem, raw: Any, reasons: list[str]) -> Decision:
    """The decision for one person: the given one (checked) or the proposal."""
    if raw is None:
        return Decision(item.proposed, item.exit_reason)
    d = _normalise(raw)
    if d.kind not in item.allowed:
        allowed = "或".join(f"“{KIND_LABELS[k]}”" for k in item.allowed)
        what = "新增候选对象" if item.candidate else "继续享受的对象"
        raise DataError(f"{item.name}（{item.id_number}）是{what}，只能{allowed}，不能“{KIND_LABELS.get(d.kind, d.kind)}”。")
    if d.kind == EXIT:
        reason = d.exit_reason or item.exit_reason
        if reason not in reasons:
            raise DataError(f"{item.name}（{item.id_number}）退出须选择退出原因：{'、'.join(reasons)}。")
        return Decision(EXIT, reason)
    return Decision(d.kind)


def _apply(r: Recipient, d: Decision, year: int) -> None:
    """Make the recipient's record say what the decision says."""
    if d.kind == NEW:
        r.status, r.first_year = "ACTIVE", year
        r.exit_reason, r.exit_date = "", None
    elif d.kind == CONTINUE:
        r.status, r.exit_reason, r.exit_date = "ACTIVE", "", None
    elif d.kind == EXIT:
        r.status, r.exit_reason, r.exit_date = "EXITED", d.exit_reason, exit_date_for(year)
    elif d.kind == REFUSED:
        r.status = "REFUSED"


def exit_date_for(year: int) -> date:
    """An exit decided in year Y's confirmation: no period of Y is paid (see the module docstring)."""
    return date(year - 1, 12, 31)


def _needs_change(item: ReviewItem, r_status: str, d: Decision) -> bool:
    target = {NEW: "ACTIVE", CONTINUE: "ACTIVE", EXIT: "EXITED", REFUSED: "REFUSED"}[d.kind]
    return r_status != target or d.kind in (NEW, EXIT)


def _apply_decisions(session: Session, decided: list[tuple[ReviewItem, Decision]], year: int,
                     gate: Progress, done: int) -> None:
    """``gate`` counts on from ``done`` (people reviewed), one page of records at a time."""
    todo = {item.recipient_id: d for item, d in decided if _needs_change(item, item.status, d)}
    ids = list(todo)
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        for r in session.execute(select(Recipient).where(Recipient.id.in_(chunk))).scalars():
            _apply(r, todo[r.id], year)
        session.flush()
        gate.advance(done + (start + len(chunk)) * len(decided) // len(ids))


def _write_entries(session: Session, conf: YearConfirmation, decided: list[tuple[ReviewItem, Decision]],
                   who: str, gate: Progress, done: int) -> None:
    """Entries are a bulk record of the confirmation (the confirmation event audits their counts;
    each recipient whose status changes is audited on its own row)."""
    session.execute(delete(YearEntry).where(YearEntry.confirmation_id == conf.id))
    now = utcnow()
    rows = [dict(confirmation_id=conf.id, recipient_id=item.recipient_id, kind=d.kind, exit_reason=d.exit_reason,
                 flags=_entry_flags(item, d)[:300], uuid=new_uuid(), created_at=now, created_by=who,
                 updated_at=now, updated_by=who, version=1)
            for item, d in decided]
    for start in range(0, len(rows), BATCH):
        session.execute(insert(YearEntry.__table__), rows[start:start + BATCH])
        gate.advance(done + start + len(rows[start:start + BATCH]))


def _entry_flags(item: ReviewItem, d: Decision) -> str:
    texts = [f.text for f in item.flags]
    if d.kind == REFUSED:
        texts.insert(0, item.basis)
    return FLAG_SEPARATOR.join(texts)


def notice_period(session: Session, start: date, days: int | None = None) -> tuple[date, date]:
    """公示: ``days`` calendar days from ``start`` inclusive (setting "subsidy.notice_days", 7)."""
    days = int(days if days is not None else settings.get(session, "subsidy.notice_days"))
    if days < 1:
        raise DataError("公示天数至少为 1 天。")
    return start, start + timedelta(days=days - 1)


@collector_paused()   # a pass over every recipient (core/collector.py)
def confirm_year(session: Session, actor: Actor, program: str, year: int,
                 decisions: Mapping[int, Any] | None = None, *, notice_start: date | None = None,
                 notice_days: int | None = None, progress: ProgressCallback | None = None) -> YearStatus:
    """Confirm the year: write every person's decision (``decisions`` maps recipient id to
    "NEW" / "CONTINUE" / "REFUSED" / ("EXIT", reason) / Decision; anyone not in it gets the proposal),
    apply it to the records and start the 公示 period (default: today, ``subsidy.notice_days`` days).

    ``progress(done, total)`` counts the people three times (review, records, entries); returning
    False raises ImportCancelled — everything happens in the caller's transaction, which then rolls
    back, so the database stays as it was."""
    actor.require(Permission.EDIT_DATA)
    _require_county_scope(actor)
    prog = get_program(session, program)
    _check_year(year)
    conf = _confirmation(session, prog.code, year)
    _refuse_if_locked(conf, prog, year)
    with _cancelled_says(CONFIRM_CANCELLED):
        return _confirm(session, actor, prog, year, conf, dict(decisions or {}), notice_start, notice_days, progress)


def _confirm(session: Session, actor: Actor, prog: ProgramRow, year: int, conf: YearConfirmation | None,
             decisions: dict[int, Any], notice_start: date | None, notice_days: int | None,
             progress: ProgressCallback | None) -> YearStatus:
    n = _population_count(session, _in_year(prog.code, conf, year, None))
    gate = Progress(progress, 3 * n, every=BATCH)
    gate.report(0)
    items = _review(session, prog, year, conf, gate=gate)
    known = {i.recipient_id for i in items}
    strangers = [rid for rid in decisions if rid not in known]
    if strangers:
        raise DataError(f"有 {len(strangers)} 个决定所指的对象不在“{prog.name}”{year} 年度确认范围内"
                        f"（记录号 {', '.join(map(str, strangers[:5]))}），请刷新后重新确认。")
    reasons = exit_reasons(session)
    decided = [(i, _decide(i, decisions.get(i.recipient_id), reasons)) for i in items]
    if conf is None:
        conf = YearConfirmation(program_code=prog.code, year=year)
        session.add(conf)
    start, end = notice_period(session, notice_start or date.today(), notice_days)
    conf.status, conf.confirmed_at, conf.confirmed_by = "CONFIRMED", utcnow(), actor.username
    conf.approved_at, conf.approved_by = None, ""
    conf.notice_start, conf.notice_end = start, end
    session.flush()
    n = len(decided)
    gate.report(n)
    _apply_decisions(session, decided, year, gate, n)
    gate.report(2 * n)
    _write_entries(session, conf, decided, actor.username, gate, 2 * n)
    counts = {k: sum(1 for _, d in decided if d.kind == k) for k in KIND_LABELS}
    audit.record_event(session, "confirm_year", conf.audit_label(),
                       {"counts": counts, "notice": [start.isoformat(), end.isoformat()]},
                       table_name=YearConfirmation.__tablename__, record_uuid=conf.uuid)
    gate.report(gate.total)         # the last chance to cancel: still nothing committed
    return year_status(session, prog.code, year)


def _decision_text(kind: str, reason: str) -> str:
    return f"{KIND_LABELS.get(kind, kind)}（{reason}）" if kind == EXIT and reason else KIND_LABELS.get(kind, kind)


def change_entry(session: Session, actor: Actor, program: str, year: int, recipient_id: int,
                 kind: str, exit_reason: str = "") -> YearStatus:
    """Change one person's saved decision in a confirmed (not yet approved) year: the entry and the
    record change together; besides the rows' own audit an event names the person and old → new.
    Refused once the year is approved (until it is unlocked). The 公示 period is not restarted."""
    actor.require(Permission.EDIT_DATA)
    _require_county_scope(actor)
    prog = get_program(session, program)
    _check_year(year)
    conf = _confirmation(session, prog.code, year)
    if conf is None or conf.status not in ("CONFIRMED", "APPROVED"):
        raise DataError(f"“{prog.name}”{year} 年度尚未确认，请先进行资格确认。")
    _refuse_if_locked(conf, prog, year)
    entry = session.execute(select(YearEntry).where(YearEntry.confirmation_id == conf.id,
                                                    YearEntry.recipient_id == recipient_id)).scalar_one_or_none()
    if entry is None:
        raise DataError(f"此对象不在“{prog.name}”{year} 年度资格确认名单中（可能是确认之后才登记的），"
                        "请重新确认本年度名单。")
    item = _review(session, prog, year, conf, only=recipient_id)[0]
    d = _decide(item, Decision(kind, exit_reason), exit_reasons(session))
    old = (entry.kind, entry.exit_reason or "")
    if (d.kind, d.exit_reason) == old:
        return year_status(session, prog.code, year)
    _apply(session.get(Recipient, recipient_id), d, year)
    entry.kind, entry.exit_reason, entry.flags = d.kind, d.exit_reason, _entry_flags(item, d)[:300]
    session.flush()
    audit.record_event(session, "confirm_year", f"{conf.audit_label()}：修改 {item.name} 的决定",
                       {"recipient": f"{item.name}（{item.id_number}）",
                        "decision": [_decision_text(*old), _decision_text(d.kind, d.exit_reason)]},
                       table_name=YearConfirmation.__tablename__, record_uuid=conf.uuid)
    return year_status(session, prog.code, year)


def approve_year(session: Session, actor: Actor, program: str, year: int, *, on: date | None = None) -> YearStatus:
    """审批 (审核员): lock the year's confirmation once its 公示 is over; payment rolls need it."""
    actor.require(Permission.APPROVE)
    _require_county_scope(actor)
    prog = get_program(session, program)
    conf = _confirmation(session, prog.code, year)
    if conf is None or conf.status not in ("CONFIRMED", "APPROVED"):
        raise DataError(f"“{prog.name}”{year} 年度尚未完成资格确认，不能审批。")
    _refuse_if_locked(conf, prog, year)
    today = on or date.today()
    if conf.notice_end is not None and today <= conf.notice_end:
        raise DataError(f"“{prog.name}”{year} 年度公示期为 {conf.notice_start:%Y-%m-%d} 至 {conf.notice_end:%Y-%m-%d}，"
                        "公示期满后才能审批。")
    conf.status, conf.approved_at, conf.approved_by = "APPROVED", utcnow(), actor.username
    session.flush()
    return year_status(session, prog.code, year)


def unlock_year(session: Session, actor: Actor, program: str, year: int, reason: str) -> YearStatus:
    """解锁 (审核员): the year becomes CONFIRMED again, so it can be changed; the reason is audited."""
    actor.require(Permission.UNLOCK)
    _require_county_scope(actor)
    prog = get_program(session, program)
    reason = (reason or "").strip()
    if not reason:
        raise DataError("解锁须填写原因。")
    conf = _confirmation(session, prog.code, year)
    if conf is None or conf.status != "APPROVED":
        raise DataError(f"“{prog.name}”{year} 年度资格确认没有锁定，无需解锁。")
    audit.record_event(session, "unlock", conf.audit_label(),
                       {"reason": reason, "approved_by": conf.approved_by,
                        "approved_at": conf.approved_at.isoformat() if conf.approved_at else None},
                       table_name=YearConfirmation.__tablename__, record_uuid=conf.uuid)
    conf.status, conf.approved_at, conf.approved_by = "CONFIRMED", None, ""
    session.flush()
    return year_status(session, prog.code, year)


# -- an approved year stays as approved ------------------------------------------------------------

def _old_status(conf: YearConfirmation) -> str:
    hist = inspect(conf).attrs.status.history
    if hist.deleted:
        return hist.deleted[0]
    return hist.unchanged[0] if hist.unchanged else conf.status


def _changed_besides_unlock(conf: YearConfirmation) -> bool:
    """An approved confirmation may only be unlocked (status and approval fields), nothing else."""
    state = inspect(conf)
    allowed = {"status", "approved_at", "approved_by", "updated_at", "updated_by", "version"}
    return any(state.attrs[a.key].history.has_changes() for a in state.mapper.column_attrs if a.key not in allowed)


def _guard_approved_years(session: Session, _ctx, _instances) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, YearConfirmation) and _old_status(obj) == "APPROVED":
            if obj in session.deleted or _changed_besides_unlock(obj):
                raise DataError(f"{obj.audit_label()}已审批锁定，不能修改或删除。")
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        if isinstance(obj, YearEntry):
            conf = session.get(YearConfirmation, obj.confirmation_id)
            if conf is not None and _old_status(conf) == "APPROVED":
                raise DataError(f"{conf.audit_label()}已审批锁定，名单不能修改。")


event.listen(Session, "before_flush", _guard_approved_years)
