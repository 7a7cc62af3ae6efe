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
