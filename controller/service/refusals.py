"""Refusals travel as one small exception and become one kind of reply.

Why an exception here when the style prefers values: a use case checks
several things in a row (connected guild, known member, role, quota, lock);
raising ``Refused`` from a helper keeps each use case a straight line, and
:func:`answering` is the single place that turns it (and any translated
``CloudOpsError``) into a specific, private ``Reply``.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import ParamSpec

from ..errors import CloudOpsError, ServiceError, SpecValidationError
from .replies import RefusalKind, Reply, refusal

log = logging.getLogger(__name__)
P = ParamSpec("P")

_TITLES: dict[RefusalKind, str] = {
    RefusalKind.NOT_ALLOWED: "Not allowed",
    RefusalKind.QUOTA_EXCEEDED: "Quota exceeded",
    RefusalKind.POLICY_DENIED: "Policy denied",
    RefusalKind.SESSION_EXPIRED: "Session expired",
    RefusalKind.STALE_PLAN: "Stale plan",
    RefusalKind.LOCKED: "Project locked",
    RefusalKind.UNKNOWN_PROJECT: "Unknown project",
    RefusalKind.INVALID: "Invalid request",
    RefusalKind.NOT_CONNECTED: "Server not connected",
    RefusalKind.NOT_FOUND: "Not found",
    RefusalKind.UNAVAILABLE: "Not available yet",
    RefusalKind.APPLY_REFUSED: "Apply refused",
    RefusalKind.FAILED: "Something went wrong",
}


class Refused(ServiceError):
    """A use case said no, for a reason the person can act on."""

    def __init__(self, kind: RefusalKind, message: str, *, hint: str = "", title: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.kind = kind
        self.title = title or _TITLES[kind]

    def reply(self) -> Reply:
        return refusal(self.kind, self.title, self.message, hint=self.hint)


def validation_lines(exc: SpecValidationError, prefix: str = "") -> list[str]:
    """One line per broken rule, naming the field: ``size='huge': must be one of …``."""
    return [f"{prefix}`{v.field}` = {v.value!r}: {v.rule}" for v in exc.violations]


def answering(func: Callable[P, Awaitable[Reply]]) -> Callable[P, Awaitable[Reply]]:
    """Turn ``Refused`` and translated faults into replies; nothing else escapes a use case."""

    @functools.wraps(func)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> Reply:
        try:
            return await func(*args, **kwargs)
        except Refused as exc:
            return exc.reply()
        except SpecValidationError as exc:
            return refusal(RefusalKind.INVALID, "Invalid resource", "\n".join(validation_lines(exc)), hint=exc.hint)
        except CloudOpsError as exc:
            log.warning("%s: %s", func.__qualname__, exc)
            return refusal(RefusalKind.FAILED, _TITLES[RefusalKind.FAILED], str(exc), hint=exc.hint)

    return wrapper
