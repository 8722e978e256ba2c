"""The command-line contract (DESIGN.md): headless, --json one object, exit 0/1/2, Chinese messages,
no traceback. Runs main.py in a subprocess as county IT staff would."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run(tmp_path, *args, stdin: str | None = None):
    env = {**os.environ, "WEIJIAN_DATA_DIR": str(tmp_path / "data"), "QT_QPA_PLATFORM": "offscreen"}
    env.pop("WEIJIAN_DB", None)
    r = subprocess.run([sys.executable, str(ROOT / "main.py"), *args], cwd=tmp_path, capture_output=True,
                       text=True, env=env, input=stdin, timeout=120)
    assert "Traceback" not in r.stderr and "Traceback" not in r.stdout, r.stderr
    return r


def run_json(tmp_path, *args, expect: int = 0, stdin: str | None = None) -> dict:
    r = run(tmp_path, *args, "--json", stdin=stdin)
    assert r.returncode == expect, (r.stdout, r.stderr)
    return json.loads(r.stdout)


@pytest.fixture
def dbfile(tmp_path, db_url):
    return db_url


def test_init_check_and_default_location(tmp_path):
    out = run_json(tmp_path, "init", "--county-code", "220322", "--county-name", "梨树县")
    assert out["ok"] and out["county_name"] == "梨树县" and out["townships_added"] == 24
    assert (tmp_path / "data" / "weijian.sqlite").exists()   # the user's data folder by default
    again = run_json(tmp_path, "init", "--county-code", "220322")
    assert again["created"] is False and again["townships_added"] == 0
    chk = run_json(tmp_path, "check")
    assert chk["ok"] and chk["counts"]["org_unit"] == 25 and chk["county"]["code"] == "220322"


def test_init_on_both_backends(tmp_path, dbfile):
    out = run_json(tmp_path, "--db", dbfile, "init", "--county-code", "220322", "--township-code", "220322100")
    assert out["township_code"] == "220322100"
    assert run_json(tmp_path, "--db", dbfile, "check")["township_code"] == "220322100"


@pytest.mark.parametrize("code,exit_code,words", [("12345", 2, "6 位数字"), ("990101", 2, "不是任何省份"),
                                                  ("220300", 2, "省或市")])
def test_wrong_county_code(tmp_path, code, exit_code, words):
    r = run(tmp_path, "init", "--county-code", code)
    assert r.returncode == exit_code and words in r.stderr
    out = run_json(tmp_path, "init", "--county-code", code, expect=exit_code)
    assert out["ok"] is False and words in out["error"]


def test_wrong_usage_is_exit_2_in_chinese(tmp_path):
    r = run(tmp_path, "export")
    assert r.returncode == 2 and "用法错误" in r.stderr
    r = run(tmp_path, "no-such-command")
    assert r.returncode == 2


def test_damaged_database_is_a_message_not_a_traceback(tmp_path):
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"\x00garbage" * 500)
    r = run(tmp_path, "--db", str(bad), "check")
    assert r.returncode == 1 and "损坏" in r.stderr
    out = run_json(tmp_path, "--db", str(bad), "check", expect=1)
    assert "损坏" in out["error"]


def test_orgunits_import_csv_and_refusal(tmp_path, dbfile):
    run_json(tmp_path, "--db", dbfile, "init", "--county-code", "220322")
    good = tmp_path / "v.csv"
    good.write_text("code,name,parent_code\n220322100201,东村,220322100\n220322100202,西村,220322100\n", encoding="utf-8")
    out = run_json(tmp_path, "--db", dbfile, "orgunits", "import", str(good))
    assert (out["read"], out["added"]) == (2, 2)
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name,parent_code\n220322100203,南村,220322100\n220322999201,孤村,220322999\n"
                   "220322100203,南村2,220322100\n", encoding="utf-8")
    out = run_json(tmp_path, "--db", dbfile, "orgunits", "import", str(bad), expect=1)
    assert "未导入任何单位" in out["error"] and len(out["details"]) == 2
    assert any("第 3 行" in d for d in out["details"]) and any("重复" in d for d in out["details"])
    units = run_json(tmp_path, "--db", dbfile, "orgunits", "list")["units"]
    assert "220322100203" not in {u["code"] for u in units} and len(units) == 27


def test_export_org_list_in_every_format(tmp_path, dbfile):
    run_json(tmp_path, "--db", dbfile, "init", "--county-code", "220322")
    for fmt in ("xlsx", "pdf", "csv", "json"):
        out = run_json(tmp_path, "--db", dbfile, "export", "ORG-LIST", "--format", fmt, "--out", str(tmp_path / f"o.{fmt}"))
        assert out["rows"] == 25 and (tmp_path / f"o.{fmt}").stat().st_size > 100
    data = json.loads((tmp_path / "o.json").read_text(encoding="utf-8"))
    assert data["id"] == "ORG-LIST" and data["title"] == "组织机构目录"
    assert data["columns"][:3] == ["序号", "代码", "名称"] and data["rows"][0][1:3] == ["220322", "梨树县"]
    from python_calamine import CalamineWorkbook
    sheet = CalamineWorkbook.from_path(str(tmp_path / "o.xlsx")).get_sheet_by_index(0).to_python()
    flat = [str(c) for row in sheet for c in row]
    assert any("组织机构目录" in c for c in flat) and "梨树镇" in flat
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "o.pdf"), "-"], capture_output=True, text=True).stdout
    assert "组织机构目录" in text and "梨树镇" in text and "第 1 页 共 1 页" in text
    csv_text = (tmp_path / "o.csv").read_text(encoding="utf-8-sig")
    assert csv_text.splitlines()[0].startswith("序号,代码,名称")
    # JSON straight to stdout
    r = run(tmp_path, "--db", dbfile, "export", "ORG-LIST", "--format", "json")
    assert r.returncode == 0 and json.loads(r.stdout)["rows"][0][2] == "梨树县"


def test_export_unknown_or_not_yet_available_return(tmp_path):
    run_json(tmp_path, "init", "--county-code", "220322")
    out = run_json(tmp_path, "export", "NOPE", "--format", "pdf", "--out", str(tmp_path / "x.pdf"), expect=2)
    assert "没有报表" in out["error"]
    out = run_json(tmp_path, "package", "export", "--out", str(tmp_path / "x.pkg"), expect=2)
    assert "尚未启用" in out["error"] and not (tmp_path / "x.pkg").exists()


def test_backup_and_restore(tmp_path, dbfile):
    run_json(tmp_path, "--db", dbfile, "init", "--county-code", "220322")
    out = run_json(tmp_path, "--db", dbfile, "backup", "--out", str(tmp_path / "b.wjbak"))
    assert out["tables"]["org_unit"] == 25
    csv = tmp_path / "v.csv"
    csv.write_text("code,name\n220322100201,东村\n", encoding="utf-8")
    run_json(tmp_path, "--db", dbfile, "orgunits", "import", str(csv))
    r = run_json(tmp_path, "--db", dbfile, "restore", str(tmp_path / "b.wjbak"))
    assert r["safety_backup"]
    assert len(run_json(tmp_path, "--db", dbfile, "orgunits", "list")["units"]) == 25
    assert run_json(tmp_path, "--db", dbfile, "check")["ok"]
    out = run_json(tmp_path, "--db", dbfile, "restore", str(csv), expect=1)
    assert "不是卫健台账的备份文件" in out["error"]


def test_demo_and_users(tmp_path):
    from core.demo import DEMO_RECIPIENTS
    out = run_json(tmp_path, "demo", "--seed", "3")          # as many recipients as the program's own demo
    assert out["county_code"] == "990101" and out["townships"] == 8 and out["villages"] >= 24
    assert out["recipients"] == DEMO_RECIPIENTS == 300
    roster = run_json(tmp_path, "export", "FP-ROSTER", "--period", str(__import__("datetime").date.today().year),
                      "--program", "RURAL_REWARD", "--format", "json", "--out", str(tmp_path / "r.json"))
    assert roster["rows"] > 0
    assert out["users"] == ["admin", "shenhe", "luru"]
    names = {u["username"]: u for u in run_json(tmp_path, "users", "list")["users"]}
    assert names["luru"]["role"] == "CLERK"
    out = run_json(tmp_path, "users", "add", "--username", "zhou", "--role", "SUPERVISOR", stdin="zhou12345\n")
    assert out["username"] == "zhou"
    out = run_json(tmp_path, "users", "add", "--username", "wu", "--role", "CLERK", stdin="123\n", expect=1)
    assert "密码至少" in out["error"]


def test_demo_with_no_recipients_and_the_default_in_its_help(tmp_path, capsys):
    from core.cli import build_parser, main
    from core.database import Database
    assert main(["--db", str(tmp_path / "none.sqlite"), "--json", "demo", "--recipients", "0"]) == 0
    assert json.loads(capsys.readouterr().out)["recipients"] == 0
    db = Database.connect(tmp_path / "none.sqlite")
    with db.session() as s:
        assert s.execute(__import__("sqlalchemy").text("SELECT count(*) FROM subsidy_recipient")).scalar_one() == 0
    db.dispose()
    demo = build_parser()._subparsers._group_actions[0].choices["demo"]
    assert "生成的扶助对象人数（默认与图形界面的演示数据相同，300 人；0 表示不生成）" in " ".join(demo.format_help().split())


def test_cli_changes_are_audited_under_the_os_user(tmp_path):
    import getpass
    run_json(tmp_path, "init", "--county-code", "220322")
    from core.database import Database
    db = Database.connect(tmp_path / "data" / "weijian.sqlite")
    with db.session() as s:
        actors = {r[0] for r in s.execute(__import__("sqlalchemy").text("SELECT DISTINCT actor FROM audit_log"))}
    assert actors == {f"cli:{getpass.getuser()}"}
