"""JSON documents of the forge's REST API, shaped as GitHub's OpenAPI schemas.

Pure functions: rows from the store and facts read from git in, dicts out; no
I/O. Each builder names the schema of `@octokit/openapi` it produces and sets
every *required* field of that schema (null only where the schema allows it),
so the contract tests can check these functions directly. URLs are absolute
and built from one `Urls` value, because PyGithub follows the `url` fields it
receives for every later call.
"""

from __future__ import annotations

import base64
import json
import zlib
from dataclasses import dataclass
from typing import Any

Json = dict[str, Any]


@dataclass(frozen=True)
class Urls:
    """Where the forge is reachable: `web` is the HTML/git root, `api` is web + /api/v3."""

    web: str

    @property
    def api(self) -> str:
        return f"{self.web}/api/v3"

    def repo_api(self, repo: Json) -> str:
        return f"{self.api}/repos/{repo['owner_login']}/{repo['name']}"

    def repo_web(self, repo: Json) -> str:
        return f"{self.web}/{repo['owner_login']}/{repo['name']}"


def node_id(kind: str, row_id: int) -> str:
    """An opaque global id, stable across restarts (GitHub's are opaque too)."""
    return base64.b64encode(f"{kind}:{row_id}".encode()).decode().rstrip("=")


def simple_user(urls: Urls, user: Json) -> Json:
    """Schema `simple-user`."""
    api = f"{urls.api}/users/{user['login']}"
    return {
        "login": user["login"], "id": user["id"], "node_id": node_id("User", user["id"]),
        "avatar_url": f"{urls.web}/avatars/{user['login']}", "gravatar_id": "",
        "url": api, "html_url": f"{urls.web}/{user['login']}",
        "followers_url": f"{api}/followers", "following_url": f"{api}/following{{/other_user}}",
        "gists_url": f"{api}/gists{{/gist_id}}", "starred_url": f"{api}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{api}/subscriptions", "organizations_url": f"{api}/orgs",
        "repos_url": f"{api}/repos", "events_url": f"{api}/events{{/privacy}}",
        "received_events_url": f"{api}/received_events", "type": user.get("type") or "User",
        "site_admin": bool(user.get("site_admin")), "user_view_type": "public",
        "name": user.get("name"), "email": user.get("email"),
    }


def private_user(urls: Urls, user: Json, public_repos: int, private_repos: int) -> Json:
    """Schema `private-user` (GET /user for the token's own account)."""
    doc = simple_user(urls, user)
    doc.update({
        "bio": None, "blog": "", "company": None, "location": None, "hireable": None,
        "followers": 0, "following": 0, "public_gists": 0, "public_repos": public_repos,
        "created_at": user["created_at"], "updated_at": user["created_at"],
        "collaborators": 0, "disk_usage": 0, "owned_private_repos": private_repos,
        "private_gists": 0, "total_private_repos": private_repos, "two_factor_authentication": False,
    })
    return doc


def public_user(urls: Urls, user: Json, public_repos: int) -> Json:
    """Schema `public-user` (GET /users/{login})."""
    doc = simple_user(urls, user)
    doc.update({"bio": None, "blog": "", "company": None, "location": None, "hireable": None,
                "followers": 0, "following": 0, "public_gists": 0, "public_repos": public_repos,
                "created_at": user["created_at"], "updated_at": user["created_at"]})
    return doc


def repository(urls: Urls, repo: Json, owner: Json, *, open_issues: int = 0) -> Json:
    """Schema `full-repository` (a superset of `repository` and `minimal-repository`)."""
    api, web = urls.repo_api(repo), urls.repo_web(repo)
    full_name = f"{repo['owner_login']}/{repo['name']}"
    templated = {
        "archive_url": "/{archive_format}{/ref}", "assignees_url": "/assignees{/user}",
        "blobs_url": "/git/blobs{/sha}", "branches_url": "/branches{/branch}",
        "collaborators_url": "/collaborators{/collaborator}", "comments_url": "/comments{/number}",
        "commits_url": "/commits{/sha}", "compare_url": "/compare/{base}...{head}",
        "contents_url": "/contents/{+path}", "contributors_url": "/contributors",
        "deployments_url": "/deployments", "downloads_url": "/downloads", "events_url": "/events",
        "forks_url": "/forks", "git_commits_url": "/git/commits{/sha}", "git_refs_url": "/git/refs{/sha}",
        "git_tags_url": "/git/tags{/sha}", "hooks_url": "/hooks", "issue_comment_url": "/issues/comments{/number}",
        "issue_events_url": "/issues/events{/number}", "issues_url": "/issues{/number}",
        "keys_url": "/keys{/key_id}", "labels_url": "/labels{/name}", "languages_url": "/languages",
        "merges_url": "/merges", "milestones_url": "/milestones{/number}",
        "notifications_url": "/notifications{?since,all,participating}", "pulls_url": "/pulls{/number}",
        "releases_url": "/releases{/id}", "stargazers_url": "/stargazers", "statuses_url": "/statuses/{sha}",
        "subscribers_url": "/subscribers", "subscription_url": "/subscription", "tags_url": "/tags",
        "teams_url": "/teams", "trees_url": "/git/trees{/sha}",
    }
    doc: Json = {key: api + suffix for key, suffix in templated.items()}
    doc.update({
        "id": repo["id"], "node_id": node_id("Repository", repo["id"]), "name": repo["name"],
        "full_name": full_name, "owner": simple_user(urls, owner), "private": bool(repo["private"]),
        "visibility": "private" if repo["private"] else "public",
        "html_url": web, "description": repo.get("description"), "fork": False, "url": api,
        "clone_url": f"{web}.git", "git_url": f"{web}.git", "ssh_url": f"{web}.git", "svn_url": web,
        "mirror_url": None, "homepage": None, "language": None, "default_branch": repo["default_branch"],
        "forks": 0, "forks_count": 0, "stargazers_count": 0, "watchers": 0, "watchers_count": 0,
        "subscribers_count": 0, "network_count": 0, "size": 0,
        "open_issues": open_issues, "open_issues_count": open_issues,
        "has_issues": True, "has_projects": False, "has_wiki": False, "has_pages": False,
        "has_downloads": False, "has_discussions": False, "archived": False, "disabled": False,
        "is_template": False, "license": None, "topics": [],
        "allow_merge_commit": True, "allow_squash_merge": True, "allow_rebase_merge": False,
        "allow_auto_merge": False, "delete_branch_on_merge": False,
        "permissions": {"admin": True, "maintain": True, "push": True, "triage": True, "pull": True},
        "pushed_at": repo.get("pushed_at") or repo["created_at"],
        "created_at": repo["created_at"], "updated_at": repo["updated_at"],
    })
    return doc


def git_ref(urls: Urls, repo: Json, ref: str, sha: str, kind: str = "commit") -> Json:
    """Schema `git-ref`."""
    api = urls.repo_api(repo)
    return {"ref": ref, "node_id": node_id("Ref", zlib.crc32(f"{repo['id']}:{ref}".encode())), "url": f"{api}/git/{ref}",
            "object": {"type": kind, "sha": sha, "url": f"{api}/git/{kind}s/{sha}"}}


def _git_person(person: Json) -> Json:
    return {"name": person["name"], "email": person["email"], "date": person["date"]}


def commit(urls: Urls, repo: Json, info: Json, *, author: Json | None = None, committer: Json | None = None,
           files: list[Json] | None = None) -> Json:
    """Schema `commit`; `files` and `stats` only when the diff was computed (single-commit reads)."""
    api, web, sha = urls.repo_api(repo), urls.repo_web(repo), info["sha"]
    doc: Json = {
        "sha": sha, "node_id": node_id("Commit", int(sha[:7], 16)), "url": f"{api}/commits/{sha}",
        "html_url": f"{web}/commit/{sha}", "comments_url": f"{api}/commits/{sha}/comments",
        "commit": {
            "url": f"{api}/git/commits/{sha}", "author": _git_person(info["author"]),
            "committer": _git_person(info["committer"]), "message": info["message"], "comment_count": 0,
            "tree": {"sha": info["tree"], "url": f"{api}/git/trees/{info['tree']}"},
            "verification": {"verified": False, "reason": "unsigned", "payload": None, "signature": None,
                             "verified_at": None},
        },
        "author": simple_user(urls, author) if author else None,
        "committer": simple_user(urls, committer) if committer else None,
        "parents": [{"sha": p, "url": f"{api}/commits/{p}", "html_url": f"{web}/commit/{p}"}
                    for p in info["parents"]],
    }
    if files is not None:
        additions = sum(int(f["additions"]) for f in files)
        deletions = sum(int(f["deletions"]) for f in files)
        doc["stats"] = {"additions": additions, "deletions": deletions, "total": additions + deletions}
        doc["files"] = [diff_entry(urls, repo, sha, f) for f in files]
    return doc


def diff_entry(urls: Urls, repo: Json, ref: str, change: Json) -> Json:
    """Schema `diff-entry`: one changed file, linked at the commit that has it."""
    api, web, name = urls.repo_api(repo), urls.repo_web(repo), change["filename"]
    doc: Json = {
        "sha": change["sha"], "filename": name, "status": change["status"],
        "additions": change["additions"], "deletions": change["deletions"], "changes": change["changes"],
        "blob_url": f"{web}/blob/{ref}/{name}", "raw_url": f"{web}/raw/{ref}/{name}",
        "contents_url": f"{api}/contents/{name}?ref={ref}", "patch": change.get("patch", ""),
    }
    if change.get("previous_filename"):
        doc["previous_filename"] = change["previous_filename"]
    return doc


def short_branch(urls: Urls, repo: Json, name: str, sha: str) -> Json:
    """Schema `short-branch` (branch lists)."""
    return {"name": name, "commit": {"sha": sha, "url": f"{urls.repo_api(repo)}/commits/{sha}"}, "protected": False}


def branch(urls: Urls, repo: Json, name: str, commit_doc: Json) -> Json:
    """Schema `branch-with-protection` (one branch)."""
    api = urls.repo_api(repo)
    return {
        "name": name, "commit": commit_doc, "protected": False,
        "_links": {"self": f"{api}/branches/{name}", "html": f"{urls.repo_web(repo)}/tree/{name}"},
        "protection": {"enabled": False, "required_status_checks": {"enforcement_level": "off", "contexts": [],
                                                                     "checks": []}},
        "protection_url": f"{api}/branches/{name}/protection",
    }


def comparison(urls: Urls, repo: Json, base: str, head: str, *, base_commit: Json, merge_base_commit: Json,
               ahead: list[Json], behind_by: int, files: list[Json]) -> Json:
    """Schema `commit-comparison`; `ahead` are the head's commits not in base, oldest first."""
    api, web = urls.repo_api(repo), urls.repo_web(repo)
    ahead_by = len(ahead)
    status = ("identical" if not ahead_by and not behind_by else "ahead" if not behind_by
              else "behind" if not ahead_by else "diverged")
    return {
        "url": f"{api}/compare/{base}...{head}", "html_url": f"{web}/compare/{base}...{head}",
        "permalink_url": f"{web}/compare/{base_commit['sha']}...{head}",
        "diff_url": f"{web}/compare/{base}...{head}.diff", "patch_url": f"{web}/compare/{base}...{head}.patch",
        "base_commit": base_commit, "merge_base_commit": merge_base_commit, "status": status,
        "ahead_by": ahead_by, "behind_by": behind_by, "total_commits": ahead_by, "commits": ahead,
        "files": files,
    }


def content_file(urls: Urls, repo: Json, path: str, sha: str, content: bytes | None, ref: str) -> Json:
    """Schema `content-file` (with content) or a directory entry (content None)."""
    api, web = urls.repo_api(repo), urls.repo_web(repo)
    self_url = f"{api}/contents/{path}?ref={ref}"
    doc: Json = {
        "type": "file", "name": path.rsplit("/", 1)[-1], "path": path, "sha": sha,
        "size": len(content) if content is not None else 0, "url": self_url,
        "html_url": f"{web}/blob/{ref}/{path}", "git_url": f"{api}/git/blobs/{sha}",
        "download_url": f"{web}/raw/{ref}/{path}",
        "_links": {"self": self_url, "git": f"{api}/git/blobs/{sha}", "html": f"{web}/blob/{ref}/{path}"},
    }
    if content is not None:
        doc["encoding"] = "base64"
        doc["content"] = base64.encodebytes(content).decode()
    return doc


def content_dir_entry(urls: Urls, repo: Json, path: str, sha: str, kind: str, size: int, ref: str) -> Json:
    """One entry of a directory listing (`content-directory` item)."""
    doc = content_file(urls, repo, path, sha, None, ref)
    doc.update({"type": "dir" if kind == "tree" else "file", "size": size})
    if kind == "tree":
        doc["download_url"] = None
        doc["git_url"] = doc["_links"]["git"] = f"{urls.repo_api(repo)}/git/trees/{sha}"
    return doc


def file_commit(urls: Urls, repo: Json, path: str, blob_sha: str, size: int, branch_name: str, info: Json) -> Json:
    """Schema `file-commit` (PUT contents)."""
    content = content_file(urls, repo, path, blob_sha, None, branch_name)
    content["size"] = size
    git_commit = commit(urls, repo, info)
    inner = git_commit["commit"]
    return {"content": content, "commit": {
        "sha": info["sha"], "node_id": git_commit["node_id"], "url": inner["url"],
        "html_url": git_commit["html_url"], "author": inner["author"], "committer": inner["committer"],
        "message": inner["message"], "tree": inner["tree"], "verification": inner["verification"],
        "parents": [{"sha": p["sha"], "url": p["url"], "html_url": p["html_url"]} for p in git_commit["parents"]],
    }}


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
