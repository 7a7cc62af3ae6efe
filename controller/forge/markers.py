"""Hidden markers that give controller comments a stable identity.

Pure: no I/O. The controller re-renders its plan, policy and cost comments
every time a PR changes; posting a new comment each time buries the thread.
Each comment therefore starts with an HTML comment GitHub does not render,
``<!-- cloudops:KEY -->`` (or ``<!-- cloudops:KEY:part-N -->`` for the N-th
part of a body split by :mod:`controller.forge.comment_split`), and
:func:`plan_sync` decides which existing comments to edit, which to create
and which leftover parts to delete.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from collections.abc import Sequence

_KEY_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:/@+-]*$")
_MARKER_RE = re.compile(r"<!-- cloudops:(?P<key>[A-Za-z0-9][A-Za-z0-9_.:/@+-]*?)(?::part-(?P<part>[0-9]+))? -->")


def validate_key(key: str) -> str:
    """A key must survive inside an HTML comment and not look like a part suffix."""
    if not _KEY_RE.match(key) or re.search(r":part-[0-9]+$", key):
        raise ValueError(f"invalid comment key {key!r}: use letters, digits and _.:/@+- (no ':part-N' suffix)")
    return key


def marker(key: str, part: int = 1) -> str:
    """The hidden marker of part ``part`` (1-based) of the comment ``key``."""
    validate_key(key)
    if part < 1:
        raise ValueError(f"part numbers start at 1, got {part}")
    return f"<!-- cloudops:{key} -->" if part == 1 else f"<!-- cloudops:{key}:part-{part} -->"


@dataclass(frozen=True)
class Marker:
    key: str
    part: int


def parse_marker(body: str) -> Marker | None:
    """The marker a comment body starts with, if any.

    Only the first line counts, so a comment that quotes another comment's
    marker further down is not mistaken for it.
    """
    first_line = body.lstrip().split("\n", 1)[0]
    match = _MARKER_RE.match(first_line.strip())
    if not match:
        return None
    return Marker(match.group("key"), int(match.group("part") or 1))


@dataclass(frozen=True)
class ExistingComment:
    id: int
    body: str


@dataclass
class SyncPlan:
    """What to do to make the thread show ``parts`` for one key."""

    update: list[tuple[int, str]] = field(default_factory=list)  # (comment id, new body)
    create: list[str] = field(default_factory=list)  # bodies, in order
    delete: list[int] = field(default_factory=list)  # comment ids
    unchanged: list[int] = field(default_factory=list)


def plan_sync(existing: Sequence[ExistingComment], key: str, parts: Sequence[str]) -> SyncPlan:
    """Match the parts of ``key`` to existing comments (listed oldest first).

    Part N goes into the oldest existing comment carrying part N's marker;
    an identical body is left alone (no edit, no notification). Missing parts
    are created in order; parts beyond ``len(parts)`` and duplicates of a part
    (left by a race between two runs) are deleted.
    """
    validate_key(key)
    by_part: dict[int, ExistingComment] = {}
    plan = SyncPlan()
    for comment in existing:
        found = parse_marker(comment.body)
        if found is None or found.key != key:
            continue
        if found.part in by_part or found.part > len(parts):
            plan.delete.append(comment.id)
        else:
            by_part[found.part] = comment
    for number, body in enumerate(parts, start=1):
        current = by_part.get(number)
        if current is None:
            plan.create.append(body)
        elif current.body == body:
            plan.unchanged.append(current.id)
        else:
            plan.update.append((current.id, body))
    return plan
