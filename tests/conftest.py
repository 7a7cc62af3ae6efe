"""Suite-wide fixtures. Package-specific fixtures live beside their tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own CLOUDOPS_DATA_DIR unless it sets one itself."""
    data_dir = tmp_path_factory.mktemp("cloudops-data")
    monkeypatch.setenv("CLOUDOPS_DATA_DIR", str(data_dir))
    return data_dir


@pytest.fixture(scope="session")
def shared_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir shared by the session, so the provider mirror is built once."""
    return Path(os.environ.get("CLOUDOPS_TEST_SHARED_DATA") or tmp_path_factory.mktemp("cloudops-shared"))


# The longest tests start first, so that spread over several workers (pytest-xdist) none of them is
# left running alone at the end: the suite then takes about as long as its longest lane, not longer.
_LONGEST_FIRST = ("tests/e2e/test_replicas.py", "tests/e2e/test_crash_recovery.py")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        path = item.nodeid.split("::", 1)[0]
        return _LONGEST_FIRST.index(path) if path in _LONGEST_FIRST else len(_LONGEST_FIRST)

    items.sort(key=rank)  # stable: every other test keeps its order
