"""发放设置: the payment period (按年 / 按半年), the bank file's columns (tick, untick, reorder) and the
CSV encoding, with a live preview of the bank file's first row.

Read with ``payment_settings.read_payment_settings``; 确定 saves the three together through
``save_payment_settings`` (administrators only — the core checks it and refuses a period change that
would strand a draft roll; its message is shown in the dialog). 取消 / Esc change nothing.
Keyboard: Space ticks the current column, Ctrl+↑ / Ctrl+↓ (or 上移/下移, Alt+U / Alt+D) move it.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QButtonGroup, QComboBox, QDialog, QDialogButtonBox, QGroupBox,
                               QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton, QRadioButton,
                               QVBoxLayout, QWidget)

from core.errors import UserFacingError
from core.subsidy.bank_file import BANK_COLUMNS, COLUMN_HINTS
from core.subsidy.payment_settings import (PaymentSettings, header_preview, may_change, period_change,
                                           read_payment_settings, save_payment_settings)
from gui.context import AppContext
from gui.operations import run_op, show_error
from gui.subsidy.year_wizard import buddy_label
from gui.table_models import error_label, show_inline

NOTE_STYLE = "color: #8a5300;"
ENCODING_CHOICES = [("GB18030（大多数银行的系统使用）", "GB18030"), ("UTF-8", "UTF-8")]
KEY_ROLE = Qt.ItemDataRole.UserRole


class PaymentSettingsDialog(QDialog):
    help_topic = "subsidy.html#payroll"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.editable = may_change(ctx.actor)
        self.saved: PaymentSettings | None = None       # what 确定 stored
        self.current: PaymentSettings | None = None     # as read when the dialog opened
        self.setWindowTitle("发放设置")

        intro = QLabel("对全县所有扶助项目生效：发放周期决定“资金发放”页可选的发放期和每期金额；"
                       "银行文件的列和编码决定“导出银行文件”得到的文件。")
        intro.setWordWrap(True)

        # 发放周期
        self.year_radio = QRadioButton("按年发放(&Y)：每年一期，发全年的金额")
        self.half_radio = QRadioButton("按半年发放(&H)：上半年、下半年各一期，各发半年的金额")
        self.period_group = QButtonGroup(self)
        self.period_group.addButton(self.year_radio)
        self.period_group.addButton(self.half_radio)
        self.period_note = QLabel()
        self.period_note.setWordWrap(True)
        self.period_note.setStyleSheet(NOTE_STYLE)
        self.period_note.setVisible(False)
        period_box = QGroupBox("发放周期")
        vp = QVBoxLayout(period_box)
        vp.addWidget(self.year_radio)
        vp.addWidget(self.half_radio)
        vp.addWidget(self.period_note)

        # 银行文件的列
        self.column_list = QListWidget()
        self.column_list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.column_list.setSpacing(1)
        self.column_list.setMinimumHeight((self.column_list.fontMetrics().height() + 4) * len(BANK_COLUMNS) + 8)
        self.up_button = QPushButton("上移(&U)")
        self.down_button = QPushButton("下移(&D)")
        self.up_button.clicked.connect(lambda: self.move_current(-1))
        self.down_button.clicked.connect(lambda: self.move_current(1))
        self.column_list.installEventFilter(self)      # Ctrl+↑ / Ctrl+↓ move the current column
        buttons_col = QVBoxLayout()
        buttons_col.addWidget(self.up_button)
        buttons_col.addWidget(self.down_button)
        buttons_col.addStretch(1)
        list_row = QHBoxLayout()
        list_row.addWidget(self.column_list, 1)
        list_row.addLayout(buttons_col)
        columns_hint = QLabel("勾选要写入文件的列（空格键勾选或取消），用“上移”“下移”（Ctrl+↑/↓）排成银行要求的顺序。"
                              "“账号”和“金额”必须选。")
        columns_hint.setWordWrap(True)
        columns_hint.setStyleSheet("color: #555;")
        self.preview = QLabel()
        self.preview.setWordWrap(True)
        self.preview.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.preview.setStyleSheet("background: #f3f3f3; border: 1px solid #ccc; padding: 4px;")
        columns_box = QGroupBox("银行文件的列")
        vc = QVBoxLayout(columns_box)
        vc.addWidget(columns_hint)
        vc.addLayout(list_row)
        vc.addWidget(buddy_label("文件首行（预览）：", self.preview))
        vc.addWidget(self.preview)

        # CSV 编码
        self.encoding_combo = QComboBox()
        for text, code in ENCODING_CHOICES:
            self.encoding_combo.addItem(text, code)
        encoding_row = QHBoxLayout()
        encoding_row.addWidget(buddy_label("CSV 编码(&E)：", self.encoding_combo))
        encoding_row.addWidget(self.encoding_combo)
        encoding_row.addStretch(1)
        encoding_hint = QLabel("只影响 CSV 文件；Excel 文件不受影响。不清楚时用 GB18030，生僻字也不会丢。")
        encoding_hint.setWordWrap(True)
        encoding_hint.setStyleSheet("color: #555;")

        self.message = error_label()
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setStyleSheet(NOTE_STYLE)
        self.note.setVisible(False)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("确定")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        help_button = self.buttons.addButton("帮助", QDialogButtonBox.ButtonRole.HelpRole)
        help_button.clicked.connect(self.show_help)
        QShortcut(QKeySequence(Qt.Key.Key_F1), self, self.show_help)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(period_box)
        layout.addWidget(columns_box, 1)
        layout.addLayout(encoding_row)
        layout.addWidget(encoding_hint)
        layout.addWidget(self.note)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.resize(640, 600)

        self.load()
        self.period_group.buttonToggled.connect(lambda _b, on: on and self._period_changed())
        self.column_list.itemChanged.connect(lambda _i: self._show_preview())
        self.column_list.currentRowChanged.connect(lambda _r: self._enable_moves())
        if not self.editable:
            for w in (self.year_radio, self.half_radio, self.column_list, self.up_button, self.down_button,
                      self.encoding_combo, self.ok_button):
                w.setEnabled(False)
            self._show_note(f"只有管理员可以修改发放设置；当前用户“{ctx.actor.display_name}”只能查看。")
        self.column_list.setFocus()

    # -- data ----------------------------------------------------------------------------------
    def load(self) -> None:
        try:
            with self.ctx.db.session(self.ctx.actor) as s:
                current = read_payment_settings(s)
        except UserFacingError as e:
            show_inline(self.message, e.message)
            self.editable = False
            return
        self.current = current
        (self.half_radio if current.period_mode == "HALF" else self.year_radio).setChecked(True)
        self.column_list.blockSignals(True)
        self.column_list.clear()
        chosen = list(current.bank_columns)
        for key in chosen + [k for k in BANK_COLUMNS if k not in chosen]:
            item = QListWidgetItem(f"{key}　—　{COLUMN_HINTS[key]}")
            item.setData(KEY_ROLE, key)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if key in chosen else Qt.CheckState.Unchecked)
            self.column_list.addItem(item)
        self.column_list.blockSignals(False)
        self.column_list.setCurrentRow(0)
        self.encoding_combo.setCurrentIndex(max(0, self.encoding_combo.findData(current.csv_encoding)))
        if current.problems:
            self._show_note("".join(current.problems))
        self._show_preview()
        self._enable_moves()

    def period_mode(self) -> str:
        return "HALF" if self.half_radio.isChecked() else "YEAR"

    def columns(self) -> list[str]:
        items = (self.column_list.item(i) for i in range(self.column_list.count()))
        return [it.data(KEY_ROLE) for it in items if it.checkState() == Qt.CheckState.Checked]

    def encoding(self) -> str:
        return self.encoding_combo.currentData()

    # -- reacting to changes -------------------------------------------------------------------
    def move_current(self, step: int) -> None:
        row = self.column_list.currentRow()
        target = row + step
        if not self.editable or row < 0 or not 0 <= target < self.column_list.count():
            return
        item = self.column_list.takeItem(row)
        self.column_list.insertItem(target, item)
        self.column_list.setCurrentRow(target)
        self._show_preview()

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt API
        if (watched is self.column_list and event.type() == QEvent.Type.KeyPress
                and event.modifiers() == Qt.KeyboardModifier.ControlModifier
                and event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down)):
            self.move_current(-1 if event.key() == Qt.Key.Key_Up else 1)
            return True
        return super().eventFilter(watched, event)

    def _enable_moves(self) -> None:
        row, count = self.column_list.currentRow(), self.column_list.count()
        self.up_button.setEnabled(self.editable and row > 0)
        self.down_button.setEnabled(self.editable and 0 <= row < count - 1)

    def _show_preview(self) -> None:
        self.preview.setText(header_preview(self.columns()))

    def _period_changed(self) -> None:
        """Say before saving what the chosen period would do to this year's rolls."""
        mode = self.period_mode()
        if self.current is None or mode == self.current.period_mode:
            self.period_note.setVisible(False)
            return
        try:
            with self.ctx.db.session(self.ctx.actor) as s:
                change = period_change(s, mode)
        except UserFacingError as e:
            change = None
            text = e.message
        else:
            text = "".join(change.refusals[:1] or change.notes)
        self.period_note.setStyleSheet("color: #b00020;" if change is None or change.refusals else NOTE_STYLE)
        self.period_note.setText(text)
        self.period_note.setVisible(bool(text))

    def _show_note(self, text: str) -> None:
        self.note.setText(text)
        self.note.setVisible(bool(text))

    # -- saving --------------------------------------------------------------------------------
    def save(self) -> None:
        if not self.editable:
            return
        show_inline(self.message, None)
        mode, columns, encoding = self.period_mode(), self.columns(), self.encoding()
        db, actor = self.ctx.db, self.ctx.actor

        def work(_progress):
            with db.session(actor) as s:
                return save_payment_settings(s, actor, mode, columns, encoding)

        self.ok_button.setEnabled(False)
        run_op(self, work, on_done=self._saved_ok, on_failed=self._save_failed, label="正在保存发放设置……")

    def _saved_ok(self, saved: PaymentSettings) -> None:
        self.saved = saved
        self.ok_button.setEnabled(True)
        self.ctx.changes.changed.emit("setting")
        self.accept()

    def _save_failed(self, error: BaseException) -> None:
        self.ok_button.setEnabled(True)
        if isinstance(error, UserFacingError):
            show_inline(self.message, error.message)
        else:
            show_error(self, error, "发放设置未保存")

    def show_help(self) -> None:
        from gui.dialogs.help_window import open_help
        open_help(self.help_topic, self)
