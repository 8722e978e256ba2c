"""Programmes (扶助项目) and their standards (扶助标准) per year — built-in defaults from DOMAIN.md §3,
changed by an administrator without code."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cached_property

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.access import Actor, Permission
from core.errors import DataError
from core.subsidy.eligibility import ProgramRule
from db.models.subsidy import SubsidyProgram, SubsidyStandard

BUILTIN = [
    # code, name, child_rule, start_age, age_of_wife, requires_rural
    ("RURAL_REWARD", "农村部分计划生育家庭奖励扶助", "REWARD", 60, False, True),
    ("SPECIAL_DEATH", "计划生育家庭特别扶助（独生子女死亡）", "DEATH", 49, True, False),
    ("SPECIAL_DISABILITY", "计划生育家庭特别扶助（独生子女伤残）", "DISABILITY", 49, True, False),
]
# National standards (元/人): year from, area, amount, unit. Provinces pay more: an administrator adds rows.
DEFAULT_STANDARDS = [
    ("RURAL_REWARD", 2004, "ALL", "600", "YEAR"),
    ("RURAL_REWARD", 2009, "ALL", "720", "YEAR"),
    ("RURAL_REWARD", 2012, "ALL", "960", "YEAR"),
    ("SPECIAL_DEATH", 2008, "ALL", "100", "MONTH"),
    ("SPECIAL_DEATH", 2012, "ALL", "135", "MONTH"),
    ("SPECIAL_DEATH", 2014, "URBAN", "340", "MONTH"),
    ("SPECIAL_DEATH", 2014, "RURAL", "170", "MONTH"),
    ("SPECIAL_DISABILITY", 2008, "ALL", "80", "MONTH"),
    ("SPECIAL_DISABILITY", 2012, "ALL", "110", "MONTH"),
    ("SPECIAL_DISABILITY", 2014, "URBAN", "270", "MONTH"),
    ("SPECIAL_DISABILITY", 2014, "RURAL", "150", "MONTH"),
]
AREA_LABELS = {"ALL": "城乡统一", "URBAN": "城镇", "RURAL": "农村"}
UNIT_LABELS = {"YEAR": "元/人/年", "MONTH": "元/人/月"}
CHILD_RULE_LABELS = {"REWARD": "现有一个子女、两个女孩或子女死亡现无子女", "DEATH": "独生子女死亡",
                     "DISABILITY": "独生子女三级以上伤残", "NONE": "无子女条件"}
SPECIAL_CODES = ("SPECIAL_DEATH", "SPECIAL_DISABILITY")


@dataclass(frozen=True)
class ProgramRow:
    code: str
    name: str
    child_rule: str
    start_age: int
    age_of_wife: bool
    born_from: date | None
    requires_rural: bool
    builtin: bool
    active: bool
    version: int

    @cached_property   # asked once per line of an import
    def rule(self) -> ProgramRule:
        return ProgramRule(self.code, self.name, self.child_rule, self.start_age, self.age_of_wife,
                           self.born_from, self.requires_rural)

    @property
    def is_special(self) -> bool:
        return self.child_rule in ("DEATH", "DISABILITY")

    @property
    def public_name(self) -> str:
        """For public notices: never whether the child died or is disabled (DOMAIN.md §3)."""
        return "计划生育家庭特别扶助" if self.is_special else self.name


@dataclass(frozen=True)
class StandardRow:
    program_code: str
    year: int
    area: str
    amount: Decimal
    unit: str

    @property
    def yearly(self) -> Decimal:
        return self.amount * 12 if self.unit == "MONTH" else self.amount


def _row(p: SubsidyProgram) -> ProgramRow:
    return ProgramRow(p.code, p.name, p.child_rule, p.start_age, p.age_of_wife, p.born_from, p.requires_rural,
                      p.builtin, p.active, p.version)


def seed_defaults(session: Session) -> int:
    """Built-in programmes and national standards, added where missing (idempotent)."""
    have = set(session.execute(select(SubsidyProgram.code)).scalars())
    added = 0
    for code, name, rule, age, wife, rural in BUILTIN:
        if code not in have:
            session.add(SubsidyProgram(code=code, name=name, child_rule=rule, start_age=age, age_of_wife=wife,
                                       born_from=date(1933, 1, 1), requires_rural=rural, builtin=True))
            added += 1
    have_std = set(tuple(r) for r in session.execute(select(SubsidyStandard.program_code, SubsidyStandard.year, SubsidyStandard.area)).all())
    for code, year, area, amount, unit in DEFAULT_STANDARDS:
        if (code, year, area) not in have_std:
            session.add(SubsidyStandard(program_code=code, year=year, area=area, amount=Decimal(amount), unit=unit))
    session.flush()
    return added


def list_programs(session: Session, *, include_inactive: bool = False) -> list[ProgramRow]:
    q = select(SubsidyProgram).order_by(SubsidyProgram.builtin.desc(), SubsidyProgram.code)
    rows = [_row(p) for p in session.execute(q).scalars()]
    return rows if include_inactive else [r for r in rows if r.active]


def get_program(session: Session, code: str) -> ProgramRow:
    p = session.execute(select(SubsidyProgram).where(SubsidyProgram.code == code)).scalar_one_or_none()
    if p is None:
        names = "、".join(r.code for r in list_programs(session))
        raise DataError(f"没有扶助项目“{code}”。现有项目：{names}。")
    return _row(p)


def save_program(session: Session, actor: Actor, *, code: str, name: str, child_rule: str, start_age: int,
                 age_of_wife: bool = False, born_from: date | None = date(1933, 1, 1), requires_rural: bool = False,
                 active: bool = True, note: str = "", expected_version: int | None = None) -> ProgramRow:
    """Add a local programme (代码以 LOCAL_ 或 URBAN_ 开头) or change one; built-in rules keep their child rule."""
    actor.require(Permission.MANAGE_REFERENCE)
    code = (code or "").strip().upper()
    if not code or not code.replace("_", "").isalnum():
        raise DataError("项目代码只能由字母、数字和下划线组成，例如 LOCAL_CITY_REWARD。")
    if child_rule not in CHILD_RULE_LABELS:
        raise DataError(f"未知的子女条件“{child_rule}”。")
    if not 0 <= int(start_age) <= 120:
        raise DataError("起始年龄应在 0–120 岁之间。")
    if not (name or "").strip():
        raise DataError("项目名称不能为空。")
    p = session.execute(select(SubsidyProgram).where(SubsidyProgram.code == code)).scalar_one_or_none()
    if p is None:
        p = SubsidyProgram(code=code, builtin=False)
        session.add(p)
    else:
        if expected_version is not None and p.version != expected_version:
            from core.errors import StaleRecord
            raise StaleRecord(f"项目 {code} 已被其他人修改过，请刷新后再改。")
        if p.builtin and child_rule != p.child_rule:
            raise DataError(f"国家项目 {p.name} 的子女条件不能修改。")
    p.name, p.child_rule, p.start_age = name.strip(), child_rule, int(start_age)
    p.age_of_wife, p.born_from, p.requires_rural, p.active, p.note = age_of_wife, born_from, requires_rural, active, note
    session.flush()
    return _row(p)


def list_standards(session: Session, program_code: str | None = None) -> list[StandardRow]:
    q = select(SubsidyStandard).order_by(SubsidyStandard.program_code, SubsidyStandard.year, SubsidyStandard.area)
    if program_code:
        q = q.where(SubsidyStandard.program_code == program_code)
    return [StandardRow(s.program_code, s.year, s.area, s.amount, s.unit) for s in session.execute(q).scalars()]


def set_standard(session: Session, actor: Actor, program_code: str, year: int, area: str, amount: str | Decimal,
                 unit: str) -> StandardRow:
    actor.require(Permission.MANAGE_REFERENCE)
    get_program(session, program_code)
    if area not in AREA_LABELS or unit not in UNIT_LABELS:
        raise DataError("标准的地区类别或单位不对。")
    try:
        value = Decimal(str(amount).replace(",", "").strip())
    except InvalidOperation as e:
        raise DataError(f"金额“{amount}”不是数字。") from e
    if value < 0 or value != value.quantize(Decimal("0.01")):
        raise DataError(f"金额“{amount}”应为非负数，最多两位小数。")
    s = session.execute(select(SubsidyStandard).where(SubsidyStandard.program_code == program_code,
                                                      SubsidyStandard.year == year,
                                                      SubsidyStandard.area == area)).scalar_one_or_none()
    if s is None:
        s = SubsidyStandard(program_code=program_code, year=year, area=area)
        session.add(s)
    s.amount, s.unit = value, unit
    session.flush()
    return StandardRow(program_code, year, area, value, unit)


def yearly_amount(standards: list[StandardRow], program_code: str, year: int, hukou: str) -> Decimal | None:
    """The amount per person for a whole year: the newest standard row at or before ``year`` for the
    person's area (农业 → RURAL, otherwise URBAN), falling back to ALL."""
    area = "RURAL" if hukou == "农业" else "URBAN"
    best: dict[str, StandardRow] = {}
    for s in standards:
        if s.program_code == program_code and s.year <= year:
            if s.area not in best or s.year >= best[s.area].year:
                best[s.area] = s
    specific, general = best.get(area), best.get("ALL")
    if specific and (not general or specific.year >= general.year):
        return specific.yearly
    return general.yearly if general else None
