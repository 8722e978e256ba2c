"""案件登记: the case register over ``core.supervision.case_list.search_cases``.

Filters (stage, 专业类别, 案件来源, year, 仅看逾期) and a search box that filters as you type
(150 ms pause). Overdue cases are shown in red. Ins opens an empty case form, Enter opens the
selected case. Rows are plain ``CaseRow`` dataclasses; the model hands them out 100 at a time.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QAction, QBrush, QColor, QKeySequence
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QHBoxLayout, QHeaderView, QLabel,
                               QLineEdit, QPushButton, QTableView, QVBoxLayout, QWidget)

from core import orgunits
from core.access import Permission
from core.supervision.case_list import CaseFilter, CaseRow, officer_names, search_cases
from core.supervision.codes import CATEGORIES, SOURCES, STAGES
from gui.context import AppContext
from gui.operations import show_error
from gui.table_models import ROW_ROLE
from gui.search_box import search_as_you_type

PAGE = 100
OVERDUE_TEXT = QColor("#b00020")
OVERDUE_BACK = QColor("#fde8eb")
ALL = "全部"


# (heading, cell text from the row and the model: its as_of date and township names)
COLUMNS: list[tuple[str, Any]] = [
    ("文号", lambda r, m: r.number or "（未编号）"),
    ("案由", lambda r, m: r.cause),
    ("类别", lambda r, m: r.category_name),
    ("来源", lambda r, m: r.source_name),
    ("当事人", lambda r, m: r.party),
    ("乡镇", lambda r, m: m.town_names.get(r.township_code, r.township_code)),
    ("立案日期", lambda r, m: f"{r.filed_on:%Y-%m-%d}" if r.filed_on else ""),
    ("状态", lambda r, m: r.status),
    ("下一期限", lambda r, m: r.next_due_text),
    ("逾期", lambda r, m: "逾期" if r.overdue else ""),
]


class CaseModel(QAbstractTableModel):
    """All matching rows are loaded (a county has hundreds a year); the view gets them a page at a time."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._all: list[CaseRow] = []
        self._shown = 0
        self.as_of = date.today()
        self.filter = CaseFilter()
        self.town_names: dict[str, str] = {}

    def set_rows(self, rows: list[CaseRow], as_of: date) -> None:
        self.beginResetModel()
        self._all, self.as_of = list(rows), as_of
        self._shown = min(PAGE, len(rows))
        self.endResetModel()

    def total(self) -> int:
        return len(self._all)

    def loaded_rows(self) -> list[CaseRow]:
        return self._all[:self._shown]

    def row_at(self, row: int) -> CaseRow | None:
        return self._all[row] if 0 <= row < self._shown else None

    def canFetchMore(self, parent=QModelIndex()) -> bool:  # noqa: N802 - Qt API
        return not parent.isValid() and self._shown < len(self._all)

    def fetchMore(self, parent=QModelIndex()) -> None:  # noqa: N802
        if parent.isValid():
            return
        n = min(PAGE, len(self._all) - self._shown)
        if n <= 0:
            return
        self.beginInsertRows(QModelIndex(), self._shown, self._shown + n - 1)
        self._shown += n
        self.endInsertRows()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else self._shown

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        row = self.row_at(index.row()) if index.isValid() else None
        if row is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[index.column()][1](row, self)
        if role == ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.ForegroundRole and row.overdue:
            return QBrush(OVERDUE_TEXT)
        if role == Qt.ItemDataRole.BackgroundRole and row.overdue:
            return QBrush(OVERDUE_BACK)
        if role == Qt.ItemDataRole.ToolTipRole:
            parts = [row.cause, row.overdue_text, row.next_deadline and f"下一期限：{row.next_deadline}",
                     row.incomplete and f"待补充：{row.incomplete}"]
            return "\n".join(p for p in parts if p) or None
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][0]
        return None


class CaseTable(QTableView):
    """Enter opens the current case (the view would otherwise just move on)."""

    def __init__(self, on_open, parent: QWidget | None = None):
        super().__init__(parent)
        self._on_open = on_open

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt API
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers():
            self._on_open()
            return
        super().keyPressEvent(event)


class CaseRegister(QWidget):
    """The 案件登记 tab."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *, as_of: date | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.fixed_as_of = as_of          # tests (and screenshots) pin "today"
        self.active_dialog = None
        self.model = CaseModel(self)

        self.search = QLineEdit()
        self.search.setPlaceholderText("搜索文号、当事人、案由或统一社会信用代码/身份证号")
        self.search.setClearButtonEnabled(True)
        self.search_timer = search_as_you_type(self.search, self.refresh, self)

        self.stage_combo = QComboBox()
        self.stage_combo.addItem(ALL, None)
        self.stage_combo.addItem("办理中", "OPEN")
        for code, name in STAGES.items():
            self.stage_combo.addItem(name, code)
        self.category_combo = QComboBox()
        self.category_combo.addItem(ALL, None)
        for code, name in CATEGORIES.items():
            self.category_combo.addItem(name, code)
        self.source_combo = QComboBox()
        self.source_combo.addItem(ALL, None)
        for code, name in SOURCES.items():
            self.source_combo.addItem(name, code)
        self.year_combo = QComboBox()
        self.year_combo.addItem("全部年度", None)
        this_year = self.as_of().year
        for y in range(this_year, this_year - 8, -1):
            self.year_combo.addItem(f"{y} 年", y)
        self.township_combo = QComboBox()
        self.officer_combo = QComboBox()
        self.officer_combo.setMinimumContentsLength(6)
        self._fill_places_and_officers()
        self.overdue_check = QCheckBox("仅看逾期")
        for combo in (self.stage_combo, self.category_combo, self.source_combo, self.year_combo, self.township_combo,
                      self.officer_combo):
            combo.currentIndexChanged.connect(self.refresh)
        self.overdue_check.toggled.connect(self.refresh)

        self.new_button = QPushButton("新建案件（Ins）")
        self.new_button.clicked.connect(self.new_case)
        self.open_button = QPushButton("打开")
        self.open_button.clicked.connect(self.open_selected)
        self.import_button = QPushButton("导入台账…")
        self.import_button.setToolTip("从 Excel/WPS 案件台账导入案件；向导第一步可下载导入模板")
        self.import_button.setEnabled(ctx.actor.can(Permission.EDIT_DATA))
        self.import_button.clicked.connect(self.open_import)

        filters = QHBoxLayout()
        for label, combo in (("环节", self.stage_combo), ("类别", self.category_combo), ("来源", self.source_combo),
                             ("乡镇", self.township_combo), ("执法人员", self.officer_combo)):
            lab = QLabel(label)
            lab.setBuddy(combo)
            filters.addWidget(lab)
            filters.addWidget(combo)
        filters.addWidget(self.year_combo)
        filters.addWidget(self.overdue_check)
        filters.addStretch(1)
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.new_button)
        top.addWidget(self.open_button)
        top.addWidget(self.import_button)

        self.view = CaseTable(self.open_selected)
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(False)
        self.view.verticalHeader().setVisible(False)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for col, width in enumerate((140, 170, 96, 86, 150, 70, 84, 130, 180, 40)):
            self.view.setColumnWidth(col, width)
        header.setStretchLastSection(True)
        self.view.doubleClicked.connect(lambda _i: self.open_selected())

        self.count_label = QLabel("")

        new_action = QAction(self)
        new_action.setShortcut(QKeySequence(Qt.Key.Key_Insert))
        new_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        new_action.triggered.connect(self.new_case)
        self.addAction(new_action)

        ctx.changes.changed.connect(self._on_changed)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(filters)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.count_label)
        self.refresh()

    def as_of(self) -> date:
        return self.fixed_as_of or date.today()

    def _on_changed(self, what: str) -> None:
        """Cases changed elsewhere (an import, a case form, a restore): the list and its choices follow."""
        if what in ("supervision_case", "org_unit", "all"):
            self._fill_places_and_officers()
            self.refresh()

    def _fill_places_and_officers(self) -> None:
        """The 乡镇 and 执法人员 choices (and the names the 乡镇 column shows); kept when refilled."""
        try:
            with self.ctx.db.session(self.ctx.actor) as s:
                towns = [(u.code, u.name) for u in orgunits.townships(s, include_closed=True)]
                officers = officer_names(s, self.ctx.actor)
        except Exception as e:  # noqa: BLE001 - shown as a Chinese message
            show_error(self, e, "乡镇和执法人员名单未能读取")
            return
        self.model.town_names = dict(towns)
        scope = self.ctx.actor.townships
        for combo, items in ((self.township_combo, [(c, n) for c, n in towns if scope is None or c in scope]),
                             (self.officer_combo, [(n, n) for n in officers])):
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(ALL, None)
            for data, text in items:
                combo.addItem(text, data)
            i = combo.findData(current) if current is not None else 0
            combo.setCurrentIndex(max(i, 0))
            combo.blockSignals(False)

    def current_filter(self) -> CaseFilter:
        stage = self.stage_combo.currentData()
        year = self.year_combo.currentData()
        return CaseFilter(
            text=self.search.text().strip(), category=self.category_combo.currentData(),
            source=self.source_combo.currentData(), township=self.township_combo.currentData(),
            officer=self.officer_combo.currentData() or "",
            stages=() if stage in (None, "OPEN") else (stage,), open_only=stage == "OPEN",
            filed_from=date(year, 1, 1) if year else None, filed_to=date(year, 12, 31) if year else None,
            overdue_only=self.overdue_check.isChecked())

    def refresh(self) -> None:
        self.search_timer.stop()
        f = self.current_filter()
        as_of = self.as_of()
        try:
            with self.ctx.db.session(self.ctx.actor) as s:
                rows = search_cases(s, self.ctx.actor, f, as_of)
        except Exception as e:  # noqa: BLE001 - shown as a Chinese message
            show_error(self, e, "案件列表未能读取")
            return
        self.model.filter = f
        self.model.set_rows(rows, as_of)
        late = sum(1 for r in rows if r.overdue)
        more = "（仅显示前 1000 件，请缩小范围）" if f.limit and len(rows) >= f.limit else ""
        self.count_label.setText(f"共 {len(rows)} 件" + (f"，其中逾期 {late} 件" if late else "") + more)

    def selected_row(self) -> CaseRow | None:
        index = self.view.currentIndex()
        return self.model.row_at(index.row()) if index.isValid() else None

    def select_case(self, case_id: int) -> bool:
        while True:
            for i, r in enumerate(self.model.loaded_rows()):
                if r.id == case_id:
                    self.view.selectRow(i)
                    self.view.setCurrentIndex(self.model.index(i, 0))
                    return True
            if not self.model.canFetchMore():
                return False
            self.model.fetchMore()

    def new_case(self) -> None:
        self._open_form(None)

    def open_selected(self) -> None:
        row = self.selected_row()
        if row is not None:
            self._open_form(row.id)

    def open_import(self):
        """案件台账导入: the import wizard over ``case_import.CASE_IMPORTER``; an import announces
        "supervision_case", which refreshes the list (``_on_changed``)."""
        from core.supervision.case_import import CASE_IMPORTER
        from gui.imports.import_wizard import open_import_wizard

        def closed() -> None:
            self.active_dialog = None
        self.active_dialog = open_import_wizard(self.ctx, CASE_IMPORTER, self, closed)
        return self.active_dialog

    def _open_form(self, case_id: int | None) -> None:
        from gui.supervision.case_form import CaseForm
        dialog = CaseForm(self.ctx, case_id, self, as_of=self.fixed_as_of)
        self.active_dialog = dialog

        def done(_result: int) -> None:
            self.active_dialog = None
            saved = dialog.case_id
            self.refresh()
            if saved is not None:
                self.select_case(saved)
        dialog.finished.connect(done)
        dialog.open()
