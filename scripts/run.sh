#!/usr/bin/env bash
# README command 1: install what is needed on a fresh Debian 12 machine and start the program.
#   bash scripts/run.sh                 the GUI
#   bash scripts/run.sh [--db X] CMD …  the headless CLI (arguments are passed to main.py unchanged)
set -euo pipefail

# shellcheck source=scripts/setup_env.sh
source "$(dirname "${BASH_SOURCE[0]}")/setup_env.sh"

# Missing system packages are not fatal here: the CLI may still work, and a user without root
# has already been told what to ask for.
wj_ensure_system "${WJ_RUNTIME_PACKAGES[@]}" \
    || wj_warn "系统软件包未能全部安装，继续尝试启动。"
wj_ensure_venv "" || exit 1

# No cd: relative file names in the arguments stay relative to the caller's directory.
cmd=("$WJ_VENV_PY" "$WJ_ROOT/main.py" "$@")

# main.py opens the GUI with no arguments or with `--db X` alone; everything else is the CLI, which
# needs no display (DESIGN.md), so only a GUI start is wrapped in a virtual X server.
gui=0
if [ "$#" -eq 0 ] || { [ "$#" -eq 2 ] && [ "$1" = "--db" ]; }; then
    gui=1
fi

if [ "$gui" -eq 1 ] && [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] \
        && [ -z "${QT_QPA_PLATFORM:-}" ]; then
    if command -v xvfb-run >/dev/null 2>&1; then
        wj_say "没有检测到图形显示（DISPLAY 未设置），程序窗口将显示在虚拟屏幕（Xvfb）上，肉眼看不到。"
        wj_say "需要看到窗口时，请在桌面环境或远程桌面里运行本脚本；命令行子命令不需要显示。"
        exec xvfb-run -a -s "-screen 0 1366x768x24" "${cmd[@]}"
    fi
    wj_warn "没有图形显示，也没有 xvfb-run；图形界面可能无法启动。"
fi
exec "${cmd[@]}"
