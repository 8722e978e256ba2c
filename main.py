"""卫健台账 — entry point. No arguments: the GUI. A sub-command: the headless CLI (core/cli.py).
``--self-check``: open a temporary database, render a return, exit 0 (used on frozen builds)."""
from __future__ import annotations

import sys


def run(argv: list[str]) -> int:
    if argv and argv[0] == "--self-check":
        from core.selfcheck import self_check
        return self_check()
    gui_flags = {"--db"}
    if not argv or (argv[0] in gui_flags and len(argv) == 2):
        from gui.app import run_gui
        return run_gui(db=argv[1] if argv else None)
    from core.cli import main
    return main(argv)


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
