"""REST routes for plain issues (not pull requests): open, edit, close, reopen — so that
``is:issue`` searches and ``repo.create_issue`` work as on GitHub. Announced as ``issues`` webhooks.

A pull request's issue is edited through its pull request (``PATCH /pulls/{n}``) here, which
records the tips it was closed at and sends the ``pull_request`` events; this route says so
instead of changing it half-way.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .auth import require_user
from .http import ApiError, body, invalid, require_str, respond
from .routes_issues import ISSUE, issue_of
from .routes_repos import REPO, forge_of, repo_of
from .storage import Row, now
from .webhook_docs import webhook_issue, webhook_repository, webhook_user

routes = web.RouteTableDef()


def _labels(forge: Any, repo: Row, issue_id: int, names: object) -> None:
    if names is None:
        return
    if not isinstance(names, list) or not all(isinstance(n, str) and n for n in names):
        raise invalid("Issue", "labels", "invalid", "labels must be a list of label names")
    for name in names:
        row = forge.store.one("SELECT * FROM labels WHERE repo_id = ? AND name = ? COLLATE NOCASE", repo["id"], name)
        label_id = row["id"] if row else forge.store.insert("labels", repo_id=repo["id"], name=name, color="ededed",
                                                            description=None)
        if not forge.store.one("SELECT 1 AS x FROM issue_labels WHERE issue_id = ? AND label_id = ?", issue_id,
                               label_id):
            forge.store.insert("issue_labels", issue_id=issue_id, label_id=label_id)


def _announce(forge: Any, repo: Row, issue: Row, user: Row, action: str, **extra: Any) -> dict[str, Any]:
    doc = forge.issue_doc(repo, issue)
    forge.webhooks.emit(repo["id"], "issues", {
        "action": action, "issue": webhook_issue(doc), **extra, "repository": webhook_repository(forge.repo_doc(repo)),
        "sender": webhook_user(forge.user_doc(user))})
    return doc


@routes.post(REPO + "/issues")
async def create_issue(request: web.Request) -> web.Response:
    user = require_user(request)
    forge, repo = forge_of(request), repo_of(request)
    data = await body(request)
    title = require_str(data, "title", "Issue")
    text = data.get("body")
    if text is not None and not isinstance(text, str):
        raise invalid("Issue", "body", "invalid")
    stamp = now()
    issue_id = forge.store.insert("issues", repo_id=repo["id"], number=forge.store.next_issue_number(repo["id"]),
                                  user_id=user["id"], title=title, body=text, state="open", created_at=stamp,
                                  updated_at=stamp, closed_at=None)
    _labels(forge, repo, issue_id, data.get("labels"))
    issue = forge.store.one("SELECT * FROM issues WHERE id = ?", issue_id)
    assert issue is not None  # just inserted
    return respond(_announce(forge, repo, issue, user, "opened"), 201)


@routes.patch(ISSUE)
async def edit_issue(request: web.Request) -> web.Response:
    user = require_user(request)
    forge, repo = forge_of(request), repo_of(request)
    issue = issue_of(request, repo)
    if forge.store.one("SELECT 1 AS x FROM pulls WHERE issue_id = ?", issue["id"]):
        raise ApiError(422, "Validation Failed", errors=[{
            "resource": "Issue", "code": "custom", "field": "number",
            "message": f"#{issue['number']} is a pull request: edit it with PATCH /pulls/{issue['number']}"}])
    data = await body(request)
    values: dict[str, Any] = {}
    changes: dict[str, Any] = {}
    for field in ("title", "body"):
        if field in data and data[field] != issue[field]:
            if not isinstance(data[field], str) or (field == "title" and not data[field]):
                raise invalid("Issue", field, "invalid")
            values[field], changes[field] = data[field], {"from": issue[field]}
    action = None
    if data.get("state") not in (None, issue["state"]):
        if data["state"] not in ("open", "closed"):
            raise invalid("Issue", "state", "invalid", "state must be open or closed")
        action = "closed" if data["state"] == "closed" else "reopened"
        values.update(state=data["state"], closed_at=now() if action == "closed" else None)
    _labels(forge, repo, issue["id"], data.get("labels"))
    if values:
        forge.store.update("issues", issue["id"], **values, updated_at=now())
    updated = forge.store.one("SELECT * FROM issues WHERE id = ?", issue["id"])
    assert updated is not None
    if changes:
        _announce(forge, repo, updated, user, "edited", changes=changes)
    if action:
        _announce(forge, repo, updated, user, action)
    return respond(forge.issue_doc(repo, updated))
