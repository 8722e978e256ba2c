"""Validation rules (DOMAIN.md §4), as DHIS2 has them: a left side, an operator, a right side, an
importance (ERROR blocks submission, WARNING needs a comment) and a message. Rules are data
(``mch_validation_rule``): the built-in ones below are seeded at ``init`` and an administrator may
edit them or add more.

How a rule is checked:

- A side is an expression over data elements (``core.mch.expressions``). ``#{CODE}`` of an element
  split by sex is the sum of its 男/女 cells, and only when *both* are filled in.
- A side that refers to a blank cell (not reported) or a -2 cell (not carried out) is missing; a rule
  with a missing side is skipped, never failed — a blank is not a zero.
- The message may name values: ``{left}`` and ``{right}`` are the two sides, ``{MCH_LIVE_BIRTHS}``
  (or ``{MCH_LIVE_BIRTHS.MALE}``) an element's value. A message without any placeholder gets the
  two sides appended, so the numbers are always in front of the clerk.
- A warning counts as explained (``Finding.commented``) when the side being questioned — the left
  side; the right side when the left has no cells — carries a comment on one of its cells. The
  screening rules, for instance, want a comment on the screening count (not on 活产数 男 and 女
  too), the risk-assessment rule one comment on any of its five colours.

``check_month`` is what submission uses (``workflow.submit(check=rules.check_month)``): the rules
plus the outlier checks of ``core.mch.outliers``. ``check_values`` is the same check on values a
screen holds before they are saved.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.access import Actor, Permission
from core.errors import DataError
from core.mch.elements import ElementRow, list_elements
from core.mch.expressions import Node, Ref, evaluate, parse, references
from db.models.mch import ValidationRule

Key = tuple[str, str]                      # (element, option)

OPERATORS = {"<=": "≤", "<": "<", "==": "=", "!=": "≠", ">=": "≥", ">": ">"}
IMPORTANCE_LABELS = {"ERROR": "错误", "WARNING": "警告"}
KIND_LABELS = {"RULE": "校验规则", "OUTLIER": "异常值"}

# code, name, left, operator, right, importance, message
SEED = [
    ("HOSPITAL_LE_LIVE_BIRTHS", "住院分娩活产数不大于活产数",
     "#{MCH_HOSPITAL_DELIVERIES}", "<=", "#{MCH_LIVE_BIRTHS}", "ERROR",
     "住院分娩活产数（{left}）不能大于活产数（{right}）"),
    ("NEONATAL_LE_INFANT_DEATHS", "新生儿死亡数不大于婴儿死亡数",
     "#{MCH_NEONATAL_DEATHS}", "<=", "#{MCH_INFANT_DEATHS}", "ERROR",
     "新生儿死亡数（{left}）不能大于婴儿死亡数（{right}）：新生儿也是婴儿"),
    ("INFANT_LE_UNDER5_DEATHS", "婴儿死亡数不大于5岁以下儿童死亡数",
     "#{MCH_INFANT_DEATHS}", "<=", "#{MCH_UNDER5_DEATHS}", "ERROR",
     "婴儿死亡数（{left}）不能大于5岁以下儿童死亡数（{right}）：婴儿也是5岁以下儿童"),
    ("UNDER3_MANAGED_LE_CHILDREN", "3岁以下儿童系统管理人数不大于儿童数",
     "#{MCH_SYS_MANAGED_UNDER3}", "<=", "#{MCH_CHILDREN_UNDER3}", "ERROR",
     "3岁以下儿童系统管理人数（{left}）不能大于3岁以下儿童数（{right}）"),
    ("UNDER7_MANAGED_LE_CHILDREN", "7岁以下儿童健康管理人数不大于儿童数",
     "#{MCH_HEALTH_MANAGED_UNDER7}", "<=", "#{MCH_CHILDREN_UNDER7}", "ERROR",
     "7岁以下儿童健康管理人数（{left}）不能大于7岁以下儿童数（{right}）"),
    ("MATERNAL_DEATH_CONFIRM", "孕产妇死亡需核实",
     "#{MCH_MATERNAL_DEATHS}", "==", "0", "WARNING",
     "有孕产妇死亡（{left} 例），请核实并填写说明"),
    ("PRENATAL_US_LE_LIVE_BIRTHS", "产前超声筛查人数一般不超过活产数",
     "#{MCH_PRENATAL_US_SCREENED}", "<=", "#{MCH_LIVE_BIRTHS}", "WARNING",
     "产前超声筛查人数（{left}）大于活产数（{right}），筛查率将超过100%，请核实并说明"),
    ("PRENATAL_SERUM_LE_LIVE_BIRTHS", "产前血清学筛查人数一般不超过活产数",
     "#{MCH_PRENATAL_SERUM_SCREENED}", "<=", "#{MCH_LIVE_BIRTHS}", "WARNING",
     "产前血清学筛查人数（{left}）大于活产数（{right}），筛查率将超过100%，请核实并说明"),
    ("NEWBORN_DISEASE_LE_LIVE_BIRTHS", "新生儿两病筛查人数一般不超过活产数",
     "#{MCH_NEWBORN_DISEASE_SCREENED}", "<=", "#{MCH_LIVE_BIRTHS}", "WARNING",
     "新生儿两病筛查人数（{left}）大于活产数（{right}），筛查率将超过100%，请核实并说明（如外地出生在本地筛查）"),
    ("NEWBORN_HEARING_LE_LIVE_BIRTHS", "新生儿听力筛查人数一般不超过活产数",
     "#{MCH_NEWBORN_HEARING_SCREENED}", "<=", "#{MCH_LIVE_BIRTHS}", "WARNING",
     "新生儿听力筛查人数（{left}）大于活产数（{right}），筛查率将超过100%，请核实并说明（如外地出生在本地筛查）"),
    ("LIVE_BIRTHS_PLAUSIBLE", "活产数与产妇数相称（多胎）",
     "#{MCH_LIVE_BIRTHS}", "<=", "#{MCH_DELIVERIES} * 1.1 + 2", "WARNING",
     "活产数（{MCH_LIVE_BIRTHS}）比产妇数（{MCH_DELIVERIES}）多出一成以上，请核实（双胎、多胎请在说明中注明）"),
    ("DELIVERIES_PLAUSIBLE", "产妇数与活产数相称（死胎死产）",
     "#{MCH_DELIVERIES}", "<=", "#{MCH_LIVE_BIRTHS} * 1.1 + 2", "WARNING",
     "产妇数（{MCH_DELIVERIES}）比活产数（{MCH_LIVE_BIRTHS}）多出一成以上，请核实（死胎、死产请在说明中注明）"),
    ("RISK_ASSESSED_PLAUSIBLE", "妊娠风险评估人数与产妇数相称",
     "#{MCH_RISK_GREEN} + #{MCH_RISK_YELLOW} + #{MCH_RISK_ORANGE} + #{MCH_RISK_RED} + #{MCH_RISK_PURPLE}", "<=",
     "#{MCH_DELIVERIES} * 3 + 10", "WARNING",
     "妊娠风险评估人数合计（{left}）超过产妇数（{MCH_DELIVERIES}）的3倍，请核实是否重复统计"),
]

_PLACEHOLDER = re.compile(r"\{([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)?)\}")
_CODE = re.compile(r"[A-Z][A-Z0-9_]*")


# -- what a check finds ------------------------------------------------------------------------

@dataclass(frozen=True)
class Finding:
    rule_code: str                              # a rule's code, or OUTLIER_BAND / OUTLIER_YOY
    importance: str                             # ERROR / WARNING
    kind: str                                   # RULE / OUTLIER
    message: str                                # Chinese, with the numbers
    elements: tuple[Key, ...]                   # the cells involved, for highlighting
    commented: bool                             # the questioned side carries a comment

    @property
    def label(self) -> str:
        return f"{IMPORTANCE_LABELS[self.importance]}（{KIND_LABELS[self.kind]}）"


@dataclass(frozen=True)
class CheckResult:
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.importance == "ERROR"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.importance == "WARNING"]

    @property
    def can_submit(self) -> bool:
        """What ``workflow.submit`` requires: no error, and every warning explained."""
        return not self.errors and all(f.commented for f in self.warnings)

    def for_cell(self, element: str, option: str = "") -> list[Finding]:
        return [f for f in self.findings if (element, option) in f.elements]


# -- rules as data -----------------------------------------------------------------------------

@dataclass(frozen=True)
class RuleRow:
    code: str
    name: str
    left: str
    operator: str
    right: str
    importance: str
    message: str
    active: bool
    builtin: bool

    @property
    def text(self) -> str:
        """The rule as people read it: ``#{MCH_HOSPITAL_DELIVERIES} ≤ #{MCH_LIVE_BIRTHS}``."""
        return f"{self.left} {OPERATORS.get(self.operator, self.operator)} {self.right}"


def _row(r: ValidationRule) -> RuleRow:
    return RuleRow(r.code, r.name, r.left, r.operator, r.right, r.importance, r.message, r.active, r.builtin)


def builtin_rules() -> list[RuleRow]:
    """The seeded rules as rows (what ``check_values`` uses when given no rules)."""
    return [RuleRow(code, name, left, op, right, imp, msg, True, True) for code, name, left, op, right, imp, msg in SEED]


def seed_rules(session: Session) -> int:
    """Add the built-in rules that are missing (an administrator's edits are kept)."""
    have = set(session.execute(select(ValidationRule.code)).scalars())
    added = 0
    for r in builtin_rules():
        if r.code not in have:
            session.add(ValidationRule(code=r.code, name=r.name, left=r.left, operator=r.operator, right=r.right,
                                       importance=r.importance, message=r.message, active=True, builtin=True))
            added += 1
    session.flush()
    return added


def list_rules(session: Session, *, include_inactive: bool = False) -> list[RuleRow]:
    rows = [_row(r) for r in session.execute(select(ValidationRule).order_by(ValidationRule.id)).scalars()]
    return rows if include_inactive else [r for r in rows if r.active]


def save_rule(session: Session, actor: Actor, code: str, name: str, left: str, operator: str, right: str,
              importance: str, message: str, active: bool = True) -> RuleRow:
    """Add a rule or change one (codes are stable identifiers and never change). Both sides are
    parsed and every element they name must exist, so a saved rule can always be checked."""
    actor.require(Permission.MANAGE_REFERENCE)
    code = (code or "").strip().upper()
    if not _CODE.fullmatch(code) or len(code) > 48:
        raise DataError("规则代码只能由大写字母、数字和下划线组成（以字母开头，最多 48 个字符），例如 MY_RULE_1。")
    name, message = (name or "").strip(), (message or "").strip()
    left, right = (left or "").strip(), (right or "").strip()
    operator, importance = (operator or "").strip(), (importance or "").strip().upper()
    _require_text(name, "规则名称", 100)
    _require_text(message, "提示信息", 200)
    _require_text(left, "左侧表达式", 300)
    _require_text(right, "右侧表达式", 300)
    if operator not in OPERATORS:
        raise DataError(f"运算符“{operator}”不对，可用：{'、'.join(OPERATORS)}。")
    if importance not in IMPORTANCE_LABELS:
        raise DataError("重要性只能是 ERROR（错误，不能上报）或 WARNING（警告，需填写说明）。")
    elements = {e.code: e for e in list_elements(session, include_inactive=True)}
    refs = _checked_refs(parse(left), elements) | _checked_refs(parse(right), elements)
    if not refs:
        raise DataError("规则至少要引用一个数据项（写作 #{代码}），否则它永远成立或永远不成立。")
    _check_placeholders(message, elements)
    rule = session.execute(select(ValidationRule).where(ValidationRule.code == code)).scalar_one_or_none()
    if rule is None:
        rule = ValidationRule(code=code, builtin=False)
        session.add(rule)
    rule.name, rule.left, rule.operator, rule.right = name, left, operator, right
    rule.importance, rule.message, rule.active = importance, message, bool(active)
    session.flush()
    return _row(rule)


def delete_rule(session: Session, actor: Actor, code: str) -> None:
    """Remove a rule an administrator added; built-in rules can only be switched off."""
    actor.require(Permission.MANAGE_REFERENCE)
    rule = session.execute(select(ValidationRule).where(ValidationRule.code == code)).scalar_one_or_none()
    if rule is None:
        raise DataError(f"没有代码为 {code} 的校验规则。")
    if rule.builtin:
        raise DataError(f"规则 {code} 是内置规则，不能删除，只能停用。")
    session.delete(rule)
    session.flush()


def _require_text(text: str, label: str, limit: int) -> None:
    if not text:
        raise DataError(f"{label}不能为空。")
    if len(text) > limit:
        raise DataError(f"{label}太长（{len(text)} 个字符，最多 {limit} 个）。")


def _checked_refs(node: Node, elements: Mapping[str, ElementRow]) -> set[Ref]:
    refs = references(node)
    for ref in refs:
        _check_ref(ref.element, ref.option, elements)
    return refs


def _check_ref(element: str, option: str, elements: Mapping[str, ElementRow]) -> None:
    el = elements.get(element)
    if el is None:
        raise DataError(f"表达式中的数据项“{element}”不存在，请检查代码（如 MCH_LIVE_BIRTHS）。")
    if option and option not in {o for o, _ in el.options if o}:
        choices = "、".join(o for o, _ in el.options if o) or "（不分类）"
        raise DataError(f"数据项“{el.name}”没有分类“{option}”，可用：{choices}。")


def _check_placeholders(message: str, elements: Mapping[str, ElementRow]) -> None:
    for name in _PLACEHOLDER.findall(message):
        if name in ("left", "right"):
            continue
        element, _, option = name.partition(".")
        if element not in elements:
            raise DataError(f"提示信息中的“{{{name}}}”不是数据项代码：可以写 {{left}}（左侧的值）、{{right}}（右侧的值）"
                            "或 {数据项代码}，例如 {MCH_LIVE_BIRTHS}。")
        _check_ref(element, option, elements)


# -- checking ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Cells:
    """A month's values as the rules see them: numbers, and the comments."""
    numbers: dict[Key, int]
    comments: dict[Key, str]
    options: dict[str, tuple[str, ...]]     # element → its option codes ("" for an unsplit element)

    def lookup(self, element: str, option: str) -> float | None:
        if option:
            return self.numbers.get((element, option))
        opts = self.options.get(element, ("",))
        if opts == ("",):
            return self.numbers.get((element, ""))
        parts = [self.numbers.get((element, o)) for o in opts]
        return None if any(p is None for p in parts) else sum(parts)

    def cells_of(self, ref: Ref) -> list[Key]:
        if ref.option:
            return [(ref.element, ref.option)]
        return [(ref.element, o) for o in self.options.get(ref.element, ("",))]

    def commented(self, cells: Iterable[Key]) -> bool:
        return any((self.comments.get(c) or "").strip() for c in cells)


def _cells(values: Mapping[Key, object], elements: Iterable[ElementRow],
           comments: Mapping[Key, str] | None) -> _Cells:
    from core.mch.values import CellValue, parse_count
    numbers: dict[Key, int] = {}
    notes: dict[Key, str] = dict(comments or {})
    for key, v in values.items():
        if isinstance(v, CellValue):
            if v.comment and key not in notes:
                notes[key] = v.comment
            v = None if v.not_applicable else v.value
        elif isinstance(v, str):
            try:
                v = parse_count(v).value
            except DataError:   # the screen reports a bad entry itself; the rules skip it
                v = None
        if isinstance(v, bool):
            v = None
        if isinstance(v, (int, float)):
            numbers[key] = v
    options = {e.code: tuple(o for o, _ in e.options) for e in elements}
    return _Cells(numbers, notes, options)


def _number_text(value: float) -> str:
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _compare(a: float, operator: str, b: float) -> bool:
    eps = 1e-9
    return {"<=": a <= b + eps, "<": a < b - eps, "==": abs(a - b) <= eps, "!=": abs(a - b) > eps,
            ">=": a >= b - eps, ">": a > b + eps}[operator]


@dataclass(frozen=True)
class _Compiled:
    rule: RuleRow
    left: Node
    right: Node


_COMPILED: dict[tuple, _Compiled] = {}


def _compiled(rule: RuleRow) -> _Compiled:
    key = (rule.code, rule.left, rule.right)
    c = _COMPILED.get(key)
    if c is None:
        c = _COMPILED[key] = _Compiled(rule, parse(rule.left), parse(rule.right))
    return c


def _message(rule: RuleRow, left: float, right: float, cells: _Cells, names: Mapping[str, str]) -> str:
    text = rule.message
    if not _PLACEHOLDER.search(text):
        return f"{text}（{_side_label(rule.left, names)} = {_number_text(left)}，" \
               f"{_side_label(rule.right, names)} = {_number_text(right)}）"

    def value_of(m: re.Match) -> str:
        name = m.group(1)
        if name == "left":
            return _number_text(left)
        if name == "right":
            return _number_text(right)
        element, _, option = name.partition(".")
        v = cells.lookup(element, option)
        return "空" if v is None else _number_text(v)

    return _PLACEHOLDER.sub(value_of, text)


def _side_label(expression: str, names: Mapping[str, str]) -> str:
    """``#{MCH_LIVE_BIRTHS.MALE} + 2`` → ``活产数（男） + 2``."""
    from core.mch.elements import SEX_OPTIONS
    option_names = dict(SEX_OPTIONS)

    def name_of(m: re.Match) -> str:
        element, _, option = m.group(1).partition(".")
        label = names.get(element, element)
        return f"{label}（{option_names.get(option, option)}）" if option else label

    return re.sub(r"#\{([A-Z0-9_]+(?:\.[A-Z0-9_]+)?)\}", name_of, expression)


def rule_findings(rules: Iterable[RuleRow], cells: _Cells, names: Mapping[str, str]) -> list[Finding]:
    out = []
    for rule in rules:
        if not rule.active:
            continue
        c = _compiled(rule)
        left, right = evaluate(c.left, cells.lookup), evaluate(c.right, cells.lookup)
        if left is None or right is None or _compare(left, rule.operator, right):
            continue
        left_cells = [k for ref in _in_order(rule.left, c.left) for k in cells.cells_of(ref)]
        right_cells = [k for ref in _in_order(rule.right, c.right) for k in cells.cells_of(ref)]
        involved = tuple(dict.fromkeys(left_cells + right_cells))
        questioned = left_cells or right_cells
        out.append(Finding(rule.code, rule.importance, "RULE", _message(rule, left, right, cells, names),
                           involved, cells.commented(questioned)))
    return out


def _in_order(text: str, node: Node) -> list[Ref]:
    """The references of an expression in the order they are written."""
    def place(ref: Ref) -> int:
        return text.find("#{" + ref.element + (f".{ref.option}" if ref.option else "") + "}")
    return sorted(references(node), key=lambda r: (place(r), r.element, r.option))


def check_values(values: Mapping[Key, object], elements: Iterable[ElementRow], *,
                 rules: Iterable[RuleRow] | None = None, comments: Mapping[Key, str] | None = None,
                 history: Mapping | None = None, thresholds=None) -> CheckResult:
    """Check one township-month's values without touching the database (a screen's live check).

    ``values``: {(element, option): an int, None, the text typed (parsed like ``parse_count``; text
    that is not a count is skipped) or a ``values.CellValue``}. ``comments``: {(element, option):
    comment} (a CellValue's own comment is used otherwise). ``rules``: pass ``list_rules(session)``
    to check the rules in force; None checks the built-in rules. ``history``: the result of
    ``outliers.history(...)`` to include the outlier warnings (with ``thresholds`` from
    ``outliers.thresholds(session)``; None: the defaults).
    """
    elements = list(elements)
    cells = _cells(values, elements, comments)
    names = {e.code: e.name for e in elements}
    findings = rule_findings(builtin_rules() if rules is None else rules, cells, names)
    if history is not None:
        from core.mch import outliers
        findings += outliers.outlier_findings(cells.numbers, history, elements, cells.comments,
                                              thresholds or outliers.Thresholds())
    return CheckResult(findings)


def check_month(session: Session, township: str, period: str) -> CheckResult:
    """The rules in force and the outlier checks on a saved township-month (used by submission)."""
    from core.mch import outliers
    from core.mch.values import month_values
    elements = list_elements(session, include_inactive=True)
    return check_values(month_values(session, township, period), elements, rules=list_rules(session),
                        history=outliers.history(session, township, period),
                        thresholds=outliers.thresholds(session))
