#!/usr/bin/env bash
# Makes .venv and installs Cloud ChatOps with its test extras. Idempotent:
# re-running only reinstalls when pyproject.toml changed.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
if ! "$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
    echo "install: Python >= 3.11 is needed (found: $("$PYTHON" --version 2>&1 || echo none)); set PYTHON=/path/to/python3.11" >&2
    exit 1
fi
if ! command -v git >/dev/null 2>&1; then
    echo "install: git is needed (Debian/Ubuntu: apt-get install git)" >&2
    exit 1
fi

# tmux drives the terminal console in the tests; git's smart HTTP backend serves the local forge.
if ! command -v tmux >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tmux; } >/dev/null 2>&1 \
        || echo "install: could not install tmux; the terminal tests will be skipped" >&2
fi

# PostgreSQL binaries: the store tests start a private server when none answers on 127.0.0.1:5432.
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; } >/dev/null 2>&1 \
        || echo "install: could not install postgresql; the PostgreSQL store tests need a server on 127.0.0.1:5432" >&2
fi

# Debian packages the project uses, installed as root or with password-less sudo (a CI runner).
apt_install() {  # apt_install COMMAND PACKAGE WHAT-HAPPENS-WITHOUT-IT
    command -v "$1" >/dev/null 2>&1 && return 0
    command -v apt-get >/dev/null 2>&1 || return 0
    as_root=""
    if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then as_root="sudo -n"; fi
    if [ "$(id -u)" = 0 ] || [ -n "$as_root" ]; then
        { $as_root apt-get update -qq && $as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2"; } >/dev/null 2>&1 \
            || echo "install: could not install $2; $3" >&2
    else
        echo "install: $2 is missing and this user cannot install packages; $3" >&2
    fi
}
# The browser tests drive Debian's chromium through Playwright; never `playwright install`.
apt_install chromium chromium "the browser tests will fail"
# bubblewrap confines terraform to its run directory (controller/terraform/sandbox.py).
apt_install bwrap bubblewrap "terraform will run without a sandbox (and its sandbox tests will fail)"

if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
stamp=.venv/.cloudops-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    log=.venv/install.log
    # pip is chatty about the machine's extra indexes; keep its output in a log
    # and show it only when something went wrong.
    if ! { .venv/bin/python -m pip install --upgrade pip \
           && .venv/bin/python -m pip install -e '.[test]'; } >"$log" 2>&1; then
        tail -n 40 "$log" >&2
        echo "install: pip failed; the whole log is in $log" >&2
        exit 1
    fi
    touch "$stamp"
fi
