"""The codes of DOMAIN.md §5 and the Chinese names users see (one place for the form, the import,
the returns and the command line)."""
from __future__ import annotations

# 专业类别 — code: (name, default short form in document numbers)
CATEGORIES: dict[str, str] = {
    "MEDICAL": "医疗卫生",
    "INFECTIOUS": "传染病防治",
    "PUBLIC_PLACE": "公共场所卫生",
    "DRINKING_WATER": "生活饮用水卫生",
    "OCCUPATIONAL": "职业卫生",
    "RADIATION": "放射卫生",
    "SCHOOL": "学校卫生",
    "MCH_FP": "母婴保健与计划生育",
    "BLOOD": "采供血",
    "DISINFECTION": "消毒产品",
    "UNLICENSED": "无证行医",
}
CATEGORY_SHORT_DEFAULT: dict[str, str] = {
    "MEDICAL": "医", "INFECTIOUS": "传", "PUBLIC_PLACE": "公", "DRINKING_WATER": "水", "OCCUPATIONAL": "职",
    "RADIATION": "放", "SCHOOL": "校", "MCH_FP": "妇", "BLOOD": "血", "DISINFECTION": "消", "UNLICENSED": "医",
}

# 案件来源
SOURCES: dict[str, str] = {
    "ROUTINE": "日常监督检查",
    "RANDOM": "双随机抽查",
    "COMPLAINT": "投诉举报",
    "ASSIGNED": "上级交办",
    "TRANSFERRED": "部门移送",
    "OTHER": "其他",
}

PARTY_TYPES: dict[str, str] = {"UNIT": "单位", "PERSON": "个人"}
PROCEDURES: dict[str, str] = {"NORMAL": "一般程序", "SIMPLE": "简易程序"}

# 处罚种类 (行政处罚法 Art. 9, as the health returns group them)
PENALTY_KINDS: dict[str, str] = {
    "WARNING": "警告/通报批评",
    "FINE": "罚款",
    "CONFISCATE_GAINS": "没收违法所得",
    "CONFISCATE_PROPERTY": "没收非法财物",
    "LICENCE": "暂扣/吊销许可证件",
    "SUSPEND": "责令停产停业/关闭",
    "RESTRICT": "限制从业",
}
MONEY_KINDS = ("FINE", "CONFISCATE_GAINS", "CONFISCATE_PROPERTY")   # kinds with an amount
CONFISCATION_KINDS = ("CONFISCATE_GAINS", "CONFISCATE_PROPERTY")    # 没收金额 = their sum

# Stages of a case. Their date column on ``Case`` and the Chinese name.
STAGES: dict[str, str] = {
    "LEAD": "线索受理",
    "FILED": "立案",
    "INVESTIGATED": "调查终结",
    "NOTICE": "告知",
    "HEARING": "听证",
    "DECISION": "决定",
    "SERVED": "送达",
    "EXECUTION": "执行",
    "NO_PENALTY": "不予处罚",
    "REVOKED": "撤销立案",
    "NOT_FILED": "不予立案",
    "CLOSED": "结案",
}
STAGE_DATE_FIELD: dict[str, str] = {
    "LEAD": "lead_on", "FILED": "filed_on", "INVESTIGATED": "investigated_on", "NOTICE": "notice_on",
    "HEARING": "hearing_requested_on", "DECISION": "decided_on", "SERVED": "served_on",
    "EXECUTION": "executed_on", "NO_PENALTY": "no_penalty_on", "REVOKED": "revoked_on",
    "NOT_FILED": "not_filed_on", "CLOSED": "closed_on",
}
# What the case list shows while a case sits in a stage
STAGE_STATUS: dict[str, str] = {
    "LEAD": "线索待核查", "FILED": "已立案（调查取证中）", "INVESTIGATED": "调查终结", "NOTICE": "已告知",
    "HEARING": "听证程序中", "DECISION": "已作出决定（待送达）", "SERVED": "已送达（待执行）",
    "EXECUTION": "执行完毕（待结案）", "NO_PENALTY": "不予处罚（待结案）", "REVOKED": "撤销立案（待结案）",
    "NOT_FILED": "不予立案", "CLOSED": "已结案",
}
FINISHED_STAGES = frozenset({"CLOSED", "NOT_FILED"})   # nothing more to do on the case itself
OUTCOMES: dict[str, str] = {"PENALTY": "给予处罚", "NO_PENALTY": "不予处罚", "REVOKED": "撤销立案", "NOT_FILED": "不予立案"}

# Other dated entries in the case history (not stages)
EVENT_LABELS: dict[str, str] = {
    **STAGES,
    "HEARING_NOTICE": "听证通知送达",
    "HEARING_HELD": "举行听证",
    "PAUSE": "不计入办案期限",
    "EXTEND_FILING": "延长立案期限",
    "EXTEND_HEAD": "负责人批准延长办案期限",
    "EXTEND_COLLECTIVE": "集体讨论延长办案期限",
    "PAID": "缴纳罚没款",
    "PAUSE_START": "中止计算办案期限",
    "PAUSE_END": "恢复计算办案期限",
    "REPORT1": "一案一卡首次报告",
    "REPORT2": "一案一卡结案报告",
}

# 执行方式 (stored as the code since migration 0005; see docs/DECISIONS.md)
EXECUTION_MODES: dict[str, str] = {
    "VOLUNTARY": "自觉履行",
    "ON_THE_SPOT": "当场缴纳",
    "INSTALMENT": "分期缴纳",
    "DEFERRED": "延期缴纳",
    "ENFORCED": "依法强制执行（加处罚款等）",
    "COURT": "申请人民法院强制执行",
    "OTHER": "其他",
}
INSTALMENT_MODES = ("INSTALMENT", "DEFERRED")      # 行政处罚法 Art. 66: payment on the approved schedule
# 行政复议决定 (行政复议法 2023) and the court's judgment or ruling (行政诉讼法)
REVIEW_RESULTS: dict[str, str] = {
    "UPHELD": "维持",
    "REJECTED": "驳回复议申请",
    "CHANGED": "变更",
    "REVOKED": "撤销",
    "ILLEGAL": "确认违法",
    "TERMINATED": "终止（申请人撤回等）",
}
LITIGATION_RESULTS: dict[str, str] = {
    "UPHELD": "驳回诉讼请求（维持）",
    "DISMISSED": "驳回起诉",
    "CHANGED": "判决变更",
    "REVOKED": "判决撤销",
    "ILLEGAL": "确认违法",
    "WITHDRAWN": "撤诉",
}
DOCUMENT_TYPES = ["案件来源登记表", "立案报告", "现场笔录", "询问笔录", "调查终结报告", "合议记录", "行政处罚事先告知书",
                  "听证告知书", "听证通知书", "听证笔录", "行政处罚决定书", "不予行政处罚决定书", "送达回执",
                  "罚没款收据", "结案报告", "其他"]

# 双随机
TASK_LEVELS: dict[str, str] = {"NATIONAL": "国抽", "PROVINCIAL": "省抽", "CITY": "市抽", "COUNTY": "县抽"}
TASK_RESULTS = ["合格", "不合格（责令整改）", "不合格（立案查处）", "未发现问题", "对象已关闭或无法检查", "其他"]

# 投诉举报
COMPLAINT_CHANNELS = ["12345", "12320", "电话", "来信", "来访", "网络", "上级转办", "其他"]
COMPLAINT_RESULTS = ["属实", "部分属实", "不属实", "不属于本部门职责", "其他"]
SATISFACTION = ["满意", "基本满意", "不满意", "未评价"]


def name_of(table: dict[str, str], code: str | None) -> str:
    return table.get(code or "", code or "")


def code_of(table: dict[str, str], text: object) -> str | None:
    """A code from either the code itself or its Chinese name (forms and imports give either)."""
    t = str(text or "").strip()
    if not t:
        return None
    if t.upper() in table:
        return t.upper()
    for code, name in table.items():
        if t == name or t in name.split("/"):
            return code
    return None
