"""REST routes of GitHub Apps: the app itself (JWT), its installations, installation
tokens, and what an installation token may list; plus the owner's actions
GitHub offers in its web UI (install, change repositories, uninstall), which
announce themselves with `installation` / `installation_repositories` webhooks.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from aiohttp import web

from . import app_payloads, apps
from .auth import CALLER, require_app
from .core import Forge
from .http import ApiError, body, invalid, not_found, respond
from .routes_repos import API, REPO, forge_of
from .storage import Row, now

routes = web.RouteTableDef()


def _app_doc(forge: Forge, app: Row) -> dict[str, Any]:
    count = forge.store.one("SELECT COUNT(*) AS n FROM installations WHERE app_id = ?", app["id"])
    return app_payloads.integration(forge.urls, app, forge.store.user(app["owner_id"]),
                                    installations=count["n"] if count else 0)


def installation_doc(forge: Forge, inst: Row) -> dict[str, Any]:
    app = forge.store.one("SELECT * FROM apps WHERE id = ?", inst["app_id"])
    assert app is not None
    return app_payloads.installation(forge.urls, inst, app, forge.store.user(inst["account_id"]))


def _installation_of(request: web.Request, app: Row) -> Row:
    inst = forge_of(request).store.one("SELECT * FROM installations WHERE id = ? AND app_id = ?",
                                       int(request.match_info["installation_id"]), app["id"])
    if inst is None:
        raise not_found()
    return inst


@routes.get(API + "/app")
async def get_app(request: web.Request) -> web.Response:
    return respond(_app_doc(forge_of(request), require_app(request)))


@routes.get(API + "/app/installations")
async def list_installations(request: web.Request) -> web.Response:
    app = require_app(request)
    forge = forge_of(request)
    rows = forge.store.all("SELECT * FROM installations WHERE app_id = ? ORDER BY id", app["id"])
    return respond([installation_doc(forge, row) for row in rows])


@routes.get(API + "/app/installations/{installation_id:\\d+}")
async def get_installation(request: web.Request) -> web.Response:
    return respond(installation_doc(forge_of(request), _installation_of(request, require_app(request))))


@routes.post(API + "/app/installations/{installation_id:\\d+}/access_tokens")
async def create_token(request: web.Request) -> web.Response:
    app = require_app(request)
    forge = forge_of(request)
    inst = _installation_of(request, app)
    if inst["suspended_at"]:
        raise ApiError(403, "This installation has been suspended")
    data = await body(request)
    reachable = {row["id"]: row for row in (forge.store.repo_by_id(i) for i in apps.installation_repo_ids(forge.store, inst))}
    wanted: list[int] | None = None
    if data.get("repositories") is not None or data.get("repository_ids") is not None:
        names, ids = data.get("repositories") or [], data.get("repository_ids") or []
        if not isinstance(names, list) or not isinstance(ids, list):
            raise invalid("InstallationToken", "repositories", "invalid")
        by_name = {row["name"]: rid for rid, row in reachable.items()}
        wanted = []
        for name in names:
            if name not in by_name:
                raise ApiError(422, "There is at least one repository that does not exist or is not accessible "
                                    "to the parent installation.")
            wanted.append(by_name[name])
        for rid in ids:
            if rid not in reachable:
                raise ApiError(422, "There is at least one repository that does not exist or is not accessible "
                                    "to the parent installation.")
            wanted.append(int(rid))
    token, expires = apps.issue_token(forge.store, inst, wanted)
    repos = None
    if wanted is not None or inst["repository_selection"] == "selected":
        ids = wanted if wanted is not None else sorted(reachable)
        repos = [forge.repo_doc(reachable[i]) for i in ids]
    return respond(app_payloads.installation_token(token, expires, json.loads(app["permissions"]),
                                                   inst["repository_selection"], repos), 201)


@routes.get(REPO + "/installation")
async def repo_installation(request: web.Request) -> web.Response:
    app = require_app(request)
    forge = forge_of(request)
    repo = forge.store.repo(request.match_info["owner"], request.match_info["repo"])
    if repo is None:
        raise not_found()
    for inst in apps.installations_for_repo(forge.store, repo):
        if inst["app_id"] == app["id"]:
            return respond(installation_doc(forge, inst))
    raise not_found()


@routes.get(API + "/users/{login}/installation")
@routes.get(API + "/orgs/{login}/installation")
async def account_installation(request: web.Request) -> web.Response:
    app = require_app(request)
    forge = forge_of(request)
    account = forge.store.user_by_login(request.match_info["login"])
    inst = forge.store.one("SELECT * FROM installations WHERE app_id = ? AND account_id = ?", app["id"],
                           account["id"]) if account else None
    if inst is None:
        raise not_found()
    return respond(installation_doc(forge, inst))


@routes.get(API + "/installation/repositories")
async def installation_repositories(request: web.Request) -> web.Response:
    caller: apps.Caller | None = request.get(CALLER)
    if caller is None or caller.installation is None:
        raise ApiError(403, "You must authenticate with an installation access token.")
    forge = forge_of(request)
    ids = sorted(apps.installation_repo_ids(forge.store, caller.installation))
    if caller.repo_ids is not None:
        ids = [i for i in ids if i in caller.repo_ids]
    repos = [forge.repo_doc(forge.store.repo_by_id(i)) for i in ids]
    return respond({"total_count": len(repos), "repositories": repos,
                    "repository_selection": caller.installation["repository_selection"]})


# -- what the account owner does in GitHub's web UI --------------------------------------


def install(forge: Forge, app: Row, account: Row, repo_ids: list[int] | None) -> Row:
    """Install ``app`` on ``account``: all its repositories (None) or the listed ones."""
    if forge.store.one("SELECT 1 FROM installations WHERE app_id = ? AND account_id = ?", app["id"], account["id"]):
        raise ValueError(f"{app['slug']} is already installed on {account['login']}")
    stamp = now()
    inst_id = forge.store.insert("installations", app_id=app["id"], account_id=account["id"],
                                 repository_selection="all" if repo_ids is None else "selected",
                                 created_at=stamp, updated_at=stamp, suspended_at=None)
    for repo_id in repo_ids or []:
        forge.store.insert("installation_repos", installation_id=inst_id, repo_id=repo_id)
    inst = forge.store.one("SELECT * FROM installations WHERE id = ?", inst_id)
    assert inst is not None
    forge.webhooks.emit_app(app["id"], "installation", {
        "action": "created", "installation": app_payloads.webhook_installation(installation_doc(forge, inst)),
        "repositories": _lite(forge, apps.installation_repo_ids(forge.store, inst)),
        "sender": _sender(forge, account)})  # no `requester`: the owner installed it, nobody asked them to
    return inst


def change_repositories(forge: Forge, inst: Row, *, add: Sequence[int] = (), remove: Sequence[int] = ()) -> None:
    """Add or remove repositories of a `selected` installation."""
    if inst["repository_selection"] != "selected":
        raise ValueError("the installation covers all repositories; nothing to add or remove")
    have = apps.installation_repo_ids(forge.store, inst)
    added = [r for r in add if r not in have]
    removed = [r for r in remove if r in have]
    for repo_id in added:
        forge.store.insert("installation_repos", installation_id=inst["id"], repo_id=repo_id)
    for repo_id in removed:
        forge.store.all("DELETE FROM installation_repos WHERE installation_id = ? AND repo_id = ?", inst["id"], repo_id)
    account = forge.store.user(inst["account_id"])
    for action, changed in (("added", added), ("removed", removed)):
        if changed:
            forge.webhooks.emit_app(inst["app_id"], "installation_repositories", {
                "action": action, "installation": app_payloads.webhook_installation(installation_doc(forge, inst)),
                "repository_selection": "selected",
                "repositories_added": _lite(forge, added) if action == "added" else [],
                "repositories_removed": _lite(forge, removed) if action == "removed" else [],
                "requester": None, "sender": _sender(forge, account)})


def uninstall(forge: Forge, inst: Row) -> None:
    doc = app_payloads.webhook_installation(installation_doc(forge, inst))
    repos = _lite(forge, apps.installation_repo_ids(forge.store, inst))
    forge.store.all("DELETE FROM installation_tokens WHERE installation_id = ?", inst["id"])
    forge.store.all("DELETE FROM installation_repos WHERE installation_id = ?", inst["id"])
    forge.store.delete("installations", inst["id"])
    forge.webhooks.emit_app(inst["app_id"], "installation", {
        "action": "deleted", "installation": doc, "repositories": repos, "requester": None,
        "sender": _sender(forge, forge.store.user(inst["account_id"]))})


def _lite(forge: Forge, repo_ids: Any) -> list[dict[str, Any]]:
    return [app_payloads.repository_lite(forge.repo_doc(forge.store.repo_by_id(i))) for i in sorted(repo_ids)]


def _sender(forge: Forge, user: Row) -> dict[str, Any]:
    from .webhook_docs import webhook_user

    return webhook_user(forge.user_doc(user)) or {}
