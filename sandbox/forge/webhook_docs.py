"""Objects inside webhook bodies, where GitHub's webhook shapes differ from REST.

`@octokit/webhooks-schemas` describes what GitHub *sends* in a webhook, and
its objects are closed (no extra fields), while the REST schemas of
`@octokit/openapi` are open. So each builder here takes the REST document
`payloads` built and returns the webhook form, never changing its input
(one REST document is often shared, e.g. a repository as `repository`,
`head.repo` and `base.repo`). Pure: dicts in, dicts out.
"""

from __future__ import annotations

from typing import Any

Json = dict[str, Any]

# REST-only fields: `user_view_type` (REST `simple-user`), the counters of
# REST `full-repository`.
_REST_ONLY_USER = frozenset({"user_view_type"})
_REST_ONLY_REPOSITORY = frozenset({"network_count", "subscribers_count"})

# `pull-request` fields absent from `simple-pull-request`, the form GitHub
# sends in `pull_request_review` events (computed ones it does not recompute there).
_FULL_PULL_ONLY = frozenset({
    "additions", "changed_files", "comments", "commits", "deletions", "maintainer_can_modify", "mergeable",
    "mergeable_state", "merged", "merged_by", "rebaseable", "review_comments",
})

_REACTIONS = ("+1", "-1", "laugh", "confused", "heart", "hooray", "eyes", "rocket")


def _without(doc: Json, keys: frozenset[str]) -> Json:
    return {key: value for key, value in doc.items() if key not in keys}


def webhook_user(user_doc: Json | None) -> Json | None:
    """Webhook `user` from REST `simple-user` (None stays None, as for `merged_by`)."""
    return None if user_doc is None else _without(user_doc, _REST_ONLY_USER)


def webhook_repository(repo_doc: Json) -> Json:
    """Webhook `repository` from REST `full-repository`: plus the two fields REST lacks."""
    return {"web_commit_signoff_required": False, "custom_properties": {},
            **_without(repo_doc, _REST_ONLY_REPOSITORY), "owner": webhook_user(repo_doc["owner"])}


def _pull_side(side: Json) -> Json:
    return {**side, "user": webhook_user(side["user"]), "repo": webhook_repository(side["repo"])}


def webhook_pull_request(pull_doc: Json) -> Json:
    """Webhook `pull-request` (pull_request events) from REST `pull-request`."""
    return {
        **pull_doc, "user": webhook_user(pull_doc["user"]), "merged_by": webhook_user(pull_doc.get("merged_by")),
        "assignee": webhook_user(pull_doc.get("assignee")),
        "assignees": [webhook_user(u) for u in pull_doc.get("assignees", [])],
        "requested_reviewers": [webhook_user(u) for u in pull_doc.get("requested_reviewers", [])],
        "head": _pull_side(pull_doc["head"]), "base": _pull_side(pull_doc["base"]),
    }


def webhook_simple_pull_request(pull_doc: Json) -> Json:
    """Webhook `simple-pull-request` (pull_request_review events): no counts, no mergeability."""
    return _without(webhook_pull_request(pull_doc), _FULL_PULL_ONLY)


def webhook_review(review_doc: Json) -> Json:
    """Webhook `pull-request-review`: the state lower-case (`approved`), where REST says `APPROVED`."""
    return {**review_doc, "state": review_doc["state"].lower(), "user": webhook_user(review_doc["user"])}


def reactions(url: str) -> Json:
    """A `reactions` summary with no reactions (the forge has none)."""
    return {"url": f"{url}/reactions", "total_count": 0, **dict.fromkeys(_REACTIONS, 0)}


def webhook_issue(issue_doc: Json) -> Json:
    """Webhook `issue` from REST `issue`: with `reactions`."""
    return {**issue_doc, "user": webhook_user(issue_doc["user"]), "assignee": webhook_user(issue_doc.get("assignee")),
            "assignees": [webhook_user(u) for u in issue_doc.get("assignees", [])],
            "reactions": reactions(issue_doc["url"])}


def webhook_issue_comment(comment_doc: Json) -> Json:
    """Webhook `issue-comment` from REST `issue-comment`: with `reactions` and `performed_via_github_app`."""
    return {**comment_doc, "user": webhook_user(comment_doc["user"]), "reactions": reactions(comment_doc["url"]),
            "performed_via_github_app": None}
