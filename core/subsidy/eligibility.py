"""Eligibility for a programme, with the reason in words. Pure functions on plain data: the form
(live, as the clerk types), the import and the yearly review all call ``evaluate``.

National rules (DOMAIN.md §3), parameterised per programme so local programmes reuse them:
- born on or after ``born_from`` (1933-01-01);
- rural household registration where ``requires_rural``;
- from the year one turns ``start_age`` (60 for the rural reward); for 特别扶助 (``age_of_wife``) from the
  year the woman of the couple turns 49 — both spouses qualify as individuals; a single parent must be
  49 themselves;
- the child rule: REWARD — now one child, or two daughters, or a child died and no child now;
  DEATH — had (or adopted) only one child, that child died, and no living or adopted child now;
  DISABILITY — the only child has a certified disability of grade 1–3; NONE — no child condition;
- no out-of-policy births 1973–2001 (a declaration on the record).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

ALIVE, DEAD, DISABLED = "ALIVE", "DEAD", "DISABLED"
CHILD_STATUS_LABELS = {ALIVE: "存活", DEAD: "死亡", DISABLED: "伤残"}


@dataclass(frozen=True)
class ProgramRule:
    code: str
    name: str
    child_rule: str              # REWARD / DEATH / DISABILITY / NONE
    start_age: int
    age_of_wife: bool = False
    born_from: date | None = date(1933, 1, 1)
    requires_rural: bool = False


@dataclass(frozen=True)
class ChildFacts:
    sex: str = ""                # 男 / 女 / ""
    status: str = ALIVE
    birth_date: date | None = None
    adopted: bool = False
    disability_grade: int | None = None
    certificate_no: str = ""
    death_date: date | None = None


@dataclass(frozen=True)
class PersonFacts:
    birth_date: date
    sex: str
    hukou: str = "农业"
    marital: str = ""
    spouse_birth_date: date | None = None
    spouse_sex: str | None = None
    children: tuple[ChildFacts, ...] | None = None   # None: not recorded (待补充), () : recorded as none
    no_policy_violation: bool = True
    death_date: date | None = None


@dataclass
class Eligibility:
    ok: bool
    reasons: list[str] = field(default_factory=list)     # why not (each a Chinese sentence)
    basis: str = ""                                      # why yes
    from_year: int | None = None                          # first year of entitlement
    incomplete: list[str] = field(default_factory=list)   # 待补充: facts missing, not a refusal

    @property
    def summary(self) -> str:
        if self.ok:
            text = f"符合条件：{self.basis}"
            return text + (f"（待补充：{'、'.join(self.incomplete)}）" if self.incomplete else "")
        return "不符合条件：" + "；".join(self.reasons)


def entitlement_year(person: PersonFacts, rule: ProgramRule) -> int:
    """The first calendar year in which the age condition holds."""
    if rule.age_of_wife and person.marital == "已婚" and person.spouse_birth_date and person.sex == "男":
        if person.spouse_sex in (None, "女"):
            return person.spouse_birth_date.year + rule.start_age
    return person.birth_date.year + rule.start_age


def _living(children: tuple[ChildFacts, ...]) -> list[ChildFacts]:
    return [c for c in children if c.status in (ALIVE, DISABLED)]


def _child_rule(rule: ProgramRule, children: tuple[ChildFacts, ...] | None) -> tuple[str | None, str, list[str]]:
    """(refusal or None, basis, incomplete)."""
    if rule.child_rule == "NONE":
        return None, "", []
    if children is None:
        return None, "子女情况待补充", ["子女情况"]
    living = _living(children)
    if rule.child_rule == "REWARD":
        if len(living) == 1:
            return None, "现有一个子女", []
        if len(living) == 2 and all(c.sex == "女" for c in living):
            return None, "现有两个女孩", []
        if not living and any(c.status == DEAD for c in children):
            return None, "子女死亡，现无子女", []
        if not children:
            return "没有子女记录（奖励扶助要求现有一个子女、两个女孩，或子女死亡现无子女）", "", []
        if len(living) == 2:
            return "现有两个子女且不都是女孩", "", []
        return f"现有 {len(living)} 个子女", "", []
    if len(children) != 1:
        if not children:
            return "没有子女记录（特别扶助要求只生育或收养过一个子女）", "", []
        return f"生育或收养过 {len(children)} 个子女，特别扶助只针对独生子女家庭", "", []
    child = children[0]
    if rule.child_rule == "DEATH":
        if child.status != DEAD:
            return f"独生子女现为“{CHILD_STATUS_LABELS.get(child.status, child.status)}”，不是死亡", "", []
        missing = [] if child.death_date else ["子女死亡日期"]
        return None, "独生子女死亡，现无存活或收养子女", missing
    if rule.child_rule == "DISABILITY":
        if child.status != DISABLED:
            return f"独生子女现为“{CHILD_STATUS_LABELS.get(child.status, child.status)}”，不是伤残", "", []
        if child.disability_grade is None:
            return None, "独生子女伤残", ["残疾等级"]
        if not 1 <= child.disability_grade <= 3:
            return f"独生子女残疾等级为 {child.disability_grade} 级，须为三级以上（1–3 级）", "", []
        missing = [] if child.certificate_no else ["残疾人证号"]
        return None, f"独生子女 {child.disability_grade} 级残疾", missing
    return f"未知的子女条件 {rule.child_rule}", "", []


def evaluate(person: PersonFacts, rule: ProgramRule, year: int) -> Eligibility:
    """Is this person entitled in ``year``? Every failing condition is listed, not just the first."""
    reasons: list[str] = []
    if person.death_date and person.death_date.year < year:
        reasons.append(f"本人已于 {person.death_date:%Y-%m-%d} 死亡")
    if rule.born_from and person.birth_date < rule.born_from:
        reasons.append(f"出生于 {person.birth_date:%Y-%m-%d}，早于 {rule.born_from:%Y-%m-%d}，不在扶助范围")
    if rule.requires_rural and person.hukou != "农业":
        reasons.append(f"户口性质为“{person.hukou or '未填'}”，{rule.name}要求农业户口（农村居民）")
    start = entitlement_year(person, rule)
    if year < start:
        who = "女方" if rule.age_of_wife and person.marital == "已婚" and person.sex == "男" else "本人"
        reasons.append(f"{who}到 {start} 年才满 {rule.start_age} 周岁（{year} 年尚不够年龄）")
    if not person.no_policy_violation:
        reasons.append("1973—2001 年间有政策外生育")
    refusal, basis, incomplete = _child_rule(rule, person.children)
    if refusal:
        reasons.append(refusal)
    if reasons:   # facts still missing stay 待补充 even when another condition fails
        return Eligibility(False, reasons, from_year=start, incomplete=incomplete)
    age_text = f"{start} 年起满 {rule.start_age} 周岁" + ("（按女方年龄）" if start != person.birth_date.year + rule.start_age else "")
    return Eligibility(True, [], "；".join(x for x in (age_text, basis) if x), start, incomplete)
