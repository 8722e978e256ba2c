"""妇幼月报: the area's page — 月报录入, 审核, 完整性, 指标图表 — and the entry tab itself.

Tabs are declared in ``TABS`` (module and class, built with the ``AppContext``); a tab that fails to
load shows an honest placeholder and the others keep working. After a change the other tabs are
marked stale and reload when shown, so a value typed in 月报录入 never reloads the grid being typed in.
"""
from __future__ import annotations


from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QMessageBox, QPushButton, QTabWidget, QVBoxLayout, QWidget

from core.access import Permission
from core.errors import UserFacingError
from core.mch import rules, workflow
from gui.context import AppContext
from gui.mch import MonthCombo, actor_townships, available_return, month_label, preview_return
from gui.mch.entry_grid import MonthSheet, MonthSnapshot
from gui.operations import show_error
from gui.table_models import local_time_text
from gui.tabbed_page import TabSpec, add_tabs

FORM_RETURN = "MCH-FORM"

STATE_STYLES = {
    "OPEN": "background: #eef3fb; color: #1f4e8c;",
    "SUBMITTED": "background: #e8f0ff; color: #1f4e8c;",
    "APPROVED": "background: #e3f4e6; color: #1b6b2c;",
    "RETURNED": "background: #fff4d6; color: #8a5300;",
}


def state_text(state: workflow.ReportState) -> str:
    text = f"状态：{state.label}"
    if state.status == "SUBMITTED" and state.submitted_at:
        text += f"（{state.submitted_by} 于 {local_time_text(state.submitted_at)[:16]} 上报，等待审核）"
    elif state.status == "APPROVED" and state.approved_at:
        text += f"（{state.approved_by} 于 {local_time_text(state.approved_at)[:16]} 审核通过）"
    elif state.status == "RETURNED" and state.returned_reason:
        text += f"：{state.returned_reason}"
    return text


def form_spec():
    """The MCH-FORM return (the filled form of one township-month) when it is enabled, else None."""
    return available_return(FORM_RETURN)


class EntryView(QWidget):
    """月报录入: choose month and township, fill the grid, submit, print the filled form."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.preview = None
        self.month_combo = MonthCombo()
        self.town_combo = QComboBox()
        self.town_combo.setMinimumContentsLength(10)
        self.state_label = QLabel()
        self.state_label.setWordWrap(True)
        self.submit_button = QPushButton("上报(&S)")
        self.submit_button.setToolTip("把本月月报交审核员审核：有错误不能上报，警告须先填写说明")
        self.submit_button.clicked.connect(self.submit)
        self.print_button = QPushButton("打印本月报表(&P)")
        self.print_button.clicked.connect(self.print_form)
        print_key = QAction(self)
        print_key.setShortcut(QKeySequence("Ctrl+P"))
        print_key.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        print_key.triggered.connect(lambda: self.print_button.isEnabled() and self.print_form())
        self.addAction(print_key)

        month_title = QLabel("月份(&M)：")
        month_title.setBuddy(self.month_combo)
        town_title = QLabel("乡镇(&T)：")
        town_title.setBuddy(self.town_combo)
        bar = QHBoxLayout()
        bar.addWidget(month_title)
        bar.addWidget(self.month_combo)
        bar.addSpacing(8)
        bar.addWidget(town_title)
        bar.addWidget(self.town_combo)
        bar.addSpacing(12)
        bar.addWidget(self.state_label, 1)
        bar.addWidget(self.submit_button)
        bar.addWidget(self.print_button)

        self.sheet = MonthSheet(ctx, self)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.sheet, 1)

        self._fill_towns()
        self.month_combo.currentIndexChanged.connect(lambda _i: self.load())
        self.town_combo.currentIndexChanged.connect(lambda _i: self.load())
        self.load()

    # choosing
    def _fill_towns(self) -> None:
        chosen = self.town_combo.currentData()
        try:
            with self.ctx.db.session(self.ctx.actor) as s:
                towns = actor_townships(s, self.ctx.actor)
        except UserFacingError as e:
            self.sheet.show_message(e.message, error=True)
            towns = []
        self.town_combo.blockSignals(True)
        self.town_combo.clear()
        for t in towns:
            self.town_combo.addItem(t.name, t.code)
        self.town_combo.setCurrentIndex(max(0, self.town_combo.findData(chosen)))
        self.town_combo.blockSignals(False)

    def township(self) -> str | None:
        return self.town_combo.currentData()

    def period(self) -> str:
        return self.month_combo.period()

    def choose(self, township: str, period: str) -> None:
        """Show a township-month (tests and other screens)."""
        self.town_combo.blockSignals(True)
        self.town_combo.setCurrentIndex(max(0, self.town_combo.findData(township)))
        self.town_combo.blockSignals(False)
        self.month_combo.blockSignals(True)
        self.month_combo.set_period(period)
        self.month_combo.blockSignals(False)
        self.load()

    # loading
    def refresh(self) -> None:
        self._fill_towns()
        self.load()

    def load(self) -> MonthSnapshot | None:
        town = self.township()
        if not town:
            self.sheet.clear("没有可以填报的乡镇（街道）：当前用户未分配乡镇，或尚未导入组织机构。")
            self._show_state(None)
            return None
        snap = self.sheet.show_month(town, self.period())
        self._show_state(snap)
        return snap

    def _show_state(self, snap: MonthSnapshot | None) -> None:
        if snap is None:
            self.state_label.clear()
            self.state_label.setStyleSheet("")
            self.submit_button.setEnabled(False)
            self.print_button.setEnabled(False)
            return
        st = snap.state
        self.state_label.setText(state_text(st))
        self.state_label.setStyleSheet(f"QLabel {{ {STATE_STYLES[st.status]} padding: 4px 8px; border-radius: 3px; }}")
        may = self.ctx.actor.can(Permission.EDIT_DATA) and self.ctx.actor.may_edit_township(snap.township)
        self.submit_button.setEnabled(may and st.status in ("OPEN", "RETURNED"))
        spec = form_spec()
        self.print_button.setEnabled(spec is not None and self.ctx.actor.can(Permission.PRINT_RETURNS))
        self.print_button.setToolTip("打印预览本乡镇本月填报的月报表（Ctrl+P）" if spec is not None
                                     else f"月报表（{FORM_RETURN}）尚未启用，暂不能打印。")

    # submitting
    def submit(self) -> bool:
        snap = self.sheet.snapshot
        if snap is None or not self.submit_button.isEnabled():
            return False
        town_name = self.town_combo.currentText()
        question = f"上报 {town_name} {month_label(snap.period)} 的月报？\n上报后不能再修改，除非审核员退回。"
        if QMessageBox.question(self, "上报月报", question) != QMessageBox.StandardButton.Yes:
            return False
        try:
            with self.ctx.db.session(self.ctx.actor) as s:
                workflow.submit(s, self.ctx.actor, snap.township, snap.period, check=rules.check_month)
        except UserFacingError as e:
            self.load()
            self.sheet.show_message(f"未能上报：{e.message}", error=True)
            show_error(self, e, "未能上报")
            return False
        self.ctx.changes.changed.emit("mch_report")
        self.load()
        self.sheet.show_message(f"已上报 {town_name} {month_label(snap.period)} 的月报，等待审核。", error=False)
        return True

    # printing
    def print_form(self):
        spec = form_spec()
        snap = self.sheet.snapshot
        if spec is None or snap is None:
            return None
        name = self.town_combo.currentText()
        return preview_return(self, self.ctx, spec, snap.period, snap.township, name,
                              f"{spec.title} {name} {month_label(snap.period)}")


TABS: list[TabSpec] = [
    TabSpec("月报录入", "gui.mch.mch_page:EntryView"),
    TabSpec("审核", "gui.mch.review_view:ReviewView"),
    TabSpec("完整性", "gui.mch.completeness_view:CompletenessView"),
    TabSpec("指标图表", "gui.mch.charts_view:ChartsView"),
]


class MchPage(QWidget):
    help_topic = "mch"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.tabs = QTabWidget()
        self._stale: set[str] = set()
        self.pages = add_tabs(self.ctx, self.tabs, TABS, self.help_topic)
        self.dataset_dialog = None
        self.dataset_button = QPushButton("数据项与审核规则…")
        self.dataset_button.setToolTip("月报的数据项和审核规则（管理员可新增、修改）")
        self.dataset_button.clicked.connect(self.open_dataset)
        self.tabs.setCornerWidget(self.dataset_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        self.tabs.currentChanged.connect(lambda _i: self._refresh_if_stale())
        ctx.changes.changed.connect(self._on_changed)

    @property
    def entry(self) -> EntryView:
        return self.pages["月报录入"]  # type: ignore[return-value]

    @property
    def review(self):
        return self.pages["审核"]

    @property
    def completeness(self):
        return self.pages["完整性"]

    @property
    def charts(self):
        return self.pages["指标图表"]


    def current_title(self) -> str:
        return self.tabs.tabText(self.tabs.currentIndex())

    def show_tab(self, title: str) -> QWidget:
        self.tabs.setCurrentWidget(self.pages[title])
        return self.pages[title]

    def _on_changed(self, what: str) -> None:
        if what == "mch_value":          # typed in 月报录入: the grid being typed in stays as it is
            self._stale |= set(self.pages) - {self.current_title()}
        elif what.startswith("mch") or what in ("org_unit", "all"):
            self._stale |= set(self.pages)
            self._refresh_if_stale()

    def _refresh_if_stale(self) -> None:
        title = self.current_title()
        if title in self._stale:
            self._stale.discard(title)
            page = self.pages[title]
            if hasattr(page, "refresh"):
                page.refresh()

    def open_dataset(self) -> None:
        from gui.mch.dataset_dialog import DatasetDialog
        self.dataset_dialog = DatasetDialog(self.ctx, self)
        self.dataset_dialog.finished.connect(lambda _r: setattr(self, "dataset_dialog", None))
        self.dataset_dialog.open()

    def refresh(self) -> None:
        """F5: reload the tab shown; the others reload when next shown."""
        self._stale |= set(self.pages)
        self._refresh_if_stale()
