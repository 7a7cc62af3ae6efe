"""The one module that starts terraform.

Every command runs in its own session (process group), with the scrubbed
environment of ``environment.build_env`` and the run's HOME, and streams its
``-json`` stdout line by line through ``events.parse_event`` to ``on_event``
while terraform runs. Stderr is kept (bounded) for error messages.

Terraform's stdout and stderr are files in the run directory
(``.cloudops-log/<command>.out|.err``, 0600, see ``output_log``), read as they
grow — not pipes, so terraform outlives a controller that dies. ``on_start(pid)`` is called as soon as the process
exists, before any output is read, so the caller records the pid (= the
process group) next to the run directory it recorded before starting.

Stopping: on a timeout, a ``cancel`` event, a task cancellation or any other
exception, the whole process group gets SIGINT (terraform's graceful stop,
as on Ctrl-C; under the sandbox bwrap's own processes are spared, see
``processes``), then after ``interrupt_grace`` SIGTERM, then SIGKILL; once
terraform has exited, whatever is left of its group (a provisioner's
grandchild) is killed too. No process outlives the call.

Cancellation contract:

* ``cancel`` (an ``asyncio.Event`` passed by the caller, e.g. a "cancel
  apply" button) set while terraform runs → terraform is stopped and
  ``TerraformCancelled`` is raised: an outcome to report.
* the calling task being cancelled → terraform is stopped, then
  ``asyncio.CancelledError`` propagates unchanged, as asyncio expects.
* the time limit passing → terraform is stopped and ``TerraformTimeout`` is
  raised.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import json
import logging
import os
import signal
import subprocess
import tempfile
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import (
    ApplyFailed,
    DiagnosticRef,
    InitFailed,
    PlanFailed,
    ShowFailed,
    TerraformCancelled,
    TerraformError,
    TerraformNotFound,
    TerraformTimeout,
)
from . import environment, events
from .events import ChangeSummary, Diagnostic, PlannedChange
from .output_log import EventCallback, log_paths, private_file, tail_all, tail_events, tail_of
from .processes import group_alive, signal_group
from .workspace import home_for

if TYPE_CHECKING:
    from ..settings import Settings
    from .toolchain import Toolchain

log = logging.getLogger(__name__)

StartCallback = Callable[[int], "Awaitable[None] | None"]  # called with terraform's pid (= its process group)
STDERR_LIMIT = 64 * 1024  # bytes of stderr kept (the tail) for messages


@dataclass(frozen=True)
class CommandResult:
    """What one terraform command did."""

    args: tuple[str, ...]
    exit_code: int
    duration: float
    events: tuple[events.TerraformEvent, ...] = ()
    stdout: str = ""  # only for commands without -json (init, show)
    stderr: str = ""

    @property
    def diagnostics(self) -> tuple[Diagnostic, ...]:
        return tuple(e for e in self.events if isinstance(e, events.Diagnostic))


@dataclass(frozen=True)
class InitResult:
    exit_code: int
    duration: float
    output: str


@dataclass(frozen=True)
class PlanResult:
    plan_file: Path
    exit_code: int
    duration: float
    events: tuple[events.TerraformEvent, ...]
    change_summary: ChangeSummary | None
    planned_changes: tuple[PlannedChange, ...]
    diagnostics: tuple[Diagnostic, ...]  # warnings (errors raise PlanFailed)
    destroy: bool = False

    @property
    def has_changes(self) -> bool:
        return self.exit_code == 2 or bool(self.change_summary and self.change_summary.total)


@dataclass(frozen=True)
class ApplyResult:
    exit_code: int
    duration: float
    events: tuple[events.TerraformEvent, ...]
    change_summary: ChangeSummary | None
    diagnostics: tuple[Diagnostic, ...]
    # Non-sensitive outputs only: a sensitive value never leaves the runner.
    outputs: dict[str, Any] = field(default_factory=dict)
    applied: tuple[str, ...] = ()  # addresses whose apply completed


def probe_version(binary: Path, timeout: float = 30.0) -> str:
    """``terraform version -json`` → "1.0.3" (synchronous: used while resolving the toolchain)."""
    with tempfile.TemporaryDirectory(prefix="cloudops-tf-version-") as home:
        env = environment.build_env(os.environ, home=Path(home), cli_config=Path(os.devnull))
        try:
            done = subprocess.run(
                [str(binary), "version", "-json"],
                env=env, cwd=home, capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL, check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise TerraformNotFound(f"running `{binary} version -json`: {exc}") from exc
    try:
        version = str(json.loads(done.stdout)["terraform_version"])
    except (ValueError, KeyError, TypeError):
        detail = (done.stderr or done.stdout).decode("utf-8", "replace").strip()[-500:]
        raise TerraformNotFound(
            f"running `{binary} version -json`: exit {done.returncode}, not a terraform >= 1.0 answer: {detail!r}"
        ) from None
    return version


class TerraformRunner:
    """Runs terraform commands for one toolchain; safe to share between tasks."""

    def __init__(self, toolchain: Toolchain, settings: Settings) -> None:
        self.toolchain = toolchain
        self.settings = settings

    # --- commands ------------------------------------------------------------

    async def init(self, workdir: Path, *, extra_env: Mapping[str, str] | None = None,
                   timeout: float | None = None, cancel: asyncio.Event | None = None,
                   on_start: StartCallback | None = None) -> InitResult:
        """``terraform init`` against the provider mirror (never the network for mirrored providers)."""
        args = ("init", "-input=false", "-no-color")
        result = await self._run(args, workdir, json_stream=False, timeout=timeout or self.settings.plan_timeout,
                                 on_event=None, extra_env=extra_env, cancel=cancel, on_start=on_start)
        if result.exit_code != 0:
            diagnostics = [_ref(d) for d in events.parse_text_diagnostics(result.stderr)]
            located = any(d.location() for d in diagnostics)
            raise InitFailed(_message(f"initializing {workdir}", diagnostics, result), diagnostics=diagnostics,
                             hint=PlanFailed.hint if located else "")
        return InitResult(exit_code=result.exit_code, duration=result.duration, output=result.stdout)

    async def plan(self, workdir: Path, plan_file: Path, *, destroy: bool = False, on_event: EventCallback | None = None,
                   timeout: float | None = None, extra_env: Mapping[str, str] | None = None,
                   cancel: asyncio.Event | None = None, on_start: StartCallback | None = None) -> PlanResult:
        """``terraform plan -out`` with the event stream; ``destroy=True`` plans a destroy."""
        args: tuple[str, ...] = ("plan", "-json", "-input=false", "-detailed-exitcode", f"-out={plan_file}")
        if destroy:
            args += ("-destroy",)
        result = await self._run(args, workdir, json_stream=True, timeout=timeout or self.settings.plan_timeout,
                                 on_event=on_event, extra_env=extra_env, cancel=cancel, on_start=on_start)
        errors = [d for d in result.diagnostics if d.severity == "error"]
        if result.exit_code not in (0, 2) or errors:
            refs = [_ref(d) for d in errors]
            raise PlanFailed(_message(f"planning {workdir}", refs, result), diagnostics=refs)
        return PlanResult(
            plan_file=plan_file,
            exit_code=result.exit_code,
            duration=result.duration,
            events=result.events,
            change_summary=_last(result.events, events.ChangeSummary),
            planned_changes=tuple(e for e in result.events if isinstance(e, events.PlannedChange)),
            diagnostics=result.diagnostics,
            destroy=destroy,
        )

    async def show_plan(self, workdir: Path, plan_file: Path, *, timeout: float | None = None) -> dict[str, Any]:
        """``terraform show -json PLANFILE``: the plan document policies and cost read."""
        args = ("show", "-json", "-no-color", str(plan_file))
        result = await self._run(args, workdir, json_stream=False, timeout=timeout or self.settings.plan_timeout,
                                 on_event=None, extra_env=None, cancel=None)
        try:
            document = json.loads(result.stdout) if result.exit_code == 0 else None
        except ValueError:
            document = None
        if not isinstance(document, dict):
            diagnostics = [_ref(d) for d in events.parse_text_diagnostics(result.stderr)]
            raise ShowFailed(_message(f"reading plan {plan_file}", diagnostics, result), diagnostics=diagnostics)
        return document

    async def apply(self, workdir: Path, plan_file: Path, *, on_event: EventCallback | None = None,
                    timeout: float | None = None, extra_env: Mapping[str, str] | None = None,
                    cancel: asyncio.Event | None = None, on_start: StartCallback | None = None) -> ApplyResult:
        """``terraform apply`` of a saved plan file, and nothing else (no implicit re-plan)."""
        if not (workdir / plan_file).is_file():
            raise ApplyFailed(f"applying {workdir}: plan file {plan_file} does not exist",
                              hint="plan first; apply only runs a saved, reviewed plan")
        args = ("apply", "-json", "-input=false", str(plan_file))
        result = await self._run(args, workdir, json_stream=True, timeout=timeout or self.settings.apply_timeout,
                                 on_event=on_event, extra_env=extra_env, cancel=cancel, on_start=on_start)
        errors = [d for d in result.diagnostics if d.severity == "error"]
        if result.exit_code != 0 or errors:
            failed = _failed_resources(result.events)
            refs = [_ref(d) for d in errors]
            what = f"applying {workdir}" + (f": {', '.join(failed)} failed" if failed else "")
            raise ApplyFailed(_message(what, refs, result), diagnostics=refs, failed_resources=failed,
                              hint="resources applied before the error are kept in the state; fix and plan again")
        outputs_event = _last(result.events, events.OutputsEvent)
        return ApplyResult(
            exit_code=result.exit_code,
            duration=result.duration,
            events=result.events,
            change_summary=_last(result.events, events.ChangeSummary),
            diagnostics=result.diagnostics,
            outputs={o.name: o.value for o in outputs_event.outputs if not o.sensitive} if outputs_event else {},
            applied=tuple(e.resource.addr for e in result.events if isinstance(e, events.ApplyComplete)),
        )

    # --- process handling --------------------------------------------------------

    async def _run(self, args: tuple[str, ...], workdir: Path, *, json_stream: bool, timeout: float,
                   on_event: EventCallback | None, extra_env: Mapping[str, str] | None,
                   cancel: asyncio.Event | None, on_start: StartCallback | None = None) -> CommandResult:
        if not workdir.is_dir():
            raise TerraformError(f"running terraform {args[0]}: working directory {workdir} does not exist")
        env = environment.build_env(
            os.environ, home=home_for(workdir), cli_config=self.toolchain.cli_config,
            passthrough=self.settings.terraform_env_passthrough, extra=extra_env,
        )
        tool = self.toolchain
        if tool.sandbox.active and not tool.binary.is_file():  # bwrap would only say it cannot bind it
            raise TerraformNotFound(f"running terraform {args[0]}: cannot execute {tool.binary}: No such file or directory")
        argv = tool.sandbox.wrap([str(tool.binary.resolve()), *args], workdir=workdir,
                                 read_only=(tool.binary, tool.mirror_dir, tool.cli_config))
        out_path, err_path = log_paths(workdir, args[0])
        log.info("running terraform %s in %s%s", " ".join(args), workdir, " (sandboxed)" if tool.sandbox.active else "")
        started = time.monotonic()
        with private_file(out_path) as out, private_file(err_path) as err:
            try:
                proc = await asyncio.create_subprocess_exec(
                    *argv, cwd=workdir, env=env, start_new_session=True,
                    stdin=asyncio.subprocess.DEVNULL, stdout=out, stderr=err,
                )
            except OSError as exc:
                raise TerraformNotFound(f"running terraform {args[0]}: cannot execute {self.toolchain.binary}: {exc.strerror}") from exc
        collected: list[events.TerraformEvent] = []
        stdout_chunks: list[bytes] = []
        stop_reason: str | None = None
        readers: list[asyncio.Future[None]] = []
        try:
            if on_start is not None:
                outcome = on_start(proc.pid)
                if inspect.isawaitable(outcome):
                    await outcome
            readers = [
                asyncio.ensure_future(tail_events(out_path, proc, on_event, collected) if json_stream
                                      else tail_all(out_path, proc, stdout_chunks)),
            ]
            stop_reason = await _wait(proc, readers, timeout, cancel)
        except BaseException as exc:
            reason = "task cancelled" if isinstance(exc, asyncio.CancelledError) else f"error: {type(exc).__name__}"
            await asyncio.shield(self._stop(proc, readers, reason))
            raise
        if stop_reason is not None:
            await asyncio.shield(self._stop(proc, readers, stop_reason))
        else:
            await _sweep(proc.pid)
            await asyncio.gather(*readers)
        duration = time.monotonic() - started
        stderr = tail_of(err_path, STDERR_LIMIT).decode("utf-8", "replace")
        result = CommandResult(args=args, exit_code=proc.returncode if proc.returncode is not None else -1,
                               duration=duration, events=tuple(collected),
                               stdout=b"".join(stdout_chunks).decode("utf-8", "replace"), stderr=stderr)
        log.info("terraform %s in %s exited %s after %.1fs", args[0], workdir, result.exit_code, duration)
        if stop_reason == "timeout":
            raise TerraformTimeout(f"running terraform {args[0]} in {workdir}: no result after {timeout:g}s; stopped it")
        if stop_reason == "cancel":
            raise TerraformCancelled(f"running terraform {args[0]} in {workdir}: cancelled; stopped it")
        return result

    async def _stop(self, proc: asyncio.subprocess.Process, readers: list[asyncio.Future[None]], reason: str) -> None:
        """SIGINT the group, then SIGTERM, then SIGKILL; then kill what is left of the group."""
        grace = self.settings.interrupt_grace
        log.warning("stopping terraform (pid %s, %s): SIGINT, then SIGTERM/SIGKILL after %gs", proc.pid, reason, grace)
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
            if proc.returncode is not None:
                break
            signal_group(proc.pid, sig)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(proc.wait(), grace if sig != signal.SIGKILL else None)
        await _sweep(proc.pid, grace=0)
        # Every writer is gone: let the readers deliver what terraform printed while stopping.
        _, pending = await asyncio.wait(readers, timeout=max(grace, 1.0))
        for reader in pending:
            reader.cancel()
        await asyncio.gather(*readers, return_exceptions=True)


async def _wait(proc: asyncio.subprocess.Process, readers: list[asyncio.Future[None]], timeout: float,
                cancel: asyncio.Event | None) -> str | None:
    """Wait for terraform's exit; return why it must be stopped ('timeout'/'cancel') or None."""
    exited = asyncio.ensure_future(proc.wait())
    watchers: set[asyncio.Future[Any]] = {exited, *readers}
    cancelled = asyncio.ensure_future(cancel.wait()) if cancel is not None else None
    if cancelled is not None:
        watchers.add(cancelled)
    deadline = time.monotonic() + timeout
    try:
        while not exited.done():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return "timeout"
            done, _ = await asyncio.wait(watchers, timeout=remaining, return_when=asyncio.FIRST_COMPLETED)
            for future in done:
                watchers.discard(future)
                if future is cancelled:
                    return "cancel"
                if future in readers and future.exception() is not None:
                    raise future.exception()  # type: ignore[misc]  # e.g. on_event raised
        return None
    finally:
        if cancelled is not None:
            cancelled.cancel()
        if not exited.done():
            exited.cancel()


async def _sweep(pgid: int, grace: float = 0.5) -> None:
    """Kill what is left of terraform's group after it exited (a provisioner's background child)."""
    if not group_alive(pgid):
        return
    signal_group(pgid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and group_alive(pgid):
        await asyncio.sleep(0.05)
    signal_group(pgid, signal.SIGKILL)


def _last(items: tuple[events.TerraformEvent, ...], kind: type[Any]) -> Any:
    return next((e for e in reversed(items) if isinstance(e, kind)), None)


def _ref(diag: events.Diagnostic) -> DiagnosticRef:
    return DiagnosticRef(severity=diag.severity, summary=diag.summary, detail=diag.detail,
                         filename=diag.filename, line=diag.line)


def _failed_resources(items: tuple[events.TerraformEvent, ...]) -> list[str]:
    failed: list[str] = []
    for event in items:
        addr = ""
        if isinstance(event, events.ApplyErrored):
            addr = event.resource.addr
        elif isinstance(event, events.Diagnostic) and event.severity == "error":
            addr = event.address
        if addr and addr not in failed:
            failed.append(addr)
    return failed


def _message(what: str, diagnostics: list[DiagnosticRef], result: CommandResult) -> str:
    """'<what>: <summary> (file:line); …', or stderr's tail when no diagnostic explains it."""
    if diagnostics:
        parts = []
        for diag in diagnostics:
            where = f" ({diag.location()})" if diag.location() else ""
            detail = f": {diag.detail}" if diag.detail else ""
            parts.append(f"{diag.summary}{where}{detail}")
        return f"{what}: " + "; ".join(parts)
    stderr = result.stderr.strip()
    return f"{what}: terraform exited {result.exit_code}" + (f"; stderr: {stderr[-2000:]}" if stderr else "")
