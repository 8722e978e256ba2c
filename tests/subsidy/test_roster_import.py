"""Importing a county's messy 花名册: exact counts, a rejects workbook that says why, nothing half-done,
re-import adds nothing, the CLI contract, and the template round trip. SQLite and PostgreSQL."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select
from stdnum.cn import ric

from core.audit import query_audit, verify_chain
from core.errors import DataError
from core.imports import ImportCancelled, ImportFileError, default_rejects_path
from core.subsidy import roster_import
from core.subsidy.roster_import import import_roster, open_roster
from core.subsidy.template import write_template_for
from db.models.audit import AuditLog
from db.models.subsidy import Child, Recipient
from tests.subsidy.roster_factory import write_roster

ROOT = Path(__file__).resolve().parents[2]
FULLWIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")
HEADER = ["序号", "姓名", "性别", "身份证号码", "出生年月", "民族", "乡（镇）", "村（社区）", "户籍性质", "电话", "项目",
          "纳入年度", "开户行", "一卡通账号", "状态", "备注"]


def make_id(born: str, seq: str) -> str:
    body = "220322" + born + seq
    return body + ric.calc_check_digit(body + "0")


X_ID = make_id("19550607", "118")          # its check character is X
assert X_ID.endswith("X")
DUP_ID = make_id("19500312", "121")


def line(n, name, ident, born, town, program="奖励扶助", year=2012, sex="", account="", hukou="农业"):
    return [n, name, sex, ident, born, "汉", town, "东风村", hukou, "13900000000", program, year, "梨树农商银行",
            account, "享受中", ""]


def messy_rows() -> list:
    """Rows 5 … of the messy roster; None = a blank line. Comments say what each line tests."""
    return [
        line(1, " 张桂兰 ", f" {DUP_ID[:6]} {DUP_ID[6:14]} {DUP_ID[14:]} ", "1950.03.12", "梨树镇"),        # 5 spaces in the ID
        line(2, "李淑珍", make_id("19520401", "222").translate(FULLWIDTH), "1952-4-1", "郭家店"),           # 6 full-width, 镇 left off
        line(3, "王淑英", X_ID.lower(), "1955年6月7日", "榆树台镇", year=2016, sex="女", account="6217 0000 0000 0000 011"),  # 7 lower-case x
        line(4, "赵玉华", make_id("19580312", "242"), 19580312, "孤家子镇", year=2019),                                # 8 19580312 as a number
        line(5, "孙秀英", make_id("19590101", "262"), datetime(1959, 1, 1), "小城子镇", year=2020),                      # 9 a real date cell
        None,                                                                                                # 10 blank
        line(6, "周凤霞", 2.20322193403038E+17, "1934.03.08", "蔡家镇"),                                     # 11 ID stored as a number
        line(7, "吴春梅", make_id("19600215", "282"), "1960.02.15", "梨树镇", program="特别扶助（死亡）",       # 12 特别扶助, no child
             year=2015, hukou="非农业"),
        line(8, "郑福山", make_id("19480909", "313"), "19480909", "不存在镇"),                                # 13 unknown township
        line(9, "冯建军", make_id("19800101", "333"), "1980-01-01", "梨树镇", year=2024),                     # 14 too young
        None,                                                                                                # 15 blank
        line(10, "张桂兰", DUP_ID, "1950-03-12", "梨树镇"),                                                  # 16 the same person again
        line(11, "陈金荣", make_id("19450505", "353"), "1945.05.06", "万发镇"),                               # 17 birth date ≠ ID
        line(12, "韩永成", make_id("19470808", "373"), "1947.8.8", "东河"),                                  # 18 ok
        line(13, "唐宝贵", make_id("19490101", "393"), "", "白山乡"),                                        # 19 no birth date: fine
        line(14, "曹振庆", make_id("19460606", "413"), "1946.06", "胜利"),                                   # 20 出生年月 only
        ["合计", "14人"] + [""] * 14,                                                                         # 21 合计
        None,                                                                                                # 22
        ["注：本表由各乡镇计生办填报。"],                                                                       # 23 a note
    ]


GOOD, REJECTED, SKIPPED = 9, 5, 2


def write_messy(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "奖扶对象"
    ws["A1"] = "梨树县农村部分计划生育家庭奖励扶助对象花名册（2024年）"
    ws.merge_cells("A1:P1")
    ws["A2"] = "填报单位（盖章）：梨树县卫生健康局"
    ws.merge_cells("A2:H2")
    ws["L2"] = "填报日期：2024年3月"
    for col, heading in enumerate(HEADER, start=1):
        ws.cell(row=4, column=col, value=heading)
    for offset, values in enumerate(messy_rows()):
        for col, value in enumerate(values or [], start=1):
            ws.cell(row=5 + offset, column=col, value=value)
    wb.save(path)
    return path


def counts(db):
    with db.session() as s:
        return (s.scalar(select(func.count()).select_from(Recipient)), s.scalar(select(func.count()).select_from(AuditLog)))


@pytest.fixture
def messy(tmp_path):
    return write_messy(tmp_path / "梨树县花名册.xlsx")


def run_import(db, actor, path, **kw):
    table = open_roster(path)
    with db.session(actor) as s:
        result = import_roster(s, actor, table, year=2024, **kw)
    return table, result


def test_messy_roster_exact_counts_and_reasons(db, admin, messy, tmp_path):
    table, r = run_import(db, admin, messy)
    assert table.mapping.header_row == 4 and table.sheet.name == "奖扶对象"
    assert (r.read, r.imported, r.unchanged, r.rejected, r.skipped) == (GOOD + REJECTED, GOOD, 0, REJECTED, SKIPPED)
    assert r.incomplete == GOOD   # no child columns: 子女情况 待补充 for everyone; villages not loaded: 村（居）
    with db.session() as s:
        people = {p.name: p for p in s.execute(select(Recipient)).scalars()}
        assert set(people) == {"张桂兰", "李淑珍", "王淑英", "赵玉华", "孙秀英", "吴春梅", "韩永成", "唐宝贵", "曹振庆"}
        assert people["张桂兰"].id_number == DUP_ID and people["张桂兰"].birth_date == date(1950, 3, 12)
        assert people["李淑珍"].township_code == "220322101"   # 郭家店 → 郭家店镇
        assert people["王淑英"].id_number == X_ID and people["王淑英"].account_no == "6217000000000000011"
        assert people["韩永成"].township_code == "220322111"   # 东河 → 东河镇
        special = people["吴春梅"]
        assert special.program_code == "SPECIAL_DEATH" and special.hukou == "非农业" and special.first_year == 2015
        assert "子女情况" in special.incomplete and s.scalar(select(func.count()).select_from(Child)) == 0
        assert people["张桂兰"].address == "东风村" and "村（居）" in people["张桂兰"].incomplete
        assert people["张桂兰"].ethnicity == "汉族" and people["张桂兰"].status == "ACTIVE"
        audit = s.execute(select(AuditLog).where(AuditLog.action == "import").order_by(AuditLog.seq)).scalars().all()
        assert len(audit) == 2   # one bulk row naming every imported record and its line, then the summary
        records = json.loads(audit[0].changes)["记录"]
        assert sorted(records) == sorted(p.uuid for p in people.values())
        assert records[people["张桂兰"].uuid] == 5
        assert json.loads(audit[-1].changes)["未导入"] == REJECTED and verify_chain(s) == []
        # a person's history finds the import batch and tells its own line
        history = query_audit(s, admin, record_uuid=people["张桂兰"].uuid)
        assert [(h.action, h.changes) for h in history] == [("import", {"文件": "梨树县花名册.xlsx", "行": 5})]
        assert query_audit(s, admin, record_uuid=people["李淑珍"].uuid)[0].changes["行"] != 5
    out = r.write_rejects(tmp_path / "rejects.xlsx")
    rows = list(openpyxl.load_workbook(out).active.iter_rows(values_only=True))
    assert list(rows[0]) == HEADER + ["原因", "原行号"]
    by_row = {row[-1]: row for row in rows[1:]}
    assert sorted(by_row) == [11, 13, 14, 16, 17]
    assert by_row[11][3] == 2.20322193403038E+17 and by_row[11][1] == "周凤霞"          # the original cells
    assert by_row[11][-2].startswith("公民身份号码：身份证号被 Excel 存成了数字（科学计数法），末几位已经丢失，无法修复")
    assert "乡镇（街道）：本县没有名为“不存在镇”的乡镇（街道）" in by_row[13][-2]
    assert "2040 年才满 60 周岁" in by_row[14][-2] and "首次确认年度" in by_row[14][-2]
    assert "公民身份号码：与第 5 行是同一人、同一扶助项目（重复）" in by_row[16][-2]
    assert "出生日期：填写的 1945-05-06 与身份证号中的 1945-05-05 不一致" in by_row[17][-2]
    _, back = run_import(db, admin, out)   # the rejects file imports as it is (原因/原行号 are not read)
    assert (back.read, back.imported, back.unchanged, back.rejected) == (5, 0, 1, 4)   # the duplicate: already in


def test_reimport_adds_nothing_and_different_data_is_refused(db, admin, messy, tmp_path):
    run_import(db, admin, messy)
    before = counts(db)
    _, again = run_import(db, admin, messy)
    assert (again.imported, again.unchanged, again.rejected) == (0, GOOD, REJECTED)
    assert counts(db)[0] == before[0]
    wb = openpyxl.load_workbook(messy)
    wb.active["M5"] = "中国农业银行"          # 张桂兰's bank changed in the file
    wb.save(messy)
    _, third = run_import(db, admin, messy)
    assert (third.imported, third.unchanged, third.rejected) == (0, GOOD - 1, REJECTED + 1)
    reason = next(x.reason for x in third.rejects if x.number == 5)
    assert "此人已在本项目中登记" in reason and "开户银行（已登记“梨树农商银行”，表中“中国农业银行”）" in reason
    with db.session() as s:
        assert s.scalar(select(Recipient.bank_name).where(Recipient.id_number == DUP_ID)) == "梨树农商银行"


def test_dry_run_changes_nothing(db, admin, messy):
    before = counts(db)
    _, r = run_import(db, admin, messy, dry_run=True)
    assert (r.imported, r.rejected, r.dry_run) == (GOOD, REJECTED, True) and "试导入" in r.summary()
    assert counts(db) == before


def test_cancel_midway_leaves_the_database_as_it_was(db, admin, tmp_path, monkeypatch):
    monkeypatch.setattr(roster_import, "BATCH", 300)   # several batches are written before the cancel
    path = write_roster(tmp_path / "big.xlsx", 2000, seed=3)
    before = counts(db)
    seen = []

    def progress(done, total):
        seen.append((done, total))
        return done < 1500

    with pytest.raises(ImportCancelled):
        run_import(db, admin, path, progress=progress)
    assert seen[0] == (0, 2000) and seen[-1][0] >= 1500 and len(seen) > 3
    assert counts(db) == before


def test_generated_rosters_import_completely(db, admin, tmp_path):
    for messy_flag in (False, True):
        path = write_roster(tmp_path / f"r{messy_flag}.xlsx", 300, seed=7, messy=messy_flag)
        _, r = run_import(db, admin, path)
        assert (r.read, r.rejected) == (300, 0), [x.reason for x in r.rejects[:3]]
        assert r.imported + r.unchanged == 300
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Recipient)) == 300   # the messy copy: same people
        assert s.scalar(select(func.count()).select_from(Recipient).where(Recipient.program_code == "SPECIAL_DEATH")) > 0


def test_program_option_column_names_and_child_columns(db, admin, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["姓名", "公民身份号码", "乡镇", "扶助项目", "首次确认年度", "子女姓名", "子女状况", "子女死亡日期"])
    ws.append(["甲", make_id("19620101", "424"), "梨树", "特扶死亡", 2012, "小甲", "", "2008-05-01"])
    ws.append(["乙", make_id("19620202", "444"), "梨树", "特别扶助", 2012, "小乙", "伤残", ""])
    ws.append(["丙", make_id("19620303", "464"), "梨树", "特别扶助", 2012, "", "", ""])
    ws.append(["丁", make_id("19620404", "484"), "梨树", "奖扶", 2023, "", "", ""])
    wb.save(tmp_path / "c.xlsx")
    _, r = run_import(db, admin, tmp_path / "c.xlsx")
    assert (r.imported, r.rejected) == (3, 1)
    assert "扶助项目：“特别扶助”没有写明是独生子女死亡还是伤残" in r.rejects[0].reason
    with db.session() as s:
        rows = {p.name: p for p in s.execute(select(Recipient)).scalars()}
        assert rows["甲"].program_code == "SPECIAL_DEATH" and rows["甲"].children[0].status == "DEAD"
        assert rows["甲"].children[0].death_date == date(2008, 5, 1) and "子女情况" not in rows["甲"].incomplete
        assert rows["乙"].program_code == "SPECIAL_DISABILITY" and "残疾等级" in rows["乙"].incomplete
        assert rows["丁"].program_code == "RURAL_REWARD" and "户口性质" in rows["丁"].incomplete
    _, forced = run_import(db, admin, tmp_path / "c.xlsx", program="SPECIAL_DEATH")   # the column is not read
    assert (forced.imported, forced.unchanged, forced.rejected) == (2, 1, 1)
    assert forced.rejects[0].cells[0] == "乙" and "不是死亡" in forced.rejects[0].reason
    with pytest.raises(DataError, match="没有扶助项目“NOPE”"):
        run_import(db, admin, tmp_path / "c.xlsx", program="NOPE")


def test_a_clerk_cannot_import_other_townships(db, tmp_path):
    from core.access import Actor, Role
    clerk = Actor("c", "乡镇录入员", Role.CLERK, frozenset({"220322100"}))
    path = write_roster(tmp_path / "r.xlsx", 48, seed=2)
    _, r = run_import(db, clerk, path)
    assert r.imported == 2 and r.rejected == 46   # 24 townships in turn: two lines are 梨树镇's
    assert "无权导入" in r.rejects[0].reason


def test_no_header_and_missing_columns_are_refused(db, admin, tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["甲", "乙", "丙"])
    wb.save(tmp_path / "none.xlsx")
    with pytest.raises(ImportFileError) as e:
        open_roster(tmp_path / "none.xlsx")
    assert "找不到表头" in str(e.value) and "公民身份号码" in str(e.value) and "乡镇（街道）" in str(e.value)
    wb = openpyxl.Workbook()
    wb.active.append(["姓名", "性别", "民族", "联系电话"])
    wb.save(tmp_path / "few.xlsx")
    with pytest.raises(ImportFileError) as e:
        run_import(db, admin, tmp_path / "few.xlsx")
    assert "没有必需的列：公民身份号码、乡镇（街道）" in str(e.value)


def test_template_round_trip(db, admin, tmp_path):
    with db.session(admin) as s:
        path = write_template_for(s, tmp_path / "模板.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[:2] == ["花名册", "填写说明"] and wb["选项"].sheet_state == "hidden"
    sheet = wb["花名册"]
    headings = [c.value for c in sheet[1]]
    assert headings[:4] == ["序号", "姓名", "性别", "公民身份号码"] and headings[-1] == "备注" and len(headings) == 18
    assert sheet["D2"].number_format == "@"
    assert any("科学计数法" in str(c.value) for row in wb["填写说明"].iter_rows() for c in row)
    people = [("甲一", make_id("19500101", "501"), "梨树镇"), ("乙二", make_id("19510101", "521"), "白山乡"),
              ("丙三", make_id("19520101", "541"), "十家堡镇")]
    for n, (name, ident, town) in enumerate(people, start=2):
        for col, value in {1: n - 1, 2: name, 4: ident, 7: town, 9: "农业", 11: "农村部分计划生育家庭奖励扶助",
                           12: 2015, 15: "享受中"}.items():
            sheet.cell(row=n, column=col, value=value)
    wb.save(path)
    _, r = run_import(db, admin, path)
    assert (r.imported, r.rejected, r.skipped) == (3, 0, 0)


# -- the command line ----------------------------------------------------------------------------

def cli(tmp_path, *args):
    env = {**os.environ, "WEIJIAN_DATA_DIR": str(tmp_path / "data"), "QT_QPA_PLATFORM": "offscreen"}
    env.pop("WEIJIAN_DB", None)
    r = subprocess.run([sys.executable, str(ROOT / "main.py"), *args], cwd=tmp_path, capture_output=True, text=True,
                       env=env, timeout=120)
    assert "Traceback" not in r.stderr + r.stdout, r.stderr
    return r


def cli_json(tmp_path, *args, expect: int) -> dict:
    r = cli(tmp_path, *args, "--json")
    assert r.returncode == expect, (r.stdout, r.stderr)
    return json.loads(r.stdout)


def test_cli_import_subsidy(tmp_path, db_url, messy):
    cli_json(tmp_path, "--db", db_url, "init", "--county-code", "220322", "--county-name", "梨树县", expect=0)
    dry = cli_json(tmp_path, "--db", db_url, "import", "subsidy", str(messy), "--dry-run", expect=1)
    assert dry["dry_run"] is True and dry["imported"] == GOOD
    out = cli_json(tmp_path, "--db", db_url, "import", "subsidy", str(messy), expect=1)
    assert {k: out[k] for k in ("ok", "read", "imported", "unchanged", "rejected", "incomplete", "skipped", "dry_run")} == {
        "ok": False, "read": GOOD + REJECTED, "imported": GOOD, "unchanged": 0, "rejected": REJECTED,
        "incomplete": GOOD, "skipped": SKIPPED, "dry_run": False}
    assert out["rejects_file"] == str(default_rejects_path(messy)) and Path(out["rejects_file"]).exists()
    assert Path(out["rejects_file"]).name == "梨树县花名册-未导入.xlsx"
    assert any("第 11 行：公民身份号码：身份证号被 Excel 存成了数字" in d for d in out["details"])
    fixed = tmp_path / "fixed.xlsx"
    again = cli_json(tmp_path, "--db", db_url, "import", "subsidy", str(messy), "--rejects", str(fixed), expect=1)
    assert (again["imported"], again["unchanged"], again["rejects_file"]) == (0, GOOD, str(fixed)) and fixed.exists()
    clean = write_roster(tmp_path / "clean.xlsx", 20, seed=5)
    ok = cli_json(tmp_path, "--db", db_url, "import", "subsidy", str(clean), expect=0)
    assert ok["ok"] is True and ok["imported"] == 20 and ok["rejects_file"] is None
    ok = cli_json(tmp_path, "--db", db_url, "import", "subsidy", str(clean), expect=0)
    assert (ok["imported"], ok["unchanged"]) == (0, 20)
    human = cli(tmp_path, "--db", db_url, "import", "subsidy", str(clean))
    assert human.returncode == 0 and "导入 0" in human.stdout and "未变 20" in human.stdout


def test_cli_refuses_unreadable_files(tmp_path):
    cli_json(tmp_path, "init", "--county-code", "220322", expect=0)
    text = tmp_path / "名单.xlsx"
    text.write_text("姓名,身份证号\n", encoding="utf-8")
    out = cli_json(tmp_path, "import", "subsidy", str(text), expect=1)
    assert "不是能读取的 Excel 工作簿" in out["error"]
    locked = tmp_path / "加密.xlsx"
    locked.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + "EncryptionInfo".encode("utf-16-le") + bytes(600))
    r = cli(tmp_path, "import", "subsidy", str(locked))
    assert r.returncode == 1 and "设有打开密码" in r.stderr
    wb = openpyxl.Workbook()
    wb.active.append(["单位", "数量"])
    wb.save(tmp_path / "other.xlsx")
    out = cli_json(tmp_path, "import", "subsidy", str(tmp_path / "other.xlsx"), expect=1)
    assert "找不到表头" in out["error"] and "必须有：姓名、公民身份号码、乡镇（街道）" in out["error"]
    r = cli(tmp_path, "--json", "import", "cases", "x.xlsx")
    assert r.returncode == 1 and "找不到文件" in json.loads(r.stdout)["error"]


def test_own_death_date_column_is_read_and_checked(db, admin, tmp_path):
    """本人死亡日期: a death the village reported is kept (still 享受中 until the review); an impossible
    one is refused naming the column; a column headed just 死亡日期 is not taken for the person's own."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER + ["本人死亡日期"])
    ws.append(line(1, "刘长海", make_id("19500101", "513"), "1950-01-01", "梨树镇") + ["2024.8.9"])
    ws.append(line(2, "钱玉兰", make_id("19510101", "522"), "1951-01-01", "梨树镇") + ["1949-01-01"])
    path = tmp_path / "死亡.xlsx"
    wb.save(path)
    _table, result = run_import(db, admin, path)
    assert (result.imported, result.rejected) == (1, 1)
    assert result.rejects[0].number == 3 and "本人死亡日期：1949-01-01 早于出生日期 1951-01-01" in result.rejects[0].reason
    with db.session(admin) as s:
        kept = s.execute(select(Recipient.name, Recipient.death_date, Recipient.status)).one()
    assert tuple(kept) == ("刘长海", date(2024, 8, 9), "ACTIVE")
    assert roster_import.ROSTER.field("death_date").label == "本人死亡日期"
    assert "死亡日期" not in roster_import.ROSTER.field("death_date").synonyms


def test_spouse_numbers_are_checked_by_the_forms_rules(db, admin, tmp_path):
    """配偶身份号码 goes through the same check as the form: a number Excel turned into 2.2E+17 is named as
    such, a wrong check character too; a good one is kept (linked later when the spouse is registered)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER + ["配偶身份证号"])
    wife = make_id("19520202", "524")
    ws.append(line(1, "刘长海", make_id("19500101", "513"), "1950-01-01", "梨树镇") + [wife])
    ws.append(line(2, "钱玉兰", make_id("19510101", "522"), "1951-01-01", "梨树镇") + [2.20322195202025E+17])
    ws.append(line(3, "孙桂芝", make_id("19530101", "542"), "1953-01-01", "梨树镇") + [wife[:-1] + ("0" if wife[-1] != "0" else "1")])
    path = tmp_path / "配偶.xlsx"
    wb.save(path)
    _table, result = run_import(db, admin, path)
    assert (result.imported, result.rejected) == (1, 2)
    reasons = {r.number: r.reason for r in result.rejects}
    assert reasons[3].startswith("配偶身份号码：身份证号被 Excel 存成了数字（科学计数法）")
    assert reasons[4].startswith("配偶身份号码：身份证号校验位错误")
    with db.session(admin) as s:
        assert s.execute(select(Recipient.spouse_id_number)).scalar_one() == wife
