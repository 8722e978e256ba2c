"""Org units: add, rename, move, close; CSV import all-or-nothing with messages per line."""
from __future__ import annotations

from datetime import date

import pytest

from core import orgunits
from core.errors import DataError


def _csv(tmp_path, text, name="units.csv", encoding="utf-8"):
    p = tmp_path / name
    p.write_text(text, encoding=encoding)
    return p


def test_import_villages_with_and_without_parent_column(db, admin, tmp_path):
    path = _csv(tmp_path, "code,name,parent_code\n220322100201,东村,220322100\n220322100202,西村,\n"
                          "220322101201,南村,220322101\n")
    with db.session(admin) as s:
        r = orgunits.import_csv(s, admin, path)
    assert (r.read, r.added, r.renamed, r.unchanged) == (3, 3, 0, 0)
    with db.session() as s:
        west = [u for u in orgunits.list_units(s) if u.code == "220322100202"][0]
    assert west.parent_code == "220322100" and west.level == 3


def test_reimport_changes_nothing_and_renames_are_counted(db, admin, tmp_path):
    path = _csv(tmp_path, "code,name\n220322100201,东村\n")
    with db.session(admin) as s:
        orgunits.import_csv(s, admin, path)
    with db.session(admin) as s:
        r = orgunits.import_csv(s, admin, path)
    assert (r.added, r.unchanged) == (0, 1)
    with db.session(admin) as s:
        r = orgunits.import_csv(s, admin, _csv(tmp_path, "code,name\n220322100201,东村委会\n", "b.csv"))
    assert r.renamed == 1


def test_gbk_file_with_chinese_headers(db, admin, tmp_path):
    path = _csv(tmp_path, "代码,名称,上级代码\r\n220322100201,东村,220322100\r\n", encoding="gb18030")
    with db.session(admin) as s:
        assert orgunits.import_csv(s, admin, path).added == 1


def test_unknown_parents_and_duplicates_refuse_the_whole_file(db, admin, tmp_path):
    path = _csv(tmp_path, "code,name,parent_code\n"
                          "220322100201,好村,220322100\n"
                          "220322999201,孤村,220322999\n"
                          "220322100201,重复村,220322100\n"
                          "12345,坏代码,\n"
                          "220322100203,,220322100\n")
    with pytest.raises(DataError) as e:
        with db.session(admin) as s:
            orgunits.import_csv(s, admin, path)
    details = "\n".join(e.value.details)
    assert "未导入任何单位" in str(e.value)
    assert "第 3 行" in details and "220322999" in details          # unknown parent
    assert "第 4 行" in details and "与第 2 行重复" in details        # duplicate
    assert "第 5 行" in details and "位数不对" in details             # bad code
    assert "第 6 行" in details and "没有名称" in details
    with db.session() as s:
        assert orgunits.get_unit(s, "220322100201") is None           # nothing half-written


def test_bad_header_is_named(db, admin, tmp_path):
    with pytest.raises(DataError) as e:
        with db.session(admin) as s:
            orgunits.import_csv(s, admin, _csv(tmp_path, "编号,单位\n1,2\n"))
    assert "code,name" in str(e.value)


def test_another_county_is_refused(db, admin, tmp_path):
    with pytest.raises(DataError) as e:
        with db.session(admin) as s:
            orgunits.import_csv(s, admin, _csv(tmp_path, "code,name\n110101,东城区\n"))
    assert "不能导入另一个县" in "\n".join(e.value.details)


def test_move_close_and_reopen(db, admin):
    with db.session(admin) as s:
        orgunits.add_unit(s, admin, "220322100201", "东村")
        orgunits.move_unit(s, admin, "220322100201", "220322101")
    with db.session(admin) as s:
        with pytest.raises(DataError) as e:
            orgunits.close_unit(s, admin, "220322101", date(2024, 1, 1))
        assert "未撤销的单位" in str(e.value)
    with db.session(admin) as s:
        orgunits.close_unit(s, admin, "220322100201", date(2024, 1, 1), merged_into=None)
    with db.session() as s:
        unit = [u for u in orgunits.list_units(s) if u.code == "220322100201"][0]
        assert unit.parent_code == "220322101" and unit.status == "已撤销（2024-01-01）"
        assert "220322100201" not in {u.code for u in orgunits.list_units(s, include_closed=False)}
    with db.session(admin) as s:
        orgunits.reopen_unit(s, admin, "220322100201")
        with pytest.raises(DataError):
            orgunits.add_unit(s, admin, "220322100201", "再加一次")


@pytest.mark.parametrize("code,msg", [("22032210", "位数不对"), ("22032210020A", "只能由数字"), ("220322", "已经存在")])
def test_add_unit_messages(db, admin, code, msg):
    with pytest.raises(DataError) as e:
        with db.session(admin) as s:
            orgunits.add_unit(s, admin, code, "某单位")
    assert msg in str(e.value)
