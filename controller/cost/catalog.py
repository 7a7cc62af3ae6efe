"""The pricing catalog: list prices kept as data, loaded and looked up (pure).

Each provider file under ``pricing/`` maps a section (``machine_types``,
``disks_gb_month``…) to ``{name: {region: price}}``. A region key ``global``
applies everywhere. Large tables imported from public datasets live in
``pricing/tables/*.json`` (one source, date and licence per file); a table is
read the first time its section is looked up, so a CLI call that prices a
small plan never parses the megabytes it does not need. A price that is not in the file is ``None``: the caller
reports the resource as *not priced*, it never becomes zero. Money is
``Decimal``, parsed from the YAML text so that 0.1 stays 0.1.
"""

from __future__ import annotations

import re

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from collections.abc import Mapping
from typing import Any

import json

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
    tables: Mapping[str, tuple[Path, ...]] = field(default_factory=dict)
    table_dates: tuple[str, ...] = ()
    _loaded: dict[str, tuple[Table, ...]] = field(default_factory=dict, compare=False, repr=False)
    _memo: dict[tuple[str, str, str | None], Decimal | None] = field(default_factory=dict, compare=False, repr=False)

    def _tables(self, section: str) -> tuple[Table, ...]:
        if section not in self._loaded:
            self._loaded[section] = tuple(read_table(p) for p in self.tables.get(section, ()))
        return self._loaded[section]

    def price(self, section: str, name: str, region: str | None) -> Decimal | None:
        """The listed price, the ``global`` one when the region has none, else None.

        The YAML file is read first (hand-checked figures), then the section's tables.
        """
        key = (section, name, region)
        if key not in self._memo:
            self._memo[key] = self._lookup(section, name, region)
        return self._memo[key]

    def _lookup(self, section: str, name: str, region: str | None) -> Decimal | None:
        by_region = self.sections.get(section, {}).get(name)
        if by_region:
            if region and region in by_region:
                return by_region[region]
            if GLOBAL in by_region:
                return by_region[GLOBAL]
        for table in self._tables(section):
            found = table.price(name, region)
            if found is not None:
                return found
        return None

    def table_price(self, section: str, name: str, region: str | None) -> Decimal | None:
        """The price in the section's tables only (a table's figures are compared with each other)."""
        key = ("table:" + section, name, region)
        if key not in self._memo:
            self._memo[key] = next((p for t in self._tables(section) if (p := t.price(name, region)) is not None), None)
        return self._memo[key]

    def source_of(self, section: str, name: str, region: str | None) -> str:
        """Where a price came from: the YAML file's section, or a table's repo@commit."""
        by_region = self.sections.get(section, {}).get(name) or {}
        if (region and region in by_region) or GLOBAL in by_region:
            return f"{self.provider}.yaml {section}"
        for table in self._tables(section):
            if table.price(name, region) is not None:
                return table.cite
        return ""

    def date_of(self, section: str, name: str, region: str | None) -> str:
        """The date of the price ``price`` returns: its table's, or the YAML file's."""
        by_region = self.sections.get(section, {}).get(name) or {}
        if (region and region in by_region) or GLOBAL in by_region:
            return self.as_of
        return next((t.as_of for t in self._tables(section) if t.price(name, region) is not None), "")

    def dates(self) -> str:
        """The dates of the YAML file and its tables: "2023-12-18/2026-06-18", or a range when there are more
        ("2021-08-03 to 2026-09-06 (11 dates)"); a source identified only by its commit is named after it."""
        dated = sorted({d for d in (self.as_of, *self.table_dates) if d and re.fullmatch(r"\d{4}-\d{2}-\d{2}", d)})
        undated = sorted({d for d in (self.as_of, *self.table_dates) if d and d not in dated})
        span = "/".join(dated) if len(dated) <= 2 else f"{dated[0]} to {dated[-1]} ({len(dated)} dates)"
        return " and ".join([span, *undated]) if span else " and ".join(undated)

    def names(self, section: str) -> list[str]:
        found = set(self.sections.get(section, {}))
        for table in self._tables(section):
            found.update(table.rows)
        return sorted(found)

    def regions(self, section: str, name: str) -> list[str]:
        found = set(self.sections.get(section, {}).get(name, {}))
        for table in self._tables(section):
            found.update(table.regions_of(name))
        return sorted(found)

    def count(self) -> int:
        """How many (name, region) prices the book holds."""
        listed = sum(len(regions) for names in self.sections.values() for regions in names.values())
        return listed + sum(t.count() for section in self.tables for t in self._tables(section))


@dataclass(frozen=True)
class Table:
    """One imported price table: ``rows[name][i]`` is the price in ``regions[i]`` (None: not listed)."""

    section: str
    regions: tuple[str, ...]
    rows: Mapping[str, list[str | None]]  # the source's digits, made Decimal when looked up
    as_of: str
    licence: str
    cite: str
    _index: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)

    def price(self, name: str, region: str | None) -> Decimal | None:
        row = self.rows.get(name)
        if row is None:
            return None
        i = self._index.get(region or "", self._index.get(GLOBAL, -1))
        raw = row[i] if i >= 0 else None
        return None if raw is None else _money(raw, f"price table {self.cite}: {name}.{region}")

    def regions_of(self, name: str) -> list[str]:
        row = self.rows.get(name) or ()
        return [r for r, p in zip(self.regions, row) if p is not None]

    def count(self) -> int:
        return sum(1 for row in self.rows.values() for p in row if p is not None)


def read_table(path: Path) -> Table:
    """Parse one ``tables/*.json`` file; a malformed one is a ``PricingFileError`` naming it."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"), parse_float=str, parse_int=str)
        regions = tuple(str(r) for r in doc["regions"])
        rows = doc["prices"]
        source = doc["source"]
        for key in ("as_of", "licence"):
            if not doc.get(key):
                raise PricingFileError(f"price table {path}: missing '{key}'")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise PricingFileError(f"reading price table {path}: {exc}") from exc
    if any(len(row) != len(regions) for row in rows.values()):
        raise PricingFileError(f"price table {path}: every row needs one entry per region")
    cite = f"{source.get('repo', source.get('url', '?'))} {source.get('path', '')}@{str(source.get('commit', ''))[:8]}"
    return Table(str(doc["section"]), regions, rows, str(doc["as_of"]), str(doc["licence"]), cite,
                 {r: i for i, r in enumerate(regions)})


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


def _table_index(base: Path) -> tuple[dict[str, dict[str, tuple[Path, ...]]], dict[str, set[str]]]:
    """provider -> section -> table files (from ``<provider>_*.json`` and a peek at the header), and their dates."""
    found: dict[str, dict[str, list[Path]]] = {}
    dates: dict[str, set[str]] = {}
    for path in sorted((base / "tables").glob("*.json")):
        provider = path.name.split("_", 1)[0]
        with path.open("rb") as fh:
            head = fh.read(2048).decode("utf-8", "replace")
        marker = '"section":"'
        if marker not in head:
            raise PricingFileError(f"price table {path}: 'section' must come in the first 2 kB")
        section = head.split(marker, 1)[1].split('"', 1)[0]
        found.setdefault(provider, {}).setdefault(section, []).append(path)
        if '"as_of":"' in head:
            dates.setdefault(provider, set()).add(head.split('"as_of":"', 1)[1].split('"', 1)[0])
    return {p: {s: tuple(v) for s, v in secs.items()} for p, secs in found.items()}, dates


def load_catalog(directory: Path | None = None) -> PricingCatalog:
    """Load every provider file; a malformed one is a ``PricingFileError``."""
    base = directory or PRICING_DIR
    books = {}
    tables, dates = _table_index(base)
    for provider in PROVIDERS:
        path = base / f"{provider}.yaml"
        book = parse_book(_read(path), str(path))
        if book.provider != provider:
            raise PricingFileError(f"{path}: provider must be '{provider}', got {book.provider!r}")
        if tables.get(provider):
            book = PriceBook(book.provider, book.currency, book.as_of, book.sections, book.sources, tables[provider],
                             tuple(sorted(dates.get(provider, ()))))
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
