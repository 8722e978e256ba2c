"""花名册: the recipient register as a lazy table with search-as-you-type, filters and export.

Typing restarts a short timer (150 ms); when it fires, the first keyset page is queried on the GUI
thread (a page is ~1 ms, see ``last_query_ms``) and the total is counted right after the rows are
shown. The list never holds more rows than the user has scrolled to.
"""
from __future__ import annotations

import time
from datetime import date
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt, QTimer, QUrl
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QFileDialog, QHBoxLayout, QHeaderView,
                               QLabel, QLineEdit, QMenu, QPushButton, QSpinBox, QTableView, QToolButton,
                               QVBoxLayout, QWidget)

from core.access import Permission
from core.subsidy.recipients import STATUS_LABELS
from core.subsidy.search import RosterFilter, RosterRow
from gui.context import AppContext
from gui.keyed_actions import keyed_action
from gui.operations import run_op, show_error
from gui.subsidy.roster_model import COLUMNS, RosterModel, iter_rows, short_program_name
from gui.table_models import ROW_ROLE
from gui.search_box import search_as_you_type

ALL = "全部"
EXPORT_FILTERS = {"xlsx": "Excel 工作簿 (*.xlsx)", "csv": "CSV 文件 (*.csv)"}
# What the view reloads on: changes to people, programmes, org units, or everything (a restore).
RELOAD_ON = frozenset({"subsidy_recipient", "subsidy_program", "org_unit", "all"})


def export_list(ctx: AppContext, snapshot, columns: list[int], fmt: str, path: Path,
                progress) -> tuple[Path, int] | None:
    """Write the list as shown (its filter, order and visible columns) with core.returns; None when
    cancelled (no file left behind, nothing audited). Runs off the GUI thread."""
    from core import audit, settings
    from core.returns.model import Column, RenderCancelled, ReturnTable
    from core.returns.render import render
    from core.subsidy.search import count_matches
    f, sort, descending, lookups = snapshot
    chosen = [COLUMNS[i] for i in columns]
    try:
        with ctx.db.session(ctx.actor) as s:
            ctx.actor.require(Permission.PRINT_RETURNS)
            total = count_matches(s, ctx.actor, f)
            rows = ([c.value(r, lookups) for c in chosen] for r in iter_rows(s, ctx.actor, f, sort, descending))
            table = ReturnTable(
                id="SUBSIDY-LIST", title="扶助对象花名册", period="", period_label=f"截至 {date.today():%Y-%m-%d}",
                org=ctx.county_code, org_label=ctx.county_name,
                columns=[Column(c.heading, c.kind, c.export_width) for c in chosen], rows=rows,
                header=settings.stat_header(s, "SUBSIDY-LIST"), row_count_hint=total,
                notes=[f"筛选条件：{describe_filter(f, lookups)}；共 {total:,} 人。",
                       "银行账号只显示前 4 位和后 4 位。"] if any(c.heading == "账号" for c in chosen)
                else [f"筛选条件：{describe_filter(f, lookups)}；共 {total:,} 人。"])
            written = render(table, fmt, path,
                             progress=lambda done: progress(done, total, f"已导出 {done:,} / {total:,} 人……"))
            audit.record_event(s, "export", f"扶助对象花名册（当前列表）{written} 人",
                               {"format": fmt, "filter": describe_filter(f, lookups)})
    except RenderCancelled:
        return None
    return path, written


def describe_filter(f: RosterFilter, lookups) -> str:
    parts = []
    if f.text.strip():
        parts.append(f"查找“{f.text.strip()}”")
    if f.township:
        parts.append(lookups.town_name(f.township))
    if f.village:
        parts.append(lookups.town_name(f.village))
    if f.program:
        parts.append(lookups.program_name(f.program))
    if f.status:
        parts.append(STATUS_LABELS.get(f.status, f.status))
    if f.first_year:
        parts.append(f"{f.first_year} 年首次确认")
    if f.incomplete_only:
        parts.append("仅待补充")
    return "、".join(parts) or "全部"


class RosterView(QWidget):
    """The 花名册 tab. ``active_dialog`` is the open form (tests drive it; never exec()'d).

    Alt mnemonics avoid the main window's menus (文件 F, 转到 G, 设置 S, 帮助 H)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.active_dialog = None
        self.last_export: Path | None = None
        self.last_query_ms = 0.0
        self._count_for: RosterFilter | None = None
        self._last_dir = Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
                              or Path.home())
        self.model = RosterModel(ctx, self)

        # -- search and filters ----------------------------------------------------------------
        self.search = QLineEdit()
        self.search.setPlaceholderText("姓名、身份证号或银行账号（可只输后 4 位）　Ctrl+F")
        self.search.setClearButtonEnabled(True)
        self._timer = search_as_you_type(self.search, self.apply_filter, self)
        self._count_timer = QTimer(self)     # owned by the view: never fires after it is gone
        self._count_timer.setSingleShot(True)
        self._count_timer.setInterval(0)
        self._count_timer.timeout.connect(self._update_count)
        self.search.returnPressed.connect(self._to_table)
        find = QAction(self)
        find.setShortcut(QKeySequence.StandardKey.Find)
        find.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        find.triggered.connect(lambda: (self.search.setFocus(), self.search.selectAll()))
        self.addAction(find)
        self.search.installEventFilter(self)

        self.town_combo = QComboBox()
        self.village_combo = QComboBox()
        self.program_combo = QComboBox()
        self.status_combo = QComboBox()
        for combo, chars in ((self.town_combo, 7), (self.village_combo, 7), (self.program_combo, 12),
                             (self.status_combo, 4)):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(chars)
        self.status_combo.addItem(ALL, None)
        for key, label in STATUS_LABELS.items():
            self.status_combo.addItem(label, key)
        self.year_spin = QSpinBox()
        self.year_spin.setRange(1989, date.today().year + 1)
        self.year_spin.setSpecialValueText(ALL)
        self.year_spin.setValue(1989)
        self.year_spin.setToolTip("首次确认年度；选到最小即“全部”")
        self.incomplete_box = QCheckBox("仅看待补充(&B)")
        self._fill_filter_combos()
        self.town_combo.currentIndexChanged.connect(lambda _i: self._town_changed())
        for combo in (self.village_combo, self.program_combo, self.status_combo):
            combo.currentIndexChanged.connect(lambda _i: self.apply_filter())
        self.year_spin.valueChanged.connect(lambda _v: self._timer.start())
        self.incomplete_box.toggled.connect(lambda _c: self.apply_filter())
        self.reset_button = QToolButton()
        self.reset_button.setText("清除条件")
        self.reset_button.clicked.connect(self.reset_filters)

        self.count_label = QLabel()
        self.count_label.setMinimumWidth(120)
        self.count_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

        # -- the table -------------------------------------------------------------------------
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.table.horizontalHeader()
        fm, bold = self.table.fontMetrics(), header.fontMetrics()
        for i, col in enumerate(COLUMNS):   # sized by typical content, so any font and DPI fit
            need = max(fm.horizontalAdvance(col.sample), bold.horizontalAdvance(col.heading) + 16)  # + sort arrow
            header.resizeSection(i, need + 14)
        header.setStretchLastSection(True)
        header.setSortIndicator(self.model.sort_column(), self.model.sort_order())
        self.table.setSortingEnabled(True)
        header.sortIndicatorChanged.connect(self._sort_changed)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._header_menu)
        self.table.activated.connect(lambda _i: self.open_current())   # Enter and double-click

        # -- actions ---------------------------------------------------------------------------
        self.act_add = self._action("新增扶助对象", QKeySequence(Qt.Key.Key_Insert), self.add)
        self.act_open = self._action("打开", None, self.open_current)
        self.act_open.setIconText("打开  Enter")
        self.act_export = self._action("导出当前列表…", None, self.export_dialog)
        self.act_add.setEnabled(ctx.actor.can(Permission.EDIT_DATA))
        self.act_export.setEnabled(ctx.actor.can(Permission.PRINT_RETURNS))
        self.result_label = QLabel()
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_folder_button = QPushButton("打开所在文件夹")
        self.open_folder_button.setVisible(False)
        self.open_folder_button.clicked.connect(self.open_export_folder)

        # -- layout ----------------------------------------------------------------------------
        search_title = QLabel("查找(&Q)：")
        search_title.setBuddy(self.search)
        top = QHBoxLayout()
        top.addWidget(search_title)
        top.addWidget(self.search, 1)
        for act in (self.act_add, self.act_open, self.act_export):
            btn = QToolButton()
            btn.setDefaultAction(act)
            btn.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            top.addWidget(btn)
        filters = QHBoxLayout()
        for text, widget in (("乡镇(&T)：", self.town_combo), ("村(&V)：", self.village_combo),
                             ("项目(&P)：", self.program_combo), ("状态(&U)：", self.status_combo),
                             ("首次确认年度(&Y)：", self.year_spin)):
            label = QLabel(text)
            label.setBuddy(widget)
            filters.addWidget(label)
            filters.addWidget(widget)
            filters.addSpacing(6)
        filters.addWidget(self.incomplete_box)
        filters.addWidget(self.reset_button)
        filters.addStretch(1)
        filters.addWidget(self.count_label)
        bottom = QHBoxLayout()
        bottom.addWidget(self.result_label, 1)
        bottom.addWidget(self.open_folder_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
        self.setTabOrder(self.search, self.town_combo)

        ctx.changes.changed.connect(self._on_changed)
        self._after_query()

    def _action(self, text: str, key: QKeySequence | None, slot) -> QAction:
        return keyed_action(self, text, key, slot)

    # -- filters -----------------------------------------------------------------------------
    def _fill_filter_combos(self) -> None:
        lk, scope = self.model.lookups, self.ctx.actor.townships
        chosen_town, chosen_program = self.town_combo.currentData(), self.program_combo.currentData()
        for combo in (self.town_combo, self.program_combo):
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(ALL, None)
        for t in lk.towns:
            if scope is None or t.code in scope:
                self.town_combo.addItem(t.name + ("（已撤销）" if t.closed_on else ""), t.code)
        for p in lk.programs:
            self.program_combo.addItem(short_program_name(p.name) + ("" if p.active else "（已停用）"), p.code)
            self.program_combo.setItemData(self.program_combo.count() - 1, f"{p.name}（{p.code}）",
                                           Qt.ItemDataRole.ToolTipRole)
        self.town_combo.setCurrentIndex(max(0, self.town_combo.findData(chosen_town)))
        self.program_combo.setCurrentIndex(max(0, self.program_combo.findData(chosen_program)))
        for combo in (self.town_combo, self.program_combo):
            combo.blockSignals(False)
        self._fill_villages()

    def _fill_villages(self) -> None:
        town = self.town_combo.currentData()
        chosen = self.village_combo.currentData()
        self.village_combo.blockSignals(True)
        self.village_combo.clear()
        self.village_combo.addItem(ALL, None)
        for v in self.model.lookups.villages.get(town or "", []):
            self.village_combo.addItem(v.name + ("（已撤销）" if v.closed_on else ""), v.code)
        self.village_combo.setCurrentIndex(max(0, self.village_combo.findData(chosen)))
        self.village_combo.setEnabled(self.village_combo.count() > 1)
        self.village_combo.setToolTip("" if town else "先选择乡镇")
        self.village_combo.blockSignals(False)

    def _town_changed(self) -> None:
        self._fill_villages()
        self.apply_filter()

    def current_filter(self) -> RosterFilter:
        year = self.year_spin.value()
        return RosterFilter(text=self.search.text().strip(), township=self.town_combo.currentData(),
                            village=self.village_combo.currentData(), program=self.program_combo.currentData(),
                            status=self.status_combo.currentData(),
                            first_year=None if year == self.year_spin.minimum() else year,
                            incomplete_only=self.incomplete_box.isChecked())

    def apply_filter(self, *, force: bool = False) -> None:
        """Query the first page for what the filters say now (the timer's target)."""
        self._timer.stop()
        f = self.current_filter()
        if f == self.model.filter and not force:
            return
        t0 = time.perf_counter()
        self.model.set_filter(f)
        self.last_query_ms = (time.perf_counter() - t0) * 1000
        self._after_query()

    def _after_query(self) -> None:
        """Rows are on screen: select the first, then count (after the paint, on the next turn)."""
        if self.model.rowCount():
            self.table.selectRow(0)
        self.count_label.setText("正在统计……" if not self.model.error else "")
        self._count_for = self.model.filter
        self._count_timer.start()
        self._update_actions()

    def _update_count(self) -> None:
        if self._count_for != self.model.filter:
            return       # the filter changed again meanwhile: that query counts for itself
        n = self.model.count()
        if n is None:
            self.count_label.setText(self.model.error)
            return
        self.count_label.setText(f"共 {n:,} 人")
        self.count_label.setToolTip(f"当前条件：{describe_filter(self.model.filter, self.model.lookups)}")

    def clear_search(self) -> None:
        self.search.clear()
        self.apply_filter()

    def reset_filters(self) -> None:
        for w in (self.town_combo, self.program_combo, self.status_combo, self.year_spin, self.incomplete_box):
            w.blockSignals(True)
        self.search.blockSignals(True)
        self.search.clear()
        self.town_combo.setCurrentIndex(0)
        self._fill_villages()
        self.village_combo.setCurrentIndex(0)
        self.program_combo.setCurrentIndex(0)
        self.status_combo.setCurrentIndex(0)
        self.year_spin.setValue(self.year_spin.minimum())
        self.incomplete_box.setChecked(False)
        for w in (self.town_combo, self.program_combo, self.status_combo, self.year_spin, self.incomplete_box,
                  self.search):
            w.blockSignals(False)
        self.apply_filter()

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt API
        """In the search box: Down goes to the list, Esc clears the search."""
        if watched is self.search and event.type() == event.Type.KeyPress:
            if event.key() == Qt.Key.Key_Down:
                self._to_table()
                return True
            if event.key() == Qt.Key.Key_Escape and self.search.text():
                self.clear_search()
                return True
        return super().eventFilter(watched, event)

    def _to_table(self) -> None:
        self.apply_filter()
        self.table.setFocus()
        if self.model.rowCount() and not self.table.currentIndex().isValid():
            self.table.selectRow(0)

    # -- sorting -----------------------------------------------------------------------------
    def _sort_changed(self, column: int, order: Qt.SortOrder) -> None:
        """A click on a column core cannot sort by: put the indicator back where the data is."""
        if not self.model.sortable(column):
            header = self.table.horizontalHeader()
            header.blockSignals(True)
            header.setSortIndicator(self.model.sort_column(), self.model.sort_order())
            header.blockSignals(False)
            header.viewport().update()
            return
        if self.model.rowCount():         # the model re-queried in the new order; the count is the same
            self.table.selectRow(0)
        self._update_actions()

    def _header_menu(self, pos) -> None:
        """Show or hide columns (the export takes the visible ones)."""
        header = self.table.horizontalHeader()
        menu = QMenu(self)
        for i, col in enumerate(COLUMNS):
            act = menu.addAction(col.heading)
            act.setCheckable(True)
            act.setChecked(not header.isSectionHidden(i))
            act.toggled.connect(lambda on, i=i: header.setSectionHidden(i, not on))
        menu.popup(header.mapToGlobal(pos))

    def visible_columns(self) -> list[int]:
        header = self.table.horizontalHeader()
        return sorted((i for i in range(len(COLUMNS)) if not header.isSectionHidden(i)),
                      key=header.visualIndex)

    # -- people ------------------------------------------------------------------------------
    def current_row(self) -> RosterRow | None:
        idx = self.table.currentIndex()
        return idx.siblingAtColumn(0).data(ROW_ROLE) if idx.isValid() else None

    def _update_actions(self) -> None:
        self.act_open.setEnabled(self.current_row() is not None or self.model.rowCount() > 0)

    def _open(self, dialog) -> None:
        self.active_dialog = dialog
        dialog.finished.connect(lambda _r: setattr(self, "active_dialog", None))
        dialog.saved.connect(self._saved)
        dialog.open()

    def add(self) -> None:
        if not self.act_add.isEnabled():
            return
        from gui.subsidy.recipient_form import RecipientForm
        self._open(RecipientForm(self.ctx, None, self, lookups=self.model.lookups))

    def open_current(self) -> None:
        row = self.current_row()
        if row is None:
            return
        from gui.subsidy.recipient_form import RecipientForm
        try:
            form = RecipientForm(self.ctx, row.id, self, lookups=self.model.lookups)
        except Exception as e:  # noqa: BLE001 - e.g. the record was deleted meanwhile
            show_error(self, e, "无法打开")
            self.refresh()
            return
        self._open(form)

    def _saved(self, recipient_id: int) -> None:
        self.ctx.changes.changed.emit("subsidy_recipient")     # this view reloads through _on_changed
        self.select_id(recipient_id)

    def select_id(self, recipient_id: int) -> bool:
        row = self.model.row_of_id(recipient_id)
        if row < 0:
            return False
        self.table.selectRow(row)
        self.table.scrollTo(self.model.index(row, 0))
        return True

    # -- loading -----------------------------------------------------------------------------
    def _on_changed(self, what: str) -> None:
        if what in RELOAD_ON:
            self.refresh(lookups=what != "subsidy_recipient")

    def refresh(self, *, lookups: bool = True) -> None:
        current = self.current_row()
        self.model.reload(lookups=lookups)
        if lookups:
            self._fill_filter_combos()
        self._after_query()
        if current is not None:
            self.select_id(current.id)

    # -- export ------------------------------------------------------------------------------
    def export_dialog(self) -> None:
        if not self.act_export.isEnabled():
            return
        start = self._last_dir / f"扶助对象花名册-{date.today():%Y%m%d}.xlsx"
        path, chosen = QFileDialog.getSaveFileName(self, "导出当前列表", str(start), ";;".join(EXPORT_FILTERS.values()))
        if not path:
            return
        fmt = "csv" if chosen == EXPORT_FILTERS["csv"] or path.lower().endswith(".csv") else "xlsx"
        if not path.lower().endswith("." + fmt):
            path += "." + fmt
        self.export_to(Path(path), fmt)

    def export_to(self, path: Path, fmt: str = "xlsx"):
        """Export the list as shown, off the GUI thread, with progress and cancel."""
        ctx, snapshot, columns = self.ctx, self.model.snapshot(), self.visible_columns()
        self._last_dir = path.parent
        self.result_label.setText("正在导出……")
        self.open_folder_button.setVisible(False)
        return run_op(self, lambda progress: export_list(ctx, snapshot, columns, fmt, path, progress),
                      on_done=self._exported, on_failed=self._export_failed, label="正在导出花名册……",
                      cancellable=True)

    def _exported(self, result) -> None:
        if result is None:
            self.result_label.setText("已取消导出，未生成文件。")
            return
        path, rows = result
        self.last_export = path
        self.result_label.setText(f"已导出 {rows:,} 人：{path}")
        self.open_folder_button.setVisible(True)

    def _export_failed(self, error: BaseException) -> None:
        self.result_label.setText("导出未完成。")
        show_error(self, error, "导出未完成")

    def open_export_folder(self) -> None:
        if self.last_export is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.last_export.parent)))
