from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from controller.cost import catalog
from controller.cost.catalog import PricingFileError, load_catalog


def test_bundled_catalog_loads_every_provider_with_sources():
    cat = load_catalog()
    for provider in ("gcp", "aws", "azure"):
        book = cat.book(provider)
        assert book is not None and book.currency == "USD" and book.as_of and book.sources
        assert book.count() > 0


def test_prices_are_exact_decimals_not_floats():
    book = load_catalog().book("gcp")
    assert book.price("machine_types", "e2-standard-2", "us-central1") == Decimal("0.06701142")


def test_gcp_prices_differ_by_region_for_at_least_three_regions():
    book = load_catalog().book("gcp")
    prices = {book.price("machine_types", "e2-standard-2", r) for r in ("us-central1", "europe-west3", "asia-northeast1")}
    assert len(prices) == 3


def test_missing_price_is_none_never_zero():
    book = load_catalog().book("gcp")
    assert book.price("machine_types", "e2-standard-2", "mars-north1") is None
    assert book.price("machine_types", "no-such-type", "us-central1") is None


def test_global_price_applies_to_any_region():
    book = load_catalog().book("gcp")
    assert book.price("kubernetes_cluster_hourly", "cluster", "europe-west1") == Decimal("0.10")


def test_local_regions_map_to_a_real_reference_region():
    cat = load_catalog()
    provider, region = cat.local.reference("local-1")
    assert cat.book(provider).price("machine_types", "e2-small", region) is not None


@pytest.mark.parametrize("broken, message", [
    ("provider: gcp\ncurrency: EUR\nas_of: x\nsources: {}\n", "currency must be USD"),
    ("provider: gcp\ncurrency: USD\nas_of: x\nsources: {}\nmachine_types:\n  e2-micro:\n    us-central1: cheap\n",
     "machine_types.e2-micro.us-central1: price must be a number"),
    ("provider: gcp\ncurrency: USD\nas_of: x\nsources: {}\nmachine_types:\n  e2-micro:\n    us-central1: -1\n",
     ">= 0"),
    ("provider: gcp\ncurrency: USD\nsources: {}\n", "missing 'as_of'"),
    ("- just\n- a list\n", "expected a mapping"),
    ("provider: gcp\ncurrency: USD\nas_of: x\nsources: {}\nmachine_types: [1, 2]\n", "must map names to regions"),
])
def test_malformed_pricing_file_is_a_clear_error(tmp_path: Path, broken: str, message: str):
    for name in ("gcp", "aws", "azure", "local"):
        shutil.copy(catalog.PRICING_DIR / f"{name}.yaml", tmp_path / f"{name}.yaml")
    (tmp_path / "gcp.yaml").write_text(broken)
    with pytest.raises(PricingFileError) as info:
        load_catalog(tmp_path)
    assert message in str(info.value) and "gcp.yaml" in str(info.value)


def test_price_tables_are_read_only_when_their_section_is_first_looked_up():
    book = load_catalog().book("azure")
    assert book._loaded == {}  # loading the catalog peeks at table headers only
    assert book.price("machine_types", "Standard_A1", "australiacentral") is not None
    assert set(book._loaded) == {"machine_types"}
    assert book.dates() == "2023-12-18 to 2026-09-06 (4 dates)"  # the YAML file's date and its tables'
