#!/usr/bin/env python3
"""Kill the real `cloudops serve` with SIGKILL mid-apply or mid-plan, restart it, check the recovery; N times.

    .venv/bin/python scripts/crash_recovery_loop.py [--rounds 20] [--keep]

Each round runs one scenario of ``tests/e2e/crash_scenario.py`` in a fresh forge, repo and data dir,
in turn: an apply that outlives the killed controller and finishes on its own (40 resources with a
sleeping provisioner), an apply the recovery pass stops gracefully and a new plan finishes, and a plan
cut off by the crash. Terraform runs as users get it: in the bubblewrap sandbox where available
(``CLOUDOPS_SANDBOX=auto``); set ``CLOUDOPS_SANDBOX=bwrap`` to require it. A round is clean when every resource was applied exactly once, the state branch
equals the run directory's state, no status is left pending and the PR comment matches the state.
Prints each round and, last, "k/N recoveries clean"; exits 1 unless every round was clean.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from e2e.crash_scenario import crash_mid_apply, crash_mid_plan  # noqa: E402

SCENARIOS = (
    ("apply finishes on its own", lambda d: crash_mid_apply(d, resources=40, sleep=1, kill_after=3, recovery_wait=90)),
    # Terraform creates 10 at a time: the kill comes as the first 10 end, and the recovery pass (a few seconds
    # later) stops the next 10 well before their 12 s are up, not as they finish.
    ("apply stopped by recovery", lambda d: crash_mid_apply(d, resources=40, sleep=12, kill_after=1, recovery_wait=0.5)),
    ("plan cut off", lambda d: crash_mid_plan(d, resources=300)),
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="keep each round's directory (logs, data dir)")
    args = parser.parse_args()
    clean = 0
    root = Path(tempfile.mkdtemp(prefix="cloudops-crash-loop-"))
    for i in range(args.rounds):
        name, scenario = SCENARIOS[i % len(SCENARIOS)]
        workdir = root / f"round-{i + 1:02d}"
        started = time.monotonic()
        outcome = scenario(workdir)
        took = time.monotonic() - started
        clean += outcome.clean
        verdict = "clean" if outcome.clean else "NOT CLEAN"
        print(f"round {i + 1:2d}/{args.rounds} {name:27s} {verdict:9s} {took:5.1f}s {outcome.facts}", flush=True)
        for problem in outcome.problems:
            print(f"    - {problem[:600]}", flush=True)
        if outcome.clean and not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    print(f"{clean}/{args.rounds} recoveries clean")
    if not args.keep and clean == args.rounds:
        shutil.rmtree(root, ignore_errors=True)
    else:
        print(f"round directories: {root}")
    return 0 if clean == args.rounds else 1


if __name__ == "__main__":
    sys.exit(main())
