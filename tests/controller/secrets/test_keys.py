"""Where the master key comes from, and the key file's safety rules."""

from __future__ import annotations

import base64
import logging
import os
import stat
from pathlib import Path

import pytest

from controller.secrets import keys
from controller.secrets.errors import MasterKeyError
from controller.settings import Settings


def _settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data")


def test_the_environment_key_wins_and_old_keys_stay_readable(tmp_path: Path) -> None:
    new, old = keys.MasterKey.generate(), keys.MasterKey.generate()
    ring = keys.load_keyring(_settings(tmp_path), {keys.ENV_KEY: new.encoded(), keys.ENV_OLD_KEYS: old.encoded()})
    assert ring.primary.key_id == new.key_id and ring.source == "environment" and ring.key_file is None
    assert ring.find(old.key_id) == old and ring.find("nope") is None
    assert not (tmp_path / "data").exists()  # nothing written


@pytest.mark.parametrize(("value", "message"), [("not base64!", "not base64"),
                                                (base64.b64encode(b"x" * 16).decode(), "16 bytes, expected 32")])
def test_a_malformed_environment_key_is_refused(tmp_path: Path, value: str, message: str) -> None:
    with pytest.raises(MasterKeyError, match=message):
        keys.load_keyring(_settings(tmp_path), {keys.ENV_KEY: value})


def test_without_any_key_nothing_is_created_unless_asked(tmp_path: Path) -> None:
    with pytest.raises(MasterKeyError, match="neither CLOUDOPS_MASTER_KEY nor CLOUDOPS_MASTER_KEY_FILE is set"):
        keys.load_keyring(_settings(tmp_path), {})
    assert not (tmp_path / "data" / "master.key").exists()


def test_a_key_file_is_created_0600_with_a_clear_log_line(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="controller.secrets.keys"):
        ring = keys.load_keyring(_settings(tmp_path), {}, create=True)
    path = tmp_path / "data" / "master.key"
    assert ring.key_file == path and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert f"created a new vault master key at {path}" in caplog.text
    assert ring.primary.encoded() not in caplog.text
    again = keys.load_keyring(_settings(tmp_path), {}, create=True)
    assert again.primary.key_id == ring.primary.key_id  # created once, then reused


def test_a_named_key_file_must_exist(tmp_path: Path) -> None:
    with pytest.raises(MasterKeyError, match="does not exist"):
        keys.load_keyring(_settings(tmp_path), {keys.ENV_KEY_FILE: str(tmp_path / "missing.key")}, create=True)


def test_a_key_file_others_may_read_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "k.key"
    keys.write_key_file(path, keys.MasterKey.generate())
    os.chmod(path, 0o644)
    with pytest.raises(MasterKeyError, match="mode 0644 lets others read it") as info:
        keys.load_keyring(_settings(tmp_path), {keys.ENV_KEY_FILE: str(path)})
    assert info.value.hint == f"chmod 600 {path}"


def test_key_files_are_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "k.key"
    first = keys.MasterKey.generate()
    keys.write_key_file(path, first)
    with pytest.raises(MasterKeyError, match="already exists"):
        keys.write_key_file(path, keys.MasterKey.generate())
    assert keys.read_key_file(path).key_id == first.key_id


def test_a_staged_rotation_key_is_readable_until_committed(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    ring = keys.load_keyring(settings, {}, create=True)
    new = keys.MasterKey.generate()
    staged = keys.stage_new_key(ring.key_file, new)  # type: ignore[arg-type]
    during = keys.load_keyring(settings, {})  # a crash here: both keys still load
    assert during.primary.key_id == ring.primary.key_id and during.find(new.key_id) is not None
    keys.commit_new_key(ring.key_file, staged, in_use={new.key_id})  # type: ignore[arg-type]
    after = keys.load_keyring(settings, {})
    assert after.primary.key_id == new.key_id and after.others == ()
    assert keys.pending_key_files(ring.key_file) == []  # type: ignore[arg-type]


def test_key_ids_name_keys_without_revealing_them() -> None:
    key = keys.MasterKey.generate()
    assert len(key.key_id) == 16 and key.key_id not in key.encoded()
    assert key.encoded() not in repr(key)
    assert keys.MasterKey(key.material).key_id == key.key_id
