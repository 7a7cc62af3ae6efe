"""The whole pull-request life, driven by PyGithub and the git CLI, with a
webhook receiver checking every event's signature and order."""

from __future__ import annotations

from pathlib import Path

import github

from sandbox.forge.background import BackgroundForge

OWNER = "cloudops-admin"


def _hook(repo, receiver) -> None:
    repo.create_hook("web", {"url": receiver.url, "content_type": "json", "secret": "hook-secret"},
                     events=["*"], active=True)


def test_a_pull_request_goes_from_push_to_merge_and_survives_a_restart(
        forge: BackgroundForge, gh: github.Github, bob: github.Github, receiver, clone, forge_dir: Path) -> None:
    repo = gh.get_user().create_repo("infra", auto_init=True)
    _hook(repo, receiver)
    work = clone(OWNER, "infra")
    work("checkout", "-q", "-b", "add-bucket")
    head_sha = work.commit_file("main.tf", 'resource "null_resource" "a" {}\n', "Add a bucket")
    work("push", "-q", "origin", "add-bucket")

    pr = repo.create_pull(title="Add a bucket", body="please", head="add-bucket", base="main")
    assert (pr.number, pr.head.sha, pr.mergeable, pr.mergeable_state) == (1, head_sha, True, "clean")
    assert [f.filename for f in pr.get_files()] == ["main.tf"]
    assert [c.sha for c in pr.get_commits()] == [head_sha]

    comment = pr.create_issue_comment("plan: 1 to add")
    comment.edit("plan: 1 to add (updated)")
    assert [c.body for c in pr.get_issue_comments()] == ["plan: 1 to add (updated)"]
    repo.get_commit(head_sha).create_status("success", description="plan ok", context="cloudops/plan")
    assert repo.get_commit(head_sha).get_combined_status().state == "success"
    bob.get_repo(f"{OWNER}/infra").get_pull(1).create_review(body="looks fine", event="APPROVE")
    assert [(r.user.login, r.state) for r in pr.get_reviews()] == [("bob", "APPROVED")]

    result = pr.merge(sha=head_sha)
    assert result.merged
    work("fetch", "-q", "origin")
    parents = work("log", "-1", "--format=%P", "origin/main").stdout.split()
    assert work("rev-parse", "origin/main").stdout.strip() == result.sha
    assert len(parents) == 2 and parents[1] == head_sha
    assert work("log", "-1", "--format=%s", "origin/main").stdout.strip() == \
        f"Merge pull request #1 from {OWNER}/add-bucket"

    forge.drain_webhooks()
    assert receiver.events() == [
        ("ping", None), ("push", None), ("pull_request", "opened"), ("issue_comment", "created"),
        ("issue_comment", "edited"), ("status", None), ("pull_request_review", "submitted"),
        ("push", None), ("pull_request", "closed")]
    assert all(r.signature_ok for r in receiver.received)
    assert all(r.headers["User-Agent"].startswith("GitHub-Hookshot/") for r in receiver.received)
    assert len({r.delivery for r in receiver.received}) == len(receiver.received)
    by_event = {(r.event, r.payload.get("action")): r.payload for r in receiver.received}
    assert by_event[("push", None)]["ref"] == "refs/heads/main"  # the last push: the merge
    assert by_event[("issue_comment", "created")]["issue"]["pull_request"]["url"].endswith("/pulls/1")
    closed = by_event[("pull_request", "closed")]
    assert closed["pull_request"]["merged"] is True and closed["number"] == 1
    assert "installation" not in closed

    forge.close()  # restart: a new forge on the same data dir
    with BackgroundForge(forge_dir) as again:
        gh2 = github.Github(base_url=again.api_url, auth=github.Auth.Token(forge.owner_token), retry=None)
        back = gh2.get_repo(f"{OWNER}/infra").get_pull(1)
        assert (back.merged, back.state, back.merge_commit_sha, back.comments) == (True, "closed", result.sha, 1)
        assert [r.state for r in back.get_reviews()] == ["APPROVED"]
        assert gh2.get_repo(f"{OWNER}/infra").get_branch("main").commit.sha == result.sha


def test_a_push_to_the_head_branch_synchronizes_the_open_pull_request(
        forge: BackgroundForge, gh: github.Github, receiver, clone) -> None:
    repo = gh.get_user().create_repo("sync", auto_init=True)
    work = clone(OWNER, "sync")
    work("checkout", "-q", "-b", "feature")
    first = work.commit_file("a.tf", "a\n", "first")
    work("push", "-q", "origin", "feature")
    pr = repo.create_pull(title="feature", body="", head="feature", base="main")
    _hook(repo, receiver)
    second = work.commit_file("a.tf", "b\n", "second")
    work("push", "-q", "origin", "feature")
    forge.drain_webhooks()
    assert receiver.events() == [("ping", None), ("push", None), ("pull_request", "synchronize")]
    push, sync = receiver.received[1].payload, receiver.received[2].payload
    assert (push["before"], push["after"], [c["id"] for c in push["commits"]]) == (first, second, [second])
    assert push["commits"][0]["modified"] == ["a.tf"]
    assert (sync["before"], sync["after"], sync["pull_request"]["head"]["sha"]) == (first, second, second)
    assert repo.get_pull(pr.number).commits == 2


def test_conflicting_changes_make_a_pull_request_unmergeable(gh: github.Github, clone) -> None:
    repo = gh.get_user().create_repo("conflict", auto_init=True)
    work = clone(OWNER, "conflict")
    work("checkout", "-q", "-b", "edit-readme")
    work.commit_file("README.md", "theirs\n", "edit on branch")
    work("push", "-q", "origin", "edit-readme")
    pr = repo.create_pull(title="edit", body="", head="edit-readme", base="main")
    readme = repo.get_contents("README.md", ref="main")
    repo.update_file("README.md", "edit on main", "ours\n", readme.sha, branch="main")
    fresh = repo.get_pull(pr.number)
    assert (fresh.mergeable, fresh.mergeable_state) == (False, "dirty")
    try:
        fresh.merge()
    except github.GithubException as exc:
        assert exc.status == 405
    else:
        raise AssertionError("a conflicting merge must be refused")


def test_a_merge_with_a_stale_head_sha_is_refused_with_409(gh: github.Github, clone) -> None:
    repo = gh.get_user().create_repo("stale", auto_init=True)
    work = clone(OWNER, "stale")
    work("checkout", "-q", "-b", "f")
    work.commit_file("x.tf", "1\n", "x")
    work("push", "-q", "origin", "f")
    pr = repo.create_pull(title="f", body="", head="f", base="main")
    try:
        pr.merge(sha="0" * 40)
    except github.GithubException as exc:
        assert exc.status == 409
    else:
        raise AssertionError("a stale sha must be refused")
    assert not repo.get_pull(pr.number).merged


def test_closing_and_reopening_fire_their_events(forge: BackgroundForge, gh: github.Github, receiver,
                                                 clone) -> None:
    repo = gh.get_user().create_repo("close", auto_init=True)
    repo.create_git_ref("refs/heads/topic", repo.get_branch("main").commit.sha)
    repo.create_file("t.tf", "add", "t\n", branch="topic")
    pr = repo.create_pull(title="t", body="", head="topic", base="main")
    _hook(repo, receiver)
    pr.edit(state="closed")
    assert repo.get_pulls(state="open").totalCount == 0
    assert [p.number for p in repo.get_pulls(state="closed")] == [pr.number]
    pr.edit(state="open", title="t2")
    forge.drain_webhooks()
    actions = receiver.events()
    assert actions[:2] == [("ping", None), ("pull_request", "closed")]
    assert set(actions[2:]) == {("pull_request", "edited"), ("pull_request", "reopened")}
    assert receiver.received[1].payload["pull_request"]["merged"] is False
    repo.create_git_ref("refs/heads/release", repo.get_branch("main").commit.sha)
    pr.edit(base="release")
    assert repo.get_pull(pr.number).base.ref == "release"


def test_deleting_a_branch_with_git_fires_a_deleted_push(forge: BackgroundForge, gh: github.Github, receiver,
                                                         clone) -> None:
    repo = gh.get_user().create_repo("gone", auto_init=True)
    work = clone(OWNER, "gone")
    work("push", "-q", "origin", "main:temp")
    _hook(repo, receiver)
    work("push", "-q", "origin", "--delete", "temp")
    forge.drain_webhooks()
    push = receiver.received[-1].payload
    assert (receiver.received[-1].event, push["ref"], push["deleted"], push["after"]) == \
        ("push", "refs/heads/temp", True, "0" * 40)
    assert [b.name for b in repo.get_branches()] == ["main"]
