"""Shared fixtures: a fresh database per test on SQLite, and on PostgreSQL too when
TEST_DATABASE_URL is set (scripts/test.sh starts a throwaway server and sets it)."""
from __future__ import annotations

import os
import sys
import uuid

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # no display in CI: pytest would abort (exit 134)

import pytest
from sqlalchemy import create_engine, text

from core.access import Actor, Role

PG_URL = os.environ.get("TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


@pytest.fixture(autouse=True)
def _data_dir(tmp_path, monkeypatch):
    """Every test gets its own data folder (backups, logs, local settings)."""
    monkeypatch.setenv("WEIJIAN_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("WEIJIAN_DB", raising=False)


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path):
    if request.param == "sqlite":
        yield str(tmp_path / "test.sqlite")
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    _drop_schema(admin, schema)
    admin.dispose()


def _drop_schema(admin, schema: str) -> None:
    """A screen's background read may still be using the schema for a moment after its test (seen as a
    deadlock with DROP SCHEMA): retry after a short pause."""
    import time
    from sqlalchemy.exc import OperationalError
    for attempt in range(5):
        try:
            with admin.connect() as c:
                c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            return
        except OperationalError:
            if attempt == 4:
                raise
            time.sleep(0.5)


@pytest.fixture
def empty_db(db_url):
    from core.database import Database
    db = Database.connect(db_url, create=True)
    yield db
    if "gui.operations" in sys.modules:   # let screens' background work finish before the data goes
        sys.modules["gui.operations"].wait_for_all(10_000)
    db.dispose()


@pytest.fixture
def admin() -> Actor:
    return Actor("admin", "管理员", Role.ADMIN)


@pytest.fixture
def clerk() -> Actor:
    return Actor("clerk", "录入员", Role.CLERK)


@pytest.fixture
def supervisor() -> Actor:
    return Actor("super", "审核员", Role.SUPERVISOR)


@pytest.fixture
def db(empty_db, admin):
    """梨树县 (220322) with its 24 townships from the shipped division codes."""
    from core.installation import initialise
    initialise(empty_db, admin, "220322", "梨树县")
    return empty_db


# PySide6 occasionally crashes while the interpreter finalises after the whole run has passed
# ("Fatal Python error: bool_dealloc … finalizing", exit 134). Once pytest has reported, leave at once
# with its own exit status so a passing run never turns into a random CI failure.
_exit_status: int | None = None


def pytest_sessionfinish(session, exitstatus):
    global _exit_status
    _exit_status = int(exitstatus)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    if _exit_status is not None and not os.environ.get("WEIJIAN_NORMAL_EXIT"):
        import sys
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(_exit_status)
