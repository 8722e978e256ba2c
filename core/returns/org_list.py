"""ORG-LIST — 组织机构目录: the org-unit directory, the first return through the engine."""
from __future__ import annotations

from sqlalchemy.orm import Session

from core import orgunits, settings
from core.periods import Period
from core.returns.model import Column, ReturnTable

COLUMNS = [
    Column("序号", "int", 6),
    Column("代码", "text", 14),
    Column("名称", "text", 24),
    Column("级别", "text", 12),
    Column("上级代码", "text", 12),
    Column("上级名称", "text", 20),
    Column("代码版本", "int", 9),
    Column("状态", "text", 20),
]


def build(session: Session, period: Period | None, org: str | None, program: str | None = None) -> ReturnTable:
    county = orgunits.county(session)
    units = orgunits.list_units(session, under=org)
    if period is not None:  # units that still existed in the period
        units = [u for u in units if u.closed_on is None or u.closed_on >= period.start]
    names = {u.code: u.name for u in orgunits.list_units(session)}
    rows = [[i, u.code, u.name, u.level_name, u.parent_code or "", names.get(u.parent_code or "", ""),
             u.code_edition, u.status] for i, u in enumerate(units, start=1)]
    org_code = org or (county.code if county else "")
    return ReturnTable(
        id="ORG-LIST", title="组织机构目录",
        period=period.code if period else "", period_label=period.label if period else "当前",
        org=org_code, org_label=names.get(org_code, ""),
        columns=COLUMNS, rows=rows, header=settings.stat_header(session, "ORG-LIST"),
        notes=[f"共 {len(rows)} 个单位。级别：县（区）6 位代码，乡镇（街道）9 位，村（居）12 位。"],
        row_count_hint=len(rows),
    )
