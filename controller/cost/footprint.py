"""How big the workload is and roughly what it burns: vCPUs, memory, energy, CO2e (pure).

Sizes come from the resource catalog's offerings (``controller/catalog/data``):
a machine type that the catalog does not list is counted as *unsized*, never
guessed. Energy follows Cloud Carbon Footprint's compute formula::

    kWh  = vCPU-hours × (min W + utilisation × (max W − min W)) / 1000 × PUE
    CO2e = kWh × grid emission factor (metric t CO2e per kWh)

with CCF's per-provider coefficients (compute only: memory, storage and
network are left out, and the text says so). Sources, read 2025:

- cloud-carbon-footprint/cloud-carbon-footprint
  ``packages/gcp/src/domain/GcpFootprintEstimationConstants.ts`` @ 8027bcb3ed53,
  ``packages/aws/src/domain/AwsFootprintEstimationConstants.ts`` @ 3668d2e1d6bb,
  ``packages/azure/src/domain/AzureFootprintEstimationConstants.ts`` @ 7736c5d03945
  (MIN/MAX watts per vCPU, PUE, AVG_CPU_UTILIZATION_2020 = 50 %, emission factors;
  a region without its own factor uses CCF's "unknown region" provider average).

The laptop yardstick (8 logical CPUs, 16 GB memory) is our own convention, a
mainstream laptop such as a 2022 MacBook Air (8-core CPU) in its 16 GB
configuration: an analogy, not a benchmark.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..catalog.offerings import offerings
from .catalog import HOURS_PER_MONTH
from .estimate import Estimate

LAPTOP_VCPU = Decimal(8)
LAPTOP_MEMORY_GB = Decimal(16)
UTILISATION = Decimal("0.5")  # CCF AVG_CPU_UTILIZATION_2020


@dataclass(frozen=True)
class Coefficients:
    min_watts: Decimal  # per vCPU at idle
    max_watts: Decimal  # per vCPU at 100 %
    pue: Decimal
    grid_average: Decimal  # t CO2e per kWh, CCF's average over its regions
    pue_by_region: dict[str, Decimal]
    grid_by_region: dict[str, Decimal]

    def pue_for(self, region: str | None) -> Decimal:
        return self.pue_by_region.get(region or "", self.pue)

    def grid_for(self, region: str | None) -> tuple[Decimal, bool]:
        """(factor, True when the region has its own factor)."""
        if region and region in self.grid_by_region:
            return self.grid_by_region[region], True
        return self.grid_average, False


D = Decimal
CCF: dict[str, Coefficients] = {
    "gcp": Coefficients(D("0.71"), D("4.26"), D("1.1"), D("0.0004116296296"),
                        {"us-east1": D("1.102"), "us-central1": D("1.11"), "us-west1": D("1.095"),
                         "europe-west1": D("1.08"), "europe-west4": D("1.09"), "asia-east1": D("1.13")},
                        {"us-central1": D("0.000454"), "us-east1": D("0.00048"), "us-west1": D("0.000078"),
                         "europe-west1": D("0.000212"), "europe-west3": D("0.000293"), "europe-west4": D("0.00041"),
                         "asia-east1": D("0.00054"), "asia-northeast1": D("0.000554"),
                         "australia-southeast1": D("0.000727")}),
    "aws": Coefficients(D("0.74"), D("3.5"), D("1.135"), D("0.00038738"), {},
                        {"eu-west-1": D("0.000316"), "eu-central-1": D("0.000338"), "ap-southeast-1": D("0.0004085"),
                         "ap-southeast-2": D("0.00079"), "ap-northeast-1": D("0.000506")}),
    "azure": Coefficients(D("0.78"), D("3.76"), D("1.185"), D("0.0004074"), {},
                          {"westeurope": D("0.00039"), "northeurope": D("0.000316"), "uksouth": D("0.000228"),
                           "southeastasia": D("0.0004085")}),
}


@dataclass(frozen=True)
class MachineLine:
    address: str
    provider: str
    region: str | None
    name: str  # as chosen: e2-standard-4, or local "large"
    count: Decimal
    vcpu: Decimal | None  # per machine; None: not in the catalog's offerings
    memory_gb: Decimal | None


@dataclass(frozen=True)
class Footprint:
    machines: tuple[MachineLine, ...]

    @property
    def sized(self) -> tuple[MachineLine, ...]:
        return tuple(m for m in self.machines if m.vcpu is not None)

    @property
    def unsized(self) -> tuple[MachineLine, ...]:
        return tuple(m for m in self.machines if m.vcpu is None)

    @property
    def machine_count(self) -> Decimal:
        return sum((m.count for m in self.machines), Decimal(0))

    @property
    def vcpus(self) -> Decimal:
        return sum((m.count * m.vcpu for m in self.sized if m.vcpu is not None), Decimal(0))

    @property
    def memory_gb(self) -> Decimal:
        return sum((m.count * m.memory_gb for m in self.sized if m.memory_gb is not None), Decimal(0))

    @property
    def laptops(self) -> Decimal:
        """How many yardstick laptops match it: the larger of the vCPU and memory ratios."""
        return max(self.vcpus / LAPTOP_VCPU, self.memory_gb / LAPTOP_MEMORY_GB)

    @property
    def vcpu_hours(self) -> Decimal:
        return self.vcpus * HOURS_PER_MONTH


@dataclass(frozen=True)
class Energy:
    kwh: Decimal  # per month
    co2e_kg: Decimal
    regions_with_average: tuple[str, ...]  # regions whose factor is the provider average
    unsized: int  # machine lines left out


def _size(target: str, name: str) -> tuple[Decimal | None, Decimal | None]:
    try:
        machine = offerings(target).machine_types.get(name)
    except ValueError:
        return None, None
    if machine is None:
        return None, None
    return Decimal(machine.vcpu), Decimal(str(machine.memory_gb))


def footprint(est: Estimate) -> Footprint:
    """Every machine line that exists after the change (VMs and node pools)."""
    lines = []
    for row in est.resources:
        if row.after is None:
            continue
        for c in row.after.components:
            ref = c.ref
            if ref is None or ref.section != "machine_types" or ref.role not in ("vm", "nodes") or not c.quantity:
                continue
            target, chosen = ref.offering or (ref.provider, ref.name)
            vcpu, memory = _size(target, chosen)
            lines.append(MachineLine(row.address, ref.provider, ref.region, chosen, c.quantity / HOURS_PER_MONTH,
                                     vcpu, memory))
    return Footprint(tuple(lines))


def energy(fp: Footprint) -> Energy:
    kwh = co2 = Decimal(0)
    averaged: list[str] = []
    for m in fp.sized:
        coeff = CCF.get(m.provider)
        if coeff is None or m.vcpu is None:
            continue
        watts = coeff.min_watts + UTILISATION * (coeff.max_watts - coeff.min_watts)
        line_kwh = m.count * m.vcpu * HOURS_PER_MONTH * watts / 1000 * coeff.pue_for(m.region)
        factor, own = coeff.grid_for(m.region)
        if not own and (m.region or "unknown") not in averaged:
            averaged.append(m.region or "unknown")
        kwh += line_kwh
        co2 += line_kwh * factor * 1000  # t -> kg
    return Energy(kwh, co2, tuple(averaged), len(fp.unsized))
