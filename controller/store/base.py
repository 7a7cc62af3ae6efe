"""The runtime store interface: what callers may ask of any backend.

Callers (webhooks, jobs, the service layer) depend on ``RuntimeStore`` only,
so SQLite today and PostgreSQL later are interchangeable. The interface is
synchronous; async callers wrap calls in ``asyncio.to_thread``. Every
implementation must make ``try_lock`` and ``record_delivery`` atomic across
threads, store objects and processes sharing the same database, and must
raise ``StoreError`` (never a driver exception) for faults.

Time comes from the clock the store was opened with, so tests inject one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any, Protocol, Self, runtime_checkable

from .guilds import GuildRegistry
from .records import (
    ChatSession,
    Delivery,
    DeliveryStatus,
    Lock,
    LockAttempt,
    Push,
    Run,
    RunKind,
    RunStatus,
)

Clock = Callable[[], datetime]


@runtime_checkable
class RuntimeStore(Protocol):
    # The chat's servers, lobbies and drafts, in the same database (``store.guilds``).
    guilds: GuildRegistry

    # --- runs -------------------------------------------------------------
    def create_run(
        self,
        *,
        repo: str,
        project: str,
        head_sha: str,
        kind: RunKind,
        pr_number: int | None = None,
        trigger: str = "",
        actor: str | None = None,
    ) -> Run:
        """Record a new queued run with a fresh uuid."""
        ...

    def update_run_status(
        self,
        run_id: str,
        status: RunStatus,
        *,
        summary: dict[str, Any] | None = None,
        error: str | None = None,
        plan_file: str | None = None,
    ) -> Run:
        """Move a run on; stamps started/finished; invalid moves raise ``StoreError``."""
        ...

    def get_run(self, run_id: str) -> Run | None: ...

    def list_runs(
        self,
        *,
        repo: str | None = None,
        project: str | None = None,
        pr_number: int | None = None,
        limit: int = 100,
    ) -> list[Run]:
        """Newest first."""
        ...

    def record_process(
        self,
        run_id: str,
        *,
        run_dir: str | None = None,
        plan_run_id: str | None = None,
        pid: int | None = None,
    ) -> Run:
        """Where a run's terraform works, which plan it consumes, and (once spawned) its pid.

        Called before terraform starts and again right after it was spawned, so
        a restart's recovery pass can find the child and its run directory.
        ``None`` leaves a field as it was."""
        ...

    def consume_plan(self, plan_run_id: str, *, apply_run_id: str) -> bool:
        """Atomically mark a plan as applied by ``apply_run_id``; False when it already was.

        Must be atomic across processes: two applies of one plan file cannot both get True."""
        ...

    def plan_consumer(self, plan_run_id: str) -> str | None:
        """The apply run that consumed the plan, or None."""
        ...

    def list_in_flight_runs(self) -> list[Run]:
        """Queued or running runs, oldest first."""
        ...

    def interrupt_in_flight_runs(self, *, reason: str) -> list[Run]:
        """At start-up: mark every queued/running run interrupted; returns them."""
        ...

    # --- locks ------------------------------------------------------------
    def try_lock(
        self,
        repo: str,
        project: str,
        *,
        pr_number: int,
        user: str | None = None,
        run_id: str | None = None,
    ) -> LockAttempt:
        """Take the project lock for a PR; the same PR re-locking succeeds."""
        ...

    def unlock(self, repo: str, project: str, pr_number: int | None = None) -> Lock | None:
        """Release; ``pr_number=None`` forces. Returns the removed lock, or None."""
        ...

    def get_lock(self, repo: str, project: str) -> Lock | None: ...

    def require_lock(self, repo: str, project: str, *, pr_number: int) -> Lock:
        """The PR's lock, or ``LockLost`` if it no longer holds it (check before apply)."""
        ...

    def take_fence(self, repo: str, project: str, *, holder: str) -> int:
        """A new fencing token for the project's lane (one higher than any before), held by run ``holder``."""
        ...

    def require_fence(self, repo: str, project: str, fence: int, *, holder: str) -> None:
        """``LockLost`` unless ``fence`` is still the lane's newest token: no later run took the project over."""
        ...

    def list_locks(self, *, repo: str | None = None) -> list[Lock]: ...

    def unlock_all_for_pr(self, repo: str, pr_number: int) -> list[Lock]:
        """When a PR closes or merges. Returns the removed locks."""
        ...

    # --- chat sessions ----------------------------------------------------
    def put_session(
        self,
        session_id: str,
        *,
        guild_id: str,
        user_id: str,
        project: str | None,
        state: dict[str, Any],
        idle_timeout: timedelta,
    ) -> ChatSession:
        """Create or replace; keeps created_at; expiry restarts from now."""
        ...

    def get_session(self, session_id: str) -> ChatSession | None:
        """None when missing or expired."""
        ...

    def touch_session(self, session_id: str) -> ChatSession | None:
        """Extend an unexpired session by its idle timeout; None when missing or expired."""
        ...

    def delete_session(self, session_id: str) -> bool: ...

    def list_expired_sessions(self) -> list[ChatSession]: ...

    def delete_expired_sessions(self, older_than: timedelta = timedelta(0)) -> int:
        """Delete sessions expired for at least ``older_than``; returns how many went."""
        ...

    # --- webhook deliveries ----------------------------------------------
    def record_delivery(self, delivery_id: str, *, event: str, action: str | None = None) -> bool:
        """False when this delivery id was already seen (a redelivery)."""
        ...

    def get_delivery(self, delivery_id: str) -> Delivery | None: ...

    def set_delivery_status(self, delivery_id: str, status: DeliveryStatus) -> Delivery: ...

    def prune_deliveries(self, *, older_than: timedelta) -> int:
        """Forget deliveries received before now - older_than; returns how many."""
        ...

    # --- plan bundles (several workers) -----------------------------------
    def put_plan_bundle(self, run_id: str, sealed: bytes) -> None:
        """Keep a plan run's encrypted workspace so another worker can apply it."""
        ...

    def get_plan_bundle(self, run_id: str) -> bytes | None: ...

    def delete_plan_bundle(self, run_id: str) -> bool: ...

    # --- pull request pushes (plan trust) ---------------------------------
    def record_push(self, repo: str, pr_number: int, *, before: str | None, after: str, pusher: str) -> Push:
        """Remember that ``pusher`` moved the PR's head from ``before`` to ``after`` (None: an anchor)."""
        ...

    def list_pushes(self, repo: str, pr_number: int, *, limit: int = 500) -> list[Push]:
        """Newest first."""
        ...

    # --- life cycle -------------------------------------------------------
    def close(self) -> None: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
