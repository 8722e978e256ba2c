"""项目与标准: the programmes (built-in and local) with their rules in words, and the standard per
programme, year and area. Administrators change them; everyone else sees them read-only (core
refuses the change too). Each save is one unit of work through core.subsidy.programmes; a refusal
is shown next to the field it concerns.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QDateEdit, QDialog, QFormLayout, QGroupBox,
                               QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPushButton, QSpinBox, QSplitter,
                               QTableView, QVBoxLayout, QWidget)

from core import settings
from core.access import Permission
from core.errors import UserFacingError
from core.subsidy.programmes import (AREA_LABELS, CHILD_RULE_LABELS, UNIT_LABELS, ProgramRow, StandardRow,
                                     list_programs, list_standards, save_program, set_standard)
from gui.context import AppContext
from gui.table_models import RowsModel, TableColumn, error_label, show_inline

NOTICE_KEY = "subsidy.notice_days"      # declared in core.settings by the yearly-cycle work, if present
READ_ONLY_NOTE = "只有管理员可以修改扶助项目和标准；这里仅供查看。"
OK_STYLE = "color: #1b7f3b;"


def rule_text(p: ProgramRow) -> str:
    """A programme's conditions as a sentence a clerk can check against the policy document."""
    parts = [f"子女条件：{CHILD_RULE_LABELS.get(p.child_rule, p.child_rule)}"]
    if p.age_of_wife:
        parts.append(f"夫妻按女方年龄（单亲按本人），满 {p.start_age} 周岁的当年起")
    else:
        parts.append(f"本人满 {p.start_age} 周岁的当年起")
    if p.born_from:
        parts.append(f"{p.born_from.year}年{p.born_from.month}月{p.born_from.day}日及以后出生")
    if p.requires_rural:
        parts.append("限农业户口")
    return "；".join(parts)


def money_text(amount: Decimal) -> str:
    return f"{amount:,.2f}"


PROGRAM_COLUMNS = [
    TableColumn("代码", lambda p: p.code),
    TableColumn("名称", lambda p: p.name),
    TableColumn("条件", rule_text, tooltip=rule_text),
    TableColumn("类别", lambda p: "国家项目" if p.builtin else "地方项目"),
    TableColumn("状态", lambda p: "启用" if p.active else "停用"),
]
STANDARD_COLUMNS = [
    TableColumn("起始年度", lambda s: f"{s.year} 年起"),
    TableColumn("地区", lambda s: AREA_LABELS.get(s.area, s.area)),
    TableColumn("金额", lambda s: money_text(s.amount), align_right=True),
    TableColumn("单位", lambda s: UNIT_LABELS.get(s.unit, s.unit)),
    TableColumn("折合每人每年", lambda s: money_text(s.yearly) + " 元", align_right=True),
]


def _table(model) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().setVisible(False)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    return view


def _row(form: QFormLayout, label: str, widget: QWidget, error: QLabel | None = None) -> QWidget:
    title = QLabel(label)
    title.setBuddy(widget)
    if error is None:
        form.addRow(title, widget)
        return widget
    box = QWidget()
    inner = QVBoxLayout(box)
    inner.setContentsMargins(0, 0, 0, 0)
    inner.setSpacing(2)
    inner.addWidget(widget)
    inner.addWidget(error)
    form.addRow(title, box)
    return widget


class ProgrammesDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.editable = ctx.actor.can(Permission.MANAGE_REFERENCE)
        self.setWindowTitle("扶助项目与标准")
        self.setSizeGripEnabled(True)
        self.resize(1100, 700)
        self._editing: ProgramRow | None = None      # None: a new local programme

        intro = QLabel("国家项目的条件按政策内置（子女条件不能改，起始年龄等可按本地文件调整）；"
                       "市、县的地方项目在这里新增。扶助标准按年度和城乡分别设置，某年起执行直到有新的标准。")
        intro.setWordWrap(True)
        self.read_only_note = QLabel(READ_ONLY_NOTE)
        self.read_only_note.setStyleSheet("QLabel { color: #7a4a00; background: #fff4d6; padding: 4px; }")
        self.read_only_note.setVisible(not self.editable)

        # -- programmes ------------------------------------------------------------------------
        self.programs = RowsModel(PROGRAM_COLUMNS, self, muted=lambda p: not p.active)
        self.program_view = _table(self.programs)
        h = self.program_view.horizontalHeader()
        for col, width in ((0, 150), (1, 260), (3, 70), (4, 50)):
            h.resizeSection(col, width)
        h.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.program_view.setWordWrap(True)     # the rule sentence is the point of this list
        self.program_view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.program_view.selectionModel().currentRowChanged.connect(lambda *_: self._program_selected())

        self.code_edit = QLineEdit()
        self.code_edit.setMaxLength(32)
        self.code_edit.setPlaceholderText("如 LOCAL_CITY_REWARD（字母、数字、下划线）")
        self.name_edit = QLineEdit()
        self.name_edit.setMaxLength(100)
        self.rule_combo = QComboBox()
        for key, label in CHILD_RULE_LABELS.items():
            self.rule_combo.addItem(label, key)
        self.age_spin = QSpinBox()
        self.age_spin.setRange(0, 120)
        self.age_spin.setSuffix(" 周岁")
        self.wife_box = QCheckBox("夫妻按女方年龄计算(&W)")
        self.born_box = QCheckBox("限")
        self.born_date = QDateEdit(QDate(1933, 1, 1))
        self.born_date.setDisplayFormat("yyyy-MM-dd")
        self.born_date.setCalendarPopup(True)
        self.born_box.toggled.connect(self.born_date.setEnabled)
        born_row = QWidget()
        br = QHBoxLayout(born_row)
        br.setContentsMargins(0, 0, 0, 0)
        br.addWidget(self.born_box)
        br.addWidget(self.born_date)
        br.addWidget(QLabel("及以后出生"))
        br.addStretch(1)
        self.rural_box = QCheckBox("仅限农业户口(&R)")
        self.active_box = QCheckBox("启用(&A)")
        self.program_error = error_label()
        self.program_result = QLabel()
        self.program_result.setStyleSheet(OK_STYLE)
        self.new_button = QPushButton("新增地方项目(&N)")
        self.new_button.clicked.connect(self.new_program)
        self.save_program_button = QPushButton("保存项目(&S)")
        self.save_program_button.clicked.connect(self.save_program)

        pform = QFormLayout()
        _row(pform, "代码(&C)：", self.code_edit)
        _row(pform, "名称(&M)：", self.name_edit)
        _row(pform, "子女条件(&K)：", self.rule_combo)
        _row(pform, "起始年龄(&G)：", self.age_spin)
        pform.addRow("", self.wife_box)
        pform.addRow("出生日期：", born_row)
        pform.addRow("", self.rural_box)
        pform.addRow("", self.active_box)
        pbuttons = QHBoxLayout()
        pbuttons.addWidget(self.new_button)
        pbuttons.addStretch(1)
        pbuttons.addWidget(self.save_program_button)
        program_box = QGroupBox("项目设置")
        pv = QVBoxLayout(program_box)
        pv.addLayout(pform)
        pv.addWidget(self.program_error)
        pv.addWidget(self.program_result)
        pv.addStretch(1)
        pv.addLayout(pbuttons)

        # -- standards -------------------------------------------------------------------------
        self.standards = RowsModel(STANDARD_COLUMNS, self)
        self.standard_view = _table(self.standards)
        sh = self.standard_view.horizontalHeader()
        for col, width in ((0, 80), (1, 80), (2, 90), (3, 80)):
            sh.resizeSection(col, width)
        sh.setStretchLastSection(True)
        self.standard_view.selectionModel().currentRowChanged.connect(lambda *_: self._standard_selected())
        self.year_spin = QSpinBox()
        self.year_spin.setRange(1990, date.today().year + 5)
        self.year_spin.setValue(date.today().year)
        self.year_spin.setSuffix(" 年起")
        self.area_combo = QComboBox()
        for key, label in AREA_LABELS.items():
            self.area_combo.addItem(label, key)
        self.amount_edit = QLineEdit()
        self.amount_edit.setPlaceholderText("如 960 或 5400.00")
        self.amount_edit.returnPressed.connect(self.save_standard)
        self.unit_combo = QComboBox()
        for key, label in UNIT_LABELS.items():
            self.unit_combo.addItem(label, key)
        self.amount_error = error_label()
        self.standard_result = QLabel()
        self.standard_result.setStyleSheet(OK_STYLE)
        self.save_standard_button = QPushButton("保存标准(&B)")
        self.save_standard_button.clicked.connect(self.save_standard)
        sform = QFormLayout()
        _row(sform, "年度(&Y)：", self.year_spin)
        _row(sform, "地区(&D)：", self.area_combo)
        _row(sform, "金额（元）(&J)：", self.amount_edit, self.amount_error)
        _row(sform, "单位(&U)：", self.unit_combo)
        self.standard_title = QGroupBox("扶助标准")
        sv = QVBoxLayout(self.standard_title)
        sv.addWidget(self.standard_view, 1)
        sv.addLayout(sform)
        sb = QHBoxLayout()
        sb.addWidget(self.standard_result, 1)
        sb.addWidget(self.save_standard_button)
        sv.addLayout(sb)

        lower = QSplitter()
        lower.addWidget(program_box)
        lower.addWidget(self.standard_title)
        lower.setSizes([520, 560])
        upper = QWidget()
        uv = QVBoxLayout(upper)
        uv.setContentsMargins(0, 0, 0, 0)
        uv.addWidget(intro)
        uv.addWidget(self.read_only_note)
        uv.addWidget(self.program_view)
        outer = QSplitter(Qt.Orientation.Vertical)
        outer.addWidget(upper)
        outer.addWidget(lower)
        outer.setSizes([260, 420])

        # -- 公示 days (only if core declares the setting) ----------------------------------------
        bottom = QHBoxLayout()
        self.notice_spin: QSpinBox | None = None
        if NOTICE_KEY in settings.DEFS:
            self.notice_spin = QSpinBox()
            self.notice_spin.setRange(1, 90)
            self.notice_spin.setSuffix(" 天")
            notice_label = QLabel("公示期(&P)：")
            notice_label.setBuddy(self.notice_spin)
            self.notice_button = QPushButton("保存公示期")
            self.notice_button.clicked.connect(self.save_notice_days)
            self.notice_result = QLabel()
            bottom.addWidget(notice_label)
            bottom.addWidget(self.notice_spin)
            bottom.addWidget(self.notice_button)
            bottom.addWidget(self.notice_result)
        bottom.addStretch(1)
        self.exit_reasons_button = QPushButton("退出原因(&E)…")
        self.exit_reasons_button.clicked.connect(self.open_exit_reasons)
        bottom.addWidget(self.exit_reasons_button)
        close = QPushButton("关闭")
        close.clicked.connect(self.reject)
        bottom.addWidget(close)
        for b in self.findChildren(QPushButton):
            b.setAutoDefault(False)
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self._save_focused)

        layout = QVBoxLayout(self)
        layout.addWidget(outer, 1)
        layout.addLayout(bottom)

        for w in (self.code_edit, self.name_edit, self.rule_combo, self.age_spin, self.wife_box, self.born_box,
                  self.born_date, self.rural_box, self.active_box, self.new_button, self.save_program_button,
                  self.year_spin, self.area_combo, self.amount_edit, self.unit_combo, self.save_standard_button):
            w.setEnabled(self.editable)
            if not self.editable:
                w.setToolTip(READ_ONLY_NOTE)
        if self.notice_spin is not None:
            self.notice_spin.setEnabled(self.editable)
            self.notice_button.setEnabled(self.editable)
        self.refresh()

    # -- loading ---------------------------------------------------------------------------------
    def refresh(self, select_code: str | None = None) -> None:
        current = select_code or (self._editing.code if self._editing else None)
        try:
            with self.ctx.db.session(self.ctx.actor) as s:
                rows = list_programs(s, include_inactive=True)
                notice = settings.get(s, NOTICE_KEY) if self.notice_spin is not None else None
        except UserFacingError as e:
            show_inline(self.program_error, e.message)
            return
        self.programs.set_rows(rows)
        if self.notice_spin is not None and notice is not None:
            self.notice_spin.setValue(int(notice))
        index = next((i for i, p in enumerate(rows) if p.code == current), 0)
        if rows:
            self.program_view.selectRow(index)
            self._program_selected()

    def current_program(self) -> ProgramRow | None:
        return self.programs.row_at(self.program_view.currentIndex().row())

    def _program_selected(self) -> None:
        p = self.current_program()
        if p is None:
            return
        self._editing = p
        self.code_edit.setText(p.code)
        self.code_edit.setReadOnly(True)
        self.name_edit.setText(p.name)
        self.rule_combo.setCurrentIndex(max(0, self.rule_combo.findData(p.child_rule)))
        self.rule_combo.setEnabled(self.editable and not p.builtin)
        self.rule_combo.setToolTip("国家项目的子女条件不能修改" if p.builtin else "")
        self.age_spin.setValue(p.start_age)
        self.wife_box.setChecked(p.age_of_wife)
        self.born_box.setChecked(p.born_from is not None)
        self.born_date.setEnabled(self.editable and p.born_from is not None)
        if p.born_from:
            self.born_date.setDate(QDate(p.born_from))
        self.rural_box.setChecked(p.requires_rural)
        self.active_box.setChecked(p.active)
        show_inline(self.program_error, None)
        self.program_result.clear()
        self._load_standards(p.code)

    def _load_standards(self, code: str) -> None:
        with self.ctx.db.session(self.ctx.actor) as s:
            rows = list_standards(s, code)
        self.standards.set_rows(rows)
        self.standard_title.setTitle(f"扶助标准 — {self._editing.name if self._editing else code}")
        self.save_standard_button.setEnabled(self.editable)
        if rows:
            self.amount_edit.clear()

    def _standard_selected(self) -> None:
        s: StandardRow | None = self.standards.row_at(self.standard_view.currentIndex().row())
        if s is None:
            return
        self.year_spin.setValue(s.year)
        self.area_combo.setCurrentIndex(max(0, self.area_combo.findData(s.area)))
        self.amount_edit.setText(format(s.amount, "f"))
        self.unit_combo.setCurrentIndex(max(0, self.unit_combo.findData(s.unit)))
        show_inline(self.amount_error, None)

    # -- programmes --------------------------------------------------------------------------------
    def new_program(self) -> None:
        self._editing = None
        self.program_view.clearSelection()
        self.code_edit.setReadOnly(False)
        self.code_edit.setText("LOCAL_")
        self.name_edit.clear()
        self.rule_combo.setEnabled(self.editable)
        self.rule_combo.setCurrentIndex(max(0, self.rule_combo.findData("NONE")))
        self.age_spin.setValue(60)
        self.wife_box.setChecked(False)
        self.born_box.setChecked(True)
        self.born_date.setDate(QDate(1933, 1, 1))
        self.rural_box.setChecked(False)
        self.active_box.setChecked(True)
        self.standards.set_rows([])
        self.standard_title.setTitle("扶助标准（先保存项目）")
        self.save_standard_button.setEnabled(False)
        show_inline(self.program_error, None)
        self.program_result.clear()
        self.code_edit.setFocus()
        self.code_edit.end(False)

    def save_program(self) -> ProgramRow | None:
        show_inline(self.program_error, None)
        p = self._editing
        try:
            with self.ctx.db.session(self.ctx.actor) as s:
                saved = save_program(
                    s, self.ctx.actor, code=self.code_edit.text(), name=self.name_edit.text(),
                    child_rule=self.rule_combo.currentData(), start_age=self.age_spin.value(),
                    age_of_wife=self.wife_box.isChecked(),
                    born_from=self.born_date.date().toPython() if self.born_box.isChecked() else None,
                    requires_rural=self.rural_box.isChecked(), active=self.active_box.isChecked(),
                    expected_version=p.version if p is not None else None)
        except UserFacingError as e:
            show_inline(self.program_error, e.message)
            return None
        self.ctx.changes.changed.emit("subsidy_program")
        self.refresh(select_code=saved.code)
        self.program_result.setText(f"已保存：{saved.name}")
        return saved

    # -- standards --------------------------------------------------------------------------------
    def save_standard(self) -> StandardRow | None:
        show_inline(self.amount_error, None)
        self.standard_result.clear()
        p = self._editing
        if p is None or not self.editable:
            return None
        if not self.amount_edit.text().strip():
            show_inline(self.amount_error, "请填写金额（元），例如 960。")
            self.amount_edit.setFocus()
            return None
        try:
            with self.ctx.db.session(self.ctx.actor) as s:
                row = set_standard(s, self.ctx.actor, p.code, self.year_spin.value(), self.area_combo.currentData(),
                                   self.amount_edit.text(), self.unit_combo.currentData())
        except UserFacingError as e:
            show_inline(self.amount_error, e.message)
            self.amount_edit.setFocus()
            return None
        self.ctx.changes.changed.emit("subsidy_program")
        self._load_standards(p.code)
        for i, s in enumerate(self.standards.rows()):
            if (s.year, s.area) == (row.year, row.area):
                self.standard_view.selectRow(i)
        self.standard_result.setText(f"已保存：{row.year} 年起 {AREA_LABELS[row.area]} "
                                     f"{money_text(row.amount)} {UNIT_LABELS[row.unit]}")
        return row

    def _save_focused(self) -> None:
        """Ctrl+S saves the part the cursor is in."""
        focused = self.focusWidget()
        if focused in (self.year_spin, self.area_combo, self.amount_edit, self.unit_combo, self.standard_view):
            self.save_standard()
        elif self.editable:
            self.save_program()

    def open_exit_reasons(self) -> None:
        from gui.subsidy.exit_reasons_dialog import ExitReasonsDialog
        self.exit_reasons_dialog = ExitReasonsDialog(self.ctx, self)
        self.exit_reasons_dialog.open()

    # -- 公示期 -----------------------------------------------------------------------------------
    def save_notice_days(self) -> None:
        try:
            with self.ctx.db.session(self.ctx.actor) as s:
                settings.put(s, self.ctx.actor, NOTICE_KEY, self.notice_spin.value())
        except UserFacingError as e:
            self.notice_result.setStyleSheet("color: #b00020;")
            self.notice_result.setText(e.message)
            return
        self.notice_result.setStyleSheet(OK_STYLE)
        self.notice_result.setText("已保存。")
        self.ctx.changes.changed.emit("setting")
