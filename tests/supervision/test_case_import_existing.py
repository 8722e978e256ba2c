"""A ledger line whose 文号 is already registered: compared cell by cell with the case. The same content
(written another way: other date spellings, names for codes, 、 or , between officers, blank cells) is
``unchanged``; a different value is refused naming each field with 已有/表中 — and the registered case is
left exactly as it was, in a dry run and in a real import."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from core.supervision.case_template import write_template
from db.models.supervision import Case
from tests.supervision.test_case_import import HEADER, ROWS, counts, ledger, run_import

FIRST = "梨卫医罚〔2024〕1号"


def first_case(db) -> tuple:
    with db.session() as s:
        case = s.scalars(select(Case).where(Case.number == FIRST)).one()
        return (case.version, case.decided_on, sorted((p.kind, p.amount) for p in case.penalties),
                [o.name for o in case.officers], case.updated_at)


def test_same_content_written_otherwise_is_unchanged(tmp_path, db, admin):
    run_import(db, admin, ledger(tmp_path / "台账.xlsx", ROWS[:3]))
    before = counts(db)
    same = list(ROWS[0])
    same[1] = "梨卫医罚[2024]1号"                       # brackets typed another way
    same[3], same[4] = "MEDICAL", ""                   # the code instead of the name; 来源 left blank
    same[6] = same[6].lower()
    same[9], same[10] = "张伟，李娜", "22030001,22030002"
    same[11], same[12] = "2024.3.1", "20240410"
    same[16] = "3,000元"
    same[8] = ""                                       # a blank cell says nothing
    third = list(ROWS[2])
    third[16] = 5000                                   # "5,000元" as a number
    r = run_import(db, admin, ledger(tmp_path / "再次.xlsx", [same, ROWS[1], third]))
    assert (r.read, r.imported, r.unchanged, r.rejected) == (3, 0, 3, 0), [x.reason for x in r.rejects]
    assert counts(db) == before


def test_differing_content_is_refused_naming_each_field(tmp_path, db, admin):
    run_import(db, admin, ledger(tmp_path / "台账.xlsx", ROWS[:2]))
    before, stored = counts(db), first_case(db)
    changed = list(ROWS[0])
    changed[12] = date(2024, 4, 11)                    # 决定日期
    changed[16] = 5000                                 # 罚款
    changed[9] = "张伟、王强"                            # 承办人
    later = list(ROWS[1])
    later[12] = date(2024, 7, 1)                       # decided since: the registered case has no decision
    path = ledger(tmp_path / "改过.xlsx", [changed, later])
    for dry_run in (True, False):
        r = run_import(db, admin, path, dry_run=dry_run)
        assert (r.imported, r.unchanged, r.rejected) == (0, 0, 2)
        first, second = (x.reason for x in r.rejects)
        assert first.startswith(f"文号“{FIRST}”已存在且内容不同：")
        assert "决定日期（已有“2024-04-10”，表中“2024-04-11”）" in first
        assert "罚款金额（已有“3,000.00”，表中“5,000.00”）" in first
        assert "承办人（已有“张伟、李娜”，表中“张伟、王强”）" in first
        assert "立案日期" not in first and "当事人" not in first      # the cells that agree are not named
        assert "导入不改动已登记的案件" in first
        assert "决定日期（已有“空”，表中“2024-07-01”）" in second
        assert counts(db) == before and first_case(db) == stored      # nothing overwritten
    assert stored[2] == [("FINE", Decimal("3000.00")), ("WARNING", None)]


def test_unreadable_cell_on_a_registered_number_is_refused_with_its_reason(tmp_path, db, admin):
    run_import(db, admin, ledger(tmp_path / "台账.xlsx", ROWS[:1]))
    bad = list(ROWS[0])
    bad[16] = "三千"
    bad[3] = "食品安全"
    r = run_import(db, admin, ledger(tmp_path / "坏.xlsx", [bad]))
    assert r.rejected == 1 and "不是金额" in r.rejects[0].reason and "食品安全" in r.rejects[0].reason


def test_case_template_is_read_by_the_import(tmp_path, db, admin):
    path = write_template(tmp_path / "案件模板.xlsx")
    from openpyxl import load_workbook
    wb = load_workbook(path)
    assert wb.sheetnames[:2] == ["案件台账", "填写说明"] and wb["选项"].sheet_state == "hidden"
    sheet = wb["案件台账"]
    headings = [c.value for c in sheet[1]]
    assert headings[:4] == ["序号", "案件编号", "案由", "专业类别"] and sheet["B2"].number_format == "@"
    assert any("医疗卫生" in str(v.formula1) or v.formula1.startswith("'选项'") for v in sheet.data_validations.dataValidation)
    by_heading = dict(zip(HEADER, ROWS[0]))
    source = {"案件编号": "文号", "专业类别": "类别", "案件来源": "来源", "当事人": "当事人名称", "统一社会信用代码": "信用代码",
              "法定代表人": "负责人", "罚款金额": "罚款（元）"}
    for col, heading in enumerate(headings, start=1):
        value = by_heading.get(source.get(heading, heading))
        if value is not None:
            sheet.cell(row=2, column=col, value=value)
    wb.save(path)
    r = run_import(db, admin, path)
    assert (r.read, r.imported, r.rejected) == (1, 1, 0), [x.reason for x in r.rejects]
