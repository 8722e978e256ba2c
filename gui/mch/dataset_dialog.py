"""数据项与审核规则: the maternal-child data set and its validation rules, editable by an
administrator without code (issue 4). Everyone else sees both lists read-only (core refuses the
change too). Each save is one unit of work through core.mch.elements / core.mch.rules; a refusal is
shown in red under the form and the dialog stays open.
"""
from __future__ import annotations

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QDialog, QFormLayout, QGroupBox,
                               QHBoxLayout, QLabel, QLineEdit, QMessageBox, QPushButton, QSplitter,
                               QTableView, QTabWidget, QVBoxLayout, QWidget)

from core.access import Permission
from core.errors import UserFacingError
from core.mch import elements as mch_elements
from core.mch import rules as mch_rules
from core.mch.elements import ElementRow
from core.mch.rules import IMPORTANCE_LABELS, OPERATORS, RuleRow
from gui.context import AppContext
from gui.table_models import RowsModel, TableColumn, error_label, show_inline

READ_ONLY_NOTE = "只有管理员可以修改数据项和审核规则；这里仅供查看。"
OK_STYLE = "color: #1b7f3b;"
CATEGORY_LABELS = {"": "合计", "SEX": "按性别"}
EXPRESSION_HELP = "数据项写作 #{MCH_LIVE_BIRTHS}，按性别写作 #{MCH_LIVE_BIRTHS.MALE}；可用 + - * / 和数字，" \
                  "如 #{MCH_DELIVERIES} * 1.1 + 2。"
MESSAGE_HELP = "提示中可写 {left}、{right}（两边的值）或 {数据项代码}，如 {MCH_LIVE_BIRTHS}。"
CHANGED = "mch_dataset"          # MchPage reloads its tabs on any change starting with "mch"

ELEMENT_COLUMNS = [
    TableColumn("代码", lambda e: e.code),
    TableColumn("名称", lambda e: e.name),
    TableColumn("简称", lambda e: e.short_name),
    TableColumn("分类", lambda e: CATEGORY_LABELS.get(e.category, e.category)),
    TableColumn("时点数", lambda e: "是" if e.point_in_time else ""),
    TableColumn("栏目", lambda e: e.section),
    TableColumn("启用", lambda e: "启用" if e.active else "停用"),
]
RULE_COLUMNS = [
    TableColumn("代码", lambda r: r.code),
    TableColumn("名称", lambda r: r.name, tooltip=lambda r: r.text),
    TableColumn("左边", lambda r: r.left, tooltip=lambda r: r.left),
    TableColumn("运算符", lambda r: OPERATORS.get(r.operator, r.operator)),
    TableColumn("右边", lambda r: r.right, tooltip=lambda r: r.right),
    TableColumn("重要性", lambda r: IMPORTANCE_LABELS.get(r.importance, r.importance)),
    TableColumn("提示", lambda r: r.message, tooltip=lambda r: r.message),
    TableColumn("启用", lambda r: "启用" if r.active else "停用"),
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


def _add(form: QFormLayout, label: str, widget: QWidget) -> QWidget:
    title = QLabel(label)
    title.setBuddy(widget)
    form.addRow(title, widget)
    return widget


def _hint(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet("color: #555;")
    return label


class DatasetDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.editable = ctx.actor.can(Permission.MANAGE_REFERENCE)
        self.setWindowTitle("数据项与审核规则")
        self.setSizeGripEnabled(True)
        self.resize(1150, 720)
        self._element: ElementRow | None = None     # None: a new element
        self._rule: RuleRow | None = None           # None: a new rule
        self._new_element = self._new_rule = False  # a new one being typed: a reload keeps the form

        self.read_only_note = QLabel(READ_ONLY_NOTE)
        self.read_only_note.setStyleSheet("QLabel { color: #7a4a00; background: #fff4d6; padding: 4px; }")
        self.read_only_note.setVisible(not self.editable)

        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_elements(), "数据项")
        self.tabs.addTab(self._build_rules(), "审核规则")

        bottom = QHBoxLayout()
        bottom.addStretch(1)
        close = QPushButton("关闭")
        close.clicked.connect(self.reject)
        bottom.addWidget(close)
        for b in self.findChildren(QPushButton):
            b.setAutoDefault(False)
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self._save_current_tab)

        layout = QVBoxLayout(self)
        layout.addWidget(self.read_only_note)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(bottom)

        for w in (self.el_code, self.el_name, self.el_short, self.el_category, self.el_pit, self.el_section,
                  self.el_active, self.new_element_button, self.save_element_button,
                  self.rule_code, self.rule_name, self.rule_left, self.rule_operator, self.rule_right,
                  self.rule_importance, self.rule_message, self.rule_active, self.new_rule_button,
                  self.save_rule_button, self.delete_rule_button):
            w.setEnabled(self.editable)
            if not self.editable:
                w.setToolTip(READ_ONLY_NOTE)
        self.refresh()

    # -- building ----------------------------------------------------------------------------------
    def _build_elements(self) -> QWidget:
        self.elements = RowsModel(ELEMENT_COLUMNS, self, muted=lambda e: not e.active)
        self.element_view = _table(self.elements)
        h = self.element_view.horizontalHeader()
        for col, width in ((0, 230), (1, 260), (2, 120), (3, 60), (4, 50), (5, 110)):
            h.resizeSection(col, width)
        h.setStretchLastSection(True)
        self.element_view.selectionModel().currentRowChanged.connect(lambda *_: self._element_selected())

        self.el_code = QLineEdit()
        self.el_code.setMaxLength(48)
        self.el_code.setPlaceholderText("如 MCH_OTHER_COUNT（字母、数字、下划线）")
        self.el_name = QLineEdit()
        self.el_name.setMaxLength(100)
        self.el_short = QLineEdit()
        self.el_short.setMaxLength(40)
        self.el_category = QComboBox()
        for key, label in CATEGORY_LABELS.items():
            self.el_category.addItem(label, key)
        self.el_pit = QCheckBox("时点数（月末存量，如儿童数；不逐月累加）(&P)")
        self.el_section = QComboBox()
        self.el_section.setEditable(True)
        self.el_active = QCheckBox("启用(&A)")
        self.element_error = error_label()
        self.element_result = QLabel()
        self.element_result.setStyleSheet(OK_STYLE)
        self.new_element_button = QPushButton("新增数据项(&N)")
        self.new_element_button.clicked.connect(self.new_element)
        self.save_element_button = QPushButton("保存数据项(&S)")
        self.save_element_button.clicked.connect(self.save_element)

        form = QFormLayout()
        _add(form, "代码(&C)：", self.el_code)
        _add(form, "名称(&M)：", self.el_name)
        _add(form, "简称(&J)：", self.el_short)
        _add(form, "分类(&K)：", self.el_category)
        form.addRow("", self.el_pit)
        _add(form, "栏目(&L)：", self.el_section)
        form.addRow("", self.el_active)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_element_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_element_button)
        box = QGroupBox("数据项设置")
        v = QVBoxLayout(box)
        v.addWidget(_hint("国家规定的数据项只能改名称、简称、栏目和启用；分类和时点性质不能改。代码保存后不能修改。"))
        v.addLayout(form)
        v.addWidget(self.element_error)
        v.addWidget(self.element_result)
        v.addStretch(1)
        v.addLayout(buttons)

        split = QSplitter()
        split.addWidget(self.element_view)
        split.addWidget(box)
        split.setSizes([720, 420])
        return split

    def _build_rules(self) -> QWidget:
        self.rules = RowsModel(RULE_COLUMNS, self, muted=lambda r: not r.active)
        self.rule_view = _table(self.rules)
        h = self.rule_view.horizontalHeader()
        for col, width in ((0, 200), (1, 220), (2, 200), (3, 50), (4, 180), (5, 55), (6, 260)):
            h.resizeSection(col, width)
        h.setStretchLastSection(True)
        self.rule_view.selectionModel().currentRowChanged.connect(lambda *_: self._rule_selected())

        self.rule_code = QLineEdit()
        self.rule_code.setMaxLength(48)
        self.rule_code.setPlaceholderText("如 MY_RULE_1（大写字母、数字、下划线）")
        self.rule_name = QLineEdit()
        self.rule_name.setMaxLength(100)
        self.rule_left = QLineEdit()
        self.rule_left.setMaxLength(300)
        self.rule_left.setPlaceholderText("#{MCH_HOSPITAL_DELIVERIES}")
        self.rule_operator = QComboBox()
        for key, sign in OPERATORS.items():
            self.rule_operator.addItem(sign if sign == key else f"{sign}（{key}）", key)
        self.rule_right = QLineEdit()
        self.rule_right.setMaxLength(300)
        self.rule_right.setPlaceholderText("#{MCH_LIVE_BIRTHS}")
        self.rule_importance = QComboBox()
        self.rule_importance.addItem("错误（不能上报）", "ERROR")
        self.rule_importance.addItem("警告（须填写说明）", "WARNING")
        self.rule_message = QLineEdit()
        self.rule_message.setMaxLength(200)
        self.rule_active = QCheckBox("启用(&A)")
        self.rule_error = error_label()
        self.rule_result = QLabel()
        self.rule_result.setStyleSheet(OK_STYLE)
        self.new_rule_button = QPushButton("新增规则(&N)")
        self.new_rule_button.clicked.connect(self.new_rule)
        self.save_rule_button = QPushButton("保存规则(&S)")
        self.save_rule_button.clicked.connect(self.save_rule)
        self.delete_rule_button = QPushButton("删除规则(&D)")
        self.delete_rule_button.setToolTip("只能删除管理员新增的规则；内置规则可以停用")
        self.delete_rule_button.clicked.connect(lambda: self.delete_rule())

        form = QFormLayout()
        _add(form, "代码(&C)：", self.rule_code)
        _add(form, "名称(&M)：", self.rule_name)
        _add(form, "左边(&L)：", self.rule_left)
        _add(form, "运算符(&O)：", self.rule_operator)
        _add(form, "右边(&R)：", self.rule_right)
        form.addRow("", _hint(EXPRESSION_HELP))
        _add(form, "重要性(&I)：", self.rule_importance)
        _add(form, "提示(&T)：", self.rule_message)
        form.addRow("", _hint(MESSAGE_HELP))
        form.addRow("", self.rule_active)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_rule_button)
        buttons.addWidget(self.delete_rule_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_rule_button)
        box = QGroupBox("规则设置")
        v = QVBoxLayout(box)
        v.addWidget(_hint("规则成立时不提示；不成立时按重要性提示：错误不能上报，警告须填写说明。"
                          "引用的数据项未填写时该规则不检查。"))
        v.addLayout(form)
        v.addWidget(self.rule_error)
        v.addWidget(self.rule_result)
        v.addStretch(1)
        v.addLayout(buttons)

        split = QSplitter()
        split.addWidget(self.rule_view)
        split.addWidget(box)
        split.setSizes([700, 450])
        return split

    # -- loading -------------------------------------------------------------------------------------
    def refresh(self, element: str | None = None, rule: str | None = None) -> None:
        element = element or (self._element.code if self._element else None)
        rule = rule or (self._rule.code if self._rule else None)
        try:
            with self.ctx.db.session(self.ctx.actor) as s:
                element_rows = mch_elements.list_elements(s, include_inactive=True)
                rule_rows = mch_rules.list_rules(s, include_inactive=True)
        except UserFacingError as e:
            show_inline(self.element_error, e.message)
            show_inline(self.rule_error, e.message)
            return
        self.elements.set_rows(element_rows)
        self.rules.set_rows(rule_rows)
        sections = list(dict.fromkeys(e.section for e in element_rows if e.section))
        text = self.el_section.currentText()
        self.el_section.blockSignals(True)
        self.el_section.clear()
        self.el_section.addItems(sections)
        self.el_section.setEditText(text)
        self.el_section.blockSignals(False)
        if element_rows and not (self._new_element and element is None):
            self.element_view.selectRow(next((i for i, e in enumerate(element_rows) if e.code == element), 0))
            self._element_selected()
        if self._new_rule and rule is None:
            pass
        elif rule_rows:
            self.rule_view.selectRow(next((i for i, r in enumerate(rule_rows) if r.code == rule), 0))
            self._rule_selected()
        else:
            self.new_rule()

    def current_element(self) -> ElementRow | None:
        return self.elements.row_at(self.element_view.currentIndex().row())

    def current_rule(self) -> RuleRow | None:
        return self.rules.row_at(self.rule_view.currentIndex().row())

    def select_element(self, code: str) -> None:
        for i, e in enumerate(self.elements.rows()):
            if e.code == code:
                self.element_view.selectRow(i)
                self._element_selected()

    def select_rule(self, code: str) -> None:
        for i, r in enumerate(self.rules.rows()):
            if r.code == code:
                self.rule_view.selectRow(i)
                self._rule_selected()

    # -- 数据项 ---------------------------------------------------------------------------------------
    def _element_selected(self) -> None:
        e = self.current_element()
        if e is None:
            return
        self._element = e
        self._new_element = False
        builtin = e.builtin
        self.el_code.setText(e.code)
        self.el_code.setReadOnly(True)
        self.el_name.setText(e.name)
        self.el_short.setText(e.short_name if e.short_name != e.name else "")
        self.el_category.setCurrentIndex(max(0, self.el_category.findData(e.category)))
        self.el_pit.setChecked(e.point_in_time)
        for w in (self.el_category, self.el_pit):
            w.setEnabled(self.editable and not builtin)
            if self.editable:
                w.setToolTip("国家规定的数据项分类和时点性质不能修改" if builtin else "")
        self.el_section.setEditText(e.section)
        self.el_active.setChecked(e.active)
        show_inline(self.element_error, None)
        self.element_result.clear()

    def new_element(self) -> None:
        self._element = None
        self._new_element = True
        self.element_view.clearSelection()
        self.el_code.setReadOnly(False)
        self.el_code.setText("MCH_")
        for w in (self.el_name, self.el_short):
            w.clear()
        self.el_category.setCurrentIndex(0)
        self.el_pit.setChecked(False)
        for w in (self.el_category, self.el_pit):
            w.setEnabled(self.editable)
            w.setToolTip("" if self.editable else READ_ONLY_NOTE)
        self.el_active.setChecked(True)
        show_inline(self.element_error, None)
        self.element_result.clear()
        self.el_code.setFocus()
        self.el_code.end(False)

    def save_element(self) -> ElementRow | None:
        show_inline(self.element_error, None)
        self.element_result.clear()
        try:
            with self.ctx.db.session(self.ctx.actor) as s:
                saved = mch_elements.save_element(
                    s, self.ctx.actor, self.el_code.text(), self.el_name.text(),
                    short_name=self.el_short.text(), category=self.el_category.currentData(),
                    point_in_time=self.el_pit.isChecked(), section=self.el_section.currentText(),
                    active=self.el_active.isChecked())
        except UserFacingError as e:
            show_inline(self.element_error, e.message)
            return None
        self.ctx.changes.changed.emit(CHANGED)
        self.refresh(element=saved.code)
        self.element_result.setText(f"已保存：{saved.code} {saved.name}")
        return saved

    # -- 审核规则 -------------------------------------------------------------------------------------
    def _rule_selected(self) -> None:
        r = self.current_rule()
        if r is None:
            return
        self._rule = r
        self._new_rule = False
        self.rule_code.setText(r.code)
        self.rule_code.setReadOnly(True)
        self.rule_name.setText(r.name)
        self.rule_left.setText(r.left)
        self.rule_operator.setCurrentIndex(max(0, self.rule_operator.findData(r.operator)))
        self.rule_right.setText(r.right)
        self.rule_importance.setCurrentIndex(max(0, self.rule_importance.findData(r.importance)))
        self.rule_message.setText(r.message)
        self.rule_active.setChecked(r.active)
        self.delete_rule_button.setEnabled(self.editable and not r.builtin)
        show_inline(self.rule_error, None)
        self.rule_result.clear()

    def new_rule(self) -> None:
        self._rule = None
        self._new_rule = True
        self.rule_view.clearSelection()
        self.rule_code.setReadOnly(False)
        self.rule_code.setText("LOCAL_")
        for w in (self.rule_name, self.rule_left, self.rule_right, self.rule_message):
            w.clear()
        self.rule_operator.setCurrentIndex(max(0, self.rule_operator.findData("<=")))
        self.rule_importance.setCurrentIndex(max(0, self.rule_importance.findData("WARNING")))
        self.rule_active.setChecked(True)
        self.delete_rule_button.setEnabled(False)
        show_inline(self.rule_error, None)
        self.rule_result.clear()
        self.rule_code.setFocus()
        self.rule_code.end(False)

    def save_rule(self) -> RuleRow | None:
        show_inline(self.rule_error, None)
        self.rule_result.clear()
        try:
            with self.ctx.db.session(self.ctx.actor) as s:
                saved = mch_rules.save_rule(
                    s, self.ctx.actor, self.rule_code.text(), self.rule_name.text(), self.rule_left.text(),
                    self.rule_operator.currentData(), self.rule_right.text(), self.rule_importance.currentData(),
                    self.rule_message.text(), active=self.rule_active.isChecked())
        except UserFacingError as e:
            show_inline(self.rule_error, e.message)
            return None
        self.ctx.changes.changed.emit(CHANGED)
        self.refresh(rule=saved.code)
        self.rule_result.setText(f"已保存：{saved.code} {saved.name}")
        return saved

    def delete_rule(self, confirm: bool = True) -> bool:
        r = self._rule
        show_inline(self.rule_error, None)
        self.rule_result.clear()
        if r is None or not self.editable:
            return False
        if confirm and QMessageBox.question(
                self, "删除规则", f"删除规则“{r.name}”（{r.code}）？删除后不能恢复。") != QMessageBox.StandardButton.Yes:
            return False
        try:
            with self.ctx.db.session(self.ctx.actor) as s:
                mch_rules.delete_rule(s, self.ctx.actor, r.code)
        except UserFacingError as e:
            show_inline(self.rule_error, e.message)
            return False
        self.ctx.changes.changed.emit(CHANGED)
        self._rule, self._new_rule = None, False
        self.refresh()
        self.rule_result.setText(f"已删除：{r.code} {r.name}")
        return True

    def _save_current_tab(self) -> None:
        if not self.editable:
            return
        if self.tabs.currentIndex() == 0:
            self.save_element()
        else:
            self.save_rule()
