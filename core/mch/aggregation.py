"""Summing monthly counts over periods and townships (DOMAIN.md §4): flow counts are summed over the
period's months; point-in-time counts (children under 3/7 and their managed counts) take each
township's latest reported month in the period. Townships add up to the county. Blank stays blank:
a key no month reported is None, not 0."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.mch.elements import ElementRow, list_elements
from core.periods import Period
from db.models.mch import DataValue

Key = tuple[str, str]          # (element, option)


def month_codes(period: Period) -> list[str]:
    return [f"{y}{m:02d}" for y, m in period.months]


@dataclass
class Aggregate:
    """Values of one org unit (a township or the county) over one period."""
    values: dict[Key, int] = field(default_factory=dict)

    def get(self, element: str, option: str = "") -> int | None:
        if option:
            return self.values.get((element, option))
        if (element, "") in self.values:
            return self.values[(element, "")]
        parts = [v for (e, o), v in self.values.items() if e == element and o]
        return sum(parts) if parts else None

    def add(self, other: Aggregate) -> None:
        for k, v in other.values.items():
            self.values[k] = self.values.get(k, 0) + v


def aggregate(session: Session, period: Period, townships: list[str],
              elements: list[ElementRow] | None = None) -> dict[str, Aggregate]:
    """{township_code: Aggregate} for every township asked for (empty Aggregate when nothing reported).
    Flow counts are summed by the database (one row per township and cell); point-in-time counts are
    read month by month and the latest kept."""
    elements = elements or list_elements(session, include_inactive=True)
    pit = [e.code for e in elements if e.point_in_time]
    reported = [DataValue.period.in_(month_codes(period)), DataValue.township_code.in_(townships),
                DataValue.value.is_not(None), DataValue.not_applicable.is_(False)]
    conn = session.connection()
    sums: dict[str, dict[Key, int]] = {t: {} for t in townships}
    flows = (select(DataValue.township_code, DataValue.element_code, DataValue.option_code, func.sum(DataValue.value))
             .where(*reported, DataValue.element_code.not_in(pit))
             .group_by(DataValue.township_code, DataValue.element_code, DataValue.option_code))
    for town, element, option, total in conn.execute(flows):
        sums[town][(element, option)] = int(total)
    latest: dict[tuple[str, Key], tuple[str, int]] = {}
    points = select(DataValue.township_code, DataValue.period, DataValue.element_code, DataValue.option_code,
                    DataValue.value).where(*reported, DataValue.element_code.in_(pit))
    for town, month, element, option, value in conn.execute(points):
        seen = latest.get((town, (element, option)))
        if seen is None or month > seen[0]:
            latest[(town, (element, option))] = (month, value)
    for (town, key), (_, value) in latest.items():
        sums[town][key] = value
    return {t: Aggregate(sums[t]) for t in townships}


def county_total(per_township: dict[str, Aggregate]) -> Aggregate:
    total = Aggregate()
    for agg in per_township.values():
        total.add(agg)
    return total
