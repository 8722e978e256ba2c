"""退出原因 (issue 3 §7): the county adds its own reasons; the form, the exit, the import's check, the
year's confirmation and the template offer them; built-in ones and reasons in use cannot be removed."""
from __future__ import annotations

from datetime import date

import openpyxl
import pytest

from core.errors import DataError, PermissionDenied
from core.subsidy import recipients as rs
from core.subsidy import yearly_cycle as yc
from core.subsidy.exit_reasons import EXIT_REASONS, add_exit_reason, exit_reasons, remove_exit_reason
from core.subsidy.template import LISTS_SHEET, write_template_for
from tests.subsidy.test_recipients import person


def test_a_county_reason_is_offered_before_其他_and_accepted_everywhere(db, admin, supervisor, tmp_path):
    with db.session(admin) as s:
        assert exit_reasons(s) == EXIT_REASONS
        reasons = add_exit_reason(s, admin, " 服 刑 ")
        saved = rs.save_recipient(s, admin, person(), year=2024)
    assert reasons == EXIT_REASONS[:-1] + ["服刑", "其他"]
    with db.session(admin) as s:
        exited = rs.RecipientChecker(s, 2024).check(person(name="李四", status="EXITED", exit_reason="服刑",
                                                           exit_date=date(2024, 5, 1)), editing_id=saved.id)
        unknown = rs.RecipientChecker(s, 2024).check(person(status="EXITED", exit_reason="失联",
                                                            exit_date=date(2024, 5, 1)), editing_id=saved.id)
        rs.exit_recipient(s, admin, saved.id, "服刑", date(2024, 5, 1))
        with pytest.raises(DataError, match="退出原因应为：.*服刑、其他"):
            rs.exit_recipient(s, admin, saved.id, "失联", date(2024, 5, 1))
        path = write_template_for(s, tmp_path / "模板.xlsx")
    assert exited.ok and [p.field for p in unknown.problems] == ["exit_reason"]
    assert "服刑" in unknown.problems[0].message
    lists = openpyxl.load_workbook(path)[LISTS_SHEET]
    offered = {c.value for row in lists.iter_rows() for c in row if c.value}
    assert "服刑" in offered and "死亡" in offered


def test_the_years_confirmation_takes_a_county_reason(db, admin):
    with db.session(admin) as s:
        add_exit_reason(s, admin, "失联")
        saved = rs.save_recipient(s, admin, person(status="ACTIVE", first_year=2015), year=2024)
    with db.session(admin) as s:
        review = yc.review_year(s, admin, "RURAL_REWARD", 2024)
        assert review.exit_reasons[-2:] == ["失联", "其他"]
        yc.confirm_year(s, admin, "RURAL_REWARD", 2024, {saved.id: ("EXIT", "失联")}, notice_start=date(2024, 3, 1))
    with db.session(admin) as s:
        data, _v = rs.load_input(s, saved.id)
    assert (data.status, data.exit_reason) == ("EXITED", "失联")


def test_removing_and_refusals(db, admin, clerk):
    with db.session(admin) as s:
        add_exit_reason(s, admin, "服刑")
        add_exit_reason(s, admin, "失联")
        saved = rs.save_recipient(s, admin, person(), year=2024)
        rs.exit_recipient(s, admin, saved.id, "失联", date(2024, 5, 1))
        for reason, message in (("", "不能为空"), ("服刑", "已经有退出原因“服刑”"), ("死亡", "已经有退出原因“死亡”"),
                                ("很" * 21, "太长（最多 20 个字）")):
            with pytest.raises(DataError, match=message):
                add_exit_reason(s, admin, reason)
        with pytest.raises(DataError, match="“死亡”是程序内置的退出原因，不能删除"):
            remove_exit_reason(s, admin, "死亡")
        with pytest.raises(DataError, match="已有 1 名扶助对象的退出原因是“失联”，不能删除"):
            remove_exit_reason(s, admin, "失联")
        assert remove_exit_reason(s, admin, "服刑") == EXIT_REASONS[:-1] + ["失联", "其他"]
    with db.session(clerk) as s:
        with pytest.raises(PermissionDenied):
            add_exit_reason(s, clerk, "服刑")
        with pytest.raises(PermissionDenied):
            remove_exit_reason(s, clerk, "失联")
