"""AWS data and streaming services: Kinesis Data Streams, MSK clusters, Redshift clusters, EFS file systems,
and WAF web ACLs (pure).

Prices come from AWS's pricing-page feed tables (every AWS Region). What the feed does not list (Redshift RA3
managed storage, EFS Infrequent Access) stays a named gap on the resource, never a silent zero.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from .components import (MILLION, Component, Context, Costed, Status, first, hourly, is_map, monthly_fee,
                         number, per_gb_month, text, usage, verdict)
from .pricers_aws_usage import aws_metered
from .resources import book_price, missing, pricer

KINESIS_INCLUDED_RETENTION_HOURS = Decimal(24)


def _region(ctx: Context) -> str | None:
    return ctx.provider_regions.get("aws")


def _price(ctx: Context, section: str, name: str) -> Decimal | None:
    return book_price(ctx, "aws", section, name, _region(ctx))


@pricer("aws_kinesis_stream")
def _kinesis(v: Mapping[str, Any], ctx: Context) -> Costed:
    """Provisioned: shard-hours (and extended-retention shard-hours past 24 h) plus PUT payload units;
    on demand: stream-hours plus data in and out."""
    mode = text(first(v, "stream_mode_details"), "stream_mode") or "PROVISIONED"
    extended = (number(v, "retention_period") or KINESIS_INCLUDED_RETENTION_HOURS) > KINESIS_INCLUDED_RETENTION_HOURS
    region = _region(ctx)
    if mode == "ON_DEMAND":
        parts = [hourly("Stream (on demand)", _price(ctx, "extras_hourly", "kinesis_on_demand_stream"),
                        missing=missing("aws", "extra", "kinesis_on_demand_stream", region)),
                 aws_metered(ctx, "monthly_data_ingested_gb", "Data ingested", "kinesis_on_demand_ingested_gb", "GB"),
                 aws_metered(ctx, "monthly_data_retrieved_gb", "Data retrieved", "kinesis_on_demand_retrieved_gb", "GB")]
        if extended:
            parts.append(aws_metered(ctx, "storage_gb", "Extended retention",
                                     "kinesis_on_demand_extended_retention_gb_month", "GB-month"))
        return verdict(parts)
    shards = number(v, "shard_count")
    if shards is None:
        return Costed(Status.NOT_PRICED, note="aws Kinesis stream: its shard count is not known at plan time")
    parts = [hourly(f"Shards ({shards:g})", _price(ctx, "extras_hourly", "kinesis_shard"), shards,
                    missing("aws", "extra", "kinesis_shard", region))]
    if extended:
        parts.append(hourly(f"Extended retention ({shards:g} shards)",
                            _price(ctx, "extras_hourly", "kinesis_extended_retention_shard"), shards,
                            missing("aws", "extra", "kinesis_extended_retention_shard", region)))
    parts.append(aws_metered(ctx, "monthly_put_payload_units", "PUT payload units",
                             "kinesis_put_payload_units_per_1m", "units", per=MILLION))
    return verdict(parts)


@pricer("aws_msk_cluster")
def _msk(v: Mapping[str, Any], ctx: Context) -> Costed:
    """Broker-hours by instance type, and each broker's storage per GB-month."""
    group = first(v, "broker_node_group_info")
    brokers = number(v, "number_of_broker_nodes")
    kind = text(group, "instance_type")
    if brokers is None or not kind:
        return Costed(Status.NOT_PRICED, note="aws MSK cluster: its broker count or type is not known at plan time")
    ebs = first(first(group, "storage_info"), "ebs_storage_info")
    size = number(ebs, "volume_size") or number(group, "ebs_volume_size")
    region = _region(ctx)
    parts = [hourly(f"Brokers ({brokers:g} x {kind})", _price(ctx, "msk_brokers_hourly", kind), brokers,
                    missing("aws", "MSK broker type", kind, region)),
             per_gb_month(f"Broker storage ({brokers:g} x {size if size is not None else '?'} GB)",
                          _price(ctx, "msk_storage_gb_month", "broker"), size * brokers if size is not None else None,
                          missing("aws", "MSK storage", "broker", region))]
    throughput = first(ebs, "provisioned_throughput")
    if is_map(throughput) and throughput.get("enabled"):
        parts.append(Component("Provisioned storage throughput", None, "MiBps", None, None,
                               note="aws MSK provisioned storage throughput price is not in the pricing catalog"))
    return verdict(parts)


@pricer("aws_redshift_cluster")
def _redshift(v: Mapping[str, Any], ctx: Context) -> Costed:
    """Node-hours by node type (DC2 nodes include their storage; RA3 nodes bill managed storage by usage)."""
    kind = text(v, "node_type")
    if not kind:
        return Costed(Status.NOT_PRICED, note="aws Redshift cluster: its node type is not known at plan time")
    nodes = number(v, "number_of_nodes", Decimal(1)) or Decimal(1)
    parts = [hourly(f"Nodes ({nodes:g} x {kind})", _price(ctx, "redshift_nodes_hourly", kind), nodes,
                    missing("aws", "Redshift node type", kind, _region(ctx)))]
    if kind.startswith("ra3."):
        parts.append(usage("Managed storage (RA3)", None, "GB-month",
                           missing="Managed storage (RA3): depends on usage, and its unit price is not in the "
                                   "pricing catalog"))
    return verdict(parts)


@pricer("aws_efs_file_system")
def _efs(v: Mapping[str, Any], ctx: Context) -> Costed:
    """Storage by class (Standard, or One Zone when pinned to a zone), provisioned throughput, and
    elastic-throughput reads and writes."""
    one_zone = bool(text(v, "availability_zone_name"))
    parts = [aws_metered(ctx, "storage_gb", "Storage (One Zone)" if one_zone else "Storage (Standard)",
                         "one_zone" if one_zone else "standard", "GB-month", section="efs_storage_gb_month")]
    mode = text(v, "throughput_mode") or "bursting"
    if mode == "provisioned":
        mibps = number(v, "provisioned_throughput_in_mibps")
        parts.append(per_gb_month(f"Provisioned throughput ({mibps if mibps is not None else '?'} MiB/s; the "
                                  "baseline stored data earns is not deducted)",
                                  _price(ctx, "efs_throughput_month", "provisioned"), mibps,
                                  missing("aws", "EFS throughput", "provisioned", _region(ctx))))
    elif mode == "elastic":
        parts += [aws_metered(ctx, "monthly_elastic_read_gb", "Elastic reads", "efs_elastic_read_gb", "GB"),
                  aws_metered(ctx, "monthly_elastic_write_gb", "Elastic writes", "efs_elastic_write_gb", "GB")]
    if ctx.used("infrequent_access_storage_gb") is not None:
        parts.append(Component("Storage (Infrequent Access)", None, "GB-month", None,
                               ctx.used("infrequent_access_storage_gb"),
                               note="aws EFS Infrequent Access price is not in the pricing catalog"))
    return verdict(parts)


WAF_MANAGED_FEES = {"AWSManagedRulesBotControlRuleSet": "waf_bot_control",
                    "AWSManagedRulesATPRuleSet": "waf_account_takeover_prevention"}


@pricer("aws_wafv2_web_acl")
def _wafv2(v: Mapping[str, Any], ctx: Context) -> Costed:
    """A web ACL and each of its rules per month, requests per 1M (up to 1,500 WCU), and the monthly fee of
    the Bot Control and account takeover prevention managed rule groups."""
    rules = [r for r in v.get("rule") or () if is_map(r)]
    region = _region(ctx)
    parts = [monthly_fee("Web ACL", _price(ctx, "monthly_fees", "waf_web_acl"),
                         missing=missing("aws", "WAF", "web ACL", region))]
    if rules:
        parts.append(monthly_fee(f"Rules ({len(rules)})", _price(ctx, "monthly_fees", "waf_rule"), Decimal(len(rules)),
                                 missing("aws", "WAF", "rule", region)))
    for rule in rules:
        managed = first(first(rule, "statement"), "managed_rule_group_statement")
        name = text(managed, "name") or ""
        if name in WAF_MANAGED_FEES:
            parts.append(monthly_fee(f"Managed rule group {name}", _price(ctx, "monthly_fees", WAF_MANAGED_FEES[name]),
                                     missing=missing("aws", "WAF managed rule group", name, region)))
        elif name == "AWSManagedRulesACFPRuleSet":
            parts.append(Component(f"Managed rule group {name}", None, "months", None, Decimal(1),
                                   note="aws WAF account creation fraud prevention price is not in the pricing catalog"))
    parts.append(aws_metered(ctx, "monthly_requests", "Requests", "waf_requests_per_1m", "requests", per=MILLION))
    return verdict(parts)



@pricer("aws_opensearch_domain", "aws_elasticsearch_domain")
def _opensearch(v: Mapping[str, Any], ctx: Context) -> Costed:
    """Data, dedicated master and UltraWarm nodes by the hour, and each data node's EBS volume per GB-month."""
    cluster = first(v, "cluster_config")
    kind = text(cluster, "instance_type")
    if not kind:
        return Costed(Status.NOT_PRICED, note="aws OpenSearch domain: its instance type is not in the plan")
    region = _region(ctx)
    nodes = number(cluster, "instance_count", Decimal(1)) or Decimal(1)
    parts = [_search_nodes("Data nodes", kind, nodes, ctx)]
    for flag, type_key, count_key, label in (("dedicated_master_enabled", "dedicated_master_type",
                                              "dedicated_master_count", "Dedicated master nodes"),
                                             ("warm_enabled", "warm_type", "warm_count", "UltraWarm nodes")):
        if cluster.get(flag):
            parts.append(_search_nodes(label, text(cluster, type_key) or "?",
                                       number(cluster, count_key, Decimal(3)) or Decimal(0), ctx))
    ebs = first(v, "ebs_options")
    if ebs.get("ebs_enabled"):
        volume = text(ebs, "volume_type") or "gp2"
        size = number(ebs, "volume_size")
        parts.append(per_gb_month(f"Storage ({volume}, {nodes:g} x {size if size is not None else '?'} GB)",
                                  _price(ctx, "opensearch_storage_gb_month", volume),
                                  size * nodes if size is not None else None,
                                  missing("aws", "OpenSearch storage", volume, region)))
        if volume == "gp3" and ((number(ebs, "iops") or 0) > 3000 or (number(ebs, "throughput") or 0) > 125):
            parts.append(Component("Storage IOPS and throughput above the gp3 baseline", None, "months", None, None,
                                   note="aws OpenSearch gp3 IOPS and throughput prices are not in the pricing catalog"))
    return verdict(parts)


def _search_nodes(label: str, kind: str, count: Decimal, ctx: Context) -> Component:
    name = kind.replace(".elasticsearch", ".search")  # Elasticsearch-era names bill as the same instances
    return hourly(f"{label} ({count:g} x {name})", _price(ctx, "opensearch_instances_hourly", name), count,
                  missing("aws", "OpenSearch instance type", name, _region(ctx)))
