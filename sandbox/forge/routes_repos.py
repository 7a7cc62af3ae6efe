"""REST routes for accounts, repositories, branches, refs, commits and compare.

Thin: read the request, ask `Forge`/`gitrepo`, answer with `payloads`.
"""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from . import apps, gitrepo, payloads
from .auth import CALLER, USER, require_user
from .core import FORGE, Forge
from .gitrepo import Identity
from .http import ApiError, body, invalid, not_found, page_of, paginate, require_str, respond
from .storage import Row, now

routes = web.RouteTableDef()
API = "/api/v3"
REPO = API + "/repos/{owner}/{repo}"
_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")


def forge_of(request: web.Request) -> Forge:
    return request.app[FORGE]


def repo_of(request: web.Request) -> Row:
    forge = forge_of(request)
    repo = forge.find_repo(request.match_info["owner"], request.match_info["repo"], request.get(USER))
    caller = request.get(CALLER)
    if caller is not None and not apps.may_use_repo(forge.store, caller, repo):
        # An installation token reaches only its installation's repositories, as on GitHub.
        if repo["private"]:
            raise not_found()
        if request.method != "GET":
            raise ApiError(403, "Resource not accessible by integration")
    return repo


@routes.get(API + "/user")
async def get_user(request: web.Request) -> web.Response:
    user = require_user(request)
    caller = request.get(CALLER)
    if caller is not None and caller.installation is not None:
        raise ApiError(403, "Resource not accessible by integration")
    store = forge_of(request).store
    public = store.one("SELECT COUNT(*) AS n FROM repos WHERE owner_id = ? AND private = 0", user["id"])
    private = store.one("SELECT COUNT(*) AS n FROM repos WHERE owner_id = ? AND private = 1", user["id"])
    return respond(payloads.private_user(forge_of(request).urls, user, public["n"] if public else 0,
                                         private["n"] if private else 0))


@routes.get(API + "/users/{login}")
async def get_account(request: web.Request) -> web.Response:
    forge = forge_of(request)
    user = forge.store.user_by_login(request.match_info["login"])
    if user is None:
        raise not_found()
    row = forge.store.one("SELECT COUNT(*) AS n FROM repos WHERE owner_id = ? AND private = 0", user["id"])
    return respond(payloads.public_user(forge.urls, user, row["n"] if row else 0))


def _create_repo_sync(forge: Forge, owner: Row, data: dict[str, Any]) -> Row:
    name = data["name"]
    created = now()
    repo_id = forge.store.insert("repos", owner_id=owner["id"], name=name, description=data.get("description"),
                                 private=int(bool(data.get("private"))), default_branch="main",
                                 created_at=created, updated_at=created, pushed_at=None)
    repo = forge.store.repo_by_id(repo_id)
    path = forge.repo_path(repo)
    gitrepo.init_bare(path, "main")
    if data.get("auto_init"):
        readme = f"# {name}\n" + (f"\n{data['description']}\n" if data.get("description") else "")
        who = Identity(owner["name"] or owner["login"], owner["email"])
        tree = gitrepo.write_tree_with_file(path, None, "README.md", readme.encode())
        sha = gitrepo.commit_tree(path, tree, [], "Initial commit", who, who)
        gitrepo.update_ref(path, "refs/heads/main", sha, gitrepo.ZERO_SHA)
        forge.store.update("repos", repo_id, pushed_at=created)
    return forge.store.repo_by_id(repo_id)


@routes.post(API + "/user/repos")
async def create_repo(request: web.Request) -> web.Response:
    user = require_user(request)
    forge = forge_of(request)
    data = await body(request)
    name = require_str(data, "name", "Repository")
    if not _NAME.match(name) or name in (".", ".."):
        raise invalid("Repository", "name", "custom", "name is not a valid repository name")
    if forge.store.repo(user["login"], name) is not None:
        raise invalid("Repository", "name", "custom", "name already exists on this account")
    repo = await forge.git(_create_repo_sync, forge, user, data)
    return respond(forge.repo_doc(repo), 201)


@routes.get(REPO)
async def get_repo(request: web.Request) -> web.Response:
    return respond(forge_of(request).repo_doc(repo_of(request)))


@routes.get(REPO + "/branches")
async def list_branches(request: web.Request) -> web.Response:
    forge, repo = forge_of(request), repo_of(request)
    refs = await forge.git(gitrepo.refs, forge.repo_path(repo))
    branches = [payloads.short_branch(forge.urls, repo, ref.removeprefix("refs/heads/"), sha)
                for ref, sha in sorted(refs.items()) if ref.startswith("refs/heads/")]
    return paginate(request, branches)


@routes.get(REPO + "/branches/{branch:.+}")
async def get_branch(request: web.Request) -> web.Response:
    forge, repo = forge_of(request), repo_of(request)
    name = request.match_info["branch"]
    sha = await forge.git(gitrepo.resolve, forge.repo_path(repo), f"refs/heads/{name}")
    if sha is None:
        raise ApiError(404, "Branch not found")
    commit_doc = await forge.git(forge.commit_doc, repo, sha)
    return respond(payloads.branch(forge.urls, repo, name, commit_doc))


def _refs_matching(refs: dict[str, str], prefix: str) -> list[tuple[str, str]]:
    return [(ref, sha) for ref, sha in sorted(refs.items()) if ref.startswith(prefix)]


@routes.get(REPO + "/git/ref/{ref:.+}")
async def get_ref(request: web.Request) -> web.Response:
    forge, repo = forge_of(request), repo_of(request)
    ref = "refs/" + request.match_info["ref"]
    refs = await forge.git(gitrepo.refs, forge.repo_path(repo))
    if ref not in refs:
        raise not_found()
    return respond(payloads.git_ref(forge.urls, repo, ref, refs[ref]))


@routes.get(REPO + "/git/refs")
@routes.get(REPO + "/git/refs/{ref:.+}")
@routes.get(REPO + "/git/matching-refs/{ref:.+}")
async def list_refs(request: web.Request) -> web.Response:
    """All refs, or those under a prefix (GET /git/refs/{ref} answers one object on an exact match)."""
    forge, repo = forge_of(request), repo_of(request)
    refs = await forge.git(gitrepo.refs, forge.repo_path(repo))
    wanted = request.match_info.get("ref")
    if wanted and "/git/refs/" in request.path and f"refs/{wanted}" in refs:
        return respond(payloads.git_ref(forge.urls, repo, f"refs/{wanted}", refs[f"refs/{wanted}"]))
    matches = _refs_matching(refs, f"refs/{wanted}" if wanted else "refs/")
    if wanted and "/git/refs/" in request.path and not matches:
        raise not_found()
    return paginate(request, [payloads.git_ref(forge.urls, repo, ref, sha) for ref, sha in matches])


@routes.post(REPO + "/git/refs")
async def create_ref(request: web.Request) -> web.Response:
    user = require_user(request)
    forge, repo = forge_of(request), repo_of(request)
    data = await body(request)
    ref, sha = require_str(data, "ref", "Reference"), require_str(data, "sha", "Reference")
    if not ref.startswith("refs/") or ref.count("/") < 2:
        raise ApiError(422, "Reference name must start with 'refs/' and have at least two slashes.")
    path = forge.repo_path(repo)
    if await forge.git(gitrepo.resolve, path, sha) is None:
        raise ApiError(422, "Object does not exist")
    if not await forge.write(repo, user, gitrepo.update_ref, path, ref, sha, gitrepo.ZERO_SHA):
        raise ApiError(422, "Reference already exists")
    return respond(payloads.git_ref(forge.urls, repo, ref, sha), 201)


def _move_ref(path: Any, ref: str, sha: str, force: bool) -> str:
    """'' when moved, else GitHub's reason (synchronous, under the repository lock)."""
    current = gitrepo.refs(path).get(ref)
    if current is None:
        return "Reference does not exist"
    if gitrepo.resolve(path, sha) is None:
        return "Object does not exist"
    if not force and not gitrepo.is_ancestor(path, current, sha):
        return "Update is not a fast forward"
    return "" if gitrepo.update_ref(path, ref, sha, current) else "Reference cannot be updated"


@routes.patch(REPO + "/git/refs/{ref:.+}")
async def update_ref(request: web.Request) -> web.Response:
    user = require_user(request)
    forge, repo = forge_of(request), repo_of(request)
    data = await body(request)
    sha = require_str(data, "sha", "Reference")
    ref = "refs/" + request.match_info["ref"]
    reason = await forge.write(repo, user, _move_ref, forge.repo_path(repo), ref, sha, bool(data.get("force")))
    if reason:
        raise ApiError(422, reason)
    return respond(payloads.git_ref(forge.urls, repo, ref, sha))


@routes.delete(REPO + "/git/refs/{ref:.+}")
async def delete_ref(request: web.Request) -> web.Response:
    user = require_user(request)
    forge, repo = forge_of(request), repo_of(request)
    ref = "refs/" + request.match_info["ref"]
    path = forge.repo_path(repo)
    if ref not in await forge.git(gitrepo.refs, path):
        raise ApiError(422, "Reference does not exist")
    await forge.write(repo, user, gitrepo.delete_ref, path, ref)
    return web.Response(status=204)


@routes.get(REPO + "/commits")
async def list_commits(request: web.Request) -> web.Response:
    forge, repo = forge_of(request), repo_of(request)
    path = forge.repo_path(repo)
    start = await forge.git(gitrepo.resolve, path, request.query.get("sha") or f"refs/heads/{repo['default_branch']}")
    if start is None:
        if not request.query.get("sha"):
            raise ApiError(409, "Git Repository is empty.")
        raise not_found()
    shas = await forge.git(gitrepo.log, path, start, path=request.query.get("path"))
    docs = [await forge.git(forge.commit_doc, repo, sha) for sha in page_of(request, shas)]
    return paginate(request, shas, docs)


@routes.get(REPO + "/commits/{sha}")
async def get_commit(request: web.Request) -> web.Response:
    forge, repo = forge_of(request), repo_of(request)
    sha = await forge.git(gitrepo.resolve, forge.repo_path(repo), request.match_info["sha"])
    if sha is None:
        raise ApiError(422, f"No commit found for SHA: {request.match_info['sha']}")
    return respond(await forge.git(forge.commit_doc, repo, sha, with_files=True))


def _compare_sync(forge: Forge, repo: Row, base_name: str, head_name: str) -> dict[str, Any] | None:
    path = forge.repo_path(repo)
    base, head = gitrepo.resolve(path, base_name), gitrepo.resolve(path, head_name)
    if base is None or head is None:
        return None
    fork_point = gitrepo.merge_base(path, base, head) or base
    ahead = gitrepo.log(path, head, base, reverse=True)
    behind = gitrepo.log(path, base, head)
    return payloads.comparison(
        forge.urls, repo, base_name, head_name, base_commit=forge.commit_doc(repo, base),
        merge_base_commit=forge.commit_doc(repo, fork_point), ahead=[forge.commit_doc(repo, s) for s in ahead[-250:]],
        behind_by=len(behind),
        files=[payloads.diff_entry(forge.urls, repo, head, f) for f in gitrepo.diff_files(path, fork_point, head)])


@routes.get(REPO + "/compare/{basehead:.+}")
async def compare(request: web.Request) -> web.Response:
    forge, repo = forge_of(request), repo_of(request)
    spec = request.match_info["basehead"]
    if "..." not in spec:
        raise not_found()
    base, head = (part.split(":", 1)[-1] for part in spec.split("...", 1))
    doc = await forge.git(_compare_sync, forge, repo, base, head)
    if doc is None:
        raise not_found()
    return respond(doc)
