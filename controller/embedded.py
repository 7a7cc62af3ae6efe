"""The embedded default: a local forge, an infra repo from the template and a controller.

Used by `cloudops demo` and `cloudops chat --embedded`: everything the
product needs, on this machine, with no account anywhere. The forge runs on
its own thread so synchronous clients (PyGithub, git) can talk to it while
the controller runs on the caller's event loop.
"""

from __future__ import annotations

import asyncio
import secrets
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import github

from .app import ControllerApp, ControllerConfig
from .commands.init_repo import scaffold
from .settings import Settings

REPO = "infra"
BOT, ADMIN = "cloudops-bot", "alice"  # alice is an admin in repo_template/cloudops.yaml
WEBHOOK_EVENTS = ["push", "pull_request", "pull_request_review", "issue_comment", "merge_group"]


@dataclass
class Embedded:
    forge: object  # sandbox.forge.background.BackgroundForge
    app: ControllerApp
    full_name: str
    admin: github.Github  # alice's PyGithub client

    def admin_repo(self):
        return self.admin.get_repo(self.full_name)

    async def settle(self) -> None:
        """Deliver pending webhooks and finish the jobs they cause (a few rounds: jobs cause webhooks)."""
        for _ in range(3):
            await asyncio.to_thread(self.forge.run, self.forge.forge.drain_webhooks())
            await self.app.settle()


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def seed_repo(forge, workdir: Path) -> str:
    """Create owner/infra on the forge with repo_template/ on main; return its full name."""
    owner = github.Github(base_url=forge.api_url, auth=github.Auth.Token(forge.owner_token),
                          seconds_between_requests=None, seconds_between_writes=None)
    owner.get_user().create_repo(REPO, auto_init=True)
    clone = workdir / "seed"
    _git(workdir, "clone", "-q", forge.git_url(forge.owner_login, REPO, forge.owner_token), str(clone))
    template = workdir / "template"
    scaffold(template)
    for path in template.rglob("*"):
        if path.is_file():
            target = clone / path.relative_to(template)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    _git(clone, "add", "-A")
    _git(clone, "-c", "user.name=Cloud ChatOps", "-c", "user.email=cloudops@example.invalid",
         "commit", "-q", "-m", "Scaffold the infra repo from repo_template")
    _git(clone, "push", "-q", "origin", "HEAD:main")
    return f"{forge.owner_login}/{REPO}"


@asynccontextmanager
async def embedded(data_dir: Path) -> AsyncIterator[Embedded]:
    from sandbox.forge.background import BackgroundForge

    bot_token, admin_token = "lf_" + secrets.token_hex(20), "lf_" + secrets.token_hex(20)
    with BackgroundForge(data_dir / "forge", tokens={bot_token: BOT, admin_token: ADMIN}) as forge:
        full_name = await asyncio.to_thread(seed_repo, forge, data_dir)
        settings = replace(Settings.from_env(), data_dir=data_dir / "controller")
        config = ControllerConfig(settings=settings, github_token=bot_token, webhook_secret=secrets.token_hex(16),
                                  repos=(full_name,), api_url=forge.api_url, bot_login=BOT)
        async with ControllerApp(config) as app:
            admin = github.Github(base_url=forge.api_url, auth=github.Auth.Token(admin_token),
                                  seconds_between_requests=None, seconds_between_writes=None)
            world = Embedded(forge, app, full_name, admin)
            repo = await asyncio.to_thread(world.admin_repo)
            hook_config = {"url": app.webhook_url, "content_type": "json", "secret": config.webhook_secret}
            await asyncio.to_thread(repo.create_hook, "web", hook_config, WEBHOOK_EVENTS, True)
            yield world
