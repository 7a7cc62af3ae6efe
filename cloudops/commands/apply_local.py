"""`cloudops apply-local PATH`: init, plan and apply one project directory.

The Foundation's end-to-end path without a forge: the managed toolchain,
a per-run workspace, a saved plan, and an apply of exactly that plan with a
live progress bar. State is kept per project path under the data dir, so a
second run shows "No changes" and `--destroy` removes what was applied.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import time
import uuid
from pathlib import Path

from rich.console import Console
from rich.live import Live
from rich.text import Text

from controller.pipeline import plan_diff
from controller.settings import Settings
from controller.terraform import events as ev
from controller.terraform.plan_parser import parse_plan
from controller.terraform.progress import ProgressTracker
from controller.terraform.runner import TerraformRunner
from controller.terraform.toolchain import resolve_toolchain
from controller.terraform.workspace import create_workspace

REFRESH_PER_SECOND = 4


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", type=Path, help="a directory of .tf files")
    parser.add_argument("--destroy", action="store_true", help="plan and apply a destroy of what was applied")
    parser.add_argument("--plan-only", action="store_true", help="stop after showing the plan")
    parser.add_argument("--keep-workspace", action="store_true", help="keep the run directory for inspection")


def _state_path(settings: Settings, project_dir: Path) -> Path:
    """Where this project's local state lives between runs (keyed by its absolute path)."""
    digest = hashlib.sha256(str(project_dir.resolve()).encode()).hexdigest()[:16]
    return settings.data_dir / "local-state" / f"{project_dir.resolve().name}-{digest}.tfstate"


async def run(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    console = Console(highlight=False, soft_wrap=True)
    toolchain = resolve_toolchain(settings)
    runner = TerraformRunner(toolchain, settings)
    run_id = f"local-{uuid.uuid4().hex[:12]}"
    workspace = create_workspace(settings, run_id, args.path)
    saved_state = _state_path(settings, args.path)
    if saved_state.exists():
        shutil.copy2(saved_state, workspace.state_file)
    try:
        console.print(f"[bold]Project[/] {args.path}  ·  run {run_id}  ·  terraform {toolchain.version}")
        await runner.init(workspace.workdir)
        await runner.plan(workspace.workdir, workspace.plan_file, destroy=args.destroy)
        plan = parse_plan(await runner.show_plan(workspace.workdir, workspace.plan_file))
        console.print(Text(plan_diff.render(plan)))
        if args.plan_only or not plan.has_changes:
            return 0
        code = await _apply_with_progress(runner, workspace.workdir, workspace.plan_file, plan, console)
        return code
    finally:
        # Keep whatever terraform recorded, also after a failed apply (partial state).
        if workspace.state_file.exists():
            saved_state.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(workspace.state_file, saved_state)
        if not args.keep_workspace:
            workspace.cleanup()


async def _apply_with_progress(runner: TerraformRunner, workdir: Path, plan_file: Path, plan, console: Console) -> int:
    tracker = ProgressTracker(plan, clock=time.monotonic)
    if not console.is_terminal:
        # Not a terminal (CI, a pipe): one line per step instead of redraws.
        def on_line(event: ev.TerraformEvent) -> None:
            tracker.feed(event)
            if isinstance(event, (ev.ApplyStart, ev.ApplyComplete, ev.ApplyErrored)):
                console.print(tracker.render())

        try:
            result = await runner.apply(workdir, plan_file, on_event=on_line)
        finally:
            console.print(tracker.render_final())
    else:
        with Live(Text(tracker.render()), console=console, refresh_per_second=REFRESH_PER_SECOND) as live:

            def on_event(event: ev.TerraformEvent) -> None:
                tracker.feed(event)
                live.update(Text(tracker.render()))

            try:
                result = await runner.apply(workdir, plan_file, on_event=on_event)
            finally:
                live.update(Text(tracker.render_final()))
    for name, value in sorted(result.outputs.items()):
        console.print(f"  output [bold]{name}[/] = {value!r}")
    return 0
