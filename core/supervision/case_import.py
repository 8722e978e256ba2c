"""Importing existing health-supervision case ledgers (案件台账) from Excel/WPS — issue 5 §6.

Same behaviour as the roster import (``core/subsidy/roster_import.py``): the header is found by itself
(``core.imports``), columns are known by their other names, refused lines go to a rejects workbook with
原因, the whole import is one transaction in the caller's session, and a dry run checks everything (in a
savepoint that is rolled back) but changes nothing.

Every line is checked by ``CaseChecker`` — the rules of the case form — and saved as the form saves
(``cases._apply`` + ``case_stages.apply_stage``: numbering, stage events and audit are the same). Old
ledgers lack facts the form asks for (a credit code, officers' certificate numbers, 违法事实 …): those are
待补充, not refused. What contradicts the law or itself is refused: a wrong check character in the credit
code, dates out of order (决定 before 立案), an amount that is not a number, an unknown category.

A line whose 文号 is already in the database is compared with that case, cell by cell (blank cells say
nothing and are not compared): the same → ``unchanged`` (importing a file twice adds nothing); different →
refused with 原因 "文号…已存在且内容不同：<each field, 已有 … 表中 …>" — the import never changes a case
already registered (the form and the stage steps do). The same 文号 twice in one file: the second is refused.

Usage::

    table = open_cases(path)
    with db.session(actor) as s:
        result = import_cases(s, actor, table, dry_run=False)
    result.write_rejects(default_rejects_path(path))
"""
from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.access import Actor, Permission
from core.audit import AuditEntry, append_entries
from core.errors import DataError
from core.idnumbers import check_citizen_id, normalise_text_number
from core.imports import (RECORD, Field, Importer, ImportResult, Progress, Rejected, Schema, SourceRow, Table,
                          open_table, require_columns)
from core.imports.values import ValueProblem, is_blank, parse_date, text
from core.supervision import case_numbers, case_stages
from core.supervision.cases import (LABELS, CaseChecker, CaseInput, Checked, OfficerInput, PenaltyInput, Problem,
                                    _apply, parse_amount)
from core.supervision.codes import CATEGORIES, CONFISCATION_KINDS, PENALTY_KINDS, SOURCES, STAGES, code_of
from db.models.supervision import Case

CASES = Schema("supervision_cases", "监督案件台账", identity=("party_name", "number", "cause"), fields=(
    Field("seq", "序号", ("编号", "顺序号"), ignored=True),
    Field("number", "案件编号", ("决定书文号", "文号", "案号", "处罚决定书文号")),
    Field("cause", "案由", ("违法行为", "案件名称"), required=True),
    Field("category", "专业类别", ("类别", "专业", "案件类别"), required=True, hint="、".join(CATEGORIES.values())),
    Field("source", "案件来源", ("来源",), hint="、".join(SOURCES.values())),
    Field("party_name", "当事人", ("当事人名称", "单位名称", "被处罚人", "当事人姓名"), required=True),
    Field("party_code", "统一社会信用代码", ("信用代码", "身份证号", "统一社会信用代码/身份证号", "证件号码", "身份证号码"),
          hint="单位填 18 位统一社会信用代码，个人填身份证号；请设成“文本”格式"),
    Field("party_address", "地址", ("当事人地址", "住址", "单位地址", "经营地址")),
    Field("legal_rep", "法定代表人", ("负责人", "法定代表人（负责人）", "法人代表")),
    Field("officers", "承办人", ("执法人员", "案件承办人"), hint="姓名之间用“、”或“,”分隔"),
    Field("certificates", "执法证号", ("执法证件号", "执法证编号"), hint="与承办人顺序相同，用“、”或“,”分隔"),
    Field("filed_on", "立案日期", ("立案时间",), required=True),
    Field("decided_on", "决定日期", ("处罚决定日期", "决定时间")),
    Field("served_on", "送达日期", ("送达时间",)),
    Field("closed_on", "结案日期", ("结案时间",)),
    Field("penalty_kinds", "处罚种类", ("处罚内容", "处罚结果", "行政处罚种类")),
    Field("fine", "罚款金额", ("罚款（元）", "罚款", "罚款数额", "罚款金额（元）")),
    Field("confiscated", "没收金额", ("没收金额（元）", "没收违法所得")),
    Field("note", "备注", ()),
))
DATE_FIELDS = {"filed_on": "FILED", "decided_on": "DECISION", "served_on": "SERVED", "closed_on": "CLOSED"}
_SPLIT = re.compile(r"[、,，;；/\s]+")
_UNIT_WORDS = re.compile(r"(公司|医院|诊所|卫生院|卫生室|中心|门诊|店|厂|馆|学校|幼儿园|室|部|所|站|社|园|会|场|院|厅|吧|城)")
# Facts a ledger has no column for: stored as 待补充 on the case, but not counted as ``incomplete`` (every
# imported line lacks them; the count is of lines missing what the ledger itself should have said).
NOT_IN_LEDGERS = frozenset({"违法行为日期", "违法事实", "违反条款", "处罚依据", "调查终结日期", "告知日期", "执行日期"})
# CaseChecker problems that are facts an old ledger lacks (待补充), not contradictions.
_FILLABLE = (re.compile(r"缺少执法证号"), re.compile(r"执法人员不得少于两人"))


class CaseImportResult(ImportResult):
    UNIT = "件"
    UNCHANGED = "已有且未变"   # 文号 already registered, with the same content


def open_cases(path: str | Path, *, sheet: str | None = None, header_row: int | None = None, memory=None) -> Table:
    return open_table(path, CASES, sheet=sheet, header_row=header_row, memory=memory)


def import_cases(session: Session, actor: Actor, table: Table, *, dry_run: bool = False,
                 progress=None) -> CaseImportResult:
    """Check every line and save the good ones in the caller's transaction (dry run: rolled back)."""
    actor.require(Permission.EDIT_DATA)
    require_columns(table)
    result = CaseImportResult(table.path.name, table.sheet.name, table.mapping.header_row, table.headings(), dry_run)
    run = _Run(session, actor, result)
    gate = Progress(progress, table.total_rows)
    gate.report(0)
    outer = session.begin_nested() if dry_run else None
    try:
        for done, (kind, row) in enumerate(table.rows(), start=1):
            if kind == RECORD:
                run.take(row)
            elif row is not None:
                result.skipped += 1
            gate.advance(done)
        if not dry_run:
            append_entries(session.connection(), actor.username, [AuditEntry(
                "import", "", "", f"导入监督案件台账 {result.file}",
                {"文件": result.file, "工作表": result.sheet, "读取": result.read, "导入": result.imported,
                 "未变": result.unchanged, "未导入": result.rejected, "待补充": result.incomplete})])
    finally:
        if outer is not None:
            outer.rollback()
    result.rejects.sort(key=lambda r: r.number)
    gate.report(table.total_rows)
    return result


class _Run:
    def __init__(self, session: Session, actor: Actor, result: CaseImportResult):
        self.session = session
        self.actor = actor
        self.result = result
        self.checker = CaseChecker(session)
        self.seen: dict[str, int] = {}   # 文号 → row number in this file

    def take(self, row: SourceRow) -> None:
        self.result.read += 1
        v = row.values
        problems: list[Problem] = []
        number = text(v.get("number"))
        if number:
            parsed = case_numbers.parse_number(self.session, number).number
            if parsed in self.seen:
                return self._reject(row, [Problem("number", f"“{parsed}”与本表第 {self.seen[parsed]} 行重复")])
            self.seen[parsed] = row.number
            existing = self.session.scalars(select(Case).where(Case.number == parsed)).first()
            if existing is not None:
                return self._compare(row, existing)
        data, dates = self._input(v, problems)
        for attr, table in (("category", CATEGORIES), ("source", SOURCES)):
            given = getattr(data, attr)
            if given and code_of(table, given) is None:
                problems.append(Problem(attr, f"无法识别“{given}”，应为{'、'.join(table.values())}之一"))
        if problems:
            return self._reject(row, problems)
        checked = self.checker.check(data)
        incomplete = self._settle_fillable(checked)
        if not checked.ok:
            return self._reject(row, checked.problems)
        steps = case_stages.steps_from_dates(dates)
        incomplete += self._missing_for_steps(checked, steps)
        checked.incomplete.extend(incomplete)
        savepoint = self.session.begin_nested()
        try:
            self._save(checked, steps, row)
        except DataError as e:
            savepoint.rollback()
            return self._reject(row, [Problem("", str(e))])
        savepoint.commit()
        self.result.imported += 1
        if any(x not in NOT_IN_LEDGERS for x in checked.incomplete):
            self.result.incomplete += 1

    def _compare(self, row: SourceRow, case: Case) -> None:
        """A line whose 文号 is registered: unchanged when every filled cell agrees with the case, else refused
        naming each field that differs (the import never changes a registered case)."""
        problems: list[Problem] = []
        data, dates = self._input(row.values, problems)
        differences = _differences(row.values, data, dates, case, problems)
        if problems:
            return self._reject(row, problems)
        if differences:
            return self._reject(row, [Problem("", f"文号“{case.number}”已存在且内容不同：{'、'.join(differences)}。"
                                                  "导入不改动已登记的案件；如需更正，请在“案件登记”中打开该案件修改")])
        self.result.unchanged += 1

    # -- reading a line ------------------------------------------------------------------------
    def _input(self, v: dict, problems: list[Problem]) -> tuple[CaseInput, dict]:
        party_name = text(v.get("party_name"))
        code = normalise_text_number(v.get("party_code")) if not is_blank(v.get("party_code")) else ""
        data = CaseInput(
            number=text(v.get("number")), cause=text(v.get("cause")), category=text(v.get("category")),
            source=text(v.get("source")) or "OTHER", party_type=_party_type(party_name, code),
            party_name=party_name, party_code=code, party_address=text(v.get("party_address")),
            legal_rep=text(v.get("legal_rep")), note=text(v.get("note")))
        dates = {}
        for key, stage in DATE_FIELDS.items():
            try:
                loose = parse_date(v.get(key))
            except ValueProblem as e:
                problems.append(Problem(key, f"{CASES.field(key).label}：{e}"))
                continue
            if loose is not None and loose.date is None:
                problems.append(Problem(key, f"{CASES.field(key).label}：“{loose}”没有具体到日"))
                continue
            dates[stage] = loose.date if loose else None
        data.filed_on = dates.get("FILED")
        names = [x for x in _SPLIT.split(text(v.get("officers"))) if x]
        certs = [x for x in _SPLIT.split(text(v.get("certificates"))) if x]
        if len(certs) > len(names):
            problems.append(Problem("officers", f"执法证号有 {len(certs)} 个，承办人只有 {len(names)} 名"))
        data.officers = [OfficerInput(n, certs[i] if i < len(certs) else "") for i, n in enumerate(names)]
        data.penalties = _penalties(v)
        return data, dates

    def _settle_fillable(self, c: Checked) -> list[str]:
        """Missing certificate numbers / officers: 待补充 in an old ledger, not a reason to refuse."""
        out, kept = [], []
        for p in c.problems:
            if p.field == "officers" and any(f.search(p.message) for f in _FILLABLE):
                out.append("执法证号" if "执法证号" in p.message and "少于" not in p.message else "承办人")
            else:
                kept.append(p)
        c.problems = kept
        return list(dict.fromkeys(out))

    def _missing_for_steps(self, c: Checked, steps: list) -> list[str]:
        out = []
        stages = [s for s, _ in steps]
        if "DECISION" in stages:
            if not c.penalties:
                out.append("处罚种类")
            out += [label for label, value in (("违法事实", c.data.facts), ("违反条款", c.data.violated),
                                               ("处罚依据", c.data.basis)) if not value]
            if c.procedure == "NORMAL":
                out += ["调查终结日期", "告知日期"]
        if "CLOSED" in stages and "DECISION" in stages:
            out.append("执行日期")
        return out

    # -- saving --------------------------------------------------------------------------------
    def _save(self, c: Checked, steps: list, row: SourceRow) -> None:
        """As ``save_case`` saves a new case, then the ledger's later dates as stage steps (each date
        checked as ``advance`` checks it: not in the future, not before the steps it follows)."""
        if c.township_code:
            self.actor.require_township(c.township_code)
        case = Case(stage="FILED")
        _apply(case, c)
        self.session.add(case)
        for stage, on in steps:
            case_stages.check_step_date(case, stage, on)
            case_stages.apply_stage(self.session, case, stage, on, "导入" if stage != "FILED" else "")
        self.session.flush()

    def _reject(self, row: SourceRow, problems: list[Problem]) -> None:
        self.result.rejected += 1
        self.result.rejects.append(Rejected(row.number, row.cells, "；".join(_said(p) for p in problems)))


def _said(p: Problem) -> str:
    if not p.field or p.message.startswith(tuple(f.label for f in CASES.fields)):
        return p.message
    label = {"party_code": "统一社会信用代码/身份证号"}.get(p.field) or LABELS.get(p.field) or p.field
    return f"{label}：{p.message}"


def _differences(v: dict, data: CaseInput, dates: dict, case: Case, problems: list[Problem]) -> list[str]:
    """Each filled cell of a line that disagrees with the registered case, as "字段（已有“…”，表中“…”）"."""
    out: list[str] = []

    def compare(key: str, stored, given, shown=None) -> None:
        if stored != given:
            shown = shown or (lambda x: x)
            out.append(f"{CASES.field(key).label}（已有“{shown(stored) if stored not in (None, '') else '空'}”，"
                       f"表中“{shown(given)}”）")

    for key in ("cause", "party_name", "party_address", "legal_rep", "note"):
        if not is_blank(v.get(key)):
            compare(key, _squash(getattr(case, key)), _squash(getattr(data, key)))
    for key, table in (("category", CATEGORIES), ("source", SOURCES)):
        if not is_blank(v.get(key)):
            given = text(v.get(key))
            code = code_of(table, given)
            if code is None:
                problems.append(Problem(key, f"无法识别“{given}”，应为{'、'.join(table.values())}之一"))
            elif code != getattr(case, key):
                compare(key, table.get(getattr(case, key), getattr(case, key)), table[code])
    if data.party_code:
        compare("party_code", (case.party_code or "").upper(), str(data.party_code).upper())
    officers = sorted(case.officers, key=lambda o: o.sort_order)
    if data.officers:
        compare("officers", "、".join(o.name for o in officers), "、".join(o.name for o in data.officers))
    if any(o.certificate_no for o in data.officers):
        compare("certificates", "、".join(o.certificate_no.upper() for o in officers),
                "、".join(o.certificate_no.upper() for o in data.officers))
    for key, stage in DATE_FIELDS.items():
        if dates.get(stage) is not None:
            compare(key, getattr(case, key), dates[stage], lambda d: f"{d:%Y-%m-%d}")
    stored_kinds = {p.kind: p.amount for p in case.penalties}
    if not is_blank(v.get("penalty_kinds")):
        codes = []   # as the line would be imported: a 罚款/没收 amount adds its kind
        for p in data.penalties:
            code = code_of(PENALTY_KINDS, p.kind)
            if code is None:
                problems.append(Problem("penalty_kinds", f"处罚种类“{p.kind}”不对，应为{'、'.join(PENALTY_KINDS.values())}之一"))
            codes.append(code)
        if None not in codes:
            names = lambda kinds: "、".join(PENALTY_KINDS[k] for k in sorted(kinds, key=list(PENALTY_KINDS).index))  # noqa: E731
            if set(codes) != set(stored_kinds):
                compare("penalty_kinds", names(stored_kinds), names(codes))
    for key, kinds in (("fine", ("FINE",)), ("confiscated", CONFISCATION_KINDS)):
        if is_blank(v.get(key)):
            continue
        amount, why = parse_amount(v.get(key))
        if why:
            problems.append(Problem(key, f"{CASES.field(key).label}：{why}"))
            continue
        held = [a for k, a in stored_kinds.items() if k in kinds and a is not None]
        compare(key, sum(held) if held else None, amount, lambda a: f"{a:,.2f}")
    return out


def _squash(value: object) -> str:
    return re.sub(r"\s+", " ", str(value or "")).strip()


def _party_type(name: str, code: str) -> str:
    """个人 when the code is a valid citizen ID, or there is no code and the name is not a unit's."""
    if code:
        return "PERSON" if len(code) == 18 and check_citizen_id(code).ok else "UNIT"
    return "UNIT" if _UNIT_WORDS.search(name) or len(name) > 4 else "PERSON"


def _penalties(v: dict) -> list[PenaltyInput]:
    kinds = [k for k in _SPLIT.split(text(v.get("penalty_kinds"))) if k]
    out = [PenaltyInput(k) for k in kinds]
    codes = [code_of(PENALTY_KINDS, k) for k in kinds]
    fine, confiscated = v.get("fine"), v.get("confiscated")
    if not is_blank(fine):
        if "FINE" in codes:
            out[codes.index("FINE")].amount = fine
        else:
            out.append(PenaltyInput("FINE", fine))
    if not is_blank(confiscated):
        at = next((i for i, c in enumerate(codes) if c in CONFISCATION_KINDS), None)
        if at is not None:
            out[at].amount = confiscated
        else:
            out.append(PenaltyInput("CONFISCATE_GAINS", confiscated))
    return out


# -- for the import wizard (``core.imports.Importer``) -------------------------------------------------

def _run(session: Session, actor: Actor, table: Table, *, dry_run: bool = False, progress=None,
         choice: str | None = None) -> CaseImportResult:
    return import_cases(session, actor, table, dry_run=dry_run, progress=progress)


def _write_template(session: Session, path: str | Path) -> Path:
    from core.supervision.case_template import write_template_for
    return write_template_for(session, path)


CASE_IMPORTER = Importer(
    key=CASES.key, title=CASES.title, schema=CASES, open=open_cases, run=_run, template=_write_template,
    template_name="监督案件台账导入模板.xlsx", unit="件", unchanged_label="不变（已有）", changed="supervision_case",
    intro="可以是本程序的导入模板，也可以是监督所自己的 Excel/WPS 案件台账：标题行、填报单位行、合计行、"
          "“文号”“当事人名称”“罚款（元）”等各种列名和日期写法都能识别。",
    template_hint="还没有台账？下载标准模板，按“填写说明”填写后再导入。统一社会信用代码/身份证号和执法证号两列"
                  "请设为“文本”格式。")

__all__ = ["CASES", "CASE_IMPORTER", "CaseImportResult", "import_cases", "open_cases", "STAGES"]
