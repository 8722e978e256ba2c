"""``main.py --self-check``: proves a (frozen) build works end to end without a display —
a temporary database, the demo county, ORG-LIST rendered to PDF and xlsx, the font and migrations found."""
from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path


def self_check() -> int:
    report: dict = {"ok": False, "frozen": bool(getattr(sys, "frozen", False)), "steps": []}
    try:
        from core.access import Actor
        from core.database import Database
        from core.demo import create_demo
        from core.installation import check
        from core.resources import resource_path
        from core.returns.catalogue import build_return
        from core.returns.render import render

        font = resource_path("fonts", "wqy-microhei.ttc")
        assert font.exists(), f"font missing: {font}"
        report["steps"].append("font")
        with tempfile.TemporaryDirectory() as d:
            actor = Actor.command_line()
            db = Database.connect(Path(d) / "selfcheck.sqlite", create=True)
            create_demo(db, actor)
            report["steps"].append("database")
            for fmt in ("pdf", "xlsx"):
                out = Path(d) / f"org-list.{fmt}"
                with db.session(actor) as s:
                    rows = render(build_return(s, actor, "ORG-LIST"), fmt, out)
                assert rows > 0 and out.stat().st_size > 1000, f"{fmt} too small"
                report["steps"].append(f"ORG-LIST.{fmt}: {rows} rows, {out.stat().st_size} bytes")
            result = check(db)
            assert result["ok"], result["problems"]
            report["steps"].append("check")
            db.dispose()
        try:
            from PySide6.QtWidgets import QApplication  # noqa: F401 - the GUI libraries are in the bundle
            report["steps"].append("qt")
        except ImportError as e:
            raise AssertionError(f"Qt missing: {e}") from e
        report["ok"] = True
    except Exception as e:  # noqa: BLE001 - report, don't crash
        report["error"] = f"{type(e).__name__}: {e}"
    print(json.dumps(report, ensure_ascii=False))
    return 0 if report["ok"] else 1
