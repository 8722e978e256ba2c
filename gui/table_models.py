"""Small Qt pieces the admin and returns screens share: a read-only table model over plain rows
(dataclasses from core, never live ORM objects), display helpers and inline-error styling."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QLabel

ROW_ROLE = Qt.ItemDataRole.UserRole + 1   # the plain row object behind a model row
MUTED = QColor("#8a8a8a")                 # closed units, unavailable returns, inactive users
ERROR_STYLE = "color: #b00020;"

AnyIndex = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class TableColumn:
    heading: str
    value: Callable[[Any], Any]                       # row → text shown
    tooltip: Callable[[Any], str | None] | None = None
    align_right: bool = False


class RowsModel(QAbstractTableModel):
    """A read-only table over a list of plain rows (a few hundred: users, backup files).

    ``muted(row)`` greys a row out (e.g. an inactive user)."""

    def __init__(self, columns: Sequence[TableColumn], parent=None, *,
                 muted: Callable[[Any], bool] | None = None):
        super().__init__(parent)
        self._columns = list(columns)
        self._rows: list[Any] = []
        self._muted = muted

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list[Any]:
        return list(self._rows)

    def row_at(self, row: int) -> Any | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row, column = self._rows[index.row()], self._columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            value = column.value(row)
            return "" if value is None else str(value)
        if role == Qt.ItemDataRole.ToolTipRole and column.tooltip:
            return column.tooltip(row)
        if role == Qt.ItemDataRole.ForegroundRole and self._muted and self._muted(row):
            return QBrush(MUTED)
        if role == Qt.ItemDataRole.TextAlignmentRole and column.align_right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == ROW_ROLE:
            return row
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self._columns[section].heading
        return None


def local_time(utc_naive: datetime) -> datetime:
    """Stored timestamps are naive UTC (db.base.utcnow); people read local time."""
    return utc_naive.replace(tzinfo=timezone.utc).astimezone().replace(tzinfo=None)


def local_time_text(utc_naive: datetime | None) -> str:
    return "" if utc_naive is None else f"{local_time(utc_naive):%Y-%m-%d %H:%M:%S}"


def human_size(n: int) -> str:
    size = float(n)
    for unit in ("字节", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{int(size)} {unit}" if unit == "字节" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} 字节"


def error_label() -> QLabel:
    """A red label placed next to (under) a field to explain what is wrong; hidden while empty."""
    label = QLabel()
    label.setStyleSheet(ERROR_STYLE)
    label.setWordWrap(True)
    label.setVisible(False)
    return label


def show_inline(label: QLabel, message: str | None) -> None:
    label.setText(message or "")
    label.setVisible(bool(message))


def read_only_rows(view: QAbstractItemView, padding: int = 8) -> None:
    """A list people read and pick one row from: whole rows, one at a time, no editing in place,
    striped, no row numbers, rows a line of text plus ``padding`` high."""
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + padding)
