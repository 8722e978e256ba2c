"""发放设置 (issue 3 §4): the payment period, the bank file's columns and the CSV encoding — read and
saved together by an administrator, each bad value refused naming the field, a period change refused
while a draft roll of the other mode exists, and the bank file written afterwards read back."""
from __future__ import annotations

import csv
import json
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from core import settings
from core.access import Actor, Role
from core.errors import DataError, PermissionDenied
from core.subsidy import bank_file
from core.subsidy import payment_settings as ps
from core.subsidy import payroll as pr
from db.models.audit import AuditLog
from tests.subsidy.test_payroll import confirm_and_approve, people  # noqa: F401 - the fixture
from tests.subsidy.test_recipients import make_id

DEFAULTS = ("YEAR", ("序号", "姓名", "身份证号", "账号", "金额"), "GB18030")
NOV_2024 = date(2024, 11, 1)


def stored(db, admin) -> tuple:
    with db.session(admin) as s:
        got = ps.read_payment_settings(s)
    return got.period_mode, got.bank_columns, got.csv_encoding


def test_defaults_then_a_round_trip_audited(db, admin):
    assert stored(db, admin) == DEFAULTS
    with db.session(admin) as s:
        saved = ps.save_payment_settings(s, admin, "half", ["姓名", "账号", "金额", "月数", "发放期别"], "utf-8")
    assert (saved.period_mode, saved.csv_encoding) == ("HALF", "UTF-8")
    assert stored(db, admin) == ("HALF", ("姓名", "账号", "金额", "月数", "发放期别"), "UTF-8")
    assert saved.header_preview == "姓名 | 账号 | 金额 | 月数 | 发放期别"
    with db.session(admin) as s:
        assert pr.payment_mode(s) == "HALF"         # the payroll reads the same setting
        rows = s.execute(select(AuditLog).where(AuditLog.table_name == "setting")).scalars().all()
    changed = {r.record_label: json.loads(r.changes) for r in rows}   # the newest per setting
    assert changed["subsidy.payment_period"]["value"][1] == '"HALF"'
    assert "发放期别" in changed["subsidy.bank_columns"]["value"][1]
    assert {r.actor for r in rows if r.record_label.startswith("subsidy.")} == {"admin"}


@pytest.mark.parametrize("mode, columns, encoding, words", [
    ("MONTH", ["姓名", "账号", "金额"], "GB18030", ("发放周期", "MONTH", "按半年")),
    ("YEAR", [], "GB18030", ("银行文件的列", "为空")),
    ("YEAR", ["姓名", "卡号", "账号", "金额"], "GB18030", ("银行文件的列", "未知的列“卡号”", "开户银行")),
    ("YEAR", ["姓名", "账号", "金额", "姓名"], "GB18030", ("银行文件的列", "“姓名”列重复")),
    ("YEAR", ["姓名", "账号"], "GB18030", ("银行文件的列", "缺少“金额”")),
    ("YEAR", ["姓名", "账号", "金额"], "BIG5", ("CSV 编码", "BIG5", "GB18030 或 UTF-8")),
])
def test_each_bad_value_is_refused_naming_the_field(db, admin, mode, columns, encoding, words):
    with pytest.raises(DataError) as e:
        with db.session(admin) as s:
            ps.save_payment_settings(s, admin, mode, columns, encoding)
    for word in words:
        assert word in e.value.message, e.value.message
    assert stored(db, admin) == DEFAULTS


@pytest.mark.parametrize("actor", [
    Actor("clerk", "录入员", Role.CLERK),
    Actor("super", "审核员", Role.SUPERVISOR),
    Actor("tadmin", "乡镇管理员", Role.ADMIN, townships=frozenset({"220322100"})),
])
def test_only_a_county_administrator_may_save(db, admin, actor):
    assert not ps.may_change(actor) and ps.may_change(admin)
    with pytest.raises(PermissionDenied) as e:
        with db.session(actor) as s:
            ps.save_payment_settings(s, actor, "HALF", ["姓名", "账号", "金额"], "UTF-8")
    assert actor.display_name in e.value.message
    assert stored(db, admin) == DEFAULTS


def test_period_change_refused_while_a_draft_of_the_other_mode_exists(db, admin, supervisor, people):
    confirm_and_approve(db, admin, supervisor, "RURAL_REWARD", 2024)
    with db.session(admin) as s:
        roll = pr.build_roll(s, admin, "RURAL_REWARD", "2024")
    with pytest.raises(DataError) as e:
        with db.session(admin) as s:
            ps.save_payment_settings(s, admin, "HALF", list(DEFAULTS[1]), "GB18030", today=NOV_2024)
    text = e.value.message
    assert "发放周期" in text and "农村部分计划生育家庭奖励扶助" in text and "2024年" in text and "草稿" in text
    assert "标记为已发放" in text and "下一年度" in text           # says what to do
    assert stored(db, admin) == DEFAULTS
    with db.session(admin) as s:     # columns may still change while the period stays
        ps.save_payment_settings(s, admin, "YEAR", ["姓名", "账号", "金额"], "GB18030", today=NOV_2024)
        # a draft of a year gone by does not hold the change back
        assert ps.period_change(s, "HALF", today=date(2025, 1, 5)).refusals == []

    with db.session(supervisor) as s:
        pr.mark_paid(s, supervisor, roll.id, date(2024, 6, 28))
    with db.session(admin) as s:
        change = ps.period_change(s, "HALF", today=NOV_2024)
        ps.save_payment_settings(s, admin, "HALF", ["姓名", "账号", "金额"], "GB18030", today=NOV_2024)
        assert change.refusals == [] and len(change.notes) == 1
        assert "2024年" in change.notes[0] and "仍按年" in change.notes[0]
        # the paid year stays as it was paid; the next year follows the new setting
        assert [p.code for p in ps.periods_shown(s, "RURAL_REWARD", 2024)] == ["2024"]
        assert [p.code for p in ps.periods_shown(s, "RURAL_REWARD", 2025)] == ["2025H1", "2025H2"]
    assert stored(db, admin)[0] == "HALF"


def test_the_bank_file_after_a_change_has_the_new_columns_in_the_new_order(db, admin, supervisor, people, tmp_path):
    columns = ["金额", "账号", "姓名", "月数", "发放期别", "乡镇", "身份证号"]
    with db.session(admin) as s:
        ps.save_payment_settings(s, admin, "HALF", columns, "UTF-8")
    confirm_and_approve(db, admin, supervisor, "RURAL_REWARD", 2024)
    with db.session(admin) as s:
        roll = pr.build_roll(s, admin, "RURAL_REWARD", "2024H1")
        bank_file.write_bank_file(s, admin, roll.id, tmp_path / "代发.xlsx")
        bank_file.write_bank_file(s, admin, roll.id, tmp_path / "代发.csv")
    wang = make_id(born="19500101", seq="112")

    ws = load_workbook(tmp_path / "代发.xlsx").active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == tuple(columns)
    assert (480, "6217000000000000112", "王甲", 6, "2024年上半年", "梨树镇", wang) in rows
    r = next(i for i, row in enumerate(rows) if row[2] == "王甲") + 1
    assert ws.cell(r, 1).number_format == "0.00" and ws.cell(r, 7).data_type == "s"

    raw = (tmp_path / "代发.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")                 # UTF-8 with a BOM
    with open(tmp_path / "代发.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == columns
    assert ["480.00", "6217000000000000112", "王甲", "6", "2024年上半年", "梨树镇", wang] in rows
    assert rows[-1][0] == "1440.00"

    with db.session(admin) as s:
        ps.save_payment_settings(s, admin, "HALF", ["姓名", "账号", "金额"], "GB18030")
        bank_file.write_bank_file(s, admin, roll.id, tmp_path / "代发2.csv")
    raw = (tmp_path / "代发2.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    rows = list(csv.reader(raw.decode("gb18030").splitlines()))
    assert rows[0] == ["姓名", "账号", "金额"] and ["王甲", "6217000000000000112", "480.00"] in rows


def test_stored_values_not_understood_are_read_as_defaults_with_a_note(db, admin):
    with db.session(admin) as s:
        settings.put(s, admin, "subsidy.bank_columns", ["姓名", "卡号"])
        settings.put(s, admin, "subsidy.bank_csv_encoding", "BIG5")
        got = ps.read_payment_settings(s)
    assert (got.period_mode, got.bank_columns, got.csv_encoding) == DEFAULTS
    assert len(got.problems) == 2 and "卡号" in got.problems[0] and "BIG5" in got.problems[1]
