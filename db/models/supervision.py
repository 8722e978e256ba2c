"""卫生监督 (DOMAIN.md §5): administrative penalty cases with their officers, penalties, documents and
dated stage events; 双随机 inspection tasks; complaints; and the working-day calendar (法定节假日 and
调休 working weekends) the statutory time limits are counted on.

Codes (category, source, party type, procedure, stage, penalty kind …) are the product's stable
identifiers; their Chinese names live in ``core/supervision/codes.py``.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.base import Base, Record

Money = Numeric(14, 2)


class Case(Record, Base):
    """One 卫生行政处罚案件 from the lead (线索) to 结案. The stage dates are written by the state machine
    (``core/supervision/case_stages.py``), each with a ``CaseStageEvent``; the rest by the case form."""

    __tablename__ = "sup_case"

    # 案件编号 / 决定书文号, e.g. 梨卫医罚〔2021〕12号. ``number_key`` is the number with its sequence
    # replaced by "#" (梨卫医罚〔2021〕#号): the numbering series the next number continues.
    number: Mapped[str | None] = mapped_column(String(60), unique=True, nullable=True)
    number_key: Mapped[str | None] = mapped_column(String(60), nullable=True)
    number_seq: Mapped[int | None] = mapped_column(Integer, nullable=True)
    cause: Mapped[str] = mapped_column(String(200), nullable=False)                 # 案由
    category: Mapped[str] = mapped_column(String(16), nullable=False)               # 专业类别 code
    source: Mapped[str] = mapped_column(String(16), nullable=False)                 # 案件来源 code
    township_code: Mapped[str | None] = mapped_column(String(9), nullable=True)     # where the party is (optional)
    # 当事人
    party_type: Mapped[str] = mapped_column(String(8), nullable=False)              # UNIT / PERSON
    party_name: Mapped[str] = mapped_column(String(100), nullable=False)
    party_code: Mapped[str] = mapped_column(String(18), nullable=False, default="")  # 统一社会信用代码 or 身份证号
    party_address: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    legal_rep: Mapped[str] = mapped_column(String(50), nullable=False, default="")  # 法定代表人（负责人）
    party_phone: Mapped[str] = mapped_column(String(20), nullable=False, default="")
    procedure: Mapped[str] = mapped_column(String(8), nullable=False, default="NORMAL")   # NORMAL / SIMPLE
    stage: Mapped[str] = mapped_column(String(16), nullable=False)                  # see codes.STAGES
    outcome: Mapped[str | None] = mapped_column(String(12), nullable=True)          # PENALTY / NO_PENALTY / REVOKED / NOT_FILED
    # The facts behind the limitation period (处罚时效)
    offence_on: Mapped[date | None] = mapped_column(Date, nullable=True)            # 违法行为发生（终了）日期
    endangers_life: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)  # 涉及公民生命健康安全且有危害后果
    # Stage dates
    lead_on: Mapped[date | None] = mapped_column(Date, nullable=True)               # 线索受理
    filed_on: Mapped[date | None] = mapped_column(Date, nullable=True)              # 立案
    investigated_on: Mapped[date | None] = mapped_column(Date, nullable=True)       # 调查终结
    notice_on: Mapped[date | None] = mapped_column(Date, nullable=True)             # 告知（事先告知书送达）
    rights_waived: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)  # 书面放弃陈述申辩/听证
    hearing_requested_on: Mapped[date | None] = mapped_column(Date, nullable=True)  # 申请听证
    hearing_notice_on: Mapped[date | None] = mapped_column(Date, nullable=True)     # 听证通知送达
    hearing_on: Mapped[date | None] = mapped_column(Date, nullable=True)            # 举行听证
    decided_on: Mapped[date | None] = mapped_column(Date, nullable=True)            # 作出处罚决定
    served_on: Mapped[date | None] = mapped_column(Date, nullable=True)             # 决定书送达
    effective_on: Mapped[date | None] = mapped_column(Date, nullable=True)          # 决定生效（空：以送达日为准）
    paid_on: Mapped[date | None] = mapped_column(Date, nullable=True)               # 罚没款缴纳
    executed_on: Mapped[date | None] = mapped_column(Date, nullable=True)           # 执行完毕
    no_penalty_on: Mapped[date | None] = mapped_column(Date, nullable=True)         # 不予处罚决定
    revoked_on: Mapped[date | None] = mapped_column(Date, nullable=True)            # 撤销立案
    not_filed_on: Mapped[date | None] = mapped_column(Date, nullable=True)          # 不予立案
    closed_on: Mapped[date | None] = mapped_column(Date, nullable=True)             # 结案
    # Time that does not count toward the 90 days, and extensions granted
    paused_days: Mapped[int] = mapped_column(Integer, nullable=False, default=0)    # 听证、检测、检验、鉴定
    paused_from: Mapped[date | None] = mapped_column(Date, nullable=True)           # 中止计算中：自此日起（尚未恢复）
    filing_extended_on: Mapped[date | None] = mapped_column(Date, nullable=True)    # 立案期限延长批准
    extension_head_on: Mapped[date | None] = mapped_column(Date, nullable=True)     # 负责人批准延长（+60 日）
    extension_collective_on: Mapped[date | None] = mapped_column(Date, nullable=True)  # 集体讨论延长（+30 日）
    # 一案一卡
    report1_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    report2_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    # The case file
    facts: Mapped[str] = mapped_column(Text, nullable=False, default="")           # 违法事实
    violated: Mapped[str] = mapped_column(Text, nullable=False, default="")        # 违反条款
    basis: Mapped[str] = mapped_column(Text, nullable=False, default="")           # 处罚依据
    execution_mode: Mapped[str] = mapped_column(String(30), nullable=False, default="")  # 执行方式 code (codes.EXECUTION_MODES)
    paid_amount: Mapped[Decimal | None] = mapped_column(Money, nullable=True)      # 已缴纳罚没款（累计）
    # 行政复议 / 行政诉讼 by the party: dates and outcome codes (codes.REVIEW_RESULTS / LITIGATION_RESULTS)
    review_applied_on: Mapped[date | None] = mapped_column(Date, nullable=True)     # 申请行政复议
    review_decided_on: Mapped[date | None] = mapped_column(Date, nullable=True)     # 复议决定
    review_result: Mapped[str] = mapped_column(String(16), nullable=False, default="")
    litigation_filed_on: Mapped[date | None] = mapped_column(Date, nullable=True)   # 提起行政诉讼
    litigation_decided_on: Mapped[date | None] = mapped_column(Date, nullable=True)  # 判决 / 裁定
    litigation_result: Mapped[str] = mapped_column(String(16), nullable=False, default="")
    review_litigation: Mapped[str] = mapped_column(Text, nullable=False, default="")     # 复议 / 诉讼 说明
    incomplete: Mapped[str] = mapped_column(String(300), nullable=False, default="")     # 待补充: what is missing
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")

    officers: Mapped[list[CaseOfficer]] = relationship(back_populates="case", cascade="all, delete-orphan",
                                                      order_by="CaseOfficer.sort_order")
    penalties: Mapped[list[CasePenalty]] = relationship(back_populates="case", cascade="all, delete-orphan",
                                                       order_by="CasePenalty.sort_order")
    documents: Mapped[list[CaseDocument]] = relationship(back_populates="case", cascade="all, delete-orphan",
                                                        order_by="CaseDocument.sort_order")
    events: Mapped[list[CaseStageEvent]] = relationship(back_populates="case", cascade="all, delete-orphan",
                                                       order_by="CaseStageEvent.seq")

    __table_args__ = (
        UniqueConstraint("number_key", "number_seq", name="uq_sup_case_series"),
        Index("ix_sup_case_filed", "filed_on", "id"),
        Index("ix_sup_case_stage", "stage"),
        Index("ix_sup_case_party", "party_name"),
        Index("ix_sup_case_party_code", "party_code"),
    )

    def audit_label(self) -> str:
        return f"{self.number or '（未编号）'} {self.party_name}"


class CaseOfficer(Record, Base):
    """承办人: a law-enforcement officer with the certificate number (执法证号)."""

    __tablename__ = "sup_case_officer"

    case_id: Mapped[int] = mapped_column(ForeignKey("sup_case.id", ondelete="CASCADE"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(50), nullable=False)
    certificate_no: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    sort_order: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    case: Mapped[Case] = relationship(back_populates="officers")

    def audit_label(self) -> str:
        return f"承办人 {self.name}"


class CasePenalty(Record, Base):
    """One kind of penalty in the decision (警告, 罚款 …) with its amount where it has one."""

    __tablename__ = "sup_case_penalty"

    case_id: Mapped[int] = mapped_column(ForeignKey("sup_case.id", ondelete="CASCADE"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(24), nullable=False)                   # see codes.PENALTY_KINDS
    amount: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    detail: Mapped[str] = mapped_column(String(200), nullable=False, default="")   # e.g. 吊销《医疗机构执业许可证》
    sort_order: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    case: Mapped[Case] = relationship(back_populates="penalties")

    __table_args__ = (UniqueConstraint("case_id", "kind", name="uq_sup_case_penalty_kind"),)

    def audit_label(self) -> str:
        return f"处罚 {self.kind}"


class CaseDocument(Record, Base):
    """A document of the case file (立案报告, 事先告知书, 行政处罚决定书, 送达回执 …)."""

    __tablename__ = "sup_case_document"

    case_id: Mapped[int] = mapped_column(ForeignKey("sup_case.id", ondelete="CASCADE"), nullable=False, index=True)
    doc_type: Mapped[str] = mapped_column(String(40), nullable=False)
    number: Mapped[str] = mapped_column(String(60), nullable=False, default="")
    issued_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    note: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    sort_order: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    case: Mapped[Case] = relationship(back_populates="documents")

    def audit_label(self) -> str:
        return f"{self.doc_type} {self.number}"


class CaseStageEvent(Record, Base):
    """A dated step of the case (立案, 告知, 决定 …, also 延期, 中止计算, 听证通知); ``reverted`` when a
    supervisor took the step back (the row stays, for the history)."""

    __tablename__ = "sup_case_event"

    case_id: Mapped[int] = mapped_column(ForeignKey("sup_case.id", ondelete="CASCADE"), nullable=False, index=True)
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    stage: Mapped[str] = mapped_column(String(24), nullable=False)
    event_on: Mapped[date] = mapped_column(Date, nullable=False)
    note: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    reverted: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    case: Mapped[Case] = relationship(back_populates="events")

    __table_args__ = (UniqueConstraint("case_id", "seq", name="uq_sup_case_event_seq"),)

    def audit_label(self) -> str:
        return f"案件环节 {self.stage} {self.event_on}"


class RandomTask(Record, Base):
    """双随机抽查 task: one target unit drawn at some level, due by a date; may open a case."""

    __tablename__ = "sup_random_task"

    year: Mapped[int] = mapped_column(Integer, nullable=False)                      # plan year
    level: Mapped[str] = mapped_column(String(12), nullable=False)                  # NATIONAL / PROVINCIAL / CITY / COUNTY
    category: Mapped[str] = mapped_column(String(16), nullable=False, default="")   # 专业类别 code
    task_no: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    target_name: Mapped[str] = mapped_column(String(100), nullable=False)
    target_code: Mapped[str] = mapped_column(String(18), nullable=False, default="")   # 统一社会信用代码
    target_address: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    township_code: Mapped[str | None] = mapped_column(String(9), nullable=True)
    inspectors: Mapped[str] = mapped_column(String(200), nullable=False, default="")  # names, "、"-joined
    due_on: Mapped[date] = mapped_column(Date, nullable=False)
    done_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    result: Mapped[str] = mapped_column(String(20), nullable=False, default="")     # see codes.TASK_RESULTS
    result_note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    case_id: Mapped[int | None] = mapped_column(ForeignKey("sup_case.id", ondelete="SET NULL"), nullable=True, index=True)

    __table_args__ = (Index("ix_sup_random_task_year", "year", "level"),)

    def audit_label(self) -> str:
        return f"双随机 {self.year} {self.target_name}"


class Complaint(Record, Base):
    """投诉举报: received, handled, with the result and the complainant's satisfaction."""

    __tablename__ = "sup_complaint"

    received_on: Mapped[date] = mapped_column(Date, nullable=False)
    channel: Mapped[str] = mapped_column(String(16), nullable=False)                # see codes.COMPLAINT_CHANNELS
    ref_no: Mapped[str] = mapped_column(String(40), nullable=False, default="")     # 工单号
    category: Mapped[str] = mapped_column(String(16), nullable=False, default="")   # 专业类别 code
    subject: Mapped[str] = mapped_column(String(100), nullable=False)               # 被投诉对象
    content: Mapped[str] = mapped_column(Text, nullable=False, default="")
    township_code: Mapped[str | None] = mapped_column(String(9), nullable=True)
    handled_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    result: Mapped[str] = mapped_column(String(16), nullable=False, default="")     # see codes.COMPLAINT_RESULTS
    result_note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    satisfaction: Mapped[str] = mapped_column(String(12), nullable=False, default="")  # see codes.SATISFACTION
    case_id: Mapped[int | None] = mapped_column(ForeignKey("sup_case.id", ondelete="SET NULL"), nullable=True, index=True)

    __table_args__ = (Index("ix_sup_complaint_received", "received_on"),)

    def audit_label(self) -> str:
        return f"投诉 {self.received_on} {self.subject}"


class Holiday(Record, Base):
    """One day of the State Council's holiday calendar: HOLIDAY (放假) or WORKDAY (调休上班 on a weekend).
    Shipped years are loaded from ``resources/holidays/*.json``; an administrator may add or change days."""

    __tablename__ = "sup_holiday"

    day: Mapped[date] = mapped_column(Date, unique=True, nullable=False)
    kind: Mapped[str] = mapped_column(String(8), nullable=False)                    # HOLIDAY / WORKDAY
    name: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    source: Mapped[str] = mapped_column(String(16), nullable=False, default="ADMIN")  # SHIPPED / ADMIN

    def audit_label(self) -> str:
        return f"{self.day} {self.name} {'放假' if self.kind == 'HOLIDAY' else '调休上班'}"
