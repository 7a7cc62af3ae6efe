"""Every way text leaves the pipeline goes through one redactor.

The ``LeakGuard`` knows every vault secret, the controller's own secrets
(webhook secret, forge token, vault master keys, state key), every sensitive
value seen in a plan, and well-known token shapes
(``controller.secrets.redact``), each with its fragments and encodings. Wrappers
put it in front of each exit: the forge (comments, statuses, PR titles and
bodies, commit messages), the event bus (what chat shows), the runtime store
(run errors and summaries) and the log handlers. Callers cannot forget to
redact, because they never hold an unwrapped exit.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any

from ..bus import DomainEvent, EventBus
from ..secrets.redact import Redactor, install_log_redaction
from ..terraform.plan import Plan

log = logging.getLogger(__name__)

MAX_LEARNED = 10_000  # sensitive values remembered from plans; oldest forgotten first


class LeakGuard:
    def __init__(self, vault_secrets: Callable[[], Iterable[str]] | None = None, fixed: Iterable[str] = ()) -> None:
        self._vault_secrets = vault_secrets
        self._fixed = {value for value in fixed if isinstance(value, str) and value}
        self._learned: dict[str, None] = {}  # insertion-ordered set
        self._lock = threading.Lock()
        self._redactor: Redactor | None = None

    def learn(self, values: Iterable[str]) -> None:
        """Remember more values that must never leave (a plan's sensitive values)."""
        with self._lock:
            before = len(self._learned)
            for value in values:
                if isinstance(value, str) and value:
                    self._learned.pop(value, None)
                    self._learned[value] = None
            while len(self._learned) > MAX_LEARNED:
                self._learned.pop(next(iter(self._learned)))
            if len(self._learned) != before:
                self._redactor = None

    def learn_plan(self, plan: Plan) -> None:
        from ..secrets.redact import plan_sensitive_values

        self.learn(plan_sensitive_values(plan))

    def protect(self, values: Iterable[str]) -> None:
        """Secrets of the controller itself, never forgotten (unlike values learned from plans)."""
        with self._lock:
            self._fixed |= {value for value in values if isinstance(value, str) and value}
            self._redactor = None

    def refresh(self) -> None:
        """Re-read the vault (after credentials were added or rotated)."""
        with self._lock:
            self._redactor = None

    def redactor(self) -> Redactor:
        with self._lock:
            if self._redactor is None:
                secrets = set(self._vault_secrets()) if self._vault_secrets else set()
                self._redactor = Redactor.build(secrets | self._fixed | set(self._learned))
            return self._redactor

    def redact(self, text: str) -> str:
        return self.redactor().redact(text) if isinstance(text, str) else text

    def redact_data(self, value: Any) -> Any:
        return self.redactor().redact_data(value)

    def install_on_logs(self, logger: logging.Logger | None = None) -> None:
        install_log_redaction(self.redactor, logger)


class RedactingForge:
    """A forge whose outgoing text is redacted; everything else passes through unchanged."""

    def __init__(self, forge: Any, guard: LeakGuard) -> None:
        self._forge = forge
        self._guard = guard

    def __getattr__(self, name: str) -> Any:
        return getattr(self._forge, name)

    def upsert_comment(self, repo: str, number: int, key: str, body: str) -> list[int]:
        return self._forge.upsert_comment(repo, number, key, self._guard.redact(body))

    def set_status(self, repo: str, sha: str, state: str, context: str, description: str = "",
                   target_url: str | None = None) -> Any:
        return self._forge.set_status(repo, sha, state, context, self._guard.redact(description), target_url)

    def open_pull_request(self, repo: str, *, title: str, body: str, head: str, base: str, draft: bool = False) -> Any:
        return self._forge.open_pull_request(repo, title=self._guard.redact(title), body=self._guard.redact(body),
                                             head=head, base=base, draft=draft)

    def commit_files(self, repo: str, branch: str, files: Any, message: str, author: Any, workdir: Any, *,
                     delete: Iterable[str] = ()) -> str:
        return self._forge.commit_files(repo, branch, files, self._guard.redact(message), author, workdir, delete=delete)

    def publish_check_run(self, repo: str, sha: str, spec: Any, *, check_run_id: int | None = None) -> Any:
        g = self._guard.redact
        clean = dataclasses.replace(
            spec, title=g(spec.title), summary=g(spec.summary), text=g(spec.text) if spec.text is not None else None,
            annotations=tuple(dataclasses.replace(a, message=g(a.message), title=g(a.title),
                                                  raw_details=g(a.raw_details)) for a in spec.annotations))
        return self._forge.publish_check_run(repo, sha, clean, check_run_id=check_run_id)

    def merge(self, repo: str, number: int, *, method: str = "merge", sha: str | None = None, title: str | None = None,
              message: str | None = None) -> Any:
        return self._forge.merge(repo, number, method=method, sha=sha,
                                 title=self._guard.redact(title) if title else title,
                                 message=self._guard.redact(message) if message else message)


class RedactingBus(EventBus):
    """An event bus that redacts every text field of an event before any front end sees it."""

    def __init__(self, guard: LeakGuard) -> None:
        super().__init__()
        self._guard = guard

    async def publish(self, event: DomainEvent) -> int:
        return await super().publish(self._clean(event))

    def _clean(self, event: DomainEvent) -> DomainEvent:
        changes = {}
        for f in dataclasses.fields(event):
            value = getattr(event, f.name)
            if isinstance(value, (str, dict, list, tuple)):
                cleaned = self._guard.redact_data(list(value)) if isinstance(value, tuple) else self._guard.redact_data(value)
                cleaned = tuple(cleaned) if isinstance(value, tuple) else cleaned
                if cleaned != value:
                    changes[f.name] = cleaned
        return dataclasses.replace(event, **changes) if changes else event


class RedactingStore:
    """The runtime store, with run errors and summaries redacted before they are written."""

    def __init__(self, store: Any, guard: LeakGuard) -> None:
        self._store = store
        self._guard = guard

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def update_run_status(self, run_id: str, status: Any, *, summary: dict | None = None, error: str | None = None,
                          plan_file: str | None = None) -> Any:
        return self._store.update_run_status(
            run_id, status,
            summary=self._guard.redact_data(summary) if summary is not None else None,
            error=self._guard.redact(error) if error is not None else None,
            plan_file=plan_file,
        )

    def __enter__(self) -> RedactingStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self._store.close()
