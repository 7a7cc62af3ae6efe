"""REST routes PyGithub users reach for beyond the pull-request flow (they answered 404 before):
``GET /rate_limit``, a repository's README, git trees (``?recursive=1``), collaborators and the
repository's issue list. Shaped by ``payloads`` to GitHub's published schemas.
"""

from __future__ import annotations

import time

from aiohttp import web

from . import gitrepo, payloads
from .auth import USER
from .http import invalid, not_found, page_of, paginate, respond
from .routes_repos import API, REPO, forge_of, repo_of

routes = web.RouteTableDef()

_README_NAMES = ("README.md", "README", "README.rst", "README.txt", "readme.md", "Readme.md")
_RESET_WINDOW = 3600  # seconds, as GitHub's primary rate limit window


@routes.get(API + "/rate_limit")
async def rate_limit(request: web.Request) -> web.Response:
    # The local forge does not limit; it says so with GitHub's shape and a limit nobody reaches.
    reset = (int(time.time()) // _RESET_WINDOW + 1) * _RESET_WINDOW
    return respond(payloads.rate_limit(reset))


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
    return respond(payloads.git_tree(forge.urls, repo, tree_sha, items))


@routes.get(REPO + "/collaborators")
async def list_collaborators(request: web.Request) -> web.Response:
    forge, repo = forge_of(request), repo_of(request)
    if request.get(USER) is None:
        raise not_found()
    owner = forge.store.user(repo["owner_id"])
    # The owner administers; everyone holding a token on this forge may push (as the e2e suites assume).
    users = [owner] + [u for u in forge.store.all("SELECT * FROM users ORDER BY id") if u["id"] != owner["id"]]
    docs = [payloads.collaborator(forge.urls, u, admin=u["id"] == owner["id"]) for u in page_of(request, users)]
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
