"""The state branch against the real local forge, git and PyGithub."""

from __future__ import annotations

import asyncio
import json
import logging
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest

from controller.errors import ForgeError, StateError
from controller.forge.github import GitHubForge
from controller.settings import Settings
from controller.state import GitStateBackend, StateKey, crypto, state_message
from sandbox.forge.background import BackgroundForge

def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise AssertionError(f"git {' '.join(args)}: {done.stderr}")
    return done.stdout.strip()


def fresh_clone(local_forge: BackgroundForge, repo: str, dest: Path) -> Path:
    """An independent full clone, as someone inspecting the repository would make."""
    owner, name = repo.split("/")
    subprocess.run(
        ["git", "clone", "-q", "--no-checkout", local_forge.git_url(owner, name, local_forge.owner_token), str(dest)],
        check=True, capture_output=True,
    )
    return dest


def tfstate(path: Path, serial: int, secret: str = "") -> bytes:
    body = {"version": 4, "serial": serial, "outputs": {"db_password": {"value": secret, "sensitive": True}}}
    path.write_text(json.dumps(body))
    return path.read_bytes()


async def test_the_first_save_creates_an_orphan_branch_and_leaves_main_alone(
    backend: GitStateBackend, local_forge: BackgroundForge, repo_name: str, tmp_path: Path
) -> None:
    before = fresh_clone(local_forge, repo_name, tmp_path / "before")
    main_before = git(before, "rev-parse", "origin/main")
    tfstate(tmp_path / "terraform.tfstate", 1)

    await backend.save(repo_name, "web", tmp_path / "terraform.tfstate", message=state_message("web", pr_number=12, run_id="r-1"))

    after = fresh_clone(local_forge, repo_name, tmp_path / "after")
    assert git(after, "rev-parse", "origin/main") == main_before
    assert git(after, "rev-list", "--count", "origin/cloudops-state") == "1"
    assert git(after, "rev-list", "--max-parents=0", "origin/cloudops-state") != git(after, "rev-list", "--max-parents=0", "origin/main")
    merge_base = subprocess.run(["git", "merge-base", "origin/main", "origin/cloudops-state"], cwd=after, capture_output=True)
    assert merge_base.returncode == 1, "the state branch must share no history with main"
    files = git(after, "ls-tree", "-r", "--name-only", "origin/cloudops-state").splitlines()
    assert files == ["README.md", "projects/web/terraform.tfstate.enc"]
    readme = git(after, "show", "origin/cloudops-state:README.md")
    assert "encrypted" in readme and "cloudops-state" in readme
    subject = git(after, "log", "-1", "--format=%s%n%an", "origin/cloudops-state")
    assert subject == "state: web after apply of PR #12 (run r-1)\nCloud ChatOps"


async def test_restore_returns_exactly_the_saved_bytes(backend: GitStateBackend, repo_name: str, tmp_path: Path) -> None:
    saved = tfstate(tmp_path / "saved.tfstate", 3, "s3cret")
    await backend.save(repo_name, "web", tmp_path / "saved.tfstate", message="state: web after apply")
    target = tmp_path / "run" / "terraform.tfstate"

    assert await backend.restore(repo_name, "web", target) is True
    assert target.read_bytes() == saved
    assert target.stat().st_mode & 0o077 == 0


async def test_another_replica_restores_what_one_saved(
    backend: GitStateBackend, forge: GitHubForge, key: StateKey, repo_name: str, tmp_path: Path
) -> None:
    saved = tfstate(tmp_path / "saved.tfstate", 5)
    await backend.save(repo_name, "web", tmp_path / "saved.tfstate", message="state: web after apply")
    replica = GitStateBackend(forge, Settings(data_dir=tmp_path / "replica"), key=key)
    assert await replica.restore(repo_name, "web", tmp_path / "restored") is True
    assert (tmp_path / "restored").read_bytes() == saved


async def test_restore_without_a_state_branch_or_project_file_is_false(
    backend: GitStateBackend, repo_name: str, tmp_path: Path
) -> None:
    target = tmp_path / "terraform.tfstate"
    assert await backend.restore(repo_name, "web", target) is False
    assert not target.exists()
    tfstate(tmp_path / "s", 1)
    await backend.save(repo_name, "web", tmp_path / "s", message="state: web after apply")
    assert await backend.restore(repo_name, "db", target) is False
    assert not target.exists()


async def test_a_second_save_appends_a_commit_and_restore_reads_the_latest(
    backend: GitStateBackend, local_forge: BackgroundForge, repo_name: str, tmp_path: Path
) -> None:
    tfstate(tmp_path / "s", 1)
    await backend.save(repo_name, "web", tmp_path / "s", message=state_message("web", pr_number=1, run_id="r-1"))
    latest = tfstate(tmp_path / "s", 2)
    await backend.save(repo_name, "web", tmp_path / "s", message=state_message("web", pr_number=2, run_id="r-2"))

    clone = fresh_clone(local_forge, repo_name, tmp_path / "inspect")
    assert git(clone, "log", "--format=%s", "origin/cloudops-state").splitlines() == [
        "state: web after apply of PR #2 (run r-2)",
        "state: web after apply of PR #1 (run r-1)",
    ]
    assert await backend.restore(repo_name, "web", tmp_path / "out") is True
    assert (tmp_path / "out").read_bytes() == latest

    saves = await backend.history(repo_name, "web")
    assert [(c.details.pr_number, c.details.run_id) for c in saves] == [(2, "r-2"), (1, "r-1")]
    assert saves[0].sha == git(clone, "rev-parse", "origin/cloudops-state")
    assert await backend.history(repo_name, "db") == []


async def test_history_of_a_repo_without_a_state_branch_is_empty(backend: GitStateBackend, repo_name: str) -> None:
    assert await backend.history(repo_name, "web") == []


async def test_two_projects_saved_concurrently_by_two_replicas_both_land(
    forge: GitHubForge, key: StateKey, local_forge: BackgroundForge, repo_name: str, tmp_path: Path
) -> None:
    replicas = [GitStateBackend(forge, Settings(data_dir=tmp_path / f"r{i}"), key=key) for i in range(2)]
    expected: dict[str, bytes] = {}
    saves = []
    for project, replica in (("web", replicas[0]), ("db", replicas[1]), ("cache", replicas[0]), ("queue", replicas[1])):
        expected[project] = tfstate(tmp_path / f"{project}.tfstate", 1, project)
        saves.append(replica.save(repo_name, project, tmp_path / f"{project}.tfstate", message=f"state: {project} after apply"))
    await asyncio.gather(*saves)

    clone = fresh_clone(local_forge, repo_name, tmp_path / "inspect")
    assert git(clone, "rev-list", "--count", "origin/cloudops-state") == "4"
    assert git(clone, "rev-list", "--count", "--max-parents=0", "origin/cloudops-state") == "1"
    for project, plaintext in expected.items():
        assert await replicas[0].restore(repo_name, project, tmp_path / "out") is True
        assert (tmp_path / "out").read_bytes() == plaintext


class RaceForge:
    """The real forge, but another save lands right after this one fetched (once)."""

    def __init__(self, forge: GitHubForge, on_first_open: Any) -> None:
        self._forge, self._hook, self.opens = forge, on_first_open, 0

    def working_copy(self, repo: str, workdir: Path) -> Any:
        copy = self._forge._working_copy(repo, workdir)
        self.opens += 1
        if self.opens == 1:
            self._hook()
        return copy


@pytest.mark.parametrize("branch_exists", [True, False], ids=["append", "both-create-the-branch"])
async def test_a_push_rejected_because_another_save_landed_is_rebuilt_on_the_new_tip(
    forge: GitHubForge, key: StateKey, local_forge: BackgroundForge, repo_name: str, tmp_path: Path, branch_exists: bool,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="controller.state.git_branch")
    other = GitStateBackend(forge, Settings(data_dir=tmp_path / "other"), key=key)
    tfstate(tmp_path / "db", 1, "db")
    if branch_exists:
        await other.save(repo_name, "db", tmp_path / "db", message="state: db after apply")

    def land_db() -> None:
        asyncio.run(other.save(repo_name, "db", tmp_path / "db", message="state: db after apply (racing)"))

    racer = RaceForge(forge, land_db)
    backend = GitStateBackend(racer, Settings(data_dir=tmp_path / "me"), key=key)  # type: ignore[arg-type]
    web = tfstate(tmp_path / "web", 7, "web")
    await backend.save(repo_name, "web", tmp_path / "web", message="state: web after apply")
    assert [r.message for r in caplog.records if "was rejected" in r.message] != []

    clone = fresh_clone(local_forge, repo_name, tmp_path / "inspect")
    subjects = git(clone, "log", "--format=%s", "origin/cloudops-state").splitlines()
    assert subjects[:2] == ["state: web after apply", "state: db after apply (racing)"]
    assert git(clone, "rev-list", "--count", "--max-parents=0", "origin/cloudops-state") == "1"
    assert await backend.restore(repo_name, "web", tmp_path / "out") and (tmp_path / "out").read_bytes() == web
    assert await backend.restore(repo_name, "db", tmp_path / "out") is True


async def test_a_push_rejected_every_time_gives_up_with_a_state_error(
    forge: GitHubForge, key: StateKey, repo_name: str, tmp_path: Path
) -> None:
    other = GitStateBackend(forge, Settings(data_dir=tmp_path / "other"), key=key)
    tfstate(tmp_path / "db", 1)
    await other.save(repo_name, "db", tmp_path / "db", message="state: db after apply")
    backend = GitStateBackend(forge, Settings(data_dir=tmp_path / "me"), key=key, push_attempts=2)
    real_fetch_count = 0

    original = backend._open

    def open_then_race(repo: str) -> Any:
        copy = original(repo)
        real = copy.fetch

        def fetch_then_race() -> None:
            nonlocal real_fetch_count
            real()
            real_fetch_count += 1
            asyncio.run(other.save(repo_name, "db", tmp_path / "db", message="state: db after apply"))

        copy.fetch = fetch_then_race  # type: ignore[method-assign]
        asyncio.run(other.save(repo_name, "db", tmp_path / "db", message="state: db after apply"))
        return copy

    backend._open = open_then_race  # type: ignore[method-assign]
    tfstate(tmp_path / "web", 1)
    with pytest.raises(StateError, match="rejected 2 times"):
        await backend.save(repo_name, "web", tmp_path / "web", message="state: web after apply")
    assert real_fetch_count == 1


async def test_the_state_branch_never_holds_plaintext(
    backend: GitStateBackend, local_forge: BackgroundForge, repo_name: str, tmp_path: Path
) -> None:
    canary = f"canary-{uuid.uuid4().hex}"
    for serial, project in enumerate(["web", "db", "web"], start=1):
        tfstate(tmp_path / "s", serial, canary)
        await backend.save(repo_name, project, tmp_path / "s", message=f"state: {project} after apply")
    await backend.restore(repo_name, "web", tmp_path / "restored")
    assert canary in (tmp_path / "restored").read_text()  # the canary is really in the state

    for clone in (fresh_clone(local_forge, repo_name, tmp_path / "inspect"), backend.clone_path(repo_name)):
        objects = subprocess.run(
            ["git", "cat-file", "--batch-all-objects", "--batch"], cwd=clone, capture_output=True, check=True
        ).stdout
        assert objects.count(b"terraform.tfstate.enc") >= 2, "the scan must see the state blobs' trees"
        assert canary.encode() not in objects
        worktree = [p for p in clone.rglob("*") if p.is_file() and ".git" not in p.parts]
        assert all(canary.encode() not in p.read_bytes() for p in worktree)


async def test_a_state_blob_moved_to_another_project_on_the_branch_is_refused(
    backend: GitStateBackend, local_forge: BackgroundForge, repo_name: str, tmp_path: Path
) -> None:
    tfstate(tmp_path / "s", 1, "web-only")
    await backend.save(repo_name, "web", tmp_path / "s", message="state: web after apply")
    owner, name = repo_name.split("/")
    clone = tmp_path / "attacker"
    subprocess.run(["git", "clone", "-q", "-b", "cloudops-state", local_forge.git_url(owner, name, local_forge.owner_token), str(clone)], check=True)
    (clone / "projects" / "db").mkdir()
    (clone / "projects" / "db" / "terraform.tfstate.enc").write_bytes((clone / "projects/web/terraform.tfstate.enc").read_bytes())
    git(clone, "add", "-A")
    git(clone, "-c", "user.name=x", "-c", "user.email=x@x", "commit", "-q", "-m", "copy web's state to db")
    git(clone, "push", "-q", "origin", "cloudops-state")

    with pytest.raises(StateError, match="copied from another repository or project"):
        await backend.restore(repo_name, "db", tmp_path / "out")
    assert not (tmp_path / "out").exists()


async def test_a_state_saved_with_another_key_names_the_key(
    backend: GitStateBackend, forge: GitHubForge, repo_name: str, tmp_path: Path
) -> None:
    tfstate(tmp_path / "s", 1)
    await backend.save(repo_name, "web", tmp_path / "s", message="state: web after apply")
    stranger = GitStateBackend(forge, Settings(data_dir=tmp_path / "stranger"), key=StateKey.generate())
    with pytest.raises(StateError, match=backend.key.key_id.hex()):
        await stranger.restore(repo_name, "web", tmp_path / "out")


async def test_saving_without_a_state_file_or_with_a_bad_project_name_is_refused(
    backend: GitStateBackend, repo_name: str, tmp_path: Path
) -> None:
    with pytest.raises(StateError, match="no state file"):
        await backend.save(repo_name, "web", tmp_path / "missing.tfstate", message="m")
    tfstate(tmp_path / "s", 1)
    for bad in ("../main", "Web", ".git", ""):
        with pytest.raises(StateError, match="not a valid project name"):
            await backend.save(repo_name, bad, tmp_path / "s", message="m")


async def test_the_token_is_never_on_disk_nor_in_errors(
    backend: GitStateBackend, local_forge: BackgroundForge, forge: GitHubForge, key: StateKey, repo_name: str, tmp_path: Path
) -> None:
    tfstate(tmp_path / "s", 1)
    await backend.save(repo_name, "web", tmp_path / "s", message="state: web after apply")
    token = local_forge.owner_token
    git_dir = backend.clone_path(repo_name) / ".git"
    assert token not in (git_dir / "config").read_text()
    assert all(token.encode() not in p.read_bytes() for p in git_dir.rglob("*") if p.is_file())
    assert token not in repr(backend)

    bad_token = "lf_not_a_real_token_" + uuid.uuid4().hex
    refused = GitHubForge(bad_token, api_url=local_forge.api_url)
    refused.get_repo = forge.get_repo  # type: ignore[method-assign]  # the API answers; git refuses the token
    for data_dir in (tmp_path / "controller", tmp_path / "new"):  # fetch into the existing clone, then a clone
        with pytest.raises(ForgeError) as caught:
            await GitStateBackend(refused, Settings(data_dir=data_dir), key=key).restore(repo_name, "web", tmp_path / "o")
        shown = caught.value.user_message()
        assert bad_token not in shown and token not in shown
        assert "token" in shown.lower()


def test_the_key_defaults_to_the_data_dir_key_file(forge: GitHubForge, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CLOUDOPS_STATE_KEY", raising=False)
    backend = GitStateBackend(forge, Settings(data_dir=tmp_path))
    assert backend.key == crypto.state_key(tmp_path, {})


async def test_an_earlier_save_can_be_read_back_from_history(
    backend: GitStateBackend, repo_name: str, tmp_path: Path
) -> None:
    first = tfstate(tmp_path / "s", 1, "first")
    await backend.save(repo_name, "web", tmp_path / "s", message="state: web after apply of PR #1")
    tfstate(tmp_path / "s", 2, "second")
    await backend.save(repo_name, "web", tmp_path / "s", message="state: web after apply of PR #2")
    older = (await backend.history(repo_name, "web"))[-1]

    assert await backend.restore_at(repo_name, "web", older.sha, tmp_path / "out") is True
    assert (tmp_path / "out").read_bytes() == first
    assert await backend.restore_at(repo_name, "db", older.sha, tmp_path / "none") is False
    main = git(backend.clone_path(repo_name), "rev-parse", "refs/remotes/origin/main")
    with pytest.raises(StateError, match="not a commit of cloudops-state"):
        await backend.restore_at(repo_name, "web", main, tmp_path / "x")
    with pytest.raises(StateError, match="not a commit sha"):
        await backend.restore_at(repo_name, "web", "--all", tmp_path / "x")
