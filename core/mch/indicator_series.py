"""An indicator as a series for charts: month by month for the county or a township, or the
townships side by side over a period. Counts are summed by ``aggregation.aggregate`` (and
``county_total``), the rate computed by ``indicators.compute`` — never an average of rates; a point
whose rate cannot be computed has value None (drawn as a gap, never as 0)."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from core.mch.aggregation import aggregate, county_total
from core.mch.elements import list_elements
from core.mch.indicators import DASH, Indicator, compute
from core.periods import Period, parse_period


@dataclass(frozen=True)
class ChartPoint:
    label: str                   # what the axis shows: 3月 / 梨树镇
    code: str                    # the month (YYYYMM) or township code
    value: Decimal | None        # None: "—" (zero or missing denominator)


def month_axis_labels(period: Period) -> list[str]:
    one_year = len({y for y, _ in period.months}) == 1
    return [f"{m}月" if one_year else f"{y}.{m:02d}" for y, m in period.months]


def _value(v: Decimal | str) -> Decimal | None:
    return None if v == DASH else v  # type: ignore[return-value]


def trend_points(session, ind: Indicator, period: Period, township: str | None, towns: list[str]) -> list[ChartPoint]:
    """One point per month of the period: the township's rate, or the county's (summed counts)."""
    elements = list_elements(session, include_inactive=True)
    scope = [township] if township else towns
    out = []
    for (y, m), label in zip(period.months, month_axis_labels(period)):
        code = f"{y}{m:02d}"
        per_town = aggregate(session, parse_period(code), scope, elements)
        agg = per_town[township] if township else county_total(per_town)
        out.append(ChartPoint(label, code, _value(compute(ind, agg))))
    return out


def township_points(session, ind: Indicator, period: Period, towns: list[tuple[str, str]]
                    ) -> tuple[list[ChartPoint], Decimal | None]:
    """Each township's rate over the whole period, and the county's from the summed counts."""
    per_town = aggregate(session, period, [code for code, _ in towns])
    points = [ChartPoint(name, code, _value(compute(ind, per_town[code]))) for code, name in towns]
    return points, _value(compute(ind, county_total(per_town)))
