"""The return renderers (xlsx, PDF, JSON, CSV), read back with independent readers."""
from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from core.returns.model import Column, RenderCancelled, ReturnTable, StatHeader
from core.returns.render import render

LONG_VILLAGE = "这是一个非常非常长的村名用来测试表格单元格自动换行的效果是否正常工作"
TITLE = "计划生育家庭奖励扶助对象花名册"
COLUMNS = [
    Column("序号", "int", 5), Column("姓名", "text", 8), Column("身份证号", "text", 20),
    Column("出生日期", "date", 11),
    Column("乡镇", "text", 10, group="户籍地址"), Column("村（社区）", "text", 14, group="户籍地址"),
    Column("扶助标准（元）", "money", 13), Column("完成率（%）", "percent", 9, decimals=1),
    Column("人数", "int", 6, group="统计"), Column("金额", "decimal", 10, group="统计"),
    Column("备注", "text", 16),
]
REMARKS = {1: "=1+1", 2: "@SUM(A1)", 3: "—", 4: None, 6: "-5", 7: "#N/A"}


def roster_rows(n: int):
    for i in range(n):
        yield [i + 1, "欧阳娜娜" if i % 3 == 0 else "张三丰", f"22032219500101{i:04d}", date(1950, 1, 1 + i % 28),
               "梨树镇", LONG_VILLAGE if i == 5 else "东河村",
               Decimal("1234567.50") if i == 0 else Decimal("960.00"), Decimal("98.5"), i % 7, Decimal("12.345"),
               REMARKS.get(i, "")]


def roster(n: int = 120, *, columns=COLUMNS, landscape=None, rows=None) -> ReturnTable:
    header = StatHeader(table_no="FP-01", issuing_authority="梨树县卫生健康局", approval_no="梨卫健〔2021〕12号",
                        valid_until="2025年12月", unit_head="王局长", stats_head="李统计", preparer="赵填表",
                        phone="0434-5223456", report_date=date(2021, 12, 31))
    return ReturnTable(id="FP-ROSTER", title=TITLE, period="2021", period_label="2021年", org="220322",
                       org_label="梨树县卫生健康局", columns=columns,
                       rows=roster_rows(n) if rows is None else rows, header=header, landscape=landscape,
                       notes=["注：本表由乡镇卫生院填报，县卫健局汇总。"], row_count_hint=n)


def run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def pdf_pages(path: Path) -> list[str]:
    """Text of each page, whitespace removed (pdftotext spaces CJK text differently by version)."""
    text = run("pdftotext", "-raw", str(path), "-")
    return ["".join(page.split()) for page in text.split("\f")[:-1]]


# --- xlsx -----------------------------------------------------------------------------------

@pytest.fixture
def xlsx_file(tmp_path):
    path = tmp_path / "花名册.xlsx"
    assert render(roster(), "xlsx", path) == 120
    return path


def test_xlsx_layout_and_print_setup(xlsx_file):
    import openpyxl
    ws = openpyxl.load_workbook(xlsx_file).active
    assert ws["A1"].value == TITLE and ws["A1"].font.b and ws["A1"].alignment.horizontal == "center"
    assert ws["A2"].value.startswith("表    号：FP-01") and "有效期至：2025年12月" in ws["A2"].value
    assert ws["A3"].value == "填报单位（盖章）：梨树县卫生健康局"
    assert ws["F3"].value == "报告期：2021年" and ws["F3"].alignment.horizontal == "right"
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A1:K1", "A2:K2", "E4:F4", "I4:J4", "A4:A5", "K4:K5"} <= merged
    assert [ws.cell(4, c).value for c in (1, 5, 9)] == ["序号", "户籍地址", "统计"]
    assert [ws.cell(5, c).value for c in (5, 6, 9, 10)] == ["乡镇", "村（社区）", "人数", "金额"]
    assert ws.print_title_rows == "$1:$5"
    assert ws.freeze_panes == "A6"
    setup = ws.page_setup
    assert (setup.orientation, setup.paperSize, setup.fitToWidth, setup.fitToHeight) == ("landscape", 9, 1, 0)
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.oddFooter.center.text == "第 &P 页 共 &N 页"
    assert ws.column_dimensions["C"].width == 20


def test_xlsx_cells_numbers_dates_and_text(xlsx_file):
    import openpyxl
    ws = openpyxl.load_workbook(xlsx_file).active
    first = [ws.cell(6, c) for c in range(1, 12)]
    assert [c.value for c in first[:3]] == [1, "欧阳娜娜", "220322195001010000"]
    assert first[3].value == datetime(1950, 1, 1) and first[3].number_format == "yyyy-mm-dd"
    assert first[6].value == 1234567.5 and first[6].number_format == "#,##0.00"
    assert first[7].value == 98.5 and first[7].number_format == "0.0"  # 98.5 %, not multiplied
    assert first[8].number_format == "0" and first[9].number_format == "#,##0.00"
    assert first[2].border.left.style == "thin"
    formula_like = ws.cell(7, 11)
    assert (formula_like.value, formula_like.data_type) == ("=1+1", "s")
    assert (ws.cell(8, 11).value, ws.cell(8, 11).data_type) == ("@SUM(A1)", "s")
    assert (ws.cell(13, 11).value, ws.cell(13, 11).data_type) == ("#N/A", "s")  # not an error value
    assert ws.cell(9, 11).value == "—"
    assert ws.cell(11, 6).value == LONG_VILLAGE and ws.row_dimensions[11].height > 30  # wrapped
    last = ws.max_row
    assert ws.cell(last, 1).value.startswith("单位负责人：王局长")
    assert ws.cell(last, 1).value.endswith("报出日期：2021年12月31日")
    assert ws.cell(last - 1, 1).value == "注：本表由乡镇卫生院填报，县卫健局汇总。"
    assert ws.cell(last - 2, 1).value == 120


def test_xlsx_values_with_calamine(xlsx_file):
    from python_calamine import CalamineWorkbook
    rows = CalamineWorkbook.from_path(str(xlsx_file)).get_sheet_by_index(0).to_python()
    assert rows[0][0] == TITLE
    assert rows[5][:4] == [1.0, "欧阳娜娜", "220322195001010000", date(1950, 1, 1)]
    assert rows[5][6] == 1234567.5 and rows[5][7] == 98.5
    assert rows[6][10] == "=1+1" and rows[7][10] == "@SUM(A1)"
    assert len([r for r in rows if isinstance(r[0], float)]) == 120


def test_xlsx_orientation_follows_width(tmp_path):
    import openpyxl
    narrow = [Column("名称", "text", 30), Column("数量", "int", 10)]
    for landscape, columns, expected in [(None, narrow, "portrait"), (None, COLUMNS, "landscape"),
                                         (True, narrow, "landscape"), (False, COLUMNS, "portrait")]:
        path = tmp_path / f"{expected}-{landscape}.xlsx"
        render(roster(columns=columns, landscape=landscape, rows=[["甲", 1]]), "xlsx", path)
        assert openpyxl.load_workbook(path).active.page_setup.orientation == expected


def test_xlsx_empty_table_and_one_level_headings(tmp_path):
    import openpyxl
    columns = [Column("名称", "text", 30), Column("数量", "int", 10)]
    path = tmp_path / "empty.xlsx"
    assert render(roster(columns=columns, rows=[]), "xlsx", path) == 0
    ws = openpyxl.load_workbook(path).active
    assert [ws.cell(4, 1).value, ws.cell(4, 2).value] == ["名称", "数量"]
    assert ws.print_title_rows == "$1:$4" and ws.freeze_panes == "A5"
    assert ws.cell(5, 1).value == "（无数据）"


# --- PDF ------------------------------------------------------------------------------------

@pytest.fixture
def pdf_file(tmp_path):
    path = tmp_path / "花名册.pdf"
    assert render(roster(), "pdf", path) == 120
    return path


def test_pdf_text_pages_and_numbers(pdf_file):
    pages = pdf_pages(pdf_file)
    assert len(pages) >= 3
    for number, page in enumerate(pages, 1):
        assert TITLE in page and "身份证号" in page and "户籍地址" in page  # repeated on every page
        assert f"第{number}页共{len(pages)}页" in page
    layout = run("pdftotext", "-layout", str(pdf_file), "-")
    assert f"第 1 页 共 {len(pages)} 页" in layout and f"第 {len(pages)} 页 共 {len(pages)} 页" in layout
    everything = "".join(pages)
    assert "欧阳娜娜" in everything and "1,234,567.50" in everything and "=1+1" in everything
    assert "@SUM(A1)" in everything and "98.5" in everything and "1950-01-01" in everything
    assert "120" in pages[-1] and "填表人：赵填表" in pages[-1] and "报出日期：2021年12月31日" in pages[-1]
    assert "表号：FP-01" in pages[0] and "填报单位（盖章）：梨树县卫生健康局" in pages[0]


def test_pdf_wraps_long_text_within_its_column(pdf_file):
    layout = run("pdftotext", "-layout", "-f", "1", "-l", "1", str(pdf_file), "-")
    village_lines = [line for line in layout.splitlines() if "非常" in line or "自动换行" in line]
    assert len(village_lines) >= 2  # wrapped over several lines, not run across the neighbours
    assert "".join(pdf_pages(pdf_file)).count(LONG_VILLAGE[:6]) == 1


def test_pdf_embeds_its_font(pdf_file):
    fonts = run("pdffonts", str(pdf_file)).splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts), fonts  # the "emb" column
    assert any("WenQuanYiMicroHei" in line for line in fonts)


def test_pdf_empty_table_has_headings_and_no_data_line(tmp_path):
    path = tmp_path / "empty.pdf"
    assert render(roster(rows=[]), "pdf", path) == 0
    pages = pdf_pages(path)
    assert len(pages) == 1 and "身份证号" in pages[0] and "（无数据）" in pages[0] and "第1页共1页" in pages[0]


def test_pdf_row_taller_than_a_page_continues_on_the_next(tmp_path):
    huge = "很长的备注" * 700
    rows = [[1, "张三", "x", None, "", "", None, None, None, None, huge], [2, "李四"] + [None] * 9]
    path = tmp_path / "tall.pdf"
    assert render(roster(rows=rows), "pdf", path) == 2
    pages = pdf_pages(path)
    assert len(pages) >= 3 and "李四" in pages[-1]
    assert "".join(pages).count("很长的备注") == 700


# --- JSON and CSV ---------------------------------------------------------------------------

def test_json_contract_and_exact_numbers(tmp_path):
    path = tmp_path / "r.json"
    assert render(roster(), "json", path) == 120
    text = path.read_text(encoding="utf-8")
    data = json.loads(text, parse_float=Decimal)
    assert list(data) == ["id", "title", "period", "org", "columns", "rows"]
    assert (data["id"], data["title"], data["period"], data["org"]) == ("FP-ROSTER", TITLE, "2021", "220322")
    assert data["columns"] == [c.full_heading for c in COLUMNS]
    assert data["columns"][4:6] == ["户籍地址/乡镇", "户籍地址/村（社区）"]
    first = data["rows"][0]
    assert first[:4] == [1, "欧阳娜娜", "220322195001010000", "1950-01-01"]
    assert first[6] == Decimal("1234567.50") and "1234567.50" in text and first[7] == Decimal("98.5")
    assert data["rows"][1][10] == "=1+1" and data["rows"][4][10] is None
    assert len(data["rows"]) == 120


def test_json_without_path_returns_text():
    from core.returns.tabular import render_json
    text = render_json(roster(rows=[]), None)
    assert json.loads(text)["rows"] == [] and TITLE in text  # Chinese, not \u escapes


def test_csv_bom_headings_plain_numbers_and_formula_guard(tmp_path):
    path = tmp_path / "r.csv"
    assert render(roster(), "csv", path) == 120
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == [c.full_heading for c in COLUMNS]
    assert rows[1][:4] == ["1", "欧阳娜娜", "220322195001010000", "1950-01-01"]
    assert rows[1][6] == "1234567.50" and rows[1][7] == "98.5"
    assert [rows[i][10] for i in (2, 3, 4, 5, 7)] == ["'=1+1", "'@SUM(A1)", "—", "", "'-5"]
    assert len(rows) == 121


# --- progress, cancel, formats ------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["xlsx", "pdf", "json", "csv"])
def test_cancel_leaves_no_file(tmp_path, fmt):
    path = tmp_path / f"out.{fmt}"
    seen = []

    def progress(done):
        seen.append(done)
        return done < 2000

    with pytest.raises(RenderCancelled):
        render(roster(5000), fmt, path, progress)
    assert seen == [1000, 2000]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("fmt", ["xlsx", "pdf"])
def test_cancel_keeps_an_older_file(tmp_path, fmt):
    path = tmp_path / f"out.{fmt}"
    path.write_bytes(b"old")
    with pytest.raises(RenderCancelled):
        render(roster(1500), fmt, path, lambda done: False)
    assert path.read_bytes() == b"old" and len(list(tmp_path.iterdir())) == 1


def test_progress_reports_every_thousand_rows_and_the_total(tmp_path):
    seen = []
    assert render(roster(2500), "xlsx", tmp_path / "p.xlsx", seen.append) == 2500
    assert seen == [1000, 2000, 2500]


def test_unknown_format_is_refused_in_chinese(tmp_path):
    with pytest.raises(ValueError, match="不支持的导出格式"):
        render(roster(), "docx", tmp_path / "x.docx")


def test_renderers_never_import_qt():
    code = ("import sys; sys.modules['PySide6'] = None\n"
            "import core.returns.render, core.returns.xlsx, core.returns.pdf, core.returns.tabular\n")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parent.parent)


def test_resource_path_inside_a_frozen_bundle(monkeypatch, tmp_path):
    from core.resources import resource_path
    assert resource_path("fonts", "wqy-microhei.ttc").is_file()
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert resource_path("fonts", "a.ttc") == tmp_path / "resources" / "fonts" / "a.ttc"


# --- LibreOffice, when installed ----------------------------------------------------------------

@pytest.mark.slow
def test_libreoffice_opens_the_xlsx_and_shows_formula_text_as_text(xlsx_file, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        pytest.skip("LibreOffice (soffice) is not installed")
    out = tmp_path / "lo"
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(out), str(xlsx_file)],
                   check=True, capture_output=True, timeout=180)
    pages = pdf_pages(out / (xlsx_file.stem + ".pdf"))
    text = "".join(pages)
    assert TITLE in pages[0] and f"第1页共{len(pages)}页" in pages[0]
    assert "=1+1" in text and "@SUM(A1)" in text and "#N/A" in text
    assert "欧阳娜娜" in text and "1,234,567.50" in text


def test_pdf_lines_never_end_with_an_opening_bracket_nor_start_with_closing_punctuation():
    from core.returns.pdf import NO_LINE_END, NO_LINE_START, _Metrics, _register_font
    _register_font()
    metrics = _Metrics()
    for text in ("立案（件）", "罚款金额（元）", "梨树县（演示）卫生健康局，报告期。", "暂扣/吊销许可证（件）"):
        for room in range(27, 80, 3):   # three characters and up: room enough to obey the rules
            lines = metrics.wrap(text, room, 9)
            assert "".join(lines) == text
            assert all(line and line[-1] not in NO_LINE_END for line in lines[:-1]), (room, lines)
            assert all(line[0] not in NO_LINE_START for line in lines[1:]), (room, lines)


def test_xlsx_cells_of_every_kind_read_back(tmp_path):
    """The data rows are written as XML text: each kind of value must come back as what it was."""
    import openpyxl
    columns = [Column("文本", "text", 12), Column("整数", "int", 8), Column("金额", "money", 12),
               Column("日期", "date", 11), Column("其他", "text", 12)]
    rows = [["A&B <c> \"d\"", 7, Decimal("1200.50"), date(2024, 2, 29), True],
            [" 前后有空格 ", None, Decimal("NaN"), None, datetime(2024, 1, 2, 3, 4)],
            ["换行\n第二行\x07", 0, 1.5, date(1950, 1, 1), date(2024, 6, 1)],
            ["=SUM(A1)", -3, float("inf"), None, Decimal("2")]]
    path = tmp_path / "kinds.xlsx"
    assert render(roster(columns=columns, rows=rows), "xlsx", path) == 4
    ws = openpyxl.load_workbook(path).active
    first = next(r for r in range(1, 12) if ws.cell(r, 1).value == "文本") + 1
    got = [[ws.cell(first + i, c).value for c in range(1, 6)] for i in range(4)]
    assert got[0] == ["A&B <c> \"d\"", 7, 1200.5, datetime(2024, 2, 29), "是"]
    assert got[1] == [" 前后有空格 ", None, "NaN", None, "2024-01-02T03:04:00"]
    assert got[2] == ["换行\n第二行", 0, 1.5, datetime(1950, 1, 1), "2024-06-01"]
    assert got[3] == ["=SUM(A1)", -3, "inf", None, 2]
    assert ws.cell(first + 3, 1).data_type == "s"                 # text, never a formula
    assert ws.cell(first, 4).number_format == "yyyy-mm-dd"
    assert ws.row_dimensions[first + 2].height >= 2 * 13.5 and ws.row_dimensions[first].height is None  # two lines
    from python_calamine import CalamineWorkbook                 # the reader imports use sees the same text
    fast = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    assert [fast[first - 1 + i][0] for i in range(4)] == ["A&B <c> \"d\"", " 前后有空格 ", "换行\n第二行", "=SUM(A1)"]
