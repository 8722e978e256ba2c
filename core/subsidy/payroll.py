"""资金发放 (DOMAIN.md §3 step 5): who is entitled in a payment period, how much, and the payment roll.

Entitlement — one rule used by the payment roll, the roster (FP-ROSTER) and the summary (FP-SUMMARY),
so their numbers always agree:

- a recipient of the programme whose status is 享受中 (ACTIVE), or 已退出 (EXITED) with an exit date on
  or after the first day of the period — an exit takes effect from the *next* payment period, so the
  period in which it happened is still paid (an exit on 2024-03-15 is paid for 2024, or for 2024H1
  when paying by half-year, and never after);
- whose entitlement year is not after the period's year: the first confirmed year (首次确认年度) where
  recorded, never earlier than the year the age condition is met (``eligibility.entitlement_year``).

The amount is the programme's standard for the period's year and the person's household registration
(``programmes.yearly_amount``: 农业 → 农村, otherwise 城镇, falling back to 城乡统一), times months/12 for
a half year, in Decimal, rounded to 0.01 yuan half-up.

A payment roll (PaymentRoll + PaymentLine snapshots) is built per programme and period once that year's
资格确认 is approved. A draft roll is rebuilt from scratch on request; a roll marked paid is a record
of money that left the bank: it is never recomputed or edited again (refused here and by a flush guard).

The people who need a look (``roll_problems``) are recomputed whenever asked, from the roll's lines and
the roster — nothing is stored: on the roll but not payable as it is (no bank account, so not in the
bank file; for a draft also a death reported before the period, not in the year's confirmation), and
left out of it (confirmed 新增/继续享受 but exited since, too young in the year, or confirmed after the
roll was built; applicants of age not yet through the year's confirmation). For a paid roll the lines
are the paid snapshot while "left out" compares with the roster as it is now.
``write_roll_problems`` exports the list as an xlsx workbook through the returns renderer.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Iterable, Iterator

from sqlalchemy import and_, case, delete, event, func, insert, inspect, or_, select, tuple_
from sqlalchemy.orm import Session

from core import audit, orgunits, settings
from core.access import Actor, Permission
from core.collector import collector_paused
from core.errors import DataError, PermissionDenied, UsageError
from core.periods import Period
from core.subsidy.eligibility import PersonFacts, ProgramRule, entitlement_year
from core.subsidy.programmes import AREA_LABELS, ProgramRow, get_program, list_standards, yearly_amount
from core.subsidy.recipients import STATUS_LABELS
from db.models.subsidy import PaymentLine, PaymentRoll, Recipient, YearConfirmation, YearEntry

CENT = Decimal("0.01")
ROLL_STATUS_LABELS = {"DRAFT": "草稿（未发放）", "PAID": "已发放"}
PERIOD_MODES = {"YEAR": "按年发放", "HALF": "按半年发放"}
NO_ACCOUNT = "无银行账号"
LEFT_OUT = "未列入花名册"
BATCH = 2000


# -- payment periods -------------------------------------------------------------------------------

class PaymentPeriod(Period):
    """A payment period: a year (``2024``) or a half year (``2024H1`` / ``2024H2``)."""

    @property
    def year(self) -> int:
        return self.months[0][0]

    @property
    def months_paid(self) -> int:
        return len(self.months)

    @property
    def mode(self) -> str:
        return "HALF" if self.kind == "half" else "YEAR"

    @property
    def label(self) -> str:
        if self.kind == "half":
            return f"{self.year}年{'上' if self.months[0][1] == 1 else '下'}半年"
        return f"{self.year}年"


def parse_payment_period(text: str) -> PaymentPeriod:
    code = (text or "").strip().upper()
    if m := re.fullmatch(r"(\d{4})", code):
        year = int(m[1])
        return PaymentPeriod(code, "year", tuple((year, month) for month in range(1, 13)))
    if m := re.fullmatch(r"(\d{4})H([12])", code):
        year, first = int(m[1]), 1 if m[2] == "1" else 7
        return PaymentPeriod(code, "half", tuple((year, month) for month in range(first, first + 6)))
    raise UsageError(f"发放期“{text}”的写法不对：全年写 2024，半年写 2024H1（上半年）或 2024H2（下半年）。")


def payment_mode(session: Session) -> str:
    mode = str(settings.get(session, "subsidy.payment_period") or "YEAR").upper()
    if mode not in PERIOD_MODES:
        raise DataError(f"设置“扶助金发放周期”的值“{mode}”不对，应为 YEAR（按年）或 HALF（按半年）。")
    return mode


def periods_of_year(mode: str, year: int) -> list[PaymentPeriod]:
    codes = [str(year)] if mode == "YEAR" else [f"{year}H1", f"{year}H2"]
    return [parse_payment_period(c) for c in codes]


# -- who is entitled -------------------------------------------------------------------------------

PERSON_COLUMNS = (
    Recipient.id, Recipient.name, Recipient.sex, Recipient.id_number, Recipient.birth_date,
    Recipient.township_code, Recipient.village_code, Recipient.hukou, Recipient.marital,
    Recipient.spouse_id_number, Recipient.status, Recipient.exit_reason, Recipient.exit_date,
    Recipient.first_year, Recipient.bank_name, Recipient.account_no, Recipient.death_date,
    Recipient.phone, Recipient.incomplete, Recipient.program_code,
)
PLACE_ORDER = (Recipient.township_code, func.coalesce(Recipient.village_code, ""), Recipient.name, Recipient.id)


@dataclass(frozen=True)
class Scope:
    """Which townships (and optionally one village) a list covers; None = the whole county."""
    townships: tuple[str, ...] | None = None
    village: str | None = None

    @classmethod
    def of(cls, actor: Actor | None, org: str | None = None) -> Scope:
        """The part of the county ``org`` names, narrowed to the actor's townships."""
        if org and len(org) >= 9:
            if actor is not None:
                actor.require_township(org)
            return cls((org[:9],), org if len(org) == 12 else None)
        if actor is not None and actor.townships is not None:
            return cls(tuple(sorted(actor.townships)))
        return cls()

    def clauses(self, township_col, village_col) -> list:
        out = []
        if self.townships is not None:
            out.append(township_col.in_(self.townships))
        if self.village:
            out.append(village_col == self.village)
        return out


def spouse_facts(spouse_id_number: str) -> tuple[date | None, str | None]:
    """Birth date and sex read from a spouse's ID number (already checked when it was saved)."""
    s = spouse_id_number or ""
    if len(s) != 18:
        return None, None
    try:
        born = date(int(s[6:10]), int(s[10:12]), int(s[12:14]))
    except ValueError:
        return None, None
    return born, ("男" if s[16].isdigit() and int(s[16]) % 2 else "女")


@lru_cache(maxsize=64)
def rule_of(program: ProgramRow) -> ProgramRule:
    return program.rule


def start_year(row: Any, program: ProgramRow) -> int:
    """The first year a person may be paid: the first confirmed year, never before the age condition."""
    spouse_birth, spouse_sex = spouse_facts(row.spouse_id_number) if row.spouse_id_number else (None, None)
    facts = PersonFacts(birth_date=row.birth_date, sex=row.sex, marital=row.marital,
                        spouse_birth_date=spouse_birth, spouse_sex=spouse_sex)
    by_age = entitlement_year(facts, rule_of(program))
    return max(row.first_year, by_age) if row.first_year else by_age


def is_entitled(row: Any, program: ProgramRow, period_start: date, year: int, *, start: int | None = None) -> bool:
    """``start``: the person's ``start_year`` when the caller has it already."""
    if row.status == "EXITED":
        if row.exit_date is None or row.exit_date < period_start:
            return False
    elif row.status != "ACTIVE":
        return False
    return (start if start is not None else start_year(row, program)) <= year


def entitled_prefilter(program_code: str, period_start: date, year: int) -> list:
    """The SQL part of ``is_entitled`` (the age part is checked in Python)."""
    return [Recipient.program_code == program_code,
            or_(Recipient.status == "ACTIVE", and_(Recipient.status == "EXITED", Recipient.exit_date >= period_start)),
            or_(Recipient.first_year.is_(None), Recipient.first_year <= year)]


def iter_keyset(session: Session, columns: Iterable, keys: tuple, where: Iterable = (), *, batch: int | None = None,
                from_: Any = None) -> Iterator[Any]:
    """Rows in ``keys`` order, one keyset page at a time (never OFFSET, never all rows at once).
    ``from_``: an explicit FROM (a join) when the columns come from several tables."""
    columns, keys, where, batch = list(columns), tuple(keys), list(where), batch or BATCH
    labelled = [k.label(f"_k{i}") for i, k in enumerate(keys)]
    base = select(*columns, *labelled)
    if from_ is not None:
        base = base.select_from(from_)
    base = base.where(*where).order_by(*keys).limit(batch)
    after: tuple | None = None
    while True:
        q = base if after is None else base.where(tuple_(*keys) > tuple_(*after))
        rows = session.execute(q).all()
        yield from rows
        if len(rows) < batch:
            return
        after = tuple(rows[-1][-len(keys):])


def iter_in_place_order(session: Session, columns: Iterable, keys: tuple, where: Iterable = (), *,
                        batch: int | None = None, from_: Any = None) -> Iterator[Any]:
    """Rows ordered by ``keys`` = (township column, village, name, id): township by township, each in
    keyset pages — a page then sorts one township's rows, not the whole county's."""
    where = list(where)
    q = select(keys[0]).distinct()
    if from_ is not None:
        q = q.select_from(from_)
    townships = session.execute(q.where(*where).order_by(keys[0])).scalars().all()
    for code in townships:
        yield from iter_keyset(session, columns, keys[1:], where + [keys[0] == code], batch=batch, from_=from_)


def iter_entitled(session: Session, program: ProgramRow, period_start: date, year: int,
                  scope: Scope = Scope()) -> Iterator[Any]:
    """Everyone entitled in the period starting ``period_start`` of ``year``, by township, village, name."""
    where = entitled_prefilter(program.code, period_start, year) + scope.clauses(Recipient.township_code,
                                                                                  Recipient.village_code)
    for row in iter_in_place_order(session, PERSON_COLUMNS, PLACE_ORDER, where):
        if is_entitled(row, program, period_start, year):
            yield row


# -- amounts ---------------------------------------------------------------------------------------

class Standards:
    """The programme's standards, resolved per year and household registration, with the message a
    person needs when one is missing."""

    def __init__(self, session: Session, program: ProgramRow):
        self.program = program
        self.rows = list_standards(session, program.code)
        self._cache: dict[tuple[int, str], Decimal | None] = {}

    def yearly(self, year: int, hukou: str) -> Decimal:
        key = (year, "农业" if hukou == "农业" else "非农业")
        if key not in self._cache:
            self._cache[key] = yearly_amount(self.rows, self.program.code, year, key[1])
        amount = self._cache[key]
        if amount is None:
            area = AREA_LABELS["RURAL" if key[1] == "农业" else "URBAN"]
            raise DataError(f"扶助项目“{self.program.name}”没有 {year} 年（{area}）的扶助标准，"
                            f"请先在“扶助标准”中为 {year} 年设置标准后再计算。")
        return amount

    def require_any(self, year: int) -> None:
        """Refuse up front when the programme has no standard at all for the year."""
        if all(yearly_amount(self.rows, self.program.code, year, h) is None for h in ("农业", "非农业")):
            self.yearly(year, "农业")

    def for_period(self, period: PaymentPeriod, hukou: str) -> Decimal:
        return period_amount(self.yearly(period.year, hukou), period.months_paid)


def period_amount(yearly: Decimal, months: int) -> Decimal:
    return (Decimal(yearly) * months / 12).quantize(CENT, rounding=ROUND_HALF_UP)


# -- the confirmation a roll depends on ------------------------------------------------------------

def _confirmation(session: Session, program_code: str, year: int) -> YearConfirmation | None:
    return session.execute(select(YearConfirmation).where(YearConfirmation.program_code == program_code,
                                                          YearConfirmation.year == year)).scalar_one_or_none()


def _require_approved_year(session: Session, program: ProgramRow, year: int) -> YearConfirmation:
    conf = _confirmation(session, program.code, year)
    if conf is None or conf.status != "APPROVED":
        state = "尚未确认" if conf is None else ("已确认、尚未审批" if conf.status == "CONFIRMED" else "尚未审批")
        raise DataError(f"“{program.name}”{year} 年度资格确认{state}，不能生成发放花名册。"
                        "请先完成资格确认并由审核员审批。")
    return conf


def _confirmed_ids(session: Session, conf: YearConfirmation | None) -> set[int]:
    if conf is None:
        return set()
    q = select(YearEntry.recipient_id).where(YearEntry.confirmation_id == conf.id,
                                             YearEntry.kind.in_(("NEW", "CONTINUE")))
    return set(session.execute(q).scalars())


# -- payment rolls ---------------------------------------------------------------------------------

@dataclass
class RollSummary:
    id: int
    program_code: str
    program_name: str
    period: str
    period_label: str
    status: str
    people: int
    total: Decimal
    paid_on: date | None
    version: int
    problems: list[str] = field(default_factory=list)   # one sentence per person with a problem

    @property
    def status_label(self) -> str:
        return ROLL_STATUS_LABELS.get(self.status, self.status)


@dataclass(frozen=True)
class RollLine:
    recipient_id: int
    name: str
    id_number: str
    township_code: str
    village_code: str | None
    bank_name: str
    account_no: str
    months: int
    amount: Decimal
    problem: str            # "" when the line can be paid as it is


@dataclass(frozen=True)
class RollProblem:
    """One person who needs a look before (or after) paying: on the roll with a problem, or left out."""
    recipient_id: int
    name: str
    id_number: str
    township_code: str
    village_code: str | None
    on_roll: bool
    amount: Decimal | None  # the line's amount when on the roll
    problem: str            # Chinese; for one left out it says why

    @property
    def where_label(self) -> str:
        return "在花名册中" if self.on_roll else LEFT_OUT

    @property
    def sentence(self) -> str:
        return f"{self.name}（{self.id_number}）：{self.problem}" + ("" if self.on_roll else f"（{LEFT_OUT}）")


def _place_key(p: RollProblem) -> tuple:
    return (p.township_code, p.village_code or "", p.name, p.recipient_id)


@dataclass(frozen=True)
class TownshipTotal:
    code: str
    name: str
    people: int
    amount: Decimal
    without_account: int


@dataclass(frozen=True)
class RollTotals:
    townships: list[TownshipTotal]
    people: int
    amount: Decimal
    without_account: int


def _require_county_scope(actor: Actor, what: str) -> None:
    if actor.townships is not None:
        raise PermissionDenied(f"{what}由县级用户办理；当前用户“{actor.display_name}”只能处理部分乡镇（街道）的数据。")


def _roll(session: Session, program_code: str, period: str) -> PaymentRoll | None:
    return session.execute(select(PaymentRoll).where(PaymentRoll.program_code == program_code,
                                                     PaymentRoll.period == period)).scalar_one_or_none()


def _summary(session: Session, roll: PaymentRoll, problems: list[str] | None = None) -> RollSummary:
    program = get_program(session, roll.program_code)
    return RollSummary(roll.id, roll.program_code, program.name, roll.period,
                       parse_payment_period(roll.period).label, roll.status, roll.people,
                       Decimal(roll.total).quantize(CENT), roll.paid_on, roll.version, problems or [])


def _refuse_overlapping_rolls(session: Session, program: ProgramRow, period: PaymentPeriod) -> None:
    other = [f"{period.year}H1", f"{period.year}H2"] if period.mode == "YEAR" else [str(period.year)]
    q = select(PaymentRoll.period).where(PaymentRoll.program_code == program.code, PaymentRoll.period.in_(other))
    clash = session.execute(q).scalars().first()
    if clash:
        raise DataError(f"“{program.name}”已有{parse_payment_period(clash).label}的发放花名册，"
                        f"不能再生成{period.label}的花名册（同一年不能既按全年又按半年发放）。")


def _check_period_mode(session: Session, period: PaymentPeriod) -> None:
    mode = payment_mode(session)
    if period.mode != mode:
        hint = f"{period.year}" if mode == "YEAR" else f"{period.year}H1 或 {period.year}H2"
        raise DataError(f"本县扶助金{PERIOD_MODES[mode]}，发放期应写作 {hint}，不是 {period.code}。"
                        "（发放周期可由管理员在设置中修改。）")


@collector_paused()   # a pass over every recipient (core/collector.py)
def build_roll(session: Session, actor: Actor, program: str, period: str) -> RollSummary:
    """Compute the payment roll of ``program`` for ``period`` ("2024", "2024H1", "2024H2") and store
    it as a draft, replacing an earlier draft. Refused once the roll is paid."""
    actor.require(Permission.EDIT_DATA)
    _require_county_scope(actor, "生成发放花名册")
    prog = get_program(session, program)
    p = parse_payment_period(period)
    _check_period_mode(session, p)
    roll = _roll(session, prog.code, p.code)
    if roll is not None and roll.status == "PAID":
        raise DataError(f"“{prog.name}”{p.label}的扶助金已于 {roll.paid_on:%Y-%m-%d} 发放，"
                        "发放花名册已锁定，不能重新计算或修改。")
    _refuse_overlapping_rolls(session, prog, p)
    conf = _require_approved_year(session, prog, p.year)
    standards = Standards(session, prog)
    standards.require_any(p.year)
    if roll is None:
        roll = PaymentRoll(program_code=prog.code, period=p.code, status="DRAFT")
        session.add(roll)
        session.flush()
    else:
        session.execute(delete(PaymentLine).where(PaymentLine.roll_id == roll.id))
    people, total, problems = _write_lines(session, roll.id, prog, p, standards, _confirmed_ids(session, conf))
    roll.people, roll.total = people, total
    session.flush()
    problems = sorted(problems + list(_left_out(session, roll, prog, p, conf, Scope())), key=_place_key)
    audit.record_event(session, "build_roll", roll.audit_label(),
                       {"people": people, "total": str(total), "problems": len(problems)},
                       table_name=PaymentRoll.__tablename__, record_uuid=roll.uuid)
    return _summary(session, roll, [x.sentence for x in problems])


def _write_lines(session: Session, roll_id: int, program: ProgramRow, period: PaymentPeriod,
                 standards: Standards, confirmed: set[int]) -> tuple[int, Decimal, list[RollProblem]]:
    people, total, problems, batch = 0, Decimal("0.00"), [], []
    for row in iter_entitled(session, program, period.start, period.year):
        amount = standards.for_period(period, row.hukou)
        batch.append(dict(roll_id=roll_id, recipient_id=row.id, name=row.name, id_number=row.id_number,
                          township_code=row.township_code, village_code=row.village_code,
                          bank_name=row.bank_name, account_no=row.account_no, amount=amount,
                          months=period.months_paid))
        people, total = people + 1, total + amount
        problem = _person_problem(row.account_no, row.death_date, row.id in confirmed, period)
        if problem:
            problems.append(RollProblem(row.id, row.name, row.id_number, row.township_code, row.village_code,
                                        True, amount, problem))
        if len(batch) >= BATCH:
            session.execute(insert(PaymentLine.__table__), batch)
            batch = []
    if batch:
        session.execute(insert(PaymentLine.__table__), batch)
    return people, total, problems


def _person_problem(account_no: str, death_date: date | None, confirmed: bool | None,
                    period: PaymentPeriod, now: Any = None) -> str:
    """Why a line cannot simply be paid (empty when it can). ``confirmed`` None: not checked;
    ``now``: the record as it is now (status, exit date, reason) for a draft line."""
    found = []
    if not account_no:
        found.append(NO_ACCOUNT)
    if death_date is not None and death_date < period.start:
        found.append(f"已报死亡（{death_date:%Y-%m-%d}），请核实")
    if confirmed is False:
        found.append(f"未列入{period.year}年度资格确认名单")
    if now is not None and not (now.status == "ACTIVE" or (now.status == "EXITED" and now.exit_date is not None
                                                           and now.exit_date >= period.start)):
        what = STATUS_LABELS.get(now.status, now.status)
        if now.status == "EXITED":
            when = f"，退出日期 {now.exit_date:%Y-%m-%d}" if now.exit_date else ""
            what += f"（{now.exit_reason or '未填原因'}{when}）"
        found.append(f"生成花名册后{what}，{period.label}不应发放，请重新生成花名册")
    return "；".join(found)


def roll_lines(session: Session, roll_id: int, scope: Scope = Scope(), *, batch: int | None = None) -> Iterator[RollLine]:
    """The roll's lines by township, village and name, each with its problem (if any). For a draft roll
    the live record is consulted too (a death reported, not in the year's confirmation, exited since).

    ``build_roll`` writes the lines in that order, so they are read back in id order (a primary-key
    range per page, cheap for 100,000 lines)."""
    roll = _get_roll(session, roll_id)
    period = parse_payment_period(roll.period)
    live = roll.status == "DRAFT"
    confirmed = _confirmed_ids(session, _confirmation(session, roll.program_code, period.year)) if live else set()
    columns = (PaymentLine.recipient_id, PaymentLine.name, PaymentLine.id_number, PaymentLine.township_code,
               PaymentLine.village_code, PaymentLine.bank_name, PaymentLine.account_no, PaymentLine.months,
               PaymentLine.amount, Recipient.death_date, Recipient.status, Recipient.exit_date, Recipient.exit_reason)
    where = [PaymentLine.roll_id == roll_id] + scope.clauses(PaymentLine.township_code, PaymentLine.village_code)
    from_ = PaymentLine.__table__.join(Recipient.__table__, Recipient.id == PaymentLine.recipient_id)
    for r in iter_keyset(session, columns, (PaymentLine.id,), where, batch=batch, from_=from_):
        problem = _person_problem(r.account_no, r.death_date if live else None,
                                  (r.recipient_id in confirmed) if live else None, period, r if live else None)
        yield RollLine(r.recipient_id, r.name, r.id_number, r.township_code, r.village_code, r.bank_name,
                       r.account_no, r.months, Decimal(r.amount).quantize(CENT), problem)


def _left_out(session: Session, roll: PaymentRoll, program: ProgramRow, period: PaymentPeriod,
              conf: YearConfirmation | None, scope: Scope) -> Iterator[RollProblem]:
    """People of the programme not on the roll who one would look for on it: confirmed 新增/继续享受
    in the year, or applicants of age in the year (not confirmed), each with the reason.

    Sets of ids rather than one SQL query with NOT EXISTS / IN: SQLite took seconds per thousand
    recipients for that plan; the sets cost one indexed read of the roll's and the entries' ids."""
    on_roll = set(session.execute(select(PaymentLine.recipient_id).where(PaymentLine.roll_id == roll.id)).scalars())
    applicants = select(Recipient.id).where(Recipient.program_code == program.code, Recipient.status == "APPLIED")
    wanted = (_confirmed_ids(session, conf) | set(session.execute(applicants).scalars())) - on_roll
    ids = sorted(wanted)
    rows = []
    for start in range(0, len(ids), BATCH):
        q = select(*PERSON_COLUMNS).where(Recipient.id.in_(ids[start:start + BATCH]),
                                          *scope.clauses(Recipient.township_code, Recipient.village_code))
        rows.extend(session.execute(q).all())
    rows.sort(key=lambda r: (r.township_code, r.village_code or "", r.name, r.id))
    for row in rows:
        start = start_year(row, program)
        if row.status == "APPLIED" and start > period.year:
            continue            # an applicant for a later year: nothing is missing
        yield RollProblem(row.id, row.name, row.id_number, row.township_code, row.village_code, False, None,
                          _left_out_reason(row, start, period, roll.status == "PAID"))


def _left_out_reason(row: Any, start: int, period: PaymentPeriod, paid: bool) -> str:
    if row.status == "APPLIED":
        return f"申请中，尚未经{period.year}年度资格确认"
    if row.status == "EXITED":
        when = f"，退出日期 {row.exit_date:%Y-%m-%d}" if row.exit_date else ""
        return f"已退出（{row.exit_reason or '未填原因'}{when}），{period.label}不发放"
    if row.status != "ACTIVE":
        return f"状态为“{STATUS_LABELS.get(row.status, row.status)}”"
    if start > period.year:
        return f"{start} 年起才符合条件，{period.label}不发放"
    if paid:
        return f"列入{period.year}年度资格确认名单，但不在已发放的花名册中，请核实是否需要补发"
    return f"列入{period.year}年度资格确认名单，但不在花名册中（名单在生成花名册后有变动），请重新生成花名册"


def roll_problems(session: Session, roll_id: int, *, actor: Actor | None = None,
                  scope: Scope | None = None) -> list[RollProblem]:
    """Everyone who needs a look for this roll (see the module docstring), recomputed now, by
    township, village and name; limited to ``scope`` / the actor's townships."""
    roll = _get_roll(session, roll_id)
    scope = scope or Scope.of(actor)
    period = parse_payment_period(roll.period)
    program = get_program(session, roll.program_code)
    found = [RollProblem(l.recipient_id, l.name, l.id_number, l.township_code, l.village_code, True, l.amount,
                         l.problem)
             for l in roll_lines(session, roll_id, scope) if l.problem]
    conf = _confirmation(session, roll.program_code, period.year)
    found += _left_out(session, roll, program, period, conf, scope)
    return sorted(found, key=_place_key)


PROBLEM_COLUMNS_SPEC = (("序号", "int", 6), ("姓名", "text", 8), ("公民身份号码", "text", 19),
                        ("乡镇（街道）", "text", 12), ("村（居）", "text", 13), ("花名册", "text", 11),
                        ("金额（元）", "money", 11), ("问题", "text", 48))


def roll_problems_table(session: Session, roll_id: int, *, actor: Actor | None = None):
    """The list of ``roll_problems`` as a ReturnTable (for the xlsx/PDF renderers)."""
    from core.returns.model import Column, ReturnTable
    roll = _get_roll(session, roll_id)
    program = get_program(session, roll.program_code)
    period = parse_payment_period(roll.period)
    problems = roll_problems(session, roll_id, actor=actor)
    names = {u.code: u.name for u in orgunits.list_units(session)}
    county = orgunits.county(session)
    rows = [[n, p.name, p.id_number, names.get(p.township_code, p.township_code),
             names.get(p.village_code or "", p.village_code or ""), p.where_label, p.amount, p.problem]
            for n, p in enumerate(problems, start=1)]
    state = f"已于 {roll.paid_on:%Y-%m-%d} 发放" if roll.status == "PAID" else "草稿，尚未发放"
    notes = [f"花名册状态：{state}。共 {len(problems)} 人需要处理：在花名册中 {sum(p.on_roll for p in problems)} 人"
             f"（无银行账号的不写入银行文件），{LEFT_OUT} {sum(not p.on_roll for p in problems)} 人。",
             "按导出时的扶助对象记录核对。"]
    return ReturnTable(id="FP-PAYROLL-PROBLEMS", title=f"{program.name}{period.label}发放花名册需要处理的人",
                       period=period.code, period_label=period.label, org=county.code if county else "",
                       org_label=county.name if county else "", columns=[Column(*c) for c in PROBLEM_COLUMNS_SPEC],
                       rows=rows, header=settings.stat_header(session, "FP-PAYROLL-PROBLEMS"), landscape=True,
                       notes=notes, row_count_hint=len(rows))


def write_roll_problems(session: Session, actor: Actor, roll_id: int, path, progress=None) -> int:
    """Export the roll's ``roll_problems`` to ``path`` (.xlsx); returns the number of people. The
    export is audited. ``progress(done_rows)`` returning False cancels (RenderCancelled, no file)."""
    from pathlib import Path

    from core.returns.render import render
    actor.require(Permission.PRINT_RETURNS)
    roll = _get_roll(session, roll_id)
    table = roll_problems_table(session, roll_id, actor=actor)
    path = Path(path)
    render(table, "xlsx", path, progress)
    audit.record_event(session, "export", f"需要处理的人 {roll.audit_label()}",
                       {"file": path.name, "rows": table.row_count_hint},
                       table_name=PaymentRoll.__tablename__, record_uuid=roll.uuid)
    return table.row_count_hint or 0


def _get_roll(session: Session, roll_id: int) -> PaymentRoll:
    roll = session.get(PaymentRoll, roll_id)
    if roll is None:
        raise DataError("这份发放花名册已不存在。")
    return roll


def mark_paid(session: Session, actor: Actor, roll_id: int, paid_on: date, *,
              accept_problems: bool = False) -> RollSummary:
    """Record that the roll was paid on ``paid_on``: from then on it is never recomputed or edited.
    Lines with a problem (no bank account …) are refused unless ``accept_problems`` (the user confirmed)."""
    actor.require(Permission.APPROVE)
    _require_county_scope(actor, "确认扶助金发放")
    roll = _get_roll(session, roll_id)
    program = get_program(session, roll.program_code)
    label = parse_payment_period(roll.period).label
    if roll.status == "PAID":
        raise DataError(f"“{program.name}”{label}的扶助金已于 {roll.paid_on:%Y-%m-%d} 标记为已发放，不能再次修改。")
    if paid_on is None:
        raise DataError("请填写发放日期。")
    problems = [f"{line.name}：{line.problem}" for line in roll_lines(session, roll_id) if line.problem]
    if problems and not accept_problems:
        shown = "；".join(problems[:5]) + ("……" if len(problems) > 5 else "")
        raise DataError(f"发放花名册中有 {len(problems)} 人存在问题（{shown}）。请处理后重新生成花名册；"
                        "如确认照此发放，请选择“仍然标记为已发放”。", details=problems)
    roll.status, roll.paid_on = "PAID", paid_on
    session.flush()
    return _summary(session, roll, problems)


def roll_totals(session: Session, roll_id: int, *, actor: Actor | None = None, scope: Scope | None = None) -> RollTotals:
    """People and amount per township (townships in code order), and for the whole roll (or the part
    of it in ``scope`` / the actor's townships)."""
    _get_roll(session, roll_id)
    scope = scope or Scope.of(actor)
    no_account = func.sum(case((PaymentLine.account_no == "", 1), else_=0))
    q = (select(PaymentLine.township_code, func.count(), func.sum(PaymentLine.amount), no_account)
         .where(PaymentLine.roll_id == roll_id, *scope.clauses(PaymentLine.township_code, PaymentLine.village_code))
         .group_by(PaymentLine.township_code).order_by(PaymentLine.township_code))
    names = township_names(session)
    rows = [TownshipTotal(code, names.get(code, code), n, Decimal(amount or 0).quantize(CENT), int(missing or 0))
            for code, n, amount, missing in session.execute(q)]
    return RollTotals(rows, sum(r.people for r in rows), sum((r.amount for r in rows), Decimal("0.00")),
                      sum(r.without_account for r in rows))


@dataclass(frozen=True)
class PersonPayment:
    """One payment roll's line for one person, as the roll holds it (a paid roll never changes)."""
    program_code: str
    program_name: str
    period: str
    period_label: str
    roll_status: str        # DRAFT / PAID
    paid_on: date | None
    months: int
    amount: Decimal
    bank_name: str
    account_no: str

    @property
    def status_label(self) -> str:
        if self.roll_status == "PAID":
            return f"已发放（{self.paid_on:%Y-%m-%d}）" if self.paid_on else "已发放"
        return "待发放（花名册尚未标记发放）"


@dataclass(frozen=True)
class PersonPayments:
    lines: list[PersonPayment]

    @property
    def paid(self) -> list[PersonPayment]:
        return [p for p in self.lines if p.roll_status == "PAID"]

    @property
    def paid_total(self) -> Decimal:
        return sum((p.amount for p in self.paid), Decimal("0.00"))

    def summary(self) -> str:
        if not self.lines:
            return "还没有列入任何发放花名册。"
        text = f"已发放 {len(self.paid)} 期，合计 {self.paid_total:,.2f} 元"
        waiting = len(self.lines) - len(self.paid)
        return text + (f"；另有 {waiting} 期在尚未发放的花名册中。" if waiting else "。")


def person_payments(session: Session, actor: Actor, recipient_id: int) -> PersonPayments:
    """Every payment roll line of one person, newest period first: what was paid (amount, months,
    the bank and account it went to) and what waits on a draft roll."""
    person = session.get(Recipient, recipient_id)
    if person is None:
        raise DataError("这条扶助对象记录已不存在。")
    actor.require_township(person.township_code)
    q = (select(PaymentRoll.program_code, PaymentRoll.period, PaymentRoll.status, PaymentRoll.paid_on,
                PaymentLine.months, PaymentLine.amount, PaymentLine.bank_name, PaymentLine.account_no)
         .join(PaymentRoll, PaymentRoll.id == PaymentLine.roll_id)
         .where(PaymentLine.recipient_id == recipient_id))
    names = {}
    lines = []
    for r in session.execute(q):
        if r.program_code not in names:
            names[r.program_code] = get_program(session, r.program_code).name
        period = parse_payment_period(r.period)
        lines.append(PersonPayment(r.program_code, names[r.program_code], period.code, period.label, r.status,
                                   r.paid_on, r.months, Decimal(r.amount).quantize(CENT), r.bank_name, r.account_no))
    lines.sort(key=lambda p: (parse_payment_period(p.period).start, p.program_code), reverse=True)
    return PersonPayments(lines)


def township_names(session: Session) -> dict[str, str]:
    return {u.code: u.name for u in orgunits.list_units(session) if u.level == 2}


def get_roll(session: Session, program: str, period: str) -> RollSummary | None:
    roll = _roll(session, get_program(session, program).code, parse_payment_period(period).code)
    return None if roll is None else _summary(session, roll)


def list_rolls(session: Session, program: str | None = None) -> list[RollSummary]:
    q = select(PaymentRoll).order_by(PaymentRoll.program_code, PaymentRoll.period)
    if program:
        q = q.where(PaymentRoll.program_code == program)
    return [_summary(session, r) for r in session.execute(q).scalars()]


# -- a paid roll stays as it was paid --------------------------------------------------------------

def _was_paid(roll: PaymentRoll) -> bool:
    hist = inspect(roll).attrs.status.history
    old = hist.deleted[0] if hist.deleted else (hist.unchanged[0] if hist.unchanged else roll.status)
    return old == "PAID"


def _guard_paid_rolls(session: Session, _ctx, _instances) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, PaymentRoll) and _was_paid(obj) and (obj in session.deleted or session.is_modified(obj)):
            raise DataError(f"{obj.audit_label()}已发放，不能修改或删除。")
        if isinstance(obj, PaymentLine):
            roll = session.get(PaymentRoll, obj.roll_id)
            if roll is not None and roll.status == "PAID":
                raise DataError(f"{roll.audit_label()}已发放，其中的发放记录不能修改或删除。")
    for obj in session.new:
        if isinstance(obj, PaymentLine):
            roll = session.get(PaymentRoll, obj.roll_id)
            if roll is not None and roll.status == "PAID":
                raise DataError(f"{roll.audit_label()}已发放，不能再增加发放记录。")


event.listen(Session, "before_flush", _guard_paid_rolls)
