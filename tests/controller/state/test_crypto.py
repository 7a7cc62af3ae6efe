"""State envelopes: round trip, and every way a blob must refuse to decrypt."""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path

import pytest

from controller.errors import ConfigError, StateError
from controller.state import crypto
from controller.state.crypto import StateKey

STATE = b'{"version": 4, "resources": [{"password": "hunter2-canary"}]}'


@pytest.fixture
def key() -> StateKey:
    return StateKey.generate()


def test_a_state_round_trips_and_the_envelope_hides_it(key: StateKey) -> None:
    blob = crypto.encrypt(key, STATE, repo="acme/infra", project="web")
    assert b"hunter2" not in blob
    assert blob.startswith(crypto.MAGIC) and blob[len(crypto.MAGIC)] == crypto.VERSION
    assert crypto.decrypt(key, blob, repo="acme/infra", project="web") == STATE


def test_every_write_uses_a_fresh_nonce(key: StateKey) -> None:
    first = crypto.parse_envelope(crypto.encrypt(key, STATE, repo="a/b", project="web"))
    second = crypto.parse_envelope(crypto.encrypt(key, STATE, repo="a/b", project="web"))
    assert first.nonce != second.nonce and first.ciphertext != second.ciphertext


def test_the_envelope_names_the_key_by_id(key: StateKey) -> None:
    envelope = crypto.parse_envelope(crypto.encrypt(key, STATE, repo="a/b", project="web"))
    assert envelope.key_id == key.key_id and len(envelope.key_id) == crypto.KEY_ID_BYTES
    assert key.secret not in crypto.encrypt(key, STATE, repo="a/b", project="web")


def test_a_wrong_key_is_named_as_such(key: StateKey) -> None:
    blob = crypto.encrypt(key, STATE, repo="a/b", project="web")
    other = StateKey.generate()
    with pytest.raises(StateError, match="encrypted with key") as caught:
        crypto.decrypt(other, blob, repo="a/b", project="web")
    assert key.key_id.hex() in str(caught.value) and "CLOUDOPS_STATE_KEY" in caught.value.hint


@pytest.mark.parametrize(("repo", "project"), [("a/b", "db"), ("a/other", "web"), ("x/b", "web")])
def test_a_blob_moved_to_another_project_or_repo_does_not_decrypt(key: StateKey, repo: str, project: str) -> None:
    blob = crypto.encrypt(key, STATE, repo="a/b", project="web")
    with pytest.raises(StateError, match="copied from another repository or project"):
        crypto.decrypt(key, blob, repo=repo, project=project)


@pytest.mark.parametrize("offset", [crypto.HEADER_BYTES - 1, crypto.HEADER_BYTES, -1])
def test_a_flipped_bit_in_nonce_ciphertext_or_tag_is_refused(key: StateKey, offset: int) -> None:
    blob = bytearray(crypto.encrypt(key, STATE, repo="a/b", project="web"))
    blob[offset] ^= 0x01
    with pytest.raises(StateError, match="does not authenticate"):
        crypto.decrypt(key, bytes(blob), repo="a/b", project="web")


def test_a_truncated_blob_is_refused(key: StateKey) -> None:
    blob = crypto.encrypt(key, STATE, repo="a/b", project="web")
    with pytest.raises(StateError, match="truncated"):
        crypto.decrypt(key, blob[: crypto.HEADER_BYTES + 3], repo="a/b", project="web")


def test_plaintext_state_is_not_an_envelope(key: StateKey) -> None:
    with pytest.raises(StateError, match="not a Cloud ChatOps state envelope"):
        crypto.decrypt(key, STATE, repo="a/b", project="web")


def test_an_unknown_envelope_version_asks_for_an_upgrade(key: StateKey) -> None:
    blob = bytearray(crypto.encrypt(key, STATE, repo="a/b", project="web"))
    blob[len(crypto.MAGIC)] = 2
    with pytest.raises(StateError, match="envelope version 2") as caught:
        crypto.decrypt(key, bytes(blob), repo="a/b", project="web")
    assert "upgrade" in caught.value.hint


def test_the_key_comes_from_the_environment_when_set(tmp_path: Path) -> None:
    raw = os.urandom(32)
    key = crypto.state_key(tmp_path, {"CLOUDOPS_STATE_KEY": base64.b64encode(raw).decode()})
    assert key.secret == raw
    assert not (tmp_path / crypto.KEY_FILE_NAME).exists()


@pytest.mark.parametrize("value", ["not base64!!", base64.b64encode(b"short").decode()])
def test_a_malformed_environment_key_is_a_config_error(tmp_path: Path, value: str) -> None:
    with pytest.raises(ConfigError, match="CLOUDOPS_STATE_KEY"):
        crypto.state_key(tmp_path, {"CLOUDOPS_STATE_KEY": value})


def test_the_key_file_is_created_once_with_mode_0600_and_reused(tmp_path: Path) -> None:
    first = crypto.state_key(tmp_path / "data", {})
    path = tmp_path / "data" / crypto.KEY_FILE_NAME
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert crypto.state_key(tmp_path / "data", {}) == first


def test_a_key_file_others_may_read_is_refused(tmp_path: Path) -> None:
    crypto.state_key(tmp_path, {})
    (tmp_path / crypto.KEY_FILE_NAME).chmod(0o644)
    with pytest.raises(ConfigError, match="others may read it") as caught:
        crypto.state_key(tmp_path, {})
    assert "chmod 600" in caught.value.hint


def test_the_key_never_shows_in_its_repr(key: StateKey) -> None:
    assert key.to_base64() not in repr(key) and repr(key.secret) not in repr(key)
