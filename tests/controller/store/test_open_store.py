"""open_store: which targets open a store, and which are refused clearly."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from controller.errors import ConfigError, StoreError
from controller.settings import Settings
from controller.store import RuntimeStore, SqliteStore, open_store


def test_settings_open_the_sqlite_file_in_the_data_dir(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    with open_store(settings) as store:
        assert isinstance(store, RuntimeStore)
        assert store.record_delivery("d", event="push")
    assert settings.store_path.is_file()


def test_a_path_opens_a_sqlite_store_there(tmp_path: Path) -> None:
    with open_store(tmp_path / "a.sqlite3") as store:
        assert isinstance(store, SqliteStore) and store.path == tmp_path / "a.sqlite3"


def test_a_sqlite_url_names_an_absolute_path(tmp_path: Path) -> None:
    with open_store(f"sqlite://{tmp_path}/b.sqlite3") as store:
        assert isinstance(store, SqliteStore) and store.path == tmp_path / "b.sqlite3"


def test_a_sqlite_url_may_name_a_relative_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with open_store("sqlite:///./rel.sqlite3") as store:
        assert isinstance(store, SqliteStore) and store.path == Path("rel.sqlite3")
    assert (tmp_path / "rel.sqlite3").is_file()


def test_a_postgresql_url_says_the_backend_is_not_available_yet_without_echoing_the_password() -> None:
    with pytest.raises(ConfigError, match="postgresql backend is not available yet") as caught:
        open_store("postgresql://ops:s3cret@db.internal/cloudops")
    assert "s3cret" not in caught.value.user_message()


def test_an_unknown_url_scheme_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="unknown URL scheme 'mysql'"):
        open_store("mysql://db/cloudops")


def test_a_sqlite_url_without_a_path_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="no file path"):
        open_store("sqlite://")


def test_a_closed_store_refuses_further_use(tmp_path: Path) -> None:
    store = open_store(tmp_path / "c.sqlite3")
    store.close()
    with pytest.raises(StoreError, match="it is closed"):
        store.get_lock("acme/infra", "web")


def test_a_clock_without_a_timezone_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="naive datetime"):
        open_store(tmp_path / "d.sqlite3", clock=lambda: datetime(2024, 1, 1))
