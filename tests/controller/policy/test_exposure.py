"""The cost story and the policy verdict tell one truth about what is public."""

from __future__ import annotations

from controller.cost import narrative
from controller.cost.report import plan_cost
from controller.policy.exposure import exposure
from controller.terraform.plan_parser import parse_plan

from .conftest import PLANS


def _plan(rtype: str, after: dict) -> dict:
    return {"format_version": "1.2", "resource_changes": [{
        "address": f"{rtype}.x", "mode": "managed", "type": rtype, "name": "x",
        "provider_name": "registry.terraform.io/hashicorp/azurerm",
        "change": {"actions": ["create"], "before": None, "after": after, "after_unknown": {}}}]}


def test_a_public_storage_account_is_not_calm_waters() -> None:
    plan = parse_plan(_plan("azurerm_storage_account", {"name": "x", "location": "westeurope",
                                                         "allow_nested_items_to_be_public": True}))
    text = plan_cost(plan).narrative_markdown
    assert "Calm waters" not in text
    assert "`azurerm_storage_account.x` (STO-005)" in text


def test_every_address_the_policy_finds_exposed_is_in_the_story() -> None:
    plan = parse_plan((PLANS / "security" / "aws_0.1_checkov_terragoat.json").read_text())
    found = exposure(plan)
    story = plan_cost(plan).story
    assert set(found.addresses) == {"aws_db_instance.default", "aws_security_group.web-node", "aws_s3_bucket.data"}
    assert set(found.addresses) <= set(story.blast.public)
    assert f"Facing the internet ({len(story.blast.public)})" in narrative.markdown(story)


def test_a_private_plan_stays_calm() -> None:
    plan = parse_plan(_plan("azurerm_storage_account", {"name": "x", "location": "westeurope",
                                                         "allow_nested_items_to_be_public": False}))
    assert exposure(plan).found == ()
    assert "Calm waters: nothing public" in plan_cost(plan).narrative_markdown
