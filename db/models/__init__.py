"""All mapped classes; importing this package registers every table on ``Base.metadata``."""
from db.base import Base, Record
from db.models.audit import AuditChainHead, AuditLog
from db.models.mch import DataElement, DataValue, MonthReport, ValidationRule, YearTarget
from db.models.orgunits import OrgUnit
from db.models.settings import Setting
from db.models.subsidy import (Child, PaymentLine, PaymentRoll, Recipient, SubsidyProgram, SubsidyStandard,
                               YearConfirmation, YearEntry)
from db.models.supervision import Case, CaseDocument, CaseOfficer, CasePenalty, CaseStageEvent, Complaint, Holiday, RandomTask
from db.models.users import User, UserTownship

__all__ = ["Base", "Record", "AuditChainHead", "AuditLog", "OrgUnit", "Setting", "User", "UserTownship",
           "Child", "PaymentLine", "PaymentRoll", "Recipient", "SubsidyProgram", "SubsidyStandard", "YearConfirmation",
           "YearEntry", "DataElement", "DataValue", "MonthReport", "ValidationRule", "YearTarget",
           "Case", "CaseDocument", "CaseOfficer", "CasePenalty", "CaseStageEvent", "Complaint", "Holiday", "RandomTask"]
