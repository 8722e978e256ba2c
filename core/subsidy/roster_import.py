"""Importing a county's 花名册 (扶助对象花名册) from Excel/WPS — DOMAIN.md §3 "Rosters in Excel".

Every line goes through ``RecipientChecker.check`` — the same rules as the form — with
``confirmed=True`` for people already confirmed in earlier years (the roster gives 首次确认年度 or says
享受中): facts the roster lacks are 待补充, contradictions are refused. A refused line goes to the rejects
workbook with its reason; every good line is taken; a person already registered in the programme with
the same data is ``unchanged`` (importing a file twice adds nothing), with different data refused.

The whole import is one transaction in the caller's session: a crash, an error or a cancel leaves the
database as it was. Records are written in batches with SQLAlchemy Core (``executemany``), with their
audit rows (one per record, plus one for the import) in the same transaction.

Usage (the CLI and the import wizard)::

    table = open_roster(path)                       # reads the file, finds the header (ImportFileError)
    table.mapping.assign(column_index, "account_no")  # optional: a person's correction
    with db.session(actor) as s:
        result = import_roster(s, actor, table, program=None, dry_run=False, progress=cb)
    result.write_rejects(default_rejects_path(path))
"""
from __future__ import annotations

import re
import unicodedata
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from sqlalchemy import insert, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from core.access import Actor, Permission
from core.audit import AuditEntry, append_entries, bulk_entry
from core.collector import collector_paused
from core.errors import DataError
from core.idnumbers import normalise_text_number
from core.imports import (RECORD, Field, ImportFileError, ImportResult, Progress, Rejected, Schema, SourceRow, Table,
                          open_table)
from core.imports.values import LooseDate, ValueProblem, compact, is_blank, parse_date, parse_int, parse_year, text
from core.subsidy.eligibility import ALIVE, DEAD, DISABLED
from core.subsidy.recipients import (EXIT_REASONS, LABELS, Checked, ChildInput, Problem, RecipientChecker,
                                     STATUS_LABELS, RecipientInput, Registered, recipient_values)
from db.base import new_uuid, new_uuids, utcnow
from db.bulk import indexes_deferred, insert_rows
from db.models.subsidy import Child, Recipient

BATCH = 5000
BULK_LOAD_ROWS = 20_000   # from this many lines the roster's indexes are rebuilt once, not kept row by row

ROSTER = Schema("subsidy_roster", "扶助对象花名册", identity=("name", "id_number"), fields=(
    Field("seq", "序号", ("编号", "顺序号"), ignored=True),
    Field("name", "姓名", ("对象姓名", "扶助对象姓名", "户主姓名", "名字"), required=True),
    Field("sex", "性别", (), hint="可不填；填了须与身份证号一致"),
    Field("id_number", "公民身份号码", ("身份证号", "身份证号码", "公民身份证号", "公民身份证号码", "证件号码", "身份证",
                                   "身份证件号码"), required=True,
          hint="18 位；请把这一列设成“文本”格式再填，否则 Excel 会把号码变成科学计数法、末几位丢失"),
    Field("birth_date", "出生日期", ("出生年月", "出生年月日", "出生时间"), hint="可不填；填了须与身份证号一致"),
    Field("ethnicity", "民族", ()),
    Field("township", "乡镇（街道）", ("乡镇", "乡（镇）", "所在乡镇", "乡镇(街道)", "乡镇名称", "乡镇街道", "所属乡镇", "镇（乡）",
                                  "乡镇（场）"), required=True, hint="本县的乡镇名称（带不带“镇”“乡”都可以）或 9 位代码"),
    Field("village", "村（居）", ("村", "村（社区）", "所在村", "村（居）委会", "村名", "村（居委会）", "所属村", "村社区", "村(组)",
                               "村组"), hint="村名或 12 位代码"),
    Field("address", "户籍地址", ("家庭住址", "住址", "家庭地址", "详细地址")),
    Field("hukou", "户口性质", ("户籍性质", "户口类别", "户口类型"), hint="农业 或 非农业"),
    Field("marital", "婚姻状况", ()),
    Field("spouse_id_number", "配偶身份号码", ("配偶身份证号", "配偶身份证号码", "配偶公民身份号码")),
    Field("phone", "联系电话", ("电话", "手机", "手机号码", "联系方式", "电话号码")),
    Field("program", "扶助项目", ("项目", "项目名称", "扶助类别", "项目类别"),
          hint="如 农村部分计划生育家庭奖励扶助、特别扶助（独生子女死亡）、特别扶助（独生子女伤残），或项目代码"),
    Field("first_year", "首次确认年度", ("首次享受年度", "纳入年度", "享受年度", "首次纳入年度", "确认年度"), hint="四位年份，如 2012"),
    Field("bank_name", "开户银行", ("开户行", "银行名称", "代发银行")),
    Field("account_no", "银行账号", ("账号", "银行卡号", "一卡通账号", "社保卡号", "存折账号", "卡号", "银行帐号", "帐号"),
          hint="请设成“文本”格式再填"),
    Field("status", "状态", ("享受状态", "对象状态"), hint="享受中、已退出 或 申请中；不填视为享受中"),
    Field("exit_reason", "退出原因", (), hint="、".join(EXIT_REASONS)),
    Field("exit_date", "退出日期", ("退出时间",)),
    Field("death_date", "本人死亡日期", ("对象死亡日期", "本人去世日期", "死亡日期（本人）"),
          hint="村里报告本人去世的日期；当年照常发放，年审时建议退出"),
    Field("note", "备注", ()),
    Field("child_name", "子女姓名", ("子女名字",)),
    Field("child_sex", "子女性别", ()),
    Field("child_birth_date", "子女出生日期", ("子女出生年月",)),
    Field("child_status", "子女状况", ("子女状态", "子女现状", "子女存活状况"), hint="存活、死亡 或 伤残"),
    Field("child_disability_grade", "残疾等级", ("子女残疾等级", "伤残等级"), hint="1–4 级"),
    Field("child_certificate_no", "残疾证号", ("残疾人证号", "子女残疾证号", "残疾人证号码")),
    Field("child_death_date", "子女死亡日期", ("子女死亡时间",)),
))
TEMPLATE_KEYS = ("seq", "name", "sex", "id_number", "birth_date", "ethnicity", "township", "village", "hukou", "phone",
                 "program", "first_year", "bank_name", "account_no", "status", "exit_reason", "exit_date", "note")
CHILD_KEYS = ("child_name", "child_sex", "child_birth_date", "child_status", "child_disability_grade",
              "child_certificate_no", "child_death_date")

STATUS_WORDS = {
    "ACTIVE": ("享受中", "享受", "正常", "在册", "继续享受", "新增", "有效", "发放", "正常发放", "ACTIVE"),
    "EXITED": ("已退出", "退出", "停发", "停止", "停止发放", "注销", "EXITED"),
    "APPLIED": ("申请中", "待审核", "待审批", "审核中", "APPLIED"),
    "REFUSED": ("未通过", "不通过", "REFUSED"),
}
HUKOU_WORDS = {"农业": ("农业", "农业户口", "农村", "农村户口", "农村居民", "农"),
               "非农业": ("非农业", "非农", "非农业户口", "城镇", "城镇户口", "城镇居民", "城市")}
SEX_WORDS = {"男": ("男", "男性", "M"), "女": ("女", "女性", "F")}
MARITAL_WORDS = {"已婚": ("已婚", "有配偶", "在婚"), "丧偶": ("丧偶",), "离婚": ("离婚", "离异"), "未婚": ("未婚",),
                 "再婚": ("再婚",)}
CHILD_STATUS_WORDS = {ALIVE: ("存活", "健在", "在世", "正常", "健康", "ALIVE"),
                      DEAD: ("死亡", "已故", "去世", "病故", "身故", "亡故", "DEAD"),
                      DISABLED: ("伤残", "残疾", "病残", "DISABLED")}
EXIT_REASON_WORDS = {"再生育/收养": ("再生育", "收养", "再生育收养"), "户籍迁出": ("迁出", "户口迁出"),
                     "转为非农户口": ("农转非", "转非", "转为非农"), "不符合条件（取消）": ("取消", "不符合条件"),
                     "子女康复或情况变化": ("子女康复", "情况变化")}
GRADE_WORDS = {"1": 1, "一": 1, "I": 1, "Ⅰ": 1, "2": 2, "二": 2, "II": 2, "Ⅱ": 2, "3": 3, "三": 3, "III": 3, "Ⅲ": 3,
               "4": 4, "四": 4, "IV": 4, "Ⅳ": 4}
# Fields compared with an already registered record (blank cells say nothing and are not compared).
COMPARED = {"name": "name", "ethnicity": "ethnicity", "township": "township_code", "village": "village_code",
            "address": "address", "hukou": "hukou", "marital": "marital", "spouse_id_number": "spouse_id_number",
            "phone": "phone", "first_year": "first_year", "bank_name": "bank_name", "account_no": "account_no",
            "status": "status", "exit_reason": "exit_reason", "exit_date": "exit_date", "note": "note",
            "death_date": "death_date"}
_PUNCTUATION = re.compile(r"[\W_]+")
_PLACE_SUFFIX = re.compile(r"(村民委员会|居民委员会|村委会|居委会|社区|村)$")
_GRADE_TEXT = re.compile(r"(?:残疾)?([1-4一二三四]|I{1,3}|IV|[ⅠⅡⅢⅣ])级?")


def _words(table: dict) -> dict[str, str]:
    return {compact(w).upper(): key for key, words in table.items() for w in words}


WORDS = {"status": _words(STATUS_WORDS), "hukou": _words(HUKOU_WORDS), "sex": _words(SEX_WORDS),
         "marital": _words(MARITAL_WORDS), "child_status": _words(CHILD_STATUS_WORDS),
         "exit_reason": _words(EXIT_REASON_WORDS)}


# -- the result -----------------------------------------------------------------------------------

class RosterImportResult(ImportResult):
    UNIT = "人"
    UNCHANGED = "已登记且未变"


def open_roster(path: str | Path, *, sheet: str | None = None, header_row: int | None = None, memory=None) -> Table:
    """Read a roster workbook and find its header (ImportFileError with a Chinese message if it can't).
    ``header_row``: where a person says the header is; ``memory``: a MappingMemory (the wizard's)."""
    return open_table(path, ROSTER, sheet=sheet, header_row=header_row, memory=memory)


@collector_paused()   # 100,000 lines' worth of short-lived objects beside the workbook's cells (core/collector.py)
def import_roster(session: Session, actor: Actor, table: Table, *, program: str | None = None,
                  dry_run: bool = False, progress=None, year: int | None = None) -> RosterImportResult:
    """Check every line and take the good ones, in the caller's transaction. ``program``: a programme
    code for every line (else the 扶助项目 column). ``progress(done, total)`` returning False cancels
    (``ImportCancelled``: the caller's session rolls back)."""
    actor.require(Permission.EDIT_DATA)
    _require_columns(table)
    run = _RosterRun(session, actor, table, program, dry_run, year)
    gate = Progress(progress, table.total_rows)
    gate.report(0)
    bulk = not dry_run and table.total_rows >= BULK_LOAD_ROWS
    with _large_page_cache(session), indexes_deferred(session.connection(), Recipient.__table__, when=bulk):
        for done, (kind, row) in enumerate(table.rows(), start=1):
            if kind == RECORD:
                run.take(row)
            elif row is not None:
                run.result.skipped += 1
            gate.advance(done)
        run.finish()
    if not dry_run and run.result.imported:
        # Fresh statistics after a bulk load: without them SQLite may pick the programme/status index
        # for roster pages and scan every row (seconds instead of milliseconds at 100,000).
        session.connection().exec_driver_sql("ANALYZE subsidy_recipient")
    gate.report(table.total_rows)
    return run.result


@contextmanager
def _large_page_cache(session: Session):
    """SQLite keeps 2 MB of pages by default: too few for the eight indexes of 100,000 new records
    (inserts ~30 % slower). 64 MB while importing, then back, since the connection returns to the pool."""
    conn = session.connection()
    if conn.dialect.name != "sqlite":
        yield
        return
    before = int(conn.exec_driver_sql("PRAGMA cache_size").scalar())
    conn.exec_driver_sql("PRAGMA cache_size=-65536")
    try:
        yield
    finally:
        with suppress(SQLAlchemyError):   # never hide the error that ended the import
            conn.exec_driver_sql(f"PRAGMA cache_size={before}")


def _require_columns(table: Table) -> None:
    missing = table.mapping.missing(ROSTER)
    if missing:
        found = "、".join(c.heading for c in table.mapping.columns if c.field) or "（无）"
        raise ImportFileError(
            f"“{table.path.name}”的表头（工作表“{table.sheet.name}”第 {table.mapping.header_row} 行）中没有必需的列："
            f"{'、'.join(f.label for f in missing)}。认出的列：{found}。{ROSTER.title}应有的列——{ROSTER.expected_text()}。")


# -- one run ---------------------------------------------------------------------------------------

@dataclass
class _Good:
    row: SourceRow
    record: dict
    children: list[ChildInput] | None
    given: set[str]                  # fields with a value in this line
    existing: Registered | None = None


class _RosterRun:
    def __init__(self, session: Session, actor: Actor, table: Table, program: str | None, dry_run: bool,
                 year: int | None):
        from core.orgunits import installation_townships
        self.session = session
        self.actor = actor.limited_to(installation_townships(session))
        self.table = table
        self.dry_run = dry_run
        self.checker = RecipientChecker(session, year, preload_registered=True)
        self.programs = _ProgramNames(self.checker, program)
        self.result = RosterImportResult(table.path.name, table.sheet.name, table.mapping.header_row,
                                         table.headings(), dry_run)
        self.towns_with_villages = {v.parent_code for v in self.checker.villages.values()}
        self.town_cache: dict[str, str | None] = {}
        self.seen: dict[tuple[str, str], int] = {}
        self.batch: list[_Good] = []
        self.has_children = any(k in table.mapping.fields() for k in CHILD_KEYS)
        self.any_registered = session.execute(select(Recipient.id).limit(1)).first() is not None

    # -- a line ----------------------------------------------------------------------------------
    def take(self, row: SourceRow) -> None:
        self.result.read += 1
        mine: list[Problem] = []
        data, birth, village_moved = self._input(row.values, mine)
        existing = self._existing(data)
        checked = self.checker.check(data, editing_id=existing.id if existing else None,
                                     confirmed=self._confirmed(row.values, data))
        problems = list(checked.problems)
        if mine:   # a cell the import could not read: its message, not the checker's about the blank
            problems = mine + [p for p in problems if p.field not in {m.field for m in mine}]
        problems += self._own_checks(checked, birth, data)
        if problems:
            self._reject(row, problems)
            return
        if is_blank(row.values.get("hukou")):
            checked.incomplete.append("户口性质")
        record = recipient_values(checked)
        self.seen[(checked.id_number, data.program)] = row.number
        given = _given(row.values, village_moved) if existing else set()   # compared with the registered record
        self.batch.append(_Good(row, record, data.children, given, existing))
        if len(self.batch) >= BATCH:
            self._flush()

    def _input(self, v: dict, problems: list[Problem]) -> tuple[RecipientInput, LooseDate | None, bool]:
        """The line as form input, its 出生日期 as written, and whether its village name went into the address;
        what cannot be read becomes a problem named by its column."""
        birth = self._date(v, "birth_date", problems)
        town_text, village_text, address = _place(v.get("township")), _place(v.get("village")), text(v.get("address"))
        village_moved = bool(village_text) and not self._town_has_villages(town_text)
        if village_moved:
            # the county has not loaded this township's villages: keep the name in the address, 待补充 村（居）
            address = address if village_text in address else f"{village_text}{address}"
            village_text = ""
        data = RecipientInput(
            name=text(v.get("name")), id_number=v.get("id_number", ""), sex=_word("sex", v.get("sex")),
            birth_date=birth.date if birth else None, ethnicity=_ethnicity(v.get("ethnicity")),
            township=town_text, village=village_text, address=address,
            hukou=_word("hukou", v.get("hukou")) or "农业", marital=_word("marital", v.get("marital")),
            spouse_id_number=normalise_text_number(v.get("spouse_id_number")), phone=text(v.get("phone")),
            first_year=self._year(v, problems), bank_name=text(v.get("bank_name")), account_no=v.get("account_no", ""),
            status=self._status(v, problems), exit_reason=_word("exit_reason", v.get("exit_reason")),
            exit_date=self._full_date(v, "exit_date", problems), note=text(v.get("note")),
            death_date=self._full_date(v, "death_date", problems))
        data.children = self._children(v, problems)
        data.program = self.programs.code_for(v.get("program"), data.children, problems)
        if data.children and is_blank(v.get("child_status")):
            data.children[0].status = self._implied_child_status(data.children[0], data.program)
        return data, birth, village_moved

    def _confirmed(self, v: dict, data: RecipientInput) -> bool:
        """Confirmed in earlier years: the roster gives 首次确认年度, or says 享受中."""
        return data.first_year is not None or (not is_blank(v.get("status")) and data.status == "ACTIVE")

    def _own_checks(self, c: Checked, birth: LooseDate | None, data: RecipientInput) -> list[Problem]:
        """What only an import can get wrong: a 出生年月 without a day, someone else's township, the same
        person twice in the file."""
        problems = []
        if birth is not None and birth.precision != "day" and c.birth_date and not birth.agrees_with(c.birth_date):
            problems.append(Problem("birth_date", f"填写的 {birth} 与身份证号中的 {c.birth_date:%Y-%m-%d} 不一致"))
        if c.township_code and not self.actor.may_edit_township(c.township_code):
            town = self.checker.towns[c.township_code].name
            problems.append(Problem("township", f"当前用户“{self.actor.display_name}”无权导入{town}的数据"))
        first = self.seen.get((c.id_number, data.program)) if c.id_number else None
        if first is not None:
            problems.append(Problem("id_number", f"与第 {first} 行是同一人、同一扶助项目（重复），本行未导入"))
        return problems

    def _existing(self, data: RecipientInput) -> Registered | None:
        """This person's record in this programme, if registered (the active one first)."""
        if not self.any_registered:
            return None
        number = normalise_text_number(data.id_number)
        mine = [r for r in self.checker.registered(number) if r.program_code == data.program]
        mine.sort(key=lambda r: r.status not in ("ACTIVE", "APPLIED"))
        return mine[0] if mine else None

    def _reject(self, row: SourceRow, problems: list[Problem]) -> None:
        self.result.rejected += 1
        self.result.rejects.append(Rejected(row.number, row.cells, "；".join(str(p) for p in problems)))

    # -- reading cells -------------------------------------------------------------------------
    def _date(self, v: dict, key: str, problems: list[Problem]) -> LooseDate | None:
        try:
            return parse_date(v.get(key))
        except ValueProblem as e:
            problems.append(Problem(key, str(e)))
            return None

    def _full_date(self, v: dict, key: str, problems: list[Problem]) -> date | None:
        loose = self._date(v, key, problems)
        if loose is not None and loose.date is None:
            problems.append(Problem(key, f"“{text(v.get(key))}”没有写到日（请写成 2020-06-30 这样的完整日期）"))
        return loose.date if loose else None

    def _year(self, v: dict, problems: list[Problem]) -> int | None:
        try:
            return parse_year(v.get("first_year"))
        except ValueProblem as e:
            problems.append(Problem("first_year", str(e)))
            return None

    def _status(self, v: dict, problems: list[Problem]) -> str:
        raw = v.get("status")
        status = _standard("status", raw)
        if status == "":
            return "ACTIVE"
        if status is None:
            problems.append(Problem("status", f"应为享受中、已退出或申请中，不是“{text(raw)}”"))
            return "ACTIVE"
        return status

    def _children(self, v: dict, problems: list[Problem]) -> list[ChildInput] | None:
        """One child per line when the roster has child columns; None (待补充) when it says nothing."""
        if not self.has_children or all(is_blank(v.get(k)) for k in CHILD_KEYS):
            return None
        child = ChildInput(name=text(v.get("child_name")), sex=_word("sex", v.get("child_sex")),
                           certificate_no=normalise_text_number(v.get("child_certificate_no")))
        child.birth_date = self._full_date(v, "child_birth_date", problems)
        child.death_date = self._full_date(v, "child_death_date", problems)
        child.disability_grade = _grade(v.get("child_disability_grade"), problems)
        child.status = _child_status(v.get("child_status"), child, problems)
        return [child]

    def _implied_child_status(self, child: ChildInput, code: str) -> str:
        """A roster of 特别扶助（独生子女死亡/伤残）says so of the child even where 子女状况 is blank."""
        rule = self.checker.programs[code].child_rule if code in self.checker.programs else ""
        if child.status == ALIVE and rule in ("DEATH", "DISABILITY"):
            return DEAD if rule == "DEATH" else DISABLED
        return child.status

    def _town_has_villages(self, town_text: str) -> bool:
        if town_text not in self.town_cache:
            self.town_cache[town_text] = self.checker.resolve_township(town_text)[0]
        code = self.town_cache[town_text]
        return code is None or code in self.towns_with_villages

    # -- writing -------------------------------------------------------------------------------
    def finish(self) -> None:
        self._flush()
        self.result.rejects.sort(key=lambda r: r.number)
        if not self.dry_run:
            r = self.result
            append_entries(self.session.connection(), self.actor.username, [AuditEntry(
                "import", "", "", f"导入扶助对象花名册 {r.file}",
                {"文件": r.file, "工作表": r.sheet, "读取": r.read, "导入": r.imported, "未变": r.unchanged,
                 "未导入": r.rejected, "待补充": r.incomplete, "跳过": r.skipped})])

    def _flush(self) -> None:
        batch, self.batch = self.batch, []
        self._settle_registered([g for g in batch if g.existing])
        fresh = [g for g in batch if not g.existing]
        self.result.imported += len(fresh)
        self.result.incomplete += sum(1 for g in fresh if g.record["incomplete"])
        if fresh and not self.dry_run:
            _write(self.session, self.actor.username, self.result.file, fresh)

    def _settle_registered(self, goods: list[_Good]) -> None:
        """Lines of people already in the programme: the same data → unchanged; different → refused."""
        if not goods:
            return
        stored = _stored(self.session, [g.existing.id for g in goods], self.has_children)
        for g in goods:
            differences = self._differences(g, stored[g.existing.id])
            if differences:
                self._reject(g.row, [Problem("id_number", self._registered_text(g.existing) + differences)])
            else:
                self.result.unchanged += 1

    def _differences(self, g: _Good, stored: dict) -> str:
        out = []
        for key, column in COMPARED.items():
            if key in g.given and not _same(column, g.record[column], stored[column]):
                out.append(f"{LABELS[key]}（已登记“{self._shown(column, stored[column])}”，"
                           f"表中“{self._shown(column, g.record[column])}”）")
        if g.children and not _has_child(stored["children"], g.children[0]):
            out.append("子女（已登记的子女情况与表中不同）")
        return "、".join(out)

    def _registered_text(self, r: Registered) -> str:
        place = self.checker.towns[r.township_code].name if r.township_code in self.checker.towns else r.township_code
        return f"此人已在本项目中登记（{r.name}，{place}），导入不改动已登记的记录；表中与登记不同的是："

    def _shown(self, column: str, value) -> str:
        if value in (None, ""):
            return "空"
        if column == "township_code":
            return self.checker.towns[value].name if value in self.checker.towns else value
        if column == "village_code":
            return self.checker.villages[value].name if value in self.checker.villages else value
        if column == "status":
            return STATUS_LABELS.get(value, value)
        return str(value)


# -- programmes by name ----------------------------------------------------------------------------

class _ProgramNames:
    """扶助项目 as people write it: the code, the full name, or 奖励扶助 / 农村奖扶 / 特别扶助（死亡）/ 特扶伤残 …"""

    def __init__(self, checker: RecipientChecker, forced: str | None):
        self.codes = set(checker.programs)
        self.by_name = {_squeeze(p.name): code for code, p in checker.programs.items()}
        self.forced = None
        if forced:
            self.forced = forced.strip().upper()
            if self.forced not in self.codes:
                raise DataError(f"没有扶助项目“{forced}”。现有项目：{'、'.join(sorted(self.codes))}。")
        self.cache: dict[str, str | None] = {}

    def code_for(self, raw, children: list[ChildInput] | None, problems: list[Problem]) -> str:
        if self.forced:
            return self.forced
        if is_blank(raw):
            problems.append(Problem("program", "未填写（请在表中填写扶助项目，或导入时指定项目）"))
            return ""
        if raw not in self.cache:
            self.cache[raw] = self._match(compact(raw))
        code = self.cache[raw]
        if code == "SPECIAL?":
            code = self._special_from_child(children)
            if code is None:
                problems.append(Problem("program", f"“{text(raw)}”没有写明是独生子女死亡还是伤残"))
                return ""
        if code is None:
            problems.append(Problem("program", f"无法识别“{text(raw)}”（可填项目名称如 奖励扶助、特别扶助（死亡）、"
                                               f"特别扶助（伤残），或项目代码 {'、'.join(sorted(self.codes))}）"))
            return ""
        return code

    def _match(self, written: str) -> str | None:
        if written.upper() in self.codes:
            return written.upper()
        key = _squeeze(written)
        if key in self.by_name:
            return self.by_name[key]
        if "特扶" in key or "特别扶助" in key:
            if "死亡" in key:
                return self._known("SPECIAL_DEATH")
            if "伤残" in key or "残疾" in key:
                return self._known("SPECIAL_DISABILITY")
            return "SPECIAL?"
        if "奖扶" in key or "奖励扶助" in key:
            return self._known("URBAN_REWARD") if "城镇" in key else self._known("RURAL_REWARD")
        return None

    def _known(self, code: str) -> str | None:
        return code if code in self.codes else None

    def _special_from_child(self, children: list[ChildInput] | None) -> str | None:
        status = children[0].status if children else None
        return {DEAD: self._known("SPECIAL_DEATH"), DISABLED: self._known("SPECIAL_DISABILITY")}.get(status)


# -- small readers -----------------------------------------------------------------------------------

def _squeeze(value: str) -> str:
    return _PUNCTUATION.sub("", unicodedata.normalize("NFKC", value))


@lru_cache(maxsize=4096)
def _standard(kind: str, raw) -> str | None:
    """The standard form of a known word (性别, 户口性质, 状态 …); "" for a blank cell; None if unknown.
    Cached: such columns hold a handful of different values in 100,000 lines."""
    if is_blank(raw):
        return ""
    return WORDS[kind].get(compact(raw).upper())


def _word(kind: str, raw) -> str:
    """A known word's standard form; other text as written (the checks name it)."""
    found = _standard(kind, raw)
    return text(raw) if found is None else found


_place = lru_cache(maxsize=8192)(compact)   # township and village names repeat


@lru_cache(maxsize=1024)
def _ethnicity(raw) -> str:
    """``汉`` → ``汉族`` as the form writes it."""
    value = compact(raw)
    return value + "族" if value and not value.endswith("族") and len(value) <= 3 and not value.isascii() else value


def _grade(raw, problems: list[Problem]) -> int | None:
    if is_blank(raw):
        return None
    m = _GRADE_TEXT.fullmatch(compact(raw).upper())
    if m:
        return GRADE_WORDS[m.group(1)]
    try:
        return parse_int(raw, "残疾等级")
    except ValueProblem as e:
        problems.append(Problem("children", f"残疾等级{e}"))
        return None


def _child_status(raw, child: ChildInput, problems: list[Problem]) -> str:
    """As written; else implied by a death date (死亡) or a disability grade/certificate (伤残)."""
    if not is_blank(raw):
        status = _standard("child_status", raw)
        if status is None:
            problems.append(Problem("children", f"子女状况应为存活、死亡或伤残，不是“{text(raw)}”"))
            return ALIVE
        return status
    if child.death_date:
        return DEAD
    if child.disability_grade is not None or child.certificate_no:
        return DISABLED
    return ALIVE


def _given(v: dict, village_moved: bool) -> set[str]:
    """The fields a line gives a value for (a village name moved into the address counts as the address)."""
    given = {k for k, x in v.items() if not is_blank(x)}
    if village_moved:
        given.discard("village")
        given.add("address")
    return given


def _same(column: str, new, old) -> bool:
    """Equal, or for an address the same place written with or without 村/社区/居委会."""
    if new == old:
        return True
    return column == "address" and _PLACE_SUFFIX.sub("", compact(new)) == _PLACE_SUFFIX.sub("", compact(old))


def _has_child(stored: list[dict], child: ChildInput) -> bool:
    """A stored child agreeing with every fact the line gives about its child."""
    given = {k: v for k, v in (("name", child.name), ("sex", child.sex), ("birth_date", child.birth_date),
                               ("status", child.status), ("disability_grade", child.disability_grade),
                               ("certificate_no", child.certificate_no), ("death_date", child.death_date))
             if v not in (None, "")}
    return any(all(s.get(k) == v for k, v in given.items()) for s in stored)


# -- the database ------------------------------------------------------------------------------------

def _stored(session: Session, ids: list[int], with_children: bool) -> dict[int, dict]:
    """The registered records (and children) for these ids, in one query each."""
    t = Recipient.__table__
    q = select(t.c.id, *(t.c[column] for column in COMPARED.values())).where(t.c.id.in_(ids))
    out = {r.id: {**r._mapping, "children": []} for r in session.execute(q)}
    if with_children:
        c = Child.__table__
        for ch in session.execute(select(c).where(c.c.recipient_id.in_(ids))):
            out[ch.recipient_id]["children"].append(dict(ch._mapping))
    return out


def _write(session: Session, who: str, file_name: str, goods: list[_Good]) -> None:
    """Insert a batch of records and their children, with one audit row naming every record of the
    batch and its line (``bulk_entry``: a person's history finds it)."""
    conn = session.connection()
    now = utcnow()
    stamp = {"created_at": now, "created_by": who, "updated_at": now, "updated_by": who, "version": 1}
    for g, uuid in zip(goods, new_uuids(len(goods))):
        g.record.update(stamp, uuid=uuid, spouse_id=None)   # spouses are linked later, not by the import
    table = Recipient.__table__
    with_children = [g for g in goods if g.children]
    insert_rows(conn, table, [g.record for g in goods if not g.children])
    if with_children:
        ids = conn.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True),
                           [g.record for g in with_children]).scalars().all()
        insert_rows(conn, Child.__table__, [_child_row(rid, ch, stamp) for rid, g in zip(ids, with_children)
                                             for ch in g.children])
    first, last = goods[0].row.number, goods[-1].row.number
    append_entries(conn, who, [bulk_entry("import", table.name, f"导入扶助对象花名册 {file_name}（第 {first}–{last} 行）",
                                          {"文件": file_name}, {g.record["uuid"]: g.row.number for g in goods})])


def _child_row(recipient_id: int, ch: ChildInput, stamp: dict) -> dict:
    return {**stamp, "uuid": new_uuid(), "recipient_id": recipient_id, "name": ch.name, "sex": ch.sex,
            "birth_date": ch.birth_date, "status": ch.status, "adopted": ch.adopted,
            "disability_grade": ch.disability_grade, "certificate_no": ch.certificate_no, "death_date": ch.death_date}


# -- for the import wizard (``core.imports.Importer``) -------------------------------------------------

def _wizard_run(session: Session, actor: Actor, table: Table, *, dry_run: bool = False, progress=None,
                choice: str | None = None) -> RosterImportResult:
    return import_roster(session, actor, table, program=choice, dry_run=dry_run, progress=progress)


def _wizard_programmes(session: Session) -> list[tuple[str, str]]:
    from core.subsidy.programmes import list_programs
    return [(p.code, p.name) for p in list_programs(session)]


def _wizard_template(session: Session, path: str | Path) -> Path:
    from core.subsidy.template import write_template_for
    return write_template_for(session, path)


from core.imports import ImportChoice, Importer  # noqa: E402 - kept with the block that uses it

ROSTER_IMPORTER = Importer(
    key=ROSTER.key, title=ROSTER.title, schema=ROSTER, open=open_roster, run=_wizard_run, template=_wizard_template,
    template_name="扶助对象花名册导入模板.xlsx", unit="人", unchanged_label="不变（已登记）", changed="subsidy_recipient",
    choice=ImportChoice("扶助项目", "按表中的扶助项目列", "program", _wizard_programmes),
    intro="可以是本程序的导入模板，也可以是乡镇自己做的 Excel/WPS 花名册：标题行、填报单位行、"
          "合计行、各种列名和日期写法都能识别。",
    template_hint="还没有花名册？下载标准模板，按说明填写后再导入。身份证号和银行账号两列请设为“文本”格式，"
                  "否则 Excel 会把号码变成科学计数法、末几位丢失。")
