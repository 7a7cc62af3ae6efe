"""The infrastructure repo's ``cloudops.yaml``: a strict loader and its types.

Unknown keys, wrong types, bad values and dangling references are
:class:`~controller.errors.ConfigError` naming the file, the line and the key
path. The schema is documented in ``docs/cloudops-yaml.md``; in short::

    version: 1
    projects:
      <name>:                      # lowercase, starts with a letter, <= 40 chars
        target: local|gcp|aws|azure
        region: <a region of the target>
        budget_monthly_usd: 100    # optional, finite, 0 to 1e9
        budget_alerts: [80, 100]   # optional: alert at these percents of the budget (1-5 whole percents, 1 to 1000)
        quotas: {vm: 3, database: 1, network: 1, bucket: 5, cluster: 0}   # optional, per kind
        apply_on: approve|merge    # default approve
        required_approvals: 1      # default 1, at most 100
        allow_self_approval: false # default false
        allow_nonsensitive: false  # default false: PRs calling nonsensitive() are not planned
        allow_self_policy_override: false # default false: the PR author may not override soft denials of their own PR
        policy_sets: [baseline]    # names from policy_sets
    members:
      <member>: {role: viewer|user|admin, github: <login>, discord: "<user id>", projects: [<name>, ...]}
    grants:                        # time-limited extra roles
      - {member: <member>, project: <name>, role: viewer|user|admin, expires_at: 2030-01-31T18:00:00Z, reason: "..."}
      - {member: <member>, project: <name>, role: user, duration: 8h, reason: "..."}   # counts from the merge
    policy_sets:
      <name>: {description: "...", policies: [<path under policies/ or builtin/<name>>], enforcement: advisory|soft|hard}

Pure apart from :func:`load` (reads the file).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml

from .catalog.offerings import offerings
from .catalog.specs import Kind, Target
from . import limits
from .errors import ConfigError
from .durations import parse_duration
from .yaml_reader import NodeReader, compose

FILENAME = "cloudops.yaml"
_NAME = re.compile(r"[a-z][a-z0-9-]{0,39}")
PROJECT_NAME = _NAME  # the one rule for project names: cloudops.yaml, paths, comments, vault, state


def is_project_name(text: object) -> bool:
    return isinstance(text, str) and _NAME.fullmatch(text) is not None
# Bounds on numbers: far above real use, low enough that no arithmetic or comparison goes strange.
MAX_APPROVALS = 100
MAX_QUOTA = 100_000
MAX_AMOUNT = 1e9  # USD a month
MAX_ALERT_PERCENT = 1000  # an alert at ten times the budget is the most anyone means
MAX_ALERTS = 5
DEFAULT_BUDGET_ALERTS = (0.8, 1.0)  # fractions of the budget

_MEMBER = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


class Role(StrEnum):
    VIEWER = "viewer"
    USER = "user"
    ADMIN = "admin"

    def allows(self, needed: Role) -> bool:
        order = [Role.VIEWER, Role.USER, Role.ADMIN]
        return order.index(self) >= order.index(needed)


class ApplyOn(StrEnum):
    APPROVE = "approve"
    MERGE = "merge"


class CloseApplied(StrEnum):
    """What closing an applied-but-unmerged PR does to its project locks."""

    KEEP_LOCK = "keep_lock"  # the lock stays until someone merges, reverts or unlocks: the next plan would destroy
    RELEASE = "release"  # the lock goes; the PR and chat are still told what is live


class ApplyRequirement(StrEnum):
    """Checks before an apply that a project may switch off; the plan being
    fresh, unapplied and the lock held are always checked."""

    APPROVED = "approved"
    MERGEABLE = "mergeable"
    UNDIVERGED = "undiverged"
    POLICY_PASSED = "policy_passed"


DEFAULT_APPLY_REQUIREMENTS = tuple(ApplyRequirement)


class Enforcement(StrEnum):
    ADVISORY = "advisory"
    SOFT = "soft"
    HARD = "hard"


@dataclass(frozen=True)
class ProjectConfig:
    name: str
    target: Target
    region: str
    budget_monthly_usd: float | None = None
    budget_alerts: tuple[float, ...] = DEFAULT_BUDGET_ALERTS  # fractions of the budget, lowest first
    quotas: dict[Kind, int] = field(default_factory=dict)
    apply_on: ApplyOn = ApplyOn.APPROVE
    required_approvals: int = 1
    allow_self_approval: bool = False
    allow_self_policy_override: bool = False  # the PR author may `cloudops approve_policies` on their own PR
    policy_sets: tuple[str, ...] = ()
    apply_requirements: tuple[ApplyRequirement, ...] = DEFAULT_APPLY_REQUIREMENTS
    automerge: bool = False  # with apply_on approve: merge the PR after a successful apply
    allow_nonsensitive: bool = False  # PRs may call nonsensitive() (it prints what it unmasks)
    # Which resources required-labels judges: "cloudops" (what the bot renders: labelled
    # managed-by=cloudops now or before), "all" (every labelled resource) or resource types.
    required_labels_on: str | tuple[str, ...] = "cloudops"


@dataclass(frozen=True)
class Member:
    name: str
    role: Role
    github: str | None = None
    discord: str | None = None
    projects: tuple[str, ...] = ()  # empty: every project


@dataclass(frozen=True)
class Grant:
    """A time-limited extra role. With ``duration`` instead of ``expires_at`` it is *pending*: it grants
    nothing until the controller, seeing it merged, writes ``expires_at`` = the merge + ``duration``."""

    member: str
    project: str
    role: Role
    expires_at: dt.datetime | None
    reason: str = ""
    duration: dt.timedelta | None = None

    @property
    def pending(self) -> bool:
        return self.expires_at is None

    def active(self, now: dt.datetime) -> bool:
        return self.expires_at is not None and now < self.expires_at

    def expired(self, now: dt.datetime) -> bool:
        return self.expires_at is not None and now >= self.expires_at


@dataclass(frozen=True)
class PolicySet:
    name: str
    policies: tuple[str, ...]
    description: str = ""
    enforcement: Enforcement = Enforcement.HARD


@dataclass(frozen=True)
class RepoConfig:
    version: int
    projects: dict[str, ProjectConfig]
    members: dict[str, Member] = field(default_factory=dict)
    grants: tuple[Grant, ...] = ()
    policy_sets: dict[str, PolicySet] = field(default_factory=dict)
    source: str = FILENAME
    plan_drafts: bool = False  # plan draft PRs automatically (they take project locks)
    # A PR closed unmerged after an apply leaves live resources the default branch does not describe.
    on_close_applied: CloseApplied = CloseApplied.KEEP_LOCK

    def role_of(self, member: str, project: str, now: dt.datetime | None = None) -> Role | None:
        """The strongest role ``member`` holds on ``project`` now (grants included)."""
        now = now or dt.datetime.now(dt.UTC)
        roles: list[Role] = []
        m = self.members.get(member)
        if m and (not m.projects or project in m.projects):
            roles.append(m.role)
        roles += [g.role for g in self.grants if g.member == member and g.project == project and g.active(now)]
        return max(roles, key=[Role.VIEWER, Role.USER, Role.ADMIN].index) if roles else None

    def member_by(self, *, github: str | None = None, discord: str | None = None) -> Member | None:
        for m in self.members.values():
            if (github and m.github and m.github.lower() == github.lower()) or (discord and m.discord == discord):
                return m
        return None


def load(path: Path) -> RepoConfig:
    """Read ``cloudops.yaml`` (or a repo dir containing it)."""
    path = Path(path)
    if path.is_dir():
        path = path / FILENAME
    try:
        _check_size(path.stat().st_size, str(path))  # before reading it
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"reading {path}: {exc.strerror or exc}", hint="create it with `cloudops init-repo`") from exc
    return loads(text, source=str(path))


def _check_size(size: int, source: str) -> None:
    if size > limits.MAX_CONFIG_BYTES:  # PyYAML needs ~100x the file in memory and minutes for 17 MB
        raise ConfigError(f"{source}:1: the file is {limits.megabytes(size)}, more than the "
                          f"{limits.megabytes(limits.MAX_CONFIG_BYTES)} a cloudops.yaml may be",
                          hint="a cloudops.yaml holds projects, members and policy sets; keep data elsewhere")


def loads(text: str, *, source: str = FILENAME) -> RepoConfig:
    _check_size(len(text.encode("utf-8", "replace")), source)
    root = compose(text, source=source)
    if root is None:
        raise ConfigError(f"{source}: the file is empty", hint="start from the template: `cloudops init-repo`")
    return _Reader(source).config(root)


class _Reader(NodeReader):
    """cloudops.yaml's schema, read node by node."""

    def percents(self, node: yaml.Node, path: str) -> tuple[float, ...]:
        """Alert thresholds in percent of the budget (``[80, 100]``), as fractions, lowest first."""
        def one(n: yaml.Node, p: str) -> int:
            value = self.scalar(n, p, int)
            if not 0 < value <= MAX_ALERT_PERCENT:
                raise self.fail(n, p, f"must be a whole percent from 1 to {MAX_ALERT_PERCENT}, not {n.value}")
            return value
        values = self.sequence(node, path, one)
        if not 1 <= len(values) <= MAX_ALERTS:
            raise self.fail(node, path, f"must list 1 to {MAX_ALERTS} percents, not {len(values)}")
        if len(set(values)) != len(values):
            raise self.fail(node, path, "lists a percent twice")
        return tuple(sorted(v / 100 for v in values))

    # -- the document -----------------------------------------------------

    def config(self, root: yaml.Node) -> RepoConfig:
        top = self.mapping(root, "cloudops.yaml", ("version", "projects", "members", "grants", "policy_sets", "pipeline"), ("version", "projects"))
        version_node = top["version"][1]
        if self.scalar(version_node, "version", int) != 1:
            raise self.fail(version_node, "version", "only version 1 is supported")
        policy_sets = {name: self.policy_set(name, k, v) for name, k, v in self.entries(top["policy_sets"][1], "policy_sets")} if "policy_sets" in top else {}
        projects = {name: self.project(name, k, v, policy_sets) for name, k, v in self.entries(top["projects"][1], "projects")}
        members = {name: self.member(name, k, v, projects) for name, k, v in self.entries(top["members"][1], "members")} if "members" in top else {}
        grants = self.sequence(top["grants"][1], "grants", lambda n, p: self.grant(n, p, projects, members)) if "grants" in top else ()
        plan_drafts, on_close_applied = False, CloseApplied.KEEP_LOCK
        if "pipeline" in top:
            pipeline = self.mapping(top["pipeline"][1], "pipeline", ("plan_drafts", "on_close_applied"))
            if "plan_drafts" in pipeline:
                plan_drafts = self.scalar(pipeline["plan_drafts"][1], "pipeline.plan_drafts", bool)
            if "on_close_applied" in pipeline:
                on_close_applied = self.enum(pipeline["on_close_applied"][1], "pipeline.on_close_applied", CloseApplied)
        return RepoConfig(version=1, projects=projects, members=members, grants=grants, policy_sets=policy_sets,
                          source=self.source, plan_drafts=plan_drafts, on_close_applied=on_close_applied)

    def policy_set(self, name: str, key: yaml.Node, node: yaml.Node) -> PolicySet:
        path = f"policy_sets.{name}"
        self.name(key, path, _NAME)
        fields = self.mapping(node, path, ("description", "policies", "enforcement"), ("policies",))
        policies = self.sequence(fields["policies"][1], f"{path}.policies", lambda n, p: self._policy_ref(n, p))
        return PolicySet(
            name=name,
            policies=policies,
            description=self.scalar(fields["description"][1], f"{path}.description", str) if "description" in fields else "",
            enforcement=self.enum(fields["enforcement"][1], f"{path}.enforcement", Enforcement) if "enforcement" in fields else Enforcement.HARD,
        )

    def _policy_ref(self, node: yaml.Node, path: str) -> str:
        value = self.scalar(node, path, str)
        if not re.fullmatch(r"[a-z0-9_-]+(/[a-z0-9_.-]+)*", value) or ".." in value:
            raise self.fail(node, path, f"{value!r} must be a relative path under policies/ or builtin/<name> (lowercase, no '..')")
        return value

    def project(self, name: str, key: yaml.Node, node: yaml.Node, policy_sets: Mapping[str, PolicySet]) -> ProjectConfig:
        path = f"projects.{name}"
        self.name(key, path, _NAME)
        fields = self.mapping(node, path, ("target", "region", "budget_monthly_usd", "budget_alerts", "quotas", "apply_on",
                                           "required_approvals",
                                           "allow_self_approval", "allow_self_policy_override", "policy_sets",
                                           "apply_requirements", "automerge", "allow_nonsensitive", "required_labels_on"),
                             ("target", "region"))
        target = self.enum(fields["target"][1], f"{path}.target", Target)
        region_node = fields["region"][1]
        region = self.scalar(region_node, f"{path}.region", str)
        if region not in offerings(target).regions:
            raise self.fail(region_node, f"{path}.region", f"{region!r} is not a {target.value} region ({', '.join(offerings(target).regions)})")
        budget = None
        if "budget_monthly_usd" in fields:
            budget = self.amount(fields["budget_monthly_usd"][1], f"{path}.budget_monthly_usd", MAX_AMOUNT)
        alerts = self.percents(fields["budget_alerts"][1], f"{path}.budget_alerts") if "budget_alerts" in fields \
            else DEFAULT_BUDGET_ALERTS
        quotas: dict[Kind, int] = {}
        if "quotas" in fields:
            for kind_name, kind_key, value in self.entries(fields["quotas"][1], f"{path}.quotas"):
                kind = self.enum(kind_key, f"{path}.quotas.{kind_name}", Kind)
                quotas[kind] = self.int_between(value, f"{path}.quotas.{kind_name}", 0, MAX_QUOTA)
        sets: tuple[str, ...] = ()
        if "policy_sets" in fields:
            sets = self.sequence(fields["policy_sets"][1], f"{path}.policy_sets", lambda n, p: self._known(n, p, policy_sets, "policy set"))
        return ProjectConfig(
            name=name, target=target, region=region, budget_monthly_usd=budget, budget_alerts=alerts, quotas=quotas,
            apply_on=self.enum(fields["apply_on"][1], f"{path}.apply_on", ApplyOn) if "apply_on" in fields else ApplyOn.APPROVE,
            required_approvals=self.int_between(fields["required_approvals"][1], f"{path}.required_approvals", 0, MAX_APPROVALS) if "required_approvals" in fields else 1,
            allow_self_approval=self.scalar(fields["allow_self_approval"][1], f"{path}.allow_self_approval", bool) if "allow_self_approval" in fields else False,
            allow_self_policy_override=self.scalar(fields["allow_self_policy_override"][1],
                                                   f"{path}.allow_self_policy_override", bool)
            if "allow_self_policy_override" in fields else False,
            policy_sets=sets,
            apply_requirements=self.sequence(
                fields["apply_requirements"][1], f"{path}.apply_requirements",
                lambda n, p: self.enum(n, p, ApplyRequirement),
            ) if "apply_requirements" in fields else DEFAULT_APPLY_REQUIREMENTS,
            automerge=self.scalar(fields["automerge"][1], f"{path}.automerge", bool) if "automerge" in fields else False,
            allow_nonsensitive=self.scalar(fields["allow_nonsensitive"][1], f"{path}.allow_nonsensitive", bool)
            if "allow_nonsensitive" in fields else False,
            required_labels_on=self._labels_on(fields["required_labels_on"][1], f"{path}.required_labels_on")
            if "required_labels_on" in fields else "cloudops",
        )

    def _labels_on(self, node: yaml.Node, path: str) -> str | tuple[str, ...]:
        if isinstance(node, yaml.SequenceNode):
            def rtype(n: yaml.Node, p: str) -> str:
                value = self.scalar(n, p, str)
                if not re.fullmatch(r"[a-z][a-z0-9_]*", value):
                    raise self.fail(n, p, f"{value!r} is not a resource type (like aws_instance)")
                return value
            return self.sequence(node, path, rtype)
        value = self.scalar(node, path, str)
        if value not in ("cloudops", "all"):
            raise self.fail(node, path, f"{value!r} must be cloudops, all or a list of resource types")
        return value

    def _known(self, node: yaml.Node, path: str, known: Mapping[str, Any], what: str) -> str:
        value = self.scalar(node, path, str)
        if value not in known:
            listed = ", ".join(sorted(known)) or "none defined"
            raise self.fail(node, path, f"unknown {what} {value!r} (known: {listed})")
        return value

    def member(self, name: str, key: yaml.Node, node: yaml.Node, projects: Mapping[str, ProjectConfig]) -> Member:
        path = f"members.{name}"
        self.name(key, path, _MEMBER)
        fields = self.mapping(node, path, ("role", "github", "discord", "projects"), ("role",))
        discord = None
        if "discord" in fields:
            discord = str(self.scalar(fields["discord"][1], f"{path}.discord", (str, int)))
            if not discord.isdigit():
                raise self.fail(fields["discord"][1], f"{path}.discord", "must be a Discord user id (digits)")
        return Member(
            name=name,
            role=self.enum(fields["role"][1], f"{path}.role", Role),
            github=self.name(fields["github"][1], f"{path}.github", _MEMBER) if "github" in fields else None,
            discord=discord,
            projects=self.sequence(fields["projects"][1], f"{path}.projects", lambda n, p: self._known(n, p, projects, "project")) if "projects" in fields else (),
        )

    def grant(self, node: yaml.Node, path: str, projects: Mapping[str, ProjectConfig], members: Mapping[str, Member]) -> Grant:
        fields = self.mapping(node, path, ("member", "project", "role", "expires_at", "duration", "reason"),
                              ("member", "project", "role"))
        if ("expires_at" in fields) == ("duration" in fields):
            raise self.fail(node, path, "needs exactly one of expires_at (a time) or duration (from the merge, like 8h)")
        common: dict[str, Any] = {
            "member": self._known(fields["member"][1], f"{path}.member", members, "member"),
            "project": self._known(fields["project"][1], f"{path}.project", projects, "project"),
            "role": self.enum(fields["role"][1], f"{path}.role", Role),
            "reason": self.scalar(fields["reason"][1], f"{path}.reason", str) if "reason" in fields else "",
        }
        if "duration" in fields:
            duration_node = fields["duration"][1]
            try:
                duration = parse_duration(self.scalar(duration_node, f"{path}.duration", str))
            except ValueError as exc:
                raise self.fail(duration_node, f"{path}.duration", str(exc)) from None
            return Grant(**common, expires_at=None, duration=duration)
        expires_node = fields["expires_at"][1]
        expires = self.scalar(expires_node, f"{path}.expires_at", (dt.datetime, dt.date, str))
        if isinstance(expires, str):
            try:
                expires = dt.datetime.fromisoformat(expires)
            except ValueError:
                raise self.fail(expires_node, f"{path}.expires_at", f"{expires!r} is not an ISO 8601 time (e.g. 2030-01-31T18:00:00Z)") from None
        elif not isinstance(expires, dt.datetime):
            expires = dt.datetime.combine(expires, dt.time())
        if expires.tzinfo is None:
            expires = expires.replace(tzinfo=dt.UTC)
        return Grant(**common, expires_at=expires)
