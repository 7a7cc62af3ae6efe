"""Per-run working directories: ``<runs_dir>/<run_id>/``.

Each run gets its own copy of the project, so concurrent runs never share a
``.terraform`` directory, a plan file or a lock. The plan file and the run's
temporary HOME live inside it.

Where: ``Settings.runs_dir``, a private directory (0700) outside the data dir,
so nothing secret (state key, master key, store, repo clones) is inside or
above a run directory. Each run directory is 0700 too.

How long: what a run leaves is plaintext (``terraform.tfstate``, and a plan
file holds the prior state and planned values), so it is kept only while it
is needed. ``release`` is the one place that decides, called when a run is
over: the restored state copy goes at once (the encrypted state branch has
it), the plan file and providers stay only while the plan may still be
applied (``keep_plan``), and an applied, failed or superseded run loses its
whole directory. ``sweep`` removes run directories older than
``Settings.run_retention`` (start-up and hourly), so a plan never applied does
not stay on disk for ever.
"""

from __future__ import annotations

import re
import shutil
import stat
import time
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError
from ..settings import Settings

PLAN_FILE = "cloudops.tfplan"
HOME_DIR = ".cloudops-home"
STATE_FILES = ("terraform.tfstate", "terraform.tfstate.backup")
_RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
# Never copied from a project: local provider installs, VCS data, someone's local state or plan.
_IGNORED = shutil.ignore_patterns(".terraform", ".git", HOME_DIR, "*.tfplan", "*.tfstate", "*.tfstate.backup")


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

    def release(self, *, keep_plan: bool) -> None:
        """The run is over and its state is safe on the state branch: remove the plaintext it left.

        ``keep_plan``: the plan may still be applied, so its plan file, lock file and
        providers stay; everything else that held state or secrets goes. Otherwise the
        whole directory goes. Idempotent.
        """
        if not keep_plan:
            self.cleanup()
            return
        for name in STATE_FILES:
            (self.workdir / name).unlink(missing_ok=True)
        shutil.rmtree(self.workdir / HOME_DIR, ignore_errors=True)

    def cleanup(self) -> None:
        """Remove the run directory (idempotent)."""
        shutil.rmtree(self.workdir, ignore_errors=True)


def _run_dir(settings: Settings, run_id: str) -> Path:
    if not _RUN_ID.match(run_id) or run_id in {".", ".."}:
        raise ConfigError(f"creating a run directory: {run_id!r} is not a valid run id (letters, digits, . _ -)")
    return settings.runs_dir / run_id


def ensure_runs_dir(settings: Settings) -> Path:
    """The runs directory, private (0700) and never inside the data dir."""
    runs, data = settings.runs_dir.absolute(), settings.data_dir.absolute()
    if runs == data or data in runs.parents:
        raise ConfigError(
            f"creating run directories: {runs} is inside the data dir {data}, where the keys and the store are",
            hint="point CLOUDOPS_RUNS_DIR outside CLOUDOPS_DATA_DIR (or unset it for a private temporary directory)",
        )
    runs.mkdir(mode=0o700, parents=True, exist_ok=True)
    if stat.S_IMODE(runs.stat().st_mode) != 0o700:
        runs.chmod(0o700)
    return runs


def create_workspace(settings: Settings, run_id: str, project_dir: Path) -> Workspace:
    """Copy ``project_dir`` into a fresh, private run directory."""
    workdir = _run_dir(settings, run_id)
    if not project_dir.is_dir():
        raise ConfigError(f"creating run {run_id}: project directory {project_dir} does not exist")
    if workdir.exists():
        raise ConfigError(f"creating run {run_id}: {workdir} already exists (run ids must be unique)")
    ensure_runs_dir(settings)
    shutil.copytree(project_dir, workdir, ignore=_IGNORED, symlinks=True)
    workdir.chmod(0o700)
    home_for(workdir)
    return Workspace(run_id=run_id, workdir=workdir)


def open_workspace(settings: Settings, run_id: str) -> Workspace:
    """An existing run directory, e.g. to apply a plan made earlier."""
    workdir = _run_dir(settings, run_id)
    if not workdir.is_dir():
        raise ConfigError(f"opening run {run_id}: {workdir} does not exist (was it cleaned up?)",
                          hint="plan again (`cloudops plan`): run directories are removed after "
                               "CLOUDOPS_RUN_RETENTION or once a newer plan replaces them")
    return Workspace(run_id=run_id, workdir=workdir)


def release_run(settings: Settings, run_id: str, *, keep_plan: bool) -> None:
    """``Workspace.release`` by run id; nothing to do when the directory is already gone."""
    try:
        workdir = _run_dir(settings, run_id)
    except ConfigError:
        return
    if workdir.is_dir():
        Workspace(run_id, workdir).release(keep_plan=keep_plan)


def sweep(settings: Settings, *, active: Collection[str] = (), now: float | None = None) -> list[str]:
    """Remove run directories untouched for longer than the retention (except ``active`` runs)."""
    runs = settings.runs_dir
    if not runs.is_dir():
        return []
    cutoff = (time.time() if now is None else now) - settings.run_retention
    removed = []
    for entry in sorted(runs.iterdir()):
        try:
            old = entry.lstat().st_mtime < cutoff
        except OSError:
            continue
        if entry.name in active or not old:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
        removed.append(entry.name)
    return removed


__all__ = ["PLAN_FILE", "Workspace", "create_workspace", "ensure_runs_dir", "open_workspace", "release_run", "sweep"]
