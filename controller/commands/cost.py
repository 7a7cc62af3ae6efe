"""`cloudops cost PLAN_JSON`: price a `terraform show -json` document, like `infracost breakdown --path`."""

from __future__ import annotations

import argparse
import json
from decimal import Decimal, InvalidOperation

from ._plan_file import load_plan


def _money(what: str, *, positive: bool = False):  # type: ignore[no-untyped-def]
    def parse(text: str) -> Decimal:
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if not value.is_finite() or value < 0 or (positive and value == 0):
            bound = "> 0" if positive else ">= 0"
            raise argparse.ArgumentTypeError(f"{what} must be a number {bound}, got {text!r}")
        return value
    return parse


_budget = _money("budget")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("plan_json", metavar="PLAN_JSON", help="output of `terraform show -json PLANFILE`")
    parser.add_argument("--format", choices=("table", "json", "markdown", "summary", "story"), default="table",
                        help="story: only the narrative (the Cloud Dungeon Master)")
    parser.add_argument("--narrative", action="store_true",
                        help="add the narrative (coffee cups, blast radius, treasure hunt, footprint) after the output")
    parser.add_argument("--coffee-price", type=_money("coffee price", positive=True), default=None,
                        help="price of a coffee in USD for the narrative (default 5.00)")
    parser.add_argument("--budget", type=_budget, help="monthly budget in USD for the project")
    parser.add_argument("--project", default="default", help="project name for resources that carry none")
    parser.epilog = "Exit status: 0 when priced, 2 when PLAN_JSON is not a plan document."


def run(args: argparse.Namespace) -> int:
    from ..cost import narrative, render, report

    plan = load_plan(args.plan_json)
    budgets = {args.project: args.budget} if args.budget is not None else {}
    coffee = getattr(args, "coffee_price", None)
    config = narrative.NarrativeConfig(coffee_price=coffee, top=100) if coffee else narrative.NarrativeConfig(top=100)
    cost = report.plan_cost(plan, project=args.project, budgets=budgets, config=config)
    est, story = cost.estimate, cost.story
    if args.format == "story":
        print(narrative.markdown(story))
        return 0
    if args.format == "json":
        doc = render.as_json(est)
        if getattr(args, "narrative", False):
            doc["narrative"] = {"markdown": narrative.markdown(story), "short": narrative.short(story)}
        print(json.dumps(doc, indent=2))
        return 0
    if args.format == "markdown":
        print(render.markdown(est))
    elif args.format == "summary":
        print(render.summary(est))
    else:
        print(render.table(est))
    if getattr(args, "narrative", False):
        print(narrative.short(story) if args.format == "summary" else "\n" + narrative.markdown(story))
    return 0
