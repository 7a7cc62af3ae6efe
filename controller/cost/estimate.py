"""From a parsed plan to monthly costs before and after, per resource and project (pure).

Every managed resource change is priced on both sides that exist: a create
has no "before" (it cost nothing), a delete no "after". A side that cannot be
priced makes the row *not priced*: its delta is unknown, it is listed, and it
is left out of the totals (which say so) instead of counting as zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from collections.abc import Mapping
from typing import Any

from dataclasses import replace

from ..terraform.plan import Action, Plan, ResourceChange
from . import planctx, resources
from .catalog import PricingCatalog, default_catalog
from .components import Context, Costed, Status, cached, is_map
from .regions import RegionChoice
from .regions import choose as choose_regions
from .regions import notes as region_notes
from .usage import NO_USAGE, Usage

ZERO = Decimal(0)
DEFAULT_PROJECT = "default"
_PRICED_ACTIONS = {Action.CREATE, Action.UPDATE, Action.DELETE, Action.REPLACE, Action.NOOP}


@dataclass(frozen=True)
class ResourceEstimate:
    address: str
    type: str
    action: Action
    project: str
    before: Costed | None  # None: the resource did not exist before
    after: Costed | None  # None: it will not exist after

    def _side(self, costed: Costed | None) -> Decimal | None:
        return ZERO if costed is None else costed.monthly

    @cached
    def before_monthly(self) -> Decimal | None:
        return self._side(self.before)

    @cached
    def after_monthly(self) -> Decimal | None:
        return self._side(self.after)

    @cached
    def priced(self) -> bool:
        return self.before_monthly is not None and self.after_monthly is not None

    @cached
    def delta(self) -> Decimal | None:
        if not self.priced:
            return None
        return self.after_monthly - self.before_monthly  # type: ignore[operator]

    @cached
    def percent(self) -> Decimal | None:
        """Change relative to before; None when before is zero or unknown."""
        delta, before = self.delta, self.before_monthly
        if delta is None or not before:
            return None
        return delta / before * 100

    @cached
    def status(self) -> Status:
        sides = [c for c in (self.after, self.before) if c is not None]
        for wanted in (Status.NOT_PRICED, Status.PARTIAL):
            if any(c.status is wanted for c in sides):
                return wanted
        if sides and all(c.status is Status.FREE for c in sides):
            return Status.FREE
        if any(c.status is Status.USAGE_BASED for c in sides) and not any(c.monthly for c in sides):
            return Status.USAGE_BASED
        return Status.PRICED

    @cached
    def usage_based(self) -> bool:
        return any(c.usage_based for c in (self.before, self.after) if c is not None)

    @cached
    def reason(self) -> str:
        """Why the row is not (fully) priced, for the callout."""
        notes: list[str] = []
        for side in (self.after, self.before):
            if side is None:
                continue
            for text in [side.note, *side.missing()] if side.status is Status.NOT_PRICED else side.missing():
                if text and text not in notes:
                    notes.append(text)
        return "; ".join(notes)


@dataclass(frozen=True)
class ProjectTotal:
    project: str
    before: Decimal
    after: Decimal
    not_priced: int = 0
    budget: Decimal | None = None

    @cached
    def delta(self) -> Decimal:
        return self.after - self.before

    @property
    def budget_remaining(self) -> Decimal | None:
        """Budget minus the monthly cost after the change (negative: over budget)."""
        return None if self.budget is None else self.budget - self.after

    @property
    def over_budget(self) -> bool:
        return self.budget is not None and self.after > self.budget


@dataclass(frozen=True)
class Estimate:
    resources: tuple[ResourceEstimate, ...]
    projects: tuple[ProjectTotal, ...]
    as_of: Mapping[str, str] = field(default_factory=dict)
    currency: str = "USD"
    regions: Mapping[str, RegionChoice] = field(default_factory=dict)  # provider -> region priced in, and why
    region_notes: tuple[str, ...] = ()  # a sentence per region not read from a provider block

    @property
    def before(self) -> Decimal:
        return sum((p.before for p in self.projects), ZERO)

    @property
    def after(self) -> Decimal:
        return sum((p.after for p in self.projects), ZERO)

    @cached
    def delta(self) -> Decimal:
        return self.after - self.before

    @cached
    def changed(self) -> tuple[ResourceEstimate, ...]:
        return tuple(r for r in self.resources if r.action is not Action.NOOP)

    @cached
    def not_priced(self) -> tuple[ResourceEstimate, ...]:
        return tuple(r for r in self.resources if r.status is Status.NOT_PRICED)

    @cached
    def partially_priced(self) -> tuple[ResourceEstimate, ...]:
        return tuple(r for r in self.resources if r.status is Status.PARTIAL)

    @cached
    def usage_based(self) -> tuple[ResourceEstimate, ...]:
        return tuple(r for r in self.resources if r.usage_based)

    @cached
    def free(self) -> tuple[ResourceEstimate, ...]:
        return tuple(r for r in self.resources if r.status is Status.FREE)


def provider_regions(plan: Plan) -> dict[str, str]:
    """Region (or location) of each provider block: a constant, or a variable's value or default."""
    return planctx.provider_regions(plan)


def _project_of(values: Any, fallback: str) -> str:
    if not is_map(values):
        return fallback
    for key in ("triggers", "labels", "tags"):
        found = values.get(key)
        if isinstance(found, Mapping) and isinstance(found.get("project"), str) and found["project"]:
            return str(found["project"])
    return fallback


def estimate_change(change: ResourceChange, ctx: Context, project: str = DEFAULT_PROJECT) -> ResourceEstimate:
    """Price both sides of one change; ``ctx`` already carries this resource's usage and references."""
    action = change.action
    # Terraform writes ``null`` for a side whose object does not exist; a replace planned without a prior
    # object (``before: null``) therefore adds a resource, as a create does.
    existed = action is not Action.CREATE and change.before is not None
    before = resources.price(change.type, change.before, ctx) if existed else None
    after = resources.price(change.type, change.after, ctx) if action is not Action.DELETE else None
    owner = _project_of(change.after if change.after is not None else change.before, project)
    return ResourceEstimate(change.address, change.type, action, owner, before, after)


def _totals(rows: list[ResourceEstimate], budgets: Mapping[str, Decimal]) -> tuple[ProjectTotal, ...]:
    names = sorted({r.project for r in rows} | set(budgets))
    out = []
    for name in names:
        mine = [r for r in rows if r.project == name]
        priced = [r for r in mine if r.priced]
        out.append(ProjectTotal(
            name,
            sum((r.before_monthly for r in priced), ZERO),  # type: ignore[misc]
            sum((r.after_monthly for r in priced), ZERO),  # type: ignore[misc]
            len(mine) - len(priced),
            budgets.get(name),
        ))
    return tuple(out)


def estimate(
    plan: Plan,
    *,
    project: str = DEFAULT_PROJECT,
    budgets: Mapping[str, Decimal] | None = None,
    catalog: PricingCatalog | None = None,
    usage: Usage | None = None,
    today: date | None = None,
    default_regions: Mapping[str, RegionChoice] | None = None,
) -> Estimate:
    """Price every managed resource change of ``plan``; ``budgets`` maps project -> monthly USD.

    ``today`` picks date-dependent rates (the RDS Extended Support year); the default is the current date.

    ``usage`` holds the usage file's quantities (``usage.parse_usage``); without it, usage-based
    lines list their unit prices and stay out of the totals.

    ``default_regions`` (``regions.regions_from_env``, ``regions.parse_region_flags``) applies to a
    provider whose block names no region and whose resources do not say it either (``regions.choose``).
    """
    cat = catalog or default_catalog()
    priced_in = choose_regions(plan, default_regions)
    ctx = Context(cat, {p: c.region for p, c in priced_in.items()}, today=today or date.today())
    refs = planctx.references(plan)
    aliased = planctx.aliased_regions(plan)
    referrers: dict[str, list[tuple[str, str]]] = {}
    for source, attributes in refs.items():
        for attribute, targets in attributes.items():
            for target in targets:
                referrers.setdefault(target, []).append((source, attribute))
    planned = {c.address: c.after for c in plan.resource_changes if is_map(c.after)}

    def lookup(address: str) -> Any:
        if address in planned:
            return planned[address]
        return next((v for a, v in planned.items() if a.startswith(address + "[")), None)

    chosen = usage or NO_USAGE
    rows = []
    for c in plan.resource_changes:
        if c.mode != "managed" or c.action not in _PRICED_ACTIONS:
            continue
        quantities, origin = chosen.for_resource(c.address, c.type)
        alias = aliased.get(planctx.config_address(c.address))
        regions_here = {**ctx.provider_regions, alias[0]: alias[1]} if alias else ctx.provider_regions
        mine = replace(ctx, provider_regions=regions_here, usage=quantities, usage_origin=origin,
                       refs=refs.get(planctx.config_address(c.address), {}), lookup=lookup,
                       referrers=tuple(referrers.get(planctx.config_address(c.address), ())))
        rows.append(estimate_change(c, mine, project))
    as_of = {name: book.dates() for name, book in cat.books.items()}
    return Estimate(tuple(rows), _totals(rows, dict(budgets or {})), as_of, regions=priced_in,
                    region_notes=region_notes(priced_in) + _alias_notes(aliased, rows))


def _alias_notes(aliased: Mapping[str, tuple[str, str]], rows: list[ResourceEstimate]) -> tuple[str, ...]:
    """ "2 aws resources priced in eu-west-1: their provider block is an alias with its own region"."""
    counts: dict[tuple[str, str], int] = {}
    for row in rows:
        found = aliased.get(planctx.config_address(row.address))
        if found:
            counts[found] = counts.get(found, 0) + 1
    return tuple(f"{n} {provider} resource{'s' if n != 1 else ''} priced in {region}: "
                 f"{'their' if n != 1 else 'its'} provider block is an alias with its own region"
                 for (provider, region), n in sorted(counts.items()))


def combine(estimates: list[Estimate], budgets: Mapping[str, Decimal] | None = None) -> Estimate:
    """Several plans (one project each) as one estimate: their rows side by side, totals per project."""
    rows = [r for e in estimates for r in e.resources]
    as_of: dict[str, str] = {}
    regions: dict[str, RegionChoice] = {}
    for e in estimates:
        as_of.update(e.as_of)
        for provider, choice in e.regions.items():
            regions.setdefault(provider, choice)
    notes = tuple(dict.fromkeys(n for e in estimates for n in e.region_notes))
    return Estimate(tuple(rows), _totals(rows, dict(budgets or {})), as_of, regions=regions, region_notes=notes)
