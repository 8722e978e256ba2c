"""导入向导: bring a county's own Excel/WPS table into the database — one wizard for every import, driven by
the import's description (``core.imports.Importer``: ``roster_import.ROSTER_IMPORTER``,
``case_import.CASE_IMPORTER``). Nothing here knows what a roster or a case is.

1. 选择文件 — the workbook, and (when the import has one) a value for every row instead of a column (the
   roster's 扶助项目); 下载导入模板 writes the import's template. The workbook is read off the GUI thread
   (a busy bar on the page; the progress dialog after 0.6 s);
2. 列的对应 — the sheet (a combo when the workbook has several) and the header row (found by the core; the
   person may name another row, or go back to 自动识别), each field with the column it is read from (a
   combo per field, pre-filled by the detection or by the person's earlier choices for the same layout —
   ``core.imports.MappingMemory``), and the first lines of the file. A workbook whose header the core
   cannot find still comes here: its first rows are shown with their row numbers so the header can be named;
3. 试导入 — a dry run (progress, cancel): 读取 / 可导入 / 不变 / 拒绝 / 待补充 and the first refused lines with 原因;
4. 导入 — the import in one transaction (取消 rolls it back: nothing imported), the counts, and the
   rejects workbook (原行 + 原因) saved where the person chooses.

Every step that needs a file has a method taking a path (``set_file``, ``write_template``, ``save_rejects``)
and the sheet and header row have ``choose_sheet`` / ``choose_header_row``, so tests drive the wizard without
modal dialogs.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtCore import QStandardPaths, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QFont
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QFileDialog, QFormLayout, QGridLayout, QHBoxLayout,
                               QHeaderView, QLabel, QLineEdit, QProgressBar, QPushButton, QSpinBox, QSplitter,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget, QWizard, QWizardPage)

from core.access import Permission
from core.errors import UserFacingError
from core.imports import HeaderNotFound, ImportCancelled, Importer, MappingMemory, Table, default_rejects_path
from gui.context import AppContext
from gui.operations import run_op, show_error
from gui.table_models import error_label, show_inline

NOT_IMPORTED = -1
PREVIEW_ROWS = 8
REJECTS_SHOWN = 200
MAX_HEADER_ROW = 200
COUNT_LABELS = (("read", "读取"), ("imported", "可导入"), ("unchanged", "不变"), ("rejected", "拒绝"),
                ("incomplete", "待补充"))


def documents_dir() -> Path:
    return Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation) or Path.home())


def bold_label(label: QLabel, scale: float = 1.0) -> QLabel:
    font = QFont(label.font())
    font.setBold(True)
    if scale != 1.0:
        font.setPointSizeF(font.pointSizeF() * scale)
    label.setFont(font)
    return label


def _cell_text(value) -> str:
    if value is None:
        return ""
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _busy_bar() -> QProgressBar:
    """An indeterminate bar shown while the workbook is read."""
    bar = QProgressBar()
    bar.setRange(0, 0)
    bar.setTextVisible(False)
    bar.setMaximumHeight(10)
    bar.setMaximumWidth(180)
    bar.setVisible(False)
    return bar


def write_template(ctx: AppContext, importer: Importer, path: Path) -> Path:
    """The import's standard template (with this installation's choices, where it has any)."""
    with ctx.db.session(ctx.actor) as s:
        return importer.template(s, path)


def template_dialog(ctx: AppContext, importer: Importer, parent: QWidget,
                    on_written: Callable[[Path], None] | None = None) -> None:
    start = documents_dir() / (importer.template_name or f"{importer.title}导入模板.xlsx")
    path, _ = QFileDialog.getSaveFileName(parent, "下载导入模板", str(start), "Excel 工作簿 (*.xlsx)")
    if not path:
        return
    target = Path(path if path.lower().endswith(".xlsx") else path + ".xlsx")
    try:
        written = write_template(ctx, importer, target)
    except UserFacingError as e:
        show_error(parent, e)
        return
    except OSError as e:
        show_error(parent, UserFacingError(f"无法写入“{target}”：{e.strerror or e}。请检查该文件是否正在 Excel/WPS 中打开。"))
        return
    if on_written:
        on_written(written)


# -- pages -----------------------------------------------------------------------------------------

class FilePage(QWizardPage):
    def __init__(self, wizard: ImportWizard):
        super().__init__()
        self.w = wizard
        importer = wizard.importer
        self.setTitle(f"第 1 步：选择{importer.title}文件")
        self.setSubTitle(importer.intro)
        self.path_edit = QLineEdit()
        self.path_edit.setPlaceholderText("请选择 .xlsx 文件")
        self.path_edit.textChanged.connect(self._path_changed)
        self.browse_button = QPushButton("浏览(&B)…")
        self.browse_button.clicked.connect(self.browse)
        self.choice_combo: QComboBox | None = None
        self.error = error_label()
        self.busy = _busy_bar()
        self.busy_label = QLabel("正在读取文件……")
        self.busy_label.setVisible(False)
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(self.browse_button)
        form = QFormLayout()
        form.addRow("文件(&F)：", row)
        if importer.choice is not None:
            self.choice_combo = QComboBox()
            self.choice_combo.addItem(importer.choice.from_column, None)
            for code, name in wizard.choice_options():
                self.choice_combo.addItem(name, code)
            form.addRow(f"{importer.choice.label}(&G)：", self.choice_combo)
        busy_row = QHBoxLayout()
        busy_row.addWidget(self.busy)
        busy_row.addWidget(self.busy_label)
        busy_row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(busy_row)
        layout.addWidget(self.error)
        self.template_button = QPushButton("下载导入模板(&T)…")
        self.template_note = QLabel()
        self.template_note.setWordWrap(True)
        if importer.template is not None:
            layout.addSpacing(12)
            hint = QLabel(importer.template_hint)
            hint.setWordWrap(True)
            layout.addWidget(hint)
            self.template_button.clicked.connect(
                lambda: template_dialog(wizard.ctx, importer, self, self._template_written))
            layout.addWidget(self.template_button, 0, Qt.AlignmentFlag.AlignLeft)
            layout.addWidget(self.template_note)
        else:
            self.template_button.setVisible(False)
        layout.addStretch(1)

    def _template_written(self, path: Path) -> None:
        self.template_note.setText(f"已保存导入模板：{path}")

    def _path_changed(self, _text: str) -> None:
        self.w.forget_file()
        self.completeChanged.emit()

    def browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, f"选择{self.w.importer.title}", str(documents_dir()),
                                              "Excel 工作簿 (*.xlsx *.xlsm *.xls *.ods)")
        if path:
            self.path_edit.setText(path)

    def set_busy(self, busy: bool) -> None:
        self.busy.setVisible(busy)
        self.busy_label.setVisible(busy)
        self.path_edit.setEnabled(not busy)
        self.browse_button.setEnabled(not busy)
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return bool(self.path_edit.text().strip()) and not self.w.reading

    def validatePage(self) -> bool:
        """Next: the file is read in the background first; when it has been read, the wizard moves on."""
        if self.w.file_read():
            return True
        self.w.read_file(then_next=True)
        return False


class MappingPage(QWizardPage):
    def __init__(self, wizard: ImportWizard):
        super().__init__()
        self.w = wizard
        self.setTitle("第 2 步：核对工作表、表头和列的对应")
        self.setSubTitle("程序已自动找出表头和各列的含义。如有不对，可另选工作表或表头所在的行，并在下拉框中改选；"
                         "改过的对应会记住，下次导入同样格式的表格时自动使用。")
        self.sheet_combo = QComboBox()
        self.sheet_combo.setMinimumWidth(160)
        self.sheet_combo.activated.connect(lambda _i: self.w.choose_sheet(self.sheet_combo.currentText()))
        self.header_spin = QSpinBox()
        self.header_spin.setRange(1, MAX_HEADER_ROW)
        self.header_spin.setKeyboardTracking(False)
        self.header_spin.setToolTip("表头（列名）所在的行号，与 Excel 左侧的行号相同")
        self.header_spin.valueChanged.connect(self._header_changed)
        self.auto_button = QPushButton("自动识别表头(&A)")
        self.auto_button.setToolTip("由程序重新在这张工作表的前 20 行中找表头")
        self.auto_button.clicked.connect(lambda: self.w.choose_header_row(None))
        self.busy = _busy_bar()
        self.busy_label = QLabel("正在读取……")
        self.busy_label.setVisible(False)
        sheet_label = QLabel("工作表(&W)：")
        sheet_label.setBuddy(self.sheet_combo)
        header_label = QLabel("表头在第(&H)")
        header_label.setBuddy(self.header_spin)
        bar = QHBoxLayout()
        bar.addWidget(sheet_label)
        bar.addWidget(self.sheet_combo)
        bar.addSpacing(16)
        bar.addWidget(header_label)
        bar.addWidget(self.header_spin)
        bar.addWidget(QLabel("行"))
        bar.addWidget(self.auto_button)
        bar.addSpacing(16)
        bar.addWidget(self.busy)
        bar.addWidget(self.busy_label)
        bar.addStretch(1)
        self.header_note = QLabel()
        self.header_note.setWordWrap(True)
        self.error = error_label()
        self.combos: dict[str, QComboBox] = {}
        self.fields_table = QTableWidget(0, 2)
        self.fields_table.setHorizontalHeaderLabels(["我们的字段", "表中的列"])
        self.fields_table.verticalHeader().setVisible(False)
        self.fields_table.verticalHeader().setDefaultSectionSize(28)
        self.fields_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.fields_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.fields_table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.preview = QTableWidget(0, 0)
        self.preview.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.preview.verticalHeader().setDefaultSectionSize(24)
        self.preview.setAlternatingRowColors(True)
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        lv.addWidget(QLabel("各字段从哪一列读取（* 为必需）："))
        lv.addWidget(self.fields_table)
        right = QWidget()
        rv = QVBoxLayout(right)
        rv.setContentsMargins(0, 0, 0, 0)
        self.preview_note = QLabel()
        rv.addWidget(self.preview_note)
        rv.addWidget(self.preview)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setSizes([400, 700])
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.header_note)
        layout.addWidget(self.error)
        layout.addWidget(splitter, 1)

    def initializePage(self) -> None:
        self.load()

    def _header_changed(self, value: int) -> None:
        if not self.header_spin.signalsBlocked():
            self.w.choose_header_row(value)

    def set_busy(self, busy: bool) -> None:
        self.busy.setVisible(busy)
        self.busy_label.setVisible(busy)
        for widget in (self.sheet_combo, self.header_spin, self.auto_button, self.fields_table):
            widget.setEnabled(not busy)
        self.completeChanged.emit()

    def _show_place(self, sheet_names: list[str], sheet: str, header_row: int | None) -> None:
        self.sheet_combo.blockSignals(True)
        self.sheet_combo.clear()
        self.sheet_combo.addItems(sheet_names)
        self.sheet_combo.setCurrentIndex(max(0, self.sheet_combo.findText(sheet)))
        self.sheet_combo.blockSignals(False)
        self.header_spin.blockSignals(True)
        self.header_spin.setValue(header_row or 1)
        self.header_spin.blockSignals(False)

    def load(self) -> None:
        """Show what was read: the table and its mapping, or (no header found) the sheet's first rows."""
        table = self.w.table
        if table is None:
            self._load_without_header()
            return
        m = table.mapping
        self._show_place(table.sheet_names, m.sheet, m.header_row)
        remembered = " 已按上次的选择设置了列的对应。" if self.w.remembered else ""
        how = "自动识别" if self.w.header_choice is None else "按您指定"
        self.header_note.setText(f"文件“{table.path.name}”，工作表“{m.sheet}”，表头在第 {m.header_row} 行（{how}），"
                                 f"其下共 {table.total_rows:,} 行（含空行和合计行）。{remembered}")
        fields = [f for f in table.schema.fields if not f.ignored]
        self.fields_table.setRowCount(len(fields))
        self.combos.clear()
        for row, f in enumerate(fields):
            item = QTableWidgetItem(("* " if f.required else "") + f.label)
            if f.hint:
                item.setToolTip(f.hint)
            self.fields_table.setItem(row, 0, item)
            combo = QComboBox()
            combo.addItem("（不导入）", NOT_IMPORTED)
            for c in m.columns:
                combo.addItem(f"{c.letter} 列：{c.heading}", c.index)
            combo.currentIndexChanged.connect(lambda _i, key=f.key, box=combo: self.w.set_field_column(key, box.currentData()))
            self.combos[f.key] = combo
            self.fields_table.setCellWidget(row, 1, combo)
        self.sync()
        self._fill_preview()

    def _load_without_header(self) -> None:
        missing = self.w.no_header
        self.combos.clear()
        self.fields_table.setRowCount(0)
        self.preview.clear()
        self.preview.setRowCount(0)
        self.preview.setColumnCount(0)
        if missing is None:
            return
        self._show_place(missing.sheet_names, missing.sheet, self.w.header_choice)
        self.header_note.setText(f"文件“{Path(self.w.path()).name}”，工作表“{missing.sheet}”。")
        show_inline(self.error, f"{missing.message}\n请核对工作表，或在“表头在第…行”中填写表头（列名）所在的行号"
                                "（见右边各行左侧的行号）。")
        width = max((len(r) for r in missing.head), default=0)
        self.preview_note.setText(f"工作表“{missing.sheet}”的前 {len(missing.head)} 行：")
        self.preview.setColumnCount(width)
        self.preview.setRowCount(len(missing.head))
        self.preview.setVerticalHeaderLabels([str(i) for i in range(1, len(missing.head) + 1)])
        from openpyxl.utils import get_column_letter
        self.preview.setHorizontalHeaderLabels([get_column_letter(i + 1) for i in range(width)])
        for r, cells in enumerate(missing.head):
            for c, value in enumerate(cells):
                self.preview.setItem(r, c, QTableWidgetItem(_cell_text(value)))
        self.preview.resizeColumnsToContents()
        self.completeChanged.emit()

    def sync(self) -> None:
        """Show the mapping's current choice in every combo, and what is still missing."""
        m = self.w.table.mapping
        for key, combo in self.combos.items():
            col = m.column_of(key)
            combo.blockSignals(True)
            combo.setCurrentIndex(max(0, combo.findData(col.index if col else NOT_IMPORTED)))
            combo.blockSignals(False)
        problems = []
        missing = self.w.missing_fields()
        if missing:
            problems.append(f"还缺必需的列：{'、'.join(missing)}。请在下拉框中指定，或核对表头所在的行。")
        choice = self.w.importer.choice
        if choice is not None and self.w.choice() is None and m.column_of(choice.field) is None:
            problems.append(f"表中没有“{choice.label}”列：请返回上一步指定{choice.label}，或在这里指定哪一列是{choice.label}。")
        show_inline(self.error, "\n".join(problems) or None)
        self._label_preview()
        self.completeChanged.emit()

    def _fill_preview(self) -> None:
        table = self.w.table
        headings = table.headings()
        rows = table.sample(PREVIEW_ROWS)
        self.preview_note.setText(f"表中前 {PREVIEW_ROWS} 行（左侧为行号，列标题下为对应的字段）：")
        self.preview.clear()
        self.preview.setColumnCount(len(headings))
        self.preview.setRowCount(len(rows))
        self.preview.setVerticalHeaderLabels([str(r.number) for r in rows])
        for r, row in enumerate(rows):
            for c, value in enumerate(row.cells):
                self.preview.setItem(r, c, QTableWidgetItem(_cell_text(value)))
        self._label_preview()
        self.preview.resizeColumnsToContents()

    def _label_preview(self) -> None:
        table = self.w.table
        if table is None or self.preview.columnCount() == 0:
            return
        first, _last = table.mapping.span
        by_index = {c.index: c for c in table.mapping.columns}
        for i, heading in enumerate(table.headings()):
            col = by_index.get(first + i)
            target = table.schema.field(col.field).label if col is not None and col.field else "不导入"
            self.preview.setHorizontalHeaderItem(i, QTableWidgetItem(f"{heading}\n→ {target}"))

    def isComplete(self) -> bool:
        return self.w.table is not None and not self.w.reading and not self.w.missing_fields()


class CheckPage(QWizardPage):
    def __init__(self, wizard: ImportWizard):
        super().__init__()
        self.w = wizard
        self.setTitle("第 3 步：试导入（检查）")
        self.setSubTitle("逐行检查，数据库不做任何改动。不能导入的行列在下面，并写明原因。")
        self.counts: dict[str, QLabel] = {}
        grid = QGridLayout()
        labels = dict(COUNT_LABELS, unchanged=wizard.importer.unchanged_label)
        for i, (key, label) in enumerate(labels.items()):
            grid.addWidget(QLabel(label), 0, i)
            value = bold_label(QLabel("—"), 1.5)
            self.counts[key] = value
            grid.addWidget(value, 1, i)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.rerun = QPushButton("重新检查(&R)")
        self.rerun.clicked.connect(lambda: self.w.start_dry_run())
        self.rejects = QTableWidget(0, 2)
        self.rejects.setHorizontalHeaderLabels(["原行号", "原因"])
        self.rejects.verticalHeader().setVisible(False)
        self.rejects.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.rejects.setWordWrap(True)
        self.rejects.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.rejects.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        row = QHBoxLayout()
        row.addWidget(self.summary, 1)
        row.addWidget(self.rerun)
        layout.addLayout(row)
        layout.addWidget(QLabel(f"不能导入的行（前 {REJECTS_SHOWN} 行）："))
        layout.addWidget(self.rejects, 1)

    def initializePage(self) -> None:
        self.show_result(None)
        self.w.start_dry_run()

    def show_result(self, result) -> None:
        for key, label in self.counts.items():
            label.setText("—" if result is None else f"{getattr(result, key):,}")
        self.summary.setText("正在检查……" if result is None else result.summary())
        show_reject_rows(self.rejects, result.rejects if result else [])
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return self.w.dry_result is not None


def show_reject_rows(widget: QTableWidget, rejects) -> None:
    shown = rejects[:REJECTS_SHOWN]
    widget.setRowCount(len(shown))
    for r, rej in enumerate(shown):
        widget.setItem(r, 0, QTableWidgetItem(str(rej.number)))
        item = QTableWidgetItem(rej.reason)
        item.setToolTip(rej.reason)
        widget.setItem(r, 1, item)
    widget.resizeRowsToContents()


class ImportPage(QWizardPage):
    def __init__(self, wizard: ImportWizard):
        super().__init__()
        self.w = wizard
        self.setTitle("第 4 步：导入")
        self.setSubTitle("全部可导入的行一次导入；中途取消则什么也不导入。已有且内容相同的记录不会重复导入。")
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.import_button = QPushButton("开始导入(&I)")
        self.import_button.clicked.connect(lambda: self.w.start_import())
        self.result_label = bold_label(QLabel())
        self.result_label.setWordWrap(True)
        self.save_button = QPushButton("保存未导入的行(&S)…")
        self.save_button.setToolTip("原来的各列加上“原因”和“原行号”：改正后可以再次导入这个文件")
        self.save_button.clicked.connect(self.w.rejects_dialog)
        self.open_button = QPushButton("打开未导入行文件(&O)")
        self.open_button.clicked.connect(self.w.open_rejects)
        self.rejects_label = QLabel()
        self.rejects_label.setWordWrap(True)
        self.rejects_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addWidget(self.import_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addSpacing(8)
        layout.addWidget(self.result_label)
        row = QHBoxLayout()
        row.addWidget(self.save_button)
        row.addWidget(self.open_button)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addWidget(self.rejects_label)
        layout.addStretch(1)

    def initializePage(self) -> None:
        dry = self.w.dry_result
        self.note.setText(f"试导入结果：{dry.summary()}" if dry else "")
        self.result_label.clear()
        self.rejects_label.clear()
        self.import_button.setEnabled(True)
        self.update_buttons()

    def update_buttons(self) -> None:
        has_rejects = self.w.result is not None and bool(self.w.result.rejects)
        self.save_button.setEnabled(has_rejects)
        self.open_button.setEnabled(self.w.rejects_file is not None)
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return self.w.result is not None


# -- the wizard ------------------------------------------------------------------------------------

class ImportWizard(QWizard):
    def __init__(self, ctx: AppContext, importer: Importer, parent: QWidget | None = None,
                 memory: MappingMemory | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.importer = importer
        self.memory = memory or MappingMemory()
        self.table: Table | None = None
        self.no_header: HeaderNotFound | None = None   # the workbook was read, the header not found
        self.read_key: tuple | None = None             # (path, sheet, header_row) of what was read
        self.sheet_choice: str | None = None           # None: found by the core
        self.header_choice: int | None = None          # None: found by the core
        self.reading = False
        self._generation = 0
        self.remembered = False
        self.dry_result = None
        self.result = None
        self.rejects_file: Path | None = None
        self.setWindowTitle(f"导入{importer.title}")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setButtonText(QWizard.WizardButton.NextButton, "下一步(&N) >")
        self.setButtonText(QWizard.WizardButton.BackButton, "< 上一步(&B)")
        self.setButtonText(QWizard.WizardButton.FinishButton, "完成")
        self.setButtonText(QWizard.WizardButton.CancelButton, "关闭")
        self.file_page = FilePage(self)
        self.mapping_page = MappingPage(self)
        self.check_page = CheckPage(self)
        self.import_page = ImportPage(self)
        for page in (self.file_page, self.mapping_page, self.check_page, self.import_page):
            self.addPage(page)
        self.resize(1150, 720)

    # -- step 1 --------------------------------------------------------------------------------
    def choice_options(self) -> list[tuple[str, str]]:
        with self.ctx.db.session(self.ctx.actor) as s:
            return self.importer.choice.options(s)

    def set_file(self, path: str | Path, choice: str | None = None) -> None:
        self.file_page.path_edit.setText(str(path))
        combo = self.file_page.choice_combo
        if combo is not None:
            combo.setCurrentIndex(max(0, combo.findData(choice)) if choice else 0)

    def path(self) -> str:
        return self.file_page.path_edit.text().strip()

    def choice(self) -> str | None:
        combo = self.file_page.choice_combo
        return combo.currentData() if combo is not None else None

    def forget_file(self) -> None:
        """Another file was named: what was read of the last one no longer counts."""
        self._generation += 1
        self.table = self.no_header = self.read_key = None
        self.sheet_choice = self.header_choice = None
        self.dry_result = self.result = None
        self.rejects_file = None
        if self.reading:
            self._set_reading(False)

    def file_read(self) -> bool:
        """The named file has been read (with a header found, or with its first rows to name one)."""
        return self.read_key is not None and self.read_key[0] == self.path() and not self.reading

    def read_file(self, *, then_next: bool = False):
        """Read the workbook off the GUI thread (the sheet and header row as chosen, else found by the core).
        A newer request makes the answer to an older one be ignored."""
        raw = self.path()
        path = Path(raw)
        page = self.currentPage() if self.currentPage() in (self.file_page, self.mapping_page) else self.file_page
        show_inline(page.error, None)
        if not path.is_file():
            show_inline(page.error, f"找不到文件“{path}”。")
            return None
        self._generation += 1
        generation = self._generation
        key = (raw, self.sheet_choice, self.header_choice)
        importer, memory = self.importer, self.memory
        sheet, header_row = self.sheet_choice, self.header_choice

        def work(_progress):
            try:
                table = importer.open(path, sheet=sheet, header_row=header_row, memory=memory)
            except HeaderNotFound as e:
                return None, e, False
            return table, None, memory.knows(table.mapping)

        def done(answer) -> None:
            if generation != self._generation:
                return
            self._set_reading(False)
            self.table, self.no_header, self.remembered = answer
            self.read_key = key
            self.dry_result = self.result = None
            self.rejects_file = None
            if self.currentPage() is self.mapping_page:
                self.mapping_page.load()
            elif then_next and self.currentPage() is self.file_page:
                self.next()

        def failed(error: BaseException) -> None:
            if generation != self._generation:
                return
            self._set_reading(False)
            if isinstance(error, UserFacingError):
                show_inline(page.error, error.message)
            else:
                show_error(self, error)

        self._set_reading(True)
        return run_op(self, work, on_done=done, on_failed=failed, label=f"正在读取“{path.name}”……", writes=False)

    def _set_reading(self, reading: bool) -> None:
        self.reading = reading
        self.file_page.set_busy(reading)
        self.mapping_page.set_busy(reading)

    # -- step 2 --------------------------------------------------------------------------------
    def choose_sheet(self, name: str) -> None:
        """Another sheet of the workbook: its header is found afresh."""
        current = self.table.mapping.sheet if self.table is not None else (self.no_header.sheet if self.no_header else None)
        if name == current:
            return
        self.sheet_choice, self.header_choice = name, None
        self.read_file()

    def choose_header_row(self, row: int | None) -> None:
        """The header is in ``row`` (1-based, as Excel numbers rows); None: let the core find it again."""
        if self.table is not None and row is not None and row == self.table.mapping.header_row:
            return
        if self.sheet_choice is None:
            self.sheet_choice = (self.table.mapping.sheet if self.table is not None
                                 else self.no_header.sheet if self.no_header is not None else None)
        self.header_choice = row
        self.read_file()

    def set_field_column(self, key: str, index: int | None) -> None:
        """A person's choice: ``key`` is read from column ``index`` (NOT_IMPORTED / None: from none)."""
        m = self.table.mapping
        if index is None or index == NOT_IMPORTED:
            col = m.column_of(key)
            if col is not None:
                m.assign(col.index, None)
        else:
            m.assign(index, key)
        self.dry_result = None
        self.mapping_page.sync()

    def missing_fields(self) -> list[str]:
        if self.table is None:
            return []
        return [f.label for f in self.table.mapping.missing(self.importer.schema)]

    # -- steps 3 and 4 ---------------------------------------------------------------------------
    def _work(self, dry_run: bool, hook: Callable[[int, int], bool] | None):
        ctx, table, choice, run = self.ctx, self.table, self.choice(), self.importer.run
        verb = "检查" if dry_run else "导入"

        def work(progress):
            def report(done: int, total: int) -> bool:
                go = progress(done, total, f"正在{verb}：{done:,} / {total:,} 行……")
                return bool(go) and (hook is None or bool(hook(done, total)))
            try:
                with ctx.db.session(ctx.actor) as s:
                    return run(s, ctx.actor, table, dry_run=dry_run, progress=report, choice=choice)
            except ImportCancelled:
                return None
        return work

    def start_dry_run(self, hook: Callable[[int, int], bool] | None = None):
        if self.table is None:
            return None
        self.memory.remember(self.table.mapping)
        self.dry_result = None

        def done(result) -> None:
            self.dry_result = result
            if result is None:
                self.check_page.summary.setText("已取消检查。点“重新检查”再试。")
                return
            self.check_page.show_result(result)

        def failed(error: BaseException) -> None:
            self.check_page.summary.setText("检查未完成。")
            show_error(self, error)
        return run_op(self, self._work(True, hook), on_done=done, on_failed=failed,
                      label=f"正在检查{self.importer.title}……", cancellable=True, writes=False)

    def start_import(self, hook: Callable[[int, int], bool] | None = None):
        if self.table is None:
            return None
        if not self.ctx.actor.can(Permission.EDIT_DATA):
            show_error(self, UserFacingError("当前用户无权录入数据，不能导入。"))
            return None
        self.memory.remember(self.table.mapping)
        page = self.import_page
        page.import_button.setEnabled(False)
        page.result_label.setText("正在导入……")

        def done(result) -> None:
            if result is None:
                page.result_label.setText("已取消导入，数据库未做任何改动。")
                page.import_button.setEnabled(True)
                self.result = None
            else:
                self.result = result
                page.result_label.setText(
                    f"导入完成：读取 {result.read:,}，导入 {result.imported:,}（其中待补充 {result.incomplete:,}），"
                    f"不变 {result.unchanged:,}，拒绝 {result.rejected:,}。")
                if result.rejects:
                    page.rejects_label.setText(f"有 {result.rejected:,} 行未导入，请“保存未导入的行”，按“原因”一栏改正后再导入。")
                if self.importer.changed:
                    self.ctx.changes.changed.emit(self.importer.changed)
            page.update_buttons()

        def failed(error: BaseException) -> None:
            page.result_label.setText("导入未完成，数据库未做任何改动。")
            page.import_button.setEnabled(True)
            show_error(self, error)
        return run_op(self, self._work(False, hook), on_done=done, on_failed=failed,
                      label=f"正在导入{self.importer.title}……", cancellable=True)

    def rejects_dialog(self) -> None:
        if self.result is None or not self.result.rejects:
            return
        start = default_rejects_path(self.table.path)
        path, _ = QFileDialog.getSaveFileName(self, "保存未导入的行", str(start), "Excel 工作簿 (*.xlsx)")
        if path:
            self.save_rejects(Path(path if path.lower().endswith(".xlsx") else path + ".xlsx"))

    def save_rejects(self, path: Path) -> Path | None:
        result = self.result or self.dry_result
        if result is None:
            return None
        try:
            self.rejects_file = result.write_rejects(path)
        except UserFacingError as e:
            show_error(self, e)
            return None
        self.import_page.rejects_label.setText(f"已保存未导入的行：{self.rejects_file}")
        self.import_page.update_buttons()
        return self.rejects_file

    def open_rejects(self) -> None:
        if self.rejects_file is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.rejects_file)))


def open_import_wizard(ctx: AppContext, importer: Importer, parent: QWidget,
                       on_finished: Callable[[], None] | None = None) -> ImportWizard:
    """Open the wizard (window-modal) from a screen; ``on_finished`` runs when it is closed."""
    wizard = ImportWizard(ctx, importer, parent)
    if on_finished is not None:
        wizard.finished.connect(lambda _r: on_finished())
    wizard.open()
    return wizard
