"""Commit statuses and check runs on GitHub, mixed into ``GitHubForge``.

What a commit shows a reviewer: a status per context (token installs) or a check run with
annotations and buttons (GitHub Apps). Shapes and limits are checked by the pure ``statuses`` and
``checks`` modules before any request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from controller.forge import checks, statuses
from controller.forge.base import CheckRun, CheckRunSpec, CombinedStatus, CommitStatus, StatusState


class CommitFeedback:
    """Statuses and check runs; the repository lookup and error translation are the forge's."""

    _repo: Callable[[str], Any]
    _translating: Callable[[str], Any]

    # -- statuses ------------------------------------------------------------

    def set_status(
        self,
        repo: str,
        sha: str,
        state: StatusState,
        context: str,
        description: str = "",
        target_url: str | None = None,
    ) -> CommitStatus:
        statuses.check_state(state)
        text = statuses.truncate_description(description)
        with self._translating(f"setting status {context}={state} on {repo}@{sha[:12]}"):
            extra: dict[str, str] = {"description": text, "context": context}
            if target_url:
                extra["target_url"] = target_url
            made = self._repo(repo).get_commit(sha).create_status(state, **extra)
            return CommitStatus(made.state, made.context, made.description or "", made.target_url)

    def get_combined_status(self, repo: str, ref: str) -> CombinedStatus:
        with self._translating(f"reading the combined status of {repo}@{ref}"):
            combined = self._repo(repo).get_commit(ref).get_combined_status()
            return CombinedStatus(
                sha=combined.sha,
                state=combined.state,
                statuses=tuple(
                    CommitStatus(s.state, s.context, s.description or "", s.target_url) for s in combined.statuses
                ),
            )

    # -- check runs (GitHub Apps only) ----------------------------------------

    def publish_check_run(self, repo: str, sha: str, spec: CheckRunSpec, *, check_run_id: int | None = None) -> CheckRun:
        """Create the check run (or update ``check_run_id``); annotations beyond 50 go in further updates."""
        spec = checks.fit(spec)
        batches = list(checks.batches(spec.annotations))
        with self._translating(f"publishing check run {spec.name!r} on {repo}@{sha[:12]}"):
            r = self._repo(repo)
            fields: dict[str, Any] = {"name": spec.name, "status": spec.status,
                                      "external_id": spec.external_id, "actions": [
                                          {"label": a.label, "description": a.description, "identifier": a.identifier}
                                          for a in spec.actions]}
            if spec.conclusion:
                fields["conclusion"] = spec.conclusion
            if spec.details_url:
                fields["details_url"] = spec.details_url
            output: dict[str, Any] = {"title": spec.title or spec.name, "summary": spec.summary or spec.name}
            if spec.text is not None:
                output["text"] = spec.text
            first = {**output, "annotations": [checks.annotation_json(a) for a in batches[0]]}
            if check_run_id is None:
                run = r.create_check_run(head_sha=sha, output=first, **fields)
            else:
                run = r.get_check_run(check_run_id)
                run.edit(output=first, **fields)
            for batch in batches[1:]:
                run.edit(output={**output, "annotations": [checks.annotation_json(a) for a in batch]})
            return CheckRun(run.id, run.name, run.head_sha, run.status, run.conclusion, run.external_id or "")

    def find_check_run(self, repo: str, sha: str, name: str) -> CheckRun | None:
        """The newest check run named ``name`` on ``sha``, if any (ours or another app's)."""
        with self._translating(f"reading check runs of {repo}@{sha[:12]}"):
            for run in self._repo(repo).get_commit(sha).get_check_runs(check_name=name):
                return CheckRun(run.id, run.name, run.head_sha, run.status, run.conclusion, run.external_id or "")
        return None
