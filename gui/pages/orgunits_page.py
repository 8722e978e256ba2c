"""组织机构: the county → township → village tree, with search as you type and the unit actions.

The tree model holds plain ``UnitRow``s (a county has at most a few thousand units, loaded at once).
Each action is one ``db.session(actor)`` unit of work through core.orgunits; core checks roles.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import (QAbstractItemModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt,
                            Signal)
from PySide6.QtGui import QAction, QBrush, QKeySequence
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QFileDialog, QHBoxLayout, QHeaderView, QLabel,
                               QLineEdit, QMenu, QMessageBox, QToolButton, QTreeView, QVBoxLayout, QWidget)

from core import orgunits
from core.access import Permission
from core.errors import UserFacingError
from core.orgunits import UnitRow
from gui.context import AppContext
from gui.keyed_actions import keyed_action
from gui.dialogs.orgunit_dialog import AddUnitDialog, Close, CloseDialog, Move, MoveDialog, NewUnit, RenameDialog
from gui.operations import run_op, show_error
from gui.table_models import MUTED, ROW_ROLE

AnyIndex = QModelIndex | QPersistentModelIndex
NO_RIGHT = "当前用户无权维护组织机构（需要管理员）。"


class _Node:
    __slots__ = ("row", "parent", "children", "pos", "nid")

    def __init__(self, row: UnitRow | None, parent: _Node | None, nid: int):
        self.row, self.parent, self.children, self.pos, self.nid = row, parent, [], 0, nid


class OrgTreeModel(QAbstractItemModel):
    """Units as a tree; ``internalId`` is the node's number (no Python pointers in indexes)."""

    HEADINGS = ("名称", "代码", "级别", "状态")

    def __init__(self, parent=None):
        super().__init__(parent)
        self._root = _Node(None, None, 0)
        self._nodes: list[_Node] = [self._root]
        self._by_code: dict[str, _Node] = {}

    def set_units(self, rows: list[UnitRow]) -> None:
        self.beginResetModel()
        self._root = _Node(None, None, 0)
        self._nodes = [self._root]
        self._by_code = {}
        for row in rows:
            node = _Node(row, None, len(self._nodes))
            self._nodes.append(node)
            self._by_code[row.code] = node
        for node in self._nodes[1:]:
            parent = self._by_code.get(node.row.parent_code or "") or self._root
            node.parent = parent
            node.pos = len(parent.children)
            parent.children.append(node)
        self.endResetModel()

    def units(self) -> list[UnitRow]:
        return [n.row for n in self._nodes[1:]]

    def unit(self, code: str) -> UnitRow | None:
        node = self._by_code.get(code)
        return node.row if node else None

    def index_of(self, code: str) -> QModelIndex:
        node = self._by_code.get(code)
        return self.createIndex(node.pos, 0, node.nid) if node else QModelIndex()

    def _node(self, index: AnyIndex) -> _Node:
        return self._nodes[index.internalId()] if index.isValid() else self._root

    # -- Qt API ----------------------------------------------------------------------------
    def index(self, row: int, column: int, parent: AnyIndex = QModelIndex()) -> QModelIndex:
        node = self._node(parent)
        if not 0 <= row < len(node.children) or not 0 <= column < len(self.HEADINGS):
            return QModelIndex()
        return self.createIndex(row, column, node.children[row].nid)

    def parent(self, index: AnyIndex = QModelIndex()) -> QModelIndex:  # type: ignore[override]
        if not index.isValid():
            return QModelIndex()
        parent = self._nodes[index.internalId()].parent
        if parent is None or parent is self._root:
            return QModelIndex()
        return self.createIndex(parent.pos, 0, parent.nid)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802
        if parent.isValid() and parent.column() != 0:
            return 0
        return len(self._node(parent).children)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802
        return len(self.HEADINGS)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._nodes[index.internalId()].row
        if role == Qt.ItemDataRole.DisplayRole:
            return (row.name, row.code, row.level_name, row.status)[index.column()]
        if role == Qt.ItemDataRole.ForegroundRole and row.closed_on is not None:
            return QBrush(MUTED)
        if role == Qt.ItemDataRole.ToolTipRole:
            edition = f"，{row.code_edition} 年版代码" if row.code_edition else ""
            return f"{row.name} {row.code}（{row.level_name}{edition}）{row.status}"
        if role == ROW_ROLE:
            return row
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.HEADINGS[section]
        return None


class OrgFilterProxy(QSortFilterProxyModel):
    """Name or code contains the text; closed units only when asked. Ancestors of a match stay."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setRecursiveFilteringEnabled(True)
        self._text = ""
        self._show_closed = False

    def _refilter(self, change) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt ≥ 6.9
            self.beginFilterChange()
            change()
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            change()
            self.invalidateFilter()

    def set_text(self, text: str) -> None:
        self._refilter(lambda: setattr(self, "_text", text.strip().casefold()))

    def set_show_closed(self, show: bool) -> None:
        self._refilter(lambda: setattr(self, "_show_closed", show))

    @property
    def filtering(self) -> bool:
        return bool(self._text)

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:  # noqa: N802
        row: UnitRow = self.sourceModel().index(source_row, 0, source_parent).data(ROW_ROLE)
        if row is None:
            return False
        if row.closed_on is not None and not self._show_closed:
            return False
        return not self._text or self._text in row.name.casefold() or self._text in row.code


class OrgUnitsPage(QWidget):
    help_topic = "admin"
    unit_selected = Signal(object)  # UnitRow or None

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.active_dialog = None          # the open dialog (tests drive it; never exec()'d)
        self.model = OrgTreeModel(self)
        self.proxy = OrgFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self._expanded: set[str] = set()

        self.search = QLineEdit()
        self.search.setPlaceholderText("按名称或代码查找（Ctrl+F）")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._on_search)
        self.show_closed = QCheckBox("显示已撤销(&S)")
        self.show_closed.toggled.connect(self._on_show_closed)
        self.count_label = QLabel()

        self.tree = QTreeView()
        self.tree.setModel(self.proxy)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._context_menu)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col, width in ((1, 130), (2, 120), (3, 190)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(col, width)
        self.tree.selectionModel().currentChanged.connect(lambda *_: self._update_actions())
        self.tree.expanded.connect(lambda i: self._expanded.add(i.siblingAtColumn(1).data()))
        self.tree.collapsed.connect(lambda i: self._expanded.discard(i.siblingAtColumn(1).data()))

        self.act_add = self._action("新增下级单位", QKeySequence(Qt.Key.Key_Insert), self.add_child)
        self.act_rename = self._action("改名", QKeySequence(Qt.Key.Key_F2), self.rename)
        self.act_move = self._action("移动到…", None, self.move)
        self.act_close = self._action("撤销（合并）", QKeySequence(Qt.Key.Key_Delete), self.close_unit)
        self.act_reopen = self._action("恢复", None, self.reopen)
        self.act_import = self._action("从 CSV 导入…", None, self.import_csv_dialog)
        find = QAction(self)
        find.setShortcut(QKeySequence.StandardKey.Find)
        find.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        find.triggered.connect(lambda: (self.search.setFocus(), self.search.selectAll()))
        self.addAction(find)
        self.search.returnPressed.connect(self._focus_first_match)

        bar = QHBoxLayout()
        bar.addWidget(self.search, 1)
        bar.addWidget(self.show_closed)
        actions = QHBoxLayout()
        for act in (self.act_add, self.act_rename, self.act_move, self.act_close, self.act_reopen, self.act_import):
            btn = QToolButton()
            btn.setDefaultAction(act)
            btn.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            actions.addWidget(btn)
        actions.addStretch(1)
        actions.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.tree, 1)
        layout.addLayout(actions)

        ctx.changes.changed.connect(self._on_changed)
        self.refresh()

    def _action(self, text: str, key: QKeySequence | None, slot) -> QAction:
        return keyed_action(self, text, key, slot)

    # -- loading ---------------------------------------------------------------------------
    def _on_changed(self, what: str) -> None:
        if what in ("org_unit", "all"):
            self.refresh()

    def refresh(self) -> None:
        current = self.current_unit()
        try:
            with self.ctx.db.session(self.ctx.actor) as s:
                rows = orgunits.list_units(s)
        except UserFacingError as e:
            self.count_label.setText(e.message)
            return
        first_load = not self.model.units()
        self.model.set_units(rows)
        if first_load:  # the county open, townships folded
            self._expanded = {r.code for r in rows if r.level == 1}
        self._restore_view(current.code if current else None)
        self._update_count()

    def _restore_view(self, select_code: str | None) -> None:
        if self.proxy.filtering:
            self.tree.expandAll()
        else:
            for code in list(self._expanded):
                idx = self.proxy.mapFromSource(self.model.index_of(code))
                if idx.isValid():
                    self.tree.expand(idx)
        if select_code:
            self.select_code(select_code)
        elif self.proxy.rowCount() and not self.tree.currentIndex().isValid():
            self.tree.setCurrentIndex(self.proxy.index(0, 0))
        self._update_actions()

    def select_code(self, code: str) -> bool:
        idx = self.proxy.mapFromSource(self.model.index_of(code))
        if not idx.isValid():
            return False
        self.tree.setCurrentIndex(idx)
        self.tree.scrollTo(idx)
        return True

    def _update_count(self) -> None:
        units = self.model.units()
        closed = sum(1 for u in units if u.closed_on is not None)
        towns = sum(1 for u in units if u.level == 2 and u.closed_on is None)
        villages = sum(1 for u in units if u.level == 3 and u.closed_on is None)
        self.count_label.setText(f"乡镇（街道）{towns} 个，村（居）{villages} 个，已撤销 {closed} 个")

    def _on_search(self, text: str) -> None:
        self.proxy.set_text(text)
        current = self.current_unit()
        self._restore_view(current.code if current else None)

    def _on_show_closed(self, show: bool) -> None:
        self.proxy.set_show_closed(show)
        current = self.current_unit()
        self._restore_view(current.code if current else None)

    def _focus_first_match(self) -> None:
        """Enter in the search box: go to the first unit that matches (not merely an ancestor)."""
        text = self.search.text().strip().casefold()
        stack = [self.proxy.index(r, 0) for r in range(self.proxy.rowCount())]
        while stack:
            idx = stack.pop(0)
            row: UnitRow = idx.data(ROW_ROLE)
            if text and (text in row.name.casefold() or text in row.code):
                self.tree.setCurrentIndex(idx)
                break
            stack[0:0] = [self.proxy.index(r, 0, idx) for r in range(self.proxy.rowCount(idx))]
        self.tree.setFocus()

    def visible_names(self) -> list[str]:
        """Names of all rows the tree shows now (expanded or not), depth first."""
        out, stack = [], [QModelIndex()]
        while stack:
            parent = stack.pop()
            for r in reversed(range(self.proxy.rowCount(parent))):
                stack.append(self.proxy.index(r, 0, parent))
            if parent.isValid():
                out.append(parent.data())
        return out

    # -- selection and actions -------------------------------------------------------------
    def current_unit(self) -> UnitRow | None:
        idx = self.tree.currentIndex()
        return idx.siblingAtColumn(0).data(ROW_ROLE) if idx.isValid() else None

    def _update_actions(self) -> None:
        u = self.current_unit()
        may = self.ctx.actor.can(Permission.MANAGE_REFERENCE)
        is_open = u is not None and u.closed_on is None
        self.act_add.setEnabled(may and is_open and u.level < 3)
        self.act_rename.setEnabled(may and u is not None)
        self.act_move.setEnabled(may and is_open and u.level == 3)
        self.act_close.setEnabled(may and is_open and u.level > 1)
        self.act_reopen.setEnabled(may and u is not None and u.closed_on is not None)
        self.act_import.setEnabled(may)
        for act in (self.act_add, self.act_rename, self.act_move, self.act_close, self.act_reopen, self.act_import):
            if not may:
                act.setToolTip(NO_RIGHT)
        self.unit_selected.emit(u)

    def _context_menu(self, pos) -> None:
        menu = QMenu(self)
        for act in (self.act_add, self.act_rename, self.act_move, self.act_close, self.act_reopen):
            menu.addAction(act)
        menu.addSeparator()
        menu.addAction(self.act_import)
        menu.popup(self.tree.viewport().mapToGlobal(pos))

    def _open(self, dialog) -> None:
        """Window-modal and non-blocking (tests type into it); the page refreshes on success."""
        self.active_dialog = dialog
        dialog.finished.connect(lambda _r: setattr(self, "active_dialog", None))
        dialog.open()

    def _save(self, work) -> Any:
        """One unit of work for one user action, then tell every screen that org units changed."""
        with self.ctx.db.session(self.ctx.actor) as s:
            result = work(s)
        self.ctx.changes.changed.emit("org_unit")
        return result

    def add_child(self) -> None:
        parent = self.current_unit()
        if parent is None or parent.level >= 3 or not self.act_add.isEnabled():
            return

        def save(v: NewUnit) -> UnitRow:
            row = self._save(lambda s: orgunits.add_unit(s, self.ctx.actor, v.code, v.name, v.parent_code))
            self._expanded.add(v.parent_code)
            self._restore_view(row.code)
            return row
        self._open(AddUnitDialog(parent, save, self))

    def rename(self) -> None:
        unit = self.current_unit()
        if unit is None or not self.act_rename.isEnabled():
            return

        def save(v) -> UnitRow:
            return self._save_stale_aware(lambda s: orgunits.rename_unit(
                s, self.ctx.actor, v.code, v.name, expected_version=v.expected_version))
        self._open(RenameDialog(unit, save, self))

    def move(self) -> None:
        unit = self.current_unit()
        if unit is None or not self.act_move.isEnabled():
            return
        candidates = [u for u in self.model.units() if u.level == unit.level - 1 and u.closed_on is None]

        def save(v: Move) -> UnitRow:
            self._expanded.add(v.new_parent_code)
            return self._save_stale_aware(lambda s: orgunits.move_unit(
                s, self.ctx.actor, v.code, v.new_parent_code, expected_version=v.expected_version))
        self._open(MoveDialog(unit, candidates, save, self))

    def close_unit(self) -> None:
        unit = self.current_unit()
        if unit is None or not self.act_close.isEnabled():
            return
        candidates = [u for u in self.model.units() if u.level == unit.level and u.closed_on is None]

        def save(v: Close) -> UnitRow:
            return self._save_stale_aware(lambda s: orgunits.close_unit(
                s, self.ctx.actor, v.code, v.on, merged_into=v.merged_into, expected_version=v.expected_version))
        self._open(CloseDialog(unit, candidates, save, self))

    def _save_stale_aware(self, work) -> Any:
        from core.errors import StaleRecord
        try:
            return self._save(work)
        except StaleRecord:
            self.refresh()  # show what the other person saved; the dialog keeps the message
            raise

    def reopen(self) -> None:
        unit = self.current_unit()
        if unit is None or unit.closed_on is None:
            return
        answer = QMessageBox.question(self, "恢复单位", f"恢复已撤销的单位“{unit.name}（{unit.code}）”？")
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.reopen_code(unit.code)

    def reopen_code(self, code: str) -> bool:
        try:
            self._save(lambda s: orgunits.reopen_unit(s, self.ctx.actor, code))
        except UserFacingError as e:
            show_error(self, e, "未能恢复")
            return False
        return True

    # -- CSV import ------------------------------------------------------------------------
    def import_csv_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "从 CSV 导入组织机构", str(Path.home()),
                                              "CSV 文件 (*.csv);;所有文件 (*)")
        if path:
            self.import_csv(Path(path))

    def import_csv(self, path: Path):
        """All or nothing (core refuses a file with any bad row and lists every problem)."""
        ctx = self.ctx

        def work(_progress):
            with ctx.db.session(ctx.actor) as s:
                return orgunits.import_csv(s, ctx.actor, path)

        def done(result: orgunits.OrgImportResult) -> None:
            ctx.changes.changed.emit("org_unit")
            QMessageBox.information(self, "导入完成",
                                    f"{path.name}：读入 {result.read} 行，新增 {result.added} 个单位，"
                                    f"改名 {result.renamed} 个，未变 {result.unchanged} 个。")
        return run_op(self, work, on_done=done, label=f"正在导入 {path.name}……")
