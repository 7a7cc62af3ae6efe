#!/usr/bin/env bash
# The main job on the embedded default. Until the PR pipeline lands this is
# `cloudops doctor` and a plan + apply of the bundled example project.
set -euo pipefail
cd "$(dirname "$0")/.."
export CLOUDOPS_DATA_DIR="${CLOUDOPS_DATA_DIR:-$PWD/.cloudops}"
.venv/bin/cloudops doctor
.venv/bin/cloudops apply-local repo_template/projects/example
