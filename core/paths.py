"""Where the program keeps its files (platformdirs): the database, backups, settings, logs."""
from __future__ import annotations

import json
import os
from pathlib import Path

APP_NAME = "WeiJianTaiZhang"


def data_dir() -> Path:
    """``WEIJIAN_DATA_DIR`` overrides (tests, portable installs)."""
    override = os.environ.get("WEIJIAN_DATA_DIR")
    if override:
        return Path(override)
    from platformdirs import user_data_dir
    return Path(user_data_dir(APP_NAME, appauthor=False))


def default_database_path() -> Path:
    return data_dir() / "weijian.sqlite"


def demo_database_path() -> Path:
    return data_dir() / "demo.sqlite"


def backups_dir() -> Path:
    return data_dir() / "backups"


def logs_dir() -> Path:
    return data_dir() / "logs"


def local_settings_path() -> Path:
    return data_dir() / "local-settings.json"


def load_local_settings() -> dict:
    """Settings of this computer (not of the database): which database to open, window geometry."""
    try:
        return json.loads(local_settings_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def save_local_settings(values: dict) -> None:
    path = local_settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(values, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(tmp, path)


def configured_database() -> str:
    """``--db`` beats ``WEIJIAN_DB``, which beats the local setting, which beats the default file."""
    return os.environ.get("WEIJIAN_DB") or load_local_settings().get("database") or str(default_database_path())
