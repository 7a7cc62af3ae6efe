"""Webhook event payloads, shaped as GitHub's (`@octokit/webhooks-schemas`).

Pure: REST documents already built by `payloads` in, event bodies out; the
objects inside are turned into their webhook forms by `webhook_docs` (GitHub's
webhook objects differ from its REST ones). The forge is not a GitHub App, so
`installation` is absent, as it is for a repository webhook on GitHub.
"""

from __future__ import annotations

from typing import Any

from . import payloads
from .gitrepo import ZERO_SHA
from .webhook_docs import (webhook_issue, webhook_issue_comment, webhook_pull_request, webhook_repository,
                           webhook_review, webhook_simple_pull_request, webhook_user)

Json = dict[str, Any]

ZEN = "Keep it logically awesome."


def ping(hook_doc: Json, repo_doc: Json, sender: Json) -> Json:
    return {"zen": ZEN, "hook_id": hook_doc["id"], "hook": hook_doc, "repository": webhook_repository(repo_doc),
            "sender": webhook_user(sender)}


def push_commit(urls: payloads.Urls, repo: Json, info: Json, paths: dict[str, list[str]],
                usernames: dict[str, str]) -> Json:
    """One entry of a push event's `commits` (and its `head_commit`)."""

    def person(p: Json) -> Json:
        doc = {"name": p["name"], "email": p["email"]}
        if p["email"] in usernames:
            doc["username"] = usernames[p["email"]]
        return doc

    return {
        "id": info["sha"], "tree_id": info["tree"], "distinct": True, "message": info["message"],
        "timestamp": info["committer"]["date"], "url": f"{urls.repo_web(repo)}/commit/{info['sha']}",
        "author": person(info["author"]), "committer": person(info["committer"]),
        "added": paths["added"], "removed": paths["removed"], "modified": paths["modified"],
    }


def push(urls: payloads.Urls, repo: Json, repo_doc: Json, sender: Json, *, ref: str, before: str, after: str,
         commits: list[Json], forced: bool) -> Json:
    """The `push` event for one ref; `commits` oldest first, as GitHub lists them."""
    web = urls.repo_web(repo)
    created, deleted = before == ZERO_SHA, after == ZERO_SHA
    compare = f"{web}/commit/{after[:12]}" if created else f"{web}/compare/{before[:12]}...{after[:12]}"
    return {
        "ref": ref, "before": before, "after": after, "repository": webhook_repository(repo_doc),
        "pusher": {"name": sender["login"], "email": sender.get("email")}, "sender": webhook_user(sender),
        "created": created, "deleted": deleted, "forced": forced, "base_ref": None, "compare": compare,
        "commits": commits, "head_commit": commits[-1] if commits else None,
    }


def pull_request(action: str, pull_doc: Json, repo_doc: Json, sender: Json, **extra: Any) -> Json:
    """`pull_request` opened/edited/closed/reopened/synchronize/ready_for_review/converted_to_draft
    (extra: before/after/changes)."""
    return {"action": action, "number": pull_doc["number"], "pull_request": webhook_pull_request(pull_doc), **extra,
            "repository": webhook_repository(repo_doc), "sender": webhook_user(sender)}


def pull_request_review(review_doc: Json, pull_doc: Json, repo_doc: Json, sender: Json) -> Json:
    """`pull_request_review` submitted: the pull request in its short form."""
    return {"action": "submitted", "review": webhook_review(review_doc),
            "pull_request": webhook_simple_pull_request(pull_doc), "repository": webhook_repository(repo_doc),
            "sender": webhook_user(sender)}


def issue_comment(action: str, comment_doc: Json, issue_doc: Json, repo_doc: Json, sender: Json,
                  **extra: Any) -> Json:
    """`issue_comment` created/edited/deleted; `issue.pull_request` marks a PR's comment."""
    return {"action": action, "issue": webhook_issue(issue_doc), "comment": webhook_issue_comment(comment_doc),
            **extra, "repository": webhook_repository(repo_doc), "sender": webhook_user(sender)}
