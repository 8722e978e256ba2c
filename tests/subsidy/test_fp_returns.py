"""FP-* returns (issue 3 §4): each exported to xlsx, PDF and JSON and read back; the summary agrees
with the roster and the payment roll; the public notice shows masked IDs and nothing private."""
from __future__ import annotations

import json
import subprocess
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from core import orgunits
from core.access import Actor, Role
from core.errors import DataError, UsageError
from core.returns.catalogue import CATALOGUE, build_return
from core.returns.render import render
from core.subsidy import payroll as pr
from core.subsidy import recipients as rs
from core.subsidy import yearly_cycle as yc
from core.subsidy.eligibility import DEAD
from tests.subsidy.test_recipients import make_id

LISHU, GUOJIADIAN = "220322100", "220322101"
VILLAGE = "220322100201"
ACCOUNT = "621700000000000"


def rural(name, born, seq, township=LISHU, status="ACTIVE", first_year=2015, village=""):
    return rs.RecipientInput(name=name, id_number=make_id(born=born, seq=seq), township=township, village=village,
                             program="RURAL_REWARD", hukou="农业", marital="已婚", children=[rs.ChildInput("子", "男")],
                             account_no=ACCOUNT + seq + "0", bank_name="农村信用社", first_year=first_year, status=status)


def bereaved(name, born, seq, township=LISHU):
    return rs.RecipientInput(name=name, id_number=make_id(born=born, seq=seq), township=township,
                             program="SPECIAL_DEATH", hukou="非农业", marital="丧偶",
                             children=[rs.ChildInput("子", "男", status=DEAD, death_date=date(2010, 5, 1))],
                             account_no="622800000000000" + seq + "0", bank_name="建设银行", first_year=2020)


@pytest.fixture
def county(db, admin, supervisor):
    """2024 confirmed and approved, a 2024 roll paid; 2025 confirmed with one new, one exit
    decided in the confirmation, one exit during 2024, and a draft roll."""
    ids = {}
    with db.session(admin) as s:
        orgunits.add_unit(s, admin, VILLAGE, "东河村", LISHU)
    with db.session(admin) as s:
        ids["wang"] = rs.save_recipient(s, admin, rural("王甲", "19500101", "112", village="东河村"), year=2024).id
        ids["li"] = rs.save_recipient(s, admin, rural("李乙", "19520101", "122"), year=2024).id
        ids["zhao"] = rs.save_recipient(s, admin, rural("赵丙", "19540101", "132", township=GUOJIADIAN), year=2024).id
        ids["qian"] = rs.save_recipient(s, admin, rural("钱丁", "19560101", "142", township=GUOJIADIAN), year=2024).id
        ids["sun"] = rs.save_recipient(s, admin, bereaved("孙戊", "19700301", "152"), year=2024).id
        yc.confirm_year(s, admin, "RURAL_REWARD", 2024, notice_start=date(2024, 3, 1))
        yc.confirm_year(s, admin, "SPECIAL_DEATH", 2024, notice_start=date(2024, 3, 1))
    with db.session(supervisor) as s:
        for program in ("RURAL_REWARD", "SPECIAL_DEATH"):
            yc.approve_year(s, supervisor, program, 2024, on=date(2024, 3, 20))
    with db.session(admin) as s:
        roll = pr.build_roll(s, admin, "RURAL_REWARD", "2024")
        rs.exit_recipient(s, admin, ids["qian"], "户籍迁出", date(2024, 8, 1))   # paid for 2024, not 2025
        ids["zhou"] = rs.save_recipient(s, admin, rural("周新", "19650601", "162", status="APPLIED", first_year=None),
                                        year=2025).id
    with db.session(supervisor) as s:
        pr.mark_paid(s, supervisor, roll.id, date(2024, 6, 28))
    with db.session(admin) as s:
        yc.confirm_year(s, admin, "RURAL_REWARD", 2025, {ids["li"]: ("EXIT", "再生育/收养")},
                        notice_start=date(2025, 3, 1))
    with db.session(supervisor) as s:
        yc.approve_year(s, supervisor, "RURAL_REWARD", 2025, on=date(2025, 3, 20))
    with db.session(admin) as s:
        pr.build_roll(s, admin, "RURAL_REWARD", "2025")
    return ids


def table_of(db, actor, return_id, period, org=None, program="RURAL_REWARD"):
    with db.session(actor) as s:
        t = build_return(s, actor, return_id, period, org, program)
        rows = list(t.rows)
    return t, rows


def export_all(db, actor, return_id, period, tmp_path, org=None, program="RURAL_REWARD"):
    """The return as xlsx, PDF and JSON: (xlsx worksheet, PDF text without spaces, JSON object)."""
    out = {}
    for fmt in ("xlsx", "pdf", "json"):
        with db.session(actor) as s:
            render(build_return(s, actor, return_id, period, org, program), fmt, tmp_path / f"{return_id}.{fmt}")
    text = subprocess.run(["pdftotext", "-raw", str(tmp_path / f"{return_id}.pdf"), "-"], check=True,
                          capture_output=True, text=True).stdout
    out["xlsx"] = load_workbook(tmp_path / f"{return_id}.xlsx").active
    out["pdf"] = "".join(text.split())
    out["json"] = json.loads((tmp_path / f"{return_id}.json").read_text(encoding="utf-8"))
    return out["xlsx"], out["pdf"], out["json"]


def xlsx_values(ws) -> list:
    return [v for row in ws.iter_rows(values_only=True) for v in row if v is not None]


def test_catalogue_has_builders_and_org_list_still_works(db, admin):
    assert all(CATALOGUE[i].available for i in ("FP-ROSTER", "FP-NEW", "FP-EXIT", "FP-PAYROLL", "FP-SUMMARY", "FP-NOTICE"))
    t, rows = table_of(db, admin, "ORG-LIST", None, program=None)
    assert t.id == "ORG-LIST" and len(rows) >= 25


def test_programme_returns_need_a_programme(db, admin, county):
    with pytest.raises(UsageError) as e:
        table_of(db, admin, "FP-ROSTER", "2024", program=None)
    assert "--program" in str(e.value) and "RURAL_REWARD" in str(e.value)
    with pytest.raises(UsageError) as e:
        table_of(db, admin, "FP-ROSTER", "202403")
    assert "按年度编制" in str(e.value)


def test_roster_lists_everyone_entitled_with_full_id_and_bank(db, admin, county, tmp_path):
    ws, pdf, data = export_all(db, admin, "FP-ROSTER", "2025", tmp_path)
    names = [r[1] for r in data["rows"]]
    assert sorted(names) == sorted(["王甲", "赵丙", "周新"])          # 李乙 exited in 2025's confirmation, 钱丁 in 2024
    assert data["title"] == "农村部分计划生育家庭奖励扶助对象花名册"
    heading = data["columns"]
    row = dict(zip(heading, data["rows"][names.index("王甲")]))
    assert row["公民身份号码"] == make_id(born="19500101", seq="112") and row["银行账号"] == ACCOUNT + "1120"
    assert row["出生日期"] == "1950-01-01" and row["户口性质"] == "农业" and row["乡镇（街道）"] == "梨树镇"
    assert row["村（居）"] == "东河村"
    assert "农村部分计划生育家庭奖励扶助对象花名册" in pdf and "王甲" in pdf and "第1页共1页" in pdf
    assert make_id(born="19500101", seq="112") in xlsx_values(ws)
    with db.session(admin) as s:
        t = build_return(s, admin, "FP-ROSTER", "2024", None, "RURAL_REWARD")
        assert not isinstance(t.rows, list)        # streamed
        assert sorted(r[1] for r in t.rows) == ["李乙", "王甲", "赵丙", "钱丁"]


def test_roster_streams_in_keyset_pages(db, admin, county, monkeypatch):
    monkeypatch.setattr(pr, "BATCH", 2)
    _, rows = table_of(db, admin, "FP-ROSTER", "2024")
    assert [r[0] for r in rows] == [1, 2, 3, 4] and len({r[3] for r in rows}) == 4


def test_new_and_exit_lists(db, admin, county, tmp_path):
    _, pdf, data = export_all(db, admin, "FP-NEW", "2025", tmp_path)
    assert [r[1] for r in data["rows"]] == ["周新"] and "新增对象花名册" in pdf and "周新" in pdf
    ws, pdf, data = export_all(db, admin, "FP-EXIT", "2025", tmp_path)
    rows = {r[1]: dict(zip(data["columns"], r)) for r in data["rows"]}
    assert set(rows) == {"李乙", "钱丁"}
    assert (rows["李乙"]["退出原因"], rows["李乙"]["退出日期"]) == ("再生育/收养", "2024-12-31")
    assert (rows["钱丁"]["退出原因"], rows["钱丁"]["退出日期"]) == ("户籍迁出", "2024-08-01")
    assert "退出对象花名册" in pdf and "李乙" in pdf and "再生育/收养" in pdf
    assert "钱丁" in xlsx_values(ws)


def test_payroll_return_with_bank_details_and_total(db, admin, county, tmp_path):
    ws, pdf, data = export_all(db, admin, "FP-PAYROLL", "2024", tmp_path)
    body, total = data["rows"][:-1], data["rows"][-1]
    assert sorted(r[1] for r in body) == ["李乙", "王甲", "赵丙", "钱丁"]
    assert all(r[8] == 960 for r in body) and total[1] == "合计" and total[8] == 3840
    assert "农村部分计划生育家庭奖励扶助资金发放花名册" in pdf and "2024-06-28发放" in pdf and "3,840.00" in pdf
    assert ACCOUNT + "1120" in xlsx_values(ws)
    wang = next(dict(zip(data["columns"], r)) for r in body if r[1] == "王甲")
    assert wang["村（居）"] == "东河村" and wang["银行账号"] == ACCOUNT + "1120" and wang["开户银行"] == "农村信用社"
    with pytest.raises(DataError) as e:
        table_of(db, admin, "FP-PAYROLL", "2023")
    assert "还没有2023年的发放花名册" in str(e.value)


def test_summary_equals_roster_and_payroll(db, admin, county, tmp_path):
    ws, pdf, data = export_all(db, admin, "FP-SUMMARY", "2024", tmp_path)
    total = data["rows"][-1]
    assert data["columns"] == ["乡镇（街道）", "本年享受人数", "本年新增", "本年退出", "应发金额（元）"]
    assert total[0] == "全县合计" and len(data["rows"]) == 25                # 24 townships + the total
    _, roster = table_of(db, admin, "FP-ROSTER", "2024")
    _, payroll = table_of(db, admin, "FP-PAYROLL", "2024")
    assert total[1] == len(roster) == 4
    assert Decimal(str(total[4])) == sum(r[8] for r in payroll[:-1]) == Decimal("3840.00")
    towns = {r[0]: r[1:] for r in data["rows"]}
    assert towns["梨树镇"] == [2, 0, 0, 1920.00]
    assert "扶助对象汇总表" in pdf and "全县合计" in pdf and "梨树镇" in pdf

    _, rows_2025 = table_of(db, admin, "FP-SUMMARY", "2025")
    _, roster_2025 = table_of(db, admin, "FP-ROSTER", "2025")
    with db.session(admin) as s:
        paid_2025 = pr.get_roll(s, "RURAL_REWARD", "2025").total
    total = rows_2025[-1]
    assert total[1:] == [len(roster_2025), 1, 2, paid_2025] == [3, 1, 2, Decimal("2880.00")]


def test_summary_of_all_programmes(db, admin, county):
    t, rows = table_of(db, admin, "FP-SUMMARY", "2024", program=None)
    groups = [c.group for c in t.columns]
    assert "农村部分计划生育家庭奖励扶助" in groups and "合计" in groups
    total = rows[-1]
    # rural 4 people 3,840.00 (paid roll); special 1 urban person 340×12 computed; overall 5, 7,920.00
    assert total[-4] == 5 and total[-1] == Decimal("7920.00")
    assert any("尚未生成发放花名册" in n for n in t.notes)


def test_notice_is_masked_and_says_nothing_private(db, admin, county, tmp_path):
    for program in ("RURAL_REWARD", "SPECIAL_DEATH"):
        ws, pdf, data = export_all(db, admin, "FP-NOTICE", "2024", tmp_path, program=program)
        text = pdf + json.dumps(data, ensure_ascii=False) + "".join(map(str, xlsx_values(ws)))
        assert "死亡" not in text and "伤残" not in text
        assert "农村信用社" not in text and "建设银行" not in text and ACCOUNT not in text and "622800000" not in text
        assert "公示名单" in pdf
    ws, pdf, data = export_all(db, admin, "FP-NOTICE", "2024", tmp_path, program="SPECIAL_DEATH")
    row = dict(zip(data["columns"], data["rows"][0]))
    full = make_id(born="19700301", seq="152")
    masked = "220322********" + full[-4:]
    assert row["扶助项目"] == "计划生育家庭特别扶助" and row["公民身份号码"] == masked
    assert data["columns"] == ["序号", "姓名", "性别", "乡镇（街道）", "村（居）", "扶助项目", "公民身份号码", "类别"]
    assert "孙戊" in pdf and masked in pdf and full not in pdf
    _, _, data = export_all(db, admin, "FP-NOTICE", "2025", tmp_path)
    kinds = {r[1]: r[7] for r in data["rows"]}
    assert kinds == {"王甲": "继续享受", "赵丙": "继续享受", "周新": "新增"}     # exits are not published
    assert {r[1]: r[4] for r in data["rows"]}["王甲"] == "东河村"


def test_a_township_clerk_sees_only_their_township(db, admin, county):
    town_clerk = Actor("t", "郭家店镇录入员", Role.CLERK, frozenset({GUOJIADIAN}))
    _, rows = table_of(db, town_clerk, "FP-ROSTER", "2024")
    assert sorted(r[1] for r in rows) == ["赵丙", "钱丁"]
    t, rows = table_of(db, town_clerk, "FP-SUMMARY", "2024")
    assert [r[0] for r in rows][-1] == "合计" and len(rows) == 2 and rows[-1][1] == 2
    _, rows = table_of(db, town_clerk, "FP-PAYROLL", "2024")
    assert rows[-1][8] == Decimal("1920.00")
    from core.errors import PermissionDenied
    with pytest.raises(PermissionDenied):
        table_of(db, town_clerk, "FP-ROSTER", "2024", org=LISHU)


def test_org_narrows_to_a_township_or_village(db, admin, county):
    t, rows = table_of(db, admin, "FP-ROSTER", "2024", org=LISHU)
    assert sorted(r[1] for r in rows) == ["李乙", "王甲"] and t.org_label == "梨树镇"
    t, rows = table_of(db, admin, "FP-PAYROLL", "2024", org=VILLAGE)
    assert [r[1] for r in rows] == ["王甲", "合计"] and rows[-1][8] == Decimal("960.00") and t.org_label == "东河村"
    with pytest.raises(UsageError):
        table_of(db, admin, "FP-ROSTER", "2024", org="220322999")


def test_notice_needs_a_confirmation(db, admin):
    with pytest.raises(DataError) as e:
        table_of(db, admin, "FP-NOTICE", "2024")
    assert "尚未进行资格确认" in str(e.value)
