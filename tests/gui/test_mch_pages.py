"""妇幼月报 screens through the widgets: a month typed in with the keyboard (checked in the database
in a fresh session), a refused value, comments, submit as a clerk, approve / return / unlock as a
supervisor, the locked grid, the completeness table and to-do panel, and the indicator charts with
numbers worked out by hand."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QAbstractItemView, QLineEdit
from sqlalchemy import select

from core.errors import PermissionDenied
from core.mch import values, workflow
from gui.context import AppContext
from gui.mch.entry_grid import COL_VALUE

pytestmark = pytest.mark.gui

T1, T2 = "220322100", "220322101"          # 梨树镇, 郭家店镇
MONTH = "202609"


def make_ctx(db, actor) -> AppContext:
    return AppContext(db=db, actor=actor, county_code="220322", county_name="梨树县")


def open_page(qtbot, db, actor):
    from gui.mch.mch_page import MchPage
    page = MchPage(make_ctx(db, actor))
    qtbot.addWidget(page)
    page.resize(1200, 760)
    page.show()
    qtbot.waitExposed(page)
    page.activateWindow()
    return page


def put(db, actor, town, period, comments=None, **counts):
    """Counts saved through core: LIVE_BIRTHS__MALE=12 → MCH_LIVE_BIRTHS / MALE."""
    with db.session(actor) as s:
        for key, v in counts.items():
            element, _, option = key.partition("__")
            code = "MCH_" + element
            values.save_value(s, actor, town, period, code, option, v, comment=(comments or {}).get(code))


def stored(db, town=T1, period=MONTH) -> dict[tuple[str, str], str]:
    with db.session() as s:
        return {k: v.text for k, v in values.month_values(s, town, period).items()}


def state_of(db, town=T1, period=MONTH) -> workflow.ReportState:
    with db.session() as s:
        return workflow.state(s, town, period)


def editor_of(table) -> QLineEdit:
    editors = [w for w in table.viewport().findChildren(QLineEdit) if w.isVisible()]
    assert len(editors) == 1, "one cell editor should be open"
    return editors[0]


def type_cell(qtbot, table, text: str) -> None:
    """What a clerk does: type the digits on the selected cell (the first starts the editor), Enter."""
    qtbot.keyClick(table, text[0])
    editor = editor_of(table)
    qtbot.keyClicks(editor, text[1:])
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: table.state() != QAbstractItemView.State.EditingState)


def current_label(sheet) -> str:
    return sheet.model.row_at(sheet.table.currentIndex().row()).label


def click_cell(qtbot, table, index) -> None:
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualRect(index).center())


# -- entry ----------------------------------------------------------------------------------------------

def test_fill_a_month_with_the_keyboard(qtbot, db, clerk):
    page = open_page(qtbot, db, clerk)
    entry = page.entry
    entry.choose(T1, MONTH)
    sheet, table = entry.sheet, entry.sheet.table
    assert entry.town_combo.currentText() == "梨树镇" and entry.month_combo.currentText() == "2026年9月"
    assert "填报中" in entry.state_label.text() and not sheet.read_only

    first = sheet.model.value_index(("MCH_LIVE_BIRTHS", "MALE"))
    click_cell(qtbot, table, first)
    assert table.currentIndex() == first and current_label(sheet) == "活产数（男）"
    typed = ["12", "10", "23", "22", "15"]           # 男, 女, (合计 skipped), 产妇, 住院分娩, 早孕建册
    for text in typed:
        type_cell(qtbot, table, text)
    assert current_label(sheet) == "孕产妇系统管理人数"   # Enter went down past the computed 合计
    assert sheet.model.index(sheet.model.row_of(("MCH_LIVE_BIRTHS", "")), COL_VALUE).data() == "22"
    assert not sheet.model.flags(sheet.model.value_index(("MCH_LIVE_BIRTHS", ""))) & Qt.ItemFlag.ItemIsEditable

    # Tab goes to the next value, Shift+Tab back; Delete clears (comment-free: the value row goes)
    qtbot.keyClick(table, Qt.Key.Key_Tab)
    assert current_label(sheet) == "产后访视人数"
    qtbot.keyClick(table, Qt.Key.Key_Backtab)
    qtbot.keyClick(table, Qt.Key.Key_Backtab)
    assert current_label(sheet) == "早孕建册人数"
    qtbot.keyClick(table, Qt.Key.Key_Delete)
    assert sheet.model.index(table.currentIndex().row(), COL_VALUE).data() == ""

    assert stored(db) == {("MCH_LIVE_BIRTHS", "MALE"): "12", ("MCH_LIVE_BIRTHS", "FEMALE"): "10",
                          ("MCH_DELIVERIES", ""): "23", ("MCH_HOSPITAL_DELIVERIES", ""): "22",
                          ("MCH_EARLY_REGISTERED", ""): ""}
    assert "检查结果：未发现问题" in sheet.findings_title.text()
    # -2 means "not carried out here": stored as such, shown in words
    sheet.select_value(("MCH_CERVICAL_SCREENED", ""))
    type_cell(qtbot, table, "-2")
    assert stored(db)[("MCH_CERVICAL_SCREENED", "")] == "-2"
    assert sheet.model.index(sheet.model.row_of(("MCH_CERVICAL_SCREENED", "")), COL_VALUE).data() == "未开展"


def test_a_bad_value_is_explained_and_nothing_is_saved(qtbot, db, clerk):
    put(db, clerk, T1, MONTH, LIVE_BIRTHS__MALE=12)
    page = open_page(qtbot, db, clerk)
    entry = page.entry
    entry.choose(T1, MONTH)
    sheet, table = entry.sheet, entry.sheet.table
    sheet.select_value(("MCH_LIVE_BIRTHS", "FEMALE"))
    type_cell(qtbot, table, "-3")
    assert "不能是负数" in sheet.message.text() and "未开展此项工作请填 -2" in sheet.message.text()
    assert current_label(sheet) == "活产数（女）"               # stays on the refused cell
    assert sheet.model.index(table.currentIndex().row(), COL_VALUE).data() == ""
    assert stored(db) == {("MCH_LIVE_BIRTHS", "MALE"): "12"}   # nothing half-saved

    sheet.select_value(("MCH_LIVE_BIRTHS", "MALE"))            # a saved value reverts to what is stored
    type_cell(qtbot, table, "1.5")
    assert "不是整数" in sheet.message.text()
    assert sheet.model.index(table.currentIndex().row(), COL_VALUE).data() == "12"
    assert stored(db) == {("MCH_LIVE_BIRTHS", "MALE"): "12"}
    type_cell(qtbot, table, "13")                              # then a good one goes through
    assert sheet.message.text() == "已保存：活产数（男） = 13"
    assert stored(db) == {("MCH_LIVE_BIRTHS", "MALE"): "13"}


def test_findings_highlight_cells_and_comments_explain_warnings(qtbot, db, clerk):
    put(db, clerk, T1, MONTH, LIVE_BIRTHS__MALE=12, LIVE_BIRTHS__FEMALE=10, DELIVERIES=22, HOSPITAL_DELIVERIES=22)
    page = open_page(qtbot, db, clerk)
    entry = page.entry
    entry.choose(T1, MONTH)
    sheet, table = entry.sheet, entry.sheet.table
    # an error: more hospital deliveries than live births, typed in
    sheet.select_value(("MCH_HOSPITAL_DELIVERIES", ""))
    type_cell(qtbot, table, "30")
    errors = [f for f in sheet.finding_rows() if f.importance == "ERROR"]
    assert [f.rule_code for f in errors] == ["HOSPITAL_LE_LIVE_BIRTHS"]
    hospital = sheet.model.value_index(("MCH_HOSPITAL_DELIVERIES", ""))
    assert hospital.data(Qt.ItemDataRole.BackgroundRole).color().name() == "#f8c9ce"          # red
    assert "住院分娩活产数（30）不能大于活产数（22）" in hospital.data(Qt.ItemDataRole.ToolTipRole)
    assert "错误 1 处" in sheet.findings_title.text()

    assert not entry.submit()                                       # errors block submission
    assert "1 处错误" in sheet.message.text() and state_of(db).status == "OPEN"

    sheet.select_value(("MCH_HOSPITAL_DELIVERIES", ""))
    type_cell(qtbot, table, "22")
    sheet.select_value(("MCH_MATERNAL_DEATHS", ""))                 # a warning: needs a comment
    type_cell(qtbot, table, "1")
    death = sheet.model.value_index(("MCH_MATERNAL_DEATHS", ""))
    assert death.data(Qt.ItemDataRole.BackgroundRole).color().name() == "#ffe3a3"            # amber
    assert [finding.commented for finding in sheet.finding_rows()] == [False]
    assert not entry.submit()
    assert "警告没有说明" in sheet.message.text() and state_of(db).status == "OPEN"

    sheet.select_value(("MCH_MATERNAL_DEATHS", ""))
    qtbot.keyClick(table, Qt.Key.Key_F2, Qt.KeyboardModifier.ShiftModifier)   # 填写说明…
    dialog = sheet.active_dialog
    assert dialog is not None and "有孕产妇死亡（1 例）" in dialog.why.text()
    dialog.editor.setPlainText("产妇转诊县医院后死亡，已上报县妇幼保健院核实。")
    dialog.accept()
    with db.session() as s:
        cell = values.month_values(s, T1, MONTH)[("MCH_MATERNAL_DEATHS", "")]
    assert cell.text == "1" and cell.comment == "产妇转诊县医院后死亡，已上报县妇幼保健院核实。"
    assert sheet.findings_model.index(0, 2).data() == "已说明"
    assert sheet.model.index(death.row(), 4).data() == "产妇转诊县医院后死亡，已上报县妇幼保健院核实。"
    assert entry.submit()
    assert state_of(db).status == "SUBMITTED" and state_of(db).submitted_by == "clerk"


def _submitted_month(db, clerk):
    put(db, clerk, T1, MONTH, LIVE_BIRTHS__MALE=12, LIVE_BIRTHS__FEMALE=10, DELIVERIES=22, HOSPITAL_DELIVERIES=22,
        MATERNAL_DEATHS=1, comments={"MCH_MATERNAL_DEATHS": "已核实：羊水栓塞，县医院死亡"})


def test_submit_as_clerk_approve_as_supervisor_and_the_locked_grid(qtbot, db, clerk, supervisor):
    _submitted_month(db, clerk)
    page = open_page(qtbot, db, clerk)
    entry = page.entry
    entry.choose(T1, MONTH)
    assert entry.submit_button.isEnabled()
    qtbot.mouseClick(entry.submit_button, Qt.MouseButton.LeftButton)
    st = state_of(db)
    assert st.status == "SUBMITTED" and st.submitted_by == "clerk"
    assert entry.state_label.text().startswith("状态：已上报（clerk 于 ")
    assert entry.sheet.read_only and not entry.submit_button.isEnabled()
    review = page.review                                           # a clerk may not approve
    review.set_period(MONTH)
    review.select(T1)
    assert not review.approve_button.isEnabled() and not review.return_button.isEnabled()

    boss = open_page(qtbot, db, supervisor)
    review = boss.show_tab("审核")
    review.set_period(MONTH)
    assert review.current_row().code == T1                         # the submitted one comes first
    assert "已上报待审核 1 个" in review.summary.text() and "未上报 23 个" in review.summary.text()
    review.filter_combo.setCurrentIndex(1)                         # 待审核 only
    assert [r.code for r in review.rows()] == [T1]
    assert review.sheet.read_only and review.sheet.model.raw_text(("MCH_DELIVERIES", "")) == "22"
    assert review.sheet_title.text() == "梨树镇 2026年9月（已上报，只读）"
    assert [(f.rule_code, f.commented) for f in review.sheet.finding_rows()] == [("MATERNAL_DEATH_CONFIRM", True)]
    assert review.sheet.findings_model.index(0, 2).data() == "已说明"
    qtbot.mouseClick(review.approve_button, Qt.MouseButton.LeftButton)
    st = state_of(db)
    assert st.status == "APPROVED" and st.approved_by == "super"
    assert review.rows() == []                                     # nothing left waiting
    review.filter_combo.setCurrentIndex(0)
    review.select(T1)
    assert review.current_row().state.status == "APPROVED" and review.unlock_button.isEnabled()

    # the clerk's grid, reloaded, is locked: not editable, typing opens no editor, core refuses
    entry.load()
    assert "已审核（锁定）" in entry.state_label.text()
    sheet, table = entry.sheet, entry.sheet.table
    index = sheet.model.value_index(("MCH_DELIVERIES", ""))
    assert not sheet.model.flags(index) & Qt.ItemFlag.ItemIsEditable
    assert "已审核锁定，不能修改" in sheet.message.text()
    table.setCurrentIndex(index)
    qtbot.keyClick(table, "9")
    assert table.state() != QAbstractItemView.State.EditingState
    assert not sheet.model.setData(index, "99")
    with pytest.raises(PermissionDenied, match="已审核锁定"):
        with db.session(clerk) as s:
            values.save_value(s, clerk, T1, MONTH, "MCH_DELIVERIES", "", "99")
    assert stored(db)[("MCH_DELIVERIES", "")] == "22"


def test_return_needs_a_reason_and_unlock_reopens(qtbot, db, clerk, supervisor):
    _submitted_month(db, clerk)
    with db.session(clerk) as s:
        workflow.submit(s, clerk, T1, MONTH)
    page = open_page(qtbot, db, supervisor)
    review = page.show_tab("审核")
    review.set_period(MONTH)
    review.select(T1)
    dialog = review.return_dialog()
    assert dialog is not None and not dialog.ok.isEnabled()          # no reason: cannot confirm
    dialog.editor.setPlainText("产妇数与住院分娩数请与医院核对")
    assert dialog.ok.isEnabled()
    dialog.accept()
    st = state_of(db)
    assert st.status == "RETURNED" and st.returned_reason == "产妇数与住院分娩数请与医院核对"
    entry = page.show_tab("月报录入")
    entry.choose(T1, MONTH)
    assert entry.state_label.text() == "状态：已退回：产妇数与住院分娩数请与医院核对"
    assert not entry.sheet.read_only and entry.submit_button.isEnabled()

    with db.session(clerk) as s:
        workflow.submit(s, clerk, T1, MONTH)
    with db.session(supervisor) as s:
        workflow.approve(s, supervisor, T1, MONTH)
    review = page.show_tab("审核")
    review.refresh()
    review.select(T1)
    assert review.unlock_button.isEnabled() and not review.approve_button.isEnabled()
    dialog = review.unlock_dialog()
    dialog.editor.setPlainText("市里要求补报两病筛查")
    dialog.accept()
    st = state_of(db)
    assert st.status == "RETURNED" and st.returned_reason == "解锁：市里要求补报两病筛查"
    entry = page.show_tab("月报录入")
    assert not entry.sheet.read_only                                  # reloaded when shown again


# -- completeness ---------------------------------------------------------------------------------------

def _submit_at(db, clerk, town, period, when: datetime) -> None:
    from db.models.mch import MonthReport
    with db.session(clerk) as s:
        workflow.submit(s, clerk, town, period)
        report = s.execute(select(MonthReport).where(MonthReport.township_code == town,
                                                     MonthReport.period == period)).scalar_one()
        report.submitted_at = when                                   # stored as naive UTC


def test_completeness_table_and_todo_panel(qtbot, db, clerk):
    _submit_at(db, clerk, T1, "202601", datetime(2026, 2, 3, 2, 0))    # due 5 Feb: on time
    _submit_at(db, clerk, T1, "202602", datetime(2026, 3, 9, 2, 0))    # due 5 Mar: late
    page = open_page(qtbot, db, clerk)
    view = page.show_tab("完整性")
    view.as_of = date(2026, 4, 20)
    view.year_spin.setValue(2026)
    view.refresh()
    m = view.model
    assert [m.status(T1, k) for k in range(1, 6)] == ["及时", "迟报", "未报", "待报", ""]
    assert [m.status(T2, k) for k in range(1, 5)] == ["未报", "未报", "未报", "待报"]
    row = next(r for r in m.rows() if r.code == T1)
    assert (row.expected, row.submitted, row.on_time) == (3, 2, 1)
    t1 = [r.code for r in m.rows()].index(T1)
    assert [m.index(t1, c).data() for c in range(13, 18)] == ["3", "2", "1", "66.67%", "33.33%"]
    total = m.rowCount() - 1
    assert m.index(total, 0).data() == "合计" and m.index(total, 13).data() == "72"   # 24 townships × 3
    assert m.index(total, 16).data() == "2.78%"                                      # 2 / 72
    assert m.index(t1, 2).data(Qt.ItemDataRole.ToolTipRole) == "梨树镇 2026年2月：上报晚于截止日（截止 2026年3月5日）"

    from gui.mch.completeness_view import MchTodoPanel
    panel = MchTodoPanel(make_ctx(db, clerk))
    qtbot.addWidget(panel)
    panel.as_of = date(2026, 4, 20)
    panel.refresh()
    assert panel.summary.text() == "未报 70 个，待报 0 个，迟报 1 个"              # 23 × 3 + 1 missing
    assert panel.list.count() == 51                                                 # 50 shown + "另有"
    late = [i for i in panel.items if i.status == "LATE"]
    assert [i.label for i in late] == ["梨树镇 2026年2月月报迟报 4 天"]
    opened = []
    panel.open_month.connect(lambda town, period: opened.append((town, period)))
    panel.list.itemActivated.emit(panel.list.item(0))
    assert opened == [(panel.items[0].township_code, panel.items[0].period)]


# -- charts ---------------------------------------------------------------------------------------------

def test_township_trend_and_townships_side_by_side(qtbot, db, admin, tmp_path):
    # 梨树镇: Jan 200 births, 1 infant death → 5.00 ‰; Feb births but no death count → "—" (gap);
    # Mar 150 births, 2 infant deaths → 13.33 ‰.  郭家店镇: Jan 50 births, 0 deaths.
    put(db, admin, T1, "202601", LIVE_BIRTHS__MALE=100, LIVE_BIRTHS__FEMALE=100, INFANT_DEATHS=1)
    put(db, admin, T1, "202602", LIVE_BIRTHS__MALE=50, LIVE_BIRTHS__FEMALE=50)
    put(db, admin, T1, "202603", LIVE_BIRTHS__MALE=80, LIVE_BIRTHS__FEMALE=70, INFANT_DEATHS=2)
    put(db, admin, T2, "202601", LIVE_BIRTHS__MALE=20, LIVE_BIRTHS__FEMALE=30, INFANT_DEATHS=0)
    page = open_page(qtbot, db, admin)
    charts = page.show_tab("指标图表")
    charts.choose(indicator="INFANT_MORTALITY", mode="trend", period="2026Q1", township=T1)
    assert [p.label for p in charts.points] == ["1月", "2月", "3月"]
    assert [p.value for p in charts.points] == [Decimal("5.00"), None, Decimal("13.33")]
    lines = [s for s in charts.chart.series() if type(s).__name__ == "QLineSeries"]
    assert len(lines) == 2                                           # the gap splits the line
    assert charts.dots() == [(0.0, 5.0, "5.00"), (2.0, 13.33, "13.33")]
    assert charts.chart.title() == "梨树镇 婴儿死亡率 逐月趋势（2026年第1季度）"
    axis_titles = {a.titleText() for a in charts.chart.axes()}
    assert axis_titles == {"月份", "婴儿死亡率（‰）"}
    assert "可计算 2 个月" in charts.note.text() and "2月" in charts.note.text()

    # the county: summed counts, not averaged rates — Jan (1 + 0) / (200 + 50) × 1000 = 4.00
    charts.choose(township=None)
    assert charts.points[0].value == Decimal("4.00") and charts.points[2].value == Decimal("13.33")

    # townships side by side over 2026Q1: 梨树镇 3 / 450 × 1000 = 6.67, 郭家店镇 0 / 50 = 0.00,
    # the county 3 / 500 × 1000 = 6.00; the 22 townships with no births are left out, not drawn as 0
    charts.choose(mode="townships")
    shown = {p.label: p.value for p in charts.plotted()}
    assert shown == {"梨树镇": Decimal("6.67"), "郭家店镇": Decimal("0.00")}
    assert charts.county_value == Decimal("6.00")
    bars = charts.chart.series()[0].barSets()[0]
    assert [bars.at(i) for i in range(bars.count())] == [0.0, 6.67]    # smallest at the bottom
    names = next(a for a in charts.chart.axes() if type(a).__name__ == "QBarCategoryAxis").categories()
    assert names == ["郭家店镇  0.00", "梨树镇  6.67"]
    assert charts.chart.title() == "各乡镇 婴儿死亡率（2026年第1季度）  全县 6.00‰"
    assert charts.note.text().startswith("2 个乡镇可计算") and "白山乡" in charts.note.text()

    # any period code: the October statistical year and a month range
    charts.choose(mode="trend", period="2025Oct", township=T1)
    assert len(charts.points) == 12 and charts.points[3].label == "2026.01"
    assert charts.points[3].value == Decimal("5.00")
    charts.choose(period="202601..202603")
    assert len(charts.plotted()) == 2
    charts.period_edit.setText("2026Q5")
    assert charts.period_error.isVisible() and "无法识别" in charts.period_error.text()

    out = tmp_path / "trend.png"
    charts.period_edit.setText("2026Q1")
    assert charts.save_image(out)
    image = QImage(str(out))
    assert out.stat().st_size > 5000 and image.width() > 600 and image.height() > 300


def test_print_the_filled_form_and_the_completeness_return(qtbot, db, clerk):
    _submitted_month(db, clerk)
    page = open_page(qtbot, db, clerk)
    entry = page.entry
    entry.choose(T1, MONTH)
    assert entry.print_button.isEnabled()
    entry.print_form()
    qtbot.waitUntil(lambda: entry.preview is not None, timeout=30_000)
    assert entry.preview.windowTitle() == "打印预览 — 妇幼健康月报（乡镇） 梨树镇 2026年9月"
    entry.preview.reject()
    view = page.show_tab("完整性")
    assert view.print_button.isEnabled()
    view.print_return()
    qtbot.waitUntil(lambda: view.preview is not None, timeout=30_000)
    assert "报表完整性与及时性" in view.preview.windowTitle()
    view.preview.reject()


def test_page_tabs_and_help_topic(qtbot, db, admin):
    page = open_page(qtbot, db, admin)
    assert [page.tabs.tabText(i) for i in range(page.tabs.count())] == ["月报录入", "审核", "完整性", "指标图表"]
    assert page.help_topic == "mch"
    from core.resources import resource_path
    text = (resource_path("help") / "mch.html").read_text(encoding="utf-8")
    assert "datavalues import" in text and "孕产妇死亡率" in text


def test_a_clerk_limited_to_one_township_sees_only_it(qtbot, db):
    from core.access import Actor, Role
    limited = Actor("wang", "王淑珍", Role.CLERK, townships=frozenset({T2}))
    page = open_page(qtbot, db, limited)
    entry = page.entry
    assert [entry.town_combo.itemText(i) for i in range(entry.town_combo.count())] == ["郭家店镇"]
    assert entry.month_combo.currentData() == entry.month_combo.itemData(1)     # last month by default
    assert [r.code for r in page.show_tab("审核").rows()] == [T2]
    charts = page.show_tab("指标图表")
    assert [charts.unit_combo.itemText(i) for i in range(charts.unit_combo.count())] == ["所辖乡镇合计", "郭家店镇"]
