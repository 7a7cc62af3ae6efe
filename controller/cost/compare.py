"""``cloudops cost diff --compare-to BASELINE.json``: today's plan against an earlier breakdown (pure).

The baseline is a JSON breakdown written earlier, either ours (``cloudops cost --format json``) or
Infracost's (``infracost breakdown --format json``). Each resource's monthly cost after this plan is
set beside the baseline's figure; a resource with no figure on either side is *not priced* and stays
out of the totals, which say so.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from ..errors import ConfigError
from .estimate import Estimate

ZERO = Decimal(0)


class BaselineError(ConfigError):
    hint = "pass a JSON breakdown written by `cloudops cost --format json` (or `infracost breakdown --format json`)"


@dataclass(frozen=True)
class Baseline:
    monthly: Mapping[str, Decimal | None]  # address -> monthly cost (None: not priced there)
    source: str  # "cloudops" or "infracost"


@dataclass(frozen=True)
class Row:
    address: str
    baseline: Decimal | None  # None: not priced in the baseline
    current: Decimal | None  # None: not priced now
    in_baseline: bool
    in_current: bool

    @property
    def delta(self) -> Decimal | None:
        before = self.baseline if self.in_baseline else ZERO
        after = self.current if self.in_current else ZERO
        return None if before is None or after is None else after - before


@dataclass(frozen=True)
class Diff:
    rows: tuple[Row, ...]
    source: str

    @property
    def priced(self) -> tuple[Row, ...]:
        return tuple(r for r in self.rows if r.delta is not None)

    @property
    def not_priced(self) -> tuple[Row, ...]:
        return tuple(r for r in self.rows if r.delta is None)

    @property
    def baseline_total(self) -> Decimal:
        return sum((r.baseline or ZERO for r in self.priced if r.in_baseline), ZERO)

    @property
    def current_total(self) -> Decimal:
        return sum((r.current or ZERO for r in self.priced if r.in_current), ZERO)

    @property
    def delta(self) -> Decimal:
        return self.current_total - self.baseline_total


def _money(value: Any, where: str) -> Decimal | None:
    if value is None:
        return None
    try:
        found = Decimal(str(value))
    except InvalidOperation:
        raise BaselineError(f"{where}: not a number: {value!r}") from None
    if not found.is_finite():
        raise BaselineError(f"{where}: not a finite number: {value!r}")
    return found


def _infracost_resources(resources: Any, out: dict[str, Decimal | None], where: str) -> None:
    for r in resources or ():
        if not isinstance(r, Mapping) or "name" not in r:
            raise BaselineError(f"{where}: every resource needs a name")
        out[str(r["name"])] = _money(r.get("monthlyCost"), f"{where} {r['name']}")


def parse_baseline(text: str, where: str = "baseline") -> Baseline:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BaselineError(f"reading {where}: not JSON ({exc})") from None
    if not isinstance(doc, Mapping):
        raise BaselineError(f"{where}: expected a JSON object")
    monthly: dict[str, Decimal | None] = {}
    if isinstance(doc.get("resources"), list) and "total" in doc:
        for r in doc["resources"]:
            if not isinstance(r, Mapping) or "address" not in r:
                raise BaselineError(f"{where}: every resource needs an address")
            if r.get("after_detail") is None and r.get("action") == "delete":
                continue  # gone after that plan: not part of its breakdown
            priced = r.get("status") not in ("not priced",)
            monthly[str(r["address"])] = _money(r.get("after"), f"{where} {r['address']}") if priced else None
        return Baseline(monthly, "cloudops")
    if isinstance(doc.get("projects"), list):
        for i, project in enumerate(doc["projects"]):
            breakdown = (project or {}).get("breakdown") or {}
            _infracost_resources(breakdown.get("resources"), monthly, f"{where} project {i}")
        return Baseline(monthly, "infracost")
    raise BaselineError(f"{where}: neither a cloudops nor an Infracost JSON breakdown")


def diff(baseline: Baseline, est: Estimate) -> Diff:
    current: dict[str, Decimal | None] = {}
    for r in est.resources:
        if r.after is None:
            continue  # deleted by this plan
        current[r.address] = None if r.status.value == "not priced" else r.after_monthly
    names = list(dict.fromkeys([*baseline.monthly, *current]))
    rows = tuple(Row(a, baseline.monthly.get(a), current.get(a), a in baseline.monthly, a in current) for a in names)
    return Diff(rows, baseline.source)


def _fmt(value: Decimal | None, present: bool) -> str:
    from .render import money

    return "-" if not present else money(value)


def as_text(d: Diff) -> str:
    from .render import money, signed

    head = f"Monthly cost {'increased' if d.delta > 0 else 'decreased' if d.delta < 0 else 'unchanged'}"
    if d.delta:
        head += f" by {money(abs(d.delta))}"
    if d.not_priced:
        head += f" for what is priced; {len(d.not_priced)} resource{'s' if len(d.not_priced) != 1 else ''} not priced"
    lines = [head, f"Baseline ({d.source}) {money(d.baseline_total)} -> now {money(d.current_total)} ({signed(d.delta)})", ""]
    width = max([len(r.address) for r in d.rows] + [8])
    lines.append(f"{'RESOURCE'.ljust(width)}  {'BASELINE':>12}  {'NOW':>12}  {'CHANGE':>12}")
    for r in d.rows:
        if r.delta == 0:
            continue
        lines.append(f"{r.address.ljust(width)}  {_fmt(r.baseline, r.in_baseline):>12}  {_fmt(r.current, r.in_current):>12}  "
                     f"{signed(r.delta):>12}")
    return "\n".join(lines)


def as_json(d: Diff) -> dict[str, Any]:
    def cents(v: Decimal | None) -> str | None:
        from .render import CENT

        return None if v is None else str(v.quantize(CENT))

    return {
        "baseline_source": d.source,
        "total": {"baseline": cents(d.baseline_total), "current": cents(d.current_total), "delta": cents(d.delta),
                  "complete": not d.not_priced},
        "not_priced": [r.address for r in d.not_priced],
        "resources": [{"address": r.address, "baseline": cents(r.baseline) if r.in_baseline else None,
                       "current": cents(r.current) if r.in_current else None, "delta": cents(r.delta),
                       "in_baseline": r.in_baseline, "in_current": r.in_current} for r in d.rows],
    }
