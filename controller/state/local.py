"""Terraform state as encrypted files under the data dir, for repos without a state branch.

Same envelope as the branch (``crypto``), one file per project:
``<data dir>/state/<owner>/<repo>/<project>/terraform.tfstate.enc``. No
history beyond the latest save; the commit message of each save is appended
to ``saves.log`` beside it so the last apply can still be named.
"""

from __future__ import annotations

import asyncio
import os
from datetime import datetime, UTC
from pathlib import Path

from ..settings import Settings
from . import crypto
from .git_branch import read_state_file, validate_project, write_state_file
from .history import STATE_FILE_NAME


class LocalStateBackend:
    """``planner.StateBackend`` on the controller's own disk."""

    def __init__(self, settings: Settings, *, key: crypto.StateKey | None = None) -> None:
        self.key = key if key is not None else crypto.state_key(settings.data_dir)
        self.root = settings.data_dir / "state"

    def path(self, repo: str, project: str) -> Path:
        owner, name = repo.split("/", 1)
        return self.root / owner / name / validate_project(project) / STATE_FILE_NAME

    async def restore(self, repo: str, project: str, state_file: Path) -> bool:
        try:
            blob = await asyncio.to_thread(self.path(repo, project).read_bytes)
        except FileNotFoundError:
            return False
        plaintext = crypto.decrypt(self.key, blob, repo=repo, project=project)
        await asyncio.to_thread(write_state_file, state_file, plaintext)
        return True

    async def save(self, repo: str, project: str, state_file: Path, *, message: str) -> None:
        target = self.path(repo, project)
        plaintext = await asyncio.to_thread(read_state_file, state_file, f"the state of {project} in {repo}")
        blob = crypto.encrypt(self.key, plaintext, repo=repo, project=project)
        await asyncio.to_thread(_write, target, blob, message)


def _write(target: Path, blob: bytes, message: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    write_state_file(target, blob)
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    subject = message.strip().splitlines()[0] if message.strip() else ""
    with open(target.with_name("saves.log"), "a", encoding="utf-8") as log:
        log.write(f"{stamp}\t{subject}\n")
        log.flush()
        os.fsync(log.fileno())
