"""The dashboard's one action: unlock a project (admins only), recorded and told to the PR.

An unlock releases exactly the lock the page showed (the same PR), so it
never frees a newer lock taken meanwhile. It is written to the dashboard's
audit trail and to the log, and the pull request that held the lock gets a
comment saying who released it; a viewer or a user is refused with a
message naming their role.
"""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import quote

from aiohttp import web

from ..errors import CloudOpsError
from ..repo_config import is_project_name
from .access import ADMIN_TOKEN_LOGIN
from .webapp import dash_of, redirect, refuse, require_access

log = logging.getLogger(__name__)


def unlock_key(project: str) -> str:
    return f"dashboard-unlock:{project}"


def unlock_comment(project: str, actor: str, held_since: str) -> str:
    who = "An operator with the dashboard's admin token" if actor == ADMIN_TOKEN_LOGIN else f"@{actor}"
    return (f"### Lock on `{project}` released from the dashboard\n\n"
            f"{who} released this pull request's lock on `{project}` (held since {held_since}). "
            f"Other pull requests can plan `{project}` now; comment `cloudops plan -p {project}` here "
            "to plan it again, which takes the lock back if it is free.\n")


async def unlock(request: web.Request) -> web.StreamResponse:
    dash, access = dash_of(request), require_access(request)
    form = await request.post()
    repo, project, pr = str(form.get("repo") or ""), str(form.get("project") or ""), str(form.get("pr") or "")
    if repo not in dash.repos or not is_project_name(project) or not pr.isdigit():
        return refuse(request, 400, "unlocking: the form names no known repository, project and pull request")
    if not access.may_unlock(repo, project):
        log.warning("dashboard: @%s was refused unlocking %s:%s", access.login, repo, project)
        return refuse(request, 403, f"Unlock refused: {access.refusal(repo, project, 'unlock')}.")
    lock = await asyncio.to_thread(dash.store.get_lock, repo, project)
    if lock is None or lock.pr_number != int(pr):
        holder = f"now held by #{lock.pr_number}" if lock else "no longer locked"
        return refuse(request, 409, f"Nothing was unlocked: {repo}:{project} is {holder}. Reload the locks page.")
    released = await asyncio.to_thread(dash.store.unlock, repo, project, lock.pr_number)
    if released is None:
        return refuse(request, 409, f"Nothing was unlocked: the lock on {repo}:{project} was released meanwhile.")
    held_since = f"{lock.acquired_at:%Y-%m-%d %H:%M:%S} UTC"
    await asyncio.to_thread(dash.journal.audit, access.login, "unlock", repo, project,
                            f"released the lock of #{lock.pr_number} (held since {held_since})")
    log.info("dashboard: @%s released the lock of %s#%s on %s", access.login, repo, lock.pr_number, project)
    told = "yes"
    try:
        await asyncio.to_thread(dash.context.forge.upsert_comment, repo, lock.pr_number, unlock_key(project),
                                unlock_comment(project, access.login, held_since))
    except CloudOpsError as exc:  # the unlock stands; the page says the PR was not told
        log.warning("dashboard: telling %s#%s about the unlock: %s", repo, lock.pr_number, exc)
        await asyncio.to_thread(dash.journal.audit, access.login, "unlock-comment-failed", repo, project, str(exc))
        told = "no"
    return redirect(f"/locks?unlocked={quote(f'{repo}:{project}')}&told={told}")
