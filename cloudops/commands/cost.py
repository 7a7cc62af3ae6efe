"""`cloudops cost`: price `terraform show -json` documents, like `infracost breakdown` and `infracost diff`.

    cloudops cost PLAN_JSON [PLAN_JSON ...]      # "-" reads one from standard input
    cloudops cost diff PLAN_JSON --compare-to BASELINE.json
"""

from __future__ import annotations

import argparse
import json
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

MODES = ("breakdown", "diff")


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
    parser.add_argument("paths", nargs="+", metavar="PLAN_JSON",
                        help="output of `terraform show -json PLANFILE` ('-' reads standard input); several files "
                             "are priced as one estimate, one project per file. Start with `diff` to compare to "
                             "--compare-to")
    parser.add_argument("--format", choices=("table", "json", "markdown", "summary", "story"), default="table",
                        help="story: only the narrative (the Cloud Dungeon Master)")
    parser.add_argument("--usage-file", metavar="FILE", help="usage quantities for usage-based resources "
                        "(Infracost's usage.yml layout; see docs/cost.md)")
    parser.add_argument("--compare-to", metavar="BASELINE_JSON",
                        help="with `diff`: a JSON breakdown written earlier (cloudops or Infracost)")
    parser.add_argument("--narrative", action="store_true",
                        help="add the narrative (coffee cups, blast radius, treasure hunt, footprint) after the output")
    parser.add_argument("--coffee-price", type=_money("coffee price", positive=True), default=None,
                        help="price of a coffee in USD for the narrative (default 5.00)")
    parser.add_argument("--budget", type=_budget, help="monthly budget in USD for the project")
    parser.add_argument("--region", action="append", default=[], metavar="PROVIDER=REGION",
                        help="region for a provider whose block names none and whose resources do not say it "
                             "(e.g. aws=eu-west-1; repeatable); default: AWS_REGION / AWS_DEFAULT_REGION, "
                             "GOOGLE_REGION, as terraform reads them")
    parser.add_argument("--project", default=None, help="project name for resources that carry none "
                        "(default: 'default', or each file's name when several are given)")
    parser.epilog = "Exit status: 0 when priced, 2 when an input is not a plan document or a file is unusable."


def _read(path: str, what: str, error: type[Exception] | None = None) -> str:
    from controller.errors import ConfigError

    if path == "-":
        return sys.stdin.read()
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise (error or ConfigError)(f"reading {what} {path}: {exc}") from exc


def _plans(paths: list[str], project: str | None) -> list[tuple[Any, str]]:
    from controller.errors import ConfigError, PlanDocumentError
    from controller.terraform.plan_parser import parse_plan

    if paths.count("-") > 1:
        raise ConfigError("standard input ('-') can be given once")
    out = []
    for path in paths:
        text = _read(path, "plan document", PlanDocumentError)
        try:
            plan = parse_plan(text)
        except PlanDocumentError as exc:
            if len(paths) == 1:
                raise
            raise type(exc)(f"{'standard input' if path == '-' else path}: {exc}") from exc
        name = project or ("default" if len(paths) == 1 else ("stdin" if path == "-" else Path(path).stem))
        out.append((plan, name))
    return out


def run(args: argparse.Namespace) -> int:
    from controller.cost import estimate as estimating
    from controller.cost import narrative, render, report
    from controller.cost.usage import parse_usage
    from controller.errors import ConfigError

    paths = list(args.paths)
    mode = paths.pop(0) if paths[0] in MODES and len(paths) > 1 else "breakdown"
    if mode == "diff" and not args.compare_to:
        raise ConfigError("`cloudops cost diff` needs --compare-to BASELINE.json")
    if mode == "breakdown" and args.compare_to:
        raise ConfigError("--compare-to goes with `cloudops cost diff PLAN_JSON --compare-to BASELINE.json`")
    usage = parse_usage(_read(args.usage_file, "usage file"), args.usage_file) if args.usage_file else None
    regions = _default_regions(args)
    plans = _plans(paths, args.project)
    budgets = {name: args.budget for _, name in plans} if args.budget is not None else {}
    coffee = getattr(args, "coffee_price", None)
    config = narrative.NarrativeConfig(coffee_price=coffee, top=100) if coffee else narrative.NarrativeConfig(top=100)
    if mode == "diff":
        return _diff(args, plans, usage, regions)
    costs = [report.plan_cost(plan, project=name, budgets=budgets, config=config, usage=usage, default_regions=regions)
             for plan, name in plans]
    est = estimating.combine([c.estimate for c in costs], budgets) if len(costs) > 1 else costs[0].estimate
    stories = [c.story for c in costs]
    story_md = "\n".join(narrative.markdown(s) for s in stories)
    if args.format == "story":
        print(story_md)
        return 0
    if args.format == "json":
        doc = render.as_json(est)
        if getattr(args, "narrative", False):
            doc["narrative"] = {"markdown": story_md, "short": " / ".join(narrative.short(s) for s in stories)}
        print(json.dumps(doc, indent=2))
        return 0
    if args.format == "markdown":
        print(render.markdown(est))
    elif args.format == "summary":
        print(render.summary(est))
    else:
        print(render.table(est))
    if getattr(args, "narrative", False):
        print(" / ".join(narrative.short(s) for s in stories) if args.format == "summary" else "\n" + story_md)
    return 0


def _default_regions(args: argparse.Namespace) -> dict[str, Any]:
    """--region flags over the environment terraform itself would have read."""
    import os

    from controller.cost import regions

    return {**regions.regions_from_env(os.environ), **regions.parse_region_flags(getattr(args, "region", []) or [])}


def _diff(args: argparse.Namespace, plans: list[tuple[Any, str]], usage: Any, regions: dict[str, Any]) -> int:
    from controller.cost import compare
    from controller.cost import estimate as estimating

    baseline = compare.parse_baseline(_read(args.compare_to, "baseline"), args.compare_to)
    ests = [estimating.estimate(plan, project=name, usage=usage, default_regions=regions) for plan, name in plans]
    est = estimating.combine(ests, {}) if len(ests) > 1 else ests[0]
    result = compare.diff(baseline, est)
    if args.format == "json":
        print(json.dumps(compare.as_json(result), indent=2))
    else:
        print(compare.as_text(result))
    return 0
