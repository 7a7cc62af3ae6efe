#!/usr/bin/env bash
# Quick start, step 2: the whole test suite (installs first if needed).
# The whole suite (no test paths given) starts with the static checks (scripts/lint.sh).
set -euo pipefail
cd "$(dirname "$0")"
scripts/install.sh
whole=1
parallel=(-n auto)  # pytest-xdist: one worker per core; pass -n N (or -n 0) to choose
value_next=0
for arg in "$@"; do
    if [ "$value_next" = 1 ]; then value_next=0; continue; fi  # the N of "-n N"
    case "$arg" in
        -n|--numprocesses) parallel=(); value_next=1 ;;
        -n*|--numprocesses=*) parallel=() ;;
        -*) ;;
        *) whole=0 ;;
    esac
done
if [ "$whole" = 1 ]; then
    scripts/lint.sh
fi
exec .venv/bin/python -m pytest "${parallel[@]}" "$@"
