"""SUP-* returns (DOMAIN.md §7): 卫生行政处罚案件登记台账, 卫生监督案件查处情况统计表, 双随机抽查任务完成情况,
投诉举报办理情况.

The register and the statistics cover the same cases — those whose 立案日期 falls in the period — and
read them through the same helpers (``core.supervision.case_list``), so the statistics' totals are the
register's: 立案 = its rows, 结案 = its rows with a 结案日期, each penalty kind's 件数 and 金额 = its rows
with that penalty and their amounts. Penalties count once the case is decided with a penalty.
Deadlines and status are as of the day the return is produced.

A builder is ``build_x(session, period, org, program, actor=None)``: ``actor`` narrows a township-limited
user (or a township installation) to its townships; ``org`` may name one township.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from core import orgunits, settings
from core.access import Actor
from core.errors import UsageError
from core.periods import Period
from core.returns.model import Column, ReturnTable
from core.supervision import case_deadlines as cd
from core.supervision import complaints, random_tasks
from core.supervision.case_list import case_row, decided_penalties, iter_filed
from core.supervision.codes import CATEGORIES, MONEY_KINDS, PENALTY_KINDS, SOURCES

ZERO = Decimal("0.00")

REGISTER_COLUMNS = [
    Column("序号", "int", 5), Column("文号", "text", 20), Column("案由", "text", 22), Column("专业类别", "text", 11),
    Column("案件来源", "text", 10), Column("当事人", "text", 18), Column("立案日期", "date", 11),
    Column("决定日期", "date", 11), Column("处罚种类", "text", 16), Column("罚款金额（元）", "money", 12),
    Column("没收金额（元）", "money", 12), Column("结案日期", "date", 11), Column("状态", "text", 12),
    Column("下一期限 / 逾期", "text", 28),
]


def stats_columns() -> list[Column]:
    """项目, 立案, 结案, then per penalty kind 件数 (and 金额 for kinds with an amount) under its name."""
    columns = [Column("项目", "text", 16), Column("立案（件）", "int", 8), Column("结案（件）", "int", 8)]
    for kind, name in PENALTY_KINDS.items():
        columns.append(Column("件数", "int", 6, group=name))
        if kind in MONEY_KINDS:
            columns.append(Column("金额（元）", "money", 12, group=name))
    return columns


RANDOM_COLUMNS = [
    Column("抽查层级", "text", 12), Column("任务数", "int", 9), Column("已完成", "int", 9),
    Column("其中按期完成", "int", 11), Column("未完成", "int", 9), Column("完成率（%）", "percent", 11),
    Column("发现问题立案（件）", "int", 13),
]
COMPLAINT_COLUMNS = [
    Column("来源渠道", "text", 12), Column("受理（件）", "int", 9), Column("已办结（件）", "int", 10),
    Column("办结率（%）", "percent", 10), Column("属实（含部分属实）", "int", 12), Column("立案查处（件）", "int", 11),
    Column("已评价（件）", "int", 10), Column("满意（含基本满意）", "int", 12), Column("满意率（%）", "percent", 10),
]


# -- what every SUP return needs ---------------------------------------------------------------------

def _range(period: Period | None, return_id: str) -> tuple[date, date]:
    if period is None:
        raise UsageError(f"报表 {return_id} 需要报告期（--period），例如 2025、2025Q3、202501..202509。")
    return period.start, period.end


def _scope(session: Session, actor: Actor | None, org: str | None) -> tuple[frozenset[str] | None, str, str]:
    """(township codes the return is limited to or None, org code, org label)."""
    county = orgunits.county(session)
    code, label = (county.code, county.name) if county else ("", "")
    towns: frozenset[str] | None = None
    if org and len(org) >= 9:
        unit = orgunits.get_unit(session, org[:9])
        if unit is None:
            raise UsageError(f"没有代码为 {org} 的乡镇（街道）。")
        towns, code, label = frozenset({unit.code}), unit.code, unit.name
    elif org and county and org != county.code:
        raise UsageError(f"{org} 不是本县（区）的代码。")
    if actor is not None and actor.townships is not None:
        towns = actor.townships if towns is None else (towns & actor.townships)
    return towns, code, label


def _table(session: Session, return_id: str, title: str, period: Period, code: str, label: str,
           columns: list[Column], rows: list[list[Any]], notes: list[str], towns: frozenset[str] | None) -> ReturnTable:
    if towns is not None and len(towns) > 1:
        notes = notes + [f"范围：{len(towns)} 个乡镇（街道）。"]
    return ReturnTable(id=return_id, title=title, period=period.code, period_label=period.label, org=code,
                       org_label=label, columns=columns, rows=rows, header=settings.stat_header(session, return_id),
                       notes=notes, row_count_hint=len(rows))


# -- SUP-REGISTER ------------------------------------------------------------------------------------

def build_register(session: Session, period: Period | None, org: str | None, program: str | None = None,
                   actor: Actor | None = None) -> ReturnTable:
    """卫生行政处罚案件登记台账: one row per case filed in the period, in 立案 order, then 合计."""
    start, end = _range(period, "SUP-REGISTER")
    towns, code, label = _scope(session, actor, org)
    as_of = date.today()
    ctx = cd.DeadlineContext.for_session(session)
    rows: list[list[Any]] = []
    fine_sum = conf_sum = ZERO
    closed = late = 0
    for seq, case in enumerate(iter_filed(session, start, end, towns), start=1):
        r = case_row(case, as_of, ctx)
        fine_sum += r.fine
        conf_sum += r.confiscated
        closed += r.closed_on is not None
        late += r.overdue
        rows.append([seq, r.number, r.cause, r.category_name, r.source_name, r.party, r.filed_on, r.decided_on,
                     r.penalties_text, r.fine if r.penalty_kinds else None, r.confiscated if r.penalty_kinds else None,
                     r.closed_on, r.status, r.overdue_text or r.next_deadline])
    n = len(rows)
    rows.append([None, "合计", "", "", "", f"共 {n} 件", None, None, "", fine_sum, conf_sum, None,
                 f"结案 {closed} 件", f"逾期 {late} 件" if late else ""])
    notes = [f"收录立案日期在{period.label}内的案件；处罚种类和金额以作出的处罚决定为准。"
             f"期限和逾期按 {as_of:%Y-%m-%d} 计算（法定期限：行政处罚法及《卫生健康行政处罚程序规定》，工作日不含法定节假日）。"]
    return _table(session, "SUP-REGISTER", "卫生行政处罚案件登记台账", period, code, label, REGISTER_COLUMNS, rows,
                  notes, towns)


# -- SUP-STATS ---------------------------------------------------------------------------------------

class _Tally:
    def __init__(self) -> None:
        self.filed = 0
        self.closed = 0
        self.count = {k: 0 for k in PENALTY_KINDS}
        self.amount = {k: ZERO for k in MONEY_KINDS}

    def add(self, case) -> None:
        self.filed += 1
        self.closed += case.closed_on is not None
        for p in decided_penalties(case):
            self.count[p.kind] += 1
            if p.kind in MONEY_KINDS:
                self.amount[p.kind] += p.amount or ZERO

    def cells(self, label: str) -> list[Any]:
        out: list[Any] = [label, self.filed, self.closed]
        for kind in PENALTY_KINDS:
            out.append(self.count[kind])
            if kind in MONEY_KINDS:
                out.append(self.amount[kind])
        return out


def build_stats(session: Session, period: Period | None, org: str | None, program: str | None = None,
                actor: Actor | None = None) -> ReturnTable:
    """卫生监督案件查处情况统计表: 总计, then by 专业类别, then by 案件来源 (each block adds up to 总计)."""
    start, end = _range(period, "SUP-STATS")
    towns, code, label = _scope(session, actor, org)
    total = _Tally()
    by_category = {c: _Tally() for c in CATEGORIES}
    by_source = {s: _Tally() for s in SOURCES}
    for case in iter_filed(session, start, end, towns):
        total.add(case)
        by_category.setdefault(case.category, _Tally()).add(case)
        by_source.setdefault(case.source, _Tally()).add(case)
    width = len(stats_columns()) - 1
    rows = [total.cells("总计"), ["一、按专业类别分"] + [None] * width]
    rows += [t.cells(CATEGORIES.get(c, c)) for c, t in by_category.items()]
    rows.append(["二、按案件来源分"] + [None] * width)
    rows += [t.cells(SOURCES.get(s, s)) for s, t in by_source.items()]
    notes = [f"立案：立案日期在{period.label}内的案件；结案：其中已结案的；各处罚种类的件数为作出该种处罚的案件数，"
             "一案给予多种处罚的分别计数。与同期“卫生行政处罚案件登记台账”一致。"]
    return _table(session, "SUP-STATS", "卫生监督案件查处情况统计表", period, code, label, stats_columns(), rows,
                  notes, towns)


# -- SUP-RANDOM --------------------------------------------------------------------------------------

def build_random(session: Session, period: Period | None, org: str | None, program: str | None = None,
                 actor: Actor | None = None) -> ReturnTable:
    """双随机抽查任务完成情况 by level (国抽/省抽/市抽/县抽) and 合计, for tasks due in the period."""
    start, end = _range(period, "SUP-RANDOM")
    towns, code, label = _scope(session, actor, org)
    rows = [[c.name, c.total, c.done, c.on_time, c.not_done, c.rate, c.cases]
            for c in random_tasks.completion(session, start, end, towns)]
    notes = [f"收录完成时限在{period.label}内的抽查任务。完成率 = 已完成 ÷ 任务数 × 100%，保留两位小数（四舍五入）。"]
    return _table(session, "SUP-RANDOM", "双随机抽查任务完成情况", period, code, label, RANDOM_COLUMNS, rows, notes, towns)


# -- SUP-COMPLAINTS ----------------------------------------------------------------------------------

def build_complaints(session: Session, period: Period | None, org: str | None, program: str | None = None,
                     actor: Actor | None = None) -> ReturnTable:
    """投诉举报办理情况 by channel and 合计, for complaints received in the period."""
    start, end = _range(period, "SUP-COMPLAINTS")
    towns, code, label = _scope(session, actor, org)
    rows = [[t.channel, t.received, t.handled, t.rate, t.substantiated, t.cases, t.rated, t.satisfied,
             t.satisfaction_rate] for t in complaints.summary(session, start, end, towns)]
    notes = [f"收录受理日期在{period.label}内的投诉举报。办结率 = 已办结 ÷ 受理；满意率 = 满意（含基本满意）÷ 已评价；"
             "保留两位小数（四舍五入）。"]
    return _table(session, "SUP-COMPLAINTS", "投诉举报办理情况", period, code, label, COMPLAINT_COLUMNS, rows, notes, towns)
