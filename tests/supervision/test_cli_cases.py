"""`cases overdue [--as-of YYYY-MM-DD] [--json]` run as county IT staff would: a subprocess, one JSON
object, exit 0; a wrong date is a usage error (exit 2) said in Chinese. Both database backends."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from core.supervision import case_stages as st
from tests.supervision.factory import new_case, run

ROOT = Path(__file__).resolve().parents[2]


def cli(tmp_path, *args):
    env = {**os.environ, "WEIJIAN_DATA_DIR": str(tmp_path / "data"), "QT_QPA_PLATFORM": "offscreen"}
    env.pop("WEIJIAN_DB", None)
    r = subprocess.run([sys.executable, str(ROOT / "main.py"), *args], cwd=tmp_path, capture_output=True, text=True,
                       env=env, timeout=120)
    assert "Traceback" not in r.stderr + r.stdout, r.stderr
    return r


def test_cases_overdue_json(tmp_path, db, db_url, admin):
    late = new_case(db, admin, filed_on=date(2025, 1, 2))                    # decision due 2025-04-02
    run(db, admin, late, ("INVESTIGATED", date(2025, 3, 1)))
    served = new_case(db, admin, party_name="梨树县明珠浴池", category="PUBLIC_PLACE", filed_on=date(2025, 1, 6))
    run(db, admin, served, ("INVESTIGATED", date(2025, 1, 20)), ("NOTICE", date(2025, 1, 22)),
        ("DECISION", date(2025, 2, 10)), ("SERVED", date(2025, 2, 12)))
    with db.session(admin) as s:
        st.record_report(s, admin, served, 1, date(2025, 2, 14))
    db.dispose()

    r = cli(tmp_path, "--db", db_url, "cases", "overdue", "--as-of", "2025-04-03", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["ok"] is True and out["as_of"] == "2025-04-03" and out["count"] == 2
    assert out["cases"] == [
        {"number": "梨卫公罚〔2025〕1号", "cause": "未取得《医疗机构执业许可证》擅自执业", "party": "梨树县明珠浴池",
         "deadline": "当事人缴纳罚款", "due": "2025-02-27", "days_overdue": 35},
        {"number": "梨卫医罚〔2025〕1号", "cause": "未取得《医疗机构执业许可证》擅自执业", "party": "梨树县康宁诊所",
         "deadline": "作出处理决定", "due": "2025-04-02", "days_overdue": 1},
    ]
    assert json.loads(cli(tmp_path, "--db", db_url, "cases", "overdue", "--as-of", "2025-02-27", "--json").stdout)["count"] == 0

    human = cli(tmp_path, "--db", db_url, "cases", "overdue", "--as-of", "2025-04-03")
    assert human.returncode == 0 and "超过法定期限的案件 2 件" in human.stdout and "已逾期 35 天" in human.stdout


def test_a_wrong_date_is_a_usage_error(tmp_path, db, db_url):
    db.dispose()
    for bad in ("2025-02-30", "20250403", "明天"):
        r = cli(tmp_path, "--db", db_url, "cases", "overdue", "--as-of", bad, "--json")
        assert r.returncode == 2
        out = json.loads(r.stdout)
        assert out["ok"] is False and "YYYY-MM-DD" in out["error"] and bad in out["error"]
    r = cli(tmp_path, "--db", db_url, "cases", "overdue", "--as-of", "2025-13-01")
    assert r.returncode == 2 and "日期“2025-13-01”不对" in r.stderr
    r = cli(tmp_path, "--db", db_url, "cases")
    assert r.returncode == 2 and "用法错误" in r.stderr
