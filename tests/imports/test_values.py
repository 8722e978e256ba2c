"""Cells made plain: every date spelling counties use, numbers calamine gives as floats, openpyxl types."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from core.imports.values import LooseDate, ValueProblem, compact, is_blank, parse_date, parse_int, parse_year, text


@pytest.mark.parametrize("value", [
    "1958.03.12", "1958.3.12", "1958-3-12", "1958-03-12", "1958/3/12", "1958年3月12日", "1958年03月12日",
    "19580312", " 1958.03.12 ", "１９５８．０３．１２", "1958-03-12 00:00:00", "1958 年 3 月 12 日",
    19580312.0, 19580312, date(1958, 3, 12), datetime(1958, 3, 12), datetime(1958, 3, 12, 8, 30),
    21256.0,   # an Excel serial number in a cell without a date format
])
def test_full_dates(value):
    assert parse_date(value) == LooseDate(1958, 3, 12)
    assert parse_date(value).date == date(1958, 3, 12)


@pytest.mark.parametrize("value,expected", [
    ("1958.03", LooseDate(1958, 3)), ("1958年3月", LooseDate(1958, 3)), ("195803", LooseDate(1958, 3)),
    (1958.03, LooseDate(1958, 3)), (1958.1, LooseDate(1958, 10)), ("1958", LooseDate(1958)), (1958.0, LooseDate(1958)),
    ("1958年", LooseDate(1958)),
])
def test_partial_dates_keep_their_precision(value, expected):
    found = parse_date(value)
    assert found == expected and found.date is None
    assert found.agrees_with(date(1958, expected.month or 7, 9))
    assert not found.agrees_with(date(1957, 3, 12))


@pytest.mark.parametrize("value", ["", None, "   "])
def test_blank_dates(value):
    assert parse_date(value) is None


@pytest.mark.parametrize("value,words", [
    ("1958.02.30", "不是存在的日期"), ("58.3.12", "年份只有两位"), ("去年三月", "不是日期"), ("1958.13.01", "不是存在的日期"),
    (True, "不是日期"), (-5.0, "不是日期"), ("0858.03.12", "年份不合理"),
])
def test_bad_dates_say_why(value, words):
    with pytest.raises(ValueProblem) as e:
        parse_date(value)
    assert words in str(e.value)


def test_text_from_either_reader():
    assert text(13900000000.0) == "13900000000"          # calamine: whole numbers as floats
    assert text(13900000000) == "13900000000"            # openpyxl: int
    assert text(2.5) == "2.5" and text(None) == "" and text("  甲 ") == "甲"
    assert text(2.20322193403038e17) == "2.20322193403038e+17"   # not turned into fake digits
    assert text(date(2020, 1, 2)) == "2020-01-02" and text(datetime(2020, 1, 2)) == "2020-01-02"
    assert compact(" 梨树 镇\u3000") == "梨树镇" and compact("（镇）") == "(镇)"
    assert is_blank("  ") and is_blank(None) and is_blank("") and not is_blank(0.0) and not is_blank("0")


def test_years_and_whole_numbers():
    assert parse_year("2012") == 2012 and parse_year(2012.0) == 2012 and parse_year("２０１２年") == 2012
    assert parse_year("2012年度") == 2012 and parse_year(date(2012, 5, 1)) == 2012 and parse_year("") is None
    with pytest.raises(ValueProblem, match="不是年份"):
        parse_year("12")
    with pytest.raises(ValueProblem, match="不是年份"):
        parse_year("二〇一二")
    assert parse_year(2012) == 2012 and type(parse_year(2012.0)) is int
    for number in (2012.5, 1899.0, 2101.0, float("nan"), 12.0):   # number cells that are not years
        with pytest.raises(ValueProblem, match="不是年份"):
            parse_year(number)
    assert parse_int("3") == 3 and parse_int(3.0) == 3 and parse_int(None) is None
    with pytest.raises(ValueProblem, match="“3.5”不是等级"):
        parse_int(3.5, "等级")
