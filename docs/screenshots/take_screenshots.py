"""Take the screenshots in this folder from the real windows, on a fresh demo database.

    xvfb-run -a -s "-screen 0 1366x768x24" python docs/screenshots/take_screenshots.py

Uses a temporary data folder (nothing of yours is touched). Each window is shown, given a moment to
lay out, and grabbed to a PNG next to this script; main-window.png is the one the README shows.

One run makes every PNG in this folder: the set-up wizard, login, the main window's areas, the dialogs
of the 文件/设置/帮助 menus, then each area's tabs and dialogs (系统管理 admin-*, 扶助对象 subsidy-*,
妇幼月报 mch-*, 卫生监督 sup-*, 报表 returns*) and two returns rendered to PDF and rasterised with
``pdftoppm -r 80`` (mch-monthly, fp-summary). Dialogs are opened the way the pages open them (open(),
never exec()), grabbed and closed unsaved.

The demo has no 妇幼月报 figures, so after the main-window shots (which show the demo as installed) the
script enters 13 months of them through core as the demo 录入员 (warnings explained, then 上报) and the
审核员 approves or returns them (seed_mch). For 年度确认 and 资金发放 it records three deaths, four
missing bank accounts and two applicants, then confirms and approves this year's 农村部分计划生育家庭
奖励扶助 (seed_subsidy, seed_payroll), so the payroll has people to show under 需要处理的人.
"""
from __future__ import annotations

import os
import random
import subprocess
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT))
os.environ["WEIJIAN_DATA_DIR"] = tempfile.mkdtemp(prefix="weijian-shots-")
os.environ.pop("WEIJIAN_DB", None)

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QWidget  # noqa: E402


def settle(ms: int = 300) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def shoot(widget: QWidget, name: str, ms: int = 300) -> None:
    widget.show()
    widget.raise_()
    settle(ms)
    widget.grab().save(str(HERE / f"{name}.png"))
    print("saved", name)


def wait_until(predicate, timeout_ms: int = 30_000) -> None:
    waited = 0
    while not predicate():
        settle(50)
        waited += 50
        if waited > timeout_ms:
            raise TimeoutError("waited too long")


PAGE_SIZE = (1200, 760)     # an area page on its own, as it sits beside the sidebar of a 1366 × 768 screen


def shoot_page(widget: QWidget, name: str, ms: int = 500) -> None:
    widget.resize(*PAGE_SIZE)
    shoot(widget, name, ms)


def shoot_dialog(dialog: QWidget, name: str, ms: int = 400) -> None:
    """A dialog the page opened with open() (never exec()): grab it, then close it without saving."""
    shoot(dialog, name, ms)
    dialog.done(0)
    settle(100)


def shoot_pdf_page(ctx, return_id: str, period: str | None, name: str, program: str | None = None) -> None:
    """Page 1 of a return rendered by the returns engine, rasterised like the docs do (80 dpi)."""
    from core.returns.catalogue import build_return
    from core.returns.render import render
    folder = Path(tempfile.mkdtemp(prefix="weijian-pdf-"))
    pdf = folder / f"{name}.pdf"
    with ctx.db.session(ctx.actor) as s:
        render(build_return(s, ctx.actor, return_id, period, None, program), "pdf", pdf)
    subprocess.run(["pdftoppm", "-r", "80", "-png", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                    str(folder / name)], check=True)
    (HERE / f"{name}.png").write_bytes((folder / f"{name}.png").read_bytes())
    print("saved", name)


# -- data the demo does not have --------------------------------------------------------------------------
def mch_counts(rnd: random.Random, size: float) -> dict[tuple[str, str], int]:
    """One township-month of plausible 妇幼 counts: the benchmark's, at least 4 births, populations varying."""
    from tests.benchmarks.mch_bench import month_counts
    return month_counts(rnd, size, min_births=4, jitter=True)


def explain_warnings(s, clerk, town: str, month: str, counts, known) -> None:
    """What a 录入员 does before 上报: a 说明 on the value each warning questions."""
    from core.mch import rules, values
    for _ in range(3):
        open_warnings = [f for f in rules.check_month(s, town, month).warnings if not f.commented]
        if not open_warnings:
            return
        for f in open_warnings:
            code, option = f.elements[0]
            note = ("已核实：本月集中开展筛查，人数属实" if f.kind == "OUTLIER"
                    else "已核实：含外地分娩、回本地建档和筛查的人数")
            values.save_value(s, clerk, town, month, code, option, counts.get((code, option), ""), comment=note,
                              elements=known)


def seed_mch(db, clerk, supervisor) -> tuple[list[str], str]:
    """13 months of figures for every township, typed and submitted by the 录入员 and approved by the 审核员
    through core. The last month: the first township still 填报中 with an uncommented maternal death (a
    warning), the second and the last-but-one 已上报, the third 已退回, the last not started, the rest 审核通过.
    Each month's report is then dated as it would have been (early in the next month, now and then late),
    so 完整性 shows 及时 and 迟报. Returns (township codes, that month)."""
    from datetime import datetime
    from sqlalchemy import select
    from core import orgunits
    from core.mch import elements, rules, values, workflow
    from db.models.mch import MonthReport
    from gui.mch import last_month, previous_months
    rnd = random.Random(7)
    shown = last_month()
    months = list(reversed(previous_months(shown, 13)))
    with db.session(clerk) as s:
        towns = [u.code for u in orgunits.townships(s)]
        known = elements.list_elements(s, include_inactive=True)
    known_codes = {e.code for e in known}
    for n, town in enumerate(towns):
        size = rnd.uniform(0.6, 1.6)
        for month in months:
            last = month == shown
            if last and n == len(towns) - 1:
                continue                                           # 未上报
            counts = mch_counts(rnd, size)
            if last and n == 0:
                counts[("MCH_MATERNAL_DEATHS", "")] = 1
            with db.session(clerk) as s:
                for (code, option), value in counts.items():
                    if code in known_codes:
                        values.save_value(s, clerk, town, month, code, option, value, elements=known)
                if last and n == 0:
                    continue                                       # 填报中
                explain_warnings(s, clerk, town, month, counts, known)
                workflow.submit(s, clerk, town, month, check=rules.check_month)
            if last and n in (1, len(towns) - 2):
                continue                                           # 已上报, waiting for review
            with db.session(supervisor) as s:
                if last and n == 2:
                    workflow.return_report(s, supervisor, town, month, "活产数与住院分娩活产数请与县医院产科核对后重新上报")
                else:
                    workflow.approve(s, supervisor, town, month)
    now = datetime.utcnow()
    with db.session(supervisor) as s:
        for r in s.execute(select(MonthReport).where(MonthReport.submitted_at.is_not(None))).scalars():
            y, m = int(r.period[:4]), int(r.period[4:])
            day = rnd.randint(8, 14) if rnd.random() < 0.12 else rnd.randint(1, 4)
            on = datetime(y + (m == 12), m % 12 + 1, day, rnd.randint(0, 8), rnd.randint(0, 59))
            if on < now:
                r.submitted_at = on
                if r.approved_at is not None:
                    r.approved_at = min(now, on + timedelta(days=rnd.randint(1, 3), hours=rnd.randint(0, 6)))
    return towns, shown


def seed_subsidy(db, admin, year: int) -> None:
    """Work for 年度确认 and 资金发放: three people died this year, four have no bank account yet, and two
    applicants turn 60 this year."""
    from stdnum.cn import ric
    from sqlalchemy import select
    from core import orgunits
    from core.subsidy import recipients as rs
    from db.models.subsidy import Recipient
    with db.session(admin) as s:
        ids = s.execute(select(Recipient.id).where(Recipient.program_code == "RURAL_REWARD", Recipient.status == "ACTIVE")
                        .order_by(Recipient.id).limit(60)).scalars().all()
        for n, rid in enumerate(ids[5:60:9]):
            data, version = rs.load_input(s, rid)
            if n < 3:
                data.death_date = date(year, 2 + n * 2, 10 + n)
            else:
                data.account_no, data.bank_name = "", ""
            rs.save_recipient(s, admin, data, recipient_id=rid, expected_version=version, year=year)
        town = orgunits.townships(s)[1]
        village = next(u.code for u in orgunits.list_units(s) if u.parent_code == town.code)
        for seq, (name, born, sex, child) in enumerate([("赵淑兰", date(year - 60, 3, 12), "女", "王红"),
                                                          ("孙国庆", date(year - 60, 10, 1), "男", "孙丽")], start=901):
            body = f"990101{born:%Y%m%d}{seq:03d}"
            rs.save_recipient(s, admin, rs.RecipientInput(
                name=name, id_number=body + ric.calc_check_digit(body + "0"), township=town.code, village=village,
                hukou="农业", marital="已婚", program="RURAL_REWARD", status="APPLIED", bank_name="农村信用社",
                account_no=f"62179800{seq:03d}12345678", children=[rs.ChildInput(child, "女")]), year=year)


def seed_payroll(db, admin, supervisor, year: int) -> None:
    """This year's 农村部分计划生育家庭奖励扶助 confirmed as proposed (公示 over) and approved."""
    from core.subsidy import yearly_cycle as yc
    with db.session(admin) as s:
        yc.confirm_year(s, admin, "RURAL_REWARD", year, notice_start=date.today() - timedelta(days=40))
    with db.session(supervisor) as s:
        yc.approve_year(s, supervisor, "RURAL_REWARD", year)


def main() -> int:
    from gui.app import create_application
    app = create_application()  # noqa: F841

    from core import users
    from core.database import Database
    from core.paths import demo_database_path
    from gui.context import AppContext
    from gui.setup_wizard import COUNTY_PAGE, SetupWizard

    # -- the set-up wizard, page by page, building the demo database at the end
    wizard = SetupWizard()
    shoot(wizard, "wizard-1-mode")
    wizard.next()
    assert wizard.currentId() == COUNTY_PAGE
    wizard.county_page.code_edit.setText("220322")
    shoot(wizard, "wizard-2-county")
    wizard.county_page.township_check.setChecked(True)
    shoot(wizard, "wizard-2-county-township")
    wizard.county_page.township_check.setChecked(False)
    wizard.next()
    page = wizard.account_page
    page.username_edit.setText("zhangsan")
    page.name_edit.setText("张三")
    page.password_edit.setText("abc")
    shoot(wizard, "wizard-3-account-invalid")
    page.password_edit.setText("abc12345")
    page.again_edit.setText("abc12345")
    shoot(wizard, "wizard-3-account")
    wizard.next()
    shoot(wizard, "wizard-4-location")
    wizard.back()
    wizard.back()
    wizard.back()
    wizard.mode_page.demo_radio.setChecked(True)
    wizard.next()
    shoot(wizard, "wizard-5-demo")
    wizard.accept()
    wait_until(lambda: not wizard.isVisible())

    db = Database.connect(demo_database_path())

    from gui.login_dialog import LoginDialog
    login = LoginDialog(db, county_name="演示县", is_demo=True, username="")
    shoot(login, "login")
    login.username_edit.setText("admin")
    login.password_edit.setText("wrong-pass1")
    login.try_login()
    wait_until(lambda: login.message.text() not in ("", "正在登录……"))
    shoot(login, "login-wrong-password")
    login.close()

    actor = users.login(db, "admin", "demo1234")
    ctx = AppContext(db=db, actor=actor, county_code="990101", county_name="演示县", is_demo=True)
    from gui.main_window import AREAS, MainWindow
    window = MainWindow(ctx)
    window.show()
    settle(800)
    shoot(window, "main-window", 800)
    for area in AREAS[1:]:
        window.show_area(area.key)
        shoot(window, f"main-{area.key}", 600)
    window.show_area("home")

    from gui.dialogs.settings_dialog import SettingsDialog
    dialog = SettingsDialog(ctx, window)
    shoot(dialog, "settings")
    dialog.done(0)

    clerk_ctx = AppContext(db=db, actor=users.login(db, "luru", "demo1234"), county_code="990101",
                           county_name="演示县", is_demo=True)
    dialog = SettingsDialog(clerk_ctx, window)
    shoot(dialog, "settings-clerk")
    dialog.done(0)

    from gui.dialogs.about_dialog import AboutDialog
    about = AboutDialog(db.url, window, county="演示县（演示数据）", schema_revision=db.schema().revision)
    shoot(about, "about")
    about.done(0)

    from gui.dialogs.change_password_dialog import ChangePasswordDialog
    change = ChangePasswordDialog(ctx, window)
    change.new_edit.setText("short")
    shoot(change, "change-password")
    change.done(0)

    from gui.dialogs.help_window import open_help
    shoot(open_help("getting-started.html"), "help")
    shoot(open_help("admin.html#users"), "help-admin")
    shoot(open_help("cli.html"), "help-cli")

    supervisor = users.login(db, "shenhe", "demo1234")
    admin_screens(ctx)
    subsidy_screens(ctx, supervisor)
    mch_screens(ctx, supervisor)
    supervision_screens(ctx)
    returns_screens(ctx)

    # A database with no users yet: the wizard's administrator page alone.
    fresh = Database.connect(Path(os.environ["WEIJIAN_DATA_DIR"]) / "fresh.sqlite", create=True)
    from core.access import Actor
    from core.installation import initialise
    initialise(fresh, Actor.system(), "220322")
    first_admin = SetupWizard(admin_only=True, database=fresh)
    shoot(first_admin, "wizard-first-admin")
    first_admin.done(0)
    return 0



# -- 系统管理 ----------------------------------------------------------------------------------------------
def admin_screens(ctx) -> None:
    from gui.pages.admin_page import AdminPage
    page = AdminPage(ctx)
    page.show_tab("orgunits")
    orgs = page.orgunits
    township = next(u for u in orgs.model.units() if u.level == 2)
    orgs.select_code(township.code)
    shoot_page(page, "admin-orgunits")
    orgs.add_child()
    wait_until(lambda: orgs.active_dialog is not None)
    dialog = orgs.active_dialog
    dialog.code_edit.setText(township.code + "299")
    dialog.name_edit.setText("东升村")
    shoot_dialog(dialog, "admin-orgunit-dialog")

    page.show_tab("users")
    shoot_page(page, "admin-users")
    people = page.users
    clerk_row = next(i for i in range(people.model.rowCount()) if people.model.row_at(i).username == "luru")
    people.table.selectRow(clerk_row)
    people.edit_user()
    wait_until(lambda: people.active_dialog is not None)
    shoot_dialog(people.active_dialog, "admin-user-dialog")

    page.show_tab("audit")
    page.audit.refresh()
    shoot_page(page, "admin-audit")
    from core import backup
    from core.paths import backups_dir
    from gui.pages.backup_page import default_backup_name
    backups_dir().mkdir(parents=True, exist_ok=True)
    backup.backup(ctx.db, ctx.actor, backups_dir() / default_backup_name())
    page.show_tab("backup")
    page.backup.refresh()
    shoot_page(page, "admin-backup")
    page.show_tab("holidays")
    shoot_page(page, "admin-holidays")
    page.close()


# -- 扶助对象 ----------------------------------------------------------------------------------------------
def subsidy_screens(ctx, supervisor) -> None:
    from gui.subsidy.subsidy_page import SubsidyPage
    page = SubsidyPage(ctx)
    page.show_tab("花名册")
    roster = page.roster
    shoot_page(page, "subsidy-roster", 800)

    roster.table.selectRow(0)
    roster.open_current()
    wait_until(lambda: roster.active_dialog is not None)
    shoot_dialog(roster.active_dialog, "subsidy-form", 600)
    roster.add()
    wait_until(lambda: roster.active_dialog is not None)
    shoot_dialog(roster.active_dialog, "subsidy-form-new", 600)

    page.open_programmes()
    wait_until(lambda: page.active_dialog is not None)
    shoot_dialog(page.active_dialog, "subsidy-programmes", 600)

    year = date.today().year
    seed_subsidy(ctx.db, ctx.actor, year)
    page.show_tab("年度确认")
    wizard = page.pages["年度确认"]
    wizard.program_combo.setCurrentIndex(wizard.program_combo.findData("RURAL_REWARD"))
    wizard.year_spin.setValue(year)
    wizard.start_review()
    wait_until(lambda: wizard.review is not None, 60_000)
    wizard.steps.setCurrentIndex(1)
    shoot_page(page, "subsidy-year", 600)

    seed_payroll(ctx.db, ctx.actor, supervisor, year)
    page.show_tab("资金发放")
    payroll = page.pages["资金发放"]
    payroll.refresh()
    payroll.program_combo.setCurrentIndex(payroll.program_combo.findData("RURAL_REWARD"))
    payroll.year_spin.setValue(year)
    payroll.build()
    wait_until(lambda: payroll.roll is not None, 60_000)
    wait_until(lambda: payroll.problems is not None, 60_000)
    shoot_page(page, "subsidy-payroll", 800)

    from core.subsidy import payroll as pr       # the roll paid: a person's 发放记录 tab shows it
    with ctx.db.session(supervisor) as s:
        pr.mark_paid(s, supervisor, payroll.roll.id, date.today(), accept_problems=True)
    with ctx.db.session(ctx.actor) as s:
        someone = next(line for line in pr.roll_lines(s, payroll.roll.id) if line.account_no).recipient_id
    page.show_tab("花名册")
    roster.select_id(someone)
    roster.open_current()
    wait_until(lambda: roster.active_dialog is not None)
    form = roster.active_dialog
    form.tabs.setCurrentWidget(form.payments_page)
    shoot_dialog(form, "subsidy-form-payments", 600)
    form.reject()

    page.show_tab("导入")
    importer = page.pages["导入"].open_wizard()      # its first page: choose the workbook
    importer.resize(*PAGE_SIZE)
    shoot_dialog(importer, "subsidy-import", 500)
    page.close()


# -- 妇幼月报 ----------------------------------------------------------------------------------------------
def mch_screens(ctx, supervisor) -> None:
    from gui.context import AppContext
    from gui.mch.entry_grid import COL_COMMENT
    from gui.mch.mch_page import MchPage
    from core import users
    towns, month = seed_mch(ctx.db, users.login(ctx.db, "luru", "demo1234"), supervisor)
    page = MchPage(ctx)
    page.show_tab("月报录入")
    entry = page.entry
    entry.choose(towns[0], month)
    shoot_page(page, "mch-entry", 600)

    sheet = entry.sheet
    row = sheet.model.row_of(("MCH_MATERNAL_DEATHS", ""))
    dialog = sheet.edit_comment(sheet.model.index(row, COL_COMMENT))
    dialog.editor.setPlainText("产妇在县医院产后大出血，抢救无效死亡，已上报县妇幼保健院。")
    shoot_dialog(dialog, "mch-comment-dialog")

    # 审核 as the 审核员 (退回 and 审核通过 are theirs)
    sup_ctx = AppContext(db=ctx.db, actor=supervisor, county_code=ctx.county_code, county_name=ctx.county_name,
                         is_demo=ctx.is_demo)
    review_page = MchPage(sup_ctx)
    review_page.show_tab("审核")
    review = review_page.review
    review.set_period(month)
    review.select(towns[1])
    shoot_page(review_page, "mch-review", 600)
    dialog = review.return_dialog()
    dialog.editor.setPlainText("产妇数与住院分娩活产数请与县医院产科核对后重新上报")
    shoot_dialog(dialog, "mch-return-dialog")
    review_page.close()

    page.show_tab("完整性")
    page.completeness.year_spin.setValue(int(month[:4]))
    page.completeness.refresh()
    shoot_page(page, "mch-completeness", 600)

    page.show_tab("指标图表")
    charts = page.charts
    year_ago = f"{int(month[:4]) - 1}{month[4:]}"
    charts.choose(indicator="HOSPITAL_DELIVERY", mode="trend", period=f"{year_ago}..{month}", township=None)
    shoot_page(page, "mch-chart", 800)
    charts.choose(indicator="EARLY_REGISTERED", mode="townships", period=month[:4])
    shoot_page(page, "mch-chart-townships", 800)
    page.close()

    shoot_pdf_page(ctx, "MCH-MONTHLY", month, "mch-monthly")


# -- 卫生监督 ----------------------------------------------------------------------------------------------
def supervision_screens(ctx) -> None:
    from gui.supervision.supervision_page import SupervisionPage
    page = SupervisionPage(ctx)
    page.show_tab("案件登记")
    register = page.register
    shoot_page(page, "sup-register", 600)

    rows = register.model.loaded_rows()
    decided = next((r for r in rows if r.decided_on and r.stage == "EXECUTION"), None) \
        or next(r for r in rows if r.decided_on)
    register.select_case(decided.id)
    register.open_selected()
    wait_until(lambda: register.active_dialog is not None)
    form = register.active_dialog
    form.tabs.setCurrentIndex(1)                       # 办理与期限: the stages up to the decision and after
    shoot_dialog(form, "sup-case-form", 800)

    page.show_tab("双随机抽查")
    shoot_page(page, "sup-tasks", 600)
    page.show_tab("投诉举报")
    shoot_page(page, "sup-complaints", 600)
    page.close()


# -- 报表 ------------------------------------------------------------------------------------------------
def returns_screens(ctx) -> None:
    from gui.mch import last_month
    from gui.pages.returns_page import ReturnsPage
    page = ReturnsPage(ctx)
    page.select_return("MCH-MONTHLY")
    page.period_edit.setText(last_month())
    shoot_page(page, "returns", 500)
    page.preview_current()
    wait_until(lambda: page.preview is not None, 60_000)
    shoot_dialog(page.preview, "returns-preview", 1000)
    page.close()

    shoot_pdf_page(ctx, "FP-SUMMARY", str(date.today().year), "fp-summary", "RURAL_REWARD")


if __name__ == "__main__":
    sys.exit(main())
