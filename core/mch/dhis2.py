"""Monthly values in DHIS2's dataValueSet layout (DESIGN.md contract), so they travel to and from
DHIS2-based systems:

CSV  ``dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,storedby,lastupdated,
comment,followup`` — UTF-8 without a byte-order mark (DHIS2 reads the first header as is); on import
also UTF-8 with a BOM, GB18030 (what Excel saves in China) and DHIS2's camelCase headings.
JSON ``{"dataValues": [{"dataElement", "period", "orgUnit", "categoryOptionCombo",
"attributeOptionCombo", "value", "storedBy", "lastUpdated", "comment", "followup"}]}``.

Our codes stand where DHIS2 has identifiers: ``dataelement`` an element code of DOMAIN.md §4,
``orgunit`` a 9-digit township code, ``categoryoptioncombo`` MALE / FEMALE for an element split by
sex and empty otherwise (DHIS2's ``default`` is accepted), value ``-2`` for "not carried out".
``storedby`` is who last saved the value and ``lastupdated`` when (UTC); on import both are
informational — the audit records the person importing.

Import is all good rows in one transaction: every row is checked first (element known and in use,
period a month, org unit a township of this county within the user's scope, option valid for the
element, the value a count, the month not submitted or approved, no second row for the same cell)
and each rejected row is reported with its line and reason. A row that matches what is stored is
counted ``unchanged``, so importing an export changes nothing. A field a row does not have (no
``comment`` column in the CSV, no ``comment`` key in a JSON entry; likewise ``followup``) leaves what
is stored alone; a blank ``value`` clears the value (a blank is not a zero).
"""
from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import audit, orgunits
from core.access import Actor, Permission
from core.errors import DataError, UsageError
from core.mch.elements import SEX_OPTIONS, ElementRow, list_elements
from core.mch.values import LOCKED_STATES, NOT_APPLICABLE_TEXT, parse_count
from core.periods import Period, parse_period
from core.returns.model import replaced_on_success
from db.models.mch import DataValue, MonthReport

CSV_COLUMNS = ["dataelement", "period", "orgunit", "categoryoptioncombo", "attributeoptioncombo", "value",
               "storedby", "lastupdated", "comment", "followup"]
JSON_KEYS = ["dataElement", "period", "orgUnit", "categoryOptionCombo", "attributeOptionCombo", "value",
             "storedBy", "lastUpdated", "comment", "followup"]
REQUIRED = ["dataelement", "period", "orgunit", "value"]
DEFAULT_COMBOS = {"", "default", "hllvx50cxc0"}      # DHIS2's default category option combo (name, uid)
OPTION_ALIASES = {label: code for code, label in SEX_OPTIONS}
TRUE_TEXTS, FALSE_TEXTS = {"true", "1", "yes", "是"}, {"false", "0", "no", "否", ""}
FORMATS = (".csv", ".json")
FLUSH_EVERY = 500


def file_format(path: Path) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise UsageError(f"文件“{Path(path).name}”的类型不对：数据值文件应为 .csv 或 .json（DHIS2 dataValueSet 格式）。")
    return suffix[1:]


# -- export ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class ExportResult:
    out: Path
    values: int
    period: str
    org: str


def _scope_townships(session: Session, actor: Actor | None, org: str | None) -> list[str]:
    """Townships an export covers: ``org`` a township or the county (None: the county), within the
    installation's and the actor's scope."""
    units = orgunits.townships(session, include_closed=True)
    county = orgunits.county(session)
    if org and org != (county.code if county else None):
        if len(org) != 9:
            raise UsageError(f"--org 应为本县代码 {county.code if county else ''} 或 9 位乡镇（街道）代码，“{org}”不是。")
        if org not in {u.code for u in units}:
            raise UsageError(f"本县没有代码为 {org} 的乡镇（街道）。")
        if actor is not None:
            actor.require_township(org)
        return [org]
    codes = [u.code for u in units]
    return [c for c in codes if actor is None or actor.may_edit_township(c)]


def export_rows(session: Session, period: Period, townships: list[str]) -> Iterator[dict[str, str]]:
    """The stored values of ``townships`` in ``period``'s months as CSV-named fields, in the order of
    township, month and the form's element order."""
    order = {e.code: e.sort_order for e in list_elements(session, include_inactive=True)}
    option_order = {code: i for i, (code, _) in enumerate(SEX_OPTIONS)}
    months = [f"{y}{m:02d}" for y, m in period.months]
    q = select(DataValue).where(DataValue.period.in_(months), DataValue.township_code.in_(townships))
    rows = sorted(session.execute(q).scalars(),
                  key=lambda v: (v.township_code, v.period, order.get(v.element_code, 10**9), v.element_code,
                                 option_order.get(v.option_code, -1), v.option_code))
    for v in rows:
        if v.value is None and not v.not_applicable and not v.comment and not v.followup:
            continue
        yield {"dataelement": v.element_code, "period": v.period, "orgunit": v.township_code,
               "categoryoptioncombo": v.option_code, "attributeoptioncombo": "",
               "value": NOT_APPLICABLE_TEXT if v.not_applicable else ("" if v.value is None else str(v.value)),
               "storedby": v.updated_by, "lastupdated": _iso(v.updated_at), "comment": v.comment or "",
               "followup": "true" if v.followup else "false"}


def _iso(at: datetime | None) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ") if at else ""


def export_values(session: Session, actor: Actor | None, period: str | Period, path: Path,
                  org: str | None = None) -> ExportResult:
    """Write the values of ``period`` (any period type) for the county or one township to ``path``
    (.csv or .json); the file appears only when complete."""
    if actor is not None:
        actor.require(Permission.PRINT_RETURNS)
    kind = file_format(path)
    p = parse_period(period) if isinstance(period, str) else period
    towns = _scope_townships(session, actor, org)
    rows = list(export_rows(session, p, towns)) if towns else []
    with replaced_on_success(path) as temp:
        if kind == "csv":
            with open(temp, "w", encoding="utf-8", newline="") as f:
                writer = csv.DictWriter(f, fieldnames=CSV_COLUMNS, lineterminator="\n")
                writer.writeheader()
                writer.writerows(rows)
        else:
            values = [_json_entry(r) for r in rows]
            with open(temp, "w", encoding="utf-8", newline="\n") as f:
                f.write('{"dataValues": [')
                f.write(",".join("\n" + json.dumps(v, ensure_ascii=False) for v in values))
                f.write("\n]}\n")
    county = orgunits.county(session)
    result = ExportResult(Path(path), len(rows), p.code, org or (county.code if county else ""))
    if actor is not None:
        audit.record_event(session, "export", f"datavalues {result.period}",
                           {"org": result.org, "values": result.values, "out": str(path)})
    return result


def _json_entry(row: dict[str, str]) -> dict[str, Any]:
    entry: dict[str, Any] = {key: row[col] for key, col in zip(JSON_KEYS, CSV_COLUMNS)}
    entry["followup"] = row["followup"] == "true"
    return entry


# -- reading a file --------------------------------------------------------------------------

@dataclass(frozen=True)
class RawRow:
    line: int                       # CSV: the line the record starts on; JSON: its place in dataValues
    fields: dict[str, str]          # CSV column names → text (only columns the file has)


def read_file(path: Path) -> list[RawRow]:
    """The rows of a data-value file, each with the fields it has (a CSV row: every column of the
    header). A file that cannot be read at all is refused as a whole (DataError)."""
    kind = file_format(path)
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        raise DataError(f"无法读取文件 {path}：{e.strerror or e}") from e
    return _read_csv(data) if kind == "csv" else _read_json(data)


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DataError("文件编码无法识别：请保存为 UTF-8（或 GBK）编码的 CSV。")


def _read_csv(data: bytes) -> list[RawRow]:
    reader = csv.reader(io.StringIO(_decode(data), newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise DataError("文件是空的。") from None
    except csv.Error as e:
        raise DataError(f"CSV 第 1 行无法解析：{e}") from None
    names = [h.strip().lower() for h in header]
    _require_columns(names)
    rows, start = [], reader.line_num + 1
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as e:
            raise DataError(f"CSV 第 {start} 行无法解析（{e}），请检查引号。") from None
        if any(cell.strip() for cell in record):
            rows.append(RawRow(start, {n: (record[i] if i < len(record) else "") for i, n in enumerate(names) if n}))
        start = reader.line_num + 1
    return rows


def _require_columns(names: list[str]) -> None:
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise DataError(f"文件缺少必需的列：{'、'.join(missing)}（DHIS2 dataValueSet 格式：{','.join(CSV_COLUMNS)}）。")


def _read_json(data: bytes) -> list[RawRow]:
    try:
        doc = json.loads(_decode(data))
    except json.JSONDecodeError as e:
        raise DataError(f"JSON 文件第 {e.lineno} 行第 {e.colno} 列格式错误：{e.msg}。") from None
    values = doc.get("dataValues") if isinstance(doc, dict) else None
    if not isinstance(values, list):
        raise DataError("JSON 文件应为 DHIS2 格式 {\"dataValues\": [{…}, …]}。")
    rows = []
    for i, entry in enumerate(values, start=1):
        if not isinstance(entry, dict):
            rows.append(RawRow(i, {"__bad__": "1"}))
            continue
        rows.append(RawRow(i, {k.lower(): _json_text(v) for k, v in entry.items()}))
    return rows


def _json_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# -- import ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Reject:
    line: int
    reason: str


@dataclass
class ImportResult:
    read: int = 0
    imported: int = 0
    line_word: str = "行"            # how ``line`` is said: CSV 第 N 行, JSON 第 N 条
    unchanged: int = 0
    rejects: list[Reject] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return len(self.rejects)

    def counts(self) -> dict[str, Any]:
        return {"read": self.read, "imported": self.imported, "unchanged": self.unchanged,
                "rejected": self.rejected,
                "rejects": [{"line": r.line, "reason": r.reason} for r in self.rejects]}

    def summary(self) -> str:
        return f"读取 {self.read} {self.line_word}：导入 {self.imported}，未变 {self.unchanged}，拒绝 {self.rejected}。"


@dataclass(frozen=True)
class _Good:
    line: int
    township: str
    period: str
    element: str
    option: str
    value: int | None
    not_applicable: bool
    comment: str | None         # None: the file has no comment column
    followup: bool | None

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.township, self.period, self.element, self.option)


class _RowChecker:
    """Checks one row against the reference data, with everything looked up once."""

    def __init__(self, session: Session, actor: Actor):
        self.actor = actor
        self.elements: dict[str, ElementRow] = {e.code: e for e in list_elements(session, include_inactive=True)}
        county = orgunits.county(session)
        self.county = county.code if county else ""
        self.townships = {u.code: u.name for u in orgunits.townships(session, include_closed=True)}
        self.session = session
        self._states: dict[tuple[str, str], str] | None = None

    def check(self, row: RawRow) -> _Good:
        f = row.fields
        if "__bad__" in f:
            raise DataError("这一条不是 {\"dataElement\": …} 形式的对象")
        element = self._element(f.get("dataelement", "").strip())
        period = self._period(f.get("period", "").strip())
        town = self._township(f.get("orgunit", "").strip())
        option = self._option(element, f.get("categoryoptioncombo", "").strip())
        aoc = f.get("attributeoptioncombo", "").strip()
        if aoc.lower() not in DEFAULT_COMBOS:
            raise DataError(f"不支持属性组合（attributeoptioncombo）“{aoc}”，请留空")
        label = element.name + (f"（{dict(SEX_OPTIONS)[option]}）" if option else "")
        parsed = parse_count(f.get("value", ""), label)
        followup = self._followup(f["followup"]) if "followup" in f else None
        comment = f["comment"].strip() if "comment" in f else None
        return _Good(row.line, town, period, element.code, option, parsed.value, parsed.not_applicable, comment,
                     followup)

    def _element(self, code: str) -> ElementRow:
        if not code:
            raise DataError("dataelement（数据项代码）为空")
        el = self.elements.get(code.upper())
        if el is None:
            raise DataError(f"没有数据项“{code}”（应为 DOMAIN 中的代码，如 MCH_LIVE_BIRTHS）")
        if not el.active:
            raise DataError(f"数据项 {el.code}（{el.name}）已停用")
        return el

    def _period(self, text: str) -> str:
        if not re.fullmatch(r"\d{4}(0[1-9]|1[0-2])", text):
            raise DataError(f"期间“{text}”不是月份：月报的 period 应为 YYYYMM，例如 202109")
        return text

    def _township(self, code: str) -> str:
        if not code:
            raise DataError("orgunit（组织机构代码）为空")
        if code not in self.townships:
            if code == self.county:
                raise DataError(f"{code} 是县代码：月报按乡镇填报，orgunit 应为 9 位乡镇（街道）代码")
            if len(code) == 9 and code.startswith(self.county):
                raise DataError(f"本县没有代码为 {code} 的乡镇（街道）")
            if len(code) == 9 or len(code) == 6:
                raise DataError(f"组织机构 {code} 不是本县（{self.county}）的乡镇（街道）")
            raise DataError(f"组织机构代码“{code}”不是乡镇（街道）代码：月报按乡镇填报，应为 9 位代码")
        if not self.actor.may_edit_township(code):
            raise DataError(f"当前用户无权处理乡镇（街道）{code}（{self.townships[code]}）的数据")
        return code

    def _option(self, el: ElementRow, text: str) -> str:
        codes = [o for o, _ in el.options if o]
        given = OPTION_ALIASES.get(text, text.upper())
        if not codes:
            if given.lower() in DEFAULT_COMBOS:
                return ""
            raise DataError(f"数据项 {el.name} 不分类，categoryoptioncombo 应为空（现为“{text}”）")
        if given in codes:
            return given
        if given.lower() in DEFAULT_COMBOS:
            raise DataError(f"数据项 {el.name} 要分{'、'.join(l for _, l in el.options)}填报："
                            f"categoryoptioncombo 应为 {' 或 '.join(codes)}")
        raise DataError(f"数据项 {el.name} 没有分类“{text}”，应为 {' 或 '.join(codes)}")

    def _followup(self, text: str) -> bool:
        t = text.strip().lower()
        if t in TRUE_TEXTS:
            return True
        if t in FALSE_TEXTS:
            return False
        raise DataError(f"followup 应为 true 或 false（现为“{text}”）")

    def require_open(self, good: _Good) -> None:
        if self._states is None:
            self._states = {(t, p): s for t, p, s in self.session.execute(
                select(MonthReport.township_code, MonthReport.period, MonthReport.status)
                .where(MonthReport.status.in_(list(LOCKED_STATES))))}
        state = self._states.get((good.township, good.period))
        if state:
            name = self.townships.get(good.township, good.township)
            raise DataError(f"{name} {good.period[:4]}年{int(good.period[4:])}月的月报{LOCKED_STATES[state]}，不能导入"
                            + ("（需先由审核员解锁）" if state == "APPROVED" else "（需先由审核员退回）"))


def import_values(session: Session, actor: Actor, path: Path) -> ImportResult:
    """Import a DHIS2 data-value file: every good row, in the caller's one transaction; each bad row
    is reported by line with the reason and nothing of it is written."""
    actor.require(Permission.EDIT_DATA)
    actor = actor.limited_to(orgunits.installation_townships(session))
    raw = read_file(path)
    checker = _RowChecker(session, actor)
    result = ImportResult(read=len(raw), line_word="行" if file_format(path) == "csv" else "条")
    good: list[_Good] = []
    seen: dict[tuple[str, str, str, str], int] = {}
    for row in raw:
        try:
            g = checker.check(row)
            checker.require_open(g)
            if g.key in seen:
                raise DataError(f"与第 {seen[g.key]} {result.line_word}是同一个数值（同一乡镇、月份、数据项和分类）")
        except DataError as e:
            result.rejects.append(Reject(row.line, e.message.rstrip("。")))
            continue
        seen[g.key] = row.line
        good.append(g)
    _write(session, good, result)
    audit.record_event(session, "import", f"datavalues {Path(path).name}",
                       {"read": result.read, "imported": result.imported, "unchanged": result.unchanged,
                        "rejected": result.rejected})
    return result


def _write(session: Session, good: list[_Good], result: ImportResult) -> None:
    if not good:
        return
    towns = sorted({g.township for g in good})
    months = sorted({g.period for g in good})
    existing = {(v.township_code, v.period, v.element_code, v.option_code): v for v in session.execute(
        select(DataValue).where(DataValue.township_code.in_(towns), DataValue.period.in_(months))).scalars()}
    for g in good:
        row = existing.get(g.key)
        if row is None:
            if g.value is None and not g.not_applicable and not g.comment and not g.followup:
                result.unchanged += 1          # a blank for a blank: nothing to store
                continue
            row = _new_row(g)
            session.add(row)
        elif _same(row, g):
            result.unchanged += 1
            continue
        row.value, row.not_applicable = g.value, g.not_applicable
        if g.comment is not None:
            row.comment = g.comment
        if g.followup is not None:
            row.followup = g.followup
        result.imported += 1
        if result.imported % FLUSH_EVERY == 0:
            session.flush()      # large files: written as they go, still in the caller's one transaction
    session.flush()


def _new_row(g: _Good) -> DataValue:
    return DataValue(township_code=g.township, period=g.period, element_code=g.element, option_code=g.option,
                     comment="", followup=False)


def _same(row: DataValue, g: _Good) -> bool:
    return (row.value == g.value and bool(row.not_applicable) == g.not_applicable
            and (g.comment is None or (row.comment or "") == g.comment)
            and (g.followup is None or bool(row.followup) == g.followup))
