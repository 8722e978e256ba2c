"""指标图表 (QtCharts): an indicator's month-by-month trend for the county or one township, and the
townships side by side for a period. Every number comes from core (``core.mch.indicator_series``:
summed counts, the rate from the sums — never an average of rates). A month or township whose rate
cannot be computed ("—") is left out: a gap in the line, a name in the note under the bars — never
drawn as 0.
"""
from __future__ import annotations

import math
from decimal import Decimal
from pathlib import Path

from PySide6.QtCharts import (QBarCategoryAxis, QBarSet, QChart, QChartView, QHorizontalBarSeries, QLineSeries,
                              QScatterSeries, QValueAxis)
from PySide6.QtCore import QMargins, QStandardPaths, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import (QButtonGroup, QComboBox, QFileDialog, QHBoxLayout, QLabel, QLineEdit, QPushButton,
                               QRadioButton, QVBoxLayout, QWidget)

from core.errors import UsageError, UserFacingError
from core.mch.elements import list_elements
from core.mch.indicator_series import ChartPoint, township_points, trend_points
from core.mch.indicators import BY_CODE, INDICATORS, Indicator
from core.periods import Period, parse_period
from gui.context import AppContext
from gui.mch import actor_townships, last_month
from gui.table_models import error_label, show_inline

LINE_COLOUR = QColor("#0e7c78")
BAR_COLOUR = QColor("#3d8fd1")
TREND, TOWNSHIPS = "trend", "townships"


def _nice_max(top: float) -> float:
    """The smallest of 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10^k not below ``top`` (0 → 1)."""
    if top <= 0:
        return 1.0
    scale = 10.0 ** math.floor(math.log10(top))
    for step in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if step * scale >= top - 1e-12:
            return step * scale
    return 10 * scale


def _label_format(top: float) -> str:
    return "%d" if top >= 100 else ("%.1f" if top >= 10 else "%.2f")


def _value_axis(ind: Indicator, values: list[Decimal]) -> QValueAxis:
    top = float(max(values)) if values else 1.0
    axis = QValueAxis()
    axis.setRange(0, _nice_max(top * 1.12))
    axis.applyNiceNumbers()                      # ticks on round numbers (0, 5, 10 … rather than 7.5)
    axis.setLabelFormat(_label_format(top))
    axis.setTitleText(f"{ind.name}（{ind.unit}）")
    return axis


class ChartsView(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.points: list[ChartPoint] = []
        self.county_value: Decimal | None = None
        self.last_image: Path | None = None
        self._towns: list[tuple[str, str]] = []
        self._names: dict[str, str] = {}

        self.indicator_combo = QComboBox()
        for ind in INDICATORS:
            self.indicator_combo.addItem(ind.heading, ind.code)
        self.trend_radio = QRadioButton("逐月趋势(&T)")
        self.towns_radio = QRadioButton("各乡镇对比(&B)")
        self.trend_radio.setChecked(True)
        kinds = QButtonGroup(self)
        kinds.addButton(self.trend_radio)
        kinds.addButton(self.towns_radio)
        self.unit_combo = QComboBox()
        self.unit_combo.setMinimumContentsLength(10)
        self.period_edit = QLineEdit(last_month()[:4])
        self.period_edit.setPlaceholderText("如 2026、2026Q3、2025Oct、202601..202609")
        self.period_edit.setToolTip("报告期写法：202609（月）、2026Q3（季）、2026（年）、"
                                    "2025Oct（统计年度 2025年10月—2026年9月）、202601..202609（1—9月累计）")
        self.period_edit.setMaximumWidth(170)
        self.period_label = QLabel()
        self.period_error = error_label()
        self.save_button = QPushButton("保存为图片(&S)…")
        self.save_button.clicked.connect(self.save_dialog)

        bar = QHBoxLayout()
        ind_title = QLabel("指标(&I)：")
        ind_title.setBuddy(self.indicator_combo)
        bar.addWidget(ind_title)
        bar.addWidget(self.indicator_combo)
        bar.addSpacing(8)
        bar.addWidget(self.trend_radio)
        bar.addWidget(self.towns_radio)
        bar.addSpacing(8)
        period_title = QLabel("期间(&Q)：")
        period_title.setBuddy(self.period_edit)
        bar.addWidget(period_title)
        bar.addWidget(self.period_edit)
        bar.addWidget(self.period_label)
        bar.addSpacing(8)
        self.unit_title = QLabel("单位(&U)：")
        self.unit_title.setBuddy(self.unit_combo)
        bar.addWidget(self.unit_title)
        bar.addWidget(self.unit_combo)
        bar.addStretch(1)
        bar.addWidget(self.save_button)

        self.chart = QChart()
        self.chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        self.chart.setMargins(QMargins(6, 6, 12, 6))
        self.chart_view = QChartView(self.chart)
        self.chart_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #505050;")

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.period_error)
        layout.addWidget(self.chart_view, 1)
        layout.addWidget(self.note)

        self._fill_units()
        self.indicator_combo.currentIndexChanged.connect(lambda _i: self.redraw())
        self.unit_combo.currentIndexChanged.connect(lambda _i: self.redraw())
        self.trend_radio.toggled.connect(lambda _c: self.redraw())
        self.period_edit.textChanged.connect(lambda _t: self.redraw())
        self.redraw()

    # choices
    def _fill_units(self) -> None:
        chosen = self.unit_combo.currentData()
        try:
            with self.ctx.db.session(self.ctx.actor) as s:
                self._towns = [(t.code, t.name) for t in actor_townships(s, self.ctx.actor)]
        except UserFacingError as e:
            show_inline(self.period_error, e.message)
            self._towns = []
        self.unit_combo.blockSignals(True)
        self.unit_combo.clear()
        whole = f"全县（{self.ctx.county_name}）" if self.ctx.actor.townships is None and not self.ctx.township_code \
            else "所辖乡镇合计"
        self.unit_combo.addItem(whole, None)
        for code, name in self._towns:
            self.unit_combo.addItem(name, code)
        self.unit_combo.setCurrentIndex(max(0, self.unit_combo.findData(chosen)))
        self.unit_combo.blockSignals(False)

    def indicator(self) -> Indicator:
        return BY_CODE[self.indicator_combo.currentData()]

    def mode(self) -> str:
        return TREND if self.trend_radio.isChecked() else TOWNSHIPS

    def choose(self, *, indicator: str | None = None, mode: str | None = None, period: str | None = None,
               township: str | None | bool = False) -> None:
        """Set several choices and draw once (tests and other screens)."""
        widgets = (self.indicator_combo, self.unit_combo, self.trend_radio, self.towns_radio, self.period_edit)
        for w in widgets:
            w.blockSignals(True)
        if indicator is not None:
            self.indicator_combo.setCurrentIndex(self.indicator_combo.findData(indicator))
        if mode is not None:
            (self.trend_radio if mode == TREND else self.towns_radio).setChecked(True)
        if period is not None:
            self.period_edit.setText(period)
        if township is not False:
            self.unit_combo.setCurrentIndex(max(0, self.unit_combo.findData(township)))
        for w in widgets:
            w.blockSignals(False)
        self.redraw()

    def refresh(self) -> None:
        self._fill_units()
        self.redraw()

    def _period(self) -> Period | None:
        text = self.period_edit.text().strip()
        try:
            period = parse_period(text) if text else None
        except UsageError as e:
            show_inline(self.period_error, e.message)
            self.period_label.setText("")
            return None
        if period is None:
            show_inline(self.period_error, "请填写期间，例如 2026、2026Q3、2025Oct、202601..202609。")
            return None
        show_inline(self.period_error, None)
        self.period_label.setText(f"= {period.label}")
        return period

    # drawing
    def redraw(self) -> None:
        trend = self.mode() == TREND
        self.unit_combo.setEnabled(trend)
        self.unit_title.setEnabled(trend)
        period = self._period()
        if period is None:
            return
        ind = self.indicator()
        try:
            with self.ctx.db.session(self.ctx.actor) as s:
                self._names = {e.code: e.name for e in list_elements(s, include_inactive=True)}
                if trend:
                    self.points = trend_points(s, ind, period, self.unit_combo.currentData(),
                                               [c for c, _ in self._towns])
                    self.county_value = None
                else:
                    self.points, self.county_value = township_points(s, ind, period, self._towns)
        except UserFacingError as e:
            show_inline(self.period_error, e.message)
            return
        if trend:
            self._draw_trend(ind, period)
        else:
            self._draw_townships(ind, period)

    def _reset_chart(self, title: str) -> None:
        self.chart.removeAllSeries()
        for axis in self.chart.axes():
            self.chart.removeAxis(axis)
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.chart.setTitleFont(font)
        self.chart.setTitle(title)

    def dots(self) -> list[tuple[float, float, str]]:
        """(x, y, label) of every dot drawn on the trend."""
        return [(pt.x(), pt.y(), s.pointLabelsFormat()) for s in self.chart.series()
                if isinstance(s, QScatterSeries) for pt in s.points()]

    def plotted(self) -> list[ChartPoint]:
        return [p for p in self.points if p.value is not None]

    def _draw_trend(self, ind: Indicator, period: Period) -> None:
        unit = self.unit_combo.currentText()
        self._reset_chart(f"{unit} {ind.name} 逐月趋势（{period.label}）")
        labels = [p.label for p in self.points]
        axis_x = QBarCategoryAxis()
        axis_x.append(labels)
        axis_x.setTitleText("月份")
        values = [p.value for p in self.plotted()]
        axis_y = _value_axis(ind, values)
        self.chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
        self.chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
        pen = QPen(LINE_COLOUR, 2.5)
        segment: QLineSeries | None = None
        for i, p in enumerate(self.points):              # one line per run of computable months: gaps stay gaps
            if p.value is None:
                segment = None
                continue
            if segment is None:
                segment = QLineSeries()
                segment.setPen(pen)
                self.chart.addSeries(segment)
                segment.attachAxis(axis_x)
                segment.attachAxis(axis_y)
            segment.append(i, float(p.value))
        for i, p in enumerate(self.points):              # a dot per month, labelled as computed (2 places)
            if p.value is None:
                continue
            dot = QScatterSeries()
            dot.setColor(LINE_COLOUR)
            dot.setBorderColor(LINE_COLOUR)
            dot.setMarkerSize(8)
            dot.append(i, float(p.value))
            dot.setPointLabelsVisible(True)
            dot.setPointLabelsFormat(str(p.value))
            dot.setPointLabelsClipping(False)
            self.chart.addSeries(dot)
            dot.attachAxis(axis_x)
            dot.attachAxis(axis_y)
        self.chart.legend().setVisible(False)
        gaps = [p.label for p in self.points if p.value is None]
        note = f"共 {len(self.points)} 个月，可计算 {len(values)} 个月。"
        if gaps:
            note += f"无法计算（分母为 0 或未填报，图中留空）：{'、'.join(gaps)}。"
        note += f" 计算方法：{self._formula(ind)}，按各月汇总数计算。"
        self.note.setText(note)

    def _draw_townships(self, ind: Indicator, period: Period) -> None:
        county = "—" if self.county_value is None else f"{self.county_value}{ind.unit}"
        self._reset_chart(f"各乡镇 {ind.name}（{period.label}）  全县 {county}")
        shown = sorted(self.plotted(), key=lambda p: (p.value, p.label))      # largest on top
        bars = QBarSet(f"{ind.name}（{ind.unit}）")
        bars.setColor(BAR_COLOUR)
        bars.setBorderColor(BAR_COLOUR)
        for p in shown:
            bars.append(float(p.value))
        series = QHorizontalBarSeries()
        series.append(bars)
        series.setBarWidth(0.7)
        self.chart.addSeries(series)
        axis_y = QBarCategoryAxis()                      # the value beside the name: exact, and shown for 0 too
        axis_y.append([f"{p.label}  {p.value}" for p in shown] or [""])
        axis_y.setTruncateLabels(False)
        axis_x = _value_axis(ind, [p.value for p in shown])
        self.chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
        self.chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(axis_y)
        series.attachAxis(axis_x)
        self.chart.legend().setVisible(False)
        missing = [p.label for p in self.points if p.value is None]
        note = f"{len(shown)} 个乡镇可计算，按数值从大到小排列。"
        if missing:
            note += f"无法计算（分母为 0 或未填报，未画出）：{'、'.join(missing)}。"
        note += f" 计算方法：{self._formula(ind)}，按期间内汇总数计算。"
        self.note.setText(note)

    def _formula(self, ind: Indicator) -> str:
        return ind.formula_text(self._names)

    # saving
    def save_image(self, path: str | Path) -> bool:
        path = Path(path)
        ok = self.chart_view.grab().save(str(path), "PNG")
        if ok:
            self.last_image = path
        return ok

    def save_dialog(self) -> None:
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.PicturesLocation) or str(Path.home())
        name = f"{self.indicator().name}-{self.period_edit.text().strip().replace('..', '-')}.png"
        path, _ = QFileDialog.getSaveFileName(self, "保存图表", str(Path(folder) / name), "PNG 图片 (*.png)")
        if not path:
            return
        if not path.lower().endswith(".png"):
            path += ".png"
        if self.save_image(path):
            self.note.setText(f"已保存图片：{path}")
        else:
            show_inline(self.period_error, f"无法保存图片到 {path}，请换一个文件夹。")
