"""SUP-* returns, exported and read back: the statistics' totals equal the register (JSON), the blocks by
专业类别 and by 案件来源 add up to 总计, two-level headings in xlsx, completion and satisfaction rates
rounded half up, the 逾期 mark."""
from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from core.returns.catalogue import CATALOGUE, build_return
from core.returns.render import render
from core.returns.sup_returns import stats_columns
from core.supervision import complaints as cp
from core.supervision import random_tasks as rt
from core.supervision import cases as cs
from core.supervision.codes import CATEGORIES, PENALTY_KINDS, SOURCES
from tests.supervision.factory import CLINIC_CODE, new_case, run

FULL = [("INVESTIGATED", date(2025, 2, 10)), ("NOTICE", date(2025, 2, 12)), ("DECISION", date(2025, 2, 24)),
        ("SERVED", date(2025, 2, 25)), ("EXECUTION", date(2025, 3, 5)), ("CLOSED", date(2025, 3, 7))]


@pytest.fixture
def county(db, admin):
    """2025: six cases of three categories and four sources (closed, decided, no penalty, still open,
    one overdue); 2024 and a lead not filed stay out."""
    P = cs.PenaltyInput
    a = new_case(db, admin, filed_on=date(2025, 1, 6), penalties=[P("FINE", "3000"), P("CONFISCATE_GAINS", "1250.50")])
    run(db, admin, a, *FULL)
    b = new_case(db, admin, party_name="梨树县明珠浴池", category="PUBLIC_PLACE", source="RANDOM", filed_on=date(2025, 1, 8),
                 penalties=[P("WARNING"), P("FINE", "2000")])
    run(db, admin, b, *FULL[:4])
    c = new_case(db, admin, party_name="梨树县自来水公司", category="DRINKING_WATER", source="COMPLAINT",
                 filed_on=date(2025, 1, 10), penalties=[P("FINE", "10000"), P("SUSPEND"), P("CONFISCATE_PROPERTY", "800")])
    run(db, admin, c, *FULL)
    d = new_case(db, admin, party_name="梨树县仁和诊所", filed_on=date(2025, 2, 3), penalties=[P("FINE", "5000")])
    run(db, admin, d, ("INVESTIGATED", date(2025, 2, 10)), ("NO_PENALTY", date(2025, 2, 20)), ("CLOSED", date(2025, 2, 21)))
    e = new_case(db, admin, party_name="梨树县德济堂", source="ASSIGNED", filed_on=date(2025, 3, 3),
                 penalties=[P("LICENCE"), P("WARNING")])                       # open, decision due 2025-06-03: overdue now
    f = new_case(db, admin, party_name="某游医", category="UNLICENSED", party_type="PERSON", party_code="", legal_rep="",
                 filed_on=date(2025, 12, 30), penalties=[P("FINE", "20000"), P("RESTRICT")])
    run(db, admin, f, ("INVESTIGATED", date(2026, 1, 5)), ("NOTICE", date(2026, 1, 6)), ("DECISION", date(2026, 1, 20)))
    old = new_case(db, admin, party_name="2024年案件", offence_on=date(2024, 10, 1), filed_on=date(2024, 11, 4))
    run(db, admin, old, ("INVESTIGATED", date(2024, 11, 10)), ("NOTICE", date(2024, 11, 12)), ("DECISION", date(2024, 11, 25)))
    new_case(db, admin, party_name="线索", filed_on=None, lead_on=date(2025, 5, 6))
    return dict(a=a, b=b, c=c, d=d, e=e, f=f)


def export_json(db, actor, return_id, period, tmp_path) -> dict:
    out = tmp_path / f"{return_id}.json"
    with db.session(actor) as s:
        table = build_return(s, actor, return_id, period)
        render(table, "json", out)
    return json.loads(out.read_text(encoding="utf-8"))


def test_stats_totals_equal_the_register(db, admin, county, tmp_path):
    reg = export_json(db, admin, "SUP-REGISTER", "2025", tmp_path)
    stats = export_json(db, admin, "SUP-STATS", "2025", tmp_path)
    col = {h: i for i, h in enumerate(reg["columns"])}
    rows, total_row = reg["rows"][:-1], reg["rows"][-1]
    assert len(rows) == 6 and total_row[1] == "合计"
    assert [r[col["立案日期"]] for r in rows] == sorted(r[col["立案日期"]] for r in rows)
    heads = [(c.group, c.heading) for c in stats_columns()]
    assert [c.full_heading for c in stats_columns()] == stats["columns"]
    assert len(set(stats["columns"])) == len(stats["columns"])   # unique names for machines
    by_label = {r[0]: r for r in stats["rows"]}
    total = by_label["总计"]
    assert total[heads.index((None, "立案（件）"))] == len(rows) == 6
    assert total[heads.index((None, "结案（件）"))] == sum(1 for r in rows if r[col["结案日期"]]) == 3
    for kind, name in PENALTY_KINDS.items():
        with_kind = [r for r in rows if name in (r[col["处罚种类"]] or "").split("、")]
        assert total[heads.index((name, "件数"))] == len(with_kind), name
    fines = sum(Decimal(str(r[col["罚款金额（元）"]] or 0)) for r in rows)
    confiscated = sum(Decimal(str(r[col["没收金额（元）"]] or 0)) for r in rows)
    assert Decimal(str(total[heads.index(("罚款", "金额（元）"))])) == fines == Decimal("35000.00")
    assert (Decimal(str(total[heads.index(("没收违法所得", "金额（元）"))]))
            + Decimal(str(total[heads.index(("没收非法财物", "金额（元）"))]))) == confiscated == Decimal("2050.50")
    assert Decimal(str(total_row[col["罚款金额（元）"]])) == fines
    # the blocks by category and by source each add up to 总计
    labels = [r[0] for r in stats["rows"]]
    cat_rows = stats["rows"][labels.index("一、按专业类别分") + 1:labels.index("二、按案件来源分")]
    src_rows = stats["rows"][labels.index("二、按案件来源分") + 1:]
    assert [r[0] for r in cat_rows] == list(CATEGORIES.values())
    assert [r[0] for r in src_rows] == list(SOURCES.values())
    for block in (cat_rows, src_rows):
        for i in range(1, len(heads)):
            assert sum(Decimal(str(r[i])) for r in block) == Decimal(str(total[i])), heads[i]
    assert by_label["医疗卫生"][1] == 3 and by_label["无证行医"][1] == 1 and by_label["上级交办"][1] == 1
    # the no-penalty case counts as filed and closed, but its proposed fine does not count
    assert by_label["医疗卫生"][heads.index(("罚款", "件数"))] == 1


def test_register_marks_overdue_and_the_next_deadline(db, admin, county, tmp_path):
    reg = export_json(db, admin, "SUP-REGISTER", "2025", tmp_path)
    col = {h: i for i, h in enumerate(reg["columns"])}
    by_party = {r[col["当事人"]]: r for r in reg["rows"][:-1]}
    assert by_party["梨树县德济堂"][col["下一期限 / 逾期"]].startswith("逾期：作出处理决定（已逾期")
    assert by_party["梨树县德济堂"][col["状态"]] == "已立案（调查取证中）"
    assert by_party["梨树县仁和诊所"][col["状态"]] == "已结案（不予处罚）"
    assert by_party["梨树县仁和诊所"][col["罚款金额（元）"]] is None
    assert by_party["梨树县康宁诊所"][col["文号"]] == "梨卫医罚〔2025〕1号"
    assert reg["rows"][-1][col["下一期限 / 逾期"]].startswith("逾期")


def test_period_is_a_range_of_filing_dates(db, admin, county, tmp_path):
    q1 = export_json(db, admin, "SUP-REGISTER", "2025Q1", tmp_path)
    assert len(q1["rows"]) - 1 == 5
    jan = export_json(db, admin, "SUP-STATS", "202501..202501", tmp_path)
    assert jan["rows"][0][:3] == ["总计", 3, 2]


def test_stats_xlsx_has_two_level_headings(db, admin, county, tmp_path):
    out = tmp_path / "stats.xlsx"
    with db.session(admin) as s:
        render(build_return(s, admin, "SUP-STATS", "2025"), "xlsx", out)
    ws = load_workbook(out).active
    merged = {ws.cell(r.min_row, r.min_col).value: r for r in ws.merged_cells.ranges}
    fine = merged["罚款"]                                   # the group over its two columns …
    assert fine.max_col - fine.min_col == 1 and fine.min_row == fine.max_row
    below = [ws.cell(fine.max_row + 1, c).value for c in range(fine.min_col, fine.max_col + 1)]
    assert below == ["件数", "金额（元）"]                   # … with the headings under it
    assert merged["项目"].max_row == fine.max_row + 1        # an ungrouped heading spans both rows
    upper = [ws.cell(fine.min_row, c).value for c in range(1, ws.max_column + 1)]
    assert "责令停产停业/关闭" in upper and "限制从业" in upper
    values = [c.value for row in ws.iter_rows() for c in row]
    assert "总计" in values and "一、按专业类别分" in values


def test_random_task_completion_by_level(db, admin, clerk, tmp_path):
    with db.session(clerk) as s:
        ids = []
        for i in range(41):
            level = "国抽" if i < 5 else ("县抽" if i < 30 else "PROVINCIAL")
            tid, _ = rt.save_task(s, clerk, rt.TaskInput(level=level, category="PUBLIC_PLACE", target_name=f"单位{i}",
                                                         target_code=CLINIC_CODE if i == 0 else "",
                                                         inspectors=["张伟", "李娜"], due_on=date(2025, 11, 30)))
            ids.append(tid)
        rt.save_task(s, clerk, rt.TaskInput(level="县抽", target_name="明年的", due_on=date(2026, 3, 31)))
        for i, tid in enumerate(ids[:40]):
            done = date(2025, 11, 28) if i != 7 else date(2025, 12, 3)
            warnings = rt.complete_task(s, clerk, tid, done, "合格")
            assert bool(warnings) is (i == 7)
    with pytest.raises(Exception) as e:
        with db.session(clerk) as s:
            rt.complete_task(s, clerk, ids[40], date(2025, 11, 28), "还行")
    assert "检查结果应为" in str(e.value)
    r = export_json(db, admin, "SUP-RANDOM", "2025", tmp_path)
    rows = {row[0]: row for row in r["rows"]}
    assert rows["合计"][1:6] == [41, 40, 39, 1, 97.56]
    assert rows["国抽"][1:6] == [5, 5, 5, 0, 100.00]
    assert rows["省抽"][1:6] == [11, 10, 10, 1, 90.91]
    assert rows["市抽"][1:6] == [0, 0, 0, 0, None]
    assert rows["县抽"][1:3] == [25, 25]


@pytest.mark.parametrize("done,total,rate", [(1120, 1148, "97.56"), (1, 800, "0.13"), (2, 3, "66.67"), (1, 8, "12.50"),
                                             (0, 0, None)])
def test_rates_round_half_up(done, total, rate):
    assert rt.rate_percent(done, total) == (Decimal(rate) if rate else None)


def test_complaints_summary(db, admin, tmp_path):
    with db.session(admin) as s:
        ids = [cp.save_complaint(s, admin, cp.ComplaintInput(received_on=date(2025, 3, i + 1), channel=ch, subject=f"对象{i}",
                                                             content="反映无证行医"))[0]
               for i, ch in enumerate(["12345", "12345", "12345", "来信", "12320"])]
        cp.handle_complaint(s, admin, ids[0], date(2025, 3, 10), "属实", "满意")
        cp.handle_complaint(s, admin, ids[1], date(2025, 3, 10), "部分属实", "不满意")
        cp.handle_complaint(s, admin, ids[2], date(2025, 3, 10), "不属实", "未评价")
        cp.handle_complaint(s, admin, ids[3], date(2025, 3, 10), "属实", "基本满意")
    with pytest.raises(Exception) as e:
        with db.session(admin) as s:
            cp.handle_complaint(s, admin, ids[4], date(2025, 3, 1), "属实", "满意")
    assert "早于受理日期" in str(e.value)
    r = export_json(db, admin, "SUP-COMPLAINTS", "2025", tmp_path)
    rows = {row[0]: row for row in r["rows"]}
    assert rows["12345"][1:] == [3, 3, 100.00, 2, 0, 2, 1, 50.00]
    assert rows["合计"][1:] == [5, 4, 80.00, 3, 0, 3, 2, 66.67]
    assert r["columns"][0] == "来源渠道"


def test_every_sup_return_is_in_the_catalogue():
    for rid in ("SUP-REGISTER", "SUP-STATS", "SUP-RANDOM", "SUP-COMPLAINTS"):
        assert CATALOGUE[rid].available and CATALOGUE[rid].area == "卫生监督"


def test_register_pdf_is_landscape_and_readable(db, admin, county, tmp_path):
    import shutil
    import subprocess
    if not shutil.which("pdftotext"):
        pytest.skip("poppler-utils not installed")
    out = tmp_path / "register.pdf"
    with db.session(admin) as s:
        render(build_return(s, admin, "SUP-REGISTER", "2025"), "pdf", out)
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True).stdout
    assert "卫生行政处罚案件登记台账" in text and "梨卫医罚〔2025〕1号" in text and "梨树县德济堂" in text
    assert "第 1 页 共" in text
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True).stdout
    width, height = [float(x) for x in info.split("Page size:")[1].split("pts")[0].split(" x ")]
    assert width > height
