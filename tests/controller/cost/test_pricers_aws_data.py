"""Kinesis, MSK, Redshift, EFS and WAF: priced per region from AWS's pricing-page feed, gaps named."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from controller.cost.catalog import HOURS_PER_MONTH as H
from controller.cost.components import Status
from controller.cost.estimate import estimate
from controller.cost.usage import parse_usage

from .conftest import change


def _row(make_plan, address: str, values: dict, region: str = "us-east-1", usage: str | None = None):
    used = parse_usage(usage, "usage.yml") if usage else None
    plan = make_plan(change(address, "create", None, values), providers={"aws": {"region": region}})
    return estimate(plan, usage=used).resources[0]


def test_a_provisioned_stream_bills_shards_and_extended_retention_past_24_hours(make_plan):
    row = _row(make_plan, "aws_kinesis_stream.s", {"shard_count": 2, "retention_period": 48})
    assert row.after_monthly == 2 * D("0.015") * H + 2 * D("0.020") * H
    assert _row(make_plan, "aws_kinesis_stream.s", {"shard_count": 2}).after_monthly == 2 * D("0.015") * H
    unknown = _row(make_plan, "aws_kinesis_stream.s", {})
    assert unknown.status is Status.NOT_PRICED and "shard count" in unknown.reason


def test_an_on_demand_stream_bills_stream_hours_and_data_from_the_usage_file(make_plan):
    usage = "resource_usage:\n  aws_kinesis_stream.s:\n    monthly_data_ingested_gb: 100\n"
    row = _row(make_plan, "aws_kinesis_stream.s", {"stream_mode_details": [{"stream_mode": "ON_DEMAND"}]}, usage=usage)
    assert row.after_monthly == D("0.04") * H + 100 * D("0.08")


def test_an_msk_cluster_bills_broker_hours_and_each_brokers_storage_in_its_region(make_plan):
    group = {"instance_type": "kafka.m5.large", "storage_info": [{"ebs_storage_info": [{"volume_size": 100}]}]}
    row = _row(make_plan, "aws_msk_cluster.k", {"number_of_broker_nodes": 3, "broker_node_group_info": [group]},
               region="eu-west-1")
    assert row.status is Status.PRICED and row.after_monthly == 3 * D("0.234") * H + 300 * D("0.11")
    odd = _row(make_plan, "aws_msk_cluster.k", {"number_of_broker_nodes": 3,
                                                 "broker_node_group_info": [{"instance_type": "kafka.x9.huge"}]})
    assert odd.status is not Status.PRICED and "kafka.x9.huge" in odd.reason


@pytest.mark.parametrize("values,nodes", [({"node_type": "dc2.large"}, 1), ({"node_type": "dc2.large",
                                                                           "number_of_nodes": 4}, 4)])
def test_redshift_bills_node_hours(make_plan, values, nodes):
    assert _row(make_plan, "aws_redshift_cluster.r", values).after_monthly == nodes * D("0.25") * H


def test_ra3_managed_storage_is_named_as_unpriced_usage(make_plan):
    row = _row(make_plan, "aws_redshift_cluster.r", {"node_type": "ra3.xlplus", "number_of_nodes": 2})
    assert row.after_monthly == 2 * D("1.086") * H and "Managed storage (RA3)" in row.reason


def test_efs_storage_by_class_provisioned_throughput_and_an_unpriced_infrequent_access_tier(make_plan):
    usage = "resource_usage:\n  aws_efs_file_system.e:\n    storage_gb: 100\n"
    standard = _row(make_plan, "aws_efs_file_system.e", {}, usage=usage)
    assert standard.after_monthly == 100 * D("0.30")
    one_zone = _row(make_plan, "aws_efs_file_system.e", {"availability_zone_name": "us-east-1a"}, usage=usage)
    assert one_zone.after_monthly == 100 * D("0.16")
    provisioned = _row(make_plan, "aws_efs_file_system.e",
                       {"throughput_mode": "provisioned", "provisioned_throughput_in_mibps": 10})
    assert provisioned.after_monthly == 10 * D("6.00")
    ia = _row(make_plan, "aws_efs_file_system.e", {},
              usage="resource_usage:\n  aws_efs_file_system.e:\n    infrequent_access_storage_gb: 50\n")
    assert ia.status is not Status.PRICED and "Infrequent Access" in ia.reason


def test_a_web_acl_bills_itself_its_rules_and_paid_managed_rule_groups(make_plan):
    bot = {"name": "bots", "statement": [{"managed_rule_group_statement": [
        {"name": "AWSManagedRulesBotControlRuleSet", "vendor_name": "AWS"}]}]}
    rate = {"name": "rate", "statement": [{"rate_based_statement": [{"limit": 100}]}]}
    row = _row(make_plan, "aws_wafv2_web_acl.w", {"scope": "REGIONAL", "rule": [bot, rate]})
    assert row.status is Status.PRICED and row.after_monthly == D(5) + 2 * D(1) + D(10)
    assert _row(make_plan, "aws_wafv2_web_acl.w", {"scope": "REGIONAL"}).after_monthly == D(5)


def test_an_aurora_cluster_bills_storage_and_io_unless_io_optimized(make_plan):
    usage = "resource_usage:\n  aws_rds_cluster.c:\n    storage_gb: 100\n    monthly_io_requests: 50000000\n"
    standard = _row(make_plan, "aws_rds_cluster.c", {"engine": "aurora-postgresql"}, usage=usage)
    assert standard.after_monthly == 100 * D("0.10") + 50 * D("0.20")
    optimized = _row(make_plan, "aws_rds_cluster.c", {"engine": "aurora-mysql", "storage_type": "aurora-iopt1"},
                     usage=usage)
    assert optimized.after_monthly == 100 * D("0.225")  # no I/O charge
    multi_az = _row(make_plan, "aws_rds_cluster.c", {"engine": "postgres", "db_cluster_instance_class": "db.m6gd.large"})
    assert multi_az.status is Status.NOT_PRICED and "Multi-AZ DB cluster" in multi_az.reason


def test_load_balancers_ecr_and_secrets_outside_us_east_1(make_plan):
    nlb = _row(make_plan, "aws_lb.n", {"load_balancer_type": "network"}, region="eu-west-1")
    assert nlb.after.components[0].unit_price == D("0.0252")  # eu-west-1's own NLB rate
    gateway = _row(make_plan, "aws_lb.g", {"load_balancer_type": "gateway"})
    assert gateway.after.components[0].unit_price == D("0.0125") and gateway.status is not Status.NOT_PRICED
    classic = _row(make_plan, "aws_elb.c", {"name": "c"}, region="us-west-2",
                   usage="resource_usage:\n  aws_elb.c:\n    monthly_data_processed_gb: 100\n")
    assert classic.after_monthly == D("0.025") * H + 100 * D("0.008")
    secret = _row(make_plan, "aws_secretsmanager_secret.s", {"name": "s"}, region="us-west-2")
    assert secret.status is Status.PRICED and secret.after_monthly == D("0.40")
    ecr = _row(make_plan, "aws_ecr_repository.r", {"name": "r"}, region="us-west-1",
               usage="resource_usage:\n  aws_ecr_repository.r:\n    storage_gb: 10\n")
    assert ecr.after_monthly == 10 * D("0.10")


def test_rds_gp3_storage_is_priced_in_its_region_single_and_multi_az(make_plan):
    db = {"engine": "mysql", "instance_class": "db.t3.micro", "allocated_storage": 100, "storage_type": "gp3"}
    single = _row(make_plan, "aws_db_instance.d", db, region="eu-west-1")
    multi = _row(make_plan, "aws_db_instance.d", {**db, "multi_az": True}, region="eu-west-1")
    assert single.status is Status.PRICED and multi.status is Status.PRICED
    assert single.after.components[1].unit_price == D("0.127")  # eu-west-1 gp3, not us-east-1's 0.115
    assert multi.after.components[1].unit_price == D("0.254")


def test_an_opensearch_domain_bills_its_nodes_and_their_storage(make_plan):
    domain = {"cluster_config": [{"instance_type": "m5.large.search", "instance_count": 3,
                                  "dedicated_master_enabled": True, "dedicated_master_type": "t3.small.search",
                                  "dedicated_master_count": 3}],
              "ebs_options": [{"ebs_enabled": True, "volume_type": "gp3", "volume_size": 100}]}
    row = _row(make_plan, "aws_opensearch_domain.d", domain)
    assert row.status is Status.PRICED
    assert row.after_monthly == 3 * D("0.142") * H + 3 * D("0.036") * H + 300 * D("0.122")


def test_an_elasticsearch_domain_is_priced_as_the_same_instances_and_gaps_are_named(make_plan):
    legacy = {"cluster_config": [{"instance_type": "t3.small.elasticsearch"}]}
    assert _row(make_plan, "aws_elasticsearch_domain.d", legacy).after_monthly == D("0.036") * H
    unknown = _row(make_plan, "aws_opensearch_domain.d", {"cluster_config": [{"instance_type": "x9.huge.search"}]})
    assert unknown.status is Status.NOT_PRICED and "x9.huge.search" in unknown.reason
    fast = {"cluster_config": [{"instance_type": "m5.large.search"}],
            "ebs_options": [{"ebs_enabled": True, "volume_type": "gp3", "volume_size": 10, "iops": 6000}]}
    assert "gp3 IOPS and throughput" in _row(make_plan, "aws_opensearch_domain.d", fast).reason
