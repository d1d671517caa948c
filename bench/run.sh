#!/usr/bin/env bash
# The one command for the load benchmark (see bench/README.md):
#
#   bash bench/run.sh [--quick] [--workers N] [--seconds S] [--conns 1,16,64]
#                     [--targets reference,adapter[,httpx][,litellm]]
#                     [--no-concurrency] [--no-micro]
#
# Installs wrk and nginx with apt when missing, raises the fd limit, then runs
# bench/loadbench.py with the Python that has the adapter's dependencies
# ($PYTHON, else the active venv's python, else python3). Everything listens on
# 127.0.0.1 only; every process started is stopped on exit (also on Ctrl-C).
# Report: stdout and bench/results/latest.md (+ latest.json).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(dirname "$HERE")"

# --- tools -----------------------------------------------------------------
need=()
command -v wrk >/dev/null 2>&1 || need+=(wrk)
{ command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; } || need+=(nginx-light)
if [ ${#need[@]} -gt 0 ]; then
    echo "[bench] installing ${need[*]} with apt..."
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq >/dev/null
    if ! DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
            "${need[@]}" >/dev/null 2>&1; then
        # nginx-light is not in every release: fall back to nginx
        need=("${need[@]/nginx-light/nginx}")
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
            "${need[@]}" >/dev/null
    fi
fi
export PATH="$PATH:/usr/sbin"

# --- python ------------------------------------------------------------------
# $PYTHON, else the first of: active venv, ./.venv, ./venv, the interpreter of a
# gemini-adapter console script on PATH, python3 — that has the dependencies.
has_deps() { "$1" -c 'import aiohttp, uvicorn, starlette, orjson, uvloop, httptools' 2>/dev/null; }
if [ -z "${PYTHON:-}" ]; then
    candidates=()
    [ -n "${VIRTUAL_ENV:-}" ] && candidates+=("$VIRTUAL_ENV/bin/python")
    candidates+=("$REPO/.venv/bin/python" "$REPO/venv/bin/python")
    if script="$(command -v gemini-adapter 2>/dev/null)"; then
        shebang="$(head -n1 "$script")"
        candidates+=("${shebang#\#!}")
    fi
    candidates+=("$(command -v python3 || true)" "$(command -v python || true)")
    for c in "${candidates[@]}"; do
        if [ -n "$c" ] && [ -x "$c" ] && has_deps "$c"; then PYTHON="$c"; break; fi
    done
fi
if [ -z "${PYTHON:-}" ] || ! has_deps "$PYTHON"; then
    echo "[bench] no Python with aiohttp/uvicorn/starlette/orjson/uvloop/httptools found." >&2
    echo "[bench] Activate the project's venv or run: PYTHON=/path/to/venv/bin/python bash bench/run.sh" >&2
    exit 2
fi
echo "[bench] python: $PYTHON"

# --- optional target litellm: the LiteLLM proxy in its own venv ------------------
# Installed on first use into bench/.litellm-venv (git-ignored), never into the
# project's environment. Pinned: the [proxy] extra of newer releases (1.108.x,
# 1.110.x) requires litellm-proxy / litellm-proxy-extras versions the registry does
# not serve. Override with LITELLM_SPEC='litellm[proxy]==X.Y.Z'.
targets=""
prev=""
for a in "$@"; do
    case "$a" in --targets=*) targets="${a#--targets=}" ;; esac
    [ "$prev" = "--targets" ] && targets="$a"
    prev="$a"
done
if [[ ",$targets," == *",litellm,"* ]]; then
    LITELLM_SPEC="${LITELLM_SPEC:-litellm[proxy]==1.106.12}"
    LVENV="$HERE/.litellm-venv"
    if ! [ -x "$LVENV/bin/litellm" ] || ! "$LVENV/bin/python" -c \
            'import importlib.util as u, sys; sys.exit(not all(u.find_spec(m) for m in ("litellm", "fastapi", "uvicorn", "litellm_proxy_extras")))' \
            2>/dev/null; then
        echo "[bench] installing $LITELLM_SPEC into $LVENV (first use, a few minutes)..."
        [ -x "$LVENV/bin/python" ] || "$PYTHON" -m venv "$LVENV"
        "$LVENV/bin/python" -m pip install -q --disable-pip-version-check "$LITELLM_SPEC" \
            2> >(grep -v '^WARNING: Location' >&2)
    fi
fi

# --- limits ------------------------------------------------------------------
# 1,000 streams = 2,000+ sockets in the proxy and in the client.
ulimit -n 8192 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

# --- run -----------------------------------------------------------------------
child=""
cleanup() {
    # loadbench.py stops what it started (each in its own process group);
    # this covers an interrupted run.
    if [ -n "$child" ] && kill -0 "$child" 2>/dev/null; then
        kill -TERM "$child" 2>/dev/null || true
        wait "$child" 2>/dev/null || true
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cd "$REPO"
"$PYTHON" "$HERE/loadbench.py" --python "$PYTHON" "$@" &
child=$!
wait "$child"
