"""The treasure hunt: cheaper ways to run what a plan builds, each with its monthly saving (pure).

Every saving is catalog arithmetic on the lines the estimate already priced
(``Component.ref`` says which catalog entry priced each line):

- **right-size**: the next smaller machine of the same family in the resource
  catalog's offerings, when both hourly prices are in the pricing catalog;
- **commit**: 1- or 3-year committed-use / reserved prices, only where the
  pricing files record a published price (sections ``committed_use_1y_monthly``
  and ``committed_use_3y_monthly``, per machine-month);
- **spot**: spot / preemptible prices (section ``spot_hourly``), only for
  stateless machines: single VMs in a project of the plan that holds no
  database (node pools and databases are never suggested);
- **storage class**: the next colder storage class of a bucket, as a saving
  per GB-month (bucket volume is usage-based, so no fixed monthly figure).

A price the files do not hold means no recommendation, never a guess.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum

from ..catalog.offerings import MachineType, offerings
from .catalog import HOURS_PER_MONTH, PricingCatalog, default_catalog
from .components import Component, PriceRef
from .estimate import Estimate, ResourceEstimate

SPOT = "spot_hourly"
COMMITMENTS = (("1-year", "committed_use_1y_monthly"), ("3-year", "committed_use_3y_monthly"))
# Colder classes, in order, per resource-catalog target (names as the catalog offers them).
COLDER: dict[str, tuple[str, ...]] = {
    "gcp": ("STANDARD", "NEARLINE", "COLDLINE", "ARCHIVE"),
    "azure": ("Hot", "Cool"),
    "local": ("standard", "infrequent", "archive"),
}


class Kind(str, Enum):
    RIGHT_SIZE = "right-size"
    COMMIT = "commitment"
    SPOT = "spot"
    STORAGE_CLASS = "storage class"


@dataclass(frozen=True)
class Recommendation:
    """One way to pay less. ``monthly_saving`` is None only for per-GB (usage-based) savings."""

    kind: Kind
    address: str
    title: str
    current_unit: Decimal  # price now, per ``unit``
    proposed_unit: Decimal
    unit: str  # "month" (of the whole line) or "GB-month"
    caveat: str
    quantity: Decimal = Decimal(1)

    @property
    def saving_per_unit(self) -> Decimal:
        return self.current_unit - self.proposed_unit

    @property
    def monthly_saving(self) -> Decimal | None:
        return self.saving_per_unit * self.quantity if self.unit == "month" else None


# --- families and sizes -----------------------------------------------------------------


_AZURE_SIZE = re.compile(r"^Standard_([A-Z]+)(\d+)([a-z]*)(_v\d+)?$")


def family(target: str, name: str) -> str | None:
    """Machines that differ only in size: e2-standard-*, t3.*, Standard_D*s_v5, every local size."""
    if target == "local":
        return "local"
    if target == "gcp":
        head, _, tail = name.rpartition("-")
        return head if tail.isdigit() else name.split("-", 1)[0] + "-shared-core"
    if target == "aws":
        return name.split(".", 1)[0] if "." in name else None
    if target == "azure":
        m = _AZURE_SIZE.match(name)
        return f"{m[1]}*{m[3]}{m[4] or ''}" if m else None
    return None


def next_smaller(target: str, name: str) -> MachineType | None:
    """The largest offered machine of the same family strictly smaller in vCPU or memory and no larger in either."""
    try:
        offered = offerings(target).machine_types
    except ValueError:
        return None
    current = offered.get(name)
    fam = family(target, name)
    if current is None or fam is None:
        return None
    smaller = [m for m in offered.values() if m.name != name and family(target, m.name) == fam
               and m.vcpu <= current.vcpu and m.memory_gb <= current.memory_gb
               and (m.vcpu, m.memory_gb) != (current.vcpu, current.memory_gb)]
    return max(smaller, key=lambda m: (m.vcpu, m.memory_gb), default=None)


def _profile_name(target: str, name: str, profiles: dict[str, str] | None, provider: str) -> str | None:
    """The pricing name of an offering: itself for clouds, its price profile for local."""
    if target != "local":
        return name
    profile = (profiles or {}).get(name)
    if profile and profile.startswith(f"{provider}/"):
        return profile.split("/", 1)[1]
    return None


# --- the four hunts ----------------------------------------------------------------------


def _lines(row: ResourceEstimate, role: str | None = None) -> Iterable[Component]:
    if row.after is None:
        return ()
    return [c for c in row.after.components
            if c.ref is not None and (role is None or c.ref.role == role)]


def _machines(row: ResourceEstimate) -> Iterable[tuple[Component, PriceRef]]:
    for c in _lines(row):
        ref = c.ref
        if ref is not None and ref.section == "machine_types" and c.unit_price is not None and c.quantity:
            yield c, ref


def _count(c: Component) -> Decimal:
    return (c.quantity or Decimal(0)) / HOURS_PER_MONTH


def right_size(row: ResourceEstimate, cat: PricingCatalog) -> list[Recommendation]:
    out = []
    for c, ref in _machines(row):
        if ref.offering is None:
            continue
        target, chosen = ref.offering
        smaller = next_smaller(target, chosen)
        book = cat.book(ref.provider)
        if smaller is None or book is None:
            continue
        if target == "local":
            profile = smaller.price_profile or ""
            price_name = profile.split("/", 1)[1] if profile.startswith(f"{ref.provider}/") else None
        else:
            price_name = smaller.name
        proposed = book.price("machine_types", price_name, ref.region) if price_name else None
        if proposed is None or c.unit_price is None or proposed >= c.unit_price:
            continue
        out.append(Recommendation(
            Kind.RIGHT_SIZE, row.address, f"Right-size {chosen} → {smaller.name}",
            c.unit_price * HOURS_PER_MONTH, proposed * HOURS_PER_MONTH, "month",
            f"{smaller.vcpu} vCPU / {smaller.memory_gb:g} GB instead of the current size: only if the load fits",
            _count(c)))
    return out


def commitments(row: ResourceEstimate, cat: PricingCatalog) -> list[Recommendation]:
    out = []
    for c, ref in _machines(row):
        book = cat.book(ref.provider)
        if book is None or c.unit_price is None:
            continue
        for term, section in COMMITMENTS:
            committed = book.price(section, ref.name, ref.region)
            current = c.unit_price * HOURS_PER_MONTH
            if committed is not None and committed < current:
                out.append(Recommendation(
                    Kind.COMMIT, row.address, f"{term} commitment for {ref.name}", current, committed, "month",
                    "billed every month of the term whether the machine runs or not", _count(c)))
    return out


def _stateful_projects(est: Estimate) -> set[str]:
    """Projects in which the plan holds a database: their VMs may be its clients or hosts."""
    return {r.project for r in est.resources if any(True for _ in _lines(r, "database"))
            or r.type in _DATABASE_TYPES}


_DATABASE_TYPES = frozenset({
    "google_sql_database_instance", "aws_db_instance", "aws_rds_cluster", "aws_rds_cluster_instance",
    "azurerm_postgresql_flexible_server", "azurerm_mysql_flexible_server", "azurerm_mssql_server",
    "azurerm_postgresql_server", "azurerm_mysql_server", "google_spanner_instance", "google_redis_instance",
    "aws_elasticache_cluster", "aws_dynamodb_table",
})


def spot(row: ResourceEstimate, cat: PricingCatalog, stateful: set[str]) -> list[Recommendation]:
    if row.project in stateful:
        return []
    out = []
    for c, ref in _machines(row):
        book = cat.book(ref.provider)
        if ref.role != "vm" or book is None or c.unit_price is None:
            continue
        price = book.price(SPOT, ref.name, ref.region)
        if price is not None and price < c.unit_price:
            out.append(Recommendation(
                Kind.SPOT, row.address, f"Spot / preemptible {ref.name}", c.unit_price * HOURS_PER_MONTH,
                price * HOURS_PER_MONTH, "month",
                "the provider may stop it at any time: for stateless, restartable work only; spot prices move",
                _count(c)))
    return out


def storage_class(row: ResourceEstimate, cat: PricingCatalog) -> list[Recommendation]:
    out = []
    for c in _lines(row, "storage"):
        ref = c.ref
        if ref is None or ref.offering is None or c.unit_price is None:
            continue
        target, chosen = ref.offering
        order = COLDER.get(target, ())
        book = cat.book(ref.provider)
        if chosen not in order or order.index(chosen) + 1 >= len(order) or book is None:
            continue
        colder = order[order.index(chosen) + 1]
        profiles = offerings(target).storage_price_profiles if target == "local" else None
        price_name = _profile_name(target, colder, profiles, ref.provider)
        if target == "azure":
            price_name = ref.name.replace(chosen, colder, 1)
        proposed = book.price("storage_classes_gb_month", price_name, ref.region) if price_name else None
        if proposed is not None and proposed < c.unit_price:
            out.append(Recommendation(
                Kind.STORAGE_CLASS, row.address, f"Storage class {chosen} → {colder}", c.unit_price, proposed,
                "GB-month", "colder classes charge for reads and have a minimum storage duration"))
    return out


def recommend(est: Estimate, catalog: PricingCatalog | None = None) -> list[Recommendation]:
    """Every recommendation for the resources that exist after the change, biggest monthly saving first."""
    cat = catalog or default_catalog()
    stateful = _stateful_projects(est)
    found: list[Recommendation] = []
    for row in est.resources:
        found += right_size(row, cat) + commitments(row, cat) + spot(row, cat, stateful) + storage_class(row, cat)
    return sorted(found, key=lambda r: (-(r.monthly_saving if r.monthly_saving is not None else Decimal(-1)),
                                        -r.saving_per_unit, r.address, r.kind.value))


def best_per_resource(recs: Sequence[Recommendation]) -> list[Recommendation]:
    """One recommendation per resource (its largest monthly saving): they do not add up otherwise."""
    best: dict[str, Recommendation] = {}
    for r in recs:
        if r.monthly_saving is None:
            continue
        if r.address not in best or r.monthly_saving > (best[r.address].monthly_saving or 0):
            best[r.address] = r
    return sorted(best.values(), key=lambda r: (-(r.monthly_saving or 0), r.address))


def potential_saving(recs: Sequence[Recommendation]) -> Decimal:
    """Monthly total of the best fixed saving per resource."""
    return sum((r.monthly_saving or Decimal(0) for r in best_per_resource(recs)), Decimal(0))
