"""How much of a plan the engine prices, and how its figures compare with Infracost's (pure).

Used by ``benchmarks/bench_cost_coverage.py`` and the corpus test. A *cost-bearing* change is a
changed managed resource that is not free; it counts as priced when its fixed monthly cost is
known or, for a usage-based resource, when the unit prices of its usage are known.

Infracost's figures are read from its JSON breakdown (``projects[].breakdown.resources[]``) or from
its table output (the golden files of its test suite). Only fixed lines are compared: usage-based
lines (``usageBased``, or a ``*`` in the table) depend on a usage file and are left out on both sides.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .components import Status
from .estimate import Estimate, ResourceEstimate

ZERO = Decimal(0)
CATEGORIES = {
    "compute": ("aws_instance", "aws_autoscaling_group", "aws_eks_node_group", "google_compute_instance",
                "google_container_node_pool", "azurerm_linux_virtual_machine", "azurerm_windows_virtual_machine",
                "azurerm_virtual_machine", "azurerm_kubernetes_cluster_node_pool", "azurerm_kubernetes_cluster"),
    "databases": ("aws_db_instance", "aws_rds_cluster_instance", "google_sql_database_instance",
                  "azurerm_postgresql_flexible_server", "azurerm_mysql_flexible_server", "aws_elasticache_cluster",
                  "aws_elasticache_replication_group"),
    "disks": ("aws_ebs_volume", "google_compute_disk", "azurerm_managed_disk"),
}


def category(resource_type: str) -> str:
    return next((name for name, types in CATEGORIES.items() if resource_type in types), "other")


def _usage_priced(row: ResourceEstimate) -> bool:
    side = row.after or row.before
    lines = [c for c in (side.components if side else ()) if c.usage_based]
    return bool(lines) and all(c.unit_price is not None for c in lines)


def classify(row: ResourceEstimate) -> str:
    """free | priced | usage-priced | partial | not priced"""
    status = row.status
    if status is Status.FREE:
        return "free"
    if status is Status.PRICED:
        return "priced"
    if status is Status.USAGE_BASED:
        return "usage-priced" if _usage_priced(row) else "not priced"
    if status is Status.PARTIAL:
        return "partial"
    return "not priced"


@dataclass(frozen=True)
class Coverage:
    cost_bearing: int
    priced: int  # priced, or usage-based with every unit price known
    partial: int
    not_priced_types: Mapping[str, int]

    @property
    def share(self) -> float:
        return self.priced / self.cost_bearing if self.cost_bearing else 1.0


def coverage(estimates: list[Estimate]) -> Coverage:
    bearing = priced = partial = 0
    missing: dict[str, int] = {}
    for est in estimates:
        for row in est.changed:
            kind = classify(row)
            if kind == "free":
                continue
            bearing += 1
            if kind in ("priced", "usage-priced"):
                priced += 1
            else:
                partial += kind == "partial"
                missing[row.type] = missing.get(row.type, 0) + 1
    return Coverage(bearing, priced, partial, dict(sorted(missing.items(), key=lambda kv: -kv[1])))


_WHY = (("unknown region", "region unknown (no provider region, none in the plan, none given)"),
        ("not known at plan time", "a size or type unknown at plan time"),
        ("no pricing for resource type", "no pricer for the type"),
        ("is not in the pricing catalog", "no price for that product in that region"))


def gaps_by_reason(estimates: list[Estimate]) -> dict[str, int]:
    """Why each cost-bearing change is not (fully) priced, counted by the first reason its text names."""
    out: dict[str, int] = {}
    for est in estimates:
        for row in est.changed:
            kind = classify(row)
            if kind in ("free", "priced", "usage-priced"):
                continue
            reason = row.reason or ""
            why = next((label for needle, label in _WHY if needle in reason),
                       "usage prices unknown in that region" if row.status is Status.USAGE_BASED else "other")
            out[why] = out.get(why, 0) + 1
    return dict(sorted(out.items(), key=lambda kv: -kv[1]))


# --- Infracost's figures -----------------------------------------------------------------

_MONEY = re.compile(r"\$([0-9,]+\.[0-9]{2})\s*(\*)?\s*$")


Lines = dict[str, Decimal]  # component name -> fixed monthly cost


def _json_lines(resource: Mapping[str, Any], out: Lines) -> None:
    for c in resource.get("costComponents") or ():
        if c.get("usageBased") or c.get("monthlyCost") is None:
            continue
        name = str(c.get("name", ""))
        out[name] = out.get(name, ZERO) + Decimal(str(c["monthlyCost"]))
    for sub in resource.get("subresources") or ():
        _json_lines(sub, out)


def _reserved(resource: Mapping[str, Any]) -> bool:
    return any(", reserved," in str(c.get("name", "")) for c in resource.get("costComponents") or ())


def parse_infracost_lines(text: str) -> dict[str, Lines]:
    """address -> Infracost's fixed lines (after the plan), from its JSON or table output.

    A resource Infracost priced as a reserved instance (from its usage file) is left out: not a list price.
    """
    stripped = text.lstrip()
    if "HOURLY COST  MONTHLY COST" in text:
        return _parse_plancosts(text)
    if not stripped.startswith("{"):
        return _parse_table(text)
    doc, _ = json.JSONDecoder().raw_decode(stripped)
    out: dict[str, Lines] = {}
    for project in doc.get("projects") or ():
        for r in ((project or {}).get("breakdown") or {}).get("resources") or ():
            if _reserved(r) or not (r.get("costComponents") or r.get("subresources")):
                continue
            lines: Lines = {}
            _json_lines(r, lines)
            out[str(r["name"])] = lines
    return out


def parse_infracost(text: str) -> dict[str, Decimal]:
    """address -> Infracost's fixed monthly cost (after the plan)."""
    return {a: sum(lines.values(), ZERO) for a, lines in parse_infracost_lines(text).items()}


_NAME = re.compile(r"^[├└│\s─]*(.+?)\s{2,}")


def _parse_table(text: str) -> dict[str, Lines]:
    out: dict[str, Lines] = {}
    current: str | None = None
    for line in text.splitlines():
        body = line.strip()
        if not body or body.startswith(("Name ", "Project:", "OVERALL", "*", "─", "∙")):
            continue
        if line.startswith(" ") and not line.startswith("  ") and body[0] not in "├└│":
            current = body.split()[0]
            out[current] = {}
            continue
        if current is not None and ", reserved," in body:
            out.pop(current, None)
            current = None
            continue
        if current is None or "depends on usage" in body:
            continue
        match = _MONEY.search(body)
        name = _NAME.match(body)
        if match and not match[2] and name:
            key = name[1].strip()
            out[current][key] = out[current].get(key, ZERO) + Decimal(match[1].replace(",", ""))
    return out


_PLANCOSTS_LINE = re.compile(r"^\s*[├└]─\s*(.+?)\s{2,}[0-9.]+\s+([0-9.]+)\s*$")


def _parse_plancosts(text: str) -> dict[str, Lines]:
    """Infracost's first releases ("plancosts", 2020): ``  address`` then ``├─ line  hourly  monthly``, no ``$``."""
    out: dict[str, Lines] = {}
    current: str | None = None
    for line in text.splitlines():
        body = line.strip()
        if not body or body.startswith(("NAME", "OVERALL", "Total", "INFO", "$")):
            continue
        match = _PLANCOSTS_LINE.match(line)
        if match and current is not None:
            out[current][match[1]] = out[current].get(match[1], ZERO) + Decimal(match[2])
        elif not match and " " not in body:
            current = body
            out[current] = {}
    return out


def _kind(name: str) -> str:
    """The first two words of a line's name: "Extended support (year 1)" and "Extended support (mysql 5.7)" match."""
    return " ".join(name.lower().split()[:2])


_YEAR = re.compile(r"year (\d)|years (\d)-\d")


def _dated_phase(name: str) -> str | None:
    """The billing phase of a line whose price depends on the day it is computed (RDS Extended Support)."""
    if _kind(name) != "extended support":
        return None
    found = _YEAR.search(name.lower())
    return "year 3" if found and (found[1] or found[2]) == "3" else "years 1-2"


def ours_fixed(row: ResourceEstimate) -> Decimal | None:
    """Our fixed monthly cost after the change (None: not priced)."""
    if row.after is None or row.status in (Status.NOT_PRICED,):
        return None
    return row.after.monthly


@dataclass(frozen=True)
class Pair:
    plan: str
    address: str
    type: str
    ours: Decimal
    theirs: Decimal

    @property
    def ratio(self) -> float:
        return float(self.ours / self.theirs)


def pairs(plan_name: str, est: Estimate, theirs: Mapping[str, Lines]) -> list[Pair]:
    """Resources both price above zero (a $0 on either side has no ratio).

    For a partly priced resource, the priced part is compared with Infracost's figure less the lines
    of the same kind as ours that are not priced. A line billed by date (RDS Extended Support: years 1-2,
    then year 3) is compared only when both sides are in the same phase: Infracost's outputs were
    computed on some earlier day, ours today, so otherwise it is left out on both sides.
    """
    out = []
    for row in est.resources:
        mine = ours_fixed(row)
        lines = theirs.get(row.address)
        if mine is None or lines is None:
            continue
        components = row.after.components if row.after else ()
        unpriced = {_kind(c.name) for c in components if c.monthly is None}
        their_phases = {_dated_phase(k) for k in lines} - {None}
        dated = {c for c in components if (phase := _dated_phase(c.name)) and phase not in their_phases}
        if dated:
            unpriced.add("extended support")
            mine -= sum((c.monthly for c in dated if c.monthly is not None), ZERO)
        other = sum((v for k, v in lines.items() if _kind(k) not in unpriced), ZERO)
        if other == 0:
            continue
        out.append(Pair(plan_name, row.address, row.type, mine, other))
    return out
