#!/usr/bin/env bash
# The main job on the embedded default: check the toolchain, then run the
# whole product once (local forge + controller + local cloud target).
set -euo pipefail
cd "$(dirname "$0")/.."
export CLOUDOPS_DATA_DIR="${CLOUDOPS_DATA_DIR:-$PWD/.cloudops}"
.venv/bin/cloudops doctor
exec .venv/bin/cloudops demo "$@"
