"""FP-* returns (DOMAIN.md §7): 扶助对象花名册, 新增/退出对象花名册, 扶助金发放花名册, 扶助对象汇总表, 公示名单.

Every list comes from the one entitlement rule in ``core.subsidy.payroll`` so the numbers agree:

- 本年享受 (FP-ROSTER, FP-SUMMARY): entitled in the year — paid for at least one period of it;
- 本年新增 (FP-NEW): entitled in the year, and the year is the first one they may be paid for;
- 本年退出 (FP-EXIT): entitled last year and not this year — payment stops from this year on: those
  exited in this year's 资格确认 (exit date 31 December of last year) and those exited during last
  year (paid for last year, "an exit takes effect from the next payment period");
- 应发金额 (FP-SUMMARY): the payment rolls of the year's periods where they exist (what was or will
  be paid), otherwise computed exactly as ``build_roll`` would compute them.

The roster, FP-NEW and FP-EXIT are internal lists (full ID number, bank details). The public notice
FP-NOTICE shows only 姓名, 性别, 村, the programme's public name ("计划生育家庭特别扶助" — never whether a
child died or is disabled) and the masked ID number; never any bank detail.

Lists stream: rows are generated from keyset pages while the renderer writes them, so a roster of
100,000 people never sits in memory as ORM objects.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Iterator

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import orgunits, settings
from core.access import Actor
from core.errors import DataError, UsageError
from core.idnumbers import mask_citizen_id
from core.periods import Period
from core.returns.model import Column, ReturnTable
from core.subsidy import payroll
from core.subsidy.payroll import (CENT, PLACE_ORDER, PaymentPeriod, Scope, Standards, is_entitled, iter_entitled,
                                  iter_in_place_order, iter_keyset, start_year)
from core.subsidy.programmes import ProgramRow, get_program, list_programs
from core.subsidy.recipients import STATUS_LABELS
from db.models.subsidy import PaymentLine, PaymentRoll, Recipient, YearConfirmation, YearEntry

PERSON_HEAD = [
    Column("序号", "int", 6), Column("姓名", "text", 8), Column("性别", "text", 5),
    Column("公民身份号码", "text", 19), Column("出生日期", "date", 11),
    Column("乡镇（街道）", "text", 12), Column("村（居）", "text", 13), Column("户口性质", "text", 8),
    Column("首次确认年度", "int", 8),
]
ROSTER_COLUMNS = PERSON_HEAD + [Column("开户银行", "text", 12), Column("银行账号", "text", 21),
                                Column("备注", "text", 24)]
EXIT_COLUMNS = PERSON_HEAD + [Column("退出原因", "text", 13), Column("退出日期", "date", 11),
                              Column("备注", "text", 18)]
PAYROLL_COLUMNS = [
    Column("序号", "int", 6), Column("姓名", "text", 8), Column("公民身份号码", "text", 19),
    Column("乡镇（街道）", "text", 12), Column("村（居）", "text", 13), Column("开户银行", "text", 12),
    Column("银行账号", "text", 21), Column("月数", "int", 5), Column("金额（元）", "money", 11),
    Column("备注", "text", 14),
]
NOTICE_COLUMNS = [
    Column("序号", "int", 6), Column("姓名", "text", 10), Column("性别", "text", 5),
    Column("乡镇（街道）", "text", 14), Column("村（居）", "text", 16), Column("扶助项目", "text", 26),
    Column("公民身份号码", "text", 20), Column("类别", "text", 9),
]
SUMMARY_MEASURES = [("本年享受人数", "int", 11), ("本年新增", "int", 9), ("本年退出", "int", 9),
                    ("应发金额（元）", "money", 15)]
NOTICE_KINDS = {"NEW": "新增", "CONTINUE": "继续享受"}


# -- what every FP return needs --------------------------------------------------------------------

def _require_program(session: Session, program: str | None, return_id: str) -> ProgramRow:
    if not program:
        names = "；".join(f"{p.code}（{p.name}）" for p in list_programs(session))
        raise UsageError(f"报表 {return_id} 需要指定扶助项目（--program），可选：{names}。")
    return get_program(session, program.strip().upper())


def _require_year(period: Period | None, return_id: str) -> int:
    if period is None or period.kind != "year":
        given = f"“{period.code}”" if period is not None else "未指定"
        raise UsageError(f"报表 {return_id} 按年度编制，报告期应为年份，例如 2024（现为{given}）。")
    return period.months[0][0]


class _Places:
    """Org-unit names and the return's org label."""

    def __init__(self, session: Session):
        units = orgunits.list_units(session)
        self.names = {u.code: u.name for u in units}
        self.townships = [u for u in units if u.level == 2]
        county = orgunits.county(session)
        self.county_code = county.code if county else ""
        self.county_name = county.name if county else ""

    def name(self, code: str | None) -> str:
        return self.names.get(code or "", code or "")

    def org(self, org: str | None) -> tuple[str, str]:
        if org and org not in self.names:
            raise UsageError(f"没有代码为 {org} 的乡镇（街道）或村（居）。")
        code = org or self.county_code
        return code, self.names.get(code, "")


def _scope(actor: Actor | None, org: str | None, places: _Places) -> Scope:
    places.org(org)
    if org and len(org) == 6:
        org = None
    return Scope.of(actor, org)


def _table(session: Session, return_id: str, title: str, period: Period, org: str | None, places: _Places,
           columns: list[Column], rows: Any, notes: list[str], count: int | None, landscape: bool | None = None) -> ReturnTable:
    code, label = places.org(org)
    return ReturnTable(id=return_id, title=title, period=period.code, period_label=period.label, org=code,
                       org_label=label, columns=columns, rows=rows, header=settings.stat_header(session, return_id),
                       landscape=landscape, notes=notes, row_count_hint=count)


def _scope_note(scope: Scope, places: _Places) -> str:
    if scope.village:
        return f"范围：{places.name(scope.village[:9])}{places.name(scope.village)}。"
    if scope.townships is not None:
        return f"范围：{'、'.join(places.name(t) for t in scope.townships)}。"
    return ""


# -- the year's figures ----------------------------------------------------------------------------

@dataclass
class Tally:
    people: int = 0
    new: int = 0
    exits: int = 0
    amount: Decimal = field(default_factory=lambda: Decimal("0.00"))

    def add(self, other: Tally) -> None:
        self.people += other.people
        self.new += other.new
        self.exits += other.exits
        self.amount += other.amount


TALLY_COLUMNS = (Recipient.id, Recipient.status, Recipient.exit_date, Recipient.first_year, Recipient.birth_date,
                 Recipient.sex, Recipient.marital, Recipient.spouse_id_number, Recipient.township_code,
                 Recipient.hukou)


def _year_periods(session: Session, program: ProgramRow, year: int) -> list[tuple[PaymentPeriod, PaymentRoll | None]]:
    """The year's payment periods: as the existing rolls have them, else as the setting says."""
    rolls = {r.period: r for r in session.execute(select(PaymentRoll).where(
        PaymentRoll.program_code == program.code,
        PaymentRoll.period.in_((str(year), f"{year}H1", f"{year}H2")))).scalars()}
    if str(year) in rolls:
        codes = [str(year)]
    elif rolls:
        codes = [f"{year}H1", f"{year}H2"]
    else:
        codes = [p.code for p in payroll.periods_of_year(payroll.payment_mode(session), year)]
    return [(payroll.parse_payment_period(c), rolls.get(c)) for c in codes]


def _roll_amounts(session: Session, roll: PaymentRoll, scope: Scope) -> dict[str, Decimal]:
    q = (select(PaymentLine.township_code, func.sum(PaymentLine.amount))
         .where(PaymentLine.roll_id == roll.id, *scope.clauses(PaymentLine.township_code, PaymentLine.village_code))
         .group_by(PaymentLine.township_code))
    return {code: Decimal(total or 0).quantize(CENT) for code, total in session.execute(q)}


def tally_year(session: Session, program: ProgramRow, year: int, scope: Scope = Scope(), *,
               amounts: bool = True) -> tuple[dict[str, Tally], list[str]]:
    """Per township: 本年享受, 本年新增, 本年退出 and (``amounts``) 应发金额, with notes saying where the
    amounts come from. Without amounts (rosters) no standard is needed."""
    periods = _year_periods(session, program, year) if amounts else []
    to_compute = [p for p, roll in periods if roll is None]
    standards = Standards(session, program) if to_compute else None
    tallies: dict[str, Tally] = {}
    this_start, last_start = date(year, 1, 1), date(year - 1, 1, 1)
    where = [Recipient.program_code == program.code, Recipient.status.in_(("ACTIVE", "EXITED")),
             (Recipient.exit_date.is_(None)) | (Recipient.exit_date >= last_start),
             (Recipient.first_year.is_(None)) | (Recipient.first_year <= year),
             *scope.clauses(Recipient.township_code, Recipient.village_code)]
    for row in iter_keyset(session, TALLY_COLUMNS, (Recipient.id,), where):
        start = start_year(row, program)
        now = is_entitled(row, program, this_start, year, start=start)
        before = is_entitled(row, program, last_start, year - 1, start=start)
        if not (now or before):
            continue
        t = tallies.setdefault(row.township_code, Tally())
        if now:
            t.people += 1
            t.new += start == year
        else:
            t.exits += 1
        for p in to_compute:
            if is_entitled(row, program, p.start, year, start=start):
                t.amount += standards.for_period(p, row.hukou)
    return tallies, _add_roll_amounts(session, periods, tallies, scope)


def _add_roll_amounts(session: Session, periods: list[tuple[PaymentPeriod, PaymentRoll | None]],
                      tallies: dict[str, Tally], scope: Scope) -> list[str]:
    notes = []
    for p, roll in periods:
        if roll is None:
            notes.append(f"{p.label}尚未生成发放花名册，应发金额按现行标准测算。")
            continue
        for code, amount in _roll_amounts(session, roll, scope).items():
            tallies.setdefault(code, Tally()).amount += amount
        state = f"已于 {roll.paid_on:%Y-%m-%d} 发放" if roll.status == "PAID" else "草稿，尚未发放"
        notes.append(f"{p.label}应发金额取自发放花名册（{state}）。")
    return notes


# -- FP-ROSTER, FP-NEW, FP-EXIT -------------------------------------------------------------------

def _remark(row: Any) -> str:
    parts = []
    if row.status == "EXITED":
        parts.append(f"{row.exit_date:%Y-%m-%d} 退出（{row.exit_reason}）" if row.exit_date else STATUS_LABELS["EXITED"])
    if row.incomplete:
        parts.append(f"待补充：{row.incomplete}")
    return "；".join(parts)


def _person_cells(seq: int, row: Any, places: _Places) -> list[Any]:
    return [seq, row.name, row.sex, row.id_number, row.birth_date, places.name(row.township_code),
            places.name(row.village_code) if row.village_code else "", row.hukou, row.first_year]


def _roster_rows(session: Session, program: ProgramRow, year: int, scope: Scope, places: _Places,
                 only_new: bool) -> Iterator[list[Any]]:
    seq = 0
    for row in iter_entitled(session, program, date(year, 1, 1), year, scope):
        if only_new and start_year(row, program) != year:
            continue
        seq += 1
        yield _person_cells(seq, row, places) + [row.bank_name, row.account_no, _remark(row)]


def _totals(tallies: dict[str, Tally]) -> Tally:
    total = Tally()
    for t in tallies.values():
        total.add(t)
    return total


def build_roster(session: Session, period: Period | None, org: str | None, program: str | None,
                 actor: Actor | None = None) -> ReturnTable:
    """FP-ROSTER 扶助对象花名册: everyone entitled in the year (internal: full ID and bank details)."""
    return _build_person_list(session, "FP-ROSTER", period, org, program, actor, only_new=False)


def build_new(session: Session, period: Period | None, org: str | None, program: str | None,
              actor: Actor | None = None) -> ReturnTable:
    """FP-NEW 新增对象花名册: entitled in the year for the first time."""
    return _build_person_list(session, "FP-NEW", period, org, program, actor, only_new=True)


def _build_person_list(session: Session, return_id: str, period: Period | None, org: str | None,
                       program: str | None, actor: Actor | None, *, only_new: bool) -> ReturnTable:
    prog = _require_program(session, program, return_id)
    year = _require_year(period, return_id)
    places = _Places(session)
    scope = _scope(actor, org, places)
    tallies, _ = tally_year(session, prog, year, scope, amounts=False)
    total = _totals(tallies)
    count = total.new if only_new else total.people
    what = "本年新增对象" if only_new else "本年享受对象"
    notes = [f"共 {count} 人。{what}：{_definition(only_new, year)}", _scope_note(scope, places)]
    title = f"{prog.name}{'新增对象' if only_new else '对象'}花名册"
    rows = _roster_rows(session, prog, year, scope, places, only_new)
    return _table(session, return_id, title, period, org, places, ROSTER_COLUMNS, rows,
                  [n for n in notes if n], count, landscape=True)


def _definition(only_new: bool, year: int) -> str:
    if only_new:
        return f"{year} 年起首次享受的对象（含本年度资格确认新增的）。"
    return f"{year} 年度应享受扶助的对象（含年内退出、按规定发放至退出当期的）。"


def _exit_rows(session: Session, program: ProgramRow, year: int, scope: Scope, places: _Places) -> Iterator[list[Any]]:
    last_start = date(year - 1, 1, 1)
    where = [Recipient.program_code == program.code, Recipient.status == "EXITED",
             Recipient.exit_date >= last_start, Recipient.exit_date < date(year, 1, 1),
             *scope.clauses(Recipient.township_code, Recipient.village_code)]
    seq = 0
    for row in iter_in_place_order(session, payroll.PERSON_COLUMNS, PLACE_ORDER, where):
        if not is_entitled(row, program, last_start, year - 1):
            continue
        seq += 1
        note = "本年度资格确认退出" if row.exit_date == date(year - 1, 12, 31) else f"{year - 1} 年内退出，本年起停发"
        yield _person_cells(seq, row, places) + [row.exit_reason, row.exit_date, note]


def build_exit(session: Session, period: Period | None, org: str | None, program: str | None,
               actor: Actor | None = None) -> ReturnTable:
    """FP-EXIT 退出对象花名册: those whose payment stops from this year on, with reason and date."""
    prog = _require_program(session, program, "FP-EXIT")
    year = _require_year(period, "FP-EXIT")
    places = _Places(session)
    scope = _scope(actor, org, places)
    tallies, _ = tally_year(session, prog, year, scope, amounts=False)
    count = _totals(tallies).exits
    notes = [f"共 {count} 人。本年退出对象：自 {year} 年起停止发放的对象，包括本年度资格确认中退出的，"
             f"以及 {year - 1} 年内办理退出、按规定从下一发放期起停发的。", _scope_note(scope, places)]
    return _table(session, "FP-EXIT", f"{prog.name}退出对象花名册", period, org, places, EXIT_COLUMNS,
                  _exit_rows(session, prog, year, scope, places), [n for n in notes if n], count, landscape=True)


# -- FP-PAYROLL ------------------------------------------------------------------------------------

def _payroll_rows(session: Session, roll: PaymentRoll, scope: Scope, places: _Places) -> Iterator[list[Any]]:
    seq, total = 0, Decimal("0.00")
    for line in payroll.roll_lines(session, roll.id, scope):
        seq += 1
        total += line.amount
        yield [seq, line.name, line.id_number, places.name(line.township_code),
               places.name(line.village_code) if line.village_code else "", line.bank_name, line.account_no,
               line.months, line.amount, line.problem]
    yield [None, "合计", f"共 {seq} 人", "", "", "", "", None, total, ""]


def build_payroll(session: Session, period: Period | None, org: str | None, program: str | None,
                  actor: Actor | None = None) -> ReturnTable:
    """FP-PAYROLL 扶助金发放花名册: the payment roll of a period (2024, 2024H1, 2024H2) with bank details."""
    prog = _require_program(session, program, "FP-PAYROLL")
    if period is None:
        raise UsageError("报表 FP-PAYROLL 需要发放期（--period），例如 2024、2024H1 或 2024H2。")
    p = period if isinstance(period, PaymentPeriod) else payroll.parse_payment_period(period.code)
    roll = session.execute(select(PaymentRoll).where(PaymentRoll.program_code == prog.code,
                                                     PaymentRoll.period == p.code)).scalar_one_or_none()
    if roll is None:
        raise DataError(f"“{prog.name}”还没有{p.label}的发放花名册，请先在“资金发放”中生成。")
    places = _Places(session)
    scope = _scope(actor, org, places)
    totals = payroll.roll_totals(session, roll.id, scope=scope)
    state = f"已于 {roll.paid_on:%Y-%m-%d} 发放" if roll.status == "PAID" else "草稿，尚未发放"
    notes = [f"状态：{state}。共 {totals.people} 人，合计 {totals.amount:,.2f} 元。",
             f"其中 {totals.without_account} 人无银行账号，须补齐后才能经银行代发。" if totals.without_account else "",
             _scope_note(scope, places)]
    return _table(session, "FP-PAYROLL", f"{prog.name}资金发放花名册", p, org, places, PAYROLL_COLUMNS,
                  _payroll_rows(session, roll, scope, places), [n for n in notes if n], totals.people + 1,
                  landscape=True)


# -- FP-SUMMARY ------------------------------------------------------------------------------------

def _summary_township_codes(places: _Places, scope: Scope, tallies: list[dict[str, Tally]]) -> list[str]:
    with_data = set().union(*(t.keys() for t in tallies)) if tallies else set()
    codes = [u.code for u in places.townships if u.closed_on is None or u.code in with_data]
    codes += sorted(with_data - set(codes))
    if scope.townships is not None:
        codes = [c for c in codes if c in scope.townships]
    return codes


def _summary_columns(programs: list[ProgramRow]) -> list[Column]:
    columns = [Column("乡镇（街道）", "text", 16)]
    if len(programs) == 1:
        return columns + [Column(h, kind, w) for h, kind, w in SUMMARY_MEASURES]
    for group in [p.name for p in programs] + ["合计"]:
        people = "享受人次" if group == "合计" else "享受人数"
        columns += [Column(people, "int", 9, group=group), Column("新增", "int", 6, group=group),
                    Column("退出", "int", 6, group=group), Column("应发金额（元）", "money", 14, group=group)]
    return columns


def _summary_cells(t: Tally | None) -> list[Any]:
    t = t or Tally()
    return [t.people, t.new, t.exits, t.amount.quantize(CENT)]


def build_summary(session: Session, period: Period | None, org: str | None, program: str | None,
                  actor: Actor | None = None) -> ReturnTable:
    """FP-SUMMARY 扶助对象汇总表 by township (+ 全县合计); every programme when none is given."""
    year = _require_year(period, "FP-SUMMARY")
    programs = [_require_program(session, program, "FP-SUMMARY")] if program else list_programs(session)
    places = _Places(session)
    scope = _scope(actor, org, places)
    per_program, notes = [], []
    for p in programs:
        tallies, amount_notes = tally_year(session, p, year, scope)
        per_program.append(tallies)
        notes += [(f"{p.name}：" if len(programs) > 1 else "") + n for n in amount_notes]
    codes = _summary_township_codes(places, scope, per_program)
    rows = []
    for code in codes:
        cells = [places.name(code)]
        overall = Tally()
        for tallies in per_program:
            t = tallies.get(code, Tally())
            overall.add(t)
            cells += _summary_cells(t)
        rows.append(cells + (_summary_cells(overall) if len(programs) > 1 else []))
    rows.append(_summary_total_row(per_program, codes, scope, len(programs) > 1))
    notes.insert(0, "本年享受人数：本年度应享受扶助的人数（与花名册一致）；本年新增：本年起首次享受；"
                    "本年退出：自本年起停止发放。" + ("合计栏为各项目之和（人次）。" if len(programs) > 1 else ""))
    title = f"{programs[0].name}对象汇总表" if len(programs) == 1 else "计划生育家庭扶助对象汇总表"
    note_scope = _scope_note(scope, places)
    return _table(session, "FP-SUMMARY", title, period, org, places, _summary_columns(programs), rows,
                  notes + ([note_scope] if note_scope else []), len(rows))


def _summary_total_row(per_program: list[dict[str, Tally]], codes: list[str], scope: Scope, overall: bool) -> list[Any]:
    label = "全县合计" if scope == Scope() else "合计"
    cells, grand = [label], Tally()
    for tallies in per_program:
        total = Tally()
        for code in codes:
            total.add(tallies.get(code, Tally()))
        grand.add(total)
        cells += _summary_cells(total)
    return cells + (_summary_cells(grand) if overall else [])


# -- FP-NOTICE -------------------------------------------------------------------------------------

def _notice_rows(session: Session, program: ProgramRow, conf: YearConfirmation, scope: Scope,
                 places: _Places) -> Iterator[list[Any]]:
    columns = (YearEntry.kind, Recipient.name, Recipient.sex, Recipient.id_number, Recipient.township_code,
               Recipient.village_code)
    where = [YearEntry.confirmation_id == conf.id, YearEntry.kind.in_(tuple(NOTICE_KINDS)),
             *scope.clauses(Recipient.township_code, Recipient.village_code)]
    from_ = YearEntry.__table__.join(Recipient.__table__, Recipient.id == YearEntry.recipient_id)
    for seq, row in enumerate(iter_in_place_order(session, columns, PLACE_ORDER, where, from_=from_), start=1):
        yield [seq, row.name, row.sex, places.name(row.township_code),
               places.name(row.village_code) if row.village_code else "", program.public_name,
               mask_citizen_id(row.id_number), NOTICE_KINDS[row.kind]]


def _chinese_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def build_notice(session: Session, period: Period | None, org: str | None, program: str | None,
                 actor: Actor | None = None) -> ReturnTable:
    """FP-NOTICE 公示名单 of the year's confirmation: 新增 and 继续享受, masked IDs, no bank details."""
    prog = _require_program(session, program, "FP-NOTICE")
    year = _require_year(period, "FP-NOTICE")
    conf = session.execute(select(YearConfirmation).where(YearConfirmation.program_code == prog.code,
                                                          YearConfirmation.year == year)).scalar_one_or_none()
    if conf is None or conf.status not in ("CONFIRMED", "APPROVED"):
        raise DataError(f"“{prog.public_name}”{year} 年度尚未进行资格确认，没有公示名单。请先完成资格确认。")
    places = _Places(session)
    scope = _scope(actor, org, places)
    count_q = (select(YearEntry.kind, func.count()).join(Recipient, Recipient.id == YearEntry.recipient_id)
               .where(YearEntry.confirmation_id == conf.id, YearEntry.kind.in_(tuple(NOTICE_KINDS)),
                      *scope.clauses(Recipient.township_code, Recipient.village_code)).group_by(YearEntry.kind))
    counts = dict(session.execute(count_q).all())
    people = sum(counts.values())
    notes = [f"共 {people} 人，其中新增 {counts.get('NEW', 0)} 人、继续享受 {counts.get('CONTINUE', 0)} 人。",
             f"公示期：{_chinese_date(conf.notice_start)}至{_chinese_date(conf.notice_end)}。"
             "如有异议，请在公示期内向所在乡镇（街道）或县卫生健康局反映。" if conf.notice_start else "",
             _scope_note(scope, places)]
    return _table(session, "FP-NOTICE", f"{year}年度{prog.public_name}对象公示名单", period, org, places,
                  NOTICE_COLUMNS, _notice_rows(session, prog, conf, scope, places), [n for n in notes if n], people)
