"""REST routes for review comments on lines: create (or reply), list per pull request, per review
and per repository, read, edit, delete. The checks and the storing are ``review_threads``."""

from __future__ import annotations

from aiohttp import web

from . import events, review_threads
from .payloads_issues import review as review_doc
from .auth import USER, require_user
from .http import body, not_found, paginate, require_str, respond
from .routes_pulls import PULL, pull_of
from .routes_repos import REPO, forge_of, repo_of
from .storage import Row, now

routes = web.RouteTableDef()
COMMENT = REPO + "/pulls/comments/{id:\\d+}"
RESOURCE = review_threads.RESOURCE


def _comment_of(request: web.Request, repo: Row, pull: Row | None = None) -> tuple[Row, Row]:
    """(comment, its pull request) — 404 unless it belongs to this repository (and to ``pull``)."""
    store = forge_of(request).store
    row = store.one("SELECT review_comments.* FROM review_comments JOIN pulls ON pulls.id = review_comments.pull_id "
                    "JOIN issues ON issues.id = pulls.issue_id WHERE review_comments.id = ? AND issues.repo_id = ?",
                    int(request.match_info["id"]), repo["id"])
    if row is None or (pull is not None and row["pull_id"] != pull["id"]):
        raise not_found()
    return row, pull or store.pull_by_id(row["pull_id"])


def _states(request: web.Request, pull_ids: set[int]) -> dict[int, str]:
    if not pull_ids:
        return {}
    marks = ", ".join("?" for _ in pull_ids)
    rows = forge_of(request).store.all(f"SELECT id, state FROM reviews WHERE pull_id IN ({marks})", *pull_ids)
    return {r["id"]: r["state"] for r in rows}


def _ordered(request: web.Request, rows: list[Row]) -> list[Row]:
    """``sort`` created|updated, ``direction`` asc|desc, ``since`` (updated at or after), as GitHub reads them."""
    since = request.query.get("since")
    if since:
        rows = [r for r in rows if r["updated_at"] >= since]
    key = "updated_at" if request.query.get("sort") == "updated" else "created_at"
    return sorted(rows, key=lambda r: (r[key], r["id"]), reverse=request.query.get("direction") == "desc")


async def _create(request: web.Request, repo: Row, pull: Row, user: Row, text: str, placed: review_threads.Placement,
                  in_reply_to: int | None) -> web.Response:
    forge = forge_of(request)
    review_id = review_threads.own_review(forge, pull, user, placed.commit_id)
    row = review_threads.insert(forge, pull, review_id, user, text, placed, in_reply_to)
    doc = review_threads.doc(forge, repo, row, pull["number"])
    await review_threads.announce(forge, repo, pull, doc, user, "created")
    review = forge.store.one("SELECT * FROM reviews WHERE id = ?", review_id)
    assert review is not None  # the review GitHub makes around it is announced too
    forge.webhooks.emit(repo["id"], "pull_request_review", events.pull_request_review(
        review_doc(forge.urls, repo, review, user, pull["number"]), await forge.pull_doc(repo, pull),
        forge.repo_doc(repo), forge.user_doc(user)))
    return respond(doc, 201)


async def _reply_to(request: web.Request, repo: Row, pull: Row, user: Row, text: str, target_id: int) -> web.Response:
    target = forge_of(request).store.one("SELECT * FROM review_comments WHERE id = ? AND pull_id = ?", target_id,
                                         pull["id"])
    if target is None:
        raise not_found()
    root = target["in_reply_to_id"] or target["id"]  # a reply to a reply joins the thread's first comment
    return await _create(request, repo, pull, user, text, review_threads.placement_of(target), root)


@routes.post(PULL + "/comments")
async def create_review_comment(request: web.Request) -> web.Response:
    user = require_user(request)
    forge, repo = forge_of(request), repo_of(request)
    pull = pull_of(request, repo)
    data = await body(request)
    text = require_str(data, "body", RESOURCE)
    if data.get("in_reply_to") is not None:  # GitHub then ignores every field but body
        target = data["in_reply_to"]
        if not isinstance(target, int) or isinstance(target, bool):
            raise review_threads.refuse("in_reply_to", "in_reply_to must be a comment id", "invalid")
        return await _reply_to(request, repo, pull, user, text, target)
    placed = await forge.git(review_threads.place, forge, repo, pull, data, None)
    return await _create(request, repo, pull, user, text, placed, None)


@routes.post(PULL + "/comments/{id:\\d+}/replies")
async def reply_to_review_comment(request: web.Request) -> web.Response:
    user = require_user(request)
    repo = repo_of(request)
    pull = pull_of(request, repo)
    text = require_str(await body(request), "body", RESOURCE)
    return await _reply_to(request, repo, pull, user, text, int(request.match_info["id"]))


@routes.get(PULL + "/comments")
async def list_pull_review_comments(request: web.Request) -> web.Response:
    forge, repo = forge_of(request), repo_of(request)
    pull = pull_of(request, repo)
    rows = forge.store.all("SELECT * FROM review_comments WHERE pull_id = ? ORDER BY id", pull["id"])
    rows = _ordered(request, review_threads.visible(rows, _states(request, {pull["id"]}), request.get(USER)))
    return paginate(request, [review_threads.doc(forge, repo, r, pull["number"]) for r in rows])


@routes.get(REPO + "/pulls/comments")
async def list_repo_review_comments(request: web.Request) -> web.Response:
    forge, repo = forge_of(request), repo_of(request)
    rows = forge.store.all("SELECT review_comments.*, issues.number FROM review_comments "
                           "JOIN pulls ON pulls.id = review_comments.pull_id JOIN issues ON issues.id = pulls.issue_id "
                           "WHERE issues.repo_id = ? ORDER BY review_comments.id", repo["id"])
    states = _states(request, {r["pull_id"] for r in rows})
    rows = _ordered(request, review_threads.visible(rows, states, request.get(USER)))
    return paginate(request, [review_threads.doc(forge, repo, r, r["number"]) for r in rows])


@routes.get(PULL + "/reviews/{review_id:\\d+}/comments")
async def list_review_comments_of_review(request: web.Request) -> web.Response:
    forge, repo = forge_of(request), repo_of(request)
    pull = pull_of(request, repo)
    review = forge.store.one("SELECT * FROM reviews WHERE pull_id = ? AND id = ?", pull["id"],
                             int(request.match_info["review_id"]))
    viewer = request.get(USER)
    if review is None or (review["state"] == "PENDING" and not (viewer and viewer["id"] == review["user_id"])):
        raise not_found()
    rows = forge.store.all("SELECT * FROM review_comments WHERE review_id = ? ORDER BY id", review["id"])
    return paginate(request, [review_threads.doc(forge, repo, r, pull["number"]) for r in rows])


@routes.get(COMMENT)
async def get_review_comment(request: web.Request) -> web.Response:
    forge, repo = forge_of(request), repo_of(request)
    row, pull = _comment_of(request, repo)
    if not review_threads.visible([row], _states(request, {pull["id"]}), request.get(USER)):
        raise not_found()
    return respond(review_threads.doc(forge, repo, row, pull["number"]))


@routes.patch(COMMENT)
async def edit_review_comment(request: web.Request) -> web.Response:
    user = require_user(request)
    forge, repo = forge_of(request), repo_of(request)
    row, pull = _comment_of(request, repo)
    text = require_str(await body(request), "body", RESOURCE)
    stamp = now()
    forge.store.update("review_comments", row["id"], body=text, updated_at=stamp)
    doc = review_threads.doc(forge, repo, dict(row, body=text, updated_at=stamp), pull["number"])
    await review_threads.announce(forge, repo, pull, doc, user, "edited", changes={"body": {"from": row["body"]}})
    return respond(doc)


@routes.delete(COMMENT)
async def delete_review_comment(request: web.Request) -> web.Response:
    user = require_user(request)
    forge, repo = forge_of(request), repo_of(request)
    row, pull = _comment_of(request, repo)
    doc = review_threads.doc(forge, repo, row, pull["number"])
    forge.store.delete("review_comments", row["id"])
    await review_threads.announce(forge, repo, pull, doc, user, "deleted")
    return web.Response(status=204)
