"""Cell values as people typed them, made plain: text, whole numbers, years and dates.

Both readers are accepted: python-calamine gives ``''`` for empty cells, floats for whole numbers and
``date``/``datetime`` for date cells; openpyxl gives ``None``, ``int`` and ``datetime``. Dates are also
read from text — ``1958.03.12``, ``1958-3-12``, ``1958/3/12``, ``1958年3月12日``, ``19580312``, full-width
digits — from the number ``19580312``, and from an Excel serial number in a cell without a date format.
Problems are raised as ``ValueProblem`` with a Chinese message (the caller puts the column's name first).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta

EXCEL_EPOCH = date(1899, 12, 30)   # serial 1 = 1900-01-01 (after Excel's 1900 leap-year slip)
LAST_SERIAL = 73050                # 2099-12-31: bigger numbers are not dates in a roster
_SPACES = re.compile(r"\s+")
_DAY = re.compile(r"(\d{4})[.\-/年](\d{1,2})[.\-/月](\d{1,2})日?(?:\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_DAY_DIGITS = re.compile(r"(\d{4})(\d{2})(\d{2})")
_MONTH = re.compile(r"(\d{4})[.\-/年](\d{1,2})月?")
_MONTH_DIGITS = re.compile(r"(\d{4})(\d{2})")
_YEAR = re.compile(r"(\d{4})年?")
_SHORT_YEAR = re.compile(r"\d{2}[.\-/年]\d{1,2}([.\-/月]\d{1,2}日?)?")
_INTEGER = re.compile(r"[+-]?\d+(?:\.0+)?")
_YEAR_SUFFIX = re.compile(r"年度?$")


class ValueProblem(ValueError):
    """A cell that cannot be read as what its column holds; ``str()`` is a Chinese sentence."""


@dataclass(frozen=True)
class LooseDate:
    """A date as precise as it was written: ``1958年3月`` has no day, ``1958`` no month."""
    year: int
    month: int | None = None
    day: int | None = None

    @property
    def date(self) -> date | None:
        return date(self.year, self.month, self.day) if self.day else None

    @property
    def precision(self) -> str:
        return "day" if self.day else "month" if self.month else "year"

    def agrees_with(self, other: date) -> bool:
        return (self.year == other.year and (self.month is None or self.month == other.month)
                and (self.day is None or self.day == other.day))

    def __str__(self) -> str:
        if self.day:
            return f"{self.year}-{self.month:02d}-{self.day:02d}"
        return f"{self.year}年{self.month}月" if self.month else f"{self.year}年"


def is_blank(value: object) -> bool:
    return value is None or value == "" or (value.__class__ is str and not value.strip())


def text(value: object) -> str:
    """The cell as trimmed text; whole-number floats without ``.0``; dates as ``YYYY-MM-DD``."""
    cls = value.__class__
    if cls is str:
        return value.strip()
    if value is None:
        return ""
    if cls is float:
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if cls is bool:
        return "是" if value else "否"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def compact(value: object) -> str:
    """Text for matching names and codes: full-width forms made half-width (NFKC), no spaces at all."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", text(value)))


def parse_int(value: object, what: str = "数字") -> int | None:
    """A whole number from ``2010``, ``2010.0``, ``"２０１０"``; None when blank."""
    if is_blank(value):
        return None
    if value.__class__ in (int, float) and float(value).is_integer():
        return int(value)
    raw = compact(value)
    if _INTEGER.fullmatch(raw):
        return int(float(raw))
    raise ValueProblem(f"“{text(value)}”不是{what}")


def parse_year(value: object) -> int | None:
    """A year from ``2010``, ``2010年``, ``2010.0`` or a date cell; None when blank."""
    cls = value.__class__
    if (cls is float or cls is int) and 1900 <= value <= 2100 and value == int(value):   # a number cell
        return int(value)
    if is_blank(value):
        return None
    if isinstance(value, date):
        return value.year
    raw = _YEAR_SUFFIX.sub("", compact(value))
    year = int(float(raw)) if _INTEGER.fullmatch(raw) else None
    if year is None or not 1900 <= year <= 2100:
        raise ValueProblem(f"“{text(value)}”不是年份（应写成 2010 这样的四位数）")
    return year


def parse_date(value: object) -> LooseDate | None:
    """A date in any of the spellings above; None when blank."""
    if is_blank(value):
        return None
    if isinstance(value, datetime):
        return LooseDate(value.year, value.month, value.day)
    if isinstance(value, date):
        return LooseDate(value.year, value.month, value.day)
    if value.__class__ in (int, float):
        return _date_from_number(value)
    return _date_from_text(compact(value), text(value))


def _date_from_number(value: float | int) -> LooseDate:
    number = float(value)
    if number.is_integer():
        whole = int(number)
        if 10_000_000 <= whole <= 99_991_231:
            return _date_from_text(str(whole), str(whole))
        if 190_001 <= whole <= 210_012:
            return _date_from_text(str(whole), str(whole))
        if 1900 <= whole <= 2100:
            return LooseDate(whole)
        if 1 <= whole <= LAST_SERIAL:
            day = EXCEL_EPOCH + timedelta(days=whole)
            return LooseDate(day.year, day.month, day.day)
    elif 1900 <= number < 2101:
        # "1958.03" typed into a cell Excel treats as a number: year and month
        return _date_from_text(f"{number:.2f}", f"{number:.2f}")
    raise ValueProblem(f"“{text(value)}”不是日期")


def _date_from_text(raw: str, shown: str) -> LooseDate:
    for pattern, parts in ((_DAY, 3), (_DAY_DIGITS, 3), (_MONTH, 2), (_MONTH_DIGITS, 2), (_YEAR, 1)):
        m = pattern.fullmatch(raw)
        if m:
            return _checked(*(int(g) for g in m.groups()[:parts]), shown=shown)
    if _SHORT_YEAR.fullmatch(raw):
        raise ValueProblem(f"“{shown}”的年份只有两位，请写成四位年份（如 1958.03.12）")
    raise ValueProblem(f"“{shown}”不是日期（可写成 1958-03-12、1958.3.12、1958年3月12日 或 19580312）")


def _checked(year: int, month: int | None = None, day: int | None = None, *, shown: str) -> LooseDate:
    if not 1880 <= year <= 2100:
        raise ValueProblem(f"“{shown}”的年份不合理")
    try:
        date(year, month or 1, day or 1)
    except ValueError:
        raise ValueProblem(f"“{shown}”不是存在的日期") from None
    return LooseDate(year, month, day)
