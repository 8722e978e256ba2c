"""案件文号: numbered per year and category in a configurable format (setting ``supervision.number_format``,
default ``{county_short}卫{category_short}罚〔{year}〕{seq}号`` → 梨卫医罚〔2021〕12号).

A number's *series* is the number with its sequence replaced by "#" (梨卫医罚〔2021〕#号): the next number
continues the highest sequence of the series. Categories sharing a short form (医疗卫生 and 无证行医 both
"医") therefore share one series, as their paper documents do, and a number typed in by hand or imported
continues its series too when it matches the format.
"""
from __future__ import annotations

import re
import string
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import settings
from core.errors import DataError
from core.supervision.codes import CATEGORIES, CATEGORY_SHORT_DEFAULT
from db.models.supervision import Case

FIELDS = {"county_short", "category_short", "year", "seq"}


@dataclass(frozen=True)
class ParsedNumber:
    number: str
    key: str | None        # the series ("梨卫医罚〔2021〕#号"); None when the number does not match the format
    seq: int | None
    year: int | None


def number_format(session: Session) -> str:
    fmt = str(settings.get(session, "supervision.number_format") or "").strip()
    _check_format(fmt)
    return fmt


def _check_format(fmt: str) -> list[tuple[str, str | None, str | None]]:
    try:
        parts = [(lit, name, spec) for lit, name, spec, _ in string.Formatter().parse(fmt)]
    except ValueError as e:
        raise DataError(f"案件文号格式“{fmt}”写法不对（{e}）：请在系统设置中改正。") from e
    names = {n for _, n, _ in parts if n is not None}
    unknown = names - FIELDS
    if unknown:
        raise DataError(f"案件文号格式“{fmt}”中有不认识的项 {{{'}、{'.join(sorted(unknown))}}}；"
                        "可用 {county_short}、{category_short}、{year}、{seq}。")
    if "seq" not in names:
        raise DataError(f"案件文号格式“{fmt}”缺少序号 {{seq}}。")
    return parts


def county_short(session: Session) -> str:
    short = str(settings.get(session, "supervision.county_short") or "").strip()
    if short:
        return short
    name = str(settings.get(session, "installation.county_name") or "").strip()
    return name[:1]


def category_short(session: Session, category: str) -> str:
    overrides = settings.get(session, "supervision.category_short") or {}
    return str(overrides.get(category) or CATEGORY_SHORT_DEFAULT.get(category) or CATEGORIES.get(category, "")[:1])


def series_key(session: Session, category: str, year: int) -> str:
    """The series a new number of this category and year belongs to (sequence shown as "#")."""
    fmt = number_format(session)
    values = {"county_short": county_short(session), "category_short": category_short(session, category), "year": year}
    out = []
    for literal, name, spec, _ in string.Formatter().parse(fmt):
        out.append(literal)
        if name == "seq":
            out.append("#")
        elif name is not None:
            out.append(format(values[name], spec or ""))
    return "".join(out)


def format_number(key: str, seq: int, session: Session) -> str:
    spec = next((s for _, n, s, _ in string.Formatter().parse(number_format(session)) if n == "seq"), "") or ""
    return key.replace("#", format(seq, spec), 1)


def next_number(session: Session, category: str, year: int) -> ParsedNumber:
    """The next free number of the category's series for the year (max + 1; numbers are never reused)."""
    key = series_key(session, category, year)
    last = session.execute(select(func.max(Case.number_seq)).where(Case.number_key == key)).scalar_one_or_none() or 0
    seq = last + 1
    while True:  # a hand-typed number outside the series bookkeeping may already hold the text
        number = format_number(key, seq, session)
        taken = session.execute(select(Case.id).where(Case.number == number)).first()
        if taken is None:
            return ParsedNumber(number, key, seq, year)
        seq += 1


def parse_number(session: Session, number: str) -> ParsedNumber:
    """Recognise the series of a number typed in or imported (None parts when it does not match)."""
    fmt = number_format(session)
    number = (number or "").strip()
    if "〔" in fmt:
        number = _normalise_brackets(number)
    pattern = ["^"]
    for literal, name, spec in _check_format(fmt):
        pattern.append(re.escape(literal))
        if name == "seq":
            pattern.append(r"(?P<seq>\d+)")
        elif name == "year":
            pattern.append(r"(?P<year>\d{4})")
        elif name is not None:
            pattern.append(f"(?P<{name}>.+?)")
    pattern.append("$")
    m = re.match("".join(pattern), number)
    if not m:
        return ParsedNumber(number, None, None, None)
    start, end = m.span("seq")
    return ParsedNumber(number, number[:start] + "#" + number[end:], int(m["seq"]),
                        int(m["year"]) if "year" in m.groupdict() and m["year"] else None)


def _normalise_brackets(text: str) -> str:
    """People type 〔2021〕 as [2021], (2021) or 【2021】: use the standard hexagonal brackets."""
    return re.sub(r"[\[【［(（]\s*(\d{4})\s*[\]】］)）]", r"〔\1〕", text.strip())
