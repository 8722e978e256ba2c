"""案件: one health-supervision case — what describes it (saved through ``core.supervision.cases.save_case``)
and its 办理阶段 (the deadlines, and one button per stage through ``case_stages.advance``).

Refusals (``DataError`` problems by field, a stale record, an illegal step) are shown inside the dialog,
which stays open. Keyboard: Tab through the fields, Ctrl+S saves, Esc closes.
"""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QBrush, QColor, QKeySequence
from PySide6.QtWidgets import (QAbstractItemView, QApplication, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QGridLayout,
                               QGroupBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPlainTextEdit,
                               QPushButton, QScrollArea, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from core.errors import UserFacingError
from core.supervision import case_stages
from core.supervision.case_list import case_detail
from core.supervision.cases import (LABELS, CaseInput, DocumentInput, OfficerInput, PenaltyInput, load_input,
                                    save_case)
from core.supervision.codes import CATEGORIES, PARTY_TYPES, PENALTY_KINDS, PROCEDURES, SOURCES, STAGES
from gui.context import AppContext
from gui.table_models import error_label, show_inline

RED = QColor("#b00020")
FIELD_OF_LABEL = {label: key for key, label in LABELS.items()}
STAGE_BUTTONS = [s for s in STAGES if s != "LEAD"]     # every step a case can take, in order


def parse_date(text: str) -> date | None:
    from gui.subsidy.recipient_form import parse_date_text
    return parse_date_text(text)


def date_text(d: date | None) -> str:
    return f"{d:%Y-%m-%d}" if d else ""


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
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("确定")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
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
        self.resize(1180, 740)
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
        self.party_code_label_row = 1
        self._field(grid, 1, 0, "party_code", "统一社会信用代码", self.party_code)
        self.party_code_label = grid.itemAtPosition(1, 0).widget()
        self._field(grid, 1, 2, "legal_rep", "法定代表人", self.legal_rep)
        self.legal_rep_label = grid.itemAtPosition(1, 2).widget()
        self._field(grid, 2, 0, "party_address", "地址(&A)", self.party_address)
        self._field(grid, 2, 2, "party_phone", "联系电话", self.party_phone)
        self._field(grid, 3, 0, "category", "专业类别(&G)", self.category)
        self._field(grid, 3, 2, "source", "案件来源(&R)", self.source)
        self._field(grid, 4, 0, "procedure", "程序", self.procedure)
        self._field(grid, 4, 2, "number", "案件文号", self.number)
        self._field(grid, 5, 0, "cause", "案由(&C)", self.cause)
        self._field(grid, 5, 2, "offence_on", "违法行为日期", self.offence_edit)
        self._field(grid, 6, 0, "lead_on", "线索受理日期", self.lead_edit)
        self._field(grid, 6, 2, "filed_on", "立案日期(&F)", self.filed_edit)
        self._field(grid, 7, 0, "facts", "违法事实", self.facts)
        self._field(grid, 7, 2, "violated", "违反条款", self.violated)
        self._field(grid, 8, 0, "basis", "处罚依据", self.basis)
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
        main_layout.setContentsMargins(0, 0, 0, 0)
        main_layout.addLayout(grid)
        main_layout.addLayout(tables)
        main_layout.addWidget(self._build_stages())
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(main)

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

        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.general_error)
        layout.addWidget(self.warning_label)
        layout.addWidget(self.buttons)
        order = [self.party_type, self.party_name, self.party_code, self.legal_rep, self.party_address,
                 self.party_phone, self.category, self.source, self.procedure, self.number, self.cause,
                 self.offence_edit, self.lead_edit, self.filed_edit, self.facts, self.violated, self.basis,
                 self.officers, self.penalties, self.documents]
        for a, b in zip(order, order[1:]):
            QWidget.setTabOrder(a, b)
        self.party_name.setFocus()

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
        box = QGroupBox("办理阶段")
        self.stage_box = box
        layout = QVBoxLayout(box)
        self.stage_label = QLabel("新案件：保存后可办理各环节。")
        layout.addWidget(self.stage_label)
        self.deadline_table = QTableWidget(0, 5)
        self.deadline_table.setHorizontalHeaderLabels(["期限", "截止日期", "剩余天数", "状态", "依据"])
        self.deadline_table.verticalHeader().setVisible(False)
        self.deadline_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.deadline_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.deadline_table.horizontalHeader().setStretchLastSection(True)
        self.deadline_table.setMinimumHeight(150)
        layout.addWidget(self.deadline_table)
        buttons = QHBoxLayout()
        buttons.addWidget(QLabel("办理："))
        for stage in STAGE_BUTTONS:
            b = QPushButton(STAGES[stage])
            b.setEnabled(False)
            b.clicked.connect(lambda _c=False, s=stage: self.start_stage(s))
            self.stage_buttons[stage] = b
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.stage_error = error_label()
        layout.addWidget(self.stage_error)
        return box

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
        self.township = d.township
        self.extra = d

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
            source=self.source.currentData(), township=getattr(self, "township", "") or "",
            party_type=self.party_type.currentData(), party_name=self.party_name.text(),
            party_code=self.party_code.text().strip(), party_address=self.party_address.text(),
            legal_rep=self.legal_rep.text(), party_phone=self.party_phone.text(),
            procedure=self.procedure.currentData(),
            offence_on=read_date("offence_on", self.offence_edit.text()),
            lead_on=read_date("lead_on", self.lead_edit.text()),
            filed_on=read_date("filed_on", self.filed_edit.text()),
            facts=self.facts.toPlainText(), violated=self.violated.text(), basis=self.basis.text(),
            officers=officers, penalties=penalties, documents=documents)
        if prev is not None:   # what the form does not show is kept as it was
            d.endangers_life, d.rights_waived = prev.endangers_life, prev.rights_waived
            d.execution_mode, d.review_litigation, d.note = prev.execution_mode, prev.review_litigation, prev.note
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
        row = detail.row
        self.version = row.version
        text = f"当前环节：<b>{row.stage_name}</b>（{row.status}）　{detail.procedure_name}"
        if row.overdue:
            text += f"　<span style='color:#b00020'>{row.overdue_text}</span>"
        if detail.surcharge:
            text += f"　加处罚款 {detail.surcharge} 元"
        self.stage_label.setText(text)
        self.deadline_table.setRowCount(len(detail.deadlines))
        for r, d in enumerate(detail.deadlines):
            left = "" if d.done is not None else str(d.days_left)
            cells = [d.name, date_text(d.due), left, d.status_text, d.basis]
            for c, v in enumerate(cells):
                item = QTableWidgetItem(v)
                if d.overdue:
                    item.setForeground(QBrush(RED))
                if c == 4:
                    item.setToolTip(v)
                self.deadline_table.setItem(r, c, item)
        allowed = {code for code, _ in detail.next_stages}
        for stage, b in self.stage_buttons.items():
            ok = stage in allowed and reasons[stage] is None
            b.setEnabled(ok)
            b.setToolTip(f"办理“{STAGES[stage]}”" if ok else (reasons[stage] or ""))
            b.setVisible(ok or stage in ("INVESTIGATED", "NOTICE", "DECISION", "SERVED", "EXECUTION", "CLOSED"))

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
