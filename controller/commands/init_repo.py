"""`cloudops init-repo PATH`: scaffold an infrastructure repo from the template.

Copies ``repo_template/`` (cloudops.yaml, the local example project, policies/,
a README and a CODEOWNERS example) into PATH. PATH must not exist or be empty.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from ..errors import ConfigError

TEMPLATE_DIRNAME = "repo_template"


def template_dir() -> Path:
    """The template shipped beside the package (the repo root in an editable install)."""
    here = Path(__file__).resolve().parent.parent  # controller/
    for candidate in (here.parent / TEMPLATE_DIRNAME, here / TEMPLATE_DIRNAME):
        if (candidate / "cloudops.yaml").is_file():
            return candidate
    raise ConfigError("finding the repo template: repo_template/ is not beside the controller package",
                      hint="install cloud-chatops from its source tree (`pip install -e .`)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", type=Path, help="a new or empty directory")


def scaffold(path: Path) -> list[Path]:
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise ConfigError(f"creating the repo at {path}: the directory is not empty",
                          hint="choose a new path, or empty this one first")
    source = template_dir()
    shutil.copytree(source, path, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns(".terraform", "*.tfstate*", ".terraform.lock.hcl", "__pycache__"))
    return sorted(p.relative_to(path) for p in path.rglob("*") if p.is_file())


def run(args: argparse.Namespace) -> int:
    files = scaffold(args.path)
    print(f"created an infrastructure repo in {args.path} ({len(files)} files):")
    for name in files:
        print(f"  {name}")
    print("next: edit cloudops.yaml (members, projects), `git init`, and push it to your forge")
    return 0
