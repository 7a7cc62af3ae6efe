"""The local target: a null_resource priced as the real product it stands for (pure).

The catalog writes ``cloudops_kind``, ``cloudops_target=local``, ``region``
and ``price_profile`` ("gcp/e2-small") into ``triggers``. The profile names
the provider and product; ``pricing/local.yaml`` names the reference region
of each local region. A null_resource without these triggers is plain glue
and costs nothing.
"""

from __future__ import annotations

from decimal import Decimal
from collections.abc import Mapping
from typing import Any

from .components import (FREE, Context, Costed, PriceRef, Status, hourly, is_map, number, per_gb_month, text, usage,
                         verdict)

_PROVIDERS = {"gcp", "aws", "azure"}


def _profile(triggers: Mapping[str, Any]) -> tuple[str, str] | None:
    value = text(triggers, "price_profile")
    if not value or "/" not in value:
        return None
    provider, name = value.split("/", 1)
    return (provider, name) if provider in _PROVIDERS and name else None


def _not_priced(why: str) -> Costed:
    return Costed(Status.NOT_PRICED, (), why)


def price_local(values: Mapping[str, Any], ctx: Context) -> Costed:
    triggers = values.get("triggers")
    if not is_map(triggers) or text(triggers, "cloudops_target") != "local":
        return FREE
    kind = text(triggers, "cloudops_kind")
    if kind == "network":
        return FREE
    ref = ctx.catalog.local.reference(text(triggers, "region"))
    profile = _profile(triggers)
    if ref is None:
        return _not_priced(f"local region {text(triggers, 'region')!r} has no reference region in pricing/local.yaml")
    if profile is None:
        return _not_priced(f"local {kind} has no usable price_profile")
    provider, name = profile
    ref_provider, region = ref
    book = ctx.catalog.book(provider)
    if book is None or provider != ref_provider:
        return _not_priced(f"price profile {provider}/{name} has no reference region for {text(triggers, 'region')}")
    label = f"as {provider} {name} in {region}"

    def machine(count: Decimal = Decimal(1), role: str = "vm", size_key: str = "size") -> Any:
        ref = PriceRef(provider, "machine_types", name, region, role, ("local", text(triggers, size_key) or ""))
        return hourly(f"Instance {label}" if count == 1 else f"Nodes ({count:g}) {label}",
                      book.price("machine_types", name, region), count, f"{provider} {name} in {region} is not priced", ref)

    if kind == "vm":
        disk_type = ctx.catalog.local.vm_disk_type
        return verdict([machine(), per_gb_month(f"Disk ({disk_type} in {region})", book.price("disks_gb_month", disk_type, region),
                                                number(triggers, "disk_gb"), f"{disk_type} in {region} is not priced")])
    if kind == "cluster":
        fee = hourly("Cluster management fee", book.price("kubernetes_cluster_hourly", "cluster", region))
        return verdict([machine(number(triggers, "node_count", Decimal(1)) or Decimal(1), "nodes", "node_size"), fee])
    if kind == "database":
        from .resources import cloud_sql_tier

        storage_class = ctx.catalog.local.database_storage_class
        return verdict([cloud_sql_tier(name, region, ctx),
                        per_gb_month(f"Storage ({storage_class} in {region})",
                                     book.price("database_storage_gb_month", storage_class, region),
                                     number(triggers, "storage_gb"), f"{storage_class} in {region} is not priced")])
    if kind == "bucket":
        storage_ref = PriceRef(provider, "storage_classes_gb_month", name, region, "storage",
                               ("local", text(triggers, "storage_class") or ""))
        return verdict([usage(f"Storage {label}", book.price("storage_classes_gb_month", name, region), "GB-month",
                              storage_ref)],
                       note="storage volume is usage-based")
    return _not_priced(f"local kind {kind!r} has no pricer")


def _register() -> None:
    from .resources import PRICERS

    PRICERS["null_resource"] = price_local


_register()
