"""Budget alerts: one per threshold crossing, projected on plan, confirmed on apply.

A plan that would take a project past one of its alert thresholds
(``budget_alerts`` in cloudops.yaml, 80 % and 100 % of its monthly budget by
default) is told on the PR and to chat once per PR and threshold; an apply that does
take it past is told once more, as fact. Both come from the cost engine's
figures; nothing here estimates anything.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..policy.governance import budget_crossings

THRESHOLDS = (0.8, 1.0)


@dataclass(frozen=True)
class Crossing:
    threshold: float
    monthly_cost: float
    budget: float


def crossings(before: float, after: float, budget: float | None, already: Iterable[float] = (), *,
              thresholds: Iterable[float] = THRESHOLDS) -> list[Crossing]:
    """Thresholds (the project's ``budget_alerts``) crossed going from ``before`` to ``after``, minus those already alerted."""
    if budget is None:
        return []
    done = set(already)
    return [Crossing(t, after, budget) for t in budget_crossings(before, after, budget, tuple(thresholds)) if t not in done]


def describe(project: str, crossing: Crossing, *, projected: bool) -> str:
    verb = "would take" if projected else "took"
    return (f"{'⚠️' if crossing.threshold < 1 else '⛔'} This {'plan' if projected else 'apply'} {verb} `{project}` past "
            f"{crossing.threshold:.0%} of its monthly budget: ${crossing.monthly_cost:,.2f} of ${crossing.budget:,.2f}.")
