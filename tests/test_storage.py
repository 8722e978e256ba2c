"""Storage: schema versions, upgrade after backup, refusal of newer/foreign/damaged databases,
optimistic locking, audit rows in the same transaction."""
from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import func, select, text

from core import orgunits
from core.database import Database
from core.errors import DatabaseUnusable, DataError, StaleRecord
from db.models import AuditLog, OrgUnit
from db.schema import SchemaState, head_revision


def test_init_creates_current_schema_with_townships(db):
    assert db.schema().state is SchemaState.CURRENT
    with db.session() as s:
        units = orgunits.list_units(s)
    assert units[0].code == "220322" and units[0].name == "梨树县"
    towns = [u for u in units if u.level == 2]
    assert len(towns) == 24
    assert {"220322100", "梨树镇"} <= {t.code for t in towns} | {t.name for t in towns}


def test_every_record_has_uuid_version_and_who(db, admin):
    with db.session(admin) as s:
        u = orgunits.get_unit(s, "220322100")
        assert len(u.uuid) == 36 and u.version == 1 and u.created_by == "admin"
        u.name = "梨树镇（改）"
    with db.session(admin) as s:
        u = orgunits.get_unit(s, "220322100")
        assert u.version == 2 and u.updated_by == "admin"


def test_stale_save_is_refused(db, admin):
    with db.session(admin) as s1:
        stale = orgunits.get_unit(s1, "220322100")
        s1.expunge(stale)
    with db.session(admin) as s2:
        orgunits.get_unit(s2, "220322100").name = "先保存的名字"
    with pytest.raises(StaleRecord) as e:
        with db.session(admin) as s3:
            obj = s3.merge(stale, load=False)
            obj.name = "后保存的名字"
    assert "其他人修改" in str(e.value)
    with db.session() as s:
        assert orgunits.get_unit(s, "220322100").name == "先保存的名字"


def test_service_version_check_refuses_stale_rename(db, admin):
    with db.session(admin) as s:
        v = orgunits.get_unit(s, "220322100").version
        orgunits.rename_unit(s, admin, "220322100", "新名", expected_version=v)
    with pytest.raises(StaleRecord):
        with db.session(admin) as s:
            orgunits.rename_unit(s, admin, "220322100", "又一个名", expected_version=v)


def test_change_and_its_audit_row_commit_or_roll_back_together(db, admin):
    with db.session() as s:
        before = s.execute(select(func.count()).select_from(AuditLog)).scalar_one()
    with pytest.raises(RuntimeError):
        with db.session(admin) as s:
            orgunits.rename_unit(s, admin, "220322100", "不会保存")
            raise RuntimeError("crash mid-action")
    with db.session() as s:
        assert s.execute(select(func.count()).select_from(AuditLog)).scalar_one() == before
        assert orgunits.get_unit(s, "220322100").name == "梨树镇"
    with db.session(admin) as s:
        orgunits.rename_unit(s, admin, "220322100", "梨树镇新")
    with db.session() as s:
        row = s.execute(select(AuditLog).order_by(AuditLog.seq.desc())).scalars().first()
    assert row.action == "update" and row.actor == "admin"
    assert '"name": ["梨树镇", "梨树镇新"]' in row.changes


def test_write_without_actor_is_a_programming_error(db):
    with pytest.raises(RuntimeError):
        with db.session() as s:
            orgunits.get_unit(s, "220322100").name = "x"


def test_older_database_is_backed_up_then_upgraded(tmp_path, monkeypatch):
    """A database at an older revision: opening it backs it up and upgrades it (simulated by a
    fake newer head on top of the real chain)."""
    path = tmp_path / "old.sqlite"
    db = Database.connect(path, create=True)
    from core.access import Actor
    from core.installation import initialise
    initialise(db, Actor.command_line(), "220322")
    old_rev = db.schema().revision
    # Pretend the program now has one more migration than the database.
    versions = tmp_path / "migrations"
    import shutil
    from db import schema
    shutil.copytree(schema.migrations_dir(), versions)
    (versions / "versions" / "9999_test.py").write_text(
        "revision='9999_test'\ndown_revision=%r\nbranch_labels=None\ndepends_on=None\n"
        "from alembic import op\nimport sqlalchemy as sa\n"
        "def upgrade():\n    op.add_column('setting', sa.Column('extra', sa.String(10), nullable=True))\n"
        "def downgrade():\n    pass\n" % old_rev, encoding="utf-8")
    monkeypatch.setattr(schema, "migrations_dir", lambda: versions)
    assert db.schema().state is SchemaState.OLDER
    info = db.ensure_current(backup_dir=tmp_path / "bk")
    assert info.state is SchemaState.CURRENT and info.revision == "9999_test"
    backups = list((tmp_path / "bk").glob("*.wjbak"))
    assert len(backups) == 1 and old_rev in backups[0].name
    with db.engine.connect() as c:
        cols = [r[1] for r in c.exec_driver_sql("PRAGMA table_info(setting)")]
    assert "extra" in cols


def test_newer_database_is_refused_untouched(db):
    with db.engine.begin() as c:
        c.execute(text("UPDATE alembic_version SET version_num = 'from_the_future'"))
    with pytest.raises(DatabaseUnusable) as e:
        db.ensure_current()
    assert "更新版本" in str(e.value)
    with db.engine.connect() as c:
        assert c.execute(text("SELECT version_num FROM alembic_version")).scalar() == "from_the_future"


def test_damaged_sqlite_file_gives_a_message(tmp_path):
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"this is not a database" * 100)
    with pytest.raises(DatabaseUnusable) as e:
        Database.connect(bad)
    assert "损坏" in str(e.value) and str(bad) in str(e.value)


def test_truncated_sqlite_file_gives_a_message(tmp_path, admin):
    path = tmp_path / "t.sqlite"
    db = Database.connect(path, create=True)
    from core.installation import initialise
    initialise(db, admin, "220322")
    db.dispose()
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    for ext in ("-wal", "-shm"):
        (tmp_path / f"t.sqlite{ext}").unlink(missing_ok=True)
    with pytest.raises(DatabaseUnusable) as e:
        Database.connect(path)
    assert "损坏" in str(e.value)


def test_missing_file_is_not_created_silently(tmp_path):
    with pytest.raises(DatabaseUnusable) as e:
        Database.connect(tmp_path / "nothing.sqlite")
    assert "不存在" in str(e.value)
    assert not (tmp_path / "nothing.sqlite").exists()


def test_sqlite_is_tuned(db):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite pragmas")
    with db.engine.connect() as c:
        assert c.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert c.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert c.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_integrity_error_becomes_chinese_and_nothing_is_kept(db, admin):
    with pytest.raises(DataError):
        with db.session(admin) as s:
            s.add(OrgUnit(code="220322100", name="重复", level=2))
            s.flush()
    with db.session() as s:
        assert s.execute(select(func.count()).select_from(OrgUnit).where(OrgUnit.name == "重复")).scalar_one() == 0


def test_head_revision_is_the_schema_of_the_models(db):
    assert db.schema().revision == head_revision()


def test_migrations_match_the_models(db):
    """A model change without a migration fails here (run scripts/new_migration.sh)."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from db.models import Base
    with db.engine.connect() as c:
        diff = compare_metadata(MigrationContext.configure(c), Base.metadata)
    assert diff == []
