"""Opening a database for the program: connect, check, upgrade after a backup, and hand out one
session per unit of work (DESIGN.md "Storage"; STYLE.md: the caller opens the session)."""
from __future__ import annotations

import logging
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

import core.audit  # noqa: F401 - registers the audit listeners on every Session
from core.access import Actor
from core.errors import DatabaseUnusable, DataError, StaleRecord
from db.engine import make_session_factory, open_engine, sqlite_path, to_url
from db.schema import SchemaInfo, SchemaState, inspect_schema, upgrade

log = logging.getLogger(__name__)


def describe_url(url: str) -> str:
    """The database as shown to people (no password)."""
    u = make_url(url)
    path = sqlite_path(url)
    if path is not None:
        return str(path)
    return u.render_as_string(hide_password=True)


class Database:
    """One open database. Thread-safe to share; sessions are not (one per unit of work)."""

    def __init__(self, url: str, engine: Engine):
        self.url = url
        self.engine = engine
        self._sessions: sessionmaker[Session] = make_session_factory(engine)

    # -- opening ---------------------------------------------------------------------------
    @classmethod
    def connect(cls, path_or_url: str | Path, *, create: bool = False) -> Database:
        """Connect and prove the database is readable. ``create`` allows a new SQLite file."""
        url = to_url(path_or_url)
        path = sqlite_path(url)
        if path is not None:
            if not path.exists() and not create:
                raise DatabaseUnusable(f"数据库文件不存在：{path}。请先运行 init 创建数据库。")
            if path.exists() and path.is_dir():
                raise DatabaseUnusable(f"{path} 是一个文件夹，不是数据库文件。")
            path.parent.mkdir(parents=True, exist_ok=True)
        try:
            engine = open_engine(url)
            db = cls(url, engine)
            db.check_readable()
        except DatabaseUnusable:
            raise
        except ModuleNotFoundError as e:
            raise DatabaseUnusable(f"无法连接数据库 {describe_url(url)}：缺少数据库驱动（{e.name}）。") from e
        except (SQLAlchemyError, OSError) as e:
            raise DatabaseUnusable(_unusable_message(url, e)) from e
        return db

    def check_readable(self) -> None:
        """SQLite: ``PRAGMA integrity_check`` (quick form on big files); PostgreSQL: a round trip."""
        with self.engine.connect() as conn:
            if self.engine.dialect.name == "sqlite":
                result = [r[0] for r in conn.exec_driver_sql("PRAGMA quick_check").fetchall()]
                if result != ["ok"]:
                    raise DatabaseUnusable(
                        f"数据库文件已损坏：{describe_url(self.url)}（{'；'.join(result[:3])}）。"
                        "请用“恢复备份”从最近的备份恢复。")
            else:
                conn.execute(text("SELECT 1"))

    def schema(self) -> SchemaInfo:
        try:
            return inspect_schema(self.engine)
        except SQLAlchemyError as e:
            raise DatabaseUnusable(_unusable_message(self.url, e)) from e

    def ensure_current(self, *, backup_dir: Path | None = None) -> SchemaInfo:
        """Upgrade an older database after an automatic backup; refuse a newer or foreign one."""
        info = self.schema()
        if info.state is SchemaState.NEWER:
            raise DatabaseUnusable(
                f"此数据库由更新版本的卫健台账创建（架构版本 {info.revision}），本程序只认识到 {info.head}。"
                "请安装新版本的程序后再打开，数据未做任何改动。")
        if info.state is SchemaState.FOREIGN:
            raise DatabaseUnusable(f"{describe_url(self.url)} 不是卫健台账的数据库（没有版本信息），未做任何改动。")
        if info.state is SchemaState.OLDER:
            from core.backup import backup_before_upgrade
            saved = backup_before_upgrade(self, info.revision, backup_dir)
            log.info("database backed up to %s before upgrade %s -> %s", saved, info.revision, info.head)
            upgrade(self.engine)
            info = self.schema()
        return info

    def create_schema(self) -> None:
        upgrade(self.engine)

    # -- units of work -----------------------------------------------------------------------
    @contextmanager
    def session(self, actor: Actor | None = None) -> Iterator[Session]:
        """One transaction for one user action: commit at the end, roll back on any error.

        Errors are turned into Chinese messages here, once, for every service.
        """
        session = self._sessions()
        session.info["actor"] = actor
        try:
            yield session
            session.commit()
        except StaleDataError as e:
            session.rollback()
            raise StaleRecord("这条记录已被其他人修改过，本次保存未生效。请重新打开后再改。") from e
        except IntegrityError as e:
            session.rollback()
            raise DataError(f"保存失败：数据与已有记录冲突（{_short(e)}）。本次操作未保存任何内容。") from e
        except OperationalError as e:
            session.rollback()
            raise DatabaseUnusable(_unusable_message(self.url, e)) from e
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()


def _short(e: Exception) -> str:
    text_ = str(getattr(e, "orig", e)).splitlines()[0]
    return text_[:160]


def _unusable_message(url: str, e: Exception) -> str:
    where = describe_url(url)
    msg = str(getattr(e, "orig", e)).lower()
    if "file is not a database" in msg or "malformed" in msg or "not a database" in msg:
        return f"数据库文件已损坏或不是卫健台账的数据库：{where}。请用“恢复备份”从最近的备份恢复。"
    if "unable to open database" in msg or "readonly" in msg or "read-only" in msg:
        return f"无法打开数据库文件 {where}：文件不可读写或所在文件夹不存在。"
    if "locked" in msg or "busy" in msg:
        return f"数据库 {where} 正被其他程序占用，请稍后再试。"
    if isinstance(e, DBAPIError) and "connect" in msg or "connection" in msg:
        return f"无法连接数据库服务器 {where}：{_short(e)}"
    return f"无法使用数据库 {where}：{_short(e)}"
