"""Layers: core/ and db/ never import Qt (STYLE.md: prove it with PySide6 blocked)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

BLOCK_QT = r"""
import importlib, pkgutil, sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name == "PySide6" or name.startswith("PySide6.") or name.startswith("shiboken6"):
            raise ImportError("Qt is blocked in core/db: " + name)
sys.meta_path.insert(0, Block())
import core, db
names = []
for pkg in (core, db):
    for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
        if ".migrations" in m.name:
            continue
        importlib.import_module(m.name)
        names.append(m.name)
import core.selfcheck
print(len(names))
"""


def test_core_and_db_import_without_qt():
    r = subprocess.run([sys.executable, "-c", BLOCK_QT], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert int(r.stdout.strip()) >= 15


def test_the_cli_runs_without_qt(tmp_path):
    code = BLOCK_QT.replace("print(len(names))", "from core.cli import main; sys.exit(main(['--db', sys.argv[1], 'demo', '--recipients', '0']))")
    r = subprocess.run([sys.executable, "-c", code, str(tmp_path / "d.sqlite")], cwd=ROOT, capture_output=True,
                       text=True, env={"WEIJIAN_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert r.returncode == 0, r.stderr
    assert "演示县" in r.stdout


def test_screens_do_not_reach_into_the_database_layer():
    """gui → core → db: screens call core services and never import db models (DESIGN.md)."""
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "gui").rglob("*.py")
                 if "from db" in p.read_text(encoding="utf-8") or "import db" in p.read_text(encoding="utf-8")]
    assert offenders == []
