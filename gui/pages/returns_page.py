"""报表: the catalogue of standard returns; choose period and unit, preview, print, export.

Building (core.returns.catalogue.build_return) and rendering (core.returns.render.render) run off
the GUI thread in one unit of work, cancellable through the render's progress callback. The file
dialogs are separate from the work (``export_dialog`` asks for a path, ``export_to`` does it), so
tests and other screens can export to a given path.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QStandardPaths, Qt, QUrl
from PySide6.QtGui import QAction, QDesktopServices, QFont, QKeySequence, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QFileDialog, QFormLayout, QFrame, QHBoxLayout,
                               QHeaderView, QLabel, QLineEdit, QPushButton, QSplitter, QTreeView, QVBoxLayout,
                               QWidget)

from core import orgunits, settings
from core.access import Permission
from core.errors import UsageError, UserFacingError
from core.periods import parse_period
from core.returns.catalogue import CATALOGUE, ReturnSpec
from core.returns.model import StatHeader, stat_header_items
from gui.context import AppContext
from gui.operations import run_op, show_error
from gui.table_models import MUTED, error_label, show_inline

FORMATS = {  # fmt → (button text, file-dialog filter, suffix)
    "xlsx": ("导出 &Excel", "Excel 工作簿 (*.xlsx)", ".xlsx"),
    "pdf": ("导出 P&DF", "PDF 文件 (*.pdf)", ".pdf"),
    "csv": ("导出 C&SV", "CSV 文件 (*.csv)", ".csv"),
}
SPEC_ROLE = Qt.ItemDataRole.UserRole + 2
NOT_ENABLED = "尚未启用"


@dataclass(frozen=True)
class ReturnRequest:
    return_id: str
    title: str
    period: str | None
    org: str | None          # None: the whole county
    org_label: str
    program: str | None = None   # 扶助项目 for the FP-* returns (None: all, where the return allows it)


def default_file_name(req: ReturnRequest, suffix: str) -> str:
    """E.g. 组织机构目录-2026.xlsx, 组织机构目录-梨树镇-2026.xlsx."""
    parts = [req.title]
    if req.org:
        parts.append(req.org_label)
    parts.append((req.period or "当前").replace("..", "-"))
    name = "-".join(parts)
    for bad in '\\/:*?"<>|':
        name = name.replace(bad, "_")
    return name + suffix


def render_request(ctx: AppContext, req: ReturnRequest, fmt: str, path: Path,
                   progress: Callable[..., bool]) -> Path | None:
    """Build and render in one unit of work. None when cancelled (nothing written, nothing audited)."""
    from core.returns.catalogue import build_return
    from core.returns.model import RenderCancelled
    from core.returns.render import render
    try:
        with ctx.db.session(ctx.actor) as s:
            table = build_return(s, ctx.actor, req.return_id, req.period, req.org, req.program)
            total = table.row_count_hint
            render(table, fmt, path, progress=lambda done: progress(done, total, f"已处理 {done:,} 行……"))
    except RenderCancelled:
        return None
    return path


class ReturnsPage(QWidget):
    help_topic = "returns"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.last_export: Path | None = None
        self.preview = None          # the open print preview dialog
        self._header: StatHeader | None = None
        self._last_dir = Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
                              or Path.home())

        # -- catalogue -------------------------------------------------------------------------
        self.catalogue = QStandardItemModel(self)
        self.catalogue.setHorizontalHeaderLabels(["报表", "状态"])
        self.tree = QTreeView()
        self.tree.setModel(self.catalogue)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setMinimumWidth(300)
        self._fill_catalogue()
        self.tree.expandAll()
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.header().setStretchLastSection(False)

        # -- the selected return ---------------------------------------------------------------
        self.title = QLabel()
        font = QFont(self.title.font())
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.title.setFont(font)
        self.subtitle = QLabel()
        self.state_label = QLabel()
        self.state_label.setWordWrap(True)
        self.state_label.setStyleSheet("color: #8a5a00; background: #fff4d6; padding: 6px; border-radius: 3px;")

        self.period_edit = QLineEdit(str(date.today().year))
        self.period_edit.setPlaceholderText("如 2026、202609、2026Q3、2025Oct、202601..202609")
        self.period_edit.setToolTip("报告期写法：202109（月）、2021Q3（季）、2021（年）、"
                                    "2020Oct（统计年度 2020年10月—2021年9月）、202101..202109（1—9月累计）")
        self.period_label = QLabel()
        self.period_error = error_label()
        self.period_edit.textChanged.connect(lambda _t: self._check_period())
        self.org_combo = QComboBox()
        self.org_combo.setMinimumContentsLength(16)
        period_row = QHBoxLayout()
        period_row.addWidget(self.period_edit, 1)
        period_row.addWidget(self.period_label, 2)
        period_box = QVBoxLayout()
        period_box.setSpacing(2)
        period_box.addLayout(period_row)
        period_box.addWidget(self.period_error)
        form = QFormLayout()
        period_title = QLabel("报告期(&Q)：")
        period_title.setBuddy(self.period_edit)
        form.addRow(period_title, period_box)
        org_title = QLabel("单位(&U)：")
        org_title.setBuddy(self.org_combo)
        form.addRow(org_title, self.org_combo)
        self.program_combo = QComboBox()
        self.program_title = QLabel("扶助项目(&J)：")
        self.program_title.setBuddy(self.program_combo)
        form.addRow(self.program_title, self.program_combo)
        self.program_combo.currentIndexChanged.connect(lambda _i: self._check_period())

        self.header_note = QLabel()
        self.header_note.setWordWrap(True)
        self.header_note.setTextFormat(Qt.TextFormat.PlainText)
        self.header_note.setFrameShape(QFrame.Shape.StyledPanel)
        self.header_note.setContentsMargins(8, 6, 8, 6)
        self.header_note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.preview_button = QPushButton("预览(&V)")
        self.preview_button.setToolTip("打印预览（Ctrl+P）")
        self.preview_button.clicked.connect(self.preview_current)
        preview_key = QAction(self)   # a separate action: setShortcut on the button would replace Alt+V
        preview_key.setShortcut(QKeySequence("Ctrl+P"))
        preview_key.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        preview_key.triggered.connect(lambda: self.preview_button.isEnabled() and self.preview_current())
        self.addAction(preview_key)
        self.print_button = QPushButton("打印(&P)…")
        self.print_button.clicked.connect(self.print_current)
        self.export_buttons: dict[str, QPushButton] = {}
        buttons = QHBoxLayout()
        buttons.addWidget(self.preview_button)
        buttons.addWidget(self.print_button)
        for fmt, (text, _filter, _suffix) in FORMATS.items():
            b = QPushButton(text)
            b.clicked.connect(lambda _c=False, f=fmt: self.export_dialog(f))
            self.export_buttons[fmt] = b
            buttons.addWidget(b)
        buttons.addStretch(1)

        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_folder_button = QPushButton("打开所在文件夹(&O)")
        self.open_folder_button.clicked.connect(self.open_export_folder)
        self.open_folder_button.setVisible(False)
        result_row = QHBoxLayout()
        result_row.addWidget(self.result_label, 1)
        result_row.addWidget(self.open_folder_button)

        detail = QWidget()
        right = QVBoxLayout(detail)
        right.addWidget(self.title)
        right.addWidget(self.subtitle)
        right.addWidget(self.state_label)
        right.addSpacing(6)
        right.addLayout(form)
        right.addWidget(QLabel("表头表尾："))
        right.addWidget(self.header_note)
        right.addSpacing(6)
        right.addLayout(buttons)
        right.addLayout(result_row)
        right.addStretch(1)

        splitter = QSplitter()
        splitter.addWidget(self.tree)
        splitter.addWidget(detail)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([340, 800])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

        self.tree.selectionModel().currentChanged.connect(lambda *_: self._on_selected())
        ctx.changes.changed.connect(self._on_changed)
        self.refresh()
        first = next((s for s in CATALOGUE.values() if s.available), None)
        if first:
            self.select_return(first.id)

    # -- catalogue -------------------------------------------------------------------------
    def _fill_catalogue(self) -> None:
        areas: dict[str, QStandardItem] = {}
        for spec in CATALOGUE.values():
            area = areas.get(spec.area)
            if area is None:
                area = QStandardItem(spec.area)
                area.setSelectable(False)
                bold = QFont()
                bold.setBold(True)
                area.setFont(bold)
                filler = QStandardItem("")
                filler.setSelectable(False)
                self.catalogue.appendRow([area, filler])
                areas[spec.area] = area
            name = QStandardItem(spec.title)
            name.setData(spec.id, SPEC_ROLE)
            name.setToolTip(f"{spec.id} {spec.title}")
            state = QStandardItem("" if spec.available else NOT_ENABLED)
            state.setData(spec.id, SPEC_ROLE)
            if not spec.available:
                for item in (name, state):
                    item.setForeground(MUTED)
                name.setToolTip(f"{spec.id} {spec.title}：“{spec.area}”功能{NOT_ENABLED}")
            area.appendRow([name, state])

    def select_return(self, return_id: str) -> bool:
        for r in range(self.catalogue.rowCount()):
            area = self.catalogue.item(r, 0)
            for c in range(area.rowCount()):
                if area.child(c, 0).data(SPEC_ROLE) == return_id:
                    self.tree.setCurrentIndex(area.child(c, 0).index())
                    return True
        return False

    def current_spec(self) -> ReturnSpec | None:
        return_id = self.tree.currentIndex().data(SPEC_ROLE)
        return CATALOGUE.get(return_id) if return_id else None

    # -- loading ---------------------------------------------------------------------------
    def _on_changed(self, what: str) -> None:
        if what in ("org_unit", "setting", "all"):
            self.refresh()

    def refresh(self) -> None:
        """Reload the township list (org units may have changed) and the header note."""
        chosen = self.org_combo.currentData()
        county = self.ctx.county_name or "本县"
        self.org_combo.clear()
        self.org_combo.addItem(f"全县（{county}）", None)
        try:
            with self.ctx.db.session(self.ctx.actor) as s:
                towns = orgunits.townships(s)
        except UserFacingError as e:
            show_inline(self.period_error, e.message)
            towns = []
        for t in towns:
            self.org_combo.addItem(f"{t.name}（{t.code}）", t.code)
        self.org_combo.setCurrentIndex(max(0, self.org_combo.findData(chosen)))
        self._on_selected()

    def _on_selected(self) -> None:
        spec = self.current_spec()
        if spec is None:
            self.title.setText("请在左边选择一张报表")
            self.subtitle.clear()
            self.state_label.setVisible(False)
            self.header_note.clear()
            self._update_buttons()
            return
        self.title.setText(spec.title)
        self.subtitle.setText(f"报表编号 {spec.id} · {spec.area}")
        if spec.available:
            self.state_label.setVisible(False)
        else:
            self.state_label.setText(f"{NOT_ENABLED}：“{spec.area}”功能{NOT_ENABLED}，这张报表暂时不能生成。"
                                     "启用后在这里即可预览、打印和导出。")
            self.state_label.setVisible(True)
        self.period_edit.setPlaceholderText("可留空（当前全部）" if not spec.needs_period
                                            else "如 2026、2026H1（上半年）" if spec.period_parser
                                            else "如 2026、202609、2026Q3、2025Oct、202601..202609")
        self._fill_programs(spec)
        try:
            with self.ctx.db.session(self.ctx.actor) as s:
                self._header = settings.stat_header(s, spec.id)
        except UserFacingError as e:
            self._header = None
            self.header_note.setText(e.message)
        self._check_period()
        self._update_buttons()

    def _fill_programs(self, spec: ReturnSpec) -> None:
        """The 扶助项目 row, only for returns that take a programme (FP-SUMMARY may cover all)."""
        show = spec.takes_program
        self.program_title.setVisible(show)
        self.program_combo.setVisible(show)
        if not show:
            return
        chosen = self.program_combo.currentData()
        self.program_combo.clear()
        if spec.id == "FP-SUMMARY":
            self.program_combo.addItem("全部项目", None)
        try:
            from core.subsidy.programmes import list_programs
            with self.ctx.db.session(self.ctx.actor) as s:
                programs = list_programs(s)
        except UserFacingError as e:
            show_inline(self.period_error, e.message)
            programs = []
        for p in programs:
            self.program_combo.addItem(p.name, p.code)
        index = self.program_combo.findData(chosen)
        self.program_combo.setCurrentIndex(index if index >= 0 else 0)

    def _parse(self, spec: ReturnSpec | None, text: str):
        parser = spec.period_parser if spec is not None and spec.period_parser else parse_period
        return parser(text)

    def _header_text(self, spec: ReturnSpec, header: StatHeader) -> str:
        """What the header and footer will show, from the installation's settings."""
        period = self._period_label() or ("当前" if not self.period_edit.text().strip() else "（请先改正报告期）")
        unit = header.reporting_unit or self.ctx.county_name
        lines = [f"表头：{spec.title}；填报单位（盖章）：{unit}；报告期：{period}"]
        filled = stat_header_items(header)
        if filled:
            lines.append("　　" + "；".join(item.replace(" ", "") for item in filled))
        missing = [label for label, value in (("表号", header.table_no), ("制定机关", header.issuing_authority),
                                              ("批准文号", header.approval_no), ("有效期至", header.valid_until))
                   if not value]
        if missing:
            lines.append(f"　　{'、'.join(missing)}：未设置，不印出（管理员可在“设置”中填写）")
        signers = (("单位负责人", header.unit_head), ("统计负责人", header.stats_head),
                   ("填表人", header.preparer), ("联系电话", header.phone))
        foot = [f"{label}：{value}" for label, value in signers if value]
        blank = [label for label, value in signers if not value]
        if blank:
            foot.append(f"{'、'.join(blank)}：未设置，留空供手写")
        lines.append("表尾：" + "；".join(foot + ["报出日期：导出当天"]))
        lines.append("PDF 每页印“第 N 页 共 M 页”；Excel 打印时每页重复表头。")
        return "\n".join(lines)

    def _period_label(self) -> str | None:
        text = self.period_edit.text().strip()
        if not text:
            return None
        try:
            return self._parse(self.current_spec(), text).label
        except UsageError:
            return None

    def _check_period(self) -> str | None:
        """The inline message for the period field (None when it is fine)."""
        spec = self.current_spec()
        text = self.period_edit.text().strip()
        problem = None
        label = ""
        if not text:
            if spec is not None and spec.needs_period:
                problem = "请填写报告期，例如 2026、202609、2026Q3。"
            else:
                label = "当前全部"
        else:
            try:
                label = self._parse(spec, text).label
            except UsageError as e:
                problem = e.message
        self.period_label.setText(f"= {label}" if label else "")
        show_inline(self.period_error, problem)
        if spec is not None and self._header is not None:
            self.header_note.setText(self._header_text(spec, self._header))
        return problem

    def _update_buttons(self) -> None:
        spec = self.current_spec()
        usable = spec is not None and spec.available
        may = self.ctx.actor.can(Permission.PRINT_RETURNS)
        for b in [self.preview_button, self.print_button, *self.export_buttons.values()]:
            b.setEnabled(usable and may)
            if spec is not None and not spec.available:
                b.setToolTip(f"此报表{NOT_ENABLED}")
            elif not may:
                b.setToolTip("当前用户无权导出和打印报表。")
        self.period_edit.setEnabled(usable)
        self.org_combo.setEnabled(usable)
        self.program_combo.setEnabled(usable)

    # -- requests --------------------------------------------------------------------------
    def current_request(self) -> ReturnRequest | None:
        """What to build, or None (with the problem shown next to the field)."""
        spec = self.current_spec()
        if spec is None or not spec.available:
            return None
        if self._check_period():
            self.period_edit.setFocus()
            return None
        period = self.period_edit.text().strip()
        org = self.org_combo.currentData()
        org_label = self.org_combo.currentText().split("（")[0]
        program = self.program_combo.currentData() if spec.takes_program else None
        return ReturnRequest(spec.id, spec.title, self._parse(spec, period).code if period else None, org, org_label,
                             program)

    def _run(self, req: ReturnRequest, fmt: str, path: Path, label: str, on_done: Callable[[Path | None], None]):
        ctx = self.ctx
        return run_op(self, lambda progress: render_request(ctx, req, fmt, path, progress),
                      on_done=on_done, on_failed=lambda e: self._failed(e), label=label, cancellable=True)

    def _failed(self, error: BaseException) -> None:
        self.result_label.setText("未完成。")
        self.open_folder_button.setVisible(False)
        show_error(self, error)

    # -- export ----------------------------------------------------------------------------
    def export_dialog(self, fmt: str) -> None:
        req = self.current_request()
        if req is None:
            return
        _text, file_filter, suffix = FORMATS[fmt]
        start = self._last_dir / default_file_name(req, suffix)
        path, _ = QFileDialog.getSaveFileName(self, f"导出 {req.title}", str(start), file_filter)
        if not path:
            return
        if not path.lower().endswith(suffix):
            path += suffix
        self.export_to(fmt, Path(path))

    def export_to(self, fmt: str, path: Path):
        """Build and render the selected return to ``path`` (what the export buttons do after the dialog)."""
        req = self.current_request()
        if req is None:
            return None
        path = Path(path)
        self._last_dir = path.parent

        def done(result: Path | None) -> None:
            if result is None:
                self.result_label.setText("已取消导出，没有生成文件。")
                self.open_folder_button.setVisible(False)
                return
            self.last_export = result
            self.result_label.setText(f"已导出：{result}")
            self.open_folder_button.setVisible(True)
            self.open_folder_button.setFocus()
        self.result_label.setText(f"正在导出 {path.name}……")
        self.open_folder_button.setVisible(False)
        return self._run(req, fmt, path, f"正在导出 {req.title}……", done)

    def open_export_folder(self) -> None:
        if self.last_export is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.last_export.parent)))

    # -- preview and print -----------------------------------------------------------------
    def render_for_print(self, on_ready: Callable[[Path, ReturnRequest], None]):
        from gui.print_preview import temp_pdf_path
        req = self.current_request()
        if req is None:
            return None
        path = temp_pdf_path(req.return_id)

        def done(result: Path | None) -> None:
            if result is not None:
                on_ready(result, req)
        return self._run(req, "pdf", path, f"正在生成 {req.title}……", done)

    def preview_current(self):
        return self.render_for_print(self._show_preview)

    def _show_preview(self, path: Path, req: ReturnRequest) -> None:
        from gui.print_preview import preview_dialog
        try:
            dialog = preview_dialog(path, self, req.title, delete_when_closed=True)
        except UserFacingError as e:
            show_error(self, e)
            return
        self.preview = dialog
        dialog.finished.connect(lambda _r: setattr(self, "preview", None))
        dialog.open()

    def print_current(self):
        return self.render_for_print(self._print)

    def _print(self, path: Path, req: ReturnRequest) -> None:
        from gui.print_preview import discard_temp_pdf, print_pdf
        try:
            print_pdf(path, self, req.title)
        except UserFacingError as e:
            show_error(self, e)
        finally:
            discard_temp_pdf(path)
