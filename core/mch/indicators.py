"""Indicators computed from summed counts, never by averaging rates (DOMAIN.md §4).
Shown to 2 decimals rounded half up; a zero or missing denominator shows "—"."""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from core.mch.aggregation import Aggregate
from core.mch.expressions import Node, evaluate, parse

DASH = "—"
_ELEMENT_REF = re.compile(r"#\{([A-Z0-9_]+)(?:\.[A-Z0-9_]+)?\}")   # #{ELEMENT} or #{ELEMENT.OPTION}


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    numerator: str
    denominator: str
    factor: int
    unit: str            # ‰ / /10万 / %

    @property
    def heading(self) -> str:
        return f"{self.name}（{self.unit}）"

    def formula_text(self, names: dict[str, str]) -> str:
        """孕产妇死亡率 = 孕产妇死亡数 ÷ 活产数 × 100000, with data-element names (``names``: code → name)."""
        def side(expr: str) -> str:
            text = _ELEMENT_REF.sub(lambda m: names.get(m.group(1), m.group(1)), expr)
            return f"（{text}）" if "+" in text else text
        return f"{self.name} = {side(self.numerator)} ÷ {side(self.denominator)} × {self.factor}"


LIVE = "#{MCH_LIVE_BIRTHS}"
INDICATORS: list[Indicator] = [
    Indicator("MATERNAL_MORTALITY", "孕产妇死亡率", "#{MCH_MATERNAL_DEATHS}", LIVE, 100_000, "/10万"),
    Indicator("INFANT_MORTALITY", "婴儿死亡率", "#{MCH_INFANT_DEATHS}", LIVE, 1000, "‰"),
    Indicator("NEONATAL_MORTALITY", "新生儿死亡率", "#{MCH_NEONATAL_DEATHS}", LIVE, 1000, "‰"),
    Indicator("UNDER5_MORTALITY", "5岁以下儿童死亡率", "#{MCH_UNDER5_DEATHS}", LIVE, 1000, "‰"),
    Indicator("MOTHERS_SYS_MANAGED", "孕产妇系统管理率", "#{MCH_SYS_MANAGED_MOTHERS}", LIVE, 100, "%"),
    Indicator("EARLY_REGISTERED", "早孕建册率", "#{MCH_EARLY_REGISTERED}", LIVE, 100, "%"),
    Indicator("POSTNATAL_VISITS", "产后访视率", "#{MCH_POSTNATAL_VISITS}", LIVE, 100, "%"),
    Indicator("HOSPITAL_DELIVERY", "住院分娩率", "#{MCH_HOSPITAL_DELIVERIES}", LIVE, 100, "%"),
    Indicator("PRENATAL_US", "产前超声筛查率", "#{MCH_PRENATAL_US_SCREENED}", LIVE, 100, "%"),
    Indicator("PRENATAL_SERUM", "产前血清学筛查率", "#{MCH_PRENATAL_SERUM_SCREENED}", LIVE, 100, "%"),
    Indicator("NEWBORN_DISEASE", "新生儿两病筛查率", "#{MCH_NEWBORN_DISEASE_SCREENED}", LIVE, 100, "%"),
    Indicator("NEWBORN_HEARING", "新生儿听力筛查率", "#{MCH_NEWBORN_HEARING_SCREENED}", LIVE, 100, "%"),
    Indicator("UNDER3_SYS_MANAGED", "3岁以下儿童系统管理率", "#{MCH_SYS_MANAGED_UNDER3}", "#{MCH_CHILDREN_UNDER3}", 100, "%"),
    Indicator("UNDER7_HEALTH_MANAGED", "7岁以下儿童健康管理率", "#{MCH_HEALTH_MANAGED_UNDER7}", "#{MCH_CHILDREN_UNDER7}", 100, "%"),
    Indicator("HIGH_RISK_SHARE", "高危孕产妇比例", "#{MCH_RISK_ORANGE}+#{MCH_RISK_RED}+#{MCH_RISK_PURPLE}",
              "#{MCH_RISK_GREEN}+#{MCH_RISK_YELLOW}+#{MCH_RISK_ORANGE}+#{MCH_RISK_RED}+#{MCH_RISK_PURPLE}", 100, "%"),
]
BY_CODE = {i.code: i for i in INDICATORS}
_PARSED: dict[str, tuple[Node, Node]] = {}

TWO_PLACES = Decimal("0.01")


def _nodes(ind: Indicator) -> tuple[Node, Node]:
    if ind.code not in _PARSED:
        _PARSED[ind.code] = (parse(ind.numerator), parse(ind.denominator))
    return _PARSED[ind.code]


def compute(ind: Indicator, agg: Aggregate) -> Decimal | str:
    """The rate as a Decimal with 2 places (ROUND_HALF_UP), or "—" when it cannot be computed."""
    num_node, den_node = _nodes(ind)
    lookup = lambda e, o: agg.get(e, o)  # noqa: E731
    num, den = evaluate(num_node, lookup), evaluate(den_node, lookup)
    if num is None or not den:
        return DASH
    value = Decimal(str(num)) * ind.factor / Decimal(str(den))
    return value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def compute_all(agg: Aggregate) -> dict[str, Decimal | str]:
    return {ind.code: compute(ind, agg) for ind in INDICATORS}
