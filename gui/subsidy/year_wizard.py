"""年度确认: the yearly confirmation of one programme (DOMAIN.md §3 steps 3–4) in three steps.

1. 新增申请 — candidates (申请中 …) with their eligibility result, proposed 新增 or 不予纳入;
2. 继续享受（年审） — continuing recipients; a row flagged by the 年审 is proposed 退出 with a reason the
   clerk may change, or set back to 继续享受;
3. 确认与公示 — ``yearly_cycle.confirm_year`` with the decisions, then FP-NEW / FP-EXIT / FP-NOTICE
   (preview, print, export); the year's state; 审核通过 and 解锁 for a supervisor.

Once the year is confirmed, reviewing it again shows the saved decisions (bold where they differ from
the proposal; the 确认情况 column says who changed one after the confirmation). Changing a saved
decision is saved at once through ``yearly_cycle.change_entry`` (audited); people registered after
the confirmation are decided locally and need 重新确认. After approval the tables are read-only.

The review and the confirmation run off the GUI thread (``run_op``) with progress and 取消 (cancel
rolls the confirmation back: ``core.imports.progress``); the widgets keep plain ``ReviewItem``
dataclasses, never ORM objects. Role checks are the core's: hidden buttons are only a convenience.

``ReturnActions`` (preview / print / export of an FP return for a programme and period) is shared
with the payment screen.
"""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QAbstractTableModel, QDate, QModelIndex, QSortFilterProxyModel, QStandardPaths, Qt, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QDateEdit, QFileDialog, QFormLayout,
                               QGroupBox, QHBoxLayout, QHeaderView, QInputDialog, QLabel, QLineEdit, QMessageBox,
                               QPushButton, QSpinBox, QStyledItemDelegate, QTableView, QTabWidget, QVBoxLayout,
                               QWidget)

from core.access import Permission
from core.errors import UserFacingError
from core.imports.progress import ImportCancelled
from core.subsidy.recipients import EXIT_REASONS
from core.subsidy.yearly_cycle import (CONTINUE, EXIT, KIND_LABELS, NEW, REFUSED, ReviewItem, YearReview,
                                       YearStatus)
from gui.context import AppContext
from gui.operations import run_op, show_error
from gui.pages.returns_page import ReturnRequest, render_request
from gui.table_models import ROW_ROLE, error_label, local_time, show_inline

EXPORT_FORMATS = {"xlsx": ("Excel 工作簿 (*.xlsx)", ".xlsx"), "pdf": ("PDF 文件 (*.pdf)", ".pdf")}
EXIT_COLOR = QColor("#b00020")
REFUSED_COLOR = QColor("#8a5a00")
CHANGED_COLOR = QColor("#0d47a1")
STATE_STYLES = {"NONE": "color:#555; background:#eeeeee;", "DRAFT": "color:#555; background:#eeeeee;",
                "CONFIRMED": "color:#8a5a00; background:#fff4d6;", "APPROVED": "color:#1b5e20; background:#e3f2e1;"}


def documents_dir() -> Path:
    return Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation) or Path.home())


def buddy_label(text: str, buddy: QWidget) -> QLabel:
    label = QLabel(text)
    label.setBuddy(buddy)
    return label


def programme_choices(ctx: AppContext) -> list[tuple[str, str]]:
    from core.subsidy.programmes import list_programs
    with ctx.db.session(ctx.actor) as s:
        return [(p.code, p.name) for p in list_programs(s)]


# -- returns for a programme and period ------------------------------------------------------------

class ReturnActions(QWidget):
    """A choice of FP returns with 预览 / 打印 / 导出 buttons. ``request()`` gives (period, programme) or
    None when the screen has nothing to print yet."""

    def __init__(self, ctx: AppContext, returns: list[tuple[str, str]], request: Callable[[], tuple[str, str] | None],
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.request = request
        self.preview = None
        self.last_export: Path | None = None
        self.combo = QComboBox()
        for rid, title in returns:
            self.combo.addItem(f"{title}（{rid}）", rid)
        self.preview_button = QPushButton("预览(&V)")
        self.preview_button.clicked.connect(self.preview_current)
        self.print_button = QPushButton("打印(&P)…")
        self.print_button.clicked.connect(self.print_current)
        self.xlsx_button = QPushButton("导出 Excel…")
        self.xlsx_button.clicked.connect(lambda: self.export_dialog("xlsx"))
        self.pdf_button = QPushButton("导出 PDF…")
        self.pdf_button.clicked.connect(lambda: self.export_dialog("pdf"))
        self.result = QLabel()
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.combo, 1)
        for b in (self.preview_button, self.print_button, self.xlsx_button, self.pdf_button):
            row.addWidget(b)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addLayout(row)
        box.addWidget(self.result)
        may = ctx.actor.can(Permission.PRINT_RETURNS)
        for b in (self.preview_button, self.print_button, self.xlsx_button, self.pdf_button):
            b.setEnabled(may)
            if not may:
                b.setToolTip("当前用户无权导出和打印报表。")

    def select(self, return_id: str) -> None:
        self.combo.setCurrentIndex(max(0, self.combo.findData(return_id)))

    def current_id(self) -> str:
        return self.combo.currentData()

    def _title(self) -> str:
        return self.combo.currentText().split("（")[0]

    def _run(self, fmt: str, path: Path, on_done: Callable[[Path | None], None]):
        req = self.request()
        if req is None:
            return None
        period, program = req
        ctx, rid = self.ctx, self.current_id()
        request = ReturnRequest(rid, self._title(), period, None, "", program)
        return run_op(self, lambda progress: render_request(ctx, request, fmt, path, progress),
                      on_done=on_done, label=f"正在生成 {self._title()}……", cancellable=True, writes=False)

    def export_dialog(self, fmt: str) -> None:
        req = self.request()
        if req is None:
            return
        file_filter, suffix = EXPORT_FORMATS[fmt]
        start = documents_dir() / f"{self._title()}-{req[1]}-{req[0]}{suffix}"
        path, _ = QFileDialog.getSaveFileName(self, f"导出 {self._title()}", str(start), file_filter)
        if path:
            self.export_to(fmt, Path(path if path.lower().endswith(suffix) else path + suffix))

    def export_to(self, fmt: str, path: Path):
        def done(result: Path | None) -> None:
            if result is None:
                self.result.setText("已取消导出，没有生成文件。")
            else:
                self.last_export = result
                self.result.setText(f"已导出：{result}")
        return self._run(fmt, Path(path), done)

    def preview_current(self):
        from gui.print_preview import temp_pdf_path
        return self._run("pdf", temp_pdf_path(self.current_id()), self._show_preview)

    def _show_preview(self, path: Path | None) -> None:
        from gui.print_preview import preview_dialog
        if path is None:
            return
        try:
            dialog = preview_dialog(path, self, self._title(), delete_when_closed=True)
        except UserFacingError as e:
            show_error(self, e)
            return
        self.preview = dialog
        dialog.finished.connect(lambda _r: setattr(self, "preview", None))
        dialog.open()

    def print_current(self):
        from gui.print_preview import temp_pdf_path
        return self._run("pdf", temp_pdf_path(self.current_id()), self._print)

    def _print(self, path: Path | None) -> None:
        from gui.print_preview import discard_temp_pdf, print_pdf
        if path is None:
            return
        try:
            print_pdf(path, self, self._title())
        except UserFacingError as e:
            show_error(self, e)
        finally:
            discard_temp_pdf(path)


# -- the review tables -----------------------------------------------------------------------------

def saved_state(item: ReviewItem, confirmed: bool) -> str:
    """The 确认情况 of one person in a confirmed year ("" before the first confirmation)."""
    if item.saved is None:
        return "确认后登记，尚未列入名单" if confirmed else ""
    if item.changed_by:
        when = f"{local_time(item.changed_at):%Y-%m-%d %H:%M}" if item.changed_at else ""
        return f"确认后由 {item.changed_by} 于 {when} 修改"
    return "已确认（与审查建议不同）" if item.differs else "已确认"


class ReviewModel(QAbstractTableModel):
    """Review items of one step with the decision per person (kind, exit reason): the proposal, or
    once the year is confirmed the saved decision. A saved decision is not changed here: the change
    goes to ``change_requested`` (the wizard saves it through the core, then ``replace_item``)."""

    HEADINGS = ["姓名", "性别", "公民身份号码", "乡镇（街道）", "审查结果", "说明", "决定", "退出原因", "确认情况"]
    DECISION, REASON, STATE = 6, 7, 8

    def __init__(self, candidate: bool, parent=None):
        super().__init__(parent)
        self.candidate = candidate
        self.items: list[ReviewItem] = []
        self.decisions: dict[int, tuple[str, str]] = {}
        self.locked = False
        self.confirmed = False          # the items come from a confirmed year (saved decisions)
        self.change_requested: Callable[[ReviewItem, str, str], Any] | None = None
        self.exit_reasons: list[str] = list(EXIT_REASONS)

    def load(self, items: list[ReviewItem], confirmed: bool = False, exit_reasons: list[str] | None = None) -> None:
        self.beginResetModel()
        self.exit_reasons = list(exit_reasons or EXIT_REASONS)
        self.items = [i for i in items if i.candidate == self.candidate]
        self.decisions = {i.recipient_id: i.decision for i in self.items}
        self.confirmed = confirmed
        self.endResetModel()

    def replace_item(self, item: ReviewItem) -> bool:
        """Show ``item`` (as the core now has it) in place of the person's row."""
        row = next((r for r, i in enumerate(self.items) if i.recipient_id == item.recipient_id), None)
        if row is None:
            return False
        self.items[row] = item
        self.decisions[item.recipient_id] = item.decision
        self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))
        return True

    def changed(self) -> list[ReviewItem]:
        """People whose shown decision is not the proposal."""
        return [i for i in self.items if self.decisions[i.recipient_id] != (i.proposed, i.exit_reason)]

    def set_locked(self, locked: bool) -> None:
        self.locked = locked
        if self.items:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.items) - 1, self.columnCount() - 1))

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.items)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.HEADINGS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADINGS[section]
        return None

    def _explanation(self, item: ReviewItem) -> str:
        if self.candidate:
            return "；".join(x for x in (item.basis, item.flag_text) if x)
        return item.flag_text or "—"

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        item = self.items[index.row()]
        kind, reason = self.decisions[item.recipient_id]
        col = index.column()
        if role == ROW_ROLE:
            return item
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            values = [item.name, item.sex, item.id_number, item.township_name, item.proposed_label,
                      self._explanation(item), KIND_LABELS[kind], reason if kind == EXIT else "",
                      saved_state(item, self.confirmed)]
            if role == Qt.ItemDataRole.ToolTipRole:
                return self._tooltip(item, col, kind, reason, values)
            return values[col]
        if role == Qt.ItemDataRole.EditRole:
            return kind if col == self.DECISION else reason
        if role == Qt.ItemDataRole.ForegroundRole and col in (4, self.DECISION, self.REASON):
            shown = item.proposed if col == 4 else kind
            return EXIT_COLOR if shown == EXIT else REFUSED_COLOR if shown == REFUSED else None
        if role == Qt.ItemDataRole.ForegroundRole and col == self.STATE and (item.changed_by or item.saved is None):
            return CHANGED_COLOR
        if role == Qt.ItemDataRole.FontRole and col == self.DECISION and (kind, reason) != (item.proposed, item.exit_reason):
            font = QFont()
            font.setBold(True)      # not the proposal: the clerk's decision
            return font
        return None

    def _tooltip(self, item: ReviewItem, col: int, kind: str, reason: str, values: list[str]) -> str | None:
        if col == self.DECISION:
            lines = []
            if (kind, reason) != (item.proposed, item.exit_reason):
                proposal = item.proposed_label + (f"（{item.exit_reason}）" if item.proposed == EXIT else "")
                lines.append(f"审查建议：{proposal}")
            if not self.locked:
                lines.append("双击或按 F2 修改决定" + ("（立即保存，记入审计日志）" if item.saved is not None else ""))
            return "\n".join(lines) or None
        return values[col] if col in (5, self.STATE) and values[col] else None

    def flags(self, index: QModelIndex):
        base = super().flags(index)
        if self.locked or not index.isValid():
            return base
        kind = self.decisions[self.items[index.row()].recipient_id][0]
        if index.column() == self.DECISION or (index.column() == self.REASON and kind == EXIT):
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def choices(self, index: QModelIndex) -> list[tuple[str, str]]:
        item = self.items[index.row()]
        if index.column() == self.DECISION:
            return [(KIND_LABELS[k], k) for k in item.allowed]
        return [(r, r) for r in self.exit_reasons]

    def setData(self, index: QModelIndex, value, role=Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or self.locked or not index.isValid():
            return False
        item = self.items[index.row()]
        kind, reason = self.decisions[item.recipient_id]
        if index.column() == self.DECISION:
            if value not in item.allowed:
                return False
            kind = value
            if kind == EXIT and not reason:
                reason = item.exit_reason or self.exit_reasons[-1]
        elif index.column() == self.REASON and kind == EXIT and value in self.exit_reasons:
            reason = value
        else:
            return False
        decision = (kind, reason if kind == EXIT else "")
        if decision == self.decisions[item.recipient_id]:
            return True
        if item.saved is not None:          # saved in the confirmation: the core changes it, or nothing
            if self.change_requested is None:
                return False
            self.change_requested(item, *decision)
            return False
        self.decisions[item.recipient_id] = decision
        self.dataChanged.emit(self.index(index.row(), 0), self.index(index.row(), self.columnCount() - 1))
        return True

    def set_decision(self, recipient_id: int, kind: str, reason: str = "") -> bool:
        row = next((r for r, i in enumerate(self.items) if i.recipient_id == recipient_id), None)
        if row is None:
            return False
        ok = self.setData(self.index(row, self.DECISION), kind)
        if ok and kind == EXIT and reason:
            ok = self.setData(self.index(row, self.REASON), reason)
        return ok

    def count(self, kind: str) -> int:
        return sum(1 for k, _r in self.decisions.values() if k == kind)


class ChoiceDelegate(QStyledItemDelegate):
    """A combo box for the 决定 and 退出原因 columns (choices from the model)."""

    def _source(self, index: QModelIndex) -> tuple[ReviewModel, QModelIndex]:
        model = index.model()
        while isinstance(model, QSortFilterProxyModel):
            index = model.mapToSource(index)
            model = index.model()
        return model, index

    def createEditor(self, parent, option, index):
        model, src = self._source(index)
        combo = QComboBox(parent)
        for label, value in model.choices(src):
            combo.addItem(label, value)
        return combo

    def setEditorData(self, editor, index):
        editor.setCurrentIndex(max(0, editor.findData(index.data(Qt.ItemDataRole.EditRole))))

    def setModelData(self, editor, model, index):
        model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)


class FlaggedFilter(QSortFilterProxyModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.only_flagged = True

    def set_only_flagged(self, on: bool) -> None:
        if hasattr(self, "beginFilterChange"):      # Qt 6.9+
            self.beginFilterChange()
            self.only_flagged = on
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self.only_flagged = on
            self.invalidateFilter()

    def filterAcceptsRow(self, row: int, parent: QModelIndex) -> bool:
        if not self.only_flagged:
            return True
        model: ReviewModel = self.sourceModel()
        item = model.items[row]
        decision = model.decisions[item.recipient_id]
        return (bool(review_flags(item)) or decision[0] != CONTINUE or decision != (item.proposed, item.exit_reason)
                or (model.confirmed and item.saved is None))


INFO_ONLY = ("待补充", "缺银行账号")


def review_flags(item: ReviewItem) -> list:
    """The 年审 flags that need a look (not the 待补充 / no-account notes every screen shows anyway)."""
    return [f for f in item.flags if f.exit_reason or not f.text.startswith(INFO_ONLY)]


def _table(model, delegate: QStyledItemDelegate) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setItemDelegateForColumn(ReviewModel.DECISION, delegate)
    view.setItemDelegateForColumn(ReviewModel.REASON, delegate)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed
                         | QAbstractItemView.EditTrigger.SelectedClicked)
    view.setAlternatingRowColors(True)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(24)
    header = view.horizontalHeader()
    for col, width in enumerate((70, 40, 150, 90, 70, 0, 80, 120, 260)):
        if width:
            view.setColumnWidth(col, width)
    header.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
    view.setWordWrap(False)
    return view


# -- the screen ------------------------------------------------------------------------------------

class YearWizard(QWidget):
    """年度确认 tab."""

    changed = Signal()          # a saved decision was changed (change_entry)

    help_topic = "subsidy.html#year"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.review: YearReview | None = None
        self.status: YearStatus | None = None
        self.reviewed_key: tuple[str, int] | None = None   # (programme, year) the tables show
        self.confirmed_text = ""                            # what the last confirmation did
        self.last_change: ReviewItem | None = None          # the last saved decision changed

        self.program_combo = QComboBox()
        self.program_combo.setMinimumContentsLength(18)
        self.year_spin = QSpinBox()
        self.year_spin.setRange(2004, 2100)
        self.year_spin.setValue(date.today().year)
        self.review_button = QPushButton("开始审查(&R)")
        self.review_button.setToolTip("读取本年度的申请对象和继续享受对象，给出审查结果和年审标记（不改动数据）")
        self.review_button.clicked.connect(self.start_review)
        self.state_label = QLabel()
        self.state_label.setContentsMargins(8, 4, 8, 4)
        self.program_combo.currentIndexChanged.connect(lambda _i: self._selection_changed())
        self.year_spin.valueChanged.connect(lambda _v: self._selection_changed())
        top = QHBoxLayout()
        top.addWidget(buddy_label("扶助项目(&G)：", self.program_combo))
        top.addWidget(self.program_combo, 2)
        top.addWidget(buddy_label("年度(&Y)：", self.year_spin))
        top.addWidget(self.year_spin)
        top.addWidget(self.review_button)
        top.addWidget(self.state_label, 3)

        self.message = error_label()
        self.delegate = ChoiceDelegate(self)
        self.review_note = QLabel()
        self.review_note.setWordWrap(True)
        self.review_note.setVisible(False)
        self.review_note.setContentsMargins(8, 4, 8, 4)
        self.review_note.setStyleSheet("background:#e8f0fe; border-radius:3px;")

        # step 1
        self.new_model = ReviewModel(candidate=True, parent=self)
        self.new_view = _table(self.new_model, self.delegate)
        self.new_note = QLabel()
        step1 = QWidget()
        v1 = QVBoxLayout(step1)
        v1.addWidget(self.new_note)
        v1.addWidget(self.new_view)

        # step 2
        self.cont_model = ReviewModel(candidate=False, parent=self)
        self.cont_proxy = FlaggedFilter(self)
        self.cont_proxy.setSourceModel(self.cont_model)
        self.cont_view = _table(self.cont_proxy, self.delegate)
        self.only_flagged = QCheckBox("只显示有年审标记或拟退出的对象(&F)")
        self.only_flagged.setChecked(True)
        self.only_flagged.toggled.connect(self.cont_proxy.set_only_flagged)
        self.cont_note = QLabel()
        for model in (self.new_model, self.cont_model):
            model.change_requested = self.change_decision
        step2 = QWidget()
        v2 = QVBoxLayout(step2)
        row2 = QHBoxLayout()
        row2.addWidget(self.cont_note, 1)
        row2.addWidget(self.only_flagged)
        v2.addLayout(row2)
        v2.addWidget(self.cont_view)

        # step 3
        self.summary = QLabel("请先“开始审查”。")
        self.summary.setWordWrap(True)
        self.notice_start = QDateEdit(QDate.currentDate())
        self.notice_start.setCalendarPopup(True)
        self.notice_start.setDisplayFormat("yyyy-MM-dd")
        self.notice_days = QLabel()
        self.confirm_button = QPushButton("确认本年度名单(&C)")
        self.confirm_button.setToolTip("按以上决定确认本年度的新增、继续享受和退出，并开始公示")
        self.confirm_button.clicked.connect(self.confirm)
        form = QFormLayout()
        notice_row = QHBoxLayout()
        notice_row.addWidget(self.notice_start)
        notice_row.addWidget(self.notice_days, 1)
        form.addRow(buddy_label("公示开始日期(&N)：", self.notice_start), notice_row)
        confirm_box = QGroupBox("确认")
        vc = QVBoxLayout(confirm_box)
        vc.addWidget(self.summary)
        vc.addLayout(form)
        vc.addWidget(self.confirm_button, 0, Qt.AlignmentFlag.AlignLeft)

        self.approve_button = QPushButton("审核通过(&A)")
        self.approve_button.setToolTip("公示期满后审核通过：本年度名单锁定，才能生成发放花名册")
        self.approve_button.clicked.connect(self.approve)
        self.unlock_button = QPushButton("解锁(&U)…")
        self.unlock_button.setToolTip("解锁已审核的年度（须填写原因，记入审计日志）")
        self.unlock_button.clicked.connect(self.unlock_dialog)
        self.approval_note = QLabel()
        self.approval_note.setWordWrap(True)
        approve_box = QGroupBox("审核（审核员）")
        va = QHBoxLayout(approve_box)
        va.addWidget(self.approve_button)
        va.addWidget(self.unlock_button)
        va.addWidget(self.approval_note, 1)
        self.approve_box = approve_box
        may_approve = ctx.actor.can(Permission.APPROVE)
        self.approve_button.setVisible(may_approve)
        self.unlock_button.setVisible(ctx.actor.can(Permission.UNLOCK))
        if not may_approve and not ctx.actor.can(Permission.UNLOCK):
            self.approval_note.setText("由审核员审核通过（锁定）或解锁。")

        self.returns = ReturnActions(ctx, [("FP-NOTICE", "公示名单"), ("FP-NEW", "新增对象花名册"),
                                           ("FP-EXIT", "退出对象花名册")], self._return_request)
        returns_box = QGroupBox("公示名单与花名册（公示名单只显示身份证号前 6 位和后 4 位，不含银行账号）")
        vr = QVBoxLayout(returns_box)
        vr.addWidget(self.returns)

        step3 = QWidget()
        v3 = QVBoxLayout(step3)
        v3.addWidget(confirm_box)
        v3.addWidget(approve_box)
        v3.addWidget(returns_box)
        v3.addStretch(1)

        self.steps = QTabWidget()
        self.steps.addTab(step1, "① 新增申请")
        self.steps.addTab(step2, "② 继续享受（年审）")
        self.steps.addTab(step3, "③ 确认与公示")
        self.next_button = QPushButton("下一步(&X) ›")
        self.next_button.clicked.connect(lambda: self.steps.setCurrentIndex(min(2, self.steps.currentIndex() + 1)))
        self.steps.currentChanged.connect(lambda i: (self._update_summary(), self.next_button.setEnabled(i < 2)))

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addWidget(self.review_note)
        layout.addWidget(self.steps, 1)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.next_button)
        layout.addLayout(bottom)

        for code, name in programme_choices(ctx):
            self.program_combo.addItem(name, code)
        self._selection_changed()

    # -- state ---------------------------------------------------------------------------------
    def program(self) -> str:
        return self.program_combo.currentData() or ""

    def year(self) -> int:
        return self.year_spin.value()

    def refresh(self) -> None:
        self.load_status()

    def _selection_changed(self) -> None:
        if self.reviewed_key != (self.program(), self.year()):
            self.confirmed_text = ""
            self.new_model.load([])
            self.cont_model.load([])
            self.review = None
            self.review_note.setVisible(False)
        self.load_status()

    def load_status(self) -> None:
        from core import settings
        from core.subsidy.yearly_cycle import year_status
        if not self.program():
            return
        try:
            with self.ctx.db.session(self.ctx.actor) as s:
                self.status = year_status(s, self.program(), self.year())
                days = int(settings.get(s, "subsidy.notice_days"))
        except UserFacingError as e:
            show_inline(self.message, e.message)
            return
        self.notice_days.setText(f"公示 {days} 天（天数可由管理员在设置中修改）")
        self._show_status()

    def _show_status(self) -> None:
        st = self.status
        if st is None:
            return
        text = f"本年度状态：{st.status_label}"
        if st.status in ("CONFIRMED", "APPROVED") and st.notice_start:
            text += f"　公示期 {st.notice_start:%Y-%m-%d} 至 {st.notice_end:%Y-%m-%d}"
        if st.locked:
            text += f"　审核：{st.approved_by}"
        self.state_label.setText(text)
        self.state_label.setStyleSheet(STATE_STYLES.get(st.status, "") + " border-radius: 3px;")
        locked = st.locked
        confirmed = st.status in ("CONFIRMED", "APPROVED")
        self.review_button.setText("打开已确认名单(&R)" if confirmed else "开始审查(&R)")
        self.review_button.setToolTip("读取本年度已确认的决定（与重新计算的审查建议对照），不改动数据" if confirmed
                                      else "读取本年度的申请对象和继续享受对象，给出审查结果和年审标记（不改动数据）")
        self.new_model.set_locked(locked)
        self.cont_model.set_locked(locked)
        self.confirm_button.setText("重新确认并重新公示(&C)" if confirmed else "确认本年度名单(&C)")
        self.confirm_button.setEnabled(not locked and self.review is not None)
        self.confirm_button.setToolTip(
            "本年度已审核锁定，须先由审核员解锁" if locked
            else "按以上决定重新确认全部名单，公示期从公示开始日期起重新计算" if confirmed
            else "按以上决定确认本年度的新增、继续享受和退出，并开始公示")
        self.approve_button.setEnabled(st.status == "CONFIRMED")
        self.unlock_button.setEnabled(locked)
        if self.ctx.actor.can(Permission.APPROVE):
            if st.status == "CONFIRMED" and st.notice_end:
                self.approval_note.setText(f"公示期满（{st.notice_end + timedelta(days=1):%Y-%m-%d} 起）后可审核通过。")
            elif locked:
                self.approval_note.setText("已审核锁定：名单不能再修改；如确需修改，请解锁并填写原因。")
            else:
                self.approval_note.setText("确认名单并公示期满后可审核通过。")
        self._update_summary()
        self._show_review_note()

    def _update_summary(self) -> None:
        if self.review is None:
            self.summary.setText("请先选择扶助项目和年度，点“开始审查”。")
            return
        done = self.confirmed_text + "\n" if self.confirmed_text else ""
        n, r = self.new_model.count(NEW), self.new_model.count(REFUSED)
        c, e = self.cont_model.count(CONTINUE), self.cont_model.count(EXIT)
        text = f"“{self.review.program_name}”{self.review.year} 年度：新增 {n} 人，继续享受 {c} 人，退出 {e} 人，不予纳入 {r} 人。"
        if self.review.status == "NONE":
            text += "确认后即按此更新扶助对象的状态，并从公示开始日期起公示。"
        else:
            unsaved = sum(1 for m in (self.new_model, self.cont_model) for i in m.items if i.saved is None)
            if self.status is not None and self.status.locked:
                text += "以上是已审核锁定的名单，只能查看；如确需修改，请审核员先解锁。"
            else:
                text += "以上是已确认的名单；修改个别对象的决定会立即保存（记入审计日志），不必重新确认。"
            if unsaved:
                text += f"另有 {unsaved} 人是确认后才登记的，尚未列入名单，须“重新确认”（公示期重新计算）。"
        self.summary.setText(done + text)

    # -- review --------------------------------------------------------------------------------
    @staticmethod
    def _reporter(progress: Callable[..., bool], hook: Callable[[int, int], bool] | None,
                  text: Callable[[int, int], str]) -> Callable[[int, int], bool]:
        """The core's ``progress(done, total)`` → the progress dialog (and a test's ``hook``)."""
        def report(done: int, total: int) -> bool:
            go = progress(done, total, text(done, total))
            return bool(go) and (hook is None or bool(hook(done, total)))
        return report

    def start_review(self, hook: Callable[[int, int], bool] | None = None):
        """Review the year off the GUI thread (取消 stops it; the tables keep what they showed)."""
        from core.subsidy.yearly_cycle import review_year
        program, year, ctx = self.program(), self.year(), self.ctx
        if not program:
            return None
        show_inline(self.message, None)

        def work(progress):
            report_to = self._reporter(progress, hook, lambda d, t: f"正在审查：{d:,} / {t:,} 人……")
            try:
                with ctx.db.session(ctx.actor) as s:
                    return review_year(s, ctx.actor, program, year, progress=report_to)
            except ImportCancelled:
                return None
        return run_op(self, work, on_done=self._reviewed, label=f"正在审查 {year} 年度的对象……",
                      cancellable=True, writes=False)

    def _reviewed(self, review: YearReview | None) -> None:
        if review is None:
            show_inline(self.message, "已取消审查。" + ("表中仍是上次审查的结果。" if self.review else "请重新“开始审查”。"))
            return
        self.review = review
        self.reviewed_key = (review.program_code, review.year)
        confirmed = review.status in ("CONFIRMED", "APPROVED")
        self.new_model.load(review.items, confirmed, review.exit_reasons)
        self.cont_model.load(review.items, confirmed, review.exit_reasons)
        flagged = sum(1 for i in self.cont_model.items if review_flags(i))
        how = "双击“决定”一栏可修改" + ("，修改立即保存并记入审计日志" if confirmed else "")
        self.new_note.setText(f"新增申请 {len(self.new_model.items)} 人：符合条件的拟“新增”，不符合的拟“不予纳入”"
                              f"（说明栏写明原因）。{how}。")
        self.cont_note.setText(f"继续享受的对象 {len(self.cont_model.items)} 人，其中年审标记 {flagged} 人。"
                               "标记为死亡、迁出或不再符合条件的拟“退出”，原因可改，也可改为“继续享受”。")
        self.steps.setTabText(0, f"① 新增申请（{len(self.new_model.items)}）")
        self.steps.setTabText(1, f"② 继续享受（年审，标记 {flagged}）")
        self.load_status()

    def _show_review_note(self) -> None:
        review = self.review
        if review is None or review.status == "NONE":
            self.review_note.setVisible(False)
            return
        changed = len(self.new_model.changed()) + len(self.cont_model.changed())
        after = sum(1 for m in (self.new_model, self.cont_model) for i in m.items if i.changed_by)
        unsaved = sum(1 for m in (self.new_model, self.cont_model) for i in m.items if i.saved is None)
        locked = self.status.locked if self.status is not None else review.status == "APPROVED"
        state = "已审核锁定、只能查看" if locked else "已确认"
        text = (f"显示的是 {review.year} 年度{state}的名单（已保存的决定），不是重新生成的建议。"
                f"与审查建议不同的 {changed} 人（“决定”加粗），其中确认后修改过的 {after} 人（见“确认情况”）。")
        if unsaved:
            text += f"确认后才登记的 {unsaved} 人尚未列入名单。"
        self.review_note.setText(text)
        self.review_note.setVisible(True)

    def change_decision(self, item: ReviewItem, kind: str, reason: str = ""):
        """A saved decision changed in the table: saved at once through ``change_entry`` (audited)."""
        from core.subsidy.yearly_cycle import change_entry, review_entry
        if self.review is None:
            return None
        program, year, ctx = self.review.program_code, self.review.year, self.ctx
        show_inline(self.message, None)

        def work(_progress):
            with ctx.db.session(ctx.actor) as s:
                status = change_entry(s, ctx.actor, program, year, item.recipient_id, kind, reason)
                return status, review_entry(s, ctx.actor, program, year, item.recipient_id)

        def done(result) -> None:
            status, fresh = result
            for model in (self.new_model, self.cont_model):
                model.replace_item(fresh)
            self.status = status
            self.ctx.changes.changed.emit("subsidy_recipient")
            self._show_status()
            self.last_change = fresh
            self.changed.emit()

        def failed(error: BaseException) -> None:
            if isinstance(error, UserFacingError):
                show_inline(self.message, error.message)
            show_error(self, error, "决定未修改")
        return run_op(self, work, on_done=done, on_failed=failed, label=f"正在保存 {item.name} 的决定……")

    def decisions(self) -> dict[int, tuple[str, str]]:
        out = dict(self.new_model.decisions)
        out.update(self.cont_model.decisions)
        return out

    # -- confirm / approve / unlock --------------------------------------------------------------
    def confirm(self, hook: Callable[[int, int], bool] | None = None):
        """Confirm with the decisions shown, off the GUI thread; 取消 rolls everything back. Then the
        tables are read again, so they show what was saved."""
        from core.subsidy.yearly_cycle import confirm_year
        if self.review is None:
            show_inline(self.message, "请先“开始审查”。")
            return None
        program, year, ctx = self.review.program_code, self.review.year, self.ctx
        decisions = self.decisions()
        start = self.notice_start.date().toPython()
        show_inline(self.message, None)

        def work(progress):
            report = self._reporter(progress, hook, lambda d, t: f"正在确认 {year} 年度名单：{d * 100 // max(t, 1)}%……")
            try:
                with ctx.db.session(ctx.actor) as s:
                    return confirm_year(s, ctx.actor, program, year, decisions, notice_start=start, progress=report)
            except ImportCancelled as e:
                return e

        def done(result) -> None:
            if isinstance(result, ImportCancelled):
                show_inline(self.message, result.message)
                self.load_status()
                return
            self.status = result
            counts = result.counts
            self.confirmed_text = (f"已确认：新增 {counts.get(NEW, 0)} 人，继续享受 {counts.get(CONTINUE, 0)} 人，"
                                   f"退出 {counts.get(EXIT, 0)} 人，不予纳入 {counts.get(REFUSED, 0)} 人。"
                                   "请打印公示名单张贴公示。")
            self.ctx.changes.changed.emit("subsidy_recipient")
            self._show_status()
            self.returns.select("FP-NOTICE")
            self.start_review()             # the tables now show the saved decisions
        return run_op(self, work, on_done=done, label=f"正在确认 {year} 年度名单……", cancellable=True)

    def _after_state_change(self, status: YearStatus) -> None:
        self.status = status
        self._show_status()
        self.ctx.changes.changed.emit("subsidy_recipient")

    def approve(self):
        from core.subsidy.yearly_cycle import approve_year
        program, year, ctx = self.program(), self.year(), self.ctx
        answer = QMessageBox.question(self, "审核通过",
                                      f"审核通过后，{year} 年度名单将锁定，不能再修改（确需修改须解锁并填写原因）。\n\n确定审核通过吗？")
        if answer != QMessageBox.StandardButton.Yes:
            return None

        def work(_progress):
            with ctx.db.session(ctx.actor) as s:
                return approve_year(s, ctx.actor, program, year)
        return run_op(self, work, on_done=self._after_state_change, label="正在审核……")

    def unlock_dialog(self) -> None:
        reason, ok = QInputDialog.getText(self, "解锁", "解锁原因（必填，记入审计日志）：", QLineEdit.EchoMode.Normal)
        if ok:
            self.unlock(reason)

    def unlock(self, reason: str):
        from core.subsidy.yearly_cycle import unlock_year
        program, year, ctx = self.program(), self.year(), self.ctx

        def work(_progress):
            with ctx.db.session(ctx.actor) as s:
                return unlock_year(s, ctx.actor, program, year, reason)
        return run_op(self, work, on_done=self._after_state_change, label="正在解锁……")

    def _return_request(self) -> tuple[str, str] | None:
        if not self.program():
            return None
        return str(self.year()), self.program()
