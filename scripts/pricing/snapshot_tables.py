"""Price tables from a trimmed price-list snapshot: one SKU per line, several services, many regions.

The snapshot format is mooncitizen/togen's ``internal/cost/prices/<provider>.json`` (Apache-2.0): ``{"date",
"versions": {service: {region: offer}}, "skus": [{"sku", "service", "attributes", "unit", "price", "upTo"?}]}``,
written by that project from the AWS Price List bulk offer files or the Azure Retail Prices API. Pure: a parsed
document and a provider's mappers in (``aws_pricelist.py``, ``azure_pricelist.py``), table documents out;
``import_tables.py --aws-pricelist / --azure-pricelist`` writes them.

Each SKU is mapped to (section, name) of our catalog by what the price list says it is, never by position; a
SKU no mapper recognises is skipped, and two SKUs for the same (section, name, region) that disagree raise,
so a copying slip cannot pass silently. Prices are scaled to the catalog's units exactly, in Decimal.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

Target = tuple[str, str, Decimal]  # (section, name, scale from the snapshot's unit to the catalog's)
Rows = dict[str, dict[str, dict[str, Decimal]]]  # section -> name -> region -> price
Mapper = Callable[[Mapping[str, str]], list[Target]]
TableWriter = Callable[[dict[str, Any], str, str, dict[str, dict[str, Decimal]]], dict[str, Any]]


@dataclass(frozen=True)
class Provider:
    name: str                                  # "aws", "azure": the catalog's provider
    region_key: str                            # the attribute naming a SKU's region
    mappers: Mapping[str, Mapper]              # service -> mapper
    sections: Mapping[str, tuple[str, str]]    # section -> (table file, unit)
    licence: str
    note: str                                  # how the source was made and how it is mapped here
    keep: Callable[[Mapping[str, str]], bool] = lambda attrs: True  # e.g. on-demand terms only


def rows(doc: Mapping[str, Any], provider: Provider) -> Rows:
    """section -> name -> region -> price, from every SKU a mapper recognises."""
    out: Rows = {}
    for sku in doc["skus"]:
        attrs = sku["attributes"]
        if not provider.keep(attrs):
            continue
        for section, name, scale in provider.mappers.get(sku["service"], lambda a: [])(attrs):
            price = Decimal(str(sku["price"])) * scale
            region = attrs[provider.region_key]
            known = out.setdefault(section, {}).setdefault(name, {})
            if region in known and known[region] != price:
                raise ValueError(f"{sku['sku']}: {section}.{name}.{region} is {price}, another SKU says "
                                 f"{known[region]}")
            known[region] = price
    return out


def tables(doc: Mapping[str, Any], provider: Provider, repo: str, path: str, commit: str,
           table: TableWriter) -> dict[str, dict[str, Any]]:
    """file name -> table document, one per section (``table`` is import_tables' row writer)."""
    services = ", ".join(sorted(doc.get("versions", {})))
    meta = {"provider": provider.name, "as_of": str(doc["date"]), "licence": provider.licence}
    out = {}
    for section, by_name in sorted(rows(doc, provider).items()):
        file, unit = provider.sections[section]
        source = {"repo": repo, "path": path, "commit": commit, "note": provider.note.format(services=services)}
        out[file] = table(dict(meta, source=source), section, unit, by_name)
    return out
