"""REST routes for pull requests: open, read, list, edit/close/reopen, files,
commits, and merge (a real merge or squash commit made in the bare repo).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aiohttp import web

from . import events, gitrepo, payloads, payloads_issues
from .auth import require_user
from .gitrepo import Identity
from .http import ApiError, body, invalid, not_found, page_of, paginate, require_str, respond
from .routes_repos import REPO, forge_of, repo_of
from .storage import Row, now

routes = web.RouteTableDef()
PULL = REPO + "/pulls/{number:\\d+}"


def pull_of(request: web.Request, repo: Row) -> Row:
    pull = forge_of(request).store.pull(repo["id"], int(request.match_info["number"]))
    if pull is None:
        raise not_found()
    return pull


def _branch_name(spec: str) -> str:
    """`owner:branch` or `branch` → branch (forks do not exist here)."""
    return spec.split(":", 1)[1] if ":" in spec else spec


def _draft_flag(data: dict[str, Any]) -> bool | None:
    """The request's `draft` (None when absent); GitHub answers 422 to a non-boolean."""
    draft = data.get("draft")
    if draft is not None and not isinstance(draft, bool):
        raise invalid("PullRequest", "draft", "invalid")
    return draft


def _draft_action(pull: Row, draft: bool | None) -> str | None:
    """`ready_for_review` / `converted_to_draft` when the request flips an open PR's draft flag.

    A local extension: GitHub's REST API ignores `draft` on update (only its
    GraphQL mutations change it), so the forge offers this door instead.
    """
    if draft is None or draft == bool(pull["draft"]):
        return None
    if pull["state"] != "open":
        raise invalid("PullRequest", "draft", "invalid", "Only an open pull request can change its draft state.")
    return "converted_to_draft" if draft else "ready_for_review"


@routes.post(REPO + "/pulls")
async def create_pull(request: web.Request) -> web.Response:
    user = require_user(request)
    forge, repo = forge_of(request), repo_of(request)
    data = await body(request)
    title = require_str(data, "title", "PullRequest")
    head_ref = _branch_name(require_str(data, "head", "PullRequest"))
    base_ref = require_str(data, "base", "PullRequest")
    draft = _draft_flag(data)
    path = forge.repo_path(repo)
    base = await forge.git(gitrepo.resolve, path, f"refs/heads/{base_ref}")
    head = await forge.git(gitrepo.resolve, path, f"refs/heads/{head_ref}")
    if base is None:
        raise invalid("PullRequest", "base", "invalid")
    if head is None:
        raise invalid("PullRequest", "head", "invalid")
    if not await forge.git(gitrepo.log, path, head, base):
        raise ApiError(422, "Validation Failed", errors=[{"resource": "PullRequest", "code": "custom",
                                                         "message": f"No commits between {base_ref} and {head_ref}"}])
    duplicate = forge.store.one(
        "SELECT 1 FROM pulls JOIN issues ON issues.id = pulls.issue_id WHERE issues.repo_id = ? "
        "AND issues.state = 'open' AND pulls.head_ref = ? AND pulls.base_ref = ?", repo["id"], head_ref, base_ref)
    if duplicate:
        raise ApiError(422, "Validation Failed", errors=[{
            "resource": "PullRequest", "code": "custom",
            "message": f"A pull request already exists for {repo['owner_login']}:{head_ref}."}])
    created = now()
    issue_id = forge.store.insert("issues", repo_id=repo["id"], number=forge.store.next_issue_number(repo["id"]),
                                  user_id=user["id"], title=title, body=data.get("body"), state="open",
                                  created_at=created, updated_at=created, closed_at=None)
    pull_id = forge.store.insert("pulls", issue_id=issue_id, head_ref=head_ref, head_sha=head, base_ref=base_ref,
                                 base_sha=base, merged_at=None, merged_by_id=None, merge_commit_sha=None,
                                 draft=int(bool(draft)))
    doc = await forge.pull_doc(repo, forge.store.pull_by_id(pull_id))
    forge.webhooks.emit(repo["id"], "pull_request",
                        events.pull_request("opened", doc, forge.repo_doc(repo), forge.user_doc(user)))
    return respond(doc, 201)


@routes.get(REPO + "/pulls")
async def list_pulls(request: web.Request) -> web.Response:
    forge, repo = forge_of(request), repo_of(request)
    state = request.query.get("state", "open")
    if state not in ("open", "closed", "all"):
        raise invalid("PullRequest", "state", "invalid")
    rows = forge.store.pulls(repo["id"], state)
    if "head" in request.query:
        rows = [r for r in rows if r["head_ref"] == _branch_name(request.query["head"])]
    if "base" in request.query:
        rows = [r for r in rows if r["base_ref"] == request.query["base"]]
    return paginate(request, rows, [await forge.pull_doc(repo, row) for row in page_of(request, rows)])


@routes.get(PULL)
async def get_pull(request: web.Request) -> web.Response:
    forge, repo = forge_of(request), repo_of(request)
    return respond(await forge.pull_doc(repo, pull_of(request, repo)))


@routes.patch(PULL)
async def update_pull(request: web.Request) -> web.Response:
    user = require_user(request)
    forge, repo = forge_of(request), repo_of(request)
    pull = pull_of(request, repo)
    data = await body(request)
    draft_action = _draft_action(pull, _draft_flag(data))
    changes: dict[str, Any] = {}
    issue_values: dict[str, Any] = {}
    for field in ("title", "body"):
        if field in data and data[field] != pull[field]:
            if field == "title" and not isinstance(data[field], str):
                raise invalid("PullRequest", "title", "invalid")
            changes[field] = {"from": pull[field]}
            issue_values[field] = data[field]
    if data.get("base") not in (None, pull["base_ref"]):
        path = forge.repo_path(repo)
        if await forge.git(gitrepo.resolve, path, f"refs/heads/{data['base']}") is None:
            raise invalid("PullRequest", "base", "invalid")
        changes["base"] = {"ref": {"from": pull["base_ref"]}, "sha": {"from": pull["base_sha"]}}
        base_sha = await forge.git(gitrepo.resolve, path, f"refs/heads/{data['base']}")
        forge.store.update("pulls", pull["id"], base_ref=data["base"], base_sha=base_sha)
    if draft_action:
        forge.store.update("pulls", pull["id"], draft=int(draft_action == "converted_to_draft"))
        issue_values["updated_at"] = now()
    action = None
    if data.get("state") not in (None, pull["state"]):
        if data["state"] not in ("open", "closed"):
            raise invalid("PullRequest", "state", "invalid")
        if data["state"] == "open" and pull["merged_at"]:
            raise invalid("PullRequest", "state", "invalid", "state cannot be changed. The pull request was merged.")
        action = "closed" if data["state"] == "closed" else "reopened"
        issue_values.update(state=data["state"], closed_at=now() if action == "closed" else None)
        if action == "closed":  # remember the tips it was closed at, as GitHub shows them after
            facts = await forge.git(forge.pull_facts, repo, pull)
            forge.store.update("pulls", pull["id"], head_sha=facts.head_sha, base_sha=facts.base_sha)
    if issue_values:
        issue_values["updated_at"] = now()
        forge.store.update("issues", pull["issue_id"], **issue_values)
    doc = await forge.pull_doc(repo, forge.store.pull_by_id(pull["id"]))
    repo_doc, sender = forge.repo_doc(repo), forge.user_doc(user)
    if changes:
        forge.webhooks.emit(repo["id"], "pull_request",
                            events.pull_request("edited", doc, repo_doc, sender, changes=changes))
    if draft_action:
        forge.webhooks.emit(repo["id"], "pull_request", events.pull_request(draft_action, doc, repo_doc, sender))
    if action:
        forge.webhooks.emit(repo["id"], "pull_request", events.pull_request(action, doc, repo_doc, sender))
    return respond(doc)


def _range(forge: Any, repo: Row, pull: Row) -> tuple[Path, str, str]:
    """(path, fork point, head) of the pull request's changes."""
    facts = forge.pull_facts(repo, pull)
    path = forge.repo_path(repo)
    return path, gitrepo.merge_base(path, facts.base_sha, facts.head_sha) or facts.base_sha, facts.head_sha


@routes.get(PULL + "/files")
async def pull_files(request: web.Request) -> web.Response:
    forge, repo = forge_of(request), repo_of(request)
    path, fork_point, head = await forge.git(_range, forge, repo, pull_of(request, repo))
    files = await forge.git(gitrepo.diff_files, path, fork_point, head)
    return paginate(request, [payloads.diff_entry(forge.urls, repo, head, f) for f in files])


@routes.get(PULL + "/commits")
async def pull_commits(request: web.Request) -> web.Response:
    forge, repo = forge_of(request), repo_of(request)
    path, fork_point, head = await forge.git(_range, forge, repo, pull_of(request, repo))
    shas = (await forge.git(gitrepo.log, path, head, fork_point, reverse=True))[:250]
    return paginate(request, shas, [await forge.git(forge.commit_doc, repo, sha) for sha in page_of(request, shas)])


@routes.get(PULL + "/merge")
async def is_merged(request: web.Request) -> web.Response:
    repo = repo_of(request)
    if pull_of(request, repo)["merged_at"] is None:
        raise not_found()
    return web.Response(status=204)


def _merge_sync(path: Path, pull: Row, expected: str | None, method: str, title: str, message: str,
                who: Identity) -> tuple[int, str, str, str, str]:
    """(status, reason, merge sha, head, base before): the merge, under the repository lock."""
    head = gitrepo.resolve(path, f"refs/heads/{pull['head_ref']}")
    base = gitrepo.resolve(path, f"refs/heads/{pull['base_ref']}")
    if head is None or base is None:
        return 422, "Head or base branch no longer exists", "", "", ""
    if expected and expected != head:
        return 409, "Head branch was modified. Review and try the merge again.", "", "", ""
    tree = gitrepo.merge_tree(path, base, head)
    if tree is None:
        return 405, "Pull Request is not mergeable", "", "", ""
    parents = [base, head] if method == "merge" else [base]
    text = f"{title}\n\n{message}".rstrip() + "\n"
    sha = gitrepo.commit_tree(path, tree, parents, text, who, who)
    if not gitrepo.update_ref(path, f"refs/heads/{pull['base_ref']}", sha, base):
        return 409, "Base branch was modified. Review and try the merge again.", "", "", ""
    return 200, "", sha, head, base


@routes.put(PULL + "/merge")
async def merge_pull(request: web.Request) -> web.Response:
    user = require_user(request)
    forge, repo = forge_of(request), repo_of(request)
    pull = pull_of(request, repo)
    data = await body(request)
    method = data.get("merge_method") or "merge"
    if method not in ("merge", "squash", "rebase"):
        raise invalid("PullRequest", "merge_method", "invalid")
    if method == "rebase":
        raise ApiError(405, "Rebase merges are not allowed on this repository.")
    if pull["merged_at"] or pull["state"] != "open":
        raise ApiError(405, "Pull Request is not mergeable")
    number = pull["number"]
    if method == "merge":
        title = data.get("commit_title") or f"Merge pull request #{number} from {repo['owner_login']}/{pull['head_ref']}"
        message = data.get("commit_message") if data.get("commit_message") is not None else pull["title"]
    else:
        title = data.get("commit_title") or f"{pull['title']} (#{number})"
        message = data.get("commit_message") if data.get("commit_message") is not None else (pull["body"] or "")
    who = Identity(user["name"] or user["login"], user["email"])
    status, reason, sha, head, base = await forge.write(
        repo, user, _merge_sync, forge.repo_path(repo), pull, data.get("sha"), method, title, message, who)
    if reason:
        raise ApiError(status, reason)
    stamp = now()
    forge.store.update("pulls", pull["id"], merged_at=stamp, merged_by_id=user["id"], merge_commit_sha=sha,
                       head_sha=head, base_sha=base)
    forge.store.update("issues", pull["issue_id"], state="closed", closed_at=stamp, updated_at=stamp)
    doc = await forge.pull_doc(repo, forge.store.pull_by_id(pull["id"]))
    forge.webhooks.emit(repo["id"], "pull_request",
                        events.pull_request("closed", doc, forge.repo_doc(repo), forge.user_doc(user)))
    return respond(payloads_issues.merge_result(sha))
