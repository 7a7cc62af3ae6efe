#!/usr/bin/env bash
# Quick start, step 1: install everything, then run the main job on the
# embedded default (local forge + local cloud target, no accounts).
set -euo pipefail
cd "$(dirname "$0")"
scripts/install.sh
exec scripts/main-job.sh "$@"
