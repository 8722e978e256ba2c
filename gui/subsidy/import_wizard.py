"""导入: bring a county's own 花名册 (Excel/WPS) into the register — DOMAIN.md §3 "Rosters in Excel".

A QWizard over ``core.subsidy.roster_import``:

1. 选择文件 — the workbook and the programme (or 按表中的扶助项目列); 下载导入模板 writes the standard template;
2. 列的对应 — the header row found by the core, each of our fields with the column it is read from (a combo
   per field, pre-filled by the detection or by the person's earlier choices for the same layout —
   ``core.imports.MappingMemory``), and the first lines of the file;
3. 试导入 — a dry run (progress, cancel): 读取 / 可导入 / 不变 / 拒绝 / 待补充 and the first refused lines with 原因;
4. 导入 — the import in one transaction (取消 rolls it back: nothing imported), the counts, and the
   rejects workbook (原行 + 原因) saved where the person chooses.

Every step that needs a file has a method taking a path (``set_file``, ``write_template``,
``save_rejects``) so tests drive the wizard without modal dialogs.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QFont
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QFileDialog, QFormLayout, QGridLayout, QHBoxLayout,
                               QHeaderView, QLabel, QLineEdit, QPushButton, QSplitter, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget, QWizard, QWizardPage)

from core.access import Permission
from core.errors import UserFacingError
from core.imports import ImportCancelled, MappingMemory, Table, default_rejects_path
from gui.context import AppContext
from gui.operations import run_op, show_error
from gui.subsidy.year_wizard import documents_dir, programme_choices
from gui.table_models import error_label, show_inline

NOT_IMPORTED = -1
PREVIEW_ROWS = 8
REJECTS_SHOWN = 200
BY_COLUMN = "按表中的扶助项目列"
COUNT_LABELS = (("read", "读取"), ("imported", "可导入"), ("unchanged", "不变（已登记）"), ("rejected", "拒绝"),
                ("incomplete", "待补充"))


def _bold(label: QLabel, scale: float = 1.0) -> QLabel:
    font = QFont(label.font())
    font.setBold(True)
    if scale != 1.0:
        font.setPointSizeF(font.pointSizeF() * scale)
    label.setFont(font)
    return label


def write_template(ctx: AppContext, path: Path) -> Path:
    """The standard roster template with this installation's townships and programmes."""
    from core.subsidy.template import write_template_for
    with ctx.db.session(ctx.actor) as s:
        return write_template_for(s, path)


def template_dialog(ctx: AppContext, parent: QWidget, on_written: Callable[[Path], None] | None = None) -> None:
    start = documents_dir() / "扶助对象花名册导入模板.xlsx"
    path, _ = QFileDialog.getSaveFileName(parent, "下载导入模板", str(start), "Excel 工作簿 (*.xlsx)")
    if not path:
        return
    target = Path(path if path.lower().endswith(".xlsx") else path + ".xlsx")
    try:
        written = write_template(ctx, target)
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
        self.setTitle("第 1 步：选择花名册文件")
        self.setSubTitle("可以是本程序的导入模板，也可以是乡镇自己做的 Excel/WPS 花名册：标题行、填报单位行、"
                         "合计行、各种列名和日期写法都能识别。")
        self.path_edit = QLineEdit()
        self.path_edit.setPlaceholderText("请选择 .xlsx 文件")
        self.path_edit.textChanged.connect(lambda _t: self.completeChanged.emit())
        browse = QPushButton("浏览(&B)…")
        browse.clicked.connect(self.browse)
        self.program_combo = QComboBox()
        self.program_combo.addItem(BY_COLUMN, None)
        for code, name in programme_choices(wizard.ctx):
            self.program_combo.addItem(name, code)
        self.template_button = QPushButton("下载导入模板(&T)…")
        self.template_button.clicked.connect(lambda: template_dialog(wizard.ctx, self, self._template_written))
        self.template_note = QLabel()
        self.template_note.setWordWrap(True)
        self.error = error_label()
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        form = QFormLayout()
        form.addRow("文件(&F)：", row)
        form.addRow("扶助项目(&G)：", self.program_combo)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addSpacing(12)
        hint = QLabel("还没有花名册？下载标准模板，按说明填写后再导入。身份证号和银行账号两列请设为“文本”格式，"
                      "否则 Excel 会把号码变成科学计数法、末几位丢失。")
        hint.setWordWrap(True)
        layout.addWidget(hint)
        layout.addWidget(self.template_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.template_note)
        layout.addStretch(1)

    def _template_written(self, path: Path) -> None:
        self.template_note.setText(f"已保存导入模板：{path}")

    def browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "选择花名册", str(documents_dir()), "Excel 工作簿 (*.xlsx *.xlsm)")
        if path:
            self.path_edit.setText(path)

    def isComplete(self) -> bool:
        return bool(self.path_edit.text().strip())

    def validatePage(self) -> bool:
        return self.w.open_file()


class MappingPage(QWizardPage):
    def __init__(self, wizard: ImportWizard):
        super().__init__()
        self.w = wizard
        self.setTitle("第 2 步：核对列的对应")
        self.setSubTitle("程序已自动找出表头和各列的含义。如有不对，在右边的下拉框中改选；"
                         "改过的对应会记住，下次导入同样格式的表格时自动使用。")
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
        self.preview_note = QLabel(f"表中前 {PREVIEW_ROWS} 行（列标题下为对应的字段）：")
        rv.addWidget(self.preview_note)
        rv.addWidget(self.preview)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setSizes([400, 700])
        layout = QVBoxLayout(self)
        layout.addWidget(self.header_note)
        layout.addWidget(self.error)
        layout.addWidget(splitter, 1)

    def initializePage(self) -> None:
        self.load()

    def load(self) -> None:
        table = self.w.table
        if table is None:
            return
        m = table.mapping
        remembered = " 已按上次的选择设置了列的对应。" if self.w.remembered else ""
        self.header_note.setText(f"文件“{table.path.name}”，工作表“{m.sheet}”，表头在第 {m.header_row} 行"
                                 f"（共 {table.total_rows:,} 行数据，含空行和合计行）。{remembered}")
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
            problems.append(f"还缺必需的列：{'、'.join(missing)}。请在下拉框中指定。")
        if self.w.program() is None and m.column_of("program") is None:
            problems.append("表中没有“扶助项目”列：请返回上一步指定扶助项目，或在这里指定哪一列是扶助项目。")
        show_inline(self.error, "\n".join(problems) or None)
        self._label_preview()
        self.completeChanged.emit()

    def _fill_preview(self) -> None:
        table = self.w.table
        first, _last = table.mapping.span
        headings = table.headings()
        rows = table.sample(PREVIEW_ROWS)
        self.preview.clear()
        self.preview.setColumnCount(len(headings))
        self.preview.setRowCount(len(rows))
        self.preview.setVerticalHeaderLabels([str(r.number) for r in rows])
        for r, row in enumerate(rows):
            for c, value in enumerate(row.cells):
                text = "" if value is None else (str(int(value)) if isinstance(value, float) and value.is_integer()
                                                 else str(value))
                self.preview.setItem(r, c, QTableWidgetItem(text))
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
        return self.w.table is not None and not self.w.missing_fields()


class CheckPage(QWizardPage):
    def __init__(self, wizard: ImportWizard):
        super().__init__()
        self.w = wizard
        self.setTitle("第 3 步：试导入（检查）")
        self.setSubTitle("逐行检查，数据库不做任何改动。不能导入的行列在下面，并写明原因。")
        self.counts: dict[str, QLabel] = {}
        grid = QGridLayout()
        for i, (key, label) in enumerate(COUNT_LABELS):
            grid.addWidget(QLabel(label), 0, i)
            value = _bold(QLabel("—"), 1.5)
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
        layout.addWidget(QLabel("不能导入的行（前 200 行）："))
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
        self.setSubTitle("全部可导入的行一次导入；中途取消则什么也不导入。已登记且未变的人不会重复导入。")
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.import_button = QPushButton("开始导入(&I)")
        self.import_button.clicked.connect(lambda: self.w.start_import())
        self.result_label = _bold(QLabel())
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
    def __init__(self, ctx: AppContext, parent: QWidget | None = None, memory: MappingMemory | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.memory = memory or MappingMemory()
        self.table: Table | None = None
        self.remembered = False
        self.dry_result = None
        self.result = None
        self.rejects_file: Path | None = None
        self.setWindowTitle("导入扶助对象花名册")
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
    def set_file(self, path: str | Path, program: str | None = None) -> None:
        self.file_page.path_edit.setText(str(path))
        combo = self.file_page.program_combo
        combo.setCurrentIndex(max(0, combo.findData(program)) if program else 0)

    def program(self) -> str | None:
        return self.file_page.program_combo.currentData()

    def open_file(self) -> bool:
        """Read the chosen workbook and find its header (the message is shown on the page if not)."""
        from core.subsidy.roster_import import open_roster
        path = Path(self.file_page.path_edit.text().strip())
        show_inline(self.file_page.error, None)
        if not path.is_file():
            show_inline(self.file_page.error, f"找不到文件“{path}”。")
            return False
        try:
            self.table = open_roster(path, memory=self.memory)
        except UserFacingError as e:
            show_inline(self.file_page.error, e.message)
            return False
        self.remembered = self.memory.knows(self.table.mapping)
        self.dry_result = self.result = None
        self.rejects_file = None
        return True

    # -- step 2 --------------------------------------------------------------------------------
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
        from core.subsidy.roster_import import ROSTER
        if self.table is None:
            return []
        return [f.label for f in self.table.mapping.missing(ROSTER)]

    # -- steps 3 and 4 ---------------------------------------------------------------------------
    def _work(self, dry_run: bool, hook: Callable[[int, int], bool] | None):
        from core.subsidy.roster_import import import_roster
        ctx, table, program = self.ctx, self.table, self.program()
        verb = "检查" if dry_run else "导入"

        def work(progress):
            def report(done: int, total: int) -> bool:
                go = progress(done, total, f"正在{verb}：{done:,} / {total:,} 行……")
                return bool(go) and (hook is None or bool(hook(done, total)))
            try:
                with ctx.db.session(ctx.actor) as s:
                    return import_roster(s, ctx.actor, table, program=program, dry_run=dry_run, progress=report)
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
        return run_op(self, self._work(True, hook), on_done=done, on_failed=failed, label="正在检查花名册……",
                      cancellable=True, writes=False)

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
                self.ctx.changes.changed.emit("subsidy_recipient")
            page.update_buttons()

        def failed(error: BaseException) -> None:
            page.result_label.setText("导入未完成，数据库未做任何改动。")
            page.import_button.setEnabled(True)
            show_error(self, error)
        return run_op(self, self._work(False, hook), on_done=done, on_failed=failed, label="正在导入花名册……",
                      cancellable=True)

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


class ImportTab(QWidget):
    """导入 tab: what the import does, and the two ways in (the wizard, the template)."""

    help_topic = "subsidy.html#import"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.wizard: ImportWizard | None = None
        title = _bold(QLabel("从 Excel 花名册导入扶助对象"), 1.3)
        text = QLabel(
            "可以导入本程序的导入模板，也可以直接导入乡镇报来的 Excel/WPS 花名册：\n"
            "· 表头上方的标题行、填报单位行，表格下方的合计行和说明行会自动跳过；\n"
            "· “身份证号”“一卡通账号”“乡（镇）”等各种列名都能认出，认错的可以改，改过的会记住；\n"
            "· 日期可以写成 1958.03.12、1958-3-12、1958年3月12日、19580312；全角数字、空格、小写 x 都能处理；\n"
            "· 被 Excel 变成科学计数法（如 2.20322E+17）的身份证号末几位已丢失，无法恢复，会列为未导入并说明原因；\n"
            "· 先试导入（不改动数据库）看结果，再正式导入；中途取消则什么也不导入；\n"
            "· 不能导入的行连同“原因”另存为一个工作簿，改正后可再次导入；已登记且未变的人不会重复导入。")
        text.setWordWrap(True)
        self.start_button = QPushButton("开始导入(&I)…")
        self.start_button.clicked.connect(self.open_wizard)
        self.start_button.setEnabled(ctx.actor.can(Permission.EDIT_DATA))
        self.template_button = QPushButton("下载导入模板(&T)…")
        self.template_button.clicked.connect(lambda: template_dialog(ctx, self, self._template_written))
        self.note = QLabel()
        self.note.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.start_button)
        row.addWidget(self.template_button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(text)
        layout.addSpacing(8)
        layout.addLayout(row)
        layout.addWidget(self.note)
        layout.addStretch(1)

    def _template_written(self, path: Path) -> None:
        self.note.setText(f"已保存导入模板：{path}")

    def open_wizard(self) -> ImportWizard:
        self.wizard = ImportWizard(self.ctx, self)
        self.wizard.finished.connect(lambda _r: setattr(self, "wizard", None))
        self.wizard.open()
        return self.wizard
