"""The Cloud Dungeon Master: a plain-language story of a plan's cost, told from computed figures (pure).

Deterministic: the same plan and estimate always give the same words. Every
number in the text is a field of ``Story`` (or derived from one here), and
``figures()`` lists them all so that a rewrite (``llm.py``) can be checked
against them. Five parts: the toll (monthly cost, in coffee cups), the size
of the beast (vCPU and memory against a laptop yardstick), the blast radius
(public endpoints, databases, deletions, replacements), the treasure hunt
(top recommendations) and the footprint (energy and CO2e, compute only).

Defaults: a coffee costs ``DEFAULT_COFFEE_PRICE`` (USD 5.00, a round café
price; set ``NarrativeConfig(coffee_price=...)``); a laptop is 8 vCPU / 16 GB
(see ``footprint.py`` for that and for the energy coefficients' sources).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from ..terraform.plan import Plan
from . import blast, footprint, recommendations
from .blast import BlastRadius
from .catalog import PricingCatalog
from .estimate import Estimate
from .footprint import Energy, Footprint
from .recommendations import Recommendation
from .render import money, signed, unpriced_changes, unpriced_note

DEFAULT_COFFEE_PRICE = Decimal("5.00")
MARKER = "<!-- cloudops:narrative -->"
LIST_AT_MOST = 5
PER_GB_SHOWN = Decimal(1000)  # per-GB savings are shown per 1,000 GB stored: cents per GB round to nothing


@dataclass(frozen=True)
class NarrativeConfig:
    coffee_price: Decimal = DEFAULT_COFFEE_PRICE
    top: int = 3  # recommendations shown in the treasure hunt


@dataclass(frozen=True)
class Story:
    """Everything the narrative says, as computed values."""

    estimate: Estimate
    blast: BlastRadius
    footprint: Footprint
    energy: Energy
    recommendations: tuple[Recommendation, ...]
    config: NarrativeConfig = field(default_factory=NarrativeConfig)
    # address -> security-pack rule ids (policy.exposure): what the policy verdict calls exposed
    exposure_rules: tuple[tuple[str, tuple[str, ...]], ...] = ()
    exposure_checked: bool = True

    @property
    def coffees(self) -> Decimal:
        return self.estimate.after / self.config.coffee_price

    @property
    def coffees_delta(self) -> Decimal:
        return self.estimate.delta / self.config.coffee_price

    @property
    def treasure(self) -> tuple[Recommendation, ...]:
        return tuple(self.recommendations[: self.config.top])

    @property
    def potential_saving(self) -> Decimal:
        return recommendations.potential_saving(self.recommendations)


def tell(plan: Plan, est: Estimate, *, catalog: PricingCatalog | None = None,
         config: NarrativeConfig | None = None) -> Story:
    """Compute the story of ``est`` (the estimate of ``plan``)."""
    fp = footprint.footprint(est)
    radius, rules, checked = _with_policy_exposure(plan, blast.blast_radius(plan))
    return Story(est, radius, fp, footprint.energy(fp), tuple(recommendations.recommend(est, catalog)),
                 config or NarrativeConfig(), rules, checked)


def _with_policy_exposure(plan: Plan, radius: BlastRadius) -> tuple[BlastRadius, tuple[tuple[str, tuple[str, ...]], ...], bool]:
    """The blast radius's public list joined with what the security pack finds exposed, so the
    story never says "nothing public" beside a policy finding (one truth per comment)."""
    from dataclasses import replace

    from ..policy.exposure import exposure  # the policy engine; imported late (policy reads cost figures)

    try:
        found = exposure(plan)
    except Exception:  # noqa: BLE001 - a story without the policy's view says so rather than failing
        return radius, (), False
    public = tuple(dict.fromkeys((*radius.public, *found.addresses)))
    return replace(radius, public=public), found.found, found.checked


# --- number formats: the only places a figure becomes text ---------------------------------


def whole(value: Decimal) -> str:
    return f"{value.quantize(Decimal(1), rounding=ROUND_HALF_UP):,}"


def tenth(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP):,}"


def _plural(n: int | Decimal, word: str, plural: str | None = None) -> str:
    return f"{whole(Decimal(n))} {word if n == 1 else (plural or word + 's')}"


def _addresses(items: Iterable[str]) -> str:
    items = list(items)
    shown = ", ".join(f"`{a}`" for a in items[:LIST_AT_MOST])
    return shown + (f" and {len(items) - LIST_AT_MOST} more" if len(items) > LIST_AT_MOST else "")


def _saving(r: Recommendation) -> str:
    if r.monthly_saving is not None:
        return (f"saves **{money(r.monthly_saving)}/month** "
                f"({money(r.current_unit * r.quantity)} → {money(r.proposed_unit * r.quantity)})")
    per = PER_GB_SHOWN
    return (f"saves {money(r.saving_per_unit * per)} a month per {whole(per)} GB stored "
            f"({money(r.current_unit * per)} → {money(r.proposed_unit * per)})")


# --- the five parts ----------------------------------------------------------------------


def toll(s: Story) -> str:
    est = s.estimate
    partial = " for what is priced" if unpriced_changes(est) else ""
    text = (f"**The toll.** This change takes the monthly bill{partial} from {money(est.before)} to "
            f"**{money(est.after)}** ({signed(est.delta)}). That is about {_plural(s.coffees, 'cup')} of coffee a month at "
            f"{money(s.config.coffee_price)} a cup")
    if est.delta.quantize(Decimal(1), rounding=ROUND_HALF_UP):
        text += f" ({'+' if est.delta > 0 else '-'}{_plural(abs(s.coffees_delta), 'cup')} for this change)"
    text += "."
    note = unpriced_note(est)
    if note:
        text += f" Not in these figures: {note}, so the real change may differ."
    elif est.not_priced:
        text += (f" {_plural(len(est.not_priced), 'resource')} could not be priced and "
                 f"{'is' if len(est.not_priced) == 1 else 'are'} not in these figures.")
    return text


def beast(s: Story) -> str:
    fp = s.footprint
    if not fp.machines:
        return "**The size of the beast.** No machines: nothing here computes on its own."
    laptops = tenth(fp.laptops)
    text = (f"**The size of the beast.** {_plural(fp.machine_count, 'machine')} with {whole(fp.vcpus)} vCPU "
            f"and {whole(fp.memory_gb)} GB of memory: about the compute of {laptops} "
            f"laptop{'' if laptops == '1.0' else 's'} "
            f"({whole(footprint.LAPTOP_VCPU)} vCPU / {whole(footprint.LAPTOP_MEMORY_GB)} GB each).")
    if fp.unsized:
        text += f" Not counted, size unknown to the catalog: {_addresses(m.address for m in fp.unsized)}."
    return text


def blast_text(s: Story) -> str:
    b = s.blast
    unchecked = "" if s.exposure_checked else " (the security pack could not check what is public)"
    if b.calm:
        return ("**Blast radius.** Calm waters: nothing public, no database, nothing deleted or replaced."
                if not unchecked else f"**Blast radius.** No database, nothing deleted or replaced{unchecked}.")
    lines = ["**Blast radius.** If this goes wrong, here is what feels it:" + unchecked]
    if b.public:
        rules = dict(s.exposure_rules)
        shown = ", ".join(f"`{a}`" + (f" ({', '.join(rules[a])})" if rules.get(a) else "")
                          for a in b.public[:LIST_AT_MOST])
        more = f" and {len(b.public) - LIST_AT_MOST} more" if len(b.public) > LIST_AT_MOST else ""
        lines.append(f"- 🌐 Facing the internet ({whole(Decimal(len(b.public)))}): {shown}{more}")
    if b.databases:
        touched = ", ".join(f"`{a}` ({action.value})" for a, action in b.databases[:LIST_AT_MOST])
        lines.append(f"- 🗄️ Databases touched ({whole(Decimal(len(b.databases)))}): {touched}")
        if b.databases_at_risk:
            lines.append(f"  - ⚠️ {_addresses(b.databases_at_risk)}: deleted or replaced, the data goes with it "
                         "unless restored from a backup")
    if b.deletions:
        lines.append(f"- 🗑️ Deleted ({whole(Decimal(len(b.deletions)))}): {_addresses(b.deletions)}")
    if b.replacements:
        lines.append(f"- ♻️ Replaced ({whole(Decimal(len(b.replacements)))}): {_addresses(b.replacements)} "
                     "(destroyed and created anew: new identity, a gap in service)")
    return "\n".join(lines)


def treasure(s: Story) -> str:
    if not s.recommendations:
        return "**Treasure hunt.** No cheaper option found in the pricing catalog for these resources."
    head = "**Treasure hunt.**"
    if s.potential_saving:
        head += f" Up to **{money(s.potential_saving)}/month** could be saved (the best option per resource):"
    lines = [head]
    for r in s.treasure:
        lines.append(f"- {r.title} on `{r.address}`: {_saving(r)}. _{r.caveat}._")
    hidden = len(s.recommendations) - len(s.treasure)
    if hidden > 0:
        lines.append(f"- … and {_plural(hidden, 'more option')} (`cloudops cost --narrative` lists them).")
    return "\n".join(lines)


def footprint_text(s: Story) -> str:
    fp, en = s.footprint, s.energy
    if not fp.sized:
        return "**Footprint.** No sized machines, so no compute energy to estimate."
    text = (f"**Footprint.** About {tenth(en.kwh)} kWh and {tenth(en.co2e_kg)} kg CO2e a month "
            f"({whole(fp.vcpu_hours)} vCPU-hours at {whole(footprint.UTILISATION * 100)}% load; compute only; "
            "Cloud Carbon Footprint coefficients).")
    if en.regions_with_average:
        text += " Provider-average grid factor for: " + ", ".join(en.regions_with_average) + "."
    return text


def markdown(s: Story) -> str:
    """The narrative section of the PR comment."""
    parts = [MARKER, "### 🎲 The Cloud Dungeon Master", "", toll(s), "", beast(s), "", blast_text(s), "",
             treasure(s), "", footprint_text(s), ""]
    return "\n".join(parts)


def short(s: Story) -> str:
    """One line for chat."""
    est, b = s.estimate, s.blast
    priced_only = " for what is priced" if unpriced_changes(est) else ""
    by_use = sum(1 for r in est.changed if r.status.value == "usage-based" and not r.delta)
    plus_usage = f" + usage of {by_use} usage-billed" if by_use else ""  # $0.00 alone would read as free
    parts = [f"🎲 {money(est.after)}/month ({signed(est.delta)}{priced_only}{plus_usage}) ≈ "
             f"{_plural(s.coffees, 'coffee')}"]
    if s.footprint.sized:
        laptops = tenth(s.footprint.laptops)
        parts.append(f"{laptops} laptop{'' if laptops == '1.0' else 's'} of compute")
    risks = []
    if b.public:
        risks.append(f"{whole(Decimal(len(b.public)))} public")
    if b.databases_at_risk:
        risks.append(f"{whole(Decimal(len(b.databases_at_risk)))} database at risk")
    if b.deletions:
        risks.append(f"{whole(Decimal(len(b.deletions)))} deleted")
    if b.replacements:
        risks.append(f"{whole(Decimal(len(b.replacements)))} replaced")
    if risks:
        parts.append("⚠️ " + ", ".join(risks))
    if s.potential_saving:
        parts.append(f"💎 save up to {money(s.potential_saving)}/month")
    if s.footprint.sized:
        parts.append(f"🌱 {tenth(s.energy.co2e_kg)} kg CO2e/month")
    return " · ".join(parts)


# --- what a rewrite may quote --------------------------------------------------------------


def figures(s: Story) -> list[Decimal]:
    """Every number the story may state, unrounded (a rewrite may round them as this module does)."""
    est, fp, b = s.estimate, s.footprint, s.blast
    out = [est.before, est.after, est.delta, abs(est.delta), s.config.coffee_price, s.coffees, abs(s.coffees_delta),
           Decimal(len(est.not_priced)), *_unpriced_counts(est), fp.machine_count, fp.vcpus, fp.memory_gb, fp.laptops,
           footprint.LAPTOP_VCPU, footprint.LAPTOP_MEMORY_GB, Decimal(len(b.public)), Decimal(len(b.databases)),
           Decimal(len(b.databases_at_risk)), Decimal(len(b.deletions)), Decimal(len(b.replacements)),
           s.potential_saving, s.energy.kwh, s.energy.co2e_kg, fp.vcpu_hours, footprint.UTILISATION * 100,
           Decimal(len(s.recommendations)), Decimal(len(s.recommendations) - len(s.treasure))]
    for r in s.recommendations:
        if r.monthly_saving is not None:
            out += [r.monthly_saving, r.current_unit * r.quantity, r.proposed_unit * r.quantity]
        else:
            out += [PER_GB_SHOWN, r.saving_per_unit * PER_GB_SHOWN, r.current_unit * PER_GB_SHOWN,
                    r.proposed_unit * PER_GB_SHOWN]
    return out


def _unpriced_counts(est: Estimate) -> list[Decimal]:
    rows = unpriced_changes(est)
    partial = sum(1 for r in rows if r.status.value == "partially priced")
    return [Decimal(len(rows)), Decimal(partial), Decimal(len(rows) - partial)]


def identifiers(s: Story) -> list[str]:
    """Names that may carry digits (addresses, types, machine names): not numbers to check."""
    names = {r.address for r in s.estimate.resources} | {r.type for r in s.estimate.resources}
    names |= {r.title for r in s.recommendations} | {m.name for m in s.footprint.machines}
    names |= set(s.energy.regions_with_average) | {a for a, _ in s.blast.databases} | set(s.blast.public)
    names |= {rule for _, rules in s.exposure_rules for rule in rules}
    return sorted(names, key=len, reverse=True)
