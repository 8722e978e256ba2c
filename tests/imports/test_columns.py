"""Finding the header and what each column means — generic: a supervision-case schema is used here,
not the roster's."""
from __future__ import annotations

import pytest

from core.imports.columns import ColumnMapping, Field, Schema, detect_mapping, normalise_heading
from core.imports.memory import MappingMemory

CASES = Schema("cases", "案件登记表", identity=("number", "party"), fields=(
    Field("seq", "序号", ignored=True),
    Field("number", "决定书文号", ("案件编号", "文号"), required=True),
    Field("party", "当事人", ("当事人名称", "被处罚人"), required=True),
    Field("category", "专业类别", ("类别",)),
    Field("fine", "罚款金额", ("罚款",)),
    Field("decided", "决定日期", ("处罚决定日期",)),
    Field("officer_name", "承办人姓名"),
    Field("officer_cert", "承办人执法证号", ("承办人证号",)),
))


def test_heading_normalisation():
    assert normalise_heading(" 当事人\n名称 ") == "当事人名称"
    assert normalise_heading("＊罚款（元）：") == "罚款(元)"
    assert CASES.match("罚款（元）") == "fine"            # a trailing note in brackets
    assert CASES.match("*案件编号") == "number" and CASES.match("无关列") is None and CASES.match("") is None


def test_header_below_title_lines_and_a_merged_unit_line():
    rows = [["某县卫生行政处罚案件登记表", "", "", "", ""],
            ["填报单位：某县卫生健康局", "", "", "填报日期：2024年", ""],
            ["", "", "", "", ""],
            ["序号", "案件编号", "被处罚人", "罚款（元）", "备注"],
            [1.0, "梨卫罚〔2024〕1号", "某诊所", 5000.0, ""]]
    merged = [((0, 0), (0, 4)), ((1, 0), (1, 2))]
    m = detect_mapping(rows, merged, CASES, "Sheet1")
    assert m.header_row == 4 and m.header_rows == 1
    assert m.fields() == {"seq": 0, "number": 1, "party": 2, "fine": 3}
    assert m.columns[-1].heading == "备注" and m.columns[-1].field is None
    assert m.headings() == ["序号", "案件编号", "被处罚人", "罚款（元）", "备注"]
    assert m.missing(CASES) == []


def test_two_level_header_with_a_group_and_a_heading_merged_down():
    rows = [["序号", "当事人", "文号", "承办人情况", ""],
            ["", "", "", "姓名", "证号"]]
    merged = [((0, 0), (1, 0)), ((0, 1), (1, 1)), ((0, 2), (1, 2)), ((0, 3), (0, 4))]
    m = detect_mapping(rows, merged, CASES, "S")
    assert m.header_row == 2 and m.header_rows == 2
    assert m.fields() == {"seq": 0, "party": 1, "number": 2, "officer_name": 3, "officer_cert": 4}
    assert m.columns[3].heading == "承办人情况/姓名"


def test_no_header_is_none_and_the_first_of_two_same_fields_wins():
    assert detect_mapping([["甲", "乙"], [1.0, 2.0]], [], CASES, "S") is None
    m = detect_mapping([["文号", "当事人", "案件编号", "罚款"]], [], CASES, "S")
    assert m.fields() == {"number": 0, "party": 1, "fine": 3} and m.columns[2].field is None


LAYOUT = [["文号", "单位名称", "罚款", "类别", "说明"]]


def test_a_person_corrects_the_mapping_and_it_is_remembered(tmp_path):
    m = detect_mapping(LAYOUT, [], CASES, "S")
    assert [f.key for f in m.missing(CASES)] == ["party"]
    m.assign(1, "party")
    m.assign(2, None)
    assert m.fields() == {"number": 0, "party": 1, "category": 3} and m.missing(CASES) == []
    m.assign(4, "number")                     # a field lives in one column: the old one is cleared
    assert m.fields() == {"party": 1, "category": 3, "number": 4} and not m.columns[0].auto
    with pytest.raises(KeyError):
        m.assign(9, "fine")
    assert ColumnMapping.from_dict(m.to_dict()) == m

    memory = MappingMemory(tmp_path / "memory.json")
    memory.remember(m)
    fresh = detect_mapping(LAYOUT, [], CASES, "其他工作表")
    assert memory.recall(fresh) and fresh.fields() == m.fields()
    other = detect_mapping([["文号", "当事人", "罚款"]], [], CASES, "S")   # another layout: untouched
    assert not memory.recall(other) and other.fields() == {"number": 0, "party": 1, "fine": 2}
    memory.forget(m)
    assert not memory.recall(detect_mapping(LAYOUT, [], CASES, "S"))


def test_a_header_named_by_a_person_or_known_from_memory(tmp_path):
    rows = [["登记表"], ["编号", "单位名称", "金额"], ["1", "甲", 5.0]]
    assert detect_mapping(rows, [], CASES, "S") is None          # nothing it recognises by itself
    m = detect_mapping(rows, [], CASES, "S", header_row=2)
    assert m.header_row == 2 and m.fields() == {} and [c.heading for c in m.columns] == ["编号", "单位名称", "金额"]
    assert detect_mapping(rows, [], CASES, "S", header_row=9) is None
    for index, key in enumerate(["number", "party", "fine"]):
        m.assign(index, key)
    memory = MappingMemory(tmp_path / "memory.json")
    memory.remember(m)
    again = detect_mapping(rows, [], CASES, "S", known=memory.knows)
    assert again.header_row == 2 and memory.recall(again) and again.fields() == {"number": 0, "party": 1, "fine": 2}


def test_memory_survives_a_damaged_file(tmp_path):
    path = tmp_path / "memory.json"
    path.write_text("{not json", encoding="utf-8")
    m = detect_mapping([["文号", "当事人", "罚款"]], [], CASES, "S")
    memory = MappingMemory(path)
    assert not memory.recall(m)
    memory.remember(m)
    assert MappingMemory(path).recall(m)


def test_expected_columns_text():
    assert CASES.expected_text() == "必须有：决定书文号、当事人；可以有：专业类别、罚款金额、决定日期、承办人姓名、承办人执法证号"
