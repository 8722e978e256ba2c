"""导入 through the wizard (issue 3 §6): a messy county roster — the header found and shown per field, a
person's correction remembered, the dry run's counts and reasons, the import, the rejects workbook
with 原因, importing again adds nothing, a cancel in the middle imports nothing; and the template."""
from __future__ import annotations

import pytest
from openpyxl import load_workbook
from PySide6.QtWidgets import QWizard
from sqlalchemy import func, select

from core.imports import MappingMemory
from db.models.subsidy import Recipient
from gui.subsidy.import_wizard import NOT_IMPORTED, ImportTab, ImportWizard
from tests.subsidy.roster_factory import write_roster
from tests.subsidy.test_recipients import make_id

pytestmark = pytest.mark.gui
GOOD = 30


def count(db, admin) -> int:
    with db.session(admin) as s:
        return s.execute(select(func.count()).select_from(Recipient)).scalar_one()


@pytest.fixture
def messy_roster(tmp_path):
    """A county's own roster (title rows, 身份证号码/乡（镇）/一卡通账号 …, 合计 and a note) with GOOD people,
    plus four bad lines put in before the 合计 row."""
    path = write_roster(tmp_path / "梨树县花名册.xlsx", GOOD, messy=True)
    wb = load_workbook(path)
    ws = wb.active
    total_row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "合计")
    first = [ws.cell(5, c).value for c in range(1, 19)]
    bad = [
        [GOOD + 1, "科学计数", "女", 2.20322193403038e17, "1950-01-01", "汉", "梨树镇", "东风", "农业", "", "奖励扶助",
         "2012", "农商行", "6217000000000000991", "享受中", "", "", ""],
        [GOOD + 2, "不存在乡", "女", make_id(born="19500101", seq="123"), "1950-01-01", "汉", "不存在乡", "东风", "农业", "",
         "奖励扶助", "2012", "农商行", "6217000000000000992", "享受中", "", "", ""],
        [GOOD + 3, "太年轻", "女", make_id(born="19750101", seq="124"), "1975-01-01", "汉", "梨树镇", "东风", "农业", "", "奖励扶助",
         "2012", "农商行", "6217000000000000993", "享受中", "", "", ""],
        first,                                                          # the first person again
    ]
    ws.delete_rows(total_row, ws.max_row - total_row + 1)
    for row in bad:
        ws.append(row)
    ws.append(["合计", f"{GOOD + 4}人"])
    wb.save(path)
    return path


def wizard(qtbot, ctx, tmp_path) -> ImportWizard:
    w = ImportWizard(ctx, memory=MappingMemory(tmp_path / "mappings.json"))
    qtbot.addWidget(w)
    w.show()
    return w


def to_mapping(qtbot, w: ImportWizard) -> None:
    """Next on the file page: the workbook is read in the background, then the wizard moves on."""
    w.next()
    qtbot.waitUntil(lambda: w.currentPage() is w.mapping_page or w.file_page.error.isVisible(), timeout=30_000)


def dry_run(qtbot, w: ImportWizard):
    qtbot.waitUntil(lambda: w.dry_result is not None, timeout=60_000)
    return w.dry_result


def test_import_messy_roster_through_the_wizard(qtbot, ctx, db, admin, messy_roster, tmp_path, boxes):
    w = wizard(qtbot, ctx, tmp_path)
    w.set_file(messy_roster)
    to_mapping(qtbot, w)
    assert w.currentPage() is w.mapping_page
    page = w.mapping_page
    assert "第 4 行" in page.header_note.text()                         # below the title and 填报单位 lines
    assert page.combos["id_number"].currentText() == "D 列：身份证号码"
    assert page.combos["township"].currentText() == "G 列：乡（镇）"
    assert page.combos["account_no"].currentText() == "N 列：一卡通账号"
    assert page.combos["first_year"].currentText() == "L 列：纳入年度"
    assert page.combos["address"].currentData() == NOT_IMPORTED
    assert page.preview.rowCount() == 8 and "→ 公民身份号码" in page.preview.horizontalHeaderItem(3).text()
    assert page.isComplete()

    # a person's correction (备注 not imported) is applied and the required fields are still checked
    page.combos["note"].setCurrentIndex(page.combos["note"].findData(NOT_IMPORTED))
    assert w.table.mapping.column_of("note") is None
    page.combos["name"].setCurrentIndex(page.combos["name"].findData(NOT_IMPORTED))
    assert not page.isComplete() and "姓名" in page.error.text()
    page.combos["name"].setCurrentIndex(page.combos["name"].findData(1))
    assert page.isComplete() and page.error.isHidden()

    # the dry run: counts and reasons; nothing written
    w.next()
    result = dry_run(qtbot, w)
    assert (result.read, result.imported, result.unchanged, result.rejected) == (GOOD + 4, GOOD, 0, 4)
    counts = {k: v.text() for k, v in w.check_page.counts.items()}
    assert counts == {"read": str(GOOD + 4), "imported": str(GOOD), "unchanged": "0", "rejected": "4",
                      "incomplete": str(result.incomplete)}
    reasons = [w.check_page.rejects.item(r, 1).text() for r in range(w.check_page.rejects.rowCount())]
    assert len(reasons) == 4
    assert any("科学计数法" in r for r in reasons)
    assert any("不存在乡" in r for r in reasons)
    assert any("才满 60 周岁" in r for r in reasons)
    assert any("重复" in r for r in reasons)
    assert count(db, admin) == 0
    # the mapping was remembered for this layout (with the correction)
    again = MappingMemory(tmp_path / "mappings.json")
    assert again.knows(w.table.mapping)

    # the import
    w.next()
    assert w.currentPage() is w.import_page and not w.import_page.isComplete()
    w.start_import()
    qtbot.waitUntil(lambda: w.result is not None, timeout=60_000)
    assert not boxes, boxes
    assert count(db, admin) == GOOD
    assert f"导入 {GOOD}" in w.import_page.result_label.text() and "拒绝 4" in w.import_page.result_label.text()
    assert w.import_page.save_button.isEnabled() and w.button(QWizard.WizardButton.FinishButton).isEnabled()
    with db.session(admin) as s:
        notes = s.execute(select(Recipient.note)).scalars().all()
    assert all(not n for n in notes)                                   # 备注 was not imported, as chosen

    # the rejects workbook: the original lines plus 原因
    rejects = w.save_rejects(tmp_path / "未导入.xlsx")
    rows = list(load_workbook(rejects).active.iter_rows(values_only=True))
    header = list(rows[0])
    assert "原因" in header and "身份证号码" in header
    by_name = {r[header.index("姓名")]: r[header.index("原因")] for r in rows[1:]}
    assert "科学计数法" in by_name["科学计数"] and "不存在乡" in by_name["不存在乡"]
    assert w.import_page.open_button.isEnabled()

    # importing the same file again adds nothing; the remembered mapping is applied at once
    w2 = wizard(qtbot, ctx, tmp_path)
    w2.set_file(messy_roster)
    to_mapping(qtbot, w2)
    assert w2.remembered and w2.table.mapping.column_of("note") is None
    assert "上次" in w2.mapping_page.header_note.text()
    w2.next()
    second = dry_run(qtbot, w2)
    assert (second.imported, second.unchanged) == (0, GOOD)
    w2.next()
    w2.start_import()
    qtbot.waitUntil(lambda: w2.result is not None, timeout=60_000)
    assert count(db, admin) == GOOD


def cancel_midway(qtbot, w: ImportWizard, path, lines: int, boxes) -> None:
    """Dry run (all ``lines`` importable), then an import cancelled after its first progress report (500 lines)."""
    w.set_file(path)
    to_mapping(qtbot, w)
    w.next()
    assert dry_run(qtbot, w).imported == lines
    w.next()
    calls = []

    def cancel_after_first_batch(done, total):
        calls.append(done)
        return done < 500
    w.start_import(cancel_after_first_batch)
    qtbot.waitUntil(lambda: "已取消" in w.import_page.result_label.text() or bool(boxes), timeout=60_000)
    assert not boxes, boxes
    assert max(calls) >= 500 and w.result is None
    assert "数据库未做任何改动" in w.import_page.result_label.text()


def test_cancel_in_the_middle_imports_nothing(qtbot, ctx, db, admin, tmp_path, boxes):
    w = wizard(qtbot, ctx, tmp_path)
    cancel_midway(qtbot, w, write_roster(tmp_path / "大花名册.xlsx", 1200, messy=True), 1200, boxes)
    assert count(db, admin) == 0
    assert w.import_page.import_button.isEnabled()          # can be started again
    w.start_import()
    qtbot.waitUntil(lambda: w.result is not None, timeout=60_000)
    assert count(db, admin) == 1200


def test_wrong_file_and_the_template(qtbot, ctx, tmp_path):
    w = wizard(qtbot, ctx, tmp_path)
    not_a_roster = tmp_path / "说明.xlsx"
    from openpyxl import Workbook
    wb = Workbook()
    wb.active.append(["这是一份说明"])
    wb.save(not_a_roster)
    w.set_file(not_a_roster)
    to_mapping(qtbot, w)
    # read, but no header: the mapping page shows the sheet's first rows so the header row can be named
    page = w.mapping_page
    assert w.currentPage() is page and w.table is None and not page.isComplete()
    assert "找不到表头" in page.error.text() and page.preview.item(0, 0).text() == "这是一份说明"
    w.back()
    missing = tmp_path / "没有.xlsx"
    w.set_file(missing)
    w.next()
    assert w.currentPage() is w.file_page and "找不到文件" in w.file_page.error.text()

    tab = ImportTab(ctx)
    qtbot.addWidget(tab)
    from gui.subsidy.import_wizard import write_template
    template = write_template(ctx, tmp_path / "模板.xlsx")
    heading = [c.value for c in next(load_workbook(template).worksheets[0].iter_rows(max_row=1))]
    assert heading[:4] == ["序号", "姓名", "性别", "公民身份号码"]
    # the template itself is accepted by the wizard (header found, nothing to import)
    w.set_file(template)
    to_mapping(qtbot, w)
    assert w.currentPage() is w.mapping_page and w.mapping_page.isComplete()
