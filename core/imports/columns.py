"""What the columns of a workbook mean: a ``Schema`` (the fields an import knows, with the other names
people give them) and a ``ColumnMapping`` (which column of this file holds which field).

The mapping is found by itself — the header row is the row, among the first ones, whose headings name
the most fields; a two-level header (``子女情况`` merged above ``姓名 性别 出生日期``) is read as
``子女姓名 …`` — and is plain data a screen can show and change (``assign``) and that can be remembered
for the next file of the same layout (``core.imports.memory``).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Callable

from openpyxl.utils import get_column_letter

HEADER_SCAN_ROWS = 20     # the header is looked for in the first rows (title lines, a 填报单位 line above it)
MIN_HEADER_FIELDS = 3     # a row naming fewer known fields is not taken for a header
_HEADING_NOISE = re.compile(r"[\s*＊※:：]")
_TRAILING_NOTE = re.compile(r"\([^()]*\)$")
_GROUP_SUFFIX = re.compile(r"(基本)?(情况|信息|资料)$")


@dataclass(frozen=True)
class Field:
    key: str
    label: str                        # the standard heading (template, messages)
    synonyms: tuple[str, ...] = ()    # other headings that mean this field
    required: bool = False
    ignored: bool = False             # recognised but not read (序号)
    hint: str = ""                    # how to fill it in (template instructions)


@dataclass(frozen=True)
class Schema:
    """The fields one kind of import knows. ``identity``: fields of which a record has at least one —
    a line under the table with none of them and little else is a note, not a record."""
    key: str
    title: str
    fields: tuple[Field, ...]
    identity: tuple[str, ...] = ()
    _index: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for f in self.fields:
            for heading in (f.label, *f.synonyms):
                self._index.setdefault(normalise_heading(heading), f.key)

    def field(self, key: str) -> Field:
        return next(f for f in self.fields if f.key == key)

    def match(self, heading: str) -> str | None:
        """The field a heading names, or None. ``身份证号码（18位）`` matches too (a trailing note)."""
        norm = normalise_heading(heading)
        if not norm:
            return None
        found = self._index.get(norm)
        if found is None and _TRAILING_NOTE.search(norm):
            found = self._index.get(_TRAILING_NOTE.sub("", norm))
        return found

    def expected_text(self) -> str:
        """The columns this import expects, for a message: required first."""
        required = [f.label for f in self.fields if f.required]
        optional = [f.label for f in self.fields if not f.required and not f.ignored]
        return f"必须有：{'、'.join(required)}；可以有：{'、'.join(optional)}"


def normalise_heading(heading: object) -> str:
    """Headings compared loosely: full-width brackets and letters made half-width, no spaces,
    line breaks, asterisks (必填 marks) or colons, lower case."""
    if heading is None:
        return ""
    text = unicodedata.normalize("NFKC", str(heading)).replace("【", "(").replace("】", ")")
    return _HEADING_NOISE.sub("", text).lower()


@dataclass
class Column:
    index: int                 # 0-based column of the sheet
    heading: str               # as written (two-level headings joined with “/”)
    field: str | None = None   # the field it holds; None: not imported
    auto: bool = True          # found by itself (False: chosen by a person or remembered)

    @property
    def letter(self) -> str:
        return get_column_letter(self.index + 1)


@dataclass
class ColumnMapping:
    """Which column holds which field, and where the header is (1-based row numbers as Excel shows)."""
    schema_key: str
    sheet: str
    header_row: int                       # the last header row; data start below it
    columns: list[Column]
    header_rows: int = 1                  # 2 for a two-level header

    def column_of(self, key: str) -> Column | None:
        return next((c for c in self.columns if c.field == key), None)

    def fields(self) -> dict[str, int]:
        """Field key → 0-based column index."""
        return {c.field: c.index for c in self.columns if c.field}

    def assign(self, index: int, key: str | None) -> None:
        """A person's choice: column ``index`` holds ``key`` (None: not imported). A field is read from
        one column only, so another column that held it is cleared."""
        for c in self.columns:
            if key is not None and c.field == key and c.index != index:
                c.field, c.auto = None, False
        for c in self.columns:
            if c.index == index:
                c.field, c.auto = key, False
                return
        raise KeyError(f"no column {index} in the header")

    def missing(self, schema: Schema, *, also_present: frozenset[str] = frozenset()) -> list[Field]:
        have = set(self.fields()) | set(also_present)
        return [f for f in schema.fields if f.required and f.key not in have]

    def signature(self) -> str:
        """The layout, for remembering a person's choices: the normalised headings in order."""
        return "|".join(normalise_heading(c.heading) for c in self.columns)

    @property
    def span(self) -> tuple[int, int]:
        """First and last column (0-based) of the table."""
        return self.columns[0].index, self.columns[-1].index

    def headings(self) -> list[str]:
        """The header as written, one text per column of the span (blank where a column had none)."""
        first, last = self.span
        by_index = {c.index: c.heading for c in self.columns}
        return [by_index.get(i, "") for i in range(first, last + 1)]

    def to_dict(self) -> dict:
        return {"schema": self.schema_key, "sheet": self.sheet, "header_row": self.header_row,
                "header_rows": self.header_rows,
                "columns": [{"index": c.index, "heading": c.heading, "field": c.field, "auto": c.auto}
                            for c in self.columns]}

    @classmethod
    def from_dict(cls, data: dict) -> ColumnMapping:
        return cls(data["schema"], data["sheet"], int(data["header_row"]),
                   [Column(int(c["index"]), c["heading"], c.get("field"), bool(c.get("auto", True)))
                    for c in data["columns"]], int(data.get("header_rows", 1)))


# -- finding the header ----------------------------------------------------------------------------

def detect_mapping(rows: list[list], merged: list, schema: Schema, sheet: str, *, header_row: int | None = None,
                   known: Callable[[ColumnMapping], bool] | None = None) -> ColumnMapping | None:
    """The best header among the first rows, or None when no row names ``MIN_HEADER_FIELDS`` fields.
    ``header_row`` (1-based): a person said where the header is. ``known``: a layout remembered from an
    earlier import is taken even if it names fewer fields (a person mapped it by hand)."""
    if header_row is not None:
        if not 1 <= header_row <= len(rows):
            return None
        mapping = _mapping_at(rows, merged, schema, sheet, header_row - 1)
        return mapping if mapping.columns else None
    best: tuple[int, ColumnMapping] | None = None
    for r in range(min(HEADER_SCAN_ROWS, len(rows))):
        mapping = _mapping_at(rows, merged, schema, sheet, r)
        if known is not None and mapping.columns and known(mapping):
            return mapping
        score = len(mapping.fields())
        if score >= MIN_HEADER_FIELDS and (best is None or score > best[0]):
            best = (score, mapping)
    return best[1] if best else None


def _mapping_at(rows: list[list], merged: list, schema: Schema, sheet: str, r: int) -> ColumnMapping:
    columns = _header_columns(rows, merged, schema, r)
    two_level = any("/" in c.heading for c in columns)
    return ColumnMapping(schema.key, sheet, r + 1, columns, 2 if two_level else 1)


def _header_columns(rows: list[list], merged: list, schema: Schema, r: int) -> list[Column]:
    lower = [_cell_text(v) for v in rows[r]]
    upper = _spread_merged(rows[r - 1], merged, r - 1) if r > 0 else []
    columns: list[Column] = []
    taken: set[str] = set()
    for index in range(max(len(lower), len(upper))):
        bottom = lower[index] if index < len(lower) else ""
        top = upper[index] if index < len(upper) else ""
        heading, key = _read_heading(schema, top, bottom)
        if not heading:
            continue
        if key in taken:
            key = None   # the same field twice: the first column keeps it
        if key:
            taken.add(key)
        columns.append(Column(index, heading, key))
    return columns


def _read_heading(schema: Schema, top: str, bottom: str) -> tuple[str, str | None]:
    """A column's heading from the header row and the row above it (a group such as 子女情况, or a
    heading merged down over both rows)."""
    if bottom and top and top != bottom:
        for candidate in (top + bottom, _GROUP_SUFFIX.sub("", normalise_heading(top)) + bottom):
            key = schema.match(candidate)
            if key:
                return f"{top}/{bottom}", key
        return bottom, schema.match(bottom)
    if bottom:
        return bottom, schema.match(bottom)
    key = schema.match(top) if top else None
    return (top, key) if key else ("", None)


def _spread_merged(row: list, merged: list, r: int) -> list[str]:
    """The row's texts with each horizontally merged heading repeated over the columns it covers."""
    texts = [_cell_text(v) for v in row]
    for (r0, c0), (r1, c1) in merged:
        if r0 <= r <= r1 and c0 < len(texts):
            value = texts[c0] if r == r0 else ""
            for c in range(c0, min(c1, len(texts) - 1) + 1):
                texts[c] = value
    return texts


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if value.__class__ is float and value.is_integer():
        return str(int(value))
    return str(value).strip()
