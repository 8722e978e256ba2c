"""Org units (DOMAIN.md §1): county → township → village. Add, rename, move, close, import."""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import settings
from core.access import Actor, Permission
from core.errors import DataError, PermissionDenied
from db.models.orgunits import OrgUnit

LEVEL_NAMES = {1: "县（区）", 2: "乡镇（街道）", 3: "村（居）委会"}
CODE_LENGTH = {1: 6, 2: 9, 3: 12}
LEVEL_OF_LENGTH = {6: 1, 9: 2, 12: 3}


@dataclass(frozen=True)
class UnitRow:
    """A unit as screens and returns see it (no live ORM object leaves a session)."""
    id: int
    code: str
    name: str
    level: int
    parent_code: str | None
    closed_on: date | None
    code_edition: int | None
    version: int

    @property
    def level_name(self) -> str:
        return LEVEL_NAMES[self.level]

    @property
    def status(self) -> str:
        return "正常" if self.closed_on is None else f"已撤销（{self.closed_on.isoformat()}）"


def _row(u: OrgUnit, parent_code: str | None) -> UnitRow:
    return UnitRow(u.id, u.code, u.name, u.level, parent_code, u.closed_on, u.code_edition, u.version)


def validate_code(code: str, level: int | None = None) -> int:
    """The level a code's length implies; a Chinese message when it is not a division code."""
    if not re.fullmatch(r"\d+", code or ""):
        raise DataError(f"代码“{code}”只能由数字组成。")
    lvl = LEVEL_OF_LENGTH.get(len(code))
    if lvl is None:
        raise DataError(f"代码“{code}”的位数不对：县（区）6 位，乡镇（街道）9 位，村（居）12 位。")
    if level is not None and lvl != level:
        raise DataError(f"代码“{code}”是{LEVEL_NAMES[lvl]}代码，这里需要{LEVEL_NAMES[level]}代码（{CODE_LENGTH[level]} 位）。")
    return lvl


def get_unit(session: Session, code: str) -> OrgUnit | None:
    return session.execute(select(OrgUnit).where(OrgUnit.code == code)).scalar_one_or_none()


def county(session: Session) -> OrgUnit | None:
    return session.execute(select(OrgUnit).where(OrgUnit.level == 1).order_by(OrgUnit.id)).scalars().first()


def installation_townships(session: Session) -> frozenset[str] | None:
    """A township installation sees only its township; a county installation sees all."""
    code = settings.get(session, "installation.township_code")
    return frozenset({code}) if code else None


def list_units(session: Session, *, include_closed: bool = True, under: str | None = None) -> list[UnitRow]:
    """All units in code order (a county has at most a few thousand), optionally one subtree."""
    units = session.execute(select(OrgUnit).order_by(OrgUnit.code)).scalars().all()
    by_id = {u.id: u for u in units}
    scope = installation_townships(session)
    out = []
    for u in units:
        if not include_closed and u.closed_on is not None:
            continue
        if under and not u.code.startswith(under):
            continue
        if scope and u.level > 1 and u.code[:9] not in scope:
            continue
        parent = by_id.get(u.parent_id)
        out.append(_row(u, parent.code if parent else None))
    return out


def townships(session: Session, *, include_closed: bool = False) -> list[UnitRow]:
    return [u for u in list_units(session, include_closed=include_closed) if u.level == 2]


def _require_edit(actor: Actor, code: str) -> None:
    actor.require(Permission.MANAGE_REFERENCE)
    if len(code) >= 9:
        actor.require_township(code)


def _check_scope(session: Session, code: str) -> None:
    scope = installation_townships(session)
    if scope and len(code) >= 9 and code[:9] not in scope:
        raise PermissionDenied(f"本安装只管理乡镇（街道）{next(iter(scope))}，不能修改 {code}。")


def add_unit(session: Session, actor: Actor, code: str, name: str, parent_code: str | None = None,
             *, edition: int | None = None) -> UnitRow:
    code, name = (code or "").strip(), (name or "").strip()
    level = validate_code(code)
    _require_edit(actor, code)
    _check_scope(session, code)
    if not name:
        raise DataError(f"单位 {code} 的名称不能为空。")
    if len(name) > 100:
        raise DataError(f"单位 {code} 的名称太长（最多 100 个字）。")
    if get_unit(session, code) is not None:
        raise DataError(f"代码 {code} 已经存在，不能重复添加。")
    parent = None
    if level > 1:
        parent_code = parent_code or code[: CODE_LENGTH[level - 1]]
        parent = get_unit(session, parent_code)
        if parent is None:
            raise DataError(f"单位 {code} {name} 的上级 {parent_code} 不存在。")
        if parent.level != level - 1:
            raise DataError(f"单位 {code} 的上级 {parent_code} 是{LEVEL_NAMES[parent.level]}，应为{LEVEL_NAMES[level - 1]}。")
        if parent.closed_on is not None:
            raise DataError(f"上级单位 {parent.code} {parent.name} 已撤销，不能在其下添加单位。")
    elif county(session) is not None:
        raise DataError("本安装已有一个县（区），一个安装只属于一个县。")
    unit = OrgUnit(code=code, name=name, level=level, parent=parent,
                   code_edition=edition or settings.get(session, "divisions.edition"))
    session.add(unit)
    session.flush()
    return _row(unit, parent.code if parent else None)


def _existing(session: Session, code: str) -> OrgUnit:
    unit = get_unit(session, code)
    if unit is None:
        raise DataError(f"代码 {code} 的单位不存在。")
    return unit


def rename_unit(session: Session, actor: Actor, code: str, new_name: str, *, expected_version: int | None = None) -> UnitRow:
    _require_edit(actor, code)
    _check_scope(session, code)
    new_name = (new_name or "").strip()
    if not new_name:
        raise DataError(f"单位 {code} 的名称不能为空。")
    unit = _existing(session, code)
    _check_version(unit, expected_version)
    unit.name = new_name
    session.flush()
    return _row(unit, unit.parent.code if unit.parent else None)


def move_unit(session: Session, actor: Actor, code: str, new_parent_code: str, *, expected_version: int | None = None) -> UnitRow:
    """Put a village under another township (its code stays: records keep the code they were entered under)."""
    _require_edit(actor, code)
    _require_edit(actor, new_parent_code)
    _check_scope(session, code)
    _check_scope(session, new_parent_code)
    unit = _existing(session, code)
    _check_version(unit, expected_version)
    parent = _existing(session, new_parent_code)
    if unit.level == 1:
        raise DataError("县（区）没有上级，不能移动。")
    if parent.level != unit.level - 1:
        raise DataError(f"{unit.name} 只能放在{LEVEL_NAMES[unit.level - 1]}之下，{parent.name} 是{LEVEL_NAMES[parent.level]}。")
    if parent.closed_on is not None:
        raise DataError(f"{parent.name} 已撤销，不能把单位移到它下面。")
    unit.parent = parent
    session.flush()
    return _row(unit, parent.code)


def close_unit(session: Session, actor: Actor, code: str, on: date, *, merged_into: str | None = None,
               expected_version: int | None = None) -> UnitRow:
    """Close (撤销/合并) a unit: it stays in history; open children must be moved or closed first."""
    _require_edit(actor, code)
    _check_scope(session, code)
    unit = _existing(session, code)
    _check_version(unit, expected_version)
    if unit.level == 1:
        raise DataError("不能撤销本县（区）。")
    if unit.closed_on is not None:
        raise DataError(f"{unit.name} 已于 {unit.closed_on} 撤销。")
    open_children = [c for c in unit.children if c.closed_on is None]
    if open_children:
        names = "、".join(c.name for c in open_children[:5])
        raise DataError(f"{unit.name} 下还有 {len(open_children)} 个未撤销的单位（{names}…），请先移走或撤销。")
    if merged_into:
        target = _existing(session, merged_into)
        if target.level != unit.level or target.closed_on is not None:
            raise DataError(f"合并到的单位 {merged_into} 必须是同级且未撤销的单位。")
    unit.closed_on = on
    unit.merged_into_code = merged_into
    session.flush()
    return _row(unit, unit.parent.code if unit.parent else None)


def reopen_unit(session: Session, actor: Actor, code: str) -> UnitRow:
    _require_edit(actor, code)
    unit = _existing(session, code)
    unit.closed_on = None
    unit.merged_into_code = None
    session.flush()
    return _row(unit, unit.parent.code if unit.parent else None)


def _check_version(unit: OrgUnit, expected: int | None) -> None:
    if expected is not None and unit.version != expected:
        from core.errors import StaleRecord
        raise StaleRecord(f"{unit.name} 已被其他人修改过，本次修改未生效。请刷新后再改。")


# -- CSV import -------------------------------------------------------------------------------

@dataclass
class OrgImportResult:
    read: int = 0
    added: int = 0
    renamed: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)


def _read_csv_text(path: Path) -> str:
    raw = path.read_bytes()
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    raise DataError(f"{path.name} 不是 UTF-8 或 GBK 编码的 CSV 文件。")


def import_csv(session: Session, actor: Actor, path: Path) -> OrgImportResult:
    """``orgunits import FILE.csv`` — columns code,name[,parent_code]. All or nothing: any bad row
    refuses the whole file with every problem listed by line."""
    actor.require(Permission.MANAGE_REFERENCE)
    try:
        text = _read_csv_text(path)
    except OSError as e:
        raise DataError(f"无法读取文件 {path}：{e.strerror or e}") from e
    reader = csv.reader(io.StringIO(text))
    header = [h.strip().lower() for h in next(reader, [])]
    aliases = {"code": {"code", "代码", "编码"}, "name": {"name", "名称"}, "parent_code": {"parent_code", "上级代码"}}
    cols = {}
    for key, names in aliases.items():
        for i, h in enumerate(header):
            if h in names:
                cols[key] = i
    if "code" not in cols or "name" not in cols:
        raise DataError(f"{path.name} 的第一行应为列名 code,name[,parent_code]，实际是：{','.join(header) or '（空）'}。")
    result = OrgImportResult()
    rows: list[tuple[int, str, str, str | None]] = []
    seen: dict[str, int] = {}
    for lineno, rec in enumerate(reader, start=2):
        if not any(c.strip() for c in rec):
            continue
        result.read += 1
        get = lambda k: rec[cols[k]].strip() if k in cols and cols[k] < len(rec) else ""  # noqa: E731
        code, name, parent = get("code"), get("name"), get("parent_code") or None
        try:
            validate_code(code)
        except DataError as e:
            result.errors.append(f"第 {lineno} 行：{e}")
            continue
        if not name:
            result.errors.append(f"第 {lineno} 行：代码 {code} 没有名称。")
            continue
        if code in seen:
            result.errors.append(f"第 {lineno} 行：代码 {code} 与第 {seen[code]} 行重复。")
            continue
        seen[code] = lineno
        rows.append((lineno, code, name, parent))
    file_codes = {code for _, code, _, _ in rows}
    for lineno, code, name, parent in rows:
        level = LEVEL_OF_LENGTH[len(code)]
        if level == 1:
            existing_county = county(session)
            if existing_county is not None and existing_county.code != code:
                result.errors.append(f"第 {lineno} 行：本安装属于 {existing_county.code} {existing_county.name}，不能导入另一个县 {code}。")
            continue
        parent_code = parent or code[: CODE_LENGTH[level - 1]]
        if len(parent_code) != CODE_LENGTH[level - 1]:
            result.errors.append(f"第 {lineno} 行：{code} 的上级代码 {parent_code} 应为 {CODE_LENGTH[level - 1]} 位。")
        elif parent_code not in file_codes and get_unit(session, parent_code) is None:
            result.errors.append(f"第 {lineno} 行：{code} {name} 的上级 {parent_code} 既不在文件中也不在数据库中。")
        else:
            try:
                _check_scope(session, code)
                actor.require_township(code)
            except PermissionDenied as e:
                result.errors.append(f"第 {lineno} 行：{e}")
    if result.errors:
        raise DataError(f"{path.name} 有 {len(result.errors)} 处错误，未导入任何单位。", details=result.errors)
    for lineno, code, name, parent in sorted(rows, key=lambda r: len(r[1])):
        unit = get_unit(session, code)
        if unit is None:
            add_unit(session, actor, code, name, parent)
            result.added += 1
        elif unit.name != name:
            unit.name = name
            result.renamed += 1
        else:
            result.unchanged += 1
        if unit is not None and parent and (unit.parent is None or unit.parent.code != parent):
            move_unit(session, actor, code, parent)
    session.flush()
    return result
