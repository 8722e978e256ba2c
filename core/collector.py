"""Pausing Python's cycle collector while a bulk job runs.

A 100,000-line import keeps the workbook's cells (millions of objects) alive while it makes millions
of short-lived ones; every automatic collection then walks the survivors again — about a fifth of an
import's time, spent finding nothing, since these jobs free their objects by reference counting. So
the collector waits until the job ends. Nested and concurrent jobs share one pause; the collector is
switched back on (if it was on) when the last one ends, even on an error.
"""
from __future__ import annotations

import gc
import threading
from contextlib import contextmanager
from typing import Iterator

_lock = threading.Lock()
_jobs = 0
_was_enabled = True


@contextmanager
def collector_paused() -> Iterator[None]:
    global _jobs, _was_enabled
    with _lock:
        if _jobs == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _jobs += 1
    try:
        yield
    finally:
        with _lock:
            _jobs -= 1
            if _jobs == 0 and _was_enabled:
                gc.enable()
