"""The month sheet: one township-month of counts as a keyboard-first grid, with the checks beside it.

Layout: one row per value — elements grouped under their section, a sex-split element as one row per
option (男, 女) followed by its computed 合计 (read-only) — and one value column. One value column
keeps "type, Enter, type, Enter" running down the whole form, and lets 去年同月 and 近12个月范围 sit
beside each value. Columns: 数据项 | 本月 | 去年同月 | 近12个月范围 | 说明.

Keys: digits start editing (replacing the value); Enter saves and goes down; Tab / Shift+Tab go to
the next / previous value; arrows move; Delete clears; Shift+F2 (or right-click) writes a 说明.

Each commit is one unit of work (``values.save_value``, then the month's checks); a refused value
is shown in the message line and the cell keeps what the database holds. The model is Qt only:
the sheet does the saving through ``commit(key, text) -> bool``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QBrush, QColor, QFont, QKeySequence
from PySide6.QtWidgets import (QAbstractItemDelegate, QAbstractItemView, QDialog, QDialogButtonBox, QHeaderView,
                               QLabel, QLineEdit, QMenu, QPlainTextEdit, QSplitter, QStyledItemDelegate,
                               QTableView, QVBoxLayout, QWidget)

from core.errors import UserFacingError
from core.mch import outliers, rules, values, workflow
from core.mch.elements import ElementRow, list_elements
from gui.context import AppContext
from gui.mch import month_label
from gui.table_models import ERROR_STYLE, ROW_ROLE, RowsModel, TableColumn

Key = tuple[str, str]
AnyIndex = QModelIndex | QPersistentModelIndex

COL_NAME, COL_VALUE, COL_LAST_YEAR, COL_BAND, COL_COMMENT = range(5)
HEADINGS = ("数据项", "本月", "去年同月", "近12个月范围", "说明")
ERROR_BG = QColor("#f8c9ce")
WARNING_BG = QColor("#ffe3a3")
SECTION_BG = QColor("#e3f0ee")
TOTAL_BG = QColor("#f3f3f3")
NOT_APPLICABLE_SHOWN = "未开展"
KIND_LABELS = {"ERROR": "错误", "WARNING": "警告", "OUTLIER": "异常值"}


# -- what one township-month holds (plain data: no ORM objects leave the session) --------------------

@dataclass(frozen=True)
class GridRow:
    kind: str                 # "section" | "value" | "total"
    label: str
    element: str = ""
    option: str = ""

    @property
    def key(self) -> Key:
        return (self.element, self.option)


@dataclass
class MonthSnapshot:
    township: str
    period: str
    elements: list[ElementRow]
    values: dict[Key, Any]                 # CellValue
    history: dict[Key, outliers.History]
    findings: list[rules.Finding]          # rules and outliers, as submission checks them
    state: workflow.ReportState


def load_month(session, township: str, period: str) -> MonthSnapshot:
    """Everything the sheet shows for one township-month, read in the caller's session."""
    return MonthSnapshot(township, period, list_elements(session), values.month_values(session, township, period),
                         outliers.history(session, township, period),
                         rules.check_month(session, township, period).findings,
                         workflow.state(session, township, period))


def grid_rows(elements: list[ElementRow]) -> list[GridRow]:
    """Sections in the order their first element appears; a split element's options, then its 合计."""
    sections: dict[str, list[ElementRow]] = {}
    for e in elements:
        sections.setdefault(e.section or "其他", []).append(e)
    rows: list[GridRow] = []
    for section, members in sections.items():
        rows.append(GridRow("section", section))
        for e in members:
            options = [(o, label) for o, label in e.options if o]
            if not options:
                rows.append(GridRow("value", e.name, e.code, ""))
                continue
            for o, label in options:
                rows.append(GridRow("value", f"{e.name}（{label}）", e.code, o))
            rows.append(GridRow("total", f"{e.name}（合计）", e.code, ""))
    return rows


def finding_kind(f) -> str:
    return "OUTLIER" if getattr(f, "kind", "") == "OUTLIER" else getattr(f, "importance", "WARNING")


def finding_action(f) -> str:
    if finding_kind(f) == "ERROR":
        return "须改正"
    return "已说明" if getattr(f, "commented", False) else "须填写说明"


# -- the model -------------------------------------------------------------------------------------------

class MonthGridModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[GridRow] = []
        self._values: dict[Key, Any] = {}
        self._history: dict[Key, Any] = {}
        self._findings: dict[Key, list[Any]] = {}
        self.read_only = True
        self.commit: Callable[[Key, str], bool] | None = None
        self.last_commit_ok = True

    # loading
    def set_snapshot(self, snap: MonthSnapshot, *, read_only: bool) -> None:
        rows = grid_rows(snap.elements)
        if rows != self._rows:
            self.beginResetModel()
            self._rows = rows
            self._apply(snap, read_only)
            self.endResetModel()
        else:
            self._apply(snap, read_only)
            self._all_changed()

    def update(self, vals: dict[Key, Any], findings: list[Any]) -> None:
        """After a save: new values and checks, keeping the current cell and any open editor."""
        self._values = dict(vals)
        self._findings = self._index_findings(findings)
        self._all_changed()

    def _apply(self, snap: MonthSnapshot, read_only: bool) -> None:
        self._values = dict(snap.values)
        self._history = dict(snap.history)
        self._findings = self._index_findings(snap.findings)
        self.read_only = read_only

    def set_read_only(self, read_only: bool) -> None:
        self.read_only = read_only
        self._all_changed()

    def _index_findings(self, findings: list[Any]) -> dict[Key, list[Any]]:
        split = {r.element for r in self._rows if r.kind == "total"}
        out: dict[Key, list[Any]] = {}
        for f in findings:
            for element, option in getattr(f, "elements", ()) or ():
                keys = [(element, option)]
                if not option and element not in split:
                    keys = [(element, "")]
                for k in keys:
                    out.setdefault(k, []).append(f)
        return out

    def _all_changed(self) -> None:
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(HEADINGS) - 1))

    # lookups
    def rows(self) -> list[GridRow]:
        return list(self._rows)

    def row_at(self, row: int) -> GridRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, key: Key) -> int:
        return next((i for i, r in enumerate(self._rows) if r.kind != "section" and r.key == key), -1)

    def value_index(self, key: Key) -> QModelIndex:
        row = self.row_of(key)
        return self.index(row, COL_VALUE) if row >= 0 else QModelIndex()

    def is_input(self, row: int) -> bool:
        r = self.row_at(row)
        return r is not None and r.kind == "value"

    def raw_text(self, key: Key) -> str:
        v = self._values.get(key)
        return v.text if v is not None else ""

    def comment(self, key: Key) -> str:
        v = self._values.get(key)
        return (v.comment or "") if v is not None else ""

    def findings_for(self, key: Key) -> list[Any]:
        return self._findings.get(key, [])

    def total_text(self, element: str) -> str:
        parts = [v for (e, o), v in self._values.items() if e == element and o]
        numbers = [v.value for v in parts if v.value is not None]
        if numbers:
            return str(sum(numbers))
        return values.NOT_APPLICABLE_TEXT if parts and all(v.not_applicable for v in parts) else ""

    def _shown_value(self, r: GridRow) -> str:
        text = self.total_text(r.element) if r.kind == "total" else self.raw_text(r.key)
        return NOT_APPLICABLE_SHOWN if text == values.NOT_APPLICABLE_TEXT else text

    def _history_text(self, r: GridRow, column: int) -> str:
        h = self._history.get(r.key)
        if h is None:
            return ""
        if column == COL_LAST_YEAR:
            return "" if h.last_year is None else str(h.last_year)
        if h.band_min is None or h.band_max is None:
            return ""
        return str(h.band_min) if h.band_min == h.band_max else f"{h.band_min}–{h.band_max}"

    # Qt API
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(HEADINGS)

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        r = self.row_at(index.row()) if index.isValid() else None
        if r is None:
            return Qt.ItemFlag.NoItemFlags
        if r.kind == "section":
            return Qt.ItemFlag.ItemIsEnabled
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == COL_VALUE and r.kind == "value" and not self.read_only:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        r = self.row_at(index.row()) if index.isValid() else None
        if r is None:
            return None
        col = index.column()
        if r.kind == "section":
            if role == Qt.ItemDataRole.DisplayRole and col == COL_NAME:
                return r.label
            if role == Qt.ItemDataRole.BackgroundRole:
                return QBrush(SECTION_BG)
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            if col == COL_NAME:
                return r.label
            if col == COL_VALUE:
                return self._shown_value(r)
            if col in (COL_LAST_YEAR, COL_BAND):
                return self._history_text(r, col)
            if col == COL_COMMENT:
                return self.comment(r.key)
        if role == Qt.ItemDataRole.EditRole and col == COL_VALUE:
            return self.raw_text(r.key)
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (COL_VALUE, COL_LAST_YEAR, COL_BAND):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole:
            if col in (COL_NAME, COL_VALUE):
                kinds = {finding_kind(f) for f in self.findings_for(r.key)}
                if "ERROR" in kinds:
                    return QBrush(ERROR_BG)
                if kinds:
                    return QBrush(WARNING_BG)
            if r.kind == "total":
                return QBrush(TOTAL_BG)
        if role == Qt.ItemDataRole.ForegroundRole and col == COL_VALUE and self._shown_value(r) == NOT_APPLICABLE_SHOWN:
            return QBrush(QColor("#6b6b6b"))
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(r, col)
        if role == ROW_ROLE:
            return r
        return None

    def _tooltip(self, r: GridRow, col: int) -> str | None:
        lines = [f"{KIND_LABELS[finding_kind(f)]}：{f.message}" for f in self.findings_for(r.key)]
        if r.kind == "total":
            lines.append("合计由男、女两项自动相加，不能直接填写。")
        if col == COL_VALUE and self.raw_text(r.key) == values.NOT_APPLICABLE_TEXT:
            lines.append("填写的是 -2：本单位未开展此项工作。")
        if col == COL_BAND and r.key in self._history:
            h = self._history[r.key]
            months = getattr(h, "months", None)
            if months:
                lines.append(f"近12个月中有 {months} 个月有数据，最小 {h.band_min}，最大 {h.band_max}。")
        comment = self.comment(r.key)
        if comment:
            lines.append(f"说明：{comment}")
        return "\n".join(lines) or None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return HEADINGS[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return {COL_VALUE: "本月的人数或例数：空白＝未填报，0＝确实为零，-2＝未开展此项工作",
                    COL_LAST_YEAR: "上一年同一月份本乡镇填报的数值",
                    COL_BAND: "本乡镇近12个月的最小值—最大值；超出范围的数值会提示核实",
                    COL_COMMENT: "对数值的说明（右键“填写说明…”或 Shift+F2）；警告须写明说明才能上报"}.get(section)
        return None

    def setData(self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        self.last_commit_ok = True
        r = self.row_at(index.row()) if index.isValid() else None
        if role != Qt.ItemDataRole.EditRole or r is None or not (self.flags(index) & Qt.ItemFlag.ItemIsEditable):
            return False
        text = "" if value is None else str(value).strip()
        if text == self.raw_text(r.key):
            return True                                       # unchanged: nothing to save
        ok = bool(self.commit and self.commit(r.key, text))
        self.last_commit_ok = ok
        if not ok:                                            # the cell shows what the database holds
            self.dataChanged.emit(index, index)
        return ok


# -- the view --------------------------------------------------------------------------------------------

class ValueDelegate(QStyledItemDelegate):
    """A plain line edit (no validator: core explains a bad value in Chinese; IME friendly)."""

    def createEditor(self, parent, option, index):  # noqa: N802
        editor = QLineEdit(parent)
        editor.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        editor.setFrame(False)
        return editor


class EntryTable(QTableView):
    """Spreadsheet keys over ``MonthGridModel``: Enter goes down, Tab to the next value, Delete clears."""

    comment_requested = Signal(QModelIndex)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setItemDelegateForColumn(COL_VALUE, ValueDelegate(self))
        self.setEditTriggers(QAbstractItemView.EditTrigger.AnyKeyPressed
                             | QAbstractItemView.EditTrigger.DoubleClicked
                             | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setTabKeyNavigation(True)
        self.setWordWrap(False)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._context_menu)
        comment = QAction("填写说明…", self)
        comment.setShortcut(QKeySequence("Shift+F2"))
        comment.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        comment.triggered.connect(lambda: self.comment_requested.emit(self.currentIndex()))
        self.addAction(comment)
        self.comment_action = comment

    def grid(self) -> MonthGridModel:
        return self.model()  # type: ignore[return-value]

    def setModel(self, model) -> None:  # noqa: N802
        super().setModel(model)
        model.modelReset.connect(self._spans)
        self._spans()
        header = self.horizontalHeader()
        header.setSectionResizeMode(COL_NAME, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(COL_COMMENT, QHeaderView.ResizeMode.Stretch)
        width = self.fontMetrics().horizontalAdvance
        header.resizeSection(COL_NAME, width("新生儿遗传代谢病（两病）筛查人数") + 24)
        for col, sample in ((COL_VALUE, "0000000"), (COL_LAST_YEAR, "去年同月"), (COL_BAND, "近12个月范围")):
            header.resizeSection(col, width(sample) + 28)

    def _spans(self) -> None:
        self.clearSpans()
        model = self.grid()
        for i, r in enumerate(model.rows()):
            if r.kind == "section":
                self.setSpan(i, 0, 1, len(HEADINGS))

    # moving
    def _next_row(self, row: int, step: int, *, inputs_only: bool) -> int:
        model = self.grid()
        r = row + step
        while 0 <= r < model.rowCount():
            kind = model.row_at(r).kind
            if (model.is_input(r) if inputs_only else kind != "section") and not self.isRowHidden(r):
                return r
            r += step
        return row

    def moveCursor(self, action, modifiers):  # noqa: N802
        cur = self.currentIndex()
        A = QAbstractItemView.CursorAction
        if cur.isValid():
            if action in (A.MoveNext, A.MovePrevious):
                start = cur.row()
                r = self._next_row(start, 1 if action == A.MoveNext else -1, inputs_only=True)
                if cur.column() != COL_VALUE and self.grid().is_input(start):
                    r = start
                return self.grid().index(r, COL_VALUE)
            if action in (A.MoveDown, A.MoveUp):
                r = self._next_row(cur.row(), 1 if action == A.MoveDown else -1, inputs_only=False)
                return self.grid().index(r, cur.column())
        return super().moveCursor(action, modifiers)

    def go_down(self) -> None:
        cur = self.currentIndex()
        if not cur.isValid():
            return
        inputs = cur.column() == COL_VALUE
        r = self._next_row(cur.row(), 1, inputs_only=inputs)
        self.setCurrentIndex(self.grid().index(r, cur.column()))

    def keyPressEvent(self, event) -> None:  # noqa: N802
        key = event.key()
        if self.state() != QAbstractItemView.State.EditingState:
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers():
                self.go_down()
                return
            if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
                cur = self.currentIndex()
                if cur.isValid() and self.grid().flags(cur) & Qt.ItemFlag.ItemIsEditable:
                    self.grid().setData(cur, "")
                return
        super().keyPressEvent(event)

    def closeEditor(self, editor, hint) -> None:  # noqa: N802
        H = QAbstractItemDelegate.EndEditHint
        ok = self.grid().last_commit_ok
        self.grid().last_commit_ok = True
        if hint == H.SubmitModelCache:                 # Enter: saved → the next value down
            super().closeEditor(editor, H.NoHint)
            if ok:
                self.go_down()
            return
        if hint in (H.EditNextItem, H.EditPreviousItem) and not ok:
            super().closeEditor(editor, H.NoHint)      # refused: stay on the cell
            return
        super().closeEditor(editor, hint)

    def _context_menu(self, pos) -> None:
        index = self.indexAt(pos)
        if not index.isValid() or self.grid().row_at(index.row()).kind == "section":
            return
        self.setCurrentIndex(index.siblingAtColumn(COL_VALUE))
        menu = QMenu(self)
        menu.addAction(self.comment_action)
        menu.popup(self.viewport().mapToGlobal(pos))


# -- the comment dialog ----------------------------------------------------------------------------------

class CommentDialog(QDialog):
    """说明 for one value: why it is what it is (warnings need one before the month can be submitted)."""

    def __init__(self, label: str, text: str, comment: str, findings: list[Any],
                 save: Callable[[str], None], parent=None, *, read_only: bool = False):
        super().__init__(parent)
        self.setWindowTitle(f"说明 — {label}")
        self._save = save
        head = QLabel(f"<b>{label}</b>：{text or '（空白）'}")
        self.why = QLabel("\n".join(f"{KIND_LABELS[finding_kind(f)]}：{f.message}" for f in findings))
        self.why.setWordWrap(True)
        self.why.setVisible(bool(findings))
        self.editor = QPlainTextEdit(comment)
        self.editor.setPlaceholderText("例如：本月有外地来此分娩的产妇，已核实。")
        self.editor.setReadOnly(read_only)
        self.error = QLabel()
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.setVisible(False)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close if read_only else
                                   QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        if not read_only:
            buttons.button(QDialogButtonBox.StandardButton.Save).setText("保存(&S)")
            buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(head)
        layout.addWidget(self.why)
        layout.addWidget(QLabel("说明(&M)：" if not read_only else "说明："))
        layout.addWidget(self.editor)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(460, 260)

    def accept(self) -> None:
        try:
            self._save(self.editor.toPlainText())
        except UserFacingError as e:
            self.error.setText(e.message)
            self.error.setVisible(True)
            return
        super().accept()


# -- the sheet: grid, message line, findings ------------------------------------------------------------

FINDING_COLUMNS = [
    TableColumn("类型", lambda f: KIND_LABELS[finding_kind(f)]),
    TableColumn("说明", lambda f: f.message, tooltip=lambda f: f.message),
    TableColumn("处理", finding_action),
]


class MonthSheet(QWidget):
    """One township-month: the grid, a message line and the list of findings (errors first).

    ``editable=False`` always shows it read-only (审核); otherwise it is editable unless the month is
    locked (已上报 / 已审核) or the actor may not edit the township."""

    loaded = Signal(object)        # MonthSnapshot
    saved = Signal(object)         # Key

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *, editable: bool = True,
                 findings_beside: bool = True):
        super().__init__(parent)
        self.ctx = ctx
        self.editable = editable
        self.snapshot: MonthSnapshot | None = None
        self.active_dialog: CommentDialog | None = None
        self.model = MonthGridModel(self)
        self.model.commit = self._commit
        self.table = EntryTable()
        self.table.setModel(self.model)
        self.table.comment_requested.connect(self.edit_comment)
        self.table.doubleClicked.connect(self._double_clicked)

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.findings_title = QLabel("检查结果")
        self.findings_model = RowsModel(FINDING_COLUMNS, self)
        self.findings = QTableView()
        self.findings.setModel(self.findings_model)
        self.findings.verticalHeader().setVisible(False)
        self.findings.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.findings.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.findings.setWordWrap(True)
        header = self.findings.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.findings.activated.connect(self._go_to_finding)
        self.findings.clicked.connect(self._go_to_finding)
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.setSpacing(4)
        self.findings_title.setWordWrap(True)
        side_layout.addWidget(self.findings_title)
        side_layout.addWidget(self.findings, 1)
        grid = QWidget()
        grid_layout = QVBoxLayout(grid)
        grid_layout.setContentsMargins(0, 0, 0, 0)
        grid_layout.setSpacing(4)
        grid_layout.addWidget(self.table, 1)
        grid_layout.addWidget(self.message)

        # Entry: the findings beside the grid (a 30-row form needs the height of a 768-pixel screen);
        # review, where the grid shares the width with the list: under it.
        self.splitter = QSplitter(Qt.Orientation.Horizontal if findings_beside else Qt.Orientation.Vertical)
        self.splitter.addWidget(grid)
        self.splitter.addWidget(side)
        self.splitter.setStretchFactor(0, 3 if findings_beside else 4)
        self.splitter.setStretchFactor(1, 2 if findings_beside else 1)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([700, 420] if findings_beside else [520, 150])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter, 1)

    # loading
    def show_month(self, township: str, period: str) -> MonthSnapshot | None:
        """Load the township-month (one unit of work) and show it."""
        try:
            with self.ctx.db.session(self.ctx.actor) as s:
                snap = load_month(s, township, period)
        except UserFacingError as e:
            self.show_message(e.message, error=True)
            return None
        self.show_snapshot(snap)
        return snap

    def show_snapshot(self, snap: MonthSnapshot) -> None:
        self.snapshot = snap
        reason = self.read_only_reason(snap)
        self.model.set_snapshot(snap, read_only=not self.editable or reason is not None)
        self._show_findings(snap.findings)
        self.show_message(reason or "", error=False)
        if not self.table.currentIndex().isValid():
            self.select_first_value()
        self.loaded.emit(snap)

    def clear(self, message: str = "") -> None:
        self.snapshot = None
        empty = workflow.ReportState("", "", "OPEN", None, "", None, "", "")
        self.model.set_snapshot(MonthSnapshot("", "", [], {}, {}, [], empty), read_only=True)
        self._show_findings([])
        self.show_message(message, error=False)

    def read_only_reason(self, snap: MonthSnapshot) -> str | None:
        if not self.editable:
            return None
        status = snap.state.status
        if status in values.LOCKED_STATES:
            return (f"{month_label(snap.period)}的月报{values.LOCKED_STATES[status]}，不能修改"
                    + ("；如需修改请由审核员解锁。" if status == "APPROVED" else "；如需修改请由审核员退回。"))
        if not self.ctx.actor.may_edit_township(snap.township):
            return "当前用户无权修改这个乡镇的数据，只能查看。"
        return None

    @property
    def read_only(self) -> bool:
        return self.model.read_only

    def select_first_value(self) -> None:
        row = next((i for i in range(self.model.rowCount()) if self.model.is_input(i)), -1)
        if row >= 0:
            self.table.setCurrentIndex(self.model.index(row, COL_VALUE))

    def select_value(self, key: Key) -> None:
        index = self.model.value_index(key)
        if index.isValid():
            self.table.setCurrentIndex(index)
            self.table.scrollTo(index)

    def show_message(self, text: str, *, error: bool) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(ERROR_STYLE if error else "color: #505050;")
        self.message.setVisible(bool(text))

    def _show_findings(self, findings: list[Any]) -> None:
        order = {"ERROR": 0, "WARNING": 1, "OUTLIER": 2}
        rows = sorted(findings, key=lambda f: order.get(finding_kind(f), 3))
        self.findings_model.set_rows(rows)
        errors = sum(1 for f in rows if finding_kind(f) == "ERROR")
        to_comment = sum(1 for f in rows if finding_kind(f) != "ERROR" and not getattr(f, "commented", False))
        if not rows:
            self.findings_title.setText("检查结果：未发现问题。")
        else:
            self.findings_title.setText(f"检查结果：错误 {errors} 处（须改正后才能上报），"
                                        f"警告和异常值 {len(rows) - errors} 条（其中 {to_comment} 条尚未填写说明）。"
                                        "点一条可定位到数值。")
        self.findings.resizeRowsToContents()

    def finding_rows(self) -> list[Any]:
        return self.findings_model.rows()

    def _go_to_finding(self, index: QModelIndex) -> None:
        f = self.findings_model.row_at(index.row())
        for element, option in getattr(f, "elements", ()) or ():
            if self.model.row_of((element, option)) >= 0:
                self.select_value((element, option))
                self.table.setFocus()
                return

    # saving
    def _element_label(self, key: Key) -> str:
        row = self.model.row_of(key)
        return self.model.row_at(row).label if row >= 0 else key[0]

    def _save(self, key: Key, text: str, comment: str | None = None) -> None:
        """One unit of work: save the value (and comment), re-read the month's values and checks."""
        snap = self.snapshot
        with self.ctx.db.session(self.ctx.actor) as s:
            values.save_value(s, self.ctx.actor, snap.township, snap.period, key[0], key[1], text,
                              comment=comment, elements=snap.elements)
            fresh = values.month_values(s, snap.township, snap.period)
            findings = rules.check_month(s, snap.township, snap.period).findings
        snap.values, snap.findings = fresh, findings
        self.model.update(fresh, findings)
        self._show_findings(findings)
        self.saved.emit(key)
        self.ctx.changes.changed.emit("mch_value")

    def _commit(self, key: Key, text: str) -> bool:
        if self.snapshot is None:
            return False
        try:
            self._save(key, text)
        except UserFacingError as e:
            self.show_message(f"未保存：{e.message}", error=True)
            return False
        shown = self.model.raw_text(key) or "（空白）"
        self.show_message(f"已保存：{self._element_label(key)} = {shown}", error=False)
        return True

    def _double_clicked(self, index: QModelIndex) -> None:
        if index.column() == COL_COMMENT:
            self.edit_comment(index)

    def edit_comment(self, index: QModelIndex) -> CommentDialog | None:
        r = self.model.row_at(index.row()) if index.isValid() else None
        if r is None or r.kind != "value" or self.snapshot is None:
            return None
        key = r.key
        text = self.model.raw_text(key)

        def save(comment: str) -> None:
            self._save(key, text, comment=comment)
            self.show_message(f"已保存说明：{r.label}", error=False)
        dialog = CommentDialog(r.label, text, self.model.comment(key), self.model.findings_for(key), save, self,
                               read_only=self.model.read_only)
        self.active_dialog = dialog
        dialog.finished.connect(lambda _r: setattr(self, "active_dialog", None))
        dialog.open()
        return dialog
