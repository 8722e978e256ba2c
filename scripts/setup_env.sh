# shellcheck shell=bash
# Shared set-up steps for scripts/run.sh (README command 1) and scripts/test.sh (README command 2).
#
# Sourced, not executed: it only defines variables and functions. The callers use
#   wj_ensure_system PKG...     Debian packages (only the missing ones) + a usable python3 >= 3.11
#   wj_ensure_venv EXTRAS       .venv in the repo with `pip install -e ".[EXTRAS]"` ("" = no extras)
# Both return non-zero on failure (they never rely on the caller's `set -e`, because errexit is
# ignored inside a function that is called as `f || ...`).
#
# Messages to people are Chinese and go to stderr, so a command's --json output stays clean on stdout.

WJ_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WJ_VENV="$WJ_ROOT/.venv"
WJ_VENV_PY="$WJ_VENV/bin/python"

# What the Qt runtime needs on a bare Debian 12, plus the CJK font and a virtual X server
# (see /work/shared/ENVIRONMENT.md for why each is here). test.sh adds its own on top.
# shellcheck disable=SC2034  # used by the scripts that source this file
WJ_RUNTIME_PACKAGES=(
    libglib2.0-0 libgl1 libegl1 libxkbcommon0 libfontconfig1 libdbus-1-3
    libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-render-util0
    libxcb-shape0 libxkbcommon-x11-0
    fonts-wqy-microhei xvfb xauth
)

wj_say()  { printf '[卫健台账] %s\n' "$*" >&2; }
wj_warn() { printf '[卫健台账] 注意：%s\n' "$*" >&2; }
wj_err()  { printf '[卫健台账] 错误：%s\n' "$*" >&2; }

# --- Python -------------------------------------------------------------------------------------

# Print the first interpreter that is >= 3.11 and can create a venv with pip (ensurepip).
# $PYTHON, when set, is tried first.
wj_find_python() {
    local cand
    for cand in "${PYTHON:-}" python3 python3.13 python3.12 python3.11 /usr/bin/python3; do
        [ -n "$cand" ] || continue
        command -v "$cand" >/dev/null 2>&1 || continue
        if "$cand" -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 11))' \
                >/dev/null 2>&1; then
            command -v "$cand"
            return 0
        fi
    done
    return 1
}

# Debian packages still needed for a usable python3 (printed one per line; nothing when fine).
wj_python_packages() {
    wj_find_python >/dev/null && return 0
    if [ -x /usr/bin/python3 ] \
        && /usr/bin/python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
        echo python3-venv            # Debian's python3 without ensurepip: `python3 -m venv` fails
    else
        printf '%s\n' python3 python3-venv
    fi
}

# --- Debian packages ----------------------------------------------------------------------------

wj_pkg_installed() {
    [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

# wj_ensure_system PKG... : install the missing ones (plus python3/python3-venv when needed).
# Returns 1 when packages are missing and could not be installed.
wj_ensure_system() {
    local pkg missing=() sudo=()
    if ! command -v dpkg-query >/dev/null 2>&1; then
        wj_warn "这台机器不是 Debian/Ubuntu 系统，跳过系统软件包检查。请自行安装：$* 以及 Python 3.11 或更新版本。"
        return 0
    fi
    for pkg in "$@" $(wj_python_packages); do
        wj_pkg_installed "$pkg" || missing+=("$pkg")
    done
    if [ "${#missing[@]}" -eq 0 ]; then
        wj_say "系统软件包齐全。"
        return 0
    fi

    if [ "$(id -u)" -ne 0 ]; then
        if ! command -v sudo >/dev/null 2>&1; then
            wj_warn "缺少以下系统软件包，而当前用户既不是 root 也没有 sudo，请让管理员执行："
            printf '    apt-get update && apt-get install -y %s\n' "${missing[*]}" >&2
            wj_warn "先继续运行；缺少这些软件包时程序可能无法启动或中文显示为方框。"
            return 0
        fi
        sudo=(sudo)
        [ -t 0 ] || sudo=(sudo -n)   # no terminal to type a password into: do not hang
    fi

    wj_say "正在安装缺少的系统软件包：${missing[*]}"
    if ! "${sudo[@]}" apt-get update -qq; then
        wj_err "apt-get update 失败（网络或软件源问题）。"
        return 1
    fi
    if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
            apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
        wj_err "安装系统软件包失败，请手动执行：apt-get install -y ${missing[*]}"
        return 1
    fi
    wj_say "系统软件包已安装。"
    return 0
}

# --- Virtual environment ------------------------------------------------------------------------

# wj_ensure_venv EXTRAS : .venv with the project installed editable, e.g. EXTRAS="test,build".
# Fast when nothing changed: a stamp per extras set, newer than pyproject.toml, skips pip.
wj_ensure_venv() {
    local extras="${1:-}" py spec stamp
    if [ -x "$WJ_VENV_PY" ] \
        && ! "$WJ_VENV_PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1; then
        wj_warn "现有的 .venv 无法使用（Python 已变动或版本过低），将重新创建。"
        rm -rf "$WJ_VENV"
    fi
    if [ ! -x "$WJ_VENV_PY" ]; then
        if ! py="$(wj_find_python)"; then
            wj_err "找不到 Python 3.11 或更新版本（需要带 venv 模块）。请安装 python3 和 python3-venv。"
            return 1
        fi
        wj_say "正在用 $py 创建虚拟环境 .venv …"
        if ! "$py" -m venv "$WJ_VENV"; then
            wj_err "创建虚拟环境失败。"
            rm -rf "$WJ_VENV"
            return 1
        fi
    fi

    spec="."
    [ -z "$extras" ] || spec=".[${extras}]"
    stamp="$WJ_VENV/.wj-installed-${extras:-base}"
    stamp="${stamp//,/-}"
    # Without extras, any install newer than pyproject.toml will do (extras only add packages).
    local s candidates=("$stamp")
    [ -n "$extras" ] || candidates=("$WJ_VENV"/.wj-installed-*)
    for s in "${candidates[@]}"; do
        if [ -f "$s" ] && [ "$s" -nt "$WJ_ROOT/pyproject.toml" ]; then
            wj_say "Python 依赖已是最新（pyproject.toml 未改动）。"
            return 0
        fi
    done
    wj_say "正在安装 Python 依赖 $spec（首次需要几分钟）…"
    if ! (cd "$WJ_ROOT" && "$WJ_VENV_PY" -m pip install -q -e "$spec"); then
        wj_err "pip 安装依赖失败，请检查网络后重试。"
        return 1
    fi
    touch "$stamp"
    wj_say "Python 依赖安装完成。"
    return 0
}
