"""Azure Firewall tiers and Virtual WAN hubs: priced only at figures a source gives, the hub's SKU never guessed."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from controller.cost.components import Status
from controller.cost.estimate import estimate
from controller.cost.usage import parse_usage
from controller.terraform.plan_parser import parse_plan

from .conftest import change, plan_doc, with_refs

H = D(730)


def _row(doc: dict, address: str, usage: str | None = None):
    used = parse_usage(usage, "usage.yml") if usage else None
    return next(r for r in estimate(parse_plan(doc), usage=used).resources if r.address == address)


@pytest.mark.parametrize("tier,hourly", [("Standard", D("1.25")), ("Premium", D("1.75"))])
def test_firewall_deployment_by_tier_and_data_processed_from_the_usage_file(tier, hourly):
    doc = plan_doc(change("azurerm_firewall.fw", "create", None, {"location": "eastus", "sku_tier": tier}))
    row = _row(doc, "azurerm_firewall.fw", "resource_usage:\n  azurerm_firewall.fw:\n    monthly_data_processed_gb: 1000\n")
    assert row.status is Status.PRICED and row.after_monthly == hourly * H + 1000 * D("0.016")


def test_a_basic_firewall_or_a_premium_one_elsewhere_is_not_priced():
    basic = _row(plan_doc(change("azurerm_firewall.fw", "create", None, {"location": "eastus", "sku_tier": "Basic"})),
                 "azurerm_firewall.fw")
    assert basic.status is Status.NOT_PRICED and "firewall_basic" in basic.reason
    away = _row(plan_doc(change("azurerm_firewall.fw", "create", None, {"location": "westus", "sku_tier": "Premium"})),
                "azurerm_firewall.fw")
    assert away.status is Status.NOT_PRICED and "westus" in away.reason


def _hub(sku: str | None, hosted: str | None = None, location: str = "westeurope") -> dict:
    changes = [change("azurerm_virtual_wan.wan", "create", None, {"location": location, "type": "Standard"}),
               change("azurerm_virtual_hub.hub", "create", None, {"location": location, "sku": sku})]
    refs: dict[str, dict[str, list[str]]] = {"azurerm_virtual_hub.hub": {"virtual_wan_id": ["azurerm_virtual_wan.wan.id"]}}
    if hosted:
        changes.append(change(f"{hosted}.x", "create", None, {"location": location}))
        refs[f"{hosted}.x"] = {"virtual_hub_id": ["azurerm_virtual_hub.hub.id", "azurerm_virtual_hub.hub"]}
    return with_refs(plan_doc(*changes), refs)


def test_a_basic_hub_is_free_and_a_standard_one_bills_hours_and_data():
    assert _row(_hub("Basic"), "azurerm_virtual_hub.hub").status is Status.FREE
    row = _row(_hub("Standard"), "azurerm_virtual_hub.hub",
               "resource_usage:\n  azurerm_virtual_hub.hub:\n    monthly_data_processed_gb: 90\n")
    assert row.status is Status.PRICED and row.after_monthly == D("0.25") * H + 90 * D("0.02")  # Infracost: 182.50 + 1.80


@pytest.mark.parametrize("hosted,what", [("azurerm_express_route_gateway", "an ExpressRoute gateway"),
                                         ("azurerm_point_to_site_vpn_gateway", "a point-to-site VPN gateway")])
def test_a_hub_without_sku_is_standard_when_it_hosts_what_only_a_standard_hub_can(hosted, what):
    row = _row(_hub(None, hosted), "azurerm_virtual_hub.hub")
    assert row.status is Status.PRICED and row.after_monthly == D("0.25") * H
    assert what in row.after.components[0].name


def test_a_hub_without_sku_and_nothing_that_needs_standard_says_so():
    row = _row(_hub(None, "azurerm_vpn_gateway"), "azurerm_virtual_hub.hub")  # site-to-site VPN: Basic can host it
    assert row.status is Status.NOT_PRICED and "sku is not set" in row.reason and "Basic" in row.reason


def test_a_standard_hub_outside_the_one_recorded_region_is_not_priced():
    row = _row(_hub("Standard", location="eastus"), "azurerm_virtual_hub.hub")
    assert row.status is Status.NOT_PRICED and "virtual_hub_standard in eastus" in row.reason
