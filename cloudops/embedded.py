"""The embedded default: a local forge, an infra repo from the template and a controller.

Used by `cloudops demo` and `cloudops chat --embedded`: everything the
product needs, on this machine, with no account anywhere. The forge runs on
its own thread so synchronous clients (PyGithub, git) can talk to it while
the controller runs on the caller's event loop. The controller and the chat
come from ``assembly.assemble`` (one store, one bus).

Starting again on the same data dir picks up where the last start left off:
the repo is seeded only once, its webhook is pointed at the new controller
address, and the vault's master key (made on first use, like the state key)
is reused.
"""

from __future__ import annotations

import asyncio
import secrets
import shutil
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import github

from controller.app import ControllerApp, ControllerConfig
from cloudops.assembly import Assembly, assemble
from cloudops.commands.init_repo import scaffold
from controller.service.context import WebhookTarget
from controller.settings import Settings

if TYPE_CHECKING:
    from sandbox.forge.background import BackgroundForge

REPO = "infra"
BOT, ADMIN = "cloudops-bot", "alice"  # alice is an admin in repo_template/cloudops.yaml
WEBHOOK_EVENTS = ["push", "pull_request", "pull_request_review", "issue_comment", "merge_group"]


@dataclass
class Embedded:
    forge: BackgroundForge
    assembly: Assembly
    full_name: str
    admin: github.Github  # alice's PyGithub client

    @property
    def app(self) -> ControllerApp:
        return self.assembly.app

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
    """Create owner/infra on the forge with repo_template/ on main, once; return its full name."""
    owner = github.Github(base_url=forge.api_url, auth=github.Auth.Token(forge.owner_token),
                          seconds_between_requests=None, seconds_between_writes=None)
    full_name = f"{forge.owner_login}/{REPO}"
    try:
        owner.get_repo(full_name)
        return full_name  # a restart on the same data dir: the repo and its history are already there
    except github.UnknownObjectException:
        pass
    owner.get_user().create_repo(REPO, auto_init=True)
    clone = workdir / "seed"
    if clone.exists():
        shutil.rmtree(clone)  # left by a first start that stopped before pushing
    template = workdir / "template"
    if template.exists():
        shutil.rmtree(template)
    _git(workdir, "clone", "-q", forge.git_url(forge.owner_login, REPO, forge.owner_token), str(clone))
    scaffold(template)
    _one_person_approves(template / "cloudops.yaml")
    for path in template.rglob("*"):
        if path.is_file():
            target = clone / path.relative_to(template)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    _git(clone, "add", "-A")
    _git(clone, "-c", "user.name=Cloud ChatOps", "-c", "user.email=cloudops@example.invalid",
         "commit", "-q", "-m", "Scaffold the infra repo from repo_template")
    _git(clone, "push", "-q", "origin", "HEAD:main")
    return full_name


def point_webhook(repo, url: str, secret: str) -> None:
    """The repo's one webhook to this start's controller (its port and secret change every start)."""
    config = {"url": url, "content_type": "json", "secret": secret, "insecure_ssl": "0"}
    hooks = list(repo.get_hooks())
    if hooks:
        hooks[0].edit("web", config, events=WEBHOOK_EVENTS, active=True)
        for stale in hooks[1:]:
            stale.delete()
    else:
        repo.create_hook("web", config, WEBHOOK_EVENTS, True)


@asynccontextmanager
async def embedded(data_dir: Path) -> AsyncIterator[Embedded]:
    """The forge, the infra repo and the assembled controller + chat, all under ``data_dir``."""
    from sandbox.forge.background import BackgroundForge

    data_dir.mkdir(parents=True, exist_ok=True)
    bot_token, admin_token = "lf_" + secrets.token_hex(20), "lf_" + secrets.token_hex(20)
    with BackgroundForge(data_dir / "forge", tokens={bot_token: BOT, admin_token: ADMIN}) as forge:
        full_name = await asyncio.to_thread(seed_repo, forge, data_dir)
        settings = replace(Settings.from_env(), data_dir=data_dir / "controller")
        config = ControllerConfig(settings=settings, github_token=bot_token, webhook_secret=secrets.token_hex(16),
                                  repos=(full_name,), api_url=forge.api_url, bot_login=BOT, create_vault_key=True)
        admin = github.Github(base_url=forge.api_url, auth=github.Auth.Token(admin_token),
                              seconds_between_requests=None, seconds_between_writes=None)
        # The chat registers the webhook itself on /cloud-init; the URL is known once the controller listens.
        async with assemble(config) as assembly:
            world = Embedded(forge, assembly, full_name, admin)
            assembly.chatops.ctx.webhook = WebhookTarget(assembly.app.webhook_url, config.webhook_secret)
            repo = await asyncio.to_thread(world.admin_repo)
            await asyncio.to_thread(point_webhook, repo, assembly.app.webhook_url, config.webhook_secret)
            yield world


def _one_person_approves(config: Path) -> None:
    """The embedded default has one person, who asks and approves: their own approval counts there.

    A real repo (``cloudops init-repo``) keeps the template's ``allow_self_approval: false``."""
    text = config.read_text()
    config.write_text(text.replace(
        "allow_self_approval: false",
        "allow_self_approval: true   # the embedded default has one person; a team repo says false", 1))
