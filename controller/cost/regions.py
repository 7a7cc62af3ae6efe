"""Which region each provider's resources are priced in, and why (pure).

Terraform takes a provider's region from its block, else from the
environment it runs in (``AWS_REGION``, ``GOOGLE_REGION``, ...). A plan
document records the block (``planctx.provider_regions``) but not the
environment, so a plan made with ``AWS_REGION=eu-west-1`` and no ``region``
in its provider block does not say where it runs. Before calling such a
region unknown we look, in this order:

1. the provider block (a constant, or a variable's value or default);
2. the plan itself: the availability zones, ``region`` attributes and ARNs
   of its AWS resources, when they all name one region;
3. what the caller knows: ``--region aws=eu-west-1`` or the same environment
   variables terraform reads.

Every region not read from a provider block is reported with its source, so
the estimate says what it assumed; nothing here ever guesses a default.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import ConfigError
from ..terraform.plan import Plan
from . import planctx

FROM_PROVIDER_BLOCK = "provider block"
FROM_PLAN = "the plan's availability zones, region attributes and ARNs"

# The variables each provider reads for its region when the block names none, in its order.
ENV_NAMES: Mapping[str, tuple[str, ...]] = {
    "aws": ("AWS_REGION", "AWS_DEFAULT_REGION"),
    "google": ("GOOGLE_REGION", "GCLOUD_REGION", "CLOUDSDK_REGION", "CLOUDSDK_COMPUTE_REGION"),
}
# Azure resources name their own location, so only these take a region from outside the plan.
PROVIDERS = ("aws", "google")

_AWS_REGION = re.compile(r"^(?:af|ap|ca|cn|eu|il|me|mx|sa|us)(?:-gov|-iso[a-z]?)?-[a-z]+-\d$")
_AWS_ZONE = re.compile(r"^((?:af|ap|ca|cn|eu|il|me|mx|sa|us)(?:-gov)?-[a-z]+-\d)[a-z]$")
_ARN = re.compile(r"^arn:aws[a-z\-]*:[a-z0-9\-]+:((?:af|ap|ca|cn|eu|il|me|mx|sa|us)(?:-gov)?-[a-z]+-\d):")
_GCP_REGION = re.compile(r"^[a-z]+-[a-z]+\d+$")


@dataclass(frozen=True)
class RegionChoice:
    region: str
    source: str  # FROM_PROVIDER_BLOCK, FROM_PLAN, "AWS_REGION", "--region", ...

    @property
    def assumed(self) -> bool:
        return self.source != FROM_PROVIDER_BLOCK


def is_region(provider: str, region: str) -> bool:
    pattern = {"aws": _AWS_REGION, "google": _GCP_REGION}.get(provider)
    return bool(pattern and pattern.match(region))


def aws_region_in(value: Any) -> str | None:
    """The AWS region a zone (``eu-west-1b``), region or ARN names, else None."""
    if not isinstance(value, str):
        return None
    if _AWS_REGION.match(value):
        return value
    zone = _AWS_ZONE.match(value)
    if zone:
        return zone[1]
    arn = _ARN.match(value)
    return arn[1] if arn else None


_REGION_KEYS = frozenset({"region", "availability_zone", "availability_zones", "arn"})


def _collect(values: Any, key: str, out: set[str]) -> None:
    if isinstance(values, Mapping):
        for k, v in values.items():
            _collect(v, str(k), out)
    elif isinstance(values, (list, tuple)):
        for item in values:
            _collect(item, key, out)
    elif isinstance(values, str) and (key in _REGION_KEYS or key.endswith("_arn") or values.startswith("arn:")):
        found = aws_region_in(values)
        if found and (key != "region" or _AWS_REGION.match(values)):
            out.add(found)


def _state_resources(module: Any) -> Iterable[Mapping[str, Any]]:
    if not isinstance(module, Mapping):
        return
    yield from (r for r in module.get("resources") or () if isinstance(r, Mapping))
    for child in module.get("child_modules") or ():
        yield from _state_resources(child)


def regions_in_plan(plan: Plan) -> dict[str, str]:
    """{"aws": region} when every AWS zone, region attribute and ARN in the plan names the same region."""
    seen: set[str] = set()
    for change in plan.resource_changes:
        if change.type.startswith("aws_"):
            _collect(change.before, "", seen)
            _collect(change.after, "", seen)
    prior = (plan.prior_state or {}).get("values") if isinstance(plan.prior_state, Mapping) else None
    for res in _state_resources((prior or {}).get("root_module") if isinstance(prior, Mapping) else None):
        if str(res.get("type", "")).startswith("aws_"):
            _collect(res.get("values"), "", seen)
    return {"aws": seen.pop()} if len(seen) == 1 else {}


def regions_from_env(env: Mapping[str, str]) -> dict[str, RegionChoice]:
    """The region terraform would take from the environment for each provider, with the variable's name."""
    out: dict[str, RegionChoice] = {}
    for provider, names in ENV_NAMES.items():
        for name in names:
            value = (env.get(name) or "").strip()
            if value and is_region(provider, value):
                out[provider] = RegionChoice(value, name)
                break
    return out


def parse_region_flags(values: Iterable[str]) -> dict[str, RegionChoice]:
    """``--region aws=eu-west-1`` (repeatable) -> {"aws": RegionChoice("eu-west-1", "--region")}."""
    out: dict[str, RegionChoice] = {}
    for text in values:
        provider, sep, region = text.partition("=")
        provider, region = provider.strip(), region.strip()
        if not sep or provider not in PROVIDERS:
            raise ConfigError(f"--region {text!r}: write PROVIDER=REGION with PROVIDER one of {', '.join(PROVIDERS)} "
                              "(e.g. --region aws=eu-west-1)")
        if not is_region(provider, region):
            raise ConfigError(f"--region {text!r}: {region!r} is not a region name of the {provider} provider")
        out[provider] = RegionChoice(region, "--region")
    return out


def choose(plan: Plan, defaults: Mapping[str, RegionChoice] | None = None) -> dict[str, RegionChoice]:
    """The region of each provider: its block, else the plan's own resources, else ``defaults``."""
    chosen = {p: RegionChoice(r, FROM_PROVIDER_BLOCK) for p, r in planctx.provider_regions(plan).items()}
    for provider, region in regions_in_plan(plan).items():
        chosen.setdefault(provider, RegionChoice(region, FROM_PLAN))
    present = {c.type.split("_", 1)[0] for c in plan.resource_changes}
    for provider, choice in (defaults or {}).items():
        if provider in present:  # a default for a provider the plan does not use would only be noise
            chosen.setdefault(provider, choice)
    return chosen


def notes(chosen: Mapping[str, RegionChoice]) -> tuple[str, ...]:
    """One sentence per provider whose region is not written in its provider block."""
    return tuple(f"{provider} resources priced in {c.region}: no region in the provider block; taken from {c.source}"
                 for provider, c in sorted(chosen.items()) if c.assumed)
