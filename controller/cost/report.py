"""A plan's cost as the pipeline shows it: table + narrative for the PR, one line for chat.

``plan_cost`` is pure (deterministic narrative). ``CostEngine`` is the
planner's ``CostEstimator``: it adds the optional LLM retelling (the only I/O
here, through ``llm.rewrite``) and returns an object with ``markdown`` and
``summary``, the two attributes the planner reads.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..terraform.plan import Plan
from . import estimate as estimating
from . import llm, narrative, render
from .catalog import PricingCatalog
from .estimate import Estimate
from .narrative import NarrativeConfig, Story
from .regions import RegionChoice
from .usage import Usage

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PlanCost:
    estimate: Estimate
    story: Story
    table_markdown: str  # the Infracost-style comment
    narrative_markdown: str  # the Cloud Dungeon Master (deterministic, or a checked retelling)
    chat_summary: str
    narrative_by_llm: bool = False

    @property
    def markdown(self) -> str:
        """What the PR comment shows under **Cost:** — table, then narrative."""
        return self.table_markdown.rstrip("\n") + "\n\n" + self.narrative_markdown

    @property
    def summary(self) -> str:
        """Two short lines for chat: the figures, then the story."""
        return self.chat_summary


def plan_cost(plan: Plan, *, project: str = estimating.DEFAULT_PROJECT,
              budgets: Mapping[str, Decimal] | None = None, catalog: PricingCatalog | None = None,
              config: NarrativeConfig | None = None, usage: Usage | None = None,
              default_regions: Mapping[str, RegionChoice] | None = None) -> PlanCost:
    """Price ``plan`` and tell its story, with no I/O."""
    est = estimating.estimate(plan, project=project, budgets=budgets, catalog=catalog, usage=usage,
                              default_regions=default_regions)
    story = narrative.tell(plan, est, catalog=catalog, config=config)
    return PlanCost(est, story, render.markdown(est), narrative.markdown(story),
                    render.summary(est) + "\n" + narrative.short(story))


class CostEngine:
    """The planner's cost layer: ``await engine.estimate(plan, request)`` -> ``PlanCost``.

    ``budgets`` gives the monthly budget per project (e.g. from cloudops.yaml);
    ``llm_config`` defaults to the environment (``LlmConfig.from_env()``); ``default_regions``
    are the regions terraform reads from its environment (``regions.regions_from_env``).
    """

    def __init__(self, *, budgets: Callable[[Any], Mapping[str, Decimal]] | Mapping[str, Decimal] | None = None,
                 catalog: PricingCatalog | None = None, config: NarrativeConfig | None = None,
                 llm_config: llm.LlmConfig | None | bool = True,
                 default_regions: Mapping[str, RegionChoice] | None = None) -> None:
        self.budgets = budgets
        self.default_regions = dict(default_regions or {})
        self.catalog = catalog
        self.config = config
        self.llm_config = llm.LlmConfig.from_env() if llm_config is True else (llm_config or None)

    def _budgets(self, request: Any) -> Mapping[str, Decimal]:
        if callable(self.budgets):
            return self.budgets(request)
        return self.budgets or {}

    async def estimate(self, plan: Plan, request: Any) -> PlanCost:
        project = str(getattr(request, "project", estimating.DEFAULT_PROJECT))
        cost = plan_cost(plan, project=project, budgets=self._budgets(request), catalog=self.catalog,
                         config=self.config, default_regions=self.default_regions)
        if self.llm_config is None:
            return cost
        told = await llm.rewrite(cost.story, self.llm_config)
        if not told.used_llm:
            log.info("cost narrative for %s: deterministic (%s)", project, told.reason)
            return cost
        return PlanCost(cost.estimate, cost.story, cost.table_markdown, told.markdown, cost.chat_summary, True)
