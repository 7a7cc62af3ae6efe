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
