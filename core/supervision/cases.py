"""Creating and editing a case: one rule set (``CaseChecker``) for the case form and, later, the case
import (``import cases FILE.xlsx``), which checks each row with the same checker and then replays the
row's stage dates through ``case_stages.advance``.

The form edits what describes the case (cause, category, party, officers, penalties, the case file's
text, documents). The stage dates are written by the state machine; only the date of the stage the case
is in (线索受理 / 立案 while nothing followed) may be corrected here.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from core import orgunits
from core.access import Actor, Permission
from core.errors import DataError
from core.idnumbers import check_citizen_id, check_credit_code
from core.supervision import case_numbers, case_stages
from core.supervision.codes import (CATEGORIES, DOCUMENT_TYPES, EXECUTION_MODES, LITIGATION_RESULTS, MONEY_KINDS,
                                    PARTY_TYPES, PENALTY_KINDS, PROCEDURES, REVIEW_RESULTS, SOURCES, code_of)
from db.models.supervision import Case, CaseDocument, CaseOfficer, CasePenalty

LABELS = {
    "number": "案件文号", "cause": "案由", "category": "专业类别", "source": "案件来源", "township": "所在乡镇（街道）",
    "party_type": "当事人类型", "party_name": "当事人", "party_code": "统一社会信用代码/身份证号",
    "party_address": "地址", "legal_rep": "法定代表人（负责人）", "party_phone": "联系电话", "procedure": "程序",
    "offence_on": "违法行为日期", "lead_on": "线索受理日期", "filed_on": "立案日期", "officers": "承办人",
    "penalties": "处罚", "documents": "文书", "facts": "违法事实", "violated": "违反条款", "basis": "处罚依据",
    "execution_mode": "执行方式", "review_litigation": "复议/诉讼说明", "note": "备注",
    "review_applied_on": "申请复议日期", "review_decided_on": "复议决定日期", "review_result": "复议结果",
    "litigation_filed_on": "起诉日期", "litigation_decided_on": "判决（裁定）日期", "litigation_result": "诉讼结果",
}
REVIEW_APPLY_DAYS = 60        # 行政复议法（2023）第二十条: 知道之日起六十日内申请复议
LITIGATION_AFTER_REVIEW_DAYS = 15   # 行政诉讼法第四十五条: 收到复议决定书之日起十五日内起诉
LITIGATION_MONTHS = 6         # 行政诉讼法第四十六条: 知道之日起六个月内起诉
MAX_AMOUNT = Decimal("1000000000000")
NORMAL_ONLY_STAGES = ("INVESTIGATED", "NOTICE", "HEARING", "SERVED", "NO_PENALTY")


@dataclass
class OfficerInput:
    name: str = ""
    certificate_no: str = ""


@dataclass
class PenaltyInput:
    kind: str = ""            # code (FINE) or name (罚款)
    amount: object = None     # Decimal, int, or text such as "3,000.00元"
    detail: str = ""


@dataclass
class DocumentInput:
    doc_type: str = ""
    number: str = ""
    issued_on: date | None = None
    note: str = ""


@dataclass
class CaseInput:
    """What the case form (or an import row) says, before checking. Codes may be given as Chinese names."""
    number: str = ""                 # empty: numbered automatically (setting supervision.number_on)
    cause: str = ""
    category: str = ""
    source: str = ""
    township: str = ""
    party_type: str = "UNIT"
    party_name: str = ""
    party_code: object = ""
    party_address: str = ""
    legal_rep: str = ""
    party_phone: str = ""
    procedure: str = "NORMAL"
    offence_on: date | None = None
    endangers_life: bool = False
    lead_on: date | None = None      # a new case starts as a lead (线索受理) …
    filed_on: date | None = None     # … or filed at once (立案) — then at least two officers are needed
    rights_waived: bool = False
    facts: str = ""
    violated: str = ""
    basis: str = ""
    execution_mode: str = ""         # code or Chinese name (codes.EXECUTION_MODES)
    review_applied_on: date | None = None       # 行政复议: applied, decided, outcome (codes.REVIEW_RESULTS)
    review_decided_on: date | None = None
    review_result: str = ""
    litigation_filed_on: date | None = None     # 行政诉讼: filed, judged, outcome (codes.LITIGATION_RESULTS)
    litigation_decided_on: date | None = None
    litigation_result: str = ""
    review_litigation: str = ""      # 复议/诉讼 in words (court, case number …)
    note: str = ""
    officers: list[OfficerInput] = field(default_factory=list)
    penalties: list[PenaltyInput] = field(default_factory=list)
    documents: list[DocumentInput] | None = None   # None: leave the documents as they are


@dataclass
class Problem:
    field: str
    message: str

    def __str__(self) -> str:
        return f"{LABELS.get(self.field, self.field)}：{self.message}"


@dataclass
class Checked:
    data: CaseInput
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    incomplete: list[str] = field(default_factory=list)
    category: str = ""
    source: str = ""
    party_type: str = ""
    procedure: str = ""
    party_code: str = ""
    township_code: str | None = None
    execution_mode: str = ""
    review_result: str = ""
    litigation_result: str = ""
    number: case_numbers.ParsedNumber | None = None
    officers: list[tuple[str, str]] = field(default_factory=list)
    penalties: list[tuple[str, Decimal | None, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def problem_text(self) -> str:
        return "；".join(str(p) for p in self.problems)


def parse_amount(value: object) -> tuple[Decimal | None, str]:
    """(amount, problem). Accepts 3000, "3,000.00", "3000元", full-width digits; refuses negatives and
    more than two decimals (money is exact: never through float arithmetic)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, ""
    if isinstance(value, bool):
        return None, "不是金额"
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, (int, float)):
        amount = Decimal(str(value))
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip()
        text = re.sub(r"[,，\s]|元$|人民币", "", text)
        try:
            amount = Decimal(text)
        except InvalidOperation:
            return None, f"“{value}”不是金额"
    if not amount.is_finite():
        return None, f"“{value}”不是金额"
    if amount < 0:
        return None, "金额不能为负数"
    if amount != amount.quantize(Decimal("0.01")):
        return None, "金额最多两位小数（分）"
    if amount >= MAX_AMOUNT:
        return None, "金额太大"
    return amount.quantize(Decimal("0.01")), ""


class CaseChecker:
    """Checks case input against the rules and what the database holds (towns, numbers in use)."""

    def __init__(self, session: Session, *, today: date | None = None):
        self.session = session
        self.today = today or date.today()
        units = orgunits.list_units(session)
        self.towns = {u.code: u.name for u in units if u.level == 2}

    def resolve_township(self, text: str) -> tuple[str | None, str]:
        text = re.sub(r"\s+", "", text or "")
        if not text:
            return None, ""
        if text in self.towns:
            return text, ""
        for code, name in self.towns.items():
            if text in (name, re.sub(r"(街道办事处|街道|镇|乡)$", "", name)):
                return code, ""
        return None, f"本县没有“{text}”这个乡镇（街道）"

    def check(self, data: CaseInput, *, existing: Case | None = None) -> Checked:
        c = Checked(data)
        p = lambda f, m: c.problems.append(Problem(f, m))  # noqa: E731
        data.cause = (data.cause or "").strip()
        data.party_name = re.sub(r"\s+", " ", data.party_name or "").strip()
        if not data.cause:
            p("cause", "不能为空")
        elif len(data.cause) > 200:
            p("cause", "太长（最多 200 个字）")
        for attr, table in (("category", CATEGORIES), ("source", SOURCES), ("party_type", PARTY_TYPES),
                            ("procedure", PROCEDURES)):
            code = code_of(table, getattr(data, attr))
            if code is None:
                given = getattr(data, attr)
                p(attr, f"应为{'、'.join(table.values())}之一" + (f"，不是“{given}”" if given else ""))
            setattr(c, attr, code or "")
        town, why = self.resolve_township(data.township)
        if why:
            p("township", why)
        c.township_code = town
        self._party(c)
        self._officers(c, existing)
        self._penalties(c, existing)
        self._dates(c, existing)
        self._number(c, existing)
        if (data.execution_mode or "").strip():
            c.execution_mode = code_of(EXECUTION_MODES, data.execution_mode) or ""
            if not c.execution_mode:
                p("execution_mode", f"应为{'、'.join(EXECUTION_MODES.values())}之一，不是“{data.execution_mode}”")
        self._review(c, existing)
        for i, doc in enumerate(data.documents or [], start=1):
            if not (doc.doc_type or "").strip():
                p("documents", f"第 {i} 份文书缺少文书名称（如 {'、'.join(DOCUMENT_TYPES[:3])}）")
            if doc.issued_on and doc.issued_on > self.today:
                p("documents", f"第 {i} 份文书的日期 {doc.issued_on:%Y-%m-%d} 晚于今天")
        if existing is not None:
            self._stage_rules(c, existing)
        return c

    # -- parts of the check --------------------------------------------------------------------
    def _party(self, c: Checked) -> None:
        d = c.data
        if not d.party_name:
            c.problems.append(Problem("party_name", "不能为空"))
        elif len(d.party_name) > 100:
            c.problems.append(Problem("party_name", "太长（最多 100 个字）"))
        raw = d.party_code if d.party_code is not None else ""
        if c.party_type == "UNIT":
            if str(raw).strip():
                code, why = check_credit_code(raw)
                c.party_code = code
                if why:
                    c.problems.append(Problem("party_code", why))
            else:
                c.incomplete.append("统一社会信用代码")
            if not (d.legal_rep or "").strip():
                c.incomplete.append("法定代表人")
        elif c.party_type == "PERSON":
            if str(raw).strip():
                idc = check_citizen_id(raw, today=self.today)
                c.party_code = idc.number
                if not idc.ok:
                    c.problems.append(Problem("party_code", idc.problem))
                c.warnings.extend(idc.warnings)
            else:
                c.incomplete.append("身份证号")
        if not (d.party_address or "").strip():
            c.incomplete.append("当事人地址")
        if d.party_phone and not re.fullmatch(r"[\d\-+ ()（）]{7,20}", d.party_phone.strip()):
            c.problems.append(Problem("party_phone", f"“{d.party_phone}”不像电话号码"))

    def _officers(self, c: Checked, existing: Case | None) -> None:
        seen_names, seen_certs = set(), set()
        for i, o in enumerate(c.data.officers, start=1):
            name, cert = re.sub(r"\s+", "", o.name or ""), re.sub(r"\s+", "", o.certificate_no or "").upper()
            if not name and not cert:
                continue
            if not name:
                c.problems.append(Problem("officers", f"第 {i} 名承办人缺少姓名"))
                continue
            if not cert:
                c.problems.append(Problem("officers", f"承办人 {name} 缺少执法证号"))
            if name in seen_names or (cert and cert in seen_certs):
                c.problems.append(Problem("officers", f"承办人 {name} 重复填写"))
                continue
            seen_names.add(name)
            seen_certs.add(cert)
            c.officers.append((name, cert))
        stage = existing.stage if existing is not None else ("FILED" if c.data.filed_on else "LEAD")
        if len(c.officers) < 2:
            if stage in ("LEAD", "NOT_FILED"):
                c.incomplete.append("承办人")
            else:
                c.problems.append(Problem("officers", "执法人员不得少于两人：请填写至少两名承办人及其执法证号"))

    def _penalties(self, c: Checked, existing: Case | None) -> None:
        seen = set()
        for i, pen in enumerate(c.data.penalties, start=1):
            if not str(pen.kind or "").strip() and pen.amount in (None, ""):
                continue
            kind = code_of(PENALTY_KINDS, pen.kind)
            if kind is None:
                c.problems.append(Problem("penalties", f"第 {i} 项处罚种类“{pen.kind}”不对，应为{'、'.join(PENALTY_KINDS.values())}之一"))
                continue
            if kind in seen:
                c.problems.append(Problem("penalties", f"“{PENALTY_KINDS[kind]}”填写了两次"))
                continue
            seen.add(kind)
            amount, why = parse_amount(pen.amount)
            if why:
                c.problems.append(Problem("penalties", f"{PENALTY_KINDS[kind]}：{why}"))
            elif amount is not None and kind not in MONEY_KINDS:
                c.problems.append(Problem("penalties", f"{PENALTY_KINDS[kind]}没有金额，请把金额填在罚款或没收项下"))
            elif amount is None and kind in ("FINE", "CONFISCATE_GAINS"):
                c.incomplete.append(f"{PENALTY_KINDS[kind]}金额")
            elif amount is not None and amount == 0 and kind in ("FINE", "CONFISCATE_GAINS"):
                c.problems.append(Problem("penalties", f"{PENALTY_KINDS[kind]}金额应大于 0 元"))
            c.penalties.append((kind, amount if kind in MONEY_KINDS else None, (pen.detail or "").strip()[:200]))
        if c.procedure == "SIMPLE" and c.penalties:
            others = [PENALTY_KINDS[k] for k, _, _ in c.penalties if k not in case_stages.SIMPLE_KINDS]
            if others:
                c.problems.append(Problem("procedure", f"简易程序只能给予警告或罚款，不能{'、'.join(others)}"))
            fine = next((a for k, a, _ in c.penalties if k == "FINE"), None)
            if fine is not None and c.party_type in PARTY_TYPES:
                limit = case_stages.simple_limit(self.session, c.party_type)
                if fine > limit:
                    who = "单位" if c.party_type == "UNIT" else "个人"
                    c.problems.append(Problem("procedure", f"简易程序对{who}罚款不能超过 {limit} 元（本案 {fine} 元），请改为一般程序"))

    def _dates(self, c: Checked, existing: Case | None) -> None:
        d = c.data
        for attr in ("offence_on", "lead_on", "filed_on"):
            value = getattr(d, attr)
            if value is not None and value > self.today:
                c.problems.append(Problem(attr, f"{value:%Y-%m-%d} 晚于今天"))
        if existing is None and d.lead_on is None and d.filed_on is None:
            c.problems.append(Problem("lead_on", "新案件须填写线索受理日期或立案日期"))
        if d.lead_on and d.filed_on and d.filed_on < d.lead_on:
            c.problems.append(Problem("filed_on", f"{d.filed_on:%Y-%m-%d} 早于线索受理日期 {d.lead_on:%Y-%m-%d}"))
        first = d.lead_on or d.filed_on
        if d.offence_on and first and d.offence_on > first:
            c.problems.append(Problem("offence_on", f"{d.offence_on:%Y-%m-%d} 晚于发现违法行为（线索受理/立案）的日期 {first:%Y-%m-%d}"))
        if not d.offence_on:
            c.incomplete.append("违法行为日期")

    def _review(self, c: Checked, existing: Case | None) -> None:
        """行政复议 / 行政诉讼: each date after the decision and in order, a result only with its date."""
        d = c.data
        p = lambda f, m: c.problems.append(Problem(f, m))  # noqa: E731
        for attr, table, out in (("review_result", REVIEW_RESULTS, "review_result"),
                                 ("litigation_result", LITIGATION_RESULTS, "litigation_result")):
            given = (getattr(d, attr) or "").strip()
            code = code_of(table, given) if given else ""
            if code is None:
                p(attr, f"应为{'、'.join(table.values())}之一，不是“{given}”")
            setattr(c, out, code or "")
        pairs = (("review_applied_on", "review_decided_on", "review_result", "申请日期", "复议决定日期", "复议结果"),
                 ("litigation_filed_on", "litigation_decided_on", "litigation_result", "起诉日期", "判决（裁定）日期",
                  "诉讼结果"))
        for start, end, result, start_label, end_label, result_label in pairs:
            began, ended, outcome = getattr(d, start), getattr(d, end), getattr(c, result)
            for attr in (start, end):
                value = getattr(d, attr)
                if value is not None and value > self.today:
                    p(attr, f"{value:%Y-%m-%d} 晚于今天")
            if ended is not None and began is None:
                p(start, f"填写了{end_label}，请同时填写{start_label}")
            if began and ended and ended < began:
                p(end, f"{ended:%Y-%m-%d} 早于{start_label} {began:%Y-%m-%d}")
            if outcome and ended is None:
                p(end, f"填写了{result_label}，请同时填写{end_label}")
            if ended is not None and not outcome:
                p(result, f"填写了{end_label}，请选择{result_label}")
        began = d.review_applied_on or d.litigation_filed_on
        if began is None:
            return
        decided = existing.decided_on if existing is not None and existing.outcome == "PENALTY" else None
        if decided is None:
            field_ = "review_applied_on" if d.review_applied_on else "litigation_filed_on"
            p(field_, "案件尚未作出处罚决定，不能登记行政复议或行政诉讼")
            return
        for attr, label in (("review_applied_on", "申请复议日期"), ("litigation_filed_on", "起诉日期")):
            value = getattr(d, attr)
            if value is not None and value < decided:
                p(attr, f"{value:%Y-%m-%d} 早于处罚决定日期 {decided:%Y-%m-%d}")
        known = existing.served_on or decided
        if d.review_applied_on and d.review_applied_on > known + timedelta(days=REVIEW_APPLY_DAYS):
            c.warnings.append(f"申请复议日期 {d.review_applied_on:%Y-%m-%d} 已超过送达后 {REVIEW_APPLY_DAYS} 日的申请期限，请核对。")
        lit = d.litigation_filed_on
        if lit and d.review_applied_on:
            if d.review_decided_on is None or lit < d.review_decided_on:
                c.warnings.append("复议尚未作出决定即提起诉讼：请核对（已申请复议的，一般应在收到复议决定后起诉）。")
            elif lit > d.review_decided_on + timedelta(days=LITIGATION_AFTER_REVIEW_DAYS):
                c.warnings.append(f"起诉日期已超过收到复议决定后 {LITIGATION_AFTER_REVIEW_DAYS} 日的起诉期限，请核对。")
        elif lit and lit > _add_months(known, LITIGATION_MONTHS):
            c.warnings.append(f"起诉日期已超过知道处罚决定后 {LITIGATION_MONTHS} 个月的起诉期限，请核对。")

    def _number(self, c: Checked, existing: Case | None) -> None:
        text = (c.data.number or "").strip()
        if not text:
            return
        parsed = case_numbers.parse_number(self.session, text)
        if len(parsed.number) > 60:
            c.problems.append(Problem("number", "太长（最多 60 个字）"))
            return
        q = select(Case.id).where(Case.number == parsed.number)
        if existing is not None:
            q = q.where(Case.id != existing.id)
        if self.session.execute(q).first() is not None:
            c.problems.append(Problem("number", f"“{parsed.number}”已被另一件案件使用"))
        c.number = parsed

    def _stage_rules(self, c: Checked, case: Case) -> None:
        """What may no longer change once the case has moved on."""
        d = c.data
        if d.lead_on != case.lead_on and case.lead_on is not None and case.stage not in ("LEAD", "FILED"):
            c.problems.append(Problem("lead_on", "已有后续环节，不能在此修改；如需更正，请审核员撤回环节后重新办理"))
        if d.lead_on is None and case.lead_on is not None:
            c.problems.append(Problem("lead_on", "不能删除"))
        if d.lead_on is not None and case.lead_on is None:
            if case.filed_on and d.lead_on > case.filed_on:
                c.problems.append(Problem("lead_on", f"{d.lead_on:%Y-%m-%d} 晚于立案日期 {case.filed_on:%Y-%m-%d}"))
        if d.filed_on != case.filed_on:
            if case.filed_on is None:
                c.problems.append(Problem("filed_on", "请通过“办理环节 → 立案”登记立案"))
            elif d.filed_on is None:
                c.problems.append(Problem("filed_on", "不能删除"))
            elif case.stage != "FILED":
                c.problems.append(Problem("filed_on", "已有后续环节，不能在此修改；如需更正，请审核员撤回环节后重新办理"))
        if c.procedure and c.procedure != case.procedure:
            if case.outcome is not None or any(getattr(case, f"{s}") for s in ("investigated_on", "notice_on")):
                c.problems.append(Problem("procedure", "案件已进入调查终结、告知或作出决定，不能再改变程序"))
        if case.outcome == "PENALTY":
            before = sorted((p.kind, p.amount, p.detail) for p in case.penalties)
            after = sorted(c.penalties)
            if [(k, a) for k, a, _ in before] != [(k, a) for k, a, _ in after]:
                c.problems.append(Problem("penalties", "处罚决定已作出，处罚种类和金额不能再改；如需更正，请审核员撤回“决定”环节"))
        if case.number and c.category and c.category != case.category and c.number is None:
            c.warnings.append(f"专业类别已改变，文号 {case.number} 仍按原类别编排。")


def _add_months(d: date, months: int) -> date:
    month = d.month - 1 + months
    year, month = d.year + month // 12, month % 12 + 1
    for day in (d.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


# -- saving ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SavedCase:
    id: int
    version: int
    number: str | None
    stage: str
    warnings: list[str]
    incomplete: list[str]


def save_case(session: Session, actor: Actor, data: CaseInput, *, case_id: int | None = None,
              expected_version: int | None = None) -> SavedCase:
    """Add or change a case; refuses with every problem named by field (``DataError.details``)."""
    actor.require(Permission.EDIT_DATA)
    existing = None
    if case_id is not None:
        existing = case_stages.load_for_change(session, actor, case_id, expected_version)
    c = CaseChecker(session).check(data, existing=existing)
    if c.township_code:
        actor.require_township(c.township_code)
    if not c.ok:
        raise DataError("未保存：" + c.problem_text(), details=[str(p) for p in c.problems])
    case = existing or Case(stage="FILED" if data.filed_on else "LEAD")
    with session.no_autoflush:    # one flush: the audit rows of one save share one time (case_history)
        _apply(case, c)
        if existing is None:
            session.add(case)
            if data.lead_on:
                case_stages.apply_stage(session, case, "LEAD", data.lead_on, "")
            if data.filed_on:
                case_stages.check_step_date(case, "FILED", data.filed_on)
                case_stages.apply_stage(session, case, "FILED", data.filed_on, "")
        else:
            _correct_current_dates(session, case, data)
    session.flush()
    return SavedCase(case.id, case.version, case.number, case.stage, c.warnings, c.incomplete)


def _apply(case: Case, c: Checked) -> None:
    d = c.data
    if c.number is not None and c.number.number != case.number:
        case.number, case.number_key, case.number_seq = c.number.number, c.number.key, c.number.seq
    case.cause, case.category, case.source = d.cause, c.category, c.source
    case.township_code = c.township_code
    case.party_type, case.party_name, case.party_code = c.party_type, d.party_name, c.party_code
    case.party_address, case.legal_rep = (d.party_address or "").strip(), (d.legal_rep or "").strip()
    case.party_phone = (d.party_phone or "").strip()
    case.procedure = c.procedure
    case.offence_on, case.endangers_life = d.offence_on, bool(d.endangers_life)
    case.rights_waived = bool(d.rights_waived)
    case.facts, case.violated, case.basis = (d.facts or "").strip(), (d.violated or "").strip(), (d.basis or "").strip()
    case.execution_mode, case.review_litigation = c.execution_mode, (d.review_litigation or "").strip()
    case.review_applied_on, case.review_decided_on, case.review_result = (
        d.review_applied_on, d.review_decided_on, c.review_result)
    case.litigation_filed_on, case.litigation_decided_on, case.litigation_result = (
        d.litigation_filed_on, d.litigation_decided_on, c.litigation_result)
    case.note = (d.note or "").strip()
    case.incomplete = "、".join(dict.fromkeys(c.incomplete))[:300]
    if [(o.name, o.certificate_no) for o in case.officers] != c.officers:
        _replace(case, "officers", [CaseOfficer(name=n, certificate_no=cert, sort_order=i)
                                    for i, (n, cert) in enumerate(c.officers)])
    if [(p.kind, p.amount, p.detail) for p in case.penalties] != c.penalties:
        old = {p.kind: p for p in case.penalties}
        kept = []
        for i, (kind, amount, detail) in enumerate(c.penalties):
            p = old.get(kind) or CasePenalty(kind=kind)
            p.amount, p.detail, p.sort_order = amount, detail, i
            kept.append(p)
        _replace(case, "penalties", kept)
    if d.documents is not None:
        docs = [(x.doc_type.strip(), (x.number or "").strip(), x.issued_on, (x.note or "").strip()) for x in d.documents
                if (x.doc_type or "").strip()]
        if [(x.doc_type, x.number, x.issued_on, x.note) for x in case.documents] != docs:
            _replace(case, "documents", [CaseDocument(doc_type=t, number=n, issued_on=on, note=note, sort_order=i)
                                         for i, (t, n, on, note) in enumerate(docs)])


def _replace(case: Case, attr: str, rows: list) -> None:
    """Set a child list; rows left out are deleted explicitly, so the audit records their removal (an
    orphan removed by the cascade alone is deleted inside the flush, unseen by the audit's listener)."""
    old = list(getattr(case, attr))
    setattr(case, attr, rows)
    session = object_session(case)
    if session is not None:
        for row in old:
            if row not in rows and row.id is not None:
                session.delete(row)


def _correct_current_dates(session: Session, case: Case, data: CaseInput) -> None:
    """The date of the stage the case is in may be corrected from the form (its event moves with it)."""
    for stage, attr in (("LEAD", "lead_on"), ("FILED", "filed_on")):
        new = getattr(data, attr)
        if new is None or new == getattr(case, attr):
            continue
        setattr(case, attr, new)
        event = next((e for e in reversed(case.events) if e.stage == stage and not e.reverted), None)
        if event is not None:
            event.event_on = new
        # a lead date added to a case filed at once gets no event: the events keep the order of the steps


def load_input(session: Session, case_id: int) -> tuple[CaseInput, int]:
    """A stored case as form input, plus the version to save against."""
    case = session.get(Case, case_id)
    if case is None:
        raise DataError("这件案件已不存在。")
    data = CaseInput(
        number=case.number or "", cause=case.cause, category=case.category, source=case.source,
        township=case.township_code or "", party_type=case.party_type, party_name=case.party_name,
        party_code=case.party_code, party_address=case.party_address, legal_rep=case.legal_rep,
        party_phone=case.party_phone, procedure=case.procedure, offence_on=case.offence_on,
        endangers_life=case.endangers_life, lead_on=case.lead_on, filed_on=case.filed_on,
        rights_waived=case.rights_waived, facts=case.facts, violated=case.violated, basis=case.basis,
        execution_mode=case.execution_mode, review_litigation=case.review_litigation, note=case.note,
        review_applied_on=case.review_applied_on, review_decided_on=case.review_decided_on,
        review_result=case.review_result, litigation_filed_on=case.litigation_filed_on,
        litigation_decided_on=case.litigation_decided_on, litigation_result=case.litigation_result,
        officers=[OfficerInput(o.name, o.certificate_no) for o in case.officers],
        penalties=[PenaltyInput(p.kind, p.amount, p.detail) for p in case.penalties],
        documents=[DocumentInput(x.doc_type, x.number, x.issued_on, x.note) for x in case.documents])
    return data, case.version


def delete_case(session: Session, actor: Actor, case_id: int, reason: str, *,
                expected_version: int | None = None) -> None:
    """Delete a case entered by mistake (supervisors), only before any decision; the audit keeps it."""
    actor.require(Permission.APPROVE)
    case = case_stages.load_for_change(session, actor, case_id, expected_version)
    if not (reason or "").strip():
        raise DataError("请说明删除的原因。")
    if case.outcome is not None:
        raise DataError("已作出处理决定的案件不能删除；如有错误，请撤回环节后更正。")
    from core import audit
    audit.record_event(session, "delete", f"删除案件 {case.number or case.party_name}", {"reason": reason.strip()},
                       table_name=Case.__tablename__, record_uuid=case.uuid)
    session.delete(case)
    session.flush()
