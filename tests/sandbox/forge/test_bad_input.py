"""Refusals answer as GitHub does, and change nothing: no row, no ref, no webhook."""

from __future__ import annotations

import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path

import github
import pytest

from sandbox.forge.background import BackgroundForge

OWNER = "cloudops-admin"
TABLES = ("users", "tokens", "repos", "issues", "pulls", "comments", "reviews", "statuses", "hooks", "deliveries")


def snapshot(forge_dir: Path) -> tuple[dict[str, int], dict[str, str]]:
    """Row counts of every table and every ref of every bare repository."""
    db = sqlite3.connect(forge_dir / "forge.sqlite3")
    try:
        counts = {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}
    finally:
        db.close()
    refs = {}
    for bare in sorted((forge_dir / "repos").glob("*/*.git")):
        out = subprocess.run(["git", "--git-dir", str(bare), "for-each-ref", "--format=%(refname) %(objectname)"],
                             capture_output=True, text=True, check=True).stdout
        refs.update({f"{bare.name}:{line.split()[0]}": line.split()[1] for line in out.splitlines()})
    return counts, refs


@pytest.fixture
def repo(gh: github.Github, forge: BackgroundForge, receiver, clone):
    """A repository with a hook, a pushed branch and its ping already delivered."""
    created = gh.get_user().create_repo("infra", auto_init=True)
    created.create_hook("web", {"url": receiver.url, "content_type": "json", "secret": "hook-secret"}, ["*"])
    work = clone(OWNER, "infra")
    work("checkout", "-q", "-b", "feature")
    work.commit_file("main.tf", "x\n", "add")
    work("push", "-q", "origin", "feature")
    forge.drain_webhooks()
    return created


def _refused(call: Callable[[], object]) -> github.GithubException:
    with pytest.raises(github.GithubException) as caught:
        call()
    return caught.value


def test_refusals_change_nothing(forge: BackgroundForge, forge_dir: Path, repo, receiver,
                                 client_for: Callable[[str], github.Github], clone, tmp_path: Path) -> None:
    before = snapshot(forge_dir)
    heard = len(receiver.received)

    wrong = _refused(lambda: client_for("not-a-token").get_user().login)
    assert (wrong.status, wrong.data["message"]) == (401, "Bad credentials")
    assert isinstance(wrong, github.BadCredentialsException)
    also_wrong = _refused(lambda: client_for("not-a-token").get_repo(f"{OWNER}/infra").create_pull(
        title="x", body="", head="feature", base="main"))
    assert also_wrong.status == 401

    missing = _refused(lambda: client_for(forge.owner_token).get_repo(f"{OWNER}/nope"))
    assert (missing.status, missing.data["message"]) == (404, "Not Found")
    assert isinstance(missing, github.UnknownObjectException)

    no_base = _refused(lambda: repo.create_pull(title="x", body="", head="feature", base="no-such-branch"))
    assert no_base.status == 422 and no_base.data["message"] == "Validation Failed"
    assert no_base.data["errors"] == [{"resource": "PullRequest", "field": "base", "code": "invalid"}]
    no_head = _refused(lambda: repo.create_pull(title="x", body="", head="no-such", base="main"))
    assert no_head.data["errors"][0]["field"] == "head"
    nothing = _refused(lambda: repo.create_pull(title="x", body="", head="main", base="main"))
    assert nothing.status == 422 and "No commits between main and main" in nothing.data["errors"][0]["message"]

    work = clone(OWNER, "infra")
    work("checkout", "-q", "-b", "sneaky")
    work.commit_file("evil.tf", "boom\n", "evil")
    bad_url = forge.git_url(OWNER, "infra", "not-a-token")
    pushed = work("push", "--force", bad_url, "sneaky", "sneaky:main", check=False)
    assert pushed.returncode != 0
    assert "401" in pushed.stderr or "Authentication failed" in pushed.stderr
    anonymous = work("ls-remote", forge.git_url(OWNER, "infra"), check=False)
    assert anonymous.returncode != 0

    forge.drain_webhooks()
    assert snapshot(forge_dir) == before
    assert len(receiver.received) == heard


def test_contents_update_checks_the_blob_sha(repo, forge_dir: Path) -> None:
    readme = repo.get_contents("README.md")
    before = snapshot(forge_dir)
    stale = _refused(lambda: repo.update_file("README.md", "edit", "new\n", "0" * 40))
    assert stale.status == 409
    unsupplied = _refused(lambda: repo.create_file("README.md", "edit", "new\n"))
    assert unsupplied.status == 422
    assert snapshot(forge_dir) == before
    updated = repo.update_file("README.md", "edit", "new\n", readme.sha)
    assert repo.get_contents("README.md").decoded_content == b"new\n"
    assert updated["commit"].sha == repo.get_branch("main").commit.sha


def test_an_author_cannot_approve_their_own_pull_request(repo, forge: BackgroundForge, forge_dir: Path) -> None:
    pr = repo.create_pull(title="x", body="", head="feature", base="main")
    forge.drain_webhooks()
    before = snapshot(forge_dir)
    own = _refused(lambda: pr.create_review(event="APPROVE"))
    assert own.status == 422
    forge.drain_webhooks()
    assert snapshot(forge_dir) == before


def test_git_refs_are_created_moved_and_deleted_as_github_does(repo) -> None:
    main_sha = repo.get_branch("main").commit.sha
    feature_sha = repo.get_branch("feature").commit.sha
    ref = repo.create_git_ref("refs/heads/copy", main_sha)
    assert (ref.ref, ref.object.sha) == ("refs/heads/copy", main_sha)
    assert _refused(lambda: repo.create_git_ref("refs/heads/copy", main_sha)).status == 422
    ref.edit(feature_sha)
    assert repo.get_git_ref("heads/copy").object.sha == feature_sha
    assert _refused(lambda: ref.edit(main_sha)).data["message"] == "Update is not a fast forward"
    ref.edit(main_sha, force=True)
    assert repo.get_branch("copy").commit.sha == main_sha
    ref.delete()
    assert _refused(lambda: repo.get_git_ref("heads/copy")).status == 404
    assert sorted(r.ref for r in repo.get_git_refs()) == ["refs/heads/feature", "refs/heads/main"]


def test_commits_and_compare_read_from_git(repo) -> None:
    root = repo.get_commit(repo.get_branch("main").commit.sha)
    assert ([f.filename for f in root.files], root.files[0].status, root.parents) == (["README.md"], "added", [])
    feature = repo.get_branch("feature").commit.sha
    comparison = repo.compare("main", "feature")
    assert (comparison.status, comparison.ahead_by, comparison.behind_by) == ("ahead", 1, 0)
    assert [c.sha for c in comparison.commits] == [feature]
    assert [(f.filename, f.additions) for f in comparison.files] == [("main.tf", 1)]
    assert [c.sha for c in repo.get_commits(sha="feature")] == [feature, root.sha]
    assert [c.sha for c in repo.get_commits(sha="feature", path="README.md")] == [root.sha]
