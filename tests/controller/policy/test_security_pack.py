"""The built-in security pack on real public plans: every expected finding, nothing else."""

from __future__ import annotations

import pytest

from controller.catalog.specs import Target
from controller.policy import engine, inputs
from controller.policy.library import builtin_library
from controller.repo_config import Enforcement, ProjectConfig, loads
from controller.terraform.plan_parser import parse_plan

from .conftest import PLANS

PACK = engine.SECURITY_PACK

# (rule, severity, address) of every finding, deny and warn.
EXPECTED: dict[str, set[tuple[str, str, str]]] = {
    "security/aws_0.1_checkov_terragoat.json": {
        ("NET-001", "critical", "aws_security_group.web-node"),
        ("NET-004", "medium", "aws_security_group.web-node"),
        ("DB-001", "critical", "aws_db_instance.default"),
        ("ENC-002", "high", "aws_db_instance.default"),
        ("ENC-002", "high", "aws_neptune_cluster.default"),
        ("ENC-000", "unknown", "aws_ebs_volume.web_host_storage"),
        ("STO-004", "high", "aws_s3_bucket.data"),
        ("IAM-003", "critical", "aws_elasticsearch_domain_policy.monitoring-framework-policy"),
        ("IAM-002", "medium", "aws_iam_role_policy.ec2policy"),
        ("IAM-002", "medium", "aws_iam_user_policy.userpolicy"),
        *{("ENC-003", "medium", f"aws_s3_bucket.{b}") for b in ("data", "data_science", "financials", "flowbucket", "operations")},
        *{("LOG-001", "low", f"aws_s3_bucket.{b}") for b in ("data", "financials", "flowbucket", "operations")},
        ("LOG-002", "medium", "aws_elb.weblb"),
    },
    "security/aws_1.0_checkov_iam_policies.json": {
        ("IAM-005", "high", "aws_iam_group_policy.fail_2"),
        ("IAM-002", "medium", "aws_iam_policy.policy_pass"),
        ("IAM-005", "high", "aws_iam_role_policy.fail_1"),
        ("IAM-005", "high", "aws_iam_user_policy.fail_3"),
    },
    "security/aws_1.1_checkov_s3_module_public.json": {
        ("STO-003", "high", "module.s3_bucket.aws_s3_bucket_public_access_block.this[0]"),
        ("STO-004", "high", "module.s3_bucket.aws_s3_bucket_acl.this[0]"),
    },
    "security/aws_1.1_checkov_s3_policy_unknown.json": set(),
    "security/google_0.1_checkov_firewall_egress.json": set(),
    "security/azurerm_1.1_checkov_nsg_deny.json": set(),
    "security/aws_1.1_checkov_sg_rule_update.json": set(),
    "real/aws_0.1_infracost_small_terraform.json": {
        ("ENC-000", "unknown", "aws_ebs_volume.storage_option_1"),
        ("ENC-000", "unknown", "aws_ebs_volume.storage_option_2"),
    },
    "real/google_0.1_terraform-validator_storage_bucket.json": {
        ("LOG-003", "low", "google_storage_bucket.image-store"),
        ("STO-006", "low", "google_storage_bucket.image-store"),
    },
    # Plans gathered for the cost engine (tests/fixtures/plans/corpus): regula's invalid_sg_* are its
    # known-bad security groups, valid_sg_* its good ones (443 from anywhere warns only).
    **{f"corpus/regula_tfplan_{v}.json": {
        ("NET-001", "critical", "aws_security_group.invalid_sg_1"),
        ("NET-001", "critical", "aws_security_group.invalid_sg_2"),
        ("NET-004", "medium", "aws_security_group.valid_sg_1"),
    } for v in ("0.12", "0.13", "0.14", "0.15")},
    "corpus/infracost_example_plan.json": {("ENC-003", "medium", "aws_s3_bucket.usage"),
                                           ("LOG-001", "low", "aws_s3_bucket.usage")},
    "corpus/infracost_plan_with_target.json": {("ENC-001", "high", "aws_instance.web_app_1")},
    **{f"corpus/infracost_terraform_{v}_plan.json": {
        ("ENC-002", "high", f"module.db.module.db_{i}.module.db_instance.aws_db_instance.this[0]") for i in (1, 2)
    } for v in ("v0.12", "v0.14")},
    "corpus/terraform-validator_full_sql_database_instance.json": {
        ("DB-003", "medium", "google_sql_database_instance.main")},
    "corpus/terraform-validator_full_storage_bucket.json": {
        ("STO-006", "low", "google_storage_bucket.full-list-default")},
    **{f"corpus/{name}": set() for name in (
        "infracost_examples_terraform_plan.json", "infracost_express_route_gateway_plan.json",
        "infracost_policy_data_upload_plan.json", *(f"terraform-validator_{n}.json" for n in (
            "example_bigtable_instance", "example_cloud_run_service", "example_compute_address",
            "example_compute_disk", "example_compute_global_address", "example_compute_global_forwarding_rule",
            "example_compute_snapshot", "example_container_cluster", "example_filestore_instance",
            "example_sql_database_instance", "full_compute_instance", "full_container_cluster",
            "full_container_node_pool", "full_spanner_instance")))},
    **{f"real/{name}": set() for name in (
        "aws_1.1_checkov_create_delete.json", "aws_1.2_checkov_forget_action.json",
        "aws_1.2_checkov_no_resource_changes.json", "azurerm_0.2_infracost_azure_firewall.json",
        "google_0.1_terraform-validator_project_update.json", "null_1.0_terraform-json_110_basic.json",
        "null_1.2_terraform-json_action_reason.json")},
}


def _pack_result(path: str):
    lib = builtin_library()
    plan = parse_plan((PLANS / path).read_text())
    selected = [engine.Selected(lib.policies[name], engine.SECURITY_ENFORCEMENT, "security-pack") for name in PACK]
    doc = inputs.build_input(plan, project=ProjectConfig(name="p", target=Target.AWS, region="us-west-2"),
                             needs=engine.input_needs(selected, lib))
    return engine.PolicyEngine(lib).evaluate(doc, selected, project="p")


@pytest.mark.parametrize("path", sorted(EXPECTED))
def test_each_expected_finding_and_nothing_else(path: str) -> None:
    result = _pack_result(path)
    found = {(v.rule, v.level, v.resource) for v in (*result.denies, *result.warns)}
    assert found == EXPECTED[path]


def test_every_real_fixture_is_covered() -> None:
    on_disk = {f"{p.parent.name}/{p.name}" for d in ("real", "security", "corpus") for p in (PLANS / d).glob("*.json")}
    assert on_disk == set(EXPECTED)


def test_critical_and_high_deny_the_rest_warns() -> None:
    result = _pack_result("security/aws_0.1_checkov_terragoat.json")
    assert {v.level for v in result.denies} == {"critical", "high"}
    assert {v.level for v in result.warns} == {"medium", "low", "unknown"}
    assert all(v.fix and v.rule for v in (*result.denies, *result.warns))
    assert result.overridable  # soft by default: an admin may approve past it


def test_the_pack_is_on_for_every_project_without_any_policy_set() -> None:
    config = loads("version: 1\nprojects:\n  shop: {target: aws, region: us-east-1}\n")
    names = {s.policy.name: s for s in engine.select(config, "shop", builtin_library())}
    assert set(PACK) <= set(names)
    assert all(names[n].enforcement is Enforcement.SOFT for n in PACK)


def test_a_policy_set_naming_a_pack_policy_decides_its_enforcement() -> None:
    config = loads("version: 1\nprojects:\n  shop: {target: aws, region: us-east-1, policy_sets: [quiet]}\n"
                   "policy_sets:\n  quiet: {enforcement: advisory, policies: [builtin/security-network]}\n")
    names = {s.policy.name: s for s in engine.select(config, "shop", builtin_library())}
    assert names["security-network"].enforcement is Enforcement.ADVISORY
    assert names["security-iam"].enforcement is Enforcement.SOFT


def test_unknown_values_are_warnings_that_say_unknown_never_violations() -> None:
    result = _pack_result("real/aws_0.1_infracost_small_terraform.json")
    assert not result.denies
    assert all("unknown until apply" in v.msg for v in result.warns)
