"""The usage file: how much a usage-based resource is used, as Infracost's ``usage.yml`` says it (pure).

::

    version: 0.1
    resource_type_default_usage:        # every resource of a type
      aws_lambda_function:
        monthly_requests: 1000000
        request_duration_ms: 200
    resource_usage:                     # one resource (or all instances: name[*])
      aws_s3_bucket.assets:
        standard:
          storage_gb: 500

A quantity the file gives is priced into the totals and its line says where it
came from ("usage file" or "type default"); a resource the file says nothing
about stays *usage-based*: its unit prices are listed, no amount is guessed.
The keys each type reads are in ``KEYS`` (documented in docs/cost.md).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml

from ..errors import ConfigError

KEYS: dict[str, tuple[str, ...]] = {
    "aws_lambda_function": ("monthly_requests", "request_duration_ms"),
    "aws_s3_bucket": ("standard.storage_gb", "standard.monthly_tier_1_requests", "standard.monthly_tier_2_requests"),
    "aws_dynamodb_table": ("monthly_read_request_units", "monthly_write_request_units", "storage_gb"),
    "aws_sqs_queue": ("monthly_requests",),
    "aws_cloudwatch_log_group": ("monthly_data_ingested_gb", "storage_gb"),
    "aws_ecr_repository": ("storage_gb",),
    "aws_nat_gateway": ("monthly_data_processed_gb",),
    "aws_cloudtrail": ("monthly_additional_management_events", "monthly_data_events", "monthly_insight_events"),
    "aws_config_config_rule": ("monthly_rule_evaluations",),
    "aws_config_configuration_recorder": ("monthly_config_items", "monthly_custom_config_items"),
    "aws_cloudhsm_v2_hsm": ("monthly_hrs",),
    "aws_route53_resolver_endpoint": ("monthly_queries",),
    "aws_glue_job": ("monthly_hours",),
    "aws_glue_crawler": ("monthly_hours",),
    "aws_glue_catalog_database": ("monthly_objects", "monthly_requests"),
    "google_storage_bucket": ("storage_gb",),
    "google_dns_record_set": ("monthly_queries",),
    "google_secret_manager_secret": ("active_secret_versions", "monthly_access_operations",
                                     "monthly_rotation_notifications"),
    "google_pubsub_subscription": ("monthly_message_data_tb", "storage_gb", "snapshot_storage_gb"),
    "google_kms_crypto_key": ("key_versions", "monthly_key_operations"),
    "google_compute_target_https_proxy": ("monthly_proxy_instances", "monthly_data_processed_gb"),
    **{kind: tuple(f"monthly_egress_data_transfer_gb.{k}" for k in (
        "same_region", "us_or_canada", "europe", "asia", "south_america", "oceania", "worldwide"))
       for kind in ("google_service_networking_connection", "google_compute_vpn_gateway", "google_compute_ha_vpn_gateway")},
    "azurerm_linux_virtual_machine_scale_set": ("instances",),
    "azurerm_windows_virtual_machine_scale_set": ("instances",),
    "azurerm_virtual_machine_scale_set": ("instances",),
    "azurerm_storage_account": ("storage_gb",),
    "azurerm_dns_a_record": ("monthly_queries",),
    "azurerm_log_analytics_workspace": ("monthly_log_data_ingestion_gb", "monthly_additional_log_data_retention_gb"),
    "azurerm_application_insights": ("monthly_data_ingested_gb",),
    "azurerm_private_endpoint": ("monthly_inbound_data_processed_gb", "monthly_outbound_data_processed_gb"),
    "azurerm_container_registry": ("storage_gb", "monthly_build_vcpu_hrs"),
    "azurerm_virtual_network_gateway": ("p2s_connection", "monthly_data_transfer_gb"),
}
_INDEX = re.compile(r"\[[^\]]*\]$")


class UsageFileError(ConfigError):
    hint = "fix the usage file (layout: version, resource_type_default_usage, resource_usage; see docs/cost.md)"


@dataclass(frozen=True)
class Usage:
    by_address: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    by_type: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def for_resource(self, address: str, resource_type: str) -> tuple[Mapping[str, Any], str]:
        """This resource's quantities and where they came from ("" when the file has none)."""
        if address in self.by_address:
            return self.by_address[address], "usage file"
        wildcard = _INDEX.sub("[*]", address)
        if wildcard != address and wildcard in self.by_address:
            return self.by_address[wildcard], "usage file"
        if resource_type in self.by_type:
            return self.by_type[resource_type], "type default"
        return {}, ""

    def __bool__(self) -> bool:
        return bool(self.by_address or self.by_type)


NO_USAGE = Usage()


# Infracost usage keys whose values are words, not quantities. Reserved and non-Linux prices are not recorded:
# an instance that names them is shown as not priced (pricers_aws._ec2), never at the Linux on-demand price.
OPTION_KEYS = frozenset({"reserved_instance_type", "reserved_instance_term", "reserved_instance_payment_option",
                         "operating_system", "endpoint_type"})
# Option keys whose words are a closed set: anything else is a typo that would silently price the default.
OPTION_WORDS = {"endpoint_type": ("aws", "non_aws")}


def _check_numbers(doc: Any, where: str) -> None:
    if isinstance(doc, Mapping):
        for key, value in doc.items():
            if key in OPTION_KEYS:
                if not isinstance(value, str) or not value.strip():
                    raise UsageFileError(f"{where}.{key}: expected a word (e.g. linux, standard, 1_year), "
                                         f"got {value!r}")
                allowed = OPTION_WORDS.get(key)
                if allowed and value.strip().lower() not in allowed:
                    raise UsageFileError(f"{where}.{key}: expected one of {', '.join(allowed)}, got {value!r}")
                continue
            _check_numbers(value, f"{where}.{key}")
        return
    if isinstance(doc, bool) or not isinstance(doc, (int, float, str)):
        raise UsageFileError(f"{where}: a quantity must be a number, got {doc!r}")
    try:
        number = Decimal(str(doc))
    except InvalidOperation:
        raise UsageFileError(f"{where}: a quantity must be a number, got {doc!r}") from None
    if not number.is_finite() or number < 0:
        raise UsageFileError(f"{where}: a quantity must be a number >= 0, got {doc!r}")


def parse_usage(text: str, where: str = "usage file") -> Usage:
    """Validate and read a usage file's text; every problem names the key."""
    try:
        doc = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise UsageFileError(f"reading {where}: {exc}") from exc
    if not isinstance(doc, Mapping):
        raise UsageFileError(f"{where}: expected a mapping at the top level")
    unknown = set(doc) - {"version", "resource_type_default_usage", "resource_usage"}
    if unknown:
        raise UsageFileError(f"{where}: unknown key(s) {', '.join(sorted(map(str, unknown)))}")
    parts: dict[str, dict[str, Mapping[str, Any]]] = {}
    for section in ("resource_type_default_usage", "resource_usage"):
        entries = doc.get(section) or {}
        if not isinstance(entries, Mapping):
            raise UsageFileError(f"{where}: {section} must map names to quantities")
        for name, quantities in entries.items():
            if not isinstance(quantities, Mapping):
                raise UsageFileError(f"{where}: {section}.{name} must map keys to quantities")
            _check_numbers(quantities, f"{where}: {section}.{name}")
        parts[section] = {str(k): v for k, v in entries.items()}
    return Usage(parts["resource_usage"], parts["resource_type_default_usage"])
