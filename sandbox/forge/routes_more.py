"""REST routes PyGithub users reach for beyond the pull-request flow (they answered 404 before):
``GET /rate_limit``, a repository's README, git trees (``?recursive=1``), collaborators, the
repository's issue list, reactions on issues and comments, and labels. Shaped by ``payloads`` to
GitHub's published schemas.
"""

from __future__ import annotations

import re
import time

from aiohttp import web

from . import gitrepo, payloads, payloads_issues
from .auth import USER, require_user
from .http import ApiError, body, invalid, not_found, page_of, paginate, require_str, respond
from .routes_issues import COMMENT, ISSUE, comment_of, issue_of
from .storage import now
from .routes_repos import API, REPO, forge_of, repo_of

routes = web.RouteTableDef()

_README_NAMES = ("README.md", "README", "README.rst", "README.txt", "readme.md", "Readme.md")
_RESET_WINDOW = 3600  # seconds, as GitHub's primary rate limit window


@routes.get(API + "/rate_limit")
async def rate_limit(request: web.Request) -> web.Response:
    # The local forge does not limit; it says so with GitHub's shape and a limit nobody reaches.
    reset = (int(time.time()) // _RESET_WINDOW + 1) * _RESET_WINDOW
    return respond(payloads_issues.rate_limit(reset))


@routes.get(REPO + "/readme")
async def get_readme(request: web.Request) -> web.Response:
    forge, repo = forge_of(request), repo_of(request)
    ref = request.query.get("ref") or repo["default_branch"]
    for name in _README_NAMES:
        found = await forge.git(gitrepo.read_path, forge.repo_path(repo), ref, name)
        if found is not None and found[0] == "blob":
            return respond(payloads.content_file(forge.urls, repo, name, found[1], found[2], ref))
    raise not_found()


@routes.get(REPO + "/git/trees/{sha}")
async def get_tree(request: web.Request) -> web.Response:
    forge, repo = forge_of(request), repo_of(request)
    recursive = request.query.get("recursive", "") not in ("", "0", "false")
    entries = await forge.git(gitrepo.tree_entries, forge.repo_path(repo), request.match_info["sha"], recursive)
    if entries is None:
        raise not_found()
    tree_sha, items = entries
    return respond(payloads_issues.git_tree(forge.urls, repo, tree_sha, items))


@routes.get(REPO + "/collaborators")
async def list_collaborators(request: web.Request) -> web.Response:
    forge, repo = forge_of(request), repo_of(request)
    if request.get(USER) is None:
        raise not_found()
    owner = forge.store.user(repo["owner_id"])
    # The owner administers; everyone holding a token on this forge may push (as the e2e suites assume).
    users = [owner] + [u for u in forge.store.all("SELECT * FROM users ORDER BY id") if u["id"] != owner["id"]]
    docs = [payloads_issues.collaborator(forge.urls, u, admin=u["id"] == owner["id"]) for u in page_of(request, users)]
    return paginate(request, users, docs)


@routes.get(REPO + "/issues")
async def list_issues(request: web.Request) -> web.Response:
    forge, repo = forge_of(request), repo_of(request)
    state = request.query.get("state", "open")
    if state not in ("open", "closed", "all"):
        raise invalid("Issue", "state", "invalid", "state must be open, closed or all")
    rows = forge.store.all("SELECT * FROM issues WHERE repo_id = ? ORDER BY number DESC", repo["id"])
    rows = [r for r in rows if state == "all" or r["state"] == state]
    return paginate(request, rows, [forge.issue_doc(repo, r) for r in page_of(request, rows)])


async def _react(request: web.Request, subject: str, subject_id: int) -> web.Response:
    user = require_user(request)
    forge = forge_of(request)
    content = require_str(await body(request), "content", "Reaction")
    if content not in payloads_issues.REACTIONS:
        raise invalid("Reaction", "content", "invalid", f"content must be one of {', '.join(payloads_issues.REACTIONS)}")
    existing = forge.store.one("SELECT * FROM reactions WHERE subject = ? AND subject_id = ? AND user_id = ? AND content = ?",
                               subject, subject_id, user["id"], content)
    if existing is not None:  # GitHub answers 200 with the reaction that is already there
        return respond(payloads_issues.reaction(forge.urls, existing, user))
    row_id = forge.store.insert("reactions", subject=subject, subject_id=subject_id, user_id=user["id"],
                                content=content, created_at=now())
    row = forge.store.one("SELECT * FROM reactions WHERE id = ?", row_id)
    assert row is not None  # just inserted
    return respond(payloads_issues.reaction(forge.urls, row, user), status=201)


@routes.post(ISSUE + "/reactions")
async def react_to_issue(request: web.Request) -> web.Response:
    issue = issue_of(request, repo_of(request))
    return await _react(request, "issue", issue["id"])


@routes.post(COMMENT + "/reactions")
async def react_to_comment(request: web.Request) -> web.Response:
    comment, _ = comment_of(request, repo_of(request))
    return await _react(request, "comment", comment["id"])


_COLOR = re.compile(r"^[0-9a-fA-F]{6}$")


@routes.post(REPO + "/labels")
async def create_label(request: web.Request) -> web.Response:
    require_user(request)
    forge, repo = forge_of(request), repo_of(request)
    data = await body(request)
    name = require_str(data, "name", "Label")
    color = str(data.get("color") or "ededed").lstrip("#")
    if not _COLOR.match(color):
        raise invalid("Label", "color", "invalid", "color must be six hexadecimal digits")
    if forge.store.one("SELECT id FROM labels WHERE repo_id = ? AND name = ? COLLATE NOCASE", repo["id"], name):
        raise invalid("Label", "name", "already_exists")
    row_id = forge.store.insert("labels", repo_id=repo["id"], name=name, color=color.lower(),
                                description=data.get("description"))
    label = forge.store.one("SELECT * FROM labels WHERE id = ?", row_id)
    assert label is not None  # just inserted
    return respond(payloads_issues.label(forge.urls, repo, label), status=201)


@routes.get(REPO + "/labels")
async def list_labels(request: web.Request) -> web.Response:
    forge, repo = forge_of(request), repo_of(request)
    rows = forge.store.all("SELECT * FROM labels WHERE repo_id = ? ORDER BY name", repo["id"])
    return paginate(request, rows, [payloads_issues.label(forge.urls, repo, r) for r in page_of(request, rows)])


@routes.post(ISSUE + "/labels")
async def add_labels(request: web.Request) -> web.Response:
    require_user(request)
    forge, repo = forge_of(request), repo_of(request)
    issue = issue_of(request, repo)
    try:
        data = await request.json() if request.can_read_body else {}
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(400, "Problems parsing JSON") from exc
    names = data.get("labels") if isinstance(data, dict) else data  # GitHub takes {"labels": [...]} or [...]
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise invalid("Label", "labels", "invalid", "labels must be a list of label names")
    for name in names:
        row = forge.store.one("SELECT * FROM labels WHERE repo_id = ? AND name = ? COLLATE NOCASE", repo["id"], name)
        if row is None:  # GitHub creates a label it does not know yet
            row_id = forge.store.insert("labels", repo_id=repo["id"], name=name, color="ededed", description=None)
        else:
            row_id = row["id"]
        if not forge.store.one("SELECT 1 AS x FROM issue_labels WHERE issue_id = ? AND label_id = ?", issue["id"], row_id):
            forge.store.insert("issue_labels", issue_id=issue["id"], label_id=row_id)
    rows = forge.store.all("SELECT labels.* FROM labels JOIN issue_labels ON issue_labels.label_id = labels.id "
                           "WHERE issue_labels.issue_id = ? ORDER BY labels.name", issue["id"])
    return respond([payloads_issues.label(forge.urls, repo, r) for r in rows])
