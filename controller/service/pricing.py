"""The lobby's pricer: ``controller.cost.preflight`` over the session's specs, as display text.

Pure. Uses the same pricers as the PR's cost comment, so the chat estimate
and the plan's agree; a spec that cannot be priced says so and is left out
of the total (which counts it). The project's budget is compared here.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from ..cost import preflight
from ..cost.components import Costed, Status
from ..cost.render import money
from ..repo_config import ProjectConfig
from ..catalog.specs import ResourceSpec
from .assess import CostView


def _line(cost: Costed) -> str:
    status = cost.status
    if status is Status.NOT_PRICED:
        note = getattr(cost, "note", "")
        return "not priced" + (f" ({note})" if note else "")
    if status is Status.FREE:
        return "no cost of its own"
    return f"{money(cost.monthly)}/mo" + (" + usage" if getattr(cost, "usage_based", False) else "")


def preflight_pricer(specs: Sequence[ResourceSpec], project: ProjectConfig) -> CostView:
    pf = preflight.preflight(list(specs))
    per = {f"{line.spec.kind.value}-{line.spec.name}": _line(line.cost) for line in pf.lines}
    total = f"{money(pf.total)}/mo" + (f" (+ {pf.not_priced} not priced)" if pf.not_priced else "")
    note = "on-demand list prices, 730 h/month"
    budget = project.budget_monthly_usd
    if budget is not None:
        note += f"; budget {money(Decimal(str(budget)))}/mo" + (" — this request alone exceeds it" if float(pf.total) > budget else "")
    return CostView(per_resource=per, total=total, note=note)
