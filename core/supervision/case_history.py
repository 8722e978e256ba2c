"""The history of one case for its screen: every stage step and every edit — when, who, what — read back
from the audit trail (``core.audit.query_audit``) and told in Chinese: field names instead of columns,
names instead of codes, ID numbers masked, no JSON.

The audit is kept per row, so a case's history is its own rows plus those of its officers, penalties,
documents and dated steps, including rows since removed (found by the ``case_id`` their creation wrote).
Rows written together (one user action: one flush, one timestamp) make one entry.

The audit is for supervisors and administrators (``VIEW_AUDIT``); anyone else sees the dated steps of the
case only — they are part of the case itself — and is told where the full history is.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import audit, orgunits
from core.access import Actor, Permission
from core.errors import DataError
from core.idnumbers import mask_citizen_id
from core.supervision.codes import (CATEGORIES, EVENT_LABELS, EXECUTION_MODES, LITIGATION_RESULTS, OUTCOMES,
                                    PARTY_TYPES, PENALTY_KINDS, PROCEDURES, REVIEW_RESULTS, SOURCES, STAGE_DATE_FIELD,
                                    STAGES)
from db.models.audit import AuditLog
from db.models.supervision import Case

CHILD_TABLES = ("sup_case_officer", "sup_case_penalty", "sup_case_document", "sup_case_event")
CASE_FIELDS: dict[str, str] = {
    "number": "案件文号", "cause": "案由", "category": "专业类别", "source": "案件来源", "township_code": "所在乡镇",
    "party_type": "当事人类型", "party_name": "当事人", "party_code": "统一社会信用代码/身份证号",
    "party_address": "地址", "legal_rep": "法定代表人（负责人）", "party_phone": "联系电话", "procedure": "程序",
    "stage": "环节", "outcome": "处理结果", "offence_on": "违法行为日期", "endangers_life": "涉及生命健康安全",
    **{f: f"{STAGES[s]}日期" for s, f in STAGE_DATE_FIELD.items()},
    "hearing_requested_on": "要求听证日期", "rights_waived": "书面放弃陈述申辩和听证",
    "hearing_notice_on": "听证通知日期", "hearing_on": "听证日期", "effective_on": "决定生效日期",
    "paid_on": "罚款缴清日期", "paid_amount": "已缴纳金额", "paused_days": "不计入办案期限的日数",
    "paused_from": "中止计算起始日期", "filing_extended_on": "延长立案期限批准日期",
    "extension_head_on": "负责人批准延长日期", "extension_collective_on": "集体讨论延长日期",
    "report1_on": "一案一卡首次报告日期", "report2_on": "一案一卡结案报告日期",
    "facts": "违法事实", "violated": "违反条款", "basis": "处罚依据", "execution_mode": "执行方式",
    "review_applied_on": "申请复议日期", "review_decided_on": "复议决定日期", "review_result": "复议结果",
    "litigation_filed_on": "起诉日期", "litigation_decided_on": "判决（裁定）日期", "litigation_result": "诉讼结果",
    "review_litigation": "复议/诉讼说明", "incomplete": "待补充", "note": "备注",
}
HIDDEN = frozenset({"number_key", "number_seq", "case_id", "sort_order", "seq"})
CODE_NAMES: dict[str, dict[str, str]] = {
    "category": CATEGORIES, "source": SOURCES, "party_type": PARTY_TYPES, "procedure": PROCEDURES, "stage": STAGES,
    "outcome": OUTCOMES, "execution_mode": EXECUTION_MODES, "review_result": REVIEW_RESULTS,
    "litigation_result": LITIGATION_RESULTS, "kind": PENALTY_KINDS,
}
CITIZEN_ID = re.compile(r"\d{6}(18|19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\d{3}[\dXx]")
LONG_TEXT = 60


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime | None       # naive UTC (as the audit keeps it); None for a step seen without the audit
    on: str                   # the date the action is about (a step's date), "" for edits
    actor: str
    action: str               # 新建案件 / 办理“告知” / 修改 / 登记“缴纳罚没款” …
    details: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "；".join(self.details)


@dataclass(frozen=True)
class CaseHistory:
    entries: list[HistoryEntry]     # newest first
    full: bool                      # from the audit (False: the dated steps only)
    note: str


def case_history(session: Session, actor: Actor, case_id: int, *, limit: int = 500) -> CaseHistory:
    case = session.get(Case, case_id)
    if case is None:
        raise DataError("这件案件已不存在。")
    if case.township_code:
        actor.require_township(case.township_code)
    if not actor.can(Permission.VIEW_AUDIT):
        return CaseHistory(_steps_only(case), False,
                           "这里列出案件的各办理环节；每次修改的详细记录来自审计日志，只有审核员和管理员可以查看。")
    rows = _audit_rows(session, actor, case, limit)
    towns = {u.code: u.name for u in orgunits.townships(session, include_closed=True)}
    groups: list[list[audit.AuditRow]] = []
    for row in sorted(rows, key=lambda r: r.seq):
        if groups and groups[-1][-1].at == row.at and groups[-1][-1].actor == row.actor:
            groups[-1].append(row)
        else:
            groups.append([row])
    entries = [_entry(g, towns) for g in groups]
    entries.reverse()
    return CaseHistory(entries, True, f"共 {len(entries)} 条，最新的在上面（来自审计日志）。")


# -- reading the audit -------------------------------------------------------------------------------

def _audit_rows(session: Session, actor: Actor, case: Case, limit: int) -> list[audit.AuditRow]:
    t = AuditLog.__table__
    uuids = {case.uuid}
    uuids |= {x.uuid for x in (*case.officers, *case.penalties, *case.documents, *case.events)}
    first = session.execute(select(t.c.seq).where(t.c.record_uuid == case.uuid).order_by(t.c.seq).limit(1)).scalar()
    if first is not None:       # rows of the case since removed: their creation names the case
        mark = f'"case_id": [null, {case.id}]'
        q = (select(t.c.record_uuid).where(t.c.seq >= first, t.c.table_name.in_(CHILD_TABLES),
                                           t.c.changes.contains(mark, autoescape=True)).distinct())
        uuids |= set(session.execute(q).scalars())
    rows: dict[int, audit.AuditRow] = {}
    for uuid in sorted(uuids):
        for row in audit.query_audit(session, actor, record_uuid=uuid, limit=limit):
            rows[row.seq] = row
    return sorted(rows.values(), key=lambda r: r.seq)[-limit:]


def _entry(group: list[audit.AuditRow], towns: dict[str, str]) -> HistoryEntry:
    details: list[str] = []
    action, on = "", ""
    added: dict[str, str] = {}
    removed: dict[str, str] = {}
    steps = {_new(r.changes or {}, "stage") for r in group if r.table_name == "sup_case_event" and r.action == "create"}
    implied = {"stage", "updated_at"} | {STAGE_DATE_FIELD[s] for s in steps if s in STAGE_DATE_FIELD} if steps else set()
    for row in group:
        table, ch = row.table_name, row.changes or {}
        if table == "sup_case_event":
            stage = _new(ch, "stage") or _old(ch, "stage") or ""
            label = EVENT_LABELS.get(stage, stage)
            if row.action in ("create", "import"):
                on = str(_new(ch, "event_on") or "")
                verb = "办理" if stage in STAGES else "登记"
                action = action or f"{verb}“{label}”"
                note = _new(ch, "note")
                details.append(f"{verb}“{label}” {on}" + (f"（{note}）" if note else ""))
            elif row.action == "update" and _new(ch, "reverted") is True:
                action = action or f"撤回“{label}”"
                details.append(f"撤回“{label}”" + (f"：{_new(ch, 'note')}" if "note" in ch else ""))
            elif row.action == "update":
                details += [f"“{label}”{_field_change(k, v, towns)}" for k, v in ch.items() if k not in HIDDEN]
        elif table == "sup_case":
            if row.action in ("create", "import"):
                action = action or ("导入案件" if row.action == "import" else "新建案件")
                parts = [f"{label} {_value(k, _new(ch, k), towns)}" for k, label in CASE_FIELDS.items()
                         if _new(ch, k) not in (None, "", False, 0) and k != "stage"]
                # an import batch's row says where the case came from (file, line) rather than old → new
                parts = parts or [f"{k}：{_value(k, v, towns)}" for k, v in ch.items() if not isinstance(v, (list, dict))]
                details.append(("新建：" if row.action == "create" else "导入：") + "；".join(parts))
            elif row.action == "delete":
                action = "删除案件"
                if "reason" in ch:
                    details.append(f"原因：{ch['reason']}")
            else:   # what a step writes into the case (its stage and date) is said by the step itself
                details += [_field_change(k, v, towns) for k, v in ch.items() if k not in HIDDEN and k not in implied]
        elif table == "sup_case_officer" and row.action in ("create", "delete"):
            pick = _new if row.action == "create" else _old
            (added if row.action == "create" else removed)[pick(ch, "name")] = pick(ch, "certificate_no") or ""
        else:
            details += _child(table, row.action, ch)
    details += _officer_changes(added, removed)
    return HistoryEntry(group[0].at, on, group[0].shown_actor, action or "修改", [d for d in details if d])


def _officer_changes(added: dict[str, str], removed: dict[str, str]) -> list[str]:
    """The officer list is rewritten when it changes: say what changed, person by person."""
    out = [f"承办人：删除 {n}（执法证号 {c or '未填'}）" for n, c in removed.items() if n not in added]
    out += [f"承办人 {n}：执法证号 {removed[n] or '（空）'} → {c or '（空）'}" for n, c in added.items()
            if n in removed and removed[n] != c]
    out += [f"承办人：增加 {n}（执法证号 {c or '未填'}）" for n, c in added.items() if n not in removed]
    return out


def _child(table: str, action: str, ch: dict) -> list[str]:
    what = {"sup_case_officer": "承办人", "sup_case_penalty": "处罚", "sup_case_document": "文书"}.get(table, table)
    if action in ("create", "import", "delete"):
        pick = _new if action != "delete" else _old
        if table == "sup_case_officer":
            body = f"{pick(ch, 'name')}（执法证号 {pick(ch, 'certificate_no') or '未填'}）"
        elif table == "sup_case_penalty":
            amount = pick(ch, "amount")
            body = PENALTY_KINDS.get(pick(ch, "kind") or "", pick(ch, "kind") or "") + (f" {_money(amount)} 元" if amount else "")
        else:
            body = " ".join(str(x) for x in (pick(ch, "doc_type"), pick(ch, "number"), pick(ch, "issued_on")) if x)
        return [f"{what}：{'删除' if action == 'delete' else '增加'} {body}"]
    return [f"{what} {_field_change(k, v, {})}" for k, v in ch.items() if k not in HIDDEN]


def _field_change(key: str, change: object, towns: dict[str, str]) -> str:
    label = CASE_FIELDS.get(key) or {"name": "姓名", "certificate_no": "执法证号", "amount": "金额", "detail": "说明",
                                     "kind": "种类", "doc_type": "文书名称", "issued_on": "日期", "event_on": "日期",
                                     "note": "备注", "reverted": "已撤回"}.get(key, key)
    if not (isinstance(change, list) and len(change) == 2):
        return f"{label}：{_value(key, change, towns)}"
    old, new = change
    return f"{label}：{_value(key, old, towns)} → {_value(key, new, towns)}"


def _value(key: str, value: object, towns: dict[str, str]) -> str:
    if value is None or value == "":
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    text = str(value)
    if key in CODE_NAMES:
        return CODE_NAMES[key].get(text, text)
    if key == "township_code":
        return towns.get(text, text)
    if key in ("amount", "paid_amount"):
        return f"{_money(text)} 元"
    if CITIZEN_ID.fullmatch(text):
        return mask_citizen_id(text.upper())
    text = CITIZEN_ID.sub(lambda m: mask_citizen_id(m.group(0).upper()), text)
    return text if len(text) <= LONG_TEXT else text[:LONG_TEXT] + "……"


def _money(value: object) -> str:
    try:
        return f"{Decimal(str(value)):,.2f}"
    except (InvalidOperation, ValueError):
        return str(value)


def _new(changes: dict, key: str):
    v = changes.get(key)
    return v[1] if isinstance(v, list) and len(v) == 2 else None


def _old(changes: dict, key: str):
    v = changes.get(key)
    return v[0] if isinstance(v, list) and len(v) == 2 else None


def _steps_only(case: Case) -> list[HistoryEntry]:
    out = []
    for e in sorted(case.events, key=lambda e: e.seq, reverse=True):
        label = EVENT_LABELS.get(e.stage, e.stage)
        verb = "办理" if e.stage in STAGES else "登记"
        details = [f"{verb}“{label}” {e.event_on:%Y-%m-%d}" + (f"（{_value('note', e.note, {})}）" if e.note else "")]
        if e.reverted:
            details.append("已撤回")
        out.append(HistoryEntry(e.created_at, f"{e.event_on:%Y-%m-%d}", e.created_by, f"{verb}“{label}”", details))
    return out
