#!/usr/bin/env bash
# Static checks, run by ./test.sh before the suite: ruff on the configured rules (must be clean) and
# mypy against a shrinking baseline (its error count may fall, never rise; lower .mypy-baseline with it).
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/ruff check cloudops controller bot sandbox tests benchmarks scripts/*.py
baseline=$(cat .mypy-baseline)
set +e
out=$(.venv/bin/mypy cloudops controller bot sandbox 2>&1)
set -e
found=$(printf '%s\n' "$out" | sed -n 's/^Found \([0-9]*\) error.*/\1/p')
found=${found:-0}
if [ "$found" -gt "$baseline" ]; then
    printf '%s\n' "$out" | tail -n 40 >&2
    echo "lint: mypy found $found errors, more than the baseline of $baseline; fix the new ones" >&2
    exit 1
fi
echo "lint: ruff clean; mypy $found errors (baseline $baseline)"
