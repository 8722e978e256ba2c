"""Schema versions: create, upgrade (after a backup), and refuse a database from a newer program."""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect


def migrations_dir() -> Path:
    import sys
    if getattr(sys, "frozen", False):
        return Path(getattr(sys, "_MEIPASS")) / "db" / "migrations"
    return Path(__file__).resolve().parent / "migrations"


def alembic_config(connection=None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.attributes["connection"] = connection
    return cfg


def script_directory() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    return script_directory().get_current_head()


class SchemaState(str, Enum):
    EMPTY = "empty"        # no tables: needs `init`
    CURRENT = "current"
    OLDER = "older"        # upgrade needed (after a backup)
    NEWER = "newer"        # written by a newer program: refuse
    FOREIGN = "foreign"    # tables but not ours


@dataclass
class SchemaInfo:
    state: SchemaState
    revision: str | None
    head: str


def inspect_schema(engine: Engine) -> SchemaInfo:
    head = head_revision()
    with engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
        if not tables:
            return SchemaInfo(SchemaState.EMPTY, None, head)
        if "alembic_version" not in tables:
            return SchemaInfo(SchemaState.FOREIGN, None, head)
        rev = MigrationContext.configure(conn).get_current_revision()
    if rev is None:
        return SchemaInfo(SchemaState.EMPTY if tables == {"alembic_version"} else SchemaState.FOREIGN, None, head)
    if rev == head:
        return SchemaInfo(SchemaState.CURRENT, rev, head)
    known = {s.revision for s in script_directory().walk_revisions()}
    return SchemaInfo(SchemaState.OLDER if rev in known else SchemaState.NEWER, rev, head)


def upgrade(engine: Engine, revision: str = "head") -> None:
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), revision)
