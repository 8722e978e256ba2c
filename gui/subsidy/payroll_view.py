"""资金发放: the payment roll of one programme and period (DOMAIN.md §3 step 5).

生成发放花名册 (``payroll.build_roll`` off the GUI thread), totals by township (``roll_totals``), the people
who need a look (``payroll.roll_problems``: on the roll but not payable as they are — no bank account … —
or left out of it, with the reason), recomputed by the core whenever a roll is shown and exportable to
xlsx (``write_roll_problems``), FP-PAYROLL preview/print/export, the bank file
(``bank_file.write_bank_file``) and 标记为已发放 (审核员, after a confirmation that it cannot be changed
afterwards). A paid roll is shown read-only; rebuilding it is refused by the core, whose message is shown.
File dialogs are apart from the work (``export_bank_file(path)``, ``export_problems(path)``) so tests need
no modal dialog. 发放设置… opens ``PaymentSettingsDialog`` (enabled for administrators only); the period
list follows the setting, except that a year with rolls keeps the mode its rolls were made in.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QColor, QFont, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDateEdit, QFileDialog, QGroupBox, QHBoxLayout,
                               QHeaderView, QLabel, QMessageBox, QPushButton, QSpinBox, QSplitter, QTableView,
                               QVBoxLayout, QWidget)

from core.access import Permission
from core.errors import UserFacingError
from core.subsidy.payment_settings import may_change as may_change_payment_settings
from core.subsidy.payroll import RollProblem, RollSummary, RollTotals
from gui.context import AppContext
from gui.operations import run_op, show_error
from gui.subsidy.year_wizard import ReturnActions, buddy_label, documents_dir, programme_choices
from gui.table_models import error_label, show_inline

MAX_PROBLEMS_SHOWN = 500          # rows in the screen's list; the export has everyone
PROBLEM_COLOR = QColor("#b00020")
PROBLEM_HEADINGS = ["姓名", "公民身份号码", "乡镇（街道）", "花名册", "金额（元）", "问题"]


def money(value: Decimal) -> str:
    return f"{value:,.2f}"


class PayrollView(QWidget):
    """资金发放 tab."""

    help_topic = "subsidy.html#payroll"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.roll: RollSummary | None = None
        self.totals: RollTotals | None = None
        self.problems: list[RollProblem] | None = None     # None: not (yet) known for the roll shown
        self.problems_for: int | None = None                # the roll id they belong to
        self.mode = "YEAR"
        self.last_bank_file = None
        self.last_problems_file = None

        self.program_combo = QComboBox()
        self.program_combo.setMinimumContentsLength(18)
        self.year_spin = QSpinBox()
        self.year_spin.setRange(2004, 2100)
        self.year_spin.setValue(date.today().year)
        self.period_combo = QComboBox()
        self.build_button = QPushButton("生成发放花名册(&B)")
        self.build_button.setToolTip("按本年度审核通过的名单和扶助标准计算每人金额（草稿可重新生成）")
        self.build_button.clicked.connect(self.build)
        top = QHBoxLayout()
        top.addWidget(buddy_label("扶助项目(&G)：", self.program_combo))
        top.addWidget(self.program_combo, 2)
        top.addWidget(buddy_label("年度(&Y)：", self.year_spin))
        top.addWidget(self.year_spin)
        top.addWidget(buddy_label("发放期(&Q)：", self.period_combo))
        top.addWidget(self.period_combo)
        top.addWidget(self.build_button)
        top.addStretch(1)
        self.settings_button = QPushButton("发放设置(&T)…")
        self.settings_dialog = None
        if may_change_payment_settings(ctx.actor):
            self.settings_button.setToolTip("发放周期（按年或按半年）、银行文件的列和 CSV 编码")
        else:
            self.settings_button.setEnabled(False)
            self.settings_button.setToolTip("只有管理员可以修改发放设置（发放周期、银行文件的列和编码）。")
        self.settings_button.clicked.connect(self.open_settings)
        top.addWidget(self.settings_button)

        self.state_label = QLabel("尚未生成发放花名册。")
        self.state_label.setWordWrap(True)
        self.state_label.setContentsMargins(8, 6, 8, 6)
        self.message = error_label()

        # totals by township
        self.totals_model = QStandardItemModel(self)
        self.totals_model.setHorizontalHeaderLabels(["乡镇（街道）", "人数", "金额（元）", "无银行账号"])
        self.totals_view = QTableView()
        self.totals_view.setModel(self.totals_model)
        self.totals_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.totals_view.setAlternatingRowColors(True)
        self.totals_view.verticalHeader().setVisible(False)
        self.totals_view.verticalHeader().setDefaultSectionSize(24)
        header = self.totals_view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        totals_box = QGroupBox("按乡镇（街道）合计")
        QVBoxLayout(totals_box).addWidget(self.totals_view)

        self.problem_note = QLabel("生成花名册后，这里列出无银行账号、未列入花名册等需要处理的人。")
        self.problem_note.setWordWrap(True)
        self.problem_model = QStandardItemModel(self)
        self.problem_model.setHorizontalHeaderLabels(PROBLEM_HEADINGS)
        self.problem_view = QTableView()
        self.problem_view.setModel(self.problem_model)
        self.problem_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.problem_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.problem_view.setAlternatingRowColors(True)
        self.problem_view.verticalHeader().setVisible(False)
        self.problem_view.verticalHeader().setDefaultSectionSize(24)
        self.problem_view.setWordWrap(False)
        for col, width in enumerate((56, 150, 72, 84, 72)):
            self.problem_view.setColumnWidth(col, width)
        self.problem_view.horizontalHeader().setStretchLastSection(True)
        self.problems_button = QPushButton("导出名单(&E)…")
        self.problems_button.setToolTip("把需要处理的人（含原因）导出为 Excel 工作簿，发给乡镇核实")
        self.problems_button.clicked.connect(self.problems_dialog)
        self.problems_button.setEnabled(False)
        self.problems_result = QLabel()
        self.problems_result.setWordWrap(True)
        self.problems_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        problems_box = QGroupBox("需要处理的人")
        self.problems_box = problems_box
        vp = QVBoxLayout(problems_box)
        note_row = QHBoxLayout()
        note_row.addWidget(self.problem_note, 1)
        note_row.addWidget(self.problems_button, 0, Qt.AlignmentFlag.AlignTop)
        vp.addLayout(note_row)
        vp.addWidget(self.problem_view)
        vp.addWidget(self.problems_result)

        splitter = QSplitter()
        splitter.addWidget(totals_box)
        splitter.addWidget(problems_box)
        splitter.setSizes([430, 770])

        # actions
        self.returns = ReturnActions(ctx, [("FP-PAYROLL", "扶助金发放花名册")], self._return_request)
        self.bank_button = QPushButton("导出银行文件(&K)…")
        self.bank_button.setToolTip("银行代发文件（Excel 或 CSV）；无银行账号的人不在文件中")
        self.bank_button.clicked.connect(self.bank_file_dialog)
        self.paid_date = QDateEdit(QDate.currentDate())
        self.paid_date.setCalendarPopup(True)
        self.paid_date.setDisplayFormat("yyyy-MM-dd")
        self.paid_button = QPushButton("标记为已发放(&M)…")
        self.paid_button.setToolTip("银行发放完成后由审核员标记；标记后花名册锁定，不能再修改或重新生成")
        self.paid_button.clicked.connect(self.mark_paid_dialog)
        self.bank_result = QLabel()
        self.bank_result.setWordWrap(True)
        self.bank_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        actions = QGroupBox("打印、银行文件与发放")
        va = QVBoxLayout(actions)
        va.addWidget(self.returns)
        row = QHBoxLayout()
        row.addWidget(self.bank_button)
        row.addSpacing(24)
        self.paid_date_label = buddy_label("发放日期(&D)：", self.paid_date)
        row.addWidget(self.paid_date_label)
        row.addWidget(self.paid_date)
        row.addWidget(self.paid_button)
        row.addStretch(1)
        va.addLayout(row)
        va.addWidget(self.bank_result)
        may_approve = ctx.actor.can(Permission.APPROVE)
        for w in (self.paid_button, self.paid_date, self.paid_date_label):
            w.setVisible(may_approve)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.state_label)
        layout.addWidget(self.message)
        layout.addWidget(splitter, 1)
        layout.addWidget(actions)

        for code, name in programme_choices(ctx):
            self.program_combo.addItem(name, code)
        self.program_combo.currentIndexChanged.connect(lambda _i: self._fill_periods())
        self.year_spin.valueChanged.connect(lambda _v: self._fill_periods())
        self.period_combo.currentIndexChanged.connect(lambda _i: self.load())
        self._fill_periods()

    # -- selection -----------------------------------------------------------------------------
    def program(self) -> str:
        return self.program_combo.currentData() or ""

    def period(self) -> str:
        return self.period_combo.currentData() or str(self.year_spin.value())

    def _fill_periods(self) -> None:
        """The year's periods: per 发放设置, or as the year's rolls were made (a year paid 按年 before
        the setting changed stays 按年)."""
        from core.subsidy.payment_settings import periods_shown
        year = self.year_spin.value()
        if self.program():
            try:
                with self.ctx.db.session(self.ctx.actor) as s:
                    self.mode = periods_shown(s, self.program(), year)[0].mode
            except UserFacingError as e:
                show_inline(self.message, e.message)
        chosen = self.period_combo.currentIndex()
        self.period_combo.blockSignals(True)
        self.period_combo.clear()
        if self.mode == "HALF":
            self.period_combo.addItem("上半年", f"{year}H1")
            self.period_combo.addItem("下半年", f"{year}H2")
            self.period_combo.setCurrentIndex(max(0, min(chosen, 1)))
        else:
            self.period_combo.addItem("全年", str(year))
        self.period_combo.blockSignals(False)
        self.load()

    def refresh(self) -> None:
        self._fill_periods()

    # -- 发放设置 ----------------------------------------------------------------------------------
    def open_settings(self) -> None:
        from gui.subsidy.payment_settings_dialog import PaymentSettingsDialog
        dialog = PaymentSettingsDialog(self.ctx, self)
        self.settings_dialog = dialog
        dialog.accepted.connect(self._fill_periods)        # the period list follows the new setting
        dialog.finished.connect(lambda _r: setattr(self, "settings_dialog", None))
        dialog.open()

    # -- loading -------------------------------------------------------------------------------
    def load(self) -> None:
        """Show the stored roll of the chosen programme and period (if any)."""
        from core.subsidy.payroll import get_roll, roll_totals
        if not self.program():
            return
        show_inline(self.message, None)
        try:
            with self.ctx.db.session(self.ctx.actor) as s:
                roll = get_roll(s, self.program(), self.period())
                totals = roll_totals(s, roll.id, actor=self.ctx.actor) if roll else None
        except UserFacingError as e:
            show_inline(self.message, e.message)
            roll, totals = None, None
        self._show(roll, totals)
        self.load_problems()

    def load_problems(self):
        """Ask the core who needs a look for the roll shown (off the GUI thread: 100,000 lines)."""
        from core.subsidy.payroll import roll_problems
        self.problems, self.problems_for = None, None
        self._show_problems()
        if self.roll is None:
            return None
        roll_id, ctx = self.roll.id, self.ctx

        def work(_progress):
            with ctx.db.session(ctx.actor) as s:
                return roll_id, roll_problems(s, roll_id, actor=ctx.actor)

        def done(result) -> None:
            got_for, problems = result
            if self.roll is not None and self.roll.id == got_for:     # not a roll shown before
                self.problems, self.problems_for = problems, got_for
                self._show_problems()
        return run_op(self, work, on_done=done, writes=False, quiet=True)   # the list says 正在核对 meanwhile

    def _show(self, roll: RollSummary | None, totals: RollTotals | None) -> None:
        self.roll, self.totals = roll, totals
        if roll is None or roll.id != self.problems_for:
            self.problems, self.problems_for = None, None
        self.totals_model.removeRows(0, self.totals_model.rowCount())
        paid = roll is not None and roll.status == "PAID"
        if roll is None:
            self.state_label.setText("尚未生成这一期的发放花名册。本年度资格确认审核通过后，点“生成发放花名册”。")
            self.state_label.setStyleSheet("color:#555; background:#eeeeee; border-radius:3px;")
        elif paid:
            self.state_label.setText(f"{roll.program_name} {roll.period_label}：已于 {roll.paid_on:%Y-%m-%d} 发放，"
                                     f"共 {roll.people:,} 人，合计 {money(roll.total)} 元。已发放的花名册只读，不能修改或重新生成。")
            self.state_label.setStyleSheet("color:#1b5e20; background:#e3f2e1; border-radius:3px;")
        else:
            self.state_label.setText(f"{roll.program_name} {roll.period_label}：{roll.status_label}，共 {roll.people:,} 人，"
                                     f"合计 {money(roll.total)} 元。发放前可重新生成；银行发放完成后由审核员标记为已发放。")
            self.state_label.setStyleSheet("color:#8a5a00; background:#fff4d6; border-radius:3px;")
        if totals is not None:
            for t in totals.townships:
                self._add_total_row(t.name, t.people, t.amount, t.without_account)
            self._add_total_row("合计", totals.people, totals.amount, totals.without_account, bold=True)
            for col in (1, 2, 3):                           # the bold 合计 row is the widest
                self.totals_view.resizeColumnToContents(col)
        self._show_problems()
        has_roll = roll is not None
        self.bank_button.setEnabled(has_roll and self.ctx.actor.can(Permission.PRINT_RETURNS))
        self.paid_button.setEnabled(has_roll and not paid)
        self.paid_date.setEnabled(has_roll and not paid)
        for b in (self.returns.preview_button, self.returns.print_button, self.returns.xlsx_button,
                  self.returns.pdf_button):
            b.setEnabled(has_roll and self.ctx.actor.can(Permission.PRINT_RETURNS))
        self.build_button.setToolTip("已发放的花名册不能重新生成" if paid
                                     else "按本年度审核通过的名单和扶助标准计算每人金额（草稿可重新生成）")

    def _add_total_row(self, name: str, people: int, amount: Decimal, missing: int, bold: bool = False) -> None:
        cells = [QStandardItem(name), QStandardItem(f"{people:,}"), QStandardItem(money(amount)),
                 QStandardItem(f"{missing:,}" if missing else "—")]
        for c in cells[1:]:
            c.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if missing:
            cells[3].setForeground(PROBLEM_COLOR)
        if bold:
            font = QFont()
            font.setBold(True)
            for c in cells:
                c.setFont(font)
        self.totals_model.appendRow(cells)

    def _show_problems(self) -> None:
        self.problem_model.removeRows(0, self.problem_model.rowCount())
        problems = self.problems
        known = problems is not None and self.roll is not None
        self.problems_box.setTitle(f"需要处理的人（{len(problems):,}）" if known else "需要处理的人")
        self.problems_button.setEnabled(bool(known and problems) and self.ctx.actor.can(Permission.PRINT_RETURNS))
        if self.roll is None:
            self.problem_note.setText("生成花名册后，这里列出无银行账号、未列入花名册等需要处理的人。")
            return
        if problems is None:
            self.problem_note.setText("正在核对需要处理的人……")
            return
        if not problems:
            self.problem_note.setText("没有需要处理的人：花名册中每人都有银行账号，本年度确认的对象都已列入。")
            return
        on_roll = sum(1 for p in problems if p.on_roll)
        text = (f"共 {len(problems):,} 人：在花名册中 {on_roll:,} 人（无银行账号的不写入银行文件），"
                f"未列入花名册 {len(problems) - on_roll:,} 人。")
        if self.roll.status != "PAID":
            text += "请核实补齐后重新生成花名册。"
        if len(problems) > MAX_PROBLEMS_SHOWN:
            text += f"这里列出前 {MAX_PROBLEMS_SHOWN} 人，全部名单请“导出名单”。"
        self.problem_note.setText(text)
        names = self._township_names()
        for p in problems[:MAX_PROBLEMS_SHOWN]:
            cells = [QStandardItem(p.name), QStandardItem(p.id_number),
                     QStandardItem(names.get(p.township_code, p.township_code)), QStandardItem(p.where_label),
                     QStandardItem(money(p.amount) if p.amount is not None else "—"), QStandardItem(p.problem)]
            cells[4].setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            cells[5].setToolTip(p.problem)
            if not p.on_roll:
                cells[3].setForeground(PROBLEM_COLOR)
            self.problem_model.appendRow(cells)

    def _township_names(self) -> dict[str, str]:
        if self.totals is None:
            return {}
        return {t.code: t.name for t in self.totals.townships}

    # -- build ---------------------------------------------------------------------------------
    def build(self):
        from core.subsidy.payroll import build_roll, roll_totals
        program, period, ctx = self.program(), self.period(), self.ctx
        if not program:
            return None
        show_inline(self.message, None)

        def work(progress):
            progress(0, 0, "正在计算……")
            with ctx.db.session(ctx.actor) as s:
                summary = build_roll(s, ctx.actor, program, period)
                return summary, roll_totals(s, summary.id, actor=ctx.actor)

        def done(result) -> None:
            self._show(*result)
            self.load_problems()

        def failed(error: BaseException) -> None:
            if isinstance(error, UserFacingError):
                show_inline(self.message, error.message)
            show_error(self, error, "不能生成发放花名册")
        return run_op(self, work, on_done=done, on_failed=failed, label="正在生成发放花名册……")

    # -- bank file -----------------------------------------------------------------------------
    def bank_file_dialog(self) -> None:
        if self.roll is None:
            return
        start = documents_dir() / f"银行代发-{self.roll.program_name}-{self.roll.period_label}.xlsx"
        path, chosen = QFileDialog.getSaveFileName(self, "导出银行代发文件", str(start),
                                                   "Excel 工作簿 (*.xlsx);;CSV 文件（银行导入用） (*.csv)")
        if not path:
            return
        if not path.lower().endswith((".xlsx", ".csv")):
            path += ".csv" if "csv" in chosen.lower() else ".xlsx"
        self.export_bank_file(Path(path))

    def export_bank_file(self, path: Path):
        from core.subsidy.bank_file import write_bank_file
        if self.roll is None:
            return None
        roll_id, ctx = self.roll.id, self.ctx

        def work(_progress):
            with ctx.db.session(ctx.actor) as s:
                return write_bank_file(s, ctx.actor, roll_id, path)

        def done(result) -> None:
            self.last_bank_file = result
            text = f"已导出银行文件：{result.path}（{result.rows:,} 人，合计 {money(result.total)} 元）"
            if result.skipped:
                shown = "、".join(result.skipped[:10]) + ("……" if len(result.skipped) > 10 else "")
                text += f"。无银行账号未写入 {len(result.skipped)} 人：{shown}"
            self.bank_result.setText(text)
        return run_op(self, work, on_done=done, label="正在导出银行文件……")

    # -- the people who need a look, exported ------------------------------------------------------
    def problems_dialog(self) -> None:
        if self.roll is None:
            return
        start = documents_dir() / f"需要处理的人-{self.roll.program_name}-{self.roll.period_label}.xlsx"
        path, _ = QFileDialog.getSaveFileName(self, "导出需要处理的人", str(start), "Excel 工作簿 (*.xlsx)")
        if path:
            self.export_problems(Path(path if path.lower().endswith(".xlsx") else path + ".xlsx"))

    def export_problems(self, path: Path):
        from core.returns.model import RenderCancelled
        from core.subsidy.payroll import write_roll_problems
        if self.roll is None:
            return None
        roll_id, ctx = self.roll.id, self.ctx

        def work(progress):
            try:
                with ctx.db.session(ctx.actor) as s:
                    rows = write_roll_problems(s, ctx.actor, roll_id, path,
                                               progress=lambda done: progress(done, 0, f"已写入 {done:,} 人……"))
            except RenderCancelled:
                return None
            return path, rows

        def done(result) -> None:
            if result is None:
                self.problems_result.setText("已取消导出，没有生成文件。")
                return
            self.last_problems_file, rows = result
            self.problems_result.setText(f"已导出需要处理的人：{self.last_problems_file}（{rows:,} 人）")
        return run_op(self, work, on_done=done, label="正在导出需要处理的人……", cancellable=True)

    # -- paid ----------------------------------------------------------------------------------
    def mark_paid_dialog(self):
        if self.roll is None:
            return None
        paid_on = self.paid_date.date().toPython()
        missing = self.totals.without_account if self.totals else 0
        extra = f"\n\n注意：其中 {missing} 人无银行账号。" if missing else ""
        answer = QMessageBox.question(
            self, "标记为已发放",
            f"确认“{self.roll.program_name}”{self.roll.period_label}的扶助金已于 {paid_on:%Y-%m-%d} 发放"
            f"（{self.roll.people:,} 人，{money(self.roll.total)} 元）？\n\n标记后花名册锁定，不能再修改或重新生成。{extra}",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            return None
        return self.mark_paid(paid_on, accept_problems=True)

    def mark_paid(self, paid_on: date, accept_problems: bool = False):
        from core.subsidy.payroll import mark_paid, roll_totals
        roll_id, ctx = self.roll.id, self.ctx

        def work(_progress):
            with ctx.db.session(ctx.actor) as s:
                summary = mark_paid(s, ctx.actor, roll_id, paid_on, accept_problems=accept_problems)
                return summary, roll_totals(s, roll_id, actor=ctx.actor)

        def done(result) -> None:
            self._show(*result)
            self.load_problems()
            ctx.changes.changed.emit("subsidy_payment")
        return run_op(self, work, on_done=done, label="正在标记为已发放……")

    def _return_request(self) -> tuple[str, str] | None:
        if not self.program() or self.roll is None:
            return None
        return self.period(), self.program()
