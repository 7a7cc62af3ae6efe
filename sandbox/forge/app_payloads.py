"""JSON documents of GitHub Apps and the Checks API, shaped as GitHub's schemas.

Pure: rows in, dicts out. REST forms (`@octokit/openapi`): `integration`,
`installation`, `installation-token`, `check-run`, `check-suite`,
`check-annotation`. Webhook forms (`@octokit/webhooks-schemas`) are closed
objects, so `webhook_*` drop the REST-only fields: a webhook's `app` has no
`client_id`, its check run has no `output.title` and no `actions`.
"""

from __future__ import annotations

import json

from .payloads import Json, Urls, node_id, simple_user

# What the forge's apps may ask for; an app's own `permissions` picks from these.
PERMISSION_LEVELS = ("read", "write")


def integration(urls: Urls, app: Json, owner: Json, *, installations: int = 0) -> Json:
    """Schema `integration` (GET /app, and `app` inside check runs)."""
    return {
        "id": app["id"], "slug": app["slug"], "node_id": node_id("Integration", app["id"]),
        "client_id": f"Iv1.{app['id']:016x}", "owner": simple_user(urls, owner), "name": app["name"],
        "description": app.get("description") or "", "external_url": f"{urls.web}/apps/{app['slug']}",
        "html_url": f"{urls.web}/apps/{app['slug']}", "created_at": app["created_at"],
        "updated_at": app["updated_at"], "permissions": json.loads(app["permissions"]),
        "events": json.loads(app["events"]), "installations_count": installations,
    }


def installation(urls: Urls, row: Json, app: Json, account: Json) -> Json:
    """Schema `installation`."""
    api = f"{urls.api}/app/installations/{row['id']}"
    return {
        "id": row["id"], "account": simple_user(urls, account), "repository_selection": row["repository_selection"],
        "access_tokens_url": f"{api}/access_tokens", "repositories_url": f"{urls.api}/installation/repositories",
        "html_url": f"{urls.web}/settings/installations/{row['id']}", "app_id": app["id"],
        "client_id": f"Iv1.{app['id']:016x}", "target_id": account["id"],
        "target_type": "Organization" if account.get("type") == "Organization" else "User",
        "permissions": json.loads(app["permissions"]), "events": json.loads(app["events"]),
        "created_at": row["created_at"], "updated_at": row["updated_at"], "single_file_name": None,
        "has_multiple_single_files": False, "single_file_paths": [], "app_slug": app["slug"],
        "suspended_by": None, "suspended_at": row.get("suspended_at"),
    }


def installation_token(token: str, expires_at: str, permissions: Json, selection: str,
                       repositories: list[Json] | None) -> Json:
    """Schema `installation-token` (POST /app/installations/{id}/access_tokens)."""
    doc: Json = {"token": token, "expires_at": expires_at, "permissions": permissions,
                 "repository_selection": selection}
    if repositories is not None:
        doc["repositories"] = repositories
    return doc


def installation_lite(row: Json) -> Json:
    return {"id": row["id"], "node_id": node_id("Installation", row["id"])}


def repository_lite(repo_doc: Json) -> Json:
    """An entry of `repositories` in installation events."""
    return {key: repo_doc[key] for key in ("id", "node_id", "name", "full_name", "private")}


# -- checks -------------------------------------------------------------------------


def pull_request_minimal(urls: Urls, repo: Json, pull: Json, head_sha: str, base_sha: str) -> Json:
    """Schema `pull-request-minimal` (a check run's `pull_requests`)."""
    api = urls.repo_api(repo)
    side = {"id": repo["id"], "url": api, "name": repo["name"]}
    return {"id": pull["id"], "number": pull["number"], "url": f"{api}/pulls/{pull['number']}",
            "head": {"ref": pull["head_ref"], "sha": head_sha, "repo": side},
            "base": {"ref": pull["base_ref"], "sha": base_sha, "repo": side}}


def check_run(urls: Urls, repo: Json, row: Json, app_doc: Json, annotations: int, pulls: list[Json]) -> Json:
    """Schema `check-run`."""
    api, web = urls.repo_api(repo), urls.repo_web(repo)
    url = f"{api}/check-runs/{row['id']}"
    return {
        "id": row["id"], "head_sha": row["head_sha"], "node_id": node_id("CheckRun", row["id"]),
        "external_id": row["external_id"] or "", "url": url, "html_url": f"{web}/runs/{row['id']}",
        "details_url": row["details_url"] or f"{web}/runs/{row['id']}", "status": row["status"],
        "conclusion": row["conclusion"], "started_at": row["started_at"], "completed_at": row["completed_at"],
        "output": {"title": row["output_title"], "summary": row["output_summary"], "text": row["output_text"],
                   "annotations_count": annotations, "annotations_url": f"{url}/annotations"},
        "name": row["name"], "check_suite": {"id": row["suite_id"]}, "app": app_doc, "pull_requests": pulls,
        "actions": json.loads(row["actions"] or "[]"),
    }


def suite_state(runs: list[Json]) -> tuple[str, str | None]:
    """(status, conclusion) of a suite from its runs, by GitHub's precedence of conclusions."""
    if not runs:
        return "queued", None
    if any(r["status"] != "completed" for r in runs):
        return ("in_progress" if any(r["status"] == "in_progress" for r in runs) else "queued"), None
    order = ["action_required", "cancelled", "timed_out", "failure", "neutral", "skipped", "stale", "success"]
    conclusions = [r["conclusion"] for r in runs]
    return "completed", next(c for c in order if c in conclusions)


def check_suite(urls: Urls, repo: Json, row: Json, app_doc: Json, repo_doc: Json, runs: list[Json],
                head_commit: Json, pulls: list[Json]) -> Json:
    """Schema `check-suite`."""
    api = urls.repo_api(repo)
    status, conclusion = suite_state(runs)
    return {
        "id": row["id"], "node_id": node_id("CheckSuite", row["id"]), "head_branch": row["head_branch"],
        "head_sha": row["head_sha"], "status": status, "conclusion": conclusion,
        "url": f"{api}/check-suites/{row['id']}", "before": None, "after": row["head_sha"],
        "pull_requests": pulls, "app": app_doc, "repository": repo_doc, "created_at": row["created_at"],
        "updated_at": row["updated_at"], "head_commit": head_commit, "latest_check_runs_count": len(runs),
        "check_runs_url": f"{api}/check-suites/{row['id']}/check-runs", "rerequestable": True,
        "runs_rerequestable": True,
    }


def simple_commit(info: Json) -> Json:
    """Schema `simple-commit` (a suite's `head_commit`, a merge group's `head_commit`)."""
    def person(p: Json) -> Json:
        return {"name": p["name"], "email": p["email"]}

    return {"id": info["sha"], "tree_id": info["tree"], "message": info["message"],
            "timestamp": info["committer"]["date"], "author": person(info["author"]),
            "committer": person(info["committer"])}


def annotation(urls: Urls, repo: Json, row: Json, head_sha: str) -> Json:
    """Schema `check-annotation`."""
    return {
        "path": row["path"], "start_line": row["start_line"], "end_line": row["end_line"],
        "start_column": row["start_column"], "end_column": row["end_column"],
        "annotation_level": row["annotation_level"], "title": row["title"], "message": row["message"],
        "raw_details": row["raw_details"], "blob_href": f"{urls.repo_web(repo)}/blob/{head_sha}/{row['path']}",
    }


# -- webhook forms ------------------------------------------------------------------

_REST_ONLY_APP = frozenset({"client_id", "installations_count"})


def webhook_app(app_doc: Json) -> Json:
    doc = {k: v for k, v in app_doc.items() if k not in _REST_ONLY_APP}
    doc["owner"] = {k: v for k, v in app_doc["owner"].items() if k != "user_view_type"}
    return doc


def webhook_installation(installation_doc: Json) -> Json:
    """The `installation` of installation events: no `client_id`, the account as a webhook `user`."""
    doc = {k: v for k, v in installation_doc.items() if k != "client_id"}
    doc["account"] = {k: v for k, v in installation_doc["account"].items() if k != "user_view_type"}
    return doc


def webhook_check_run(run_doc: Json, suite_doc: Json) -> Json:
    """The `check_run` object of check_run events: the suite inlined, no `actions`, no `output.title`."""
    output = run_doc["output"]
    suite = {key: suite_doc[key] for key in ("id", "node_id", "head_branch", "head_sha", "status", "conclusion",
                                              "url", "before", "after", "pull_requests", "created_at", "updated_at")}
    suite["app"] = webhook_app(suite_doc["app"])
    doc = {k: v for k, v in run_doc.items() if k not in ("actions", "output", "check_suite", "app")}
    doc.update({
        "output": {"summary": output["summary"], "text": output["text"],
                   "annotations_count": output["annotations_count"], "annotations_url": output["annotations_url"]},
        "check_suite": suite, "app": webhook_app(run_doc["app"]),
        "pull_requests": run_doc["pull_requests"],
    })
    return doc
