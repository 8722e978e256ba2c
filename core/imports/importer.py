"""What the import wizard needs to know about one kind of import — an ``Importer`` each import module
exposes (``roster_import.ROSTER_IMPORTER``, ``case_import.CASE_IMPORTER``), so the one wizard in
``gui/imports`` serves them all and knows nothing of rosters or cases.

The wizard calls, off the GUI thread:

- ``open(path, sheet=, header_row=, memory=)`` → ``Table`` (``ImportFileError`` / ``HeaderNotFound``);
- ``run(session, actor, table, dry_run=, progress=, choice=)`` → an ``ImportResult`` (one transaction: the
  caller's session; ``progress`` returning False cancels with ``ImportCancelled``);
- ``template(session, path)`` → the 下载导入模板 workbook, when there is one;
- ``choice.options(session)`` → the values offered for every row instead of a column (the roster's
  扶助项目), when there is a choice.

Texts are the import's own (Simplified Chinese, shown as they are).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from core.imports.columns import Schema
from core.imports.rejects import Rejected, write_rejects


@dataclass
class ImportResult:
    """What an import did, counted the same way for every kind (``RosterImportResult``,
    ``CaseImportResult`` name their unit and what "unchanged" means)."""
    UNIT = "行"                       # what one record is counted in: 人 / 件
    UNCHANGED = "已有且未变"          # a record already in the database with the same content

    file: str
    sheet: str
    header_row: int
    headings: list[str]
    dry_run: bool = False
    read: int = 0            # records in the file (lines that are neither blank nor 合计/notes)
    imported: int = 0        # new records (in a dry run: that would be added)
    unchanged: int = 0       # already in the database with the same content
    rejected: int = 0
    incomplete: int = 0      # of the imported, with 待补充 facts
    skipped: int = 0         # 合计/小计 lines and notes under the table
    rejects: list[Rejected] = field(default_factory=list)

    def write_rejects(self, path: str | Path) -> Path:
        """The rejects workbook: the original header and lines plus 原因 and 原行号."""
        return write_rejects(path, self.headings, self.rejects)

    def counts(self) -> dict:
        return {"read": self.read, "imported": self.imported, "unchanged": self.unchanged, "rejected": self.rejected,
                "incomplete": self.incomplete, "skipped": self.skipped, "dry_run": self.dry_run}

    def summary(self) -> str:
        verb = "可导入" if self.dry_run else "导入"
        text = (f"读取 {self.read} {self.UNIT}：{verb} {self.imported}（其中待补充 {self.incomplete}），"
                f"{self.UNCHANGED} {self.unchanged}，未导入 {self.rejected}")
        text += f"；跳过合计/说明行 {self.skipped}" if self.skipped else ""
        return text + ("。（试导入，数据库未做任何改动）" if self.dry_run else "。")


@dataclass(frozen=True)
class ImportChoice:
    """A value the person may give once for every row, instead of reading it from a column."""
    label: str                                        # 扶助项目
    from_column: str                                  # 按表中的扶助项目列 (the first entry: no value given)
    field: str                                        # the schema field it stands in for (``program``)
    options: Callable[[object], list[tuple[str, str]]]   # session → [(code, name)]


@dataclass(frozen=True)
class Importer:
    key: str                                          # the schema key (remembered mappings)
    title: str                                        # 扶助对象花名册 / 监督案件台账
    schema: Schema
    open: Callable[..., object]                       # (path, *, sheet, header_row, memory) → Table
    run: Callable[..., ImportResult]                  # (session, actor, table, *, dry_run, progress, choice)
    template: Callable[[object, Path], Path] | None = None   # (session, path) → path
    template_name: str = ""                           # the file name offered for the template
    choice: ImportChoice | None = None
    unit: str = "行"                                  # what one record is counted in: 人 / 件
    unchanged_label: str = "不变（已有）"
    changed: str = ""                                 # the table screens refresh after an import
    intro: str = ""                                   # what files the import takes (step 1)
    template_hint: str = ""                           # why and how to use the template (step 1)

    def required_labels(self) -> list[str]:
        return [f.label for f in self.schema.fields if f.required]
