"""Publish check runs beside the commit statuses, for GitHub App installs.

A subscriber of the pipeline's events (``PlanStarted``, ``PlanReady``,
``PlanFailed``, ``LockContended``, ``ApplyStarted``, ``ApplyFinished``): the
planner and applier stay as they are and keep their statuses (a branch
protection rule or merge queue may require ``cloudops/plan``); where the forge
client can write checks (a GitHub App), each event also creates or updates
the project's check run. The events come through the redacting bus and the
runs go out through the redacting forge, so no secret reaches a check run.

A failure to publish a check is logged and never fails the plan: the
comment and the statuses already tell the story.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import tempfile
from pathlib import Path
from typing import Any

from ..bus import EventBus
from ..errors import CloudOpsError
from ..forge.base import CheckRunSpec
from . import checks, notices
from .repo_source import RepoSource

log = logging.getLogger(__name__)


def project_files(source: RepoSource, sha: str, project: str) -> dict[str, str]:
    """The project's ``.tf`` files at ``sha`` (path relative to the project → text)."""
    tmp = Path(tempfile.mkdtemp(prefix="cloudops-check-"))
    try:
        root = source.export_project(sha, project, tmp / "p")
        return {str(p.relative_to(root)): p.read_text(encoding="utf-8", errors="replace")
                for p in sorted(root.rglob("*.tf")) if p.is_file()}
    except CloudOpsError:
        return {}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


class CheckRunReporter:
    def __init__(self, forge: Any, sources: dict[str, RepoSource]) -> None:
        self.forge = forge
        self.sources = sources
        self._ids: dict[tuple[str, str, str], int] = {}  # (repo, sha, check name) → check run id
        self._locks: dict[tuple[str, str, str], asyncio.Lock] = {}  # one writer per check run

    def subscribe(self, bus: EventBus) -> None:
        for kind in (notices.PlanStarted, notices.PlanReady, notices.PlanFailed, notices.LockContended,
                     notices.ApplyStarted, notices.ApplyFinished):
            bus.subscribe(kind, self.on_event)

    async def on_event(self, event: notices.PipelineEvent) -> None:
        if not getattr(self.forge, "supports_checks", False):
            return
        try:
            spec = await self._spec(event)
            if spec is not None:
                await self.publish(event.repo, event.head_sha, spec)
        except CloudOpsError as exc:
            log.warning("publishing the check run of %s/%s: %s", event.repo, event.project, exc)

    async def _spec(self, event: notices.PipelineEvent) -> CheckRunSpec | None:
        project, pr = event.project, event.pr_number
        prefix = f"projects/{project}"
        if isinstance(event, notices.PlanStarted):
            return checks.plan_started(project, pr)
        if isinstance(event, notices.PlanReady):
            annotations: tuple = ()
            source = self.sources.get(event.repo)
            if event.violations and source is not None:
                files = await asyncio.to_thread(project_files, source, event.head_sha, project)
                annotations = checks.policy_annotations(event.violations, files, prefix)
            facts = checks.PlanFacts(
                project=project, pr_number=pr, run_id=event.run_id,
                summary_line=event.summary_line or ("No changes." if not event.has_changes else
                                                    f"Plan: {event.add} to add, {event.change} to change, "
                                                    f"{event.destroy} to destroy."),
                diff_text=event.diff_text, has_changes=event.has_changes, apply_on=event.apply_on,
                policy_passed=event.policy_passed, policy_summary=event.policy_summary,
                policy_markdown=event.policy_markdown, policy_overridable=event.policy_overridable,
                cost_summary=event.cost_summary)
            return checks.plan_ready(facts, annotations)
        if isinstance(event, notices.PlanFailed):
            return checks.plan_failed(project, pr, event.message, checks.diagnostic_annotations(event.diagnostics, prefix),
                                      timed_out=event.timed_out)
        if isinstance(event, notices.LockContended):
            return checks.plan_locked(project, pr, event.holder_pr)
        if isinstance(event, notices.ApplyStarted):
            return checks.apply_started(project, pr, event.actor, event.total)
        if isinstance(event, notices.ApplyFinished):
            return checks.apply_finished(project, pr, succeeded=event.succeeded, cancelled=event.cancelled,
                                         summary=event.summary, rendered=event.rendered, failed=event.failed_resources)
        return None

    async def publish(self, repo: str, sha: str, spec: CheckRunSpec) -> int:
        """Create the named check run on ``sha``, or update the one this controller made there."""
        key = (repo, sha, spec.name)
        async with self._locks.setdefault(key, asyncio.Lock()):
            run_id = self._ids.get(key)
            if run_id is None:
                existing = await asyncio.to_thread(self.forge.find_check_run, repo, sha, spec.name)
                run_id = existing.id if existing is not None else None
            made = await asyncio.to_thread(self.forge.publish_check_run, repo, sha, spec, check_run_id=run_id)
            self._ids[key] = made.id
        if len(self._ids) > 5000:  # a long-running controller forgets the oldest; find_check_run finds them again
            for stale in list(self._ids)[:1000]:
                self._ids.pop(stale, None)
                self._locks.pop(stale, None)
        return int(made.id)
