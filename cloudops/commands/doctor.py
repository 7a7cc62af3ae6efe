"""`cloudops doctor`: is this machine ready to run terraform for pull requests?"""

from __future__ import annotations

import argparse
import sys

from controller import doctor
from controller.settings import Settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = "Exit status: 0 when every check passes, 1 otherwise."


def run(args: argparse.Namespace) -> int:
    checks = doctor.run_checks(Settings.from_env())
    print(doctor.render(checks))
    failed = [c.name for c in checks if not c.ok]
    if failed:
        print(f"\ncloudops doctor: {len(failed)} check(s) failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0
