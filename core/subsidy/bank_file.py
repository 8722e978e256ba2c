"""银行代发文件: a payment roll as a file the bank can take — .xlsx or .csv, with the columns set in
"subsidy.bank_columns" (keys from ``BANK_COLUMNS``, in that order; chosen by an administrator in
发放设置, ``core/subsidy/payment_settings.py``), one row per person and a totals line.

- ID numbers and accounts are text cells in xlsx (type string, format "@"), never numbers: Excel keeps
  only 15 significant digits and would turn an 18-digit ID into 2.20322E+17 for ever.
- Amounts are numbers with two decimals (format 0.00) in xlsx and "480.00" in CSV.
- CSV is written as the bank's software reads it: plain digits (no apostrophes or ="…" tricks, which a
  bank importer would take as part of the number), encoding per "subsidy.bank_csv_encoding"
  (default GB18030, which every Chinese bank system reads and which, unlike GBK, has every rare
  character of a name). Open the xlsx, not the CSV, in Excel.
- A person without a bank account cannot be paid through the bank: such lines are left out of the
  file and returned in ``BankFileResult.skipped`` so the screen says who they are.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from core import audit, orgunits, settings
from core.access import Actor, Permission
from core.errors import DataError, PermissionDenied
from core.returns.model import replaced_on_success
from core.subsidy.payroll import CENT, RollLine, parse_payment_period, roll_lines
from core.subsidy.programmes import get_program
from db.models.subsidy import PaymentRoll

BANK_COLUMNS = ("序号", "姓名", "身份证号", "开户银行", "账号", "金额", "月数", "发放期别", "乡镇", "村", "备注")
REQUIRED_COLUMNS = ("账号", "金额")            # a bank cannot pay a line without them
COLUMN_HINTS = {
    "序号": "1、2、3……",
    "姓名": "扶助对象姓名",
    "身份证号": "18 位公民身份号码（文本，不会变成科学计数法）",
    "开户银行": "如 农村信用社",
    "账号": "银行卡号或存折账号（文本）",
    "金额": "本期金额，元，两位小数",
    "月数": "本期发放的月数：按年 12，按半年 6",
    "发放期别": "如 2024年、2024年上半年",
    "乡镇": "乡镇（街道）名称",
    "村": "村（居）名称",
    "备注": "如 2024年农村部分计划生育家庭奖励扶助金",
}
COLUMN_WIDTHS = {"序号": 7, "姓名": 12, "身份证号": 22, "开户银行": 20, "账号": 26, "金额": 13, "月数": 7,
                 "发放期别": 16, "乡镇": 14, "村": 16, "备注": 30}
FORMATS = ("xlsx", "csv")
CSV_ENCODINGS = ("GB18030", "UTF-8")          # the names an administrator chooses from
ENCODINGS = {"GB18030": "gb18030", "GBK": "gb18030", "UTF-8": "utf-8-sig", "UTF8": "utf-8-sig"}
ENCODING_NAMES = {"GB18030": "GB18030", "GBK": "GB18030", "UTF-8": "UTF-8", "UTF8": "UTF-8"}
COLUMNS_FIELD = "银行文件的列"
ENCODING_FIELD = "CSV 编码"


@dataclass
class BankFileResult:
    path: Path
    rows: int                   # people in the file
    total: Decimal              # their amount
    skipped: list[str] = field(default_factory=list)   # people left out (no bank account), "姓名（身份证号）"


def check_columns(keys: Any) -> list[str]:
    """``keys`` as a list of column keys, or a DataError naming the field and what is wrong."""
    if not isinstance(keys, (list, tuple)) or not keys:
        raise DataError(f"“{COLUMNS_FIELD}”为空，请至少选择{'、'.join(REQUIRED_COLUMNS)}两列。")
    keys = [str(k) for k in keys]
    unknown = [k for k in keys if k not in BANK_COLUMNS]
    if unknown:
        raise DataError(f"“{COLUMNS_FIELD}”中有未知的列“{'、'.join(unknown)}”，可用的列：{'、'.join(BANK_COLUMNS)}。")
    repeated = sorted({k for k in keys if keys.count(k) > 1}, key=keys.index)
    if repeated:
        raise DataError(f"“{COLUMNS_FIELD}”中“{'、'.join(repeated)}”列重复，每列只能选一次。")
    missing = [k for k in REQUIRED_COLUMNS if k not in keys]
    if missing:
        raise DataError(f"“{COLUMNS_FIELD}”缺少“{'、'.join(missing)}”列：银行凭账号和金额发放，这两列必须选。")
    return keys


def check_encoding(name: Any) -> str:
    """The encoding's canonical name (GB18030 or UTF-8), or a DataError naming the field."""
    key = str(name or "").strip().upper()
    if key not in ENCODING_NAMES:
        raise DataError(f"“{ENCODING_FIELD}”的值“{name}”不对，应为 GB18030 或 UTF-8。")
    return ENCODING_NAMES[key]


def bank_columns(session: Session) -> list[str]:
    """The configured column keys, checked against the fixed set."""
    return check_columns(settings.get(session, "subsidy.bank_columns") or [])


def csv_encoding_name(session: Session) -> str:
    return check_encoding(settings.get(session, "subsidy.bank_csv_encoding") or "GB18030")


def _csv_encoding(session: Session) -> str:
    return ENCODINGS[csv_encoding_name(session)]


class _Cells:
    """One row's values per column key."""

    def __init__(self, session: Session, period_label: str, memo: str):
        units = orgunits.list_units(session)
        self.names = {u.code: u.name for u in units}
        self.period_label = period_label
        self.memo = memo

    def values(self, seq: int, line: RollLine) -> dict[str, Any]:
        return {"序号": seq, "姓名": line.name, "身份证号": line.id_number, "开户银行": line.bank_name,
                "账号": line.account_no, "金额": line.amount, "月数": line.months, "发放期别": self.period_label,
                "乡镇": self.names.get(line.township_code, line.township_code),
                "村": self.names.get(line.village_code or "", ""), "备注": self.memo}


def _totals_row(keys: list[str], people: int, total: Decimal) -> dict[str, Any]:
    row: dict[str, Any] = {k: "" for k in keys}
    label_key = next((k for k in keys if k != "金额"), None)
    if label_key:
        row[label_key] = "合计"
    if "姓名" in keys and label_key != "姓名":
        row["姓名"] = f"共 {people} 人"
    if "金额" in keys:
        row["金额"] = total
    return row


def write_bank_file(session: Session, actor: Actor, roll_id: int, path: str | Path, *, fmt: str | None = None,
                    columns: list[str] | None = None, totals_line: bool = True) -> BankFileResult:
    """Write the roll's bank file to ``path`` (format from ``fmt`` or the file's suffix)."""
    actor.require(Permission.PRINT_RETURNS)
    if actor.townships is not None:
        raise PermissionDenied(f"银行代发文件由县级用户导出；当前用户“{actor.display_name}”只能处理部分乡镇（街道）的数据。")
    path = Path(path)
    kind = (fmt or path.suffix).lower().lstrip(".")
    if kind not in FORMATS:
        raise DataError(f"银行代发文件只能是 xlsx 或 csv，不是“{kind or path.name}”。")
    roll = session.get(PaymentRoll, roll_id)
    if roll is None:
        raise DataError("这份发放花名册已不存在。")
    program = get_program(session, roll.program_code)
    period = parse_payment_period(roll.period)
    keys = check_columns(columns) if columns else bank_columns(session)
    cells = _Cells(session, period.label, f"{period.label}{program.public_name}金")
    result = BankFileResult(path, 0, Decimal("0.00"))

    def rows():
        for line in roll_lines(session, roll_id):
            if not line.account_no:
                result.skipped.append(f"{line.name}（{line.id_number}）")
                continue
            result.rows += 1
            result.total += line.amount
            yield cells.values(result.rows, line), False
        if totals_line:
            yield _totals_row(keys, result.rows, result.total), True

    writer = _write_xlsx if kind == "xlsx" else _write_csv
    with replaced_on_success(path) as temp:
        writer(temp, keys, rows(), session)
    audit.record_event(session, "export", f"银行代发文件 {roll.audit_label()}",
                       {"file": path.name, "rows": result.rows, "total": str(result.total),
                        "skipped": len(result.skipped)},
                       table_name=PaymentRoll.__tablename__, record_uuid=roll.uuid)
    return result


def _write_csv(temp: Path, keys: list[str], rows, session: Session) -> None:
    with open(temp, "w", encoding=_csv_encoding(session), newline="") as out:
        w = csv.writer(out)
        w.writerow(keys)
        for row, _is_total in rows:
            w.writerow([_csv_text(k, row[k]) for k in keys])


def _csv_text(key: str, value: Any) -> str:
    if isinstance(value, Decimal):
        return format(value.quantize(CENT), "f")
    text = "" if value is None else str(value)
    if key in ("姓名", "开户银行", "备注", "乡镇", "村", "发放期别") and text[:1] in ("=", "+", "-", "@"):
        return "'" + text      # CSV injection guard for free text only; numbers stay as the bank needs them
    return text


def _write_xlsx(temp: Path, keys: list[str], rows, _session: Session) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("代发明细")
    for i, key in enumerate(keys, start=1):
        ws.column_dimensions[get_column_letter(i)].width = COLUMN_WIDTHS[key]
    ws.freeze_panes = "A2"
    bold = Font(name="宋体", bold=True)
    plain = Font(name="宋体")
    center = Alignment(horizontal="center")

    def cell(key: str, value: Any, font=plain) -> Any:
        if key == "金额" and isinstance(value, Decimal):
            c = WriteOnlyCell(ws, value=value.quantize(CENT))
            c.number_format = "0.00"
        elif key in ("序号", "月数") and isinstance(value, int):
            c = WriteOnlyCell(ws, value=value)
            c.number_format = "0"
        else:
            c = WriteOnlyCell(ws, value="" if value is None else str(value))
            c.number_format = "@"       # text: IDs and accounts keep every digit
            c.data_type = "s"
        c.font = font
        return c

    heading = []
    for key in keys:
        c = cell(key, key, bold)
        c.alignment = center
        heading.append(c)
    ws.append(heading)
    for row, is_total in rows:
        ws.append([cell(k, row[k], bold if is_total else plain) for k in keys])
    wb.save(temp)
