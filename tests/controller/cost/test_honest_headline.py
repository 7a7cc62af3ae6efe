"""Whenever something is not priced, every rendering says what the figure leaves out; never "unchanged"."""

from __future__ import annotations

from decimal import Decimal

from controller.cost import narrative, render
from controller.cost.estimate import estimate
from controller.cost.report import plan_cost

from .conftest import change

UNPRICED = ("google_bigtable_instance.big", {"name": "big"})
VM = ("google_compute_instance.web", {"machine_type": "e2-standard-2", "zone": "us-central1-a"})


def test_creating_only_unpriced_resources_is_never_unchanged(make_plan):
    plan = make_plan(change(UNPRICED[0], "create", None, UNPRICED[1]),
                     change("google_spanner_instance.s", "create", None, {"name": "s"}))
    cost = plan_cost(plan)
    head = render.headline(cost.estimate)
    assert "unchanged" not in head.lower()
    assert head.startswith("No change in what is priced; 2 resources (google_bigtable_instance, "
                           "google_spanner_instance) not priced")
    for text in (cost.table_markdown, cost.chat_summary, render.table(cost.estimate), cost.narrative_markdown):
        assert "unchanged" not in text.lower() and "not priced" in text, text


def test_an_increase_says_it_is_for_what_is_priced_and_names_the_types(make_plan):
    plan = make_plan(change(VM[0], "create", None, VM[1]), change(UNPRICED[0], "create", None, UNPRICED[1]))
    cost = plan_cost(plan)
    expected = "+$49.32/month for what is priced"
    assert render.headline(cost.estimate) == ("Monthly estimate increased by $49.32 for what is priced; "
                                              "1 resource (google_bigtable_instance) not priced 📈")
    assert f"**{render.headline(cost.estimate)}**" in cost.table_markdown
    assert expected in cost.chat_summary and "1 resource (google_bigtable_instance) not priced" in cost.chat_summary
    assert "the monthly bill for what is priced from $0.00 to **$49.32**" in cost.narrative_markdown
    assert "(+$49.32 for what is priced)" in narrative.short(cost.story)
    assert render.table(cost.estimate).startswith("Monthly estimate increased by $49.32 for what is priced")


def test_when_everything_is_priced_the_headline_is_plain(make_plan):
    cost = plan_cost(make_plan(change(VM[0], "create", None, VM[1])))
    assert render.headline(cost.estimate) == "Monthly estimate increased by $49.32 📈"
    assert "for what is priced" not in cost.chat_summary + cost.narrative_markdown


def test_free_resources_are_listed_as_free_not_as_not_priced(make_plan):
    cost = plan_cost(make_plan(change("aws_default_vpc.d", "create", None, {}),
                               change("aws_db_option_group.o", "create", None, {})))
    assert render.headline(cost.estimate) == "Monthly estimate unchanged"
    assert "2 changed resources with no cost of their own" in cost.table_markdown
    assert "Not priced" not in cost.table_markdown


def test_partly_priced_resources_are_named_in_the_headline(make_plan):
    pool = {"vm_size": "Standard_B2s", "node_count": 2}  # OS disks P10: no price
    cost = plan_cost(make_plan(change("azurerm_kubernetes_cluster.k", "create", None,
                                      {"location": "eastus", "default_node_pool": [pool]})))
    assert "for what is priced; 1 partly (azurerm_kubernetes_cluster) not priced" in render.headline(cost.estimate)


def test_json_summary_counts_priced_free_no_price_and_unsupported_by_type(make_plan):
    est = estimate(make_plan(
        change(VM[0], "create", None, VM[1]),
        change(UNPRICED[0], "create", None, UNPRICED[1]),
        change("aws_instance.x", "create", None, {"instance_type": "t3.medium", "availability_zone": "ap-east-2a"}),
        change("aws_default_vpc.d", "create", None, {}),
        change("aws_sqs_queue.q", "create", None, {}),
    ))
    doc = render.as_json(est)
    summary = doc["summary"]
    assert summary["priced_by_type"] == {"google_compute_instance": 1}
    assert summary["unsupported_by_type"] == {"google_bigtable_instance": 1}
    assert summary["no_price_by_type"] == {"aws_instance": 1}
    assert summary["free_by_type"] == {"aws_default_vpc": 1}
    assert summary["usage_based_by_type"] == {"aws_sqs_queue": 1}
    assert doc["total"]["complete"] is False and doc["headline"] == render.headline(est)
    component = doc["resources"][0]["after_detail"]["components"][0]
    assert {"name", "unit", "quantity", "unit_price", "monthly"} <= set(component)
    assert (Decimal(component["unit_price"]) * Decimal(component["quantity"])).quantize(Decimal("0.01")) == Decimal(component["monthly"])


def test_a_plan_that_only_adds_usage_billed_resources_does_not_read_unchanged(make_plan):
    fn = change("aws_lambda_function.f", "create", None, {"function_name": "f", "memory_size": 128})
    cost = plan_cost(make_plan(fn, providers={"aws": {"region": "us-east-1"}}))
    assert render.headline(cost.estimate) == ("Fixed monthly cost unchanged; 1 usage-based resource "
                                              "(aws_lambda_function) bills by usage")
    assert "unchanged" not in render.headline(cost.estimate).replace("Fixed monthly cost unchanged", "")


def test_the_chat_line_of_a_usage_billed_plan_says_usage_comes_on_top(make_plan):
    fn = change("aws_lambda_function.f", "create", None, {"function_name": "f", "memory_size": 128})
    cost = plan_cost(make_plan(fn, providers={"aws": {"region": "us-east-1"}}))
    assert "($0.00 + usage of 1 usage-billed)" in narrative.short(cost.story)
