"""Logging to a rotating file in the data folder. Personal data (ID numbers, accounts) never goes
into log messages: services log record UUIDs and counts, not content."""
from __future__ import annotations

import logging
import logging.handlers

from core.paths import logs_dir

_done = False


def setup_logging(level: int = logging.INFO) -> None:
    global _done
    if _done:
        return
    _done = True
    root = logging.getLogger()
    root.setLevel(level)
    try:
        folder = logs_dir()
        folder.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(folder / "weijian.log", maxBytes=2_000_000, backupCount=5, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
    except OSError:
        pass  # a read-only data folder must not stop the program
