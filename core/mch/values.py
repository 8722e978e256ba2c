"""Entering monthly counts: each value saved as typed, audited, refused in a locked month."""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.access import Actor, Permission
from core.errors import DataError, PermissionDenied
from core.mch.elements import list_elements
from db.models.mch import DataValue, MonthReport

LOCKED_STATES = {"SUBMITTED": "已上报，等待审核", "APPROVED": "已审核锁定"}
NOT_APPLICABLE_TEXT = "-2"


@dataclass(frozen=True)
class ParsedValue:
    value: int | None
    not_applicable: bool


def parse_count(text: object, label: str = "数值") -> ParsedValue:
    """'' → blank (not reported); '-2' / '不适用' → not carried out here; else a non-negative integer."""
    if text is None:
        return ParsedValue(None, False)
    if isinstance(text, bool):
        raise DataError(f"{label}：应为非负整数。")
    if isinstance(text, int):
        s = str(text)
    elif isinstance(text, float):
        if not text.is_integer():
            raise DataError(f"{label}：“{text}”不是整数，人数和例数只能是整数。")
        s = str(int(text))
    else:
        s = str(text).strip().translate(str.maketrans("０１２３４５６７８９－", "0123456789-")).replace(",", "")
    if s == "":
        return ParsedValue(None, False)
    if s in (NOT_APPLICABLE_TEXT, "不适用"):
        return ParsedValue(None, True)
    if re.fullmatch(r"-\d+(\.\d+)?", s):
        raise DataError(f"{label}：不能是负数（“{s}”）。未开展此项工作请填 -2。")
    if re.fullmatch(r"\d+\.\d+", s):
        raise DataError(f"{label}：“{s}”不是整数，人数和例数只能是整数。")
    if not re.fullmatch(r"\d{1,9}", s):
        raise DataError(f"{label}：“{s}”不是数字。")
    return ParsedValue(int(s), False)


def month_state(session: Session, township: str, period: str) -> str:
    r = session.execute(select(MonthReport.status).where(MonthReport.township_code == township,
                                                         MonthReport.period == period)).scalar_one_or_none()
    return r or "OPEN"


def require_editable(session: Session, actor: Actor, township: str, period: str) -> None:
    actor.require(Permission.EDIT_DATA)
    actor.require_township(township)
    state = month_state(session, township, period)
    if state in LOCKED_STATES:
        raise PermissionDenied(f"{township} {period[:4]}年{int(period[4:])}月的月报{LOCKED_STATES[state]}，不能修改"
                               + ("；如需修改请由审核员退回或解锁。" if state == "APPROVED" else "；如需修改请由审核员退回。"))


def _check_period(period: str) -> None:
    if not re.fullmatch(r"\d{4}(0[1-9]|1[0-2])", period or ""):
        raise DataError(f"月份“{period}”不对，应为 YYYYMM，例如 202109。")


def save_value(session: Session, actor: Actor, township: str, period: str, element: str, option: str,
               text: object, *, comment: str | None = None, elements=None) -> DataValue | None:
    """Save one cell as typed. Blank removes the value (and its comment stays if given)."""
    _check_period(period)
    require_editable(session, actor, township, period)
    known = {e.code: e for e in (elements or list_elements(session, include_inactive=True))}
    el = known.get(element)
    if el is None:
        raise DataError(f"没有数据项“{element}”。")
    if option not in {o for o, _ in el.options}:
        raise DataError(f"数据项 {el.name} 没有分类“{option}”。")
    parsed = parse_count(text, el.name + (f"（{dict(el.options)[option]}）" if option else ""))
    row = session.execute(select(DataValue).where(
        DataValue.township_code == township, DataValue.period == period,
        DataValue.element_code == element, DataValue.option_code == option)).scalar_one_or_none()
    if row is None:
        if parsed.value is None and not parsed.not_applicable and not comment:
            return None
        row = DataValue(township_code=township, period=period, element_code=element, option_code=option)
        session.add(row)
    row.value, row.not_applicable = parsed.value, parsed.not_applicable
    if comment is not None:
        row.comment = comment.strip()
    session.flush()
    return row


@dataclass(frozen=True)
class CellValue:
    element: str
    option: str
    value: int | None
    not_applicable: bool
    comment: str

    @property
    def text(self) -> str:
        return NOT_APPLICABLE_TEXT if self.not_applicable else ("" if self.value is None else str(self.value))


def month_values(session: Session, township: str, period: str) -> dict[tuple[str, str], CellValue]:
    q = select(DataValue).where(DataValue.township_code == township, DataValue.period == period)
    return {(v.element_code, v.option_code): CellValue(v.element_code, v.option_code, v.value, v.not_applicable, v.comment)
            for v in session.execute(q).scalars()}
