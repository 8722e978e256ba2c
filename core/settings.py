"""Installation settings kept in the database, declared once here with their defaults."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.access import Actor, Permission
from core.errors import DataError
from core.returns.model import StatHeader
from db.models.settings import Setting


@dataclass(frozen=True)
class SettingDef:
    key: str
    default: Any
    label: str


HEADER_FIELDS: list[tuple[str, str]] = [
    ("issuing_authority", "制定机关"),
    ("approval_no", "批准机关/文号"),
    ("valid_until", "有效期至"),
    ("reporting_unit", "填报单位"),
    ("unit_head", "单位负责人"),
    ("stats_head", "统计负责人"),
    ("preparer", "填表人"),
    ("phone", "联系电话"),
]

DEFS: dict[str, SettingDef] = {d.key: d for d in [
    SettingDef("installation.county_code", None, "县（区）代码"),
    SettingDef("installation.county_name", None, "县（区）名称"),
    SettingDef("installation.township_code", None, "乡镇安装：本乡镇代码"),
    SettingDef("installation.is_demo", False, "演示数据库"),
    SettingDef("divisions.edition", 2022, "区划代码版本"),
    SettingDef("returns.header", {}, "报表表头表尾"),
    SettingDef("returns.table_no", {}, "各报表表号"),
    SettingDef("login.max_failures", 5, "连续登录失败几次后锁定"),
    SettingDef("login.lock_minutes", 15, "锁定分钟数"),
]}


def get(session: Session, key: str) -> Any:
    definition = DEFS[key]
    row = session.execute(select(Setting.value).where(Setting.key == key)).scalar_one_or_none()
    return definition.default if row is None else json.loads(row)


def put(session: Session, actor: Actor, key: str, value: Any) -> None:
    """Change a setting (administrators only)."""
    actor.require(Permission.MANAGE_REFERENCE)
    store(session, key, value)


def store(session: Session, key: str, value: Any) -> None:
    """Write without a role check: for services that checked their own permission already."""
    if key not in DEFS:
        raise DataError(f"未知的设置项：{key}")
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    row = session.execute(select(Setting).where(Setting.key == key)).scalar_one_or_none()
    if row is None:
        session.add(Setting(key=key, value=text))
    elif row.value != text:
        row.value = text
    session.flush()


def stat_header(session: Session, return_id: str) -> StatHeader:
    """The statistical header/footer for one return, from this installation's settings."""
    fields = dict(get(session, "returns.header") or {})
    table_no = (get(session, "returns.table_no") or {}).get(return_id, "")
    if not fields.get("reporting_unit"):
        name = get(session, "installation.county_name")
        fields["reporting_unit"] = f"{name}卫生健康局" if name else ""
    known = {k for k, _ in HEADER_FIELDS}
    return StatHeader(table_no=table_no, **{k: str(v) for k, v in fields.items() if k in known})
