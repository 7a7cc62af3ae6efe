"""open_store: which targets open a store, and which are refused clearly."""

from __future__ import annotations

import socket
from datetime import datetime
from pathlib import Path

import pytest

from controller.errors import ConfigError, StoreError
from controller.settings import Settings
from controller.store import RuntimeStore, SqliteStore, open_store
from tests.support import postgres


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


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_an_unreachable_postgresql_store_is_a_store_error_that_never_echoes_the_password() -> None:
    url = f"postgresql://ops:s3cret@127.0.0.1:{_closed_port()}/cloudops"
    with pytest.raises(StoreError, match="database is unreachable") as caught:
        open_store(url)
    message = caught.value.user_message()
    assert "s3cret" not in message and "CLOUDOPS_DATABASE_URL" in message
    assert "postgresql://127.0.0.1" in message  # where it tried, without the credentials


def test_a_postgresql_schema_name_that_is_not_plain_sql_is_refused() -> None:
    with pytest.raises(ConfigError, match="not a plain lower-case SQL name"):
        open_store('postgresql://127.0.0.1/db?schema=x";drop')


def test_settings_with_a_database_url_open_the_postgresql_store() -> None:
    url = postgres.fresh_schema_url()
    try:
        settings = Settings.from_env({"CLOUDOPS_DATA_DIR": "/nonexistent", "CLOUDOPS_DATABASE_URL": url})
        with open_store(settings) as store:
            assert type(store).__name__ == "PostgresStore"
            assert store.record_delivery("d-1", event="push") is True
    finally:
        postgres.drop_schema(url)


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
