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
        result.notes.append("扶助对象功能尚未启用，本次未生成演示扶助对象。")
    return result
