"""The holiday calendar's administration in core: names are bounded, a whole-year load is refused for a bad
name and is recorded as one audited import event besides its row changes; only administrators change it."""
from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import func, select

from core.errors import DataError, PermissionDenied
from core.supervision import working_days as wd
from db.models.audit import AuditLog
from db.models.supervision import Holiday


def _file(tmp_path, name: str = "元旦"):
    f = tmp_path / "2027.json"
    f.write_text(json.dumps({"year": 2027, "source": "测试", "holidays": [
        {"name": name, "from": "2027-01-01", "to": "2027-01-03", "workdays": []}]}, ensure_ascii=False), encoding="utf-8")
    return f


def test_a_long_name_is_refused(db, admin):
    with pytest.raises(DataError, match="最多 20 个字"):
        with db.session(admin) as s:
            wd.set_day(s, admin, date(2027, 1, 1), wd.HOLIDAY, "元" * 21)


def test_loading_a_year_is_audited_and_refused_whole_for_a_bad_name(db, admin, supervisor, tmp_path):
    with pytest.raises(DataError, match="节日名称"):
        with db.session(admin) as s:
            wd.replace_year(s, admin, _file(tmp_path, "元" * 30))
    with pytest.raises(PermissionDenied):
        with db.session(supervisor) as s:
            wd.replace_year(s, supervisor, _file(tmp_path))
    with db.session() as s:
        assert s.execute(select(func.count()).select_from(Holiday).where(Holiday.day >= date(2027, 1, 1))).scalar_one() == 0
    with db.session(admin) as s:
        assert wd.replace_year(s, admin, _file(tmp_path)) == (2027, 3)
    with db.session() as s:
        rows = s.execute(select(AuditLog.action, AuditLog.record_label).where(AuditLog.table_name == "sup_holiday")
                         .order_by(AuditLog.seq)).all()
    created = [label for action, label in rows if action == "create" and label.startswith("2027")]
    assert created == ["2027-01-01 元旦 放假", "2027-01-02 元旦 放假", "2027-01-03 元旦 放假"]
    assert ("import", "节假日安排 2027 年") in rows
