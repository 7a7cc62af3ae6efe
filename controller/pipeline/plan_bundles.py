"""Plans any worker can apply: the planned workspace, encrypted, in the shared store.

With several workers the one that applies is rarely the one that planned,
and a run directory lives on one machine's disk. After a plan, the
workspace's files — the project as planned, its lock file and the saved
plan, never ``.terraform`` (providers come back from the mirror with
``init``) nor state (it lives on the state branch) — are packed into a tar,
encrypted with the state key (AES-GCM, bound to repo/project) and stored by
plan run id. An apply on a worker that lacks the run directory unpacks it
into a fresh one and runs ``terraform init``; terraform then refuses the
plan itself if anything it depends on differs, as it would anywhere.

Only with a shared store (``CLOUDOPS_DATABASE_URL``): the embedded default
plans and applies on one disk and skips all of this.
"""

from __future__ import annotations

import asyncio
import io
import logging
import tarfile
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..state import crypto
from ..terraform.workspace import HOME_DIR, Workspace, ensure_runs_dir, open_workspace

log = logging.getLogger(__name__)

# Bounded: a workspace is a project's HCL plus one plan file.
MAX_BUNDLE_BYTES = 64 * 1024 * 1024
_SKIP_DIRS = {".terraform", HOME_DIR, ".git"}
_SKIP_FILES = {"terraform.tfstate", "terraform.tfstate.backup"}


def pack(workdir: Path) -> bytes:
    """The workspace's files as a tar (pure apart from reading ``workdir``)."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as tar:
        for path in sorted(workdir.rglob("*")):
            rel = path.relative_to(workdir)
            if rel.parts[0] in _SKIP_DIRS or path.name in _SKIP_FILES or path.name.startswith(".cloudops-cred"):
                continue
            if path.is_symlink() or not path.is_file():
                continue
            tar.add(path, arcname=str(rel), recursive=False)
    data = out.getvalue()
    if len(data) > MAX_BUNDLE_BYTES:
        raise ConfigError(f"saving the plan for other workers: the workspace packs to {len(data)} bytes, over "
                          f"{MAX_BUNDLE_BYTES}", hint="keep large files out of the project directory")
    return data


def unpack(data: bytes, workdir: Path) -> None:
    """Recreate a packed workspace in ``workdir``; refuses any member that would land outside it."""
    workdir.mkdir(mode=0o700, parents=True, exist_ok=False)
    root = workdir.resolve()
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        for member in tar.getmembers():
            target = (workdir / member.name).resolve()
            if not member.isfile() or root not in target.parents:
                raise ConfigError(f"restoring a plan: bundle member {member.name!r} is not a plain file inside the run")
        tar.extractall(workdir, filter="data")


def seal(data: bytes, key: crypto.StateKey, *, repo: str, project: str) -> bytes:
    return crypto.encrypt(key, data, repo=repo, project=project)


def open_sealed(blob: bytes, key: crypto.StateKey, *, repo: str, project: str) -> bytes:
    return crypto.decrypt(key, blob, repo=repo, project=project)


# --- I/O: the pipeline's two calls --------------------------------------------------------------

async def share(ctx: Any, repo: str, project: str, run_id: str, workdir: Path) -> None:
    """After a plan: keep its workspace for whichever worker applies it (shared store only)."""
    if not ctx.settings.database_url or ctx.state is None:
        return
    sealed = seal(await asyncio.to_thread(pack, workdir), ctx.state.key, repo=repo, project=project)
    await asyncio.to_thread(ctx.store.put_plan_bundle, run_id, sealed)


async def local_workspace(ctx: Any, repo: str, project: str, run_id: str) -> Workspace:
    """The plan run's workspace on this worker: its own run directory, or rebuilt from the store."""
    try:
        return await asyncio.to_thread(open_workspace, ctx.settings, run_id)
    except ConfigError:
        if not ctx.settings.database_url or ctx.state is None:
            raise
    sealed = await asyncio.to_thread(ctx.store.get_plan_bundle, run_id)
    if sealed is None:
        raise ConfigError(f"applying the plan of run {run_id}: no worker has its workspace any more",
                          hint="comment `cloudops plan` to plan again, then approve the new plan")
    data = open_sealed(sealed, ctx.state.key, repo=repo, project=project)
    workdir = await asyncio.to_thread(ensure_runs_dir, ctx.settings) / run_id  # private, outside the data dir
    await asyncio.to_thread(unpack, data, workdir)
    await ctx.runner.init(workdir)  # providers from the mirror, as the planning worker had them
    log.info("rebuilt the workspace of plan run %s from the shared store", run_id)
    return await asyncio.to_thread(open_workspace, ctx.settings, run_id)
