"""The roster (花名册) as a lazy table model: keyset pages of 100 from core.subsidy.search.

Opening loads one page; the view asks for more as the user scrolls (``canFetchMore``/``fetchMore``),
each page continuing after the last row's sort key — never OFFSET, never the whole register.
Sorting by a header is done by the database (``search_page(sort=…)``); every column has a sort key
in core (村: township, then village), and a column without one would not be sortable. Rows are plain
``RosterRow``s; codes are shown as names through ``Lookups``, loaded once per refresh.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable, Iterator

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from sqlalchemy.orm import Session

from core import orgunits
from core.access import Actor
from core.errors import UserFacingError
from core.orgunits import UnitRow
from core.subsidy.programmes import ProgramRow, list_programs
from core.subsidy.recipients import STATUS_LABELS
from core.subsidy.search import PAGE, RosterFilter, RosterRow, count_matches, iter_matches, search_page, sort_key
from gui.context import AppContext
from gui.table_models import MUTED, ROW_ROLE

AnyIndex = QModelIndex | QPersistentModelIndex
AMBER = QColor("#8a5300")


@dataclass(frozen=True)
class Lookups:
    """Names for the codes a roster row holds, and the lists the filter combos offer."""
    towns: list[UnitRow] = field(default_factory=list)             # open and closed, in code order
    villages: dict[str, list[UnitRow]] = field(default_factory=dict)  # township code → its villages
    programs: list[ProgramRow] = field(default_factory=list)        # active and inactive
    names: dict[str, str] = field(default_factory=dict)             # unit code → name

    def town_name(self, code: str | None) -> str:
        return self.names.get(code or "", code or "")

    def program_name(self, code: str) -> str:
        for p in self.programs:
            if p.code == code:
                return p.name
        return code

    def program_short(self, code: str) -> str:
        """The name without the words every programme shares, for a narrow column:
        农村部分计划生育家庭奖励扶助 → 农村奖励扶助, 计划生育家庭特别扶助（独生子女死亡）→ 特别扶助（独生子女死亡）."""
        return short_program_name(self.program_name(code))


def short_program_name(name: str) -> str:
    return name.replace("计划生育家庭", "").replace("部分", "") or name


def load_lookups(session: Session) -> Lookups:
    units = orgunits.list_units(session)
    towns = [u for u in units if u.level == 2]
    villages: dict[str, list[UnitRow]] = {}
    for u in units:
        if u.level == 3:
            villages.setdefault(u.parent_code or "", []).append(u)
    return Lookups(towns, villages, list_programs(session, include_inactive=True), {u.code: u.name for u in units})


@dataclass(frozen=True)
class RosterColumn:
    heading: str
    value: Callable[[RosterRow, Lookups], Any]   # the value shown (and exported)
    sort: str | None = None                       # core.subsidy.search.SORTABLE key
    sample: str = "一二三四"                       # a typical widest value: the view sizes the column by it
    export_width: float = 12                      # characters in an export
    kind: str = "text"                            # core.returns Column kind


COLUMNS: list[RosterColumn] = [
    RosterColumn("姓名", lambda r, _l: r.name, "name", "欧阳秀英", 10),
    RosterColumn("性别", lambda r, _l: r.sex, "sex", "男", 6),
    RosterColumn("公民身份号码", lambda r, _l: r.id_number, "id_number", "22032219491022952X", 21),
    RosterColumn("出生日期", lambda r, _l: r.birth_date, "birth_date", "1949-10-22", 12, "date"),
    RosterColumn("乡镇", lambda r, lk: lk.town_name(r.township_code), "township", "梨树镇", 12),
    RosterColumn("村", lambda r, lk: lk.town_name(r.village_code) if r.village_code else "", "village", "团结村", 12),
    RosterColumn("扶助项目", lambda r, lk: lk.program_name(r.program_code), "program", "特别扶助（独生子女死亡）", 30),
    RosterColumn("状态", lambda r, _l: STATUS_LABELS.get(r.status, r.status), "status", "已退出", 8),
    RosterColumn("首次确认年度", lambda r, _l: r.first_year, "first_year", "2020", 12, "int"),
    RosterColumn("开户银行", lambda r, _l: r.bank_name, "bank_name", "中国邮政储蓄银行", 14),
    RosterColumn("账号", lambda r, _l: r.account_masked, "account", "6217***********6078", 22),
    RosterColumn("待补充", lambda r, _l: r.incomplete, "incomplete", "村（居）、银行账号", 16),
]
PROGRAM_COLUMN = 6
COLUMN_OF_SORT = {c.sort: i for i, c in enumerate(COLUMNS) if c.sort}
INCOMPLETE_COLUMN = 11


def display_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def iter_rows(session: Session, actor: Actor, f: RosterFilter, sort: str, descending: bool,
              batch: int = 2000) -> Iterator[RosterRow]:
    """Every match in the given order, page by page (exporting the list as shown)."""
    if not descending:
        yield from iter_matches(session, actor, f, sort=sort, batch=batch)
        return
    after = None
    while True:   # iter_matches has no descending order: the same keyset loop, backwards
        page = search_page(session, actor, f, sort=sort, descending=True, after=after, limit=batch)
        yield from page
        if len(page) < batch:
            return
        after = sort_key(page[-1], sort)


class RosterModel(QAbstractTableModel):
    """Recipients matching a ``RosterFilter``, one keyset page at a time."""

    def __init__(self, ctx: AppContext, parent=None, *, page_size: int = PAGE):
        super().__init__(parent)
        self.ctx = ctx
        self.page_size = page_size
        self.lookups = Lookups()
        self.error = ""                 # a Chinese message when the last query failed
        self._filter = RosterFilter()
        self._sort = "name"
        self._descending = False
        self._rows: list[RosterRow] = []
        self._exhausted = True
        self.reload(lookups=True)

    # -- queries ---------------------------------------------------------------------------------
    def _page(self, session: Session, after: tuple | None) -> tuple[list[RosterRow], bool]:
        """One page, and whether more follow (one row beyond the page tells, without another query)."""
        rows = search_page(session, self.ctx.actor, self._filter, sort=self._sort, descending=self._descending,
                           after=after, limit=self.page_size + 1)
        return rows[:self.page_size], len(rows) > self.page_size

    def reload(self, *, lookups: bool = False) -> None:
        """Start again at the first page (after a filter, sort or data change)."""
        self.beginResetModel()
        self.error = ""
        try:
            with self.ctx.db.session(self.ctx.actor) as s:
                if lookups:
                    self.lookups = load_lookups(s)
                self._rows, more = self._page(s, None)
        except UserFacingError as e:
            self._rows, self.error, more = [], e.message, False
        self._exhausted = not more
        self.endResetModel()

    def set_filter(self, f: RosterFilter) -> None:
        self._filter = f
        self.reload()

    @property
    def filter(self) -> RosterFilter:
        return self._filter

    @property
    def sort_name(self) -> str:
        return self._sort

    @property
    def descending(self) -> bool:
        return self._descending

    def count(self) -> int | None:
        """How many match in all (not only the loaded pages); None when the database refused."""
        try:
            with self.ctx.db.session(self.ctx.actor) as s:
                return count_matches(s, self.ctx.actor, self._filter)
        except UserFacingError as e:
            self.error = e.message
            return None

    def snapshot(self) -> tuple[RosterFilter, str, bool, Lookups]:
        """What the list shows now (filter, order, names), for work on another thread."""
        return self._filter, self._sort, self._descending, self.lookups

    # -- rows ------------------------------------------------------------------------------------
    def row_at(self, row: int) -> RosterRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of_id(self, recipient_id: int) -> int:
        for i, r in enumerate(self._rows):
            if r.id == recipient_id:
                return i
        return -1

    def loaded_rows(self) -> list[RosterRow]:
        return list(self._rows)

    def canFetchMore(self, parent: AnyIndex = QModelIndex()) -> bool:  # noqa: N802 - Qt API
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: AnyIndex = QModelIndex()) -> None:  # noqa: N802
        if parent.isValid() or self._exhausted or not self._rows:
            return
        try:
            with self.ctx.db.session(self.ctx.actor) as s:
                page, more = self._page(s, sort_key(self._rows[-1], self._sort))
        except UserFacingError as e:
            self.error, self._exhausted = e.message, True
            return
        self._exhausted = not more
        if page:
            self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(page) - 1)
            self._rows.extend(page)
            self.endInsertRows()

    # -- sorting by the database -----------------------------------------------------------------
    @staticmethod
    def sortable(column: int) -> bool:
        return 0 <= column < len(COLUMNS) and COLUMNS[column].sort is not None

    def sort_column(self) -> int:
        return COLUMN_OF_SORT[self._sort]

    def sort_order(self) -> Qt.SortOrder:
        return Qt.SortOrder.DescendingOrder if self._descending else Qt.SortOrder.AscendingOrder

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not self.sortable(column):
            return   # core has no index-friendly order for it: the view puts the indicator back
        key, descending = COLUMNS[column].sort, order == Qt.SortOrder.DescendingOrder
        if (key, descending) == (self._sort, self._descending):
            return
        self._sort, self._descending = key, descending
        self.reload()

    # -- Qt API ----------------------------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row, column = self._rows[index.row()], COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            if index.column() == PROGRAM_COLUMN:
                return self.lookups.program_short(row.program_code)
            return display_text(column.value(row, self.lookups))
        if role == Qt.ItemDataRole.ForegroundRole:
            if row.status in ("EXITED", "REFUSED"):
                return QBrush(MUTED)
            if index.column() == INCOMPLETE_COLUMN:
                return QBrush(AMBER)
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            if index.column() == PROGRAM_COLUMN:
                return f"{self.lookups.program_name(row.program_code)}（{row.program_code}）"
            if index.column() == INCOMPLETE_COLUMN and row.incomplete:
                return f"待补充：{row.incomplete}"
            return None
        if role == ROW_ROLE:
            return row
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Vertical:
            return section + 1 if role == Qt.ItemDataRole.DisplayRole else None   # 序号
        if not 0 <= section < len(COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section].heading
        if role == Qt.ItemDataRole.ToolTipRole:
            return "点击按此列排序，再点一次倒序" if COLUMNS[section].sort else "此列不能排序"
        return None
