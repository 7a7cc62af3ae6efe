"""`cloudops cost PLAN_JSON`: price a `terraform show -json` document, like `infracost breakdown --path`."""

from __future__ import annotations

import argparse
import json
from decimal import Decimal, InvalidOperation
from pathlib import Path

from ..errors import PlanDocumentError
from ..terraform.plan import parse_plan


def _budget(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value.is_finite() or value < 0:
        raise argparse.ArgumentTypeError(f"budget must be a number >= 0, got {text!r}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("plan_json", metavar="PLAN_JSON", help="output of `terraform show -json PLANFILE`")
    parser.add_argument("--format", choices=("table", "json", "markdown", "summary"), default="table")
    parser.add_argument("--budget", type=_budget, help="monthly budget in USD for the project")
    parser.add_argument("--project", default="default", help="project name for resources that carry none")
    parser.epilog = "Exit status: 0 when priced, 2 when PLAN_JSON is not a plan document."


def run(args: argparse.Namespace) -> int:
    from ..cost import estimate, render

    path = Path(args.plan_json)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PlanDocumentError(f"reading plan document {path}: {exc}") from exc
    plan = parse_plan(text)
    budgets = {args.project: args.budget} if args.budget is not None else {}
    est = estimate.estimate(plan, project=args.project, budgets=budgets)
    if args.format == "json":
        print(json.dumps(render.as_json(est), indent=2))
    elif args.format == "markdown":
        print(render.markdown(est))
    elif args.format == "summary":
        print(render.summary(est))
    else:
        print(render.table(est))
    return 0
