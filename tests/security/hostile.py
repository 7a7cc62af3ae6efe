"""The hostile-PR arena: a forge, an infra repo, a controller with real keys, and canaries.

Canaries are the secrets an attacker wants: the real state key and master
key of the controller's data dir, a file in the data dir, a credentials file
in the controller's HOME and a variable in its environment. ``sweep`` then
searches everything an attack could have made the controller write: every
comment and status of every PR, every commit on every branch, every row of
the controller's SQLite files, every log record and every file left in the
run and export directories.
"""

from __future__ import annotations

import base64
import json
import secrets
import sqlite3
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import github

from controller.app import ControllerApp
from controller.secrets import keys
from controller.settings import Settings
from tests.e2e import harness
from tests.e2e.harness import (BOT_LOGIN, OUTSIDER_TOKEN, REVIEWER_LOGIN, VERSIONS, Workbench, controller_config, git,
                               make_infra_repo, null_resources)

ATTACK_PROJECTS = ("files", "tmpl", "links", "json", "jsonprov", "backend", "remote", "computed", "home", "envread")

# The e2e repo's config, plus one project per attack, `open` (no approval needed) and a viewer.
_EXTRA_PROJECTS = "".join(f"  {name}:\n    target: local\n    region: local-1\n" for name in ATTACK_PROJECTS)
CONFIG = harness.CONFIG.replace(
    "members:\n",
    _EXTRA_PROJECTS + "  open:\n    target: local\n    region: local-1\n    required_approvals: 0\nmembers:\n",
) + "  vic:\n    role: viewer\n    github: vic\n"


@dataclass
class Canaries:
    """Secret values (and the encodings a leak might take) that must never come out."""

    values: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, value: str) -> None:
        self.values[name] = value

    def forms(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for name, value in self.values.items():
            for label, form in ((name, value), (f"{name} (json)", json.dumps(value)[1:-1]),
                                (f"{name} (base64)", base64.b64encode(value.encode()).decode().rstrip("="))):
                if len(form) >= 12:
                    found[label] = form
        return found

    def leaks_in(self, text: str) -> list[str]:
        return [label for label, form in self.forms().items() if form in text]


def plant(data_dir: Path, home: Path, env: dict[str, str]) -> Canaries:
    """Write the controller's real keys and decoys where an attacker would look; return the canaries."""
    canaries = Canaries()
    data_dir.mkdir(parents=True, exist_ok=True)
    settings = Settings(data_dir=data_dir)
    master = keys.MasterKey.generate()
    keys.write_key_file(data_dir / "master.key", master)
    canaries.add("master key", (data_dir / "master.key").read_text().strip())
    decoy = "data-dir-canary-" + secrets.token_hex(12)
    (data_dir / "secret-notes.txt").write_text(decoy)
    canaries.add("data dir file", decoy)
    (home / ".aws").mkdir(parents=True, exist_ok=True)
    aws = "home-canary-" + secrets.token_hex(12)
    (home / ".aws" / "credentials").write_text(f"[default]\naws_secret_access_key = {aws}\n")
    canaries.add("HOME credentials", aws)
    env["CLOUDOPS_E2E_ENV_CANARY"] = "env-canary-" + secrets.token_hex(12)
    canaries.add("controller environment", env["CLOUDOPS_E2E_ENV_CANARY"])
    _ = settings
    return canaries


def add_state_key(canaries: Canaries, data_dir: Path) -> None:
    """The state key is made by the controller on start; it is the prize of issue 21.1."""
    canaries.add("state key", (data_dir / "state.key").read_text().strip())


def clone_as(bench: Workbench, token: str, login: str, where: Path) -> Workbench:
    forge = bench.forge
    owner, name = bench.full_name.split("/")
    git(where.parent, "clone", "-q", forge.git_url(owner, name, token), str(where))
    git(where, "config", "user.email", f"{login}@example.com")
    git(where, "config", "user.name", login)
    gh = github.Github(base_url=forge.api_url, auth=github.Auth.Token(token),
                       seconds_between_requests=None, seconds_between_writes=None)
    return Workbench(forge=forge, clone=where, gh=gh, full_name=bench.full_name)


def commit_on(bench: Workbench, branch: str, files: dict[str, str], message: str) -> str:
    """Fetch, check out ``origin/branch`` and push one commit on top of it."""
    git(bench.clone, "fetch", "-q", "origin")
    git(bench.clone, "checkout", "-q", "-B", branch, f"origin/{branch}")
    for path, text in files.items():
        bench.write(path, text)
    git(bench.clone, "add", "-A")
    git(bench.clone, "commit", "-q", "-m", message)
    git(bench.clone, "push", "-q", "origin", branch)
    return git(bench.clone, "rev-parse", "HEAD")


def make_arena_repo(forge, tmp_path: Path) -> Workbench:
    files = {"cloudops.yaml": CONFIG}
    for name in (*ATTACK_PROJECTS, "open"):
        files[f"projects/{name}/versions.tf"] = VERSIONS
        files[f"projects/{name}/main.tf"] = null_resources(f"{name}_base")
    return make_infra_repo(forge, tmp_path, files)


def sweep(canaries: Canaries, bench: Workbench, app: ControllerApp, data_dir: Path, log_text: str) -> list[str]:
    """Every place a canary could have reached; returns 'where: which canary' for each leak."""
    leaks: list[str] = []

    def check(where: str, text: str) -> None:
        leaks.extend(f"{where}: {label}" for label in canaries.leaks_in(text))

    repo = bench.repo
    for pull in repo.get_pulls(state="all"):
        check(f"PR #{pull.number} title/body", f"{pull.title}\n{pull.body or ''}")
        for comment in repo.get_issue(pull.number).get_comments():
            check(f"PR #{pull.number} comment {comment.id}", comment.body)
        for sha in {pull.head.sha, *(c.sha for c in pull.get_commits())}:
            for status in repo.get_commit(sha).get_statuses():
                check(f"status {status.context} on {sha[:8]}", f"{status.description or ''} {status.target_url or ''}")
    subprocess.run(["git", "fetch", "-q", "origin", "+refs/heads/*:refs/remotes/origin/*"], cwd=bench.clone, check=True)
    history = subprocess.run(["git", "log", "--all", "-p", "--format=%H %an %s%n%b"], cwd=bench.clone,
                             capture_output=True, check=True).stdout.decode("utf-8", "replace")
    check("git history", history)
    for db in data_dir.glob("*.sqlite3"):
        check(f"store {db.name}", dump_sqlite(db))
    check("logs", log_text)
    for root in (app.config.settings.runs_dir, data_dir / "exports", data_dir / "rollbacks"):
        for path in root.rglob("*") if root.is_dir() else []:
            if path.is_file() and not path.is_symlink():
                check(f"file {path}", path.read_bytes().decode("utf-8", "replace"))
    return leaks


def dump_sqlite(path: Path) -> str:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        lines = []
        for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
            for row in conn.execute(f'SELECT * FROM "{table}"'):  # noqa: S608 - table names from sqlite itself
                lines.append(f"{table}: {row!r}")
        return "\n".join(lines)
    finally:
        conn.close()


def as_outsider_clone(bench: Workbench, tmp_path: Path) -> Workbench:
    return clone_as(bench, OUTSIDER_TOKEN, "mallory", tmp_path / "mallory-clone")


__all__ = ["BOT_LOGIN", "REVIEWER_LOGIN", "Canaries", "add_state_key", "clone_as", "commit_on", "controller_config",
           "make_arena_repo", "plant", "sweep"]
