"""Which labels of AWS's pricing-page feed fill which catalog entries, one ``Feed`` per copied file.

A label is the exact wording the pricing page shows; where a family of labels follows one pattern (MSK broker
types, Redshift node types) a pattern names them. See aws_pricing_feed.py for how rows are read.
"""

from __future__ import annotations

from decimal import Decimal

from aws_pricing_feed import Feed

MILLION, GIB = Decimal(1_000_000), Decimal(1024)
ONE = Decimal(1)
EBS = Feed(
    repo="yeo/ec2.shop", path="data/ebs/ebs.json",
    labels={
        "Storage General Purpose gp2 GB Mo": ("disks_gb_month", "gp2", ONE),
        "Storage General Purpose GB Mo": ("disks_gb_month", "gp2", ONE),  # the same SKU under its older label
        "Storage General Purpose gp3 GB Mo": ("disks_gb_month", "gp3", ONE),
        "Storage Provisioned IOPS io1 GB Mo": ("disks_gb_month", "io1", ONE),
        "Storage Provisioned IOPS GB Mo": ("disks_gb_month", "io1", ONE),
        "Storage Provisioned IOPS io2 GB month": ("disks_gb_month", "io2", ONE),
        "Storage Throughput Optimized HDD st1 GB Mo": ("disks_gb_month", "st1", ONE),
        "Storage Cold HDD sc1 GB Mo": ("disks_gb_month", "sc1", ONE),
        "Storage Magnetic standard GB Mo": ("disks_gb_month", "standard", ONE),
        "Storage Snapshot Amazon S3 GB Mo": ("disks_gb_month", "snapshot", ONE),
        "Provisioned EBS IOPS io1 Volumes per IOPS Mo": ("disk_iops_month", "io1", ONE),
        "Provisioned EBS IOPS io2 Volumes per IOPS Mo": ("disk_iops_month", "io2", ONE),
        "Provisioned EBS IOPS Tier 2 io2 Volumes per IOPS Mo": ("disk_iops_month", "io2_tier2", ONE),
        "Provisioned EBS IOPS Tier 3 io2 Volumes per IOPS Mo": ("disk_iops_month", "io2_tier3", ONE),
        "Provisioned EBS IOPS gp3 Volumes per IOPS Mo": ("disk_iops_month", "gp3", ONE),
        # per GiB/s-month in the feed; Terraform's ``throughput`` is in MiB/s
        "Provisioned Throughput gp3 per GiBps mo": ("disk_throughput_month", "gp3", ONE / GIB),
    },
    sections={"disks_gb_month": ("aws_feed_ebs.json", "GB-month"),
              "disk_iops_month": ("aws_feed_ebs_iops.json", "IOPS-month"),
              "disk_throughput_month": ("aws_feed_ebs_throughput.json", "MiBps-month")},
    note="AWS pricing-page feed meteredUnitMaps/ec2/USD/current/ebs.json, copied by that repository's "
         "data/download_storage.rb; OnDemand rate codes, Regions only (Local and Wavelength Zones left out); "
         "mapped by label (scripts/pricing/aws_pricing_feed.py); gp3 throughput scaled from per GiBps to per MiBps")

CLOUDWATCH = Feed(
    repo="lamngockhuong/aws-price", path="lib/data/pricing/cloudwatch.json",
    labels={"Logs Collected Data Ingestion": ("usage_unit_prices", "logs_ingestion_gb", ONE),
            "Stored Data": ("usage_unit_prices", "logs_storage_gb_month", ONE),
            "Alarm Standard": ("monthly_fees", "alarm_standard", ONE),
            "Alarm High Resolution": ("monthly_fees", "alarm_high_resolution", ONE)},
    sections={"usage_unit_prices": ("aws_feed_logs.json", "per the name's unit"),
              "monthly_fees": ("aws_feed_alarms.json", "alarm metric-month")},
    note="AWS pricing-page feed meteredUnitMaps/cloudwatch (CloudWatch Logs standard-class ingestion per GB and "
         "archived storage per GB-month; metric alarms per alarm metric-month, standard and high resolution); "
         "OnDemand rate codes, Regions only; mapped by label")

DYNAMODB = Feed(
    repo="lamngockhuong/aws-price", path="lib/data/pricing/dynamodb.json",
    labels={"PayPerRequest Read Request Units": ("usage_unit_prices", "dynamodb_read_request_per_1m", MILLION),
            "PayPerRequest Write Request Units": ("usage_unit_prices", "dynamodb_write_request_per_1m", MILLION),
            "Provisioned Read Units": ("usage_unit_prices", "dynamodb_rcu_hour", ONE),
            "Provisioned Write Units": ("usage_unit_prices", "dynamodb_wcu_hour", ONE),
            "Data Storage Indexed GB-Mo": ("usage_unit_prices", "dynamodb_storage_gb_month", ONE)},
    sections={"usage_unit_prices": ("aws_feed_dynamodb.json", "per the name's unit")},
    note="AWS pricing-page feed meteredUnitMaps/dynamodb (Standard table class: on-demand request units scaled "
         "to per 1M, provisioned capacity per unit-hour, storage per GB-month); OnDemand rate codes, Regions "
         "only; mapped by label")

KMS = Feed(
    repo="lamngockhuong/aws-price", path="lib/data/pricing/kms.json",
    labels={"Encryption Key": ("monthly_fees", "kms_key", ONE)},
    sections={"monthly_fees": ("aws_feed_kms.json", "month")},
    note="AWS pricing-page feed meteredUnitMaps/kms (a KMS key per month); OnDemand rate codes, Regions only; "
         "mapped by label")

VPC = Feed(
    repo="lamngockhuong/aws-price", path="lib/data/pricing/vpc.json",
    labels={"CreateVpnConnection per Hrs": ("extras_hourly", "vpn_connection", ONE),
            "CreateVpnConnection per hours": ("extras_hourly", "vpn_connection", ONE),
            "Hourly charge for Transit Gateway VPC Attachments per hour":
                ("extras_hourly", "transit_gateway_attachment", ONE),
            "Hourly charge for In use Public IPv4 Addresses per Hrs": ("extras_hourly", "public_ip_in_use", ONE),
            "Hourly charge for Idle Public IPv4 Addresses per Hrs": ("extras_hourly", "public_ip_unused", ONE),
            "Hourly charge for VPC Endpoints per Hrs": ("extras_hourly", "vpc_endpoint_interface", ONE),
            "Hourly charge for AWS Gateway Load Balancer VPC Endpoint per Hrs":
                ("extras_hourly", "vpc_endpoint_gateway_load_balancer", ONE),
            "Charge for per GB data processed by VPC Endpoints per GB from 0 to 1048576":
                ("usage_unit_prices", "vpc_endpoint_data_gb", ONE),
            "Charge for per GB data processed by VPC Endpoints per GB from 1048576 to 5242880":
                ("usage_unit_prices", "vpc_endpoint_data_gb_tier2", ONE),
            "Charge for per GB data processed by VPC Endpoints per GB from 5242880 to Inf":
                ("usage_unit_prices", "vpc_endpoint_data_gb_tier3", ONE),
            "Charge for per GB data processed by AWS Gateway Load Balancer VPC Endpoint per GB":
                ("usage_unit_prices", "vpc_endpoint_gateway_load_balancer_data_gb", ONE)},
    sections={"extras_hourly": ("aws_feed_vpc.json", "hour"),
              "usage_unit_prices": ("aws_feed_vpc_data.json", "GB")},
    note="AWS pricing-page feed meteredUnitMaps/vpc (site-to-site VPN connection, Transit Gateway VPC attachment, "
         "public IPv4 address and VPC endpoint hours; endpoint data processed per GB in its three tiers: first "
         "1 PB, next 4 PB, above 5 PB); OnDemand rate codes, Regions only; mapped by label")

SNS = Feed(
    repo="lamngockhuong/aws-price", path="lib/data/pricing/sns.json",
    labels={"Amazon SNS API Requests": ("usage_unit_prices", "sns_requests_per_1m", MILLION),
            "HTTP Notifications": ("usage_unit_prices", "sns_http_notifications_per_1m", MILLION),
            "SNS Email and Email JSON Notifications": ("usage_unit_prices", "sns_email_notifications_per_1m",
                                                       MILLION)},
    sections={"usage_unit_prices": ("aws_feed_sns.json", "per 1M")},
    note="AWS pricing-page feed meteredUnitMaps/sns (Standard topics: API requests and HTTP/S and email "
         "deliveries, scaled to per 1M; the page's free first 1M requests and 100k HTTP deliveries are not "
         "deducted); OnDemand rate codes, Regions only; mapped by label")

API_GATEWAY = Feed(
    repo="lamngockhuong/aws-price", path="lib/data/pricing/apigateway.json",
    labels={"API Calls Number of up to 333 million": ("usage_unit_prices", "apigw_rest_requests_per_1m", MILLION),
            "API Calls Number of Request Next 667 million":
                ("usage_unit_prices", "apigw_rest_requests_per_1m_tier2", MILLION),
            "API Calls Number of Request Next 19 billion":
                ("usage_unit_prices", "apigw_rest_requests_per_1m_tier3", MILLION),
            "API Calls Number of Request Over 20 billion":
                ("usage_unit_prices", "apigw_rest_requests_per_1m_tier4", MILLION),
            # a stage's cache, by the cache_cluster_size Terraform takes (GB)
            **{f"Caching Memory Size {label}": ("extras_hourly", f"apigw_cache_{size}", ONE) for label, size in (
                ("0 5", "0.5"), ("1 6", "1.6"), ("6 1", "6.1"), ("13 5", "13.5"), ("28 4", "28.4"), ("58 2", "58.2"),
                ("118", "118"), ("237", "237"))}},
    sections={"usage_unit_prices": ("aws_feed_apigateway.json", "per 1M"),
              "extras_hourly": ("aws_feed_apigateway_cache.json", "hour")},
    note="AWS pricing-page feed meteredUnitMaps/apigateway (REST API calls in their four monthly tiers: first "
         "333M, next 667M, next 19B, over 20B, scaled to per 1M; stage cache hours by memory size); OnDemand rate "
         "codes, Regions only; mapped by label")

NAT_GATEWAY = Feed(
    repo="lamngockhuong/aws-price", path="lib/data/pricing/natgateway.json",
    labels={"Hourly charge for NAT Gateways": ("extras_hourly", "nat_gateway", ONE),
            "Charge for per GB data processed by NatGateways": ("usage_unit_prices", "nat_data_gb", ONE)},
    sections={"extras_hourly": ("aws_feed_nat_hourly.json", "hour"),
              "usage_unit_prices": ("aws_feed_nat_data.json", "GB")},
    note="AWS pricing-page feed meteredUnitMaps/natgateway (NAT gateway hours and data processed per GB); "
         "OnDemand rate codes, Regions only; mapped by label")

KINESIS = Feed(
    repo="lamngockhuong/aws-price", path="lib/data/pricing/kinesis.json",
    labels={"Provisioned shard hour per ShardHour": ("extras_hourly", "kinesis_shard", ONE),
            "OnDemandStreamHr per StreamHr": ("extras_hourly", "kinesis_on_demand_stream", ONE),
            "Payload Units per PutRequest": ("usage_unit_prices", "kinesis_put_payload_units_per_1m", MILLION),
            "OnDemandDataIngested per GB": ("usage_unit_prices", "kinesis_on_demand_ingested_gb", ONE),
            "OnDemandDataRetrieval per GB": ("usage_unit_prices", "kinesis_on_demand_retrieved_gb", ONE),
            "Addon shard hour per ShardHour": ("extras_hourly", "kinesis_extended_retention_shard", ONE),
            "OnDemandExtendedRetentionByteHrs per GB month":
                ("usage_unit_prices", "kinesis_on_demand_extended_retention_gb_month", ONE)},
    sections={"extras_hourly": ("aws_feed_kinesis_hourly.json", "hour"),
              "usage_unit_prices": ("aws_feed_kinesis_usage.json", "per the name's unit")},
    note="AWS pricing-page feed meteredUnitMaps/kinesis (Data Streams: provisioned shard-hours, extended-retention "
         "shard-hours and PUT payload units per 1M; on-demand stream-hours, data in and out per GB and extended "
         "retention per GB-month); OnDemand rate codes, Regions only")

MSK = Feed(
    repo="lamngockhuong/aws-price", path="lib/data/pricing/msk.json",
    labels={"RunVolume": ("msk_storage_gb_month", "broker", ONE)},
    patterns=((r"RunBroker ([a-z0-9]+\.[a-z0-9]+)", "msk_brokers_hourly", "kafka.{}", ONE),),
    sections={"msk_brokers_hourly": ("aws_feed_msk_brokers.json", "hour"),
              "msk_storage_gb_month": ("aws_feed_msk_storage.json", "GB-month")},
    note="AWS pricing-page feed meteredUnitMaps/msk (provisioned clusters: broker-hours by instance type, named "
         "as Terraform names them, kafka.<type>; broker storage per GB-month); OnDemand rate codes, Regions only")

REDSHIFT = Feed(
    repo="lamngockhuong/aws-price", path="lib/data/pricing/redshift.json",
    labels={},
    patterns=((r"([a-z0-9]+) ([a-z0-9]+) OnDemand Compute Instance (?:Current|Previous) Generation",
               "redshift_nodes_hourly", "{}.{}", ONE),),
    sections={"redshift_nodes_hourly": ("aws_feed_redshift_nodes.json", "hour")},
    note="AWS pricing-page feed meteredUnitMaps/redshift (provisioned node-hours by node type, on demand); "
         "OnDemand rate codes, Regions only; RA3 managed storage is not in the feed")

WAF = Feed(
    repo="lamngockhuong/aws-price", path="lib/data/pricing/waf.json",
    labels={"Web ACL Activated per Month": ("monthly_fees", "waf_web_acl", ONE),
            "Rule Activated per Month": ("monthly_fees", "waf_rule", ONE),
            "Request Processed Tier1 per Request": ("usage_unit_prices", "waf_requests_per_1m", MILLION),
            "AMR Bot Control Activated per Month": ("monthly_fees", "waf_bot_control", ONE),
            "AMR ATP Activated per Month from 0 to Inf": ("monthly_fees", "waf_account_takeover_prevention", ONE)},
    sections={"monthly_fees": ("aws_feed_waf_fees.json", "month"),
              "usage_unit_prices": ("aws_feed_waf_requests.json", "per 1M")},
    note="AWS pricing-page feed meteredUnitMaps/waf (WAF: a web ACL and each rule per month; requests per 1M at "
         "the first capacity tier, up to 1,500 WCU; the Bot Control and account takeover prevention managed "
         "rule groups' monthly fees); OnDemand rate codes, Regions only; mapped by label")

EFS = Feed(
    repo="lamngockhuong/aws-price", path="lib/data/pricing/efs.json",
    labels={"General Purpose Storage GB Mo": ("efs_storage_gb_month", "standard", ONE),
            "One Zone General Purpose Storage GB Mo": ("efs_storage_gb_month", "one_zone", ONE),
            "Throughput Provisioned": ("efs_throughput_month", "provisioned", ONE),
            "EFS Storage Requests Read per GB": ("usage_unit_prices", "efs_elastic_read_gb", ONE),
            "EFS Storage Requests Write per GB": ("usage_unit_prices", "efs_elastic_write_gb", ONE)},
    sections={"efs_storage_gb_month": ("aws_feed_efs_storage.json", "GB-month"),
              "efs_throughput_month": ("aws_feed_efs_throughput.json", "MiBps-month"),
              "usage_unit_prices": ("aws_feed_efs_usage.json", "GB")},
    note="AWS pricing-page feed meteredUnitMaps/efs (Standard and One Zone storage per GB-month, provisioned "
         "throughput per MiB/s-month, elastic-throughput reads and writes per GB); OnDemand rate codes, Regions "
         "only; the feed lists two Infrequent Access "
         "rates (0.025 and 0.016 in us-east-1) whose difference it does not name, so neither is mapped")

S3 = Feed(
    repo="lamngockhuong/aws-price", path="lib/data/pricing/s3.json",
    labels={"Standard Storage First 50 TB per GB Mo": ("storage_classes_gb_month", "STANDARD", ONE),
            "Standard Storage Next 450 TB per GB Mo": ("storage_classes_gb_month", "STANDARD_tier2", ONE),
            "Standard Storage Over 500 TB per GB Mo": ("storage_classes_gb_month", "STANDARD_tier3", ONE),
            "Standard Infrequent Access Storage per GB-Mo": ("storage_classes_gb_month", "STANDARD_IA", ONE),
            "One Zone Infrequent Access Storage Inf per GB-Mo": ("storage_classes_gb_month", "ONEZONE_IA", ONE),
            "Glacier Instant Retrieval Storage": ("storage_classes_gb_month", "GLACIER_IR", ONE),
            "Glacier Storage per GB Mo": ("storage_classes_gb_month", "GLACIER", ONE)},
    sections={"storage_classes_gb_month": ("aws_feed_s3.json", "GB-month")},
    note="AWS pricing-page feed meteredUnitMaps/s3 (storage per GB-month: Standard in its three tiers, first "
         "50 TB, next 450 TB, over 500 TB; Standard-IA, One Zone-IA, Glacier Instant Retrieval, Glacier Flexible "
         "Retrieval); OnDemand rate codes, Regions only; mapped by label")

LAMBDA = Feed(
    repo="lamngockhuong/aws-price", path="lib/data/pricing/lambda.json",
    labels={"Lambda Requests": ("usage_unit_prices", "lambda_requests_per_1m", MILLION),
            "Lambda Duration": ("usage_unit_prices", "lambda_gb_second", ONE),
            "Lambda Duration Tier2": ("usage_unit_prices", "lambda_gb_second_tier2", ONE),
            "Lambda Duration Tier3": ("usage_unit_prices", "lambda_gb_second_tier3", ONE),
            "Lambda Requests-ARM": ("usage_unit_prices", "lambda_arm_requests_per_1m", MILLION),
            "Lambda Duration-ARM": ("usage_unit_prices", "lambda_arm_gb_second", ONE),
            "Lambda Duration-ARM Tier2": ("usage_unit_prices", "lambda_arm_gb_second_tier2", ONE),
            "Lambda Duration-ARM Tier3": ("usage_unit_prices", "lambda_arm_gb_second_tier3", ONE)},
    sections={"usage_unit_prices": ("aws_feed_lambda.json", "per the name's unit")},
    note="AWS pricing-page feed meteredUnitMaps/lambda (requests per 1M and duration per GB-second in its three "
         "monthly tiers, x86 and Arm); OnDemand rate codes, Regions only; mapped by label")

FARGATE = Feed(
    repo="lamngockhuong/aws-price", path="lib/data/pricing/ecs.json",
    labels={"perCPU per hour": ("extras_hourly", "fargate_vcpu", ONE),
            "perGB per hour": ("extras_hourly", "fargate_gb", ONE),
            "ARM perCPU per hour": ("extras_hourly", "fargate_arm_vcpu", ONE),
            "ARM perGB per hour": ("extras_hourly", "fargate_arm_gb", ONE),
            "perCPU per hour Windows": ("extras_hourly", "fargate_windows_vcpu", ONE),
            "perGB per hour Windows": ("extras_hourly", "fargate_windows_gb", ONE),
            "perCPU OS License Fee per hour Windows": ("extras_hourly", "fargate_windows_license_vcpu", ONE),
            "Storage per GB-Hours": ("extras_hourly", "fargate_storage_gb", ONE)},
    sections={"extras_hourly": ("aws_feed_fargate.json", "hour")},
    note="AWS pricing-page feed meteredUnitMaps/ecs (Fargate on demand: vCPU- and GB-hours for Linux x86, Linux "
         "Arm and Windows with its per-vCPU licence fee, ephemeral storage GB-hours); OnDemand rate codes, Regions "
         "only; mapped by label")

WATCHER = "v0rts/aws-price-watcher"  # commits every service's feed to raw/<service>.json (a GitHub Action)
WATCHER_LICENCE = "MIT (the repository); the prices are AWS's, published on aws.amazon.com"

ELB = Feed(
    repo=WATCHER, path="raw/elb.json", licence=WATCHER_LICENCE,
    labels={"Application Load Balancer Hours": ("extras_hourly", "load_balancer_application", ONE),
            "Application Load Balancer LCU Hours": ("usage_unit_prices", "alb_lcu_hour", ONE),
            "Network Load Balancer Hours": ("extras_hourly", "load_balancer_network", ONE),
            "Network Load Balancer LCU Hours": ("usage_unit_prices", "nlb_lcu_hour", ONE),
            "Gateway Load Balancer Hours": ("extras_hourly", "load_balancer_gateway", ONE),
            "Gateway Load Balancer LCU Hours": ("usage_unit_prices", "gwlb_lcu_hour", ONE),
            "Classic Load Balancer Hours": ("extras_hourly", "load_balancer_classic", ONE),
            "Classic Load Balancer Data": ("usage_unit_prices", "elb_classic_data_gb", ONE)},
    sections={"extras_hourly": ("aws_feed_elb_hourly.json", "hour"),
              "usage_unit_prices": ("aws_feed_elb_usage.json", "per the name's unit")},
    note="AWS pricing-page feed meteredUnitMaps/elb (application, network, gateway and classic load balancer hours, "
         "capacity-unit hours, classic data per GB); OnDemand rate codes, Regions only; mapped by label")

ECR = Feed(
    repo=WATCHER, path="raw/ecr.json", licence=WATCHER_LICENCE,
    labels={"EC2 Container Registry": ("usage_unit_prices", "ecr_storage_gb_month", ONE)},
    sections={"usage_unit_prices": ("aws_feed_ecr.json", "GB-month")},
    note="AWS pricing-page feed meteredUnitMaps/ecr (repository storage per GB-month); OnDemand rate codes, Regions "
         "only; mapped by label")

SECRETS_MANAGER = Feed(
    repo=WATCHER, path="raw/secretsmanager.json", licence=WATCHER_LICENCE,
    labels={"Secret": ("monthly_fees", "secret", ONE)},
    sections={"monthly_fees": ("aws_feed_secretsmanager.json", "month")},
    note="AWS pricing-page feed meteredUnitMaps/secretsmanager (a secret per month); OnDemand rate codes, Regions "
         "only; mapped by label")

RDS_STORAGE = Feed(
    repo=WATCHER, path="raw/rds-storage.json", licence=WATCHER_LICENCE,
    labels={**{f"Database Storage {az} AZ {kind}": (section, name, ONE)
               for az, section in (("Single", "database_storage_gb_month"), ("Multi", "database_storage_multi_az_gb_month"))
               for kind, name in (("General Purpose", "gp2"), ("General Purpose-GP3", "gp3"),
                                  ("Provisioned IOPS", "io1"), ("Provisioned IOPS-IO2", "io2"), ("Magnetic", "standard"))},
            "Provisioned IOPS Single AZ": ("database_iops_month", "io1", ONE),
            "Database Storage Single AZ General Purpose-Aurora": ("usage_unit_prices", "aurora_storage_gb_month", ONE),
            "Database Storage Single AZ IO Optimized-Aurora":
                ("usage_unit_prices", "aurora_io_optimized_storage_gb_month", ONE)},
    sections={"database_storage_gb_month": ("aws_feed_rds_storage.json", "GB-month"),
              "database_storage_multi_az_gb_month": ("aws_feed_rds_storage_multi_az.json", "GB-month"),
              "database_iops_month": ("aws_feed_rds_iops.json", "IOPS-month"),
              "usage_unit_prices": ("aws_feed_aurora_storage.json", "GB-month")},
    note="AWS pricing-page feed meteredUnitMaps/rds (storage per GB-month by type, Single- and Multi-AZ, not SQL "
         "Server mirroring; io1 IOPS Single-AZ; Aurora Standard and I/O-Optimized storage); OnDemand rate codes, "
         "Regions only; mapped by label")

AURORA_IO = Feed(
    repo=WATCHER, path="raw/rds-aurora-storage.json", licence=WATCHER_LICENCE,
    labels={"System Operation Aurora I O Operation": ("usage_unit_prices", "aurora_io_requests_per_1m", MILLION)},
    sections={"usage_unit_prices": ("aws_feed_aurora_io.json", "per 1M")},
    note="AWS pricing-page feed meteredUnitMaps/rds (Aurora Standard I/O requests, scaled to per 1M); OnDemand rate "
         "codes, Regions only; mapped by label")

OPENSEARCH = Feed(
    repo="yeo/ec2.shop", path="data/es/es-ondemand.json",
    labels={"EBS Volume General Purpose": ("opensearch_storage_gb_month", "gp2", ONE),
            "EBS Volume GP3": ("opensearch_storage_gb_month", "gp3", ONE),
            "EBS Volume Magnetic": ("opensearch_storage_gb_month", "standard", ONE)},
    patterns=((r"([a-z0-9]+) ([a-z0-9]+)\.search - OnDemand - [A-Za-z ]+ - (?:Current|Previous) Generation",
               "opensearch_instances_hourly", "{}.{}.search", ONE),),
    sections={"opensearch_instances_hourly": ("aws_feed_opensearch_instances.json", "hour"),
              "opensearch_storage_gb_month": ("aws_feed_opensearch_storage.json", "GB-month")},
    note="AWS pricing-page feed meteredUnitMaps/es/USD/current/es-ondemand.json (OpenSearch Service on demand: "
         "instance-hours by instance type, EBS gp2, gp3 and magnetic storage per GB-month; the Provisioned IOPS "
         "row's unit is not stated, so it is not mapped), copied by that repository's "
         "data/download_es.rb; OnDemand rate codes, Regions only; mapped by label")

HUNDRED_K = Decimal(100_000)
CLOUDTRAIL = Feed(
    repo="lamngockhuong/aws-price", path="lib/data/pricing/cloudtrail.json",
    labels={"Management Paid Events Recorded": ("usage_unit_prices", "cloudtrail_management_events_per_100k",
                                                HUNDRED_K),
            "Data Events Recorded": ("usage_unit_prices", "cloudtrail_data_events_per_100k", HUNDRED_K),
            "Insights Events": ("usage_unit_prices", "cloudtrail_insight_events_per_100k", HUNDRED_K)},
    sections={"usage_unit_prices": ("aws_feed_cloudtrail.json", "per 100k events")},
    note="AWS pricing-page feed meteredUnitMaps/cloudtrail (trails: additional copies of management events, data "
         "events and Insights events, per event, scaled to per 100k); OnDemand rate codes, Regions only")

CONFIG = Feed(
    repo="lamngockhuong/aws-price", path="lib/data/pricing/config.json",
    labels={"Config": ("usage_unit_prices", "config_items", ONE),
            "Config Custom": ("usage_unit_prices", "config_custom_items", ONE),
            "Config Rules first 100000": ("usage_unit_prices", "config_rule_evaluations_tier1", ONE),
            "Config Rules next 400000": ("usage_unit_prices", "config_rule_evaluations_tier2", ONE),
            "Config Rules 500001 and more": ("usage_unit_prices", "config_rule_evaluations_tier3", ONE)},
    sections={"usage_unit_prices": ("aws_feed_config.json", "per item or evaluation")},
    note="AWS pricing-page feed meteredUnitMaps/config (continuous recording: configuration items and custom "
         "configuration items per item; rule evaluations per evaluation in three monthly tiers, the first 100,000, "
         "the next 400,000, above 500,000); OnDemand rate codes, Regions only")

CLOUDHSM = Feed(
    repo="lamngockhuong/aws-price", path="lib/data/pricing/cloudhsm.json",
    labels={"CloudHSM Hourly": ("extras_hourly", "cloudhsm_hsm", ONE)},
    sections={"extras_hourly": ("aws_feed_cloudhsm.json", "hour")},
    note="AWS pricing-page feed meteredUnitMaps/cloudhsm (CloudHSM, current generation, per HSM-hour); OnDemand "
         "rate codes, Regions only")

ROUTE53_RESOLVER = Feed(
    repo="lamngockhuong/aws-price", path="lib/data/pricing/route53.json",
    labels={"Query ENI": ("extras_hourly", "route53_resolver_eni", ONE),
            "Query first 1B": ("usage_unit_prices", "route53_resolver_queries_per_1m_tier1", MILLION),
            "Query over 1B": ("usage_unit_prices", "route53_resolver_queries_per_1m_tier2", MILLION)},
    sections={"extras_hourly": ("aws_feed_route53_resolver.json", "hour"),
              "usage_unit_prices": ("aws_feed_route53_resolver_queries.json", "per 1M queries")},
    note="AWS pricing-page feed meteredUnitMaps/route53 (Route 53 Resolver: an endpoint's elastic network "
         "interfaces per ENI-hour; queries through endpoints per query, the first billion a month and above, "
         "scaled to per 1M); OnDemand rate codes, Regions only")

GLUE = Feed(
    repo="lamngockhuong/aws-price", path="lib/data/pricing/glue.json",
    labels={"ETL Job run": ("usage_unit_prices", "glue_job_dpu_hour", ONE),
            "ETL Job run Flex": ("usage_unit_prices", "glue_job_flex_dpu_hour", ONE),
            "Data catalog crawler run": ("usage_unit_prices", "glue_crawler_dpu_hour", ONE),
            "Data catalog storage": ("usage_unit_prices", "glue_catalog_objects_per_100k", HUNDRED_K),
            "Data catalog requests": ("usage_unit_prices", "glue_catalog_requests_per_1m", MILLION)},
    sections={"usage_unit_prices": ("aws_feed_glue.json", "per the name's unit")},
    note="AWS pricing-page feed meteredUnitMaps/glue (ETL jobs, standard and Flex, and crawlers per DPU-hour; the "
         "Data Catalog per object-month and per request, scaled to per 100k objects and per 1M requests, the "
         "monthly free tier not deducted); OnDemand rate codes, Regions only")

FEEDS: dict[str, Feed] = {"ebs": EBS, "cloudwatch": CLOUDWATCH, "dynamodb": DYNAMODB, "kms": KMS, "vpc": VPC,
                          "natgateway": NAT_GATEWAY, "sns": SNS, "apigateway": API_GATEWAY, "kinesis": KINESIS,
                          "msk": MSK, "redshift": REDSHIFT, "waf": WAF, "efs": EFS, "s3": S3,
                          "lambda": LAMBDA, "ecs": FARGATE, "elb": ELB, "ecr": ECR, "secretsmanager": SECRETS_MANAGER,
                          "rds-storage": RDS_STORAGE, "rds-aurora-storage": AURORA_IO, "opensearch": OPENSEARCH,
                          "cloudtrail": CLOUDTRAIL, "config": CONFIG, "cloudhsm": CLOUDHSM,
                          "route53": ROUTE53_RESOLVER, "glue": GLUE}
