"""Progress and cancelling for a long import: ``progress(done, total) -> bool`` is called every few
hundred lines; returning False cancels — the import raises ``ImportCancelled`` inside the caller's
transaction, which is rolled back, so the database stays as it was."""
from __future__ import annotations

from typing import Callable

from core.errors import UserFacingError

ProgressCallback = Callable[[int, int], object]


class ImportCancelled(UserFacingError):
    def __init__(self, message: str = "已取消导入，数据库未做任何改动。"):
        super().__init__(message)


class Progress:
    def __init__(self, callback: ProgressCallback | None, total: int, every: int = 500):
        self.callback = callback
        self.total = total
        self.every = every
        self._next = every

    def advance(self, done: int) -> None:
        """Cheap when called for every line: reports only every ``every`` lines."""
        if done >= self._next:
            self._next = done + self.every
            self.report(done)

    def report(self, done: int) -> None:
        if self.callback is not None and self.callback(done, self.total) is False:
            raise ImportCancelled()
