"""Reading a workbook people made: the right sheet, lines sorted into records / 合计 / notes / blank,
clear refusals for files that cannot be read, and a rejects workbook that keeps the lines as they were."""
from __future__ import annotations

from datetime import date, datetime

import openpyxl
import pytest

from core.errors import DataError
from core.imports import (BLANK, NOTE, RECORD, TOTAL, ImportFileError, MappingMemory, Rejected, default_rejects_path,
                          open_table, write_rejects)
from tests.imports.test_columns import CASES


def save(path, sheets: dict[str, list[list]], merged: dict[str, list[str]] | None = None, hidden=()):
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r, values in enumerate(rows, start=1):
            for c, value in enumerate(values, start=1):
                cell = ws.cell(row=r, column=c, value=value)
                if isinstance(value, str) and value.startswith("="):
                    cell.data_type = "s"   # text someone typed, not a formula
        for rng in (merged or {}).get(name, []):
            ws.merge_cells(rng)
        if name in hidden:
            ws.sheet_state = "hidden"
    wb.save(path)
    return path


REGISTER = [
    ["某县卫生行政处罚案件登记表"],
    ["填报单位：某县卫生健康局"],
    ["序号", "案件编号", "当事人", "罚款", "决定日期"],
    [1, "梨卫罚〔2024〕1号", "甲诊所", 5000, datetime(2024, 3, 1)],
    [2, "梨卫罚〔2024〕2号", "乙药店", 200, "2024.3.5"],
    [None, None, None, None, None],
    [3],                                   # only a 序号: an empty pre-numbered line
    [4, "梨卫罚〔2024〕3号", "=HYPERLINK(\"x\")", None, None],
    ["合计", None, None, 5200],
    [None, "小 计", None, 5200],
    ["注：罚款单位为元。"],
    ["填表人：张三", None, None, "审核人：李四"],
    [None, None, None, "某某"],              # a stray word under the table: a note, not a record
]


def test_lines_are_sorted_into_records_totals_notes_and_blanks(tmp_path):
    path = save(tmp_path / "案件.xlsx", {"登记表": REGISTER}, {"登记表": ["A1:E1", "A2:C2"]})
    table = open_table(path, CASES)
    assert table.mapping.header_row == 3 and table.total_rows == len(REGISTER) - 3
    kinds = [(kind, row.number if row else None) for kind, row in table.rows()]
    assert kinds == [(RECORD, 4), (RECORD, 5), (BLANK, None), (BLANK, None), (RECORD, 8), (TOTAL, 9), (TOTAL, 10),
                     (NOTE, 11), (NOTE, 12), (NOTE, 13)]
    first = table.sample(1)[0]
    assert first.values["number"] == "梨卫罚〔2024〕1号" and first.values["fine"] == 5000.0   # calamine: floats
    assert first.values["decided"] in (date(2024, 3, 1), datetime(2024, 3, 1))
    assert first.cells[:3] == [1.0, "梨卫罚〔2024〕1号", "甲诊所"] and len(first.cells) == 5
    assert [r.number for r in table.sample()] == [4, 5, 8]


def test_the_first_sheet_with_a_header_is_taken_unless_one_is_named(tmp_path):
    path = save(tmp_path / "b.xlsx", {"说明": [["本工作簿说明"], ["案件编号在第二张表"]], "隐藏": REGISTER[2:],
                                      "登记表": REGISTER, "另一张": [["文号", "被处罚人", "类别"], ["x", "y", "z"]]},
                hidden=("隐藏",))
    table = open_table(path, CASES)
    assert table.sheet.name == "登记表" and table.sheet_names == ["说明", "隐藏", "登记表", "另一张"]
    named = open_table(path, CASES, sheet="另一张")
    assert named.mapping.header_row == 1 and named.mapping.fields() == {"number": 0, "party": 1, "category": 2}
    with pytest.raises(ImportFileError, match="没有名为“不存在”的工作表（有：说明、隐藏、登记表、另一张）"):
        open_table(path, CASES, sheet="不存在")
    with pytest.raises(ImportFileError, match="工作表“说明”的前 20 行中找不到表头") as e:
        open_table(path, CASES, sheet="说明")
    assert "必须有：决定书文号、当事人" in str(e.value)


def test_a_header_the_program_does_not_know_is_mapped_by_hand_and_remembered(tmp_path):
    path = save(tmp_path / "c.xlsx", {"S": [["登记表"], ["编号", "单位名称", "罚款", "说明"], ["1", "甲", 5, ""]]})
    memory = MappingMemory(tmp_path / "m.json")
    with pytest.raises(ImportFileError, match="找不到表头"):
        open_table(path, CASES, memory=memory)
    table = open_table(path, CASES, sheet="S", header_row=2, memory=memory)
    assert table.mapping.fields() == {"fine": 2}
    table.mapping.assign(0, "number")
    table.mapping.assign(1, "party")
    memory.remember(table.mapping)
    again = open_table(path, CASES, memory=memory)
    assert again.mapping.header_row == 2 and again.mapping.fields() == {"number": 0, "party": 1, "fine": 2}
    assert [r.values["party"] for r in again.sample()] == ["甲"]
    with pytest.raises(ImportFileError, match="第 9 行是空的"):
        open_table(path, CASES, sheet="S", header_row=9)


@pytest.mark.parametrize("content,words", [
    (b"", "是空的"),
    ("案件编号,当事人\n1,甲\n".encode("gbk"), "不是能读取的 Excel 工作簿"),
    (b"PK\x03\x04not really a zip", "不是能读取的 Excel 工作簿"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + "EncryptionInfo".encode("utf-16-le") + bytes(64), "设有打开密码"),
])
def test_unreadable_files_are_refused_in_chinese(tmp_path, content, words):
    path = tmp_path / "坏文件.xlsx"
    path.write_bytes(content)
    with pytest.raises(ImportFileError, match=words):
        open_table(path, CASES)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(ImportFileError, match="找不到文件"):
        open_table(tmp_path / "无.xlsx", CASES)
    with pytest.raises(ImportFileError, match="是文件夹"):
        open_table(tmp_path, CASES)
    assert issubclass(ImportFileError, DataError)   # the CLI answers exit 1


def test_rejects_workbook_keeps_the_lines_as_they_were(tmp_path):
    path = save(tmp_path / "案件.xlsx", {"登记表": REGISTER})
    table = open_table(path, CASES)
    rows = [row for kind, row in table.rows() if kind == RECORD]
    rejected = [Rejected(rows[0].number, rows[0].cells, "罚款金额：超过上限"),
                Rejected(rows[2].number, rows[2].cells, "当事人：不能以“=”开头")]
    out = write_rejects(default_rejects_path(path), table.headings(), rejected)
    assert out.name == "案件-未导入.xlsx"
    back = openpyxl.load_workbook(out)
    sheet = back.active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == ("序号", "案件编号", "当事人", "罚款", "决定日期", "原因", "原行号")
    assert values[1][:4] == (1, "梨卫罚〔2024〕1号", "甲诊所", 5000) and values[1][5:] == ("罚款金额：超过上限", 4)
    assert isinstance(values[1][4], datetime) and values[1][4].date() == date(2024, 3, 1)
    assert values[2][2] == "=HYPERLINK(\"x\")" and sheet["C3"].data_type == "s"   # text, never a formula
    assert values[2][3] is None and values[2][6] == 8


def test_rejects_file_that_cannot_be_written(tmp_path):
    with pytest.raises(DataError, match="无法写入未导入行文件"):
        write_rejects(tmp_path / "没有这个文件夹" / "x.xlsx", ["甲"], [])
