"""The narrative quotes the computed figures, and only them (golden file for one scenario)."""

from __future__ import annotations

import os
from decimal import ROUND_HALF_UP, Decimal as D
from pathlib import Path

from controller.cost import footprint, llm, narrative, render
from controller.cost.estimate import estimate
from controller.cost.report import plan_cost

from .conftest import change

GOLDEN = Path(__file__).with_name("golden") / "narrative.md"
H = D(730)


def vm(machine: str, zone: str = "us-central1-a", public: bool = False) -> dict:
    return {"machine_type": machine, "zone": zone, "boot_disk": [{"initialize_params": [{"size": 10, "type": "pd-balanced"}]}],
            "network_interface": [{"access_config": [{}] if public else []}]}


def scenario(make_plan):
    return make_plan(
        change("google_compute_instance.web", "update", vm("e2-standard-2", public=True), vm("e2-standard-4", public=True)),
        change("google_compute_instance.old", "delete", vm("e2-small"), None),
        change("google_compute_instance.batch", "create", None, vm("e2-standard-8", zone="europe-west1-b")),
        change("google_storage_bucket.assets", "create", None, {"location": "us-central1", "storage_class": "STANDARD"}),
        change("google_sql_database_instance.db", "replace", {"region": "us-central1", "settings": [{"tier": "db-g1-small"}]},
               {"region": "us-central1", "settings": [{"tier": "db-g1-small"}]}),
        change("google_bigtable_instance.big", "create", None, {"name": "big"}),
    )


def test_narrative_matches_the_golden_file(make_plan):
    plan = scenario(make_plan)
    text = narrative.markdown(narrative.tell(plan, estimate(plan, project="shop")))
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(text)
    assert text == GOLDEN.read_text()


def test_narrative_quotes_the_exact_computed_totals(make_plan):
    plan = scenario(make_plan)
    est = estimate(plan, project="shop")
    story = narrative.tell(plan, est)
    text = narrative.markdown(story)
    assert f"from {render.money(est.before)} to **{render.money(est.after)}** ({render.signed(est.delta)})" in text
    cups = (est.after / D(5)).quantize(D(1), rounding=ROUND_HALF_UP)
    assert f"about {cups} cups of coffee a month at $5.00 a cup" in text
    assert "the monthly bill for what is priced from" in text  # bigtable is not priced: the toll says so
    assert "Not in these figures: 1 resource (google_bigtable_instance) not priced" in text


def test_coffee_price_is_configurable(make_plan):
    plan = scenario(make_plan)
    est = estimate(plan)
    story = narrative.tell(plan, est, config=narrative.NarrativeConfig(coffee_price=D("2.50")))
    cups = (est.after / D("2.50")).quantize(D(1), rounding=ROUND_HALF_UP)
    assert f"about {cups:,} cups of coffee a month at $2.50 a cup" in narrative.markdown(story)


def test_workload_size_and_energy_follow_the_documented_factors(make_plan):
    plan = scenario(make_plan)
    fp = narrative.tell(plan, estimate(plan)).footprint
    # after the change: e2-standard-4 (4 vCPU, 16 GB) in us-central1 and e2-standard-8 (8, 32) in europe-west1
    assert (fp.vcpus, fp.memory_gb) == (12, 48)
    assert fp.laptops == max(D(12) / 8, D(48) / 16) == 3
    watts = lambda lo, hi: D(lo) + D("0.5") * (D(hi) - D(lo))  # noqa: E731  CCF: min + 50 % × (max − min)
    kwh_us = 4 * H * watts("0.71", "4.26") / 1000 * D("1.11")  # GCP PUE us-central1
    kwh_eu = 8 * H * watts("0.71", "4.26") / 1000 * D("1.08")  # europe-west1
    en = footprint.energy(fp)
    assert en.kwh == kwh_us + kwh_eu
    assert en.co2e_kg == (kwh_us * D("0.000454") + kwh_eu * D("0.000212")) * 1000
    assert en.regions_with_average == ()


def test_every_number_in_the_text_is_a_computed_figure(make_plan):
    plan = scenario(make_plan)
    story = narrative.tell(plan, estimate(plan))
    figures, names = narrative.figures(story), narrative.identifiers(story)
    for text in (narrative.markdown(story), narrative.short(story)):
        assert llm.numbers_in(text, names)  # there are numbers to check
        assert llm.unknown_numbers(text, figures, names) == []


def test_planner_markdown_is_the_cost_table_then_the_narrative(make_plan):
    cost = plan_cost(scenario(make_plan), project="shop")
    assert cost.markdown.startswith(render.MARKER) and narrative.MARKER in cost.markdown
    assert cost.markdown.index("Monthly estimate") < cost.markdown.index("Cloud Dungeon Master")
    first, second = cost.summary.split("\n")
    assert first == render.summary(cost.estimate) and second == narrative.short(cost.story)


def test_a_plan_with_nothing_gets_a_calm_short_story(make_plan):
    plan = make_plan()
    story = narrative.tell(plan, estimate(plan))
    assert "Calm waters" in narrative.markdown(story)
    assert narrative.short(story) == "🎲 $0.00/month ($0.00) ≈ 0 coffees"
