"""审计日志: browse who changed what, newest first, in keyset pages fetched as you scroll.

The model never loads the whole log: ``canFetchMore``/``fetchMore`` ask core.audit.query_audit for
the next page before the last sequence number shown. "验证审计链" runs core.audit.verify_chain.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from pathlib import PurePath
from typing import Any, Callable

from PySide6.QtCore import QAbstractTableModel, QDate, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QDateEdit, QHBoxLayout, QHeaderView,
                               QLabel, QLineEdit, QMessageBox, QPlainTextEdit, QPushButton, QSplitter,
                               QTableView, QVBoxLayout, QWidget)

from core import audit
from core.audit import ACTION_LABELS, TABLE_LABELS, AuditRow
from core.access import Role
from core.errors import UserFacingError
from core.orgunits import LEVEL_NAMES
from gui.context import AppContext
from gui.operations import run_op
from gui.table_models import ROW_ROLE, error_label, local_time_text, show_inline

AnyIndex = QModelIndex | QPersistentModelIndex
PAGE_SIZE = 100

# Column names as people read them in the "变更" summary, in the order they are listed (unknown
# names come last, as stored). Internal numbers are left out of the one-line summary.
FIELD_LABELS = {
    "name": "名称", "code": "代码", "level": "级别", "closed_on": "撤销日期", "merged_into_code": "合并到",
    "code_edition": "代码版本", "note": "备注", "parent_id": "上级（内部编号）",
    "username": "用户名", "display_name": "姓名", "role": "角色", "active": "有效", "password_hash": "密码",
    "failed_logins": "连续输错次数", "locked_until": "锁定至", "last_login_at": "上次登录",
    "township_code": "乡镇代码", "user_id": "用户（内部编号）", "key": "设置项", "value": "值",
    "period": "报告期", "org": "单位", "program": "扶助项目", "reason": "原因", "tables": "各表行数",
    "from_revision": "备份的数据库版本", "safety_backup": "安全备份",
}
INTERNAL_FIELDS = frozenset({"parent_id", "user_id"})
_ORDER = {key: i for i, key in enumerate(FIELD_LABELS)}


def _value(key: str, v: Any) -> str:
    if isinstance(v, bool) or v is None:
        return {True: "是", False: "否", None: "（空）"}[v]
    if key == "role" and v in Role.__members__:
        return Role(v).label
    if key == "level" and v in LEVEL_NAMES:
        return LEVEL_NAMES[v]
    if isinstance(v, dict):
        names = TABLE_LABELS if key == "tables" else {}
        return "，".join(f"{names.get(k, k)} {_value(k, x)}" for k, x in v.items())
    text = str(v)
    return text if len(text) <= 60 else text[:57] + "…"


def change_lines(row: AuditRow, *, summary: bool = False) -> list[str]:
    """One readable line per field: "字段: 旧 → 新" (a new record: "字段: 值").

    ``summary``: the one-line form for the table (internal numbers left out)."""
    lines = []
    for key in sorted(row.changes, key=lambda k: (_ORDER.get(k, len(_ORDER)), k)):
        if summary and key in INTERNAL_FIELDS:
            continue
        change = row.changes[key]
        label = FIELD_LABELS.get(key, key)
        if row.action in ("create", "update", "delete") and isinstance(change, list) and len(change) == 2:
            old, new = change
            if row.action == "create":
                lines.append(f"{label}: {_value(key, new)}")
            elif row.action == "delete":
                lines.append(f"{label}: {_value(key, old)} → （删除）")
            else:
                lines.append(f"{label}: {_value(key, old)} → {_value(key, new)}")
        else:
            lines.append(f"{label}: {_value(key, change)}")
    return lines


def object_text(row: AuditRow, *, short: bool = False) -> str:
    """``short``: a backup/restore shows only its file name (the full path is in the details)."""
    table = TABLE_LABELS.get(row.table_name, row.table_name)
    label = row.record_label
    if short and row.action in ("backup", "restore") and label:
        label = PurePath(label.replace("\\", "/")).name
    return f"{table} {label}".strip()


@dataclass(frozen=True)
class AuditFilter:
    record_uuid: str | None = None
    user: str | None = None
    since: datetime | None = None     # naive UTC, inclusive
    until: datetime | None = None     # naive UTC, exclusive
    text: str | None = None


def local_day_to_utc(day: date) -> datetime:
    """Local midnight of ``day`` as naive UTC (how timestamps are stored)."""
    return datetime.combine(day, time()).astimezone().astimezone(timezone.utc).replace(tzinfo=None)


class AuditModel(QAbstractTableModel):
    """Newest first; loads PAGE_SIZE rows at a time with ``before_seq`` keyset paging."""

    HEADINGS = ("时间", "用户", "操作", "对象", "变更")

    def __init__(self, fetch: Callable[[AuditFilter, int | None, int], list[AuditRow]], parent=None):
        super().__init__(parent)
        self._fetch = fetch
        self._filter = AuditFilter()
        self._rows: list[AuditRow] = []
        self._exhausted = True

    def reset(self, flt: AuditFilter) -> None:
        """New filter: start again from the newest row (loads the first page only)."""
        self.beginResetModel()
        self._filter = flt
        self._rows = self._fetch(flt, None, PAGE_SIZE)
        self._exhausted = len(self._rows) < PAGE_SIZE
        self.endResetModel()

    def clear(self) -> None:
        self.beginResetModel()
        self._rows, self._exhausted = [], True
        self.endResetModel()

    def row_at(self, row: int) -> AuditRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def canFetchMore(self, parent: AnyIndex = QModelIndex()) -> bool:  # noqa: N802
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: AnyIndex = QModelIndex()) -> None:  # noqa: N802
        if parent.isValid() or self._exhausted:
            return
        before = self._rows[-1].seq if self._rows else None
        page = self._fetch(self._filter, before, PAGE_SIZE)
        self._exhausted = len(page) < PAGE_SIZE
        if page:
            self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(page) - 1)
            self._rows.extend(page)
            self.endInsertRows()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.HEADINGS)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            col = index.column()
            if col == 0:
                return local_time_text(row.at)
            if col == 1:
                return row.shown_actor
            if col == 2:
                return ACTION_LABELS.get(row.action, row.action)
            if col == 3:
                return object_text(row, short=True)
            return "；".join(change_lines(row, summary=True))
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 4:
            return "\n".join(change_lines(row)) or None
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 3:
            return object_text(row)
        if role == ROW_ROLE:
            return row
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.HEADINGS[section]
        return None


class AuditPage(QWidget):
    help_topic = "admin"
    ALL_USERS = "全部用户"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, record_uuid: str | None = None,
                 record_label: str = ""):
        super().__init__(parent)
        self.ctx = ctx
        self.record_uuid = record_uuid
        self.last_verify: str = ""
        self.model = AuditModel(self._fetch, self)

        self.user_combo = QComboBox()
        self.user_combo.setMinimumContentsLength(10)
        self.since = self._date_edit()
        self.until = self._date_edit()
        self.text = QLineEdit()
        self.text.setPlaceholderText("对象包含…（单位代码、用户名、文件名等）")
        self.text.setClearButtonEnabled(True)
        self.only_record = QCheckBox(f"仅此记录（{record_label}）" if record_label else "仅此记录")
        self.only_record.setChecked(record_uuid is not None)
        self.only_record.setVisible(record_uuid is not None)
        self.verify_button = QPushButton("验证审计链")
        self.verify_button.setToolTip("逐条核对审计记录的校验值，查出被改动或删除的记录")
        self.verify_button.clicked.connect(self.verify_chain)

        filters = QHBoxLayout()
        for label, widget in (("用户(&U)：", self.user_combo), ("从(&F)：", self.since), ("到(&T)：", self.until)):
            lab = QLabel(label)
            lab.setBuddy(widget)
            filters.addWidget(lab)
            filters.addWidget(widget)
        filters.addWidget(self.text, 1)
        filters.addWidget(self.only_record)
        filters.addWidget(self.verify_button)

        self.message = error_label()
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        for col, width in ((0, 150), (1, 170), (2, 80), (3, 230)):
            header.resizeSection(col, width)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        self.details.setPlaceholderText("选中一条记录，这里显示它的全部变更。")
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(self.details)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        self.status = QLabel()

        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.message)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.status)

        self.table.selectionModel().currentRowChanged.connect(lambda cur, _prev: self._show_details(cur))
        self.user_combo.currentIndexChanged.connect(lambda _i: self.apply_filter())
        self.since.dateChanged.connect(lambda _d: self.apply_filter())
        self.until.dateChanged.connect(lambda _d: self.apply_filter())
        self.text.textChanged.connect(lambda _t: self.apply_filter())
        self.only_record.toggled.connect(lambda _c: self.apply_filter())
        self.model.rowsInserted.connect(lambda *_: self._update_status())
        ctx.changes.changed.connect(self._on_changed)  # a bound method: disconnected when the page goes
        self.refresh()

    def _on_changed(self, _what: str) -> None:
        self.refresh()  # every change writes audit rows

    @staticmethod
    def _date_edit() -> QDateEdit:
        """A date box whose lowest value reads 不限 (no limit)."""
        edit = QDateEdit()
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.setMinimumDate(QDate(2000, 1, 1))
        edit.setSpecialValueText("不限")
        edit.setDate(edit.minimumDate())
        return edit

    # -- data ------------------------------------------------------------------------------
    def _fetch(self, flt: AuditFilter, before_seq: int | None, limit: int) -> list[AuditRow]:
        with self.ctx.db.session(self.ctx.actor) as s:
            return audit.query_audit(s, self.ctx.actor, record_uuid=flt.record_uuid, user=flt.user,
                                     since=flt.since, until=flt.until, text=flt.text,
                                     before_seq=before_seq, limit=limit)

    def current_filter(self) -> AuditFilter:
        def day(edit: QDateEdit) -> date | None:
            return None if edit.date() == edit.minimumDate() else edit.date().toPython()
        since, until = day(self.since), day(self.until)
        user = self.user_combo.currentData()
        return AuditFilter(
            record_uuid=self.record_uuid if self.only_record.isChecked() else None,
            user=user or None,
            since=local_day_to_utc(since) if since else None,
            until=local_day_to_utc(until + timedelta(days=1)) if until else None,
            text=self.text.text().strip() or None,
        )

    def refresh(self) -> None:
        """Reload the user list and the newest page under the current filter."""
        try:
            with self.ctx.db.session(self.ctx.actor) as s:
                actors = audit.audit_actors(s, self.ctx.actor)
        except UserFacingError as e:
            show_inline(self.message, e.message)
            return
        chosen = self.user_combo.currentData()
        self.user_combo.blockSignals(True)
        self.user_combo.clear()
        self.user_combo.addItem(self.ALL_USERS, None)
        for name in actors:
            self.user_combo.addItem(name, name)
        i = self.user_combo.findData(chosen)
        self.user_combo.setCurrentIndex(max(i, 0))
        self.user_combo.blockSignals(False)
        self.apply_filter()

    def apply_filter(self) -> None:
        try:
            self.model.reset(self.current_filter())
        except UserFacingError as e:
            self.model.clear()
            show_inline(self.message, e.message)
            self.status.setText("")
            return
        show_inline(self.message, None)
        self._update_status()
        if self.model.rowCount():
            self.table.selectRow(0)
        else:
            self.details.clear()

    def _update_status(self) -> None:
        n = self.model.rowCount()
        more = "，向下滚动加载更早的记录" if self.model.canFetchMore() else ""
        self.status.setText(f"已显示 {n} 条（最新的在前）{more}。" if n else "没有符合条件的审计记录。")

    def _show_details(self, index: QModelIndex) -> None:
        row = self.model.row_at(index.row()) if index.isValid() else None
        if row is None:
            self.details.clear()
            return
        head = [f"时间：{local_time_text(row.at)}（第 {row.seq} 条）", f"用户：{row.shown_actor}",
                f"操作：{ACTION_LABELS.get(row.action, row.action)}", f"对象：{object_text(row)}"]
        if row.record_uuid:
            head.append(f"记录编号：{row.record_uuid}")
        lines = change_lines(row)
        self.details.setPlainText("\n".join(head + (["", "变更："] + lines if lines else [])))

    # -- verify ----------------------------------------------------------------------------
    def verify_chain(self):
        ctx = self.ctx

        def work(_progress):
            with ctx.db.session(ctx.actor) as s:
                return audit.verify_chain(s)
        self.verify_button.setEnabled(False)
        return run_op(self, work, on_done=self._verified, on_failed=self._verify_failed,
                      label="正在验证审计链……", writes=False)

    def _verified(self, problems: list[audit.ChainProblem]) -> None:
        self.verify_button.setEnabled(True)
        if not problems:
            self.last_verify = "审计链完整：全部审计记录与校验值相符，没有发现被改动或删除的记录。"
            self.status.setText(self.last_verify)
            QMessageBox.information(self, "验证审计链", self.last_verify)
            return
        lines = [p.message for p in problems[:20]]
        more = f"\n……另有 {len(problems) - 20} 处" if len(problems) > 20 else ""
        self.last_verify = f"审计链有 {len(problems)} 处问题，审计记录可能被程序以外的方式改动过：\n" + "\n".join(lines) + more
        self.status.setText(f"审计链有 {len(problems)} 处问题。")
        QMessageBox.warning(self, "验证审计链", self.last_verify)

    def _verify_failed(self, error: BaseException) -> None:
        from gui.operations import show_error
        self.verify_button.setEnabled(True)
        self.last_verify = "未能验证审计链。"
        show_error(self, error, "验证审计链")
