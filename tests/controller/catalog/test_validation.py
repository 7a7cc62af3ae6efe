"""Validation: hostile and wrong values are refused with field, value and rule; nothing is written."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from controller.catalog import examples, names, render, validation
from controller.catalog.specs import BucketSpec, DatabaseSpec, NetworkSpec, SubnetSpec, Target, VmSpec
from controller.errors import SpecValidationError


def vm(**changes) -> VmSpec:
    base = VmSpec(name="web", project="shop", target=Target.GCP, region="europe-west1", requested_by="alice", size="e2-medium")
    return dataclasses.replace(base, **changes)


def rules_for(spec) -> dict[str, str]:
    with pytest.raises(SpecValidationError) as info:
        validation.validate(spec)
    return {v.field: v.rule for v in info.value.violations}


@pytest.mark.parametrize(
    ("name", "rule_fragment"),
    [
        ('web"; rm -rf /', "quotes"),
        ("web\nresource", "newlines"),
        ("web${file(\"/etc/passwd\")}", "quotes"),
        ("web${var.x}", "template sequences"),
        ("web%{if true}", "template sequences"),
        ("../../etc", "path separators"),
        ("web..db", "'..'"),
        ("w\u0435b", "U+0435 CYRILLIC SMALL LETTER IE"),
        ("\u0430pp", "U+0430 CYRILLIC SMALL LETTER A"),
        ("web server", "spaces"),
        ("a" * 64, "length 64 is outside 1-63"),
        ("Web", "RFC 1035"),
        ("-web", "RFC 1035"),
        ("", "length 0"),
    ],
)
def test_hostile_or_malformed_names_are_refused_with_the_rule(name: str, rule_fragment: str) -> None:
    assert rule_fragment in rules_for(vm(name=name))["name"]


@pytest.mark.parametrize(
    ("target", "kind_spec", "name", "fragment"),
    [
        ("aws", "bucket", "my..bucket", "'..'"),
        ("aws", "bucket", "192.168.1.1", "IP address"),
        ("aws", "bucket", "ab", "length 2"),
        ("aws", "bucket", "xn--bucket", "xn--"),
        ("azure", "bucket", "MyStorage", "lowercase letters and digits only"),
        ("azure", "bucket", "my-storage", "lowercase letters and digits only"),
        ("azure", "bucket", "a" * 25, "length 25 is outside 3-24"),
        ("gcp", "bucket", "google-assets", "goog"),
    ],
)
def test_bucket_names_follow_each_providers_rules(target: str, kind_spec: str, name: str, fragment: str) -> None:
    region = examples.example_specs(target)[0].region
    storage_class = {"aws": "STANDARD", "azure": "Hot", "gcp": "STANDARD"}[target]
    spec = BucketSpec(name=name, project="shop", target=Target(target), region=region, requested_by="alice", storage_class=storage_class)
    assert fragment in rules_for(spec)["name"]


def test_unknown_machine_type_region_and_zone_are_named() -> None:
    rules = rules_for(vm(size="n1-mega-99", region="mars-north1"))
    assert rules["size"].startswith("must be one of the gcp machine types: e2-micro")
    assert "europe-west1" in rules["region"]
    assert "zones of europe-west1" in rules_for(vm(zone="us-central1-a"))["zone"]


def test_disk_bounds_and_types() -> None:
    assert rules_for(vm(disk_gb=5))["disk_gb"] == "must be between 10 and 2048 GB"
    assert rules_for(vm(disk_gb=True))["disk_gb"] == "must be a whole number"


def test_database_engine_version_tier_and_storage() -> None:
    spec = DatabaseSpec(name="db", project="shop", target=Target.AZURE, region="westeurope", requested_by="alice",
                        engine="postgres", version="9.6", tier="db.t3.micro", storage_gb=50)
    rules = rules_for(spec)
    assert rules["version"].startswith("must be one of the postgres versions on azure")
    assert "azure database tiers" in rules["tier"]
    assert "32, 64, 128" in rules["storage_gb"]
    assert "engines" in rules_for(dataclasses.replace(spec, engine="oracle", version="19", tier="B_Standard_B1ms", storage_gb=32))["engine"]


def network(*subnets: tuple[str, str], cidr: str = "10.0.0.0/16", target: str = "aws") -> NetworkSpec:
    region = examples.example_specs(target)[0].region
    return NetworkSpec(name="core", project="shop", target=Target(target), region=region, requested_by="alice",
                       cidr=cidr, subnets=tuple(SubnetSpec(name=n, cidr=c) for n, c in subnets))


def test_overlapping_and_outside_subnets_are_refused() -> None:
    with pytest.raises(SpecValidationError) as info:
        validation.validate(network(("a", "10.0.0.0/24"), ("b", "10.0.0.128/25"), ("c", "10.1.0.0/24")))
    by_field = {v.field: (v.value, v.rule) for v in info.value.violations}
    assert by_field["subnets[1].cidr"] == ("10.0.0.128/25", "overlaps subnet 'a' (10.0.0.0/24)")
    assert by_field["subnets[2].cidr"] == ("10.1.0.0/24", "must lie inside the network 10.0.0.0/16")


@pytest.mark.parametrize(
    ("cidr", "fragment"),
    [
        ("10.0.0.1/16", "host bits set"),
        ("10.0.0.0", "prefix length"),
        ("8.8.0.0/16", "private range"),
        ("10.0.0.0/8", "between /16 and /28"),
        ("not-a-cidr", "not a valid IPv4 network"),
        ("10.0.0.0/１6", "non-ASCII"),
    ],
)
def test_network_cidrs_must_be_valid_private_ranges(cidr: str, fragment: str) -> None:
    with pytest.raises(SpecValidationError) as info:
        validation.validate(network(("a", "10.0.0.0/24"), cidr=cidr))
    assert any(v.field == "cidr" and fragment in v.rule for v in info.value.violations), info.value


def test_references_to_unknown_networks_and_subnets_are_refused() -> None:
    specs = examples.example_specs("gcp")
    web = dataclasses.replace(specs[1], subnet="nope")
    with pytest.raises(SpecValidationError) as info:
        validation.validate_all([specs[0], web])
    assert "network 'main' has no such subnet" in str(info.value)


def test_reserved_and_malformed_labels_are_refused() -> None:
    rules = rules_for(vm(labels={"managed-by": "me", "Team": "x", "cost": "a b"}))
    assert rules["labels.managed-by"] == "is set by cloudops and cannot be given"
    assert "label keys" in rules["labels.Team"]
    assert rules["labels.cost"] == "must not contain spaces"


def test_the_error_message_names_field_value_and_rule() -> None:
    with pytest.raises(SpecValidationError) as info:
        validation.validate(vm(size="huge"))
    assert str(info.value).startswith("invalid resource spec: size='huge': must be one of the gcp machine types")


def test_nothing_is_written_when_one_spec_is_invalid(tmp_path: Path) -> None:
    good = examples.starter_specs()
    bad = dataclasses.replace(good[0], name="../../escape")
    with pytest.raises(SpecValidationError):
        render.write_project(tmp_path, "example", "local", "local-1", [*good[1:], bad])
    assert list(tmp_path.rglob("*")) == []


def test_a_project_name_cannot_leave_the_projects_dir(tmp_path: Path) -> None:
    specs = [dataclasses.replace(s, project="../x") for s in examples.starter_specs()]
    with pytest.raises(SpecValidationError, match="project"):
        render.write_project(tmp_path, "../x", "local", "local-1", specs)
    assert list(tmp_path.rglob("*")) == []


def test_chat_usernames_fold_into_label_values() -> None:
    assert names.to_label_value("Alice.Smith#1234") == "alice-smith-1234"
    assert names.check(names.REQUESTER_RULE, names.to_label_value("Ünïcode")) is None
