"""Webhook bodies carry GitHub's webhook shapes while REST keeps its own: the
same repository, user, review and pull request look different in each."""

from __future__ import annotations

import copy

import github

from sandbox.forge import webhook_docs
from sandbox.forge.background import BackgroundForge

OWNER = "cloudops-admin"


def test_webhooks_and_rest_each_get_githubs_shape_for_them(
        forge: BackgroundForge, gh: github.Github, bob: github.Github, receiver, clone) -> None:
    repo = gh.get_user().create_repo("shapes", auto_init=True)
    repo.create_hook("web", {"url": receiver.url, "content_type": "json", "secret": "hook-secret"},
                     events=["*"], active=True)
    work = clone(OWNER, "shapes")
    work("checkout", "-q", "-b", "feature")
    work.commit_file("a.tf", "a\n", "first")
    work("push", "-q", "origin", "feature")
    pr = repo.create_pull(title="Feature", body="", head="feature", base="main")
    pr.create_issue_comment("plan")
    bob.get_repo(f"{OWNER}/shapes").get_pull(pr.number).create_review(body="ok", event="APPROVE")

    rest_repo = repo.raw_data
    assert {"network_count", "subscribers_count"} <= set(rest_repo)
    assert rest_repo["owner"]["user_view_type"] == "public"
    assert [r.state for r in pr.get_reviews()] == ["APPROVED"]

    forge.drain_webhooks()
    by_event = {(r.event, r.payload.get("action")): r.payload for r in receiver.received}
    opened = by_event[("pull_request", "opened")]
    pull = opened["pull_request"]
    for hook_repo in (opened["repository"], pull["head"]["repo"], pull["base"]["repo"]):
        assert not {"network_count", "subscribers_count"} & set(hook_repo)
        assert (hook_repo["web_commit_signoff_required"], hook_repo["custom_properties"]) == (False, {})
        assert "user_view_type" not in hook_repo["owner"]
    assert "user_view_type" not in opened["sender"] and "user_view_type" not in pull["user"]
    assert pull["mergeable_state"]  # the full form in pull_request events

    review = by_event[("pull_request_review", "submitted")]
    assert review["review"]["state"] == "approved"
    assert not {"mergeable", "merged", "commits", "additions"} & set(review["pull_request"])

    comment = by_event[("issue_comment", "created")]
    assert comment["comment"]["performed_via_github_app"] is None
    assert comment["comment"]["reactions"]["url"] == comment["comment"]["url"] + "/reactions"
    assert comment["issue"]["reactions"]["total_count"] == 0


def test_webhook_builders_leave_the_shared_rest_documents_alone() -> None:
    owner = {"login": "ann", "id": 1, "user_view_type": "public"}
    repo = {"id": 7, "owner": owner, "network_count": 0, "subscribers_count": 0}
    pull = {"number": 1, "user": owner, "merged_by": None, "mergeable": True,
            "head": {"user": owner, "repo": repo}, "base": {"user": owner, "repo": repo}}
    before = copy.deepcopy(pull)
    short = webhook_docs.webhook_simple_pull_request(pull)
    assert pull == before
    assert "mergeable" not in short and "network_count" not in short["head"]["repo"]
    assert short["head"]["repo"]["owner"] == {"login": "ann", "id": 1}
