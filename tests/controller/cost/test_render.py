from __future__ import annotations

import os
from decimal import Decimal as D
from pathlib import Path

from controller.cost import estimate, render

from .conftest import change

GOLDEN = Path(__file__).with_name("golden") / "comment.md"


def scenario(make_plan):
    vm = lambda machine: {"machine_type": machine, "zone": "us-central1-a",  # noqa: E731
                          "boot_disk": [{"initialize_params": [{"size": 10, "type": "pd-balanced"}]}]}
    plan = make_plan(
        change("google_compute_instance.web", "update", vm("e2-standard-2"), vm("e2-standard-4")),
        change("google_compute_instance.old", "delete", vm("e2-small"), None),
        change("google_compute_disk.data", "create", None, {"zone": "us-central1-a", "type": "pd-ssd", "size": 100}),
        change("google_storage_bucket.assets", "create", None, {"location": "US", "storage_class": "STANDARD"}),
        change("google_bigtable_instance.big", "create", None, {"name": "big"}),
        change("google_compute_network.vpc", "create", None, {"name": "vpc"}),
        change("google_compute_instance.db", "no-op", vm("n2-standard-2"), vm("n2-standard-2")),
    )
    return estimate.estimate(plan, project="shop", budgets={"shop": D(300)})


def test_markdown_matches_the_golden_file(make_plan):
    text = render.markdown(scenario(make_plan))
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(text)
    assert text == GOLDEN.read_text()


def test_headline_says_increase_decrease_or_unchanged(make_plan):
    est = scenario(make_plan)
    assert render.headline(est).startswith("Monthly estimate increased by $")
    down = estimate.estimate(make_plan(change("google_compute_instance.old", "delete",
                                              {"machine_type": "e2-small", "zone": "us-central1-a"}, None)))
    assert render.headline(down).startswith("Monthly estimate decreased by $12.63")  # 0.016752855*730 + 10*0.04
    assert render.headline(estimate.estimate(make_plan())) == "Monthly estimate unchanged"


def test_money_rounds_half_up_only_at_render():
    assert render.money(D("12.625")) == "$12.63"
    assert render.signed(D("-0.005")) == "-$0.01"
    assert render.money(D("1234.5")) == "$1,234.50"


def test_chat_summary_is_one_line(make_plan):
    line = render.summary(scenario(make_plan))
    assert "\n" not in line and "1 usage-based" in line
    assert "for what is priced" in line and "1 resource (google_bigtable_instance) not priced" in line
