"""Installation settings kept in the database, declared once here with their defaults."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.access import Actor, Permission
from core.errors import DataError
from core.returns.model import StatHeader
from db.models.settings import Setting


@dataclass(frozen=True)
class SettingDef:
    key: str
    default: Any
    label: str


HEADER_FIELDS: list[tuple[str, str]] = [
    ("issuing_authority", "制定机关"),
    ("approval_no", "批准机关/文号"),
    ("valid_until", "有效期至"),
    ("reporting_unit", "填报单位"),
    ("unit_head", "单位负责人"),
    ("stats_head", "统计负责人"),
    ("preparer", "填表人"),
    ("phone", "联系电话"),
]

DEFS: dict[str, SettingDef] = {d.key: d for d in [
    SettingDef("installation.county_code", None, "县（区）代码"),
    SettingDef("installation.county_name", None, "县（区）名称"),
    SettingDef("installation.township_code", None, "乡镇安装：本乡镇代码"),
    SettingDef("installation.is_demo", False, "演示数据库"),
    SettingDef("divisions.edition", 2022, "区划代码版本"),
    SettingDef("returns.header", {}, "报表表头表尾"),
    SettingDef("returns.table_no", {}, "各报表表号"),
    SettingDef("login.max_failures", 5, "连续登录失败几次后锁定"),
    SettingDef("login.lock_minutes", 15, "锁定分钟数"),
    SettingDef("subsidy.notice_days", 7, "扶助对象公示天数"),
    SettingDef("subsidy.exit_reasons_local", [], "本县增加的扶助对象退出原因"),
    SettingDef("subsidy.payment_period", "YEAR", "扶助金发放周期（YEAR 按年 / HALF 按半年）"),
    SettingDef("subsidy.bank_columns", ["序号", "姓名", "身份证号", "账号", "金额"], "银行代发文件的列"),
    SettingDef("subsidy.bank_csv_encoding", "GB18030", "银行代发 CSV 文件的编码（GB18030 或 UTF-8）"),
    SettingDef("mch.due_day", 5, "妇幼月报截止日：次月几日（含当天）前上报算及时"),
    SettingDef("mch.outlier_band_low", 0.5, "异常值：低于近12个月最小值的几倍算异常"),
    SettingDef("mch.outlier_band_high", 1.5, "异常值：高于近12个月最大值的几倍算异常"),
    SettingDef("mch.outlier_band_min_diff", 5, "异常值：与近12个月范围至少相差多少才提示"),
    SettingDef("mch.outlier_band_min_months", 3, "异常值：至少有几个月的历史数据才比较范围"),
    SettingDef("mch.outlier_yoy_high", 2.0, "异常值：比去年同月增加到几倍以上算异常"),
    SettingDef("mch.outlier_yoy_low", 0.5, "异常值：比去年同月减少到几倍以下算异常"),
    SettingDef("mch.outlier_yoy_min_diff", 10, "异常值：与去年同月至少相差多少才提示"),
    # 卫生监督 (DOMAIN.md §5): statutory time limits — defaults from the law, counted by core/supervision/case_deadlines.py
    SettingDef("supervision.filing_working_days", 7, "立案期限：发现线索后几个工作日内决定是否立案"),
    SettingDef("supervision.filing_extension_working_days", 7, "立案期限经批准可延长的工作日数"),
    SettingDef("supervision.decision_days", 90, "办案期限：立案后几日内作出处理决定（行政处罚法第六十条）"),
    SettingDef("supervision.extension_head_days", 60, "办案期限：负责人批准可延长的日数"),
    SettingDef("supervision.extension_collective_days", 30, "办案期限：集体讨论决定可再延长的日数"),
    SettingDef("supervision.hearing_request_working_days", 5, "告知后当事人几个工作日内可要求听证（第六十四条）"),
    SettingDef("supervision.hearing_notice_working_days", 7, "听证通知至少在举行听证前几个工作日送达（第六十四条）"),
    SettingDef("supervision.service_working_days", 7, "决定书未当场交付的，几个工作日内送达（第六十一条）"),
    SettingDef("supervision.payment_days", 15, "收到决定书后几日内缴纳罚款（第六十七条）"),
    SettingDef("supervision.surcharge_rate", "0.03", "逾期不缴纳罚款每日加处罚款的比例（第七十二条，不超过罚款数额）"),
    SettingDef("supervision.limitation_years", 2, "处罚时效（年）（第三十六条）"),
    SettingDef("supervision.limitation_years_life", 5, "涉及公民生命健康安全且有危害后果的处罚时效（年）"),
    SettingDef("supervision.card_first_working_days", 5, "一案一卡：决定生效后几个工作日内首次报告"),
    SettingDef("supervision.card_second_working_days", 5, "一案一卡：结案后几个工作日内结案报告"),
    SettingDef("supervision.card_simple_cases", False, "一案一卡也报告简易程序案件"),
    SettingDef("supervision.roll_to_working_day", True, "按日计算的期限最后一日为节假日的，顺延至节假日后第一个工作日"),
    SettingDef("supervision.simple_fine_person", "200", "简易程序：对个人当场罚款的上限（元）"),
    SettingDef("supervision.simple_fine_unit", "3000", "简易程序：对单位当场罚款的上限（元）"),
    SettingDef("supervision.number_format", "{county_short}卫{category_short}罚〔{year}〕{seq}号",
               "案件文号格式（{county_short} 县简称、{category_short} 类别简称、{year} 年份、{seq} 序号）"),
    SettingDef("supervision.number_on", "FILED", "何时编文号：FILED 立案时 / DECISION 作出处罚决定时"),
    SettingDef("supervision.county_short", "", "文号中的县简称（空：县名第一个字）"),
    SettingDef("supervision.category_short", {}, "文号中各专业类别的简称（只列与默认不同的，如 {\"MCH_FP\": \"妇\"}）"),
]}


def get(session: Session, key: str) -> Any:
    definition = DEFS[key]
    row = session.execute(select(Setting.value).where(Setting.key == key)).scalar_one_or_none()
    return definition.default if row is None else json.loads(row)


def put(session: Session, actor: Actor, key: str, value: Any) -> None:
    """Change a setting (administrators only)."""
    actor.require(Permission.MANAGE_REFERENCE)
    store(session, key, value)


def store(session: Session, key: str, value: Any) -> None:
    """Write without a role check: for services that checked their own permission already."""
    if key not in DEFS:
        raise DataError(f"未知的设置项：{key}")
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    row = session.execute(select(Setting).where(Setting.key == key)).scalar_one_or_none()
    if row is None:
        session.add(Setting(key=key, value=text))
    elif row.value != text:
        row.value = text
    session.flush()


def stat_header(session: Session, return_id: str) -> StatHeader:
    """The statistical header/footer for one return, from this installation's settings."""
    fields = dict(get(session, "returns.header") or {})
    table_no = (get(session, "returns.table_no") or {}).get(return_id, "")
    if not fields.get("reporting_unit"):
        name = get(session, "installation.county_name")
        fields["reporting_unit"] = f"{name}卫生健康局" if name else ""
    known = {k for k, _ in HEADER_FIELDS}
    return StatHeader(table_no=table_no, **{k: str(v) for k, v in fields.items() if k in known})
