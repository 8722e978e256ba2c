"""All mapped classes; importing this package registers every table on ``Base.metadata``."""
from db.base import Base, Record
from db.models.audit import AuditChainHead, AuditLog
from db.models.orgunits import OrgUnit
from db.models.settings import Setting
from db.models.users import User, UserTownship

__all__ = ["Base", "Record", "AuditChainHead", "AuditLog", "OrgUnit", "Setting", "User", "UserTownship"]
