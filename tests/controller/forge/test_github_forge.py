"""GitHubForge against the real local forge: PyGithub over HTTP, git over smart HTTP."""

from __future__ import annotations

import logging
from pathlib import Path

import git
import github
import pytest

from controller.errors import ForgeAuthError, ForgeError, ForgeNotFound, ForgeValidationError, GitOperationError
from controller.forge.base import Author, Forge
from controller.forge.github import GitHubForge
from controller.forge.gitrepo import WorkingCopy

pytestmark = pytest.mark.slow

ALICE = Author("Alice Ops", "alice@example.test")


@pytest.fixture
def client(local_forge) -> GitHubForge:  # type: ignore[no-untyped-def]
    return GitHubForge(local_forge.token, api_url=local_forge.api_url)


def _as(local_forge, token: str) -> github.Github:  # type: ignore[no-untyped-def]
    return github.Github(base_url=local_forge.api_url, auth=github.Auth.Token(token))


def _branch_with_change(client: GitHubForge, repo: str, workdir: Path, branch: str = "deploy-web") -> str:
    client.create_branch(repo, branch, "main")
    return client.commit_files(repo, branch, {"projects/web/main.tf": 'resource "null_resource" "web" {}\n'}, "Add web", ALICE, workdir)


def test_the_client_satisfies_the_forge_protocol(client: GitHubForge) -> None:
    assert isinstance(client, Forge)


def test_get_repo_reports_the_default_branch_and_a_clone_url_on_the_forge(client, repo_name, local_forge) -> None:  # type: ignore[no-untyped-def]
    info = client.get_repo(repo_name)
    assert info.full_name == repo_name
    assert info.default_branch == "main"
    assert info.clone_url.startswith(local_forge.forge.web_url)


def test_branch_commit_and_push_land_on_the_forge_without_the_token_on_disk_or_in_logs(client, repo_name, tmp_path, local_forge, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    workdir = tmp_path / "wc"
    sha = _branch_with_change(client, repo_name, workdir)
    second = client.commit_files(
        repo_name, "deploy-web", {"projects/web/vars.tf": "# vars\n"}, "More", ALICE, workdir, delete=["projects/web/main.tf"]
    )
    assert second != sha
    remote = _as(local_forge, local_forge.token).get_repo(repo_name)
    assert remote.get_branch("deploy-web").commit.sha == second
    commit = remote.get_commit(second)
    assert (commit.commit.author.name, commit.commit.author.email) == (ALICE.name, ALICE.email)
    paths = {f.filename: f.status for f in commit.files}
    assert paths == {"projects/web/vars.tf": "added", "projects/web/main.tf": "removed"}
    git_config = (workdir / ".git" / "config").read_text()
    assert local_forge.token not in git_config
    assert "extraheader" not in git_config.lower()
    assert caplog.records and local_forge.token not in caplog.text


def test_commit_refuses_paths_that_escape_the_repository(client, repo_name, tmp_path) -> None:  # type: ignore[no-untyped-def]
    client.create_branch(repo_name, "evil", "main")
    with pytest.raises(ValueError, match="inside the repository"):
        client.commit_files(repo_name, "evil", {"../outside.tf": "x"}, "x", ALICE, tmp_path / "wc")


def test_an_opened_pull_request_reads_back_with_every_field(client, repo_name, tmp_path, local_forge) -> None:  # type: ignore[no-untyped-def]
    head = _branch_with_change(client, repo_name, tmp_path / "wc")
    opened = client.open_pull_request(repo_name, title="Deploy web", body="Adds web", head="deploy-web", base="main", draft=True)
    pr = client.get_pull_request(repo_name, opened.number, wait_for_mergeable=5)
    assert (pr.title, pr.body, pr.head_sha, pr.head_ref, pr.base_ref) == ("Deploy web", "Adds web", head, "deploy-web", "main")
    assert (pr.author, pr.state, pr.merged, pr.draft) == (local_forge.owner, "open", False, True)
    assert pr.mergeable is True
    assert pr.mergeable_state in {"clean", "draft", "unstable", "blocked"}
    assert client.find_open_pull_request(repo_name, "deploy-web") == client.get_pull_request(repo_name, opened.number)
    files = client.list_changed_files(repo_name, opened.number)
    assert [(f.filename, f.status, f.additions) for f in files] == [("projects/web/main.tf", "added", 1)]


def _comments(local_forge, repo: str, number: int) -> list[str]:  # type: ignore[no-untyped-def]
    return [c.body for c in _as(local_forge, local_forge.token).get_repo(repo).get_issue(number).get_comments()]


def _open_pr(client: GitHubForge, repo: str, tmp_path: Path) -> int:
    _branch_with_change(client, repo, tmp_path / "wc")
    return client.open_pull_request(repo, title="Deploy web", body="", head="deploy-web", base="main").number


def test_a_keyed_comment_is_updated_in_place(client, repo_name, tmp_path, local_forge) -> None:  # type: ignore[no-untyped-def]
    number = _open_pr(client, repo_name, tmp_path)
    _as(local_forge, local_forge.token).get_repo(repo_name).get_issue(number).create_comment("a human says hi")
    first = client.upsert_comment(repo_name, number, "plan:web", "Plan: 1 to add")
    second = client.upsert_comment(repo_name, number, "plan:web", "Plan: 2 to add")
    assert first == second
    bodies = _comments(local_forge, repo_name, number)
    assert bodies == ["a human says hi", "<!-- cloudops:plan:web -->\nPlan: 2 to add"]


def test_a_long_comment_is_split_then_leftover_parts_are_deleted_when_it_shrinks(client, repo_name, tmp_path, local_forge) -> None:  # type: ignore[no-untyped-def]
    number = _open_pr(client, repo_name, tmp_path)
    long_body = "<details><summary>Plan</summary>\n\n```diff\n" + "+ null_resource.item\n" * 9000 + "```\n</details>\n"
    ids = client.upsert_comment(repo_name, number, "plan", long_body)
    assert len(ids) == 3
    bodies = _comments(local_forge, repo_name, number)
    assert len(bodies) == 3
    assert all(len(b) <= 65_536 for b in bodies)
    assert bodies[1].startswith("<!-- cloudops:plan:part-2 -->")
    shrunk = client.upsert_comment(repo_name, number, "plan", "Plan: nothing to do")
    assert shrunk == ids[:1]
    assert _comments(local_forge, repo_name, number) == ["<!-- cloudops:plan -->\nPlan: nothing to do"]


def test_statuses_are_set_truncated_and_combined(client, repo_name, tmp_path) -> None:  # type: ignore[no-untyped-def]
    sha = _branch_with_change(client, repo_name, tmp_path / "wc")
    made = client.set_status(repo_name, sha, "pending", "cloudops/plan", "planning " * 40, "http://ci.example/1")
    assert len(made.description) == 140 and made.description.endswith("…")
    client.set_status(repo_name, sha, "success", "cloudops/plan", "Plan: 1 to add")
    client.set_status(repo_name, sha, "failure", "cloudops/policy", "2 denials")
    combined = client.get_combined_status(repo_name, sha)
    assert combined.sha == sha
    assert combined.state == "failure"
    assert {(s.context, s.state) for s in combined.statuses} == {("cloudops/plan", "success"), ("cloudops/policy", "failure")}


def test_approvals_count_each_reviewers_latest_decision(client, repo_name, tmp_path, local_forge) -> None:  # type: ignore[no-untyped-def]
    number = _open_pr(client, repo_name, tmp_path)
    rita, ravi = (
        _as(local_forge, token).get_repo(repo_name).get_pull(number) for token in local_forge.reviewers
    )
    rita.create_review(event="APPROVE")
    ravi.create_review(event="APPROVE")
    ravi.create_review(event="REQUEST_CHANGES", body="not this size")
    rita.create_review(event="COMMENT", body="looks fine still")
    assert [r.state for r in client.list_reviews(repo_name, number)] == ["APPROVED", "APPROVED", "CHANGES_REQUESTED", "COMMENTED"]
    assert client.approvers(repo_name, number) == ["rita"]
    head = client.get_pull_request(repo_name, number).head_sha
    assert client.approvers(repo_name, number, head_sha=head) == ["rita"]
    assert client.approvers(repo_name, number, head_sha="0" * 40) == []


def test_merge_honours_the_sha_guard_then_merges(client, repo_name, tmp_path) -> None:  # type: ignore[no-untyped-def]
    number = _open_pr(client, repo_name, tmp_path)
    with pytest.raises(ForgeError, match=rf"merging {repo_name}#{number}"):
        client.merge(repo_name, number, sha="0" * 40)
    head = client.get_pull_request(repo_name, number).head_sha
    result = client.merge(repo_name, number, sha=head, title="Deploy web (#%d)" % number)
    assert result.merged and result.sha
    pr = client.get_pull_request(repo_name, number)
    assert (pr.merged, pr.state, pr.merge_commit_sha) == (True, "closed", result.sha)


def test_a_revert_pull_request_undoes_the_merge(client, repo_name, tmp_path, local_forge) -> None:  # type: ignore[no-untyped-def]
    number = _open_pr(client, repo_name, tmp_path)
    merged = client.merge(repo_name, number)
    assert merged.sha
    revert = client.open_revert_pull_request(
        repo_name, merge_sha=merged.sha, original_title="Deploy web", author=ALICE, workdir=tmp_path / "revert-wc"
    )
    assert revert.title == 'Revert "Deploy web"'
    assert (revert.base_ref, revert.head_ref) == ("main", f"revert-{merged.sha[:12]}")
    files = client.list_changed_files(repo_name, revert.number)
    assert [(f.filename, f.status) for f in files] == [("projects/web/main.tf", "removed")]
    commit = _as(local_forge, local_forge.token).get_repo(repo_name).get_commit(revert.head_sha)
    assert commit.parents[0].sha == merged.sha
    assert commit.commit.message.startswith('Revert "Deploy web"')


def test_a_bad_token_is_an_auth_error_that_does_not_show_the_token(local_forge, repo_name) -> None:  # type: ignore[no-untyped-def]
    bad = "lf_" + "b4d" * 12
    with pytest.raises(ForgeAuthError) as caught:
        GitHubForge(bad, api_url=local_forge.api_url).get_repo(repo_name)
    assert str(caught.value).startswith(f"reading repository {repo_name}: Bad credentials")
    assert bad not in caught.value.user_message()


def test_a_push_with_a_bad_token_is_refused_and_the_message_hides_the_token(local_forge, repo_name, tmp_path) -> None:  # type: ignore[no-untyped-def]
    good = GitHubForge(local_forge.token, api_url=local_forge.api_url)
    good.create_branch(repo_name, "x", "main")
    clone_url = good.get_repo(repo_name).clone_url
    copy = WorkingCopy.sync(clone_url, local_forge.token, tmp_path / "wc", name=repo_name)
    copy.checkout_remote_branch("x")
    local_sha = copy.write_and_commit({"a.tf": "#\n"}, [], "a", ALICE)
    bad = "lf_" + "0bad" * 9
    refused = WorkingCopy(git.Repo(tmp_path / "wc"), clone_url, bad, repo_name)
    with pytest.raises(GitOperationError) as caught:
        refused.push("x")
    assert str(caught.value).startswith(f"pushing x ({repo_name}):")
    assert bad not in caught.value.user_message()
    remote_sha = _as(local_forge, local_forge.token).get_repo(repo_name).get_branch("x").commit.sha
    assert remote_sha != local_sha


def test_an_unknown_repository_is_not_found(client, local_forge) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ForgeNotFound) as caught:
        client.get_repo(f"{local_forge.owner}/no-such-repo")
    assert "reading repository" in str(caught.value) and "Not Found" in str(caught.value)
    assert local_forge.token not in caught.value.user_message()


def test_a_pull_request_with_a_missing_base_is_a_validation_error(client, repo_name, tmp_path, local_forge) -> None:  # type: ignore[no-untyped-def]
    _branch_with_change(client, repo_name, tmp_path / "wc")
    with pytest.raises(ForgeValidationError) as caught:
        client.open_pull_request(repo_name, title="t", body="", head="deploy-web", base="no-such-branch")
    message = str(caught.value)
    assert message.startswith(f"opening pull request {repo_name}#deploy-web→no-such-branch: Validation Failed")
    assert caught.value.errors
    assert local_forge.token not in message
