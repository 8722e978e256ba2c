"""MCH-MONTHLY, MCH-COMPLETENESS and MCH-FORM, read back from xlsx (openpyxl), PDF (pdftotext) and
JSON: the county total is the sum of the townships and its rates come from the summed counts; a zero
denominator shows "—"; 活产数 has a two-level heading; the filled form shows comments, "未开展" and
the approval state."""
from __future__ import annotations

import json
import subprocess
from datetime import datetime

import openpyxl
import pytest

from core.access import Actor, Role
from core.errors import UsageError
from core.mch import values, workflow
from core.returns.catalogue import CATALOGUE, build_return
from core.returns.render import render
from db.models.mch import MonthReport

T1, T2, T3 = "220322100", "220322101", "220322102"


def put(db, actor, town, period, comments=None, **counts):
    comments = comments or {}
    with db.session(actor) as s:
        for key, v in counts.items():
            element, _, option = key.partition("__")
            values.save_value(s, actor, town, period, "MCH_" + element, option, v, comment=comments.get(key))


def monthly_data(db, admin):
    # T1: 2 months; T2: 1 month; T3: births 0 (a zero denominator)
    put(db, admin, T1, "202601", LIVE_BIRTHS__MALE=60, LIVE_BIRTHS__FEMALE=40, HOSPITAL_DELIVERIES=99, INFANT_DEATHS=1,
        UNDER5_DEATHS=1, CHILDREN_UNDER3=1000, SYS_MANAGED_UNDER3=900)
    put(db, admin, T1, "202602", LIVE_BIRTHS__MALE=30, LIVE_BIRTHS__FEMALE=20, HOSPITAL_DELIVERIES=50, INFANT_DEATHS=0,
        UNDER5_DEATHS=0, CHILDREN_UNDER3=1010, SYS_MANAGED_UNDER3=950)
    put(db, admin, T2, "202601", LIVE_BIRTHS__MALE=25, LIVE_BIRTHS__FEMALE=25, HOSPITAL_DELIVERIES=50, INFANT_DEATHS=0,
        UNDER5_DEATHS=0, CHILDREN_UNDER3=500, SYS_MANAGED_UNDER3=500)
    put(db, admin, T3, "202601", LIVE_BIRTHS__MALE=0, LIVE_BIRTHS__FEMALE=0, HOSPITAL_DELIVERIES=0)


def as_json(db, actor, return_id, period, org=None) -> dict:
    with db.session(actor) as s:
        return json.loads(render(build_return(s, actor, return_id, period, org), "json", None))


def by_name(doc) -> dict:
    name = doc["columns"].index("乡镇（街道）")
    return {row[name]: dict(zip(doc["columns"], row)) for row in doc["rows"]}


def test_monthly_county_total_is_the_sum_and_rates_come_from_sums(db, admin):
    monthly_data(db, admin)
    doc = as_json(db, admin, "MCH-MONTHLY", "202601..202602")
    rows = by_name(doc)
    assert len(doc["rows"]) == 25 and doc["rows"][-1][0] == "全县合计"
    assert [r[0] for r in doc["rows"][:3]] == ["富强街道", "康平街道", "霍家店街道"]     # in code order
    total, t1, t2 = rows["全县合计"], rows["梨树镇"], rows["郭家店镇"]
    # a heading under a group is named group/heading in JSON, so every column name is unique
    cols = doc["columns"]
    assert cols[1:4] == ["活产数/男", "活产数/女", "活产数/合计"] and len(set(cols)) == len(cols)
    counts = [i for i, c in enumerate(cols) if i > 0 and "（" not in c]
    for i in counts:
        towns = [r[i] for r in doc["rows"][:-1] if r[i] is not None]
        assert doc["rows"][-1][i] == (sum(towns) if towns else None), cols[i]
    assert (t1["活产数/合计"], t1["住院分娩"], total["活产数/合计"], total["住院分娩"]) == (150, 149, 200, 199)
    # point in time: each township's last month (T1 February), then summed
    assert (t1["3岁以下儿童"], total["3岁以下儿童"], total["3岁以下系统管理"]) == (1010, 1510, 1450)
    # 婴儿死亡率: T1 1/150 → 6.67 ‰, T2 0/50 → 0.00, county 1/200 → 5.00 (not the average 3.33 of rates)
    assert (t1["婴儿死亡率（‰）"], t2["婴儿死亡率（‰）"], total["婴儿死亡率（‰）"]) == (6.67, 0.0, 5.0)
    assert total["3岁以下儿童系统管理率（%）"] == pytest.approx(96.03)          # 1450 / 1510
    # zero births: a rate shows "—", not 0; a township with nothing reported is blank
    assert rows["榆树台镇"]["住院分娩率（%）"] == "—" and rows["榆树台镇"]["活产数/合计"] == 0
    assert rows["孤家子镇"]["活产数/合计"] is None and rows["孤家子镇"]["住院分娩率（%）"] == "—"


def test_monthly_xlsx_has_two_level_headings_and_reads_back(db, admin, tmp_path):
    monthly_data(db, admin)
    path = tmp_path / "m.xlsx"
    with db.session(admin) as s:
        assert render(build_return(s, admin, "MCH-MONTHLY", "202601"), "xlsx", path) == 25
    ws = openpyxl.load_workbook(path).active
    assert ws["A1"].value == "妇幼健康月报表"
    top = next(r for r in range(1, 10) if ws.cell(r, 1).value == "乡镇（街道）")
    heading = [ws.cell(top, c).value for c in range(1, ws.max_column + 1)]
    lower = [ws.cell(top + 1, c).value for c in range(1, ws.max_column + 1)]
    assert heading[:2] == ["乡镇（街道）", "活产数"] and lower[1:4] == ["男", "女", "合计"]
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {f"B{top}:D{top}", f"A{top}:A{top + 1}"} <= merged
    assert "婴儿死亡率（‰）" in heading and "高危孕产妇比例（%）" in heading
    first_data = top + 2
    names = [ws.cell(r, 1).value for r in range(first_data, first_data + 25)]
    assert names[-1] == "全县合计" and names[3] == "梨树镇"
    total_row = first_data + 24
    births = [ws.cell(r, 4).value for r in range(first_data, total_row)]
    assert ws.cell(total_row, 4).value == sum(b for b in births if b) == 150
    rate_col = heading.index("住院分娩率（%）") + 1
    assert ws.cell(first_data + 3, rate_col).value == 99             # 梨树镇: 99 / 100
    assert ws.cell(first_data + 5, rate_col).value == "—"        # 榆树台镇: 0 births
    assert ws.cell(first_data + 3, rate_col).number_format == "0.00"
    assert ws.page_setup.orientation == "landscape"


def pdf_text(path) -> str:
    return subprocess.run(["pdftotext", "-raw", str(path), "-"], check=True, capture_output=True, text=True).stdout


def test_monthly_pdf_fits_a_month_on_one_landscape_page(db, admin, tmp_path):
    monthly_data(db, admin)
    path = tmp_path / "m.pdf"
    with db.session(admin) as s:
        render(build_return(s, admin, "MCH-MONTHLY", "202601"), "pdf", path)
    text = "".join(pdf_text(path).split())
    assert "妇幼健康月报表" in text and "报告期：2026年1月" in text and "全县合计" in text and "活产数" in text
    assert "第1页共1页" in text and "—" in text
    size = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    assert "841.89 x 595.276 pts (A4)" in size and "Pages:           1" in size     # A4 landscape, one page


@pytest.mark.parametrize("period,label", [
    ("2025Oct", "2026统计年度（2025年10月—2026年9月）"),
    ("202601..202609", "2026年1—9月累计"),
    ("2026Q1", "2026年第1季度"),
    ("2026", "2026年"),
])
def test_monthly_for_any_period(db, admin, period, label):
    monthly_data(db, admin)
    put(db, admin, T1, "202510", LIVE_BIRTHS__MALE=7, LIVE_BIRTHS__FEMALE=3)
    with db.session(admin) as s:
        t = build_return(s, admin, "MCH-MONTHLY", period)
        rows = list(t.rows)
    assert t.period_label == label
    expected = {"2025Oct": 210, "202601..202609": 200, "2026Q1": 200, "2026": 200}[period]
    assert rows[-1][3] == expected


def test_monthly_for_one_township_or_a_limited_user(db, admin):
    monthly_data(db, admin)
    doc = as_json(db, admin, "MCH-MONTHLY", "202601", org=T1)
    assert doc["org"] == T1 and [r[0] for r in doc["rows"]] == ["梨树镇"]
    clerk = Actor("two", "两乡录入员", Role.CLERK, frozenset({T1, T2}))
    doc = as_json(db, clerk, "MCH-MONTHLY", "202601")
    assert [r[0] for r in doc["rows"]] == ["梨树镇", "郭家店镇", "合计"] and doc["rows"][-1][3] == 150
    with pytest.raises(UsageError, match="9 位乡镇"):
        as_json(db, admin, "MCH-MONTHLY", "202601", org="220322100201")
    with pytest.raises(UsageError, match="需要报告期"):
        as_json(db, admin, "MCH-MONTHLY", None)


def submitted(db, actor, town, period, at: datetime, status="APPROVED"):
    with db.session(actor) as s:
        s.add(MonthReport(township_code=town, period=period, status=status, submitted_at=at, submitted_by="clerk"))


def test_completeness_return(db, admin):
    submitted(db, admin, T1, "202601", datetime(2026, 2, 3, 4, 0))
    submitted(db, admin, T1, "202602", datetime(2026, 3, 7, 16, 0))
    submitted(db, admin, T2, "202601", datetime(2026, 2, 5, 4, 0), status="SUBMITTED")
    doc = as_json(db, admin, "MCH-COMPLETENESS", "202601..202602")
    assert doc["columns"] == ["代码", "乡镇（街道）", "应报月数", "已报", "及时", "迟报", "未报", "完整率（%）", "及时率（%）", "未报月份"]
    rows = {r[0]: r for r in doc["rows"]}
    assert rows[T1][2:] == [2, 2, 1, 1, 0, 100.0, 50.0, ""]
    assert rows[T2][2:] == [2, 1, 1, 0, 1, 50.0, 50.0, "2026年2月"]
    assert rows["220322"][1:9] == ["全县合计", 48, 3, 2, 1, 45, 6.25, 4.17]


def test_form_shows_values_comments_and_the_approval_state(db, admin, clerk, supervisor, tmp_path):
    put(db, admin, T1, "202601", comments={"MATERNAL_DEATHS": "产后出血，已逐级上报"}, LIVE_BIRTHS__MALE=60,
        LIVE_BIRTHS__FEMALE=40, MATERNAL_DEATHS=1, CERVICAL_SCREENED="-2")
    with db.session(clerk) as s:
        workflow.submit(s, clerk, T1, "202601")
    with db.session(supervisor) as s:
        workflow.approve(s, supervisor, T1, "202601")
    path = tmp_path / "f.xlsx"
    with db.session(admin) as s:
        table = build_return(s, admin, "MCH-FORM", "202601", T1)
        render(table, "xlsx", path)
        table = build_return(s, admin, "MCH-FORM", "202601", T1)
        render(table, "pdf", tmp_path / "f.pdf")
    ws = openpyxl.load_workbook(path).active
    assert ws["A1"].value == "妇幼健康月报（梨树镇）"
    cells = [[ws.cell(r, c).value for c in range(1, 7)] for r in range(1, ws.max_row + 1)]
    by_item = {(row[2], row[3]): row for row in cells if isinstance(row[0], int)}
    assert by_item[("活产数", "男")][4] == 60 and by_item[("活产数", "女")][4] == 40
    assert by_item[("孕产妇死亡数", None)][4:6] == [1, "产后出血，已逐级上报"]
    assert by_item[("宫颈癌筛查人数", None)][4] == "未开展"
    assert by_item[("产妇数", None)][4] is None                       # blank stays blank
    text = "".join(pdf_text(tmp_path / "f.pdf").split())
    assert "状态：已审核（锁定）" in text and "上报人：clerk" in text and "审核人：super" in text
    assert "产后出血，已逐级上报" in text and "未开展" in text
    assert "审核校验：错误0处，警告1条（已说明1条）" in text


@pytest.mark.parametrize("period,org,words", [
    ("2026Q1", T1, "--period 应为月份"),
    ("202601", None, "--org 应为 9 位乡镇"),
    ("202601", "220322", "--org 应为 9 位乡镇"),
])
def test_form_needs_one_township_and_one_month(db, admin, period, org, words):
    with pytest.raises(UsageError) as e:
        with db.session(admin) as s:
            build_return(s, admin, "MCH-FORM", period, org)
    assert words in e.value.message


def test_catalogue_entries_are_available():
    for rid in ("MCH-MONTHLY", "MCH-COMPLETENESS", "MCH-FORM"):
        assert CATALOGUE[rid].available and CATALOGUE[rid].takes_actor
