"""A return as data for machines and spreadsheets: JSON (the command-line contract, DESIGN.md) and CSV.

JSON: ``{"id", "title", "period", "org", "columns": [headings], "rows": [[...], ...]}`` — a heading
under a group is named ``group/heading`` (``奖励扶助/享受人数``) so every name is unique; numbers
are JSON numbers (a Decimal is written with its exact digits, never through float), dates
"YYYY-MM-DD", empty cells null.

CSV: UTF-8 with a byte-order mark (Excel and WPS then read the Chinese correctly), the headings on
the first line, numbers without thousands separators. A text cell beginning with = + - @ (or a
tab / carriage return) gets a leading apostrophe, *in CSV only*: a spreadsheet opening a CSV would
otherwise run it as a formula (CSV injection). The xlsx renderer stores such text as text instead,
so it needs no prefix.
"""
from __future__ import annotations

import csv
import io
import json
import math
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Callable, TextIO

from core.returns.model import Column, ProgressGate, ReturnTable, cell_text, replaced_on_success

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


# --- JSON -----------------------------------------------------------------------------------

def render_json(table: ReturnTable, path=None, progress: Callable[[int], Any] | None = None):
    """Write the return as JSON to ``path`` and return the number of rows; with ``path`` None,
    return the JSON text instead."""
    if path is None:
        out = io.StringIO()
        _write_json(table, out, ProgressGate(progress))
        return out.getvalue()
    with replaced_on_success(path) as temp:
        with open(temp, "w", encoding="utf-8", newline="\n") as out:
            written = _write_json(table, out, ProgressGate(progress))
    return written


def _write_json(table: ReturnTable, out: TextIO, gate: ProgressGate) -> int:
    """Streamed: the head as ordinary JSON, then one row per line."""
    head = {"id": table.id, "title": table.title, "period": table.period, "org": table.org,
            "columns": [c.full_heading for c in table.columns]}
    out.write(json.dumps(head, ensure_ascii=False)[:-1])
    out.write(', "rows": [')
    written = 0
    for values in table.rows:
        out.write("\n" if written == 0 else ",\n")
        out.write("[" + ", ".join(map(_json_value, values)) + "]")
        written += 1
        gate.row_done(written)
    out.write("\n]}\n" if written else "]}\n")
    gate.report(written)
    return written


def _json_value(value: Any) -> str:
    if value is None or value is True or value is False or isinstance(value, (str, int)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Decimal):
        return _decimal_number(value)
    if isinstance(value, float):
        return "null" if not math.isfinite(value) else repr(value)
    if isinstance(value, (date, datetime)):
        return json.dumps(value.isoformat())
    return json.dumps(str(value), ensure_ascii=False)


def _decimal_number(value: Decimal) -> str:
    """The exact digits as a JSON number: Decimal("1200.50") → 1200.50, never 1200.5000000001."""
    if not value.is_finite():
        return "null"
    return format(value, "f")


# --- CSV ------------------------------------------------------------------------------------

def render_csv(table: ReturnTable, path, progress: Callable[[int], Any] | None = None) -> int:
    """Write the return as CSV (UTF-8 with BOM) to ``path``; returns the number of data rows."""
    gate = ProgressGate(progress)
    with replaced_on_success(path) as temp:
        with open(temp, "w", encoding="utf-8-sig", newline="") as out:
            writer = csv.writer(out)
            writer.writerow([_csv_guard(c.full_heading) for c in table.columns])
            written = 0
            for values in table.rows:
                writer.writerow([_csv_value(v, c) for v, c in zip(values, table.columns)])
                written += 1
                gate.row_done(written)
        gate.report(written)
    return written


def _csv_value(value: Any, column: Column) -> str:
    if isinstance(value, Decimal):
        return _decimal_number(value) if value.is_finite() else ""
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else ""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return _csv_guard(cell_text(value, column))


def _csv_guard(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text
