"""Google Cloud pricers: compute, disks, Cloud SQL, GCS, GKE, NAT, addresses, private-services traffic (pure)."""

from __future__ import annotations

import re
from decimal import Decimal
from collections.abc import Mapping
from typing import Any

from .components import (FREE, MILLION, THOUSAND, Component, Context, Costed, PriceRef, Status, first, hourly, metered, number, per_gb_month,
                         text, usage, usage_gap, verdict, zone_region)
from .catalog import HOURS_PER_MONTH
from .resources import book_price, disk, extra, fee, missing, pricer, ref, vm


def _iops(disk_type: str | None, iops: Decimal | None, region: str | None, ctx: Context) -> list[Component]:
    """pd-extreme and hyperdisk-extreme bill their provisioned IOPS on top of the GB."""
    if disk_type not in ("pd-extreme", "hyperdisk-extreme") or not iops:
        return []
    return [per_gb_month(f"Provisioned IOPS ({iops:g})", book_price(ctx, "gcp", "disk_iops_month", disk_type, region),
                         iops, missing("gcp", "disk IOPS", disk_type, region))]


@pricer("google_compute_instance")
def _gce(v: Mapping[str, Any], ctx: Context) -> Costed:
    region = zone_region(text(v, "zone")) or ctx.provider_regions.get("google")
    params = first(first(v, "boot_disk"), "initialize_params")
    kind = text(params, "type", "pd-standard")
    scheduling = first(v, "scheduling")
    spot = scheduling.get("preemptible") is True or text(scheduling, "provisioning_model") == "SPOT"
    parts = [vm("gcp", text(v, "machine_type"), region, ctx, spot=spot),
             disk("gcp", "Boot disk", kind, number(params, "size", Decimal(10)), region, ctx),
             *_iops(kind, number(params, "provisioned_iops"), region, ctx), *_licence(text(params, "image")),
             *accelerators(v)]
    return verdict(parts)


def accelerators(values: Mapping[str, Any], count: Decimal = Decimal(1)) -> list[Component]:
    """GPUs attached to a machine (guest_accelerator): no GPU prices are recorded, so each is a named gap.

    Without this line an instance with GPUs would read as fully priced at a fraction of its bill.
    """
    lines = []
    for block in values.get("guest_accelerator") or () if isinstance(values, Mapping) else ():
        gpus = number(block, "count", Decimal(1)) or Decimal(0)
        if gpus:
            kind = text(block, "type", "?")
            lines.append(Component(f"GPUs ({gpus * count:g} × {kind})", None, "hours", None, gpus * count * HOURS_PER_MONTH,
                                   note=f"gcp GPU prices ({kind}) are not in the pricing catalog"))
    return lines


# Public image projects that bill a licence per hour on top of the machine (premium images).
_PREMIUM_IMAGES = ("windows-cloud", "windows-sql-cloud", "rhel-cloud", "rhel-sap-cloud", "suse-cloud", "suse-sap-cloud")


def _licence(image: str | None) -> list[Component]:
    """A premium image's licence fee is not recorded: the instance is then partly priced, not under-priced."""
    project = next((p for p in _PREMIUM_IMAGES if image and (image.startswith(p + "/") or f"/{p}/" in image)), None)
    if project is None:
        return []
    return [Component(f"Premium image licence ({project})", None, "hours",
                      note=f"gcp premium image licence fees ({project}) are not in the pricing catalog")]


# Public image projects whose images are all 10 GB: a disk made from one with no `size` is created at 10 GB.
# (terraform-validator's own snapshot example sizes its debian-8 disk at 10; Google's describe output for such a
# disk reads diskSizeGb '10'.) Other images, private ones included, have sizes the plan cannot show.
_TEN_GB_IMAGE_PROJECTS = ("debian-cloud", "ubuntu-os-cloud")


def image_disk_gb(image: str | None) -> Decimal | None:
    """The size a disk takes from its public image, when every image of that project has one size."""
    if image and any(image.startswith(p + "/") or f"projects/{p}/" in image for p in _TEN_GB_IMAGE_PROJECTS):
        return Decimal(10)
    return None


@pricer("google_compute_disk")
def _gcedisk(v: Mapping[str, Any], ctx: Context) -> Costed:
    region = zone_region(text(v, "zone")) or ctx.provider_regions.get("google")
    kind = text(v, "type", "pd-standard")
    size = number(v, "size")
    from_image = image_disk_gb(text(v, "image")) if size is None and not text(v, "snapshot") else None
    line = disk("gcp", "Disk", kind, size if size is not None else from_image, region, ctx,
                assumed="size comes from the image" if from_image is not None else "")
    return verdict([line, *_iops(kind, number(v, "provisioned_iops"), region, ctx)])


_DB_CUSTOM = re.compile(r"^db-custom-(\d+)-(\d+)$")


def cloud_sql_tier(tier: str | None, region: str | None, ctx: Context, ha: bool = False) -> Component:
    """Shared-core tiers have an hourly price; db-custom-N-MB is vCPU-hours + GB-hours."""
    factor = Decimal(2) if ha else Decimal(1)
    label = f"SQL instance ({tier}{', regional' if ha else ''})"
    tier_ref = ref("gcp", "database_tiers_hourly", tier, region, "database")
    listed = book_price(ctx, "gcp", "database_tiers_hourly", tier, region)
    if listed is not None:
        return hourly(label, listed * factor, ref=tier_ref)
    match = _DB_CUSTOM.match(tier or "")
    vcpu_price = book_price(ctx, "gcp", "database_unit_prices", "vcpu_hour", region)
    mem_price = book_price(ctx, "gcp", "database_unit_prices", "memory_gb_hour", region)
    if match and vcpu_price is not None and mem_price is not None:
        per_hour = Decimal(match[1]) * vcpu_price + Decimal(match[2]) / Decimal(1024) * mem_price
        return hourly(label, per_hour * factor, ref=tier_ref)
    return hourly(label, None, missing=missing("gcp", "Cloud SQL tier", tier, region), ref=tier_ref)


@pricer("google_sql_database_instance")
def _cloud_sql(v: Mapping[str, Any], ctx: Context) -> Costed:
    region = text(v, "region") or ctx.provider_regions.get("google")
    settings = first(v, "settings")
    ha = text(settings, "availability_type") == "REGIONAL"
    disk_type = text(settings, "disk_type", "PD_SSD")
    storage_price = book_price(ctx, "gcp", "database_storage_gb_month", disk_type, region)
    parts = [cloud_sql_tier(text(settings, "tier"), region, ctx, ha),
             per_gb_month(f"Storage ({disk_type})", storage_price * 2 if (ha and storage_price) else storage_price,
                          number(settings, "disk_size", Decimal(10)), missing("gcp", "SQL storage", disk_type, region))]
    return verdict(parts)


def _gcs_location(location: str | None) -> str | None:
    if not location:
        return None
    return location if location.upper() in ("US", "EU", "ASIA") else location.lower()


@pricer("google_storage_bucket")
def _gcs(v: Mapping[str, Any], ctx: Context) -> Costed:
    storage_class = text(v, "storage_class", "STANDARD")
    location = _gcs_location(text(v, "location"))
    key = storage_class
    if location in ("US", "EU", "ASIA") and storage_class in ("STANDARD", "MULTI_REGIONAL"):
        key = "MULTI_REGIONAL_STANDARD"
    unit = book_price(ctx, "gcp", "storage_classes_gb_month", key, location)
    ref = PriceRef("gcp", "storage_classes_gb_month", key, location, "storage", ("gcp", storage_class))
    return verdict([usage(f"Storage ({storage_class})", unit, "GB-month", ref,
                          missing("gcp", "storage class", key, location))],
                   note="storage volume is usage-based")


@pricer("google_container_cluster")
def _gke(v: Mapping[str, Any], ctx: Context) -> Costed:
    parts = [fee("gcp", ctx)]
    if not v.get("remove_default_node_pool") and not v.get("enable_autopilot"):
        count = number(v, "initial_node_count")
        machine = text(first(v, "node_config"), "machine_type", "e2-medium")
        if count:
            parts.append(vm("gcp", machine, zone_region(text(v, "location")), ctx, count, "nodes"))
            parts.extend(accelerators(first(v, "node_config"), count))
    return verdict(parts)


@pricer("google_container_node_pool")
def _gke_pool(v: Mapping[str, Any], ctx: Context) -> Costed:
    count = number(v, "node_count") or number(v, "initial_node_count") or Decimal(1)
    config = first(v, "node_config")
    machine = text(config, "machine_type", "e2-medium")
    spot = config.get("preemptible") is True or config.get("spot") is True
    return verdict([vm("gcp", machine, zone_region(text(v, "location")), ctx, count, "nodes", spot=spot),
                    *accelerators(config, count)])


@pricer("google_compute_router_nat")
def _cloud_nat(v: Mapping[str, Any], ctx: Context) -> Costed:
    region = text(v, "region") or ctx.provider_regions.get("google")
    nat = extra("gcp", "nat_gateway", "NAT gateway", region, ctx)
    data = metered(ctx, "monthly_data_processed_gb", "Data processed",
                   book_price(ctx, "gcp", "usage_unit_prices", "nat_data_gb", region), "GB",
                   missing=usage_gap("Data processed", region))
    return verdict(list(nat.components) + [data])


@pricer("google_compute_vpn_tunnel")
def _vpn_tunnel(v: Mapping[str, Any], ctx: Context) -> Costed:
    """Cloud VPN bills each tunnel by the hour (traffic out is billed as egress, by usage)."""
    region = text(v, "region") or ctx.provider_regions.get("google")
    return extra("gcp", "vpn_tunnel", "VPN tunnel", region, ctx)


# Where private-services or VPN traffic goes, as Infracost's usage keys name it (monthly_egress_data_transfer_gb.<key>).
_INTERNAL_EGRESS = (("same_region", "within the same region"), ("us_or_canada", "within the US or Canada"),
                    ("europe", "within Europe"), ("asia", "within Asia"), ("south_america", "within South America"),
                    ("oceania", "to/from Indonesia and Oceania"),
                    ("worldwide", "between continents (excludes Oceania)"))


def _internal_egress(ctx: Context, prefix: str) -> Costed:
    return verdict([metered(ctx, f"monthly_egress_data_transfer_gb.{key}", f"{prefix} {label}",
                            book_price(ctx, "gcp", "internal_egress_gb", key, "global"), "GB",
                            missing=missing("gcp", "internal egress", key, "global"))
                    for key, label in _INTERNAL_EGRESS], note="network egress is usage-based")


@pricer("google_service_networking_connection")
def _service_networking(v: Mapping[str, Any], ctx: Context) -> Costed:
    """A private services connection costs nothing itself; the traffic over it is billed by destination."""
    return _internal_egress(ctx, "Traffic")


@pricer("google_compute_vpn_gateway", "google_compute_ha_vpn_gateway")
def _vpn_gateway(v: Mapping[str, Any], ctx: Context) -> Costed:
    """The gateway has no hourly charge (its tunnels do); IPsec traffic out of it is billed by destination."""
    return _internal_egress(ctx, "IPSec traffic")


@pricer("google_compute_address")
def _gce_address(v: Mapping[str, Any], ctx: Context) -> Costed:
    if text(v, "address_type", "EXTERNAL") == "INTERNAL":
        return FREE
    region = text(v, "region") or ctx.provider_regions.get("google")
    return extra("gcp", "public_ip_unused", "Static IP address (if unused)", region, ctx)


@pricer("google_compute_global_address")
def _global_address(v: Mapping[str, Any], ctx: Context) -> Costed:
    if text(v, "address_type", "EXTERNAL") == "INTERNAL":
        return FREE
    return extra("gcp", "global_address_unused", "Static IP address (if unused)", "global", ctx)


@pricer("google_compute_forwarding_rule")
def _forwarding_rule(v: Mapping[str, Any], ctx: Context) -> Costed:
    region = text(v, "region") or ctx.provider_regions.get("google")
    return extra("gcp", "forwarding_rule", "Forwarding rule", region, ctx)


@pricer("google_compute_global_forwarding_rule")
def _global_forwarding_rule(v: Mapping[str, Any], ctx: Context) -> Costed:
    return extra("gcp", "global_forwarding_rule", "Forwarding rule (global)", "global", ctx)


@pricer("google_compute_snapshot")
def _snapshot(v: Mapping[str, Any], ctx: Context) -> Costed:
    region = zone_region(text(v, "zone")) or ctx.provider_regions.get("google")
    return verdict([metered(ctx, "storage_gb", "Snapshot storage", book_price(ctx, "gcp", "disks_gb_month", "pd-snapshot",
                                                                            region), "GB-month")])


_QUANTITY = re.compile(r"^([0-9.]+)\s*(m|Ki|Mi|Gi|K|M|G)?$")
_SCALE = {None: Decimal(1), "m": Decimal("0.001"), "Ki": Decimal(1024), "Mi": Decimal(1024) ** 2,
          "Gi": Decimal(1024) ** 3, "K": Decimal(1000), "M": Decimal(1000) ** 2, "G": Decimal(1000) ** 3}


def _quantity(raw: Any, default: Decimal) -> Decimal:
    """A Kubernetes-style quantity ("1000m", "2", "512Mi") as a number; the default when absent or unreadable."""
    found = _QUANTITY.match(str(raw).strip()) if raw is not None else None
    return Decimal(found[1]) * _SCALE[found[2]] if found else default


@pricer("google_cloud_run_service")
def _cloud_run(v: Mapping[str, Any], ctx: Context) -> Costed:
    """Request-based billing: CPU and memory while serving requests, and the requests (Infracost's usage keys).

    Cloud Run's defaults when a container sets no limits: 1 vCPU and 512 MiB. With CPU always allocated
    (cpu-throttling "false") billing is per instance-second at other rates, not recorded here.
    """
    template = first(v, "template")
    annotations = first(template, "metadata").get("annotations") or {}
    region = text(v, "location") or ctx.provider_regions.get("google")
    if str(annotations.get("run.googleapis.com/cpu-throttling", "true")).lower() == "false":
        return Costed(Status.NOT_PRICED, note="gcp Cloud Run instance-based billing (CPU always allocated) is not in "
                                              "the pricing catalog")
    spec = first(template, "spec")
    limits = first(first(spec, "containers"), "resources").get("limits") or {}
    cpu = _quantity(limits.get("cpu"), Decimal(1))
    gib = _quantity(limits.get("memory"), Decimal(512) * 1024 ** 2) / Decimal(1024) ** 3
    concurrency = number(spec, "container_concurrency") or Decimal(80)
    duration_ms = ctx.used("average_request_duration_ms")
    per_request = duration_ms / THOUSAND / (ctx.used("concurrent_requests_per_instance") or concurrency) \
        if duration_ms is not None else None
    parts = [metered(ctx, "monthly_requests", "Requests", book_price(ctx, "gcp", "usage_unit_prices",
                                                                     "cloud_run_requests_per_1m", region),
                     "requests", per=MILLION)]
    for label, key, amount, unit in ((f"CPU ({cpu:g} vCPU)", "cloud_run_vcpu_second", cpu, "vCPU-seconds"),
                                     (f"Memory ({gib:g} GiB)", "cloud_run_gib_second", gib, "GiB-seconds")):
        price = book_price(ctx, "gcp", "usage_unit_prices", key, region)
        gap = usage_gap(label, region)
        if per_request is None or ctx.used("monthly_requests") is None:
            parts.append(usage(label, price, unit, missing=gap))
        else:
            parts.append(metered(ctx, "monthly_requests", label, price, unit, scale=per_request * amount, missing=gap))
    return verdict(parts, note="account-wide free tier (180,000 vCPU-s, 360,000 GiB-s, 2M requests a month) not deducted")
