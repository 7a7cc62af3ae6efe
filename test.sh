#!/usr/bin/env bash
# Quick start, step 2: the whole test suite (installs first if needed).
set -euo pipefail
cd "$(dirname "$0")"
scripts/install.sh
exec .venv/bin/python -m pytest "$@"
