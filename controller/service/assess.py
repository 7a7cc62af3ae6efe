"""The lobby's pre-flight view: quota from the repo, cost and policy per spec.

Quota is counted here (inventory on the default branch + what the session
adds, against ``quotas`` in cloudops.yaml). Cost and policy come from
pluggable pre-flight functions (``controller.cost.preflight``,
``controller.policy.preflight``) wired in :mod:`controller.service.wiring`;
when one is not wired the lobby says "not estimated" / "policy not checked"
instead of pretending. Pure apart from what the callables do.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from ..catalog.reader import ProjectInventory
from ..catalog.specs import Kind, ResourceSpec
from ..repo_config import ProjectConfig, RepoConfig
from .lobby import Assessment, Lobby


@dataclass(frozen=True)
class CostView:
    """What a pricer returns: per resource key (``vm-web``) and total, already formatted."""

    per_resource: dict[str, str] = field(default_factory=dict)
    total: str | None = None
    note: str = ""


@dataclass(frozen=True)
class PolicyView:
    passed: bool
    lines: tuple[str, ...] = ()


Pricer = Callable[[Sequence[ResourceSpec], ProjectConfig], CostView]
PolicyCheck = Callable[[Sequence[ResourceSpec], RepoConfig, str, Mapping[str, int]], PolicyView]


def usage(inventory: ProjectInventory) -> dict[str, int]:
    """Resources per kind on the default branch (conservative minimum)."""
    return {kind: count.minimum for kind, count in inventory.counts().items()}


def quota_problems(project: ProjectConfig, used: Mapping[str, int], adding: Sequence[Kind]) -> list[str]:
    """One line per kind whose quota the session would exceed."""
    problems = []
    for kind in Kind:
        wanted = sum(1 for k in adding if k == kind)
        limit = project.quotas.get(kind)
        if not wanted or limit is None:
            continue
        have = used.get(kind.value, 0)
        if have + wanted > limit:
            problems.append(f"{kind.value}: {have} in the repo + {wanted} here > quota {limit}")
    return problems


def assess(
    lobby: Lobby,
    specs: Sequence[ResourceSpec],
    project: ProjectConfig,
    config: RepoConfig,
    inventory: ProjectInventory,
    *,
    pricer: Pricer | None,
    policy: PolicyCheck | None,
    actor: str,
) -> Assessment:
    used = usage(inventory)
    quota = quota_problems(project, used, [d.kind for d in lobby.resources])
    if pricer is None:
        cost = CostView(note="pre-flight pricing is not available yet; the plan comment on the PR carries the cost")
    else:
        cost = pricer(specs, project) if specs else CostView(total="$0.00/mo")
    if policy is None:
        verdict: PolicyView | None = None
        policy_lines: tuple[str, ...] = ("pre-flight policy is not available yet; the plan is checked on the PR",)
    else:
        verdict = policy(specs, config, actor, used) if specs else PolicyView(True)
        policy_lines = verdict.lines
    return Assessment(
        costs=cost.per_resource, total=cost.total, cost_note=cost.note,
        policy_passed=verdict.passed if verdict else None, policy_lines=policy_lines,
        quota_problems=tuple(quota),
    )
