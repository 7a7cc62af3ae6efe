"""REST routes for commit statuses (create, list, combined) and repository
webhooks (create, list, read, edit, delete, ping, deliveries, redeliver).
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from . import events, gitrepo, merge_queue, payloads_issues
from .auth import require_user
from .http import ApiError, body, invalid, not_found, paginate, respond
from .routes_repos import REPO, forge_of, repo_of
from .storage import Row, now

routes = web.RouteTableDef()
HOOK = REPO + "/hooks/{hook_id:\\d+}"
_STATES = ("error", "failure", "pending", "success")


async def _sha_of(request: web.Request, repo: Row, ref: str) -> str:
    sha = await forge_of(request).git(gitrepo.resolve, forge_of(request).repo_path(repo), ref)
    if sha is None:
        raise ApiError(422, f"No commit found for SHA: {ref}")
    return sha


def _status_doc(request: web.Request, repo: Row, row: Row) -> dict[str, Any]:
    forge = forge_of(request)
    return payloads_issues.status(forge.urls, repo, row, forge.store.user(row["creator_id"]))


@routes.post(REPO + "/statuses/{sha}")
async def create_status(request: web.Request) -> web.Response:
    user = require_user(request)
    forge, repo = forge_of(request), repo_of(request)
    sha = await _sha_of(request, repo, request.match_info["sha"])
    data = await body(request)
    if data.get("state") not in _STATES:
        raise invalid("Status", "state", "custom", f"state is not included in the list ({', '.join(_STATES)})")
    stamp = now()
    status_id = forge.store.insert(
        "statuses", repo_id=repo["id"], sha=sha, state=data["state"], target_url=data.get("target_url"),
        description=data.get("description"), context=data.get("context") or "default", creator_id=user["id"],
        created_at=stamp, updated_at=stamp)
    row = forge.store.one("SELECT * FROM statuses WHERE id = ?", status_id)
    assert row is not None
    doc = _status_doc(request, repo, row)
    commit_doc = await forge.git(forge.commit_doc, repo, sha)
    forge.webhooks.emit(repo["id"], "status", {
        "id": status_id, "sha": sha, "name": f"{repo['owner_login']}/{repo['name']}", "target_url": row["target_url"],
        "context": row["context"], "description": row["description"], "state": row["state"],
        "commit": commit_doc, "branches": [], "created_at": stamp, "updated_at": stamp,
        "repository": forge.repo_doc(repo), "sender": forge.user_doc(user)})
    await merge_queue.checks_changed(forge, repo, sha)
    return respond(doc, 201)


@routes.get(REPO + "/commits/{ref:.+}/status")
async def combined_status(request: web.Request) -> web.Response:
    forge, repo = forge_of(request), repo_of(request)
    sha = await _sha_of(request, repo, request.match_info["ref"])
    latest = [_status_doc(request, repo, row) for row in forge.latest_statuses(repo, sha)]
    return respond(payloads_issues.combined_status(forge.urls, repo, forge.repo_doc(repo), sha, latest))


@routes.get(REPO + "/commits/{ref:.+}/statuses")
@routes.get(REPO + "/statuses/{ref}")
async def list_statuses(request: web.Request) -> web.Response:
    forge, repo = forge_of(request), repo_of(request)
    sha = await _sha_of(request, repo, request.match_info["ref"])
    return paginate(request, [_status_doc(request, repo, row) for row in forge.store.statuses(repo["id"], sha)])


def _hook_of(request: web.Request, repo: Row) -> Row:
    hook = forge_of(request).store.hook(repo["id"], int(request.match_info["hook_id"]))
    if hook is None:
        raise not_found()
    return hook


def _config(data: Any, current: dict[str, Any] | None = None) -> dict[str, Any]:
    if not isinstance(data, dict) or not isinstance(data.get("url"), str) or not data["url"]:
        raise invalid("Hook", "config", "custom", "Config must contain url")
    config = dict(current or {})
    config.update({k: str(v) for k, v in data.items() if k in ("url", "content_type", "secret", "insecure_ssl")})
    config.setdefault("content_type", "form")
    config.setdefault("insecure_ssl", "0")
    if config["content_type"] not in ("json", "form"):
        raise invalid("Hook", "content_type", "invalid")
    return config


@routes.post(REPO + "/hooks")
async def create_hook(request: web.Request) -> web.Response:
    user = require_user(request)
    forge, repo = forge_of(request), repo_of(request)
    data = await body(request)
    if data.get("name", "web") != "web":
        raise invalid("Hook", "name", "invalid")
    hook_events = data.get("events") or ["push"]
    if not isinstance(hook_events, list) or not all(isinstance(e, str) for e in hook_events):
        raise invalid("Hook", "events", "invalid")
    stamp = now()
    hook_id = forge.store.insert("hooks", repo_id=repo["id"], active=int(data.get("active", True)),
                                 events=json.dumps(hook_events), config=json.dumps(_config(data.get("config"))),
                                 created_at=stamp, updated_at=stamp, last_code=None, last_status=None,
                                 last_message=None)
    doc = payloads_issues.hook(forge.urls, repo, _must(forge.store.hook(repo["id"], hook_id)))
    forge.webhooks.emit(repo["id"], "ping", events.ping(doc, forge.repo_doc(repo), forge.user_doc(user)),
                        only_hook=hook_id)
    return respond(doc, 201)


def _must(row: Row | None) -> Row:
    assert row is not None, "a row just written must exist"
    return row


@routes.get(REPO + "/hooks")
async def list_hooks(request: web.Request) -> web.Response:
    forge, repo = forge_of(request), repo_of(request)
    require_user(request)
    return paginate(request, [payloads_issues.hook(forge.urls, repo, h) for h in forge.store.hooks(repo["id"])])


@routes.get(HOOK)
async def get_hook(request: web.Request) -> web.Response:
    require_user(request)
    repo = repo_of(request)
    return respond(payloads_issues.hook(forge_of(request).urls, repo, _hook_of(request, repo)))


@routes.patch(HOOK)
async def edit_hook(request: web.Request) -> web.Response:
    require_user(request)
    forge, repo = forge_of(request), repo_of(request)
    hook = _hook_of(request, repo)
    data = await body(request)
    hook_events = list(data.get("events") or hook["events"])
    hook_events += [e for e in data.get("add_events") or [] if e not in hook_events]
    hook_events = [e for e in hook_events if e not in (data.get("remove_events") or [])]
    config = _config(data["config"], hook["config"]) if "config" in data else hook["config"]
    forge.store.update("hooks", hook["id"], events=json.dumps(hook_events), config=json.dumps(config),
                       active=int(data.get("active", hook["active"])), updated_at=now())
    return respond(payloads_issues.hook(forge.urls, repo, _must(forge.store.hook(repo["id"], hook["id"]))))


@routes.delete(HOOK)
async def delete_hook(request: web.Request) -> web.Response:
    require_user(request)
    forge, repo = forge_of(request), repo_of(request)
    forge.store.delete("hooks", _hook_of(request, repo)["id"])
    return web.Response(status=204)


@routes.post(HOOK + "/pings")
async def ping_hook(request: web.Request) -> web.Response:
    user = require_user(request)
    forge, repo = forge_of(request), repo_of(request)
    doc = payloads_issues.hook(forge.urls, repo, _hook_of(request, repo))
    forge.webhooks.emit(repo["id"], "ping", events.ping(doc, forge.repo_doc(repo), forge.user_doc(user)),
                        only_hook=doc["id"])
    return web.Response(status=204)


@routes.get(HOOK + "/deliveries")
async def list_deliveries(request: web.Request) -> web.Response:
    require_user(request)
    forge, repo = forge_of(request), repo_of(request)
    rows = forge.store.deliveries(_hook_of(request, repo)["id"])
    return paginate(request, [payloads_issues.delivery(row, full=False) for row in rows])


def _delivery_of(request: web.Request) -> Row:
    require_user(request)
    hook = _hook_of(request, repo_of(request))
    row = forge_of(request).store.delivery(hook["id"], int(request.match_info["delivery_id"]))
    if row is None:
        raise not_found()
    return row


@routes.get(HOOK + "/deliveries/{delivery_id:\\d+}")
async def get_delivery(request: web.Request) -> web.Response:
    return respond(payloads_issues.delivery(_delivery_of(request), full=True))


@routes.post(HOOK + "/deliveries/{delivery_id:\\d+}/attempts")
async def redeliver(request: web.Request) -> web.Response:
    forge_of(request).webhooks.redeliver(_delivery_of(request))
    return respond({}, 202)
