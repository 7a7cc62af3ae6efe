"""Start grants when they merge, prune them when they expire: commits on cloudops.yaml (Git is the audit log).

A grant asked for in chat is *pending* (``duration: 8h``): it grants nothing
until it is on the default branch, and its clock starts when it landed there
(the merge), not when it was typed. :func:`activate` writes its
``expires_at`` = landing + duration, the landing time read from git (the
first-parent commit that brought it), so it is the same whether it runs at
the merge webhook or an hour later from the periodic job.

Expired grants stop counting the moment they expire (``RepoConfig.role_of``);
:func:`prune` only tidies the file, so that what the repository says is what
is true. Both commit on the default branch as the controller, naming each
grant in the message.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import logging

from ..forge.base import Author
from ..policy.governance import activate_grants, expired_grants, grant_key, has_pending, prune_grants, stamp
from ..durations import format_duration
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
    names = "; ".join(f"{g.member} as {g.role.value} on {g.project} (expired {g.expires_at.isoformat()})"
                      for g in expired if g.expires_at is not None)
    message = f"Prune {len(expired)} expired grant(s) from {CONFIG_FILE}\n\n{names}"
    workdir = ctx.settings.data_dir / "grant-pruning" / repo.replace("/", "__")
    sha = await asyncio.to_thread(ctx.forge.commit_files, repo, info.default_branch, {CONFIG_FILE: pruned}, message,
                                  CONTROLLER, workdir)
    log.info("pruned %d expired grant(s) in %s at %s", len(expired), repo, sha[:12])
    return sha


async def activate(ctx: PlanContext, repo: str) -> str | None:
    """Start the pending grants on the default branch, each from when it landed; the commit sha, or None."""
    info = await asyncio.to_thread(ctx.forge.get_repo, repo)
    source = ctx.sources[repo]
    await asyncio.to_thread(source.refresh)
    text = await asyncio.to_thread(source.read_file, info.default_branch, CONFIG_FILE)
    if text is None:
        return None
    pending = [(i, g) for i, g in enumerate(loads(text).grants) if g.pending]
    if not pending:
        return None
    starts: dict[int, dt.datetime] = {}
    lines = []
    for index, grant in pending:
        landed = await asyncio.to_thread(source.landed_at, info.default_branch, CONFIG_FILE,
                                         functools.partial(_holds, grant_key(grant)))
        assert landed is not None and grant.duration is not None  # it is in the branch's text
        starts[index] = landed
        lines.append(f"{grant.member} as {grant.role.value} on {grant.project}: {format_duration(grant.duration)} "
                     f"from {stamp(landed)} (when it was merged) until {stamp(landed + grant.duration)}")
    message = f"Start {len(starts)} grant(s) merged into {info.default_branch}\n\n" + "\n".join(lines)
    workdir = ctx.settings.data_dir / "grant-pruning" / repo.replace("/", "__")
    sha = await asyncio.to_thread(ctx.forge.commit_files, repo, info.default_branch,
                                  {CONFIG_FILE: activate_grants(text, starts)}, message, CONTROLLER, workdir)
    log.info("started %d grant(s) in %s at %s", len(starts), repo, sha[:12])
    return sha


def _holds(key: tuple[object, ...], text: str | None) -> bool:
    return has_pending(text, key)


async def activate_quietly(ctx: PlanContext, repo: str) -> None:
    """``activate`` for an event handler: a failure is logged (the periodic job tries again)."""
    try:
        await activate(ctx, repo)
    except Exception:  # noqa: BLE001 - a merge webhook must not fail because of this
        log.exception("starting merged grants in %s failed; the hourly job tries again", repo)


async def prune_forever(ctx: PlanContext, repos: list[str], interval: float = DEFAULT_INTERVAL) -> None:
    """The periodic job run by the controller; a failure is logged and retried next round.

    It waits one interval before its first round: a restart must not move the default
    branch under pull requests that are being planned at that moment."""
    while True:
        await asyncio.sleep(interval)
        for repo in repos:
            await activate_quietly(ctx, repo)  # pending grants the merge webhook missed (a restart, an outage)
            try:
                await prune(ctx, repo)
            except Exception:  # noqa: BLE001 - one repo's trouble must not stop the job for the others
                log.exception("pruning expired grants in %s failed", repo)
