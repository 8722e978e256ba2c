"""Who is acting, and what their role allows. Checked in core services, not only in screens."""
from __future__ import annotations

import getpass
from dataclasses import dataclass
from enum import Enum

from core.errors import PermissionDenied


class Role(str, Enum):
    CLERK = "CLERK"
    SUPERVISOR = "SUPERVISOR"
    ADMIN = "ADMIN"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {Role.CLERK: "录入员", Role.SUPERVISOR: "审核员", Role.ADMIN: "管理员"}


class Permission(str, Enum):
    EDIT_DATA = "EDIT_DATA"            # enter and change records
    APPROVE = "APPROVE"                # approve / return monthly data, confirm years
    UNLOCK = "UNLOCK"                  # unlock an approved period
    PRINT_RETURNS = "PRINT_RETURNS"    # export and print returns
    MANAGE_USERS = "MANAGE_USERS"
    MANAGE_REFERENCE = "MANAGE_REFERENCE"  # org units, programmes, rules, settings
    BACKUP = "BACKUP"                  # backup and restore
    VIEW_AUDIT = "VIEW_AUDIT"


PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.CLERK: frozenset({Permission.EDIT_DATA, Permission.PRINT_RETURNS}),
    Role.SUPERVISOR: frozenset({Permission.EDIT_DATA, Permission.APPROVE, Permission.UNLOCK,
                                Permission.PRINT_RETURNS, Permission.VIEW_AUDIT}),
    Role.ADMIN: frozenset(Permission),
}

PERMISSION_LABELS = {
    Permission.EDIT_DATA: "录入和修改数据",
    Permission.APPROVE: "审核",
    Permission.UNLOCK: "解锁已审核的数据",
    Permission.PRINT_RETURNS: "导出和打印报表",
    Permission.MANAGE_USERS: "管理用户",
    Permission.MANAGE_REFERENCE: "维护组织机构和基础设置",
    Permission.BACKUP: "备份和恢复",
    Permission.VIEW_AUDIT: "查看审计日志",
}


@dataclass(frozen=True)
class Actor:
    """The person (or command line) on whose behalf a service runs.

    ``townships``: None means all townships of the installation; otherwise the codes this actor may
    edit (a clerk limited to some townships, or everyone on a township installation).
    """

    username: str
    display_name: str
    role: Role
    townships: frozenset[str] | None = None
    user_id: int | None = None
    via_cli: bool = False

    @classmethod
    def command_line(cls) -> Actor:
        """The CLI acts as a local administrator, audited under the operating-system user's name."""
        try:
            os_user = getpass.getuser()
        except Exception:  # noqa: BLE001 - no login name in some service contexts
            os_user = "unknown"
        return cls(username=f"cli:{os_user}", display_name=f"{os_user}（命令行）", role=Role.ADMIN, via_cli=True)

    @classmethod
    def system(cls) -> Actor:
        return cls(username="system", display_name="系统", role=Role.ADMIN)

    def can(self, permission: Permission) -> bool:
        return permission in PERMISSIONS[self.role]

    def require(self, permission: Permission) -> None:
        if not self.can(permission):
            raise PermissionDenied(
                f"当前用户“{self.display_name}”（{self.role.label}）无权{PERMISSION_LABELS[permission]}。"
            )

    def may_edit_township(self, township_code: str) -> bool:
        if self.townships is None:
            return True
        return township_code[:9] in self.townships

    def require_township(self, code: str) -> None:
        if not self.may_edit_township(code):
            raise PermissionDenied(f"当前用户“{self.display_name}”无权处理乡镇（街道）{code[:9]} 的数据。")

    def limited_to(self, townships: frozenset[str] | None) -> Actor:
        """This actor narrowed to a township installation's scope."""
        if townships is None:
            return self
        scope = townships if self.townships is None else (self.townships & townships)
        return Actor(self.username, self.display_name, self.role, frozenset(scope), self.user_id, self.via_cli)
