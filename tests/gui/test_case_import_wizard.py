"""案件台账导入 through the one import wizard (``gui/imports``), opened from the case register: the file read
in the background, the header found below the title rows, the dry run's counts and reasons, the import, the
rejects workbook, the register refreshed; a cancel in the middle imports nothing; the sheet and the header
row chosen by the person (and a workbook whose header is not found at all); the case template."""
from __future__ import annotations

from datetime import date

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from core.imports import MappingMemory
from core.supervision.case_import import CASE_IMPORTER
from db.models.supervision import Case
from gui.imports.import_wizard import NOT_IMPORTED, ImportWizard, write_template
from tests.gui.test_subsidy_import import cancel_midway, dry_run, to_mapping
from tests.supervision.test_case_import import HEADER, ROWS, ledger

pytestmark = pytest.mark.gui


def count(db) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(Case))


def wizard(qtbot, ctx, tmp_path) -> ImportWizard:
    w = ImportWizard(ctx, CASE_IMPORTER, memory=MappingMemory(tmp_path / "mappings.json"))
    qtbot.addWidget(w)
    w.show()
    return w


def read(qtbot, w: ImportWizard) -> None:
    qtbot.waitUntil(lambda: not w.reading, timeout=30_000)


def filed_rows(n: int, year: int = 2023) -> list[list]:
    """``n`` filed-only cases (numbers 1…n of the 公 series of ``year``)."""
    base = ROWS[1]
    return [[i, f"梨卫公罚〔{year}〕{i}号", *base[2:11], date(year, 6, 3), None, None, None, None, None, ""]
            for i in range(1, n + 1)]


def test_case_ledger_through_the_wizard_from_the_register(qtbot, ctx, db, admin, tmp_path, boxes):
    from gui.supervision.case_register import CaseRegister
    register = CaseRegister(ctx)
    qtbot.addWidget(register)
    assert register.import_button.text() == "导入台账…" and register.import_button.isEnabled()
    register.import_button.click()
    w = register.active_dialog
    assert isinstance(w, ImportWizard) and w.importer is CASE_IMPORTER
    assert w.windowTitle() == "导入监督案件台账" and w.file_page.choice_combo is None
    assert w.file_page.template_button.isVisibleTo(w.file_page)

    path = ledger(tmp_path / "案件台账.xlsx")
    w.set_file(path)
    to_mapping(qtbot, w)
    page = w.mapping_page
    assert w.currentPage() is page and not boxes
    assert "第 3 行" in page.header_note.text() and page.header_spin.value() == 3
    assert page.combos["number"].currentText() == "B 列：文号"
    assert page.combos["party_name"].currentText() == "F 列：当事人名称"
    assert page.combos["fine"].currentText() == "Q 列：罚款（元）"
    assert page.isComplete()
    page.combos["cause"].setCurrentIndex(page.combos["cause"].findData(NOT_IMPORTED))
    assert not page.isComplete() and "案由" in page.error.text()
    page.combos["cause"].setCurrentIndex(page.combos["cause"].findData(2))
    assert page.isComplete()

    w.next()
    result = dry_run(qtbot, w)
    assert (result.read, result.imported, result.unchanged, result.rejected) == (6, 3, 0, 3)
    assert w.check_page.counts["rejected"].text() == "3"
    reasons = [w.check_page.rejects.item(r, 1).text() for r in range(w.check_page.rejects.rowCount())]
    assert any("校验位" in r for r in reasons) and any("食品安全" in r for r in reasons)
    assert count(db) == 0

    w.next()
    w.start_import()
    qtbot.waitUntil(lambda: w.result is not None, timeout=60_000)
    assert not boxes, boxes
    assert count(db) == 3 and "导入 3" in w.import_page.result_label.text()
    rejects = w.save_rejects(tmp_path / "未导入.xlsx")
    rows = list(load_workbook(rejects).active.iter_rows(values_only=True))
    assert rows[0][-2:] == ("原因", "原行号") and len(rows) == 4
    w.accept()
    qtbot.waitUntil(lambda: register.active_dialog is None)
    assert register.model.total() == 3                         # the register shows what was imported

    # the same ledger again: nothing added; a changed line is reported, not written over
    changed = [list(r) for r in ROWS]
    changed[0][16] = 5000
    w2 = wizard(qtbot, ctx, tmp_path)
    w2.set_file(ledger(tmp_path / "改过.xlsx", changed))
    to_mapping(qtbot, w2)
    w2.next()
    again = dry_run(qtbot, w2)
    assert (again.imported, again.unchanged, again.rejected) == (0, 2, 4)
    assert any("已存在且内容不同：罚款金额（已有“3,000.00”，表中“5,000.00”）" in x.reason for x in again.rejects)
    assert w2.check_page.counts["unchanged"].text() == "2"


def test_cancel_in_the_middle_imports_nothing(qtbot, ctx, db, tmp_path, boxes):
    w = wizard(qtbot, ctx, tmp_path)
    cancel_midway(qtbot, w, ledger(tmp_path / "大台账.xlsx", filed_rows(700)), 700, boxes)
    assert count(db) == 0 and w.import_page.import_button.isEnabled()


def test_sheet_and_header_row_chosen_by_the_person(qtbot, ctx, db, tmp_path, boxes):
    wb = Workbook()
    notes = wb.active
    notes.title = "说明"
    notes.append(["本台账按年度分表"])
    for title, rows in (("2023年", filed_rows(2, 2023)), ("2024年", ROWS[:1])):
        ws = wb.create_sheet(title)
        ws.append([f"{title}行政处罚案件台账"])
        ws.append(["填报单位：梨树县卫生监督所"])
        ws.append(HEADER)
        for r in rows:
            ws.append(r)
    deep = wb.create_sheet("底稿")
    for _ in range(22):
        deep.append(["（此处为说明文字）"])
    deep.append(HEADER)                                       # row 23: below the rows searched for a header
    deep.append(filed_rows(1, 2022)[0])
    path = tmp_path / "分年台账.xlsx"
    wb.save(path)

    w = wizard(qtbot, ctx, tmp_path)
    w.set_file(path)
    to_mapping(qtbot, w)
    page = w.mapping_page
    assert [page.sheet_combo.itemText(i) for i in range(page.sheet_combo.count())] == ["说明", "2023年", "2024年", "底稿"]
    assert page.sheet_combo.currentText() == "2023年" and "自动识别" in page.header_note.text()
    assert w.table.total_rows == 2

    # another sheet: its header is found afresh and the preview follows
    w.choose_sheet("2024年")
    read(qtbot, w)
    assert w.table.mapping.sheet == "2024年" and page.sheet_combo.currentText() == "2024年"
    assert page.preview.rowCount() == 1 and page.preview.item(0, 1).text() == "梨卫医罚〔2024〕1号"

    # the header row named by the person: a wrong row leaves required fields unmapped …
    page.header_spin.setValue(2)
    read(qtbot, w)
    assert w.table.mapping.header_row == 2 and "按您指定" in page.header_note.text()
    assert not page.isComplete() and "还缺必需的列" in page.error.text()
    # … and 自动识别 finds it again
    page.auto_button.click()
    read(qtbot, w)
    assert w.table.mapping.header_row == 3 and page.isComplete() and page.error.isHidden()

    # a sheet whose header the program cannot find: its first rows shown, the row named by the person
    w.choose_sheet("底稿")
    read(qtbot, w)
    assert w.table is None and not page.isComplete() and "找不到表头" in page.error.text()
    assert page.preview.rowCount() == 20 and page.preview.verticalHeaderItem(0).text() == "1"
    w.choose_header_row(23)
    read(qtbot, w)
    assert w.table is not None and w.table.mapping.header_row == 23 and page.isComplete()
    w.next()
    result = dry_run(qtbot, w)
    assert (result.sheet, result.header_row, result.read, result.imported) == ("底稿", 23, 1, 1)
    assert count(db) == 0


def test_case_template_from_the_wizard(qtbot, ctx, tmp_path):
    template = write_template(ctx, CASE_IMPORTER, tmp_path / "案件模板.xlsx")
    assert load_workbook(template).sheetnames[:2] == ["案件台账", "填写说明"]
    w = wizard(qtbot, ctx, tmp_path)
    w.set_file(template)
    to_mapping(qtbot, w)
    assert w.currentPage() is w.mapping_page and w.mapping_page.isComplete()
    assert w.table.mapping.header_row == 1 and w.table.mapping.sheet == "案件台账"
