"""The audit trail: every change writes who, when, which record, old → new, in the same transaction.

ORM changes are caught by a ``before_flush``/``after_flush`` pair registered on every Session, so no
service can forget them. Rows are chained: each carries the hash of the one before, and
``verify_chain`` finds a row edited or deleted behind the program's back.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Iterator

from sqlalchemy import event, insert, inspect, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from db.base import Record, new_uuid, utcnow
from db.models.audit import AuditChainHead, AuditLog

GENESIS_HASH = "0" * 64
# record_uuid of a bulk row: one audit row for many records created by one action (an import batch);
# its changes list the records as {"记录": {uuid: line number, …}} and the action's details.
BULK_UUID = "*"
BULK_RECORDS = "记录"
MASKED_FIELDS = frozenset({"password_hash"})
PENDING_KEY = "_audit_pending"


@dataclass
class AuditEntry:
    action: str
    table_name: str = ""
    record_uuid: str = ""
    record_label: str = ""
    changes: dict[str, Any] = field(default_factory=dict)


def _jsonable(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def _shown(key: str, value: Any) -> Any:
    return "******" if key in MASKED_FIELDS and value is not None else _jsonable(value)


def record_label(obj: Record) -> str:
    label = getattr(obj, "audit_label", None)
    if callable(label):
        return label()
    for attr in ("code", "username", "key", "name"):
        value = getattr(obj, attr, None)
        if value:
            return str(value)
    return str(obj.id or "")


def _column_keys(obj: Record) -> list[str]:
    skip = Record.AUDIT_SKIP | getattr(obj, "AUDIT_QUIET", frozenset())
    return [a.key for a in inspect(obj).mapper.column_attrs if a.key not in skip]


def _actor_name(session: Session) -> str:
    actor = session.info.get("actor")
    if actor is None:
        raise RuntimeError("a change was flushed without an actor: open the session with Database.session(actor)")
    return actor.username


def _before_flush(session: Session, _ctx, _instances) -> None:
    records = [o for o in list(session.new) + list(session.dirty) + list(session.deleted) if isinstance(o, Record)]
    if not records:
        return
    who = _actor_name(session)
    now = utcnow()
    pending: list[tuple[str, Record, dict]] = session.info.setdefault(PENDING_KEY, [])
    for obj in session.new:
        if not isinstance(obj, Record):
            continue
        obj.uuid = obj.uuid or new_uuid()
        obj.created_at = obj.created_at or now
        obj.updated_at = now
        obj.created_by = obj.created_by or who
        obj.updated_by = who
        pending.append(("create", obj, {}))
    for obj in session.dirty:
        if not isinstance(obj, Record) or not session.is_modified(obj, include_collections=False):
            continue
        state = inspect(obj)
        changes = {}
        for key in _column_keys(obj):
            hist = state.attrs[key].history
            if hist.has_changes():
                old = hist.deleted[0] if hist.deleted else None
                new = hist.added[0] if hist.added else None
                if old != new:
                    changes[key] = [_shown(key, old), _shown(key, new)]
        if not changes:
            continue
        obj.updated_at = now
        obj.updated_by = who
        pending.append(("update", obj, changes))
    for obj in session.deleted:
        if isinstance(obj, Record):
            old = {k: [_shown(k, getattr(obj, k)), None] for k in _column_keys(obj)}
            pending.append(("delete", obj, old))


def _after_flush(session: Session, _ctx) -> None:
    pending = session.info.pop(PENDING_KEY, None)
    if not pending:
        return
    entries = []
    for action, obj, changes in pending:
        if action == "create":
            changes = {k: [None, _shown(k, getattr(obj, k))] for k in _column_keys(obj) if getattr(obj, k) not in (None, "")}
        entries.append(AuditEntry(action, obj.__tablename__, obj.uuid, record_label(obj), changes))
    append_entries(session.connection(), _actor_name(session), entries)


event.listen(Session, "before_flush", _before_flush)
event.listen(Session, "after_flush", _after_flush)


def bulk_entry(action: str, table_name: str, label: str, details: dict[str, Any],
               records: dict[str, Any]) -> AuditEntry:
    """One audit row for many records created together: ``records`` maps each record's uuid to
    where it came from (the import's line number). A record's history finds it (``query_audit``)."""
    return AuditEntry(action, table_name, BULK_UUID, label, {**details, BULK_RECORDS: records})


def entry_hash(seq: int, at: datetime, actor: str, action: str, table_name: str, record_uuid: str,
               label: str, changes: str, prev_hash: str) -> str:
    payload = json.dumps([seq, at.isoformat(timespec="microseconds"), actor, action, table_name, record_uuid,
                          label, changes, prev_hash], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def append_entries(conn: Connection, actor: str, entries: list[AuditEntry]) -> None:
    """Append rows to the chain under a lock on the chain head (FOR UPDATE on PostgreSQL;
    SQLite already serialises writers)."""
    if not entries:
        return
    head = conn.execute(select(AuditChainHead).where(AuditChainHead.id == 1).with_for_update()).first()
    if head is None:
        conn.execute(insert(AuditChainHead).values(id=1, last_seq=0, last_hash=GENESIS_HASH))
        seq, prev = 0, GENESIS_HASH
    else:
        seq, prev = head.last_seq, head.last_hash
    at = utcnow()
    rows = []
    for e in entries:
        seq += 1
        changes = json.dumps(e.changes, ensure_ascii=False, sort_keys=True)
        h = entry_hash(seq, at, actor, e.action, e.table_name, e.record_uuid, e.record_label, changes, prev)
        rows.append(dict(seq=seq, at=at, actor=actor, action=e.action, table_name=e.table_name,
                         record_uuid=e.record_uuid, record_label=e.record_label, changes=changes,
                         prev_hash=prev, hash=h))
        prev = h
    conn.execute(insert(AuditLog), rows)
    conn.execute(update(AuditChainHead).where(AuditChainHead.id == 1).values(last_seq=seq, last_hash=prev))


def record_event(session: Session, action: str, label: str = "", details: dict[str, Any] | None = None,
                 table_name: str = "", record_uuid: str = "") -> None:
    """An audited event that is not a row change (login, export, backup, unlock …)."""
    append_entries(session.connection(), _actor_name(session),
                   [AuditEntry(action, table_name, record_uuid, label, details or {})])


@dataclass
class ChainProblem:
    seq: int
    message: str


def verify_chain(session: Session, batch: int = 5000) -> list[ChainProblem]:
    """Walk the whole chain; report rows whose content no longer matches their hash, gaps, and a
    head that does not match the newest row (the last rows deleted)."""
    problems: list[ChainProblem] = []
    expected_seq, prev = 1, GENESIS_HASH
    last_seq = 0
    for row in _rows_in_order(session, batch):
        if row.seq != expected_seq:
            problems.append(ChainProblem(expected_seq, f"审计记录第 {expected_seq}–{row.seq - 1} 条缺失（被删除）"))
        elif row.prev_hash != prev:
            problems.append(ChainProblem(row.seq, f"审计记录第 {row.seq} 条与前一条不衔接（前一条被改动或删除）"))
        recomputed = entry_hash(row.seq, row.at, row.actor, row.action, row.table_name, row.record_uuid,
                                row.record_label, row.changes, row.prev_hash)
        if recomputed != row.hash:
            problems.append(ChainProblem(row.seq, f"审计记录第 {row.seq} 条的内容被改动过（{row.at:%Y-%m-%d %H:%M}，{row.actor}）"))
        expected_seq, prev, last_seq = row.seq + 1, row.hash, row.seq
    head = session.execute(select(AuditChainHead).where(AuditChainHead.id == 1)).scalar_one_or_none()
    if head is not None and (head.last_seq != last_seq or head.last_hash != prev):
        if head.last_seq > last_seq:
            problems.append(ChainProblem(last_seq + 1, f"最新的审计记录（第 {last_seq + 1}–{head.last_seq} 条）被删除"))
        else:
            problems.append(ChainProblem(last_seq, "审计记录链的末端与记录不一致"))
    return problems


def _rows_in_order(session: Session, batch: int) -> Iterator[Any]:
    """Keyset pages of plain rows (no ORM identity map to grow with the table)."""
    table = AuditLog.__table__
    after = 0
    while True:
        rows = session.execute(select(table).where(table.c.seq > after).order_by(table.c.seq).limit(batch)).all()
        if not rows:
            return
        yield from rows
        after = rows[-1].seq


@dataclass(frozen=True)
class AuditRow:
    seq: int
    at: datetime
    actor: str
    action: str
    table_name: str
    record_uuid: str
    record_label: str
    changes: dict
    actor_name: str = ""         # the user's display name, when the actor is a user of this database

    @property
    def shown_actor(self) -> str:
        """演示管理员（admin） for a user, the raw name otherwise (cli:root, a deleted user)."""
        from core.users import shown_user
        return shown_user(self.actor, self.actor_name)


ACTION_LABELS = {"create": "新增", "update": "修改", "delete": "删除", "login": "登录", "login_failed": "登录失败",
                 "export": "导出报表", "import": "导入", "confirm_year": "资格确认", "build_roll": "生成发放花名册", "backup": "备份", "restore": "恢复", "init": "初始化", "unlock": "解锁"}
TABLE_LABELS = {
    "org_unit": "组织机构", "app_user": "用户", "app_user_township": "用户乡镇范围", "setting": "设置",
    "subsidy_program": "扶助项目", "subsidy_standard": "扶助标准", "subsidy_recipient": "扶助对象", "subsidy_child": "子女",
    "subsidy_year": "年度资格确认", "subsidy_year_entry": "资格确认明细", "subsidy_payment_roll": "发放花名册",
    "mch_data_element": "妇幼数据项", "mch_data_value": "妇幼月报数值", "mch_validation_rule": "审核规则",
    "mch_year_target": "年度任务数", "mch_month_report": "妇幼月报",
    "sup_case": "监督案件", "sup_case_officer": "承办人", "sup_case_penalty": "处罚", "sup_case_document": "文书",
    "sup_case_event": "案件阶段", "sup_random_task": "双随机任务", "sup_complaint": "投诉举报", "sup_holiday": "节假日",
}


def query_audit(session: Session, actor, *, record_uuid: str | None = None, user: str | None = None,
                since: datetime | None = None, until: datetime | None = None, text: str | None = None,
                before_seq: int | None = None, limit: int = 200) -> list[AuditRow]:
    """Newest first, in keyset pages (``before_seq`` = the last seq of the previous page)."""
    from core.access import Permission
    actor.require(Permission.VIEW_AUDIT)
    t = AuditLog.__table__
    q = select(t).order_by(t.c.seq.desc()).limit(limit)
    if user:
        q = q.where(t.c.actor == user)
    if since:
        q = q.where(t.c.at >= since)
    if until:
        q = q.where(t.c.at < until)
    if text:
        q = q.where(t.c.record_label.contains(text, autoescape=True))
    if before_seq:
        q = q.where(t.c.seq < before_seq)
    if not record_uuid:
        rows = session.execute(q).all()
    else:   # the record's own rows, and the bulk rows (import batches) that name it
        own = session.execute(q.where(t.c.record_uuid == record_uuid)).all()
        bulk = session.execute(q.where(t.c.record_uuid == BULK_UUID,
                                       t.c.changes.contains(f'"{record_uuid}"', autoescape=True))).all()
        rows = sorted(own + bulk, key=lambda r: r.seq, reverse=True)[:limit]
    from core.users import display_names
    names = display_names(session, {r.actor for r in rows})
    return [_audit_row(r, names, record_uuid) for r in rows]


def _audit_row(r, names: dict[str, str], record_uuid: str | None = None) -> AuditRow:
    changes = json.loads(r.changes)
    uuid = r.record_uuid
    if uuid == BULK_UUID:
        records = changes.pop(BULK_RECORDS, {})
        if record_uuid:   # this record's part of the batch
            changes["行"] = records.get(record_uuid)
            uuid = record_uuid
        else:
            changes["记录数"] = len(records)
            uuid = ""
    return AuditRow(r.seq, r.at, r.actor, r.action, r.table_name, uuid, r.record_label, changes, names.get(r.actor, ""))


def audit_actors(session: Session, actor) -> list[str]:
    from core.access import Permission
    actor.require(Permission.VIEW_AUDIT)
    t = AuditLog.__table__
    return [r[0] for r in session.execute(select(t.c.actor).distinct().order_by(t.c.actor))]
