"""Run work off the GUI thread and hand results back on it (STYLE.md: Anki's CollectionOp/QueryOp,
Picard's run_task). Database writes go through one worker at a time; the progress dialog appears
only after ~0.6 s; errors become Chinese message boxes, never tracebacks.

Usage::

    run_op(parent, lambda progress: core_service(..., progress=progress),
           on_done=lambda result: ..., label="正在导出……", cancellable=True)

The callable gets ``progress(done:int, total:int|None=None, text:str="") -> bool``; it returns False
once the user pressed cancel, and the core code then stops (rolling back its transaction).
"""
from __future__ import annotations

import logging
import threading
from typing import Any, Callable

import shiboken6
from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from core.errors import UserFacingError

log = logging.getLogger(__name__)

_write_pool: QThreadPool | None = None


def write_pool() -> QThreadPool:
    """One worker: database writes never run two at a time (SQLite has one writer anyway)."""
    global _write_pool
    if _write_pool is None:
        _write_pool = QThreadPool()
        _write_pool.setMaxThreadCount(1)
    return _write_pool


class _Signals(QObject):
    finished = Signal(object)
    failed = Signal(object)
    progressed = Signal(int, int, str)


class _Task(QRunnable):
    def __init__(self, fn: Callable[[Callable[..., bool]], Any]):
        super().__init__()
        self.fn = fn
        self.signals = _Signals()
        self.cancelled = threading.Event()

    def progress(self, done: int, total: int | None = None, text: str = "") -> bool:
        self.signals.progressed.emit(int(done), int(total or 0), text)
        return not self.cancelled.is_set()

    def run(self) -> None:
        try:
            result = self.fn(self.progress)
        except BaseException as e:  # noqa: BLE001 - handed to the GUI thread
            if not isinstance(e, UserFacingError):
                log.exception("background operation failed")
            self.signals.failed.emit(e)
        else:
            self.signals.finished.emit(result)


def show_error(parent: QWidget | None, error: BaseException, title: str = "操作未完成") -> None:
    if isinstance(error, UserFacingError):
        text = error.message
        if error.details:
            text += "\n\n" + "\n".join(error.details[:20])
            if len(error.details) > 20:
                text += f"\n…… 另有 {len(error.details) - 20} 条"
    else:
        from core.paths import logs_dir
        text = f"程序内部错误（{type(error).__name__}），操作未完成，数据未改动。详情已写入日志：{logs_dir()}"
    QMessageBox.warning(parent, title, text)


_running: set[_Task] = set()


def run_op(parent: QWidget | None, fn: Callable[[Callable[..., bool]], Any], *,
           on_done: Callable[[Any], None] | None = None, on_failed: Callable[[BaseException], None] | None = None,
           label: str = "正在处理……", cancellable: bool = False, writes: bool = True,
           pool: QThreadPool | None = None, quiet: bool = False) -> _Task:
    """``quiet``: no progress window (a read the screen shows as loading in its own place, so the
    person can go on working while it runs)."""
    task = _Task(fn)
    dialog = None if quiet else QProgressDialog(label, "取消" if cancellable else "", 0, 0, parent)
    if dialog is not None:
        dialog.setWindowTitle("请稍候")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(600)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        if not cancellable:
            dialog.setCancelButton(None)
        dialog.canceled.connect(task.cancelled.set)

    def progressed(done: int, total: int, text: str) -> None:
        if dialog is None or not shiboken6.isValid(dialog):
            return
        if total:
            dialog.setMaximum(total)
            dialog.setValue(min(done, total))
        if text:
            dialog.setLabelText(text)

    def finish() -> bool:
        """Close the progress dialog; False when the screen that asked is gone (window closed
        while the work ran): then its callbacks must not run."""
        _running.discard(task)
        if dialog is not None and shiboken6.isValid(dialog):
            dialog.reset()
            dialog.deleteLater()
        return parent is None or shiboken6.isValid(parent)

    def finished(result: Any) -> None:
        if finish() and on_done:
            on_done(result)

    def failed(error: BaseException) -> None:
        if not finish():
            log.warning("background operation failed after its window closed: %s", type(error).__name__)
            return
        if on_failed:
            on_failed(error)
        else:
            show_error(parent, error)

    task.signals.progressed.connect(progressed)
    task.signals.finished.connect(finished)
    task.signals.failed.connect(failed)
    _running.add(task)
    (pool or (write_pool() if writes else QThreadPool.globalInstance())).start(task)
    return task


def wait_for_all(timeout_ms: int = 30_000) -> None:
    """At shutdown: let running work finish (no threads left running, Vorta #684)."""
    write_pool().waitForDone(timeout_ms)
    QThreadPool.globalInstance().waitForDone(timeout_ms)
