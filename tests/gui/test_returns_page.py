"""报表 screen: export through the page (read back with openpyxl / pdftotext), unavailable returns,
the period field's inline errors, and print-preview painting."""
from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date

import pytest
from PySide6.QtWidgets import QMessageBox

from core import orgunits
from tests.gui.windows import show_active

pytestmark = pytest.mark.gui
needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) not installed")


@pytest.fixture
def box_answer():
    return QMessageBox.StandardButton.Ok     # message boxes here are acknowledged, never agreed to


@pytest.fixture
def page(qtbot, ctx):
    from gui.pages.returns_page import ReturnsPage
    p = ReturnsPage(ctx)
    qtbot.addWidget(p)
    return p


def _export(qtbot, page, fmt, path, boxes):
    assert page.select_return("ORG-LIST")
    page.export_to(fmt, path)
    qtbot.waitUntil(lambda: page.last_export == path or bool(boxes), timeout=30_000)
    assert not boxes, boxes
    assert path.exists()


def _pdf_text(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def _pdf_pages(path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info)[1])


def test_defaults(page):
    year = str(date.today().year)
    assert page.current_spec().id == "ORG-LIST"
    assert page.period_edit.text() == year
    assert page.period_label.text() == f"= {year}年"
    assert page.org_combo.itemText(0) == "全县（梨树县）" and page.org_combo.count() == 25
    assert "填报单位（盖章）：梨树县卫生健康局" in page.header_note.text()
    assert all(b.isEnabled() for b in page.export_buttons.values())
    from gui.pages.returns_page import default_file_name
    req = page.current_request()
    assert default_file_name(req, ".xlsx") == f"组织机构目录-{year}.xlsx"


def test_org_list_to_xlsx_through_the_page(qtbot, page, tmp_path, boxes):
    from openpyxl import load_workbook
    path = tmp_path / "组织机构目录-2026.xlsx"
    _export(qtbot, page, "xlsx", path, boxes)
    ws = load_workbook(path).active
    cells = [str(c) for row in ws.iter_rows(values_only=True) for c in row if c is not None]
    assert any("组织机构目录" in c for c in cells[:5])
    assert "梨树镇" in cells and "富强街道" in cells
    assert "已导出" in page.result_label.text() and not page.open_folder_button.isHidden()


@needs_poppler
def test_org_list_to_pdf_through_the_page(qtbot, page, tmp_path, boxes):
    path = tmp_path / "组织机构目录.pdf"
    _export(qtbot, page, "pdf", path, boxes)
    text = _pdf_text(path)
    assert "组织机构目录" in text and "梨树镇" in text and "梨树县卫生健康局" in text


def test_township_and_csv(qtbot, page, tmp_path, boxes, db, admin):
    with db.session(admin) as s:
        orgunits.add_unit(s, admin, "220322100201", "东风村")
    page.select_return("ORG-LIST")
    page.org_combo.setCurrentIndex(page.org_combo.findData("220322100"))
    path = tmp_path / "x.csv"
    _export(qtbot, page, "csv", path, boxes)
    text = path.read_text(encoding="utf-8-sig")
    assert "东风村" in text and "富强街道" not in text


def test_unavailable_return_shows_not_enabled(page, monkeypatch):
    """A return whose area is not built yet (none once every area is done: simulate one)."""
    import dataclasses
    from core.returns import catalogue
    monkeypatch.setitem(catalogue.CATALOGUE, "FP-ROSTER",
                        dataclasses.replace(catalogue.CATALOGUE["FP-ROSTER"], builder=None))
    page.refresh()
    assert page.select_return("FP-ROSTER")
    assert not page.state_label.isHidden() and "尚未启用" in page.state_label.text()
    assert not any(b.isEnabled() for b in page.export_buttons.values())
    assert not page.preview_button.isEnabled() and not page.print_button.isEnabled()
    assert page.export_to("xlsx", "unused.xlsx") is None       # nothing runs even if called


def test_bad_period_is_explained_next_to_the_field(page, tmp_path):
    page.select_return("ORG-LIST")
    page.period_edit.setText("2026Q5")
    assert not page.period_error.isHidden() and "无法识别的报告期" in page.period_error.text()
    assert page.export_to("xlsx", tmp_path / "x.xlsx") is None
    page.period_edit.setText("2025Oct")
    assert page.period_error.isHidden()
    assert page.period_label.text() == "= 2026统计年度（2025年10月—2026年9月）"
    page.period_edit.setText("")
    assert page.period_error.isHidden() and "当前" in page.period_label.text()   # ORG-LIST needs none


@needs_poppler
def test_print_painting_gives_the_same_pages(qtbot, ctx, db, admin, tmp_path):
    from PySide6.QtPrintSupport import QPrinter

    from core.returns.catalogue import build_return
    from core.returns.render import render
    from gui.print_preview import open_pdf, paint_pages, prepare_printer
    with db.session(admin) as s:   # enough villages for several pages
        for i in range(100):
            orgunits.add_unit(s, admin, f"220322100{200 + i:03d}", f"村{i}")
    src = tmp_path / "src.pdf"
    with db.session(admin) as s:
        render(build_return(s, admin, "ORG-LIST"), "pdf", src)
    expected = _pdf_pages(src)
    assert expected >= 3
    printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)   # pages rasterised at MIN_DPI: quick
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    out = tmp_path / "printed.pdf"
    printer.setOutputFileName(str(out))
    pages = open_pdf(src)
    try:
        prepare_printer(printer, pages)
        assert paint_pages(printer, pages) == expected
    finally:
        pages.close()
    assert _pdf_pages(out) == expected
    assert out.stat().st_size > 20_000                         # pages with pictures, not blank


@needs_poppler
def test_ctrl_p_opens_the_preview_over_the_rendered_pdf(qtbot, page):
    from PySide6.QtCore import Qt
    show_active(qtbot, page)
    page.select_return("ORG-LIST")
    page.tree.setFocus()
    qtbot.keyClick(page.tree, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: page.preview is not None, timeout=30_000)
    dialog = page.preview
    assert "组织机构目录" in dialog.windowTitle()
    dialog.reject()
    assert page.preview is None


def test_cancel_leaves_no_file_and_no_audit_entry(page, ctx, db, admin, tmp_path):
    from core import audit
    from gui.pages.returns_page import render_request
    page.select_return("ORG-LIST")
    req = page.current_request()
    with db.session(admin) as s:
        before = len(audit.query_audit(s, admin, limit=10_000))
    out = tmp_path / "out"
    out.mkdir()
    path = out / "cancelled.xlsx"
    assert render_request(ctx, req, "xlsx", path, lambda *_a: False) is None   # the user pressed 取消
    assert list(out.iterdir()) == []                                          # not even a partial file
    with db.session(admin) as s:
        assert len(audit.query_audit(s, admin, limit=10_000)) == before
    assert render_request(ctx, req, "xlsx", path, lambda *_a: True) == path
    with db.session(admin) as s:
        newest = audit.query_audit(s, admin, limit=1)[0]
    assert newest.action == "export" and "组织机构目录" in newest.record_label


@needs_poppler
def test_programme_returns_take_the_programme_from_the_page(qtbot, page, db, admin, tmp_path, boxes):
    """FP-* returns show a 扶助项目 choice; FP-ROSTER for 农村奖扶 lists the person, FP-PAYROLL takes 2024H1."""
    from stdnum.cn import ric
    from core.subsidy import recipients as rs
    body = "220322" + "19500101" + "123"
    with db.session(admin) as s:
        rs.save_recipient(s, admin, rs.RecipientInput(
            name="张三", id_number=body + ric.calc_check_digit(body + "0"), township="梨树镇", program="RURAL_REWARD",
            hukou="农业", marital="已婚", children=[rs.ChildInput("张小", "男")], account_no="6217000000000000001",
            first_year=2010, status="ACTIVE"), year=2024)
    assert page.select_return("ORG-LIST") and page.program_combo.isHidden()
    assert page.select_return("FP-ROSTER") and not page.program_combo.isHidden()
    assert page.program_combo.currentData() == "RURAL_REWARD"
    page.period_edit.setText("2024")
    out = tmp_path / "roster.pdf"
    page.export_to("pdf", out)
    qtbot.waitUntil(lambda: page.last_export == out or bool(boxes), timeout=30_000)
    assert not boxes, boxes
    text = _pdf_text(out)
    assert "张三" in text and "花名册" in text
    assert page.select_return("FP-SUMMARY") and page.program_combo.itemText(0) == "全部项目"
    assert page.select_return("FP-PAYROLL")
    page.period_edit.setText("2024H1")
    assert page.period_error.isHidden() and "2024" in page.period_label.text()
