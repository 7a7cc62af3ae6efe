"""What each target offers: regions, zones, machine types, tiers, classes.

Loaded once from ``data/<target>.yaml`` (a curated subset of each provider's
real lists; each file names its sources). Read-only values, no other I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

from .specs import Target


@dataclass(frozen=True)
class MachineType:
    name: str
    vcpu: int
    memory_gb: float
    price_profile: str | None = None


@dataclass(frozen=True)
class Offerings:
    target: Target
    regions: dict[str, tuple[str, ...]]
    machine_types: dict[str, MachineType]
    db_tiers: tuple[str, ...]
    db_engines: dict[str, tuple[str, ...]]
    storage_classes: tuple[str, ...]
    kubernetes_versions: tuple[str, ...]
    vm_disk_gb: tuple[int, int]
    db_storage_gb: tuple[int, int]
    cluster_nodes: tuple[int, int]
    db_storage_steps_gb: tuple[int, ...] = ()
    db_price_profiles: dict[str, str] | None = None
    storage_price_profiles: dict[str, str] | None = None

    def zones(self, region: str) -> tuple[str, ...]:
        return self.regions.get(region, ())


@cache
def offerings(target: Target | str) -> Offerings:
    target = Target(target)
    text = resources.files(__package__).joinpath("data", f"{target.value}.yaml").read_text(encoding="utf-8")
    raw = yaml.safe_load(text)
    bounds = raw["bounds"]
    return Offerings(
        target=target,
        regions={region: tuple(zones) for region, zones in raw["regions"].items()},
        machine_types={
            name: MachineType(name, int(v["vcpu"]), float(v["memory_gb"]), v.get("price_profile"))
            for name, v in raw["machine_types"].items()
        },
        db_tiers=tuple(raw["db_tiers"]),
        db_engines={engine: tuple(versions) for engine, versions in raw["db_engines"].items()},
        storage_classes=tuple(raw["storage_classes"]),
        kubernetes_versions=tuple(raw["kubernetes_versions"]),
        vm_disk_gb=tuple(bounds["vm_disk_gb"]),  # type: ignore[arg-type]
        db_storage_gb=tuple(bounds["db_storage_gb"]),  # type: ignore[arg-type]
        cluster_nodes=tuple(bounds["cluster_nodes"]),  # type: ignore[arg-type]
        db_storage_steps_gb=tuple(raw.get("db_storage_steps_gb", ())),
        db_price_profiles=raw.get("db_price_profiles"),
        storage_price_profiles=raw.get("storage_price_profiles"),
    )
