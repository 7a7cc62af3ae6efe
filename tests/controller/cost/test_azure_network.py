"""Azure DNS, Private DNS Resolver, private endpoints, container registries, VPN gateways
(controller/cost/pricers_azure_network.py).

Each case is one of Infracost's own tests (internal/providers/terraform/azure/testdata/<type>_test @95ba4f49):
the same values and usage, the figures its golden output reads.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from controller.cost.components import Status
from controller.cost.estimate import estimate
from controller.cost.usage import parse_usage

from .conftest import change


def _row(make_plan, address: str, values: dict, usage: str = ""):
    used = parse_usage(f"resource_usage:\n  {address}:\n" + usage) if usage else None
    return estimate(make_plan(change(address, "create", None, values)), usage=used).resources[0]


@pytest.mark.parametrize("kind", ["azurerm_dns_zone", "azurerm_private_dns_zone"])
def test_a_hosted_zone_is_fifty_cents_a_month_in_any_commercial_region(make_plan, kind):
    assert _row(make_plan, f"{kind}.z", {"name": "example.com", "location": "westus"}).after.monthly == D("0.50")
    assert _row(make_plan, f"{kind}.z", {"name": "example.com"}).after.monthly == D("0.50")  # zones are global
    sovereign = _row(make_plan, f"{kind}.z", {"name": "example.de", "location": "germanywestcentral"})
    assert sovereign.status is Status.NOT_PRICED


@pytest.mark.parametrize("kind", ["azurerm_dns_a_record", "azurerm_dns_cname_record", "azurerm_private_dns_a_record"])
def test_record_queries_are_billed_in_two_tiers(make_plan, kind):
    over = _row(make_plan, f"{kind}.r", {"name": "www"}, "    monthly_queries: 1500000000\n")
    assert [c.monthly for c in over.after.components] == [D("400.00"), D("100.00")]
    without = _row(make_plan, f"{kind}.r", {"name": "www"})
    assert without.status is Status.USAGE_BASED and "$0.40 per 1M queries" in without.after.components[0].note


def test_private_dns_resolver_endpoints_and_rulesets_bill_a_month_each(make_plan):
    inbound = _row(make_plan, "azurerm_private_dns_resolver_inbound_endpoint.e", {"location": "West Europe"})
    ruleset = _row(make_plan, "azurerm_private_dns_resolver_dns_forwarding_ruleset.r", {"location": "westeurope"})
    assert (inbound.after.monthly, ruleset.after.monthly) == (D("180.00"), D("2.50"))


def test_a_private_endpoint_bills_hours_and_data_processed_in_three_tiers(make_plan):
    row = _row(make_plan, "azurerm_private_endpoint.e", {"location": "westus"},
               "    monthly_inbound_data_processed_gb: 5120000\n    monthly_outbound_data_processed_gb: 5120000\n")
    assert [c.monthly for c in row.after.components] == [D("7.30"), D("10000.00"), D("24000.00"), D("480.00"),
                                                        D("10000.00"), D("24000.00"), D("480.00")]
    elsewhere = _row(make_plan, "azurerm_private_endpoint.e", {"location": "eastus"})
    assert elsewhere.status is Status.NOT_PRICED and "eastus" in elsewhere.reason


def test_a_container_registry_bills_its_sku_replicas_storage_over_the_included_and_builds(make_plan):
    premium = _row(make_plan, "azurerm_container_registry.r",
                   {"location": "East US", "sku": "Premium", "georeplications": [{"location": "westeurope"},
                                                                                 {"location": "northeurope"}]},
                   "    storage_gb: 150\n    monthly_build_vcpu_hrs: 150\n")
    assert [c.monthly for c in premium.after.components] == [D("50.00"), D("100.00"), D("0.00"), D("54.0000")]
    basic = _row(make_plan, "azurerm_container_registry.r", {"location": "westeurope", "sku": "Basic"},
                 "    storage_gb: 550\n    monthly_build_vcpu_hrs: 150\n")
    assert [c.monthly for c in basic.after.components] == [D("5.00"), D("54.00"), D("54.0000")]
    assert not any("not in the pricing catalog" in c.note for c in basic.after.components)
    standard = _row(make_plan, "azurerm_container_registry.r", {"location": "westeurope", "sku": "Standard"})
    assert standard.status is Status.NOT_PRICED and "Standard" in standard.reason


@pytest.mark.parametrize("sku, monthly", [("Basic", D("26.28")), ("VpnGw1", D("138.70")), ("VpnGw1AZ", D("153.30")),
                                          ("VpnGw2", D("357.70")), ("VpnGw5", D("2664.50"))])
def test_a_vpn_gateway_bills_its_sku_by_the_hour(make_plan, sku, monthly):
    row = _row(make_plan, "azurerm_virtual_network_gateway.g", {"location": "eastus", "type": "Vpn", "sku": sku})
    assert row.after.components[0].monthly == monthly


def test_vpn_gateway_tunnels_over_128_and_data_transfer_come_from_the_usage_file(make_plan):
    row = _row(make_plan, "azurerm_virtual_network_gateway.g", {"location": "eastus", "type": "Vpn", "sku": "VpnGw2"},
               "    p2s_connection: 150\n    monthly_data_transfer_gb: 20\n")
    assert [c.monthly for c in row.after.components] == [D("357.70"), D("160.60"), D("0.700")]
    assert not any("not in the pricing catalog" in c.note for c in row.after.components)
    express = _row(make_plan, "azurerm_virtual_network_gateway.g", {"location": "eastus", "type": "ExpressRoute",
                                                                    "sku": "Standard"})
    assert express.status is Status.NOT_PRICED
