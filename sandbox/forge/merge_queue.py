"""A merge queue, as GitHub runs one.

Each queued pull request gets a *merge group*: a merge commit of the PR onto
the group ahead of it (or onto the base branch's tip, for the first), on a
read-only branch `gh-readonly-queue/<base>/pr-<N>-<parent sha>`. The forge
sends `merge_group` `checks_requested` for it; when every required check
(a commit status context or a check run name) has succeeded on the group's
head, and every group ahead has merged, the base branch is fast-forwarded to
it: the PR is merged (`pull_request` `closed`, merged) and the group is
`destroyed` (reason `merged`). A failed required check removes the PR from
the queue (`invalidated`) and rebuilds the groups behind it on the new parent.

Local extension: GitHub enqueues through GraphQL (`enqueuePullRequest`) and
takes the required checks from branch protection; here
`PUT /repos/{o}/{r}/pulls/{n}/queue` with `{"required_checks": [...]}`
enqueues and `DELETE` dequeues.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from . import app_payloads, events, gitrepo
from .auth import require_user
from .core import Forge
from .gitrepo import Identity
from .http import ApiError, body, respond
from .routes_pulls import PULL, pull_of
from .routes_repos import forge_of, repo_of
from .storage import Row, now
from .webhook_docs import webhook_repository, webhook_user

routes = web.RouteTableDef()
SUCCESSFUL = ("success", "neutral", "skipped")


def latest_runs(rows: list[Row]) -> list[Row]:
    """The newest check run of each name (GitHub's `filter=latest`)."""
    latest: dict[str, Row] = {}
    for row in rows:
        latest[row["name"]] = row
    return sorted(latest.values(), key=lambda r: r["id"])


def check_states(forge: Forge, repo: Row, sha: str) -> dict[str, str]:
    """context or check name → "success" | "failure" | "pending" at ``sha``."""
    states: dict[str, str] = {}
    for row in forge.latest_statuses(repo, sha):
        states[row["context"]] = {"success": "success", "pending": "pending"}.get(row["state"], "failure")
    rows = forge.store.all("SELECT * FROM check_runs WHERE repo_id = ? AND head_sha = ? ORDER BY id", repo["id"], sha)
    for run in latest_runs(rows):
        if run["status"] != "completed":
            states[run["name"]] = "pending"
        else:
            states[run["name"]] = "success" if run["conclusion"] in SUCCESSFUL else "failure"
    return states


def _entry_doc(entry: Row, position: int) -> dict[str, Any]:
    return {"id": entry["id"], "position": position, "state": entry["state"], "head_ref": entry["group_ref"],
            "head_sha": entry["group_sha"], "base_sha": entry["parent_sha"], "base_ref": entry["base_ref"],
            "required_checks": json.loads(entry["required"])}


def _queued(forge: Forge, repo: Row, base_ref: str) -> list[Row]:
    return forge.store.all("SELECT * FROM merge_queue WHERE repo_id = ? AND base_ref = ? AND state = 'queued' "
                           "ORDER BY id", repo["id"], base_ref)


def _group_event(forge: Forge, repo: Row, entry: Row, action: str, sender: Row, reason: str | None = None) -> None:
    info = gitrepo.commit(forge.repo_path(repo), entry["group_sha"])
    payload: dict[str, Any] = {"action": action, "merge_group": {
        "head_sha": entry["group_sha"], "head_ref": f"refs/heads/{entry['group_ref']}",
        "base_sha": entry["parent_sha"], "base_ref": f"refs/heads/{entry['base_ref']}",
        "head_commit": app_payloads.simple_commit(info)}}
    if reason:
        payload["reason"] = reason
    payload.update({"repository": webhook_repository(forge.repo_doc(repo)),
                    "sender": webhook_user(forge.user_doc(sender))})
    forge.webhooks.emit(repo["id"], "merge_group", payload)


def _build_sync(forge: Forge, repo: Row, entry: Row, parent: str) -> tuple[str, str] | None:
    """(group branch, group head) of ``entry`` on ``parent``, or None when the PR conflicts with it."""
    path = forge.repo_path(repo)
    pull = forge.store.pull_by_id(entry["pull_id"])
    head = gitrepo.resolve(path, f"refs/heads/{pull['head_ref']}")
    tree = gitrepo.merge_tree(path, parent, head) if head else None
    if tree is None or head is None:
        return None
    who_row = forge.store.user(entry["enqueued_by_id"])
    who = Identity(who_row["name"] or who_row["login"], who_row["email"])
    message = f"Merge pull request #{pull['number']} from {repo['owner_login']}/{pull['head_ref']}\n\n{pull['title']}\n"
    sha = gitrepo.commit_tree(path, tree, [parent, head], message, who, who)
    branch = f"gh-readonly-queue/{entry['base_ref']}/pr-{pull['number']}-{parent}"
    gitrepo.update_ref(path, f"refs/heads/{branch}", sha)
    return branch, sha


async def _build(forge: Forge, repo: Row, entry: Row, parent: str) -> bool:
    sender = forge.store.user(entry["enqueued_by_id"])
    built = await forge.write(repo, sender, _build_sync, forge, repo, entry, parent)
    if built is None:
        forge.store.update("merge_queue", entry["id"], state="conflicted")
        return False
    forge.store.update("merge_queue", entry["id"], group_ref=built[0], group_sha=built[1], parent_sha=parent)
    await forge.git(_group_event, forge, repo, forge.store.one("SELECT * FROM merge_queue WHERE id = ?", entry["id"]),
                    "checks_requested", sender)
    return True


async def _destroy(forge: Forge, repo: Row, entry: Row, reason: str, state: str | None) -> None:
    """Announce the group's end and delete its branch; ``state`` None keeps the entry queued (to rebuild)."""
    sender = forge.store.user(entry["enqueued_by_id"])
    if entry["group_sha"]:
        await forge.git(_group_event, forge, repo, entry, "destroyed", sender, reason)
        path = forge.repo_path(repo)
        await forge.write(repo, sender, gitrepo.delete_ref, path, f"refs/heads/{entry['group_ref']}")
    forge.store.update("merge_queue", entry["id"], state=state or "queued", group_ref=None, group_sha=None,
                       parent_sha=None)


async def _rebuild_from(forge: Forge, repo: Row, base_ref: str, index: int) -> None:
    """Groups from ``index`` on are rebuilt on the new parent (the group ahead, or the base tip)."""
    queue = _queued(forge, repo, base_ref)
    for entry in queue[index:]:
        await _destroy(forge, repo, entry, "invalidated", None)
    queue = _queued(forge, repo, base_ref)
    parent = queue[index - 1]["group_sha"] if index > 0 else None
    for entry in queue[index:]:
        base = parent or await forge.git(gitrepo.resolve, forge.repo_path(repo), f"refs/heads/{base_ref}")
        if await _build(forge, repo, forge.store.one("SELECT * FROM merge_queue WHERE id = ?", entry["id"]) or entry, base):
            parent = (forge.store.one("SELECT * FROM merge_queue WHERE id = ?", entry["id"]) or {}).get("group_sha")


def _ff_sync(path: Any, base_ref: str, parent: str, sha: str) -> bool:
    return gitrepo.update_ref(path, f"refs/heads/{base_ref}", sha, parent)


async def _merge(forge: Forge, repo: Row, entry: Row) -> bool:
    path = forge.repo_path(repo)
    sender = forge.store.user(entry["enqueued_by_id"])
    if not await forge.write(repo, sender, _ff_sync, path, entry["base_ref"], entry["parent_sha"], entry["group_sha"]):
        return False
    pull = forge.store.pull_by_id(entry["pull_id"])
    head = await forge.git(gitrepo.resolve, path, f"refs/heads/{pull['head_ref']}") or pull["head_sha"]
    stamp = now()
    forge.store.update("pulls", pull["id"], merged_at=stamp, merged_by_id=sender["id"],
                       merge_commit_sha=entry["group_sha"], head_sha=head, base_sha=entry["parent_sha"])
    forge.store.update("issues", pull["issue_id"], state="closed", closed_at=stamp, updated_at=stamp)
    doc = await forge.pull_doc(repo, forge.store.pull_by_id(pull["id"]))
    forge.webhooks.emit(repo["id"], "pull_request",
                        events.pull_request("closed", doc, forge.repo_doc(repo), forge.user_doc(sender)))
    await _destroy(forge, repo, entry, "merged", "merged")
    return True


async def evaluate(forge: Forge, repo: Row, base_ref: str) -> None:
    """Merge every group at the front whose required checks passed; drop the failed ones."""
    while True:
        queue = _queued(forge, repo, base_ref)
        failed = next((i for i, e in enumerate(queue) if e["group_sha"] and any(
            check_states(forge, repo, e["group_sha"]).get(name) == "failure" for name in json.loads(e["required"]))),
            None)
        if failed is not None:
            await _destroy(forge, repo, queue[failed], "invalidated", "invalidated")
            await _rebuild_from(forge, repo, base_ref, failed)
            continue
        if not queue or not queue[0]["group_sha"]:
            return
        front = queue[0]
        states = check_states(forge, repo, front["group_sha"])
        if not all(states.get(name) == "success" for name in json.loads(front["required"])):
            return
        if not await _merge(forge, repo, front):
            await _rebuild_from(forge, repo, base_ref, 0)  # the base moved under the queue
            return


async def checks_changed(forge: Forge, repo: Row, sha: str) -> None:
    """A status or check run changed at ``sha``: if it is a group's head, the queue may move."""
    entry = forge.store.one("SELECT * FROM merge_queue WHERE repo_id = ? AND group_sha = ? AND state = 'queued'",
                            repo["id"], sha)
    if entry is not None:
        await evaluate(forge, repo, entry["base_ref"])


@routes.put(PULL + "/queue")
async def enqueue(request: web.Request) -> web.Response:
    user = require_user(request)
    forge, repo = forge_of(request), repo_of(request)
    pull = pull_of(request, repo)
    data = await body(request)
    required = data.get("required_checks", [])
    if not isinstance(required, list) or not all(isinstance(r, str) and r for r in required):
        raise ApiError(422, "Validation Failed", errors=[{"resource": "MergeQueue", "field": "required_checks",
                                                         "code": "invalid"}])
    if pull["state"] != "open" or pull["merged_at"] or pull["draft"]:
        raise ApiError(422, "Pull request is not in a mergeable state")
    if forge.store.one("SELECT 1 FROM merge_queue WHERE pull_id = ? AND state = 'queued'", pull["id"]):
        raise ApiError(422, "Pull request is already in the merge queue")
    entry_id = forge.store.insert("merge_queue", repo_id=repo["id"], pull_id=pull["id"], base_ref=pull["base_ref"],
                                  state="queued", group_ref=None, group_sha=None, parent_sha=None,
                                  required=json.dumps(required), enqueued_by_id=user["id"], created_at=now())
    queue = _queued(forge, repo, pull["base_ref"])
    ahead = queue[-2]["group_sha"] if len(queue) > 1 else None
    parent = ahead or await forge.git(gitrepo.resolve, forge.repo_path(repo), f"refs/heads/{pull['base_ref']}")
    entry = forge.store.one("SELECT * FROM merge_queue WHERE id = ?", entry_id)
    assert entry is not None
    if not await _build(forge, repo, entry, parent):
        raise ApiError(422, "Pull request has merge conflicts with the queue")
    await evaluate(forge, repo, pull["base_ref"])
    entry = forge.store.one("SELECT * FROM merge_queue WHERE id = ?", entry_id)
    assert entry is not None
    return respond(_entry_doc(entry, len(queue)), 201)


@routes.delete(PULL + "/queue")
async def dequeue(request: web.Request) -> web.Response:
    require_user(request)
    forge, repo = forge_of(request), repo_of(request)
    pull = pull_of(request, repo)
    queue = _queued(forge, repo, pull["base_ref"])
    index = next((i for i, e in enumerate(queue) if e["pull_id"] == pull["id"]), None)
    if index is None:
        raise ApiError(422, "Pull request is not in the merge queue")
    await _destroy(forge, repo, queue[index], "dequeued", "dequeued")
    await _rebuild_from(forge, repo, pull["base_ref"], index)
    return web.Response(status=204)


@routes.get(PULL + "/queue")
async def queue_entry(request: web.Request) -> web.Response:
    forge, repo = forge_of(request), repo_of(request)
    pull = pull_of(request, repo)
    rows = forge.store.all("SELECT * FROM merge_queue WHERE pull_id = ? ORDER BY id DESC", pull["id"])
    if not rows:
        raise ApiError(404, "Not Found")
    queue = _queued(forge, repo, pull["base_ref"])
    position = next((i + 1 for i, e in enumerate(queue) if e["id"] == rows[0]["id"]), 0)
    return respond(_entry_doc(rows[0], position))


__all__ = ["checks_changed", "evaluate", "routes"]
