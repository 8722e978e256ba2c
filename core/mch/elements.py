"""The data set: data elements seeded from DOMAIN.md §4 (an administrator may add and rename)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.access import Actor, Permission
from core.errors import DataError
from db.models.mch import DataElement

SEX_OPTIONS = (("MALE", "男"), ("FEMALE", "女"))
CATEGORY_OPTIONS = {"": (("", "合计"),), "SEX": SEX_OPTIONS}

# code, name, short name, category, point in time, section
SEED = [
    ("MCH_LIVE_BIRTHS", "活产数", "活产", "SEX", False, "孕产妇保健"),
    ("MCH_DELIVERIES", "产妇数", "产妇", "", False, "孕产妇保健"),
    ("MCH_HOSPITAL_DELIVERIES", "住院分娩活产数", "住院分娩", "", False, "孕产妇保健"),
    ("MCH_EARLY_REGISTERED", "早孕建册人数", "早孕建册", "", False, "孕产妇保健"),
    ("MCH_SYS_MANAGED_MOTHERS", "孕产妇系统管理人数", "系统管理", "", False, "孕产妇保健"),
    ("MCH_POSTNATAL_VISITS", "产后访视人数", "产后访视", "", False, "孕产妇保健"),
    ("MCH_RISK_GREEN", "妊娠风险评估 绿色 人数", "绿色", "", False, "妊娠风险评估"),
    ("MCH_RISK_YELLOW", "妊娠风险评估 黄色 人数", "黄色", "", False, "妊娠风险评估"),
    ("MCH_RISK_ORANGE", "妊娠风险评估 橙色 人数", "橙色", "", False, "妊娠风险评估"),
    ("MCH_RISK_RED", "妊娠风险评估 红色 人数", "红色", "", False, "妊娠风险评估"),
    ("MCH_RISK_PURPLE", "妊娠风险评估 紫色 人数", "紫色", "", False, "妊娠风险评估"),
    ("MCH_MATERNAL_DEATHS", "孕产妇死亡数", "孕产妇死亡", "", False, "死亡"),
    ("MCH_NEONATAL_DEATHS", "新生儿死亡数（<28天）", "新生儿死亡", "", False, "死亡"),
    ("MCH_INFANT_DEATHS", "婴儿死亡数（<1岁）", "婴儿死亡", "", False, "死亡"),
    ("MCH_UNDER5_DEATHS", "5岁以下儿童死亡数", "5岁以下死亡", "", False, "死亡"),
    ("MCH_CHILDREN_UNDER3", "3岁以下儿童数", "3岁以下儿童", "", True, "儿童保健"),
    ("MCH_SYS_MANAGED_UNDER3", "3岁以下儿童系统管理人数", "3岁以下系统管理", "", True, "儿童保健"),
    ("MCH_CHILDREN_UNDER7", "7岁以下儿童数", "7岁以下儿童", "", True, "儿童保健"),
    ("MCH_HEALTH_MANAGED_UNDER7", "7岁以下儿童健康管理人数", "7岁以下健康管理", "", True, "儿童保健"),
    ("MCH_PRENATAL_US_SCREENED", "产前超声筛查人数", "产前超声筛查", "", False, "筛查"),
    ("MCH_PRENATAL_SERUM_SCREENED", "产前血清学筛查人数", "产前血清学筛查", "", False, "筛查"),
    ("MCH_NEWBORN_DISEASE_SCREENED", "新生儿遗传代谢病（两病）筛查人数", "两病筛查", "", False, "筛查"),
    ("MCH_NEWBORN_HEARING_SCREENED", "新生儿听力筛查人数", "听力筛查", "", False, "筛查"),
    ("MCH_CERVICAL_SCREENED", "宫颈癌筛查人数", "宫颈癌筛查", "", False, "筛查"),
    ("MCH_BREAST_SCREENED", "乳腺癌筛查人数", "乳腺癌筛查", "", False, "筛查"),
]


@dataclass(frozen=True)
class ElementRow:
    code: str
    name: str
    short_name: str
    category: str
    point_in_time: bool
    section: str
    sort_order: int
    active: bool
    builtin: bool = False

    @property
    def options(self) -> tuple[tuple[str, str], ...]:
        return CATEGORY_OPTIONS.get(self.category, CATEGORY_OPTIONS[""])


def seed_elements(session: Session) -> int:
    have = set(session.execute(select(DataElement.code)).scalars())
    added = 0
    for i, (code, name, short, cat, pit, section) in enumerate(SEED):
        if code not in have:
            session.add(DataElement(code=code, name=name, short_name=short, category=cat, point_in_time=pit,
                                    section=section, sort_order=(i + 1) * 10, builtin=True))
            added += 1
    session.flush()
    return added


def list_elements(session: Session, *, include_inactive: bool = False) -> list[ElementRow]:
    q = select(DataElement).order_by(DataElement.sort_order, DataElement.code)
    rows = [ElementRow(e.code, e.name, e.short_name or e.name, e.category, e.point_in_time, e.section, e.sort_order, e.active,
                       e.builtin)
            for e in session.execute(q).scalars()]
    return rows if include_inactive else [r for r in rows if r.active]


def save_element(session: Session, actor: Actor, code: str, name: str, *, short_name: str = "", category: str = "",
                 point_in_time: bool = False, section: str = "", active: bool = True) -> ElementRow:
    """Add an element or rename one (codes are stable identifiers and never change)."""
    actor.require(Permission.MANAGE_REFERENCE)
    code = (code or "").strip().upper()
    if not code or not code.replace("_", "").isalnum():
        raise DataError("数据项代码只能由字母、数字和下划线组成，例如 MCH_OTHER_COUNT。")
    if not (name or "").strip():
        raise DataError("数据项名称不能为空。")
    if category not in CATEGORY_OPTIONS:
        raise DataError(f"未知的分类“{category}”。")
    e = session.execute(select(DataElement).where(DataElement.code == code)).scalar_one_or_none()
    if e is None:
        order = max([r.sort_order for r in list_elements(session, include_inactive=True)] or [0]) + 10
        e = DataElement(code=code, sort_order=order)
        session.add(e)
    elif e.builtin and (category != e.category or point_in_time != e.point_in_time):
        raise DataError(f"国家规定的数据项 {code} 的分类和时点性质不能修改，只能改名称。")
    e.name, e.short_name, e.category, e.point_in_time, e.section, e.active = (
        name.strip(), short_name.strip(), category, point_in_time, section.strip(), active)
    session.flush()
    return next(r for r in list_elements(session, include_inactive=True) if r.code == code)
