"""Errors that reach people. Each carries a Chinese message that names the problem.

The CLI maps them to exit codes (DESIGN.md contract): ``DataError`` → 1, ``UsageError`` → 2.
The GUI shows ``str(error)`` in a message box. Anything else is a bug: logged, and shown as a
generic Chinese message without a traceback.
"""
from __future__ import annotations


class UserFacingError(Exception):
    """Base: ``str(e)`` is a complete Chinese sentence for a person."""

    exit_code = 1

    def __init__(self, message: str, *, details: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or []


class DataError(UserFacingError):
    """Something in the data or a file is wrong (bad row, damaged package, unknown code)."""


class UsageError(UserFacingError):
    """The command or its arguments are wrong."""

    exit_code = 2


class PermissionDenied(UserFacingError):
    """The acting user's role or township scope does not allow this."""


class StaleRecord(UserFacingError):
    """Someone else saved the record since it was read (optimistic locking)."""


class DatabaseUnusable(UserFacingError):
    """The database cannot be opened: damaged, not ours, newer than this program, unreachable."""


class LoginFailed(UserFacingError):
    pass
