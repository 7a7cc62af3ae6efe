"""The pricing catalog: list prices kept as data, loaded and looked up (pure).

Each provider file under ``pricing/`` maps a section (``machine_types``,
``disks_gb_month``…) to ``{name: {region: price}}``. A region key ``global``
applies everywhere. A price that is not in the file is ``None``: the caller
reports the resource as *not priced*, it never becomes zero. Money is
``Decimal``, parsed from the YAML text so that 0.1 stays 0.1.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from collections.abc import Mapping
from typing import Any

import yaml

from ..errors import ConfigError

PRICING_DIR = Path(__file__).with_name("pricing")
HOURS_PER_MONTH = Decimal(730)
PROVIDERS = ("gcp", "aws", "azure")
GLOBAL = "global"


class PricingFileError(ConfigError):
    hint = "fix the pricing file named above (see controller/cost/pricing/README.md for its layout)"


class _DecimalLoader(yaml.SafeLoader):
    """Reads YAML floats as Decimal so no binary rounding sneaks into prices."""


_DecimalLoader.add_constructor(
    "tag:yaml.org,2002:float", lambda loader, node: Decimal(loader.construct_scalar(node))  # type: ignore[arg-type]
)


@dataclass(frozen=True)
class PriceBook:
    """One provider's prices: ``sections[section][name][region] -> Decimal``."""

    provider: str
    currency: str
    as_of: str
    sections: Mapping[str, Mapping[str, Mapping[str, Decimal]]]
    sources: Mapping[str, Any] = field(default_factory=dict)

    def price(self, section: str, name: str, region: str | None) -> Decimal | None:
        """The listed price, the ``global`` one when the region has none, else None."""
        by_region = self.sections.get(section, {}).get(name)
        if not by_region:
            return None
        if region and region in by_region:
            return by_region[region]
        return by_region.get(GLOBAL)

    def names(self, section: str) -> list[str]:
        return sorted(self.sections.get(section, {}))

    def count(self) -> int:
        """How many (name, region) prices the book holds."""
        return sum(len(regions) for names in self.sections.values() for regions in names.values())


@dataclass(frozen=True)
class LocalProfiles:
    """How the local target's price profiles map to a real provider and region."""

    reference_regions: Mapping[str, tuple[str, str]]
    vm_disk_type: str
    database_storage_class: str

    def reference(self, local_region: str | None) -> tuple[str, str] | None:
        if local_region and local_region in self.reference_regions:
            return self.reference_regions[local_region]
        return None


@dataclass(frozen=True)
class PricingCatalog:
    books: Mapping[str, PriceBook]
    local: LocalProfiles

    def book(self, provider: str) -> PriceBook | None:
        return self.books.get(provider)


def _read(path: Path) -> Mapping[str, Any]:
    try:
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=_DecimalLoader)  # noqa: S506 - SafeLoader subclass
    except (OSError, yaml.YAMLError) as exc:
        raise PricingFileError(f"reading pricing file {path}: {exc}") from exc
    if not isinstance(doc, dict):
        raise PricingFileError(f"pricing file {path}: expected a mapping at the top level")
    return doc


def _money(value: Any, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, Decimal, str)):
        raise PricingFileError(f"{where}: price must be a number, got {value!r}")
    try:
        price = Decimal(str(value))
    except InvalidOperation as exc:
        raise PricingFileError(f"{where}: price must be a number, got {value!r}") from exc
    if not price.is_finite() or price < 0:
        raise PricingFileError(f"{where}: price must be a finite number >= 0, got {value!r}")
    return price


_META = {"provider", "currency", "as_of", "hours_per_month", "sources"}


def parse_book(doc: Mapping[str, Any], where: str) -> PriceBook:
    """Validate one provider document; every problem names the file and key."""
    for key in ("provider", "currency", "as_of", "sources"):
        if key not in doc:
            raise PricingFileError(f"{where}: missing '{key}'")
    if doc["currency"] != "USD":
        raise PricingFileError(f"{where}: currency must be USD, got {doc['currency']!r}")
    if Decimal(str(doc.get("hours_per_month", 730))) != HOURS_PER_MONTH:
        raise PricingFileError(f"{where}: hours_per_month must be 730")
    sections: dict[str, dict[str, dict[str, Decimal]]] = {}
    for section, names in doc.items():
        if section in _META:
            continue
        if not isinstance(names, dict):
            raise PricingFileError(f"{where}: section '{section}' must map names to regions")
        sections[section] = {}
        for name, regions in names.items():
            if not isinstance(regions, dict) or not regions:
                raise PricingFileError(f"{where}: {section}.{name} must map regions to prices")
            sections[section][str(name)] = {
                str(region): _money(value, f"{where}: {section}.{name}.{region}") for region, value in regions.items()
            }
    return PriceBook(str(doc["provider"]), "USD", str(doc["as_of"]), sections, doc.get("sources") or {})


def parse_local(doc: Mapping[str, Any], where: str) -> LocalProfiles:
    refs = doc.get("reference_regions")
    if not isinstance(refs, dict):
        raise PricingFileError(f"{where}: reference_regions must map local regions to {{provider, region}}")
    mapped: dict[str, tuple[str, str]] = {}
    for local_region, ref in refs.items():
        if not isinstance(ref, dict) or "provider" not in ref or "region" not in ref:
            raise PricingFileError(f"{where}: reference_regions.{local_region} needs provider and region")
        mapped[str(local_region)] = (str(ref["provider"]), str(ref["region"]))
    return LocalProfiles(mapped, str(doc.get("vm_disk_type", "")), str(doc.get("database_storage_class", "")))


def load_catalog(directory: Path | None = None) -> PricingCatalog:
    """Load every provider file; a malformed one is a ``PricingFileError``."""
    base = directory or PRICING_DIR
    books = {}
    for provider in PROVIDERS:
        path = base / f"{provider}.yaml"
        book = parse_book(_read(path), str(path))
        if book.provider != provider:
            raise PricingFileError(f"{path}: provider must be '{provider}', got {book.provider!r}")
        books[provider] = book
    local_path = base / "local.yaml"
    return PricingCatalog(books, parse_local(_read(local_path), str(local_path)))


_default: PricingCatalog | None = None


def default_catalog() -> PricingCatalog:
    """The bundled catalog, loaded once per process."""
    global _default
    if _default is None:
        _default = load_catalog()
    return _default
