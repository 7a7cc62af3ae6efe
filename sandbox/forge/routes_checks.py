"""REST routes of the Checks API: check runs (create, update, read, list, annotations,
rerequest), check suites (create, read, list), and the "click" on a check
run's requested action.

Only an app (an installation token) writes checks, as on GitHub; anyone who
may read the repository reads them. Limits GitHub enforces are enforced here
with a 422: at most 50 annotations per request (they accumulate across
updates), 3 actions (label ≤ 20, description ≤ 40, identifier ≤ 20
characters), 65,535 characters of output summary or text.

Local extension: GitHub shows requested actions as buttons in its web UI and
has no REST call for pressing one; `POST …/check-runs/{id}/requested-actions
/{identifier}` (any user who may write the repository) sends the app the
`check_run` `requested_action` event GitHub would send.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from . import app_payloads, gitrepo, merge_queue
from .auth import require_installation, require_user
from .core import Forge
from .http import ApiError, body, invalid, not_found, paginate, respond
from .routes_repos import REPO, forge_of, repo_of
from .storage import Row, now
from .webhook_docs import webhook_repository, webhook_user

routes = web.RouteTableDef()
RUN = REPO + "/check-runs/{check_run_id:\\d+}"
SUITE = REPO + "/check-suites/{check_suite_id:\\d+}"

STATUSES = ("queued", "in_progress", "completed")
CONCLUSIONS = ("action_required", "cancelled", "failure", "neutral", "success", "skipped", "stale", "timed_out")
LEVELS = ("notice", "warning", "failure")
MAX_ANNOTATIONS = 50
MAX_OUTPUT = 65535
MAX_ACTIONS = 3


# -- documents ------------------------------------------------------------------------


def _app(forge: Forge, app_id: int) -> Row:
    app = forge.store.one("SELECT * FROM apps WHERE id = ?", app_id)
    assert app is not None
    return app


def _app_doc(forge: Forge, app_id: int) -> dict[str, Any]:
    app = _app(forge, app_id)
    return app_payloads.integration(forge.urls, app, forge.store.user(app["owner_id"]))


def _pulls_at(forge: Forge, repo: Row, sha: str) -> list[dict[str, Any]]:
    """Open pull requests whose head is ``sha`` (what GitHub lists in a check's `pull_requests`)."""
    docs = []
    for pull in forge.store.pulls(repo["id"], "open"):
        facts = forge.pull_facts(repo, pull)
        if facts.head_sha == sha:
            docs.append(app_payloads.pull_request_minimal(forge.urls, repo, pull, facts.head_sha, facts.base_sha))
    return docs


def run_doc(forge: Forge, repo: Row, row: Row) -> dict[str, Any]:
    """Schema `check-run` (synchronous: reads git for the pull requests)."""
    count = forge.store.one("SELECT COUNT(*) AS n FROM check_annotations WHERE check_run_id = ?", row["id"])
    return app_payloads.check_run(forge.urls, repo, row, _app_doc(forge, row["app_id"]), count["n"] if count else 0,
                                  _pulls_at(forge, repo, row["head_sha"]))


def suite_doc(forge: Forge, repo: Row, suite: Row) -> dict[str, Any]:
    runs = _latest_runs(forge.store.all("SELECT * FROM check_runs WHERE suite_id = ? ORDER BY id", suite["id"]))
    info = gitrepo.commit(forge.repo_path(repo), suite["head_sha"])
    return app_payloads.check_suite(forge.urls, repo, suite, _app_doc(forge, suite["app_id"]), forge.repo_doc(repo),
                                    runs, app_payloads.simple_commit(info), _pulls_at(forge, repo, suite["head_sha"]))


_latest_runs = merge_queue.latest_runs


# -- validation ------------------------------------------------------------------------


def _check_output(data: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(title/summary/text to store, annotations to append) of a request's `output`."""
    output = data.get("output")
    if output is None:
        return {}, []
    if not isinstance(output, dict):
        raise invalid("CheckRun", "output", "invalid")
    for field in ("title", "summary"):
        if not isinstance(output.get(field), str):
            raise invalid("CheckRun", f"output.{field}", "missing_field")
    for field in ("summary", "text"):
        value = output.get(field)
        if value is not None and (not isinstance(value, str) or len(value) > MAX_OUTPUT):
            raise ApiError(422, "Invalid request.", errors=[
                f"Only {MAX_OUTPUT} characters are allowed; {len(str(value))} were supplied."])
    annotations = output.get("annotations") or []
    if not isinstance(annotations, list):
        raise invalid("CheckRun", "output.annotations", "invalid")
    if len(annotations) > MAX_ANNOTATIONS:
        raise ApiError(422, "Invalid request.", errors=[
            f"No more than {MAX_ANNOTATIONS} annotations are allowed per request; {len(annotations)} were supplied."])
    for a in annotations:
        if not isinstance(a, dict) or not isinstance(a.get("path"), str) or not a["path"]:
            raise invalid("CheckRun", "output.annotations.path", "missing_field")
        for key in ("start_line", "end_line"):
            if not isinstance(a.get(key), int) or isinstance(a.get(key), bool) or a[key] < 1:
                raise invalid("CheckRun", f"output.annotations.{key}", "invalid")
        if a["end_line"] < a["start_line"]:
            raise invalid("CheckRun", "output.annotations.end_line", "invalid")
        if a.get("annotation_level") not in LEVELS:
            raise invalid("CheckRun", "output.annotations.annotation_level", "invalid")
        if not isinstance(a.get("message"), str) or not a["message"]:
            raise invalid("CheckRun", "output.annotations.message", "missing_field")
        if (a.get("start_column") is not None or a.get("end_column") is not None) and a["start_line"] != a["end_line"]:
            raise ApiError(422, "Invalid request.", errors=["start_column and end_column only apply to one line"])
    stored = {"output_title": output["title"], "output_summary": output["summary"], "output_text": output.get("text")}
    return stored, annotations


def _check_actions(data: dict[str, Any]) -> str | None:
    actions = data.get("actions")
    if actions is None:
        return None
    if not isinstance(actions, list) or len(actions) > MAX_ACTIONS:
        raise ApiError(422, "Invalid request.", errors=[f"No more than {MAX_ACTIONS} actions are allowed."])
    for action in actions:
        if not isinstance(action, dict):
            raise invalid("CheckRun", "actions", "invalid")
        for key, limit in (("label", 20), ("description", 40), ("identifier", 20)):
            value = action.get(key)
            if not isinstance(value, str) or not value:
                raise invalid("CheckRun", f"actions.{key}", "missing_field")
            if len(value) > limit:
                raise ApiError(422, "Invalid request.", errors=[
                    f"actions.{key} is too long (maximum is {limit} characters)"])
    return json.dumps([{k: a[k] for k in ("label", "description", "identifier")} for a in actions])


def _state_values(data: dict[str, Any], current: Row | None) -> dict[str, Any]:
    values: dict[str, Any] = {}
    status, conclusion = data.get("status"), data.get("conclusion")
    if status is not None and status not in STATUSES:
        raise invalid("CheckRun", "status", "invalid")
    if conclusion is not None and conclusion not in CONCLUSIONS:
        raise invalid("CheckRun", "conclusion", "invalid")
    if conclusion is not None:
        status = "completed"  # GitHub: giving a conclusion completes the run
    if status == "completed" and conclusion is None and not (current and current["conclusion"]):
        raise ApiError(422, "Invalid request.", errors=["conclusion is required when status is completed"])
    if status is not None:
        values["status"] = status
    if conclusion is not None:
        values["conclusion"] = conclusion
    if status == "completed":
        values["completed_at"] = data.get("completed_at") or now()
    for key in ("details_url", "external_id", "name"):
        if isinstance(data.get(key), str):
            values[key] = data[key]
    if isinstance(data.get("started_at"), str):
        values["started_at"] = data["started_at"]
    return values


def _append_annotations(forge: Forge, run_id: int, annotations: list[dict[str, Any]]) -> None:
    for a in annotations:
        forge.store.insert("check_annotations", check_run_id=run_id, path=a["path"], start_line=a["start_line"],
                           end_line=a["end_line"], start_column=a.get("start_column"), end_column=a.get("end_column"),
                           annotation_level=a["annotation_level"], title=a.get("title"), message=a["message"],
                           raw_details=a.get("raw_details"))


def _suite_for(forge: Forge, repo: Row, app_id: int, sha: str) -> Row:
    suite = forge.store.one("SELECT * FROM check_suites WHERE repo_id = ? AND app_id = ? AND head_sha = ?",
                            repo["id"], app_id, sha)
    if suite is None:
        branch = next((ref.removeprefix("refs/heads/") for ref, tip in sorted(gitrepo.refs(forge.repo_path(repo)).items())
                       if tip == sha and ref.startswith("refs/heads/")), None)
        stamp = now()
        forge.store.insert("check_suites", repo_id=repo["id"], app_id=app_id, head_sha=sha, head_branch=branch,
                           created_at=stamp, updated_at=stamp)
        suite = forge.store.one("SELECT * FROM check_suites WHERE repo_id = ? AND app_id = ? AND head_sha = ?",
                                repo["id"], app_id, sha)
    assert suite is not None
    return suite


async def _sha_of_ref(request: web.Request, forge: Forge, repo: Row) -> str:
    sha = await forge.git(gitrepo.resolve, forge.repo_path(repo), request.match_info["ref"])
    if sha is None:
        raise ApiError(422, f"No commit found for SHA: {request.match_info['ref']}")
    return sha


def _run_of(request: web.Request, repo: Row) -> Row:
    row = forge_of(request).store.one("SELECT * FROM check_runs WHERE id = ? AND repo_id = ?",
                                      int(request.match_info["check_run_id"]), repo["id"])
    if row is None:
        raise not_found()
    return row


def _emit(forge: Forge, repo: Row, row: Row, action: str, sender: Row, *, only_app: int | None = None,
          extra: dict[str, Any] | None = None) -> None:
    suite = forge.store.one("SELECT * FROM check_suites WHERE id = ?", row["suite_id"])
    assert suite is not None
    payload = {"action": action,
               "check_run": app_payloads.webhook_check_run(run_doc(forge, repo, row), suite_doc(forge, repo, suite)),
               **(extra or {}), "repository": webhook_repository(forge.repo_doc(repo)),
               "sender": webhook_user(forge.user_doc(sender))}
    forge.webhooks.emit(repo["id"], "check_run", payload, only_app=only_app)


# -- check runs ------------------------------------------------------------------------


@routes.post(REPO + "/check-runs")
async def create_run(request: web.Request) -> web.Response:
    caller = require_installation(request)
    forge, repo = forge_of(request), repo_of(request)
    data = await body(request)
    if not isinstance(data.get("name"), str) or not data["name"]:
        raise invalid("CheckRun", "name", "missing_field")
    if not isinstance(data.get("head_sha"), str):
        raise invalid("CheckRun", "head_sha", "missing_field")
    sha = await forge.git(gitrepo.resolve, forge.repo_path(repo), data["head_sha"])
    if sha is None or sha != data["head_sha"]:
        raise ApiError(422, "No commit found for SHA: " + data["head_sha"])
    output, annotations = _check_output(data)
    actions = _check_actions(data)
    values = _state_values(data, None)
    assert caller.installation is not None
    app_id = caller.installation["app_id"]
    suite = await forge.git(_suite_for, forge, repo, app_id, sha)
    stamp = now()
    run_id = forge.store.insert(
        "check_runs", suite_id=suite["id"], repo_id=repo["id"], app_id=app_id, head_sha=sha, name=data["name"],
        external_id=values.get("external_id"), details_url=values.get("details_url"),
        status=values.get("status", "queued"), conclusion=values.get("conclusion"),
        started_at=values.get("started_at", stamp), completed_at=values.get("completed_at"),
        output_title=output.get("output_title"), output_summary=output.get("output_summary"),
        output_text=output.get("output_text"), actions=actions or "[]", created_at=stamp, updated_at=stamp)
    _append_annotations(forge, run_id, annotations)
    row = forge.store.one("SELECT * FROM check_runs WHERE id = ?", run_id)
    assert row is not None
    doc = await forge.git(run_doc, forge, repo, row)
    await forge.git(_emit, forge, repo, row, "created", caller.user)
    if row["status"] == "completed":
        await forge.git(_emit, forge, repo, row, "completed", caller.user)
        await merge_queue.checks_changed(forge, repo, sha)
    return respond(doc, 201)


@routes.patch(RUN)
async def update_run(request: web.Request) -> web.Response:
    caller = require_installation(request)
    forge, repo = forge_of(request), repo_of(request)
    row = _run_of(request, repo)
    assert caller.installation is not None
    if row["app_id"] != caller.installation["app_id"]:
        raise ApiError(403, "Invalid app_id `%d` - check run can only be modified by the GitHub App that created it."
                       % caller.installation["app_id"])
    data = await body(request)
    output, annotations = _check_output(data)
    actions = _check_actions(data)
    values = {**_state_values(data, row), **output, "updated_at": now()}
    if actions is not None:
        values["actions"] = actions
    was_completed = row["status"] == "completed"
    forge.store.update("check_runs", row["id"], **values)
    _append_annotations(forge, row["id"], annotations)
    fresh = forge.store.one("SELECT * FROM check_runs WHERE id = ?", row["id"])
    assert fresh is not None
    row = fresh
    doc = await forge.git(run_doc, forge, repo, row)
    if row["status"] == "completed" and (not was_completed or "conclusion" in values):
        await forge.git(_emit, forge, repo, row, "completed", caller.user)
        await merge_queue.checks_changed(forge, repo, row["head_sha"])
    return respond(doc)


@routes.get(RUN)
async def get_run(request: web.Request) -> web.Response:
    forge, repo = forge_of(request), repo_of(request)
    return respond(await forge.git(run_doc, forge, repo, _run_of(request, repo)))


@routes.get(RUN + "/annotations")
async def list_annotations(request: web.Request) -> web.Response:
    forge, repo = forge_of(request), repo_of(request)
    row = _run_of(request, repo)
    rows = forge.store.all("SELECT * FROM check_annotations WHERE check_run_id = ? ORDER BY id", row["id"])
    return paginate(request, [app_payloads.annotation(forge.urls, repo, a, row["head_sha"]) for a in rows])


@routes.get(REPO + "/commits/{ref}/check-runs")
async def runs_for_ref(request: web.Request) -> web.Response:
    forge, repo = forge_of(request), repo_of(request)
    sha = await _sha_of_ref(request, forge, repo)
    rows = forge.store.all("SELECT * FROM check_runs WHERE repo_id = ? AND head_sha = ? ORDER BY id", repo["id"], sha)
    if request.query.get("filter", "latest") == "latest":
        rows = _latest_runs(rows)
    if request.query.get("check_name"):
        rows = [r for r in rows if r["name"] == request.query["check_name"]]
    if request.query.get("status"):
        rows = [r for r in rows if r["status"] == request.query["status"]]
    rows.sort(key=lambda r: -r["id"])
    docs = [await forge.git(run_doc, forge, repo, r) for r in rows]
    return respond({"total_count": len(docs), "check_runs": docs})


@routes.post(RUN + "/rerequest")
async def rerequest_run(request: web.Request) -> web.Response:
    user = require_user(request)
    forge, repo = forge_of(request), repo_of(request)
    row = _run_of(request, repo)
    if row["status"] != "completed":
        raise ApiError(422, "This check run is not rerequestable")
    await forge.git(_emit, forge, repo, row, "rerequested", user, only_app=row["app_id"])
    return respond({}, 201)


@routes.post(RUN + "/requested-actions/{identifier}")
async def press_action(request: web.Request) -> web.Response:
    """Local extension: a person presses one of the run's buttons."""
    user = require_user(request)
    forge, repo = forge_of(request), repo_of(request)
    row = _run_of(request, repo)
    identifier = request.match_info["identifier"]
    if identifier not in {a["identifier"] for a in json.loads(row["actions"] or "[]")}:
        raise invalid("CheckRun", "identifier", "invalid", f"the check run offers no action {identifier!r}")
    await forge.git(_emit, forge, repo, row, "requested_action", user, only_app=row["app_id"],
                    extra={"requested_action": {"identifier": identifier}})
    return respond({}, 202)


# -- check suites ----------------------------------------------------------------------


@routes.post(REPO + "/check-suites")
async def create_suite(request: web.Request) -> web.Response:
    caller = require_installation(request)
    forge, repo = forge_of(request), repo_of(request)
    data = await body(request)
    head = data.get("head_sha")
    if not isinstance(head, str) or await forge.git(gitrepo.resolve, forge.repo_path(repo), head) != head:
        raise invalid("CheckSuite", "head_sha", "invalid")
    assert caller.installation is not None
    app_id = caller.installation["app_id"]
    existed = forge.store.one("SELECT 1 FROM check_suites WHERE repo_id = ? AND app_id = ? AND head_sha = ?",
                              repo["id"], app_id, head)
    suite = await forge.git(_suite_for, forge, repo, app_id, head)
    return respond(await forge.git(suite_doc, forge, repo, suite), 200 if existed else 201)


@routes.get(SUITE)
async def get_suite(request: web.Request) -> web.Response:
    forge, repo = forge_of(request), repo_of(request)
    suite = forge.store.one("SELECT * FROM check_suites WHERE id = ? AND repo_id = ?",
                            int(request.match_info["check_suite_id"]), repo["id"])
    if suite is None:
        raise not_found()
    return respond(await forge.git(suite_doc, forge, repo, suite))


@routes.get(REPO + "/commits/{ref}/check-suites")
async def suites_for_ref(request: web.Request) -> web.Response:
    forge, repo = forge_of(request), repo_of(request)
    sha = await _sha_of_ref(request, forge, repo)
    rows = forge.store.all("SELECT * FROM check_suites WHERE repo_id = ? AND head_sha = ? ORDER BY id", repo["id"], sha)
    docs = [await forge.git(suite_doc, forge, repo, r) for r in rows]
    return respond({"total_count": len(docs), "check_suites": docs})

