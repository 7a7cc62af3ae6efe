"""Route GitHub webhook payloads to typed values (pure).

``route(event_name, payload)`` reads only the fields the pipeline needs and
returns one of the dataclasses below, or ``Ignored`` with the reason (an
event or action we do not act on is not an error). A payload that claims to
be an event we handle but lacks a field we read is ``PayloadInvalid``,
naming the field.

``event_time(event_name, payload)`` reads when the event happened from the
signed body (the delivery id header is not signed), so the receiver can
refuse an old body replayed under a fresh delivery id.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ..errors import PayloadInvalid

PR_ACTIONS_TO_PLAN = frozenset({"opened", "reopened", "synchronize", "ready_for_review"})


@dataclass(frozen=True)
class RepoRef:
    full_name: str
    default_branch: str

    @property
    def owner(self) -> str:
        return self.full_name.split("/", 1)[0]

    @property
    def name(self) -> str:
        return self.full_name.split("/", 1)[1]


@dataclass(frozen=True)
class PullRequestRef:
    number: int
    title: str
    author: str
    head_sha: str
    head_ref: str
    base_ref: str
    draft: bool
    state: str
    merged: bool
    merge_commit_sha: str | None
    head_repo_full_name: str | None


@dataclass(frozen=True)
class PullRequestChanged:
    """opened, reopened, synchronize or ready_for_review: (re-)plan."""

    repo: RepoRef
    pull: PullRequestRef
    action: str
    sender: str  # for synchronize: who pushed
    before: str | None = None  # synchronize: the head before the push

    @property
    def moved_head(self) -> bool:
        return self.action in ("opened", "synchronize")


@dataclass(frozen=True)
class PullRequestClosed:
    repo: RepoRef
    pull: PullRequestRef
    sender: str

    @property
    def merged(self) -> bool:
        return self.pull.merged


@dataclass(frozen=True)
class ReviewSubmitted:
    repo: RepoRef
    pull: PullRequestRef
    reviewer: str
    state: str  # approved | changes_requested | commented (lower-case, as GitHub sends)
    commit_id: str | None


@dataclass(frozen=True)
class CommentCreated:
    repo: RepoRef
    number: int
    is_pull_request: bool
    author: str
    body: str
    comment_id: int


@dataclass(frozen=True)
class PushedToBranch:
    repo: RepoRef
    branch: str
    before: str
    after: str
    pusher: str

    @property
    def is_default_branch(self) -> bool:
        return self.branch == self.repo.default_branch


@dataclass(frozen=True)
class Ping:
    hook_id: int | None
    zen: str


@dataclass(frozen=True)
class Ignored:
    event: str
    action: str | None
    reason: str


Routed = PullRequestChanged | PullRequestClosed | ReviewSubmitted | CommentCreated | PushedToBranch | Ping | Ignored


class _Reader:
    """Field access that names the missing field in the error."""

    def __init__(self, event: str, payload: Mapping[str, Any]) -> None:
        self.event = event
        self.payload = payload

    def get(self, path: str, kind: type | tuple[type, ...], *, optional: bool = False) -> Any:
        node: Any = self.payload
        for part in path.split("."):
            if not isinstance(node, Mapping) or part not in node:
                if optional:
                    return None
                raise PayloadInvalid(f"reading {self.event} payload: field {path!r} is missing")
            node = node[part]
        if node is None and optional:
            return None
        if not isinstance(node, kind) or (kind is int and isinstance(node, bool)):
            raise PayloadInvalid(f"reading {self.event} payload: field {path!r} has the wrong type")
        return node

    def repo(self) -> RepoRef:
        return RepoRef(
            full_name=self.get("repository.full_name", str),
            default_branch=self.get("repository.default_branch", str),
        )

    def pull(self, prefix: str = "pull_request") -> PullRequestRef:
        return PullRequestRef(
            number=self.get(f"{prefix}.number", int),
            title=self.get(f"{prefix}.title", str),
            author=self.get(f"{prefix}.user.login", str),
            head_sha=self.get(f"{prefix}.head.sha", str),
            head_ref=self.get(f"{prefix}.head.ref", str),
            base_ref=self.get(f"{prefix}.base.ref", str),
            draft=bool(self.get(f"{prefix}.draft", bool, optional=True)),
            state=self.get(f"{prefix}.state", str),
            merged=bool(self.get(f"{prefix}.merged", bool, optional=True)),
            merge_commit_sha=self.get(f"{prefix}.merge_commit_sha", str, optional=True),
            head_repo_full_name=self.get(f"{prefix}.head.repo.full_name", str, optional=True),
        )


def route(event: str, payload: Any) -> Routed:
    """A webhook (event name + decoded JSON body) → what the pipeline should do."""
    if not isinstance(payload, Mapping):
        raise PayloadInvalid(f"reading {event or 'unnamed'} payload: the body must be a JSON object")
    action = payload.get("action") if isinstance(payload.get("action"), str) else None
    read = _Reader(event, payload)
    if event == "ping":
        return Ping(hook_id=read.get("hook_id", int, optional=True), zen=str(payload.get("zen", "")))
    if event == "pull_request":
        if action in PR_ACTIONS_TO_PLAN:
            return PullRequestChanged(read.repo(), read.pull(), action, read.get("sender.login", str),
                                      before=read.get("before", str, optional=True) if action == "synchronize" else None)
        if action == "closed":
            return PullRequestClosed(read.repo(), read.pull(), read.get("sender.login", str))
        return Ignored(event, action, f"pull_request action {action!r} needs no plan")
    if event == "pull_request_review":
        if action != "submitted":
            return Ignored(event, action, f"review action {action!r} is not a submission")
        return ReviewSubmitted(
            read.repo(),
            read.pull(),
            reviewer=read.get("review.user.login", str),
            state=read.get("review.state", str).lower(),
            commit_id=read.get("review.commit_id", str, optional=True),
        )
    if event == "issue_comment":
        if action != "created":
            return Ignored(event, action, f"comment action {action!r} is not a new comment")
        return CommentCreated(
            read.repo(),
            number=read.get("issue.number", int),
            is_pull_request=read.get("issue.pull_request", Mapping, optional=True) is not None,
            author=read.get("comment.user.login", str),
            body=read.get("comment.body", str, optional=True) or "",
            comment_id=read.get("comment.id", int),
        )
    if event == "push":
        ref = read.get("ref", str)
        if not ref.startswith("refs/heads/"):
            return Ignored(event, None, f"push to {ref} is not a branch")
        return PushedToBranch(
            read.repo(),
            branch=ref.removeprefix("refs/heads/"),
            before=read.get("before", str),
            after=read.get("after", str),
            pusher=str(read.get("pusher.name", str, optional=True) or read.get("sender.login", str, optional=True) or ""),
        )
    return Ignored(event or "unnamed", action, f"event {event!r} is not handled")


# Where each handled event says when it happened, most telling first. Only
# fields GitHub sets itself come first: a commit's timestamp is written by
# whoever made the commit, so it is a last resort for push.
EVENT_TIME_FIELDS: dict[str, tuple[str, ...]] = {
    "pull_request": ("pull_request.updated_at",),
    "pull_request_review": ("review.submitted_at", "pull_request.updated_at"),
    "issue_comment": ("comment.updated_at", "comment.created_at"),
    "push": ("repository.pushed_at", "head_commit.timestamp"),
    "ping": ("hook.updated_at",),
}


def _parse_time(value: object) -> datetime | None:
    """GitHub's ISO 8601 strings, or the Unix seconds a push event's ``pushed_at`` carries."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        try:
            return datetime.fromtimestamp(value, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str) and len(value) <= 64:
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return None
        return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
    return None


def event_time(event: str, payload: Any) -> datetime | None:
    """When a handled event happened, per its signed body; ``None`` for events we do not act on.

    Raises ``PayloadInvalid`` naming the fields when a handled event carries
    no readable timestamp: without one a replay could not be told apart.
    """
    fields = EVENT_TIME_FIELDS.get(event)
    if fields is None or not isinstance(payload, Mapping):
        return None
    for path in fields:
        node: Any = payload
        for part in path.split("."):
            node = node.get(part) if isinstance(node, Mapping) else None
        found = _parse_time(node)
        if found is not None:
            return found
    raise PayloadInvalid(f"reading {event} payload: no event time in {' or '.join(repr(f) for f in fields)}")
