"""Google Cloud services billed by use: Cloud DNS, Secret Manager, Pub/Sub, Cloud KMS, Cloud Logging (priced the
same in every region) and load balancer target proxies (pure).

Prices are Infracost's golden figures (gcp.yaml, sources: services_global, lb_proxy_usage), usage keys Infracost's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from .catalog import HOURS_PER_MONTH
from .components import (MILLION, Component, Context, Costed, Status, first, metered, monthly_fee, quantity_line, text,
                         usage_gap, verdict)
from .resources import book_price, missing, pricer

TEN_K = Decimal(10_000)
_MONTH_SECONDS = Decimal(30 * 24 * 3600)  # how Infracost counts a rotating key's versions a month


def _fee(ctx: Context, key: str) -> Decimal | None:
    return book_price(ctx, "gcp", "monthly_fees", key, "global")


def _unit(ctx: Context, key: str) -> Decimal | None:
    return book_price(ctx, "gcp", "global_usage_prices", key, "global")


def _used(ctx: Context, key: str, name: str, price_key: str, unit: str, per: Decimal = Decimal(1),
          scale: Decimal = Decimal(1)) -> Component:
    return metered(ctx, key, name, _unit(ctx, price_key), unit, per=per, scale=scale,
                   missing=missing("gcp", name, price_key, "global"))


@pricer("google_dns_managed_zone")
def _dns_zone(v: Mapping[str, Any], ctx: Context) -> Costed:
    return verdict([monthly_fee("Managed zone", _fee(ctx, "dns_managed_zone"),
                                missing=missing("gcp", "Cloud DNS", "managed zone", "global"))])


@pricer("google_dns_record_set")
def _dns_records(v: Mapping[str, Any], ctx: Context) -> Costed:
    return verdict([_used(ctx, "monthly_queries", "Queries", "dns_queries_per_1m", "queries", per=MILLION)],
                   note="queries are usage-based")


def _replicas(secret: Mapping[str, Any]) -> Decimal:
    """A user-managed secret keeps a copy of every version in each replica; an automatic one counts once."""
    managed = first(first(secret, "replication"), "user_managed")
    return Decimal(len(managed.get("replicas") or ())) or Decimal(1)


@pricer("google_secret_manager_secret")
def _secret(v: Mapping[str, Any], ctx: Context) -> Costed:
    return verdict([_secret_versions(ctx, _replicas(v)),
                    _used(ctx, "monthly_access_operations", "Access operations", "secret_access_per_10k",
                          "requests", per=TEN_K),
                    _used(ctx, "monthly_rotation_notifications", "Rotation notifications",
                          "secret_rotation_notification", "rotations")], note="versions and operations are usage-based")


def _secret_versions(ctx: Context, replicas: Decimal) -> Component:
    label = f"Active secret versions ({replicas:g} replica{'s' if replicas != 1 else ''})"
    price = _fee(ctx, "secret_version")
    return metered(ctx, "active_secret_versions", label, None if price is None else price * replicas, "versions",
                   missing=missing("gcp", "Secret Manager", "secret version", "global"))


@pricer("google_secret_manager_secret_version")
def _secret_version(v: Mapping[str, Any], ctx: Context) -> Costed:
    """One active version, held in each replica of its secret (one when the secret is not in the plan)."""
    secret = ctx.referenced("secret", "google_secret_manager_secret")
    replicas = _replicas(secret) if secret is not None else Decimal(1)
    if v.get("enabled") is False:
        return verdict([_used(ctx, "monthly_access_operations", "Access operations", "secret_access_per_10k",
                              "requests", per=TEN_K)])
    held = f"{replicas:g} replica{'s' if replicas != 1 else ''}" if secret is not None else "assumed: 1 replica"
    version = monthly_fee(f"Active secret versions ({held})",
                          _fee(ctx, "secret_version"), replicas,
                          missing=missing("gcp", "Secret Manager", "secret version", "global"))
    return verdict([version, _used(ctx, "monthly_access_operations", "Access operations", "secret_access_per_10k",
                                   "requests", per=TEN_K)])


@pricer("google_pubsub_topic")
def _pubsub_topic(v: Mapping[str, Any], ctx: Context) -> Costed:
    return verdict([_used(ctx, "monthly_message_data_tb", "Message ingestion data", "pubsub_message_tib", "TiB")],
                   note="message data is usage-based")


@pricer("google_pubsub_subscription")
def _pubsub_subscription(v: Mapping[str, Any], ctx: Context) -> Costed:
    return verdict([_used(ctx, "monthly_message_data_tb", "Message delivery data", "pubsub_message_tib", "TiB"),
                    _used(ctx, "storage_gb", "Retained acknowledged message storage", "pubsub_storage_gib_month",
                          "GiB-month"),
                    _used(ctx, "snapshot_storage_gb", "Snapshot message backlog storage", "pubsub_storage_gib_month",
                          "GiB-month")], note="message data and storage are usage-based")


_SECONDS = re.compile(r"^(\d+(?:\.\d+)?)s$")


@pricer("google_kms_crypto_key")
def _kms_key(v: Mapping[str, Any], ctx: Context) -> Costed:
    """Software keys bill each key version a month and operations; a rotating key gains a version per period."""
    level = (text(first(v, "version_template"), "protection_level") or "SOFTWARE").upper()
    if level != "SOFTWARE":
        return Costed(Status.NOT_PRICED, note=f"gcp KMS {level} key prices are not in the pricing catalog")
    price = _fee(ctx, "kms_key_version")
    period = _SECONDS.match(text(v, "rotation_period") or "")
    if ctx.used("key_versions") is None and period and Decimal(period[1]) > 0:
        versions = _MONTH_SECONDS / Decimal(period[1])
        lines = [quantity_line(f"Key versions (rotated every {period[1]}s: {versions:.2f} a 30-day month)", price,
                               versions, "months", missing("gcp", "KMS", "key version", "global"))]
    else:
        lines = [metered(ctx, "key_versions", "Key versions", price, "months",
                         missing=missing("gcp", "KMS", "key version", "global"))]
    lines.append(_used(ctx, "monthly_key_operations", "Operations", "kms_operations_per_10k", "operations", per=TEN_K))
    return verdict(lines)


_PROXIES = ("http", "https", "grpc", "ssl", "tcp")


def _target_proxy(v: Mapping[str, Any], ctx: Context) -> Costed:
    """An Envoy-based load balancer bills its proxy instances by the hour and the data they process (usage)."""
    region = text(v, "region") or ctx.provider_regions.get("google")
    hour = book_price(ctx, "gcp", "lb_proxy_usage", "proxy_instance_hour", region)
    gb = book_price(ctx, "gcp", "lb_proxy_usage", "data_processed_gb", region)
    return verdict([metered(ctx, "monthly_proxy_instances", "Proxy instance", hour, "hours", scale=HOURS_PER_MONTH,
                            missing=usage_gap("Proxy instance", region)),
                    metered(ctx, "monthly_data_processed_gb", "Data processed", gb, "GB",
                            missing=usage_gap("Data processed", region))], note="proxy hours and data are usage-based")


for _kind in _PROXIES:
    pricer(f"google_compute_target_{_kind}_proxy")(_target_proxy)
for _kind in ("http", "https"):
    pricer(f"google_compute_region_target_{_kind}_proxy")(_target_proxy)


def _logging(v: Mapping[str, Any], ctx: Context) -> Costed:
    """Logs routed by a sink or kept in a bucket bill their ingestion (Cloud Logging is priced globally)."""
    return verdict([_used(ctx, "monthly_logging_data_gb", "Logging data", "logging_ingestion_gb", "GB")],
                   note="log volume is usage-based")


for _scope in ("project", "folder", "organization", "billing_account"):
    pricer(f"google_logging_{_scope}_sink")(_logging)
    pricer(f"google_logging_{_scope}_bucket_config")(_logging)
