"""MCH-* returns (DOMAIN.md §7):

- MCH-MONTHLY 妇幼健康月报表: a row per township (open in the period, in code order) and the county
  total; columns are the counts (活产数 as 男/女/合计 under one heading) and the indicators. The
  total row is summed from the townships' counts and its rates computed from those sums — never an
  average of rates. Any period: a month, quarter, year, the October statistical year, 1–N 月累计.
- MCH-COMPLETENESS 报表完整性与及时性: per township, months expected, submitted, on time, late,
  missing, with the two rates (rules in ``core.mch.completeness``).
- MCH-FORM 妇幼健康月报（乡镇）: one township-month as entered — every value, "未开展" for -2, the
  comments — with its approval state (状态, 上报人/时间, 审核人/时间) and the check result.

Builders are ``builder(session, period, org, program, actor=None)``; with an actor limited to some
townships the returns cover only those (the total row is then "合计", not "全县合计").
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import orgunits, settings
from core.access import Actor
from core.errors import UsageError
from core.mch import completeness as mch_completeness
from core.mch.aggregation import aggregate, county_total
from core.mch.elements import SEX_OPTIONS, ElementRow, list_elements
from core.mch.indicators import INDICATORS, compute
from core.periods import Period
from core.returns.model import Column, ReturnTable
from db.models.users import User

NOT_CARRIED_OUT = "未开展"
NAME_COLUMN = Column("乡镇（街道）", "text", 9)
CODE_COLUMN = Column("代码", "text", 10)
# Column widths. MCH-MONTHLY has 40-odd columns, more than an A4 landscape page holds at fixed widths,
# so each column is sized to what it holds: one-digit death counts need far less room than
# 7岁以下儿童数 or a rate such as 103.31. A renderer width unit is a digit's advance / 0.9 at the
# type size the PDF picks (DIGIT_EM in core.returns.pdf); a cell also needs its 2 × 2.5 pt padding,
# about 1.45 units at the smallest type (6 pt), where A4 landscape holds 211 units. A wider table
# is shrunk by the renderer and its longest numbers wrap.
EM = {".": 0.268, "-": 0.34, "/": 0.373, "%": 0.825}   # advance in em of WenQuanYi Micro Hei; digits 0.5508,
DIGIT_EM, CJK_EM = 0.5508, 1.0                       # anything else is taken as a full-width character
UNITS_PER_EM, CELL_PADDING = 0.9 / 0.55, 1.45
A4_LANDSCAPE_UNITS = 211.0
NAME_CHARS = (2, 5)                            # a township name column shows 2 to 5 characters a line


# -- what every MCH return needs -------------------------------------------------------------

class _Area:
    """The county, its townships and what part of them a return covers."""

    def __init__(self, session: Session, period: Period | None, org: str | None, actor: Actor | None,
                 return_id: str):
        county = orgunits.county(session)
        self.county_code = county.code if county else ""
        self.county_name = county.name if county else ""
        every = orgunits.townships(session, include_closed=True)
        self.narrowed = (actor is not None and actor.townships is not None) or \
            orgunits.installation_townships(session) is not None
        self.org, self.org_label = self.county_code, self.county_name
        if org and org != self.county_code:
            units = [u for u in every if u.code == org]
            if len(org) != 9:
                raise UsageError(f"报表 {return_id} 的 --org 应为本县代码 {self.county_code} "
                                 f"或 9 位乡镇（街道）代码，“{org}”不是。")
            if not units:
                raise UsageError(f"本县没有代码为 {org} 的乡镇（街道）。")
            if actor is not None:
                actor.require_township(org)
            self.org, self.org_label, self.narrowed = org, units[0].name, True
        else:
            units = [u for u in every if actor is None or actor.may_edit_township(u.code)]
            if period is not None:   # townships that existed in the period
                units = [u for u in units if u.closed_on is None or u.closed_on > period.start]
        self.townships = units

    @property
    def total_label(self) -> str:
        return "合计" if self.narrowed else "全县合计"


def _table(session: Session, return_id: str, title: str, period: Period, area: _Area, columns: list[Column],
           rows: list[list[Any]], notes: list[str], landscape: bool | None = None) -> ReturnTable:
    return ReturnTable(id=return_id, title=title, period=period.code, period_label=period.label, org=area.org,
                       org_label=area.org_label, columns=columns, rows=rows,
                       header=settings.stat_header(session, return_id), landscape=landscape, notes=notes,
                       row_count_hint=len(rows))


def _require_period(period: Period | None, return_id: str) -> Period:
    if period is None:
        raise UsageError(f"报表 {return_id} 需要报告期（--period），例如 202109、2021Q3、2021、2020Oct、202101..202109。")
    return period


# -- MCH-MONTHLY -----------------------------------------------------------------------------

def monthly_columns(elements: list[ElementRow]) -> list[Column]:
    """乡镇, each count (an element split by sex as 男/女/合计 under its name), each indicator."""
    columns = [NAME_COLUMN]
    for e in elements:
        if e.category == "SEX":
            columns += [Column(label, "int", 5, group=e.name) for _, label in SEX_OPTIONS]
            columns.append(Column("合计", "int", 5, group=e.name))
        else:
            columns.append(Column(e.short_name or e.name, "int", 5))
    columns += [Column(ind.heading, "rate", 6.5, decimals=2) for ind in INDICATORS]
    return columns


def _text_em(text: str) -> float:
    return sum(DIGIT_EM if c.isdigit() else EM.get(c, CJK_EM) for c in text)


def _cell_em(value: Any, column: Column) -> float:
    from core.returns.model import cell_text
    if value is None:
        return 0.0
    if isinstance(value, int) and not isinstance(value, bool):
        return len(str(value)) * DIGIT_EM
    return _text_em(cell_text(value, column))


def _units_for(em: float) -> float:
    return round(UNITS_PER_EM * em + CELL_PADDING, 2)


def fitted_columns(columns: list[Column], rows: list[list[Any]]) -> list[Column]:
    """The columns with widths for what their cells hold, filling an A4 landscape line at the PDF's
    smallest type so that a county's townships fit one page: every column first gets its longest
    cell (at least one heading character), then the room left widens the names to up to 5 characters
    (one line a row), then narrow columns to two heading characters a line (shorter headings), and
    the rest is spread over all columns. A table that needs more than the line keeps its names at
    2 characters a line (the PDF renderer then shrinks every column alike)."""
    from dataclasses import replace
    needs = [max([_cell_em(r[i], c) for r in rows] or [0.0]) for i, c in enumerate(columns)]
    widths = [_units_for(max(n, CJK_EM)) for n in needs]
    names = [i for i, c in enumerate(columns) if c.kind == "text"]
    others = [i for i in range(len(columns)) if i not in names]
    low, high = (_units_for(n * CJK_EM) for n in NAME_CHARS)
    for i in names:
        widths[i] = min(widths[i], low)
    room = A4_LANDSCAPE_UNITS - sum(widths)
    if room < 0:       # the renderer will shrink every column: keep the names at 2 characters a line
        for i in names:
            widths[i] = low * sum(widths) / A4_LANDSCAPE_UNITS * 1.02
        return [replace(c, width=round(w, 2)) for c, w in zip(columns, widths)]
    for i in names:    # a name on one line keeps every row one line high
        room = _widen(widths, [i], min(high, _units_for(needs[i])), room)
    _widen(widths, others, _units_for(2 * CJK_EM), room)
    scale = A4_LANDSCAPE_UNITS / sum(widths)
    return [replace(c, width=round(w * scale, 2)) for c, w in zip(columns, widths)]


def _widen(widths: list[float], which: list[int], target: float, room: float) -> float:
    """Widen the columns ``which`` towards ``target`` with at most ``room``; returns what is left."""
    gaps = {i: max(0.0, target - widths[i]) for i in which}
    wanted = sum(gaps.values())
    if not wanted:
        return room
    share = min(1.0, room / wanted)
    for i, gap in gaps.items():
        widths[i] += gap * share
    return room - wanted * share


def _count_cells(agg, elements: list[ElementRow]) -> list[Any]:
    cells: list[Any] = []
    for e in elements:
        if e.category == "SEX":
            cells += [agg.get(e.code, option) for option, _ in SEX_OPTIONS]
        cells.append(agg.get(e.code))
    return cells


def _monthly_row(name: str, agg, elements: list[ElementRow]) -> list[Any]:
    return [name, *_count_cells(agg, elements), *(compute(ind, agg) for ind in INDICATORS)]


def build_monthly(session: Session, period: Period | None, org: str | None, program: str | None = None,
                  actor: Actor | None = None) -> ReturnTable:
    period = _require_period(period, "MCH-MONTHLY")
    area = _Area(session, period, org, actor, "MCH-MONTHLY")
    elements = list_elements(session)
    codes = [u.code for u in area.townships]
    per_town = aggregate(session, period, codes, list_elements(session, include_inactive=True)) if codes else {}
    rows = [_monthly_row(u.name, per_town[u.code], elements) for u in area.townships]
    if len(area.townships) > 1:
        rows.append(_monthly_row(area.total_label, county_total(per_town), elements))
    columns = fitted_columns(monthly_columns(elements), rows)
    return _table(session, "MCH-MONTHLY", "妇幼健康月报表", period, area, columns, rows,
                  _monthly_notes(session, period, area), landscape=True)


def _monthly_notes(session: Session, period: Period, area: _Area) -> list[str]:
    notes = ["说明：1. 各率按汇总后的人数计算（合计行不是各乡镇率的平均）；分母为 0 或未填报时显示“—”。",
             "2. 3岁、7岁以下儿童数及其管理人数为时点数，取报告期内各乡镇最后一次填报月份的数；其余为期内各月之和。",
             "3. 空白表示未填报（不是 0）；“未开展”（-2）不计入合计。"]
    if area.townships:
        rows = mch_completeness.completeness_of(session, period, area.townships)
        expected = sum(r.expected for r in rows)
        submitted = sum(r.submitted for r in rows)
        if expected:
            notes.append(f"4. 报告期内应报乡镇月报 {expected} 份，已上报 {submitted} 份；"
                         "本表按录入的数据汇总，含尚未审核的月份。")
    return notes


# -- MCH-COMPLETENESS ------------------------------------------------------------------------

COMPLETENESS_COLUMNS = [
    CODE_COLUMN, Column("乡镇（街道）", "text", 12),
    Column("应报月数", "int", 7), Column("已报", "int", 6), Column("及时", "int", 6), Column("迟报", "int", 6),
    Column("未报", "int", 6), Column("完整率（%）", "rate", 8, decimals=2), Column("及时率（%）", "rate", 8, decimals=2),
    Column("未报月份", "text", 24),
]


def _month_list(periods: list[str]) -> str:
    """["202601", "202603"] → "2026年1、3月"; months of several years each with their year."""
    if not periods:
        return ""
    if len({p[:4] for p in periods}) == 1:
        return f"{periods[0][:4]}年" + "、".join(str(int(p[4:])) for p in periods) + "月"
    return "、".join(f"{p[:4]}年{int(p[4:])}月" for p in periods)


def _completeness_row(code: str, name: str, r) -> list[Any]:
    return [code, name, r.expected, r.submitted, r.on_time, r.late, r.expected - r.submitted,
            r.completeness_rate if r.expected else "—", r.timeliness_rate if r.expected else "—",
            _month_list(r.missing)]


def build_completeness(session: Session, period: Period | None, org: str | None, program: str | None = None,
                       actor: Actor | None = None) -> ReturnTable:
    period = _require_period(period, "MCH-COMPLETENESS")
    area = _Area(session, period, org, actor, "MCH-COMPLETENESS")
    found = mch_completeness.completeness_of(session, period, area.townships)
    rows = [_completeness_row(r.township_code, r.township_name, r) for r in found]
    if len(found) > 1:
        total = mch_completeness.CompletenessRow(
            area.org, area.total_label, sum(r.expected for r in found), sum(r.submitted for r in found),
            sum(r.on_time for r in found), sum(r.late for r in found))
        rows.append(_completeness_row(area.org, area.total_label, total)[:-1] + [""])
    due_day = settings.get(session, "mch.due_day")
    notes = [f"说明：每月月报应在次月 {due_day} 日（含）前上报，逾期上报为迟报；退回修改的月份在重新上报前按未报计。",
             "完整率 = 已报 ÷ 应报 × 100%，及时率 = 及时 ÷ 应报 × 100%；尚未到截止日且未上报的月份不计入应报。"]
    return _table(session, "MCH-COMPLETENESS", "报表完整性与及时性", period, area, COMPLETENESS_COLUMNS, rows, notes)


# -- MCH-FORM --------------------------------------------------------------------------------

FORM_COLUMNS = [Column("序号", "int", 5), Column("栏目", "text", 11), Column("数据项", "text", 30),
                Column("分类", "text", 6), Column("数值", "int", 9), Column("说明", "text", 34)]


def _form_rows(elements: list[ElementRow], cells: dict) -> list[list[Any]]:
    rows = []
    for e in elements:
        for option, label in e.options:
            cell = cells.get((e.code, option))
            if cell is None:
                value: Any = None
            else:
                value = NOT_CARRIED_OUT if cell.not_applicable else cell.value
            rows.append([len(rows) + 1, e.section, e.name, label if option else "", value,
                         cell.comment if cell else ""])
    return rows


def _local_time(at: datetime | None) -> str:
    if at is None:
        return ""
    from datetime import timezone
    return at.replace(tzinfo=timezone.utc).astimezone().strftime("%Y-%m-%d %H:%M")


def _person(session: Session, username: str) -> str:
    if not username:
        return ""
    name = session.execute(select(User.display_name).where(User.username == username)).scalar_one_or_none()
    return f"{name}（{username}）" if name and name != username else username


def _state_lines(session: Session, township: str, month: str) -> list[str]:
    from core.mch import workflow
    st = workflow.state(session, township, month)
    parts = [f"状态：{st.label}"]
    if st.submitted_at:
        parts.append(f"上报人：{_person(session, st.submitted_by)}　上报时间：{_local_time(st.submitted_at)}")
    if st.approved_at and st.status == "APPROVED":
        parts.append(f"审核人：{_person(session, st.approved_by)}　审核时间：{_local_time(st.approved_at)}")
    lines = ["　　".join(parts)]
    if st.status == "RETURNED" and st.returned_reason:
        lines.append(f"退回原因：{st.returned_reason}")
    return lines


def _check_line(session: Session, township: str, month: str) -> str:
    from core.mch.rules import check_month
    result = check_month(session, township, month)
    if not result.findings:
        return "审核校验：未发现错误或警告。"
    explained = sum(f.commented for f in result.warnings)
    text = f"审核校验：错误 {len(result.errors)} 处，警告 {len(result.warnings)} 条（已说明 {explained} 条）"
    return text + "：" + "；".join(f.message for f in result.findings) + "。"


def build_form(session: Session, period: Period | None, org: str | None, program: str | None = None,
               actor: Actor | None = None) -> ReturnTable:
    from core.mch.values import month_values
    if period is None or period.kind != "month":
        given = f"“{period.code}”" if period is not None else "未指定"
        raise UsageError(f"报表 MCH-FORM 是一个乡镇一个月的月报，--period 应为月份，例如 202109（现为{given}）。")
    if not org or len(org) != 9:
        raise UsageError("报表 MCH-FORM 是一个乡镇一个月的月报，--org 应为 9 位乡镇（街道）代码，例如 220322100。")
    area = _Area(session, None, org, actor, "MCH-FORM")
    month = period.code
    cells = month_values(session, org, month)
    shown = {e.code for e in list_elements(session)} | {k[0] for k in cells}
    elements = [e for e in list_elements(session, include_inactive=True) if e.code in shown]
    rows = _form_rows(elements, cells)
    notes = _state_lines(session, org, month) + [_check_line(session, org, month),
                                                 "数值空白表示未填报；“未开展”表示本地未开展此项工作（-2）。"]
    return _table(session, "MCH-FORM", f"妇幼健康月报（{area.org_label}）", period, area, FORM_COLUMNS, rows, notes,
                  landscape=False)
