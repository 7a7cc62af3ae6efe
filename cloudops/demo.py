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
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

from rich.console import Console
from rich.live import Live
from rich.markdown import Markdown
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from controller import gitops
from controller.catalog.render import render_resource
from controller.catalog.specs import BucketSpec, Target, VmSpec
from cloudops.embedded import ADMIN, Embedded, embedded
from controller.errors import CloudOpsError
from controller.forge import markers
from controller.forge.base import Author
from controller.pipeline import notices, rollback

PROJECT = "example"
_MARKER_LINE = re.compile(r"^<!-- cloudops:[^>]*-->\n?", re.MULTILINE)


def _request_resources(requested_by: str) -> dict[str, str]:
    """What a person asked for in chat, rendered as the bot would."""
    specs = [
        VmSpec(name="api", project=PROJECT, target=Target.LOCAL, region="local-1", requested_by=requested_by, size="medium"),
        BucketSpec(name="reports", project=PROJECT, target=Target.LOCAL, region="local-1", requested_by=requested_by,
                   storage_class="infrequent"),
    ]
    return {f"projects/{PROJECT}/{name}": text for name, text in (render_resource(spec) for spec in specs)}


async def _apply_with_live_bar(world: Embedded, trigger: Callable[[], Awaitable[None]], console: Console) -> notices.ApplyFinished:
    """Run ``trigger`` (an approval) and draw the apply's progress events as they arrive."""
    finished: list[notices.ApplyFinished] = []
    with Live(Text("waiting for the apply to start…"), console=console, refresh_per_second=8,
              transient=not console.is_terminal) as live:
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
    if not console.is_terminal:
        console.print(finished[-1].rendered)
    return finished[-1]


async def _merged(world: Embedded, number: int) -> str:
    """The template's project merges itself once applied (`automerge: true`); otherwise merge it as the admin."""
    await world.settle()
    if await asyncio.to_thread(lambda: world.admin_repo().get_pull(number).merged):
        return f"#{number} merged by the controller after its apply (`automerge: true`); the project lock is released"
    await asyncio.to_thread(lambda: world.admin_repo().get_pull(number).merge())
    await world.settle()
    return f"#{number} merged by @{ADMIN}; the project lock is released"


def _comment(world: Embedded, number: int, key: str) -> str:
    wanted = markers.marker(key)
    bodies = [c.body for c in world.admin_repo().get_issue(number).get_comments() if c.body.startswith(wanted)]
    if not bodies:
        raise CloudOpsError(f"demo: no `{key}` comment on #{number}; the controller did not answer")
    return _MARKER_LINE.sub("", bodies[-1])


async def run_demo(console: Console, data_dir: Path) -> int:
    step = _Steps(console)
    async with embedded(data_dir) as world:
        full_name, app = world.full_name, world.app
        step("Local forge", f"GitHub-compatible API at {world.forge.api_url}")
        step("Infra repo", f"{full_name} scaffolded from repo_template/ (cloudops.yaml, projects/{PROJECT})")
        step("Controller", f"webhooks at {app.webhook_url}, terraform from `cloudops doctor`'s toolchain")

        if app.pipeline is None:
            raise CloudOpsError("demo: the controller did not start its pipeline")
        ctx = app.pipeline.ctx
        files = _request_resources(requested_by="bob")
        branch = "cloudops/bob/demo-api"
        change = gitops.ProposedChange(
            branch=branch, base="main", files=files, author=Author("bob", "bob@users.noreply.github.com"),
            message="Add vm api and bucket reports to example (requested by bob in chat)",
            title="example: add vm api, bucket reports", body="Requested in chat by @bob.")
        pull = (await asyncio.to_thread(gitops.propose, ctx.forge, full_name, change, data_dir / "bot-clone")).pull
        step("Pull request", f"#{pull.number} opened by the bot with {', '.join(sorted(files))}")
        await world.settle()
        plan = await asyncio.to_thread(_comment, world, pull.number, f"plan:{PROJECT}")
        console.print(Panel(Markdown(plan), title=f"Plan comment on #{pull.number}"))

        result = await _apply_with_live_bar(world, lambda: asyncio.to_thread(
            lambda: world.admin_repo().get_issue(pull.number).create_comment(f"cloudops apply -p {PROJECT}")), console)
        step("Approved & applied", f"@{ADMIN} commented `cloudops apply -p {PROJECT}`: {result.summary}")
        if not result.succeeded:
            return 1
        step("Merged", await _merged(world, pull.number))

        entries = await rollback.history(ctx, full_name, PROJECT)
        console.print(_history_table(entries))

        back = await rollback.rollback(ctx, full_name, PROJECT, actor=ADMIN, pr=pull.number)
        await world.settle()
        step("Rollback", f"revert PR #{back.pr_number} opened; it goes through the same pipeline")
        plan = await asyncio.to_thread(_comment, world, back.pr_number, f"plan:{PROJECT}")
        console.print(Panel(Markdown(plan), title=f"Plan comment on #{back.pr_number}"))
        result = await _apply_with_live_bar(world, lambda: asyncio.to_thread(
            lambda: world.admin_repo().get_issue(back.pr_number).create_comment(f"cloudops apply -p {PROJECT}")), console)
        step("Rolled back", result.summary)
        if not result.succeeded:
            return 1
        step("Merged", await _merged(world, back.pr_number))
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
