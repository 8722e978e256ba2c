"""Creating and checking an installation: `init` and `check` (DESIGN.md CLI contract)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import func, inspect, select, text

from core import audit, orgunits, settings
from core.access import Actor, Permission
from core.database import Database, describe_url
from core.divisions import catalogue
from core.errors import DataError, UsageError
from db.base import Base
from db.schema import SchemaState


@dataclass
class InitResult:
    county_code: str
    county_name: str
    township_code: str | None
    townships_added: int
    created: bool          # False: the database existed and was only checked/upgraded
    schema_revision: str
    warnings: list[str] = field(default_factory=list)


def validate_county(code: str, name: str | None) -> tuple[str, list[str]]:
    """The county's name for a 6-digit GB/T 2260 code; unknown codes need a name (codes change)."""
    code = (code or "").strip()
    if not re.fullmatch(r"\d{6}", code):
        raise UsageError(f"县（区）代码“{code}”不对：应为 6 位数字的 GB/T 2260 代码，例如 220322（梨树县）。")
    if code.endswith("00"):
        raise UsageError(f"“{code}”是省或市的代码，不是县（区）代码。")
    cat = catalogue()
    info = cat.county(code)
    warnings = []
    if info is None:
        if not cat.province_exists(code):
            raise UsageError(f"县（区）代码“{code}”的前两位 {code[:2]} 不是任何省份的代码。")
        if not name:
            raise UsageError(f"{cat.edition} 年版区划代码中没有县（区）代码 {code}；如确属新设，请用 --county-name 给出名称。")
        warnings.append(f"{cat.edition} 年版区划代码中没有 {code}，按新设县（区）“{name}”处理，乡镇需自行导入。")
        return name.strip(), warnings
    if name and name.strip() != info.name:
        raise UsageError(f"县（区）代码 {code} 在区划代码中是“{info.name}”，与填写的“{name}”不一致。")
    return info.name, warnings


def initialise(db: Database, actor: Actor, county_code: str, county_name: str | None = None,
               township_code: str | None = None, *, fill_townships: bool = True, demo: bool = False) -> InitResult:
    """Create (or upgrade) a database for one county, optionally as a township installation."""
    actor.require(Permission.MANAGE_REFERENCE)
    if demo:  # the demo county's code is outside every province on purpose
        name, warnings = county_name or county_code, []
    else:
        name, warnings = validate_county(county_code, county_name)
    info = db.schema()
    if info.state is SchemaState.EMPTY:
        db.create_schema()
        created = True
    else:
        info = db.ensure_current()
        created = False
    cat = catalogue()
    with db.session(actor) as session:
        existing = orgunits.county(session)
        if existing is not None and existing.code != county_code:
            raise DataError(f"此数据库属于 {existing.code} {existing.name}，不能再初始化为 {county_code} {name}。")
        existing_town = settings.get(session, "installation.township_code")
        if township_code and existing_town and existing_town != township_code:
            raise DataError(f"此数据库是乡镇 {existing_town} 的安装，不能改为 {township_code}。")
        added = 0
        if existing is None:
            orgunits.add_unit(session, actor, county_code, name, edition=cat.edition if cat.county(county_code) else None)
            settings.store(session, "installation.county_code", county_code)
            settings.store(session, "installation.county_name", name)
            settings.store(session, "installation.is_demo", demo)
            settings.store(session, "divisions.edition", cat.edition)
            if fill_townships:
                for t in cat.townships_of(county_code):
                    orgunits.add_unit(session, actor, t.code, t.name, county_code, edition=cat.edition)
                    added += 1
        if township_code:
            township_code = township_code.strip()
            if not re.fullmatch(r"\d{9}", township_code) or not township_code.startswith(county_code):
                raise UsageError(f"乡镇（街道）代码“{township_code}”应为 9 位数字，并以县代码 {county_code} 开头。")
            if orgunits.get_unit(session, township_code) is None:
                raise DataError(f"本县没有乡镇（街道）{township_code}；请先导入该乡镇，或检查代码。")
            settings.store(session, "installation.township_code", township_code)
        from core.subsidy.programmes import seed_defaults
        seed_defaults(session)  # built-in programmes and national standards, where missing
        from core.mch.elements import seed_elements
        seed_elements(session)  # the maternal-child data set of DOMAIN.md §4, where missing
        from core.mch.rules import seed_rules
        seed_rules(session)  # the validation rules of DOMAIN.md §4, where missing
        from core.supervision.working_days import seed_holidays
        seed_holidays(session)  # shipped holiday calendars (resources/holidays), for years the database lacks
        if created:
            audit.record_event(session, "init", f"{county_code} {name}",
                               {"township_code": township_code, "townships_added": added})
    return InitResult(county_code, name, township_code or existing_town, added, created, db.schema().revision or "", warnings)


def is_initialised(db: Database) -> bool:
    if db.schema().state is not SchemaState.CURRENT:
        return False
    with db.session() as session:
        return orgunits.county(session) is not None


def check(db: Database) -> dict:
    """`check`: integrity, schema version, record counts, the audit chain. ``ok`` false on any problem."""
    problems: list[str] = []
    db.check_readable()  # raises DatabaseUnusable with a message when damaged
    info = db.schema()
    if info.state is not SchemaState.CURRENT:
        problems.append({
            SchemaState.EMPTY: "数据库是空的，尚未初始化（请运行 init）。",
            SchemaState.OLDER: f"数据库架构版本 {info.revision} 较旧，打开时将自动备份后升级到 {info.head}。",
            SchemaState.NEWER: f"数据库由更新版本的程序创建（{info.revision}），本程序不能使用。",
            SchemaState.FOREIGN: "这不是卫健台账的数据库。",
        }[info.state])
        return {"ok": False, "database": describe_url(db.url), "backend": db.engine.dialect.name,
                "schema_revision": info.revision, "program_schema": info.head, "problems": problems, "counts": {}}
    counts: dict[str, int] = {}
    with db.session() as session:
        present = set(inspect(session.connection()).get_table_names())
        for table in Base.metadata.sorted_tables:
            if table.name in present:
                counts[table.name] = session.execute(select(func.count()).select_from(table)).scalar_one()
        if db.engine.dialect.name == "sqlite":
            res = [r[0] for r in session.execute(text("PRAGMA integrity_check")).fetchall()]
            if res != ["ok"]:
                problems.append("SQLite 完整性检查发现问题：" + "；".join(res[:5]))
            fk = session.execute(text("PRAGMA foreign_key_check")).fetchall()
            if fk:
                problems.append(f"有 {len(fk)} 条记录引用了不存在的上级记录。")
        chain = audit.verify_chain(session)
        problems.extend(p.message for p in chain)
        county = orgunits.county(session)
        town = settings.get(session, "installation.township_code")
        demo = settings.get(session, "installation.is_demo")
    return {
        "ok": not problems,
        "database": describe_url(db.url),
        "backend": db.engine.dialect.name,
        "schema_revision": info.revision,
        "program_schema": info.head,
        "county": {"code": county.code, "name": county.name} if county else None,
        "township_code": town,
        "demo": bool(demo),
        "counts": counts,
        "audit_chain_ok": not chain,
        "problems": problems,
    }
