"""One entry point for every output format of a return (GUI export, CLI ``export --format``).

The renderers import openpyxl / reportlab, which take a while to load: each is imported only when
a file of its format is asked for.
"""
from __future__ import annotations

from typing import Any, Callable

from core.returns.model import ReturnTable

FORMATS = ("xlsx", "pdf", "json", "csv")


def render(table: ReturnTable, fmt: str, path, progress: Callable[[int], Any] | None = None):
    """Write ``table`` as ``fmt`` ("xlsx", "pdf", "json" or "csv") to ``path``; returns the number
    of data rows written (for JSON with ``path`` None: the JSON text).

    ``progress(done_rows)`` is called every 1000 rows; returning False cancels with
    ``RenderCancelled`` and leaves no file behind.
    """
    kind = (fmt or "").strip().lower().lstrip(".")
    if kind == "xlsx":
        from core.returns.xlsx import render_xlsx
        return render_xlsx(table, path, progress)
    if kind == "pdf":
        from core.returns.pdf import render_pdf
        return render_pdf(table, path, progress)
    if kind == "json":
        from core.returns.tabular import render_json
        return render_json(table, path, progress)
    if kind == "csv":
        from core.returns.tabular import render_csv
        return render_csv(table, path, progress)
    raise ValueError(f"不支持的导出格式：{fmt}（可选：{'、'.join(FORMATS)}）")
