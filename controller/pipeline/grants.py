"""Prune expired grants from cloudops.yaml with a commit (Git is the audit log).

Expired grants stop counting the moment they expire (``RepoConfig.role_of``);
this job only tidies the file, so that what the repository says is what is
true. It commits on the default branch as the controller, naming each grant
in the message.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

from ..forge.base import Author
from ..policy.governance import expired_grants, prune_grants
from ..repo_config import loads
from .planner import PlanContext
from .repo_source import CONFIG_FILE

log = logging.getLogger(__name__)

CONTROLLER = Author("Cloud ChatOps", "cloudops@users.noreply.github.com")
DEFAULT_INTERVAL = 3600.0


async def prune(ctx: PlanContext, repo: str, *, now: dt.datetime | None = None) -> str | None:
    """Commit cloudops.yaml without its expired grants; the commit sha, or None if nothing expired."""
    now = now or dt.datetime.now(dt.UTC)
    info = await asyncio.to_thread(ctx.forge.get_repo, repo)
    source = ctx.sources[repo]
    await asyncio.to_thread(source.refresh)
    text = await asyncio.to_thread(source.read_file, info.default_branch, CONFIG_FILE)
    if text is None:
        return None
    expired = expired_grants(loads(text), now)
    pruned = prune_grants(text, now)
    if not expired or pruned == text:
        return None
    names = "; ".join(f"{g.member} as {g.role.value} on {g.project} (expired {g.expires_at.isoformat()})" for g in expired)
    message = f"Prune {len(expired)} expired grant(s) from {CONFIG_FILE}\n\n{names}"
    workdir = ctx.settings.data_dir / "grant-pruning" / repo.replace("/", "__")
    sha = await asyncio.to_thread(ctx.forge.commit_files, repo, info.default_branch, {CONFIG_FILE: pruned}, message,
                                  CONTROLLER, workdir)
    log.info("pruned %d expired grant(s) in %s at %s", len(expired), repo, sha[:12])
    return sha


async def prune_forever(ctx: PlanContext, repos: list[str], interval: float = DEFAULT_INTERVAL) -> None:
    """The periodic job run by the controller; a failure is logged and retried next round.

    It waits one interval before its first round: a restart must not move the default
    branch under pull requests that are being planned at that moment."""
    while True:
        await asyncio.sleep(interval)
        for repo in repos:
            try:
                await prune(ctx, repo)
            except Exception:  # noqa: BLE001 - one repo's trouble must not stop the job for the others
                log.exception("pruning expired grants in %s failed", repo)
