"""End-to-end harness: the real local forge, git CLI, controller and terraform.

The forge runs on its own thread (``BackgroundForge``) so the synchronous
clients used here (PyGithub, git) can call it while the controller runs on
the test's event loop. Calls that wait on the controller go through
``asyncio.to_thread`` so the loop stays free to receive webhooks.
"""

from __future__ import annotations

import asyncio
import subprocess
import textwrap
from dataclasses import dataclass
from pathlib import Path

import github

from controller.app import ControllerApp, ControllerConfig
from controller.forge import markers
from controller.settings import Settings
from sandbox.forge.background import BackgroundForge

WEBHOOK_SECRET = "e2e-webhook-secret"
BOT_LOGIN = "cloudops-bot"
BOT_TOKEN = "lf_e2e_bot_token_0123456789"
REVIEWER_LOGIN = "rita"
REVIEWER_TOKEN = "lf_e2e_reviewer_token_0123456789"
OUTSIDER_LOGIN = "mallory"
OUTSIDER_TOKEN = "lf_e2e_outsider_token_0123456789"
REPO_NAME = "infra"
EVENTS = ["push", "pull_request", "pull_request_review", "issue_comment", "merge_group"]

CONFIG = textwrap.dedent(
    """\
    version: 1
    projects:
      web:
        target: local
        region: local-1
        apply_on: approve
      db:
        target: local
        region: local-1
        apply_on: merge
    members:
      admin:
        role: admin
        github: cloudops-admin
        discord: "42"
      rita:
        role: admin
        github: rita
    """
)

VERSIONS = textwrap.dedent(
    """\
    terraform {
      required_providers {
        null = { source = "hashicorp/null", version = "2.1.2" }
      }
    }
    """
)


def slow_resource(name: str, command: str) -> str:
    return (f'resource "null_resource" "{name}" {{\n  triggers = {{ name = "{name}" }}\n'
            f'  provisioner "local-exec" {{\n    command = "{command}"\n  }}\n}}\n\n')


def null_resources(*names: str) -> str:
    return "".join(
        f'resource "null_resource" "{name}" {{\n  triggers = {{ name = "{name}" }}\n}}\n\n' for name in names
    )


def git(cwd: Path, *args: str) -> str:
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {result.stderr}")
    return result.stdout.strip()


@dataclass
class Workbench:
    """A person's clone of the infra repo plus their PyGithub handle."""

    forge: BackgroundForge
    clone: Path
    gh: github.Github
    full_name: str

    @property
    def repo(self):
        return self.gh.get_repo(self.full_name)

    def write(self, path: str, text: str) -> None:
        target = self.clone / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)

    def push_branch(self, branch: str, message: str, *, base: str = "main", files: dict[str, str] | None = None) -> str:
        git(self.clone, "fetch", "-q", "origin")
        existing = git(self.clone, "branch", "--list", branch)
        if existing:
            git(self.clone, "checkout", "-q", branch)
        else:
            git(self.clone, "checkout", "-q", "-B", branch, f"origin/{base}")
        for path, text in (files or {}).items():
            self.write(path, text)
        git(self.clone, "add", "-A")
        git(self.clone, "commit", "-q", "-m", message)
        git(self.clone, "push", "-q", "origin", branch)
        return git(self.clone, "rev-parse", "HEAD")

    def merge_base_into(self, branch: str, base: str = "main") -> str:
        """Merge the base's tip into ``branch`` and push it (the PR's "Update branch")."""
        git(self.clone, "fetch", "-q", "origin")
        git(self.clone, "checkout", "-q", "-B", branch, f"origin/{branch}")
        git(self.clone, "merge", "-q", "--no-edit", f"origin/{base}")
        git(self.clone, "push", "-q", "origin", branch)
        return git(self.clone, "rev-parse", "HEAD")

    def open_pr(self, branch: str, title: str, files: dict[str, str]) -> int:
        self.push_branch(branch, title, files=files)
        return self.repo.create_pull(title=title, body="", head=branch, base="main").number

    def comments_with(self, number: int, key: str) -> list[str]:
        wanted = markers.marker(key)
        return [c.body for c in self.repo.get_issue(number).get_comments() if c.body.startswith(wanted) or wanted in c.body]

    def statuses(self, sha: str) -> dict[str, tuple[str, str]]:
        latest: dict[str, tuple[str, str]] = {}
        for status in self.repo.get_commit(sha).get_statuses():  # newest first
            latest.setdefault(status.context, (status.state, status.description))
        return latest

    def head_sha(self, number: int) -> str:
        return self.repo.get_pull(number).head.sha


def start_forge(path: Path) -> BackgroundForge:
    return BackgroundForge(path, tokens={BOT_TOKEN: BOT_LOGIN, REVIEWER_TOKEN: REVIEWER_LOGIN,
                                         OUTSIDER_TOKEN: OUTSIDER_LOGIN})


def as_outsider(forge: BackgroundForge) -> github.Github:
    return github.Github(base_url=forge.api_url, auth=github.Auth.Token(OUTSIDER_TOKEN),
                         seconds_between_requests=None, seconds_between_writes=None)


def as_reviewer(forge: BackgroundForge) -> github.Github:
    return github.Github(base_url=forge.api_url, auth=github.Auth.Token(REVIEWER_TOKEN),
                         seconds_between_requests=None, seconds_between_writes=None)


def make_infra_repo(forge: BackgroundForge, workdir: Path, files: dict[str, str] | None = None) -> Workbench:
    gh = github.Github(base_url=forge.api_url, auth=github.Auth.Token(forge.owner_token),
                       seconds_between_requests=None, seconds_between_writes=None)
    gh.get_user().create_repo(REPO_NAME, auto_init=True)
    full_name = f"{forge.owner_login}/{REPO_NAME}"
    clone = workdir / "clone"
    git(workdir, "clone", "-q", forge.git_url(forge.owner_login, REPO_NAME, forge.owner_token), str(clone))
    git(clone, "config", "user.email", "dev@example.com")
    git(clone, "config", "user.name", "Dev")
    bench = Workbench(forge=forge, clone=clone, gh=gh, full_name=full_name)
    initial = {
        "cloudops.yaml": CONFIG,
        "projects/web/versions.tf": VERSIONS,
        "projects/web/main.tf": null_resources("web_a"),
        "projects/db/versions.tf": VERSIONS,
        "projects/db/main.tf": null_resources("db_a"),
    }
    initial.update(files or {})
    for path, text in initial.items():
        bench.write(path, text)
    git(clone, "add", "-A")
    git(clone, "commit", "-q", "-m", "Infra repo skeleton")
    git(clone, "push", "-q", "origin", "HEAD:main")
    return bench


def controller_config(forge: BackgroundForge, data_dir: Path, full_name: str, **settings_overrides) -> ControllerConfig:
    settings = Settings.from_env()
    settings = Settings(**{**settings.__dict__, "data_dir": data_dir, **settings_overrides})
    return ControllerConfig(
        settings=settings, github_token=BOT_TOKEN, webhook_secret=WEBHOOK_SECRET,
        repos=(full_name,), api_url=forge.api_url, bot_login=BOT_LOGIN,
    )


def register_hook(bench: Workbench, url: str) -> None:
    bench.repo.create_hook("web", {"url": url, "content_type": "json", "secret": WEBHOOK_SECRET}, events=EVENTS, active=True)


async def settle(forge: BackgroundForge, app: ControllerApp, rounds: int = 3) -> None:
    """Deliver every pending webhook and finish every job they caused (a few rounds:
    jobs post comments and statuses, which can fire more webhooks)."""
    for _ in range(rounds):
        await asyncio.to_thread(forge.run, forge.forge.drain_webhooks())
        await app.settle()


# -- as a GitHub App -----------------------------------------------------------------


def app_private_key() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


APP_KEY = app_private_key()
APP_SLUG = "cloudops"


def install_app(forge: BackgroundForge, bench: Workbench) -> int:
    """Register the controller's GitHub App and install it on the infra repo; the app id."""
    app_id = forge.create_app(APP_SLUG, private_key_pem=APP_KEY)
    forge.install_app(app_id, repos=[REPO_NAME])
    return app_id


def app_controller_config(forge: BackgroundForge, data_dir: Path, full_name: str, app_id: int) -> ControllerConfig:
    settings = Settings(**{**Settings.from_env().__dict__, "data_dir": data_dir})
    return ControllerConfig(settings=settings, github_token="", webhook_secret=WEBHOOK_SECRET, repos=(full_name,),
                            api_url=forge.api_url, github_app_id=app_id, github_app_private_key=APP_KEY)


def check_runs(bench: Workbench, sha: str) -> dict:
    """name → the newest check run of that name on ``sha``."""
    return {run.name: run for run in bench.repo.get_commit(sha).get_check_runs()}


def press(forge: BackgroundForge, token: str, full_name: str, check_run_id: int, identifier: str) -> None:
    """Press a check run's button (the forge's stand-in for GitHub's web UI)."""
    import requests

    response = requests.post(f"{forge.api_url}/repos/{full_name}/check-runs/{check_run_id}/requested-actions/{identifier}",
                             headers={"Authorization": f"token {token}"}, timeout=30)
    assert response.status_code == 202, response.text
