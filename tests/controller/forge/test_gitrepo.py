"""Working copies against a plain local remote: credentials stay off disk, reverts undo merges."""

from __future__ import annotations

import base64
import logging
import subprocess
from pathlib import Path

import pytest

from controller.forge.base import Author
from controller.forge.gitrepo import WorkingCopy, auth_env

TOKEN = "lf_" + "7" * 40
ME = Author("Bot", "bot@example.test")


def test_the_auth_header_is_scoped_to_the_forge_and_never_a_url_credential() -> None:
    env = auth_env("http://127.0.0.1:8080/acme/infra.git", TOKEN)
    assert env["GIT_CONFIG_KEY_0"] == "http.http://127.0.0.1:8080/.extraHeader"
    encoded = env["GIT_CONFIG_VALUE_0"].removeprefix("Authorization: Basic ")
    assert base64.b64decode(encoded).decode() == f"x-access-token:{TOKEN}"
    assert env["GIT_TERMINAL_PROMPT"] == "0"
    with pytest.raises(ValueError, match="credentials"):
        auth_env(f"https://x:{TOKEN}@github.com/a/b.git", TOKEN)


@pytest.fixture
def remote(tmp_path: Path) -> str:
    bare = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(bare)], check=True)
    seed = tmp_path / "seed"
    subprocess.run(["git", "clone", "-q", str(bare), str(seed)], check=True, capture_output=True)
    (seed / "README.md").write_text("seed\n")
    env = ["-c", "user.name=s", "-c", "user.email=s@x"]
    subprocess.run(["git", *env, "-C", str(seed), "add", "."], check=True)
    subprocess.run(["git", *env, "-C", str(seed), "commit", "-q", "-m", "seed"], check=True)
    subprocess.run(["git", "-C", str(seed), "push", "-q", "origin", "main"], check=True)
    return bare.as_uri()


def _git(path: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(path), *args], check=True, capture_output=True, text=True).stdout.strip()


def test_clone_commit_push_and_refetch_keep_the_token_out_of_config_and_logs(
    remote: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    wc = WorkingCopy.sync(remote, TOKEN, tmp_path / "wc", name="acme/infra")
    wc.create_local_branch("feature", "refs/remotes/origin/main")
    sha = wc.write_and_commit({"a/b.tf": "x = 1\n", "bin.dat": b"\x00\x01"}, ["README.md"], "Add b", ME)
    wc.push("feature")
    assert _git(Path(remote.removeprefix("file://")), "rev-parse", "refs/heads/feature") == sha
    assert _git(tmp_path / "wc", "log", "-1", "--format=%an <%ae>|%cn") == "Bot <bot@example.test>|Bot"
    again = WorkingCopy.sync(remote, TOKEN, tmp_path / "wc", name="acme/infra")
    assert again.remote_sha("feature") == sha
    config = (tmp_path / "wc" / ".git" / "config").read_text()
    assert TOKEN not in config and "extraheader" not in config.lower()
    assert TOKEN not in caplog.text
    assert base64.b64encode(f"x-access-token:{TOKEN}".encode()).decode() not in caplog.text


def test_checkout_of_a_remote_branch_discards_local_leftovers(remote: str, tmp_path: Path) -> None:
    wc = WorkingCopy.sync(remote, TOKEN, tmp_path / "wc", name="acme/infra")
    wc.checkout_remote_branch("main")
    (wc.path / "stray.tf").write_text("left over\n")
    (wc.path / "README.md").write_text("edited\n")
    wc.checkout_remote_branch("main")
    assert not (wc.path / "stray.tf").exists()
    assert (wc.path / "README.md").read_text() == "seed\n"


def test_revert_of_a_merge_commit_restores_the_first_parent(remote: str, tmp_path: Path) -> None:
    wc = WorkingCopy.sync(remote, TOKEN, tmp_path / "wc", name="acme/infra")
    wc.create_local_branch("feature", "refs/remotes/origin/main")
    wc.write_and_commit({"web.tf": "web\n"}, [], "web", ME)
    wc.create_local_branch("main", "refs/remotes/origin/main")
    _git(wc.path, "-c", "user.name=m", "-c", "user.email=m@x", "merge", "--no-ff", "-q", "-m", "Merge feature", "feature")
    merge_sha = wc.head_sha()
    reverted = wc.revert_merge(merge_sha, ME, 'Revert "Deploy web"')
    assert not (wc.path / "web.tf").exists()
    assert _git(wc.path, "log", "-1", "--format=%s|%P") == f'Revert "Deploy web"|{merge_sha}'
    assert reverted == wc.head_sha()


def test_paths_outside_the_repository_are_refused(remote: str, tmp_path: Path) -> None:
    wc = WorkingCopy.sync(remote, TOKEN, tmp_path / "wc", name="acme/infra")
    for bad in ("../x", "/etc/passwd", ".git/config", ""):
        with pytest.raises(ValueError):
            wc.write_and_commit({bad: "x"}, [], "m", ME)


def test_a_copy_a_crash_left_without_origin_is_cloned_afresh(remote: str, tmp_path: Path) -> None:
    """`git clone` killed with the controller can leave .git without its remote: the next start recovers."""
    broken = tmp_path / "wc"
    subprocess.run(["git", "init", "-q", str(broken)], check=True)
    wc = WorkingCopy.sync(remote, TOKEN, broken, name="acme/infra")
    assert wc.remote_sha("main") == _git(Path(remote.removeprefix("file://")), "rev-parse", "refs/heads/main")
    assert not list(tmp_path.glob(".wc.clone-*"))  # the staging directory is gone


def test_a_clone_cut_short_leaves_nothing_where_the_copy_belongs(remote: str, tmp_path: Path) -> None:
    (tmp_path / ".wc.clone-abc" / "copy" / ".git").mkdir(parents=True)  # what a killed clone leaves
    WorkingCopy.sync(remote, TOKEN, tmp_path / "wc", name="acme/infra")
    assert (tmp_path / "wc" / "README.md").read_text() == "seed\n"
    assert not list(tmp_path.glob(".wc.clone-*"))


def test_a_directory_of_other_files_is_not_cloned_over(remote: str, tmp_path: Path) -> None:
    from controller.errors import ForgeError

    (tmp_path / "wc").mkdir()
    (tmp_path / "wc" / "notes.txt").write_text("mine\n")
    with pytest.raises(ForgeError, match="no git repository"):
        WorkingCopy.sync(remote, TOKEN, tmp_path / "wc", name="acme/infra")
    assert (tmp_path / "wc" / "notes.txt").read_text() == "mine\n"
