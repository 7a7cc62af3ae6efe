"""Chat pre-flight: the monthly cost of catalog specs as they are added, with a running total (pure).

Each spec is turned into the terraform values its target renders (the same
arguments ``controller/catalog/targets`` writes, only those a pricer reads)
and priced by the very pricers that cost a plan, so a chat estimate and the
PR's estimate agree. A spec that cannot be priced shows "not priced" and is
left out of the running total, which says how many it leaves out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..catalog.render import normalized
from ..catalog.specs import BucketSpec, ClusterSpec, DatabaseSpec, ResourceSpec, Target, VmSpec
from ..catalog.targets import local as local_target
from . import resources
from .catalog import PricingCatalog, default_catalog
from .components import Context, Costed, Status, verdict
from .render import money

Values = list[tuple[str, dict[str, Any]]]
_PROVIDER_KEY = {Target.GCP: "google", Target.AWS: "aws", Target.AZURE: "azurerm"}


def _gcp(spec: ResourceSpec) -> Values:
    if isinstance(spec, VmSpec):
        return [("google_compute_instance", {"machine_type": spec.size, "zone": spec.zone,
                                             "boot_disk": [{"initialize_params": [{"size": spec.disk_gb}]}]})]
    if isinstance(spec, DatabaseSpec):
        return [("google_sql_database_instance", {"region": spec.region, "settings": [
            {"tier": spec.tier, "disk_size": spec.storage_gb, "disk_type": "PD_SSD"}]})]
    if isinstance(spec, BucketSpec):
        return [("google_storage_bucket", {"location": spec.region.upper(), "storage_class": spec.storage_class})]
    if isinstance(spec, ClusterSpec):
        return [("google_container_cluster", {"location": spec.region, "remove_default_node_pool": True,
                                              "initial_node_count": 1}),
                ("google_container_node_pool", {"location": spec.region, "node_count": spec.node_count,
                                                "node_config": [{"machine_type": spec.node_size}]})]
    return [("google_compute_network", {})]


def _aws(spec: ResourceSpec) -> Values:
    if isinstance(spec, VmSpec):
        return [("aws_instance", {"instance_type": spec.size, "availability_zone": spec.zone,
                                  "root_block_device": [{"volume_size": spec.disk_gb, "volume_type": "gp3"}]})]
    if isinstance(spec, DatabaseSpec):
        return [("aws_db_instance", {"instance_class": spec.tier, "allocated_storage": spec.storage_gb,
                                     "storage_type": "gp3"})]
    if isinstance(spec, BucketSpec):
        return [("aws_s3_bucket", {"bucket": spec.name})]
    if isinstance(spec, ClusterSpec):
        return [("aws_eks_cluster", {"name": spec.name}),
                ("aws_eks_node_group", {"instance_types": [spec.node_size],
                                        "scaling_config": [{"desired_size": spec.node_count}]})]
    return [("aws_vpc", {})]


def _azure(spec: ResourceSpec) -> Values:
    where = {"location": spec.region}
    if isinstance(spec, VmSpec):
        return [("azurerm_linux_virtual_machine", {**where, "size": spec.size, "os_disk": [
            {"storage_account_type": "StandardSSD_LRS", "disk_size_gb": spec.disk_gb}]})]
    if isinstance(spec, DatabaseSpec):
        kind = "azurerm_postgresql_flexible_server" if spec.engine == "postgres" else "azurerm_mysql_flexible_server"
        return [(kind, {**where, "sku_name": spec.tier, "storage_mb": spec.storage_gb * 1024})]
    if isinstance(spec, BucketSpec):
        return [("azurerm_storage_account", {**where, "access_tier": spec.storage_class,
                                             "account_replication_type": "LRS"})]
    if isinstance(spec, ClusterSpec):
        return [("azurerm_kubernetes_cluster", {**where, "default_node_pool": [
            {"vm_size": spec.node_size, "node_count": spec.node_count}]})]
    return [("azurerm_virtual_network", {})]


def values_for(spec: ResourceSpec) -> Values:
    """``[(terraform type, values)]``: what the spec renders to, as far as pricing reads it."""
    spec = normalized(spec)
    if spec.target == Target.LOCAL:
        return [("null_resource", {"triggers": local_target.triggers(spec)})]
    return {Target.GCP: _gcp, Target.AWS: _aws, Target.AZURE: _azure}[spec.target](spec)


def price_spec(spec: ResourceSpec, catalog: PricingCatalog | None = None) -> Costed:
    """One spec's monthly cost, all its rendered resources together."""
    regions = {_PROVIDER_KEY[spec.target]: spec.region} if spec.target in _PROVIDER_KEY else {}
    ctx = Context(catalog or default_catalog(), regions)
    parts = [resources.price(kind, values, ctx) for kind, values in values_for(spec)]
    if len(parts) == 1:
        return parts[0]
    if all(p.status is Status.FREE for p in parts):
        return parts[0]
    if any(p.status is Status.NOT_PRICED and not p.components for p in parts):
        return next(p for p in parts if p.status is Status.NOT_PRICED)
    return verdict([c for p in parts for c in p.components], "; ".join(p.note for p in parts if p.note))


@dataclass(frozen=True)
class Line:
    spec: ResourceSpec
    cost: Costed
    running_total: Decimal  # priced lines so far, this one included
    not_priced_so_far: int

    @property
    def monthly(self) -> Decimal | None:
        return self.cost.monthly

    @property
    def label(self) -> str:
        return f"{self.spec.kind.value} {self.spec.name}"


@dataclass(frozen=True)
class Preflight:
    lines: tuple[Line, ...]

    @property
    def total(self) -> Decimal:
        return self.lines[-1].running_total if self.lines else Decimal(0)

    @property
    def not_priced(self) -> int:
        return self.lines[-1].not_priced_so_far if self.lines else 0


def preflight(specs: Sequence[ResourceSpec], catalog: PricingCatalog | None = None) -> Preflight:
    """Price specs in the order they were added; the running total leaves unpriced ones out."""
    total, missing, lines = Decimal(0), 0, []
    for spec in specs:
        cost = price_spec(spec, catalog)
        if cost.status is Status.NOT_PRICED:
            missing += 1
        else:
            total += cost.monthly or Decimal(0)
        lines.append(Line(spec, cost, total, missing))
    return Preflight(tuple(lines))


def _cost_text(cost: Costed) -> str:
    if cost.status is Status.NOT_PRICED:
        return "not priced" + (f" ({cost.note})" if cost.note else "")
    if cost.status is Status.FREE:
        return "no cost of its own"
    if cost.status is Status.USAGE_BASED:
        return "usage-based: " + "; ".join(c.note for c in cost.components if c.usage_based)
    text = f"{money(cost.monthly)}/month"
    if cost.usage_based:
        text += " + usage"
    if cost.status is Status.PARTIAL:
        text += " (partly priced: " + "; ".join(cost.missing()) + ")"
    return text


def _total_text(total: Decimal, missing: int) -> str:
    text = f"{money(total)}/month"
    return text + (f" (+ {missing} not priced)" if missing else "")


def line_text(line: Line) -> str:
    """``vm web: $13.03/month · running total $13.03/month``, for each add in chat."""
    return f"{line.label}: {_cost_text(line.cost)} · running total {_total_text(line.running_total, line.not_priced_so_far)}"


def chat_text(pf: Preflight) -> str:
    """Every line, then the total: the reply to "what would this cost?"."""
    rows = [f"• {line.label}: {_cost_text(line.cost)}" for line in pf.lines]
    rows.append(f"💰 Estimated total: {_total_text(pf.total, pf.not_priced)} (on-demand list prices, 730 h/month)")
    return "\n".join(rows)
