"""Price tables from AWS's pricing-page feed: the JSON behind aws.amazon.com/<service>/pricing and calculator.aws.

AWS publishes it at ``b0.p.awsstatic.com/pricing/2.0/meteredUnitMaps/<service>/USD/current/<source>.json``:
``{"manifest": {"hawkFilePublicationDate", ...}, "regions": {location name: {label: {"rateCode", "price"}}}}``.
A ``rateCode`` is ``SKU.OfferTermCode.RateCode`` of the AWS Price List (``JRTCKXETXF`` is the OnDemand term),
and a location name is the Price List's ("US East (N. Virginia)", "EU (Ireland)"); AWS's locations feed
(``b0.p.awsstatic.com/locations/1.0/aws/current/locations.json``) maps it to a region code and says whether it
is a Region, a Local Zone or a Wavelength Zone. Regions only are kept: a zone is priced on its own.

Each row is mapped by its label, the exact words the pricing page shows, never by position; a label no
mapping names is skipped, a row whose term is not OnDemand is refused, and two labels that map to the same
(section, name, region) must agree (the feed repeats gp2 under an older label: a slip would show). Pure: parsed
documents in, table documents out; the feeds and their labels are in ``aws_pricing_feed_labels.py``, and
``import_tables.py --aws-feed`` writes the tables.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from snapshot_tables import Rows, TableWriter

ON_DEMAND_TERM = "JRTCKXETXF"


@dataclass(frozen=True)
class Feed:
    """One feed file: where it was copied from, and which labels fill which catalog entries."""

    repo: str
    path: str
    labels: Mapping[str, tuple[str, str, Decimal]]  # label -> (section, name, scale to the catalog's unit)
    sections: Mapping[str, tuple[str, str]]          # section -> (table file, unit)
    note: str
    licence: str = field(default="MIT (the repository's code); the prices are AWS's, published on aws.amazon.com")
    # families of labels: (pattern, section, name built from its groups, scale), e.g. "RunBroker m5.large"
    patterns: tuple[tuple[str, str, str, Decimal], ...] = ()

    def target(self, label: str) -> tuple[str, str, Decimal] | None:
        if label in self.labels:
            return self.labels[label]
        for pattern, section, name, scale in self.patterns:
            if (m := re.fullmatch(pattern, label)):
                return section, name.format(*m.groups()), scale
        return None



def region_codes(locations: Mapping[str, Mapping[str, str]]) -> dict[str, str]:
    """Location name -> region code, for AWS Regions only (AWS's locations feed)."""
    return {name: loc["code"] for name, loc in locations.items() if loc.get("type") == "AWS Region"}


def rows(doc: Mapping[str, Any], codes: Mapping[str, str], feed: Feed) -> Rows:
    """section -> name -> region -> price, from every row whose label the feed's mapping names."""
    out: Rows = {}
    for location, by_label in doc["regions"].items():
        region = codes.get(location)
        if region is None:
            continue
        for label, row in by_label.items():
            target = feed.target(label)
            if target is None:
                continue
            if row["rateCode"].split(".")[1] != ON_DEMAND_TERM:
                raise ValueError(f"{location}: {label!r} is not an OnDemand rate ({row['rateCode']})")
            section, name, scale = target
            price = Decimal(str(row["price"])) * scale
            known = out.setdefault(section, {}).setdefault(name, {})
            if region in known and known[region] != price:
                raise ValueError(f"{location}: {label!r} gives {section}.{name} {price}, another label {known[region]}")
            known[region] = price
    return out


def as_of(doc: Mapping[str, Any]) -> str:
    """The feed's publication date (YYYY-MM-DD)."""
    return str(doc["manifest"]["hawkFilePublicationDate"])[:10]


def tables(doc: Mapping[str, Any], locations: Mapping[str, Mapping[str, str]], feed: Feed, commit: str,
           table: TableWriter) -> dict[str, dict[str, Any]]:
    """file name -> table document, one per section (``table`` is import_tables' row writer)."""
    meta = {"provider": "aws", "as_of": as_of(doc), "licence": feed.licence}
    source = {"repo": feed.repo, "path": feed.path, "commit": commit, "note": feed.note}
    out = {}
    for section, by_name in sorted(rows(doc, region_codes(locations), feed).items()):
        file, unit = feed.sections[section]
        out[file] = table(dict(meta, source=source), section, unit, by_name)
    return out


EC2_REPO, EC2_PATH = "yeo/ec2.shop", "data/ec2/<region>-ondemand.json"
EC2_NOTE = ("AWS pricing-page feed meteredUnitMaps/ec2/USD/current/ec2-ondemand-without-sec-sel/<location>/Linux, "
            "copied per region by that repository's data/download.rb: shared-tenancy Linux on-demand hours (every "
            "row checked: Linux, no pre-installed software, no licence), Regions only; *.metal* types left out, "
            "as from the other EC2 tables (two sources put them about 10 % apart)")


def ec2_rows(docs: list[Mapping[str, Any]], codes: Mapping[str, str]) -> dict[str, dict[str, Decimal]]:
    """Instance type -> region -> hourly price, from the per-region on-demand EC2 feed files."""
    out: dict[str, dict[str, Decimal]] = {}
    for doc in docs:
        for location, by_label in doc["regions"].items():
            region = codes.get(location)
            if region is None:
                continue
            for label, row in by_label.items():
                if (row.get("Operating System"), row.get("Pre Installed S/W"), row.get("License Model")) != \
                        ("Linux", "NA", "No License required"):
                    raise ValueError(f"{location}: {label!r} is not a plain Linux rate")
                if row["rateCode"].split(".")[1] != ON_DEMAND_TERM:
                    raise ValueError(f"{location}: {label!r} is not an OnDemand rate ({row['rateCode']})")
                kind = row["Instance Type"]
                if ".metal" in kind:
                    continue
                price, known = Decimal(str(row["price"])), out.setdefault(kind, {})
                if region in known and known[region] != price:
                    raise ValueError(f"{location}: {kind} is {price} and {known[region]}")
                known[region] = price
    return out


def ec2_table(docs: list[Mapping[str, Any]], locations: Mapping[str, Mapping[str, str]], commit: str,
              table: TableWriter) -> dict[str, Any]:
    dates = {as_of(doc) for doc in docs}
    if len(dates) != 1:
        raise ValueError(f"the EC2 feed files were published on different dates: {sorted(dates)}")
    meta = {"provider": "aws", "as_of": dates.pop(), "licence": "MIT (the repository's code); the prices are AWS's",
            "source": {"repo": EC2_REPO, "path": EC2_PATH, "commit": commit, "note": EC2_NOTE}}
    return table(meta, "machine_types", "hour", ec2_rows(docs, region_codes(locations)))
