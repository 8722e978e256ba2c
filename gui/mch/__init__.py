"""妇幼月报 screens (DOMAIN.md §4): monthly entry, review, completeness and indicator charts.

Small helpers the tabs share: month choices, the townships an actor may work on, and printing a
return of the catalogue through the print preview.
"""
from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import QComboBox

from core import orgunits
from core.access import Actor
from core.orgunits import UnitRow

# ctx.changes keys: "mch_value" after a value or comment is saved, "mch_report" after a state change
MONTHS_BACK = 36         # months offered in the month combo before the current one


def month_code(year: int, month: int) -> str:
    return f"{year}{month:02d}"


def last_month(today: date | None = None) -> str:
    today = today or date.today()
    return month_code(today.year - 1, 12) if today.month == 1 else month_code(today.year, today.month - 1)


def month_label(code: str) -> str:
    return f"{code[:4]}年{int(code[4:])}月"


def previous_months(start: str, count: int) -> list[str]:
    y, m = int(start[:4]), int(start[4:])
    out = []
    for _ in range(count):
        out.append(month_code(y, m))
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return out


class MonthCombo(QComboBox):
    """Months newest first (the current month, then back); the default is last month."""

    def __init__(self, parent=None, *, today: date | None = None):
        super().__init__(parent)
        today = today or date.today()
        for code in previous_months(month_code(today.year, today.month), MONTHS_BACK + 1):
            self.addItem(month_label(code), code)
        self.set_period(last_month(today))
        self.setMinimumContentsLength(9)

    def period(self) -> str:
        return self.currentData()

    def set_period(self, code: str) -> None:
        """Select a month, adding it in order when it is older than the list."""
        i = self.findData(code)
        if i < 0:
            i = next((k for k in range(self.count()) if self.itemData(k) < code), self.count())
            self.insertItem(i, month_label(code), code)
        self.setCurrentIndex(i)


def actor_townships(session, actor: Actor) -> list[UnitRow]:
    """Open townships of the installation this actor may work on, in code order."""
    return [t for t in orgunits.townships(session) if actor.may_edit_township(t.code)]


def available_return(return_id: str):
    """The catalogue's return when it exists and is enabled, else None."""
    from core.returns.catalogue import CATALOGUE
    spec = CATALOGUE.get(return_id)
    return spec if spec is not None and spec.available else None


def preview_return(owner, ctx, spec, period: str | None, org: str | None, org_label: str, title: str):
    """Render a return to PDF off the GUI thread (as 报表 does) and open its print preview.

    ``owner.preview`` holds the open dialog (tests look at it)."""
    from gui.operations import run_op, show_error
    from gui.pages.returns_page import ReturnRequest, render_request
    from gui.print_preview import preview_dialog, temp_pdf_path
    req = ReturnRequest(spec.id, spec.title, period, org, org_label)
    path = temp_pdf_path(f"{spec.id}-{org or 'county'}-{period or ''}".replace("..", "-"))

    def done(result) -> None:
        if result is None:
            return
        try:
            dialog = preview_dialog(result, owner, title, delete_when_closed=True)
        except Exception as e:  # noqa: BLE001 - shown, never a traceback
            show_error(owner, e)
            return
        owner.preview = dialog
        dialog.finished.connect(lambda _r: setattr(owner, "preview", None))
        dialog.open()
    return run_op(owner, lambda progress: render_request(ctx, req, "pdf", path, progress), on_done=done,
                  label=f"正在生成 {spec.title}……", cancellable=True)
