"""DHIS2 dataValueSet files (DESIGN.md contract): the exact CSV header and JSON keys, an export →
import round trip into a fresh database, rejected rows reported by line with the reason while the
good rows are imported in one transaction, nothing half-written on a crash, and the CLI."""
from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from core.access import Actor, Role
from core.errors import DataError, UsageError
from core.mch import dhis2, values, workflow
from db.models.mch import DataValue

ROOT = Path(__file__).resolve().parents[2]
T1, T2 = "220322100", "220322101"
HEADER = "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,storedby,lastupdated,comment,followup"


@pytest.fixture
def fresh_db(db_url, tmp_path, admin):
    """A second, empty 梨树县 database on the same backend as ``db``."""
    from core.database import Database
    from core.installation import initialise
    if db_url.startswith("postgresql"):
        base = os.environ["TEST_DATABASE_URL"]
        schema = f"t_{uuid.uuid4().hex[:12]}"
        engine = create_engine(base, isolation_level="AUTOCOMMIT")
        with engine.connect() as c:
            c.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"
    else:
        url, engine, schema = str(tmp_path / "fresh.sqlite"), None, None
    second = Database.connect(url, create=True)
    initialise(second, admin, "220322", "梨树县")
    yield second
    second.dispose()
    if engine is not None:
        with engine.connect() as c:
            c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


def fill(db, actor):
    """Two townships, two months: split and unsplit elements, -2, a comment, a follow-up flag."""
    with db.session(actor) as s:
        for town, period, births in ((T1, "202601", (50, 48)), (T1, "202602", (41, 39)), (T2, "202601", (20, 22))):
            values.save_value(s, actor, town, period, "MCH_LIVE_BIRTHS", "MALE", births[0])
            values.save_value(s, actor, town, period, "MCH_LIVE_BIRTHS", "FEMALE", births[1])
            values.save_value(s, actor, town, period, "MCH_HOSPITAL_DELIVERIES", "", sum(births) - 1)
        values.save_value(s, actor, T1, "202601", "MCH_CERVICAL_SCREENED", "", "-2", comment="本院未开展宫颈癌筛查")
        values.save_value(s, actor, T1, "202601", "MCH_MATERNAL_DEATHS", "", 1, comment="产后出血，已逐级上报")
        values.save_value(s, actor, T2, "202601", "MCH_DELIVERIES", "", None, comment="产妇数待核实")  # comment only
        row = values.save_value(s, actor, T1, "202602", "MCH_DELIVERIES", "", 80)
        row.followup = True


def stored(db) -> dict:
    with db.session() as s:
        return {(v.township_code, v.period, v.element_code, v.option_code): (v.value, v.not_applicable, v.comment, v.followup)
                for v in s.execute(select(DataValue)).scalars()}


def export(db, actor, path, period="2026Q1", org=None):
    with db.session(actor) as s:
        return dhis2.export_values(s, actor, period, path, org)


def import_(db, actor, path):
    with db.session(actor) as s:
        return dhis2.import_values(s, actor, path)


@pytest.mark.parametrize("suffix", ["csv", "json"])
def test_round_trip_into_a_fresh_database(db, fresh_db, admin, tmp_path, suffix):
    fill(db, admin)
    path = tmp_path / f"values.{suffix}"
    r = export(db, admin, path)
    assert r.values == 13 and path.exists()
    result = import_(fresh_db, admin, path)
    assert (result.read, result.imported, result.unchanged, result.rejected) == (13, 13, 0, 0)
    assert stored(fresh_db) == stored(db)
    again = import_(db, admin, path)            # the export back into its own database: nothing changes
    assert (again.imported, again.unchanged, again.rejected) == (0, 13, 0)
    # exporting the imported data gives the same values
    path2 = tmp_path / f"again.{suffix}"
    export(fresh_db, admin, path2)
    assert _values_only(path2) == _values_only(path)


def _values_only(path: Path) -> list[tuple]:
    if path.suffix == ".csv":
        rows = list(csv.DictReader(path.open(encoding="utf-8")))
    else:
        rows = [{k.lower(): ("true" if v is True else "false" if v is False else v) for k, v in e.items()}
                for e in json.loads(path.read_text(encoding="utf-8"))["dataValues"]]
    return [(r["dataelement"], r["period"], r["orgunit"], r["categoryoptioncombo"], r["value"], r["comment"],
             r["followup"]) for r in rows]


def test_csv_layout_is_dhis2s(db, admin, tmp_path):
    fill(db, admin)
    path = tmp_path / "v.csv"
    export(db, admin, path, period="202601", org=T1)
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")                 # no BOM: DHIS2 reads the header as is
    lines = raw.decode("utf-8").splitlines()
    assert lines[0] == HEADER
    rows = list(csv.DictReader(lines))
    assert {r["orgunit"] for r in rows} == {T1} and {r["period"] for r in rows} == {"202601"}
    male = next(r for r in rows if r["categoryoptioncombo"] == "MALE")
    assert (male["dataelement"], male["value"], male["attributeoptioncombo"]) == ("MCH_LIVE_BIRTHS", "50", "")
    assert male["storedby"] == "admin" and male["lastupdated"].endswith("Z") and male["followup"] == "false"
    cervical = next(r for r in rows if r["dataelement"] == "MCH_CERVICAL_SCREENED")
    assert (cervical["value"], cervical["comment"], cervical["categoryoptioncombo"]) == ("-2", "本院未开展宫颈癌筛查", "")


def test_json_layout_is_dhis2s(db, admin, tmp_path):
    fill(db, admin)
    path = tmp_path / "v.json"
    export(db, admin, path, period="202602")
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert list(doc) == ["dataValues"] and len(doc["dataValues"]) == 4
    first = doc["dataValues"][0]
    assert list(first) == ["dataElement", "period", "orgUnit", "categoryOptionCombo", "attributeOptionCombo", "value",
                           "storedBy", "lastUpdated", "comment", "followup"]
    followed = next(e for e in doc["dataValues"] if e["dataElement"] == "MCH_DELIVERIES")
    assert followed["followup"] is True and followed["value"] == "80"


BAD_CSV = f"""\
dataelement,period,orgunit,categoryoptioncombo,value,comment
MCH_DELIVERIES,202601,{T1},,30,
MCH_NOT_AN_ELEMENT,202601,{T1},,3,
MCH_DELIVERIES,2026Q1,{T1},,3,
MCH_DELIVERIES,202601,220322999,,3,
MCH_DELIVERIES,202601,220322100201,,3,
MCH_DELIVERIES,202601,220321100,,3,
MCH_DELIVERIES,202602,{T1},,-5,
MCH_DELIVERIES,202603,{T1},,2.5,
MCH_LIVE_BIRTHS,202601,{T1},BOTH,3,
MCH_LIVE_BIRTHS,202601,{T1},,3,
MCH_DELIVERIES,202601,{T2},,12,
MCH_LIVE_BIRTHS,202601,{T1},男,31,"多行
说明"
MCH_DELIVERIES,202601,{T1},,31,
MCH_LIVE_BIRTHS,202601,{T1},FEMALE,29,
"""
EXPECTED_REJECTS = [
    (3, "没有数据项“MCH_NOT_AN_ELEMENT”"),
    (4, "期间“2026Q1”不是月份"),
    (5, "本县没有代码为 220322999 的乡镇"),
    (6, "不是乡镇（街道）代码"),
    (7, "不是本县（220322）的乡镇"),
    (8, "不能是负数"),
    (9, "不是整数"),
    (10, "没有分类“BOTH”"),
    (11, "要分男、女填报"),
    (12, "月报已上报，等待审核，不能导入"),
    (15, "与第 2 行是同一个数值"),
]


def test_bad_rows_are_rejected_by_line_and_good_rows_imported(db, admin, clerk, tmp_path):
    with db.session(clerk) as s:                 # T2 January is submitted: locked
        workflow.submit(s, clerk, T2, "202601")
    path = tmp_path / "bad.csv"
    path.write_text(BAD_CSV, encoding="utf-8")
    r = import_(db, admin, path)
    got = [(x.line, x.reason) for x in r.rejects]
    assert [line for line, _ in got] == [line for line, _ in EXPECTED_REJECTS], got
    for (line, reason), (_, words) in zip(got, EXPECTED_REJECTS):
        assert words in reason, (line, reason)
    assert (r.read, r.imported, r.rejected) == (14, 3, 11)      # 14 records: one spans lines 13–14
    v = stored(db)
    assert v[(T1, "202601", "MCH_DELIVERIES", "")][0] == 30
    assert v[(T1, "202601", "MCH_LIVE_BIRTHS", "MALE")] == (31, False, "多行\n说明", False)
    assert v[(T1, "202601", "MCH_LIVE_BIRTHS", "FEMALE")][0] == 29
    assert (T2, "202601", "MCH_DELIVERIES", "") not in v
    assert r.counts()["rejects"][0] == {"line": 3, "reason": got[0][1]}


def test_a_crash_half_way_leaves_nothing_written(db, admin, tmp_path, monkeypatch):
    fill(db, admin)
    before = stored(db)
    path = tmp_path / "v.csv"
    path.write_text(HEADER + "\n" + "\n".join(
        f"MCH_EARLY_REGISTERED,2026{m:02d},{T1},,,{m},,,," for m in range(1, 10)) + "\n", encoding="utf-8")
    made = []
    real = dhis2._new_row

    def failing_row(g):
        made.append(g)
        if len(made) == 5:
            raise OSError("disk full")
        return real(g)

    monkeypatch.setattr(dhis2, "_new_row", failing_row)
    monkeypatch.setattr(dhis2, "FLUSH_EVERY", 2)      # rows 1–4 reach the database before the crash
    with pytest.raises(OSError):
        import_(db, admin, path)
    assert len(made) == 5 and stored(db) == before


def test_scope_and_permissions(db, admin, tmp_path):
    path = tmp_path / "v.csv"
    path.write_text(HEADER + f"\nMCH_DELIVERIES,202601,{T1},,,5,,,,\nMCH_DELIVERIES,202601,{T2},,,6,,,,\n", encoding="utf-8")
    limited = Actor("town1", "梨树镇录入员", Role.CLERK, frozenset({T1}))
    r = import_(db, limited, path)
    assert r.imported == 1 and r.rejects[0].line == 3 and "无权处理乡镇（街道）220322101" in r.rejects[0].reason
    with pytest.raises(UsageError):
        export(db, limited, tmp_path / "x.txt")
    with pytest.raises(Exception, match="无权处理"):
        export(db, limited, tmp_path / "x.csv", org=T2)
    r = export(db, limited, tmp_path / "mine.csv")             # the whole county → only what the clerk may see
    assert r.values == 1


def test_gbk_csv_with_dhis2_camelcase_header(db, admin, tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes((f"dataElement,period,orgUnit,categoryOptionCombo,value,comment,followup\n"
                      f"MCH_LIVE_BIRTHS,202601,{T1},FEMALE,12,女婴含双胎,TRUE\n").encode("gbk"))
    r = import_(db, admin, path)
    assert r.imported == 1
    assert stored(db)[(T1, "202601", "MCH_LIVE_BIRTHS", "FEMALE")] == (12, False, "女婴含双胎", True)


def test_unreadable_files_are_refused_whole(db, admin, tmp_path):
    (tmp_path / "a.csv").write_text("element,month,value\nX,202601,1\n", encoding="utf-8")
    with pytest.raises(DataError, match="缺少必需的列：dataelement、period、orgunit"):
        import_(db, admin, tmp_path / "a.csv")
    (tmp_path / "b.json").write_text('{"values": []}', encoding="utf-8")
    with pytest.raises(DataError, match="dataValues"):
        import_(db, admin, tmp_path / "b.json")
    (tmp_path / "c.json").write_text('{"dataValues": [', encoding="utf-8")
    with pytest.raises(DataError, match="JSON 文件第 1 行"):
        import_(db, admin, tmp_path / "c.json")
    with db.session() as s:
        assert s.execute(select(func.count()).select_from(DataValue)).scalar_one() == 0


# -- the command line -------------------------------------------------------------------------

def run(tmp_path, *args):
    env = {**os.environ, "WEIJIAN_DATA_DIR": str(tmp_path / "data"), "QT_QPA_PLATFORM": "offscreen"}
    r = subprocess.run([sys.executable, str(ROOT / "main.py"), *args], cwd=tmp_path, capture_output=True, text=True,
                       env=env, timeout=120)
    assert "Traceback" not in r.stderr + r.stdout, r.stderr
    return r


def test_cli_export_and_import(db, db_url, admin, tmp_path):
    fill(db, admin)
    out = tmp_path / "v.json"
    r = run(tmp_path, "--db", db_url, "datavalues", "export", "--period", "202601", "--org", "220322", "--out",
            str(out), "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == {"ok": True, "out": str(out), "period": "202601", "org": "220322", "values": 9}
    r = run(tmp_path, "--db", db_url, "datavalues", "import", str(out), "--json")
    assert r.returncode == 0 and json.loads(r.stdout) == {"ok": True, "read": 9, "imported": 0, "unchanged": 9,
                                                          "rejected": 0, "rejects": []}
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + f"\nMCH_DELIVERIES,202603,{T1},,,7,,,,\nMCH_NOPE,202603,{T1},,,7,,,,\n", encoding="utf-8")
    r = run(tmp_path, "--db", db_url, "datavalues", "import", str(bad), "--json")
    assert r.returncode == 1
    doc = json.loads(r.stdout)
    assert doc["ok"] is False and (doc["read"], doc["imported"], doc["unchanged"], doc["rejected"]) == (2, 1, 0, 1)
    assert doc["rejects"] == [{"line": 3, "reason": "没有数据项“MCH_NOPE”（应为 DOMAIN 中的代码，如 MCH_LIVE_BIRTHS）"}]
    r = run(tmp_path, "--db", db_url, "datavalues", "import", str(bad))
    assert r.returncode == 1 and "第 3 行：没有数据项“MCH_NOPE”" in r.stderr
    r = run(tmp_path, "--db", db_url, "datavalues", "export", "--period", "202601", "--out", str(tmp_path / "v.txt"))
    assert r.returncode == 2 and ".csv 或 .json" in r.stderr


def test_a_missing_comment_column_keeps_the_stored_comment(db, admin, tmp_path):
    fill(db, admin)
    path = tmp_path / "v.json"
    entry = {"dataElement": "MCH_MATERNAL_DEATHS", "period": "202601", "orgUnit": T1, "value": 1}
    path.write_text(json.dumps({"dataValues": [entry]}), encoding="utf-8")
    assert import_(db, admin, path).unchanged == 1
    path.write_text(json.dumps({"dataValues": [{**entry, "value": 2}, {**entry, "period": "202602", "comment": ""}]}),
                    encoding="utf-8")
    r = import_(db, admin, path)
    assert (r.imported, r.rejected) == (2, 0)
    v = stored(db)
    assert v[(T1, "202601", "MCH_MATERNAL_DEATHS", "")] == (2, False, "产后出血，已逐级上报", False)
    assert v[(T1, "202602", "MCH_MATERNAL_DEATHS", "")] == (1, False, "", False)
