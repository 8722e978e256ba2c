"""Reading a workbook someone made: find the sheet and its header, then hand out the lines below it,
each marked as a record, a 合计/小计 line, a note, or blank.

python-calamine reads .xlsx/.xlsm/.xls/.ods (~14x faster than openpyxl). A sheet is parsed once; rows
keep Excel's numbering (row 1 is the first line of the sheet), so messages and rejects name the row a
person sees.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Iterator

from core.errors import DataError
from core.imports.columns import HEADER_SCAN_ROWS, MIN_HEADER_FIELDS, ColumnMapping, Schema, detect_mapping
from core.imports.values import compact, is_blank

RECORD, TOTAL, NOTE, BLANK = "record", "total", "note", "blank"
_TOTAL = re.compile(r"(合计|小计|总计|共计|累计)")
_NOTE = re.compile(r"(注[:：0-9一二三]|注$|说明|备注[:：]|填表|制表|填报人|填报日期|审核|负责人|单位负责人|统计负责人|"
                   r"联系电话[:：]|报出日期|日期[:：])")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_MARK = "EncryptionInfo".encode("utf-16-le")


class ImportFileError(DataError):
    """The file cannot be read as a table (not a workbook, password-protected, no header …)."""


class HeaderNotFound(ImportFileError):
    """The workbook was read but no header was found (or the row a person named is empty). Carries what a
    screen needs to let the person point at the header: the sheets, the sheet looked at and its first rows."""

    def __init__(self, message: str, sheet_names: list[str], sheet: str, head: list[list]):
        super().__init__(message)
        self.sheet_names = sheet_names
        self.sheet = sheet
        self.head = head              # head[0] is Excel row 1


@dataclass
class SheetData:
    name: str
    rows: list[list]                      # rows[0] is Excel row 1
    merged: list = field(default_factory=list)


@dataclass
class SourceRow:
    number: int              # Excel row number
    cells: list              # the row's cells over the table's columns, as read
    values: dict             # field key → the cell as read


@dataclass
class Table:
    """A sheet with its column mapping. Change ``mapping`` (``assign``) before reading the rows."""
    path: Path
    schema: Schema
    sheet: SheetData
    mapping: ColumnMapping
    sheet_names: list[str] = field(default_factory=list)

    @property
    def total_rows(self) -> int:
        """Lines below the header (for progress)."""
        return max(0, len(self.sheet.rows) - self.mapping.header_row)

    def headings(self) -> list[str]:
        return self.mapping.headings()

    def rows(self) -> Iterator[tuple[str, SourceRow | None]]:
        """Every line below the header as (kind, row); blank lines as (BLANK, None)."""
        first, last = self.mapping.span
        width = last - first + 1
        mapped = self.mapping.fields()
        keys = list(mapped)
        pick = _picker([mapped[k] - first for k in keys])
        identity = [mapped[k] - first for k in self.schema.identity if k in mapped]
        ignored = {c.index - first for c in self.mapping.columns if c.field and self.schema.field(c.field).ignored}
        data_cols = [mapped[k] - first for k in keys if mapped[k] - first not in ignored]
        for offset, raw in enumerate(self.sheet.rows[self.mapping.header_row:]):
            cells = raw[first:last + 1]
            if len(cells) < width:
                cells = list(cells) + [""] * (width - len(cells))
            kind = _kind(cells, identity, data_cols, ignored)
            if kind == BLANK:
                yield BLANK, None
                continue
            yield kind, SourceRow(self.mapping.header_row + offset + 1, cells, dict(zip(keys, pick(cells))))

    def sample(self, limit: int = 20) -> list[SourceRow]:
        """The first records, for a preview."""
        out = []
        for kind, row in self.rows():
            if kind == RECORD:
                out.append(row)
                if len(out) >= limit:
                    break
        return out


def _picker(indexes: list[int]):
    if not indexes:
        return lambda cells: ()
    if len(indexes) == 1:
        return lambda cells: (cells[indexes[0]],)
    return itemgetter(*indexes)


def _kind(cells: list, identity: list[int], data_cols: list[int], ignored: set[int]) -> str:
    """Record, 合计/小计 line, note (注：…, 填表人 …) or blank. A line with nothing but a 序号 is blank."""
    first = next((v for v in cells if not is_blank(v)), None)
    if first is None:
        return BLANK
    if first.__class__ is str:
        head = compact(first)[:8]
        if _TOTAL.match(head):
            return TOTAL
        if _NOTE.match(head):
            return NOTE
    if identity and all(is_blank(cells[i]) for i in identity):
        if all(is_blank(cells[i]) for i in data_cols):
            filled = [i for i, v in enumerate(cells) if not is_blank(v) and i not in ignored]
            return NOTE if filled else BLANK
        if sum(1 for v in cells if not is_blank(v)) <= 2:
            return NOTE
    return RECORD


def require_columns(table: Table) -> None:
    """Refuse a table whose header lacks a required field, naming what was found and what is expected."""
    schema, mapping = table.schema, table.mapping
    missing = mapping.missing(schema)
    if missing:
        found = "、".join(c.heading for c in mapping.columns if c.field) or "（无）"
        raise ImportFileError(
            f"“{table.path.name}”的表头（工作表“{table.sheet.name}”第 {mapping.header_row} 行）中没有必需的列："
            f"{'、'.join(f.label for f in missing)}。认出的列：{found}。{schema.title}应有的列——{schema.expected_text()}。")


# -- opening ---------------------------------------------------------------------------------------

def open_table(path: str | Path, schema: Schema, *, sheet: str | None = None, header_row: int | None = None,
               memory=None) -> Table:
    """Read ``path`` and find its table: the named sheet, else the first visible sheet whose first
    rows hold a header naming at least three known columns. ``header_row`` (1-based, with ``sheet``):
    where a person says the header is. ``memory`` (a MappingMemory) re-applies a person's earlier
    column choices for the same layout."""
    path = Path(path)
    workbook = _open_workbook(path)
    names = _visible_sheets(workbook)
    candidates = [sheet] if sheet else names
    if sheet and sheet not in workbook.sheet_names:
        raise ImportFileError(f"工作簿“{path.name}”中没有名为“{sheet}”的工作表（有：{'、'.join(workbook.sheet_names)}）。")
    first: SheetData | None = None
    for name in candidates:
        data, mapping = _read_with_header(workbook, name, schema, header_row, memory)
        if mapping is not None:
            if memory is not None:
                memory.recall(mapping)
            return Table(path, schema, data, mapping, list(workbook.sheet_names))
        first = first or data
    where = f"工作表“{sheet}”" if sheet else f"工作簿“{path.name}”的各工作表"
    if header_row is not None:
        message = f"{where}的第 {header_row} 行是空的，不能作为表头。"
    else:
        message = (f"在{where}的前 {HEADER_SCAN_ROWS} 行中找不到表头（至少要有 {MIN_HEADER_FIELDS} 个能认出的列名）。"
                   f"{schema.title}应有的列——{schema.expected_text()}。")
    head = first.rows[:HEADER_SCAN_ROWS] if first else []
    raise HeaderNotFound(message, list(workbook.sheet_names), first.name if first else "", head)


def _open_workbook(path: Path):
    from python_calamine import CalamineError, CalamineWorkbook, PasswordError
    _check_file(path)
    try:
        return CalamineWorkbook.from_path(str(path))
    except PasswordError:
        raise ImportFileError(_password_message(path)) from None
    except (CalamineError, OSError, ValueError) as e:
        raise ImportFileError(_unreadable_message(path)) from e


def _check_file(path: Path) -> None:
    if not path.exists():
        raise ImportFileError(f"找不到文件：{path}")
    if path.is_dir():
        raise ImportFileError(f"{path} 是文件夹，不是 Excel 文件。")
    if path.stat().st_size == 0:
        raise ImportFileError(f"文件“{path.name}”是空的（0 字节）。")
    if _is_encrypted(path):
        raise ImportFileError(_password_message(path))


def _is_encrypted(path: Path) -> bool:
    """An .xlsx with an opening password is an OLE container holding an ``EncryptionInfo`` stream."""
    with path.open("rb") as f:
        if f.read(8) != _OLE_MAGIC:
            return False
        tail = b""
        while chunk := f.read(1 << 20):
            if _ENCRYPTED_MARK in tail + chunk:
                return True
            tail = chunk[-len(_ENCRYPTED_MARK):]
    return False


def _password_message(path: Path) -> str:
    return (f"工作簿“{path.name}”设有打开密码，程序无法读取。请在 Excel 或 WPS 中打开它，取消密码"
            "（文件 → 信息 → 保护工作簿 / 文档加密）后另存，再导入另存的文件。")


def _unreadable_message(path: Path) -> str:
    return (f"“{path.name}”不是能读取的 Excel 工作簿（应为 .xlsx、.xls 或 .ods 文件）。"
            "如果是 CSV、文本或 WPS 的 .et 文件，请先在 Excel 或 WPS 中“另存为”.xlsx 格式。")


def _visible_sheets(workbook) -> list[str]:
    names = []
    for meta in workbook.sheets_metadata:
        if str(meta.typ).endswith(".WorkSheet") and str(meta.visible).endswith(".Visible"):
            names.append(meta.name)
    return names or list(workbook.sheet_names)


def _read_with_header(workbook, name: str, schema: Schema, header_row: int | None,
                      memory) -> tuple[SheetData, ColumnMapping | None]:
    """Parse the sheet once; look for the header in its first rows; convert all rows only if found."""
    from python_calamine import CalamineError
    try:
        sheet = workbook.get_sheet_by_name(name)
        head = sheet.to_python(skip_empty_area=False, nrows=max(HEADER_SCAN_ROWS, header_row or 0))
        merged = list(sheet.merged_cell_ranges or [])
        mapping = detect_mapping(head, merged, schema, name, header_row=header_row,
                                 known=memory.knows if memory is not None else None)
        rows = sheet.to_python(skip_empty_area=False) if mapping is not None else head
    except (CalamineError, ValueError) as e:
        raise ImportFileError(f"工作表“{name}”无法读取（{e}）。文件可能已损坏，请在 Excel 或 WPS 中打开后另存再试。") from e
    return SheetData(name, rows, merged), mapping
