"""Commit status inputs, checked before they reach GitHub.

Pure: no I/O. GitHub answers 422 to a status description over 140
characters or an unknown state; a plan summary can easily be longer, so we
shorten it ourselves (with an ellipsis, so a reader sees it was cut) rather
than have a status silently never appear.
"""

from __future__ import annotations

MAX_DESCRIPTION_CHARS = 140
STATES = ("error", "failure", "pending", "success")


def truncate_description(text: str, limit: int = MAX_DESCRIPTION_CHARS) -> str:
    """One line of at most ``limit`` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def check_state(state: str) -> str:
    if state not in STATES:
        raise ValueError(f"commit status state must be one of {', '.join(STATES)}, got {state!r}")
    return state
