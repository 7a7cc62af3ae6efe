"""The policy input document, built from typed values (pure, no I/O).

Layout (documented with examples in ``policies/README.md``)::

    plan      the plan document, slimmed: resource_changes without no-ops and
              with sensitive values masked; configuration without expressions
    project   {name, target, regions, quotas, budget_monthly_usd}
    actor     {id, github, discord, role, roles, grants}  (grants active now)
    usage     {kind: {count, exact}}  resources the repo already holds
    cost      {monthly_before, monthly_after, delta, budget, not_priced} | null
    protected [addresses under `prevent_destroy` on the default branch]
    provider_regions {provider: region}   region set in provider blocks
    catalog   {kinds: {type: kind}, machine_types: {name: {vcpu, memory_gb, class}}}

Why slimmed: rego-cpp converts input at ~10 µs per JSON node, so a
5,000-resource plan with full before/after/unknown/sensitive trees and
expressions costs seconds; and masking here means no policy, built-in or
repo-local, can put a secret into a PR comment.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from ..catalog import reader, targets
from ..catalog.offerings import MachineType, offerings
from ..catalog.specs import Kind, Target
from ..cost.estimate import Estimate, provider_regions
from ..repo_config import Grant, ProjectConfig, RepoConfig, Role
from ..terraform.plan import Action, Plan, mask_sensitive, parse_plan, thaw


@dataclass(frozen=True)
class Actor:
    """Who asks: a member of cloudops.yaml (or an unknown login, role None)."""

    id: str
    role: Role | None = None  # the strongest role on the project now
    github: str | None = None
    discord: str | None = None
    roles: tuple[Role, ...] = ()
    grants: tuple[Grant, ...] = ()  # active now

    def as_input(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "github": self.github,
            "discord": self.discord,
            "role": self.role.value if self.role else None,
            "roles": [r.value for r in self.roles],
            "grants": [{"project": g.project, "role": g.role.value, "expires_at": g.expires_at.isoformat(),
                        "reason": g.reason} for g in self.grants],
        }


def actor_for(config: RepoConfig, project: str, *, member: str | None = None, github: str | None = None,
              discord: str | None = None, now: dt.datetime | None = None) -> Actor:
    """Resolve a PR author / chat user to an Actor; expired grants are ignored at once."""
    now = now or dt.datetime.now(dt.timezone.utc)
    found = config.members.get(member) if member else config.member_by(github=github, discord=discord)
    if found is None:
        return Actor(id=member or github or discord or "unknown", github=github, discord=discord)
    grants = tuple(g for g in config.grants if g.member == found.name and g.project == project and g.active(now))
    roles = tuple(dict.fromkeys(
        ([found.role] if not found.projects or project in found.projects else []) + [g.role for g in grants]))
    return Actor(id=found.name, role=config.role_of(found.name, project, now), github=found.github or github,
                 discord=found.discord or discord, roles=roles, grants=grants)


def project_input(project: ProjectConfig) -> dict[str, Any]:
    return {
        "name": project.name,
        "target": project.target.value,
        "regions": [project.region],
        "quotas": {kind.value: n for kind, n in project.quotas.items()},
        "budget_monthly_usd": project.budget_monthly_usd,
    }


def usage_input(counts: Mapping[str, reader.KindCount | int] | None) -> dict[str, Any]:
    """Counts per kind from ``reader.read_project(dir).counts()`` (or plain ints)."""
    out: dict[str, Any] = {}
    for kind, value in (counts or {}).items():
        if isinstance(value, reader.KindCount):
            out[str(kind)] = {"count": value.minimum, "exact": value.exact}
        else:
            out[str(kind)] = {"count": int(value), "exact": True}
    return out


def cost_input(estimate: Estimate, project: str, budget: float | Decimal | None = None) -> dict[str, Any]:
    """The project's monthly totals from the cost engine; budget from cloudops.yaml."""
    total = next((p for p in estimate.projects if p.project == project), None)
    if total is None and len(estimate.projects) == 1:
        total = estimate.projects[0]  # resources without a project label: the plan is this project's
    before = total.before if total else Decimal(0)
    after = total.after if total else Decimal(0)
    chosen = budget if budget is not None else (total.budget if total else None)
    return {
        "monthly_before": float(before),
        "monthly_after": float(after),
        "delta": float(after - before),
        "budget": float(chosen) if chosen is not None else None,
        "not_priced": total.not_priced if total else 0,
    }


def size_class(machine: MachineType) -> str:
    """small <= 2 vCPU/2 GB; medium <= 2 vCPU/8 GB; large <= 4 vCPU/16 GB; else xlarge."""
    if machine.vcpu <= 2 and machine.memory_gb <= 2:
        return "small"
    if machine.vcpu <= 2 and machine.memory_gb <= 8:
        return "medium"
    if machine.vcpu <= 4 and machine.memory_gb <= 16:
        return "large"
    return "xlarge"


@cache
def _catalog() -> dict[str, Any]:
    kinds: dict[str, str] = {t: k.value for t, k in reader.EXTRA_KINDS.items()}
    machines: dict[str, Any] = {}
    for target in Target:
        primary = targets.module(target).PRIMARY
        kinds.update({t: k.value for t, k in primary.items() if isinstance(k, Kind)})
        for name, machine in offerings(target).machine_types.items():
            machines[name] = {"vcpu": machine.vcpu, "memory_gb": machine.memory_gb, "class": size_class(machine)}
    return {"kinds": kinds, "machine_types": machines}


def catalog_input() -> dict[str, Any]:
    return copy.deepcopy(_catalog())


def _module(mod: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"resources": [
        {k: r[k] for k in ("address", "mode", "type", "name", "provider_config_key") if k in r}
        | {"provisioners": [{"type": p.get("type")} for p in r.get("provisioners") or []]}
        for r in mod.get("resources") or []
    ]}
    calls = mod.get("module_calls") or {}
    if calls:
        out["module_calls"] = {name: {"source": call.get("source"), "module": _module(call.get("module") or {})}
                               for name, call in calls.items()}
    return out


def configuration_input(configuration: Mapping[str, Any]) -> dict[str, Any]:
    """Providers and blocks without expressions (provider blocks may hold credentials)."""
    providers = {key: {k: block[k] for k in ("name", "full_name", "version_constraint", "module_address") if k in block}
                 for key, block in (configuration.get("provider_config") or {}).items()}
    return {"provider_config": providers, "root_module": _module(configuration.get("root_module") or {})}


def _values(value: Any, mask: Any, keep: Set[str] | None) -> Any:
    """Masked values; with ``keep``, only top-level attributes named in it."""
    if keep is not None and isinstance(value, Mapping):
        mask = mask if isinstance(mask, Mapping) else ({} if mask is not True else mask)
        value = {k: v for k, v in value.items() if k in keep}
    return mask_sensitive(thaw(value), mask)


def plan_input(plan: Plan, keep: Set[str] | None = None) -> dict[str, Any]:
    """``keep``: attribute names the loaded policies mention (see engine.attribute_names);
    None keeps every attribute."""
    changes = []
    for rc in plan.resource_changes:
        if not rc.is_change:  # no-ops, data reads, forgets: nothing for a policy to judge
            continue
        entry = {"address": rc.address, "mode": rc.mode, "type": rc.type, "provider_name": rc.provider_name,
                 "change": {"actions": list(rc.actions),
                            "before": _values(rc.before, rc.before_sensitive, keep),
                            "after": _values(rc.after, rc.after_sensitive, keep)}}
        if rc.module_address:
            entry["module_address"] = rc.module_address
        changes.append(entry)
    return {
        "format_version": plan.format_version,
        "terraform_version": plan.terraform_version,
        "resource_changes": changes,
        "configuration": configuration_input(thaw(plan.configuration)),
    }


def build_input(plan: Plan | Mapping[str, Any], *, project: ProjectConfig, actor: Actor | None = None,
                usage: Mapping[str, reader.KindCount | int] | None = None, cost: Mapping[str, Any] | None = None,
                protected: Iterable[str] = (), now: dt.datetime | None = None,
                keep: Set[str] | None = None) -> dict[str, Any]:
    """The whole input document for one project's plan (``keep``: see plan_input)."""
    parsed = plan if isinstance(plan, Plan) else parse_plan(plan)
    now = now or dt.datetime.now(dt.timezone.utc)
    return {
        "plan": plan_input(parsed, keep),
        "project": project_input(project),
        "actor": (actor or Actor(id="unknown")).as_input(),
        "usage": usage_input(usage),
        "cost": dict(cost) if cost is not None else None,
        "protected": sorted(set(protected)),
        "provider_regions": provider_regions(parsed),
        "catalog": catalog_input(),
        "now": now.isoformat(),
    }
