"""Per-run working directories: ``<runs_dir>/<run_id>/``.

Each run gets its own copy of the project, so concurrent runs never share a
``.terraform`` directory, a plan file or a lock. The plan file and the run's
temporary HOME live inside it; ``cleanup`` removes all of it (after the
controller has saved the state elsewhere).
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError
from ..settings import Settings

PLAN_FILE = "cloudops.tfplan"
HOME_DIR = ".cloudops-home"
_RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
# Never copied from a project: local provider installs, VCS data, someone's local state.
_IGNORED = shutil.ignore_patterns(".terraform", ".git", HOME_DIR, "*.tfplan")


def home_for(workdir: Path) -> Path:
    """The temporary HOME of the run in ``workdir`` (created if missing, private)."""
    home = workdir / HOME_DIR
    home.mkdir(mode=0o700, exist_ok=True)
    return home


@dataclass(frozen=True)
class Workspace:
    run_id: str
    workdir: Path

    @property
    def plan_file(self) -> Path:
        return self.workdir / PLAN_FILE

    @property
    def state_file(self) -> Path:
        return self.workdir / "terraform.tfstate"

    @property
    def home(self) -> Path:
        return home_for(self.workdir)

    def cleanup(self) -> None:
        """Remove the run directory (idempotent)."""
        shutil.rmtree(self.workdir, ignore_errors=True)


def _run_dir(settings: Settings, run_id: str) -> Path:
    if not _RUN_ID.match(run_id) or run_id in {".", ".."}:
        raise ConfigError(f"creating a run directory: {run_id!r} is not a valid run id (letters, digits, . _ -)")
    return settings.runs_dir / run_id


def create_workspace(settings: Settings, run_id: str, project_dir: Path) -> Workspace:
    """Copy ``project_dir`` into a fresh run directory."""
    workdir = _run_dir(settings, run_id)
    if not project_dir.is_dir():
        raise ConfigError(f"creating run {run_id}: project directory {project_dir} does not exist")
    if workdir.exists():
        raise ConfigError(f"creating run {run_id}: {workdir} already exists (run ids must be unique)")
    settings.runs_dir.mkdir(parents=True, exist_ok=True)
    shutil.copytree(project_dir, workdir, ignore=_IGNORED, symlinks=True)
    home_for(workdir)
    return Workspace(run_id=run_id, workdir=workdir)


def open_workspace(settings: Settings, run_id: str) -> Workspace:
    """An existing run directory, e.g. to apply a plan made earlier."""
    workdir = _run_dir(settings, run_id)
    if not workdir.is_dir():
        raise ConfigError(f"opening run {run_id}: {workdir} does not exist (was it cleaned up?)")
    return Workspace(run_id=run_id, workdir=workdir)
