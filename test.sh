#!/usr/bin/env bash
# Quick start, step 2: the whole test suite (installs first if needed).
# The whole suite (no test paths given) starts with the static checks (scripts/lint.sh).
set -euo pipefail
cd "$(dirname "$0")"
scripts/install.sh
whole=1
for arg in "$@"; do
    case "$arg" in -*) ;; *) whole=0 ;; esac
done
if [ "$whole" = 1 ]; then
    scripts/lint.sh
fi
exec .venv/bin/python -m pytest "$@"
