"""资金发放 (issue 3 §4–5): amounts per year and household registration, who is paid in which period,
a paid roll is never recomputed, totals by township, and the bank file read back."""
from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from core import settings
from core.errors import DataError, PermissionDenied
from core.subsidy import bank_file
from core.subsidy import payroll as pr
from core.subsidy import recipients as rs
from core.subsidy import yearly_cycle as yc
from core.subsidy.eligibility import DEAD
from db.models.subsidy import PaymentLine, PaymentRoll
from tests.subsidy.test_recipients import make_id

LISHU, GUOJIADIAN = "220322100", "220322101"


def rural(name, born, seq, township=LISHU, account="auto", first_year=2015, **kw):
    return rs.RecipientInput(name=name, id_number=make_id(born=born, seq=seq), township=township,
                             program="RURAL_REWARD", hukou="农业", marital="已婚", children=[rs.ChildInput("子", "男")],
                             account_no=("6217000000000000" + seq) if account == "auto" else account,
                             bank_name="农村信用社", first_year=first_year, **kw)


def bereaved(name, born, seq, hukou, township=LISHU):
    """特别扶助（独生子女死亡）: a widowed mother, her only child died."""
    return rs.RecipientInput(name=name, id_number=make_id(born=born, seq=seq), township=township,
                             program="SPECIAL_DEATH", hukou=hukou, marital="丧偶",
                             children=[rs.ChildInput("子", "男", status=DEAD, death_date=date(2010, 5, 1))],
                             account_no="6228000000000000" + seq, bank_name="建设银行", first_year=2020)


def confirm_and_approve(db, admin, supervisor, program, year):
    with db.session(admin) as s:
        yc.confirm_year(s, admin, program, year, notice_start=date(year, 3, 1))
    with db.session(supervisor) as s:
        yc.approve_year(s, supervisor, program, year, on=date(year, 3, 20))


@pytest.fixture
def people(db, admin):
    ids = {}
    with db.session(admin) as s:
        ids["a"] = rs.save_recipient(s, admin, rural("王甲", "19500101", "112"), year=2024).id
        ids["b"] = rs.save_recipient(s, admin, rural("李乙", "19520101", "122"), year=2024).id
        ids["c"] = rs.save_recipient(s, admin, rural("赵丙", "19540101", "132", township=GUOJIADIAN), year=2024).id
        ids["urban"] = rs.save_recipient(s, admin, bereaved("钱丁", "19700301", "142", "非农业"), year=2024).id
        ids["rural_sp"] = rs.save_recipient(s, admin, bereaved("孙戊", "19690401", "152", "农业"), year=2024).id
    return ids


def test_year_roll_rural_960_and_special_urban_340_a_month(db, admin, supervisor, people):
    confirm_and_approve(db, admin, supervisor, "RURAL_REWARD", 2024)
    confirm_and_approve(db, admin, supervisor, "SPECIAL_DEATH", 2024)
    with db.session(admin) as s:
        rural_roll = pr.build_roll(s, admin, "RURAL_REWARD", "2024")
        special = pr.build_roll(s, admin, "SPECIAL_DEATH", "2024")
        lines = {l.name: l for l in pr.roll_lines(s, special.id)}
    assert (rural_roll.people, rural_roll.total, rural_roll.status) == (3, Decimal("2880.00"), "DRAFT")
    assert lines["钱丁"].amount == Decimal("4080.00")      # 城镇 340 元/月 × 12
    assert lines["孙戊"].amount == Decimal("2040.00")      # 农村 170 元/月 × 12
    assert special.total == Decimal("6120.00") and isinstance(special.total, Decimal)


def test_half_year_roll_is_half_the_standard(db, admin, supervisor, people):
    with db.session(admin) as s:
        settings.put(s, admin, "subsidy.payment_period", "HALF")
    confirm_and_approve(db, admin, supervisor, "RURAL_REWARD", 2024)
    confirm_and_approve(db, admin, supervisor, "SPECIAL_DEATH", 2024)
    with db.session(admin) as s:
        with pytest.raises(DataError) as e:
            pr.build_roll(s, admin, "RURAL_REWARD", "2024")
        assert "2024H1 或 2024H2" in str(e.value)
        roll = pr.build_roll(s, admin, "RURAL_REWARD", "2024H1")
        amounts = {l.amount for l in pr.roll_lines(s, roll.id)}
        special = pr.build_roll(s, admin, "SPECIAL_DEATH", "2024H2")
        special_lines = {l.name: (l.amount, l.months) for l in pr.roll_lines(s, special.id)}
    assert amounts == {Decimal("480.00")} and roll.period_label == "2024年上半年"
    assert special_lines == {"钱丁": (Decimal("2040.00"), 6), "孙戊": (Decimal("1020.00"), 6)}


def test_standards_change_by_year(db, admin, supervisor, people):
    with db.session(admin) as s:
        from core.subsidy.programmes import set_standard
        set_standard(s, admin, "RURAL_REWARD", 2025, "ALL", "1200", "YEAR")   # a local rise from 2025
    for year in (2024, 2025):
        confirm_and_approve(db, admin, supervisor, "RURAL_REWARD", year)
    with db.session(admin) as s:
        assert pr.build_roll(s, admin, "RURAL_REWARD", "2024").total == Decimal("2880.00")
        assert pr.build_roll(s, admin, "RURAL_REWARD", "2025").total == Decimal("3600.00")


def test_an_exit_in_march_is_paid_for_that_year_not_the_next(db, admin, supervisor, people):
    confirm_and_approve(db, admin, supervisor, "RURAL_REWARD", 2024)
    with db.session(admin) as s:
        rs.exit_recipient(s, admin, people["b"], "死亡", date(2024, 3, 15))
    with db.session(admin) as s:
        roll_2024 = pr.build_roll(s, admin, "RURAL_REWARD", "2024")
        names_2024 = [l.name for l in pr.roll_lines(s, roll_2024.id)]
    confirm_and_approve(db, admin, supervisor, "RURAL_REWARD", 2025)
    with db.session(admin) as s:
        roll_2025 = pr.build_roll(s, admin, "RURAL_REWARD", "2025")
        names_2025 = [l.name for l in pr.roll_lines(s, roll_2025.id)]
    assert "李乙" in names_2024 and roll_2024.people == 3
    assert "李乙" not in names_2025 and roll_2025.people == 2


def test_half_year_exit_stops_from_the_next_half(db, admin, supervisor, people):
    with db.session(admin) as s:
        settings.put(s, admin, "subsidy.payment_period", "HALF")
        rs.exit_recipient(s, admin, people["b"], "户籍迁出", date(2024, 3, 15))
    confirm_and_approve(db, admin, supervisor, "RURAL_REWARD", 2024)
    with db.session(admin) as s:
        assert pr.build_roll(s, admin, "RURAL_REWARD", "2024H1").people == 3
        assert pr.build_roll(s, admin, "RURAL_REWARD", "2024H2").people == 2


def test_no_roll_before_the_year_is_approved(db, admin, people):
    with db.session(admin) as s:
        yc.confirm_year(s, admin, "RURAL_REWARD", 2024, notice_start=date(2024, 3, 1))
    with pytest.raises(DataError) as e:
        with db.session(admin) as s:
            pr.build_roll(s, admin, "RURAL_REWARD", "2024")
    assert "2024 年度资格确认已确认、尚未审批" in str(e.value) and "农村部分计划生育家庭奖励扶助" in str(e.value)


def test_a_missing_standard_names_the_programme_and_year(db, admin, supervisor):
    confirm_and_approve(db, admin, supervisor, "RURAL_REWARD", 2003)    # national standards start in 2004
    with pytest.raises(DataError) as e:
        with db.session(admin) as s:
            pr.build_roll(s, admin, "RURAL_REWARD", "2003")
    assert "农村部分计划生育家庭奖励扶助" in str(e.value) and "2003 年" in str(e.value) and "扶助标准" in str(e.value)


def test_rebuilding_a_draft_replaces_it(db, admin, supervisor, people):
    confirm_and_approve(db, admin, supervisor, "RURAL_REWARD", 2024)
    with db.session(admin) as s:
        first = pr.build_roll(s, admin, "RURAL_REWARD", "2024")
        rs.exit_recipient(s, admin, people["c"], "户籍迁出", date(2023, 6, 1))
        again = pr.build_roll(s, admin, "RURAL_REWARD", "2024")
        assert s.query(PaymentLine).filter_by(roll_id=again.id).count() == 2
    assert again.id == first.id and again.people == 2 and again.total == Decimal("1920.00")


def test_a_paid_roll_is_never_recomputed_or_edited(db, admin, clerk, supervisor, people):
    confirm_and_approve(db, admin, supervisor, "RURAL_REWARD", 2024)
    with db.session(admin) as s:
        roll = pr.build_roll(s, admin, "RURAL_REWARD", "2024")
    with pytest.raises(PermissionDenied):
        with db.session(clerk) as s:
            pr.mark_paid(s, clerk, roll.id, date(2024, 6, 28))
    with db.session(supervisor) as s:
        paid = pr.mark_paid(s, supervisor, roll.id, date(2024, 6, 28))
    assert paid.status == "PAID" and paid.paid_on == date(2024, 6, 28)
    with db.session(admin) as s:          # a later change to a person does not touch what was paid
        data, version = rs.load_input(s, people["a"])
        data.account_no = "6217999999999999999"
        rs.save_recipient(s, admin, data, recipient_id=people["a"], expected_version=version, year=2024)
    with pytest.raises(DataError) as e:
        with db.session(admin) as s:
            pr.build_roll(s, admin, "RURAL_REWARD", "2024")
    assert "2024-06-28 发放" in str(e.value) and "不能重新计算" in str(e.value)
    with pytest.raises(DataError):
        with db.session(supervisor) as s:
            pr.mark_paid(s, supervisor, roll.id, date(2024, 7, 1))
    with pytest.raises(DataError):
        with db.session(admin) as s:
            s.get(PaymentRoll, roll.id).total = Decimal("1.00")
    with pytest.raises(DataError):
        with db.session(admin) as s:
            s.query(PaymentLine).filter_by(roll_id=roll.id).first().amount = Decimal("1.00")
    with db.session(admin) as s:
        lines = {l.name: l for l in pr.roll_lines(s, roll.id)}
        assert lines["王甲"].account_no == "6217000000000000112" and s.get(PaymentRoll, roll.id).total == Decimal("2880.00")


def test_totals_by_township_equal_the_lines(db, admin, supervisor, people):
    confirm_and_approve(db, admin, supervisor, "RURAL_REWARD", 2024)
    with db.session(admin) as s:
        roll = pr.build_roll(s, admin, "RURAL_REWARD", "2024")
        totals = pr.roll_totals(s, roll.id)
        lines = list(pr.roll_lines(s, roll.id))
    by_town = {t.code: (t.name, t.people, t.amount) for t in totals.townships}
    assert by_town == {LISHU: ("梨树镇", 2, Decimal("1920.00")), GUOJIADIAN: (by_town[GUOJIADIAN][0], 1, Decimal("960.00"))}
    assert totals.amount == sum(l.amount for l in lines) == roll.total
    assert totals.people == len(lines) == 3


def test_a_person_without_an_account_is_shown_and_flagged(db, admin, supervisor, people):
    with db.session(admin) as s:
        rs.save_recipient(s, admin, rural("冯无卡", "19510101", "162", account=""), year=2024)
    confirm_and_approve(db, admin, supervisor, "RURAL_REWARD", 2024)
    with db.session(admin) as s:
        roll = pr.build_roll(s, admin, "RURAL_REWARD", "2024")
        line = next(l for l in pr.roll_lines(s, roll.id) if l.name == "冯无卡")
        assert pr.roll_totals(s, roll.id).without_account == 1
    assert roll.people == 4 and line.amount == Decimal("960.00") and line.problem == "无银行账号"
    assert any("冯无卡" in p and "无银行账号" in p for p in roll.problems)
    with pytest.raises(DataError) as e:
        with db.session(supervisor) as s:
            pr.mark_paid(s, supervisor, roll.id, date(2024, 6, 28))
    assert "1 人存在问题" in str(e.value) and "冯无卡" in str(e.value)
    with db.session(supervisor) as s:
        assert pr.mark_paid(s, supervisor, roll.id, date(2024, 6, 28), accept_problems=True).status == "PAID"


def test_bank_file_xlsx_keeps_ids_and_accounts_as_text(db, admin, supervisor, people, tmp_path):
    with db.session(admin) as s:
        rs.save_recipient(s, admin, rural("冯无卡", "19510101", "162", account=""), year=2024)
    confirm_and_approve(db, admin, supervisor, "RURAL_REWARD", 2024)
    with db.session(admin) as s:
        roll = pr.build_roll(s, admin, "RURAL_REWARD", "2024")
        result = bank_file.write_bank_file(s, admin, roll.id, tmp_path / "代发.xlsx")
    assert result.rows == 3 and result.total == Decimal("2880.00")
    assert result.skipped == [f"冯无卡（{make_id(born='19510101', seq='162')}）"]
    ws = load_workbook(tmp_path / "代发.xlsx").active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("序号", "姓名", "身份证号", "账号", "金额")
    r = next(i for i, row in enumerate(rows) if row[1] == "王甲")
    first = rows[r]
    assert first[2] == make_id(born="19500101", seq="112") and len(first[2]) == 18
    assert isinstance(first[2], str) and isinstance(first[3], str) and first[3] == "6217000000000000112"
    assert ws.cell(r + 1, 3).data_type == "s" and ws.cell(r + 1, 3).number_format == "@"
    assert first[4] == 960 and ws.cell(r + 1, 5).number_format == "0.00"
    assert [row[0] for row in rows[1:4]] == [1, 2, 3]
    assert rows[-1][0] == "合计" and rows[-1][1] == "共 3 人" and rows[-1][4] == 2880
    assert len(rows) == 5


def test_bank_file_csv_with_configured_columns(db, admin, supervisor, people, tmp_path):
    confirm_and_approve(db, admin, supervisor, "SPECIAL_DEATH", 2024)
    with db.session(admin) as s:
        settings.put(s, admin, "subsidy.bank_columns", ["姓名", "账号", "金额", "开户银行", "乡镇", "备注"])
        roll = pr.build_roll(s, admin, "SPECIAL_DEATH", "2024")
        bank_file.write_bank_file(s, admin, roll.id, tmp_path / "代发.csv")
    with open(tmp_path / "代发.csv", encoding="gb18030", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["姓名", "账号", "金额", "开户银行", "乡镇", "备注"]
    assert ["钱丁", "6228000000000000142", "4080.00", "建设银行", "梨树镇", "2024年计划生育家庭特别扶助金"] in rows
    assert ["孙戊", "6228000000000000152", "2040.00", "建设银行", "梨树镇", "2024年计划生育家庭特别扶助金"] in rows
    assert rows[-1][0] == "合计" and rows[-1][2] == "6120.00"
    assert all("死亡" not in cell for row in rows for cell in row)   # the memo uses the public name


def test_unknown_bank_column_is_named(db, admin, supervisor, people, tmp_path):
    confirm_and_approve(db, admin, supervisor, "RURAL_REWARD", 2024)
    with db.session(admin) as s:
        settings.put(s, admin, "subsidy.bank_columns", ["姓名", "卡号"])
        roll = pr.build_roll(s, admin, "RURAL_REWARD", "2024")
        with pytest.raises(DataError) as e:
            bank_file.write_bank_file(s, admin, roll.id, tmp_path / "x.xlsx")
    assert "卡号" in str(e.value) and not (tmp_path / "x.xlsx").exists()


def test_year_and_half_year_rolls_do_not_overlap(db, admin, supervisor, people):
    confirm_and_approve(db, admin, supervisor, "RURAL_REWARD", 2024)
    with db.session(admin) as s:
        pr.build_roll(s, admin, "RURAL_REWARD", "2024")
        settings.put(s, admin, "subsidy.payment_period", "HALF")
        with pytest.raises(DataError) as e:
            pr.build_roll(s, admin, "RURAL_REWARD", "2024H1")
    assert "已有2024年的发放花名册" in str(e.value)


# -- the people who need a look, any time -----------------------------------------------------------

def test_roll_problems_are_recomputed_from_the_roll_and_the_roster(db, admin, supervisor, people, tmp_path):
    with db.session(admin) as s:
        no_card = rs.save_recipient(s, admin, rural("冯无卡", "19510101", "162", account=""), year=2024).id
    confirm_and_approve(db, admin, supervisor, "RURAL_REWARD", 2024)
    with db.session(admin) as s:
        built = pr.build_roll(s, admin, "RURAL_REWARD", "2024")
        assert [p.sentence for p in pr.roll_problems(s, built.id)] == built.problems     # the same list
        # after building: an applicant of age arrives, 赵丙 moved away before 2024, a young applicant
        late = rs.save_recipient(s, admin, rural("陈后报", "19630101", "172", status="APPLIED", first_year=None),
                                 year=2024).id
        rs.save_recipient(s, admin, rural("卫太小", "19650101", "182", status="APPLIED", first_year=None), year=2025)
        rs.exit_recipient(s, admin, people["c"], "户籍迁出", date(2023, 6, 1))
    with db.session(admin) as s:
        found = {p.recipient_id: p for p in pr.roll_problems(s, built.id)}
    assert set(found) == {no_card, people["c"], late}          # the too-young applicant is nobody's problem
    assert found[no_card].on_roll and found[no_card].problem == "无银行账号" and found[no_card].amount == Decimal("960.00")
    assert found[people["c"]].on_roll and "生成花名册后已退出（户籍迁出，退出日期 2023-06-01）" in found[people["c"]].problem
    assert not found[late].on_roll and found[late].problem == "申请中，尚未经2024年度资格确认"
    assert found[late].sentence.endswith("（未列入花名册）")

    with db.session(admin) as s:           # rebuilt: 赵丙 is now left out, with the reason
        rebuilt = pr.build_roll(s, admin, "RURAL_REWARD", "2024")
        found = {p.recipient_id: p for p in pr.roll_problems(s, rebuilt.id)}
    assert rebuilt.people == 3 and not found[people["c"]].on_roll
    assert found[people["c"]].problem == "已退出（户籍迁出，退出日期 2023-06-01），2024年不发放"
    assert len(rebuilt.problems) == 3

    # a township clerk sees the people of their township only
    from core.access import Actor, Role
    town = Actor("t", "乡镇录入员", Role.CLERK, frozenset({GUOJIADIAN}))
    with db.session(town) as s:
        assert [p.name for p in pr.roll_problems(s, rebuilt.id, actor=town)] == ["赵丙"]

    # exported with the returns' xlsx writer, read back; the export is audited
    out = tmp_path / "需要处理的人.xlsx"
    with db.session(admin) as s:
        assert pr.write_roll_problems(s, admin, rebuilt.id, out) == 3
    rows = [r for r in load_workbook(out).active.iter_rows(values_only=True)]
    heading = next(r for r in rows if r and r[0] == "序号")
    assert list(heading) == ["序号", "姓名", "公民身份号码", "乡镇（街道）", "村（居）", "花名册", "金额（元）", "问题"]
    data = {r[1]: r for r in rows[rows.index(heading) + 1:] if r and isinstance(r[0], int)}
    assert set(data) == {"冯无卡", "陈后报", "赵丙"}
    assert data["冯无卡"][2] == make_id(born="19510101", seq="162") and data["冯无卡"][5] == "在花名册中"
    assert data["冯无卡"][6] == 960 and data["冯无卡"][7] == "无银行账号"
    assert data["赵丙"][3] == "郭家店镇" and data["赵丙"][5] == "未列入花名册" and "户籍迁出" in data["赵丙"][7]
    from core.audit import query_audit
    with db.session(admin) as s:
        assert any(a.action == "export" and "需要处理的人" in a.record_label for a in query_audit(s, admin))

    # paid: the list is still there (the paid lines as paid)
    with db.session(supervisor) as s:
        pr.mark_paid(s, supervisor, rebuilt.id, date(2024, 6, 28), accept_problems=True)
    with db.session(admin) as s:
        paid = {p.name: p.problem for p in pr.roll_problems(s, rebuilt.id)}
    assert paid["冯无卡"] == "无银行账号" and set(paid) == {"冯无卡", "陈后报", "赵丙"}


def test_a_persons_payments_newest_first_as_the_rolls_hold_them(db, admin, supervisor, people):
    """The person form's 发放记录: each roll's line for the person — amount, months, the account it went
    to as it was then — paid or waiting, with the paid total; another township's clerk may not look."""
    for year in (2024, 2025):
        confirm_and_approve(db, admin, supervisor, "RURAL_REWARD", year)
    with db.session(admin) as s:
        first = pr.build_roll(s, admin, "RURAL_REWARD", "2024")
    with db.session(supervisor) as s:
        pr.mark_paid(s, supervisor, first.id, date(2024, 6, 28))
    with db.session(admin) as s:
        data, version = rs.load_input(s, people["a"])
        data.account_no = "6217999999999999999"          # a new card after the 2024 payment
        rs.save_recipient(s, admin, data, recipient_id=people["a"], expected_version=version, year=2025)
        pr.build_roll(s, admin, "RURAL_REWARD", "2025")
        mine = pr.person_payments(s, admin, people["a"])
        nobody = pr.person_payments(s, admin, people["urban"])   # special programme: no roll built
    assert [(p.period, p.roll_status, p.amount, p.months, p.account_no) for p in mine.lines] == [
        ("2025", "DRAFT", Decimal("960.00"), 12, "6217999999999999999"),
        ("2024", "PAID", Decimal("960.00"), 12, "6217000000000000112")]
    assert mine.lines[1].status_label == "已发放（2024-06-28）" and mine.lines[0].status_label.startswith("待发放")
    assert mine.lines[0].program_name == "农村部分计划生育家庭奖励扶助" and mine.lines[0].period_label == "2025年"
    assert mine.paid_total == Decimal("960.00")
    assert mine.summary() == "已发放 1 期，合计 960.00 元；另有 1 期在尚未发放的花名册中。"
    assert nobody.lines == [] and nobody.summary() == "还没有列入任何发放花名册。"
    other_town = admin.limited_to(frozenset({GUOJIADIAN}))
    with db.session(other_town) as s:
        with pytest.raises(PermissionDenied):
            pr.person_payments(s, other_town, people["a"])
