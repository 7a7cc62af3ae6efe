"""The real-world corpus (tests/fixtures/plans/corpus and real/, sources in SOURCES.md) is priced, and
where Infracost's output for the same plan is kept, compute figures agree with it within 15 %."""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path

import pytest

from controller.cost import coverage, estimate, render
from controller.terraform.plan_parser import parse_plan

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "benchmarks"))
import bench_cost_coverage as bench  # noqa: E402

PLANS = bench.corpus()
SOURCES = (ROOT / "tests" / "fixtures" / "plans" / "SOURCES.md").read_text(encoding="utf-8")


def test_the_corpus_holds_at_least_30_third_party_plans_each_with_its_source():
    assert len(PLANS) >= 30
    providers = {c.type.split("_")[0] for p in PLANS for c in parse_plan(p.read_text(encoding="utf-8")).resource_changes}
    assert {"aws", "azurerm", "google"} <= providers
    for path in [p for p in PLANS if p.parent.name == "corpus"] + sorted((bench.PLANS / "corpus" / "infracost").iterdir()):
        assert f"`{path.relative_to(bench.PLANS)}`" in SOURCES, f"{path.name} has no row in SOURCES.md"


HELDOUT = bench.heldout()


def test_the_heldout_corpus_is_kept_with_its_source():
    assert len(HELDOUT) >= 60
    for path in HELDOUT:
        assert f"`{path.relative_to(bench.PLANS)}`" in SOURCES, f"{path.name} has no row in SOURCES.md"


@pytest.mark.parametrize("path", PLANS + HELDOUT, ids=[p.stem for p in PLANS + HELDOUT])
def test_every_corpus_plan_is_priced_and_every_gap_says_why(path: Path):
    est = estimate.estimate(parse_plan(path.read_text(encoding="utf-8")))
    for row in est.changed:
        assert row.priced or row.reason, row.address
    head = render.headline(est)
    if render.unpriced_changes(est):
        assert "not priced" in head and "unchanged" not in head.lower()


def test_compute_agrees_with_infracost_within_15_percent_on_the_corpus():
    _, pairs, _, _ = bench.measure()
    compute = [p for p in pairs if coverage.category(p.type) == "compute"]
    assert len(compute) >= 20
    outside = [(p.plan, p.address, p.ours, p.theirs) for p in compute if abs(p.ratio - 1) > 0.15]
    assert outside == []


def test_infracost_outputs_are_read_from_json_and_from_its_table_output():
    golden = (bench.PLANS / "corpus" / "infracost" / "infracost_terraform_v0.12_plan.golden").read_text()
    table = coverage.parse_infracost(golden)
    assert str(table["aws_instance.instance_1"]) == "4.60"  # $3.80 instance + $0.80 root volume
    as_json = coverage.parse_infracost((bench.PLANS / "corpus" / "infracost" / "infracost_example_plan.json").read_text())
    assert "aws_instance.zero_cost_instance" not in as_json  # reserved, from Infracost's usage file: not a list price
    assert str(as_json["aws_instance.web_app"]) == "742.64"


def test_databases_agree_with_infracost_on_what_both_price():
    _, pairs, _, _ = bench.measure()
    dbs = [p for p in pairs if coverage.category(p.type) == "databases"]
    assert dbs and all(abs(p.ratio - 1) <= 0.15 for p in dbs)


def test_disks_agree_with_infracost_on_what_both_price():
    _, pairs, _, _ = bench.measure()
    disks = [p for p in pairs if coverage.category(p.type) == "disks"]
    assert len(disks) >= 2 and all(abs(p.ratio - 1) <= 0.15 for p in disks)


def test_infracost_first_table_format_is_read():
    text = (bench.PLANS / "corpus" / "infracost" / "aws_0.1_infracost_small_terraform.plancosts").read_text()
    lines = coverage.parse_infracost_lines(text)
    assert lines["aws_ebs_volume.storage_option_1"] == {"GB": Decimal("1.8750"), "IOPS": Decimal("6.5000")}
    assert sum(lines["aws_instance.web_app"].values()) == Decimal("9.0920") and "Total" not in str(lines)
