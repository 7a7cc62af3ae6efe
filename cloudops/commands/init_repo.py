"""`cloudops init-repo PATH`: scaffold an infrastructure repo from the template.

Copies ``repo_template/`` (cloudops.yaml, the local example project, policies/,
a README and a CODEOWNERS example) into PATH. PATH must not exist or be empty.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from controller.repo_template import scaffold, template_dir

__all__ = ["add_arguments", "run", "scaffold", "template_dir"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", type=Path, help="a new or empty directory")


def run(args: argparse.Namespace) -> int:
    files = scaffold(args.path)
    print(f"created an infrastructure repo in {args.path} ({len(files)} files):")
    for name in files:
        print(f"  {name}")
    print("next: edit cloudops.yaml (members, projects), `git init`, and push it to your forge")
    return 0
