"""The embedded default, end to end: `cloudops demo`.

Starts the local forge and the controller, makes an infra repo from
``repo_template/``, and walks one change through the whole product the way
people would: the bot opens a PR with rendered local-target resources, the
controller plans and prices it, an admin approves, the apply streams live,
the PR is merged, history shows it, and a rollback goes back through a
revert PR and the same pipeline. Nothing here decides anything: it only
drives the real pieces and prints what they say.
"""

from __future__ import annotations

import asyncio
import re
import secrets
import subprocess
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from pathlib import Path

import github
from rich.console import Console
from rich.live import Live
from rich.markdown import Markdown
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from .app import ControllerApp, ControllerConfig
from .catalog.render import render_resource
from .catalog.specs import BucketSpec, Target, VmSpec
from .commands.init_repo import scaffold
from .errors import CloudOpsError
from .forge import markers
from .forge.base import Author
from .pipeline import notices, rollback
from .settings import Settings

PROJECT = "example"
REPO = "infra"
BOT, ADMIN = "cloudops-bot", "alice"
_MARKER_LINE = re.compile(r"^<!-- cloudops:[^>]*-->\n?", re.MULTILINE)


@dataclass
class DemoWorld:
    forge: object  # sandbox.forge.background.BackgroundForge
    app: ControllerApp
    admin: github.Github
    full_name: str
    console: Console

    async def settle(self) -> None:
        for _ in range(3):
            await asyncio.to_thread(self.forge.run, self.forge.forge.drain_webhooks())
            await self.app.settle()

    def comment(self, number: int, key: str) -> str:
        wanted = markers.marker(key)
        issue = self.admin.get_repo(self.full_name).get_issue(number)
        bodies = [c.body for c in issue.get_comments() if c.body.startswith(wanted)]
        if not bodies:
            raise CloudOpsError(f"demo: no `{key}` comment on #{number}; the controller did not answer")
        return _MARKER_LINE.sub("", bodies[-1])


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def _seed_repo(forge, workdir: Path) -> str:
    owner = github.Github(base_url=forge.api_url, auth=github.Auth.Token(forge.owner_token),
                          seconds_between_requests=None, seconds_between_writes=None)
    owner.get_user().create_repo(REPO, auto_init=True)
    clone = workdir / "seed"
    _git(workdir, "clone", "-q", forge.git_url(forge.owner_login, REPO, forge.owner_token), str(clone))
    scaffold_dir = workdir / "template"
    scaffold(scaffold_dir)
    for path in scaffold_dir.rglob("*"):
        if path.is_file():
            target = clone / path.relative_to(scaffold_dir)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    _git(clone, "add", "-A")
    _git(clone, "-c", "user.name=Cloud ChatOps demo", "-c", "user.email=demo@example.invalid",
         "commit", "-q", "-m", "Scaffold the infra repo from repo_template")
    _git(clone, "push", "-q", "origin", "HEAD:main")
    return f"{forge.owner_login}/{REPO}"


def _request_resources(requested_by: str) -> dict[str, str]:
    """What a person asked for in chat, rendered as the bot would."""
    specs = [
        VmSpec(name="api", project=PROJECT, target=Target.LOCAL, region="local-1", requested_by=requested_by, size="medium"),
        BucketSpec(name="reports", project=PROJECT, target=Target.LOCAL, region="local-1", requested_by=requested_by,
                   storage_class="infrequent"),
    ]
    return {f"projects/{PROJECT}/{name}": text for name, text in (render_resource(spec) for spec in specs)}


async def _apply_with_live_bar(world: DemoWorld, trigger: Callable[[], Awaitable[None]]) -> notices.ApplyFinished:
    """Run ``trigger`` (an approval) and draw the apply's progress events as they arrive."""
    finished: list[notices.ApplyFinished] = []
    with Live(Text("waiting for the apply to start…"), console=world.console, refresh_per_second=8,
              transient=not world.console.is_terminal) as live:
        unsubscribe = [
            world.app.bus.subscribe(notices.ApplyProgress, lambda e: live.update(Text(e.rendered))),
            world.app.bus.subscribe(notices.ApplyFinished, lambda e: (finished.append(e), live.update(Text(e.rendered)))),
        ]
        try:
            await trigger()
            await world.settle()
        finally:
            for stop in unsubscribe:
                stop()
    if not finished:
        raise CloudOpsError("demo: the apply did not run; see the apply comment above")
    if not world.console.is_terminal:
        world.console.print(finished[-1].rendered)
    return finished[-1]


async def run_demo(console: Console, data_dir: Path) -> int:
    from sandbox.forge.background import BackgroundForge

    bot_token, admin_token = "lf_demo_" + secrets.token_hex(16), "lf_demo_" + secrets.token_hex(16)
    step = _Steps(console)
    with BackgroundForge(data_dir / "forge", tokens={bot_token: BOT, admin_token: ADMIN}) as forge:
        step("Local forge", f"GitHub-compatible API at {forge.api_url}")
        full_name = await asyncio.to_thread(_seed_repo, forge, data_dir)
        step("Infra repo", f"{full_name} scaffolded from repo_template/ (cloudops.yaml, projects/{PROJECT})")
        settings = replace(Settings.from_env(), data_dir=data_dir / "controller")
        config = ControllerConfig(settings=settings, github_token=bot_token, webhook_secret=secrets.token_hex(16),
                                  repos=(full_name,), api_url=forge.api_url, bot_login=BOT)
        async with ControllerApp(config) as app:
            admin = github.Github(base_url=forge.api_url, auth=github.Auth.Token(admin_token),
                                  seconds_between_requests=None, seconds_between_writes=None)

            def forge_repo():  # the admin's view of the repo, through PyGithub
                return admin.get_repo(full_name)

            repo = await asyncio.to_thread(forge_repo)
            await asyncio.to_thread(repo.create_hook, "web", {"url": app.webhook_url, "content_type": "json",
                                                               "secret": config.webhook_secret},
                                    ["push", "pull_request", "pull_request_review", "issue_comment"], True)
            world = DemoWorld(forge, app, admin, full_name, console)
            step("Controller", f"webhooks at {app.webhook_url}, terraform from `cloudops doctor`'s toolchain")

            ctx = app.pipeline.ctx
            files = _request_resources(requested_by="bob")
            branch = "cloudops/bob/demo-api"
            await asyncio.to_thread(ctx.forge.create_branch, full_name, branch, "main")
            await asyncio.to_thread(ctx.forge.commit_files, full_name, branch, files,
                                    "Add vm api and bucket reports to example (requested by bob in chat)",
                                    Author("bob", "bob@users.noreply.github.com"), data_dir / "bot-clone")
            pull = await asyncio.to_thread(ctx.forge.open_pull_request, full_name, title="example: add vm api, bucket reports",
                                           body="Requested in chat by @bob.", head=branch, base="main")
            step("Pull request", f"#{pull.number} opened by the bot with {', '.join(sorted(files))}")
            await world.settle()
            console.print(Panel(Markdown(world.comment(pull.number, f"plan:{PROJECT}")), title=f"Plan comment on #{pull.number}"))

            result = await _apply_with_live_bar(world, lambda: asyncio.to_thread(
                forge_repo().get_issue(pull.number).create_comment, f"cloudops apply -p {PROJECT}"))
            step("Approved & applied", f"@{ADMIN} commented `cloudops apply -p {PROJECT}`: {result.summary}")
            if not result.succeeded:
                return 1
            await asyncio.to_thread(lambda: forge_repo().get_pull(pull.number).merge())
            await world.settle()
            step("Merged", f"#{pull.number} merged; the project lock is released")

            entries = await rollback.history(ctx, full_name, PROJECT)
            console.print(_history_table(entries))

            back = await rollback.rollback(ctx, full_name, PROJECT, actor=ADMIN, pr=pull.number)
            await world.settle()
            step("Rollback", f"revert PR #{back.pr_number} opened; it goes through the same pipeline")
            console.print(Panel(Markdown(world.comment(back.pr_number, f"plan:{PROJECT}")), title=f"Plan comment on #{back.pr_number}"))
            result = await _apply_with_live_bar(world, lambda: asyncio.to_thread(
                forge_repo().get_issue(back.pr_number).create_comment, f"cloudops apply -p {PROJECT}"))
            step("Rolled back", result.summary)
            if not result.succeeded:
                return 1
            await asyncio.to_thread(lambda: forge_repo().get_pull(back.pr_number).merge())
            await world.settle()
            saves = await ctx.state.history(full_name, PROJECT)
            step("Git holds the story", f"{len(saves)} encrypted state commits on `cloudops-state`: "
                 + "; ".join(c.subject for c in saves))
    console.print("[bold green]demo finished[/]")
    return 0


def _history_table(entries: list[rollback.HistoryEntry]) -> Table:
    table = Table(title=f"cloudops history {PROJECT}")
    for column in ("PR", "title", "approved by", "applies"):
        table.add_column(column)
    for e in entries:
        table.add_row(f"#{e.pr_number}" if e.pr_number else e.merge_sha[:12], e.title, ", ".join(e.approvers) or "—",
                      ", ".join(a.status + (f" by {a.actor}" if a.actor else "") for a in e.applies) or "—")
    return table


class _Steps:
    def __init__(self, console: Console) -> None:
        self.console = console
        self.n = 0

    def __call__(self, title: str, detail: str) -> None:
        self.n += 1
        self.console.print(f"[bold cyan]{self.n:>2}. {title}[/] — {detail}")


def main_demo(data_dir: Path | None) -> int:
    console = Console(highlight=False, soft_wrap=True)
    if not console.is_terminal:
        console = Console(highlight=False, soft_wrap=True, width=120)  # logs and CI: wide enough for the tables
    if data_dir is not None:
        data_dir.mkdir(parents=True, exist_ok=True)
        if any(data_dir.iterdir()):
            raise CloudOpsError(f"demo: {data_dir} is not empty", hint="give a new directory or leave --data-dir out")
        return asyncio.run(run_demo(console, data_dir))
    with tempfile.TemporaryDirectory(prefix="cloudops-demo-") as tmp:
        return asyncio.run(run_demo(console, Path(tmp)))
