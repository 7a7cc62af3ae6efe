"""Cloud VPN tunnels, Cloud NAT and external IPv4 addresses per region (Cyclenerd's pricing.yml, compute.network).

The section is kept verbatim as a fixture (tests/fixtures/pricing/SOURCES.md): the committed tables must be what
the importer makes of it, and the figures gcp.yaml records by hand must equal its.
"""

from __future__ import annotations

import json
import sys
from decimal import Decimal as D
from pathlib import Path

from controller.cost import catalog
from controller.cost.estimate import estimate
from controller.cost.usage import parse_usage

from .conftest import change

ROOT = Path(__file__).resolve().parents[3]
SECTION = ROOT / "tests" / "fixtures" / "pricing" / "cyclenerd_pricing_compute_network_fd66b26f.yml"
TABLES = ROOT / "controller" / "cost" / "pricing" / "tables"
sys.path.insert(0, str(ROOT / "scripts" / "pricing"))

import import_tables  # noqa: E402


def test_the_committed_tables_are_what_the_importer_makes_of_the_section():
    built = import_tables.cyclenerd_network(SECTION, "fd66b26ff84fee5cdd94f341ea89206e76c06b99")
    for name, doc in built.items():
        committed = json.loads((TABLES / name).read_text(encoding="utf-8"))
        assert json.loads(json.dumps(doc, default=str)) == json.loads(json.dumps(committed), parse_float=str), name


def test_every_hand_checked_gcp_yaml_figure_equals_the_sections():
    book = catalog.load_catalog().book("gcp")
    tables = json.loads((TABLES / "gcp_network_hourly.json").read_text(encoding="utf-8"))
    section = {name: dict(zip(tables["regions"], row)) for name, row in tables["prices"].items()}
    checked = 0
    for name in ("public_ip_unused", "public_ip_in_use", "nat_gateway"):
        for region, price in book.sections["extras_hourly"][name].items():
            regions = section[name] if region != "global" else {r: p for r, p in section[name].items() if p}
            for r in ([region] if region != "global" else list(regions)):
                assert D(str(section[name][r])) == D(str(price)), (name, r)
                checked += 1
    assert checked > 50


def test_a_vpn_tunnel_and_nat_data_are_priced_in_their_region(make_plan):
    usage = "resource_usage:\n  google_compute_router_nat.n:\n    monthly_data_processed_gb: 100\n"
    plan = make_plan(change("google_compute_vpn_tunnel.t", "create", None, {"name": "t", "region": "asia-northeast1"}),
                     change("google_compute_router_nat.n", "create", None, {"name": "n", "region": "europe-west1"}),
                     providers={"google": {"region": "us-central1"}})
    tunnel, nat = estimate(plan, usage=parse_usage(usage, "usage.yml")).resources
    assert tunnel.after_monthly == D("0.075") * catalog.HOURS_PER_MONTH  # Tokyo's rate, not us-central1's 0.05
    assert nat.after_monthly == D("0.0448") * catalog.HOURS_PER_MONTH + 100 * D("0.045")
