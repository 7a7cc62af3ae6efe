"""The infra-repo template shipped with cloudops (``repo_template/``) and copying it.

Used by ``cloudops init-repo``, the chat's ``/cloud-init`` (a scaffolding PR
for an empty repo) and the embedded default. Reads and copies files only.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from .errors import ConfigError

TEMPLATE_DIRNAME = "repo_template"


def template_dir() -> Path:
    """The template shipped beside the package (the repo root in an editable install)."""
    here = Path(__file__).resolve().parent  # controller/
    for candidate in (here.parent / TEMPLATE_DIRNAME, here / TEMPLATE_DIRNAME):
        if (candidate / "cloudops.yaml").is_file():
            return candidate
    raise ConfigError("finding the repo template: repo_template/ is not beside the controller package",
                      hint="install cloud-chatops from its source tree (`pip install -e .`)")


def scaffold(path: Path) -> list[Path]:
    """Copy the template into ``path`` (new or empty); returns the files written, relative to it."""
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise ConfigError(f"creating the repo at {path}: the directory is not empty",
                          hint="choose a new path, or empty this one first")
    source = template_dir()
    shutil.copytree(source, path, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns(".terraform", "*.tfstate*", ".terraform.lock.hcl", "__pycache__"))
    return sorted(p.relative_to(path) for p in path.rglob("*") if p.is_file())
