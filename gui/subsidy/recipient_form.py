"""扶助对象 form: one person, checked live by core's RecipientChecker as the clerk types.

The rules are core's (``core.subsidy.recipients``): on every change (debounced) the form builds a
``RecipientInput``, runs ``RecipientChecker.check`` in a short read-only unit of work and shows
- the eligibility sentence at the top (green when it holds, red otherwise),
- each problem under its field (``Problem.field`` → the widget), warnings in an amber box.
Saving calls ``save_recipient`` with the version the form was opened with; a refusal (a problem,
a stale record, no permission) is shown inside the dialog, which stays open.

Keyboard: every label has an Alt mnemonic, Tab follows the two columns then the children, Enter
in a field moves to the next one (never saves), Ctrl+S saves, Esc closes (asking about unsaved
changes). No validators: Chinese is typed through an input method and checked afterwards.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Callable

from PySide6.QtCore import QDate, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QCompleter, QDateEdit, QDialog,
                               QDialogButtonBox, QFormLayout,
                               QFrame, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QMessageBox,
                               QPushButton, QScrollArea, QSpinBox, QStyledItemDelegate, QTableView, QTableWidget,
                               QTableWidgetItem, QTabWidget, QVBoxLayout, QWidget)

from core.access import Permission
from core.audit import ACTION_LABELS, AuditRow, query_audit
from core.errors import StaleRecord, UserFacingError
from core.idnumbers import check_citizen_id, mask_account, normalise_text_number
from core.orgunits import UnitRow
from core.subsidy.eligibility import ALIVE, CHILD_STATUS_LABELS
from core.subsidy.exit_reasons import exit_reasons
from core.subsidy.payroll import person_payments
from core.subsidy.recipients import (EXIT_REASONS, HUKOU, LABELS, MARITAL, STATUS_LABELS, Checked, ChildInput,
                                     RecipientChecker, RecipientInput, exit_recipient, load_input, save_recipient)
from gui.context import AppContext
from gui.dialogs.orgunit_dialog import FormDialog, _unit_combo, unit_text
from gui.subsidy.roster_model import Lookups, load_lookups
from gui.table_models import (ERROR_STYLE, RowsModel, TableColumn, error_label, local_time_text, read_only_rows,
                               show_inline)

CHECK_DELAY_MS = 150
ETHNICITIES = ["汉族", "满族", "蒙古族", "回族", "朝鲜族", "锡伯族", "壮族", "苗族", "土家族", "彝族", "藏族", "维吾尔族"]
BANKS = ["农村信用社", "农村商业银行", "中国邮政储蓄银行", "中国农业银行", "中国工商银行", "中国建设银行", "中国银行",
         "社会保障卡"]
NOT_CHOSEN = "（未填）"
_BOX = "QLabel {{ color: {}; background: {}; border: 1px solid {}; border-radius: 3px; padding: 6px; }}"
OK_STYLE = _BOX.format("#14532d", "#e3f5e8", "#9fd5ae")       # green: eligible
BAD_STYLE = _BOX.format("#8b0015", "#fde8eb", "#f0a8b3")      # red: not eligible
IDLE_STYLE = _BOX.format("#555", "#f2f2f2", "#d6d6d6")        # grey: not enough typed yet
WARN_STYLE = _BOX.format("#7a4a00", "#fff4d6", "#f0c987")     # amber: warnings, 待补充
HINT_STYLE = "color: #666;"
IDLE_TEXT = "填写公民身份号码并选择扶助项目后，这里显示是否符合条件。"


def parse_date_text(text: str) -> date | None:
    """Dates as clerks write them: 1985-03-12, 1985.3.12, 1985/3/12, 19850312, 1985年3月12日.
    Empty → None; anything else raises ValueError."""
    t = normalise_text_number(text).replace("年", "-").replace("月", "-").replace("日", "")
    if not t:
        return None
    m = re.fullmatch(r"(\d{4})[-./](\d{1,2})[-./](\d{1,2})", t) or re.fullmatch(r"(\d{4})(\d{2})(\d{2})", t)
    if not m:
        raise ValueError(text)
    return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))


# -- children ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ChildColumn:
    heading: str
    width: int
    choices: tuple[str, ...] | None = None    # edited with a combo box


CHILD_COLUMNS = [
    ChildColumn("姓名", 90), ChildColumn("性别", 54, ("", "男", "女")), ChildColumn("出生日期", 96),
    ChildColumn("状况", 60, tuple(CHILD_STATUS_LABELS.values())), ChildColumn("残疾等级", 66),
    ChildColumn("残疾证号", 150), ChildColumn("死亡日期", 96), ChildColumn("收养", 44),
]
C_NAME, C_SEX, C_BIRTH, C_STATUS, C_GRADE, C_CERT, C_DEATH, C_ADOPTED = range(8)
STATUS_OF_LABEL = {v: k for k, v in CHILD_STATUS_LABELS.items()}


class ChoiceDelegate(QStyledItemDelegate):
    """A combo box editor for a column with a fixed set of values (arrow keys choose)."""

    def __init__(self, choices: tuple[str, ...], parent=None):
        super().__init__(parent)
        self.choices = choices

    def createEditor(self, parent, option, index):  # noqa: N802 - Qt API
        combo = QComboBox(parent)
        combo.addItems(list(self.choices))
        return combo

    def setEditorData(self, editor, index):  # noqa: N802
        i = editor.findText(index.data() or "")
        editor.setCurrentIndex(max(0, i))

    def setModelData(self, editor, model, index):  # noqa: N802
        model.setData(index, editor.currentText())


class ChildrenTable(QTableWidget):
    """子女: one row per child. Tab leaves the table unless a cell is being edited (then it moves to
    the next cell); Enter commits a cell and never reaches the dialog's buttons."""

    def __init__(self, parent=None):
        super().__init__(0, len(CHILD_COLUMNS), parent)
        self.setHorizontalHeaderLabels([c.heading for c in CHILD_COLUMNS])
        self.setTabKeyNavigation(False)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        trigger = QAbstractItemView.EditTrigger
        self.setEditTriggers(trigger.DoubleClicked | trigger.EditKeyPressed | trigger.AnyKeyPressed
                             | trigger.SelectedClicked)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.horizontalHeader()
        for i, col in enumerate(CHILD_COLUMNS):
            header.resizeSection(i, col.width)
            if col.choices:
                self.setItemDelegateForColumn(i, ChoiceDelegate(col.choices, self))
        header.setSectionResizeMode(C_CERT, QHeaderView.ResizeMode.Stretch)
        self.setToolTip("日期可写作 1985-03-12、1985.3.12、19850312 或 1985年3月12日；"
                        "Tab 到下一格，Enter 确认本格；“收养”一格按空格勾选。")

    def add_child(self, child: ChildInput | None = None) -> int:
        child = child or ChildInput()
        row = self.rowCount()
        self.insertRow(row)
        texts = [child.name, child.sex, child.birth_date.isoformat() if child.birth_date else "",
                 CHILD_STATUS_LABELS.get(child.status, child.status),
                 "" if child.disability_grade is None else str(child.disability_grade), child.certificate_no,
                 child.death_date.isoformat() if child.death_date else ""]
        for col, text in enumerate(texts):
            self.setItem(row, col, QTableWidgetItem(text))
        adopted = QTableWidgetItem("")
        adopted.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsUserCheckable)
        adopted.setCheckState(Qt.CheckState.Checked if child.adopted else Qt.CheckState.Unchecked)
        self.setItem(row, C_ADOPTED, adopted)
        return row

    def set_children(self, children: list[ChildInput]) -> None:
        self.setRowCount(0)
        for child in children:
            self.add_child(child)

    def commit_editor(self) -> None:
        """An open cell editor holds text not yet in the item: moving the current cell commits it."""
        if self.state() == QAbstractItemView.State.EditingState:
            current = self.currentIndex()
            self.setCurrentIndex(QModelIndex())
            self.setCurrentIndex(current)

    def _text(self, row: int, col: int) -> str:
        item = self.item(row, col)
        return item.text().strip() if item is not None else ""

    def children(self) -> tuple[list[ChildInput], list[str]]:
        """The rows as ChildInput, and problems the form finds before core (dates it cannot read)."""
        out, problems = [], []
        for row in range(self.rowCount()):
            n = row + 1
            dates = {}
            for col, what in ((C_BIRTH, "出生日期"), (C_DEATH, "死亡日期")):
                try:
                    dates[col] = parse_date_text(self._text(row, col))
                except ValueError:
                    dates[col] = None
                    problems.append(f"第 {n} 个子女的{what}“{self._text(row, col)}”不是日期（例如 1985-03-12）")
            grade_text = normalise_text_number(self._text(row, C_GRADE)).rstrip("级")
            grade = None
            if grade_text:
                if grade_text.isdigit():
                    grade = int(grade_text)
                else:
                    problems.append(f"第 {n} 个子女的残疾等级应为 1–4 的数字")
            status = STATUS_OF_LABEL.get(self._text(row, C_STATUS), ALIVE)
            adopted_item = self.item(row, C_ADOPTED)
            adopted = adopted_item is not None and adopted_item.checkState() == Qt.CheckState.Checked
            out.append(ChildInput(name=self._text(row, C_NAME), sex=self._text(row, C_SEX), birth_date=dates[C_BIRTH],
                                  status=status, adopted=adopted,
                                  disability_grade=grade, certificate_no=self._text(row, C_CERT),
                                  death_date=dates[C_DEATH]))
        return out, problems


# -- history -----------------------------------------------------------------------------------------

HISTORY_LABELS = {**LABELS, "township_code": LABELS["township"], "village_code": LABELS["village"],
                  "program_code": LABELS["program"], "incomplete": "待补充", "no_policy_violation": "1973—2001年无政策外生育",
                  "death_date": "本人死亡日期"}
HISTORY_HIDDEN = frozenset({"id_number_rev", "account_rev", "spouse_id"})


def history_text(row: AuditRow) -> str:
    parts = []
    for key, change in row.changes.items():
        if key in HISTORY_HIDDEN:
            continue
        label = HISTORY_LABELS.get(key, key)

        def shown(v: Any) -> str:
            if v is None or v == "":
                return "（空）"
            if isinstance(v, bool):
                return "是" if v else "否"
            if key == "account_no":
                return mask_account(str(v))
            if key == "status":
                return STATUS_LABELS.get(v, v)
            return str(v)
        if isinstance(change, list) and len(change) == 2:
            old, new = change
            parts.append(f"{label}: {shown(new)}" if row.action == "create"
                         else f"{label}: {shown(old)} → {shown(new)}")
        else:
            parts.append(f"{label}: {shown(change)}")
    return "；".join(parts)


HISTORY_COLUMNS = [
    TableColumn("时间", lambda r: local_time_text(r.at)),
    TableColumn("用户", lambda r: r.shown_actor),
    TableColumn("操作", lambda r: ACTION_LABELS.get(r.action, r.action)),
    TableColumn("变更", history_text, tooltip=lambda r: history_text(r).replace("；", "\n")),
]


PAYMENT_COLUMNS = [
    TableColumn("期别", lambda p: p.period_label),
    TableColumn("扶助项目", lambda p: p.program_name),
    TableColumn("月数", lambda p: p.months, align_right=True),
    TableColumn("金额（元）", lambda p: f"{p.amount:,.2f}", align_right=True),
    TableColumn("开户银行", lambda p: p.bank_name),
    TableColumn("银行账号", lambda p: p.account_no),
    TableColumn("状态", lambda p: p.status_label),
]


# -- exit ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ExitValues:
    reason: str
    on: date


class ExitDialog(FormDialog):
    """办理退出: a reason and the date; takes effect from the next payment period."""

    def __init__(self, who: str, on_save: Callable[[ExitValues], Any], parent: QWidget | None = None, *,
                 reasons: list[str] = EXIT_REASONS):
        super().__init__("办理退出", on_save, parent)
        self.add_info("扶助对象：", who)
        self.reason = QComboBox()
        self.reason.addItem("（请选择）", "")
        for r in reasons:
            self.reason.addItem(r, r)
        self.add_field("退出原因(&R)：", self.reason)
        self.date_edit = QDateEdit(QDate.currentDate())
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.add_field("退出日期(&D)：", self.date_edit)
        note = QLabel("退出自下一个发放期起生效；记录和历史保留，不会删除。")
        note.setWordWrap(True)
        self.form.addRow("", note)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText("办理退出")
        self.reason.setFocus()

    def check(self) -> dict[QWidget, str]:
        return {} if self.reason.currentData() else {self.reason: "请选择退出原因。"}

    def values(self) -> ExitValues:
        return ExitValues(self.reason.currentData(), self.date_edit.date().toPython())


# -- the form --------------------------------------------------------------------------------------------

class RecipientForm(QDialog):
    """Add (``recipient_id`` None) or change one recipient. ``saved`` carries the id after a save or an exit."""

    saved = Signal(int)

    def __init__(self, ctx: AppContext, recipient_id: int | None = None, parent: QWidget | None = None, *,
                 lookups: Lookups | None = None, year: int | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.recipient_id = recipient_id
        self.version: int | None = None
        self.record_uuid = ""
        self.year = year or date.today().year
        self.active_dialog: QDialog | None = None
        self.last_checked: Checked | None = None
        self._touched: set[str] = set()
        self._tried_save = False
        self._loading = False
        self._history_loaded = self._payments_loaded = False
        self._extra = RecipientInput()           # kept as loaded: fields this form does not show
        self.setWindowTitle("新增扶助对象" if recipient_id is None else "扶助对象")
        self.setSizeGripEnabled(True)
        with ctx.db.session(ctx.actor) as s:
            if lookups is None:
                lookups = load_lookups(s)
            self.exit_reasons = exit_reasons(s)       # the built-in ones and the county's own
        self.lookups = lookups
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(CHECK_DELAY_MS)
        self._timer.timeout.connect(self.run_check)

        self._build()
        self._loading = True
        self._township_changed()        # the village list of the preselected township (if any)
        self._loading = False
        self._saved_values = self.values()
        if recipient_id is not None:
            self.load(recipient_id)
        else:
            # A new person is an applicant: 享受中 and the first year come with the county's confirmation
            # (年度确认), so nobody reaches a payment roll by a default value.
            self._loading = True
            self._select_data(self.status, "APPLIED")
            self.first_year.setValue(self.first_year.minimum())
            self._loading = False
            self._saved_values = self.values()
            self._update_exit_rows()
            self.run_check()
        self.name_edit.setFocus()

    # -- building ------------------------------------------------------------------------------------
    def _build(self) -> None:
        self._errors: dict[str, QLabel] = {}
        self.eligibility = QLabel(IDLE_TEXT)
        self.eligibility.setWordWrap(True)
        self.eligibility.setStyleSheet(IDLE_STYLE)
        self.eligibility.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.warnings = QLabel()
        self.warnings.setWordWrap(True)
        self.warnings.setStyleSheet(WARN_STYLE)
        self.warnings.setVisible(False)

        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_main(), "基本信息(&1)")
        self.history_page = self._build_history()
        self.tabs.addTab(self.history_page, "历史(&2)")
        self.payments_page = self._build_payments()
        self.tabs.addTab(self.payments_page, "发放记录(&3)")
        self.tabs.currentChanged.connect(self._on_tab)

        self.save_error = error_label()
        self.save_button = QPushButton("保存(&S)")
        self.save_button.setToolTip("保存（Ctrl+S）")
        self.save_button.clicked.connect(self.save)
        self.exit_button = QPushButton("办理退出(&J)…")
        self.exit_button.clicked.connect(self.start_exit)
        self.close_button = QPushButton("关闭")
        self.close_button.setToolTip("关闭（Esc）")
        self.close_button.clicked.connect(self.reject)
        for b in (self.save_button, self.exit_button, self.close_button):
            b.setAutoDefault(False)      # Enter in a field or the children table never clicks a button
        buttons = QHBoxLayout()
        buttons.addWidget(self.exit_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.close_button)

        save_key = QAction(self)
        save_key.setShortcut(QKeySequence.StandardKey.Save)
        save_key.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        save_key.triggered.connect(self.save)
        self.addAction(save_key)

        layout = QVBoxLayout(self)
        layout.addWidget(self.eligibility)
        layout.addWidget(self.warnings)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.save_error)
        layout.addLayout(buttons)
        self._set_tab_order()
        self.resize(1000, 700)

    def _field(self, form: QFormLayout, key: str | None, label: str, widget: QWidget,
               extra: QWidget | None = None) -> QWidget:
        """A row: a label with a mnemonic whose buddy is the widget, the widget, a red label under it."""
        title = QLabel(label)
        title.setBuddy(widget)
        box = QWidget()
        inner = QVBoxLayout(box)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.setSpacing(2)
        if extra is None:
            inner.addWidget(widget)
        else:
            row = QHBoxLayout()
            row.setContentsMargins(0, 0, 0, 0)
            row.addWidget(widget, 1)
            row.addWidget(extra)
            inner.addLayout(row)
        if key is not None:
            err = error_label()
            inner.addWidget(err)
            self._errors[key] = err
        form.addRow(title, box)
        return widget

    def _line(self, key: str, max_length: int = 100) -> QLineEdit:
        edit = QLineEdit()
        edit.setMaxLength(max_length)
        edit.textChanged.connect(lambda _t: self._changed(key))
        return edit

    def _combo(self, key: str, items: list[tuple[str, Any]]) -> QComboBox:
        combo = QComboBox()
        for text, data in items:
            combo.addItem(text, data)
        combo.currentIndexChanged.connect(lambda _i: self._changed(key))
        return combo

    def _build_main(self) -> QWidget:
        lk = self.lookups
        left, right = QFormLayout(), QFormLayout()
        for form in (left, right):
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            form.setVerticalSpacing(6)

        self.name_edit = self._field(left, "name", "姓名(&N)：", self._line("name", 50))
        self.id_edit = self._line("id_number", 40)
        self.id_edit.setPlaceholderText("18 位，末位可为 X")
        self.id_edit.textChanged.connect(self._id_typed)
        self._field(left, "id_number", "公民身份号码(&I)：", self.id_edit)
        self.birth_edit = QLineEdit()
        self.sex_edit = QLineEdit()
        for ro in (self.birth_edit, self.sex_edit):
            ro.setReadOnly(True)
            ro.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            ro.setPlaceholderText("由身份证号得出")
            ro.setStyleSheet("QLineEdit { background: #f2f2f2; }")
        self.sex_edit.setMaximumWidth(110)
        derived = QWidget()
        dl = QHBoxLayout(derived)
        dl.setContentsMargins(0, 0, 0, 0)
        dl.addWidget(self.birth_edit, 2)
        dl.addWidget(QLabel("性别："))
        dl.addWidget(self.sex_edit, 1)
        self._field(left, None, "出生日期：", derived)

        self.ethnicity = QComboBox()
        self.ethnicity.setEditable(True)
        self.ethnicity.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.ethnicity.addItems(ETHNICITIES)
        self.ethnicity.setCurrentText("汉族")
        self.ethnicity.editTextChanged.connect(lambda _t: self._changed("ethnicity"))
        self._field(left, "ethnicity", "民族(&E)：", self.ethnicity)

        scope = self.ctx.actor.townships
        towns = [t for t in lk.towns if t.closed_on is None and (scope is None or t.code in scope)]
        self.township = _unit_combo(towns)
        self.township.setCurrentIndex(0 if len(towns) == 1 else -1)
        self.township.lineEdit().setPlaceholderText("选择或输入乡镇名称")
        self.township.currentIndexChanged.connect(lambda _i: self._township_changed())
        self.township.editTextChanged.connect(lambda _t: self._changed("township"))
        self._field(left, "township", "乡镇（街道）(&T)：", self.township)
        self.village = _unit_combo([], first=NOT_CHOSEN)
        self.village.editTextChanged.connect(lambda _t: self._changed("village"))
        self._field(left, "village", "村（居）(&V)：", self.village)
        self.address = self._field(left, "address", "户籍地址(&A)：", self._line("address", 200))
        self.address.setPlaceholderText("如 某某组 12 号（乡镇、村已在上面选择）")
        self.hukou = self._field(left, "hukou", "户口性质(&H)：", self._combo("hukou", [(h, h) for h in HUKOU]))
        self.marital = self._field(left, "marital", "婚姻状况(&M)：",
                                   self._combo("marital", [(NOT_CHOSEN, "")] + [(m, m) for m in MARITAL]))
        self.spouse_edit = self._field(left, "spouse_id_number", "配偶身份号码(&O)：", self._line("spouse_id_number", 40))
        self.spouse_edit.setPlaceholderText("夫妻各为一条记录；填写后自动关联")
        self.spouse_info = QLabel()
        self.spouse_info.setWordWrap(True)
        self.spouse_info.setStyleSheet(HINT_STYLE)
        self.spouse_info.setVisible(False)
        self.spouse_edit.parentWidget().layout().insertWidget(1, self.spouse_info)
        self.phone_edit = self._field(left, "phone", "联系电话(&P)：", self._line("phone", 20))

        active = [p for p in lk.programs if p.active]
        self.program = self._field(right, "program", "扶助项目(&R)：",
                                   self._combo("program", [(p.name, p.code) for p in active]))
        self.first_year = QSpinBox()
        self.first_year.setRange(1989, self.year + 1)
        self.first_year.setSpecialValueText(NOT_CHOSEN)
        self.first_year.setValue(self.year)
        self.first_year.setSuffix(" 年")
        self.first_year.valueChanged.connect(lambda _v: self._changed("first_year"))
        self._field(right, "first_year", "首次确认年度(&Y)：", self.first_year)
        self.no_violation = QCheckBox("1973—2001 年无政策外生育(&W)")
        self.no_violation.setChecked(True)
        self.no_violation.toggled.connect(lambda _c: self._changed("program"))
        right.addRow("", self.no_violation)
        self.bank_edit = self._field(right, "bank_name", "开户银行(&B)：", self._line("bank_name", 50))
        completer = QCompleter(BANKS, self.bank_edit)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.bank_edit.setCompleter(completer)
        self.account_edit = self._field(right, "account_no", "银行账号(&K)：", self._line("account_no", 40))
        self.account_edit.setPlaceholderText("银行卡号或社保卡号，只填数字")
        self.status = self._field(right, "status", "状态(&U)：",
                                  self._combo("status", [(v, k) for k, v in STATUS_LABELS.items()]))
        self.status.currentIndexChanged.connect(lambda _i: self._update_exit_rows())
        self.exit_reason = self._combo("exit_reason", [(NOT_CHOSEN, "")] + [(r, r) for r in self.exit_reasons])
        self._field(right, "exit_reason", "退出原因(&X)：", self.exit_reason)
        self.exit_date = QDateEdit(QDate.currentDate())
        self.exit_date.setCalendarPopup(True)
        self.exit_date.setDisplayFormat("yyyy-MM-dd")
        self.exit_date.dateChanged.connect(lambda _d: self._changed("exit_date"))
        self._field(right, "exit_date", "退出日期(&Q)：", self.exit_date)
        self._exit_rows = (right, self.exit_reason, self.exit_date)
        self.died = QCheckBox("已去世")
        self.died.setToolTip("村里报告本人去世时勾选并填日期：当年照常发放，年审时建议退出")
        self.death_date = QDateEdit(QDate.currentDate())
        self.death_date.setCalendarPopup(True)
        self.death_date.setDisplayFormat("yyyy-MM-dd")
        self.death_date.setEnabled(False)
        self.died.toggled.connect(self._died_toggled)
        self.death_date.dateChanged.connect(lambda _d: self._changed("death_date"))
        self._field(right, "death_date", "本人死亡日期(&F)：", self.died, extra=self.death_date)
        row = self.died.parentWidget().layout().itemAt(0).layout()   # the date beside the box, not at the far edge
        row.setStretchFactor(self.died, 0)
        row.addStretch(1)
        self.note_edit = self._field(right, "note", "备注(&Z)：", self._line("note", 500))

        # children
        self.children_unknown = QCheckBox("子女情况暂不清楚，待补充(&G)")
        self.children_unknown.setToolTip("勾选后不填子女；记录标为“待补充”，资格按已知情况判断")
        self.children_unknown.toggled.connect(self._children_unknown_toggled)
        self.children_table = ChildrenTable()
        self.children_table.itemChanged.connect(lambda _i: self._changed("children"))
        self.add_child_button = QPushButton("添加子女(&D)")
        self.add_child_button.clicked.connect(self.add_child)
        self.remove_child_button = QPushButton("删除子女(&L)")
        self.remove_child_button.clicked.connect(self.remove_child)
        for b in (self.add_child_button, self.remove_child_button):
            b.setAutoDefault(False)
        children_title = QLabel("子女(&C)：")
        children_title.setBuddy(self.children_table)
        head = QHBoxLayout()
        head.addWidget(children_title)
        head.addWidget(self.children_unknown)
        head.addStretch(1)
        head.addWidget(self.add_child_button)
        head.addWidget(self.remove_child_button)
        self._errors["children"] = error_label()

        columns = QHBoxLayout()
        columns.addLayout(left, 1)
        columns.addSpacing(16)
        columns.addLayout(right, 1)
        page = QWidget()
        v = QVBoxLayout(page)
        v.addLayout(columns)
        v.addSpacing(4)
        v.addLayout(head)
        v.addWidget(self.children_table)
        v.addWidget(self._errors["children"])
        self.children_table.setMinimumHeight(self.children_table.verticalHeader().defaultSectionSize() * 3 + 30)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(page)
        return scroll

    def _build_history(self) -> QWidget:
        page = QWidget()
        v = QVBoxLayout(page)
        self.history_note = QLabel()
        self.history_note.setWordWrap(True)
        self.history_model = RowsModel(HISTORY_COLUMNS, self)
        self.history_view = QTableView()
        self.history_view.setModel(self.history_model)
        self.history_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.history_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.history_view.verticalHeader().setVisible(False)
        h = self.history_view.horizontalHeader()
        for col, width in ((0, 150), (1, 110), (2, 60)):
            h.resizeSection(col, width)
        h.setStretchLastSection(True)
        v.addWidget(self.history_note)
        v.addWidget(self.history_view, 1)
        return page

    def _build_payments(self) -> QWidget:
        page = QWidget()
        v = QVBoxLayout(page)
        self.payments_note = QLabel()
        self.payments_note.setWordWrap(True)
        self.payments_model = RowsModel(PAYMENT_COLUMNS, self)
        self.payments_view = QTableView()
        self.payments_view.setModel(self.payments_model)
        read_only_rows(self.payments_view)
        h = self.payments_view.horizontalHeader()
        for col, width in ((0, 90), (1, 190), (2, 50), (3, 90), (4, 130), (5, 170)):
            h.resizeSection(col, width)
        h.setStretchLastSection(True)
        v.addWidget(self.payments_note)
        v.addWidget(self.payments_view, 1)
        return page

    def _set_tab_order(self) -> None:
        chain = [self.name_edit, self.id_edit, self.ethnicity, self.township, self.village, self.address, self.hukou,
                 self.marital, self.spouse_edit, self.phone_edit, self.program, self.first_year, self.no_violation,
                 self.bank_edit, self.account_edit, self.status, self.exit_reason, self.exit_date, self.died,
                 self.death_date, self.note_edit,
                 self.children_unknown, self.add_child_button, self.remove_child_button, self.children_table,
                 self.exit_button, self.save_button, self.close_button]
        for a, b in zip(chain, chain[1:]):
            QWidget.setTabOrder(a, b)

    # -- loading and values --------------------------------------------------------------------------
    def load(self, recipient_id: int) -> None:
        """Read the person in one short unit of work; the form keeps plain values, never the ORM row."""
        from core.subsidy.recipients import record_uuid
        with self.ctx.db.session(self.ctx.actor) as s:
            data, version = load_input(s, recipient_id)
            self.record_uuid = record_uuid(s, recipient_id)
        self.recipient_id, self.version = recipient_id, version
        self.set_values(data)
        masked = f"{data.id_number[:6]}********{data.id_number[-4:]}" if len(str(data.id_number)) == 18 else ""
        self.setWindowTitle(f"扶助对象 — {data.name} {masked}".strip())
        self._touched = set(LABELS)          # an existing record: show every problem at once
        self._saved_values = self.values()
        self._history_loaded = self._payments_loaded = False
        if self.tabs.currentWidget() is self.history_page:
            self.load_history()
        if self.tabs.currentWidget() is self.payments_page:
            self.load_payments()
        self.run_check()

    def set_values(self, d: RecipientInput) -> None:
        self._loading = True
        try:
            self._extra = d
            self.name_edit.setText(d.name)
            self.id_edit.setText(str(d.id_number or ""))
            self.ethnicity.setCurrentText(d.ethnicity)
            self._select_unit(self.township, d.township, self.lookups.towns)
            self._township_changed()
            self._select_unit(self.village, d.village, self.lookups.villages.get(d.township, []))
            self.address.setText(d.address)
            self._select_data(self.hukou, d.hukou)
            self._select_data(self.marital, d.marital)
            self.spouse_edit.setText(d.spouse_id_number)
            self.phone_edit.setText(d.phone)
            if self.program.findData(d.program) < 0:     # an inactive programme still shows
                self.program.addItem(f"{self.lookups.program_name(d.program)}（已停用）", d.program)
            self._select_data(self.program, d.program)
            self.first_year.setValue(d.first_year or self.first_year.minimum())
            self.no_violation.setChecked(d.no_policy_violation)
            self.bank_edit.setText(d.bank_name)
            self.account_edit.setText(str(d.account_no or ""))
            self._select_data(self.status, d.status)
            self._select_data(self.exit_reason, d.exit_reason)
            if d.exit_date:
                self.exit_date.setDate(QDate(d.exit_date))
            self.note_edit.setText(d.note)
            self.died.setChecked(d.death_date is not None)
            self.death_date.setEnabled(d.death_date is not None)
            if d.death_date:
                self.death_date.setDate(QDate(d.death_date))
            self.children_unknown.setChecked(d.children is None)
            self.children_table.set_children(d.children or [])
        finally:
            self._loading = False
        self._id_typed(self.id_edit.text())
        self._update_exit_rows()

    @staticmethod
    def _select_data(combo: QComboBox, value: Any) -> None:
        i = combo.findData(value)
        if i >= 0:
            combo.setCurrentIndex(i)

    @staticmethod
    def _select_unit(combo: QComboBox, code: str, units: list[UnitRow]) -> None:
        i = combo.findData(code or None)
        if i < 0 and code:          # a closed unit the combo does not offer: still show it
            unit = next((u for u in units if u.code == code), None)
            combo.addItem(unit_text(unit) if unit else code, code)
            i = combo.count() - 1
        combo.setCurrentIndex(i)

    @staticmethod
    def _combo_value(combo: QComboBox) -> str:
        """The code of the chosen unit, or the typed text for core to resolve (and explain)."""
        text = combo.currentText().strip()
        i = combo.findText(text, Qt.MatchFlag.MatchExactly)
        if i >= 0:
            return combo.itemData(i) or ""
        return "" if text == NOT_CHOSEN else text

    def values(self, *, commit: bool = False) -> RecipientInput:
        """What the form says now. ``commit``: first take the text of an open cell editor (not while the
        live check runs — that would close the editor under the clerk's fingers)."""
        if commit:
            self.children_table.commit_editor()
        children = None if self.children_unknown.isChecked() else self.children_table.children()[0]
        status = self.status.currentData()
        exited = status == "EXITED"
        return RecipientInput(
            name=self.name_edit.text(), id_number=self.id_edit.text(), ethnicity=self.ethnicity.currentText().strip(),
            township=self._combo_value(self.township), village=self._combo_value(self.village),
            address=self.address.text(), hukou=self.hukou.currentData(), marital=self.marital.currentData() or "",
            spouse_id_number=self.spouse_edit.text().strip(), phone=self.phone_edit.text().strip(),
            program=self.program.currentData() or "",
            first_year=None if self.first_year.value() == self.first_year.minimum() else self.first_year.value(),
            bank_name=self.bank_edit.text(), account_no=self.account_edit.text(), status=status,
            exit_reason=(self.exit_reason.currentData() or "") if exited else "",
            exit_date=self.exit_date.date().toPython() if exited else None,
            note=self.note_edit.text().strip(), no_policy_violation=self.no_violation.isChecked(),
            death_date=self.death_date.date().toPython() if self.died.isChecked() else None, children=children)

    def is_dirty(self) -> bool:
        return self.values(commit=True) != self._saved_values

    # -- reacting to edits -----------------------------------------------------------------------------
    def _changed(self, key: str) -> None:
        if self._loading:
            return
        self._touched.add(key)
        self._timer.start()      # restarts: the check runs once typing pauses

    def _id_typed(self, text: str) -> None:
        """Birth date and sex follow the ID as it is typed (no database needed)."""
        chk = check_citizen_id(text)
        self.birth_edit.setText(chk.birth_date.isoformat() if chk.ok else "")
        self.sex_edit.setText(chk.sex if chk.ok else "")
        if not self._loading:
            self._show_id_message(chk.problem if not chk.ok else "")

    def _show_id_message(self, problem: str) -> None:
        label = self._errors["id_number"]
        number = normalise_text_number(self.id_edit.text())
        if problem and re.fullmatch(r"\d{0,17}", number) and self.id_edit.hasFocus() and not self._tried_save:
            label.setStyleSheet(HINT_STYLE)       # still typing: count, don't scold
            show_inline(label, f"已输入 {len(number)} 位，共 18 位" if number else "")
            return
        label.setStyleSheet(ERROR_STYLE)
        show_inline(label, problem)

    def _township_changed(self) -> None:
        code = self._combo_value(self.township)
        keep = self._combo_value(self.village)
        self.village.blockSignals(True)
        self.village.clear()
        self.village.addItem(NOT_CHOSEN, None)
        for v in self.lookups.villages.get(code, []):
            if v.closed_on is None:
                self.village.addItem(unit_text(v), v.code)
        self.village.setCurrentIndex(max(0, self.village.findData(keep or None)))
        self.village.blockSignals(False)
        self.village.setEnabled(self.village.count() > 1 or bool(keep))
        self._changed("township")

    def _update_exit_rows(self) -> None:
        exited = self.status.currentData() == "EXITED"
        form, reason, when = self._exit_rows
        for w in (reason, when):
            form.setRowVisible(w.parentWidget(), exited)
        may_edit = self.ctx.actor.can(Permission.EDIT_DATA)
        self.exit_button.setVisible(self.recipient_id is not None)
        self.exit_button.setEnabled(may_edit and self.recipient_id is not None
                                    and self._extra.status in ("ACTIVE", "APPLIED"))

    def _died_toggled(self, died: bool) -> None:
        self.death_date.setEnabled(died)
        self._changed("death_date")

    def _children_unknown_toggled(self, unknown: bool) -> None:
        for w in (self.children_table, self.add_child_button, self.remove_child_button):
            w.setEnabled(not unknown)
        self._changed("children")

    def add_child(self) -> None:
        row = self.children_table.add_child()
        self._changed("children")
        self.children_table.setFocus()
        self.children_table.setCurrentCell(row, C_NAME)
        self.children_table.editItem(self.children_table.item(row, C_NAME))

    def remove_child(self) -> None:
        row = self.children_table.currentRow()
        if row < 0 and self.children_table.rowCount():
            row = self.children_table.rowCount() - 1
        if row >= 0:
            self.children_table.removeRow(row)
            self._changed("children")

    # -- the live check ----------------------------------------------------------------------------------
    def run_check(self) -> Checked | None:
        self._timer.stop()
        data = self.values()
        try:
            with self.ctx.db.session(self.ctx.actor) as s:
                checked = RecipientChecker(s, self.year).check(data, editing_id=self.recipient_id)
        except UserFacingError as e:
            show_inline(self.save_error, e.message)
            return None
        self.last_checked = checked
        self._show_checked(checked)
        return checked

    def _show_checked(self, c: Checked) -> None:
        e = c.eligibility
        if e is None:
            self.eligibility.setStyleSheet(IDLE_STYLE)
            self.eligibility.setText(IDLE_TEXT)
        else:
            self.eligibility.setStyleSheet(OK_STYLE if e.ok else BAD_STYLE)
            self.eligibility.setText(e.summary)
        warnings = list(c.warnings)
        if c.incomplete:
            warnings.append(f"待补充：{'、'.join(dict.fromkeys(c.incomplete))}（可以先保存，补齐后再改）")
        self.warnings.setText("\n".join(f"⚠ {w}" for w in warnings))
        self.warnings.setVisible(bool(warnings))
        self._show_spouse(c)

        by_field: dict[str, list[str]] = {}
        for p in c.problems:
            key = "id_number" if p.field in ("sex", "birth_date") else p.field
            message = p.message
            if e is not None and message == e.summary:
                message = "不符合条件（原因见上方红字）"
            by_field.setdefault(key if key in self._errors else "children", []).append(message)
        local = [] if self.children_unknown.isChecked() else self.children_table.children()[1]
        if local:
            by_field.setdefault("children", []).extend(local)
        for key, label in self._errors.items():
            shown = key in self._touched or self._tried_save or (key == "program" and e is not None)
            messages = by_field.get(key, []) if shown else []
            if key == "id_number":
                self._show_id_message("；".join(messages))
            else:
                show_inline(label, "；".join(messages))

    def _show_spouse(self, c: Checked) -> None:
        """Under 配偶身份号码: whom the number links to (or that the spouse is not registered yet)."""
        typed = bool(self.spouse_edit.text().strip())
        if not typed or any(p.field == "spouse_id_number" for p in c.problems):
            self.spouse_info.setVisible(False)
            return
        if c.spouse:
            towns = {t.code: t.name for t in self.lookups.towns}
            shown = "；".join(f"{r.name}（{towns.get(r.township_code, r.township_code)}，"
                             f"{self.lookups.program_name(r.program_code)}，{STATUS_LABELS.get(r.status, r.status)}）"
                             for r in c.spouse)
            self.spouse_info.setText(f"配偶已登记：{shown}。保存后两条记录互相关联。")
        else:
            self.spouse_info.setText("配偶尚未登记；以后登记配偶时会自动关联。")
        self.spouse_info.setVisible(True)

    def field_error(self, key: str) -> str:
        label = self._errors[key]
        return label.text() if label.isVisible() else ""

    def _first_problem_widget(self) -> QWidget | None:
        widgets = {"name": self.name_edit, "id_number": self.id_edit, "township": self.township,
                   "village": self.village, "address": self.address, "hukou": self.hukou, "marital": self.marital,
                   "spouse_id_number": self.spouse_edit,
                   "phone": self.phone_edit, "program": self.program, "first_year": self.first_year,
                   "bank_name": self.bank_edit, "account_no": self.account_edit, "status": self.status,
                   "exit_reason": self.exit_reason, "exit_date": self.exit_date, "note": self.note_edit,
                   "death_date": self.death_date,
                   "children": self.children_table, "ethnicity": self.ethnicity}
        for key, widget in widgets.items():
            if self.field_error(key):
                return widget
        return None

    # -- saving ----------------------------------------------------------------------------------------------
    def save(self) -> bool:
        """Ctrl+S / 保存. Core decides; a refusal stays in the dialog next to the fields."""
        self._tried_save = True
        show_inline(self.save_error, None)
        data = self.values(commit=True)
        self.run_check()
        local = [] if self.children_unknown.isChecked() else self.children_table.children()[1]
        if local:
            return self._refused("未保存：" + "；".join(local))
        try:
            with self.ctx.db.session(self.ctx.actor) as s:
                saved = save_recipient(s, self.ctx.actor, data, recipient_id=self.recipient_id,
                                       expected_version=self.version, year=self.year)
        except StaleRecord as e:
            return self._refused(e.message)
        except UserFacingError as e:
            return self._refused(e.message)
        self.recipient_id, self.version = saved.id, saved.version
        self._saved_values = self.values()
        self.saved.emit(saved.id)
        super().accept()
        return True

    def _refused(self, message: str) -> bool:
        self.tabs.setCurrentIndex(0)
        show_inline(self.save_error, message)
        widget = self._first_problem_widget()
        if widget is not None:
            widget.setFocus()
        return False

    def accept(self) -> None:   # QDialog's default Enter path: saving is only Ctrl+S or 保存
        self.save()

    # -- exit --------------------------------------------------------------------------------------------
    def start_exit(self) -> None:
        if self.recipient_id is None or not self.exit_button.isEnabled():
            return
        if self.is_dirty():
            show_inline(self.save_error, "请先保存（Ctrl+S）或撤销本次修改，再办理退出。")
            return
        rid, version = self.recipient_id, self.version

        def do_exit(v: ExitValues) -> None:
            with self.ctx.db.session(self.ctx.actor) as s:
                exit_recipient(s, self.ctx.actor, rid, v.reason, v.on, expected_version=version)
            self.load(rid)
            self.saved.emit(rid)
        dialog = ExitDialog(self.windowTitle().removeprefix("扶助对象 — "), do_exit, self, reasons=self.exit_reasons)
        self.active_dialog = dialog
        dialog.finished.connect(lambda _r: setattr(self, "active_dialog", None))
        dialog.open()

    # -- history -------------------------------------------------------------------------------------------
    def _on_tab(self, index: int) -> None:
        if self.tabs.widget(index) is self.history_page and not self._history_loaded:
            self.load_history()
        if self.tabs.widget(index) is self.payments_page and not self._payments_loaded:
            self.load_payments()

    def load_payments(self) -> None:
        """Every payment roll line of this person (core.subsidy.payroll.person_payments), newest first."""
        self._payments_loaded = True
        if self.recipient_id is None:
            self.payments_note.setText("保存并经年度资格确认后，这里按期列出此人的发放金额、月数、账号和是否已发放。")
            self.payments_view.setVisible(False)
            return
        try:
            with self.ctx.db.session(self.ctx.actor) as s:
                found = person_payments(s, self.ctx.actor, self.recipient_id)
        except UserFacingError as e:
            self.payments_note.setText(e.message)
            self.payments_view.setVisible(False)
            return
        self.payments_note.setText(found.summary() + " 账号是发放时花名册上的账号；各期花名册在“资金发放”中查看。")
        self.payments_model.set_rows(found.lines)
        self.payments_view.setVisible(bool(found.lines))

    def load_history(self) -> None:
        self._history_loaded = True
        if self.recipient_id is None:
            self.history_note.setText("保存后，这里显示这条记录的新增和每次修改（谁、何时、改了什么）。")
            self.history_view.setVisible(False)
            return
        if not self.ctx.actor.can(Permission.VIEW_AUDIT):
            self.history_note.setText("修改历史来自审计日志，只有审核员和管理员可以查看。"
                                      "如需了解这条记录的修改情况，请联系审核员。")
            self.history_view.setVisible(False)
            return
        try:
            with self.ctx.db.session(self.ctx.actor) as s:
                rows = query_audit(s, self.ctx.actor, record_uuid=self.record_uuid, limit=500)
        except UserFacingError as e:
            self.history_note.setText(e.message)
            return
        self.history_note.setText(f"共 {len(rows)} 条，最新的在上面。将鼠标停在“变更”上可看全部内容。")
        self.history_model.set_rows(rows)
        self.history_view.setVisible(True)

    # -- closing ---------------------------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        """Enter never saves: on a button it presses the button, in the children table it only ends
        the cell (the table did that already), in any other field it moves on like Tab."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and event.modifiers() in (
                Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier):
            focused = self.focusWidget()
            if isinstance(focused, QPushButton):
                focused.click()
            elif focused is not None and focused is not self.children_table \
                    and not self.children_table.isAncestorOf(focused) and self.tabs.currentIndex() == 0:
                self.focusNextChild()
            return
        super().keyPressEvent(event)

    def ask_unsaved(self) -> QMessageBox.StandardButton:
        box = QMessageBox(QMessageBox.Icon.Question, "扶助对象", "有尚未保存的修改，是否保存？",
                          QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                          | QMessageBox.StandardButton.Cancel, self)
        box.button(QMessageBox.StandardButton.Save).setText("保存(&S)")
        box.button(QMessageBox.StandardButton.Discard).setText("不保存(&N)")
        box.button(QMessageBox.StandardButton.Cancel).setText("取消")
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        return QMessageBox.StandardButton(box.exec())

    def reject(self) -> None:
        """Esc, 关闭 and the window's close button all come here."""
        if self.is_dirty():
            answer = self.ask_unsaved()
            if answer == QMessageBox.StandardButton.Cancel:
                return
            if answer == QMessageBox.StandardButton.Save:
                self.save()
                return
        self._timer.stop()
        super().reject()
