"""Outliers judged against the township's own history (DOMAIN.md §4) — warnings, never errors:

- **band**: the min–max of the township's last 12 reported months for the same cell (looking back at
  most 24 months; at least 3 reported months, otherwise there is no band). A value below
  min × 0.5 or above max × 1.5 *and* at least 5 away from the band is flagged;
- **year on year**: against the same month last year — more than × 2 or less than × 0.5, and at least
  10 apart (so 1 → 3 deaths in a small township is not flagged).

The factors and the absolute differences are settings (``mch.outlier_*``). A blank or -2 ("not
carried out") is not a number and takes part in neither check. ``history`` also feeds the entry
grid's side columns (同期, 近12个月范围).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import settings
from core.mch.elements import SEX_OPTIONS, ElementRow
from core.mch.rules import Finding, Key
from db.models.mch import DataValue

BAND_MONTHS = 12          # the band uses this many reported months …
LOOKBACK_MONTHS = 24      # … found within this many months before the period


@dataclass(frozen=True)
class History:
    last_year: int | None       # the same month a year earlier
    band_min: int | None        # None when fewer than ``min_months`` reported months
    band_max: int | None
    months: int                 # reported months the band was taken from (≤ 12)


@dataclass(frozen=True)
class Thresholds:
    band_low: float = 0.5
    band_high: float = 1.5
    band_min_diff: int = 5
    band_min_months: int = 3
    yoy_high: float = 2.0
    yoy_low: float = 0.5
    yoy_min_diff: int = 10


SETTING_KEYS = {
    "band_low": "mch.outlier_band_low", "band_high": "mch.outlier_band_high",
    "band_min_diff": "mch.outlier_band_min_diff", "band_min_months": "mch.outlier_band_min_months",
    "yoy_high": "mch.outlier_yoy_high", "yoy_low": "mch.outlier_yoy_low", "yoy_min_diff": "mch.outlier_yoy_min_diff",
}


def thresholds(session: Session) -> Thresholds:
    return Thresholds(**{field: settings.get(session, key) for field, key in SETTING_KEYS.items()})


def shift_month(period: str, months: int) -> str:
    index = int(period[:4]) * 12 + int(period[4:]) - 1 + months
    return f"{index // 12}{index % 12 + 1:02d}"


def history(session: Session, township: str, period: str, *, min_months: int | None = None) -> dict[Key, History]:
    """{(element, option): History} for every cell the township reported before ``period``."""
    need = thresholds(session).band_min_months if min_months is None else min_months
    first = shift_month(period, -LOOKBACK_MONTHS)
    q = (select(DataValue.period, DataValue.element_code, DataValue.option_code, DataValue.value)
         .where(DataValue.township_code == township, DataValue.period >= first, DataValue.period < period,
                DataValue.value.is_not(None), DataValue.not_applicable.is_(False))
         .order_by(DataValue.period.desc()))
    by_key: dict[Key, list[tuple[str, int]]] = defaultdict(list)
    for month, element, option, value in session.execute(q):
        by_key[(element, option)].append((month, value))
    same_month = shift_month(period, -12)
    out = {}
    for key, seen in by_key.items():
        recent = [v for _, v in seen[:BAND_MONTHS]]
        last_year = next((v for m, v in seen if m == same_month), None)
        band = len(recent) >= need
        out[key] = History(last_year, min(recent) if band else None, max(recent) if band else None, len(recent))
    return out


def outlier_findings(numbers: Mapping[Key, int], hist: Mapping[Key, History], elements: Iterable[ElementRow],
                     comments: Mapping[Key, str], limits: Thresholds) -> list[Finding]:
    """Band and year-on-year warnings for this month's numbers (pure: no database)."""
    labels = _cell_labels(elements)
    out = []
    for key in sorted(numbers, key=lambda k: (labels.get(k, ("", 10**9))[1], k)):
        h = hist.get(key)
        value = numbers[key]
        if h is None or isinstance(value, bool):
            continue
        label = labels.get(key, (f"{key[0]}{'.' + key[1] if key[1] else ''}", 0))[0]
        commented = bool((comments.get(key) or "").strip())
        band = _band_message(label, value, h, limits)
        if band:
            out.append(Finding("OUTLIER_BAND", "WARNING", "OUTLIER", band, (key,), commented))
        yoy = _yoy_message(label, value, h, limits)
        if yoy:
            out.append(Finding("OUTLIER_YOY", "WARNING", "OUTLIER", yoy, (key,), commented))
    return out


def _band_message(label: str, value: float, h: History, t: Thresholds) -> str | None:
    if h.band_min is None or h.band_max is None:
        return None
    if value > h.band_max * t.band_high and value - h.band_max >= t.band_min_diff:
        side = "高于"
    elif value < h.band_min * t.band_low and h.band_min - value >= t.band_min_diff:
        side = "低于"
    else:
        return None
    return (f"{label}本月为 {_n(value)}，明显{side}本乡镇近 {h.months} 个月的范围（{h.band_min}—{h.band_max}），"
            "请核实并填写说明")


def _yoy_message(label: str, value: float, h: History, t: Thresholds) -> str | None:
    ly = h.last_year
    if ly is None or abs(value - ly) < t.yoy_min_diff:
        return None
    if value > ly * t.yoy_high:
        change = "大幅增加"
    elif value < ly * t.yoy_low:
        change = "大幅减少"
    else:
        return None
    return f"{label}本月为 {_n(value)}，比去年同月（{ly}）{change}，请核实并填写说明"


def _n(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}"


def _cell_labels(elements: Iterable[ElementRow]) -> dict[Key, tuple[str, int]]:
    """(element, option) → (name as shown, order in the form)."""
    sex = dict(SEX_OPTIONS)
    out = {}
    for e in elements:
        for option, _ in e.options:
            out[(e.code, option)] = (f"{e.name}（{sex.get(option, option)}）" if option else e.name, e.sort_order)
    return out
