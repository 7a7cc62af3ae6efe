"""Real GitHub webhook payloads are routed to the right pipeline action.

Fixtures: tests/fixtures/webhooks (GitHub's published examples, see SOURCE.md).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from controller.errors import PayloadInvalid
from controller.webhooks import routing

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "webhooks"


def load(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


def all_fixtures() -> list[str]:
    return sorted(p.name for p in FIXTURES.glob("*.json"))


@pytest.mark.parametrize("name", all_fixtures())
def test_every_published_example_routes_without_error(name: str) -> None:
    event = name.split(".")[0]
    result = routing.route(event, load(name))
    action = load(name).get("action")
    expected: type
    if event == "pull_request" and action in routing.PR_ACTIONS_TO_PLAN:
        expected = routing.PullRequestChanged
    elif event == "pull_request" and action == "closed":
        expected = routing.PullRequestClosed
    elif event == "pull_request_review" and action == "submitted":
        expected = routing.ReviewSubmitted
    elif event == "issue_comment" and action == "created":
        expected = routing.CommentCreated
    elif event == "ping":
        expected = routing.Ping
    elif event == "push" and load(name)["ref"].startswith("refs/heads/"):
        expected = routing.PushedToBranch
    elif event == "check_run" and action in ("requested_action", "rerequested"):
        expected = routing.CheckRunRequested
    elif event == "merge_group" and action == "checks_requested":
        expected = routing.MergeGroupRequested
    elif event in ("installation", "installation_repositories") and action in ("created", "deleted", "added", "removed"):
        expected = routing.InstallationChanged
    else:
        expected = routing.Ignored
    assert isinstance(result, expected), (name, result)


def test_an_opened_pull_request_carries_head_and_base() -> None:
    result = routing.route("pull_request", load("pull_request.opened.0.json"))
    assert isinstance(result, routing.PullRequestChanged)
    assert result.action == "opened"
    assert result.repo.full_name == "Codertocat/Hello-World"
    assert result.pull.number == 2
    assert result.pull.head_ref == "changes" and result.pull.base_ref == "master"
    assert len(result.pull.head_sha) == 40


def test_a_merged_close_is_told_apart_from_a_plain_close() -> None:
    closes = [routing.route("pull_request", load(n)) for n in all_fixtures() if n.startswith("pull_request.closed")]
    assert all(isinstance(c, routing.PullRequestClosed) for c in closes)
    merged = copy.deepcopy(load("pull_request.closed.3.json"))
    merged["pull_request"]["merged"] = True
    assert routing.route("pull_request", merged).merged is True
    merged["pull_request"]["merged"] = False
    assert routing.route("pull_request", merged).merged is False


def test_a_review_state_is_lower_cased() -> None:
    payload = load("pull_request_review.submitted.0.json")
    payload["review"]["state"] = "APPROVED"
    result = routing.route("pull_request_review", payload)
    assert isinstance(result, routing.ReviewSubmitted)
    assert result.state == "approved"


def test_an_issue_comment_knows_whether_it_is_on_a_pull_request() -> None:
    on_issue = routing.route("issue_comment", load("issue_comment.created.0.json"))
    assert isinstance(on_issue, routing.CommentCreated) and on_issue.is_pull_request is False
    payload = load("issue_comment.created.0.json")
    payload["issue"]["pull_request"] = {"url": "https://api.github.com/repos/o/r/pulls/1"}
    on_pr = routing.route("issue_comment", payload)
    assert on_pr.is_pull_request is True


def test_a_push_to_a_tag_is_ignored_and_to_a_branch_is_routed() -> None:
    payload = load("push.event.0.json")
    assert isinstance(routing.route("push", payload), routing.Ignored)
    payload["ref"] = "refs/heads/master"
    routed = routing.route("push", payload)
    assert isinstance(routed, routing.PushedToBranch)
    assert routed.is_default_branch


def test_unknown_events_are_ignored_with_a_reason() -> None:
    result = routing.route("deployment", {"action": "created"})
    assert isinstance(result, routing.Ignored)
    assert "not handled" in result.reason


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda p: p["pull_request"].pop("head"), "pull_request.head.sha"),
        (lambda p: p.pop("repository"), "repository.full_name"),
        (lambda p: p["pull_request"].__setitem__("number", "2"), "pull_request.number"),
        (lambda p: p["pull_request"].__setitem__("number", True), "pull_request.number"),
    ],
)
def test_a_payload_missing_a_field_we_read_is_refused_naming_it(mutate, field: str) -> None:
    payload = load("pull_request.opened.0.json")
    mutate(payload)
    with pytest.raises(PayloadInvalid, match=field.replace(".", r"\.")):
        routing.route("pull_request", payload)


@pytest.mark.parametrize("body", [[], "text", 3, None])
def test_a_body_that_is_not_an_object_is_refused(body) -> None:
    with pytest.raises(PayloadInvalid, match="JSON object"):
        routing.route("pull_request", body)


def test_a_pressed_button_names_the_check_run_its_identifier_and_the_presser() -> None:
    result = routing.route("check_run", load("check_run.requested_action.6.json"))
    assert isinstance(result, routing.CheckRunRequested)
    assert result.action == "requested_action" and result.identifier == load("check_run.requested_action.6.json")[
        "requested_action"]["identifier"]
    assert result.check_run_id > 0 and len(result.head_sha) == 40 and result.sender
    assert result.app_id == load("check_run.requested_action.6.json")["check_run"]["app"]["id"]


def test_a_rerequested_check_run_carries_no_identifier() -> None:
    result = routing.route("check_run", load("check_run.rerequested.7.json"))
    assert isinstance(result, routing.CheckRunRequested) and result.identifier is None


def test_a_button_press_without_its_identifier_is_refused() -> None:
    payload = copy.deepcopy(load("check_run.requested_action.6.json"))
    del payload["requested_action"]
    with pytest.raises(PayloadInvalid, match="requested_action.identifier"):
        routing.route("check_run", payload)


def test_a_merge_group_names_its_queue_branch_and_pull_request() -> None:
    result = routing.route("merge_group", load("merge_group.checks_requested.0.json"))
    assert isinstance(result, routing.MergeGroupRequested)
    assert result.head_ref.startswith("refs/heads/gh-readonly-queue/main/pr-")
    assert result.pr_number == int(result.head_ref.rsplit("/pr-", 1)[1].split("-")[0])
    assert routing.event_time("merge_group", load("merge_group.checks_requested.0.json")) is not None


@pytest.mark.parametrize(("name", "added", "removed"), [
    ("installation.created.1.json", True, False),
    ("installation.deleted.0.json", False, True),
    ("installation_repositories.added.0.json", True, False),
    ("installation_repositories.removed.2.json", False, True),
])
def test_installation_events_say_which_repositories_came_and_went(name: str, added: bool, removed: bool) -> None:
    event = name.split(".")[0]
    result = routing.route(event, load(name))
    assert isinstance(result, routing.InstallationChanged)
    assert bool(result.added) is added and bool(result.removed) is removed
    assert all("/" in repo for repo in result.added + result.removed)
    assert routing.event_time(event, load(name)) is None  # deduped by delivery id only (see routing)
