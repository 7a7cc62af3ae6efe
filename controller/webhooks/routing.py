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

from collections.abc import Callable, Mapping
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
class CheckRunRequested:
    """A person pressed a button on one of our check runs (``requested_action``) or asked to re-run it."""

    repo: RepoRef
    check_run_id: int
    name: str
    head_sha: str
    external_id: str
    app_id: int | None
    action: str  # requested_action | rerequested
    identifier: str | None  # the button's identifier (None for rerequested)
    sender: str
    pr_numbers: tuple[int, ...]


@dataclass(frozen=True)
class MergeGroupRequested:
    """The merge queue built a merge group and asks for its checks."""

    repo: RepoRef
    head_sha: str
    head_ref: str  # refs/heads/gh-readonly-queue/<base>/pr-<N>-<sha>
    base_sha: str
    base_ref: str
    sender: str

    @property
    def pr_number(self) -> int | None:
        """The queued PR, from GitHub's branch name (``…/pr-<N>-<sha>``)."""
        tail = self.head_ref.rsplit("/", 1)[-1]
        parts = tail.split("-")
        return int(parts[1]) if len(parts) >= 3 and parts[0] == "pr" and parts[1].isdigit() else None


@dataclass(frozen=True)
class InstallationChanged:
    """Our GitHub App was installed, uninstalled, or given or denied repositories."""

    installation_id: int
    action: str  # created | deleted | added | removed
    added: tuple[str, ...]
    removed: tuple[str, ...]

    @property
    def deleted(self) -> bool:
        return self.action == "deleted"


@dataclass(frozen=True)
class Ping:
    hook_id: int | None
    zen: str


@dataclass(frozen=True)
class Ignored:
    event: str
    action: str | None
    reason: str


Routed = (PullRequestChanged | PullRequestClosed | ReviewSubmitted | CommentCreated | PushedToBranch | CheckRunRequested
          | MergeGroupRequested | InstallationChanged | Ping | Ignored)


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


def _ping(read: _Reader, event: str, action: str | None) -> Routed:
    return Ping(hook_id=read.get("hook_id", int, optional=True), zen=str(read.payload.get("zen", "")))


def _pull_request(read: _Reader, event: str, action: str | None) -> Routed:
    if action in PR_ACTIONS_TO_PLAN:
        return PullRequestChanged(read.repo(), read.pull(), action, read.get("sender.login", str),
                                  before=read.get("before", str, optional=True) if action == "synchronize" else None)
    if action == "closed":
        return PullRequestClosed(read.repo(), read.pull(), read.get("sender.login", str))
    return Ignored(event, action, f"pull_request action {action!r} needs no plan")


def _pull_request_review(read: _Reader, event: str, action: str | None) -> Routed:
    if action != "submitted":
        return Ignored(event, action, f"review action {action!r} is not a submission")
    return ReviewSubmitted(
        read.repo(),
        read.pull(),
        reviewer=read.get("review.user.login", str),
        state=read.get("review.state", str).lower(),
        commit_id=read.get("review.commit_id", str, optional=True),
    )


def _issue_comment(read: _Reader, event: str, action: str | None) -> Routed:
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


def _push(read: _Reader, event: str, action: str | None) -> Routed:
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


def _check_run(read: _Reader, event: str, action: str | None) -> Routed:
    if action not in ("requested_action", "rerequested"):
        return Ignored(event, action, f"check_run action {action!r} asks nothing of us")
    prs = read.get("check_run.pull_requests", list, optional=True) or []
    return CheckRunRequested(
        read.repo(), check_run_id=read.get("check_run.id", int), name=read.get("check_run.name", str),
        head_sha=read.get("check_run.head_sha", str),
        external_id=read.get("check_run.external_id", str, optional=True) or "",
        app_id=read.get("check_run.app.id", int, optional=True), action=action,
        identifier=read.get("requested_action.identifier", str) if action == "requested_action" else None,
        sender=read.get("sender.login", str),
        pr_numbers=tuple(p["number"] for p in prs if isinstance(p, Mapping) and isinstance(p.get("number"), int)),
    )


def _merge_group(read: _Reader, event: str, action: str | None) -> Routed:
    if action != "checks_requested":
        return Ignored(event, action, f"merge_group action {action!r} needs no checks")
    return MergeGroupRequested(
        read.repo(), head_sha=read.get("merge_group.head_sha", str), head_ref=read.get("merge_group.head_ref", str),
        base_sha=read.get("merge_group.base_sha", str), base_ref=read.get("merge_group.base_ref", str),
        sender=read.get("sender.login", str))


def _installation(read: _Reader, event: str, action: str | None) -> Routed:
    if action not in ("created", "deleted", "added", "removed"):
        return Ignored(event, action, f"{event} action {action!r} changes no repositories")
    def names(field: str) -> tuple[str, ...]:
        listed = read.get(field, list, optional=True) or []
        return tuple(r["full_name"] for r in listed if isinstance(r, Mapping) and isinstance(r.get("full_name"), str))
    added = names("repositories" if event == "installation" else "repositories_added")
    return InstallationChanged(
        installation_id=read.get("installation.id", int), action=action,
        added=added if action in ("created", "added") else (),
        removed=names("repositories_removed") if action == "removed" else (added if action == "deleted" else ()))


_ROUTES: dict[str, Callable[[_Reader, str, str | None], Routed]] = {
    "ping": _ping,
    "pull_request": _pull_request,
    "pull_request_review": _pull_request_review,
    "issue_comment": _issue_comment,
    "push": _push,
    "check_run": _check_run,
    "merge_group": _merge_group,
    "installation": _installation,
    "installation_repositories": _installation,
}


def route(event: str, payload: Any) -> Routed:
    """A webhook (event name + decoded JSON body) → what the pipeline should do."""
    if not isinstance(payload, Mapping):
        raise PayloadInvalid(f"reading {event or 'unnamed'} payload: the body must be a JSON object")
    action = payload.get("action") if isinstance(payload.get("action"), str) else None
    reader = _ROUTES.get(event)
    if reader is None:
        return Ignored(event or "unnamed", action, f"event {event!r} is not handled")
    return reader(_Reader(event, payload), event, action)


# Where each handled event says when it happened, most telling first. Only
# fields GitHub sets itself come first: a commit's timestamp is written by
# whoever made the commit, so it is a last resort for push. A button press
# (check_run) and an installation change carry no time of their own (the
# check run's times are when it ran, perhaps days ago), so they are deduped
# by delivery id only: a replayed press asks again for what the apply gate
# re-checks from fresh facts (an applied plan is never applied twice).
EVENT_TIME_FIELDS: dict[str, tuple[str, ...]] = {
    "pull_request": ("pull_request.updated_at",),
    "pull_request_review": ("review.submitted_at", "pull_request.updated_at"),
    "issue_comment": ("comment.updated_at", "comment.created_at"),
    "push": ("repository.pushed_at", "head_commit.timestamp"),
    "ping": ("hook.updated_at",),
    "merge_group": ("merge_group.head_commit.timestamp",),
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
