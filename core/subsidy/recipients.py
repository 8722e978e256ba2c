"""The recipient register: one rule set that both the form and the roster import go through.

``RecipientChecker`` preloads what the checks need (programmes, org units, who is already registered)
so that the same code checks one person typed in a form and 100,000 rows of an import without a query
per row.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import orgunits
from core.divisions import catalogue
from core.access import Actor, Permission
from core.errors import DataError, StaleRecord
from core.idnumbers import check_account, check_citizen_id
from core.subsidy.eligibility import ALIVE, DEAD, DISABLED, ChildFacts, Eligibility, PersonFacts, evaluate
from core.subsidy.exit_reasons import EXIT_REASONS, exit_reasons
from core.subsidy.programmes import ProgramRow, list_programs
from db.models.subsidy import Child, Recipient

STATUS_LABELS = {"APPLIED": "申请中", "ACTIVE": "享受中", "EXITED": "已退出", "REFUSED": "未通过"}
HUKOU = ["农业", "非农业"]
MARITAL = ["已婚", "丧偶", "离婚", "未婚", "再婚"]
SEXES = ["男", "女"]

# Field keys and the Chinese labels used in every message (form, import rejects, CLI).
LABELS = {
    "name": "姓名", "sex": "性别", "id_number": "公民身份号码", "birth_date": "出生日期", "ethnicity": "民族",
    "township": "乡镇（街道）", "village": "村（居）", "address": "户籍地址", "hukou": "户口性质", "marital": "婚姻状况",
    "spouse_id_number": "配偶身份号码", "phone": "联系电话", "program": "扶助项目", "first_year": "首次确认年度",
    "bank_name": "开户银行", "account_no": "银行账号", "status": "状态", "exit_reason": "退出原因",
    "exit_date": "退出日期", "note": "备注", "children": "子女", "death_date": "本人死亡日期",
}

_WHITESPACE = re.compile(r"\s+")
_PHONE = re.compile(r"[\d\-+ ]{7,20}")


@dataclass
class ChildInput:
    name: str = ""
    sex: str = ""
    birth_date: date | None = None
    status: str = ALIVE
    adopted: bool = False
    disability_grade: int | None = None
    certificate_no: str = ""
    death_date: date | None = None


@dataclass
class RecipientInput:
    """What a form or a roster row says, before checking. Township/village may be codes or names."""
    name: str = ""
    id_number: object = ""
    sex: str = ""
    birth_date: date | None = None
    ethnicity: str = ""
    township: str = ""
    village: str = ""
    address: str = ""
    hukou: str = "农业"
    marital: str = ""
    spouse_id_number: str = ""
    phone: str = ""
    program: str = ""
    first_year: int | None = None
    bank_name: str = ""
    account_no: object = ""
    status: str = "ACTIVE"
    exit_reason: str = ""
    exit_date: date | None = None
    note: str = ""
    no_policy_violation: bool = True
    death_date: date | None = None
    children: list[ChildInput] | None = None


@dataclass
class Problem:
    field: str
    message: str

    def __str__(self) -> str:
        return f"{LABELS.get(self.field, self.field)}：{self.message}"


@dataclass(frozen=True)
class Registered:
    """An existing record of the same ID number (for the duplicate rules)."""
    id: int
    program_code: str
    status: str
    township_code: str
    name: str


@dataclass
class Checked:
    """The outcome for one person: refusals (problems), warnings, eligibility and normalised values."""
    data: RecipientInput
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    eligibility: Eligibility | None = None
    id_number: str = ""
    birth_date: date | None = None
    sex: str = ""
    township_code: str = ""
    village_code: str | None = None
    account_no: str = ""
    incomplete: list[str] = field(default_factory=list)
    spouse: list[Registered] = field(default_factory=list)   # the spouse's own records, when registered

    @property
    def ok(self) -> bool:
        return not self.problems

    def problem_text(self) -> str:
        return "；".join(str(p) for p in self.problems)


class RecipientChecker:
    """Checks people for one evaluation year against what the database holds."""

    def __init__(self, session: Session, year: int | None = None, *, preload_registered: bool = False):
        self.session = session
        self.year = year or date.today().year
        self.programs: dict[str, ProgramRow] = {p.code: p for p in list_programs(session, include_inactive=True)}
        units = orgunits.list_units(session)
        self.towns = {u.code: u for u in units if u.level == 2}
        self.villages = {u.code: u for u in units if u.level == 3}
        self.town_by_name: dict[str, str] = {}
        for u in self.towns.values():
            for key in _name_keys(u.name):
                self.town_by_name.setdefault(key, u.code)
        self.village_by_name: dict[tuple[str, str], str] = {}
        for v in self.villages.values():
            for key in _name_keys(v.name):
                self.village_by_name.setdefault((v.parent_code or "", key), v.code)
        self._township_cache: dict[str, tuple[str | None, str]] = {}
        self.today = date.today()
        self.regions = catalogue()
        self.exit_reasons = exit_reasons(session)
        self._registered: dict[str, list[Registered]] | None = None
        if preload_registered:
            self._registered = {}
            q = select(Recipient.id, Recipient.id_number, Recipient.program_code, Recipient.status,
                       Recipient.township_code, Recipient.name)
            for r in session.execute(q):
                self._registered.setdefault(r.id_number, []).append(Registered(r.id, r.program_code, r.status, r.township_code, r.name))

    def registered(self, id_number: str) -> list[Registered]:
        if self._registered is not None:
            return self._registered.get(id_number, [])
        q = select(Recipient.id, Recipient.program_code, Recipient.status, Recipient.township_code, Recipient.name).where(
            Recipient.id_number == id_number)
        return [Registered(*r) for r in self.session.execute(q)]

    def remember(self, rid: int, checked: Checked, program: str, status: str) -> None:
        """After an import row is accepted, later rows see it (duplicates within the file)."""
        if self._registered is not None:
            self._registered.setdefault(checked.id_number, []).append(
                Registered(rid, program, status, checked.township_code, checked.data.name))

    # -- places ----------------------------------------------------------------------------
    def _township(self, text: str) -> tuple[str | None, str]:
        """``resolve_township``, remembered: an import asks about the same few names 100,000 times."""
        found = self._township_cache.get(text)
        if found is None:
            found = self._township_cache[text] = self.resolve_township(text)
        return found

    def resolve_township(self, text: str) -> tuple[str | None, str]:
        text = (text or "").strip()
        if not text:
            return None, "未填写"
        if len(text) == 9 and text.isdigit() and text.isascii():
            return (text, "") if text in self.towns else (None, f"代码 {text} 不是本县的乡镇（街道）")
        for key in _name_keys(text):
            if key in self.town_by_name:
                return self.town_by_name[key], ""
        return None, f"本县没有名为“{text}”的乡镇（街道）"

    def resolve_village(self, township_code: str, text: str) -> tuple[str | None, str]:
        text = (text or "").strip()
        if not text:
            return None, ""
        if len(text) == 12 and text.isdigit() and text.isascii():
            if text in self.villages and text.startswith(township_code):
                return text, ""
            return None, f"代码 {text} 不是该乡镇的村（居）"
        for key in _name_keys(text):
            code = self.village_by_name.get((township_code, key))
            if code:
                return code, ""
        return None, f"{self.towns[township_code].name if township_code in self.towns else ''}没有名为“{text}”的村（居）"

    # -- the check -------------------------------------------------------------------------
    def check(self, data: RecipientInput, *, editing_id: int | None = None, confirmed: bool = False) -> Checked:
        """All rules for one person. ``confirmed``: already confirmed in earlier years (imports of
        existing rosters) — facts the roster lacks are 待补充, contradictions are still refused."""
        c = Checked(data)
        name = _WHITESPACE.sub("", data.name or "")
        if not name:
            c.problems.append(Problem("name", "不能为空"))
        elif len(name) > 50:
            c.problems.append(Problem("name", "太长（最多 50 个字）"))
        data.name = name
        idc = check_citizen_id(data.id_number, today=self.today, regions=self.regions)
        c.id_number = idc.number
        if not idc.ok:
            c.problems.append(Problem("id_number", idc.problem))
        else:
            c.warnings.extend(idc.warnings)
            c.birth_date, c.sex = idc.birth_date, idc.sex
            if data.birth_date and data.birth_date != idc.birth_date:
                c.problems.append(Problem("birth_date", f"填写的 {data.birth_date:%Y-%m-%d} 与身份证号中的 {idc.birth_date:%Y-%m-%d} 不一致"))
            if data.sex and data.sex.strip() not in ("", idc.sex):
                c.problems.append(Problem("sex", f"填写的“{data.sex}”与身份证号（{idc.sex}）不一致"))
        town, why = self._township(data.township)
        if town is None:
            c.problems.append(Problem("township", why))
        else:
            c.township_code = town
            village, why = self.resolve_village(town, data.village)
            if why:
                c.problems.append(Problem("village", why))
            c.village_code = village
            if not data.village:
                c.incomplete.append("村（居）")
        program = self.programs.get((data.program or "").strip().upper())
        if program is None:
            c.problems.append(Problem("program", f"没有扶助项目“{data.program or '（未填）'}”"))
        if data.hukou not in HUKOU:
            c.problems.append(Problem("hukou", f"应为“农业”或“非农业”，不是“{data.hukou}”"))
        if data.marital and data.marital not in MARITAL:
            c.problems.append(Problem("marital", f"应为{'、'.join(MARITAL)}之一"))
        account, why = check_account(data.account_no)
        c.account_no = account
        if why:
            c.problems.append(Problem("account_no", why))
        elif not account:
            c.incomplete.append("银行账号")
        self._spouse(c, data)
        if data.phone and not _PHONE.fullmatch(data.phone):
            c.problems.append(Problem("phone", f"“{data.phone}”不像电话号码"))
        if data.first_year is not None and not 1990 <= data.first_year <= self.year + 1:
            c.problems.append(Problem("first_year", f"{data.first_year} 不是合理的年度"))
        if data.status == "EXITED":
            if data.exit_reason not in self.exit_reasons:
                c.problems.append(Problem("exit_reason", f"已退出的对象须填退出原因（{'、'.join(self.exit_reasons)}）"))
            if not data.exit_date:
                c.problems.append(Problem("exit_date", "已退出的对象须填退出日期"))
        if data.death_date is not None:
            if data.death_date > self.today:
                c.problems.append(Problem("death_date", f"{data.death_date:%Y-%m-%d} 晚于今天"))
            elif c.birth_date and data.death_date < c.birth_date:
                c.problems.append(Problem("death_date", f"{data.death_date:%Y-%m-%d} 早于出生日期 {c.birth_date:%Y-%m-%d}"))
        for i, child in enumerate(data.children or [], start=1):
            if child.status not in (ALIVE, DEAD, DISABLED):
                c.problems.append(Problem("children", f"第 {i} 个子女的状况应为存活、死亡或伤残"))
            if child.status == DEAD and child.death_date and child.birth_date and child.death_date < child.birth_date:
                c.problems.append(Problem("children", f"第 {i} 个子女的死亡日期早于出生日期"))
            if child.disability_grade is not None and not 1 <= child.disability_grade <= 4:
                c.problems.append(Problem("children", f"第 {i} 个子女的残疾等级应为 1–4 级"))
        if idc.ok and program is not None:
            self._duplicates(c, program, editing_id)
            facts = PersonFacts(
                birth_date=idc.birth_date, sex=idc.sex, hukou=data.hukou, marital=data.marital,
                spouse_birth_date=_spouse_birth(data.spouse_id_number), spouse_sex=_spouse_sex(data.spouse_id_number),
                children=None if data.children is None else tuple(ChildFacts(ch.sex, ch.status, ch.birth_date, ch.adopted,
                                                                               ch.disability_grade, ch.certificate_no, ch.death_date)
                                                                    for ch in data.children),
                no_policy_violation=data.no_policy_violation, death_date=data.death_date)
            year = self.year
            if data.status == "EXITED" and data.exit_date:
                year = min(year, data.exit_date.year)
            if confirmed and data.first_year:
                year = max(data.first_year, min(year, self.year))
            c.eligibility = evaluate(facts, program.rule, year)
            if data.status in ("ACTIVE", "APPLIED") and not c.eligibility.ok:
                if editing_id is not None and data.status == "ACTIVE":
                    # Facts of someone already receiving changed (户口, 子女…): record them; the annual
                    # review proposes the exit with its reason, from the next payment period.
                    c.warnings.append(c.eligibility.summary + "。年审时将建议退出。")
                else:
                    c.problems.append(Problem("program", c.eligibility.summary))
            if confirmed and data.first_year and c.eligibility.from_year and data.first_year < c.eligibility.from_year:
                c.problems.append(Problem("first_year", f"{data.first_year} 年尚不够年龄（{c.eligibility.from_year} 年起才符合）"))
            c.incomplete.extend(c.eligibility.incomplete)
        return c

    def _spouse(self, c: Checked, data: RecipientInput) -> None:
        """配偶身份号码: a real ID, not the person's own; the spouse's records when registered (the form
        shows the link); a spouse of the same sex is only a warning (a typing slip, usually)."""
        if not (data.spouse_id_number or "").strip():
            return
        spouse = check_citizen_id(data.spouse_id_number, today=self.today, regions=self.regions)
        if not spouse.ok:
            c.problems.append(Problem("spouse_id_number", spouse.problem))
            return
        if spouse.number == c.id_number:
            c.problems.append(Problem("spouse_id_number", "与本人的身份证号相同"))
            return
        if c.sex and spouse.sex == c.sex:
            c.warnings.append(f"配偶身份号码显示配偶也是{spouse.sex}性，请核对")
        if data.marital in ("未婚", "离婚"):
            c.warnings.append(f"婚姻状况为“{data.marital}”却填了配偶身份号码，请核对")
        c.spouse = self.registered(spouse.number)

    def _duplicates(self, c: Checked, program: ProgramRow, editing_id: int | None) -> None:
        for r in self.registered(c.id_number):
            if r.id == editing_id:
                continue
            place = self.towns[r.township_code].name if r.township_code in self.towns else r.township_code
            if r.program_code == program.code and r.status in ("ACTIVE", "APPLIED"):
                c.problems.append(Problem("id_number", f"此人已在本项目中登记（{r.name}，{place}，{STATUS_LABELS[r.status]}），不能重复登记"))
            elif r.status == "ACTIVE":
                prog = self.programs.get(r.program_code)
                c.warnings.append(f"此人同时享受“{prog.name if prog else r.program_code}”（{place}）")
            elif r.program_code == program.code:
                c.warnings.append(f"此人曾在本项目登记，现为“{STATUS_LABELS.get(r.status, r.status)}”")
            else:
                prog = self.programs.get(r.program_code)
                c.warnings.append(f"此人在“{prog.name if prog else r.program_code}”中有记录"
                                  f"（{STATUS_LABELS.get(r.status, r.status)}，{place}）")


def _name_keys(name: str) -> list[str]:
    """A township/village name as people write it: with or without 镇/乡/街道/村/社区/居委会."""
    n = _WHITESPACE.sub("", name or "")
    keys = [n]
    for suffix in ("街道办事处", "街道", "民族乡", "镇", "乡", "村民委员会", "居民委员会", "村委会", "居委会", "社区", "村"):
        if n.endswith(suffix) and len(n) > len(suffix):
            keys.append(n[: -len(suffix)])
            break
    return keys


def _spouse_birth(spouse_id: str) -> date | None:
    chk = check_citizen_id(spouse_id) if spouse_id else None
    return chk.birth_date if chk and chk.ok else None


def _spouse_sex(spouse_id: str) -> str | None:
    chk = check_citizen_id(spouse_id) if spouse_id else None
    return chk.sex if chk and chk.ok else None


# -- saving one person (the form) ------------------------------------------------------------------

@dataclass(frozen=True)
class Saved:
    id: int
    version: int
    checked: Checked


def recipient_values(c: Checked) -> dict:
    """A checked person as the register's column values (the form sets them on its record, an import
    inserts them as they are)."""
    d = c.data
    return {
        "name": d.name, "sex": c.sex, "id_number": c.id_number, "id_number_rev": c.id_number[::-1],
        "birth_date": c.birth_date, "ethnicity": d.ethnicity.strip(), "township_code": c.township_code,
        "village_code": c.village_code, "address": d.address.strip(), "hukou": d.hukou, "marital": d.marital,
        "phone": (d.phone or "").strip(),
        "spouse_id_number": check_citizen_id(d.spouse_id_number).number if d.spouse_id_number else "",
        "program_code": d.program.strip().upper(), "first_year": d.first_year, "bank_name": d.bank_name.strip(),
        "account_no": c.account_no, "account_rev": c.account_no[::-1], "status": d.status,
        "exit_reason": d.exit_reason, "exit_date": d.exit_date, "no_policy_violation": d.no_policy_violation,
        "death_date": d.death_date, "note": d.note, "incomplete": "、".join(dict.fromkeys(c.incomplete)),
    }


def _apply(r: Recipient, c: Checked) -> None:
    for key, value in recipient_values(c).items():
        setattr(r, key, value)


def save_recipient(session: Session, actor: Actor, data: RecipientInput, *, recipient_id: int | None = None,
                   expected_version: int | None = None, year: int | None = None) -> Saved:
    """Add or change one person; refuses with every problem named by field."""
    actor.require(Permission.EDIT_DATA)
    checker = RecipientChecker(session, year)
    c = checker.check(data, editing_id=recipient_id)
    if c.township_code:
        actor.require_township(c.township_code)
    if not c.ok:
        raise DataError("未保存：" + c.problem_text(), details=[str(p) for p in c.problems])
    if recipient_id is None:
        r = Recipient()
        session.add(r)
    else:
        r = session.get(Recipient, recipient_id)
        if r is None:
            raise DataError("这条扶助对象记录已不存在。")
        actor.require_township(r.township_code)
        if expected_version is not None and r.version != expected_version:
            raise StaleRecord(f"{r.name} 的记录已被其他人修改过，本次保存未生效。请重新打开后再改。")
    _apply(r, c)
    if data.children is not None and _child_tuples(data.children) != _child_tuples(r.children):
        r.children = [Child(name=ch.name, sex=ch.sex, birth_date=ch.birth_date, status=ch.status, adopted=ch.adopted,
                            disability_grade=ch.disability_grade, certificate_no=ch.certificate_no,
                            death_date=ch.death_date) for ch in data.children]
    session.flush()
    _link_spouse(session, r)
    return Saved(r.id, r.version, c)


def _child_tuples(children) -> list[tuple]:
    return [(c.name, c.sex, c.birth_date, c.status, c.adopted, c.disability_grade, c.certificate_no, c.death_date)
            for c in children]


def _link_spouse(session: Session, r: Recipient) -> None:
    if not r.spouse_id_number:
        r.spouse_id = None
        return
    other = session.execute(select(Recipient).where(Recipient.id_number == r.spouse_id_number)
                            .order_by(Recipient.status != "ACTIVE", Recipient.id)).scalars().first()
    r.spouse_id = other.id if other else None
    if other is not None and not other.spouse_id_number:
        other.spouse_id_number = r.id_number
        other.spouse_id = r.id
    session.flush()


def exit_recipient(session: Session, actor: Actor, recipient_id: int, reason: str, on: date,
                   *, expected_version: int | None = None) -> None:
    """退出: history is kept; takes effect from the next payment period (payroll.py reads exit_date)."""
    actor.require(Permission.EDIT_DATA)
    r = session.get(Recipient, recipient_id)
    if r is None:
        raise DataError("这条扶助对象记录已不存在。")
    actor.require_township(r.township_code)
    if expected_version is not None and r.version != expected_version:
        raise StaleRecord(f"{r.name} 的记录已被其他人修改过，请重新打开后再办理退出。")
    reasons = exit_reasons(session)
    if reason not in reasons:
        raise DataError(f"退出原因应为：{'、'.join(reasons)}。")
    if r.status == "EXITED":
        raise DataError(f"{r.name} 已于 {r.exit_date} 退出。")
    r.status, r.exit_reason, r.exit_date = "EXITED", reason, on
    if reason == "死亡" and r.death_date is None:
        r.death_date = on
    session.flush()


def load_input(session: Session, recipient_id: int) -> tuple[RecipientInput, int]:
    """A stored person as form input (plus the version to save against)."""
    r = session.get(Recipient, recipient_id)
    if r is None:
        raise DataError("这条扶助对象记录已不存在。")
    data = RecipientInput(
        name=r.name, id_number=r.id_number, sex=r.sex, birth_date=r.birth_date, ethnicity=r.ethnicity,
        township=r.township_code, village=r.village_code or "", address=r.address, hukou=r.hukou, marital=r.marital,
        spouse_id_number=r.spouse_id_number, phone=r.phone, program=r.program_code, first_year=r.first_year,
        bank_name=r.bank_name, account_no=r.account_no, status=r.status, exit_reason=r.exit_reason,
        exit_date=r.exit_date, note=r.note, no_policy_violation=r.no_policy_violation, death_date=r.death_date,
        children=[ChildInput(c.name, c.sex, c.birth_date, c.status, c.adopted, c.disability_grade, c.certificate_no,
                             c.death_date) for c in r.children] if "子女情况" not in r.incomplete else None)
    return data, r.version


def record_uuid(session: Session, recipient_id: int) -> str:
    """The record's stable id (for its audit history)."""
    uuid = session.execute(select(Recipient.uuid).where(Recipient.id == recipient_id)).scalar_one_or_none()
    if uuid is None:
        raise DataError("这条扶助对象记录已不存在。")
    return uuid
