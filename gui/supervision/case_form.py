"""案件: one health-supervision case in four tabs —
案件信息 what describes it (saved through ``core.supervision.cases.save_case``, as is the third tab);
办理与期限 the deadlines, one button per stage (``case_stages.advance``) and recorders for the dated events
the deadlines depend on (hearing notice and hearing, 中止/恢复, 延期, payment, 生效, 一案一卡);
执行与复议诉讼 the fine's payment and surcharge, 执行方式, administrative reconsideration and litigation;
历史记录 every step and edit from the audit trail.

Refusals (``DataError`` problems by field, a stale record, an illegal step) are shown inside the dialog,
which stays open. Keyboard: Tab through the fields, Ctrl+Tab / Ctrl+PgDn to the next tab, Ctrl+S saves,
Esc closes; each recorder button has an Alt letter.
"""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QBrush, QColor, QKeySequence
from PySide6.QtWidgets import (QAbstractItemView, QApplication, QComboBox, QCompleter, QDialog, QDialogButtonBox,
                               QFormLayout, QGridLayout, QGroupBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QPlainTextEdit, QPushButton, QScrollArea, QTableWidget, QTableWidgetItem, QTabWidget,
                               QVBoxLayout, QWidget)

from core import orgunits
from core.errors import UserFacingError
from core.supervision import case_stages
from core.supervision.case_list import case_detail
from core.supervision.cases import (LABELS, CaseInput, DocumentInput, OfficerInput, PenaltyInput, load_input,
                                    save_case)
from core.supervision.codes import (CATEGORIES, EXECUTION_MODES, LITIGATION_RESULTS, PARTY_TYPES, PENALTY_KINDS,
                                    PROCEDURES, REVIEW_RESULTS, SOURCES, STAGES)
from gui.context import AppContext
from gui.supervision.case_history import CaseHistoryView
from gui.table_models import error_label, show_inline

RED = QColor("#b00020")
FIELD_OF_LABEL = {label: key for key, label in LABELS.items()}
STAGE_BUTTONS = [s for s in STAGES if s != "LEAD"]     # every step a case can take, in order
RECORDER_BUTTONS = [("HEARING_NOTICE", "听证通知(&N)"), ("HEARING_HELD", "举行听证(&H)"),
                    ("PAUSE_START", "中止计算(&K)"), ("PAUSE_END", "恢复计算(&J)"), ("EXTEND", "延期(&Y)"),
                    ("PAYMENT", "缴纳罚款(&M)"), ("EFFECTIVE", "决定生效(&E)"), ("REPORT", "一案一卡(&B)")]
EXTENSION_KINDS = {"HEAD": "负责人批准延长办案期限（+60日）", "COLLECTIVE": "集体讨论再延长办案期限（+30日）",
                   "FILING": "延长立案期限（+7个工作日）"}
REPORT_KINDS = {1: "首次报告（决定生效后）", 2: "结案报告（结案后）"}
EXECUTION_KEYS = frozenset({"execution_mode", "review_applied_on", "review_decided_on", "review_result",
                            "litigation_filed_on", "litigation_decided_on", "litigation_result", "review_litigation"})


def parse_date(text: str) -> date | None:
    from gui.subsidy.recipient_form import parse_date_text
    return parse_date_text(text)


def date_text(d: date | None) -> str:
    return f"{d:%Y-%m-%d}" if d else ""


def ok_cancel(dialog: QDialog) -> QDialogButtonBox:
    """确定 / 取消 wired to the dialog's accept / reject."""
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    buttons.button(QDialogButtonBox.StandardButton.Ok).setText("确定")
    buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons


class StageDialog(QDialog):
    """The date and a note for one step (办理“告知”)."""

    def __init__(self, stage_name: str, default: date, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"办理“{stage_name}”")
        self.date_edit = QLineEdit(date_text(default))
        self.date_edit.setPlaceholderText("如 2025-03-12")
        self.note_edit = QLineEdit()
        self.error = error_label()
        form = QFormLayout()
        form.addRow("日期(&D)", self.date_edit)
        form.addRow("备注(&N)", self.note_edit)
        buttons = ok_cancel(self)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.on: date | None = None

    def accept(self) -> None:
        try:
            self.on = parse_date(self.date_edit.text())
        except ValueError:
            self.on = None
        if self.on is None:
            show_inline(self.error, "请填写日期，如 2025-03-12")
            return
        super().accept()


class RecordDialog(QDialog):
    """One dated entry of the case (登记缴纳, 中止计算, 延期 …): its fields, then ``submit(values)`` — the
    core call. A refusal is shown inside the dialog, which stays open; success closes it."""

    def __init__(self, title: str, fields: list[tuple], submit, parent: QWidget | None = None, *,
                 hint: str = ""):
        """``fields``: (key, label, kind, default) with kind "date", "text", "amount" or a dict code → name."""
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(420)
        self.submit = submit
        self.widgets: dict[str, QWidget] = {}
        self.kinds: dict[str, object] = {}
        form = QFormLayout()
        for key, label, kind, default in fields:
            if isinstance(kind, dict):
                w = QComboBox()
                for code, name in kind.items():
                    w.addItem(name, code)
                w.setCurrentIndex(max(w.findData(default), 0))
            else:
                w = QLineEdit(date_text(default) if kind == "date" else str(default or ""))
                if kind == "date":
                    w.setPlaceholderText("如 2025-03-12")
                elif kind == "amount":
                    w.setPlaceholderText("如 3000 或 3,000.00")
            self.widgets[key], self.kinds[key] = w, kind
            form.addRow(label, w)
        self.error = error_label()
        buttons = ok_cancel(self)
        layout = QVBoxLayout(self)
        if hint:
            note = QLabel(hint)
            note.setWordWrap(True)
            layout.addWidget(note)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.result_value = None
        first = next(iter(self.widgets.values()), None)
        if first is not None:
            first.setFocus()

    def values(self) -> dict:
        out = {}
        for key, w in self.widgets.items():
            kind = self.kinds[key]
            if isinstance(w, QComboBox):
                out[key] = w.currentData()
                continue
            text = w.text().strip()
            if kind == "date":
                try:
                    out[key] = parse_date(text)
                except ValueError:
                    raise ValueError(f"“{text}”不是日期，请写成 2025-03-12") from None
            else:
                out[key] = text
        return out

    def accept(self) -> None:
        try:
            values = self.values()
        except ValueError as e:
            show_inline(self.error, str(e))
            return
        try:
            self.result_value = self.submit(values)
        except UserFacingError as e:
            show_inline(self.error, e.message)
            return
        super().accept()


class CaseForm(QDialog):
    saved = Signal(int)

    def __init__(self, ctx: AppContext, case_id: int | None = None, parent: QWidget | None = None, *,
                 as_of: date | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.case_id = case_id
        self.version: int | None = None
        self.fixed_as_of = as_of
        self.stage_buttons: dict[str, QPushButton] = {}
        self.field_errors: dict[str, QLabel] = {}
        self.active_dialog = None
        self.setWindowTitle("新建案件" if case_id is None else "案件")
        self.resize(1180, 680)     # fits a 1366×768 screen with the taskbar
        self._build()
        if case_id is not None:
            self.load(case_id)
        else:
            self.filed_edit.setText(date_text(self.as_of()))
            self._update_party_labels()

    def as_of(self) -> date:
        return self.fixed_as_of or date.today()

    # -- building -----------------------------------------------------------------------------------
    def _field(self, grid: QGridLayout, row: int, col: int, key: str, label: str, widget: QWidget) -> QWidget:
        lab = QLabel(label)
        lab.setBuddy(widget)
        err = error_label()
        self.field_errors[key] = err
        box = QWidget()
        inner = QVBoxLayout(box)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.setSpacing(1)
        inner.addWidget(widget)
        inner.addWidget(err)
        grid.addWidget(lab, row, col, Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignRight)
        grid.addWidget(box, row, col + 1, Qt.AlignmentFlag.AlignTop)
        return widget

    @staticmethod
    def _combo(table: dict[str, str]) -> QComboBox:
        combo = QComboBox()
        for code, name in table.items():
            combo.addItem(name, code)
        return combo

    def _build(self) -> None:
        self.party_type = self._combo(PARTY_TYPES)
        self.party_type.currentIndexChanged.connect(self._update_party_labels)
        self.party_name = QLineEdit()
        self.party_code = QLineEdit()
        self.party_code.setMaxLength(30)
        self.party_address = QLineEdit()
        self.township = self._township_combo()
        self.legal_rep = QLineEdit()
        self.party_phone = QLineEdit()
        self.category = self._combo(CATEGORIES)
        self.source = self._combo(SOURCES)
        self.procedure = self._combo(PROCEDURES)
        self.number = QLineEdit()
        self.number.setPlaceholderText("留空则自动编号")
        self.cause = QLineEdit()
        self.offence_edit = QLineEdit()
        self.lead_edit = QLineEdit()
        self.filed_edit = QLineEdit()
        for e in (self.offence_edit, self.lead_edit, self.filed_edit):
            e.setPlaceholderText("如 2025-03-12")
        self.facts = QPlainTextEdit()
        self.facts.setTabChangesFocus(True)
        self.facts.setFixedHeight(56)
        self.violated = QLineEdit()
        self.basis = QLineEdit()

        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(2)
        self._field(grid, 0, 0, "party_type", "当事人类型(&T)", self.party_type)
        self._field(grid, 0, 2, "party_name", "当事人(&P)", self.party_name)
        self._field(grid, 1, 0, "party_code", "统一社会信用代码", self.party_code)
        self.party_code_label = grid.itemAtPosition(1, 0).widget()
        self._field(grid, 1, 2, "legal_rep", "法定代表人", self.legal_rep)
        self.legal_rep_label = grid.itemAtPosition(1, 2).widget()
        self._field(grid, 2, 0, "party_address", "地址(&A)", self.party_address)
        self._field(grid, 2, 2, "township", "所在乡镇(&Z)", self.township)
        self._field(grid, 3, 0, "party_phone", "联系电话", self.party_phone)
        self._field(grid, 3, 2, "category", "专业类别(&G)", self.category)
        self._field(grid, 4, 0, "source", "案件来源(&R)", self.source)
        self._field(grid, 4, 2, "procedure", "程序", self.procedure)
        self._field(grid, 5, 0, "number", "案件文号", self.number)
        self._field(grid, 5, 2, "cause", "案由(&C)", self.cause)
        self._field(grid, 6, 0, "offence_on", "违法行为日期", self.offence_edit)
        self._field(grid, 6, 2, "lead_on", "线索受理日期", self.lead_edit)
        self._field(grid, 7, 0, "filed_on", "立案日期(&F)", self.filed_edit)
        self._field(grid, 7, 2, "violated", "违反条款", self.violated)
        self._field(grid, 8, 0, "facts", "违法事实", self.facts)
        self._field(grid, 8, 2, "basis", "处罚依据", self.basis)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)

        self.officers = self._table(["承办人姓名", "执法证号"], 3)
        self.penalties = self._table(["处罚种类", "金额（元）"], 3)
        for r in range(self.penalties.rowCount()):
            self._penalty_combo(r)
        self.documents = self._table(["文书名称", "文书编号", "日期"], 3)
        tables = QHBoxLayout()
        for key, title, table in (("officers", "承办人（至少两名）", self.officers),
                                  ("penalties", "处罚", self.penalties), ("documents", "文书", self.documents)):
            box = QGroupBox(title)
            inner = QVBoxLayout(box)
            inner.addWidget(table)
            err = error_label()
            self.field_errors[key] = err
            inner.addWidget(err)
            tables.addWidget(box, 1)

        self.general_error = error_label()
        self.warning_label = QLabel()
        self.warning_label.setWordWrap(True)
        self.warning_label.setStyleSheet("color: #7a4a00;")
        self.warning_label.setVisible(False)

        main = QWidget()
        main_layout = QVBoxLayout(main)
        main_layout.addLayout(grid)
        main_layout.addLayout(tables)
        main_layout.addStretch(1)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._scrolled(main), "案件信息")
        self.tabs.addTab(self._scrolled(self._build_stages()), "办理与期限")
        self.tabs.addTab(self._scrolled(self._build_execution()), "执行与复议诉讼")
        self.history_view = CaseHistoryView(self.ctx)
        self.tabs.addTab(self.history_view, "历史记录")
        self.tabs.currentChanged.connect(self._on_tab)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Close)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText("保存（Ctrl+S）")
        self.buttons.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        self.save_button.clicked.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        save_key = QAction(self)
        save_key.setShortcut(QKeySequence.StandardKey.Save)
        save_key.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        save_key.triggered.connect(self.save)
        self.addAction(save_key)
        for keys, step in (("Ctrl+Tab", 1), ("Ctrl+PgDown", 1), ("Ctrl+Shift+Tab", -1), ("Ctrl+PgUp", -1)):
            act = QAction(self)
            act.setShortcut(QKeySequence(keys))
            act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            act.triggered.connect(lambda _c=False, d=step: self.tabs.setCurrentIndex(
                (self.tabs.currentIndex() + d) % self.tabs.count()))
            self.addAction(act)

        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.general_error)
        layout.addWidget(self.warning_label)
        layout.addWidget(self.buttons)
        for order in ([self.party_type, self.party_name, self.party_code, self.legal_rep, self.party_address,
                       self.township, self.party_phone, self.category, self.source, self.procedure, self.number,
                       self.cause, self.offence_edit, self.lead_edit, self.filed_edit, self.violated, self.facts,
                       self.basis, self.officers, self.penalties, self.documents],
                      [self.execution_mode, self.review_applied_edit, self.review_decided_edit, self.review_result,
                       self.litigation_filed_edit, self.litigation_decided_edit, self.litigation_result,
                       self.review_litigation]):
            for a, b in zip(order, order[1:]):
                QWidget.setTabOrder(a, b)
        self.party_name.setFocus()

    @staticmethod
    def _scrolled(widget: QWidget) -> QScrollArea:
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(widget)
        return scroll

    def _township_combo(self) -> QComboBox:
        """所在乡镇: the county's open townships (a township-limited user: its own), typed or chosen."""
        with self.ctx.db.session(self.ctx.actor) as s:
            towns = orgunits.townships(s)
        scope = self.ctx.actor.townships
        combo = QComboBox()
        combo.setEditable(True)
        combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        combo.addItem("", "")
        for t in towns:
            if scope is None or t.code in scope:
                combo.addItem(t.name, t.code)
        combo.lineEdit().setPlaceholderText("选择或输入乡镇（街道）名称")
        combo.completer().setFilterMode(Qt.MatchFlag.MatchContains)
        combo.completer().setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        return combo

    def _build_execution(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        pay_box = QGroupBox("罚没款缴纳")
        pay_layout = QVBoxLayout(pay_box)
        self.payment_label = QLabel("作出罚款决定后，这里显示缴纳情况和加处罚款。")
        self.payment_label.setWordWrap(True)
        pay_layout.addWidget(self.payment_label)
        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(2)
        self.execution_mode = QComboBox()
        self.execution_mode.addItem("", "")
        for code, name in EXECUTION_MODES.items():
            self.execution_mode.addItem(name, code)
        self._field(grid, 0, 0, "execution_mode", "执行方式(&X)", self.execution_mode)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        pay_layout.addLayout(grid)
        layout.addWidget(pay_box)

        self.review_applied_edit, self.review_decided_edit = QLineEdit(), QLineEdit()
        self.litigation_filed_edit, self.litigation_decided_edit = QLineEdit(), QLineEdit()
        for e in (self.review_applied_edit, self.review_decided_edit, self.litigation_filed_edit,
                  self.litigation_decided_edit):
            e.setPlaceholderText("如 2025-03-12（未申请则留空）")
        self.review_result = self._combo({"": "", **REVIEW_RESULTS})
        self.litigation_result = self._combo({"": "", **LITIGATION_RESULTS})
        box = QGroupBox("行政复议与行政诉讼（当事人提出的）")
        grid = QGridLayout(box)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(2)
        self._field(grid, 0, 0, "review_applied_on", "申请复议日期(&V)", self.review_applied_edit)
        self._field(grid, 0, 2, "review_decided_on", "复议决定日期", self.review_decided_edit)
        self._field(grid, 0, 4, "review_result", "复议结果", self.review_result)
        self._field(grid, 1, 0, "litigation_filed_on", "起诉日期(&U)", self.litigation_filed_edit)
        self._field(grid, 1, 2, "litigation_decided_on", "判决（裁定）日期", self.litigation_decided_edit)
        self._field(grid, 1, 4, "litigation_result", "诉讼结果", self.litigation_result)
        self.review_litigation = QPlainTextEdit()
        self.review_litigation.setTabChangesFocus(True)
        self.review_litigation.setFixedHeight(60)
        self.review_litigation.setPlaceholderText("如 复议机关、法院名称和案号；未申请复议或起诉的可写明")
        self._field(grid, 2, 0, "review_litigation", "说明", self.review_litigation)
        grid.removeWidget(self.review_litigation.parentWidget())
        grid.addWidget(self.review_litigation.parentWidget(), 2, 1, 1, 5)
        for c in (1, 3, 5):
            grid.setColumnStretch(c, 1)
        note = QLabel("复议、诉讼期间不停止执行；加处罚款在复议、诉讼期间不予计算（行政处罚法第七十三条）。"
                      "处罚决定被撤销的，不再计算缴纳期限。修改后按 Ctrl+S 保存。")
        note.setWordWrap(True)
        note.setStyleSheet("color: #555;")
        layout.addWidget(box)
        layout.addWidget(note)
        layout.addStretch(1)
        return page

    def _table(self, headings: list[str], rows: int) -> QTableWidget:
        t = QTableWidget(rows, len(headings))
        t.setHorizontalHeaderLabels(headings)
        t.verticalHeader().setVisible(False)
        t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        t.setTabKeyNavigation(False)
        t.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        t.setFixedHeight(30 + 28 * rows)
        return t

    def _penalty_combo(self, row: int) -> QComboBox:
        combo = QComboBox()
        combo.addItem("", "")
        for code, name in PENALTY_KINDS.items():
            combo.addItem(name, code)
        self.penalties.setCellWidget(row, 0, combo)
        return combo

    def _build_stages(self) -> QWidget:
        box = QWidget()
        self.stage_box = box
        layout = QVBoxLayout(box)
        self.stage_label = QLabel("新案件：保存后可办理各环节。")
        self.stage_label.setWordWrap(True)
        layout.addWidget(self.stage_label)
        self.deadline_table = QTableWidget(0, 6)
        self.deadline_table.setHorizontalHeaderLabels(["期限", "截止日期", "剩余天数", "状态", "说明", "依据"])
        self.deadline_table.verticalHeader().setVisible(False)
        self.deadline_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.deadline_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.deadline_table.horizontalHeader().setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        self.deadline_table.setMinimumHeight(180)
        layout.addWidget(self.deadline_table, 1)
        self.stage_buttons = self._button_row(layout, "办理：", [(s, STAGES[s]) for s in STAGE_BUTTONS], self.start_stage)
        self.record_buttons = self._button_row(layout, "登记：", RECORDER_BUTTONS, self.start_record)
        self.stage_error = error_label()
        layout.addWidget(self.stage_error)
        return box

    @staticmethod
    def _button_row(layout: QVBoxLayout, title: str, items, action) -> dict[str, QPushButton]:
        """A row of buttons (disabled until the case says what applies), each calling ``action(key)``."""
        row = QHBoxLayout()
        row.addWidget(QLabel(title))
        out = {}
        for key, text in items:
            b = QPushButton(text)
            b.setEnabled(False)
            b.clicked.connect(lambda _c=False, k=key: action(k))
            out[key] = b
            row.addWidget(b)
        row.addStretch(1)
        layout.addLayout(row)
        return out

    def _update_party_labels(self) -> None:
        unit = self.party_type.currentData() == "UNIT"
        self.party_code_label.setText("统一社会信用代码(&D)" if unit else "身份证号(&D)")
        self.legal_rep_label.setText("法定代表人(&L)" if unit else "负责人(&L)")

    # -- values -------------------------------------------------------------------------------------
    @staticmethod
    def _select(combo: QComboBox, code: str) -> None:
        i = combo.findData(code)
        combo.setCurrentIndex(max(i, 0))

    @staticmethod
    def _cell(t: QTableWidget, r: int, c: int) -> str:
        item = t.item(r, c)
        return item.text().strip() if item is not None else ""

    @staticmethod
    def _fill(t: QTableWidget, rows: list[list[str]], extra: int = 1) -> None:
        t.setRowCount(max(len(rows) + extra, 3))
        for r, values in enumerate(rows):
            for c, v in enumerate(values):
                t.setItem(r, c, QTableWidgetItem(v))

    def load(self, case_id: int) -> None:
        with self.ctx.db.session(self.ctx.actor) as s:
            data, version = load_input(s, case_id)
        self.version = version
        self.set_values(data)
        self.refresh_stages()

    def set_values(self, d: CaseInput) -> None:
        self._select(self.party_type, d.party_type)
        self._update_party_labels()
        self.party_name.setText(d.party_name)
        self.party_code.setText(str(d.party_code or ""))
        self.party_address.setText(d.party_address)
        self.legal_rep.setText(d.legal_rep)
        self.party_phone.setText(d.party_phone)
        self._select(self.category, d.category)
        self._select(self.source, d.source)
        self._select(self.procedure, d.procedure)
        self.number.setText(d.number)
        self.cause.setText(d.cause)
        self.offence_edit.setText(date_text(d.offence_on))
        self.lead_edit.setText(date_text(d.lead_on))
        self.filed_edit.setText(date_text(d.filed_on))
        self.facts.setPlainText(d.facts)
        self.violated.setText(d.violated)
        self.basis.setText(d.basis)
        self._fill(self.officers, [[o.name, o.certificate_no] for o in d.officers])
        self._fill(self.documents, [[x.doc_type, x.number, date_text(x.issued_on)] for x in d.documents or []])
        self.penalties.setRowCount(max(len(d.penalties) + 1, 3))
        for r in range(self.penalties.rowCount()):
            combo = self._penalty_combo(r)
            if r < len(d.penalties):
                p = d.penalties[r]
                self._select(combo, p.kind)
                self.penalties.setItem(r, 1, QTableWidgetItem("" if p.amount is None else str(p.amount)))
        i = self.township.findData(d.township or "")
        if i >= 0:
            self.township.setCurrentIndex(i)
        else:               # a township closed since, or outside the list: keep its code
            self.township.setEditText(d.township or "")
        self._select(self.execution_mode, self._code(EXECUTION_MODES, d.execution_mode))
        self.review_applied_edit.setText(date_text(d.review_applied_on))
        self.review_decided_edit.setText(date_text(d.review_decided_on))
        self._select(self.review_result, d.review_result or "")
        self.litigation_filed_edit.setText(date_text(d.litigation_filed_on))
        self.litigation_decided_edit.setText(date_text(d.litigation_decided_on))
        self._select(self.litigation_result, d.litigation_result or "")
        self.review_litigation.setPlainText(d.review_litigation)
        self.extra = d

    @staticmethod
    def _code(table: dict[str, str], value: str) -> str:
        """A stored code (or, from an older record, its Chinese name) → the code."""
        if value in table:
            return value
        return next((code for code, name in table.items() if name == value), "")

    def township_value(self) -> str:
        """The chosen township's code, or what was typed (core resolves a name and explains a wrong one)."""
        text = self.township.currentText().strip()
        i = self.township.currentIndex()
        if i >= 0 and self.township.itemText(i) == text:
            return self.township.itemData(i) or ""
        j = self.township.findText(text)
        return (self.township.itemData(j) or "") if j >= 0 else text

    def values(self) -> tuple[CaseInput, list[tuple[str, str]]]:
        """The input, and problems the form itself finds (dates it cannot read)."""
        problems: list[tuple[str, str]] = []

        def read_date(key: str, text: str) -> date | None:
            try:
                return parse_date(text)
            except ValueError:
                problems.append((key, f"“{text}”不是日期，请写成 2025-03-12"))
                return None
        editing = QApplication.focusWidget()
        if editing is not None and any(t.isAncestorOf(editing) for t in (self.officers, self.penalties,
                                                                             self.documents)):
            self.save_button.setFocus()  # a cell still being typed in is committed as it loses the focus
        officers = [OfficerInput(self._cell(self.officers, r, 0), self._cell(self.officers, r, 1))
                    for r in range(self.officers.rowCount())]
        penalties = []
        for r in range(self.penalties.rowCount()):
            combo = self.penalties.cellWidget(r, 0)
            kind = combo.currentData() if combo is not None else ""
            penalties.append(PenaltyInput(kind or "", self._cell(self.penalties, r, 1)))
        documents = []
        for r in range(self.documents.rowCount()):
            if any(self._cell(self.documents, r, c) for c in range(3)):
                documents.append(DocumentInput(self._cell(self.documents, r, 0), self._cell(self.documents, r, 1),
                                               read_date("documents", self._cell(self.documents, r, 2))))
        prev = getattr(self, "extra", None)
        d = CaseInput(
            number=self.number.text().strip(), cause=self.cause.text(), category=self.category.currentData(),
            source=self.source.currentData(), township=self.township_value(),
            party_type=self.party_type.currentData(), party_name=self.party_name.text(),
            party_code=self.party_code.text().strip(), party_address=self.party_address.text(),
            legal_rep=self.legal_rep.text(), party_phone=self.party_phone.text(),
            procedure=self.procedure.currentData(),
            offence_on=read_date("offence_on", self.offence_edit.text()),
            lead_on=read_date("lead_on", self.lead_edit.text()),
            filed_on=read_date("filed_on", self.filed_edit.text()),
            facts=self.facts.toPlainText(), violated=self.violated.text(), basis=self.basis.text(),
            execution_mode=self.execution_mode.currentData() or "",
            review_applied_on=read_date("review_applied_on", self.review_applied_edit.text()),
            review_decided_on=read_date("review_decided_on", self.review_decided_edit.text()),
            review_result=self.review_result.currentData() or "",
            litigation_filed_on=read_date("litigation_filed_on", self.litigation_filed_edit.text()),
            litigation_decided_on=read_date("litigation_decided_on", self.litigation_decided_edit.text()),
            litigation_result=self.litigation_result.currentData() or "",
            review_litigation=self.review_litigation.toPlainText(),
            officers=officers, penalties=penalties, documents=documents)
        if prev is not None:   # what the form does not show is kept as it was
            d.endangers_life, d.rights_waived, d.note = prev.endangers_life, prev.rights_waived, prev.note
        return d, problems

    # -- saving -------------------------------------------------------------------------------------
    def clear_problems(self) -> None:
        for label in self.field_errors.values():
            show_inline(label, None)
        show_inline(self.general_error, None)

    def show_problems(self, problems: list[tuple[str, str]], message: str = "") -> None:
        """Each problem under its field; the ones without a field at the bottom."""
        by_field: dict[str, list[str]] = {}
        loose: list[str] = []
        for key, text in problems:
            (by_field.setdefault(key, []) if key in self.field_errors else loose).append(text)
        for key, texts in by_field.items():
            show_inline(self.field_errors[key], "；".join(texts))
        show_inline(self.general_error, "；".join(loose) or message or None)
        if by_field:    # show the tab with the first problem
            self.tabs.setCurrentIndex(2 if set(by_field) <= EXECUTION_KEYS else 0)

    @staticmethod
    def split_details(details: list[str]) -> list[tuple[str, str]]:
        out = []
        for line in details:
            label, sep, text = line.partition("：")
            key = FIELD_OF_LABEL.get(label) if sep else None
            out.append((key, text) if key else ("", line))
        return out

    def save(self) -> bool:
        self.clear_problems()
        data, problems = self.values()
        if problems:
            self.show_problems(problems, "未保存：请更正标红的内容。")
            return False
        try:
            with self.ctx.db.session(self.ctx.actor) as s:
                result = save_case(s, self.ctx.actor, data, case_id=self.case_id, expected_version=self.version)
        except UserFacingError as e:
            if e.details:
                self.show_problems(self.split_details(e.details))
                if not self.general_error.isVisible():
                    show_inline(self.general_error, "未保存：请更正标红的内容。")
            else:
                show_inline(self.general_error, e.message)
            return False
        self.case_id, self.version = result.id, result.version
        notes = list(result.warnings) + ([f"待补充：{'、'.join(result.incomplete)}"] if result.incomplete else [])
        self.warning_label.setText("已保存。" + ("　" + "；".join(notes) if notes else ""))
        self.warning_label.setVisible(True)
        self.setWindowTitle(f"案件 {result.number or ''}".strip())
        self.load(result.id)
        self.ctx.changes.changed.emit("supervision_case")
        self.saved.emit(result.id)
        return True

    def accept(self) -> None:   # Enter never saves: only Ctrl+S or 保存
        pass

    # -- stages -------------------------------------------------------------------------------------
    def refresh_stages(self) -> None:
        if self.case_id is None:
            return
        with self.ctx.db.session(self.ctx.actor) as s:
            detail = case_detail(s, self.case_id, self.as_of())
            reasons = case_stages.step_reasons(s, self.case_id, STAGE_BUTTONS)
            state = case_stages.case_state(s, self.case_id, self.as_of())
        row = detail.row
        self.version = row.version
        text = f"当前环节：<b>{row.stage_name}</b>（{row.status}）　{detail.procedure_name}"
        if row.overdue:
            text += f"　<span style='color:#b00020'>{row.overdue_text}</span>"
        if state.paused_from:
            text += f"　自 {state.paused_from:%Y-%m-%d} 起中止计算办案期限"
        if state.payment is not None:
            color = "#b00020" if state.payment.running else "#333"
            text += f"<br><span style='color:{color}'>{state.payment.text()}</span>"
        self.stage_label.setText(text)
        self.payment_label.setText(state.payment.text() if state.payment is not None
                                   else "作出罚款决定后，这里显示缴纳情况和加处罚款。")
        self.deadline_table.setRowCount(len(detail.deadlines))
        for r, d in enumerate(detail.deadlines):
            left = str(d.days_left) if d.open else ""     # nothing left to count once done or lapsed
            cells = [d.name, date_text(d.due), left, d.status_text, d.note, d.basis]
            for c, v in enumerate(cells):
                item = QTableWidgetItem(v)
                if d.overdue:
                    item.setForeground(QBrush(RED))
                if c >= 4:
                    item.setToolTip(v)
                self.deadline_table.setItem(r, c, item)
        allowed = {code for code, _ in detail.next_stages}
        for stage, b in self.stage_buttons.items():
            ok = stage in allowed and reasons[stage] is None
            b.setEnabled(ok)
            b.setToolTip(f"办理“{STAGES[stage]}”" if ok else (reasons[stage] or ""))
            b.setVisible(ok or stage in ("INVESTIGATED", "NOTICE", "DECISION", "SERVED", "EXECUTION", "CLOSED"))
        for key, b in self.record_buttons.items():
            why = state.recorders.get(key)
            b.setEnabled(why is None)
            b.setToolTip(why or "")
        if self.tabs.currentWidget() is self.history_view:
            self.history_view.load(self.case_id)
        else:
            self.history_view.loaded_for = None

    def _on_tab(self, _index: int) -> None:
        if self.tabs.currentWidget() is self.history_view and self.history_view.loaded_for != self.case_id:
            self.history_view.load(self.case_id)

    # -- recorders ------------------------------------------------------------------------------------
    def start_record(self, key: str) -> None:
        """Open the dialog of one recorder; its OK calls core in one transaction."""
        today = self.as_of()
        specs = {
            "HEARING_NOTICE": ("登记听证通知", [("notice_on", "通知送达日期(&D)", "date", today),
                                                ("hearing_on", "举行听证日期(&H)", "date", None),
                                                ("note", "备注(&N)", "text", "")],
                               lambda s, a, cid, v, ver: case_stages.record_hearing_notice(
                                   s, a, cid, v["notice_on"], v["hearing_on"], v["note"], expected_version=ver), ""),
            "HEARING_HELD": ("登记举行听证", [("on", "听证日期(&D)", "date", today), ("note", "备注(&N)", "text", "")],
                             lambda s, a, cid, v, ver: case_stages.record_hearing_held(
                                 s, a, cid, v["on"], v["note"], expected_version=ver), ""),
            "PAUSE_START": ("中止计算办案期限", [("on", "中止日期(&D)", "date", today),
                                                 ("reason", "事由(&R)", "text", "")],
                            lambda s, a, cid, v, ver: case_stages.record_pause_start(
                                s, a, cid, v["on"], v["reason"], expected_version=ver),
                            "检测、检验、检疫、鉴定、听证等期间不计入办案期限；恢复后请登记“恢复计算”。"),
            "PAUSE_END": ("恢复计算办案期限", [("on", "恢复日期(&D)", "date", today), ("note", "备注(&N)", "text", "")],
                          lambda s, a, cid, v, ver: case_stages.record_pause_end(
                              s, a, cid, v["on"], v["note"], expected_version=ver),
                          "自恢复之日起继续计算；中止之日至恢复前一日不计入办案期限。"),
            "EXTEND": ("登记延期", [("kind", "延期类型(&K)", EXTENSION_KINDS, "HEAD"),
                                    ("on", "批准日期(&D)", "date", today), ("approver", "批准人(&A)", "text", ""),
                                    ("note", "备注(&N)", "text", "")],
                       lambda s, a, cid, v, ver: case_stages.grant_extension(
                           s, a, cid, v["kind"], v["on"], v["note"], approver=v["approver"], expected_version=ver),
                       "批准人：负责人姓名，或集体讨论的会议（如 局长办公会议）。新的期限在“办理与期限”中显示。"),
            "PAYMENT": ("登记缴纳罚款", [("on", "缴纳日期(&D)", "date", today), ("amount", "缴纳金额（元）(&A)", "amount", ""),
                                         ("note", "备注（票据号等）(&N)", "text", "")],
                        lambda s, a, cid, v, ver: case_stages.record_payment(
                            s, a, cid, v["on"], v["note"], amount=v["amount"] or None, expected_version=ver),
                        "分期缴纳的，每次缴纳登记一次，累计达到罚款数额即为缴清。"),
            "EFFECTIVE": ("登记决定生效日期", [("on", "生效日期(&D)", "date", today)],
                          lambda s, a, cid, v, ver: case_stages.record_effective(
                              s, a, cid, v["on"], expected_version=ver), "处罚决定不是自送达之日生效的，在此登记生效日期。"),
            "REPORT": ("登记一案一卡报告", [("which", "报告(&K)", REPORT_KINDS, 1), ("on", "报告日期(&D)", "date", today)],
                       lambda s, a, cid, v, ver: case_stages.record_report(
                           s, a, cid, v["which"], v["on"], expected_version=ver), ""),
        }
        title, fields, call, hint = specs[key]
        case_id, version = self.case_id, self.version

        def submit(values: dict):
            with self.ctx.db.session(self.ctx.actor) as s:
                return call(s, self.ctx.actor, case_id, values, version)

        dialog = RecordDialog(title, fields, submit, self, hint=hint)
        self.active_dialog = dialog

        def done(result: int) -> None:
            self.active_dialog = None
            if result == QDialog.DialogCode.Accepted:
                self.recorded(title, dialog.result_value)
        dialog.finished.connect(done)
        dialog.open()

    def recorded(self, title: str, result) -> None:
        """After a recorder: the deadlines, the payment and the history again; its warnings shown."""
        show_inline(self.stage_error, None)
        warnings = [w for w in result if isinstance(w, str)] if isinstance(result, list) else []
        self.warning_label.setText(f"已保存“{title.removeprefix('登记')}”。" + ("　" + "；".join(warnings) if warnings else ""))
        self.warning_label.setVisible(True)
        self.refresh_stages()
        self.ctx.changes.changed.emit("supervision_case")
        self.saved.emit(self.case_id)

    def start_stage(self, stage: str) -> None:
        dialog = StageDialog(STAGES[stage], self.as_of(), self)
        self.active_dialog = dialog

        def done(result: int) -> None:
            self.active_dialog = None
            if result == QDialog.DialogCode.Accepted and dialog.on is not None:
                self.advance(stage, dialog.on, dialog.note_edit.text())
        dialog.finished.connect(done)
        dialog.open()

    def advance(self, stage: str, on: date, note: str = "") -> bool:
        show_inline(self.stage_error, None)
        try:
            with self.ctx.db.session(self.ctx.actor) as s:
                result = case_stages.advance(s, self.ctx.actor, self.case_id, stage, on, note,
                                             expected_version=self.version)
        except UserFacingError as e:
            self.tabs.setCurrentIndex(1)        # where the reason can be read
            show_inline(self.stage_error, f"未办理“{STAGES[stage]}”：{e.message}")
            return False
        self.version = result.version
        if result.warnings:
            self.warning_label.setText("；".join(result.warnings))
            self.warning_label.setVisible(True)
        self.load(self.case_id)
        self.ctx.changes.changed.emit("supervision_case")
        self.saved.emit(self.case_id)
        return True
