"""Review comments on lines: checked against the pull request's diff, stored, announced.

Used by the review-comment routes and by a review created with ``comments``.
As on GitHub: a comment names a commit of the pull request, a file it
changes and a line of one side of that file's diff (``line``/``side``, or the
deprecated ``position``), optionally a first line (``start_line``/
``start_side``) in the same hunk; anything else is 422 Validation Failed and
nothing is stored. A comment made on its own (not in a review) gets a
``COMMENTED`` review of its own, so ``pull_request_review_id`` is never null.
File-level comments (``subject_type: file``) are not offered here: 422 says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import diff_lines, gitrepo
from .http import ApiError
from .review_comment_docs import review_comment, webhook_review_comment
from .storage import Row, now
from .webhook_docs import webhook_repository, webhook_simple_pull_request, webhook_user

RESOURCE = "PullRequestReviewComment"


@dataclass(frozen=True)
class Placement:
    """Where a new comment goes, checked against the diff."""

    path: str
    commit_id: str
    line: int
    side: str
    position: int
    diff_hunk: str
    start_line: int | None = None
    start_side: str | None = None


def refuse(field: str, message: str, code: str = "custom") -> ApiError:
    return ApiError(422, "Validation Failed", errors=[{"resource": RESOURCE, "code": code, "field": field,
                                                       "message": message}])


def _int(spec: dict[str, Any], field: str) -> int | None:
    value = spec.get(field)
    if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
        raise refuse(field, f"{field} must be a positive integer", "invalid")
    return value


def _side(spec: dict[str, Any], field: str) -> str:
    value = spec.get(field) or "RIGHT"
    if value not in diff_lines.SIDES:
        raise refuse(field, f"{field} must be LEFT or RIGHT", "invalid")
    return str(value)


def _patch(forge: Any, repo: Row, pull: Row, commit_id: str, path: str) -> str:
    """The patch of ``path`` in the pull request up to ``commit_id`` (synchronous git)."""
    facts = forge.pull_facts(repo, pull)
    git_dir = forge.repo_path(repo)
    fork_point = gitrepo.merge_base(git_dir, facts.base_sha, facts.head_sha) or facts.base_sha
    if commit_id not in gitrepo.log(git_dir, facts.head_sha, fork_point):
        raise refuse("commit_id", f"commit_id {commit_id} is not part of the pull request")
    changed = {f["filename"]: f for f in gitrepo.diff_files(git_dir, fork_point, commit_id)}
    if path not in changed:
        raise refuse("path", f"{path} is not changed by the pull request at {commit_id[:12]}", "invalid")
    return str(changed[path]["patch"])


def place(forge: Any, repo: Row, pull: Row, spec: dict[str, Any], default_commit: str | None) -> Placement:
    """Check one comment's anchor against the diff (synchronous: run it in a git thread)."""
    if spec.get("subject_type") == "file":
        raise refuse("subject_type", "file-level review comments are not supported by the local forge; "
                                     "comment on a line", "invalid")
    path, commit_id = spec.get("path"), spec.get("commit_id") or default_commit
    if not isinstance(path, str) or not path:
        raise refuse("path", "path is required", "missing_field")
    if not isinstance(commit_id, str) or not commit_id:
        raise refuse("commit_id", "commit_id is required", "missing_field")
    patch = _patch(forge, repo, pull, commit_id, path)
    line, position = _int(spec, "line"), _int(spec, "position")
    if line is not None:
        end = diff_lines.anchor(patch, line, _side(spec, "side"))
    elif position is not None:
        end = diff_lines.at_position(patch, position)
    else:
        raise refuse("line", "line is required (or the deprecated position)", "missing_field")
    if end is None:
        where = f"line {line} ({_side(spec, 'side')})" if line is not None else f"position {position}"
        raise refuse("pull_request_review_thread.line", f"{where} of {path} must be part of the diff")
    start_line = _int(spec, "start_line")
    if start_line is None:
        return Placement(path, commit_id, end.line, end.side, end.position, end.diff_hunk)
    start = diff_lines.anchor(patch, start_line, _side(spec, "start_side") if spec.get("start_side") else end.side)
    if start is None or not diff_lines.same_hunk(patch, start, end):
        raise refuse("pull_request_review_thread.start_line",
                     f"start_line {start_line} must be above line {end.line} in the same hunk of {path}")
    return Placement(path, commit_id, end.line, end.side, end.position, end.diff_hunk, start.line, start.side)


def insert(forge: Any, pull: Row, review_id: int, user: Row, body: str, placed: Placement,
           in_reply_to: int | None = None) -> Row:
    stamp = now()
    comment_id = forge.store.insert(
        "review_comments", pull_id=pull["id"], review_id=review_id, user_id=user["id"], body=body,
        path=placed.path, commit_id=placed.commit_id, diff_hunk=placed.diff_hunk, line=placed.line, side=placed.side,
        start_line=placed.start_line, start_side=placed.start_side, position=placed.position,
        in_reply_to_id=in_reply_to, created_at=stamp, updated_at=stamp)
    row = forge.store.one("SELECT * FROM review_comments WHERE id = ?", comment_id)
    assert row is not None
    return row


def placement_of(row: Row) -> Placement:
    """A reply sits where the comment it answers sits."""
    return Placement(row["path"], row["commit_id"], row["line"], row["side"], row["position"], row["diff_hunk"],
                     row["start_line"], row["start_side"])


def own_review(forge: Any, pull: Row, user: Row, commit_id: str) -> int:
    """The COMMENTED review GitHub makes around a comment written outside a review."""
    return int(forge.store.insert("reviews", pull_id=pull["id"], user_id=user["id"], body="", state="COMMENTED",
                                  commit_id=commit_id, submitted_at=now()))


def doc(forge: Any, repo: Row, row: Row, number: int) -> dict[str, Any]:
    return review_comment(forge.urls, repo, row, forge.store.user(row["user_id"]), number)


async def announce(forge: Any, repo: Row, pull: Row, comment_doc: dict[str, Any], sender: Row, action: str,
                   **extra: Any) -> None:
    """The ``pull_request_review_comment`` webhook (the pull request in its short form)."""
    pull_doc = await forge.pull_doc(repo, pull)
    forge.webhooks.emit(repo["id"], "pull_request_review_comment", {
        "action": action, "comment": webhook_review_comment(comment_doc), **extra,
        "pull_request": webhook_simple_pull_request(pull_doc), "repository": webhook_repository(forge.repo_doc(repo)),
        "sender": webhook_user(forge.user_doc(sender))})


def visible(rows: list[Row], states: dict[int, str], viewer: Row | None) -> list[Row]:
    """Comments of a pending review are seen by their author only."""
    return [r for r in rows if states.get(r["review_id"]) != "PENDING" or (viewer and r["user_id"] == viewer["id"])]


__all__ = ["Placement", "announce", "doc", "insert", "own_review", "place", "placement_of", "refuse",
           "visible"]
