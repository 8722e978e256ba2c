"""What a standard return (报表) is, independent of how it is rendered.

A builder (e.g. ``core/returns/org_list.py``) produces a :class:`ReturnTable`; the renderers in
``xlsx.py``, ``pdf.py`` and ``tabular.py`` turn it into files. ``rows`` may be any iterable (a
generator for large returns): renderers consume it once, in order.
"""
from __future__ import annotations

import os
import secrets
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Literal

ColumnKind = Literal["text", "int", "decimal", "money", "percent", "rate", "date"]


@dataclass(frozen=True)
class Column:
    heading: str                 # Chinese heading users see (JSON/CSV: ``full_heading``)
    kind: ColumnKind = "text"
    width: float = 12            # relative width in characters (xlsx column width; PDF scales to page)
    decimals: int = 2            # for decimal/money/percent/rate
    group: str | None = None     # optional two-level header: cells with the same group are merged above

    @property
    def full_heading(self) -> str:
        """The heading as one name, for JSON/CSV: ``奖励扶助/享受人数`` under a group, else the heading.
        A wide return repeats 享受人数 under each group; machines need the names to be unique."""
        return f"{self.group}/{self.heading}" if self.group else self.heading


@dataclass(frozen=True)
class StatHeader:
    """The Chinese statistical header and footer (DOMAIN.md §7), set per installation."""
    table_no: str = ""           # 表号
    issuing_authority: str = ""  # 制定机关
    approval_no: str = ""        # 批准机关/文号
    valid_until: str = ""        # 有效期至
    reporting_unit: str = ""     # 填报单位（盖章）
    unit_head: str = ""          # 单位负责人
    stats_head: str = ""         # 统计负责人
    preparer: str = ""           # 填表人
    phone: str = ""              # 联系电话
    report_date: date | None = None  # 报出日期 (None → today when rendered)


@dataclass
class ReturnTable:
    id: str                      # return id from the catalogue, e.g. "ORG-LIST"
    title: str                   # 标题, e.g. "组织机构目录"
    period: str                  # period code as given, e.g. "2021" (may be "")
    period_label: str            # 报告期 as users read it, e.g. "2021年"
    org: str                     # org-unit code the return covers
    org_label: str               # its name
    columns: list[Column]
    rows: Iterable[list[Any]]    # cell values: str, int, Decimal, date, None ("" shown)
    header: StatHeader = field(default_factory=StatHeader)
    landscape: bool | None = None   # None → decided by total column width
    notes: list[str] = field(default_factory=list)  # lines printed under the table (填表说明)
    row_count_hint: int | None = None  # if known, lets renderers report progress


def cell_text(value: Any, column: Column) -> str:
    """The text a user sees for one cell, the same in PDF, CSV and previews."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, date):
        return value.isoformat()
    if column.kind in ("decimal", "money", "percent", "rate") and isinstance(value, (int, float, Decimal)):
        q = Decimal(1).scaleb(-column.decimals)
        from decimal import ROUND_HALF_UP
        d = value if isinstance(value, Decimal) else Decimal(str(value))
        text = format(d.quantize(q, rounding=ROUND_HALF_UP), "f")
        if column.kind == "money":
            whole, _, frac = text.partition(".")
            sign = "-" if whole.startswith("-") else ""
            whole = whole.lstrip("-")
            whole = f"{int(whole):,}"
            text = sign + whole + ("." + frac if frac else "")
        return text
    return str(value)


# --- What every renderer shares: the statistical header/footer texts, the page orientation rule,
# --- cancellation and writing the output file only when it is complete.

WIDE_TABLE_CHARS = 110  # total Column.width above which a return is printed landscape


class RenderCancelled(Exception):
    """Raised by a renderer when its ``progress`` callback returned False."""

    def __init__(self, message: str = "已取消导出。") -> None:
        super().__init__(message)


def is_landscape(table: ReturnTable) -> bool:
    if table.landscape is not None:
        return table.landscape
    return sum(c.width for c in table.columns) > WIDE_TABLE_CHARS


def stat_header_items(header: StatHeader) -> list[str]:
    """The 表号/制定机关/批准文号/有效期至 entries that are filled in, as printed top right."""
    labelled = [("表    号", header.table_no), ("制定机关", header.issuing_authority),
                ("批准文号", header.approval_no), ("有效期至", header.valid_until)]
    return [f"{label}：{value}" for label, value in labelled if value]


def reporting_unit_text(table: ReturnTable) -> str:
    return f"填报单位（盖章）：{table.header.reporting_unit or table.org_label}"


def period_text(table: ReturnTable) -> str:
    return f"报告期：{table.period_label}"


def footer_text(header: StatHeader) -> str:
    """单位负责人 … 报出日期 line under the table; empty names leave room to sign by hand."""
    day = header.report_date or date.today()
    blank = "　" * 4
    parts = [("单位负责人", header.unit_head), ("统计负责人", header.stats_head),
             ("填表人", header.preparer), ("联系电话", header.phone)]
    text = "　　".join(f"{label}：{value or blank}" for label, value in parts)
    return f"{text}　　报出日期：{day.year}年{day.month}月{day.day}日"


def heading_groups(columns: list[Column]) -> list[tuple[str | None, int, int]]:
    """Runs of adjacent columns sharing a group, as (group, first index, last index) in order;
    an ungrouped column is a run of its own with group None."""
    runs: list[tuple[str | None, int, int]] = []
    for i, column in enumerate(columns):
        if runs and column.group is not None and runs[-1][0] == column.group:
            runs[-1] = (column.group, runs[-1][1], i)
        else:
            runs.append((column.group, i, i))
    return runs


class ProgressGate:
    """Calls ``progress(done_rows)`` every ``every`` rows; raises RenderCancelled when it returns False."""

    def __init__(self, progress: Callable[[int], Any] | None, every: int = 1000) -> None:
        self.progress = progress
        self.every = every

    def row_done(self, done: int) -> None:
        if self.progress is not None and done % self.every == 0:
            self.report(done)

    def report(self, done: int) -> None:
        if self.progress is not None and self.progress(done) is False:
            raise RenderCancelled()


@contextmanager
def replaced_on_success(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; move it onto ``path`` only if the block succeeds.

    A cancelled or failed export therefore never leaves a partial file (nor clobbers an old one).
    """
    target = Path(path)
    temp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.part")
    with open(temp, "xb"):
        pass  # created with the user's umask, unlike mkstemp's 0600
    try:
        yield temp
        try:
            os.replace(temp, target)
        except PermissionError as exc:
            raise PermissionError(
                f"无法写入 {target}：文件可能正被其他程序（如 Excel、WPS）打开，请关闭后重试。") from exc
    finally:
        if temp.exists():
            temp.unlink()
