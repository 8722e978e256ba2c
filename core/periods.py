"""Period codes (DESIGN.md): month 202109, quarter 2021Q3, year 2021, October statistical year 2020Oct
(2020-10 … 2021-09) and an inclusive month range 202101..202109 (1–N 月累计)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from core.errors import UsageError

Month = tuple[int, int]


@dataclass(frozen=True)
class Period:
    code: str
    kind: str            # month / quarter / year / statyear / range
    months: tuple[Month, ...]

    @property
    def start(self) -> date:
        y, m = self.months[0]
        return date(y, m, 1)

    @property
    def end(self) -> date:
        y, m = self.months[-1]
        nxt = date(y + (m == 12), m % 12 + 1, 1)
        return nxt - timedelta(days=1)

    @property
    def last_month(self) -> Month:
        return self.months[-1]

    @property
    def label(self) -> str:
        (y0, m0), (y1, m1) = self.months[0], self.months[-1]
        if self.kind == "month":
            return f"{y0}年{m0}月"
        if self.kind == "quarter":
            return f"{y0}年第{(m0 - 1) // 3 + 1}季度"
        if self.kind == "year":
            return f"{y0}年"
        if self.kind == "statyear":
            return f"{y1}统计年度（{y0}年{m0}月—{y1}年{m1}月）"
        if y0 == y1 and m0 == 1:
            return f"{y0}年1—{m1}月累计"
        if y0 == y1:
            return f"{y0}年{m0}—{m1}月"
        return f"{y0}年{m0}月—{y1}年{m1}月"


def _months_between(a: Month, b: Month) -> tuple[Month, ...]:
    out = []
    y, m = a
    while (y, m) <= b:
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return tuple(out)


def _month(text: str, whole: str) -> Month:
    y, m = int(text[:4]), int(text[4:6])
    if not 1 <= m <= 12 or not 1900 <= y <= 2100:
        raise UsageError(f"报告期“{whole}”中的月份 {text} 不存在。")
    return (y, m)


def parse_period(text: str) -> Period:
    s = (text or "").strip()
    if re.fullmatch(r"\d{6}", s):
        m = _month(s, s)
        return Period(s, "month", (m,))
    if mt := re.fullmatch(r"(\d{4})Q([1-4])", s, re.IGNORECASE):
        y, q = int(mt[1]), int(mt[2])
        return Period(f"{y}Q{q}", "quarter", _months_between((y, 3 * q - 2), (y, 3 * q)))
    if re.fullmatch(r"\d{4}", s):
        y = int(s)
        if not 1900 <= y <= 2100:
            raise UsageError(f"报告期“{s}”的年份不合理。")
        return Period(s, "year", _months_between((y, 1), (y, 12)))
    if mt := re.fullmatch(r"(\d{4})Oct", s, re.IGNORECASE):
        y = int(mt[1])
        return Period(f"{y}Oct", "statyear", _months_between((y, 10), (y + 1, 9)))
    if mt := re.fullmatch(r"(\d{6})\.\.(\d{6})", s):
        a, b = _month(mt[1], s), _month(mt[2], s)
        if a > b:
            raise UsageError(f"报告期“{s}”的起始月份晚于结束月份。")
        return Period(s, "range", _months_between(a, b))
    raise UsageError(
        f"无法识别的报告期“{s}”。可用的写法：202109（月）、2021Q3（季）、2021（年）、"
        "2020Oct（统计年度 2020年10月—2021年9月）、202101..202109（1—9月累计）。")
