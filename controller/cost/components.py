"""What one priced resource is made of: cost components and their verdict (pure).

A component is a line of the bill (instance hours, a disk's GB-months). Its
``monthly`` is ``None`` when the catalog has no price for it: the resource is
then *not priced* (main component) or *partially priced* (a secondary one),
and the render says so. Usage-based lines carry a unit price but no fixed
monthly amount. Nothing unknown ever becomes a silent zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from datetime import date
from decimal import Decimal
from enum import Enum
from collections.abc import Mapping, Sequence
from typing import Any, TypeGuard

from .catalog import HOURS_PER_MONTH, PricingCatalog


class cached:  # noqa: N801 - reads like functools.cached_property, without its per-call lock (Python < 3.12)
    """Compute once per instance, then the instance attribute shadows this descriptor."""

    def __init__(self, fn: Any) -> None:
        self.fn, self.name = fn, fn.__name__

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        if obj is None:
            return self
        value = obj.__dict__[self.name] = self.fn(obj)
        return value


def is_map(value: Any) -> TypeGuard[Mapping[str, Any]]:
    """isinstance(value, Mapping), fast for the dict and mappingproxy the plan model hands us."""
    kind = type(value)
    return kind is dict or kind is MappingProxyType or isinstance(value, Mapping)


class Status(str, Enum):
    PRICED = "priced"
    PARTIAL = "partially priced"
    NOT_PRICED = "not priced"
    USAGE_BASED = "usage-based"
    FREE = "free"


@dataclass(frozen=True)
class PriceRef:
    """Which catalog entry priced a line, so recommendations can look up its neighbours.

    ``offering`` is what the person chose, as ``(target, name)`` of the resource
    catalog (``("local", "large")`` for a local size priced as gcp e2-standard-4).
    ``role`` says what the line is: ``vm``, ``nodes``, ``disk``, ``database``, ``storage``.
    """

    provider: str
    section: str
    name: str
    region: str | None
    role: str
    offering: tuple[str, str] | None = None


@dataclass(frozen=True)
class Component:
    name: str
    monthly: Decimal | None
    unit: str = ""
    unit_price: Decimal | None = None
    quantity: Decimal | None = None
    usage_based: bool = False
    note: str = ""
    ref: PriceRef | None = None


@dataclass(frozen=True)
class Costed:
    """The monthly cost of one resource state (before or after a change)."""

    status: Status
    components: tuple[Component, ...] = ()
    note: str = ""

    @cached
    def monthly(self) -> Decimal | None:
        """Fixed monthly cost; None when not priced; the priced part when partial."""
        if self.status is Status.NOT_PRICED:
            return None
        return sum((c.monthly for c in self.components if c.monthly is not None), Decimal(0))

    @cached
    def usage_based(self) -> bool:
        return any(c.usage_based for c in self.components)

    def missing(self) -> list[str]:
        return [c.note or c.name for c in self.components if (c.monthly is None and not c.usage_based)
                or (c.usage_based and c.unit_price is None and c.note not in ("", _DEPENDS))]


FREE = Costed(Status.FREE)


@dataclass(frozen=True)
class Context:
    """What a pricer may consult besides the resource's own values.

    ``usage`` is this resource's entry of the usage file (``{}`` when none; see
    ``usage.py``), ``usage_origin`` says where it came from ("resource",
    "type default") so a line can say so; ``refs`` maps an attribute to the
    addresses its configuration expression references, and ``lookup`` returns
    another resource's planned values by address (an autoscaling group reads
    its launch template); ``referrers`` are the other way round (an autoscaling
    target that names a DynamoDB table).
    """

    catalog: PricingCatalog
    provider_regions: Mapping[str, str] = field(default_factory=dict)
    usage: Mapping[str, Any] = field(default_factory=dict)
    usage_origin: str = ""
    refs: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    lookup: Any = None  # Callable[[str], Mapping[str, Any] | None]
    referrers: tuple[tuple[str, str], ...] = ()  # (address, attribute) of resources whose configuration names this one
    today: date = field(default_factory=date.today)  # date-dependent rates (RDS Extended Support year)

    def used(self, key: str) -> Decimal | None:
        """A usage quantity from the usage file, or None."""
        value: Any = self.usage
        for part in key.split("."):
            value = value.get(part) if is_map(value) else None
        if isinstance(value, bool) or value is None:
            return None
        try:
            return Decimal(str(value))
        except ArithmeticError:
            return None

    def referenced(self, attr: str, resource_type: str) -> Mapping[str, Any] | None:
        """Planned values of the first ``resource_type`` resource that ``attr`` references."""
        if self.lookup is None:
            return None
        for address in self.refs.get(attr, ()):
            parts = address.split(".")
            if len(parts) >= 2 and parts[-2] == resource_type:
                found = self.lookup(address)
                if found is not None:
                    return found
        return None


def verdict(components: list[Component], note: str = "") -> Costed:
    """Main component first: its price decides priced vs not priced."""
    if not components:
        return Costed(Status.NOT_PRICED, (), note or "nothing to price")
    main = components[0]
    fixed = [c for c in components if not c.usage_based]
    if main.monthly is None and not main.usage_based:
        return Costed(Status.NOT_PRICED, tuple(components), note or main.note)
    if not fixed:
        return Costed(Status.USAGE_BASED, tuple(components), note)
    if any(c.monthly is None for c in fixed):
        return Costed(Status.PARTIAL, tuple(components), note)
    return Costed(Status.PRICED, tuple(components), note)


def hourly(name: str, price: Decimal | None, count: Decimal = Decimal(1), missing: str = "",
           ref: PriceRef | None = None) -> Component:
    """A line billed per hour: price × count × 730."""
    if price is None:
        return Component(name, None, "hours", None, count * HOURS_PER_MONTH, note=missing or f"{name}: no price", ref=ref)
    return Component(name, price * count * HOURS_PER_MONTH, "hours", price, count * HOURS_PER_MONTH, ref=ref)


def per_gb_month(name: str, price: Decimal | None, gb: Decimal | None, missing: str = "",
                 ref: PriceRef | None = None) -> Component:
    if gb is None:
        return Component(name, None, "GB", price, None, note=f"{name}: size not known at plan time", ref=ref)
    if price is None:
        return Component(name, None, "GB", None, gb, note=missing or f"{name}: no price", ref=ref)
    return Component(name, price * gb, "GB", price, gb, ref=ref)


_DEPENDS = "depends on usage"
MILLION, THOUSAND = Decimal(1_000_000), Decimal(1000)  # "per 1M requests", "per 1k requests"


def unit_price_text(price: Decimal) -> str:
    """A unit price as a bill shows it: cents always ($2.00, $0.10), every further digit the source gives."""
    exact = format(price.normalize(), "f")
    return exact if len(exact.partition(".")[2]) > 2 else f"{price:.2f}"


def usage(name: str, price: Decimal | None, unit: str, ref: PriceRef | None = None, missing: str = "") -> Component:
    """A usage-based line; ``missing`` says why its unit price is unknown (shown as the reason it is not priced)."""
    text = (f"{_DEPENDS}: ${unit_price_text(price)} per {unit}" if price is not None
            else missing or f"{name}: {_DEPENDS}, and its unit price is not in the pricing catalog for this region")
    return Component(name, Decimal(0), unit, price, None, usage_based=True, note=text, ref=ref)


def tier_steps(quantity: Decimal, ceilings: Sequence[Decimal | None]) -> list[tuple[int, Decimal, Decimal]]:
    """Split a monthly quantity across price tiers given by cumulative ceilings (None: no ceiling).

    -> (tier index, first unit, units in the tier) for each tier the quantity reaches, in order.
    """
    steps, below = [], Decimal(0)
    for index, ceiling in enumerate(ceilings):
        step = (quantity if ceiling is None else min(quantity, ceiling)) - below
        if step <= 0:
            break
        steps.append((index, below + 1, step))
        below += step
    return steps


def usage_gap(name: str, region: str | None) -> str:
    """Why a usage line has no unit price: the region lacks it, or no region is known at all."""
    if region:
        return f"{name}: depends on usage, and its unit price in {region} is not in the pricing catalog"
    return (f"{name}: depends on usage, and its unit price is unknown: unknown region (no provider region, "
            "none in the plan, none given)")


_PER_WORDS: dict[Decimal, str] = {Decimal(1_000_000): "1M", Decimal(100_000): "100k", Decimal(10_000): "10k",
                                 Decimal(1000): "1k"}


def metered(ctx: Context, key: str, name: str, price: Decimal | None, unit: str, per: Decimal = Decimal(1),
            scale: Decimal = Decimal(1), missing: str = "", ref: PriceRef | None = None) -> Component:
    """A usage-based line: priced into the total when the usage file gives ``key``, else "depends on usage".

    ``per`` is how many units one price covers (1,000,000 requests for a per-1M price); ``scale``
    turns the usage quantity into the priced unit (GB-seconds from requests × duration).
    """
    quantity = ctx.used(key)
    if quantity is None:  # shown per the unit the price is published in: "$0.20 per 1M requests"
        label = unit if per == 1 else f"{_PER_WORDS.get(per, f'{per:g}')} {unit}"
        return usage(name, price, label, ref, missing=missing)
    quantity = quantity * scale
    label = f"{name} ({ctx.usage_origin or 'usage file'}: {key})"
    if price is None:
        return Component(label, None, unit, None, quantity, note=missing or f"{name}: no price")
    return Component(label, price * quantity / per, unit, price / per if per != 1 else price, quantity, ref=ref)


def quantity_line(name: str, price: Decimal | None, quantity: Decimal, unit: str, missing: str) -> Component:
    """A line of a known quantity at a unit price; ``missing`` is said only when the price is unknown."""
    if price is None:
        return Component(name, None, unit, None, quantity, note=missing)
    return Component(name, price * quantity, unit, price, quantity)


def monthly_fee(name: str, price: Decimal | None, count: Decimal = Decimal(1), missing: str = "") -> Component:
    """A line billed per month (a secret, a key, a hosted zone)."""
    if price is None:
        return Component(name, None, "months", None, count, note=missing or f"{name}: no price")
    return Component(name, price * count, "months", price, count)


def monthly_rate(name: str, month_price: Decimal | None, count: Decimal = Decimal(1), missing: str = "",
                 ref: PriceRef | None = None, note: str = "") -> Component:
    """A full month at a published monthly price (GCP's sustained-use figure), shown per hour."""
    if month_price is None:
        return Component(name, None, "hours", None, count * HOURS_PER_MONTH, note=missing or f"{name}: no price", ref=ref)
    return Component(name, month_price * count, "hours", month_price / HOURS_PER_MONTH, count * HOURS_PER_MONTH,
                     note=note, ref=ref)


# --- reading terraform values -------------------------------------------------------------


def first(values: Any, key: str) -> Mapping[str, Any]:
    """The first block of a nested block list (terraform renders blocks as lists)."""
    if not is_map(values):
        return {}
    block = values.get(key)
    if isinstance(block, (list, tuple)) and block and is_map(block[0]):
        return block[0]
    if is_map(block):
        return block
    return {}


def text(values: Mapping[str, Any], key: str, default: str | None = None) -> str | None:
    value = values.get(key) if is_map(values) else None
    if isinstance(value, str) and value:
        return value
    return default


def number(values: Mapping[str, Any], key: str, default: Decimal | None = None) -> Decimal | None:
    value = values.get(key) if is_map(values) else None
    if isinstance(value, bool) or value is None:
        return default
    if isinstance(value, (int, float)):
        return Decimal(str(value))
    if isinstance(value, str):
        try:
            return Decimal(value)
        except ArithmeticError:
            return default
    return default


def zone_region(zone: str | None) -> str | None:
    """us-central1-a -> us-central1 (GCP); us-east-1a -> us-east-1 (AWS)."""
    if not zone:
        return None
    parts = zone.split("-")
    if len(parts) == 3 and len(parts[2]) == 1 and parts[2].isalpha():  # GCP zone
        return "-".join(parts[:2])
    if len(parts) == 3 and parts[2][:-1].isdigit() and parts[2][-1].isalpha():  # AWS AZ
        return zone[:-1]
    return zone
