#!/usr/bin/env bash
# README command 2: install what is needed on a fresh Debian 12 machine and run the whole test suite.
#   bash scripts/test.sh [PYTEST ARGS…]
# Stages: system packages → venv → throwaway PostgreSQL 15 → pytest (SQLite + PostgreSQL)
#         → PyInstaller bundle → frozen --self-check → benchmark at a small size.
# Set-up stages abort on failure; the later stages all run and the exit code is non-zero when any
# of them failed (pytest's exit code 5, "no tests collected", counts as a failure).
# SKIP_BUNDLE=1 skips the bundle and frozen self-check for quick local runs (CI never sets it).
set -euo pipefail

# shellcheck source=scripts/setup_env.sh
source "$(dirname "${BASH_SOURCE[0]}")/setup_env.sh"
cd "$WJ_ROOT"

TEST_PACKAGES=(
    "${WJ_RUNTIME_PACKAGES[@]}"
    xdotool            # GUI tests drive a real X window
    poppler-utils      # pdftotext/pdftoppm read exported PDFs back
    postgresql         # server for the PostgreSQL half of the storage tests
    libreoffice-calc   # opens exported xlsx the way a spreadsheet program does
)

# --- stage bookkeeping and the summary (printed on every exit, also after an abort) ---------------

STAGE_NAMES=() STAGE_RESULTS=() STAGE_TIMES=()
FAILED=0
PG_DIR="" PG_CTL_AS=() PGBIN=""
PYTEST_LOG=""

now_ms() { date +%s%3N; }
fmt_ms() { printf '%d.%01ds' $(($1 / 1000)) $((($1 % 1000) / 100)); }

# record NAME RESULT START_MS
record() {
    STAGE_NAMES+=("$1")
    STAGE_RESULTS+=("$2")
    STAGE_TIMES+=("$(fmt_ms $(($(now_ms) - $3)))")
    printf '\n[卫健台账] === %s：%s（%s）===\n\n' "$1" "$2" "${STAGE_TIMES[-1]}" >&2
}

# run_stage NAME CMD… : run, time and record one stage; returns the command's exit code.
run_stage() {
    local name="$1" t0 rc=0
    shift
    printf '\n[卫健台账] === 开始 / start：%s ===\n' "$name" >&2
    t0=$(now_ms)
    "$@" || rc=$?
    if [ "$rc" -eq 0 ]; then
        record "$name" "ok" "$t0"
    else
        record "$name" "FAILED($rc)" "$t0"
        FAILED=1
    fi
    return "$rc"
}

skip_stage() {
    STAGE_NAMES+=("$1（$2）") STAGE_RESULTS+=("skipped") STAGE_TIMES+=("-")
    printf '\n[卫健台账] === %s：跳过 skipped（%s）===\n' "$1" "$2" >&2
}

# pytest's counts from its closing line, e.g. "3 failed, 115 passed, 1 skipped in 49.92s".
pytest_counts() {
    local line n word passed=0 failed=0 skipped=0
    [ -n "$PYTEST_LOG" ] && [ -s "$PYTEST_LOG" ] || return 1
    line="$(grep -E '(passed|failed|error|skipped|no tests ran).* in [0-9.]+s' "$PYTEST_LOG" | tail -n 1)"
    [ -n "$line" ] || return 1
    while read -r n word; do
        case "$word" in
            passed) passed=$n ;;
            failed | error | errors) failed=$((failed + n)) ;;
            skipped) skipped=$n ;;
        esac
    done < <(grep -oE '[0-9]+ (passed|failed|errors?|skipped)' <<<"$line")
    printf '%d passed, %d failed' "$passed" "$failed"
    [ "$skipped" -eq 0 ] || printf ', %d skipped' "$skipped"
    printf '\n'
}

# Printed last, on stdout: the stage table, then pytest's counts as the closing line.
summary() {
    local i counts
    [ "${#STAGE_NAMES[@]}" -gt 0 ] || return 0
    printf '\n[卫健台账] ===== 汇总 / summary：结果 result, 用时 time, 阶段 stage =====\n'
    for i in "${!STAGE_NAMES[@]}"; do
        printf '  %-11s %8s  %s\n' "${STAGE_RESULTS[$i]}" "${STAGE_TIMES[$i]}" "${STAGE_NAMES[$i]}"
    done
    if counts="$(pytest_counts)"; then
        printf 'pytest: %s\n' "$counts"
    fi
}

# --- throwaway PostgreSQL on loopback -----------------------------------------------------------

pg_stop() {
    [ -n "$PG_DIR" ] || return 0
    if [ -f "$PG_DIR/data/postmaster.pid" ]; then
        "${PG_CTL_AS[@]}" "$PGBIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 \
            || wj_warn "停止临时 PostgreSQL 失败（目录 $PG_DIR）。"
    fi
    rm -rf "$PG_DIR"
    PG_DIR=""
}

on_exit() {
    local rc=$?
    trap - EXIT
    pg_stop
    summary
    [ -z "$PYTEST_LOG" ] || rm -f "$PYTEST_LOG"
    exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port_free() {
    "$WJ_VENV_PY" - "$1" <<'EOF'
import socket, sys
s = socket.socket()
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
finally:
    s.close()
EOF
}

pg_start() {
    local port
    PGBIN=/usr/lib/postgresql/15/bin
    if [ ! -x "$PGBIN/initdb" ]; then
        # Another major version is fine for a test server; take the newest installed.
        PGBIN="$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
    fi
    if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ]; then
        wj_err "找不到 PostgreSQL 的 initdb（需要 Debian 软件包 postgresql）。"
        return 1
    fi

    for port in $(seq 55432 55531); do
        port_free "$port" && break
    done
    if ! port_free "$port"; then
        wj_err "55432–55531 之间没有空闲端口。"
        return 1
    fi

    PG_DIR="$(mktemp -d -t weijian-pg.XXXXXX)"
    if [ "$(id -u)" -eq 0 ]; then
        # initdb refuses to run as root: the cluster belongs to the postgres user.
        chown postgres: "$PG_DIR"
        PG_CTL_AS=(runuser -u postgres --)
    else
        PG_CTL_AS=()
    fi
    "${PG_CTL_AS[@]}" "$PGBIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 \
        --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 \
        || { cat "$PG_DIR/initdb.log" >&2; return 1; }
    "${PG_CTL_AS[@]}" "$PGBIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w start \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $PG_DIR" >/dev/null \
        || { cat "$PG_DIR/log" >&2; return 1; }

    export TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:${port}/postgres"
    # Prove the URL's parameters work before the tests rely on them.
    if command -v psql >/dev/null 2>&1; then
        psql -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAc 'SELECT version()' >&2 || return 1
    fi
    wj_say "临时 PostgreSQL 已启动：TEST_DATABASE_URL=$TEST_DATABASE_URL"
}

# --- stages -------------------------------------------------------------------------------------

# Output is also kept in a log so the summary can repeat pytest's counts at the very end.
run_pytest() {
    PYTEST_LOG="$(mktemp -t weijian-pytest.XXXXXX)"
    QT_QPA_PLATFORM=offscreen "$WJ_VENV_PY" -m pytest "$@" 2>&1 | tee "$PYTEST_LOG"
}

build_bundle() {
    "$WJ_VENV/bin/pyinstaller" --noconfirm --log-level WARN \
        --distpath build/dist --workpath build/work build/weijian.spec
    du -sh build/dist/weijian >&2
}

# The frozen program's own check; also fail on any import error it prints (a module the bundle lacks).
frozen_self_check() {
    local out rc=0
    out="$(QT_QPA_PLATFORM=offscreen timeout 600 build/dist/weijian/weijian --self-check 2>&1)" || rc=$?
    printf '%s\n' "$out" >&2
    if grep -Eq 'ModuleNotFoundError|No module named|ImportError' <<<"$out"; then
        wj_err "打包后的程序缺少模块（见上面的输出），请在 build/weijian.spec 的 hiddenimports 中补上。"
        [ "$rc" -ne 0 ] || rc=1
    fi
    return "$rc"
}

run_benchmark() {
    "$WJ_VENV_PY" tests/benchmarks/run.py --recipients 2000 --json
}

# Set-up: any failure here stops the run (the later stages depend on it).
run_stage "系统软件包 / system packages" wj_ensure_system "${TEST_PACKAGES[@]}" || exit 1
run_stage "虚拟环境 / venv + pip" wj_ensure_venv "test,build" || exit 1
run_stage "PostgreSQL 15（临时 / throwaway）" pg_start || exit 1

# Checks: all run, each one's failure is recorded and makes the exit code non-zero.
run_stage "pytest" run_pytest "$@" || true

if [ "${SKIP_BUNDLE:-}" = "1" ]; then
    skip_stage "PyInstaller 打包 / bundle" "SKIP_BUNDLE=1"
    skip_stage "打包程序自检 / frozen --self-check" "SKIP_BUNDLE=1"
elif run_stage "PyInstaller 打包 / bundle" build_bundle; then
    run_stage "打包程序自检 / frozen --self-check" frozen_self_check || true
else
    skip_stage "打包程序自检 / frozen --self-check" "打包失败 bundle failed"
fi

if [ -f tests/benchmarks/run.py ]; then
    run_stage "性能基准 / benchmark (2000)" run_benchmark || true
else
    skip_stage "性能基准 / benchmark" "tests/benchmarks/run.py 尚不存在 / not written yet"
fi

if [ "$FAILED" -ne 0 ]; then
    wj_err "有阶段失败，见上面的汇总。"
    exit 1
fi
wj_say "全部通过。"
