"""Review comments on lines as GitHub's documents (pure): REST and webhook forms.

Three schemas of ``@octokit/openapi``/``@octokit/webhooks-schemas`` describe
the same comment: ``pull-request-review-comment`` (create, read, list on a PR),
``review-comment`` (the comments of one review) and the webhook
``pull-request-review-comment`` (closed: no field beyond its list). The forge
does not re-anchor comments after later pushes, so ``original_*`` equal the
current values (GitHub would move ``line`` or null ``position`` on an outdated
comment).
"""

from __future__ import annotations

from typing import Any

from .payloads import Urls, node_id, simple_user
from .payloads_issues import author_association
from .webhook_docs import reactions, webhook_user

Json = dict[str, Any]


def review_comment(urls: Urls, repo: Json, row: Json, user: Json, number: int) -> Json:
    """Schema ``pull-request-review-comment`` (``review-comment`` is the same with these fields)."""
    api, web = urls.repo_api(repo), urls.repo_web(repo)
    url = f"{api}/pulls/comments/{row['id']}"
    html = f"{web}/pull/{number}#discussion_r{row['id']}"
    pull_url = f"{api}/pulls/{number}"
    doc: Json = {
        "url": url, "pull_request_review_id": row["review_id"], "id": row["id"],
        "node_id": node_id("PullRequestReviewComment", row["id"]), "diff_hunk": row["diff_hunk"],
        "path": row["path"], "position": row["position"], "original_position": row["position"],
        "commit_id": row["commit_id"], "original_commit_id": row["commit_id"], "user": simple_user(urls, user),
        "body": row["body"], "created_at": row["created_at"], "updated_at": row["updated_at"], "html_url": html,
        "pull_request_url": pull_url, "author_association": author_association(repo, user),
        "_links": {"self": {"href": url}, "html": {"href": html}, "pull_request": {"href": pull_url}},
        "reactions": reactions(url), "start_line": row["start_line"], "original_start_line": row["start_line"],
        "start_side": row["start_side"], "line": row["line"], "original_line": row["line"], "side": row["side"],
        "subject_type": "line",
    }
    if row["in_reply_to_id"] is not None:
        doc["in_reply_to_id"] = row["in_reply_to_id"]
    return doc


def webhook_review_comment(comment_doc: Json) -> Json:
    """Webhook ``pull-request-review-comment`` from the REST document (same fields, webhook user)."""
    return {**comment_doc, "user": webhook_user(comment_doc["user"])}


__all__ = ["review_comment", "webhook_review_comment"]
