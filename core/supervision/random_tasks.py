"""双随机抽查 tasks (DOMAIN.md §5 "Also recorded"): register the drawn targets, record the inspection,
link a case it opened, and report completion rates by level (国抽/省抽/市抽/县抽).

完成率 = 已完成 ÷ 任务数 × 100, two decimals rounded half up (97.56% of 1,148 tasks = 1,120 done).
A task counts in the period its due date falls in.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from core.access import Actor, Permission
from core.errors import DataError, StaleRecord
from core.idnumbers import check_credit_code
from core.supervision.codes import CATEGORIES, TASK_LEVELS, TASK_RESULTS, code_of
from db.models.supervision import Case, RandomTask

HUNDRED = Decimal(100)


def rate_percent(done: int, total: int) -> Decimal | None:
    """done / total in percent, 2 decimals half up; None when there is nothing to divide by."""
    if not total:
        return None
    return (Decimal(done) * HUNDRED / Decimal(total)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass
class TaskInput:
    year: int | None = None
    level: str = ""                     # code or 国抽/省抽/市抽/县抽
    category: str = ""
    task_no: str = ""
    target_name: str = ""
    target_code: object = ""
    target_address: str = ""
    township: str = ""                  # 9-digit code (optional)
    inspectors: list[str] | str = ""
    due_on: date | None = None
    done_on: date | None = None
    result: str = ""
    result_note: str = ""
    case_id: int | None = None


@dataclass(frozen=True)
class TaskRow:
    id: int
    version: int
    year: int
    level: str
    level_name: str
    category_name: str
    task_no: str
    target_name: str
    target_code: str
    inspectors: str
    due_on: date
    done_on: date | None
    result: str
    case_id: int | None
    overdue: bool              # not done and past its due date
    township_code: str = ""
    result_note: str = ""
    case_number: str = ""      # 文号 of the linked case ("（未编号）" while it has none)

    @property
    def status(self) -> str:
        if self.done_on is not None:
            return "已完成" if self.done_on <= self.due_on else "已完成（超时限）"
        return "逾期未完成" if self.overdue else "未完成"


def save_task(session: Session, actor: Actor, data: TaskInput, *, task_id: int | None = None,
              expected_version: int | None = None) -> tuple[int, int]:
    """Register or change a task; returns (id, version)."""
    actor.require(Permission.EDIT_DATA)
    problems = []
    level = code_of(TASK_LEVELS, data.level)
    if level is None:
        problems.append(f"抽查层级应为{'、'.join(TASK_LEVELS.values())}之一")
    category = code_of(CATEGORIES, data.category) if data.category else ""
    if category is None:
        problems.append(f"专业类别“{data.category}”不对")
    name = re.sub(r"\s+", " ", data.target_name or "").strip()
    if not name:
        problems.append("抽查对象不能为空")
    code = ""
    if str(data.target_code or "").strip():
        code, why = check_credit_code(data.target_code)
        if why:
            problems.append(f"抽查对象的{why}")
    if data.due_on is None:
        problems.append("请填写完成时限")
    year = data.year or (data.due_on.year if data.due_on else None)
    if year is not None and not 2000 <= year <= date.today().year + 1:
        problems.append(f"计划年度 {year} 不合理")
    township = (data.township or "").strip() or None
    if township and not re.fullmatch(r"\d{9}", township):
        problems.append("所在乡镇应为 9 位代码")
    if township:
        actor.require_township(township)
    problems += _done_problems(session, data.done_on, data.result, data.case_id)
    if problems:
        raise DataError("未保存：" + "；".join(problems), details=problems)
    task = _load(session, actor, task_id, expected_version) if task_id is not None else RandomTask()
    inspectors = data.inspectors if isinstance(data.inspectors, str) else "、".join(x.strip() for x in data.inspectors if x.strip())
    task.year, task.level, task.category, task.task_no = year, level, category or "", (data.task_no or "").strip()
    task.target_name, task.target_code, task.target_address = name, code, (data.target_address or "").strip()
    task.township_code, task.inspectors, task.due_on = township, inspectors.strip(), data.due_on
    task.done_on, task.result, task.result_note, task.case_id = data.done_on, data.result or "", data.result_note or "", data.case_id
    if task_id is None:
        session.add(task)
    session.flush()
    return task.id, task.version


def complete_task(session: Session, actor: Actor, task_id: int, done_on: date, result: str, note: str = "", *,
                  case_id: int | None = None, expected_version: int | None = None) -> list[str]:
    """Record the inspection of a task. Returns warnings (done late, 立案查处 without a linked case)."""
    actor.require(Permission.EDIT_DATA)
    task = _load(session, actor, task_id, expected_version)
    problems = _done_problems(session, done_on, result, case_id, required=True)
    if problems:
        raise DataError("未保存：" + "；".join(problems), details=problems)
    task.done_on, task.result, task.result_note = done_on, result, (note or "").strip()
    if case_id is not None:
        task.case_id = case_id
    session.flush()
    warnings = []
    if done_on > task.due_on:
        warnings.append(f"完成日期晚于时限 {task.due_on:%Y-%m-%d}。")
    if "立案" in result and task.case_id is None:
        warnings.append("结果为立案查处，请关联所立的案件。")
    return warnings


def _done_problems(session: Session, done_on: date | None, result: str, case_id: int | None,
                   required: bool = False) -> list[str]:
    problems = []
    if required and done_on is None:
        problems.append("请填写完成日期")
    if done_on is not None and done_on > date.today():
        problems.append(f"完成日期 {done_on:%Y-%m-%d} 晚于今天")
    if done_on is not None and result not in TASK_RESULTS:
        problems.append(f"检查结果应为{'、'.join(TASK_RESULTS)}之一")
    if done_on is None and result:
        problems.append("有检查结果的任务须填写完成日期")
    if case_id is not None and session.get(Case, case_id) is None:
        problems.append("关联的案件不存在")
    return problems


def _load(session: Session, actor: Actor, task_id: int, expected_version: int | None) -> RandomTask:
    task = session.get(RandomTask, task_id)
    if task is None:
        raise DataError("这条双随机抽查任务已不存在。")
    if task.township_code:
        actor.require_township(task.township_code)
    if expected_version is not None and task.version != expected_version:
        raise StaleRecord(f"抽查任务“{task.target_name}”已被其他人修改过，本次保存未生效。")
    return task


def load_task(session: Session, actor: Actor, task_id: int) -> tuple[TaskInput, int]:
    """A task as the form edits it, and its version (for ``save_task(expected_version=…)``)."""
    t = _load(session, actor, task_id, None)
    return TaskInput(year=t.year, level=t.level, category=t.category, task_no=t.task_no, target_name=t.target_name,
                     target_code=t.target_code, target_address=t.target_address, township=t.township_code or "",
                     inspectors=t.inspectors, due_on=t.due_on, done_on=t.done_on, result=t.result,
                     result_note=t.result_note, case_id=t.case_id), t.version


def list_tasks(session: Session, actor: Actor | None = None, *, year: int | None = None, level: str | None = None,
               done: bool | None = None, overdue: bool = False, text: str = "", as_of: date | None = None,
               due_from: date | None = None, due_to: date | None = None, limit: int = 2000) -> list[TaskRow]:
    """Tasks, oldest due first: of a plan ``year`` and/or due in [due_from, due_to] (the period
    :func:`completion` counts them in). ``done``: only done (True) / not done (False); ``overdue``: only the
    not-done tasks past their due date; ``text``: part of the target's name, credit code or task number."""
    as_of = as_of or date.today()
    q = (select(RandomTask, Case.number).outerjoin(Case, Case.id == RandomTask.case_id)
         .order_by(RandomTask.due_on, RandomTask.id).limit(limit))
    if year:
        q = q.where(RandomTask.year == year)
    if due_from:
        q = q.where(RandomTask.due_on >= due_from)
    if due_to:
        q = q.where(RandomTask.due_on <= due_to)
    if level:
        q = q.where(RandomTask.level == level)
    if done is True:
        q = q.where(RandomTask.done_on.is_not(None))
    elif done is False:
        q = q.where(RandomTask.done_on.is_(None))
    if overdue:
        q = q.where(RandomTask.done_on.is_(None), RandomTask.due_on < as_of)
    if text.strip():
        t = text.strip()
        q = q.where(or_(RandomTask.target_name.contains(t, autoescape=True),
                        RandomTask.target_code.contains(t.upper(), autoescape=True),
                        RandomTask.task_no.contains(t, autoescape=True)))
    if actor is not None and actor.townships is not None:
        q = q.where(RandomTask.township_code.in_(tuple(actor.townships)))
    return [TaskRow(t.id, t.version, t.year, t.level, TASK_LEVELS.get(t.level, t.level), CATEGORIES.get(t.category, ""),
                    t.task_no, t.target_name, t.target_code, t.inspectors, t.due_on, t.done_on, t.result, t.case_id,
                    t.done_on is None and t.due_on < as_of, t.township_code or "", t.result_note,
                    case_text(t.case_id, number))
            for t, number in session.execute(q)]


def case_text(case_id: int | None, number: str | None) -> str:
    """How a linked case is named in a list: its 文号, or "（未编号）" before it has one."""
    if case_id is None:
        return ""
    return number or "（未编号）"


@dataclass(frozen=True)
class Completion:
    level: str                 # level code, or "" for the total
    name: str
    total: int
    done: int
    on_time: int               # done by the due date
    not_done: int
    cases: int                 # tasks that opened a case
    rate: Decimal | None       # 完成率（%）


def completion(session: Session, start: date, end: date, township_codes: frozenset[str] | None = None) -> list[Completion]:
    """Completion by level for tasks due in [start, end], every level listed, then the total (合计)."""
    q = select(RandomTask.level, RandomTask.due_on, RandomTask.done_on, RandomTask.case_id).where(
        RandomTask.due_on >= start, RandomTask.due_on <= end)
    if township_codes is not None:
        q = q.where(RandomTask.township_code.in_(tuple(township_codes)))
    tally = {code: [0, 0, 0, 0] for code in TASK_LEVELS}
    for level, due, done, case_id in session.execute(q):
        t = tally.setdefault(level, [0, 0, 0, 0])
        t[0] += 1
        t[1] += done is not None
        t[2] += done is not None and done <= due
        t[3] += case_id is not None
    rows = [Completion(code, TASK_LEVELS.get(code, code), total, done, on_time, total - done, cases, rate_percent(done, total))
            for code, (total, done, on_time, cases) in tally.items()]
    sums = [sum(r.total for r in rows), sum(r.done for r in rows), sum(r.on_time for r in rows), sum(r.cases for r in rows)]
    rows.append(Completion("", "合计", sums[0], sums[1], sums[2], sums[0] - sums[1], sums[3], rate_percent(sums[1], sums[0])))
    return rows
