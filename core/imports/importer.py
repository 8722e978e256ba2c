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

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Protocol

from core.imports.columns import Schema
from core.imports.rejects import Rejected


class ImportResult(Protocol):
    """What every import's result offers (``RosterImportResult``, ``CaseImportResult``)."""
    file: str
    sheet: str
    header_row: int
    dry_run: bool
    read: int
    imported: int
    unchanged: int
    rejected: int
    incomplete: int
    skipped: int
    rejects: list[Rejected]

    def summary(self) -> str: ...

    def write_rejects(self, path: str | Path) -> Path: ...


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
