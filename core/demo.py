"""Demo data: a clearly marked, generated county "演示县" so a newcomer sees a living program.

No real person or place: the county code 990101 is outside every province (99 is unused in
GB/T 2260), names are generated, and the installation is flagged ``installation.is_demo``.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field

from core import orgunits, settings, users
from core.access import Actor, Role
from core.database import Database
from core.divisions import DEMO_COUNTY_CODE
from core.errors import DataError
from core.installation import initialise, is_initialised
from db.schema import SchemaState

DEMO_COUNTY_NAME = "演示县"
DEMO_PASSWORD = "demo1234"
DEMO_RECIPIENTS = 300          # generated subsidy recipients when the program offers the demo
DEMO_USERS = [("admin", "演示管理员", Role.ADMIN), ("shenhe", "演示审核员", Role.SUPERVISOR), ("luru", "演示录入员", Role.CLERK)]

_TOWN_STEMS = ["东风", "红旗", "向阳", "太平", "新华", "永安", "长青", "光明", "和平", "胜利", "兴隆", "丰收"]
_VILLAGE_STEMS = ["前进", "民主", "团结", "幸福", "友谊", "建设", "富强", "五星", "新立", "双山", "三合", "四方",
                  "榆树", "杨树", "柳河", "大屯", "小屯", "王家", "李家", "张家"]


@dataclass
class DemoResult:
    county_code: str
    townships: int = 0
    villages: int = 0
    users: list[str] = field(default_factory=list)
    recipients: int = 0
    cases: int = 0                 # 卫生监督 demo: penalty cases, of which overdue (as of today)
    overdue_cases: int = 0
    random_tasks: int = 0
    complaints: int = 0
    notes: list[str] = field(default_factory=list)


def create_demo(db: Database, actor: Actor, *, seed: int = 1, townships: int = 8, recipients: int = 0) -> DemoResult:
    """Fill an empty (or demo) database with the demo county. Refuses a real county's database."""
    state = db.schema().state
    if state is not SchemaState.EMPTY and is_initialised(db):
        with db.session() as session:
            if not settings.get(session, "installation.is_demo"):
                county = orgunits.county(session)
                raise DataError(f"此数据库属于 {county.code} {county.name}（真实数据），不能加入演示数据。"
                                "请用 --db 指定另一个数据库文件。")
    rng = random.Random(seed)
    initialise(db, actor, DEMO_COUNTY_CODE, DEMO_COUNTY_NAME, fill_townships=False, demo=True)
    result = DemoResult(DEMO_COUNTY_CODE)
    with db.session(actor) as session:
        stems = rng.sample(_TOWN_STEMS, k=min(townships, len(_TOWN_STEMS)))
        for i, stem in enumerate(stems):
            kind = "镇" if i < max(1, len(stems) * 2 // 3) else "乡"
            tcode = f"{DEMO_COUNTY_CODE}{(100 if kind == '镇' else 200) + i + 1:03d}"
            if orgunits.get_unit(session, tcode) is None:
                orgunits.add_unit(session, actor, tcode, f"{stem}{kind}", DEMO_COUNTY_CODE)
                result.townships += 1
            for j, vstem in enumerate(rng.sample(_VILLAGE_STEMS, k=rng.randint(3, 6))):
                vcode = f"{tcode}{200 + j + 1:03d}"
                if orgunits.get_unit(session, vcode) is None:
                    orgunits.add_unit(session, actor, vcode, f"{vstem}村", tcode)
                    result.villages += 1
        if users.count_users(session) == 0:
            for username, name, role in DEMO_USERS:
                users.create_user(session, actor, username, name, role, DEMO_PASSWORD)
                result.users.append(username)
    if recipients:
        result.recipients = _demo_recipients(db, actor, rng, recipients)
    _demo_supervision(db, actor, rng, result)
    return result


_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶"
_GIVEN = "淑秀英华玉兰桂芳凤珍春梅丽云霞金荣德明国志建军文海福山永成宝贵树林振庆"
_BANKS = ["农村信用社", "中国邮政储蓄银行", "中国农业银行", "农村商业银行"]


def _demo_recipients(db: Database, actor: Actor, rng: random.Random, n: int) -> int:
    """Generated people of the demo county, through the same checks as the form (one transaction)."""
    from datetime import date
    from stdnum.cn import ric
    from core.subsidy import recipients as rs
    from core.subsidy.eligibility import DEAD
    with db.session(actor) as session:
        towns = [u for u in orgunits.list_units(session) if u.level == 2]
        villages: dict[str, list[str]] = {}
        for u in orgunits.list_units(session):
            if u.level == 3:
                villages.setdefault(u.parent_code or "", []).append(u.code)
        checker = rs.RecipientChecker(session, date.today().year, preload_registered=True)
        made, seq = 0, 0
        while made < n and seq < n * 3:
            seq += 1
            special = rng.random() < 0.1
            born = date(rng.randint(1938, 1960 if not special else 1972), rng.randint(1, 12), rng.randint(1, 28))
            body = f"{DEMO_COUNTY_CODE}{born:%Y%m%d}{seq % 1000:03d}"
            number = body + ric.calc_check_digit(body + "0")
            town = rng.choice(towns)
            child = rs.ChildInput(rng.choice(_SURNAMES) + rng.choice(_GIVEN), rng.choice(["男", "女"]),
                                  status=DEAD if special else "ALIVE")
            data = rs.RecipientInput(
                name=rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.randint(1, 2))),
                id_number=number, township=town.code, village=rng.choice(villages.get(town.code, [""])),
                hukou="农业", marital=rng.choice(["已婚", "已婚", "丧偶"]),
                program="SPECIAL_DEATH" if special else "RURAL_REWARD", children=[child],
                first_year=max(born.year + (49 if special else 60), 2008), bank_name=rng.choice(_BANKS),
                account_no="6217" + "".join(rng.choice("0123456789") for _ in range(15)), status="ACTIVE")
            checked = checker.check(data)
            if not checked.ok:
                continue
            saved = rs.save_recipient(session, actor, data)
            checker.remember(saved.id, checked, data.program, "ACTIVE")
            made += 1
    return made


# -- 卫生监督 ------------------------------------------------------------------------------------------
# (category, source, cause, violated, basis, party suffix, penalties) — typical county cases, generated parties
_CASE_KINDS = [
    ("MEDICAL", "未取得《医疗机构执业许可证》擅自执业", "《医疗机构管理条例》第十四条", "《医疗机构管理条例》第四十三条",
     "诊所", [("WARNING", None), ("FINE", "5000")]),
    ("MEDICAL", "使用非卫生技术人员从事医疗卫生技术工作", "《医疗机构管理条例》第二十七条", "《医疗机构管理条例》第四十七条",
     "卫生室", [("WARNING", None), ("FINE", "3000")]),
    ("PUBLIC_PLACE", "公共场所经营者未取得卫生许可证擅自营业", "《公共场所卫生管理条例》第八条",
     "《公共场所卫生管理条例实施细则》第三十五条", "宾馆", [("WARNING", None), ("FINE", "1000")]),
    ("PUBLIC_PLACE", "安排未获得有效健康合格证明的从业人员从事直接为顾客服务工作",
     "《公共场所卫生管理条例实施细则》第十条", "《公共场所卫生管理条例实施细则》第三十八条", "浴池",
     [("WARNING", None), ("FINE", "800")]),
    ("DRINKING_WATER", "供水单位供应的饮用水不符合国家卫生标准", "《生活饮用水卫生监督管理办法》第六条",
     "《生活饮用水卫生监督管理办法》第二十六条", "供水站", [("WARNING", None), ("FINE", "2000")]),
    ("INFECTIOUS", "未按规定对医疗废物进行分类收集", "《医疗废物管理条例》第十六条", "《医疗废物管理条例》第四十六条",
     "卫生院", [("WARNING", None)]),
    ("OCCUPATIONAL", "未按照规定组织劳动者进行职业健康检查", "《中华人民共和国职业病防治法》第三十五条",
     "《中华人民共和国职业病防治法》第七十一条", "建材有限公司", [("WARNING", None), ("FINE", "50000")]),
    ("DISINFECTION", "经营无生产企业卫生许可证的消毒产品", "《消毒管理办法》第三十一条", "《消毒管理办法》第四十七条",
     "商店", [("FINE", "1500")]),
    ("SCHOOL", "学校教学环境采光照明不符合国家卫生标准", "《学校卫生工作条例》第六条", "《学校卫生工作条例》第三十三条",
     "中心小学", [("WARNING", None)]),
]
_SHOP_STEMS = ["康宁", "仁和", "永康", "惠民", "福寿", "安泰", "德顺", "同心", "百姓", "新兴", "兴旺", "顺达"]
_OFFICERS = [("演示执法员甲", "99010001"), ("演示执法员乙", "99010002"), ("演示执法员丙", "99010003"),
             ("演示执法员丁", "99010004")]

# How far each demo case has got: (days since 立案, procedure, steps as (stage or REPORT1/REPORT2, days after 立案)).
_FULL = [("INVESTIGATED", 12), ("NOTICE", 20), ("DECISION", 36), ("SERVED", 38), ("REPORT1", 40),
         ("EXECUTION", 50), ("CLOSED", 55), ("REPORT2", 57)]
_CASE_PLANS: list[tuple[int, str, list[tuple[str, int]]]] = (
    [(age, "NORMAL", _FULL) for age in (300, 260, 230, 200, 170, 150, 130, 110, 95, 80)]          # closed
    + [(age, "NORMAL", _FULL[:6]) for age in (70, 62)]                                               # executed
    + [(age, "NORMAL", _FULL[:5]) for age in (44, 41)]                                               # served
    + [(age, "NORMAL", [("INVESTIGATED", 8), ("NOTICE", 15)]) for age in (24, 18)]                   # told
    + [(age, "NORMAL", [("INVESTIGATED", 10)]) for age in (30, 20)]                                  # investigated
    + [(age, "NORMAL", []) for age in (12, 6, 2)]                                                    # just filed
    + [(age, "NORMAL", [("INVESTIGATED", 10), ("NO_PENALTY", 20), ("CLOSED", 25)]) for age in (120, 60)]
    + [(90, "NORMAL", [("REVOKED", 15), ("CLOSED", 18)])]
    + [(age, "SIMPLE", [("DECISION", 0), ("REPORT1", 2), ("EXECUTION", 3), ("CLOSED", 3), ("REPORT2", 5)])
       for age in (100, 45)]
    + [(100, "NORMAL", [("INVESTIGATED", 20)]),                      # overdue: no decision within 90 days
       (45, "NORMAL", [("INVESTIGATED", 8), ("NOTICE", 14), ("DECISION", 28)])]   # overdue: decision not served
)
_LEADS = [2, 25]                 # 线索受理 days ago, not yet filed (the older one is past the 7 working days)


def _credit_code(rng: random.Random) -> str:
    from stdnum.cn import uscc
    body = "92" + DEMO_COUNTY_CODE + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
    return body + uscc.calc_check_digit(body)


def _demo_supervision(db: Database, actor: Actor, rng: random.Random, result: DemoResult) -> None:
    """≈30 cases in every stage (a few overdue), ≈20 双随机 tasks and ≈15 complaints, through the core services
    with dates relative to today. Skipped when the database already has cases (demo run twice)."""
    from datetime import date, timedelta
    from sqlalchemy import func, select
    from core.supervision import case_stages, cases as cs, complaints as cp, random_tasks as rt
    from core.supervision.case_deadlines import overdue_cases
    from core.supervision.codes import COMPLAINT_CHANNELS
    from db.models.supervision import Case
    today = date.today()
    with db.session(actor) as session:
        if session.execute(select(func.count()).select_from(Case)).scalar_one():
            return
        towns = orgunits.townships(session)
        made: list[tuple] = []              # (id, source, party, township, category, 立案 or 线索 date)
        plans = [(age, proc, steps, None) for age, proc, steps in _CASE_PLANS] + [(age, "NORMAL", [], age) for age in _LEADS]
        for n, (age, procedure, steps, lead_age) in enumerate(plans):
            category, cause, violated, basis, suffix, penalties = _CASE_KINDS[n % len(_CASE_KINDS)]
            if procedure == "SIMPLE":
                category, cause, violated, basis, suffix, penalties = _CASE_KINDS[2]
                penalties = [("WARNING", None), ("FINE", "500")]
            town = towns[n % len(towns)]
            source = ("RANDOM", "COMPLAINT", "ROUTINE", "ROUTINE", "ASSIGNED")[n % 5]
            party = f"{town.name}{_SHOP_STEMS[n % len(_SHOP_STEMS)]}{suffix}"
            filed = today - timedelta(days=age)
            officers = rng.sample(_OFFICERS, 2)
            data = cs.CaseInput(
                cause=cause, category=category, source=source, township=town.code, party_type="UNIT",
                party_name=party, party_code=_credit_code(rng), party_address=f"{town.name}演示街 {n + 1} 号",
                legal_rep=rng.choice(_SURNAMES) + rng.choice(_GIVEN) + rng.choice(_GIVEN), procedure=procedure,
                offence_on=filed - timedelta(days=rng.randint(1, 5)),
                lead_on=filed if lead_age is not None else None, filed_on=None if lead_age is not None else filed,
                facts=f"经现场检查，{party}存在{cause}的行为（演示数据）。", violated=violated, basis=basis,
                officers=[cs.OfficerInput(name, cert) for name, cert in officers],
                penalties=[cs.PenaltyInput(kind, amount) for kind, amount in penalties])
            case_id = cs.save_case(session, actor, data).id
            for stage, after in steps:
                on = filed + timedelta(days=after)
                if stage.startswith("REPORT"):
                    case_stages.record_report(session, actor, case_id, int(stage[-1]), on)
                else:
                    case_stages.advance(session, actor, case_id, stage, on)
            made.append((case_id, source, party, town.code, category, filed))
        result.cases = len(made)

        by_source = {src: [m for m in made if m[1] == src] for src in ("RANDOM", "COMPLAINT")}

        def subject_of(i: int, town_step: int, stem_shift: int, cases: list) -> tuple:
            """(case, name, township, category) of a task or complaint: the party of the case it opened (taken
            from ``cases``), else a generated unit."""
            if cases:
                case = cases.pop()
                return case, case[2], case[3], case[4]
            town, kind = towns[(i * town_step) % len(towns)], _CASE_KINDS[i % len(_CASE_KINDS)]
            return None, f"{town.name}{_SHOP_STEMS[(i + stem_shift) % len(_SHOP_STEMS)]}{kind[4]}", town.code, kind[0]

        # 双随机抽查: due over the last months and the next few weeks; two past due and not done
        levels = ["NATIONAL"] * 3 + ["PROVINCIAL"] * 5 + ["CITY"] * 5 + ["COUNTY"] * 7
        for i, level in enumerate(levels):
            due = today + timedelta(days=30 - i * 13)
            case, target, town_code, category = subject_of(i, 3, 5, by_source["RANDOM"] if i in (4, 9) else [])
            data = rt.TaskInput(year=due.year, level=level, category=category, task_no=f"演示-{due.year}-{i + 1:03d}",
                                township=town_code, target_name=target, target_code=_credit_code(rng),
                                inspectors=[o[0] for o in rng.sample(_OFFICERS, 2)], due_on=due)
            if case:
                data.due_on = max(due, case[5])
            task_id, _ = rt.save_task(session, actor, data)
            if not case and ((due >= today and i % 2) or (due < today and i in (5, 11))):
                continue                                           # not yet due / overdue: not done
            done = min(today, due - timedelta(days=rng.randint(0, 10)) if i != 8 else due + timedelta(days=4))
            if case:                                               # the inspection came before the case
                done = case[5] - timedelta(days=2)
            outcome = "不合格（立案查处）" if case else ("不合格（责令整改）" if i % 4 == 3 else "合格")
            rt.complete_task(session, actor, task_id, done, outcome, "演示数据", case_id=case[0] if case else None)
        result.random_tasks = len(levels)

        # 投诉举报: received over the last months; the newest still being handled
        results = ["属实", "部分属实", "不属实", "属实", "不属于本部门职责"]
        moods = ["满意", "满意", "基本满意", "满意", "不满意", "未评价"]
        for i in range(15):
            received = today - timedelta(days=3 + i * 11)
            case, subject, town_code, category = subject_of(i, 5, 2, by_source["COMPLAINT"] if i in (4, 7) else [])
            if case:                                               # the complaint came before the case
                received = case[5] - timedelta(days=3)
            data = cp.ComplaintInput(received_on=received, channel=COMPLAINT_CHANNELS[i % len(COMPLAINT_CHANNELS)],
                                     ref_no=f"演示{received:%Y%m%d}{i:02d}" if i % 3 == 0 else "",
                                     category=category, township=town_code, subject=subject,
                                     content="群众反映该单位存在卫生问题（演示数据）。")
            complaint_id, _ = cp.save_complaint(session, actor, data)
            if i < 3:
                continue
            handled = min(today, (case[5] if case else received) + timedelta(days=5 + i % 7))
            cp.handle_complaint(session, actor, complaint_id, handled,
                                "属实" if case else results[i % len(results)], moods[i % len(moods)], "演示数据",
                                case_id=case[0] if case else None)
        result.complaints = 15
        result.overdue_cases = len(overdue_cases(session, today))
    result.notes.append(f"卫生监督演示：案件 {result.cases} 件（其中已过法定期限 {result.overdue_cases} 件）、"
                        f"双随机抽查任务 {result.random_tasks} 项、投诉举报 {result.complaints} 件。")
