"""Groups of identical machines: GCP managed instance groups and Azure scale sets (pure).

A group costs its size times one member: the machine, and each member's disks. The member's shape
comes from the group itself (Azure) or from the instance template it references (GCP). The size is the
one the plan sets now; an autoscaler may change it later, and the line says what was assumed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from decimal import Decimal
from typing import Any

from .components import Component, Context, Costed, first, hourly, number, text, verdict, zone_region
from .pricers_azure import DEFAULT_OS_DISK_GB, managed_disk, region_of, windows_vm
from .pricers_gcp import accelerators, image_disk_gb
from .resources import disk, pricer, vm



def _times(line: Component, count: Decimal) -> Component:
    """A member's line for every member of the group."""
    return replace(line, name=f"{line.name} × {count:g}",
                   monthly=None if line.monthly is None else line.monthly * count,
                   quantity=None if line.quantity is None else line.quantity * count)


def _empty(shape: str) -> Costed:
    return verdict([Component(f"Instances (0 × {shape})", Decimal(0), "hours", None, Decimal(0),
                              note="the group has no members now; an autoscaler may add some")])


# --- GCP: google_compute_instance_group_manager (zonal) and google_compute_region_instance_group_manager ---

_TEMPLATES = ("google_compute_instance_template", "google_compute_region_instance_template")


def _template(ctx: Context) -> Mapping[str, Any] | None:
    for attr in ("version", "instance_template"):  # provider 3+: version { instance_template }; older: top level
        for kind in _TEMPLATES:
            found = ctx.referenced(attr, kind)
            if found is not None:
                return found
    return None


def _template_disks(template: Mapping[str, Any], region: str | None, ctx: Context) -> list[Component]:
    """Each persistent disk of the template; a disk with no size takes its image's, when that is known."""
    lines = []
    for index, block in enumerate(template.get("disk") or ()):
        if text(block, "type") == "SCRATCH":
            lines.append(Component(f"Local SSD (disk {index})", None, "GB",
                                   note="gcp local SSD prices are not in the pricing catalog"))
            continue
        kind = text(block, "disk_type", "pd-standard")
        size = number(block, "disk_size_gb")
        from_image = image_disk_gb(text(block, "source_image")) if size is None and not text(block, "source") else None
        lines.append(disk("gcp", f"Disk {index}", kind, size if size is not None else from_image, region, ctx,
                          assumed="size comes from the image" if from_image is not None else ""))
    return lines


def _instance_group(region: str | None, v: Mapping[str, Any], ctx: Context) -> Costed:
    template = _template(ctx)
    if template is None:
        return verdict([hourly("Instances (instance template not found in the plan)", None,
                               missing="machine type: the instance template is not in this plan")])
    machine = text(template, "machine_type")
    size = number(v, "target_size")
    if size == 0:
        return _empty(machine or "?")
    count = size if size is not None else Decimal(1)
    scheduling = first(template, "scheduling")
    spot = scheduling.get("preemptible") is True or text(scheduling, "provisioning_model") == "SPOT"
    main = vm("gcp", machine, region, ctx, count, "nodes", spot=spot)
    if size is None:  # as Infracost: one instance when the plan leaves the size to an autoscaler
        main = replace(main, name=f"{main.name}, assumed: target_size not set")
    return verdict([main, *(_times(line, count) for line in _template_disks(template, region, ctx)),
                    *accelerators(template, count)])


@pricer("google_compute_instance_group_manager")
def _zonal_group(v: Mapping[str, Any], ctx: Context) -> Costed:
    return _instance_group(zone_region(text(v, "zone")) or ctx.provider_regions.get("google"), v, ctx)


@pricer("google_compute_region_instance_group_manager")
def _regional_group(v: Mapping[str, Any], ctx: Context) -> Costed:
    return _instance_group(text(v, "region") or ctx.provider_regions.get("google"), v, ctx)


# --- Azure: azurerm_linux/windows_virtual_machine_scale_set and the legacy azurerm_virtual_machine_scale_set ---

def _scale_set(v: Mapping[str, Any], ctx: Context, sku: str | None, size: Decimal | None, windows: bool, spot: bool,
               os_disk: Component, data_disks: list[Component]) -> Costed:
    count = ctx.used("instances")
    count = count if count is not None else size if size is not None else Decimal(0)
    if count == 0:
        return _empty(sku or "?")
    region = region_of(v, ctx)
    main = (windows_vm(sku, region, ctx, count, spot=spot) if windows
            else vm("azure", sku, region, ctx, count, "nodes", spot=spot))
    if ctx.used("instances") is not None:
        main = replace(main, name=f"{main.name} ({ctx.usage_origin}: instances)")
    return verdict([main, *(_times(line, count) for line in (os_disk, *data_disks))])


def _data_disks(blocks: Any, region: str | None, ctx: Context, type_key: str) -> list[Component]:
    return [managed_disk("Data disk", text(b, type_key, "Standard_LRS"), number(b, "disk_size_gb"), region, ctx)
            for b in blocks or ()]


def _os_disk(block: Mapping[str, Any], region: str | None, ctx: Context, type_key: str) -> Component:
    gb = number(block, "disk_size_gb")
    return managed_disk("OS disk", text(block, type_key, "Standard_LRS"), gb or DEFAULT_OS_DISK_GB, region, ctx,
                        assumed=not gb)


def _modern_scale_set(v: Mapping[str, Any], ctx: Context, windows: bool) -> Costed:
    region = region_of(v, ctx)
    return _scale_set(v, ctx, text(v, "sku") or text(v, "sku_name"), number(v, "instances"), windows, text(v, "priority") == "Spot",
                      _os_disk(first(v, "os_disk"), region, ctx, "storage_account_type"),
                      _data_disks(v.get("data_disk"), region, ctx, "storage_account_type"))


@pricer("azurerm_linux_virtual_machine_scale_set", "azurerm_orchestrated_virtual_machine_scale_set")
def _linux_scale_set(v: Mapping[str, Any], ctx: Context) -> Costed:
    windows = bool(first(v, "os_profile").get("windows_configuration"))  # orchestrated sets say it here
    return _modern_scale_set(v, ctx, windows)


@pricer("azurerm_windows_virtual_machine_scale_set")
def _windows_scale_set(v: Mapping[str, Any], ctx: Context) -> Costed:
    return _modern_scale_set(v, ctx, windows=True)


@pricer("azurerm_virtual_machine_scale_set")
def _legacy_scale_set(v: Mapping[str, Any], ctx: Context) -> Costed:
    """The legacy resource: sku { name, capacity }, storage_profile_* disks, Windows when os_profile_windows_config."""
    region = region_of(v, ctx)
    sku = first(v, "sku")
    return _scale_set(v, ctx, text(sku, "name"), number(sku, "capacity"), bool(v.get("os_profile_windows_config")),
                      text(v, "priority") in ("Low", "Spot"),
                      _os_disk(first(v, "storage_profile_os_disk"), region, ctx, "managed_disk_type"),
                      _data_disks(v.get("storage_profile_data_disk"), region, ctx, "managed_disk_type"))
