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
from core.errors import DataError
from core.installation import initialise, is_initialised
from db.schema import SchemaState

DEMO_COUNTY_CODE = "990101"
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
