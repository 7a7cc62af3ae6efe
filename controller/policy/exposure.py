"""What the security pack says faces the internet: one truth for the policy verdict and the cost story.

The same built-in rules (security-network, public-buckets, security-databases)
and the same engine the planner uses, on the plan alone. Pure apart from the
engine (no I/O).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..catalog.specs import Target
from ..repo_config import ProjectConfig
from ..terraform.plan import Plan
from .engine import SECURITY_ENFORCEMENT, PolicyEngine, Selected, default_engine, input_needs
from .inputs import build_input

EXPOSURE_POLICIES = ("security-network", "public-buckets", "security-databases")
# Severities that mean "reachable by anyone now" (a low STO-006 says only "could be made public").
EXPOSED_LEVELS = ("critical", "high", "medium")


@dataclass(frozen=True)
class Exposure:
    """Addresses the pack finds exposed, each with its rule ids; ``checked`` False when it could not run."""

    found: tuple[tuple[str, tuple[str, ...]], ...] = ()
    checked: bool = True

    @property
    def addresses(self) -> tuple[str, ...]:
        return tuple(a for a, _ in self.found)


def exposure(plan: Plan | Mapping[str, Any], engine: PolicyEngine | None = None) -> Exposure:
    engine = engine or default_engine()
    names = [n for n in EXPOSURE_POLICIES if n in engine.library.policies]
    if not names:
        return Exposure(checked=False)
    selected = [Selected(engine.library.policies[n], SECURITY_ENFORCEMENT, "security-pack") for n in names]
    project = ProjectConfig(name="exposure", target=Target.LOCAL, region="local-1")
    document = build_input(plan, project=project, needs=input_needs(selected, engine.library))
    result = engine.evaluate(document, selected, project="exposure")
    if any("could not be evaluated" in v.msg for v in result.denies):
        return Exposure(checked=False)
    rules: dict[str, list[str]] = {}
    for v in (*result.denies, *result.warns):
        if v.resource and v.level in EXPOSED_LEVELS:
            rules.setdefault(v.resource, [])
            if v.rule and v.rule not in rules[v.resource]:
                rules[v.resource].append(v.rule)
    return Exposure(tuple((a, tuple(r)) for a, r in rules.items()))
