"""REST routes for the conversation on a pull request: issue comments
(create, list, read, edit, delete), the issue view of a PR, and reviews (with comments on lines,
see ``review_threads``).
"""

from __future__ import annotations

from aiohttp import web

from . import events, payloads_issues, review_threads
from .auth import USER, require_user
from .http import ApiError, body, invalid, not_found, paginate, require_str, respond
from .routes_pulls import PULL, pull_of
from .routes_repos import REPO, forge_of, repo_of
from .storage import Row, now

routes = web.RouteTableDef()
ISSUE = REPO + "/issues/{number:\\d+}"
COMMENT = REPO + "/issues/comments/{id:\\d+}"

_REVIEW_STATES = {"APPROVE": "APPROVED", "REQUEST_CHANGES": "CHANGES_REQUESTED", "COMMENT": "COMMENTED"}


def issue_of(request: web.Request, repo: Row) -> Row:
    issue = forge_of(request).store.issue(repo["id"], int(request.match_info["number"]))
    if issue is None:
        raise not_found()
    return issue


def comment_of(request: web.Request, repo: Row) -> tuple[Row, Row]:
    """(comment, its issue) — 404 unless the comment belongs to this repository."""
    store = forge_of(request).store
    comment = store.one("SELECT comments.*, issues.number FROM comments JOIN issues ON issues.id = comments.issue_id "
                        "WHERE comments.id = ? AND issues.repo_id = ?", int(request.match_info["id"]), repo["id"])
    if comment is None:
        raise not_found()
    issue = store.one("SELECT * FROM issues WHERE id = ?", comment["issue_id"])
    assert issue is not None
    return comment, issue


def _comment_doc(request: web.Request, repo: Row, comment: Row, number: int) -> dict:
    forge = forge_of(request)
    return payloads_issues.issue_comment(forge.urls, repo, comment, forge.store.user(comment["user_id"]), number)


@routes.get(ISSUE)
async def get_issue(request: web.Request) -> web.Response:
    forge, repo = forge_of(request), repo_of(request)
    return respond(forge.issue_doc(repo, issue_of(request, repo)))


@routes.post(ISSUE + "/comments")
async def create_comment(request: web.Request) -> web.Response:
    user = require_user(request)
    forge, repo = forge_of(request), repo_of(request)
    issue = issue_of(request, repo)
    text = require_str(await body(request), "body", "IssueComment")
    stamp = now()
    comment_id = forge.store.insert("comments", issue_id=issue["id"], user_id=user["id"], body=text,
                                    created_at=stamp, updated_at=stamp)
    forge.store.update("issues", issue["id"], updated_at=stamp)
    comment = forge.store.one("SELECT * FROM comments WHERE id = ?", comment_id)
    assert comment is not None
    doc = _comment_doc(request, repo, comment, issue["number"])
    issue_doc = forge.issue_doc(repo, forge.store.issue(repo["id"], issue["number"]) or issue)
    forge.webhooks.emit(repo["id"], "issue_comment",
                        events.issue_comment("created", doc, issue_doc, forge.repo_doc(repo), forge.user_doc(user)))
    return respond(doc, 201)


@routes.get(ISSUE + "/comments")
async def list_comments(request: web.Request) -> web.Response:
    forge, repo = forge_of(request), repo_of(request)
    issue = issue_of(request, repo)
    rows = forge.store.all("SELECT * FROM comments WHERE issue_id = ? ORDER BY id", issue["id"])
    return paginate(request, [_comment_doc(request, repo, row, issue["number"]) for row in rows])


@routes.get(COMMENT)
async def get_comment(request: web.Request) -> web.Response:
    repo = repo_of(request)
    comment, issue = comment_of(request, repo)
    return respond(_comment_doc(request, repo, comment, issue["number"]))


@routes.patch(COMMENT)
async def edit_comment(request: web.Request) -> web.Response:
    user = require_user(request)
    forge, repo = forge_of(request), repo_of(request)
    comment, issue = comment_of(request, repo)
    text = require_str(await body(request), "body", "IssueComment")
    forge.store.update("comments", comment["id"], body=text, updated_at=now())
    updated = dict(comment, body=text, updated_at=now())
    doc = _comment_doc(request, repo, updated, issue["number"])
    forge.webhooks.emit(repo["id"], "issue_comment", events.issue_comment(
        "edited", doc, forge.issue_doc(repo, issue), forge.repo_doc(repo), forge.user_doc(user),
        changes={"body": {"from": comment["body"]}}))
    return respond(doc)


@routes.delete(COMMENT)
async def delete_comment(request: web.Request) -> web.Response:
    user = require_user(request)
    forge, repo = forge_of(request), repo_of(request)
    comment, issue = comment_of(request, repo)
    doc = _comment_doc(request, repo, comment, issue["number"])
    forge.store.delete("comments", comment["id"])
    forge.webhooks.emit(repo["id"], "issue_comment", events.issue_comment(
        "deleted", doc, forge.issue_doc(repo, issue), forge.repo_doc(repo), forge.user_doc(user)))
    return web.Response(status=204)


def _review_doc(request: web.Request, repo: Row, row: Row, number: int) -> dict:
    forge = forge_of(request)
    return payloads_issues.review(forge.urls, repo, row, forge.store.user(row["user_id"]), number)


@routes.post(PULL + "/reviews")
async def create_review(request: web.Request) -> web.Response:
    user = require_user(request)
    forge, repo = forge_of(request), repo_of(request)
    pull = pull_of(request, repo)
    data = await body(request)
    event = data.get("event")
    text = data.get("body") or ""
    if event is not None and event not in _REVIEW_STATES:
        raise invalid("PullRequestReview", "event", "invalid")
    if event in ("REQUEST_CHANGES", "COMMENT") and not text:
        raise ApiError(422, "Unprocessable Entity", errors=[f"Review body is required for the {event} event"])
    if event in ("APPROVE", "REQUEST_CHANGES") and pull["user_id"] == user["id"]:
        verb = "approve" if event == "APPROVE" else "request changes on"
        raise ApiError(422, "Unprocessable Entity", errors=[f"Review Can not {verb} your own pull request"])
    facts = await forge.git(forge.pull_facts, repo, pull)
    commit_id = data.get("commit_id") or facts.head_sha
    lines = await _review_lines(request, repo, pull, data.get("comments"), commit_id)  # all checked before any is kept
    state = _REVIEW_STATES[event] if event else "PENDING"
    review_id = forge.store.insert("reviews", pull_id=pull["id"], user_id=user["id"], body=text, state=state,
                                   commit_id=commit_id, submitted_at=now())
    row = forge.store.one("SELECT * FROM reviews WHERE id = ?", review_id)
    assert row is not None
    doc = _review_doc(request, repo, row, pull["number"])
    for line_body, placed in lines:
        comment = review_threads.insert(forge, pull, review_id, user, line_body, placed)
        if state != "PENDING":
            await review_threads.announce(forge, repo, pull, review_threads.doc(forge, repo, comment, pull["number"]),
                                          user, "created")
    if state != "PENDING":
        pull_doc = await forge.pull_doc(repo, pull)
        forge.webhooks.emit(repo["id"], "pull_request_review",
                            events.pull_request_review(doc, pull_doc, forge.repo_doc(repo), forge.user_doc(user)))
    return respond(doc)


async def _review_lines(request: web.Request, repo: Row, pull: Row, comments: object,
                        commit_id: str) -> list[tuple[str, review_threads.Placement]]:
    """A review's ``comments`` (path, line or position, side, start_line, body), each placed on the diff."""
    if comments is None:
        return []
    if not isinstance(comments, list) or not all(isinstance(c, dict) for c in comments):
        raise invalid("PullRequestReview", "comments", "invalid", "comments must be a list of objects")
    forge, placed = forge_of(request), []
    for spec in comments:
        line_body = require_str(spec, "body", review_threads.RESOURCE)
        placed.append((line_body, await forge.git(review_threads.place, forge, repo, pull,
                                                  {**spec, "commit_id": commit_id}, commit_id)))
    return placed


@routes.get(PULL + "/reviews")
async def list_reviews(request: web.Request) -> web.Response:
    forge, repo = forge_of(request), repo_of(request)
    pull = pull_of(request, repo)
    viewer = request.get(USER)
    rows = forge.store.all("SELECT * FROM reviews WHERE pull_id = ? ORDER BY id", pull["id"])
    visible = [r for r in rows if r["state"] != "PENDING" or (viewer and r["user_id"] == viewer["id"])]
    return paginate(request, [_review_doc(request, repo, r, pull["number"]) for r in visible])


@routes.get(PULL + "/reviews/{review_id:\\d+}")
async def get_review(request: web.Request) -> web.Response:
    forge, repo = forge_of(request), repo_of(request)
    pull = pull_of(request, repo)
    row = forge.store.one("SELECT * FROM reviews WHERE pull_id = ? AND id = ?", pull["id"],
                          int(request.match_info["review_id"]))
    if row is None:
        raise not_found()
    return respond(_review_doc(request, repo, row, pull["number"]))
