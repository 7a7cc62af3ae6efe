"""An estimate as a PR comment (Markdown), as JSON, and as one line for chat (pure).

Money is rounded to cents here and only here. The comment follows the shape
teams know from Infracost: a headline ("Monthly estimate increased by $X"),
a table of changed resources, then what could not be priced and what depends
on usage, so that no unknown hides inside a total.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .components import Costed
from .estimate import Estimate, ResourceEstimate

CENT = Decimal("0.01")
MARKER = "<!-- cloudops:cost -->"


def money(value: Decimal | None) -> str:
    if value is None:
        return "not priced"
    rounded = value.quantize(CENT, rounding=ROUND_HALF_UP)
    sign = "-" if rounded < 0 else ""
    return f"{sign}${abs(rounded):,.2f}"


def signed(value: Decimal | None) -> str:
    if value is None:
        return "not priced"
    rounded = value.quantize(CENT, rounding=ROUND_HALF_UP)
    return ("+" if rounded > 0 else "") + money(rounded)


def percent(row: ResourceEstimate) -> str:
    if row.delta is None:
        return ""
    if row.before_monthly == 0:
        return "new" if row.after_monthly else ""
    pct = row.percent.quantize(Decimal(1), rounding=ROUND_HALF_UP) if row.percent is not None else None
    return "" if pct is None else f"{'+' if pct > 0 else ''}{pct}%"


TYPES_SHOWN = 4


def unpriced_changes(est: Estimate) -> tuple[ResourceEstimate, ...]:
    """Changed resources whose change is (partly) unknown: the delta leaves them out."""
    return tuple(r for r in est.changed if r.status.value in ("not priced", "partially priced"))


def unpriced_note(est: Estimate) -> str:
    """ "3 resources (aws_foo, aws_bar) not priced", or "" when every change is priced."""
    rows = unpriced_changes(est)
    if not rows:
        return ""
    types = sorted({r.type for r in rows})
    shown = ", ".join(types[:TYPES_SHOWN]) + (f" and {len(types) - TYPES_SHOWN} more" if len(types) > TYPES_SHOWN else "")
    partial = sum(1 for r in rows if r.status.value == "partially priced")
    whole_rows = len(rows) - partial
    parts = []
    if whole_rows:
        parts.append(f"{whole_rows} resource{'s' if whole_rows != 1 else ''}")
    if partial:
        parts.append(f"{partial} partly")
    return f"{' and '.join(parts)} ({shown}) not priced"


def headline(est: Estimate) -> str:
    """Never "unchanged" when a change could not be priced: the headline says what it leaves out."""
    delta = est.delta.quantize(CENT, rounding=ROUND_HALF_UP)
    note = unpriced_note(est)
    if note:
        if delta > 0:
            return f"Monthly estimate increased by {money(delta)} for what is priced; {note} 📈"
        if delta < 0:
            return f"Monthly estimate decreased by {money(-delta)} for what is priced; {note} 📉"
        return f"No change in what is priced; {note} ⚠️"
    if delta > 0:
        return f"Monthly estimate increased by {money(delta)} 📈"
    if delta < 0:
        return f"Monthly estimate decreased by {money(-delta)} 📉"
    billed_by_use = sorted({r.type for r in est.changed if r.status.value == "usage-based" and not r.delta})
    if billed_by_use:  # "unchanged" alone would hide a new Lambda or bucket whose bill is all usage
        count = sum(1 for r in est.changed if r.type in billed_by_use and r.status.value == "usage-based")
        return (f"Fixed monthly cost unchanged; {count} usage-based resource{'s' if count != 1 else ''} "
                f"({', '.join(billed_by_use[:TYPES_SHOWN])}) bill{'' if count != 1 else 's'} by usage")
    return "Monthly estimate unchanged"


def _side(row: ResourceEstimate, costed: Costed | None, value: Decimal | None) -> str:
    if costed is None:
        return "-"
    text = money(value)
    if costed.usage_based and value == 0:
        return "usage-based"
    return text + ("*" if row.status.value == "partially priced" else "")


def _change(row: ResourceEstimate) -> str:
    if row.status.value == "usage-based":
        return "usage-based"
    return signed(row.delta)


def markdown(est: Estimate, *, title: str = "Cost estimate") -> str:
    """The PR comment body."""
    lines = [MARKER, f"### 💰 {title}", "", f"**{headline(est)}**", "",
             f"Total monthly cost: {money(est.before)} → **{money(est.after)}**"]
    skipped = len(est.not_priced)
    if skipped:
        lines[-1] += f" (excludes {skipped} not priced resource{'s' if skipped != 1 else ''})"
    rows = [r for r in est.changed if not (r.status.value == "free")]
    if rows:
        lines += ["", "| Resource | Action | Monthly before | Monthly after | Change | % |",
                  "| --- | --- | ---: | ---: | ---: | ---: |"]
        for r in rows:
            lines.append(f"| `{r.address}` | {r.action.value} | {_side(r, r.before, r.before_monthly)} | "
                         f"{_side(r, r.after, r.after_monthly)} | {_change(r)} | {percent(r)} |")
    free = [r for r in est.changed if r.status.value == "free"]
    if free:
        lines += ["", f"{len(free)} changed resource{'s' if len(free) != 1 else ''} with no cost of their own "
                  f"(networks, IAM, glue): " + ", ".join(f"`{r.address}`" for r in free[:10])
                  + (" …" if len(free) > 10 else "")]
    if est.not_priced or est.partially_priced:
        lines += ["", "<details><summary>⚠️ Not priced</summary>", ""]
        for r in (*est.not_priced, *est.partially_priced):
            lines.append(f"- `{r.address}` ({r.status.value}): {r.reason or 'no price in the catalog'}")
        lines += ["", "</details>"]
    lines += [f"\nℹ️ {note}" for note in est.region_notes]
    assumed = assumptions(est)
    if assumed:
        lines += ["", "<details><summary>ℹ️ Assumptions in these figures</summary>", ""]
        lines += [f"- `{address}`: {text}" for address, text in assumed]
        lines += ["", "</details>"]
    usage = est.usage_based
    if usage:
        lines += ["", "<details><summary>📦 Usage-based costs (not in the totals)</summary>", ""]
        for r in usage:
            side = r.after or r.before
            notes = [f"{c.name}: {c.note}" for c in (side.components if side else ()) if c.usage_based]
            lines.append(f"- `{r.address}`: " + "; ".join(notes))
        lines += ["", "</details>"]
    if len(est.projects) > 1 or any(p.budget is not None for p in est.projects):
        lines += ["", "| Project | Monthly before | Monthly after | Change | Budget | vs budget |",
                  "| --- | ---: | ---: | ---: | ---: | --- |"]
        for p in est.projects:
            versus = ""
            if p.budget is not None:
                left = p.budget_remaining
                versus = f"⛔ over by {money(-left)}" if p.over_budget and left is not None else f"✅ {money(left)} left"
            lines.append(f"| {p.project} | {money(p.before)} | {money(p.after)} | {signed(p.delta)} | "
                         f"{money(p.budget) if p.budget is not None else '-'} | {versus} |")
    dates = ", ".join(f"{k} {v}" for k, v in sorted(est.as_of.items()))
    usage_note = ("Usage from the usage file is included; other usage-based costs are not."
                  if _uses_usage_file(est) else "Usage-based costs are not included.")
    lines += ["", f"<sub>On-demand list prices in USD, 730 hours a month; price data as of {dates}. "
              f"{usage_note}</sub>", ""]
    return "\n".join(lines)


def _uses_usage_file(est: Estimate) -> bool:
    return any("(usage file:" in c.name or "(type default:" in c.name
               for r in est.resources for side in (r.after, r.before) if side for c in side.components)


def assumptions(est: Estimate) -> list[tuple[str, str]]:
    """Lines priced on an assumption (a size the plan does not know, a discount applied), per resource."""
    out: list[tuple[str, str]] = []
    for r in est.changed:
        for side in (r.after, r.before):
            for c in side.components if side else ():
                text = c.name if "assumed" in c.name else (f"{c.name}: {c.note}" if c.note and c.monthly is not None
                                                           and not c.usage_based else "")
                if text and (r.address, text) not in out:
                    out.append((r.address, text))
            if side is not None:
                break
    return out


def counts(est: Estimate) -> dict[str, Any]:
    """How many resources are priced, free, usage-based, not priced (pricer but no price) or unsupported, by type."""
    from .resources import PRICERS  # the registry: a type without a pricer is "unsupported"

    groups: dict[str, dict[str, int]] = {k: {} for k in ("priced", "partially_priced", "usage_based", "free",
                                                         "no_price", "unsupported")}
    for r in est.resources:
        status = r.status.value
        if status == "not priced":
            key = "no_price" if r.type in PRICERS else "unsupported"
        else:
            key = {"partially priced": "partially_priced", "usage-based": "usage_based"}.get(status, status)
        groups[key][r.type] = groups[key].get(r.type, 0) + 1
    summary: dict[str, Any] = {"total_resources": len(est.resources), "changed_resources": len(est.changed)}
    for key, by_type in groups.items():
        summary[f"{key}_count"] = sum(by_type.values())
        summary[f"{key}_by_type"] = dict(sorted(by_type.items()))
    return summary


def _cents(value: Decimal | None) -> str | None:
    return None if value is None else str(value.quantize(CENT, rounding=ROUND_HALF_UP))


def _costed(costed: Costed | None) -> dict[str, Any] | None:
    if costed is None:
        return None
    return {
        "status": costed.status.value,
        "monthly": _cents(costed.monthly),
        "note": costed.note,
        "components": [
            {"name": c.name, "monthly": _cents(c.monthly), "unit": c.unit,
             "unit_price": None if c.unit_price is None else str(c.unit_price),
             "quantity": None if c.quantity is None else str(c.quantity),
             "usage_based": c.usage_based, "note": c.note}
            for c in costed.components
        ],
    }


def as_json(est: Estimate) -> dict[str, Any]:
    """For other components: money as decimal strings (cents), never floats."""
    return {
        "currency": est.currency,
        "hours_per_month": 730,
        "as_of": dict(est.as_of),
        "regions": {p: {"region": c.region, "source": c.source} for p, c in sorted(est.regions.items())},
        "region_notes": list(est.region_notes),
        "headline": headline(est),
        "total": {"before": _cents(est.before), "after": _cents(est.after), "delta": _cents(est.delta),
                  "complete": not est.not_priced and not est.partially_priced},
        "summary": counts(est),
        "projects": [
            {"project": p.project, "before": _cents(p.before), "after": _cents(p.after), "delta": _cents(p.delta),
             "budget": _cents(p.budget), "budget_remaining": _cents(p.budget_remaining),
             "over_budget": p.over_budget, "not_priced": p.not_priced}
            for p in est.projects
        ],
        "resources": [
            {"address": r.address, "type": r.type, "action": r.action.value, "project": r.project,
             "status": r.status.value, "before": _cents(r.before_monthly), "after": _cents(r.after_monthly),
             "delta": _cents(r.delta), "usage_based": r.usage_based, "reason": r.reason,
             "before_detail": _costed(r.before), "after_detail": _costed(r.after)}
            for r in est.resources
        ],
    }


def summary(est: Estimate) -> str:
    """One line for chat."""
    delta = est.delta.quantize(CENT, rounding=ROUND_HALF_UP)
    note = unpriced_note(est)
    change = "no change" if delta == 0 else f"{signed(delta)}/month"
    if note:
        change += " for what is priced"
    parts = [f"💰 {change} → {money(est.after)}/month", f"{len(est.changed)} changed"]
    if note:
        parts.append(note)
    elif est.not_priced:
        parts.append(f"{len(est.not_priced)} not priced")
    if est.usage_based:
        parts.append(f"{len(est.usage_based)} usage-based")
    parts += [f"{provider} region {c.region} from {c.source}" for provider, c in sorted(est.regions.items()) if c.assumed]
    over = [p.project for p in est.projects if p.over_budget]
    if over:
        parts.append("over budget: " + ", ".join(over))
    return " · ".join(parts)


def table(est: Estimate) -> str:
    """Plain-text breakdown for the terminal (``cloudops cost``)."""
    total = f"Total monthly: {money(est.before)} -> {money(est.after)} ({signed(est.delta)})"
    if est.not_priced:
        total += f", excluding {len(est.not_priced)} not priced resource{'s' if len(est.not_priced) != 1 else ''}"
    lines = [headline(est), total, *(f"note: {n}" for n in est.region_notes), ""]
    noted: dict[str, list[str]] = {}
    for address, text in assumptions(est):
        noted.setdefault(address, []).append(text)
    width = max([len(r.address) for r in est.resources] + [8])
    lines.append(f"{'RESOURCE'.ljust(width)}  {'ACTION':8}  {'BEFORE':>12}  {'AFTER':>12}  {'CHANGE':>12}  STATUS")
    for r in est.resources:
        lines.append(f"{r.address.ljust(width)}  {r.action.value:8}  {money(r.before_monthly):>12}  "
                     f"{money(r.after_monthly):>12}  {signed(r.delta):>12}  {r.status.value}")
        if r.reason:
            lines.append(f"{''.ljust(width)}  ↳ {r.reason}")
        for text in noted.get(r.address, ()):
            lines.append(f"{''.ljust(width)}  ↳ {text}")
    for p in est.projects:
        if p.budget is not None:
            state = "OVER BUDGET" if p.over_budget else "within budget"
            lines.append(f"\nproject {p.project}: {money(p.after)} of budget {money(p.budget)} ({state}, "
                         f"{money(p.budget_remaining)} left)")
    return "\n".join(lines)
