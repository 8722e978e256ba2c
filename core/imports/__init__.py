"""Importing tables people keep in Excel/WPS — the reusable part (rosters, later supervision cases).

- ``workbook.open_table(path, schema)``: reads the workbook (python-calamine), finds the sheet and its
  header row by itself, and yields each line below it as a record, a 合计/小计 line, a note or blank;
- ``columns``: ``Schema``/``Field`` (the fields an import knows, with their other names) and
  ``ColumnMapping`` (which column holds which field — shown and edited by the import wizard);
- ``memory.MappingMemory``: a person's column choices, remembered per layout on this computer;
- ``values``: cells made plain (text, years, dates in every spelling, numbers read as floats);
- ``rejects.write_rejects``: the 未导入 workbook (original lines + 原因);
- ``progress``: ``progress(done, total) -> bool`` and ``ImportCancelled``;
- ``importer.Importer``: what the one import wizard (``gui/imports``) needs to know of an import;
- ``template.write_template``: 下载导入模板 from a ``TemplateSpec``.

What a record means, and the checks, belong to each import (``core/subsidy/roster_import.py``,
``core/supervision/case_import.py``).
"""
from core.imports.columns import Column, ColumnMapping, Field, Schema
from core.imports.importer import ImportChoice, Importer, ImportResult
from core.imports.memory import MappingMemory
from core.imports.progress import ImportCancelled, Progress
from core.imports.rejects import Rejected, default_rejects_path, write_rejects
from core.imports.workbook import (BLANK, NOTE, RECORD, TOTAL, HeaderNotFound, ImportFileError, SourceRow, Table,
                                   open_table, require_columns)

__all__ = ["BLANK", "NOTE", "RECORD", "TOTAL", "Column", "ColumnMapping", "Field", "HeaderNotFound", "ImportCancelled",
           "ImportChoice", "ImportFileError", "ImportResult", "Importer", "MappingMemory", "Progress", "Rejected",
           "Schema", "SourceRow", "Table", "default_rejects_path", "open_table", "require_columns", "write_rejects"]
