"""AWS pricers: EC2 and its volumes, autoscaling groups, RDS, ElastiCache, load balancers, networking,
and the usage-based services (Lambda, S3, DynamoDB, SQS, ECR, CloudWatch Logs) (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from .catalog import HOURS_PER_MONTH
from .components import (MILLION, Component, Context, Costed, Status, first, hourly, is_map, monthly_fee,
                         number, per_gb_month, text, tier_steps, usage, usage_gap, verdict, zone_region)
from .pricers_aws_usage import aws_metered, aws_usage_price
from .resources import book_price, extra, fee, missing, pricer, ref, vm

AMI_ROOT_GB = Decimal(8)  # the usual root volume of an AMI; Infracost assumes the same when the plan does not say
GP3_FREE_IOPS, GP3_FREE_MBPS = Decimal(3000), Decimal(125)


def region_of(v: Mapping[str, Any], ctx: Context) -> str | None:
    """The resource's zone, else its provider's region (or its own ``region``: see ``resources.price``)."""
    return zone_region(text(v, "availability_zone")) or ctx.provider_regions.get("aws")


def _price(ctx: Context, section: str, name: str | None, region: str | None) -> Decimal | None:
    return book_price(ctx, "aws", section, name, region)


def volume(label: str, kind: str, gb: Decimal | None, iops: Decimal | None, mbps: Decimal | None,
           region: str | None, ctx: Context, *, assumed: bool = False) -> list[Component]:
    """An EBS volume: storage, plus provisioned IOPS (io1/io2, gp3 above 3,000) and gp3 throughput above 125 MB/s."""
    name = f"{label} ({kind}, {gb if gb is not None else '?'} GB{', assumed: size comes from the AMI' if assumed else ''})"
    parts = [per_gb_month(name, _price(ctx, "disks_gb_month", kind, region), gb, missing("aws", "EBS type", kind, region),
                          ref("aws", "disks_gb_month", kind, region, "disk"))]
    extra_iops = iops if kind in ("io1", "io2") else (iops - GP3_FREE_IOPS if kind == "gp3" and iops else None)
    if extra_iops and extra_iops > 0:
        parts += _iops(label, kind, extra_iops, region, ctx)
    if kind == "gp3" and mbps and mbps > GP3_FREE_MBPS:
        parts.append(per_gb_month(f"{label} throughput ({mbps - GP3_FREE_MBPS:g} MB/s above 125)",
                                  _price(ctx, "disk_throughput_month", kind, region), mbps - GP3_FREE_MBPS,
                                  missing("aws", "EBS throughput", kind, region)))
    return parts


# io2 IOPS are billed in tiers: up to 32,000, 32,001 to 64,000, and above (the pricing page's "Tier 2/3" rates)
IO2_TIERS = ((Decimal(32000), "io2"), (Decimal(64000), "io2_tier2"), (None, "io2_tier3"))


def _iops(label: str, kind: str, iops: Decimal, region: str | None, ctx: Context) -> list[Component]:
    if kind != "io2":
        return [per_gb_month(f"{label} provisioned IOPS ({iops:g})", _price(ctx, "disk_iops_month", kind, region),
                             iops, missing("aws", "EBS IOPS", kind, region))]
    steps = tier_steps(iops, [ceiling for ceiling, _ in IO2_TIERS])
    return [per_gb_month(f"{label} provisioned IOPS ({iops:g})" if len(steps) == 1 else
                         f"{label} provisioned IOPS ({first:g} to {first + step - 1:g})",
                         _price(ctx, "disk_iops_month", IO2_TIERS[i][1], region), step,
                         missing("aws", "EBS IOPS", IO2_TIERS[i][1], region)) for i, first, step in steps]


def _block_devices(v: Mapping[str, Any], region: str | None, ctx: Context) -> list[Component]:
    parts: list[Component] = []
    root = first(v, "root_block_device")
    size = number(root, "volume_size")
    parts += volume("Root volume", text(root, "volume_type", "gp2") or "gp2", size if size else AMI_ROOT_GB,
                    number(root, "iops"), number(root, "throughput"), region, ctx, assumed=not size)
    for i, dev in enumerate(v.get("ebs_block_device") or ()):
        if is_map(dev):
            parts += volume(f"EBS block device {text(dev, 'device_name', str(i))}", text(dev, "volume_type", "gp2") or "gp2",
                            number(dev, "volume_size"), number(dev, "iops"), number(dev, "throughput"), region, ctx)
    return parts


@pricer("aws_instance")
def _ec2(v: Mapping[str, Any], ctx: Context) -> Costed:
    region = region_of(v, ctx)
    reserved = [str(ctx.usage.get(k)) for k in ("reserved_instance_type", "reserved_instance_term",
                                                 "reserved_instance_payment_option") if ctx.usage.get(k)]
    system = str(ctx.usage.get("operating_system") or "linux").lower()
    tenancy = text(v, "tenancy", "default") or "default"
    unlisted = (f"reserved: {', '.join(reserved)}" if reserved else  # an on-demand figure would overstate it
                f"{system}" if system != "linux" else
                f"{tenancy} tenancy" if tenancy != "default" else None)
    if reserved and str(ctx.usage.get("reserved_instance_payment_option")).lower() == "all_upfront" \
            and system == "linux" and tenancy == "default":
        # All Upfront is paid once at purchase and has no hourly charge: the monthly bill for the hours is a true
        # $0 (Infracost bills it so), and the one-off payment, not in the catalog, is said rather than spread.
        hours = Component(f"Instance ({text(v, 'instance_type')}, {unlisted})", Decimal(0), "hours", Decimal(0),
                          HOURS_PER_MONTH, note="all upfront: no hourly charge; the one-off upfront payment is not in "
                                                "the pricing catalog and not in this monthly figure")
        return verdict([hours] + _block_devices(v, region, ctx))
    if unlisted:  # Linux, shared tenancy, on demand is all that is recorded: anything else is not priced
        hours = Component(f"Instance ({text(v, 'instance_type')}, {unlisted})", None, "hours",
                          note=f"aws instance prices for {unlisted} are not in the pricing catalog")
        return verdict([hours] + _block_devices(v, region, ctx))
    spot = text(first(v, "instance_market_options"), "market_type") == "spot"
    parts = [vm("aws", text(v, "instance_type"), region, ctx, spot=spot)] + _block_devices(v, region, ctx)
    return verdict(parts)


def _template_type(v: Mapping[str, Any], ctx: Context) -> tuple[str | None, Mapping[str, Any]]:
    """Instance type of an autoscaling group, from the launch template or configuration it references."""
    for attr, kind in (("launch_template", "aws_launch_template"), ("launch_configuration", "aws_launch_configuration"),
                       ("mixed_instances_policy", "aws_launch_template")):
        found = ctx.referenced(attr, kind)
        if found and text(found, "instance_type"):
            return text(found, "instance_type"), found
    return None, {}


@pricer("aws_autoscaling_group")
def _asg(v: Mapping[str, Any], ctx: Context) -> Costed:
    region = ctx.provider_regions.get("aws")
    count = number(v, "desired_capacity") or number(v, "min_size") or Decimal(0)
    itype, template = _template_type(v, ctx)
    if not itype:
        return verdict([hourly("Instances (launch template not found in the plan)", None,
                               missing="instance type: the launch template or configuration is not in this plan")])
    if count == 0:
        return verdict([Component(f"Instances (0 × {itype})", Decimal(0), "hours", None, Decimal(0))])
    parts = [vm("aws", itype, region, ctx, count, "nodes")]
    for c in _block_devices({"root_block_device": template.get("root_block_device") or (),
                             "ebs_block_device": template.get("ebs_block_device") or ()}, region, ctx):
        parts.append(Component(f"{c.name} × {count:g}", None if c.monthly is None else c.monthly * count, c.unit,
                               c.unit_price, None if c.quantity is None else c.quantity * count, note=c.note))
    return verdict(parts)


@pricer("aws_ebs_volume")
def _ebs(v: Mapping[str, Any], ctx: Context) -> Costed:
    return verdict(volume("Volume", text(v, "type", "gp2") or "gp2", number(v, "size"), number(v, "iops"),
                          number(v, "throughput"), region_of(v, ctx), ctx))


def _snapshot_line(volume_values: Mapping[str, Any] | None, region: str | None, ctx: Context) -> Component:
    """Snapshot storage at the volume's full size: an upper bound, since a snapshot keeps only the used blocks."""
    gb = number(volume_values, "size") if volume_values is not None else None
    name = (f"EBS snapshot storage ({gb:g} GB, assumed: the volume's full size, an upper bound)" if gb is not None
            else "EBS snapshot storage (the volume is not in this plan)")
    return per_gb_month(name, _price(ctx, "disks_gb_month", "snapshot", region), gb,
                        missing("aws", "EBS snapshot", "storage", region))


@pricer("aws_ebs_snapshot")
def _ebs_snapshot(v: Mapping[str, Any], ctx: Context) -> Costed:
    return verdict([_snapshot_line(ctx.referenced("volume_id", "aws_ebs_volume"), ctx.provider_regions.get("aws"), ctx)])


_ENGINE_ALIASES = {"aurora": "aurora-mysql", "postgresql": "postgres"}


def rds_class(engine: str | None, klass: str | None, region: str | None, ctx: Context, factor: Decimal,
              label: str = "Database instance") -> Component:
    """Keyed by engine *and* class: SQL Server or Oracle never get MySQL's price."""
    engine = _ENGINE_ALIASES.get(engine or "", engine)
    key = f"{engine}:{klass}" if engine and klass else None
    section, multi = "database_tiers_hourly", factor == 2
    price = _price(ctx, section, key, region)
    if multi and (listed := _price(ctx, "database_tiers_multi_az_hourly", key, region)) is not None:
        section, price, factor = "database_tiers_multi_az_hourly", listed, Decimal(1)  # AWS's own figure
    return hourly(f"{label} ({engine or '?'}, {klass}{', multi-AZ' if multi else ''})",
                  price * factor if price is not None else None,
                  missing=missing("aws", "RDS engine/class", key, region),
                  ref=ref("aws", section, key, region, "database"))


# Engine versions past the end of RDS standard support are billed RDS Extended Support per vCPU-hour, at one
# rate in years 1-2 and a higher one from year 3. The dates are AWS's release calendars, as listed by
# infracost/infracost internal/resources/aws/db_instance.go @95ba4f49 (Aurora has no year-3 rate).
_EXTENDED_SUPPORT: dict[str, dict[str, tuple[date, date | None]]] = {
    "mysql": {"5.7": (date(2024, 3, 1), date(2026, 3, 1)), "8": (date(2026, 8, 1), date(2028, 8, 1))},
    "aurora-mysql": {"5.7": (date(2024, 12, 1), None), "8": (date(2027, 5, 1), None)},
    "postgres": {"11": (date(2024, 4, 1), date(2026, 4, 1)), "12": (date(2025, 3, 1), date(2027, 3, 1)),
                 "13": (date(2026, 3, 1), date(2028, 3, 1)), "14": (date(2027, 3, 1), date(2029, 3, 1)),
                 "15": (date(2028, 3, 1), date(2030, 3, 1)), "16": (date(2029, 3, 1), date(2031, 3, 1))},
    "aurora-postgresql": {"11": (date(2024, 4, 1), date(2026, 4, 1)), "12": (date(2025, 3, 1), date(2027, 3, 1)),
                          "13": (date(2026, 3, 1), date(2028, 3, 1)), "14": (date(2027, 3, 1), date(2029, 3, 1)),
                          "15": (date(2028, 3, 1), date(2030, 3, 1))},
}


def _major(engine: str, version: str) -> str:
    """"5.7.44" -> "5.7", "8.0.35" / "8.0.mysql_aurora.3.04.0" -> "8", "13.7" -> "13"."""
    parts = version.split(".")
    if engine.endswith("mysql") and parts[0] == "5" and len(parts) > 1:
        return "5.7" if parts[1] == "7" else version
    return parts[0]


def extended_support(engine: str | None, version: str | None, klass: str | None, region: str | None,
                     ctx: Context, factor: Decimal = Decimal(1)) -> Component | None:
    """The Extended Support line for an engine version past standard support on ``ctx.today``, else None."""
    engine = _ENGINE_ALIASES.get(engine or "", engine)
    dates = _EXTENDED_SUPPORT.get(engine or "", {}).get(_major(engine or "", version or ""))
    if not version or dates is None or ctx.today < dates[0]:
        return None
    year3 = dates[1] is not None and ctx.today >= dates[1]
    phase = "year 3" if year3 else "year1-2"
    label = f"Extended support ({engine} {version}, {'year 3' if year3 else 'years 1-2'})"
    vcpus = _price(ctx, "database_vcpus", klass, region)
    rate = _price(ctx, "extended_support_vcpu_hourly", "year3" if year3 else phase, region)
    if vcpus is None or rate is None:
        what = f"vCPU count of {klass}" if vcpus is None else f"RDS Extended Support {phase} rate in {region}"
        return Component(label, None, "vCPU-hours", None, None,
                         note=f"aws {what} is not in the pricing catalog ({engine} {version} is past standard support)")
    quantity = vcpus * factor * HOURS_PER_MONTH  # a standby bills its vCPUs too, like its instance hours
    return Component(label + (", multi-AZ" if factor == 2 else ""), rate * quantity, "vCPU-hours", rate, quantity)


def _rds_storage(ctx: Context, storage: str, region: str | None, multi_az: bool) -> Decimal | None:
    """Per GB-month; Multi-AZ is AWS's own figure where listed (not always 2 x Single-AZ: 0.276 for 0.131)."""
    if multi_az and (listed := _price(ctx, "database_storage_multi_az_gb_month", storage, region)) is not None:
        return listed
    single = _price(ctx, "database_storage_gb_month", storage, region)
    return single * 2 if multi_az and single is not None else single


@pricer("aws_db_instance")
def _rds(v: Mapping[str, Any], ctx: Context) -> Costed:
    region = region_of(v, ctx)
    factor = Decimal(2) if v.get("multi_az") else Decimal(1)
    storage = text(v, "storage_type") or ("io1" if number(v, "iops") else "gp2")
    parts = [rds_class(text(v, "engine"), text(v, "instance_class"), region, ctx, factor),
             per_gb_month(f"Storage ({storage})", _rds_storage(ctx, storage, region, factor == 2),
                          number(v, "allocated_storage"), missing("aws", "RDS storage", storage, region))]
    if storage == "io1" and number(v, "iops"):
        iprice = _price(ctx, "database_iops_month", "io1", region)
        parts.append(per_gb_month(f"Provisioned IOPS ({number(v, 'iops'):g})", iprice * factor if iprice else None,
                                  number(v, "iops"), missing("aws", "RDS IOPS", "io1", region)))
    support = extended_support(text(v, "engine"), text(v, "engine_version"), text(v, "instance_class"), region, ctx,
                               factor)
    return verdict(parts + ([support] if support else []))


@pricer("aws_rds_cluster_instance")
def _aurora_instance(v: Mapping[str, Any], ctx: Context) -> Costed:
    return verdict([rds_class(text(v, "engine"), text(v, "instance_class"), region_of(v, ctx), ctx, Decimal(1))])


@pricer("aws_rds_cluster")
def _aurora(v: Mapping[str, Any], ctx: Context) -> Costed:
    """Aurora storage by usage, and I/O requests unless the cluster is I/O-Optimized; instances are their own."""
    engine = text(v, "engine") or "aurora-mysql"
    if not engine.startswith("aurora"):
        return Costed(Status.NOT_PRICED, note=f"aws RDS Multi-AZ DB cluster ({engine}) prices are not in the pricing "
                                              "catalog")
    if text(v, "engine_mode") == "serverless":
        return Costed(Status.NOT_PRICED, note="aws Aurora Serverless v1 capacity prices are not in the pricing catalog")
    optimized = text(v, "storage_type") == "aurora-iopt1"
    parts = [aws_metered(ctx, "storage_gb", "Storage (Aurora I/O-Optimized)" if optimized else "Storage (Aurora)",
                         "aurora_io_optimized_storage_gb_month" if optimized else "aurora_storage_gb_month", "GB-month")]
    if not optimized:
        parts.append(aws_metered(ctx, "monthly_io_requests", "I/O requests", "aurora_io_requests_per_1m", "requests",
                                 per=MILLION))
    return verdict(parts, note="an Aurora cluster bills storage and I/O by usage; its instances are priced on their own")


def _nodes(ctx: Context, node_type: str | None, count: Decimal, region: str | None) -> Component:
    return hourly(f"Cache nodes ({count:g} × {node_type})", _price(ctx, "cache_nodes_hourly", node_type, region), count,
                  missing("aws", "ElastiCache node type", node_type, region))


@pricer("aws_elasticache_cluster")
def _cache(v: Mapping[str, Any], ctx: Context) -> Costed:
    if text(v, "replication_group_id"):
        return verdict([Component("Nodes (priced on the replication group)", Decimal(0))])
    return verdict([_nodes(ctx, text(v, "node_type"), number(v, "num_cache_nodes") or Decimal(1), region_of(v, ctx))])


@pricer("aws_elasticache_replication_group")
def _cache_group(v: Mapping[str, Any], ctx: Context) -> Costed:
    count = number(v, "num_cache_clusters") or number(v, "number_cache_clusters")
    if not count:
        groups = number(v, "num_node_groups") or Decimal(1)
        count = groups * ((number(v, "replicas_per_node_group") or Decimal(0)) + 1)
    return verdict([_nodes(ctx, text(v, "node_type"), count, ctx.provider_regions.get("aws"))])


@pricer("aws_eks_cluster")
def _eks(v: Mapping[str, Any], ctx: Context) -> Costed:
    return verdict([fee("aws", ctx)])


@pricer("aws_eks_node_group")
def _eks_nodes(v: Mapping[str, Any], ctx: Context) -> Costed:
    count = number(first(v, "scaling_config"), "desired_size", Decimal(1)) or Decimal(1)
    types = v.get("instance_types") or ["t3.medium"]
    return verdict([vm("aws", str(types[0]), ctx.provider_regions.get("aws"), ctx, count, "nodes",
                       spot=text(v, "capacity_type") == "SPOT")])


@pricer("aws_nat_gateway")
def _aws_nat(v: Mapping[str, Any], ctx: Context) -> Costed:
    nat = extra("aws", "nat_gateway", "NAT gateway", ctx.provider_regions.get("aws"), ctx)
    return verdict(list(nat.components) + [aws_metered(ctx, "monthly_data_processed_gb", "Data processed", "nat_data_gb", "GB")])


@pricer("aws_lb", "aws_alb")
def _aws_lb(v: Mapping[str, Any], ctx: Context) -> Costed:
    kind = text(v, "load_balancer_type", "application") or "application"
    base = extra("aws", f"load_balancer_{kind}", f"Load balancer ({kind})", ctx.provider_regions.get("aws"), ctx)
    lcu = {"application": "alb_lcu_hour", "network": "nlb_lcu_hour", "gateway": "gwlb_lcu_hour"}.get(kind)
    parts = list(base.components)
    if lcu:
        parts.append(usage("Load balancer capacity units", aws_usage_price(ctx, lcu), "LCU-hour",
                           missing=usage_gap("Load balancer capacity units", ctx.provider_regions.get("aws"))))
    return verdict(parts)


# Resources billed by the hour and nothing else fixed: type -> (extras_hourly key, label).
_HOURLY = {
    "aws_eip": ("public_ip_in_use", "Public IPv4 address"),
    "aws_vpn_connection": ("vpn_connection", "VPN connection"),
    "aws_ec2_transit_gateway_vpc_attachment": ("transit_gateway_attachment", "Transit gateway attachment"),
}


@pricer("aws_elb")
def _classic_elb(v: Mapping[str, Any], ctx: Context) -> Costed:
    hours = extra("aws", "load_balancer_classic", "Classic load balancer", ctx.provider_regions.get("aws"), ctx)
    return verdict(list(hours.components) + [aws_metered(ctx, "monthly_data_processed_gb", "Data processed",
                                                         "elb_classic_data_gb", "GB")])


def _hourly_of(key: str, label: str) -> Any:
    def price_it(v: Mapping[str, Any], ctx: Context) -> Costed:
        return extra("aws", key, label, ctx.provider_regions.get("aws"), ctx)
    return price_it


for _type, (_key, _label) in _HOURLY.items():
    pricer(_type)(_hourly_of(_key, _label))


def _fee_of(key: str, label: str) -> Any:
    def price_it(v: Mapping[str, Any], ctx: Context) -> Costed:
        region = ctx.provider_regions.get("aws")
        return verdict([monthly_fee(label, _price(ctx, "monthly_fees", key, region),
                                    missing=missing("aws", "monthly fee", key, region))])
    return price_it


pricer("aws_secretsmanager_secret")(_fee_of("secret", "Secret"))
pricer("aws_kms_key")(_fee_of("kms_key", "Customer managed key"))
pricer("aws_route53_zone")(_fee_of("hosted_zone", "Hosted zone"))


@pricer("aws_route53_health_check")
def _health_check(v: Mapping[str, Any], ctx: Context) -> Costed:
    """A health check by the month, plus each optional feature it uses; an AWS endpoint costs less than another.

    Whether the checked endpoint runs in AWS is not in the plan: the usage file's ``endpoint_type`` (aws or
    non_aws, Infracost's key) says; without it an AWS endpoint is assumed and the line says so. Calculated and
    CloudWatch-alarm checks probe no endpoint and have no optional features.
    """
    kind = (text(v, "type") or "HTTP").upper()
    said = str(ctx.usage.get("endpoint_type") or "").lower()
    where = "non_aws" if said == "non_aws" else "aws"
    features = [name for name, used in (("HTTPS", kind.startswith("HTTPS")), ("string matching", "STR_MATCH" in kind),
                                        ("latency measurement", v.get("measure_latency") is True),
                                        ("fast interval", number(v, "request_interval") == 10)) if used]
    label = "Health check" + ("" if said or kind in ("CALCULATED", "CLOUDWATCH_METRIC") else
                              " (assumed an AWS endpoint; set endpoint_type: non_aws in the usage file otherwise)")
    parts = [monthly_fee(label, _price(ctx, "monthly_fees", f"health_check_{where}", "global"),
                         missing=missing("aws", "monthly fee", f"health_check_{where}", "global"))]
    if features:
        parts.append(monthly_fee(f"Optional features ({', '.join(features)})",
                                 _price(ctx, "monthly_fees", f"health_check_feature_{where}", "global"),
                                 Decimal(len(features)),
                                 missing=missing("aws", "monthly fee", f"health_check_feature_{where}", "global")))
    return verdict(parts)
