"""年度确认 and 资金发放 through the widgets (issue 3 §3, §4): the review's proposals and the clerk's
decisions, confirming, the public notice with masked IDs, approval by a supervisor (locked: the
screen and the core refuse), unlocking with a reason; the payment roll's totals, the people without
an account, the bank file, 已发放 and the refused rebuild — each checked in the database or a file."""
from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QProgressDialog, QPushButton

from core.errors import DataError
from core.subsidy import recipients as rs
from core.subsidy import yearly_cycle as yc
from db.models.subsidy import Recipient
from gui.context import AppContext
from gui.subsidy.payroll_view import PayrollView
from gui.subsidy.year_wizard import ReviewModel, YearWizard
from tests.subsidy.test_recipients import make_id

pytestmark = pytest.mark.gui
LISHU, GUOJIADIAN = "220322100", "220322101"


def ctx_for(db, actor) -> AppContext:
    return AppContext(db=db, actor=actor, county_code="220322", county_name="梨树县")


def rural(name, born, seq, *, status="ACTIVE", first_year=2015, township=LISHU, account="auto"):
    return rs.RecipientInput(name=name, id_number=make_id(born=born, seq=seq), township=township,
                             program="RURAL_REWARD", hukou="农业", marital="已婚", children=[rs.ChildInput("子", "男")],
                             account_no=("6217000000000000" + seq) if account == "auto" else account,
                             bank_name="农村信用社", first_year=first_year, status=status)


@pytest.fixture
def village(db, admin):
    """A continuing recipient, a new applicant (60 in 2024), one too young and a death reported in 2023."""
    ids = {}
    with db.session(admin) as s:
        ids["keeps"] = rs.save_recipient(s, admin, rural("王继续", "19500101", "101"), year=2024).id
        ids["new"] = rs.save_recipient(s, admin, rural("李新增", "19640315", "102", status="APPLIED", first_year=None),
                                       year=2024).id
        ids["young"] = rs.save_recipient(s, admin, rural("赵年轻", "19650520", "103", status="APPLIED", first_year=None),
                                         year=2025).id
        ids["died"] = rs.save_recipient(s, admin, rural("孙已故", "19400101", "104", first_year=2012), year=2024).id
        s.get(Recipient, ids["died"]).death_date = date(2023, 11, 5)
    return ids


def open_year(qtbot, ctx, year=2024) -> YearWizard:
    view = YearWizard(ctx)
    qtbot.addWidget(view)
    view.resize(1200, 760)
    view.program_combo.setCurrentIndex(view.program_combo.findData("RURAL_REWARD"))
    view.year_spin.setValue(year)
    return view


def review(qtbot, view: YearWizard) -> None:
    view.start_review()
    qtbot.waitUntil(lambda: view.review is not None, timeout=30_000)


def row_of(model: ReviewModel, recipient_id: int) -> int:
    return next(r for r, i in enumerate(model.items) if i.recipient_id == recipient_id)


def cell(model: ReviewModel, recipient_id: int, col: int) -> str:
    return model.index(row_of(model, recipient_id), col).data()


def test_year_review_confirm_notice_approve_and_unlock(qtbot, db, clerk, supervisor, admin, village, boxes, tmp_path):
    view = open_year(qtbot, ctx_for(db, clerk))
    assert view.approve_button.isHidden() and view.unlock_button.isHidden()     # a clerk gets neither
    assert "未确认" in view.state_label.text()
    assert not view.confirm_button.isEnabled()                                # nothing reviewed yet
    review(qtbot, view)

    new, cont = view.new_model, view.cont_model
    assert {i.name for i in new.items} == {"李新增", "赵年轻"}
    assert cell(new, village["new"], ReviewModel.DECISION) == "新增"
    assert "2024 年起满 60 周岁" in cell(new, village["new"], 5)
    assert cell(new, village["young"], ReviewModel.DECISION) == "不予纳入"
    assert "到 2025 年才满 60 周岁" in cell(new, village["young"], 5)
    assert {i.name for i in cont.items} == {"王继续", "孙已故"}
    assert cell(cont, village["died"], ReviewModel.DECISION) == "退出"
    assert cell(cont, village["died"], ReviewModel.REASON) == "死亡"
    assert "2023-11-05 死亡" in cell(cont, village["died"], 5)
    assert cell(cont, village["keeps"], ReviewModel.DECISION) == "继续享受"
    # the 年审 list shows the flagged by default; everyone on request
    assert view.cont_proxy.rowCount() == 1
    view.only_flagged.setChecked(False)
    assert view.cont_proxy.rowCount() == 2
    assert "标记 1" in view.steps.tabText(1)

    # the reason is a choice of EXIT_REASONS through the combo editor; 继续享受 can be chosen too
    view.steps.setCurrentIndex(1)
    proxy_index = view.cont_proxy.mapFromSource(cont.index(row_of(cont, village["died"]), ReviewModel.REASON))
    view.cont_view.edit(proxy_index)
    editor = view.cont_view.indexWidget(proxy_index) or view.cont_view.focusWidget()
    assert [editor.itemText(i) for i in range(editor.count())] == rs.EXIT_REASONS
    editor.setCurrentIndex(editor.findData("其他"))
    view.cont_view.commitData(editor)
    assert cell(cont, village["died"], ReviewModel.REASON) == "其他"
    assert cont.set_decision(village["died"], "CONTINUE") and cell(cont, village["died"], ReviewModel.REASON) == ""
    assert not cont.set_decision(village["died"], "NEW")               # not a choice for a continuing person
    assert cont.set_decision(village["died"], "EXIT", "死亡")

    # confirm: the decisions reach the records
    view.steps.setCurrentIndex(2)
    assert "新增 1 人，继续享受 1 人，退出 1 人，不予纳入 1 人" in view.summary.text()
    view.notice_start.setDate(QDate(2024, 3, 1))
    assert view.confirm_button.isEnabled()
    view.confirm()
    qtbot.waitUntil(lambda: view.status is not None and view.status.status == "CONFIRMED", timeout=30_000)
    assert "已确认" in view.state_label.text() and "2024-03-01 至 2024-03-07" in view.state_label.text()
    with db.session(admin) as s:
        assert (s.get(Recipient, village["new"]).status, s.get(Recipient, village["new"]).first_year) == ("ACTIVE", 2024)
        died = s.get(Recipient, village["died"])
        assert (died.status, died.exit_reason) == ("EXITED", "死亡")
        assert s.get(Recipient, village["young"]).status == "REFUSED"

    # the public notice: masked IDs, no bank account
    notice = tmp_path / "公示.xlsx"
    assert view.returns.current_id() == "FP-NOTICE"
    view.returns.export_to("xlsx", notice)
    qtbot.waitUntil(lambda: view.returns.last_export == notice or bool(boxes), timeout=30_000)
    assert not boxes, boxes
    texts = [str(c) for row in load_workbook(notice).active.iter_rows(values_only=True) for c in row if c is not None]
    full = make_id(born="19640315", seq="102")
    assert any(t == full[:6] + "********" + full[-4:] for t in texts)
    assert not any(full in t for t in texts)
    assert not any("6217000000000000" in t for t in texts)
    assert "李新增" in texts and "孙已故" not in texts      # the notice lists the confirmed, not the exits

    # a clerk cannot approve: no button, and the core refuses the call
    view.approve()
    qtbot.waitUntil(lambda: any("无权审核" in text for _t, text in boxes), timeout=10_000)
    boxes.clear()

    # a supervisor approves: the year is locked
    sup = open_year(qtbot, ctx_for(db, supervisor))
    assert not sup.approve_button.isHidden() and not sup.unlock_button.isHidden()
    assert sup.approve_button.isEnabled() and not sup.unlock_button.isEnabled()
    review(qtbot, sup)
    sup.approve()
    qtbot.waitUntil(lambda: sup.status.locked, timeout=30_000)
    assert [t for t, _text in boxes] == ["审核通过"] and "锁定" in boxes[0][1]     # asked first, nothing refused
    boxes.clear()
    assert "已审批" in sup.state_label.text()
    assert not sup.confirm_button.isEnabled()
    assert sup.unlock_button.isEnabled() and not sup.approve_button.isEnabled()
    assert not (sup.cont_model.flags(sup.cont_model.index(0, ReviewModel.DECISION)) & Qt.ItemFlag.ItemIsEditable)
    with db.session(admin) as s, pytest.raises(DataError, match="审批锁定"):
        yc.confirm_year(s, admin, "RURAL_REWARD", 2024)

    # unlocking needs a reason, and is audited
    sup.unlock("  ")
    qtbot.waitUntil(lambda: bool(boxes), timeout=10_000)
    assert "解锁须填写原因" in boxes[-1][1]
    sup.unlock("补录一名死亡对象")
    qtbot.waitUntil(lambda: sup.status.status == "CONFIRMED", timeout=30_000)
    assert sup.confirm_button.isEnabled() and sup.approve_button.isEnabled()
    from core.audit import query_audit
    with db.session(supervisor) as s:
        assert any("补录一名死亡对象" in str(r.changes) for r in query_audit(s, supervisor, text="解锁")) or \
            any("补录一名死亡对象" in str(getattr(r, "changes", "")) for r in query_audit(s, supervisor))


@pytest.fixture
def paid_people(db, admin, supervisor):
    """Two rural-reward recipients in 2024 (one without a bank account), the year confirmed and approved."""
    with db.session(admin) as s:
        rs.save_recipient(s, admin, rural("王甲", "19500101", "112"), year=2024)
        rs.save_recipient(s, admin, rural("李乙", "19520101", "122", township=GUOJIADIAN, account=""), year=2024)
        yc.confirm_year(s, admin, "RURAL_REWARD", 2024, notice_start=date(2024, 3, 1))
    with db.session(supervisor) as s:
        yc.approve_year(s, supervisor, "RURAL_REWARD", 2024, on=date(2024, 3, 20))


def test_payroll_build_totals_bank_file_paid_and_rebuild_refused(qtbot, db, supervisor, paid_people, boxes, tmp_path):
    view = PayrollView(ctx_for(db, supervisor))
    qtbot.addWidget(view)
    view.program_combo.setCurrentIndex(view.program_combo.findData("RURAL_REWARD"))
    view.year_spin.setValue(2024)
    assert view.period() == "2024" and view.period_combo.currentText() == "全年"
    assert "尚未生成" in view.state_label.text() and not view.bank_button.isEnabled()

    view.build()
    qtbot.waitUntil(lambda: view.roll is not None or bool(boxes), timeout=30_000)
    assert not boxes, boxes
    assert (view.roll.people, view.roll.total, view.roll.status) == (2, Decimal("1920.00"), "DRAFT")
    assert "1,920.00" in view.state_label.text()
    m = view.totals_model
    rows = [[m.item(r, c).text() for c in range(4)] for r in range(m.rowCount())]
    assert rows[-1] == ["合计", "2", "1,920.00", "1"]
    assert sorted(r[0] for r in rows[:-1]) == sorted(["梨树镇", "郭家店镇"])
    assert any(r[2] == "960.00" for r in rows[:-1])
    qtbot.waitUntil(lambda: view.problems is not None, timeout=30_000)
    pm = view.problem_model
    problems = [[pm.item(r, c).text() for c in range(pm.columnCount())] for r in range(pm.rowCount())]
    assert problems == [["李乙", make_id(born="19520101", seq="122"), "郭家店镇", "在花名册中", "960.00", "无银行账号"]]
    assert view.problems_box.title() == "需要处理的人（1）"

    # the bank file: the person with an account, and who was left out
    bank = tmp_path / "银行.xlsx"
    view.export_bank_file(bank)
    qtbot.waitUntil(lambda: view.last_bank_file is not None, timeout=30_000)
    values = [r for r in load_workbook(bank).active.iter_rows(values_only=True)]
    assert any("王甲" in r for r in values) and not any("李乙" in r for r in values)
    assert "李乙" in view.bank_result.text() and "960.00" in view.bank_result.text()

    # FP-PAYROLL
    roll_file = tmp_path / "发放.xlsx"
    view.returns.export_to("xlsx", roll_file)
    qtbot.waitUntil(lambda: view.returns.last_export == roll_file or bool(boxes), timeout=30_000)
    assert not boxes, boxes
    cells = [c for r in load_workbook(roll_file).active.iter_rows(values_only=True) for c in r if c is not None]
    assert "王甲" in cells and "李乙" in cells

    # paid: read-only, and a rebuild is refused with the core's message
    view.paid_date.setDate(QDate(2024, 6, 28))
    view.mark_paid_dialog()
    qtbot.waitUntil(lambda: view.roll.status == "PAID", timeout=30_000)
    assert "不能再修改" in boxes[0][1] and "1 人无银行账号" in boxes[0][1]    # the confirmation asked first
    boxes.clear()
    assert "已于 2024-06-28 发放" in view.state_label.text() and "只读" in view.state_label.text()
    assert not view.paid_button.isEnabled()
    view.build()
    qtbot.waitUntil(lambda: bool(boxes), timeout=30_000)
    assert "已于 2024-06-28 发放" in boxes[-1][1] and "不能重新计算" in boxes[-1][1]
    assert "不能重新计算" in view.message.text()
    assert view.roll.status == "PAID" and view.roll.total == Decimal("1920.00")


def test_payroll_refused_before_the_year_is_approved(qtbot, db, admin, boxes):
    with db.session(admin) as s:
        rs.save_recipient(s, admin, rural("王甲", "19500101", "112"), year=2024)
    view = PayrollView(ctx_for(db, admin))
    qtbot.addWidget(view)
    view.program_combo.setCurrentIndex(view.program_combo.findData("RURAL_REWARD"))
    view.year_spin.setValue(2024)
    view.build()
    qtbot.waitUntil(lambda: bool(boxes), timeout=30_000)
    assert "尚未确认" in boxes[-1][1] and view.roll is None


# -- a confirmed year opened again; cancelling; the payroll's people who need a look -----------------

def state_of(view: YearWizard, recipient_id: int) -> tuple[str, str, bool]:
    """(决定, 确认情况, bold) of a continuing person in the 年审 table."""
    model = view.cont_model
    row = row_of(model, recipient_id)
    font = model.index(row, ReviewModel.DECISION).data(Qt.ItemDataRole.FontRole)
    return (model.index(row, ReviewModel.DECISION).data(), model.index(row, ReviewModel.STATE).data(),
            bool(font and font.bold()))


def test_reopening_a_confirmed_year_shows_the_saved_decisions_and_changes_one_through_the_core(
        qtbot, db, clerk, admin, supervisor, village, boxes):
    with db.session(admin) as s:          # confirmed earlier: the clerk kept 孙已故 though flagged 死亡
        yc.confirm_year(s, admin, "RURAL_REWARD", 2024, {village["died"]: "CONTINUE"}, notice_start=date(2024, 3, 1))
    view = open_year(qtbot, ctx_for(db, clerk))
    assert view.review_button.text() == "打开已确认名单(&R)"
    assert view.confirm_button.text() == "重新确认并重新公示(&C)"
    review(qtbot, view)
    assert state_of(view, village["died"]) == ("继续享受", "已确认（与审查建议不同）", True)
    assert cell(view.cont_model, village["died"], 4) == "退出"           # the proposal is still shown beside it
    assert state_of(view, village["keeps"]) == ("继续享受", "已确认", False)
    assert cell(view.new_model, village["new"], ReviewModel.DECISION) == "新增"
    assert view.review_note.isVisibleTo(view) and "已保存的决定" in view.review_note.text()
    assert "与审查建议不同的 1 人" in view.review_note.text()
    view.steps.setCurrentIndex(2)
    assert "新增 1 人，继续享受 2 人，退出 0 人，不予纳入 1 人" in view.summary.text()
    assert "立即保存" in view.summary.text()

    # a change in the table is saved at once through change_entry (no re-confirmation)
    model = view.cont_model
    assert not model.setData(model.index(row_of(model, village["keeps"]), ReviewModel.DECISION), "EXIT")
    qtbot.waitUntil(lambda: view.last_change is not None, timeout=30_000)
    assert not boxes, boxes
    decision, state, bold = state_of(view, village["keeps"])
    assert decision == "退出" and bold and state.startswith("确认后由 clerk 于 ") and state.endswith("修改")
    assert cell(model, village["keeps"], ReviewModel.REASON) == "其他"
    with db.session(admin) as s:
        keeps = s.get(Recipient, village["keeps"])
        assert (keeps.status, keeps.exit_reason, keeps.exit_date) == ("EXITED", "其他", date(2023, 12, 31))
        from core.audit import query_audit
        assert any(a.action == "confirm_year" and "王继续" in a.record_label
                   and a.changes["decision"] == ["继续享受", "退出（其他）"] for a in query_audit(s, admin, user="clerk"))
    assert "继续享受 1 人，退出 1 人" in view.summary.text()
    assert view.status.status == "CONFIRMED" and view.status.notice_start == date(2024, 3, 1)   # 公示 not restarted

    # opened once more: the saved decisions again, not a fresh proposal
    again = open_year(qtbot, ctx_for(db, clerk))
    review(qtbot, again)
    assert state_of(again, village["keeps"])[:2] == ("退出", state)
    assert state_of(again, village["died"])[0] == "继续享受"

    # approved: read-only here, and the core refuses behind the screen's back
    with db.session(supervisor) as s:
        yc.approve_year(s, supervisor, "RURAL_REWARD", 2024, on=date(2024, 3, 8))
    again.refresh()
    assert again.status.locked and not again.confirm_button.isEnabled()
    assert "已审核锁定的名单，只能查看" in again.summary.text() and "已审核锁定、只能查看" in again.review_note.text()
    index = again.cont_model.index(row_of(again.cont_model, village["died"]), ReviewModel.DECISION)
    assert not (again.cont_model.flags(index) & Qt.ItemFlag.ItemIsEditable)
    again.last_change = None
    assert not again.cont_model.setData(index, "EXIT")
    again.change_decision(next(i for i in again.cont_model.items if i.recipient_id == village["died"]), "EXIT", "死亡")
    qtbot.waitUntil(lambda: bool(boxes), timeout=30_000)
    assert "审批锁定" in boxes[-1][1] and "审批锁定" in again.message.text()
    with db.session(admin) as s:
        assert s.get(Recipient, village["died"]).status == "ACTIVE"


def press_cancel_when_shown(qtbot, view, release: threading.Event, text: str) -> None:
    """Wait for the progress dialog of the work, press its 取消 button, then let the work go on."""
    def dialog():
        found = [d for d in view.findChildren(QProgressDialog) if d.isVisible()]
        return found[0] if found else None
    qtbot.waitUntil(lambda: dialog() is not None, timeout=10_000)
    d = dialog()
    qtbot.waitUntil(lambda: text in d.labelText(), timeout=10_000)
    button = next(b for b in d.findChildren(QPushButton) if b.text() == "取消")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    release.set()


def blocking(release: threading.Event, from_fraction: float = 0.0):
    def hook(done: int, total: int) -> bool:
        if done >= total * from_fraction:
            release.wait(20)
        return True
    return hook


def test_cancelling_the_review_and_the_confirmation(qtbot, db, clerk, admin, village, boxes):
    def snapshot():
        with db.session(admin) as s:
            return ({r.id: (r.status, r.first_year, r.exit_reason, r.version) for r in s.query(Recipient)},
                    s.query(yc.YearEntry).count(), s.query(yc.YearConfirmation).count())
    before = snapshot()
    view = open_year(qtbot, ctx_for(db, clerk))
    release = threading.Event()
    view.start_review(hook=blocking(release))
    press_cancel_when_shown(qtbot, view, release, "正在审查")
    qtbot.waitUntil(lambda: "已取消审查" in view.message.text(), timeout=30_000)
    assert view.review is None and view.new_model.rowCount() == 0 and not view.confirm_button.isEnabled()

    review(qtbot, view)
    assert view.cont_model.set_decision(village["keeps"], "EXIT", "户籍迁出")
    release = threading.Event()        # block once the records are changed, before the entries
    view.confirm(hook=blocking(release, 2 / 3))
    press_cancel_when_shown(qtbot, view, release, "正在确认")
    qtbot.waitUntil(lambda: "已取消资格确认" in view.message.text(), timeout=30_000)
    assert "数据库未做任何改动" in view.message.text() and not boxes
    assert snapshot() == before
    assert "未确认" in view.state_label.text() and view.confirm_button.isEnabled()
    assert cell(view.cont_model, village["keeps"], ReviewModel.DECISION) == "退出"     # the decisions are kept


def test_payroll_lists_the_people_who_need_a_look_whenever_a_roll_is_shown(qtbot, db, admin, supervisor, paid_people,
                                                                          boxes, tmp_path):
    from core.subsidy import payroll as pr
    with db.session(admin) as s:          # built earlier, elsewhere
        pr.build_roll(s, admin, "RURAL_REWARD", "2024")
    view = PayrollView(ctx_for(db, supervisor))
    qtbot.addWidget(view)
    view.program_combo.setCurrentIndex(view.program_combo.findData("RURAL_REWARD"))
    view.year_spin.setValue(2024)
    qtbot.waitUntil(lambda: view.problems is not None, timeout=30_000)
    assert view.problems_box.title() == "需要处理的人（1）" and view.problem_model.item(0, 0).text() == "李乙"

    with db.session(admin) as s:          # an applicant of age registered after the confirmation
        rs.save_recipient(s, admin, rural("陈后报", "19630101", "172", status="APPLIED", first_year=None), year=2024)
    view.refresh()
    qtbot.waitUntil(lambda: view.problems is not None and len(view.problems) == 2, timeout=30_000)
    pm = view.problem_model
    rows = {pm.item(r, 0).text(): [pm.item(r, c).text() for c in range(pm.columnCount())] for r in range(pm.rowCount())}
    assert rows["陈后报"][3:] == ["未列入花名册", "—", "申请中，尚未经2024年度资格确认"]
    assert rows["李乙"][3:] == ["在花名册中", "960.00", "无银行账号"]
    assert view.problems_box.title() == "需要处理的人（2）"
    assert "在花名册中 1 人" in view.problem_note.text() and "未列入花名册 1 人" in view.problem_note.text()
    assert view.problems_button.isEnabled()

    out = tmp_path / "需要处理的人.xlsx"
    view.export_problems(out)
    qtbot.waitUntil(lambda: view.last_problems_file is not None or bool(boxes), timeout=30_000)
    assert not boxes, boxes
    names = {r[1] for r in load_workbook(out).active.iter_rows(values_only=True) if r and isinstance(r[0], int)}
    assert names == {"李乙", "陈后报"} and "2 人" in view.problems_result.text()
