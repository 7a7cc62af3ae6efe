"""JSON documents of the forge's REST API for pull requests, issues and their satellites (statuses,
reviews, comments, hooks, reactions, labels), shaped as GitHub's OpenAPI schemas.

Pure, like ``payloads`` (users, repositories, git objects), whose ``Urls`` and builders these reuse.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from .payloads import Json, Urls, node_id, simple_user


def status(urls: Urls, repo: Json, row: Json, creator: Json) -> Json:
    """Schema `status` (also satisfies `simple-commit-status`)."""
    return {
        "url": f"{urls.repo_api(repo)}/statuses/{row['sha']}", "avatar_url": f"{urls.web}/avatars/{creator['login']}",
        "id": row["id"], "node_id": node_id("StatusContext", row["id"]), "state": row["state"],
        "description": row["description"], "target_url": row["target_url"], "context": row["context"],
        "created_at": row["created_at"], "updated_at": row["updated_at"], "creator": simple_user(urls, creator),
        "required": False,
    }


def combined_state(states: list[str]) -> str:
    """GitHub's rule: any failure/error → failure; else any pending (or none) → pending; else success."""
    if any(s in ("failure", "error") for s in states):
        return "failure"
    if not states or any(s == "pending" for s in states):
        return "pending"
    return "success"


def combined_status(urls: Urls, repo: Json, repo_doc: Json, sha: str, latest: list[Json]) -> Json:
    """Schema `combined-commit-status`; `latest` is one `status` per context."""
    api = urls.repo_api(repo)
    return {
        "state": combined_state([s["state"] for s in latest]), "sha": sha, "total_count": len(latest),
        "statuses": latest, "repository": repo_doc, "commit_url": f"{api}/commits/{sha}",
        "url": f"{api}/commits/{sha}/status",
    }


def author_association(repo: Json, user: Json) -> str:
    """OWNER for the repository's owner; every other account here is a collaborator."""
    return "OWNER" if user["id"] == repo["owner_id"] else "COLLABORATOR"


@dataclass(frozen=True)
class PullFacts:
    """What git and the store say about a pull request beyond its row."""

    head_sha: str
    base_sha: str
    mergeable: bool | None
    mergeable_state: str
    commits: int
    additions: int
    deletions: int
    changed_files: int
    comments: int
    review_comments: int = 0


def _pull_side(urls: Urls, repo: Json, repo_doc: Json, ref: str, sha: str) -> Json:
    return {"label": f"{repo['owner_login']}:{ref}", "ref": ref, "sha": sha, "user": repo_doc["owner"],
            "repo": repo_doc}


def pull_request(urls: Urls, repo: Json, repo_doc: Json, pull: Json, user: Json, facts: PullFacts,
                 merged_by: Json | None = None) -> Json:
    """Schema `pull-request` (a superset of `pull-request-simple`, used for lists too)."""
    api, web, number = urls.repo_api(repo), urls.repo_web(repo), pull["number"]
    url, issue_url = f"{api}/pulls/{number}", f"{api}/issues/{number}"
    html = f"{web}/pull/{number}"
    statuses_url = f"{api}/statuses/{facts.head_sha}"

    def link(href: str) -> Json:
        return {"href": href}

    return {
        "url": url, "id": pull["id"], "node_id": node_id("PullRequest", pull["id"]), "html_url": html,
        "diff_url": f"{html}.diff", "patch_url": f"{html}.patch", "issue_url": issue_url,
        "commits_url": f"{url}/commits", "review_comments_url": f"{url}/comments",
        "review_comment_url": f"{api}/pulls/comments{{/number}}", "comments_url": f"{issue_url}/comments",
        "statuses_url": statuses_url, "number": number, "state": pull["state"], "locked": False,
        "title": pull["title"], "user": simple_user(urls, user), "body": pull["body"], "labels": [],
        "milestone": None, "active_lock_reason": None, "created_at": pull["created_at"],
        "updated_at": pull["updated_at"], "closed_at": pull["closed_at"], "merged_at": pull["merged_at"],
        "merge_commit_sha": pull["merge_commit_sha"], "assignee": None, "assignees": [],
        "requested_reviewers": [], "requested_teams": [], "draft": bool(pull["draft"]),
        "head": _pull_side(urls, repo, repo_doc, pull["head_ref"], facts.head_sha),
        "base": _pull_side(urls, repo, repo_doc, pull["base_ref"], facts.base_sha),
        "_links": {"self": link(url), "html": link(html), "issue": link(issue_url),
                   "comments": link(f"{issue_url}/comments"), "review_comments": link(f"{url}/comments"),
                   "review_comment": link(f"{api}/pulls/comments{{/number}}"), "commits": link(f"{url}/commits"),
                   "statuses": link(statuses_url)},
        "author_association": author_association(repo, user), "auto_merge": None,
        "merged": pull["merged_at"] is not None, "mergeable": facts.mergeable, "rebaseable": False,
        "mergeable_state": facts.mergeable_state,
        "merged_by": simple_user(urls, merged_by) if merged_by else None,
        "comments": facts.comments, "review_comments": facts.review_comments, "maintainer_can_modify": False,
        "commits": facts.commits, "additions": facts.additions, "deletions": facts.deletions,
        "changed_files": facts.changed_files,
    }


def issue(urls: Urls, repo: Json, row: Json, user: Json, *, comments: int, pull: Json | None,
          labels: list[Json] | None = None) -> Json:
    """Schema `issue`; `pull_request` is present when the issue is a pull request."""
    api, web, number = urls.repo_api(repo), urls.repo_web(repo), row["number"]
    url = f"{api}/issues/{number}"
    doc: Json = {
        "id": row["id"], "node_id": node_id("Issue", row["id"]), "url": url, "repository_url": api,
        "labels_url": f"{url}/labels{{/name}}", "comments_url": f"{url}/comments", "events_url": f"{url}/events",
        "html_url": f"{web}/{'pull' if pull else 'issues'}/{number}", "number": number, "state": row["state"],
        "state_reason": None, "title": row["title"], "body": row["body"], "user": simple_user(urls, user),
        "labels": [label(urls, repo, lab) for lab in labels or []], "assignee": None, "assignees": [],
        "milestone": None, "locked": False,
        "active_lock_reason": None, "comments": comments, "closed_at": row["closed_at"],
        "created_at": row["created_at"], "updated_at": row["updated_at"],
        "author_association": author_association(repo, user),
    }
    if pull is not None:
        html = f"{web}/pull/{number}"
        doc["pull_request"] = {"url": f"{api}/pulls/{number}", "html_url": html, "diff_url": f"{html}.diff",
                               "patch_url": f"{html}.patch", "merged_at": pull["merged_at"]}
    return doc


def issue_comment(urls: Urls, repo: Json, row: Json, user: Json, number: int) -> Json:
    """Schema `issue-comment`."""
    api, web = urls.repo_api(repo), urls.repo_web(repo)
    return {
        "id": row["id"], "node_id": node_id("IssueComment", row["id"]), "url": f"{api}/issues/comments/{row['id']}",
        "html_url": f"{web}/pull/{number}#issuecomment-{row['id']}", "issue_url": f"{api}/issues/{number}",
        "body": row["body"], "user": simple_user(urls, user), "created_at": row["created_at"],
        "updated_at": row["updated_at"], "author_association": author_association(repo, user),
    }


def review(urls: Urls, repo: Json, row: Json, user: Json, number: int) -> Json:
    """Schema `pull-request-review`."""
    api, web = urls.repo_api(repo), urls.repo_web(repo)
    html = f"{web}/pull/{number}#pullrequestreview-{row['id']}"
    pr_url = f"{api}/pulls/{number}"
    return {
        "id": row["id"], "node_id": node_id("PullRequestReview", row["id"]), "user": simple_user(urls, user),
        "body": row["body"], "state": row["state"], "commit_id": row["commit_id"], "html_url": html,
        "pull_request_url": pr_url, "submitted_at": row["submitted_at"],
        "_links": {"html": {"href": html}, "pull_request": {"href": pr_url}},
        "author_association": author_association(repo, user),
    }


def hook(urls: Urls, repo: Json, row: Json) -> Json:
    """Schema `hook` (the secret is never sent back, as on GitHub)."""
    url = f"{urls.repo_api(repo)}/hooks/{row['id']}"
    config = {k: v for k, v in row["config"].items() if k != "secret"}
    if row["config"].get("secret"):
        config["secret"] = "********"
    return {
        "type": "Repository", "id": row["id"], "name": "web", "active": bool(row["active"]),
        "events": row["events"], "config": config, "updated_at": row["updated_at"], "created_at": row["created_at"],
        "url": url, "test_url": f"{url}/test", "ping_url": f"{url}/pings", "deliveries_url": f"{url}/deliveries",
        "last_response": {"code": row["last_code"], "status": row["last_status"] or "unused",
                          "message": row["last_message"]},
    }


def delivery(row: Json, *, full: bool) -> Json:
    """Schema `hook-delivery-item` (lists) or `hook-delivery` (full=True, with request and response)."""
    doc: Json = {
        "id": row["id"], "guid": row["guid"], "delivered_at": row["delivered_at"],
        "redelivery": bool(row["redelivery"]), "duration": row["duration"], "status": row["status"],
        "status_code": row["status_code"], "event": row["event"], "action": row["action"],
        "installation_id": None, "repository_id": row["repository_id"], "throttled_at": None,
    }
    if full:
        doc["url"] = ""
        doc["request"] = {"headers": json.loads(row["request_headers"]), "payload": json.loads(row["request_payload"])}
        doc["response"] = {"headers": json.loads(row["response_headers"]) if row["response_headers"] else None,
                           "payload": row["response_body"]}
    return doc


def merge_result(sha: str) -> Json:
    """Schema `pull-request-merge-result`."""
    return {"sha": sha, "merged": True, "message": "Pull Request successfully merged"}


def rate_limit(reset: int, limit: int = 5000) -> Json:
    """Schema `rate-limit-overview` (the local forge never limits: nothing is ever used)."""
    window = {"limit": limit, "remaining": limit, "reset": reset, "used": 0}
    return {"resources": {"core": dict(window), "search": {**window, "limit": 30, "remaining": 30},
                          "graphql": dict(window)},
            "rate": dict(window)}


def git_tree(urls: Urls, repo: Json, sha: str, entries: list[Json]) -> Json:
    """Schema `git-tree`; ``entries`` are (path, mode, type, sha, size) dicts from `git ls-tree -l`."""
    api = urls.repo_api(repo)
    tree = []
    for entry in entries:
        item: Json = {"path": entry["path"], "mode": entry["mode"], "type": entry["type"], "sha": entry["sha"]}
        if entry["type"] == "blob":
            item["size"] = entry["size"]
            item["url"] = f"{api}/git/blobs/{entry['sha']}"
        elif entry["type"] == "tree":
            item["url"] = f"{api}/git/trees/{entry['sha']}"
        tree.append(item)
    return {"sha": sha, "url": f"{api}/git/trees/{sha}", "tree": tree, "truncated": False}


def collaborator(urls: Urls, user: Json, *, admin: bool) -> Json:
    """Schema `collaborator`."""
    base = simple_user(urls, user)
    permissions = {"pull": True, "triage": True, "push": True, "maintain": admin, "admin": admin}
    return {**base, "permissions": permissions, "role_name": "admin" if admin else "write"}


REACTIONS = ("+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes")


def reaction(urls: Urls, row: Json, user: Json) -> Json:
    """Schema `reaction`."""
    return {"id": row["id"], "node_id": node_id("Reaction", row["id"]), "user": simple_user(urls, user),
            "content": row["content"], "created_at": row["created_at"]}


def label(urls: Urls, repo: Json, row: Json) -> Json:
    """Schema `label`."""
    from urllib.parse import quote

    return {"id": row["id"], "node_id": node_id("Label", row["id"]),
            "url": f"{urls.repo_api(repo)}/labels/{quote(row['name'], safe='')}", "name": row["name"],
            "description": row.get("description"), "color": row["color"], "default": False}
