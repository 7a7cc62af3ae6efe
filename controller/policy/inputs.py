"""The policy input document, built from typed values (pure, no I/O).

Layout (documented with examples in ``policies/README.md``)::

    changes   one flat fact object per distinct resource change (type, action,
              provider, kind, region, labels, machine types, declared `after`
              attributes, `unknown` ones) with the addresses that share it:
              what the built-in policies read
    types     {type: [indexes into changes]}
    blocks    configuration blocks of every module level, grouped the same way
    provider_config  the configuration's provider blocks, without expressions
    plan      the plan document, slimmed: resource_changes without no-ops and
              with sensitive values masked; configuration without expressions
              (only for policies that read it: repo-local ones by default)
    project   {name, target, regions, quotas, budget_monthly_usd}
    actor     {id, github, discord, role, roles, grants}  (grants active now)
    usage     {kind: {count, exact}}  resources the repo already holds
    cost      {monthly_before, monthly_after, delta, budget, not_priced} | null
    protected [addresses under `prevent_destroy` on the default branch]
    provider_regions {provider: region}   region set in provider blocks
    catalog   {kinds: {type: kind}, machine_types: {name: {vcpu, memory_gb, class}}}

Why slimmed: the interpreter evaluates at µs per resource per rule and the
input is JSON text, so a 5,000-resource plan with full before/after trees
costs seconds; facts are a few nodes per *distinct* change
(resources differing only by name or address share one), and masking here
means no policy, built-in or repo-local, can put a secret into a PR comment.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..catalog import reader
from ..cost.estimate import Estimate, provider_regions
from ..repo_config import Grant, ProjectConfig, RepoConfig, Role
from ..terraform.plan import Plan, thaw
from ..terraform.plan_parser import parse_plan
from .facts import MAPPINGS, Needs, block_facts, catalog_facts, change_facts, masked_values


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
    now = now or dt.datetime.now(dt.UTC)
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
        "required_labels_on": (project.required_labels_on if isinstance(project.required_labels_on, str)
                               else list(project.required_labels_on)),
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


def catalog_input() -> dict[str, Any]:
    return copy.deepcopy(catalog_facts())


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


def plan_input(plan: Plan, keep: Set[str] | None = None) -> dict[str, Any]:
    """``keep``: attribute names the loaded policies mention (see engine.attribute_names);
    None keeps every attribute."""
    changes = []
    for rc in plan.resource_changes:
        if not rc.is_change:  # no-ops, data reads, forgets: nothing for a policy to judge
            continue
        entry = {"address": rc.address, "mode": rc.mode, "type": rc.type, "provider_name": rc.provider_name,
                 "change": {"actions": list(rc.actions),
                            "before": masked_values(rc.before, rc.before_sensitive, keep),
                            "after": masked_values(rc.after, rc.after_sensitive, keep)}}
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
                keep: Set[str] | None = None, needs: Needs | None = None) -> dict[str, Any]:
    """The whole input document for one project's plan.

    ``needs`` (engine.input_needs) leaves out what the selected policies do not
    read; ``keep`` is the older spelling of ``needs.keep``. Without either,
    everything is included.
    """
    parsed = plan if isinstance(plan, Plan) else parse_plan(plan)
    now = now or dt.datetime.now(dt.UTC)
    needs = needs or Needs(keep=keep)
    regions = provider_regions(parsed)
    configuration = parsed.configuration if isinstance(parsed.configuration, MAPPINGS) else {}
    changes = change_facts(parsed, needs, regions)
    types: dict[str, list[int]] = {}
    for index, fact in enumerate(changes):
        types.setdefault(fact["type"], []).append(index)
    document: dict[str, Any] = {
        "changes": changes,
        "types": types,  # type -> indexes into changes: rules visit only the types they judge
        "blocks": block_facts(configuration),
        "provider_config": thaw(configuration_input(configuration)["provider_config"]),
    }
    if needs.plan:
        document["plan"] = plan_input(parsed, needs.keep)
    return document | {
        "project": project_input(project),
        "actor": (actor or Actor(id="unknown")).as_input(),
        "usage": usage_input(usage),
        "cost": dict(cost) if cost is not None else None,
        "protected": sorted(set(protected)),
        "provider_regions": regions,
        "catalog": catalog_input(),
        "now": now.isoformat(),
    }
