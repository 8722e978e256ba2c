from __future__ import annotations

from datetime import date

import pytest

from core.divisions import catalogue
from core.errors import UsageError
from core.installation import validate_county
from core.periods import parse_period


@pytest.mark.parametrize("code,kind,n,start,end,label", [
    ("202109", "month", 1, date(2021, 9, 1), date(2021, 9, 30), "2021年9月"),
    ("2021Q3", "quarter", 3, date(2021, 7, 1), date(2021, 9, 30), "2021年第3季度"),
    ("2024", "year", 12, date(2024, 1, 1), date(2024, 12, 31), "2024年"),
    ("2020Oct", "statyear", 12, date(2020, 10, 1), date(2021, 9, 30), "2021统计年度（2020年10月—2021年9月）"),
    ("202101..202109", "range", 9, date(2021, 1, 1), date(2021, 9, 30), "2021年1—9月累计"),
    ("202402", "month", 1, date(2024, 2, 1), date(2024, 2, 29), "2024年2月"),
])
def test_periods(code, kind, n, start, end, label):
    p = parse_period(code)
    assert (p.kind, len(p.months), p.start, p.end, p.label) == (kind, n, start, end, label)


@pytest.mark.parametrize("bad", ["202113", "2021Q5", "21", "202109..202101", "abc", ""])
def test_bad_periods_explain(bad):
    with pytest.raises(UsageError) as e:
        parse_period(bad)
    assert "报告期" in str(e.value)


def test_division_catalogue():
    cat = catalogue()
    info = cat.county("220322")
    assert info.name == "梨树县" and info.province == "吉林省" and info.city == "四平市"
    towns = cat.townships_of("220322")
    assert len(towns) == 24 and towns[0].code.startswith("220322")
    assert len(cat.provinces) == 31


@pytest.mark.parametrize("code,name,msg", [
    ("2203", None, "6 位数字"), ("220300", None, "省或市的代码"), ("990101", None, "不是任何省份"),
    ("220322", "梨花县", "不一致"), ("220399", None, "--county-name"),
])
def test_wrong_county_codes(code, name, msg):
    with pytest.raises(UsageError) as e:
        validate_county(code, name)
    assert msg in str(e.value)


def test_new_county_code_with_a_name_is_a_warning():
    name, warnings = validate_county("220399", "新设县")
    assert name == "新设县" and "新设" in warnings[0]


def test_import_newer_division_edition(tmp_path):
    import shutil
    from core.divisions import import_edition
    from core.resources import resource_path
    src = tmp_path / "new"
    shutil.copytree(resource_path("divisions"), src)
    with (src / "areas.csv").open("a", encoding="utf-8") as f:
        f.write('220399,"新设县",2203,22\n')
    cat = import_edition(src, 2024)
    assert cat.edition == 2024 and cat.county("220399").name == "新设县"
