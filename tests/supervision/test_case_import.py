"""`import cases FILE.xlsx`: an old case ledger (title row, header on row 3 written with other names) —
good lines saved as the form saves them (stage events, numbering), facts the ledger lacks 待补充,
contradictions refused with 原因 in the rejects workbook; a second import adds nothing; a dry run
changes nothing; the CLI answers in JSON with exit 1 when lines were refused."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from core.imports import default_rejects_path
from core.supervision.case_import import import_cases, open_cases
from db.models.supervision import Case, CaseStageEvent
from tests.supervision.factory import CLINIC_CODE, Y_CODE

ROOT = Path(__file__).resolve().parents[2]
BAD_CHECK = CLINIC_CODE[:17] + ("0" if CLINIC_CODE[17] != "0" else "1")
HEADER = ["序号", "文号", "案由", "类别", "来源", "当事人名称", "信用代码", "地址", "负责人", "承办人", "执法证号",
          "立案日期", "决定日期", "送达日期", "结案日期", "处罚种类", "罚款（元）", "备注"]
ROWS = [
    # 1 good: full history
    [1, "梨卫医罚〔2024〕1号", "未取得医疗机构执业许可证擅自执业", "医疗卫生", "日常监督检查", "梨树县康宁诊所", CLINIC_CODE,
     "梨树镇中心街8号", "王建国", "张伟、李娜", "22030001、22030002", date(2024, 3, 1), date(2024, 4, 10),
     "2024-04-12", "2024年5月20日", "警告、罚款", 3000, ""],
    # 2 good: filed only, code beginning with Y
    [2, "梨卫公罚〔2024〕2号", "未取得卫生许可证经营", "公共场所卫生", "投诉举报", "梨树县明珠浴池有限公司", Y_CODE,
     "梨树镇解放街1号", "刘明", "张伟,李娜", "22030001,22030002", "2024.06.03", None, None, None, None, None, ""],
    # 3 no credit code, no certificate numbers → 待补充
    [3, "梨卫医罚〔2024〕3号", "医师超范围执业", "医疗卫生", "日常监督检查", "梨树县仁和门诊部", None, "榆树台镇",
     "赵强", "王强、陈静", None, date(2024, 7, 1), date(2024, 8, 1), None, None, "罚款", "5,000元", ""],
    # 4 wrong check character
    [4, "梨卫医罚〔2024〕4号", "使用非卫生技术人员", "医疗卫生", "日常监督检查", "梨树县益康诊所", BAD_CHECK, "梨树镇",
     "孙丽", "张伟、李娜", "22030001、22030002", date(2024, 7, 2), None, None, None, None, None, ""],
    # 5 决定 before 立案
    [5, "梨卫医罚〔2024〕5号", "未按规定处置医疗废物", "医疗卫生", "日常监督检查", "梨树县安康诊所", None, "梨树镇",
     "周平", "张伟、李娜", "22030001、22030002", date(2024, 9, 10), date(2024, 9, 1), None, None, "警告", None, ""],
    # 6 unknown category
    [6, "梨卫X罚〔2024〕6号", "无证销售", "食品安全", "日常监督检查", "梨树县小卖店", None, "梨树镇", "吴刚",
     "张伟、李娜", "22030001、22030002", date(2024, 10, 1), None, None, None, None, None, ""],
]


def ledger(path: Path, rows=ROWS) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.append(["梨树县卫生健康局行政处罚案件台账（2024年）"])
    ws.append(["填报单位：梨树县卫生监督所"])
    ws.append(HEADER)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def run_import(db, admin, path, dry_run=False):
    table = open_cases(path)
    with db.session(admin) as s:
        r = import_cases(s, admin, table, dry_run=dry_run)
        if r.rejected:
            r.write_rejects(default_rejects_path(path))
    return r


def counts(db):
    with db.session() as s:
        return (s.scalar(select(func.count()).select_from(Case)),
                s.scalar(select(func.count()).select_from(CaseStageEvent)))


def test_import_counts_rejects_and_history(tmp_path, db, admin):
    path = ledger(tmp_path / "台账.xlsx")
    r = run_import(db, admin, path)
    assert (r.read, r.imported, r.unchanged, r.rejected, r.incomplete) == (6, 3, 0, 3, 1)
    assert r.header_row == 3

    wb = load_workbook(default_rejects_path(path))
    ws = wb.active
    head = [c.value for c in ws[1]]
    lines = {row[head.index("原行号")]: row[head.index("原因")] for row in ws.iter_rows(min_row=2, values_only=True)}
    assert set(lines) == {7, 8, 9}
    assert "统一社会信用代码校验位错误" in lines[7]
    assert "决定" in lines[8] and "早于" in lines[8] and "立案" in lines[8]
    assert "专业类别" in lines[9] and "食品安全" in lines[9]

    with db.session() as s:
        first = s.scalars(select(Case).where(Case.number == "梨卫医罚〔2024〕1号")).one()
        assert first.stage == "CLOSED" and first.category == "MEDICAL" and first.outcome == "PENALTY"
        assert [e.stage for e in first.events] == ["FILED", "DECISION", "SERVED", "CLOSED"]
        assert first.decided_on == date(2024, 4, 10) and first.closed_on == date(2024, 5, 20)
        assert sorted((p.kind, p.amount) for p in first.penalties)[0][0] == "FINE"
        third = s.scalars(select(Case).where(Case.number == "梨卫医罚〔2024〕3号")).one()
        assert "统一社会信用代码" in third.incomplete and "执法证号" in third.incomplete
        assert [o.name for o in third.officers] == ["王强", "陈静"]
        second = s.scalars(select(Case).where(Case.number == "梨卫公罚〔2024〕2号")).one()
        assert second.stage == "FILED" and second.party_code == Y_CODE


def test_reimport_is_unchanged(tmp_path, db, admin):
    path = ledger(tmp_path / "台账.xlsx")
    run_import(db, admin, path)
    before = counts(db)
    r = run_import(db, admin, path)
    assert (r.imported, r.unchanged, r.rejected) == (0, 3, 3)
    assert counts(db) == before


def test_same_number_twice_in_file(tmp_path, db, admin):
    path = ledger(tmp_path / "台账.xlsx", [ROWS[0], [7, *ROWS[0][1:]]])
    r = run_import(db, admin, path)
    assert (r.imported, r.rejected) == (1, 1)
    assert "重复" in r.rejects[0].reason


def test_fine_not_a_number(tmp_path, db, admin):
    row = list(ROWS[2])
    row[16] = "三千"
    r = run_import(db, admin, ledger(tmp_path / "台账.xlsx", [row]))
    assert r.rejected == 1 and "不是金额" in r.rejects[0].reason


def test_dry_run_changes_nothing(tmp_path, db, admin):
    path = ledger(tmp_path / "台账.xlsx")
    before = counts(db)
    r = run_import(db, admin, path, dry_run=True)
    assert (r.imported, r.rejected, r.incomplete, r.dry_run) == (3, 3, 1, True)
    assert counts(db) == before
    assert default_rejects_path(path).exists()


def cli(tmp_path, *args):
    env = {**os.environ, "WEIJIAN_DATA_DIR": str(tmp_path / "data"), "QT_QPA_PLATFORM": "offscreen"}
    env.pop("WEIJIAN_DB", None)
    r = subprocess.run([sys.executable, str(ROOT / "main.py"), *args], cwd=tmp_path, capture_output=True, text=True,
                       env=env, timeout=120)
    assert "Traceback" not in r.stderr + r.stdout, r.stderr
    return r


def test_cli_import_cases(tmp_path):
    dbfile = str(tmp_path / "cli.sqlite")
    assert cli(tmp_path, "--db", dbfile, "init", "--county-code", "220322").returncode == 0
    path = ledger(tmp_path / "台账.xlsx")
    r = cli(tmp_path, "--db", dbfile, "import", "cases", str(path), "--json", "--dry-run")
    out = json.loads(r.stdout)
    assert r.returncode == 1 and out["dry_run"] is True and out["imported"] == 3
    r = cli(tmp_path, "--db", dbfile, "import", "cases", str(path), "--json",
            "--rejects", str(tmp_path / "out.xlsx"))
    out = json.loads(r.stdout)
    assert r.returncode == 1, r.stdout + r.stderr
    assert (out["ok"], out["read"], out["imported"], out["unchanged"], out["rejected"], out["incomplete"]) == \
        (False, 6, 3, 0, 3, 1)
    assert out["rejects_file"] == str(tmp_path / "out.xlsx") and out["dry_run"] is False
    good = ledger(tmp_path / "好.xlsx", ROWS[:2])
    r = cli(tmp_path, "--db", dbfile, "import", "cases", str(good), "--json")
    out = json.loads(r.stdout)
    assert r.returncode == 0 and out["ok"] is True and out["unchanged"] == 2 and out["rejects_file"] is None
