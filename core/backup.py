"""Backup and restore, the same on SQLite and PostgreSQL (a backup from one restores into the other).

A backup is a zip: ``manifest.json`` (format, schema revision, when, row counts, a SHA-256 per table)
and one JSON-lines file per table. Restore checks every checksum first, keeps a safety backup of the
database it replaces, then rebuilds the schema at the backup's revision, loads the rows and upgrades
to the current schema — in one transaction, so a failure leaves the database as it was.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

from alembic import command
from sqlalchemy import Boolean, Date, DateTime, MetaData, Numeric, select, text

from core import audit
from core.access import Actor, Permission
from core.database import Database
from core.errors import DataError
from core.paths import backups_dir
from db.base import utcnow
from db.schema import SchemaState, alembic_config, script_directory

FORMAT = "weijian-backup"
FORMAT_VERSION = 1
SKIP_TABLES = {"alembic_version"}


def _encode(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    return value


def _decode(value: Any, column) -> Any:
    if value is None:
        return None
    t = column.type
    if isinstance(t, DateTime):
        return datetime.fromisoformat(value)
    if isinstance(t, Date):
        return date.fromisoformat(value)
    if isinstance(t, Numeric) and not getattr(t, "asdecimal", True) is False:
        return Decimal(value) if isinstance(value, str) else value
    if isinstance(t, Boolean):
        return bool(value)
    return value


def _reflect(conn) -> MetaData:
    md = MetaData()
    md.reflect(conn)
    return md


def write_backup(db: Database, out: Path, progress: Callable[[str], None] | None = None) -> dict:
    """Dump every table (reflected: works for an older schema too) into ``out`` atomically."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    manifest: dict[str, Any] = {"format": FORMAT, "format_version": FORMAT_VERSION, "created_at": utcnow().isoformat(),
                                "backend": db.engine.dialect.name, "tables": {}}
    try:
        with db.engine.connect() as conn, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
            # One read transaction: a consistent snapshot on PostgreSQL (REPEATABLE READ) and SQLite.
            if db.engine.dialect.name == "postgresql":
                conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            md = _reflect(conn)
            rev = conn.execute(text("SELECT version_num FROM alembic_version")).scalar() if "alembic_version" in md.tables else None
            manifest["schema_revision"] = rev
            for table in md.sorted_tables:
                if table.name in SKIP_TABLES:
                    continue
                if progress:
                    progress(table.name)
                digest = hashlib.sha256()
                n = 0
                pk = list(table.primary_key.columns)
                with zf.open(f"tables/{table.name}.jsonl", "w") as f:
                    for row in conn.execute(select(table).order_by(*pk)).mappings():
                        line = (json.dumps({k: _encode(v) for k, v in row.items()}, ensure_ascii=False) + "\n").encode()
                        digest.update(line)
                        f.write(line)
                        n += 1
                manifest["tables"][table.name] = {"rows": n, "sha256": digest.hexdigest()}
            zf.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return manifest


def backup(db: Database, actor: Actor, out: Path) -> dict:
    actor.require(Permission.BACKUP)
    manifest = write_backup(db, out)
    with db.session(actor) as session:
        audit.record_event(session, "backup", str(out), {"tables": {k: v["rows"] for k, v in manifest["tables"].items()}})
    return manifest


def backup_before_upgrade(db: Database, revision: str | None, folder: Path | None = None) -> Path:
    folder = folder or backups_dir()
    out = Path(folder) / f"升级前备份-{revision or 'unknown'}-{utcnow():%Y%m%d-%H%M%S}.wjbak"
    write_backup(db, out)
    return out


def read_manifest(path: Path) -> tuple[zipfile.ZipFile, dict]:
    try:
        zf = zipfile.ZipFile(path)
        manifest = json.loads(zf.read("manifest.json"))
    except FileNotFoundError as e:
        raise DataError(f"备份文件不存在：{path}") from e
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as e:
        raise DataError(f"{Path(path).name} 不是卫健台账的备份文件，或文件已损坏。数据库未做任何改动。") from e
    if manifest.get("format") != FORMAT:
        raise DataError(f"{Path(path).name} 不是卫健台账的备份文件。数据库未做任何改动。")
    if manifest.get("format_version", 0) > FORMAT_VERSION:
        raise DataError("此备份由更新版本的程序制作，请先升级程序。数据库未做任何改动。")
    return zf, manifest


def _verified_rows(zf: zipfile.ZipFile, manifest: dict) -> dict[str, list[dict]]:
    tables: dict[str, list[dict]] = {}
    for name, meta in manifest["tables"].items():
        try:
            raw = zf.read(f"tables/{name}.jsonl")
        except (KeyError, zipfile.BadZipFile, OSError) as e:
            raise DataError(f"备份文件已损坏：缺少或无法读取表 {name}。数据库未做任何改动。") from e
        if hashlib.sha256(raw).hexdigest() != meta["sha256"]:
            raise DataError(f"备份文件已损坏：表 {name} 的校验和不符。数据库未做任何改动。")
        rows = [json.loads(line) for line in io.BytesIO(raw) if line.strip()]
        if len(rows) != meta["rows"]:
            raise DataError(f"备份文件已损坏：表 {name} 的行数不符。数据库未做任何改动。")
        tables[name] = rows
    return tables


def _parents_first(rows: list[dict], table) -> list[dict]:
    """Rows of a self-referencing table ordered so every parent precedes its children."""
    self_fks = [fk for fk in table.foreign_keys if fk.column.table.name == table.name]
    if not self_fks:
        return rows
    col, ref = self_fks[0].parent.name, self_fks[0].column.name
    placed, out, pending = set(), [], rows
    while pending:
        nxt = [r for r in pending if r.get(col) is None or r[col] in placed]
        if not nxt:
            raise DataError(f"备份文件中表 {table.name} 的上下级关系有循环，无法恢复。")
        for r in nxt:
            placed.add(r[ref])
            out.append(r)
        ids = {id(r) for r in nxt}
        pending = [r for r in pending if id(r) not in ids]
    return out


def restore(db: Database, actor: Actor, path: Path, *, safety_dir: Path | None = None) -> dict:
    """Replace the database's content with the backup's. Returns counts and the safety backup path."""
    actor.require(Permission.BACKUP)
    zf, manifest = read_manifest(Path(path))
    with zf:
        rev = manifest.get("schema_revision")
        known = {s.revision for s in script_directory().walk_revisions()}
        if rev not in known:
            raise DataError(f"此备份的数据库版本（{rev}）比本程序新或不认识，请先升级程序。数据库未做任何改动。")
        tables = _verified_rows(zf, manifest)
    safety = None
    if db.schema().state is not SchemaState.EMPTY:
        safety = Path(safety_dir or backups_dir()) / f"恢复前备份-{utcnow():%Y%m%d-%H%M%S}.wjbak"
        write_backup(db, safety)
    with db.engine.begin() as conn:
        _reflect(conn).drop_all(conn)
        conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        command.upgrade(alembic_config(conn), rev)
        md = _reflect(conn)
        for table in md.sorted_tables:
            rows = tables.get(table.name)
            if not rows:
                continue
            cols = table.columns
            decoded = [{k: _decode(v, cols[k]) for k, v in r.items() if k in cols} for r in _parents_first(rows, table)]
            for i in range(0, len(decoded), 5000):
                conn.execute(table.insert(), decoded[i:i + 5000])
            if conn.dialect.name == "postgresql" and "id" in cols and cols["id"].autoincrement:
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                  f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"))
        command.upgrade(alembic_config(conn), "head")
    with db.session(actor) as session:
        audit.record_event(session, "restore", str(path), {"from_revision": rev, "safety_backup": str(safety) if safety else None})
    return {"restored_from": str(path), "schema_revision": rev, "safety_backup": str(safety) if safety else None,
            "tables": {k: v["rows"] for k, v in manifest["tables"].items()}}
