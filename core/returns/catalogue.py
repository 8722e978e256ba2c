"""The catalogue of return ids (DOMAIN.md §7) and the one entry point that builds a return.

A return whose area is not built yet is listed with ``builder=None`` so screens and the CLI can say
so honestly ("尚未启用") instead of producing anything fake.

A builder is called ``builder(session, period, org, program)``; one declared with ``takes_actor`` also
gets ``actor=`` (the acting user) so it can narrow the return to the townships that user may see. A
return whose periods are not the general ones (FP-PAYROLL: 2024H1) names its own ``period_parser``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from sqlalchemy.orm import Session

from core import audit
from core.access import Actor, Permission
from core.errors import UsageError
from core.periods import Period, parse_period
from core.returns import fp_returns, mch_returns, org_list, sup_returns
from core.returns.model import ReturnTable
from core.subsidy.payroll import parse_payment_period

Builder = Callable[[Session, Period | None, str | None, str | None], ReturnTable]


@dataclass(frozen=True)
class ReturnSpec:
    id: str
    title: str
    area: str
    builder: Builder | None
    needs_period: bool = True
    takes_program: bool = False
    takes_actor: bool = False                               # builder(..., actor=actor)
    period_parser: Callable[[str], Period] | None = None    # None: core.periods.parse_period

    @property
    def available(self) -> bool:
        return self.builder is not None


CATALOGUE: dict[str, ReturnSpec] = {s.id: s for s in [
    ReturnSpec("ORG-LIST", "组织机构目录", "系统管理", org_list.build, needs_period=False),
    ReturnSpec("FP-ROSTER", "扶助对象花名册", "计划生育扶助", fp_returns.build_roster, takes_program=True, takes_actor=True),
    ReturnSpec("FP-NEW", "新增对象花名册", "计划生育扶助", fp_returns.build_new, takes_program=True, takes_actor=True),
    ReturnSpec("FP-EXIT", "退出对象花名册", "计划生育扶助", fp_returns.build_exit, takes_program=True, takes_actor=True),
    ReturnSpec("FP-PAYROLL", "扶助金发放花名册", "计划生育扶助", fp_returns.build_payroll, takes_program=True,
               takes_actor=True, period_parser=parse_payment_period),
    ReturnSpec("FP-SUMMARY", "扶助对象汇总表", "计划生育扶助", fp_returns.build_summary, takes_program=True, takes_actor=True),
    ReturnSpec("FP-NOTICE", "公示名单", "计划生育扶助", fp_returns.build_notice, takes_program=True, takes_actor=True),
    ReturnSpec("MCH-MONTHLY", "妇幼健康月报表", "妇幼健康", mch_returns.build_monthly, takes_actor=True),
    ReturnSpec("MCH-COMPLETENESS", "报表完整性与及时性", "妇幼健康", mch_returns.build_completeness, takes_actor=True),
    ReturnSpec("MCH-FORM", "妇幼健康月报（乡镇）", "妇幼健康", mch_returns.build_form, takes_actor=True),
    ReturnSpec("SUP-REGISTER", "卫生行政处罚案件登记台账", "卫生监督", sup_returns.build_register, takes_actor=True),
    ReturnSpec("SUP-STATS", "卫生监督案件查处情况统计表", "卫生监督", sup_returns.build_stats, takes_actor=True),
    ReturnSpec("SUP-RANDOM", "双随机抽查任务完成情况", "卫生监督", sup_returns.build_random, takes_actor=True),
    ReturnSpec("SUP-COMPLAINTS", "投诉举报办理情况", "卫生监督", sup_returns.build_complaints, takes_actor=True),
]}


def spec(return_id: str) -> ReturnSpec:
    s = CATALOGUE.get((return_id or "").upper())
    if s is None:
        raise UsageError(f"没有报表“{return_id}”。可用的报表编号：{'、'.join(CATALOGUE)}。")
    return s


def build_return(session: Session, actor: Actor, return_id: str, period: str | None = None,
                 org: str | None = None, program: str | None = None) -> ReturnTable:
    """Build a return for export, preview or print (and audit who produced it)."""
    actor.require(Permission.PRINT_RETURNS)
    s = spec(return_id)
    if s.builder is None:
        raise UsageError(f"报表 {s.id}（{s.title}）所属的“{s.area}”功能尚未启用。")
    if s.needs_period and not period:
        example = "2024、2024H1（上半年）、2024H2（下半年）" if s.period_parser else "2021、202109、2021Q3"
        raise UsageError(f"报表 {s.id} 需要报告期（--period），例如 {example}。")
    p = (s.period_parser or parse_period)(period) if period else None
    if org and len(org) >= 9:
        actor.require_township(org)
    if s.takes_actor:
        table = s.builder(session, p, org, program, actor=actor)
    else:
        table = s.builder(session, p, org, program)
    audit.record_event(session, "export", f"{s.id} {table.title}", {"period": period, "org": org, "program": program})
    return table
